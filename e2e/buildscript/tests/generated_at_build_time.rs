//! The APIs a build script generated work like the checked-in crate's: builders validate,
//! and the client prepares a signed request.

use top_buildscript_fixture::top::prelude::*;
use top_buildscript_fixture::top::{
    TaobaoPictureUploadRequest, TmallCarLeaseStatussynchronizeRequest,
};

fn client() -> TopClient {
    TopClient::builder("12345678", "app-secret")
        .build()
        .expect("the client starts")
}

#[test]
fn a_file_upload_is_prepared_as_signed_multipart() {
    let request = TaobaoPictureUploadRequest::builder()
        .picture_category_id(0)
        .img(FileItem::from_bytes("a.jpg", vec![0xff, 0xd8, 0xff, 0xe0]))
        .image_input_title("a.jpg")
        .build()
        .expect("valid");
    let prepared = client()
        .prepare(&request, None, Some("2026-12-01 10:00:00".to_owned()))
        .expect("prepares");
    assert!(
        prepared.url.contains("method=taobao.picture.upload"),
        "{}",
        prepared.url
    );
    assert!(prepared.url.contains("&sign="), "{}", prepared.url);
    assert!(
        prepared
            .content_type
            .starts_with("multipart/form-data; boundary=")
    );
    let body = String::from_utf8_lossy(&prepared.body);
    assert!(body.contains("name=\"img\"; filename=\"a.jpg\""), "{body}");
}

#[test]
fn builders_reject_what_the_doc_forbids() {
    let errors = TaobaoPictureUploadRequest::builder()
        .image_input_title("a.jpg")
        .build()
        .expect_err("required parameters are missing");
    let text = errors.to_string();
    assert!(text.contains("picture_category_id"), "{text}");
    assert!(text.contains("img"), "{text}");
    let errors = TmallCarLeaseStatussynchronizeRequest::builder()
        .biz_type(1)
        .build()
        .expect_err("the required order_id is missing");
    assert!(errors.to_string().contains("order_id"), "{errors}");
}
