//! `open_read_only`: readers share the directory, exclude writers, see what
//! a writable open would recover, and change nothing on disk.

use convoy_core::Graph;
use convoy_store::{Db, OpenError, Options, open_read_only};

use crate::workload::Workload;

#[test]
fn readers_share_the_directory_and_exclude_writers() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path(), Options::new()).unwrap();
    let mut work = Workload::new(5);
    let (setup, project) = work.setup();
    db.commit(setup).unwrap();
    for i in 0..20 {
        db.commit(work.new_tasks(project, 1 + i % 3).0).unwrap();
        if i == 9 {
            db.snapshot().unwrap();
        }
    }
    let expected = db.read().state();
    let err = open_read_only(dir.path(), &Options::new()).unwrap_err();
    assert!(matches!(err, OpenError::Locked { .. }), "{err}");
    db.close().unwrap();

    let first = open_read_only(dir.path(), &Options::new()).unwrap();
    let second = open_read_only(dir.path(), &Options::new()).unwrap();
    assert_eq!(first.graph().state(), expected);
    assert_eq!(second.graph().state(), expected);
    assert_eq!(first.report().last_seq, 21);
    assert!(first.report().snapshot.is_some());
    drop((first, second));
    let db = Db::open(dir.path(), Options::new()).unwrap();
    assert_eq!(db.read().state(), expected);
}

#[test]
fn a_torn_tail_is_read_past_and_left_for_the_writer_to_cut() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path(), Options::new()).unwrap();
    let mut work = Workload::new(6);
    let (setup, project) = work.setup();
    db.commit(setup).unwrap();
    db.commit(work.new_tasks(project, 2).0).unwrap();
    let expected = db.read().state();
    db.close().unwrap();
    let segment = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "cvl"))
        .unwrap();
    let mut bytes = std::fs::read(&segment).unwrap();
    let full = bytes.len();
    bytes.extend_from_slice(&[0x5A; 40]);
    std::fs::write(&segment, &bytes).unwrap();
    let read = open_read_only(dir.path(), &Options::new()).unwrap();
    assert_eq!(read.graph().state(), expected);
    assert!(read.report().cut.is_none());
    drop(read);
    assert_eq!(std::fs::metadata(&segment).unwrap().len(), full as u64 + 40, "a reader cut the tail");
    let db = Db::open(dir.path(), Options::new()).unwrap();
    assert!(db.recovery_report().cut.is_some());
    assert_eq!(db.read().state(), expected);
}

#[test]
fn a_missing_directory_is_an_error_and_is_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nothing-here");
    assert!(matches!(open_read_only(&missing, &Options::new()), Err(OpenError::Io(_))));
    assert!(!missing.exists());
    let empty = open_read_only(dir.path(), &Options::new()).unwrap();
    assert_eq!(empty.graph().state(), Graph::new().state());
}
