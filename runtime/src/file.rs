//! `FileItem`: a file upload (doc types `byte` / `byte[]`), the official SDK's `FileItem`.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The MIME type of anything [`sniff_mime_type`] does not recognise.
pub const OCTET_STREAM: &str = "application/octet-stream";

/// The MIME type of `bytes` from their leading bytes, like the official SDK's
/// `getMimeType`: GIF, PNG, JPEG and BMP; anything else is `application/octet-stream`.
///
/// The SDK looks only at files of 10 bytes or more and recognises a JPEG by its `JFIF`
/// marker; the `FF D8 FF` start of every JPEG is recognised too, so that Exif photos (what
/// cameras and phones write) are `image/jpeg` as well.
pub fn sniff_mime_type(bytes: &[u8]) -> &'static str {
    if bytes.len() < 10 {
        return OCTET_STREAM;
    }
    if bytes.starts_with(b"GIF") {
        "image/gif"
    } else if &bytes[1..4] == b"PNG" {
        "image/png"
    } else if &bytes[6..10] == b"JFIF" || bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "image/jpeg"
    } else if bytes.starts_with(b"BM") {
        "image/bmp"
    } else {
        OCTET_STREAM
    }
}

/// A file to upload: its name, MIME type and bytes.
///
/// A request holding one is sent as `multipart/form-data`; files are never signed.
/// `Debug` shows the name, MIME type and size, never the bytes.
///
/// Serde (how the `call` command reads a file from the request JSON): deserializes from
/// `{"path": "photo.jpg"}`, reading the file (an unreadable path is an error naming it), with
/// optional `"file_name"` and `"mime_type"` overriding the path's file name and the sniffed
/// type. Serializes to a summary, `{"file_name": "photo.jpg", "mime_type": "image/jpeg",
/// "size": 1234}`, without the bytes (so a request printed as JSON stays readable).
///
/// ```
/// use top_runtime::FileItem;
/// let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
/// let file = FileItem::from_bytes("logo.png", png);
/// assert_eq!(file.mime_type(), "image/png");
/// assert_eq!(format!("{file:?}"), r#"FileItem { file_name: "logo.png", mime_type: "image/png", size: 16 }"#);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct FileItem {
    file_name: String,
    mime_type: String,
    bytes: Vec<u8>,
}

impl FileItem {
    /// A file named `file_name` holding `bytes`, its MIME type sniffed from the bytes.
    pub fn from_bytes(file_name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        let bytes = bytes.into();
        FileItem {
            file_name: file_name.into(),
            mime_type: sniff_mime_type(&bytes).to_owned(),
            bytes,
        }
    }

    /// Reads the file at `path`; its name is the path's last component.
    pub fn from_path(path: impl AsRef<Path>) -> io::Result<Self> {
        let path = path.as_ref();
        let bytes = std::fs::read(path)?;
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(FileItem::from_bytes(file_name, bytes))
    }

    /// The same file with another MIME type (sent in its part's `Content-Type`).
    pub fn with_mime_type(mut self, mime_type: impl Into<String>) -> Self {
        self.mime_type = mime_type.into();
        self
    }

    /// The same file under another name (sent as the part's `filename`).
    pub fn with_file_name(mut self, file_name: impl Into<String>) -> Self {
        self.file_name = file_name.into();
        self
    }

    /// The file name sent with the bytes.
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// The MIME type sent with the bytes.
    pub fn mime_type(&self) -> &str {
        &self.mime_type
    }

    /// The content.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The content, owned.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// The size in bytes.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether the file is empty (an empty file is still sent).
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

impl fmt::Debug for FileItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileItem")
            .field("file_name", &self.file_name)
            .field("mime_type", &self.mime_type)
            .field("size", &self.bytes.len())
            .finish()
    }
}

#[derive(Serialize)]
struct Summary<'a> {
    file_name: &'a str,
    mime_type: &'a str,
    size: usize,
}

