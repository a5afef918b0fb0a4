//! convoy-store's integration tests: one binary, one module per concern.
//! Long runs sit behind environment variables (see README.md).

#![expect(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests")]

#[path = "store/basics.rs"]
mod basics;
#[path = "store/concurrency.rs"]
mod concurrency;
#[path = "store/damage.rs"]
mod damage;
#[path = "store/faults.rs"]
mod faults;
#[path = "store/kill.rs"]
mod kill;
#[path = "store/read_only.rs"]
mod read_only;
#[path = "store/regressions.rs"]
mod regressions;
#[path = "store/reopen.rs"]
mod reopen;
#[path = "store/support.rs"]
mod support;
#[path = "store/verify.rs"]
mod verify;
#[path = "store/workload.rs"]
mod workload;
