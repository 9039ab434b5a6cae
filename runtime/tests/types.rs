//! The value types (`Decimal`, `FileItem`, `Json`, `JsonMap`) end to end through the public
//! API: a hand-written request encoded by `Params` and prepared, and a response decoded
//! leniently from JSON and XML bodies.

use serde::{Deserialize, Serialize};
use serde_json::json;
use top_runtime::api::Params;
use top_runtime::prelude::*;
use top_runtime::prepare::{Credentials, RequestOptions, prepare_params};
use top_runtime::response::{ResponseSpec, decode};
use top_runtime::validate::{Path, Rule, Rules, check};
use top_runtime::{ClientFamily, SessionRequirement};

const METHOD: &str = "taobao.item.price.update";

#[derive(Debug, Serialize)]
struct Sku {
    price: Decimal,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

#[derive(Debug)]
struct PriceUpdate {
    price: Decimal,
    prices: Vec<Decimal>,
    sku: Sku,
    extra: Option<Json>,
    props: JsonMap,
    image: Option<FileItem>,
}

impl Validate for PriceUpdate {
    fn validate_at(&self, at: &Path<'_>, errors: &mut ValidationErrors) {
        check(
            errors,
            at,
            "price",
            &self.price,
            Rules::REQUIRED.max_length(12),
        );
        check(
            errors,
            at,
            "prices",
            &self.prices,
            Rules::new().max_items(2),
        );
        check(errors, at, "extra", &self.extra, Rules::REQUIRED);
        check(
            errors,
            at,
            "props",
            &self.props,
            Rules::new().max_length(40),
        );
        check(
            errors,
            at,
            "image",
            &self.image,
            Rules::new().max_length(64),
        );
    }
}

#[derive(Debug, Deserialize, PartialEq)]
struct PriceUpdateResponse {
    #[serde(default, deserialize_with = "top_runtime::lenient::value")]
    price: Option<Decimal>,
    #[serde(default, deserialize_with = "top_runtime::lenient::list")]
    prices: Option<Vec<Decimal>>,
    #[serde(default, deserialize_with = "top_runtime::lenient::value")]
    raw: Option<Json>,
    #[serde(default, deserialize_with = "top_runtime::lenient::value")]
    props: Option<JsonMap>,
}

impl ApiRequest for PriceUpdate {
    const METHOD: &'static str = METHOD;
    const CLIENT: ClientFamily = ClientFamily::Top;
    const SESSION: SessionRequirement = SessionRequirement::None;
    type Response = PriceUpdateResponse;

    fn params<'a>(&'a self, out: &mut Params<'a>) {
        out.value("price", &self.price);
        out.value("prices", &self.prices);
        out.json_serde("sku", &self.sku);
        out.json("extra", &self.extra);
        out.json("props", &self.props);
        out.file("image", &self.image);
    }
}

fn sample() -> PriceUpdate {
    PriceUpdate {
        price: "200.10".parse().unwrap(),
        prices: vec!["0.10".parse().unwrap(), Decimal::from(3i64)],
        sku: Sku {
            price: "99999999999999999.99".parse().unwrap(),
            note: Some("张三".into()),
        },
        extra: Some(json!({"b": 1, "a": [true, null]})),
        props: [("color".to_owned(), json!("红"))].into_iter().collect(),
        image: None,
    }
}

fn options() -> RequestOptions {
    RequestOptions::default().with_timestamp("2016-01-01 12:00:00")
}

