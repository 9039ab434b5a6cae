//! The call path: `TopClient::prepare` (validate, encode, sign) of the two documented seed
//! requests, against the bare keyed hash of the exact string they sign.
//!
//! ```text
//! cargo bench -p top-runtime --bench call_path
//! ```
//!
//! For each request and sign method it times `prepare` and the bare digest (secret-keyed
//! MD5 / HMAC-MD5 / HMAC-SHA256 over the canonical string, computed once outside the timed
//! loop from the prepared request itself), then prints one table with the ratio
//! `prepare / bare hash`: the overhead the runtime adds on top of the unavoidable hashing.
//!
//! The request types mirror the generated code of `top-apis` exactly (same fields, serde
//! attributes, `AsJson` views, `validate::check` calls and `params` visitor); `top-apis` itself cannot be a
//! dependency here, since it depends on this crate. They are built from the documented
//! `REQUEST_EXAMPLE`s of `generated/tests/protocol/`.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use hmac::{Hmac, KeyInit, Mac};
use md5::{Digest, Md5};
use sha2::Sha256;
use top_runtime::api::Params;
use top_runtime::client::{Transport, TransportError, TransportFuture};
use top_runtime::prepare::{HttpRequest, Secret};
use top_runtime::sign::SignMethod;
use top_runtime::{ApiRequest, ClientFamily, Path, SessionRequirement, TopClient};
use top_runtime::{Rules, Validate, ValidationErrors};

const SECRET: &str = "helloworld";
const TIMESTAMP: &str = "2016-01-01 12:00:00";
const SESSION: &str = "6100e23657fb0b2d0c78568e55a3031134be9a3a5d4b3a365753805";

/// `generated/tests/protocol/tmall_fin_car_open_bill_notify.rs`.
const BILL_NOTIFY_EXAMPLE: &str = "{\n  \"bill_status_equest_top\": {\n    \"biz_no\": \"123\",\n    \"biz_type\": \"TMALL_CAR\",\n    \"channel\": \"GH_APP\",\n    \"customer_id\": \"1232\",\n    \"customer_type\": \"ALI\",\n    \"event_time\": \"2019-09-08 22:33:34\",\n    \"extend_info\": \"{}\",\n    \"req_no\": \"23123\"\n  }\n}";
/// `generated/tests/protocol/taobao_aliauto_risk_info_tmall_yc_service_sync.rs`.
const RISK_SYNC_EXAMPLE: &str = "{\n  \"risk_info_sync_request\": {\n    \"contents\": [\n      {\n        \"buyer_name\": \"王五\",\n        \"buyer_phone\": \"13012345678\",\n        \"car_license_num\": \"浙AA12345\",\n        \"install_type\": 0,\n        \"service_code\": \"123,456,789\",\n        \"service_use_time\": \"2000-01-01 00:00:00\",\n        \"tc_order_id\": 3882527336184474047,\n        \"tc_sub_order_id\": 3882527336184474048,\n        \"work_order_submit_time\": \"2000-01-01 00:00:00\"\n      }\n    ]\n  }\n}";

/// Mirrors of the generated request types (builders and docs left out: not on the path).
mod mirror {
    use super::*;
    use serde::{Deserialize, Serialize};
    use top_runtime::validate::check;
    use top_runtime::view::{AsJson, JsonObject, JsonView};

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct TmallFinCarOpenBillNotifyRequest {
        #[serde(rename = "bill_status_equest_top")]
        pub bill_status_request_top: BillStatusRequestTop,
    }

    impl Validate for TmallFinCarOpenBillNotifyRequest {
        fn validate_at(&self, at: &Path<'_>, out: &mut ValidationErrors) {
            check(
                out,
                at,
                "bill_status_equest_top",
                &self.bill_status_request_top,
                Rules::REQUIRED,
            );
        }
    }

    impl top_runtime::SessionFree for TmallFinCarOpenBillNotifyRequest {}

