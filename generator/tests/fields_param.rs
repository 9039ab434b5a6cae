//! The `fields` helper: a request with a `fields` parameter whose response has one struct
//! member gets `RESPONSE_FIELDS` (that struct's wire names) and a builder `all_fields()`;
//! any other shape gets neither. (The sample crate CI builds runs `all_fields()` itself, see
//! `tests/sample-specs/topgen.sample.fields.get.yaml`.)

use quote::quote;
use topgen::emit::fields_param;
use topgen::ir::Api;

/// A read API: `fields` of type `{ty}` with `{limits}`, and `{response}` as its response.
fn spec(ty: &str, limits: &str, response: &str) -> String {
    format!(
        r#"
method: taobao.demo.trade.get
client: top
session: none
request:
  - name: fields
    type: {ty}
    required: true
{limits}
  - name: page_no
    type: Number
response:
{response}
structs:
  - name: Trade
    fields:
      - name: tid
        type: Number
      - name: buyer_nick
        type: String
      - name: orders
        type: Order[]
  - name: Order
    fields:
      - name: oid
        type: Number
"#
    )
}

const ONE_TRADE: &str =
    "  - name: total_results\n    type: Number\n  - name: trade\n    type: Trade\n";
const TRADE_LIST: &str = "  - name: trades\n    type: Trade[]\n";

fn load(text: &str) -> Api {
    match topgen::load::load_str("specs/taobao.demo.trade.get.yaml", text.to_owned()) {
        Ok((api, _)) => api,
        Err(diags) => {
            let shown: Vec<String> = diags.iter().map(ToString::to_string).collect();
            panic!("does not load:\n{}\n{text}", shown.join("\n"))
        }
    }
}

/// The module's and its protocol tests' items, as emitted.
fn module(api: &Api) -> Vec<syn::Item> {
    syn::parse2::<syn::File>(topgen::emit::types::api_module(api, &api.spec_path))
        .expect("parses")
        .items
}

fn tests(api: &Api) -> Vec<syn::Item> {
    syn::parse2::<syn::File>(topgen::emit::protocol_tests::api_tests(
        api,
        &api.spec_path,
        "top_apis",
    ))
    .expect("parses")
    .items
}

/// The item named `name` in the inherent `impl` blocks of `ty`.
fn impl_item<'a>(items: &'a [syn::Item], ty: &str, name: &str) -> Option<&'a syn::ImplItem> {
    items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Impl(block) if block.trait_.is_none() => Some(block),
            _ => None,
        })
        .filter(|block| {
            let self_ty = &block.self_ty;
            quote!(#self_ty).to_string() == ty
        })
        .flat_map(|block| &block.items)
        .find(|item| match item {
            syn::ImplItem::Const(c) => c.ident == name,
            syn::ImplItem::Fn(f) => f.sig.ident == name,
            _ => false,
        })
}

/// The rustdoc of an item, its `#[doc]` lines joined.
fn doc(attrs: &[syn::Attribute]) -> String {
    let lines: Vec<String> = attrs
        .iter()
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) if nv.path.is_ident("doc") => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value().trim().to_owned()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    lines.join("\n")
}

