//! # convoy-cli
//!
//! The library behind the `convoy` command: the seeds' table format
//! ([`seeds`]: row codec), bringing data in ([`import`]) and taking it out
//! ([`export`]) in that format, and applying newline-delimited JSON
//! mutations ([`apply`]).

pub mod apply;
pub mod export;
pub mod import;
pub mod seeds;
