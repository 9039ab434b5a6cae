//! A catalogue upload API, generated from its spec (`taobao.product.img.upload`: a required
//! `File` of at most 1,048,576 bytes, numbers and a boolean, a session key), called end to
//! end: through `TopClient` and through the `call` command with a file path in the request
//! JSON, sent and as a dry run. The fake gateway parses the multipart body with its own
//! parser and checks the signature without the file.

use std::process::{Command, Stdio};

use serde_json::json;
use top_apis::TaobaoProductImgUploadRequest as ImgUpload;
use top_e2e::wire::{parse_printed_request, verify};
use top_e2e::{Expect, FakeGateway, Param, Reply, SeenFile, TimestampCheck};
use top_runtime::Rule;
use top_runtime::prelude::*;

use crate::cli::call_binary;
use crate::seeds::{APP_KEY, APP_SECRET, SESSION};

const METHOD: &str = "taobao.product.img.upload";
const PINNED: &str = "2016-01-01 12:00:00";
const SUCCESS: &str = r#"{"product_img_upload_response":{"product_img":{"id":1001,"url":"http://img.example/1.jpg","created":"2016-01-01 12:00:01"},"request_id":"up-1"}}"#;

/// A GIF header and bytes a careless multipart writer would break.
fn gif_bytes() -> Vec<u8> {
    let mut bytes = b"GIF89a\x01\x00\x01\x00".to_vec();
    bytes.extend(0..=255u8);
    bytes.extend(b"\r\n--\r\n");
    bytes
}

fn request(image: FileItem) -> ImgUpload {
    ImgUpload::builder()
        .product_id(3882527336184474047i64)
        .image(image)
        .position(2)
        .is_major(false)
        .build()
        .expect("a valid upload")
}

fn expect(image: &FileItem, timestamp: TimestampCheck) -> Expect {
    Expect {
        path: "/router/rest".into(),
        method: METHOD.into(),
        app_key: APP_KEY.into(),
        secret: APP_SECRET.into(),
        sign_method: "hmac-sha256".into(),
        format: "json".into(),
        session: Some(SESSION.into()),
        target_app_key: None,
        simplify: false,
        timestamp,
        params: vec![
            (
                "product_id".into(),
                Param::Text("3882527336184474047".into()),
            ),
            ("position".into(), Param::Text("2".into())),
            ("is_major".into(), Param::Text("false".into())),
        ],
        files: vec![SeenFile {
            name: "image".into(),
            file_name: image.file_name().into(),
            content_type: image.mime_type().into(),
            bytes: image.bytes().to_vec(),
        }],
    }
}

#[tokio::test]
async fn the_generated_upload_goes_out_as_multipart_with_the_file_unsigned() {
    let image = FileItem::from_bytes("主图.gif", gif_bytes());
    let gateway = FakeGateway::start(
        expect(&image, TimestampCheck::NearNow),
        Reply::json(SUCCESS),
    )
    .expect("the fake gateway starts");
    let client = TopClient::builder(APP_KEY, APP_SECRET)
        .gateway(Gateway::Url(gateway.url()))
        .build()
        .expect("the client starts");
    let response = client
        .execute_with_session(&request(image.clone()), SESSION)
        .await
        .expect("the upload succeeds");
    let img = response.product_img.expect("the documented struct");
    assert_eq!(img.id, Some(1001));
    assert_eq!(img.url.as_deref(), Some("http://img.example/1.jpg"));
    gateway
        .check(1)
        .expect("a valid multipart request, signed without the file");
    let received = &gateway.received()[0];
    assert_eq!(received.files.len(), 1);
    assert_eq!(received.files[0].content_type, "image/gif");
    assert_eq!(received.files[0].bytes, gif_bytes());
}

