//! One log record: a framed, checksummed batch.
//!
//! ```text
//! offset  size  field
//!      0     4  len: u32 LE, payload length, 1..=MAX_RECORD_LEN
//!      4     8  seq: u64 LE, the batch's sequence number
//!     12     4  crc: u32 LE, CRC32C of (segment salt ‖ len ‖ seq ‖ payload)
//!     16   len  payload: the encoded batch
//! ```
//!
//! The segment's random salt enters every checksum, so bytes left over
//! from another segment never validate here.

use crate::error::Damage;

/// Bytes before a record's payload.
pub(crate) const HEADER_LEN: usize = 16;

/// The largest sequence number a file may hold (2^62 - 1): far beyond any
/// real log, and far enough from `u64::MAX` that `seq + 1` never overflows
/// on forged input.
pub(crate) const MAX_SEQ: u64 = u64::MAX >> 2;

/// The largest payload a record may carry (1 GiB). Checked before anything
/// is allocated or read.
pub const MAX_RECORD_LEN: u32 = 1 << 30;

fn checksum(salt: u32, len: u32, seq: u64, payload: &[u8]) -> u32 {
    let mut head = [0u8; 16];
    head[..4].copy_from_slice(&salt.to_le_bytes());
    head[4..8].copy_from_slice(&len.to_le_bytes());
    head[8..].copy_from_slice(&seq.to_le_bytes());
    crc32c::crc32c_append(crc32c::crc32c(&head), payload)
}

/// Appends one framed record to `out`. The caller has checked
/// `payload.len() <= MAX_RECORD_LEN`. O(payload).
pub(crate) fn encode(out: &mut Vec<u8>, salt: u32, seq: u64, payload: &[u8]) {
    let len = u32::try_from(payload.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&seq.to_le_bytes());
    out.extend_from_slice(&checksum(salt, len, seq, payload).to_le_bytes());
    out.extend_from_slice(payload);
}

/// A record read back: its sequence number and payload.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Record<'a> {
    pub(crate) seq: u64,
    pub(crate) payload: &'a [u8],
}

impl Record<'_> {
    /// Bytes the record takes in the segment.
    pub(crate) fn framed_len(&self) -> usize {
        HEADER_LEN + self.payload.len()
    }
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
}

/// Decodes the record at the start of `bytes` (which run to the end of the
/// segment). Never reads past `bytes` and never allocates. O(len).
///
/// # Errors
/// [`Damage::Truncated`] when the bytes end inside the record,
/// [`Damage::Length`] for a length of 0 or over [`MAX_RECORD_LEN`],
/// [`Damage::Checksum`] when the checksum does not match.
pub(crate) fn decode(bytes: &[u8], salt: u32) -> Result<Record<'_>, Damage> {
    let (Some(len), Some(seq), Some(stored)) = (u32_at(bytes, 0), u64_at(bytes, 4), u32_at(bytes, 12)) else {
        return Err(Damage::Truncated { missing: (HEADER_LEN - bytes.len().min(HEADER_LEN)) as u64 });
    };
    if len == 0 || len > MAX_RECORD_LEN {
        return Err(Damage::Length { len: u64::from(len), max: u64::from(MAX_RECORD_LEN) });
    }
    let end = HEADER_LEN + len as usize;
    let Some(payload) = bytes.get(HEADER_LEN..end) else {
        return Err(Damage::Truncated { missing: (end - bytes.len()) as u64 });
    };
    let computed = checksum(salt, len, seq, payload);
    if computed != stored {
        return Err(Damage::Checksum { stored, computed });
    }
    Ok(Record { seq, payload })
}

/// Where the first valid record with a sequence number in `seqs` starts in
/// `bytes`, if any: tells a damaged record in the middle of a log from a
/// torn tail. Cheap checks (length, sequence range) come before the
/// checksum, so garbage and zeros cost O(1) per offset. O(len) typical.
pub(crate) fn next_valid(bytes: &[u8], salt: u32, seqs: std::ops::RangeInclusive<u64>) -> Option<usize> {
    // Forged frames that pass the cheap checks could make every offset
    // checksum up to 1 GiB; past this budget, report "something valid
    // follows", which refuses to open rather than cut.
    let mut budget: usize = 256 << 20;
    (0..bytes.len().saturating_sub(HEADER_LEN)).find(|&at| {
        let rest = &bytes[at..];
        let Some(len) = u32_at(rest, 0) else { return false };
        let plausible = len > 0
            && len <= MAX_RECORD_LEN
            && HEADER_LEN + len as usize <= rest.len()
            && u64_at(rest, 4).is_some_and(|seq| seqs.contains(&seq));
        if !plausible {
            return false;
        }
        budget = budget.saturating_sub(len as usize);
        budget == 0 || decode(rest, salt).is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framed(seq: u64, payload: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        encode(&mut out, 7, seq, payload);
        out
    }

    #[test]
    fn a_record_round_trips() {
        let bytes = framed(42, b"hello");
        assert_eq!(decode(&bytes, 7), Ok(Record { seq: 42, payload: b"hello" }));
    }

    #[test]
    fn another_salt_never_validates() {
        let bytes = framed(42, b"hello");
        assert!(matches!(decode(&bytes, 8), Err(Damage::Checksum { .. })));
    }

    #[test]
    fn a_frame_claiming_4_gib_is_refused_before_reading() {
        let mut bytes = framed(1, b"x");
        bytes[..4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(decode(&bytes, 7), Err(Damage::Length { len: u64::from(u32::MAX), max: 1 << 30 }));
    }

    #[test]
    fn every_truncation_is_reported_as_truncated() {
        let bytes = framed(3, b"payload");
        for cut in 0..bytes.len() {
            assert!(matches!(decode(&bytes[..cut], 7), Err(Damage::Truncated { .. })), "cut at {cut}");
        }
    }

    #[test]
    fn every_bit_flip_is_caught() {
        let bytes = framed(3, b"payload");
        for bit in 0..bytes.len() * 8 {
            let mut flipped = bytes.clone();
            flipped[bit / 8] ^= 1 << (bit % 8);
            assert!(decode(&flipped, 7).is_err(), "bit {bit}");
        }
    }

    #[test]
    fn a_valid_record_is_found_after_garbage() {
        let mut bytes = vec![0xAB; 40];
        bytes.extend(framed(9, b"later"));
        assert_eq!(next_valid(&bytes, 7, 5..=10), Some(40));
        assert_eq!(next_valid(&bytes, 7, 10..=20), None);
        assert_eq!(next_valid(&[0; 200], 7, 0..=u64::MAX), None);
    }
}
