#![forbid(unsafe_code)]
pub mod prepare;
pub mod response;
pub mod sign;