#[tokio::test]
async fn a_missing_or_oversized_file_never_reaches_the_gateway() {
    let gateway = FakeGateway::start(
        expect(
            &FileItem::from_bytes("x.gif", Vec::new()),
            TimestampCheck::NearNow,
        ),
        Reply::json(SUCCESS),
    )
    .expect("the fake gateway starts");
    let missing = ImgUpload::builder().product_id(1i64).build().unwrap_err();
    let found: Vec<_> = missing.into_iter().map(|v| (v.path, v.rule)).collect();
    assert_eq!(found, [("image".to_owned(), Rule::Missing)]);

    let big = FileItem::from_bytes("big.jpg", vec![0u8; 1_048_577]);
    let mut request = request(FileItem::from_bytes("ok.gif", gif_bytes()));
    request.image = big;
    let client = TopClient::builder(APP_KEY, APP_SECRET)
        .gateway(Gateway::Url(gateway.url()))
        .build()
        .expect("the client starts");
    match client.execute_with_session(&request, SESSION).await {
        Err(CallError::Invalid { code, errors }) => {
            assert_eq!(code, 41);
            let found: Vec<_> = errors.into_iter().map(|v| (v.path, v.rule)).collect();
            assert_eq!(
                found,
                [(
                    "image".to_owned(),
                    Rule::MaxSize {
                        max: 1_048_576,
                        actual: 1_048_577
                    }
                )]
            );
        }
        other => panic!("expected code 41, got {other:?}"),
    }
    assert_eq!(gateway.request_count(), 0);
}

/// `call taobao.product.img.upload request.json`, the request naming the file by path.
fn call(
    gateway: &FakeGateway,
    request_json: &std::path::Path,
    extra: &[&str],
) -> (Option<i32>, String, String) {
    let out = Command::new(call_binary())
        .arg(METHOD)
        .arg(request_json)
        .args(extra)
        .env("TOP_APP_KEY", APP_KEY)
        .env("TOP_APP_SECRET", APP_SECRET)
        .env("TOP_SESSION", SESSION)
        .env("TOP_GATEWAY", gateway.url())
        .env_remove("TOP_TARGET_APP_KEY")
        .stdin(Stdio::null())
        .output()
        .expect("call runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn call_sends_a_file_named_by_path_and_shows_it_in_a_dry_run() {
    let dir = tempfile_dir();
    let image_path = dir.join("主图.gif");
    std::fs::write(&image_path, gif_bytes()).expect("write the image");
    let request_json = dir.join("request.json");
    let body = json!({
        "product_id": 3882527336184474047i64,
        "image": {"path": image_path},
        "position": 2,
        "is_major": false,
    });
    std::fs::write(&request_json, body.to_string()).expect("write the request");
    let image = FileItem::from_path(&image_path).expect("reads");

    // Sent: the gateway receives the file's bytes under its own name and MIME type.
    let gateway = FakeGateway::start(
        expect(&image, TimestampCheck::NearNow),
        Reply::json(SUCCESS),
    )
    .expect("the fake gateway starts");
    let (code, stdout, stderr) = call(&gateway, &request_json, &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("http://img.example/1.jpg"), "{stdout}");
    gateway.check(1).expect("a valid multipart request");
    assert_eq!(gateway.received()[0].files[0].file_name, "主图.gif");

    // A dry run prints the signed multipart request, which verifies, and sends nothing; the
    // binary file is summarised and the session key redacted.
    let (code, stdout, stderr) = call(
        &gateway,
        &request_json,
        &["--dry-run", "--timestamp", PINNED],
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stdout.contains("multipart/form-data; boundary="),
        "{stdout}"
    );
    assert!(stdout.contains("bytes, not shown>"), "{stdout}");
    assert!(!stdout.contains(SESSION), "{stdout}");
    let (_, revealed, _) = call(
        &gateway,
        &request_json,
        &["--dry-run", "--timestamp", PINNED, "--reveal-session"],
    );
    let seen = parse_printed_request(&revealed).unwrap_or_else(|e| panic!("{e}: {revealed}"));
    let want = expect(&image, TimestampCheck::Exact(PINNED.into()));
    // Everything verifies (parameters, session, signature) but the file's bytes, which the
    // dry run summarises instead of printing.
    let problems = verify(&want, &seen);
    assert!(
        !problems.is_empty() && problems.iter().all(|p| p.starts_with("files ")),
        "{problems:#?}\n{revealed}"
    );
    assert_eq!(gateway.request_count(), 1, "a dry run sends nothing");
    let _ = std::fs::remove_dir_all(&dir);
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("top-e2e-img-upload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    dir
}
