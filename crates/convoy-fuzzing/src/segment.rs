//! Target `log_segment`: bytes → the segment scanner and open-time recovery.
//!
//! The first byte picks the mode. Even: the rest is a raw segment file.
//! Odd: the rest is a structured plan (`arbitrary`) for a segment built the
//! way the writer builds one — a header and records of real batches with
//! correct checksums, wrong sequence numbers, foreign payloads, garbage and
//! zero runs — then damaged by bit flips, zeroed ranges and a cut. Either
//! way the segment is scanned, and its scan checked for consistency (good
//! records are consecutive, contiguous and re-encode to their bytes; the
//! tail starts where they end). Then the segment is the only file of a data
//! directory on `MemStorage`, and `Db::open` must do exactly what the
//! recovery rules (ARCHITECTURE.md, "Recovery") say for that scan: open to
//! the replay of the good records (cutting a torn tail), or refuse with
//! `LogDamaged`; with `repair`, always open, to the records before the first
//! damage. A repaired directory must then take a commit and keep it.

use std::path::Path;
use std::sync::Arc;

use arbitrary::{Arbitrary, Unstructured};
use convoy_core::{Graph, State};
use convoy_store::fuzzing::{self as store, SegmentScan, SegmentTail};
use convoy_store::{Db, MemStorage, OpenError, Options};

use crate::bug;
use crate::plan::{BatchPlan, Minter};

const DIR: &str = "/data";
const MAX_PIECES: usize = 12;

/// A structured segment.
#[derive(Arbitrary, Debug)]
struct Plan {
    salt: u32,
    /// Written to the header as `1 + first_seq / 200` (mostly 1).
    first_seq: u8,
    pieces: Vec<Piece>,
    hits: Vec<Hit>,
}

/// One stretch of the segment body.
#[derive(Arbitrary, Debug)]
enum Piece {
    /// A record holding a batch built against the records before it.
    Batch(BatchPlan),
    /// A record with the next seq holding arbitrary bytes.
    Payload(Vec<u8>),
    /// A record holding a batch, with its seq shifted by `delta`.
    Seq(i8, BatchPlan),
    /// Arbitrary bytes.
    Raw(Vec<u8>),
    /// A run of zeros.
    Zeros(u16),
}

/// Damage done after the segment is built.
#[derive(Arbitrary, Debug)]
enum Hit {
    /// Flips bit `bit % 8` of byte `at % len`.
    Flip(u16, u8),
    /// Zeroes `len` bytes from `at % len`.
    Zero(u16, u16),
    /// Cuts the file at `at % len`.
    Cut(u16),
}

/// Runs one input; panics only on a real bug.
pub fn log_segment(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else { return };
    let bytes = if mode % 2 == 0 {
        rest.to_vec()
    } else {
        let Ok(plan) = Plan::arbitrary_take_rest(Unstructured::new(rest)) else { return };
        build(&plan)
    };
    let scan = store::segment_scan(&bytes);
    if let Ok(scan) = &scan {
        scan_checks(&bytes, scan);
    }
    recovery_checks(&bytes, scan.as_ref().ok());
}

fn build(plan: &Plan) -> Vec<u8> {
    let first = 1 + u64::from(plan.first_seq / 200);
    let mut out = store::segment_header(plan.salt, first).to_vec();
    let mut minter = Minter::new();
    let mut graph = Graph::new();
    let mut seq = first;
    let record = |out: &mut Vec<u8>, seq: u64, payload: &[u8]| {
        out.extend_from_slice(&store::record_encode(plan.salt, seq, payload));
    };
    for piece in plan.pieces.iter().take(MAX_PIECES) {
        match piece {
            Piece::Batch(p) | Piece::Seq(_, p) => {
                let batch = minter.batch(p, &graph);
                let _ = graph.apply(&batch);
                let payload = store::encode_batch(&batch).unwrap_or_else(|e| bug(format!("encode: {e}")));
                let delta = if let Piece::Seq(d, _) = piece { i64::from(*d) } else { 0 };
                record(&mut out, seq.saturating_add_signed(delta), &payload);
                seq += 1;
            }
            Piece::Payload(bytes) => {
                record(&mut out, seq, bytes);
                seq += 1;
            }
            Piece::Raw(bytes) => out.extend_from_slice(bytes),
            Piece::Zeros(n) => out.resize(out.len() + usize::from(*n), 0),
        }
    }
    for hit in &plan.hits {
        let len = out.len().max(1);
        match *hit {
            Hit::Flip(at, bit) => {
                if let Some(b) = out.get_mut(usize::from(at) % len) {
                    *b ^= 1 << (bit % 8);
                }
            }
            Hit::Zero(at, n) => {
                let start = usize::from(at) % len;
                let end = (start + usize::from(n)).min(out.len());
                out[start.min(end)..end].fill(0);
            }
            Hit::Cut(at) => out.truncate(usize::from(at) % len),
        }
    }
    out
}

