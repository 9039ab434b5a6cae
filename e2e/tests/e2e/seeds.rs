//! The three seed APIs: their documented example requests (copied from the generated protocol
//! tests' `REQUEST_EXAMPLE`), the wire parameters the gateway must receive for them, the
//! documented response and error bodies (copied from `specs/*.yaml`), and shared helpers.

use std::fmt::Debug;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use top_apis::{
    QimenTmallCarLeaseSignstatusSynchronizeRequest, TaobaoAliautoRiskInfoTmallYcServiceSyncRequest,
    TmallFinCarOpenBillNotifyRequest,
};
use top_e2e::{Expect, FakeGateway, Param, Reply, TimestampCheck};
use top_runtime::prepare::{Format, Secret};
use top_runtime::sign::SignMethod;
use top_runtime::{ApiRequest, CallError, ClientFamily, Gateway, SessionRequirement, TopClient};

pub const APP_KEY: &str = "12345678";
pub const APP_SECRET: &str = "e2e-app-secret-7Kq2vX";
pub const SESSION: &str = "e2e-session-key-61002b4";
pub const TARGET_APP_KEY: &str = "23456789";

/// The trailing comment the real gateway appends to XML bodies.
pub const TOP_COMMENT: &str = "<!--top011045032067.na610-->";

/// `tmall.fin.car.open.bill.notify`: documented example values, under the wire names.
pub const BILL_NOTIFY_EXAMPLE: &str = r#"{
  "bill_status_equest_top": {
    "biz_no": "123",
    "biz_type": "TMALL_CAR",
    "channel": "GH_APP",
    "customer_id": "1232",
    "customer_type": "ALI",
    "event_time": "2019-09-08 22:33:34",
    "extend_info": "{}",
    "req_no": "23123"
  }
}"#;

/// `qimen.tmall.car.lease.signstatus.synchronize`.
pub const SIGN_STATUS_EXAMPLE: &str = r#"{
  "cityId": 330100,
  "districtId": 330102,
  "orderId": 1000003461011111014,
  "status": 1,
  "typeDTO": {
    "month": "12",
    "monthlyPay": "10000",
    "restAmount": "100000",
    "type": "2"
  }
}"#;

/// `taobao.aliauto.risk.info.tmall.yc.service.sync`.
pub const RISK_SYNC_EXAMPLE: &str = r#"{
  "risk_info_sync_request": {
    "contents": [
      {
        "buyer_name": "王五",
        "buyer_phone": "13012345678",
        "car_license_num": "浙AA12345",
        "install_type": 0,
        "service_code": "123,456,789",
        "service_use_time": "2000-01-01 00:00:00",
        "tc_order_id": 3882527336184474047,
        "tc_sub_order_id": 3882527336184474048,
        "work_order_submit_time": "2000-01-01 00:00:00"
      }
    ]
  }
}"#;

/// The documented error of all three specs.
pub const DOCUMENTED_ERROR_XML: &str = "<error_response>
    <code>50</code>
    <msg>Remote service error</msg>
    <sub_code>isv.invalid-parameter</sub_code>
    <sub_msg>非法参数</sub_msg>
</error_response>
";

/// The same error as JSON, with a request id.
pub const ERROR_JSON: &str = r#"{"error_response":{"code":50,"msg":"Remote service error","sub_code":"isv.invalid-parameter","sub_msg":"非法参数","request_id":"e2e-req-err-1"}}"#;

/// A seed API with everything the tests need to call it.
pub trait Seed:
    ApiRequest<Response: serde::Serialize + Debug + PartialEq> + DeserializeOwned + Debug
{
    /// The documented example request.
    const EXAMPLE: &'static str;
    /// The API parameters the gateway must receive for [`Self::EXAMPLE`].
    fn wire_params() -> Vec<(String, Param)>;
    /// A JSON success body (not simplified).
    fn json_success() -> String;
    /// The documented XML success body, as the gateway sends it.
    fn xml_success() -> String;
    /// The typed response both must decode to, as the `call` command prints it.
    fn expected_response() -> Value;
}

