//! Regression tests, each named after what it caught (in review of the
//! first version of the store).

use convoy_core::Graph;
use convoy_store::{Db, FsyncPolicy, MemStorage, OpenError};

use crate::support::{DIR, files, options};
use crate::workload::Workload;

/// Commits `n` batches of new tasks; returns the reference graph.
fn commit_tasks(db: &Db, work: &mut Workload, reference: &mut Graph, project: convoy_core::EntityId, n: usize) {
    for _ in 0..n {
        let (batch, _) = work.new_tasks(project, 2);
        reference.apply(&batch).unwrap();
        db.commit(batch).unwrap();
    }
}

#[test]
fn regression_a_log_recovered_from_the_os_cache_is_synced_before_new_commits_are_acknowledged() {
    // A process running with FsyncPolicy::Never crashes: its records are
    // written but not durable. The next handle (Always, small segments so
    // its first commit rolls the log) must make them durable before it
    // acknowledges anything, or a power loss leaves a gap before the
    // acknowledged record.
    let first = MemStorage::new();
    let db = Db::open(DIR, options(&first).fsync(FsyncPolicy::Never)).unwrap();
    let mut work = Workload::new(3);
    let mut reference = Graph::new();
    let (setup, project) = work.setup();
    reference.apply(&setup).unwrap();
    db.commit(setup).unwrap();
    commit_tasks(&db, &mut work, &mut reference, project, 30);
    let crashed = first.process_crash();
    drop(db);
    let db = Db::open(DIR, options(&crashed).fsync(FsyncPolicy::Always).segment_size(4096)).unwrap();
    commit_tasks(&db, &mut work, &mut reference, project, 1);
    let acknowledged = db.last_seq();
    for seed in 0..20 {
        let after = crashed.power_loss(seed);
        let db = Db::open(DIR, options(&after)).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        assert_eq!(db.last_seq(), acknowledged, "seed {seed}");
        assert!(db.read().state() == reference.state(), "seed {seed}");
    }
}

#[test]
fn regression_a_damaged_newest_snapshot_is_never_kept_in_place_of_the_good_one() {
    let storage = MemStorage::new();
    let db = Db::open(DIR, options(&storage)).unwrap();
    let mut work = Workload::new(5);
    let mut reference = Graph::new();
    let (setup, project) = work.setup();
    reference.apply(&setup).unwrap();
    db.commit(setup).unwrap();
    for _ in 0..2 {
        commit_tasks(&db, &mut work, &mut reference, project, 4);
        db.snapshot().unwrap();
    }
    db.close().unwrap();
    let snaps = files(&storage, "snap-");
    let mut bytes = storage.contents(&snaps[1]).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 1;
    storage.put(&snaps[1], bytes);

    // Open falls back to the older snapshot; the next snapshot must keep
    // that one (the newest good one), not the damaged file.
    let db = Db::open(DIR, options(&storage)).unwrap();
    assert_eq!(db.recovery_report().skipped_snapshots.len(), 1);
    assert!(db.snapshot().unwrap().path.is_some(), "a damaged snapshot does not count as current");
    commit_tasks(&db, &mut work, &mut reference, project, 3);
    let newest = db.snapshot().unwrap();
    db.close().unwrap();
    let kept = files(&storage, "snap-");
    assert_eq!(kept.len(), 2);
    assert!(!kept.contains(&snaps[0]), "the snapshot before the fallback point is no longer needed");
    assert!(newest.path.as_ref().is_some_and(|p| kept.contains(p)));

    // Damage the newest: the other kept one must carry the open.
    let path = newest.path.unwrap();
    let mut bytes = storage.contents(&path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 1;
    storage.put(&path, bytes);
    let db = Db::open(DIR, options(&storage)).unwrap();
    assert!(db.read().state() == reference.state());
}

#[test]
fn regression_repair_also_cuts_a_checksummed_record_that_does_not_decode() {
    let storage = MemStorage::new();
    let db = Db::open(DIR, options(&storage)).unwrap();
    let mut work = Workload::new(9);
    let mut reference = Graph::new();
    let (setup, project) = work.setup();
    reference.apply(&setup).unwrap();
    db.commit(setup).unwrap();
    commit_tasks(&db, &mut work, &mut reference, project, 3);
    let last = db.last_seq();
    db.close().unwrap();
    // Forge a record with a valid checksum around a payload that is not a batch.
    let segment = files(&storage, "log-").pop().unwrap();
    let mut bytes = storage.contents(&segment).unwrap();
    let salt = u32::from_le_bytes(bytes[12..16].try_into().unwrap());
    let payload = [0xffu8, 0xff, 0xff];
    let (len, seq) = (payload.len() as u32, last + 1);
    let mut head = Vec::new();
    head.extend_from_slice(&salt.to_le_bytes());
    head.extend_from_slice(&len.to_le_bytes());
    head.extend_from_slice(&seq.to_le_bytes());
    let crc = crc32c::crc32c_append(crc32c::crc32c(&head), &payload);
    let at = bytes.len() as u64;
    bytes.extend_from_slice(&len.to_le_bytes());
    bytes.extend_from_slice(&seq.to_le_bytes());
    bytes.extend_from_slice(&crc.to_le_bytes());
    bytes.extend_from_slice(&payload);
    storage.put(&segment, bytes);

    match Db::open(DIR, options(&storage)) {
        Err(OpenError::LogDamaged(d)) => assert_eq!((d.offset, d.seq), (at, Some(seq))),
        other => panic!("expected LogDamaged, got {other:?}"),
    }
    let db = Db::open(DIR, options(&storage).repair(true)).unwrap();
    let cut = db.recovery_report().cut.clone().unwrap();
    assert!(cut.repaired);
    assert_eq!(cut.offset, at);
    assert_eq!(db.last_seq(), last);
    assert!(db.read().state() == reference.state());
}
