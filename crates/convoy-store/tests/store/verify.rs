//! `verify`: a sound directory passes, every kind of damage is a named
//! fault, a torn tail is noted but not a fault, and nothing is changed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use convoy_store::{Db, Fault, FileKind, MemStorage, OpenError, Storage, verify};

use crate::damage::{build, copy};
use crate::support::{DIR, files, options};

/// Every file's bytes, to show `verify` changed nothing.
fn image(storage: &MemStorage) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut names = storage.list(Path::new(DIR)).unwrap();
    names.retain(|n| n != "LOCK");
    names.into_iter().map(|n| Path::new(DIR).join(n)).map(|p| (p.clone(), storage.contents(&p).unwrap())).collect()
}

#[test]
fn a_sound_directory_has_no_faults_and_matches_what_open_recovers() {
    let built = build(9, &[4, 7]);
    let before = image(&built.storage);
    let report = verify(DIR, &options(&built.storage)).unwrap();
    assert!(report.is_sound(), "{:?}", report.faults);
    assert_eq!(image(&built.storage), before, "verify changed a file");
    assert_eq!(report.snapshot, Some(7));
    let db = Db::open(DIR, options(&built.storage)).unwrap();
    assert_eq!(report.last_seq, db.last_seq());
    assert_eq!((report.entities, report.relationships), (db.read().entity_count(), db.read().relationship_count()));
    let snapshots = report.files.iter().filter(|f| matches!(f.kind, FileKind::Snapshot { .. })).count();
    assert_eq!(snapshots, 2);
    let records: u64 =
        report.files.iter().filter(|f| matches!(f.kind, FileKind::Segment { .. })).map(|f| f.items).sum();
    assert!(records > 0);
}

#[test]
fn a_bit_flip_in_a_mid_log_record_is_a_fault_naming_file_and_offset() {
    let built = build(6, &[]);
    let mut bytes = built.storage.contents(&built.segment).unwrap();
    let at = built.lengths[1];
    bytes[at + 20] ^= 0x10;
    built.storage.put(&built.segment, bytes);
    let before = image(&built.storage);
    let report = verify(DIR, &options(&built.storage)).unwrap();
    assert_eq!(image(&built.storage), before, "verify changed a file");
    let damaged: Vec<_> = report
        .faults
        .iter()
        .filter_map(|f| match f {
            Fault::Damaged(d) => Some((d.file.clone(), d.offset)),
            _ => None,
        })
        .collect();
    assert_eq!(damaged, vec![(built.segment.clone(), at as u64)], "{:?}", report.faults);
    assert!(report.faults.iter().any(|f| matches!(f, Fault::Replay { .. })), "{:?}", report.faults);
}

#[test]
fn a_damaged_older_snapshot_is_a_fault_though_open_never_reads_it() {
    let built = build(9, &[4, 7]);
    let snaps = files(&built.storage, "snap-");
    let mut bytes = built.storage.contents(&snaps[0]).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    built.storage.put(&snaps[0], bytes);
    assert!(Db::open(DIR, options(&copy(&built.storage))).is_ok(), "open uses the newest snapshot");
    let report = verify(DIR, &options(&built.storage)).unwrap();
    assert!(matches!(report.faults.as_slice(), [Fault::Damaged(d)] if d.file == snaps[0]), "{:?}", report.faults);
}

#[test]
fn a_torn_tail_is_noted_not_a_fault_and_is_left_in_place() {
    let built = build(5, &[]);
    let mut bytes = built.storage.contents(&built.segment).unwrap();
    let full = bytes.len();
    bytes.extend_from_slice(&[0xA5; 17]);
    built.storage.put(&built.segment, bytes);
    let report = verify(DIR, &options(&built.storage)).unwrap();
    assert!(report.is_sound(), "{:?}", report.faults);
    let torn = report.files.iter().find_map(|f| f.torn_tail.clone()).expect("the torn tail is noted");
    assert_eq!((torn.file, torn.offset), (built.segment.clone(), full as u64));
    assert_eq!(built.storage.contents(&built.segment).unwrap().len(), full + 17, "verify cut the tail");
}

#[test]
fn verify_refuses_a_directory_a_handle_holds() {
    let storage = MemStorage::new();
    let db = Db::open(DIR, options(&storage)).unwrap();
    let err = verify(DIR, &options(&storage)).unwrap_err();
    assert!(matches!(err, OpenError::Locked { .. }), "{err}");
    drop(db);
    assert!(verify(DIR, &options(&storage)).unwrap().is_sound());
}
