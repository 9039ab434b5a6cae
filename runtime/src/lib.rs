#![forbid(unsafe_code)]
pub mod sign;
