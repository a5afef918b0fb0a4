//! How a [`crate::Db`] is opened: fsync policy, snapshot policy, segment
//! size, repair, and the storage underneath.

use std::sync::Arc;
use std::time::Duration;

use crate::storage::{OsStorage, Storage};

/// When the log is synced to stable storage, and so when a commit is
/// acknowledged.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
#[non_exhaustive]
pub enum FsyncPolicy {
    /// Every commit is synced before it is acknowledged; concurrent
    /// committers share one sync (group commit). The default.
    #[default]
    Always,
    /// Commits are acknowledged once written to the OS; a background thread
    /// syncs at this interval, so a power loss (not a process crash) can
    /// lose up to this much.
    Interval(Duration),
    /// Commits are acknowledged once written to the OS; the log is synced
    /// only when a segment ends, at snapshots and at close. A process crash
    /// loses nothing; a power loss can lose anything unsynced.
    Never,
}

/// Options for [`crate::Db::open`]. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Options {
    pub(crate) fsync: FsyncPolicy,
    pub(crate) snapshot_ops: Option<u64>,
    pub(crate) snapshot_bytes: Option<u64>,
    pub(crate) segment_size: u64,
    pub(crate) repair: bool,
    pub(crate) storage: Arc<dyn Storage>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            fsync: FsyncPolicy::Always,
            snapshot_ops: Some(1_000_000),
            snapshot_bytes: Some(512 << 20),
            segment_size: 64 << 20,
            repair: false,
            storage: Arc::new(OsStorage),
        }
    }
}

impl Options {
    /// The defaults: [`FsyncPolicy::Always`], a background snapshot after
    /// every 1,000,000 ops or 512 MiB of log, 64 MiB segments, no repair,
    /// the OS file system.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the fsync policy.
    #[must_use]
    pub fn fsync(mut self, policy: FsyncPolicy) -> Self {
        self.fsync = policy;
        self
    }

    /// Takes a background snapshot once this many ops, or this many bytes
    /// of log, have been committed since the last one (`None` turns either
    /// trigger off; both off means snapshots only on demand).
    #[must_use]
    pub fn snapshot_every(mut self, ops: Option<u64>, bytes: Option<u64>) -> Self {
        self.snapshot_ops = ops;
        self.snapshot_bytes = bytes;
        self
    }

    /// Starts a new log segment once the current one reaches this size
    /// (at least 4 KiB).
    #[must_use]
    pub fn segment_size(mut self, bytes: u64) -> Self {
        self.segment_size = bytes.max(4096);
        self
    }

    /// On damage in the middle of the log, cuts the log at the last good
    /// record (and says what it cut, in the recovery report) instead of
    /// refusing to open. Records after the damage are lost: use it only
    /// when that is better than not opening at all.
    #[must_use]
    pub fn repair(mut self, repair: bool) -> Self {
        self.repair = repair;
        self
    }

    /// Uses another [`Storage`] (tests: [`crate::MemStorage`]).
    #[must_use]
    pub fn storage(mut self, storage: Arc<dyn Storage>) -> Self {
        self.storage = storage;
        self
    }
}
