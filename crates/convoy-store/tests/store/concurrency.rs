//! Readers and writers together: readers never see half a batch, and
//! concurrent committers all get distinct, gap-free sequence numbers.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

use convoy_core::model::EntityKind;
use convoy_core::{Graph, Relation};
use convoy_store::{Db, FsyncPolicy, Options};

use crate::workload::Workload;

const WRITERS: u64 = 4;
const BATCHES: usize = 40;
const TASKS_PER_BATCH: usize = 3;

/// Every batch adds 3 tasks, 3 feed entries and one `blocks` edge: a
/// reader that saw half a batch would see counts out of step.
fn whole_batches_only(graph: &Graph) {
    let tasks = graph.ids_of_kind(EntityKind::Task);
    assert_eq!(tasks.len() % TASKS_PER_BATCH, 0, "a reader saw part of a batch");
    let blocks: usize = tasks.iter().map(|&t| graph.neighbors(t, Relation::Blocks).len()).sum();
    assert_eq!(blocks * TASKS_PER_BATCH, tasks.len(), "a reader saw part of a batch");
    assert!(tasks.iter().all(|&t| graph.feed(t).len() == 1), "a reader saw part of a batch");
}

#[test]
fn readers_never_see_half_a_batch_while_writers_group_commit() {
    let dir = tempfile::tempdir().unwrap();
    let db = Arc::new(Db::open(dir.path(), Options::new().fsync(FsyncPolicy::Always)).unwrap());
    let mut setup = Workload::new(0);
    let (batch, project) = setup.setup();
    db.commit(batch).unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let (db, done) = (Arc::clone(&db), Arc::clone(&done));
            thread::spawn(move || {
                let mut reads = 0u64;
                while !done.load(Ordering::Acquire) {
                    whole_batches_only(&db.read());
                    reads += 1;
                }
                reads
            })
        })
        .collect();
    let writers: Vec<_> = (1..=WRITERS)
        .map(|w| {
            let db = Arc::clone(&db);
            thread::spawn(move || {
                let mut work = Workload::new(w);
                (0..BATCHES).map(|_| db.commit(work.new_tasks(project, TASKS_PER_BATCH).0).unwrap()).collect::<Vec<_>>()
            })
        })
        .collect();
    let mut seqs: Vec<u64> = writers.into_iter().flat_map(|w| w.join().unwrap()).collect();
    done.store(true, Ordering::Release);
    let reads: u64 = readers.into_iter().map(|r| r.join().unwrap()).sum();
    assert!(reads > 0);
    seqs.sort_unstable();
    let expected: Vec<u64> = (2..=1 + WRITERS * BATCHES as u64).collect();
    assert_eq!(seqs, expected, "every commit got its own sequence number, without gaps");
    let stats = db.stats();
    assert_eq!(stats.commits, WRITERS * BATCHES as u64 + 1);
    assert!(stats.syncs <= stats.commits);
    let state = db.read().state();
    whole_batches_only(&db.read());
    drop(db);
    let db = Db::open(dir.path(), Options::new()).unwrap();
    assert!(db.read().state() == state, "reopened state differs");
}
