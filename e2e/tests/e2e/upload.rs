//! File uploads: a request with files goes out as `multipart/form-data`, which the fake
//! gateway parses with `multer` (an independent parser) and whose signature it checks without
//! the files.
//!
//! No spec generates a `File` field yet, so the upload API here is written by hand in the
//! shape the generator emits, modelled on `alibaba.alihealth.alidoc.drug.store.update`: its
//! documented struct parameter `drug_store_update_top_request`, plus a required file
//! `license_image` (at most 1024 bytes) and an optional list of files `photos` (at most 3,
//! each at most 1024 bytes). Once the generator emits files this switches to the generated
//! type.

use serde::{Deserialize, Serialize};
use serde_json::json;
use top_e2e::wire::{parse_printed_request, verify};
use top_e2e::{Expect, FakeGateway, Param, Reply, SeenFile, TimestampCheck};
use top_runtime::api::Params;
use top_runtime::cli::Invocation;
use top_runtime::prelude::*;
use top_runtime::validate::{Path, Rules, check};
use top_runtime::{ClientFamily, Rule, SessionRequirement};

use crate::seeds::{APP_KEY, APP_SECRET};

const METHOD: &str = "alibaba.alihealth.alidoc.drug.store.update";
const TIMESTAMP: &str = "2016-01-01 12:00:00";

/// 更新对象.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct DrugStoreUpdateTopRequest {
    /// 药店编码 (required).
    drug_store_code: String,
    /// 药店名称.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    drug_store_name: Option<String>,
    /// 纬度.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    latitude: Option<String>,
}

impl Validate for DrugStoreUpdateTopRequest {
    fn validate_at(&self, at: &Path<'_>, errors: &mut ValidationErrors) {
        check(
            errors,
            at,
            "drug_store_code",
            &self.drug_store_code,
            Rules::REQUIRED,
        );
    }
}

/// The upload request, as the generator would emit it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
struct DrugStoreUpdateRequest {
    drug_store_update_top_request: DrugStoreUpdateTopRequest,
    #[serde(default)]
    license_image: Option<FileItem>,
    #[serde(default)]
    photos: Option<Vec<FileItem>>,
}

const FILE_LIMIT: usize = 1024;

impl Validate for DrugStoreUpdateRequest {
    fn validate_at(&self, at: &Path<'_>, errors: &mut ValidationErrors) {
        check(
            errors,
            at,
            "drug_store_update_top_request",
            &self.drug_store_update_top_request,
            Rules::REQUIRED,
        );
        check(
            errors,
            at,
            "license_image",
            &self.license_image,
            Rules::REQUIRED.max_length(FILE_LIMIT),
        );
        check(
            errors,
            at,
            "photos",
            &self.photos,
            Rules::new().max_length(FILE_LIMIT).max_items(3),
        );
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct DrugStoreUpdateResponse {
    #[serde(default, deserialize_with = "top_runtime::lenient::value")]
    err_message: Option<String>,
    #[serde(default, deserialize_with = "top_runtime::lenient::value")]
    err_kode: Option<String>,
    #[serde(default, deserialize_with = "top_runtime::lenient::value")]
    successed: Option<bool>,
}

impl SessionFree for DrugStoreUpdateRequest {}

/// A hand-written request reads itself through its serde derive.
impl top_runtime::strict::Item for DrugStoreUpdateRequest {
    fn from_json(value: top_runtime::Json) -> Result<Self, top_runtime::lenient::Error> {
        top_runtime::strict::via_serde(value)
    }
}

impl ApiRequest for DrugStoreUpdateRequest {
    const METHOD: &'static str = METHOD;
    const CLIENT: ClientFamily = ClientFamily::Top;
    const SESSION: SessionRequirement = SessionRequirement::None;
    type Response = DrugStoreUpdateResponse;

    fn params<'a>(&'a self, out: &mut Params<'a>) {
        out.json_serde(
            "drug_store_update_top_request",
            &self.drug_store_update_top_request,
        );
        out.file("license_image", &self.license_image);
        out.file("photos", &self.photos);
    }
}

/// A JPEG (JFIF) header followed by every byte value, CR LF and dashes: binary content a
/// careless multipart writer would break.
fn jpeg_bytes() -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F'];
    bytes.extend(0..=255u8);
    bytes.extend(b"\r\n--\r\n\r\n--");
    bytes
}

