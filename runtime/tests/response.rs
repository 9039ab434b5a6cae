//! Response decoding against the documentation examples and hostile bodies.

use serde::Deserialize;
use serde_json::{Value, json};
use top_runtime::prepare::{Format, RequestOptions};
use top_runtime::response::{
    ApiError, DecodeError, ResponseError, ResponseSpec, SNIPPET_CHARS, decode, decode_value,
    response_key,
};

const BILL: &str = "tmall.fin.car.open.bill.notify";
const ALIAUTO: &str = "taobao.aliauto.risk.info.tmall.yc.service.sync";
const QIMEN: &str = "qimen.tmall.car.lease.signstatus.synchronize";

// Seed documentation examples, verbatim.
const BILL_XML: &str = "<tmall_fin_car_open_bill_notify_response>
    <result>
        <message>异常</message>
        <succeeded>true</succeeded>
        <retry>false</retry>
        <code>10000</code>
    </result>
</tmall_fin_car_open_bill_notify_response>";

const ALIAUTO_XML: &str = "<aliauto_risk_info_tmall_yc_service_sync_response>
</aliauto_risk_info_tmall_yc_service_sync_response>";

const ERROR_XML: &str = "<error_response>
    <code>50</code>
    <msg>Remote service error</msg>
    <sub_code>isv.invalid-parameter</sub_code>
    <sub_msg>非法参数</sub_msg>
</error_response>";

const QIMEN_XML: &str = "<success>ture</success>
<msgCode>002</msgCode>
<msgDesc>XXXXX</msgDesc>
";

const HTML: &str = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>502 Bad Gateway</title></head>\
<body><h1>502 Bad Gateway</h1><hr><center>Tengine</center></body></html>";

fn json_spec(method: &str) -> ResponseSpec<'_> {
    ResponseSpec::new(method, Format::Json)
}

fn xml_spec(method: &str) -> ResponseSpec<'_> {
    ResponseSpec::new(method, Format::Xml)
}

fn ok(body: &str, spec: ResponseSpec<'_>) -> Value {
    match decode_value(body.as_bytes(), &spec) {
        Ok(v) => v,
        Err(e) => panic!("expected success for {body:?}: {e}"),
    }
}

fn api_err(body: &str, spec: ResponseSpec<'_>) -> ApiError {
    match decode_value(body.as_bytes(), &spec) {
        Err(ResponseError::Api(e)) => e,
        other => panic!("expected ApiError for {body:?}, got {other:?}"),
    }
}

fn decode_err(body: &[u8], spec: ResponseSpec<'_>) -> DecodeError {
    match decode_value(body, &spec) {
        Err(ResponseError::Decode(e)) => e,
        other => panic!("expected DecodeError for {body:?}, got {other:?}"),
    }
}

fn seed_error() -> ApiError {
    ApiError {
        code: "50".into(),
        msg: "Remote service error".into(),
        sub_code: Some("isv.invalid-parameter".into()),
        sub_msg: Some("非法参数".into()),
        request_id: None,
    }
}

#[test]
fn response_keys() {
    assert_eq!(
        response_key(ALIAUTO),
        "aliauto_risk_info_tmall_yc_service_sync_response"
    );
    assert_eq!(
        response_key(BILL),
        "tmall_fin_car_open_bill_notify_response"
    );
    assert_eq!(
        response_key("taobao.user.seller.get"),
        "user_seller_get_response"
    );
    // Only a leading `taobao.` is dropped.
    assert_eq!(
        response_key("alibaba.taobao.x"),
        "alibaba_taobao_x_response"
    );
}

#[test]
fn seed_xml_success_with_nested_object() {
    assert_eq!(
        ok(BILL_XML, xml_spec(BILL)),
        json!({"result": {"message": "异常", "succeeded": "true", "retry": "false", "code": "10000"}})
    );
}

#[test]
fn seed_xml_empty_response_is_empty_object() {
    assert_eq!(ok(ALIAUTO_XML, xml_spec(ALIAUTO)), json!({}));
    assert_eq!(
        ok(
            "<aliauto_risk_info_tmall_yc_service_sync_response/>",
            xml_spec(ALIAUTO)
        ),
        json!({})
    );
}

