//! `testing::MockTransport`: the gateway's checks (signature, session, timestamp), rules in
//! order with `matching` and `times`, `calls`, `verify`, and answers in every format that
//! decode back to the typed value given.

use serde_json::Value;
use top_runtime::api::Params;
use top_runtime::lenient::{self, Fields};
use top_runtime::prepare::{self, Credentials, Format, RequestOptions};
use top_runtime::testing::{MockTransport, block_on};
use top_runtime::validate::{Path, ValidationErrors};
use top_runtime::view::{AsJson, JsonObject, JsonView};
use top_runtime::{
    ApiRequest, CallError, ClientFamily, DateTime, Decimal, Json, SessionRequirement, TopClient,
    Validate, strict,
};

const SECRET: &str = "mock-app-secret";
const SESSION: &str = "mock-session-6100";

// ---- a hand-written API with every response shape: lists, structs, decimals, dates ----

#[derive(Debug, Clone, PartialEq, Default)]
struct Item {
    title: Option<String>,
    price: Option<Decimal>,
    tags: Option<Vec<String>>,
}

impl lenient::Item for Item {
    fn from_json(value: Value) -> Result<Option<Self>, lenient::Error> {
        let Some(mut fields) = Fields::new(value)? else {
            return Ok(None);
        };
        let read = Item {
            title: fields.value("title"),
            price: fields.value("price"),
            tags: fields.list("tags"),
        };
        fields.finish()?;
        Ok(Some(read))
    }
}

impl AsJson for Item {
    fn as_json(&self) -> JsonView<'_> {
        let mut out = JsonObject::with_capacity(3);
        out.put("title", &self.title);
        out.put("price", &self.price);
        out.put("tags", &self.tags);
        out.into()
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
struct ItemsResponse {
    items: Option<Vec<Item>>,
    total: Option<i64>,
    modified: Option<DateTime>,
    has_next: Option<bool>,
    first: Option<Item>,
    ids: Option<Vec<i64>>,
    extra: Option<Json>,
}

impl lenient::Item for ItemsResponse {
    fn from_json(value: Value) -> Result<Option<Self>, lenient::Error> {
        let Some(mut fields) = Fields::new(value)? else {
            return Ok(None);
        };
        let read = ItemsResponse {
            items: fields.list("items"),
            total: fields.value("total"),
            modified: fields.value("modified"),
            has_next: fields.value("has_next"),
            first: fields.value("first"),
            ids: fields.list("ids"),
            extra: fields.value("extra"),
        };
        fields.finish()?;
        Ok(Some(read))
    }
}

impl AsJson for ItemsResponse {
    fn as_json(&self) -> JsonView<'_> {
        let mut out = JsonObject::with_capacity(7);
        out.put("items", &self.items);
        out.put("total", &self.total);
        out.put("modified", &self.modified);
        out.put("has_next", &self.has_next);
        out.put("first", &self.first);
        out.put("ids", &self.ids);
        out.put("extra", &self.extra);
        out.into()
    }
}

impl<'de> serde::Deserialize<'de> for ItemsResponse {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lenient::deserialize(d)
    }
}

/// `taobao.mock.items.get`, which needs a session.
#[derive(Debug, Clone, PartialEq)]
struct ItemsRequest {
    q: String,
    ids: Option<Vec<i64>>,
    min_price: Option<Decimal>,
    filter: Option<Json>,
}

impl ItemsRequest {
    fn new(q: &str) -> Self {
        ItemsRequest {
            q: q.to_owned(),
            ids: None,
            min_price: None,
            filter: None,
        }
    }
}

impl Validate for ItemsRequest {
    fn validate_at(&self, _: &Path<'_>, _: &mut ValidationErrors) {}
}

impl ApiRequest for ItemsRequest {
    const METHOD: &'static str = "taobao.mock.items.get";
    const CLIENT: ClientFamily = ClientFamily::Top;
    const SESSION: SessionRequirement = SessionRequirement::Required;
    type Response = ItemsResponse;

    fn params<'a>(&'a self, out: &mut Params<'a>) {
        out.value("q", &self.q);
        out.value("ids", &self.ids);
        out.value("min_price", &self.min_price);
        out.json("filter", &self.filter);
    }

    fn read_response(result: Value) -> Result<ItemsResponse, lenient::Error> {
        lenient::read(result)
    }
}