    impl ApiRequest for TmallFinCarOpenBillNotifyRequest {
        const METHOD: &'static str = "tmall.fin.car.open.bill.notify";
        const CLIENT: ClientFamily = ClientFamily::Top;
        const SESSION: SessionRequirement = SessionRequirement::None;
        type Response = serde_json::Value;
        fn params<'a>(&'a self, out: &mut Params<'a>) {
            out.json("bill_status_equest_top", &self.bill_status_request_top);
        }
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct BillStatusRequestTop {
        pub customer_type: CustomerType,
        pub customer_id: String,
        pub biz_type: BizType,
        pub biz_no: String,
        pub event_time: top_runtime::DateTime,
        pub channel: Channel,
        pub req_no: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub extend_info: Option<String>,
    }

    impl Validate for BillStatusRequestTop {
        fn validate_at(&self, at: &Path<'_>, out: &mut ValidationErrors) {
            check(
                out,
                at,
                "customer_type",
                &self.customer_type,
                Rules::REQUIRED.max_length(32),
            );
            check(
                out,
                at,
                "customer_id",
                &self.customer_id,
                Rules::REQUIRED.max_length(32),
            );
            check(
                out,
                at,
                "biz_type",
                &self.biz_type,
                Rules::REQUIRED.max_length(32),
            );
            check(
                out,
                at,
                "biz_no",
                &self.biz_no,
                Rules::REQUIRED.max_length(64),
            );
            check(out, at, "event_time", &self.event_time, Rules::REQUIRED);
            check(
                out,
                at,
                "channel",
                &self.channel,
                Rules::REQUIRED.max_length(32),
            );
            check(
                out,
                at,
                "req_no",
                &self.req_no,
                Rules::REQUIRED.max_length(64),
            );
            check(
                out,
                at,
                "extend_info",
                &self.extend_info,
                Rules::NONE.max_length(1024),
            );
        }
    }

