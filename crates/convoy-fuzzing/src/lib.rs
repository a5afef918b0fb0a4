//! # convoy-fuzzing
//!
//! Convoy's fuzz harnesses: one function per cargo-fuzz target. The
//! targets in `fuzz/fuzz_targets/` are three-line wrappers around these, and
//! `tests/replay.rs` runs every committed corpus file and past crash input
//! through the same functions on the stable toolchain.
//!
//! Each harness panics only on a real bug: a decoder that panics, a typed
//! error that breaks its own documented rule, a broken invariant, or a
//! disagreement with a reference (the [`model::Model`] of the graph, or the
//! acknowledged states of a store).
//!
//! | target | input | checks |
//! | --- | --- | --- |
//! | [`log_record`] | bytes | record framing and payload decoding |
//! | [`log_segment`] | bytes | segment scan and open-time recovery |
//! | [`snapshot`] | bytes | snapshot decoding, loading and recovery from it |
//! | [`ops_vs_model`] | batches (`arbitrary`) | graph vs reference model |
//! | [`crash_recover`] | batches, a fault, a crash (`arbitrary`) | recovery gives an acknowledged prefix |
//! | [`import_json`] | bytes | the seeds' import document: typed errors, or batches that apply and round-trip through export |
//! | [`apply_ndjson`] | bytes | NDJSON op lines: typed errors, or batches applied or refused without a trace |

mod cli;
mod crash;
pub mod model;
mod observe;
mod ops;
pub mod plan;
mod record;
mod recovered;
mod segment;
mod snapshot;

pub use cli::{apply_ndjson, import_json};
pub use crash::crash_recover;
pub use ops::ops_vs_model;
pub use record::log_record;
pub use segment::log_segment;
pub use snapshot::snapshot;

/// A harness: runs one fuzz input, panicking only on a real bug.
pub type Harness = fn(&[u8]);

/// The names of the targets, as `fuzz/fuzz_targets/` and the corpus
/// directories spell them, with their harnesses.
pub const TARGETS: [(&str, Harness); 7] = [
    ("log_record", log_record),
    ("log_segment", log_segment),
    ("snapshot", snapshot),
    ("ops_vs_model", ops_vs_model),
    ("crash_recover", crash_recover),
    ("import_json", import_json),
    ("apply_ndjson", apply_ndjson),
];

/// Reports a bug the fuzzer must see: panics with `what`.
#[expect(clippy::panic, reason = "a harness reports a bug by panicking; that is what a fuzzer catches")]
pub(crate) fn bug(what: impl std::fmt::Display) -> ! {
    panic!("{what}")
}