impl strict::Item for ItemsRequest {
    fn from_json(value: Value) -> Result<Self, strict::Error> {
        let mut fields = strict::Fields::new(value)?;
        let q = fields.required("q");
        let ids = fields.optional("ids");
        let min_price = fields.optional("min_price");
        let filter = fields.optional("filter");
        match q {
            Some(q) => {
                fields.finish()?;
                Ok(ItemsRequest {
                    q,
                    ids,
                    min_price,
                    filter,
                })
            }
            None => Err(fields.into_error()),
        }
    }
}

/// A Qimen API of the same shape.
#[derive(Debug, Clone, PartialEq)]
struct QimenItems(ItemsRequest);

impl Validate for QimenItems {
    fn validate_at(&self, _: &Path<'_>, _: &mut ValidationErrors) {}
}

impl ApiRequest for QimenItems {
    const METHOD: &'static str = "qimen.mock.items.get";
    const CLIENT: ClientFamily = ClientFamily::Qimen;
    const SESSION: SessionRequirement = SessionRequirement::None;
    type Response = ItemsResponse;

    fn params<'a>(&'a self, out: &mut Params<'a>) {
        self.0.params(out);
    }

    fn read_response(result: Value) -> Result<ItemsResponse, lenient::Error> {
        lenient::read(result)
    }
}

impl top_runtime::SessionFree for QimenItems {}

fn client(mock: &MockTransport) -> TopClient {
    TopClient::builder("app-key-1", SECRET)
        .transport(mock.clone())
        .build()
        .expect("a client with a transport builds")
}

fn sample() -> ItemsResponse {
    let price = |s: &str| Some(s.parse::<Decimal>().expect("a decimal"));
    ItemsResponse {
        items: Some(vec![
            Item {
                title: Some("张三 & <co> \"q\"\r\nline".into()),
                price: price("200.10"),
                tags: Some(vec!["a".into(), "b,c".into()]),
            },
            Item {
                title: Some(String::new()),
                ..Default::default()
            },
        ]),
        total: Some(3882527336184474047),
        modified: Some("2016-01-01 12:00:00".parse().expect("a date")),
        has_next: Some(false),
        first: Some(Item::default()),
        ids: Some(vec![]),
        extra: None,
    }
}

#[test]
fn every_format_decodes_back_to_the_value_given() {
    for format in [Format::Json, Format::Xml] {
        for simplify in [false, true] {
            let mock = MockTransport::new(SECRET);
            mock.expect::<ItemsRequest>().respond_with(sample());
            let client = TopClient::builder("app-key-1", SECRET)
                .format(format)
                .simplify(simplify)
                .transport(mock.clone())
                .build()
                .expect("builds");
            let got = block_on(client.execute_with_session(&ItemsRequest::new("x"), SESSION))
                .unwrap_or_else(|e| panic!("{format} simplify={simplify}: {e}"));
            assert_eq!(got, sample(), "{format} simplify={simplify}");
            let call = &mock.calls()[0];
            assert_eq!(
                (call.format.as_str(), call.simplify),
                (format.as_str(), simplify)
            );
        }
    }
}

#[test]
fn json_values_come_back_in_json() {
    let mock = MockTransport::new(SECRET);
    let value = ItemsResponse {
        extra: Some(serde_json::json!({"k": [1, 2.5, "x", null, {"n": true}]})),
        ..Default::default()
    };
    mock.expect::<ItemsRequest>().respond_with(value.clone());
    let got = block_on(client(&mock).execute_with_session(&ItemsRequest::new("x"), SESSION));
    assert_eq!(got.expect("answered"), value);
}

#[test]
fn qimen_answers_in_its_envelope() {
    let mock = MockTransport::new(SECRET);
    mock.expect::<QimenItems>().respond_with(sample()).times(1);
    mock.expect::<QimenItems>()
        .fail_with(50, "provider says no", Some("isv.no"), Some("不行"));
    for format in [Format::Json, Format::Xml] {
        let client = TopClient::builder("app-key-1", SECRET)
            .format(format)
            .target_app_key("provider-1")
            .transport(mock.clone())
            .build()
            .expect("builds");
        let request = QimenItems(ItemsRequest::new("x"));
        let result = block_on(client.execute(&request));
        if format == Format::Json {
            assert_eq!(result.expect("the first rule answers"), sample());
        } else {
            let error = result.expect_err("the second rule fails");
            let api = error.api_error().expect("a TOP error");
            assert_eq!(
                (
                    api.code.as_str(),
                    api.msg.as_str(),
                    api.sub_code.as_deref(),
                    api.sub_msg.as_deref()
                ),
                ("50", "provider says no", Some("isv.no"), Some("不行"))
            );
        }
    }
    assert_eq!(
        mock.calls()[1].target_app_key.as_deref(),
        Some("provider-1")
    );
}