#[test]
fn seed_xml_error() {
    for spec in [
        xml_spec(BILL),
        xml_spec(BILL).simplify(true),
        xml_spec(QIMEN).qimen(true),
    ] {
        let e = api_err(ERROR_XML, spec);
        assert_eq!(e, seed_error());
        assert_eq!(e.code_i64(), Some(50));
    }
}

#[test]
fn seed_qimen_xml_fragment() {
    assert_eq!(
        ok(QIMEN_XML, xml_spec(QIMEN).qimen(true)),
        json!({"success": "ture", "msgCode": "002", "msgDesc": "XXXXX"})
    );
    // Outside Qimen a fragment is not a response.
    let e = decode_err(QIMEN_XML.as_bytes(), xml_spec(QIMEN));
    assert!(e.detail().contains("3 root elements"), "{e}");
}

#[test]
fn json_equivalents_of_seeds() {
    let body = r#"{"tmall_fin_car_open_bill_notify_response":{"result":{"message":"异常","succeeded":true,"retry":false,"code":"10000"},"request_id":"4a2bi3k1e5l3"}}"#;
    assert_eq!(
        ok(body, json_spec(BILL)),
        json!({"result": {"message": "异常", "succeeded": true, "retry": false, "code": "10000"}, "request_id": "4a2bi3k1e5l3"})
    );
    assert_eq!(
        ok(
            r#"{"aliauto_risk_info_tmall_yc_service_sync_response":{}}"#,
            json_spec(ALIAUTO)
        ),
        json!({})
    );
    let e = api_err(
        r#"{"error_response":{"code":50,"msg":"Remote service error","sub_code":"isv.invalid-parameter","sub_msg":"非法参数"}}"#,
        json_spec(BILL),
    );
    assert_eq!(e, seed_error());
}

