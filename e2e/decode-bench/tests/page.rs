//! The page reads the same in every form, through the generated types, and as the twin.

use top_decode_bench::top::{TaobaoTradesSoldGetRequest, TaobaoTradesSoldGetResponse};
use top_decode_bench::{METHOD, TRADES, plain_json, simplified_json, twin, xml};
use top_runtime::prepare::Format;
use top_runtime::response::{ResponseSpec, decode_response, decode_value};

fn decode(body: &[u8], format: Format, simplify: bool) -> TaobaoTradesSoldGetResponse {
    let spec = ResponseSpec::new(METHOD, format).simplify(simplify);
    decode_response::<TaobaoTradesSoldGetRequest>(body, &spec).expect("the page decodes")
}

#[test]
fn every_form_decodes_to_the_same_page_with_every_field_set() {
    let simplified = simplified_json();
    assert!(simplified.len() > 900_000, "{} bytes", simplified.len());
    let page = decode(&simplified, Format::Json, true);
    let trades = page.trades.as_deref().expect("trades");
    assert_eq!(trades.len(), TRADES);
    let orders = trades[3].orders.as_deref().expect("orders");
    assert!(orders[0].payment.is_some() && trades[99].created.is_some());
    assert!(
        trades
            .iter()
            .any(|t| t.seller_nick.as_deref().is_some_and(|s| !s.is_ascii()))
    );
    assert_eq!(decode(&plain_json(), Format::Json, false), page);
    assert_eq!(decode(&xml(), Format::Xml, false), page);
    // The tree the untyped decoder gives, read as the generated type, is the same page.
    let spec = ResponseSpec::new(METHOD, Format::Json).simplify(true);
    let value = decode_value(&simplified, &spec).expect("the page parses");
    let from_tree: TaobaoTradesSoldGetResponse =
        top_runtime::lenient::read(value).expect("the tree reads");
    assert_eq!(from_tree, page);
}

#[test]
fn the_twin_reads_the_simplified_page() {
    let twin: twin::TaobaoTradesSoldGetResponse =
        serde_json::from_slice(&simplified_json()).expect("the twin reads the page");
    let trades = twin.trades.expect("trades");
    assert_eq!(trades.len(), TRADES);
    assert_eq!(
        trades[3].orders.as_ref().map(Vec::len),
        Some(top_decode_bench::ORDERS)
    );
}

/// The XML page goes the fast way: pulled element by element, the pull reader never giving
/// it up to the tree decoder (which would give the same page, only slower).
#[test]
fn the_xml_page_is_pulled_without_the_tree() {
    let body = xml();
    let text = std::str::from_utf8(&body).expect("UTF-8");
    let mut reader = top_runtime::lenient::Reader::xml_document(text).expect("a root element");
    let page: TaobaoTradesSoldGetResponse =
        top_runtime::lenient::read_from(&mut reader).expect("the page reads");
    assert!(!reader.abandoned() && reader.at_end());
    assert_eq!(page, decode(&simplified_json(), Format::Json, true));
}