fn store() -> DrugStoreUpdateTopRequest {
    DrugStoreUpdateTopRequest {
        drug_store_code: "YD-0001".into(),
        drug_store_name: Some("康复大药房".into()),
        latitude: Some("30.27".into()),
    }
}

fn request() -> DrugStoreUpdateRequest {
    DrugStoreUpdateRequest {
        drug_store_update_top_request: store(),
        license_image: Some(FileItem::from_bytes("营业执照.jpg", jpeg_bytes())),
        photos: Some(vec![
            FileItem::from_bytes("front.gif", b"GIF89a\x01\x00\x01\x00\x00\xff".to_vec()),
            FileItem::from_bytes("notes.txt", "门店照片说明".as_bytes().to_vec())
                .with_mime_type("text/plain"),
        ]),
    }
}

fn seen(name: &str, file: &FileItem) -> SeenFile {
    SeenFile {
        name: name.into(),
        file_name: file.file_name().into(),
        content_type: file.mime_type().into(),
        bytes: file.bytes().to_vec(),
    }
}

fn expect(request: &DrugStoreUpdateRequest, timestamp: TimestampCheck) -> Expect {
    let mut files = Vec::new();
    files.extend(
        request
            .license_image
            .iter()
            .map(|f| seen("license_image", f)),
    );
    files.extend(request.photos.iter().flatten().map(|f| seen("photos", f)));
    Expect {
        path: "/router/rest".into(),
        method: METHOD.into(),
        app_key: APP_KEY.into(),
        secret: APP_SECRET.into(),
        sign_method: "hmac-sha256".into(),
        format: "json".into(),
        session: None,
        target_app_key: None,
        simplify: false,
        timestamp,
        params: vec![(
            "drug_store_update_top_request".into(),
            Param::Json(serde_json::to_value(&request.drug_store_update_top_request).unwrap()),
        )],
        files,
    }
}

fn client_for(gateway: &FakeGateway) -> TopClient {
    TopClient::builder(APP_KEY, APP_SECRET)
        .gateway(Gateway::Url(gateway.url()))
        .build()
        .expect("the client starts")
}

const SUCCESS: &str = r#"{"alibaba_alihealth_alidoc_drug_store_update_response":{"successed":true,"err_kode":"0","request_id":"r1"}}"#;

