//! Damaged files: torn tails are cut and reported; damage anywhere else is
//! a named error (or, for the newest snapshot, a fallback to the previous
//! one); hostile lengths are refused without allocating.

use std::path::{Path, PathBuf};

use convoy_core::{Graph, State};
use convoy_store::{Damage, Db, MemStorage, OpenError, Storage};

use crate::support::{DIR, files, options};
use crate::workload::Workload;

/// A store with `commits` committed batches (all valid), the state after
/// each (index = commits so far), and the log length after each.
pub(crate) struct Built {
    pub(crate) storage: MemStorage,
    pub(crate) states: Vec<State>,
    pub(crate) lengths: Vec<usize>,
    pub(crate) segment: PathBuf,
}

pub(crate) fn build(commits: usize, snapshots_at: &[usize]) -> Built {
    let storage = MemStorage::new();
    let db = Db::open(DIR, options(&storage)).unwrap();
    let mut work = Workload::new(7);
    let mut reference = Graph::new();
    let (setup, project) = work.setup();
    reference.apply(&setup).unwrap();
    db.commit(setup).unwrap();
    let mut states = vec![Graph::new().state(), reference.state()];
    let mut lengths = Vec::new();
    for i in 1..commits {
        let (batch, _) = work.new_tasks(project, 1 + i % 3);
        reference.apply(&batch).unwrap();
        db.commit(batch).unwrap();
        states.push(reference.state());
        if snapshots_at.contains(&(i + 1)) {
            db.snapshot().unwrap();
        }
        let segment = files(&storage, "log-").pop().unwrap();
        lengths.push(storage.contents(&segment).unwrap().len());
    }
    db.close().unwrap();
    let segment = files(&storage, "log-").pop().unwrap();
    Built { storage, states, lengths, segment }
}

/// An independent copy of a store's files.
pub(crate) fn copy(storage: &MemStorage) -> MemStorage {
    let out = MemStorage::new();
    for name in storage.list(Path::new(DIR)).unwrap() {
        let path = Path::new(DIR).join(name);
        out.put(&path, storage.contents(&path).unwrap());
    }
    out
}

fn one_more_commit_survives(storage: &MemStorage, before: &State) {
    let db = Db::open(DIR, options(storage)).unwrap();
    assert_eq!(&db.read().state(), before);
    let mut reference = Graph::from_state(before.clone()).unwrap();
    let mut work = Workload::new(99);
    let batch = work.batch(&reference);
    let ok = reference.apply(&batch).is_ok();
    assert_eq!(db.commit(batch).is_ok(), ok);
    db.close().unwrap();
    let db = Db::open(DIR, options(storage)).unwrap();
    assert!(db.recovery_report().cut.is_none());
    assert_eq!(db.read().state(), reference.state());
}

#[test]
fn truncation_at_every_byte_of_the_last_records_keeps_exactly_the_complete_ones() {
    let built = build(8, &[]);
    let full = built.storage.contents(&built.segment).unwrap();
    let from = built.lengths[built.lengths.len() - 4];
    for cut in from..full.len() {
        let storage = copy(&built.storage);
        storage.put(&built.segment, full[..cut].to_vec());
        let db = Db::open(DIR, options(&storage)).unwrap_or_else(|e| panic!("cut at {cut}: {e}"));
        // Records complete within `cut` bytes: every one whose end fits.
        // The setup commit, then every record whose end fits.
        let kept = 1 + built.lengths.iter().filter(|&&end| end <= cut).count();
        assert!(db.read().state() == built.states[kept], "cut at {cut}: not the state after {kept} commits");
        let at_boundary = built.lengths.contains(&cut);
        assert_eq!(db.recovery_report().cut.is_some(), !at_boundary, "cut at {cut}");
        drop(db);
        one_more_commit_survives(&storage, &built.states[kept]);
    }
}

#[test]
fn zeros_or_garbage_after_the_last_record_are_cut_and_reported() {
    let built = build(5, &[]);
    let full = built.storage.contents(&built.segment).unwrap();
    let last = built.states.last().unwrap();
    for tail in [vec![0u8; 1], vec![0; 4096], vec![0xA5; 17], (0..=255).collect::<Vec<u8>>()] {
        let storage = copy(&built.storage);
        let mut bytes = full.clone();
        bytes.extend_from_slice(&tail);
        storage.put(&built.segment, bytes);
        let db = Db::open(DIR, options(&storage)).unwrap();
        let cut = db.recovery_report().cut.clone().expect("a cut is reported");
        assert_eq!((cut.offset, cut.bytes, cut.repaired), (full.len() as u64, tail.len() as u64, false));
        assert_eq!(&db.read().state(), last);
        drop(db);
        one_more_commit_survives(&storage, last);
    }
}