fn example_value(example: &str, pointer: &str) -> Value {
    let json: Value = serde_json::from_str(example).expect("the example is JSON");
    json.pointer(pointer).cloned().expect("the example has it")
}

impl Seed for TmallFinCarOpenBillNotifyRequest {
    const EXAMPLE: &'static str = BILL_NOTIFY_EXAMPLE;
    fn wire_params() -> Vec<(String, Param)> {
        vec![(
            "bill_status_equest_top".into(),
            Param::Json(example_value(
                BILL_NOTIFY_EXAMPLE,
                "/bill_status_equest_top",
            )),
        )]
    }
    fn json_success() -> String {
        json!({"tmall_fin_car_open_bill_notify_response": {
            "result": {"message": "异常", "succeeded": true, "retry": false, "code": "10000"},
            "request_id": "e2e-req-1"
        }})
        .to_string()
    }
    fn xml_success() -> String {
        format!(
            r#"<?xml version="1.0" encoding="utf-8" ?><tmall_fin_car_open_bill_notify_response>
    <result>
        <message>异常</message>
        <succeeded>true</succeeded>
        <retry>false</retry>
        <code>10000</code>
    </result>
</tmall_fin_car_open_bill_notify_response>{TOP_COMMENT}"#
        )
    }
    fn expected_response() -> Value {
        json!({"result": {"message": "异常", "succeeded": true, "retry": false, "code": "10000"}})
    }
}

impl Seed for QimenTmallCarLeaseSignstatusSynchronizeRequest {
    const EXAMPLE: &'static str = SIGN_STATUS_EXAMPLE;
    fn wire_params() -> Vec<(String, Param)> {
        vec![
            ("orderId".into(), Param::Text("1000003461011111014".into())),
            (
                "typeDTO".into(),
                Param::Json(example_value(SIGN_STATUS_EXAMPLE, "/typeDTO")),
            ),
            ("status".into(), Param::Text("1".into())),
            ("cityId".into(), Param::Text("330100".into())),
            ("districtId".into(), Param::Text("330102".into())),
        ]
    }
    fn json_success() -> String {
        json!({"response": {
            "flag": "success", "code": "0", "message": "ok",
            "success": "ture", "msgCode": "002", "msgDesc": "XXXXX",
            "request_id": "e2e-req-2"
        }})
        .to_string()
    }
    fn xml_success() -> String {
        // The documented example: a root-less fragment.
        format!(
            "<success>ture</success>\n<msgCode>002</msgCode>\n<msgDesc>XXXXX</msgDesc>\n{TOP_COMMENT}"
        )
    }
    fn expected_response() -> Value {
        json!({"success": "ture", "msgCode": "002", "msgDesc": "XXXXX"})
    }
}

impl Seed for TaobaoAliautoRiskInfoTmallYcServiceSyncRequest {
    const EXAMPLE: &'static str = RISK_SYNC_EXAMPLE;
    fn wire_params() -> Vec<(String, Param)> {
        vec![(
            "risk_info_sync_request".into(),
            Param::Json(example_value(RISK_SYNC_EXAMPLE, "/risk_info_sync_request")),
        )]
    }
    fn json_success() -> String {
        json!({"aliauto_risk_info_tmall_yc_service_sync_response": {"request_id": "e2e-req-3"}})
            .to_string()
    }
    fn xml_success() -> String {
        format!(
            "<aliauto_risk_info_tmall_yc_service_sync_response>\n</aliauto_risk_info_tmall_yc_service_sync_response>\n{TOP_COMMENT}"
        )
    }
    fn expected_response() -> Value {
        json!({})
    }
}

/// The documented example request of `R`.
pub fn example<R: Seed>() -> R {
    serde_json::from_str(R::EXAMPLE).expect("the documented example deserializes")
}

