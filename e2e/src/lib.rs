#![forbid(unsafe_code)]
//! End-to-end test support for the generated TOP SDK: a fake TOP/Qimen gateway on 127.0.0.1
//! that checks every request with its **own** implementation of the wire protocol (form
//! decoding, string to sign, digests, China time), independent of `top-runtime`, and then
//! answers with whatever the test scripted.
//!
//! - [`wire`]: parsing and checking a request as the gateway sees it.
//! - [`china_time`]: `yyyy-MM-dd HH:mm:ss` in UTC+8, from the system clock.
//! - [`gateway`]: the HTTP/1.1 server.
//! - [`tmc_wire`], [`tmc_server`]: TMC's binary frames, and a fake TMC message service
//!   (WebSocket) that checks the connect sign, serves a queue at least once and records
//!   deliveries and confirms.
//!
//! The tests are in `tests/e2e/`.

pub mod china_time;
pub mod gateway;
pub mod tmc_server;
pub mod tmc_wire;
pub mod wire;

pub use gateway::{Answer, FakeGateway, GatewayBuilder, Reply, Route, Router};
pub use tmc_server::{
    Confirm, ConnectAttempt, Delivery, FakeTmc, TmcMessage, TmcServerBuilder, TmcStats,
    sample_messages,
};
pub use wire::{Expect, Multipart, Param, SeenFile, SeenRequest, TimestampCheck};
