//! Reopen equivalence: random batches with random snapshot, close and
//! reopen points, under each fsync policy; after every reopen the state is
//! exactly the state after the last acknowledged commit.
//!
//! `PROPTEST_CASES` sets the number of cases (default 48 per policy).

use std::sync::Arc;
use std::time::Duration;

use convoy_core::Graph;
use convoy_store::{CommitError, Db, FsyncPolicy, MemStorage, Options};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use crate::workload::Workload;

#[derive(Clone, Debug)]
enum Step {
    Commit(u8),
    Snapshot,
    Reopen,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![6 => (1u8..12).prop_map(Step::Commit), 1 => Just(Step::Snapshot), 1 => Just(Step::Reopen)]
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(48)
}

fn run(policy: FsyncPolicy, seed: u64, steps: &[Step], auto_snapshot: bool) -> Result<(), TestCaseError> {
    let storage = MemStorage::new();
    let ops = auto_snapshot.then_some(25);
    let options = Options::new().storage(Arc::new(storage)).fsync(policy).segment_size(2048).snapshot_every(ops, None);
    let mut work = Workload::new(seed);
    let mut reference = Graph::new();
    let mut acked = 0u64;
    let mut db = Db::open("/data", options.clone()).map_err(|e| TestCaseError::fail(e.to_string()))?;
    for step in steps {
        match step {
            Step::Commit(n) => {
                for _ in 0..*n {
                    let batch = work.batch(&reference);
                    let valid = reference.apply(&batch).is_ok();
                    match db.commit(batch) {
                        Ok(seq) => {
                            prop_assert!(valid, "store accepted a batch the graph refuses");
                            acked += 1;
                            prop_assert_eq!(seq, acked);
                        }
                        Err(CommitError::Refused(_)) => prop_assert!(!valid, "store refused a valid batch"),
                        Err(e) => return Err(TestCaseError::fail(e.to_string())),
                    }
                }
            }
            Step::Snapshot => {
                let info = db.snapshot().map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(info.seq, acked);
            }
            Step::Reopen => {
                db.close().map_err(|e| TestCaseError::fail(e.to_string()))?;
                db = Db::open("/data", options.clone()).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(db.recovery_report().last_seq, acked);
                prop_assert!(db.recovery_report().cut.is_none());
                prop_assert_eq!(db.read().state(), reference.state());
                prop_assert!(db.read().check_invariants().is_ok());
            }
        }
    }
    drop(db);
    let db = Db::open("/data", options).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(db.last_seq(), acked);
    prop_assert_eq!(db.read().state(), reference.state());
    prop_assert!(db.read().check_invariants().is_ok());
    Ok(())
}

fn check(policy: FsyncPolicy) {
    let mut runner = TestRunner::new(Config { cases: cases(), ..Config::default() });
    let strategy = (any::<u64>(), proptest::collection::vec(step(), 1..24), any::<bool>());
    runner.run(&strategy, |(seed, steps, auto)| run(policy, seed, &steps, auto)).unwrap();
}

#[test]
fn reopen_equals_acknowledged_state_fsync_always() {
    check(FsyncPolicy::Always);
}

#[test]
fn reopen_equals_acknowledged_state_fsync_interval() {
    check(FsyncPolicy::Interval(Duration::from_millis(1)));
}

#[test]
fn reopen_equals_acknowledged_state_fsync_never() {
    check(FsyncPolicy::Never);
}