#[test]
fn decimals_and_json_values_are_sent_exactly() {
    let request = sample();
    assert_eq!(request.validate(), Ok(()));
    let params = Params::of(&request);
    assert_eq!(
        params.texts().collect::<Vec<_>>(),
        [
            ("price", "200.10"),
            ("prices", "0.10,3"),
            // Exact digits in the struct's JSON: no float ever held the amount.
            ("sku", r#"{"price":99999999999999999.99,"note":"张三"}"#),
            ("extra", r#"{"a":[true,null],"b":1}"#),
            ("props", r#"{"color":"红"}"#),
        ]
    );
    let http = prepare_params(
        "http://gw/router/rest",
        METHOD,
        &Credentials::new("k", "s"),
        &options(),
        &params,
    )
    .unwrap();
    // No file: the usual form body.
    assert_eq!(
        http.header("content-type"),
        Some("application/x-www-form-urlencoded;charset=UTF-8")
    );
    let body = String::from_utf8(http.body).unwrap();
    assert!(
        body.starts_with("price=200.10&prices=0.10%2C3&sku="),
        "{body}"
    );
}

#[test]
fn one_file_turns_the_request_into_multipart() {
    let mut request = sample();
    request.image = Some(FileItem::from_bytes(
        "p.png",
        b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec(),
    ));
    let http = prepare_params(
        "http://gw/router/rest",
        METHOD,
        &Credentials::new("k", "s"),
        &options(),
        &Params::of(&request),
    )
    .unwrap();
    let boundary = http.multipart_boundary().expect("multipart").to_owned();
    let body = http.readable_body();
    assert!(body.starts_with(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"price\"\r\nContent-Type: text/plain;charset=UTF-8\r\n\r\n200.10\r\n")), "{body}");
    assert!(
        body.contains("name=\"image\"; filename=\"p.png\"\r\nContent-Type: image/png\r\n\r\n<16 bytes, not shown>"),
        "{body}"
    );
    // The file's bytes are in the real body, exactly.
    assert!(
        http.body
            .windows(16)
            .any(|w| w == b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR")
    );
}

#[test]
fn validation_of_the_new_types() {
    let mut request = sample();
    request.price = "1234567890.123".parse().unwrap();
    request.prices.push(Decimal::from(1u64));
    request.extra = Some(json!("   "));
    request
        .props
        .insert("size".into(), json!("a long enough value"));
    request.image = Some(FileItem::from_bytes("x", vec![0; 65]));
    let errors = request.validate().unwrap_err();
    let found: Vec<(String, Rule)> = errors.into_iter().map(|v| (v.path, v.rule)).collect();
    assert_eq!(
        found,
        [
            (
                "price".into(),
                Rule::MaxLength {
                    max: 12,
                    actual: 14
                }
            ),
            ("prices".into(), Rule::MaxItems { max: 2, actual: 3 }),
            ("extra".into(), Rule::Missing),
            (
                "props".into(),
                Rule::MaxLength {
                    max: 40,
                    actual: 42
                }
            ),
            (
                "image".into(),
                Rule::MaxSize {
                    max: 64,
                    actual: 65
                }
            ),
        ]
    );
}

#[test]
fn responses_decode_decimals_json_and_maps_from_json_and_xml() {
    let json_body = r#"{"item_price_update_response": {
        "price": 200.07, "prices": {"price": ["0.10", 3882527336184474047]},
        "raw": {"any": ["thing", 1]}, "props": {"color": "红"}, "request_id": "r"}}"#;
    let response: PriceUpdateResponse = decode(
        json_body.as_bytes(),
        &ResponseSpec::new(METHOD, Format::Json),
    )
    .unwrap();
    assert_eq!(
        response,
        PriceUpdateResponse {
            price: Some("200.07".parse().unwrap()),
            prices: Some(vec![
                "0.10".parse().unwrap(),
                "3882527336184474047".parse().unwrap()
            ]),
            raw: Some(json!({"any": ["thing", 1]})),
            props: Some([("color".to_owned(), json!("红"))].into_iter().collect()),
        }
    );

    let xml_body = "<item_price_update_response><price>200.070</price>\
        <prices><price>0.10</price><price>7</price></prices>\
        <raw>text</raw><props><color>红</color></props><request_id>r</request_id>\
        </item_price_update_response>";
    let response: PriceUpdateResponse =
        decode(xml_body.as_bytes(), &ResponseSpec::new(METHOD, Format::Xml)).unwrap();
    assert_eq!(
        response.price.as_ref().map(Decimal::as_str),
        Some("200.070")
    );
    assert_eq!(
        response.prices,
        Some(vec!["0.10".parse().unwrap(), Decimal::from(7i64)])
    );
    assert_eq!(response.raw, Some(json!("text")));
    assert_eq!(
        response.props.and_then(|p| p.get("color").cloned()),
        Some(json!("红"))
    );

    // A map field holding a scalar or nothing is absent, not an error; a bad decimal is.
    let odd = r#"{"item_price_update_response": {"props": "x", "raw": null}}"#;
    let response: PriceUpdateResponse =
        decode(odd.as_bytes(), &ResponseSpec::new(METHOD, Format::Json)).unwrap();
    assert_eq!((response.props, response.raw), (None, None));
    let bad = r#"{"item_price_update_response": {"price": "12,5"}}"#;
    assert!(
        decode::<PriceUpdateResponse>(bad.as_bytes(), &ResponseSpec::new(METHOD, Format::Json))
            .is_err()
    );
}
