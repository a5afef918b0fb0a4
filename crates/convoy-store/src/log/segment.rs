//! A log segment: a header, then records with consecutive sequence numbers.
//!
//! ```text
//! offset  size  field
//!      0     8  magic b"CONVOYLG"
//!      8     4  format version: u32 LE (1)
//!     12     4  salt: u32 LE, random per segment, mixed into every record CRC
//!     16     8  first_seq: u64 LE, sequence number of the first record
//!     24     4  CRC32C of bytes 0..24
//!     28     …  records (see `record.rs`)
//! ```

use super::record::{self, Record};
use crate::error::Damage;

/// Bytes in a segment header.
pub(crate) const HEADER_LEN: usize = 28;
const MAGIC: &[u8; 8] = b"CONVOYLG";
/// The log format version this build writes and reads.
pub(crate) const VERSION: u32 = 1;

/// A segment's header.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Header {
    pub(crate) salt: u32,
    pub(crate) first_seq: u64,
}

impl Header {
    pub(crate) fn encode(&self) -> [u8; HEADER_LEN] {
        let mut out = [0u8; HEADER_LEN];
        out[..8].copy_from_slice(MAGIC);
        out[8..12].copy_from_slice(&VERSION.to_le_bytes());
        out[12..16].copy_from_slice(&self.salt.to_le_bytes());
        out[16..24].copy_from_slice(&self.first_seq.to_le_bytes());
        let crc = crc32c::crc32c(&out[..24]);
        out[24..].copy_from_slice(&crc.to_le_bytes());
        out
    }

    /// Decodes and checks a header at the start of `bytes`.
    pub(crate) fn decode(bytes: &[u8]) -> Result<Self, Damage> {
        let Some(head) = bytes.get(..HEADER_LEN) else {
            return Err(Damage::Truncated { missing: (HEADER_LEN - bytes.len()) as u64 });
        };
        if &head[..8] != MAGIC {
            return Err(Damage::BadMagic);
        }
        let word = |at: usize| u32::from_le_bytes([head[at], head[at + 1], head[at + 2], head[at + 3]]);
        let stored = word(24);
        let computed = crc32c::crc32c(&head[..24]);
        if stored != computed {
            return Err(Damage::HeaderChecksum);
        }
        let version = word(8);
        if version != VERSION {
            return Err(Damage::Version { found: version, supported: VERSION });
        }
        let mut seq = [0u8; 8];
        seq.copy_from_slice(&head[16..24]);
        let first_seq = u64::from_le_bytes(seq);
        if first_seq == 0 || first_seq > record::MAX_SEQ {
            return Err(Damage::Sequence { expected: 1, found: first_seq });
        }
        Ok(Self { salt: word(12), first_seq })
    }
}

/// How a segment ends.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) enum Tail {
    /// After the last record, nothing.
    Clean,
    /// A torn or corrupt record with nothing valid after it: an interrupted
    /// write. Cuttable if this is the last segment.
    Torn { offset: u64, damage: Damage },
    /// A bad record followed by a valid one: damage in the middle.
    Damaged { offset: u64, seq: u64, damage: Damage },
}

/// A segment read back: its header, its good records with their offsets,
/// where the good part ends, and how the rest looks.
#[derive(Debug)]
pub(crate) struct Scan<'a> {
    pub(crate) header: Header,
    pub(crate) records: Vec<(u64, Record<'a>)>,
    pub(crate) end: u64,
    pub(crate) tail: Tail,
}

impl Scan<'_> {
    /// Sequence number of the last good record, or `first_seq - 1`.
    pub(crate) fn last_seq(&self) -> u64 {
        self.records.last().map_or(self.header.first_seq.saturating_sub(1), |(_, r)| r.seq)
    }
}

/// Whether `region` (starting at file offset `start`, a damaged record,
/// and ending where a valid record starts) is a power-loss gap rather than
/// damage. Unsynced appends can reach the disk out of order, at sector
/// (512-byte) or page granularity, leaving zeros where a lost write was.
/// So a gap is: all zeros, or a whole zero sector (512 zero bytes from a
/// 512-aligned offset, or from the damaged record's start). A bit flip never
/// makes one, and records hold no long zero runs (text fields refuse NUL;
/// ids are random): only about 64 consecutive nil ids could. Records after
/// such a gap were never synced, so cutting there keeps an acknowledged
/// prefix.
fn is_hole(region: &[u8], start: usize) -> bool {
    const SECTOR: usize = 512;
    let mut from: Option<usize> = None;
    for (i, &b) in region.iter().enumerate() {
        let pos = start + i;
        if b != 0 {
            from = None;
            continue;
        }
        if from.is_none() && (pos == start || pos.is_multiple_of(SECTOR)) {
            from = Some(pos);
        }
        if from.is_some_and(|f| pos + 1 - f >= SECTOR) {
            return true;
        }
    }
    region.iter().all(|&b| b == 0)
}