#[test]
fn bit_flips_in_mid_log_records_are_named_errors_and_repair_cuts_there() {
    let built = build(6, &[]);
    let full = built.storage.contents(&built.segment).unwrap();
    // The third record of the segment: between the ends of the 2nd and 3rd.
    let (start, end) = (built.lengths[1], built.lengths[2]);
    for bit in (start * 8..end * 8).step_by(3) {
        let storage = copy(&built.storage);
        let mut bytes = full.clone();
        bytes[bit / 8] ^= 1 << (bit % 8);
        storage.put(&built.segment, bytes);
        match Db::open(DIR, options(&storage)) {
            Err(OpenError::LogDamaged(at)) => {
                assert_eq!((at.file.as_path(), at.offset), (built.segment.as_path(), start as u64), "bit {bit}");
                assert_eq!(at.seq, Some(4), "bit {bit}");
            }
            other => panic!("bit {bit}: expected LogDamaged, got {other:?}"),
        }
        let db = Db::open(DIR, options(&storage).repair(true)).unwrap();
        let cut = db.recovery_report().cut.clone().unwrap();
        assert!(cut.repaired);
        assert_eq!(cut.offset, start as u64);
        assert_eq!(db.read().state(), built.states[3], "bit {bit}");
    }
}

#[test]
fn a_frame_claiming_4_gib_mid_log_is_a_length_error() {
    let built = build(5, &[]);
    let mut bytes = built.storage.contents(&built.segment).unwrap();
    let at = built.lengths[1];
    bytes[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
    built.storage.put(&built.segment, bytes);
    let err = Db::open(DIR, options(&built.storage)).unwrap_err();
    assert!(matches!(&err, OpenError::LogDamaged(d) if matches!(d.damage, Damage::Length { .. })), "{err}");
}

#[test]
fn a_damaged_newest_snapshot_falls_back_to_the_previous_one() {
    let built = build(9, &[4, 7]);
    let snaps = files(&built.storage, "snap-");
    assert_eq!(snaps.len(), 2, "the two newest snapshots are kept");
    let newest = built.storage.contents(&snaps[1]).unwrap();
    let last = built.states.last().unwrap();
    for bit in (0..newest.len() * 8).step_by(7) {
        let storage = copy(&built.storage);
        let mut bytes = newest.clone();
        bytes[bit / 8] ^= 1 << (bit % 8);
        storage.put(&snaps[1], bytes);
        let db = Db::open(DIR, options(&storage)).unwrap_or_else(|e| panic!("bit {bit}: {e}"));
        assert_eq!(db.recovery_report().skipped_snapshots.len(), 1, "bit {bit}");
        assert_eq!(db.recovery_report().snapshot, Some(4));
        assert_eq!(&db.read().state(), last, "bit {bit}");
    }
}

#[test]
fn with_every_snapshot_damaged_open_names_each() {
    let built = build(9, &[4, 7]);
    for snap in files(&built.storage, "snap-") {
        let mut bytes = built.storage.contents(&snap).unwrap();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0x40;
        built.storage.put(&snap, bytes);
    }
    match Db::open(DIR, options(&built.storage)) {
        Err(OpenError::SnapshotsDamaged { damaged }) => assert_eq!(damaged.len(), 2),
        other => panic!("expected SnapshotsDamaged, got {other:?}"),
    }
}

/// A snapshot file with valid checksums around a hostile payload.
fn forged_snapshot(seq: u64, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(b"CONVOYSN");
    out.extend_from_slice(&1u32.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&seq.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    let crc = crc32c::crc32c(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(payload);
    let mut footer = Vec::new();
    footer.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    footer.extend_from_slice(&crc32c::crc32c(payload).to_le_bytes());
    let own = crc32c::crc32c(&footer);
    footer.extend_from_slice(&own.to_le_bytes());
    out.extend_from_slice(&footer);
    out
}

#[test]
fn a_snapshot_claiming_2_pow_64_elements_or_huge_strings_is_a_decode_error() {
    // varint marker 0xff: a u64 follows. The state's first field is a
    // sequence of entities: claim u64::MAX of them; then a string of 2^40.
    let mut huge_seq = vec![0xff];
    huge_seq.extend_from_slice(&u64::MAX.to_le_bytes());
    let mut huge_string = vec![1u8];
    huge_string.extend_from_slice(&[0u8; 16]);
    huge_string.push(0xff);
    huge_string.extend_from_slice(&(1u64 << 40).to_le_bytes());
    for payload in [huge_seq, huge_string] {
        let storage = MemStorage::new();
        storage.put(&Path::new(DIR).join(format!("snap-{:020}.cvs", 0)), forged_snapshot(0, &payload));
        match Db::open(DIR, options(&storage)) {
            Err(OpenError::SnapshotsDamaged { damaged }) => {
                assert!(matches!(damaged[0].damage, Damage::Decode { .. }), "{:?}", damaged[0]);
            }
            other => panic!("expected SnapshotsDamaged, got {other:?}"),
        }
    }
}
