//! Snapshot files: the canonical state after a given record, checksummed.
//!
//! ```text
//! offset     size  field
//!      0        8  magic b"CONVOYSN"
//!      8        4  format version: u32 LE (1)
//!     12        4  reserved: 0
//!     16        8  seq: u64 LE, the last record the state includes
//!     24        4  reserved: 0
//!     28        4  CRC32C of bytes 0..28
//!     32        n  payload: the encoded `State`
//!   32+n        8  n: u64 LE
//!   40+n        4  CRC32C of the payload
//!   44+n        4  CRC32C of bytes 32+n..44+n
//! ```
//!
//! The payload's length and checksum trail it, so the writer streams the
//! state straight into the file and never holds a second copy in memory.
//! Writing goes to `<name>.tmp`, which is synced, renamed into place, and
//! the directory synced.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use convoy_core::{Graph, State};

use crate::codec;
use crate::dir;
use crate::error::{Damage, IoError};
use crate::storage::{Storage, WriteFile};

const MAGIC: &[u8; 8] = b"CONVOYSN";
const VERSION: u32 = 1;
const HEADER_LEN: usize = 32;
const FOOTER_LEN: usize = 16;

fn header(seq: u64) -> [u8; HEADER_LEN] {
    let mut out = [0u8; HEADER_LEN];
    out[..8].copy_from_slice(MAGIC);
    out[8..12].copy_from_slice(&VERSION.to_le_bytes());
    out[16..24].copy_from_slice(&seq.to_le_bytes());
    let crc = crc32c::crc32c(&out[..28]);
    out[28..].copy_from_slice(&crc.to_le_bytes());
    out
}

fn footer(len: u64, crc: u32) -> [u8; FOOTER_LEN] {
    let mut out = [0u8; FOOTER_LEN];
    out[..8].copy_from_slice(&len.to_le_bytes());
    out[8..12].copy_from_slice(&crc.to_le_bytes());
    let own = crc32c::crc32c(&out[..12]);
    out[12..].copy_from_slice(&own.to_le_bytes());
    out
}

/// Dirty bytes a snapshot write leaves before it syncs them. A journaling
/// file system commits file-size changes with all dirty data in "ordered"
/// mode, so a commit's `fdatasync` of the log would otherwise wait for the
/// whole unsynced part of the snapshot: syncing as it goes bounds that wait
/// to about this much I/O (RocksDB's `bytes_per_sync`).
const BYTES_PER_SYNC: u64 = 1 << 20;

/// Streams bytes into a [`WriteFile`], checksumming and counting them, and
/// syncing every [`BYTES_PER_SYNC`].
struct Checksummed<'a> {
    file: &'a mut dyn WriteFile,
    crc: u32,
    len: u64,
    unsynced: u64,
}