    impl AsJson for BillStatusRequestTop {
        fn as_json(&self) -> JsonView<'_> {
            let mut out = JsonObject::with_capacity(8);
            out.put("customer_type", &self.customer_type);
            out.put("customer_id", &self.customer_id);
            out.put("biz_type", &self.biz_type);
            out.put("biz_no", &self.biz_no);
            out.put("event_time", &self.event_time);
            out.put("channel", &self.channel);
            out.put("req_no", &self.req_no);
            out.put("extend_info", &self.extend_info);
            out.into()
        }
    }

    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub enum CustomerType {
        Ali,
        Unknown(String),
    }
    top_runtime::text_codes!(CustomerType { Ali = "ALI" });

    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub enum BizType {
        TmallCar,
        Unknown(String),
    }
    top_runtime::text_codes!(BizType { TmallCar = "TMALL_CAR" });

    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub enum Channel {
        GhApp,
        Unknown(String),
    }
    top_runtime::text_codes!(Channel { GhApp = "GH_APP" });

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct TaobaoAliautoRiskInfoTmallYcServiceSyncRequest {
        pub risk_info_sync_request: RiskInfoSyncRequest,
    }

    impl Validate for TaobaoAliautoRiskInfoTmallYcServiceSyncRequest {
        fn validate_at(&self, at: &Path<'_>, out: &mut ValidationErrors) {
            check(
                out,
                at,
                "risk_info_sync_request",
                &self.risk_info_sync_request,
                Rules::REQUIRED,
            );
        }
    }

    impl ApiRequest for TaobaoAliautoRiskInfoTmallYcServiceSyncRequest {
        const METHOD: &'static str = "taobao.aliauto.risk.info.tmall.yc.service.sync";
        const CLIENT: ClientFamily = ClientFamily::Top;
        const SESSION: SessionRequirement = SessionRequirement::Required;
        type Response = serde_json::Value;
        fn params<'a>(&'a self, out: &mut Params<'a>) {
            out.json("risk_info_sync_request", &self.risk_info_sync_request);
        }
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct RiskInfoSyncRequest {
        pub contents: Vec<RiskInfoSyncDto>,
    }

    impl Validate for RiskInfoSyncRequest {
        fn validate_at(&self, at: &Path<'_>, out: &mut ValidationErrors) {
            check(
                out,
                at,
                "contents",
                &self.contents,
                Rules::REQUIRED.max_items(100),
            );
        }
    }

    impl AsJson for RiskInfoSyncRequest {
        fn as_json(&self) -> JsonView<'_> {
            let mut out = JsonObject::with_capacity(1);
            out.put("contents", &self.contents);
            out.into()
        }
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct RiskInfoSyncDto {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub service_code: Option<String>,
        pub install_type: InstallType,
        pub buyer_phone: String,
        pub tc_order_id: i64,
        pub tc_sub_order_id: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub car_license_num: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub service_use_time: Option<top_runtime::DateTime>,
        pub buyer_name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub work_order_submit_time: Option<top_runtime::DateTime>,
    }

    impl Validate for RiskInfoSyncDto {
        fn validate_at(&self, at: &Path<'_>, out: &mut ValidationErrors) {
            check(out, at, "service_code", &self.service_code, Rules::NONE);
            check(out, at, "install_type", &self.install_type, Rules::REQUIRED);
            check(out, at, "buyer_phone", &self.buyer_phone, Rules::REQUIRED);
            check(out, at, "tc_order_id", &self.tc_order_id, Rules::REQUIRED);
            check(
                out,
                at,
                "tc_sub_order_id",
                &self.tc_sub_order_id,
                Rules::REQUIRED,
            );
            check(
                out,
                at,
                "car_license_num",
                &self.car_license_num,
                Rules::NONE,
            );
            check(
                out,
                at,
                "service_use_time",
                &self.service_use_time,
                Rules::NONE,
            );
            check(out, at, "buyer_name", &self.buyer_name, Rules::REQUIRED);
            check(
                out,
                at,
                "work_order_submit_time",
                &self.work_order_submit_time,
                Rules::NONE,
            );
        }
    }

    impl AsJson for RiskInfoSyncDto {
        fn as_json(&self) -> JsonView<'_> {
            let mut out = JsonObject::with_capacity(9);
            out.put("service_code", &self.service_code);
            out.put("install_type", &self.install_type);
            out.put("buyer_phone", &self.buyer_phone);
            out.put("tc_order_id", &self.tc_order_id);
            out.put("tc_sub_order_id", &self.tc_sub_order_id);
            out.put("car_license_num", &self.car_license_num);
            out.put("service_use_time", &self.service_use_time);
            out.put("buyer_name", &self.buyer_name);
            out.put("work_order_submit_time", &self.work_order_submit_time);
            out.into()
        }
    }

    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub enum InstallType {
        NoInstallation,
        InStore,
        Unknown(i64),
    }
    top_runtime::number_codes!(InstallType { NoInstallation = 0, InStore = 1 });
}

/// A transport that is never used: `prepare` does no I/O.
struct NoTransport;

impl Transport for NoTransport {
    fn send(&self, _: HttpRequest) -> TransportFuture<'_> {
        Box::pin(async {
            Err(TransportError {
                timed_out: false,
                message: "the bench sends nothing".into(),
            })
        })
    }
}

fn client(method: SignMethod) -> TopClient {
    TopClient::builder("12345678", SECRET)
        .sign_method(method)
        .transport(NoTransport)
        .build()
        .expect("a client with its own transport")
}

/// What the gateway would digest for `http`: every sent parameter but `sign`, sorted by
/// key, `key + value` concatenated. Read back from the request so that the baseline is
/// exactly the string `prepare` signed (checked against its `sign`).
fn canonical_string(http: &HttpRequest) -> (String, String) {
    let query = http.url.split_once('?').map_or("", |(_, q)| q);
    let mut params: BTreeMap<String, String> = form_urlencoded::parse(query.as_bytes())
        .chain(form_urlencoded::parse(&http.body))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let sign = params.remove("sign").expect("a signed request");
    let text = params.into_iter().map(|(k, v)| k + &v).collect();
    (text, sign)
}