#[test]
fn a_bad_signature_is_refused_like_the_gateway_does() {
    let mock = MockTransport::new(SECRET);
    mock.expect::<ItemsRequest>().respond_with(sample());
    let client = TopClient::builder("app-key-1", "another-secret")
        .transport(mock.clone())
        .build()
        .expect("builds");
    let error = block_on(client.execute_with_session(&ItemsRequest::new("x"), SESSION))
        .expect_err("refused");
    let api = error.api_error().expect("a TOP error");
    assert_eq!(
        (api.code_i64(), api.msg.as_str()),
        (Some(25), "Invalid signature")
    );
    let calls = mock.calls();
    assert_eq!((calls[0].refused, calls[0].rule), (Some(25), None));
    // The refused call is not the rule's fault, but the rule was never used.
    let unmet = mock.verify().expect_err("the rule is unused");
    assert_eq!(
        (unmet.unused.len(), unmet.unmatched.len()),
        (1, 0),
        "{unmet}"
    );
}

#[test]
fn a_missing_session_is_refused_with_code_26() {
    let mock = MockTransport::new(SECRET);
    mock.expect::<ItemsRequest>().respond_with(sample());
    // The client never sends such a call: prepare one by hand and send it.
    let mut params = Params::new();
    params.value("q", "x");
    let options = RequestOptions::default().with_timestamp(prepare::china_now());
    let request = prepare::prepare_params(
        "http://mock/router/rest",
        ItemsRequest::METHOD,
        &Credentials::new("app-key-1", SECRET),
        &options,
        &params,
    )
    .expect("prepares");
    let response =
        block_on(top_runtime::client::Transport::send(&mock, request)).expect("an answer");
    let body: Value = serde_json::from_slice(&response.body).expect("JSON");
    assert_eq!(body["error_response"]["code"], 26, "{body}");
    assert_eq!(mock.calls()[0].refused, Some(26));

    // A timestamp in UTC rather than China time is refused too (code 31).
    let utc = jiff::Timestamp::now()
        .strftime("%Y-%m-%d %H:%M:%S")
        .to_string();
    let options = RequestOptions::default()
        .with_timestamp(utc)
        .with_session(SESSION);
    let request = prepare::prepare_params(
        "http://mock/router/rest",
        ItemsRequest::METHOD,
        &Credentials::new("app-key-1", SECRET),
        &options,
        &params,
    )
    .expect("prepares");
    let response =
        block_on(top_runtime::client::Transport::send(&mock, request)).expect("an answer");
    let body: Value = serde_json::from_slice(&response.body).expect("JSON");
    assert_eq!(body["error_response"]["code"], 31, "{body}");
}