impl Write for Checksummed<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file.write_all(buf)?;
        self.crc = crc32c::crc32c_append(self.crc, buf);
        self.len += buf.len() as u64;
        self.unsynced += buf.len() as u64;
        if self.unsynced >= BYTES_PER_SYNC {
            self.file.sync()?;
            self.unsynced = 0;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Writes the snapshot of `state` at `seq` durably into `dir` and returns
/// its path and size. On error the temporary file is removed (best effort)
/// and no existing file is touched. O(state size).
pub(crate) fn write(storage: &dyn Storage, dir: &Path, seq: u64, state: &State) -> Result<(PathBuf, u64), IoError> {
    let path = dir.join(dir::snapshot_name(seq));
    let temp = dir.join(format!("{}{}", dir::snapshot_name(seq), dir::TEMP_SUFFIX));
    let bytes = write_temp(storage, &temp, seq, state).inspect_err(|_| {
        let _ = storage.remove(&temp);
    })?;
    if let Err(e) = storage.rename(&temp, &path) {
        let _ = storage.remove(&temp);
        return Err(IoError::new("rename", &temp, e));
    }
    if let Err(e) = storage.sync_dir(dir) {
        // The caller is told there is no new snapshot: take it back (best
        // effort; a complete, synced snapshot left behind is still valid).
        let _ = storage.remove(&path);
        return Err(IoError::new("fsync directory", dir, e));
    }
    Ok((path, bytes))
}

fn write_temp(storage: &dyn Storage, temp: &Path, seq: u64, state: &State) -> Result<u64, IoError> {
    let mut file = storage.create(temp).map_err(|e| IoError::new("create", temp, e))?;
    file.write_all(&header(seq)).map_err(|e| IoError::new("write", temp, e))?;
    let mut out = BufWriter::with_capacity(256 << 10, Checksummed { file: file.as_mut(), crc: 0, len: 0, unsynced: 0 });
    codec::encode_state(&mut out, state).map_err(|e| IoError::new("write", temp, e))?;
    let body = out.into_inner().map_err(|e| IoError::new("write", temp, e.into_error()))?;
    let (len, crc) = (body.len, body.crc);
    file.write_all(&footer(len, crc)).map_err(|e| IoError::new("write", temp, e))?;
    file.sync().map_err(|e| IoError::new("fsync", temp, e))?;
    Ok(HEADER_LEN as u64 + len + FOOTER_LEN as u64)
}

fn word(bytes: &[u8], at: usize) -> u32 {
    bytes.get(at..at + 4).and_then(|b| b.try_into().ok()).map_or(0, u32::from_le_bytes)
}

fn dword(bytes: &[u8], at: usize) -> u64 {
    bytes.get(at..at + 8).and_then(|b| b.try_into().ok()).map_or(0, u64::from_le_bytes)
}

/// Decodes a snapshot file's bytes into its sequence number and state,
/// checking header, footer and payload checksums before decoding. Bounded:
/// the decoder never allocates more than the file's size. O(bytes).
///
/// # Errors
/// The damage found, with the offset where it is.
pub(crate) fn decode(bytes: &[u8]) -> Result<(u64, State), (u64, Damage)> {
    let min = HEADER_LEN + FOOTER_LEN;
    if bytes.len() < min {
        return Err((0, Damage::Truncated { missing: (min - bytes.len()) as u64 }));
    }
    if &bytes[..8] != MAGIC {
        return Err((0, Damage::BadMagic));
    }
    if word(bytes, 28) != crc32c::crc32c(&bytes[..28]) {
        return Err((0, Damage::HeaderChecksum));
    }
    let version = word(bytes, 8);
    if version != VERSION {
        return Err((8, Damage::Version { found: version, supported: VERSION }));
    }
    let seq = dword(bytes, 16);
    if seq > crate::log::record::MAX_SEQ {
        return Err((16, Damage::Sequence { expected: crate::log::record::MAX_SEQ, found: seq }));
    }
    let foot_at = bytes.len() - FOOTER_LEN;
    let foot = &bytes[foot_at..];
    if word(foot, 12) != crc32c::crc32c(&foot[..12]) {
        return Err((foot_at as u64, Damage::HeaderChecksum));
    }
    let len = dword(foot, 0);
    let actual = (foot_at - HEADER_LEN) as u64;
    if len != actual {
        return Err((foot_at as u64, Damage::Truncated { missing: len.saturating_sub(actual) }));
    }
    let payload = &bytes[HEADER_LEN..foot_at];
    let (stored, computed) = (word(foot, 8), crc32c::crc32c(payload));
    if stored != computed && !cfg!(fuzzing) {
        return Err((HEADER_LEN as u64, Damage::Checksum { stored, computed }));
    }
    let state = codec::decode_state(payload).map_err(|d| (HEADER_LEN as u64, d))?;
    Ok((seq, state))
}

/// Reads, checks and loads the snapshot at `path`, named for `seq`.
pub(crate) fn load(storage: &dyn Storage, path: &Path, seq: u64) -> Result<Result<Graph, (u64, Damage)>, IoError> {
    let bytes = storage.read(path).map_err(|e| IoError::new("read", path, e))?;
    Ok(decode(&bytes).and_then(|(found, state)| {
        if found != seq {
            return Err((16, Damage::Sequence { expected: seq, found }));
        }
        Graph::from_state(state).map_err(|e| (HEADER_LEN as u64, Damage::State(Box::new(e))))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::MemStorage;

    fn written() -> Vec<u8> {
        let storage = MemStorage::new();
        let dir = Path::new("/d");
        let (path, bytes) = write(&storage, dir, 7, &Graph::new().state()).unwrap();
        let content = storage.contents(&path).unwrap();
        assert_eq!(content.len() as u64, bytes);
        content
    }

    #[test]
    fn a_snapshot_round_trips() {
        let (seq, state) = decode(&written()).unwrap();
        assert_eq!((seq, state), (7, State::default()));
    }

    #[test]
    fn every_bit_flip_and_truncation_is_an_error() {
        let bytes = written();
        for bit in 0..bytes.len() * 8 {
            let mut flipped = bytes.clone();
            flipped[bit / 8] ^= 1 << (bit % 8);
            assert!(decode(&flipped).is_err(), "bit {bit}");
        }
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut]).is_err(), "cut {cut}");
        }
    }
}
