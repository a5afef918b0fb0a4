//! Target `log_record`: bytes → the log record decoder and the batch codec.
//!
//! The first byte picks the mode. Even: the rest is a raw record (after a
//! 4-byte salt) handed to the decoder, whose every answer is checked
//! against the framing rules (a record that decodes re-encodes to the same
//! bytes; "truncated" means the bytes really end early; a length error
//! means a length outside `1..=MAX_RECORD_LEN`); the "next valid record"
//! scan is checked against decoding at every offset. Odd: the rest is a
//! payload, framed with a correct checksum, so mutations reach the batch
//! decoder — the surface a damaged or forged log exposes. Every payload that
//! decodes must re-encode to a batch that decodes equal, and must apply
//! (or be refused) on a graph without breaking an invariant.

use convoy_core::Graph;
use convoy_store::fuzzing as store;
use convoy_store::{Damage, MAX_RECORD_LEN};

use crate::bug;

/// Runs one input; panics only on a real bug.
pub fn log_record(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else { return };
    if mode % 2 == 1 {
        let framed = store::record_encode(0x5EED, u64::from(mode), rest);
        match store::record_decode(&framed, 0x5EED) {
            Ok((seq, payload)) => {
                assert!(seq == u64::from(mode) && payload == rest, "a framed record decodes to something else");
                payload_checks(payload);
            }
            Err(Damage::Length { len: 0, .. }) if rest.is_empty() => {}
            Err(e) => bug(format!("a correctly framed record of {} bytes is refused: {e}", rest.len())),
        }
        return;
    }
    let Some((salt, bytes)) = rest.split_first_chunk::<4>() else { return };
    let salt = u32::from_le_bytes(*salt);
    if let Some((seq, payload)) = raw_checks(bytes, salt) {
        assert!(seq == u64::from_le_bytes(bytes[4..12].try_into().unwrap_or_default()), "seq misread");
        payload_checks(payload);
    }
    next_valid_checks(bytes, salt);
}

/// The decoder's answer for `bytes`, checked against the framing rules.
fn raw_checks(bytes: &[u8], salt: u32) -> Option<(u64, &[u8])> {
    let header = store::RECORD_HEADER_LEN;
    let len = bytes.get(..4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    match store::record_decode(bytes, salt) {
        Ok((seq, payload)) => {
            let framed = store::record_encode(salt, seq, payload);
            assert!(bytes.starts_with(&framed), "a decoded record does not re-encode to its bytes");
            Some((seq, payload))
        }
        Err(Damage::Truncated { missing }) => {
            let needed = match len {
                Some(len) if bytes.len() >= header => header + len as usize,
                _ => header,
            };
            assert!(
                missing > 0 && bytes.len() as u64 + missing == needed as u64,
                "truncated by {missing} is wrong for {} of {needed} bytes",
                bytes.len()
            );
            None
        }
        Err(Damage::Length { len: found, max }) => {
            assert!(max == u64::from(MAX_RECORD_LEN) && (found == 0 || found > max), "length {found} refused");
            assert!(len.map(u64::from) == Some(found), "length error names {found}, not the stored length");
            None
        }
        Err(Damage::Checksum { stored, computed }) => {
            assert!(stored != computed, "checksum error with equal checksums");
            None
        }
        Err(other) => bug(format!("the record decoder reported {other:?}")),
    }
}

/// `next_valid` finds exactly the first offset where a record with a seq in
/// range decodes.
fn next_valid_checks(bytes: &[u8], salt: u32) {
    let seqs = 1..=u64::from(bytes.first().copied().unwrap_or(0)) * 16;
    let found = store::record_next_valid(bytes, salt, seqs.clone());
    let first = (0..bytes.len().saturating_sub(store::RECORD_HEADER_LEN))
        .find(|&at| store::record_decode(&bytes[at..], salt).is_ok_and(|(seq, _)| seqs.contains(&seq)));
    assert!(found == first, "next_valid says {found:?}, decoding at every offset says {first:?}");
}

/// A payload that decodes as a batch: re-encodes to an equal batch, and
/// applies or is refused on an empty graph with its invariants intact.
fn payload_checks(payload: &[u8]) {
    let Ok(batch) = store::decode_batch(payload) else { return };
    let again = store::encode_batch(&batch).unwrap_or_else(|e| bug(format!("a decoded batch does not encode: {e}")));
    let back = store::decode_batch(&again).unwrap_or_else(|e| bug(format!("a re-encoded batch does not decode: {e}")));
    assert!(back == batch, "a batch changes through encode and decode");
    let mut graph = Graph::new();
    if graph.apply(&batch).is_ok()
        && let Err(v) = graph.check_invariants()
    {
        bug(format!("a decoded batch applied and broke invariants: {v}"));
    }
}