#[test]
fn rules_match_the_typed_request_in_order() {
    let mock = MockTransport::new(SECRET);
    let cheap = mock
        .expect::<ItemsRequest>()
        .matching(|r| r.min_price == Some("0.50".parse().expect("a decimal")))
        .matching(|r| r.ids.as_deref() == Some(&[1, 2, 3]))
        .respond_with(ItemsResponse {
            total: Some(1),
            ..Default::default()
        });
    let by_filter = mock
        .expect::<ItemsRequest>()
        .matching(|r| r.filter == Some(serde_json::json!({"kind": ["a", "b"]})))
        .respond_with(ItemsResponse {
            total: Some(2),
            ..Default::default()
        });
    let anything = mock.expect::<ItemsRequest>().respond_with(ItemsResponse {
        total: Some(3),
        ..Default::default()
    });
    let client = client(&mock);
    let call = |request: ItemsRequest| {
        block_on(client.execute_with_session(&request, SESSION))
            .expect("answered")
            .total
    };
    let mut first = ItemsRequest::new("42");
    first.ids = Some(vec![1, 2, 3]);
    first.min_price = Some("0.50".parse().expect("a decimal"));
    assert_eq!(call(first.clone()), Some(1));
    let mut second = ItemsRequest::new("true");
    second.filter = Some(serde_json::json!({"kind": ["a", "b"]}));
    assert_eq!(call(second), Some(2));
    first.ids = Some(vec![1, 2]);
    assert_eq!(call(first), Some(3));
    assert_eq!((cheap.uses(), by_filter.uses(), anything.uses()), (1, 1, 1));
    let calls = mock.calls();
    assert_eq!(calls[0].params["ids"], "1,2,3");
    assert_eq!(calls[0].params["min_price"], "0.50");
    assert_eq!(calls[1].params["q"], "true");
    assert_eq!(
        calls.iter().map(|c| c.rule).collect::<Vec<_>>(),
        [Some(0), Some(1), Some(2)]
    );
    assert_eq!(calls[0].session.as_ref().map(|s| s.expose()), Some(SESSION));
    assert!(
        !format!("{calls:?}").contains(SESSION),
        "the session is redacted"
    );
    mock.verify().expect("every rule used");
}

#[test]
fn times_limits_a_rule_and_unmatched_calls_list_the_rules() {
    let mock = MockTransport::new(SECRET);
    mock.expect::<ItemsRequest>().times(2).fail_with(
        7,
        "App Call Limited",
        Some("accesscontrol.limited-by-api-access-count"),
        None,
    );
    let limited = client(&mock);
    for _ in 0..2 {
        let error = block_on(limited.execute_with_session(&ItemsRequest::new("x"), SESSION))
            .expect_err("limited");
        assert!(matches!(error, CallError::RateLimited { .. }), "{error:?}");
    }
    let error = block_on(limited.execute_with_session(&ItemsRequest::new("x"), SESSION))
        .expect_err("no rule left");
    let CallError::Transport(transport) = &error else {
        panic!("a transport error: {error:?}");
    };
    assert!(
        transport
            .message
            .contains("no rule answers this call of taobao.mock.items.get"),
        "{transport}"
    );
    assert!(
        transport.message.contains("used 2 of 2 times"),
        "{transport}"
    );
    assert!(!transport.message.contains(SESSION));
    let unmet = mock.verify().expect_err("one call was answered by no rule");
    assert_eq!(
        (unmet.unused.len(), unmet.unmatched.clone()),
        (0, vec!["taobao.mock.items.get".to_owned()])
    );
    assert!(unmet.to_string().contains("answered by no rule"), "{unmet}");

    // An unused rule is what verify reports, with how often it was used.
    let mock = MockTransport::new(SECRET);
    let rule = mock
        .expect::<ItemsRequest>()
        .respond_with(sample())
        .times(2);
    let top = client(&mock);
    block_on(top.execute_with_session(&ItemsRequest::new("x"), SESSION)).expect("answered");
    assert_eq!(rule.uses(), 1);
    let unmet = mock.verify().expect_err("used once of twice");
    assert!(unmet.unused[0].contains("used 1 of 2 times"), "{unmet}");
}

#[test]
fn a_request_that_does_not_read_back_matches_no_typed_rule() {
    let mock = MockTransport::new(SECRET);
    mock.expect::<ItemsRequest>()
        .matching(|_| true)
        .respond_with(sample());
    // A call of the same method that sends a parameter `ItemsRequest` does not have.
    #[derive(Debug)]
    struct Odd;
    impl Validate for Odd {
        fn validate_at(&self, _: &Path<'_>, _: &mut ValidationErrors) {}
    }
    impl ApiRequest for Odd {
        const METHOD: &'static str = "taobao.mock.items.get";
        const CLIENT: ClientFamily = ClientFamily::Top;
        const SESSION: SessionRequirement = SessionRequirement::Required;
        type Response = ItemsResponse;
        fn params<'a>(&'a self, out: &mut Params<'a>) {
            out.value("q", "x");
            out.value("color", "red");
        }
    }
    let error = block_on(client(&mock).execute_with_session(&Odd, SESSION)).expect_err("unmatched");
    let message = error.to_string();
    assert!(
        message.contains("does not read back") && message.contains("color"),
        "{message}"
    );
}
