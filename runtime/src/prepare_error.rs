//! [`PrepareError`]: why a request could not be prepared (a caller bug, never a server answer).

use std::fmt;

/// Why a request could not be prepared (a caller bug, never a server answer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrepareError {
    /// The API method name is blank.
    EmptyMethod,
    /// An API parameter name is blank.
    EmptyParamName,
    /// An API parameter uses a system parameter name; it would clash on the wire and in
    /// the signature.
    ReservedParam(String),
    /// The same API parameter name was given twice.
    DuplicateParam(String),
    /// A parameter name of a multipart request holds a `"`, CR, LF or other control
    /// character, which cannot go in a `Content-Disposition` header.
    UnsafePartName(String),
    /// A file's MIME type is empty or holds a control character (it goes in a header).
    InvalidMimeType {
        /// The file parameter.
        param: String,
        /// The MIME type given.
        mime_type: String,
    },
}

impl fmt::Display for PrepareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PrepareError::EmptyMethod => f.write_str("the API method name is empty"),
            PrepareError::EmptyParamName => f.write_str("an API parameter name is empty"),
            PrepareError::ReservedParam(name) => {
                write!(f, "API parameter {name:?} clashes with a system parameter")
            }
            PrepareError::DuplicateParam(name) => {
                write!(f, "API parameter {name:?} is given more than once")
            }
            PrepareError::UnsafePartName(name) => write!(
                f,
                "API parameter {name:?} cannot be a multipart part name (quote or control character)"
            ),
            PrepareError::InvalidMimeType { param, mime_type } => write!(
                f,
                "file parameter {param:?} has an invalid MIME type {mime_type:?}"
            ),
        }
    }
}

impl std::error::Error for PrepareError {}
