//! The `convoy` binary, run as a user would: one test binary, one module
//! per family of commands.

#![expect(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests")]

#[path = "cli/demo.rs"]
mod demo;
#[path = "cli/maintain.rs"]
mod maintain;
#[path = "cli/read.rs"]
mod read;
#[path = "cli/support.rs"]
mod support;
#[path = "cli/transfer.rs"]
mod transfer;
