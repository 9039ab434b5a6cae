#![forbid(unsafe_code)]
pub mod prepare;
pub mod sign;
