//! The decoders and encoders the fuzz harnesses (crate `convoy-fuzzing`)
//! drive directly: thin, logic-free wrappers over crate-private functions.
//! Not part of the public API: hidden from the docs and free to change.

use std::path::Path;

use convoy_core::{Batch, State};

use crate::error::Damage;
use crate::log::{record, segment};
use crate::storage::MemStorage;
use crate::{codec, dir, snapshot};

/// Bytes before a record's payload.
pub const RECORD_HEADER_LEN: usize = record::HEADER_LEN;
/// Bytes in a segment header.
pub const SEGMENT_HEADER_LEN: usize = segment::HEADER_LEN;
/// The largest sequence number a file may hold.
pub const MAX_SEQ: u64 = record::MAX_SEQ;

/// One framed record (`log/record.rs`): header and payload.
#[must_use]
pub fn record_encode(salt: u32, seq: u64, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(RECORD_HEADER_LEN + payload.len());
    record::encode(&mut out, salt, seq, payload);
    out
}

/// Decodes the record at the start of `bytes`: its seq and payload.
///
/// # Errors
/// The record's damage.
pub fn record_decode(bytes: &[u8], salt: u32) -> Result<(u64, &[u8]), Damage> {
    record::decode(bytes, salt).map(|r| (r.seq, r.payload))
}

/// Where the first valid record with a seq in `seqs` starts in `bytes`.
#[must_use]
pub fn record_next_valid(bytes: &[u8], salt: u32, seqs: std::ops::RangeInclusive<u64>) -> Option<usize> {
    record::next_valid(bytes, salt, seqs)
}

/// A segment header (`log/segment.rs`).
#[must_use]
pub fn segment_header(salt: u32, first_seq: u64) -> [u8; SEGMENT_HEADER_LEN] {
    segment::Header { salt, first_seq }.encode()
}

/// How a scanned segment ends (mirrors the crate's `Tail`).
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum SegmentTail {
    /// Nothing after the last record.
    Clean,
    /// A bad record with nothing valid after it.
    Torn {
        /// Where it starts.
        offset: u64,
        /// What is wrong with it.
        damage: Damage,
    },
    /// A bad record followed by a valid one.
    Damaged {
        /// Where it starts.
        offset: u64,
        /// The seq it should have had.
        seq: u64,
        /// What is wrong with it.
        damage: Damage,
    },
}

/// A scanned segment: header fields, good records as `(offset, seq, payload)`,
/// where the good part ends, and the tail.
#[derive(Debug)]
pub struct SegmentScan<'a> {
    /// The header's salt.
    pub salt: u32,
    /// The header's first seq.
    pub first_seq: u64,
    /// The good records.
    pub records: Vec<(u64, u64, &'a [u8])>,
    /// Where the good part ends.
    pub end: u64,
    /// How the rest looks.
    pub tail: SegmentTail,
}

/// Scans a whole segment.
///
/// # Errors
/// The header's damage.
pub fn segment_scan(bytes: &[u8]) -> Result<SegmentScan<'_>, Damage> {
    let scan = segment::scan(bytes)?;
    let tail = match scan.tail {
        segment::Tail::Clean => SegmentTail::Clean,
        segment::Tail::Torn { offset, damage } => SegmentTail::Torn { offset, damage },
        segment::Tail::Damaged { offset, seq, damage } => SegmentTail::Damaged { offset, seq, damage },
    };
    let records = scan.records.iter().map(|(offset, r)| (*offset, r.seq, r.payload)).collect();
    Ok(SegmentScan { salt: scan.header.salt, first_seq: scan.header.first_seq, records, end: scan.end, tail })
}

/// Encodes a batch as a record payload.
///
/// # Errors
/// The codec's complaint.
pub fn encode_batch(batch: &Batch) -> Result<Vec<u8>, String> {
    codec::encode_batch(batch)
}

/// Decodes a record payload.
///
/// # Errors
/// [`Damage::Decode`].
pub fn decode_batch(bytes: &[u8]) -> Result<Batch, Damage> {
    codec::decode_batch(bytes)
}

/// Decodes a snapshot payload.
///
/// # Errors
/// [`Damage::Decode`].
pub fn decode_state(bytes: &[u8]) -> Result<State, Damage> {
    codec::decode_state(bytes)
}

/// A whole snapshot file for `state` at `seq`, as the store writes it.
///
/// # Errors
/// The (in-memory) write's error, as text.
pub fn snapshot_encode(seq: u64, state: &State) -> Result<Vec<u8>, String> {
    let storage = MemStorage::new();
    let (path, _) = snapshot::write(&storage, Path::new("/fuzz"), seq, state).map_err(|e| e.to_string())?;
    storage.contents(&path).ok_or_else(|| "snapshot vanished".to_owned())
}

/// Decodes a snapshot file's bytes (header, payload, footer).
///
/// # Errors
/// The damage and its offset.
pub fn snapshot_decode(bytes: &[u8]) -> Result<(u64, State), (u64, Damage)> {
    snapshot::decode(bytes)
}

/// The file name of the segment starting at `first_seq`.
#[must_use]
pub fn segment_name(first_seq: u64) -> String {
    dir::segment_name(first_seq)
}

/// The file name of the snapshot at `seq`.
#[must_use]
pub fn snapshot_name(seq: u64) -> String {
    dir::snapshot_name(seq)
}
