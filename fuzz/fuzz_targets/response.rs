//! Response decoding into each generated response type, JSON and XML, plain and simplified,
//! TOP and Qimen envelopes (the error envelopes come with every mode).
//!
//! Input: one mode byte, then the body. Mode bits: 0–1 which API (3: untyped
//! `decode_value` only), 2 XML, 3 simplify, 4 Qimen.
//!
//! Invariants: nothing panics or overflows the stack; a typed success implies an untyped
//! one; every error displays, with a snippet of at most `SNIPPET_CHARS` characters plus `…`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use top_apis::{
    QimenTmallCarLeaseSignstatusSynchronizeRequest, TaobaoAliautoRiskInfoTmallYcServiceSyncRequest,
    TmallFinCarOpenBillNotifyRequest,
};
use top_runtime::ApiRequest;
use top_runtime::prepare::Format;
use top_runtime::response::{self, ResponseError, ResponseSpec, SNIPPET_CHARS};

fn check<R: ApiRequest>(body: &[u8], spec: ResponseSpec<'_>) {
    let spec = ResponseSpec {
        method: R::METHOD,
        ..spec
    };
    let typed = response::decode::<R::Response>(body, &spec);
    let untyped = response::decode_value(body, &spec);
    if typed.is_ok() {
        assert!(untyped.is_ok(), "typed decode succeeded, untyped failed");
    }
    if let Err(e) = typed {
        shown(&e);
    }
}

fn shown(e: &ResponseError) {
    let _ = e.to_string();
    if let ResponseError::Decode(d) = e {
        assert!(d.snippet().chars().count() <= SNIPPET_CHARS + 1);
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, body)) = data.split_first() else {
        return;
    };
    let format = if mode & 4 != 0 {
        Format::Xml
    } else {
        Format::Json
    };
    let spec = ResponseSpec::new("", format)
        .simplify(mode & 8 != 0)
        .qimen(mode & 16 != 0);
    match mode & 3 {
        0 => check::<TmallFinCarOpenBillNotifyRequest>(body, spec),
        1 => check::<TaobaoAliautoRiskInfoTmallYcServiceSyncRequest>(body, spec),
        2 => check::<QimenTmallCarLeaseSignstatusSynchronizeRequest>(body, spec),
        _ => {
            let spec = ResponseSpec {
                method: "taobao.fuzz.get",
                ..spec
            };
            if let Err(e) = response::decode_value(body, &spec) {
                shown(&e);
            }
        }
    }
});