fn scan_checks(bytes: &[u8], scan: &SegmentScan<'_>) {
    let mut at = store::SEGMENT_HEADER_LEN as u64;
    for (i, &(offset, seq, payload)) in scan.records.iter().enumerate() {
        assert!(offset == at, "record {i} at {offset}, but the one before ends at {at}");
        assert!(seq == scan.first_seq + i as u64, "record {i} has seq {seq} in a segment from {}", scan.first_seq);
        let framed = store::record_encode(scan.salt, seq, payload);
        assert!(bytes[offset as usize..].starts_with(&framed), "record {i} does not re-encode to its bytes");
        at += framed.len() as u64;
    }
    assert!(scan.end == at, "the good part ends at {}, the records at {at}", scan.end);
    match &scan.tail {
        SegmentTail::Clean => {
            assert!(at == bytes.len() as u64, "clean tail with {} bytes left", bytes.len() as u64 - at)
        }
        SegmentTail::Torn { offset, .. } => assert!(*offset == at && at < bytes.len() as u64, "torn at {offset}"),
        SegmentTail::Damaged { offset, seq, .. } => {
            assert!(*offset == at && at < bytes.len() as u64, "damaged at {offset}");
            assert!(*seq == scan.first_seq + scan.records.len() as u64, "damage names seq {seq}");
        }
    }
}

/// States after each good record that decodes and applies, in order
/// (`states[0]` is empty), and whether every good record did.
fn replay(scan: &SegmentScan<'_>) -> (Vec<State>, bool) {
    let mut graph = Graph::new();
    let mut states = vec![graph.state()];
    for &(_, _, payload) in &scan.records {
        let Ok(batch) = store::decode_batch(payload) else { return (states, false) };
        if graph.apply(&batch).is_err() {
            return (states, false);
        }
        states.push(graph.state());
    }
    (states, true)
}

fn open(storage: &MemStorage, repair: bool) -> Result<Db, OpenError> {
    let options = Options::new().storage(Arc::new(storage.clone())).segment_size(4096).repair(repair);
    Db::open(DIR, options.snapshot_every(None, None))
}

fn recovery_checks(bytes: &[u8], scan: Option<&SegmentScan<'_>>) {
    let path = Path::new(DIR).join(store::segment_name(1));
    let storage = MemStorage::new();
    storage.put(&path, bytes.to_vec());
    let (states, all_apply) = scan.map_or_else(|| (vec![Graph::new().state()], false), replay);
    let from_one = scan.is_some_and(|s| s.first_seq == 1);
    // What the rules say: (opens, records recovered, cut expected).
    let (opens, good, cut) = match scan {
        None => {
            let torn = bytes.len() < store::SEGMENT_HEADER_LEN || bytes.iter().all(|&b| b == 0);
            (torn, 0, torn)
        }
        Some(_) if !from_one => (false, 0, false),
        Some(_) if !all_apply => (false, states.len() - 1, false),
        Some(s) => match s.tail {
            SegmentTail::Clean => (true, s.records.len(), false),
            SegmentTail::Torn { .. } => (true, s.records.len(), true),
            SegmentTail::Damaged { .. } => (false, s.records.len(), false),
        },
    };
    match open(&storage, false) {
        Ok(db) => {
            assert!(opens, "opened a segment the rules refuse (scan {scan:?})");
            let report = db.recovery_report();
            assert!(report.cut.is_some() == cut, "cut {:?}, expected a cut: {cut}", report.cut);
            assert!(db.last_seq() == good as u64, "recovered seq {}, expected {good}", db.last_seq());
            assert!(db.read().state() == states[good], "recovered state differs from the replay of the good records");
        }
        Err(OpenError::LogDamaged(at)) => {
            assert!(!opens, "refused a segment the rules open: {at}");
        }
        Err(e) => bug(format!("opening a one-segment directory failed with {e}")),
    }
    let repaired = MemStorage::new();
    repaired.put(&path, bytes.to_vec());
    let db = open(&repaired, true).unwrap_or_else(|e| bug(format!("repair refused to open: {e}")));
    let expected = if from_one { good } else { 0 };
    assert!(db.last_seq() == expected as u64, "repair recovered seq {}, expected {expected}", db.last_seq());
    assert!(db.read().state() == states[expected], "repair recovered another state");
    if let Err(v) = db.read().check_invariants() {
        bug(format!("recovered graph breaks invariants: {v}"));
    }
    crate::recovered::commit_and_reopen(db, &repaired);
}
