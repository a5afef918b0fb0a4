//! The handle's plain contract: commit, reopen, lock, refusal, snapshot.

use std::sync::Arc;

use convoy_core::Graph;
use convoy_store::{CommitError, Db, MemStorage, OpenError, Options};

use crate::workload::Workload;

fn mem() -> (Options, MemStorage) {
    let storage = MemStorage::new();
    (Options::new().storage(Arc::new(storage.clone())), storage)
}

#[test]
fn commits_survive_reopen_with_and_without_snapshots() {
    let (options, _storage) = mem();
    let mut work = Workload::new(1);
    let mut reference = Graph::new();
    let db = Db::open("/data", options.clone()).unwrap();
    for i in 0..200 {
        let batch = work.batch(&reference);
        let expected = reference.clone_checked_apply(&batch);
        match db.commit(batch) {
            Ok(seq) => {
                assert!(expected, "store accepted what the graph refuses");
                assert_eq!(seq, db.last_seq());
            }
            Err(CommitError::Refused(_)) => assert!(!expected),
            Err(e) => panic!("{e}"),
        }
        if i == 120 {
            db.snapshot().unwrap();
        }
    }
    assert_eq!(db.read().state(), reference.state());
    let last = db.last_seq();
    db.close().unwrap();
    let db = Db::open("/data", options).unwrap();
    assert_eq!(db.recovery_report().last_seq, last);
    assert_eq!(db.read().state(), reference.state());
    db.read().check_invariants().unwrap();
}

#[test]
fn a_second_opener_is_told_the_directory_is_locked() {
    let (options, _storage) = mem();
    let db = Db::open("/data", options.clone()).unwrap();
    assert!(matches!(Db::open("/data", options.clone()), Err(OpenError::Locked { .. })));
    drop(db);
    Db::open("/data", options).unwrap();
}

#[test]
fn a_second_opener_on_disk_is_told_the_directory_is_locked() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path(), Options::new()).unwrap();
    let err = Db::open(dir.path(), Options::new()).unwrap_err();
    assert!(err.to_string().contains("locked"), "{err}");
    db.close().unwrap();
    Db::open(dir.path(), Options::new()).unwrap();
}

/// Applies `batch` to the graph if it is valid; says whether it was.
trait CheckedApply {
    fn clone_checked_apply(&mut self, batch: &convoy_core::Batch) -> bool;
}

impl CheckedApply for Graph {
    fn clone_checked_apply(&mut self, batch: &convoy_core::Batch) -> bool {
        self.apply(batch).is_ok()
    }
}
