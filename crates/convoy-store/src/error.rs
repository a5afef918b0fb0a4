//! Errors, one enum per operation family, all converting into [`Error`].

use std::io;
use std::path::PathBuf;

use convoy_core::{BatchError, StateError};

/// What is wrong with a damaged record, segment or snapshot.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Damage {
    /// The file ends inside a header or a record.
    #[error("the file ends {missing} bytes early")]
    Truncated {
        /// Bytes missing.
        missing: u64,
    },
    /// The file does not start with Convoy's magic bytes.
    #[error("bad magic bytes")]
    BadMagic,
    /// The file's format version is not one this build reads.
    #[error("format version {found} (this build reads {supported})")]
    Version {
        /// Version in the file.
        found: u32,
        /// Version this build reads.
        supported: u32,
    },
    /// A header's checksum does not match.
    #[error("header checksum mismatch")]
    HeaderChecksum,
    /// A record claims an impossible length.
    #[error("record length {len} outside 1..={max}")]
    Length {
        /// The claimed length.
        len: u64,
        /// The largest allowed.
        max: u64,
    },
    /// A record's or payload's checksum does not match.
    #[error("checksum mismatch (stored {stored:#010x}, computed {computed:#010x})")]
    Checksum {
        /// Stored checksum.
        stored: u32,
        /// Checksum of the bytes read.
        computed: u32,
    },
    /// A record's sequence number is not the one expected.
    #[error("sequence number {found} where {expected} was expected")]
    Sequence {
        /// Expected sequence number.
        expected: u64,
        /// Sequence number found.
        found: u64,
    },
    /// The checksummed payload does not decode.
    #[error("payload does not decode: {reason}")]
    Decode {
        /// The decoder's message.
        reason: String,
    },
    /// A snapshot's content is not a valid graph.
    #[error("snapshot content refused: {0}")]
    State(Box<StateError>),
    /// A checksummed, decoded record is refused by the graph (a bug or a
    /// forged log; never silently skipped).
    #[error("record refused on replay: {0}")]
    Replay(Box<BatchError>),
}

/// Damage at a place in a file.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[error("{} at offset {offset}{}: {damage}", file.display(), seq.map(|s| format!(" (record seq {s})")).unwrap_or_default())]
pub struct DamageAt {
    /// The file.
    pub file: PathBuf,
    /// Byte offset of the damaged header or record.
    pub offset: u64,
    /// Sequence number of the record expected there, for log records.
    pub seq: Option<u64>,
    /// What is wrong.
    pub damage: Damage,
}

/// An I/O error with the operation and file it came from.
#[derive(Debug, thiserror::Error)]
#[error("{op} {}: {source}", path.display())]
pub struct IoError {
    /// What was being done ("write", "fsync", "rename", …).
    pub op: &'static str,
    /// The file or directory.
    pub path: PathBuf,
    /// The OS error.
    #[source]
    pub source: io::Error,
}

impl IoError {
    pub(crate) fn new(op: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        Self { op, path: path.into(), source }
    }
}

/// Why [`crate::Db::open`] failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// Another handle, in this process or another, holds the directory.
    #[error("data directory {} is locked by another open handle", dir.display())]
    Locked {
        /// The data directory.
        dir: PathBuf,
    },
    /// An I/O error.
    #[error(transparent)]
    Io(#[from] IoError),
    /// Log damage before the last record (never cut without
    /// [`crate::Options::repair`]).
    #[error("log damaged: {0}")]
    LogDamaged(DamageAt),
    /// Every snapshot is damaged (each one's damage listed).
    #[error("no usable snapshot: {}", damaged.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    SnapshotsDamaged {
        /// Each snapshot tried, newest first.
        damaged: Vec<DamageAt>,
    },
    /// The log does not continue where the snapshot or previous segment
    /// ends: records are missing.
    #[error("log gap: the next record should be seq {expected}, but {} starts at seq {found}", file.display())]
    Gap {
        /// The segment after the gap (or the directory).
        file: PathBuf,
        /// The sequence number needed.
        expected: u64,
        /// The first one available.
        found: u64,
    },
}

/// Why [`crate::Db::commit`] failed. Only `Refused` and `TooLarge` leave the
/// handle usable; after an I/O error every later commit fails with
/// `Poisoned` until the directory is reopened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CommitError {
    /// The graph refused the batch; nothing was written.
    #[error("batch refused: {0}")]
    Refused(#[from] BatchError),
    /// The encoded batch is larger than a log record may be.
    #[error("encoded batch is {bytes} bytes; a log record holds at most {max}")]
    TooLarge {
        /// Encoded size.
        bytes: u64,
        /// The maximum.
        max: u64,
    },
    /// The batch could not be encoded (nothing was written).
    #[error("batch does not encode: {reason}")]
    Encode {
        /// The encoder's message.
        reason: String,
    },
    /// Writing or syncing this batch failed; it is not acknowledged, and the
    /// handle is now poisoned.
    #[error("commit not durable: {0}")]
    Io(IoError),
    /// An earlier write or sync failed; reopen the directory.
    #[error("store is poisoned by an earlier failure ({cause}); reopen it")]
    Poisoned {
        /// The failure that poisoned it.
        cause: String,
    },
}

/// Why [`crate::Db::snapshot`] failed. The previous snapshots and the log
/// are untouched by a failed snapshot.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SnapshotError {
    /// An I/O error.
    #[error(transparent)]
    Io(#[from] IoError),
    /// The files the snapshot is built from are damaged.
    #[error("cannot build snapshot: {0}")]
    Damaged(DamageAt),
    /// The handle is poisoned.
    #[error("store is poisoned by an earlier failure ({cause}); reopen it")]
    Poisoned {
        /// The failure that poisoned it.
        cause: String,
    },
}

/// Why [`crate::Db::close`] failed: the final sync of the log.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CloseError {
    /// An I/O error.
    #[error(transparent)]
    Io(#[from] IoError),
    /// The handle was poisoned; unsynced writes may be lost.
    #[error("store is poisoned by an earlier failure ({cause})")]
    Poisoned {
        /// The failure that poisoned it.
        cause: String,
    },
}

/// Any store error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Opening failed.
    #[error(transparent)]
    Open(#[from] OpenError),
    /// A commit failed.
    #[error(transparent)]
    Commit(#[from] CommitError),
    /// A snapshot failed.
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    /// Closing failed.
    #[error(transparent)]
    Close(#[from] CloseError),
}