/// `RESPONSE_FIELDS` of the request: its doc and names.
fn response_fields(items: &[syn::Item]) -> Option<(String, Vec<String>)> {
    let syn::ImplItem::Const(c) = impl_item(items, "TaobaoDemoTradeGetRequest", "RESPONSE_FIELDS")?
    else {
        return None;
    };
    let ty = &c.ty;
    assert_eq!(
        quote!(#ty).to_string(),
        quote!(&'static [&'static str]).to_string()
    );
    let syn::Expr::Reference(r) = &c.expr else {
        panic!("not a reference");
    };
    let syn::Expr::Array(array) = r.expr.as_ref() else {
        panic!("not an array");
    };
    let names = array
        .elems
        .iter()
        .map(|e| match e {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => s.value(),
            other => panic!("not a text: {}", quote!(#other)),
        })
        .collect();
    Some((doc(&c.attrs), names))
}

/// `all_fields()` of the builder: its doc and body.
fn all_fields(items: &[syn::Item]) -> Option<(String, String)> {
    match impl_item(items, "TaobaoDemoTradeGetRequestBuilder", "all_fields")? {
        syn::ImplItem::Fn(f) => {
            let block = &f.block;
            Some((doc(&f.attrs), quote!(#block).to_string()))
        }
        _ => None,
    }
}

/// The body of the protocol test of `all_fields()`.
fn all_fields_test(items: &[syn::Item]) -> Option<String> {
    items.iter().find_map(|item| match item {
        syn::Item::Fn(f) if f.sig.ident == "all_fields_asks_for_every_response_field" => {
            let block = &f.block;
            Some(quote!(#block).to_string())
        }
        _ => None,
    })
}

const NAMES: [&str; 3] = ["tid", "buyer_nick", "orders"];

#[test]
fn a_text_parameter_gets_the_names_joined() {
    let api = load(&spec("String", "", ONE_TRADE));
    let items = module(&api);
    let (doc, names) = response_fields(&items).expect("RESPONSE_FIELDS");
    assert_eq!(names, NAMES);
    assert_eq!(
        doc,
        "Every name the `fields` parameter can ask for, in documented order: the wire names of the fields of [`Trade`], the type of the response's `trade` ([`TaobaoDemoTradeGetResponse::trade`])."
    );
    let (doc, body) = all_fields(&items).expect("all_fields()");
    assert_eq!(
        doc,
        "Asks for every name of [`TaobaoDemoTradeGetRequest::RESPONSE_FIELDS`], all the fields of [`Trade`], the type of the response's `trade` ([`TaobaoDemoTradeGetResponse::trade`]): sets [`fields`](TaobaoDemoTradeGetRequest::fields) to them, comma-joined on the wire."
    );
    let expected = quote! {{
        self.fields = ::core::option::Option::Some(TaobaoDemoTradeGetRequest::RESPONSE_FIELDS.join(","));
        self
    }};
    assert_eq!(body, expected.to_string());
    // `fields` is the only required parameter: the protocol test builds the request and
    // checks the value sent.
    let test = all_fields_test(&tests(&api)).expect("a protocol test");
    let expected = quote! {{
        let request = TaobaoDemoTradeGetRequest::builder().all_fields().build().expect("all_fields() sets the only required parameter");
        assert_text_param(&wire_params(&request), "fields", "tid,buyer_nick,orders");
    }};
    assert_eq!(test, expected.to_string());
}

#[test]
fn a_list_parameter_gets_the_names_as_items() {
    for ty in ["String[]", "FieldList"] {
        let api = load(&spec(ty, "    max_items: 3", TRADE_LIST));
        let items = module(&api);
        let (doc, names) = response_fields(&items).expect("RESPONSE_FIELDS");
        assert_eq!(names, NAMES, "{ty}");
        assert!(
            doc.ends_with("the element type of the response's `trades` ([`TaobaoDemoTradeGetResponse::trades`])."),
            "{ty}: {doc}"
        );
        let (_, body) = all_fields(&items).expect("all_fields()");
        let expected = quote! {{
            self.fields = ::core::option::Option::Some({
                let mut names = ::std::vec::Vec::with_capacity(TaobaoDemoTradeGetRequest::RESPONSE_FIELDS.len());
                for name in TaobaoDemoTradeGetRequest::RESPONSE_FIELDS {
                    names.push(::std::borrow::ToOwned::to_owned(*name));
                }
                names
            });
            self
        }};
        assert_eq!(body, expected.to_string(), "{ty}");
        // The runtime joins a list's items with commas: the test expects them so.
        let test = all_fields_test(&tests(&api)).expect("a protocol test");
        assert!(test.contains("\"tid,buyer_nick,orders\""), "{ty}: {test}");
    }
}

#[test]
fn another_required_parameter_is_all_the_built_request_lacks() {
    let api = load(&spec("String", "", ONE_TRADE).replace(
        "  - name: page_no\n    type: Number\n",
        "  - name: page_no\n    type: Number\n    required: true\n",
    ));
    let test = all_fields_test(&tests(&api)).expect("a protocol test");
    let expected = quote! {{
        let result = TaobaoDemoTradeGetRequest::builder().all_fields().build();
        let missing: Vec<String> = result.err().map(|e| e.into_iter().map(|v| { assert_eq!(v.rule, Rule::Missing); v.path }).collect()).unwrap_or_default();
        let required: &[&str] = &["page_no"];
        assert_eq!(missing, required);
    }};
    assert_eq!(test, expected.to_string());
}

/// Asking for every name would break the documented limit: the names are still stated, but
/// no `all_fields()` builds a request that validation rejects.
#[test]
fn names_beyond_the_documented_limit_get_no_all_fields() {
    for (ty, limits, limit) in [
        ("String[]", "    max_items: 2", "2 names"),
        ("String", "    max_items: 2", "2 names"),
        ("String", "    max_length: 20", "20 characters"),
    ] {
        let api = load(&spec(ty, limits, ONE_TRADE));
        let items = module(&api);
        let (doc, names) = response_fields(&items).expect("RESPONSE_FIELDS");
        assert_eq!(names, NAMES);
        assert!(
            doc.ends_with(&format!(
                "\n\nThe documentation allows at most {limit} in one request: ask for those you need."
            )),
            "{ty} {limits}: {doc}"
        );
        assert!(all_fields(&items).is_none(), "{ty} {limits}");
        assert!(all_fields_test(&tests(&api)).is_none(), "{ty} {limits}");
    }
    // At the limit it fits: "tid,buyer_nick,orders" is 21 characters.
    let api = load(&spec("String", "    max_length: 21", ONE_TRADE));
    assert!(all_fields(&module(&api)).is_some());
}

#[test]
fn other_shapes_state_no_names() {
    let two_structs = format!("{ONE_TRADE}  - name: order\n    type: Order\n");
    // No struct member: the structs are used by the request instead.
    let no_struct = spec("String", "", "  - name: total_results\n    type: Number\n").replace(
        "  - name: page_no\n    type: Number\n",
        "  - name: page_no\n    type: Number\n  - name: trade\n    type: Trade\n",
    );
    for (what, text) in [
        ("two struct members", spec("String", "", &two_structs)),
        ("no struct member", no_struct),
        ("a Number parameter", spec("Number", "", ONE_TRADE)),
        (
            "another wire name",
            spec("String", "", ONE_TRADE).replacen("name: fields", "name: field_list", 1),
        ),
    ] {
        let api = load(&text);
        assert!(fields_param::of(&api).is_none(), "{what}");
        let items = module(&api);
        assert!(response_fields(&items).is_none(), "{what}");
        assert!(all_fields(&items).is_none(), "{what}");
        assert!(all_fields_test(&tests(&api)).is_none(), "{what}");
    }
}

/// A parameter whose setter would be `all_fields` leaves the name to it.
#[test]
fn a_parameter_named_all_fields_keeps_its_setter() {
    let api = load(&spec("String", "", ONE_TRADE).replace(
        "  - name: page_no\n",
        "  - name: page_no\n    rust_name: all_fields\n",
    ));
    let items = module(&api);
    assert!(response_fields(&items).is_some());
    let (doc, _) = all_fields(&items).expect("the setter");
    assert_eq!(
        doc,
        "Sets [`all_fields`](TaobaoDemoTradeGetRequest::all_fields)."
    );
    assert!(all_fields_test(&tests(&api)).is_none());
}
