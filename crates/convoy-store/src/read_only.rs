//! Opening a data directory to read only: many readers at once (a shared
//! lock, so no writer meanwhile), nothing on disk changed.

use std::path::Path;
use std::time::Instant;

use convoy_core::Graph;

use crate::dir::{self, Listing};
use crate::error::{IoError, OpenError};
use crate::options::Options;
use crate::recovery::{self, RecoveryReport};

/// A graph loaded from a data directory, with what loading found. It is a
/// copy: later commits by others do not reach it.
#[derive(Debug)]
pub struct ReadOnly {
    graph: Graph,
    report: RecoveryReport,
}

impl ReadOnly {
    /// The loaded graph. O(1).
    #[must_use]
    pub const fn graph(&self) -> &Graph {
        &self.graph
    }

    /// What loading found: the snapshot used, damaged snapshots skipped,
    /// records replayed, the last seq. `cut` is always `None`: a torn tail
    /// is ignored here and left for the next writable open to cut. O(1).
    #[must_use]
    pub const fn report(&self) -> &RecoveryReport {
        &self.report
    }

    /// The graph, owned. O(1).
    #[must_use]
    pub fn into_graph(self) -> Graph {
        self.graph
    }
}

/// Loads the data directory `dir` for reading, as [`crate::Db::open`] would
/// recover it but without writing anything: holds the directory's lock
/// shared while it reads (other readers may too; a writer may not), loads
/// the newest snapshot that checks out and replays the log after it. A
/// directory that does not exist is an error, not an empty store. Cost:
/// the same as recovery.
///
/// # Errors
/// [`OpenError::Locked`] if a writable handle holds the directory; the
/// damage and I/O errors recovery would meet, except a torn tail.
pub fn open_read_only(dir: impl AsRef<Path>, options: &Options) -> Result<ReadOnly, OpenError> {
    let started = Instant::now();
    let dir = dir.as_ref();
    let storage = options.storage.as_ref();
    // Listing first: locking creates the lock file, and a directory that
    // does not exist is an error, not an empty store.
    Listing::read(storage, dir)?;
    let lock_path = dir.join(dir::LOCK);
    let _lock = storage.lock_shared(&lock_path).map_err(|e| match e.kind() {
        std::io::ErrorKind::WouldBlock => OpenError::Locked { dir: dir.to_path_buf() },
        _ => OpenError::Io(IoError::new("lock", &lock_path, e)),
    })?;
    // What a writer left before the lock was ours.
    let listing = Listing::read(storage, dir)?;
    let (mut graph, loaded, skipped) = recovery::load_snapshot(storage, &listing.snapshots)?;
    let (last_seq, replayed) = recovery::replay_to_end(storage, &listing.segments, &mut graph, loaded.unwrap_or(0))?;
    let report = RecoveryReport {
        snapshot: loaded,
        skipped_snapshots: skipped,
        replayed,
        last_seq,
        duration: started.elapsed(),
        ..RecoveryReport::default()
    };
    Ok(ReadOnly { graph, report })
}