#[test]
fn json_error_protocol_example() {
    let body = r#"{"error_response":{"code":29,"msg":"Invalid app Key","sub_code":"isv.appkey-not-exists","sub_msg":"app key 不存在","request_id":"3xq9fmtb1u2r"}}"#;
    let e = api_err(body, json_spec("taobao.user.seller.get"));
    assert_eq!(e.code, "29");
    assert_eq!(e.code_i64(), Some(29));
    assert_eq!(e.msg, "Invalid app Key");
    assert_eq!(e.sub_code.as_deref(), Some("isv.appkey-not-exists"));
    assert_eq!(e.sub_msg.as_deref(), Some("app key 不存在"));
    assert_eq!(e.request_id.as_deref(), Some("3xq9fmtb1u2r"));
    assert_eq!(
        e.to_string(),
        "TOP error 29: Invalid app Key (isv.appkey-not-exists: app key 不存在) [request_id 3xq9fmtb1u2r]"
    );
    // error_response stays under simplify.
    assert_eq!(api_err(body, json_spec("x").simplify(true)), e);
    // A minimal error still decodes.
    let e = api_err(r#"{"error_response":{"code":"7"}}"#, json_spec("x"));
    assert_eq!(
        (e.code.as_str(), e.msg.as_str(), e.sub_code),
        ("7", "", None)
    );
}

#[test]
fn json_wrapper_fallbacks() {
    // Wrong name but a single object member: taken, like the Java SDK.
    assert_eq!(
        ok(r#"{"other_response":{"a":1}}"#, json_spec(BILL)),
        json!({"a": 1})
    );
    // Several objects but one `_response`: that one.
    assert_eq!(
        ok(r#"{"meta":{},"other_response":{"a":1}}"#, json_spec(BILL)),
        json!({"a": 1})
    );
    // Ambiguous: no guess.
    let e = decode_err(br#"{"a":{},"b":{}}"#, json_spec(BILL));
    assert!(
        e.expected()
            .contains("tmall_fin_car_open_bill_notify_response"),
        "{e}"
    );
    // The named wrapper must be an object.
    let e = decode_err(
        br#"{"tmall_fin_car_open_bill_notify_response":"x"}"#,
        json_spec(BILL),
    );
    assert!(e.detail().contains("a string"), "{e}");
    // error_response must be an object too.
    let e = decode_err(br#"{"error_response":[1]}"#, json_spec(BILL));
    assert!(e.expected().contains("error_response"), "{e}");
}

#[test]
fn simplify_bodies() {
    let spec = json_spec(BILL).simplify(true);
    let body = r#"{"result":{"message":"异常","succeeded":true,"retry":false,"code":"10000"},"request_id":"r1"}"#;
    assert_eq!(
        ok(body, spec),
        json!({"result": {"message": "异常", "succeeded": true, "retry": false, "code": "10000"}, "request_id": "r1"})
    );
    // A result whose only member is an object is NOT unwrapped under simplify.
    assert_eq!(
        ok(r#"{"result":{"a":1}}"#, spec),
        json!({"result": {"a": 1}})
    );
    // Plain arrays under simplify.
    assert_eq!(
        ok(r#"{"items":[{"id":1},{"id":2}]}"#, spec),
        json!({"items": [{"id": 1}, {"id": 2}]})
    );
    // The gateway ignoring simplify is tolerated.
    assert_eq!(
        ok(
            r#"{"tmall_fin_car_open_bill_notify_response":{"a":1}}"#,
            spec
        ),
        json!({"a": 1})
    );
    assert_eq!(ok("{}", spec), json!({}));
}

#[test]
fn qimen_envelopes() {
    let spec = json_spec(QIMEN).qimen(true);
    let success = r#"{"response":{"flag":"success","code":"0","message":"ok","success":"true","request_id":"q1"}}"#;
    assert_eq!(
        ok(success, spec),
        json!({"flag": "success", "code": "0", "message": "ok", "success": "true", "request_id": "q1"})
    );
    let failure = r#"{"response":{"flag":"failure","code":"SYSTEM_ERROR","message":"系统异常","sub_code":"isp.timeout","sub_message":"超时","request_id":"q2"}}"#;
    let e = api_err(failure, spec);
    assert_eq!(
        e,
        ApiError {
            code: "SYSTEM_ERROR".into(),
            msg: "系统异常".into(),
            sub_code: Some("isp.timeout".into()),
            sub_msg: Some("超时".into()),
            request_id: Some("q2".into()),
        }
    );
    assert_eq!(e.code_i64(), None);
    // Numeric code, flag in another case.
    let e = api_err(
        r#"{"response":{"flag":"FAILURE","code":15,"message":"m"}}"#,
        spec,
    );
    assert_eq!((e.code.as_str(), e.code_i64()), ("15", Some(15)));
    // The un-enveloped documentation example.
    assert_eq!(
        ok(
            r#"{"success":"ture","msgCode":"002","msgDesc":"XXXXX"}"#,
            spec
        ),
        json!({"success": "ture", "msgCode": "002", "msgDesc": "XXXXX"})
    );
    // Gateway-level errors still come as error_response.
    let e = api_err(
        r#"{"error_response":{"code":25,"msg":"Invalid signature"}}"#,
        spec,
    );
    assert_eq!(e.code, "25");
    // Qimen XML envelope.
    let xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?><response><flag>failure</flag><code>E1</code><message>bad</message><sub_message>detail</sub_message></response>";
    let e = api_err(xml, xml_spec(QIMEN).qimen(true));
    assert_eq!(
        (e.code.as_str(), e.msg.as_str(), e.sub_msg.as_deref()),
        ("E1", "bad", Some("detail"))
    );
    let xml = "<response><flag>success</flag><code>0</code></response>";
    assert_eq!(
        ok(xml, xml_spec(QIMEN).qimen(true)),
        json!({"flag": "success", "code": "0"})
    );
}

#[test]
fn spec_for_request() {
    let opts = RequestOptions::default()
        .with_format(Format::Xml)
        .with_simplify(true)
        .with_target_app_key("123");
    let spec = ResponseSpec::for_request(QIMEN, &opts);
    assert_eq!(
        spec,
        ResponseSpec {
            method: QIMEN,
            format: Format::Xml,
            simplify: true,
            qimen: true
        }
    );
    assert!(!ResponseSpec::for_request(BILL, &RequestOptions::default()).qimen);
}

#[test]
fn xml_declaration_and_trailing_comment() {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\" ?>\n{BILL_XML}<!--top010183182089.n.et2-->\n"
    );
    assert_eq!(ok(&body, xml_spec(BILL))["result"]["code"], json!("10000"));
    let body = format!("{ERROR_XML}<!--top010183182089.n.et2-->");
    assert_eq!(api_err(&body, xml_spec(BILL)), seed_error());
}

#[test]
fn xml_lists_repeats_entities_and_empties() {
    let body = r#"<?xml version="1.0" encoding="utf-8"?>
<trades_sold_get_response>
  <total_results>1</total_results>
  <trades list="true">
    <trade><tid>3882527336184474047</tid><title>A &amp; B &lt;x&gt; &#x4E2D;&#25991;</title></trade>
  </trades>
  <tags><tag>a</tag><tag>b</tag><tag>c</tag></tags>
  <empty_list list="true"/>
  <note></note>
  <blank>   </blank>
  <self/>
  <cdata><![CDATA[<raw> & text]]></cdata>
  <request_id>abc</request_id>
</trades_sold_get_response>
<!--top010-->"#;
    assert_eq!(
        ok(body, xml_spec("taobao.trades.sold.get")),
        json!({
            "total_results": "1",
            "trades": {"trade": [{"tid": "3882527336184474047", "title": "A & B <x> 中文"}]},
            "tags": {"tag": ["a", "b", "c"]},
            "empty_list": {},
            "note": "",
            "blank": "",
            "self": "",
            "cdata": "<raw> & text",
            "request_id": "abc"
        })
    );
}

#[test]
fn xml_text_only_root() {
    assert_eq!(
        ok("<a_response>hi</a_response>", xml_spec("a")),
        json!({"$text": "hi"})
    );
    assert_eq!(ok("<a_response> </a_response>", xml_spec("a")), json!({}));
    assert_eq!(ok("<a_response list=\"true\"/>", xml_spec("a")), json!({}));
}

#[test]
fn xml_text_is_kept_verbatim_and_mixed_text_kept_aside() {
    let body = "<a_response><s>  two  words </s><m>lead<b>1</b>tail</m></a_response>";
    assert_eq!(
        ok(body, xml_spec("a")),
        json!({"s": "  two  words ", "m": {"b": "1", "$text": "leadtail"}})
    );
}

#[test]
fn xml_root_rules() {
    // Plain mode wants a `_response` root.
    let e = decode_err(b"<result><a>1</a></result>", xml_spec(BILL));
    assert!(e.detail().contains("<result>"), "{e}");
    // Simplify accepts any root element except an HTML page.
    assert_eq!(
        ok("<result><a>1</a></result>", xml_spec(BILL).simplify(true)),
        json!({"a": "1"})
    );
    decode_err(
        b"<html><body>x</body></html>",
        xml_spec(BILL).simplify(true),
    );
    // Stray text after the root.
    decode_err(b"<a_response/>junk", xml_spec("a"));
    decode_err(b"<a_response/><b_response/>", xml_spec("a"));
    decode_err(b"<a_response>&nbsp;</a_response>", xml_spec("a"));
}

#[test]
fn html_pages_are_decode_errors() {
    for spec in [
        json_spec(BILL),
        xml_spec(BILL),
        xml_spec(BILL).simplify(true),
        xml_spec(QIMEN).qimen(true),
    ] {
        let e = decode_err(HTML.as_bytes(), spec);
        assert!(e.snippet().starts_with("<!DOCTYPE html>"), "{e}");
        let shown = e.to_string();
        assert!(shown.contains("502 Bad Gateway"), "{shown}");
        assert!(
            shown.starts_with("cannot decode TOP response: expected "),
            "{shown}"
        );
    }
    let e = decode_err(HTML.as_bytes(), json_spec(BILL));
    assert!(e.detail().contains("HTML"), "{e}");
}

#[test]
fn truncated_empty_and_non_object_bodies() {
    let truncated =
        r#"{"tmall_fin_car_open_bill_notify_response":{"result":{"message":"异"#.as_bytes();
    let e = decode_err(truncated, json_spec(BILL));
    assert!(e.detail().contains("invalid JSON"), "{e}");
    assert!(e.snippet().contains("异"), "{e}");

    let e = decode_err(&BILL_XML.as_bytes()[..60], xml_spec(BILL));
    assert!(e.detail().contains("not closed"), "{e}");

    for body in [&b""[..], b"   \r\n ", b"\xEF\xBB\xBF"] {
        for spec in [json_spec(BILL), xml_spec(BILL)] {
            let e = decode_err(body, spec);
            assert_eq!(e.detail(), "the body is empty");
        }
    }
    for (body, kind) in [
        ("[1,2]", "an array"),
        ("\"x\"", "a string"),
        ("42", "a number"),
        ("null", "null"),
        ("true", "a boolean"),
    ] {
        let e = decode_err(body.as_bytes(), json_spec(BILL));
        assert!(e.detail().contains(kind), "{e}");
    }
    decode_err(b"not xml", xml_spec(BILL));
    decode_err(b"<a_response>\xFF</a_response>", xml_spec("a"));
    decode_err(b"{\"a\":1} trailing", json_spec("a"));
}

#[test]
fn bom_is_tolerated() {
    assert_eq!(
        ok("\u{FEFF}{\"a_response\":{\"x\":1}}", json_spec("a")),
        json!({"x": 1})
    );
    assert_eq!(
        ok("\u{FEFF}<a_response><x>1</x></a_response>", xml_spec("a")),
        json!({"x": "1"})
    );
}

#[test]
fn snippet_is_capped_on_char_boundaries() {
    let body = format!("<html>{}</html", "张".repeat(1000));
    let e = decode_err(body.as_bytes(), json_spec(BILL));
    let n = e.snippet().chars().count();
    assert_eq!(n, SNIPPET_CHARS + 1, "cap plus ellipsis");
    assert!(e.snippet().ends_with('…'));
    // Invalid UTF-8 is shown lossily, not dropped or panicked on.
    let e = decode_err(b"\xFF\xFEgarbage", json_spec(BILL));
    assert!(e.snippet().contains("garbage"), "{e}");
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep_xml = format!("<a_response>{}", "<x>".repeat(100_000));
    let e = decode_err(deep_xml.as_bytes(), xml_spec("a"));
    assert!(e.detail().contains("deeper"), "{e}");
    let deep_json = format!("{{\"a_response\":{}", "[".repeat(100_000));
    decode_err(deep_json.as_bytes(), json_spec("a"));
}

#[derive(Debug, Deserialize, PartialEq)]
struct BillResult {
    message: String,
    succeeded: bool,
    retry: bool,
    code: String,
}

#[derive(Debug, Deserialize, PartialEq)]
struct BillResponse {
    result: BillResult,
    request_id: Option<String>,
}

#[test]
fn typed_decode_and_field_paths() {
    let body = br#"{"tmall_fin_car_open_bill_notify_response":{"result":{"message":"m","succeeded":true,"retry":false,"code":"10000"},"request_id":"r"}}"#;
    let r: BillResponse = decode(body, &json_spec(BILL)).unwrap();
    assert_eq!(
        r,
        BillResponse {
            result: BillResult {
                message: "m".into(),
                succeeded: true,
                retry: false,
                code: "10000".into()
            },
            request_id: Some("r".into())
        }
    );

    let body = br#"{"tmall_fin_car_open_bill_notify_response":{"result":{"message":"m","succeeded":"yes","retry":false,"code":"10000"}}}"#;
    let e = match decode::<BillResponse>(body, &json_spec(BILL)) {
        Err(ResponseError::Decode(e)) => e,
        other => panic!("{other:?}"),
    };
    assert_eq!(e.path(), Some("result.succeeded"));
    let shown = e.to_string();
    assert!(shown.contains("at `result.succeeded`"), "{shown}");
    assert!(shown.contains("BillResponse"), "{shown}");

    // API errors pass through typed decoding unchanged.
    assert!(matches!(
        decode::<BillResponse>(ERROR_XML.as_bytes(), &xml_spec(BILL)),
        Err(ResponseError::Api(e)) if e == seed_error()
    ));
    // XML scalars are strings: a plain `bool` field does not take them (the lenient
    // deserializers are for that), and the path says where. (Members are visited in key
    // order, so `retry` is the first to fail.)
    let e = match decode::<BillResponse>(BILL_XML.as_bytes(), &xml_spec(BILL)) {
        Err(ResponseError::Decode(e)) => e,
        other => panic!("{other:?}"),
    };
    assert_eq!(e.path(), Some("result.retry"));
}

#[test]
fn error_types_compose() {
    let e: ResponseError = seed_error().into();
    assert!(std::error::Error::source(&e).is_some());
    assert!(
        e.to_string()
            .starts_with("TOP error 50: Remote service error")
    );
    let boxed: Box<dyn std::error::Error> = Box::new(e);
    assert!(!boxed.to_string().is_empty());
}

/// Tiny deterministic PRNG (xorshift64*), so the fuzz loop needs no extra crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const INTERESTING: &[u8] = b"<>/{}[]\":,&;#!?-x \n\xE5\xBC\xA0\xFF\x00";

fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut b = seed.to_vec();
    for _ in 0..=rng.below(4) {
        match rng.below(5) {
            0 if !b.is_empty() => {
                let i = rng.below(b.len());
                b[i] = INTERESTING[rng.below(INTERESTING.len())];
            }
            1 => b.truncate(rng.below(b.len() + 1)),
            2 => {
                let i = rng.below(b.len() + 1);
                b.insert(i, (rng.next() & 0xFF) as u8);
            }
            3 if !b.is_empty() => {
                let i = rng.below(b.len());
                let j = i + rng.below(b.len() - i);
                let piece = b[i..j].to_vec();
                b.splice(i..i, piece);
            }
            _ if !b.is_empty() => {
                b.remove(rng.below(b.len()));
            }
            _ => {}
        }
    }
    b
}

/// Mutated documentation bodies and random bytes, through every mode: never a panic, and
/// every failure is an `ApiError` or a `DecodeError` with a bounded snippet.
#[test]
fn mutated_and_random_bodies_never_panic() {
    let seeds: Vec<Vec<u8>> = [
        BILL_XML,
        ALIAUTO_XML,
        ERROR_XML,
        QIMEN_XML,
        HTML,
        r#"{"tmall_fin_car_open_bill_notify_response":{"result":{"message":"异常","succeeded":true},"request_id":"r"}}"#,
        r#"{"error_response":{"code":29,"msg":"Invalid app Key","sub_code":"isv.appkey-not-exists"}}"#,
        r#"{"response":{"flag":"failure","code":"E","message":"m"}}"#,
        "<x_response><items list=\"true\"><item><a>1</a></item></items></x_response><!--top-->",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();

    let specs: Vec<ResponseSpec<'_>> = [Format::Json, Format::Xml]
        .into_iter()
        .flat_map(|f| {
            [(false, false), (true, false), (false, true), (true, true)]
                .into_iter()
                .map(move |(s, q)| ResponseSpec::new(BILL, f).simplify(s).qimen(q))
        })
        .collect();

    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut bodies: Vec<Vec<u8>> = Vec::new();
    for seed in &seeds {
        for _ in 0..300 {
            bodies.push(mutate(&mut rng, seed));
        }
    }
    for _ in 0..200 {
        let len = rng.below(300);
        bodies.push((0..len).map(|_| (rng.next() & 0xFF) as u8).collect());
    }
    for body in &bodies {
        for spec in &specs {
            match decode_value(body, spec) {
                Ok(v) => assert!(v.is_object()),
                Err(ResponseError::Api(_)) => {}
                Err(ResponseError::Decode(e)) => {
                    assert!(e.snippet().chars().count() <= SNIPPET_CHARS + 1);
                    assert!(!e.to_string().is_empty());
                }
            }
        }
    }
}

#[test]
fn a_qimen_xml_call_answered_with_an_html_page_is_a_decode_error() {
    let spec =
        ResponseSpec::new("qimen.tmall.car.lease.signstatus.synchronize", Format::Xml).qimen(true);
    let err = decode_value(b"<!DOCTYPE html><html><body>502</body></html>", &spec).unwrap_err();
    assert!(matches!(err, ResponseError::Decode(_)), "{err:?}");
    // The documented one-element and several-element fragments still decode.
    let one = decode_value(b"<success>ture</success>", &spec).unwrap();
    assert_eq!(one["success"], "ture");
}

#[test]
fn undecodable_bodies_keep_a_request_id_they_carry() {
    let id = |body: &str| {
        DecodeError::unexpected_status(502, body.as_bytes())
            .request_id()
            .map(str::to_owned)
    };
    assert_eq!(
        id(r#"{"x_response":{"request_id" : "15rf3kq7x9a0b"},"#).as_deref(),
        Some("15rf3kq7x9a0b")
    );
    assert_eq!(
        id("<x_response><request_id> r-1.2_3 </request_id>").as_deref(),
        Some("r-1.2_3")
    );
    // No id, or nothing that looks like one.
    for body in [
        "<html>502 Bad Gateway</html>",
        "",
        r#"{"request_id":"#,
        r#"{"request_id":"unterminated"#,
        r#"{"request_id":"has space"}"#,
        r#"{"request_id":12}"#,
        "<request_id>",
        "\u{1F600}\"request_id\":\"\u{1F600}\"",
    ] {
        assert_eq!(id(body), None, "{body:?}");
    }
}
