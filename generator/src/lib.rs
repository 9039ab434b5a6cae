#![forbid(unsafe_code)]
//! topgen: YAML specs of Taobao Open Platform (TOP) APIs → a typed Rust SDK crate.
//!
//! The pipeline, one module per step: [`yaml`] (text → located nodes) → [`parse`] (nodes →
//! [`spec`] model) → [`resolve`] (semantic checks → [`ir`]) → [`emit`] (IR → tokens →
//! text) → [`output`] (files: write or check). [`load`] runs the first steps over a
//! directory.
//!
//! Three ways to use it: the `topgen` command (`topgen init`, `add`, `generate`, `check`) for
//! a generated crate kept in the repository; [`Builder`] in a `build.rs` for generating into
//! `OUT_DIR` at build time; and this library's modules for tools of one's own.

pub mod builder;
pub mod catalogue;
pub mod config;
pub mod diag;
pub mod diff;
pub mod emit;
pub mod fingerprint;
pub mod import;
pub mod init;
pub mod ir;
pub mod lint;
pub mod load;
pub mod names;
pub mod output;
pub mod parallel;
pub mod parse;
pub mod progress;
pub mod resolve;
pub mod scaffold;
pub mod settings;
pub mod spec;
pub mod templates;
pub mod yaml;
pub mod yamlout;

pub use builder::{BuildError, Builder};

/// The README's examples, compiled and run as doctests.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