impl Serialize for FileItem {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Summary {
            file_name: &self.file_name,
            mime_type: &self.mime_type,
            size: self.bytes.len(),
        }
        .serialize(serializer)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FromPath {
    path: PathBuf,
    #[serde(default)]
    file_name: Option<String>,
    #[serde(default)]
    mime_type: Option<String>,
}

impl<'de> Deserialize<'de> for FileItem {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spec = FromPath::deserialize(deserializer)?;
        let mut file = FileItem::from_path(&spec.path).map_err(|e| {
            D::Error::custom(format!("cannot read file {}: {e}", spec.path.display()))
        })?;
        if let Some(name) = spec.file_name {
            file.file_name = name;
        }
        if let Some(mime) = spec.mime_type {
            file.mime_type = mime;
        }
        Ok(file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn padded(head: &[u8]) -> Vec<u8> {
        let mut v = head.to_vec();
        v.resize(16, 0);
        v
    }

    #[test]
    fn sniffs_like_the_sdk() {
        assert_eq!(sniff_mime_type(&padded(b"GIF89a")), "image/gif");
        assert_eq!(sniff_mime_type(&padded(b"\x89PNG\r\n\x1a\n")), "image/png");
        assert_eq!(
            sniff_mime_type(&padded(b"\xFF\xD8\xFF\xE0\0\x10JFIF")),
            "image/jpeg"
        );
        assert_eq!(
            sniff_mime_type(&padded(b"\xFF\xD8\xFF\xE1\0\x10Exif")),
            "image/jpeg"
        );
        assert_eq!(sniff_mime_type(&padded(b"BM")), "image/bmp");
        assert_eq!(sniff_mime_type(&padded(b"%PDF-1.7")), OCTET_STREAM);
        // Too short for the SDK to look at.
        assert_eq!(sniff_mime_type(b"GIF89a"), OCTET_STREAM);
        assert_eq!(sniff_mime_type(b""), OCTET_STREAM);
    }

    #[test]
    fn debug_never_shows_the_bytes() {
        let file = FileItem::from_bytes("secret.txt", b"TOP-SECRET-CONTENT".to_vec())
            .with_mime_type("text/plain");
        let debug = format!("{file:?} {file:#?}");
        assert!(!debug.contains("TOP-SECRET"), "{debug}");
        assert!(
            debug.contains("secret.txt") && debug.contains("text/plain") && debug.contains("18")
        );
        assert_eq!(file.len(), 18);
        assert!(!file.is_empty());
        assert_eq!(file.bytes(), b"TOP-SECRET-CONTENT");
    }

    #[test]
    fn serde_reads_a_path_and_writes_a_summary() {
        let dir = std::env::temp_dir().join(format!("top-runtime-file-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("pic.gif");
        std::fs::write(&path, padded(b"GIF89a")).unwrap();
        let json = serde_json::json!({"path": path});
        let file: FileItem = serde_json::from_value(json).unwrap();
        assert_eq!(file.file_name(), "pic.gif");
        assert_eq!(file.mime_type(), "image/gif");
        assert_eq!(file.len(), 16);
        assert_eq!(
            serde_json::to_value(&file).unwrap(),
            serde_json::json!({"file_name": "pic.gif", "mime_type": "image/gif", "size": 16})
        );
        let json = serde_json::json!({"path": path, "file_name": "x.bin", "mime_type": "a/b"});
        let file: FileItem = serde_json::from_value(json).unwrap();
        assert_eq!((file.file_name(), file.mime_type()), ("x.bin", "a/b"));

        let missing = dir.join("nope.png");
        let err = serde_json::from_value::<FileItem>(serde_json::json!({"path": missing}))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("cannot read file") && err.contains("nope.png"),
            "{err}"
        );
        assert!(serde_json::from_value::<FileItem>(serde_json::json!("pic.gif")).is_err());
        assert!(serde_json::from_value::<FileItem>(serde_json::json!({"pth": "x"})).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