#[tokio::test]
async fn an_upload_is_multipart_and_its_files_arrive_intact_and_unsigned() {
    let request = request();
    let gateway = FakeGateway::start(
        expect(&request, TimestampCheck::NearNow),
        Reply::json(SUCCESS),
    )
    .expect("the fake gateway starts");
    let response = client_for(&gateway)
        .execute(&request)
        .await
        .expect("the upload succeeds");
    assert_eq!(response.successed, Some(true));
    gateway.check(1).expect("a valid multipart request");

    let received = &gateway.received()[0];
    let names: Vec<(&str, &str, &str, usize)> = received
        .files
        .iter()
        .map(|f| {
            (
                f.name.as_str(),
                f.file_name.as_str(),
                f.content_type.as_str(),
                f.bytes.len(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("license_image", "营业执照.jpg", "image/jpeg", 10 + 256 + 10),
            ("photos", "front.gif", "image/gif", 12),
            ("photos", "notes.txt", "text/plain", 18),
        ]
    );
    assert_eq!(received.files[0].bytes, jpeg_bytes());
    let content_type = received.request.header("content-type").unwrap();
    assert!(
        content_type.starts_with("multipart/form-data; boundary=")
            && content_type.ends_with("; charset=UTF-8"),
        "{content_type}"
    );
    // The system parameters stay in the query; the struct is the one text part.
    let parts = received.request.multipart().expect("multer parses it");
    assert_eq!(
        parts.texts,
        [(
            "drug_store_update_top_request".to_owned(),
            r#"{"drug_store_code":"YD-0001","drug_store_name":"康复大药房","latitude":"30.27"}"#
                .to_owned()
        )]
    );
    let query = received.request.query().unwrap();
    assert!(query.iter().any(|(k, v)| k == "method" && v == METHOD));
}

#[tokio::test]
async fn the_signature_covers_the_text_parts_and_never_the_files() {
    let request = request();
    let gateway = FakeGateway::start(
        expect(&request, TimestampCheck::NearNow),
        Reply::json(SUCCESS),
    )
    .expect("the fake gateway starts");
    let client = client_for(&gateway);
    let http = client
        .prepare(&request, None, Some(TIMESTAMP.into()))
        .expect("prepares");
    let seen = parse_printed_request(&format!("POST {}\n\n", http.url)).unwrap();
    let as_seen = |body: Vec<u8>| top_e2e::SeenRequest {
        headers: crate::owned_headers(&http),
        body,
        ..seen.clone()
    };
    let exact = expect(&request, TimestampCheck::Exact(TIMESTAMP.into()));
    assert_eq!(
        verify(&exact, &as_seen(http.body.clone())),
        Vec::<String>::new()
    );

    // Changing a file's bytes leaves the signature valid (only the file check notices)...
    let mut tampered = http.body.clone();
    let at = find(&tampered, b"JFIF").unwrap();
    tampered[at] = b'X';
    let problems = verify(&exact, &as_seen(tampered));
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(problems[0].starts_with("files "), "{problems:#?}");
    assert!(
        !problems.iter().any(|p| p.contains("sign")),
        "{problems:#?}"
    );

    // ...while changing a text part breaks it.
    let mut tampered = http.body.clone();
    let at = find(&tampered, b"YD-0001").unwrap();
    tampered[at] = b'X';
    let problems = verify(&exact, &as_seen(tampered));
    assert!(
        problems.iter().any(|p| p.starts_with("sign ")),
        "{problems:#?}"
    );

    // A gateway expecting a form (no files) refuses the multipart request.
    let mut no_files = exact.clone();
    no_files.files.clear();
    let problems = verify(&no_files, &as_seen(http.body.clone()));
    assert!(
        problems.iter().any(|p| p.contains("Content-Type")),
        "{problems:#?}"
    );
    assert_eq!(gateway.request_count(), 0);
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[tokio::test]
async fn a_missing_required_file_is_code_40_before_any_io() {
    let mut request = request();
    request.license_image = None;
    let gateway = FakeGateway::start(
        expect(&request, TimestampCheck::NearNow),
        Reply::json(SUCCESS),
    )
    .expect("the fake gateway starts");
    let error = client_for(&gateway).execute(&request).await.unwrap_err();
    assert_eq!(gateway.request_count(), 0, "nothing may reach the gateway");
    match error {
        CallError::Invalid { code, errors } => {
            assert_eq!(code, 40);
            let found: Vec<_> = errors.into_iter().map(|v| (v.path, v.rule)).collect();
            assert_eq!(found, [("license_image".to_owned(), Rule::Missing)]);
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[tokio::test]
async fn a_file_over_its_size_limit_is_code_41_before_any_io() {
    let mut request = request();
    request.license_image = Some(FileItem::from_bytes("big.jpg", vec![0u8; FILE_LIMIT + 1]));
    let mut photos = request.photos.take().unwrap_or_default();
    photos.push(FileItem::from_bytes("huge.png", vec![1u8; 4096]));
    request.photos = Some(photos);
    let gateway = FakeGateway::start(
        expect(&request, TimestampCheck::NearNow),
        Reply::json(SUCCESS),
    )
    .expect("the fake gateway starts");
    let error = client_for(&gateway).execute(&request).await.unwrap_err();
    assert_eq!(gateway.request_count(), 0, "nothing may reach the gateway");
    let text = error.to_string();
    match error {
        CallError::Invalid { code, errors } => {
            assert_eq!(code, 41);
            let found: Vec<_> = errors.into_iter().map(|v| (v.path, v.rule)).collect();
            assert_eq!(
                found,
                [
                    (
                        "license_image".to_owned(),
                        Rule::MaxSize {
                            max: FILE_LIMIT,
                            actual: FILE_LIMIT + 1
                        }
                    ),
                    (
                        "photos[2]".to_owned(),
                        Rule::MaxSize {
                            max: FILE_LIMIT,
                            actual: 4096
                        }
                    ),
                ]
            );
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
    assert!(
        text.contains("client-error:Invalid arguments:the file size of license_image can not be larger than 1024"),
        "{text}"
    );
}

#[test]
fn call_dry_run_prints_a_verifiable_multipart_request() {
    let dir = std::env::temp_dir().join(format!("top-e2e-upload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // Text content, so that the dry run shows every byte and the printed request can be
    // checked like a received one.
    let license = dir.join("license.txt");
    std::fs::write(&license, "营业执照 no. 123\r\n").unwrap();
    let request_json = dir.join("request.json");
    let body = json!({
        "drug_store_update_top_request": {"drug_store_code": "YD-0001"},
        "license_image": {"path": license, "file_name": "执照.txt"},
    });
    std::fs::write(&request_json, body.to_string()).unwrap();
    let env = |name: &str| match name {
        "TOP_APP_KEY" => Some(APP_KEY.to_owned()),
        "TOP_APP_SECRET" => Some(APP_SECRET.to_owned()),
        "TOP_GATEWAY" => Some("http://127.0.0.1:9/router/rest".to_owned()),
        _ => None,
    };
    let args = |extra: &[&str]| {
        let mut v = vec![
            METHOD.to_owned(),
            request_json.display().to_string(),
            "--dry-run".to_owned(),
            "--timestamp".to_owned(),
            TIMESTAMP.to_owned(),
        ];
        v.extend(extra.iter().map(|s| (*s).to_owned()));
        v
    };
    let invocation = Invocation::parse_args(args(&[]), env).expect("parses");
    let printed = invocation
        .output::<DrugStoreUpdateRequest>()
        .expect("a dry run");
    let seen = parse_printed_request(&printed).unwrap_or_else(|e| panic!("{e}: {printed}"));
    let mut want = Expect {
        files: vec![SeenFile {
            name: "license_image".into(),
            file_name: "执照.txt".into(),
            content_type: "application/octet-stream".into(),
            bytes: "营业执照 no. 123\r\n".as_bytes().to_vec(),
        }],
        ..expect(&request(), TimestampCheck::Exact(TIMESTAMP.into()))
    };
    want.params = vec![(
        "drug_store_update_top_request".into(),
        Param::Json(json!({"drug_store_code": "YD-0001"})),
    )];
    assert_eq!(verify(&want, &seen), Vec::<String>::new(), "{printed}");

    // Binary content is summarised, not dumped.
    std::fs::write(&license, jpeg_bytes()).unwrap();
    let printed = Invocation::parse_args(args(&[]), env)
        .unwrap()
        .output::<DrugStoreUpdateRequest>()
        .expect("a dry run");
    assert!(
        printed.contains("Content-Type: image/jpeg\r\n\r\n<276 bytes, not shown>\r\n"),
        "{printed}"
    );

    // A missing file is an error naming it; nothing is printed as a request.
    std::fs::remove_file(&license).unwrap();
    let error = Invocation::parse_args(args(&[]), env)
        .unwrap()
        .output::<DrugStoreUpdateRequest>()
        .unwrap_err();
    assert!(
        error.contains("cannot read file") && error.contains("license.txt"),
        "{error}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
