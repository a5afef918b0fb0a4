//! Convoy against SQLite with the seeds' schema, side by side in one run
//! (issue 5): the same generated data in both, the same random starting
//! points, answers checked against each other, a Markdown table on stdout
//! and the numbers in a JSON file.
//!
//! Order of a run: generate; load Convoy in memory (timed, dropped); Q8
//! load Convoy durably and SQLite file-backed, and copy that file into an
//! in-memory SQLite database; for each read
//! query check answers on a sample of points, then time it on every
//! system; snapshot; close; measure each system's resident memory in its
//! own process; reopen Convoy (recovery); Q7 commits.

pub(crate) mod answer;
pub(crate) mod chart;
pub(crate) mod check;
pub(crate) mod commit;
pub(crate) mod convoy;
pub(crate) mod measure;
pub(crate) mod memory;
pub(crate) mod report;
mod run;
pub(crate) mod spec;
pub(crate) mod sql;
pub(crate) mod sqlite;
pub(crate) mod system;

pub(crate) use run::{Config, run};
