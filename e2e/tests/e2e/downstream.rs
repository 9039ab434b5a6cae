//! The README's downstream unit test (section "Tests without the network"), run here as it
//! is shown there; `the_readme_shows_this_test` keeps the two the same.

// README: begin
use top_apis::TmallFinCarOpenBillNotifyRequest as BillNotify;
use top_apis::tmall_fin_car_open_bill_notify::{
    BillStatusRequestTop, BillStatusResponseTop, BizType, Channel, CustomerType,
    TmallFinCarOpenBillNotifyResponse,
};
use top_runtime::testing::{MockTransport, block_on};
use top_runtime::{CallError, DateTime, TopClient};

/// The code under test: sends the notification, tells whether TOP asks to send it again.
async fn notify(client: &TopClient, request: &BillNotify) -> Result<bool, CallError> {
    let response = client.execute(request).await?;
    Ok(response.result.and_then(|r| r.retry).unwrap_or(false))
}

fn bill(biz_no: &str) -> BillNotify {
    let bill = BillStatusRequestTop::builder()
        .customer_type(CustomerType::Ali)
        .customer_id("1232")
        .biz_type(BizType::TmallCar)
        .biz_no(biz_no)
        .event_time("2019-09-08 22:33:34".parse::<DateTime>().expect("a date"))
        .channel(Channel::GhApp)
        .req_no("23123")
        .build()
        .expect("a valid bill");
    BillNotify::builder()
        .bill_status_request_top(bill)
        .build()
        .expect("a valid request")
}

#[test]
fn notify_reports_the_retry_flag_and_top_errors() {
    let mock = MockTransport::new("app-secret");
    mock.expect::<BillNotify>()
        .matching(|request| request.bill_status_request_top.biz_no == "123")
        .respond_with(TmallFinCarOpenBillNotifyResponse {
            result: Some(BillStatusResponseTop {
                retry: Some(true),
                ..Default::default()
            }),
        })
        .times(1);
    mock.expect::<BillNotify>().fail_with(
        15,
        "Remote service error",
        Some("isv.invalid-parameter"),
        Some("非法参数"),
    );
    let client = TopClient::builder("app-key", "app-secret")
        .transport(mock.clone())
        .build()
        .expect("a client");

    assert!(block_on(notify(&client, &bill("123"))).expect("answered"));
    let error = block_on(notify(&client, &bill("456"))).expect_err("refused");
    let api = error.api_error().expect("a TOP error");
    assert_eq!(api.sub_code.as_deref(), Some("isv.invalid-parameter"));
    let sent = mock.calls();
    assert_eq!(sent[1].method, "tmall.fin.car.open.bill.notify");
    assert!(sent[1].params["bill_status_equest_top"].contains(r#""biz_no":"456""#));
    mock.verify().expect("every rule used");
}
// README: end

/// The mock answers generated responses in every format, TOP and Qimen, and the client
/// decodes each back to the value given.
#[test]
fn generated_responses_round_trip_through_the_mock_in_every_format() {
    use top_apis::QimenTmallCarLeaseSignstatusSynchronizeRequest as SignStatus;
    use top_apis::qimen_tmall_car_lease_signstatus_synchronize::QimenTmallCarLeaseSignstatusSynchronizeResponse;
    use top_apis::tmall_fin_car_open_bill_notify::ResultCode;
    use top_runtime::prepare::Format;

    let bill_response = TmallFinCarOpenBillNotifyResponse {
        result: Some(BillStatusResponseTop {
            message: Some("异常 <&>".into()),
            succeeded: Some(true),
            retry: Some(false),
            code: Some(ResultCode::Success),
        }),
    };
    let sign_response = QimenTmallCarLeaseSignstatusSynchronizeResponse {
        success: Some("ture".into()),
        msg_code: Some("002".into()),
        msg_desc: None,
    };
    let sign_request: SignStatus =
        serde_json::from_str(crate::seeds::SIGN_STATUS_EXAMPLE).expect("the example reads");
    for format in [Format::Json, Format::Xml] {
        for simplify in [false, true] {
            let mock = MockTransport::new("app-secret");
            mock.expect::<BillNotify>()
                .respond_with(bill_response.clone());
            mock.expect::<SignStatus>()
                .respond_with(sign_response.clone());
            let client = TopClient::builder("app-key", "app-secret")
                .format(format)
                .simplify(simplify)
                .target_app_key("provider")
                .transport(mock.clone())
                .build()
                .expect("a client");
            let mode = format!("{format} simplify={simplify}");
            let got = block_on(client.execute(&bill("1"))).expect(&mode);
            assert_eq!(got, bill_response, "{mode}");
            let got = block_on(client.execute(&sign_request)).expect(&mode);
            assert_eq!(got, sign_response, "{mode}");
            mock.verify().expect(&mode);
        }
    }
}

#[test]
fn the_readme_shows_this_test() {
    let this = include_str!("downstream.rs");
    let begin =
        this.find("// README: begin\n").expect("a begin marker") + "// README: begin\n".len();
    let end = this.find("// README: end").expect("an end marker");
    let readme = include_str!("../../../README.md");
    let shown = format!("```rust,ignore\n{}```", &this[begin..end]);
    assert!(
        readme.contains(&shown),
        "README.md must show e2e/tests/e2e/downstream.rs between its markers, as:\n{shown}"
    );
}
