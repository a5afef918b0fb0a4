//! The one place that knows the payload codec: bincode 1.3.3 (pinned; see
//! ARCHITECTURE.md) with varint integers, little endian, and trailing bytes
//! refused. Decoding is bounded by the input: no length prefix can make it
//! allocate more than the bytes it was given (strings are checked against
//! the remaining input, sequences pre-allocate at most serde's cautious
//! bound, and a byte limit equal to the input length caps everything else).
//! Every file header carries a format version, so the codec can change.

use std::io::Write;

use bincode::Options as _;
use convoy_core::{Batch, State};

use crate::error::Damage;

fn options() -> impl bincode::Options {
    bincode::DefaultOptions::new().with_varint_encoding().with_little_endian().reject_trailing_bytes()
}

/// Encodes a batch as a log record payload. O(batch size).
pub(crate) fn encode_batch(batch: &Batch) -> Result<Vec<u8>, String> {
    options().serialize(batch).map_err(|e| e.to_string())
}

/// Decodes a log record payload.
pub(crate) fn decode_batch(bytes: &[u8]) -> Result<Batch, Damage> {
    options().with_limit(bytes.len() as u64).deserialize(bytes).map_err(|e| Damage::Decode { reason: e.to_string() })
}

/// Streams a state into a writer. O(state size).
pub(crate) fn encode_state(out: impl Write, state: &State) -> Result<(), std::io::Error> {
    options().serialize_into(out, state).map_err(|e| match *e {
        bincode::ErrorKind::Io(io) => io,
        other => std::io::Error::other(other.to_string()),
    })
}

/// Decodes a snapshot payload.
pub(crate) fn decode_state(bytes: &[u8]) -> Result<State, Damage> {
    options().with_limit(bytes.len() as u64).deserialize(bytes).map_err(|e| Damage::Decode { reason: e.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sequence_claiming_2_pow_64_elements_is_refused_without_allocating() {
        // varint 0xff prefix = u64 follows: a batch claiming u64::MAX ops.
        let mut bytes = vec![0xff];
        bytes.extend_from_slice(&u64::MAX.to_le_bytes());
        assert!(matches!(decode_batch(&bytes), Err(Damage::Decode { .. })));
        assert!(matches!(decode_state(&bytes), Err(Damage::Decode { .. })));
    }

    #[test]
    fn an_empty_batch_round_trips() {
        let batch = Batch::default();
        assert_eq!(encode_batch(&batch).ok().and_then(|b| decode_batch(&b).ok()), Some(batch));
    }
}