/// The digest alone, keyed afresh as any caller signing one request would.
fn bare_hash(method: SignMethod, secret: &str, text: &str) -> Vec<u8> {
    match method {
        SignMethod::Md5 => {
            let mut h = Md5::new();
            h.update(secret.as_bytes());
            h.update(text.as_bytes());
            h.update(secret.as_bytes());
            h.finalize().to_vec()
        }
        SignMethod::Hmac => {
            let mut mac = Hmac::<Md5>::new_from_slice(secret.as_bytes()).expect("any key length");
            mac.update(text.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
        SignMethod::HmacSha256 => {
            let mut mac =
                Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
            mac.update(text.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
    }
}

/// Per-iteration times of every batch criterion ran, for the summary's medians.
#[derive(Default)]
struct Tally(RefCell<Vec<(String, f64)>>);

impl Tally {
    fn time(&self, id: &str, iters: u64, mut f: impl FnMut()) -> Duration {
        let start = Instant::now();
        for _ in 0..iters {
            f();
        }
        let elapsed = start.elapsed();
        self.0
            .borrow_mut()
            .push((id.to_owned(), elapsed.as_secs_f64() / iters as f64));
        elapsed
    }

    fn median_ns(&self, id: &str) -> f64 {
        let mut v: Vec<f64> = self
            .0
            .borrow()
            .iter()
            .filter(|(i, _)| i == id)
            .map(|(_, t)| *t)
            .collect();
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(f64::NAN) * 1e9
    }
}

fn one<R: ApiRequest + serde::de::DeserializeOwned>(
    c: &mut Criterion,
    tally: &Tally,
    rows: &mut Vec<(String, usize)>,
    name: &str,
    example: &str,
    session: Option<&str>,
) {
    let request: R = serde_json::from_str(example).expect("the documented example");
    let mut group = c.benchmark_group(name);
    for method in [SignMethod::Md5, SignMethod::Hmac, SignMethod::HmacSha256] {
        let client = client(method);
        // `expect`ed inside, so the closure returns the request itself (what is timed).
        let prepare = || {
            client
                .prepare(
                    black_box(&request),
                    session.map(Secret::new),
                    Some(TIMESTAMP.to_owned()),
                )
                .expect("the documented example prepares")
        };
        let http = prepare();
        let (text, sign) = canonical_string(&http);
        assert_eq!(
            hex::encode_upper(bare_hash(method, SECRET, &text)),
            sign,
            "the baseline digests what prepare signed"
        );
        let id = format!("{name}/{method}");
        group.bench_function(format!("{method}/prepare"), |b| {
            b.iter_custom(|iters| {
                tally.time(&format!("{id}/prepare"), iters, || {
                    black_box(prepare());
                })
            })
        });
        group.bench_function(format!("{method}/bare_hash"), |b| {
            b.iter_custom(|iters| {
                tally.time(&format!("{id}/bare"), iters, || {
                    black_box(bare_hash(method, black_box(SECRET), black_box(&text)));
                })
            })
        });
        rows.push((id, text.len()));
    }
    group.finish();
}

fn call_path(c: &mut Criterion) {
    let tally = Tally::default();
    let mut rows = Vec::new();
    one::<mirror::TmallFinCarOpenBillNotifyRequest>(
        c,
        &tally,
        &mut rows,
        "bill_notify",
        BILL_NOTIFY_EXAMPLE,
        None,
    );
    one::<mirror::TaobaoAliautoRiskInfoTmallYcServiceSyncRequest>(
        c,
        &tally,
        &mut rows,
        "risk_sync",
        RISK_SYNC_EXAMPLE,
        Some(SESSION),
    );
    println!("\ncall path: median per-iteration time over criterion's batches");
    println!(
        "{:<26} {:>12} {:>12} {:>12} {:>8}",
        "request/sign method", "signed bytes", "prepare", "bare hash", "ratio"
    );
    for (id, len) in rows {
        let prepare = tally.median_ns(&format!("{id}/prepare"));
        let bare = tally.median_ns(&format!("{id}/bare"));
        println!(
            "{id:<26} {len:>12} {:>9.0} ns {:>9.0} ns {:>7.1}×",
            prepare,
            bare,
            prepare / bare
        );
    }
}

criterion_group!(benches, call_path);
criterion_main!(benches);