/// The example of `R` with the value at `pointer` replaced.
pub fn example_with<R: Seed>(pointer: &str, value: Value) -> R {
    let mut json: Value = serde_json::from_str(R::EXAMPLE).expect("JSON");
    *json.pointer_mut(pointer).expect("the example has it") = value;
    serde_json::from_value(json).expect("the changed example deserializes")
}

/// The gateway path of `R`'s client family.
pub fn path<R: Seed>() -> &'static str {
    match R::CLIENT {
        ClientFamily::Top => "/router/rest",
        ClientFamily::Qimen => "/router/qm",
    }
}

/// The session the tests send for `R`: only for APIs that require one.
pub fn session<R: Seed>() -> Option<&'static str> {
    (R::SESSION == SessionRequirement::Required).then_some(SESSION)
}

/// How a test client is configured.
#[derive(Debug, Clone, Copy)]
pub struct Setup {
    pub sign_method: SignMethod,
    pub format: Format,
    pub simplify: bool,
    pub timeout: Option<Duration>,
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            sign_method: SignMethod::HmacSha256,
            format: Format::Json,
            simplify: false,
            timeout: None,
        }
    }
}

impl Setup {
    pub fn format(self, format: Format) -> Self {
        Setup { format, ..self }
    }
    pub fn simplify(self) -> Self {
        Setup {
            simplify: true,
            ..self
        }
    }
}

/// What the gateway must receive when `R`'s example is called with `setup`.
pub fn expect<R: Seed>(setup: &Setup, timestamp: TimestampCheck) -> Expect {
    Expect {
        path: path::<R>().to_owned(),
        method: R::METHOD.to_owned(),
        app_key: APP_KEY.to_owned(),
        secret: APP_SECRET.to_owned(),
        sign_method: setup.sign_method.as_str().to_owned(),
        format: setup.format.as_str().to_owned(),
        session: session::<R>().map(str::to_owned),
        target_app_key: (R::CLIENT == ClientFamily::Qimen).then(|| TARGET_APP_KEY.to_owned()),
        simplify: setup.simplify,
        timestamp,
        params: R::wire_params(),
        files: Vec::new(),
    }
}

/// A fake gateway expecting `R`'s example called with `setup`, answering `reply`.
pub fn start_gateway<R: Seed>(setup: &Setup, reply: Reply) -> FakeGateway {
    FakeGateway::start(expect::<R>(setup, TimestampCheck::NearNow), reply)
        .expect("the fake gateway starts")
}

/// A client for `gateway` configured with `setup`. Always given a `target_app_key`: the TOP
/// calls must leave it out.
pub fn client(gateway: &FakeGateway, setup: &Setup) -> TopClient {
    let mut builder = TopClient::builder(APP_KEY, APP_SECRET)
        .gateway(Gateway::Url(gateway.url()))
        .sign_method(setup.sign_method)
        .format(setup.format)
        .simplify(setup.simplify)
        .target_app_key(TARGET_APP_KEY);
    if let Some(timeout) = setup.timeout {
        builder = builder.timeout(timeout);
    }
    builder.build().expect("the client builds")
}

/// Calls `R`'s documented example through a fresh fake gateway answering `reply`.
pub async fn call<R: Seed>(
    setup: &Setup,
    reply: Reply,
) -> (Result<R::Response, CallError>, FakeGateway) {
    let gateway = start_gateway::<R>(setup, reply);
    let client = client(&gateway, setup);
    let result = client
        .execute_with_optional_session(&example::<R>(), session::<R>().map(Secret::new))
        .await;
    (result, gateway)
}

/// Calls and asserts the gateway got exactly one valid request.
pub async fn call_checked<R: Seed>(setup: &Setup, reply: Reply) -> Result<R::Response, CallError> {
    let (result, gateway) = call::<R>(setup, reply).await;
    if let Err(problem) = gateway.check(1) {
        panic!("{}: {problem}", R::METHOD);
    }
    result
}

/// The typed response as JSON, to compare with [`Seed::expected_response`].
pub fn to_json(response: &impl serde::Serialize) -> Value {
    serde_json::to_value(response).expect("the response serializes")
}