/// Reads a whole segment. Never panics, never allocates beyond the list of
/// record positions. O(bytes).
///
/// # Errors
/// The header's damage.
pub(crate) fn scan(bytes: &[u8]) -> Result<Scan<'_>, Damage> {
    let header = Header::decode(bytes)?;
    let mut records = Vec::new();
    let mut at = HEADER_LEN;
    let mut expected = header.first_seq;
    let tail = loop {
        let Some(rest) = bytes.get(at..).filter(|r| !r.is_empty()) else { break Tail::Clean };
        let offset = at as u64;
        match record::decode(rest, header.salt) {
            Ok(rec) if rec.seq == expected => {
                at += rec.framed_len();
                expected += 1;
                records.push((offset, rec));
            }
            Ok(rec) => {
                break Tail::Damaged { offset, seq: expected, damage: Damage::Sequence { expected, found: rec.seq } };
            }
            Err(damage) => {
                let later = &rest[1..];
                let most = expected.saturating_add(later.len() as u64 / (record::HEADER_LEN as u64 + 1) + 1);
                break match record::next_valid(later, header.salt, expected..=most) {
                    Some(next) if !is_hole(&rest[..=next], at) => Tail::Damaged { offset, seq: expected, damage },
                    _ => Tail::Torn { offset, damage },
                };
            }
        }
    };
    Ok(Scan { header, records, end: at as u64, tail })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(first_seq: u64, payloads: &[&[u8]]) -> Vec<u8> {
        let header = Header { salt: 99, first_seq };
        let mut out = header.encode().to_vec();
        for (i, p) in payloads.iter().enumerate() {
            record::encode(&mut out, 99, first_seq + i as u64, p);
        }
        out
    }

    #[test]
    fn a_clean_segment_scans_fully() {
        let bytes = segment(5, &[b"a", b"bb", b"ccc"]);
        let scan = scan(&bytes).unwrap();
        assert_eq!(scan.tail, Tail::Clean);
        assert_eq!(scan.records.iter().map(|(_, r)| r.seq).collect::<Vec<_>>(), vec![5, 6, 7]);
        assert_eq!(scan.end, bytes.len() as u64);
        assert_eq!(scan.last_seq(), 7);
    }

    #[test]
    fn damage_before_the_last_record_is_not_a_torn_tail() {
        let mut bytes = segment(1, &[b"first", b"second", b"third"]);
        let second = HEADER_LEN + record::HEADER_LEN + 5;
        bytes[second + 20] ^= 0x10;
        let scan = scan(&bytes).unwrap();
        assert!(
            matches!(scan.tail, Tail::Damaged { offset, seq: 2, .. } if offset == second as u64),
            "{:?}",
            scan.tail
        );
    }

    #[test]
    fn a_zero_filled_gap_before_later_records_is_a_torn_tail() {
        let clean = segment(1, &[b"first", b"second", b"third"]);
        let second = HEADER_LEN + record::HEADER_LEN + 5;
        let third = second + record::HEADER_LEN + 6;
        let mut bytes = clean.clone();
        bytes[second..third].fill(0);
        let scan = scan(&bytes).unwrap();
        assert!(matches!(scan.tail, Tail::Torn { offset, .. } if offset == second as u64), "{:?}", scan.tail);
        assert_eq!(scan.records.len(), 1);
        // A few zero bytes inside a record are damage, not a gap.
        let mut bytes = clean;
        bytes[second + 3..second + 9].fill(0);
        assert!(matches!(scan_tail(&bytes), Tail::Damaged { .. }));
    }

    #[test]
    fn a_long_zero_run_counts_as_a_gap_only_from_a_sector_boundary_or_the_record_start() {
        // 600 zeros starting at an unaligned offset inside a region: no
        // aligned sector fits, so it is damage.
        let mut region = vec![1u8; 700];
        region[10..610].fill(0);
        assert!(!is_hole(&region, 100));
        // The same run where a sector boundary falls early in it: a gap.
        assert!(is_hole(&region, 512 - 20));
        // Zeros from the damaged record's own start: a gap.
        let mut region = vec![0u8; 600];
        region[599] = 1;
        assert!(is_hole(&region, 3));
        assert!(is_hole(&[0; 40], 3));
        assert!(!is_hole(&[0, 0, 1, 0], 3));
    }

    fn scan_tail(bytes: &[u8]) -> Tail {
        scan(bytes).unwrap().tail
    }

    #[test]
    fn a_damaged_last_record_is_a_torn_tail() {
        let mut bytes = segment(1, &[b"first", b"second"]);
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let scan = scan(&bytes).unwrap();
        assert!(matches!(scan.tail, Tail::Torn { .. }));
        assert_eq!(scan.records.len(), 1);
    }

    #[test]
    fn header_damage_is_named() {
        let bytes = segment(1, &[]);
        assert_eq!(Header::decode(&bytes[..10]), Err(Damage::Truncated { missing: 18 }));
        let mut bad = bytes.clone();
        bad[0] = b'X';
        assert_eq!(Header::decode(&bad), Err(Damage::BadMagic));
        let mut bad = bytes;
        bad[20] ^= 1;
        assert_eq!(Header::decode(&bad), Err(Damage::HeaderChecksum));
    }
}
