//! The concurrent, durable handle.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use convoy_core::{Batch, Graph};
use parking_lot::{Mutex, RwLock, RwLockReadGuard};

use crate::background::Workers;
use crate::codec;
use crate::dir;
use crate::error::{CloseError, CommitError, IoError, OpenError, SnapshotError};
use crate::log::record::MAX_RECORD_LEN;
use crate::log::writer::LogWriter;
use crate::options::{FsyncPolicy, Options};
use crate::recovery::{self, RecoveryReport};
use crate::storage::LockGuard;

/// A durable Convoy graph in a data directory. `Send + Sync`: share it
/// behind an `Arc`.
///
/// Readers take [`Db::read`] and never wait for the disk. Writers call
/// [`Db::commit`]; commits are serialised, checked in memory, written to the
/// log (concurrent commits share one write and one sync), and only then
/// applied to the graph under its write lock, so readers never see a batch
/// that is not durable, nor half of one.
#[derive(Debug)]
pub struct Db {
    shared: Arc<Shared>,
    workers: Mutex<Workers>,
    report: RecoveryReport,
}

/// A commit waiting for the group leader.
#[derive(Debug)]
struct Request {
    batch: Batch,
    /// The encoded batch, made by the committing thread before it queues,
    /// so the group leader does no encoding under the log mutex.
    payload: Vec<u8>,
    result: Mutex<Option<Result<u64, CommitError>>>,
}

/// The state every thread of a handle shares. Lock order: `snapshotting`,
/// then `log`, then `queue` / `graph` / `good_snapshots` / `poison_cause`.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) dir: PathBuf,
    pub(crate) options: Options,
    graph: RwLock<Graph>,
    pub(crate) log: Mutex<LogWriter>,
    queue: Mutex<Vec<Arc<Request>>>,
    poisoned: AtomicBool,
    pub(crate) poison_cause: Mutex<Option<String>>,
    last_seq: AtomicU64,
    pub(crate) ops_since_snapshot: AtomicU64,
    pub(crate) bytes_since_snapshot: AtomicU64,
    pub(crate) snapshot_pending: AtomicBool,
    /// Held for a whole snapshot: one at a time.
    pub(crate) snapshotting: Mutex<()>,
    /// Snapshots known to load, ascending; the newest two are kept.
    pub(crate) good_snapshots: Mutex<Vec<u64>>,
    pub(crate) background_error: Mutex<Option<String>>,
    commits: AtomicU64,
    syncs: AtomicU64,
    _lock: Box<dyn LockGuard>,
}

/// Poisons the handle if a commit panics (a bug): memory may then be
/// behind the log, so nothing more may be committed.
struct PoisonOnPanic<'a>(&'a Shared);

impl Drop for PoisonOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.poison(&"a commit panicked; the graph in memory may be behind the log");
        }
    }
}

/// What [`Db::snapshot`] did.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub struct SnapshotInfo {
    /// The last record the snapshot includes.
    pub seq: u64,
    /// The file written, or `None` if the newest snapshot was already at
    /// `seq`.
    pub path: Option<PathBuf>,
    /// Its size in bytes.
    pub bytes: u64,
    /// Time to rebuild the state from the files (off every lock).
    pub rebuild: Duration,
    /// Time to encode and write it durably.
    pub write: Duration,
    /// How long the commit path was held up (rolling the log segment).
    pub writer_stall: Duration,
}

/// Counters of a handle since it was opened.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub struct Stats {
    /// Sequence number of the last acknowledged commit.
    pub last_seq: u64,
    /// Commits acknowledged.
    pub commits: u64,
    /// Log syncs done for commits (fewer than `commits` when group commit
    /// merged some).
    pub syncs: u64,
    /// Sequence number of the newest snapshot this handle wrote.
    pub snapshot: Option<u64>,
}

impl Db {
    /// Opens (creating if needed) the data directory `dir`: takes its lock,
    /// recovers (see [`RecoveryReport`]), and starts the background thread
    /// for snapshots and interval syncs. Cost: reading the newest snapshot
    /// and the log after it.
    ///
    /// # Errors
    /// [`OpenError::Locked`] if another handle holds the directory; the
    /// damage or I/O errors recovery meets (see [`OpenError`]).
    pub fn open(dir: impl AsRef<Path>, options: Options) -> Result<Self, OpenError> {
        let dir = dir.as_ref().to_path_buf();
        let storage = Arc::clone(&options.storage);
        storage.create_dir_all(&dir).map_err(|e| IoError::new("create directory", &dir, e))?;
        let lock_path = dir.join(dir::LOCK);
        let lock = storage.lock(&lock_path).map_err(|e| match e.kind() {
            std::io::ErrorKind::WouldBlock => OpenError::Locked { dir: dir.clone() },
            _ => OpenError::Io(IoError::new("lock", &lock_path, e)),
        })?;
        let recovered = recovery::recover(&storage, &dir, options.segment_size, options.repair)?;
        let report = recovered.report;
        let shared = Arc::new(Shared {
            dir,
            options,
            graph: RwLock::new(recovered.graph),
            log: Mutex::new(recovered.writer),
            queue: Mutex::new(Vec::new()),
            poisoned: AtomicBool::new(false),
            poison_cause: Mutex::new(None),
            last_seq: AtomicU64::new(report.last_seq),
            ops_since_snapshot: AtomicU64::new(0),
            bytes_since_snapshot: AtomicU64::new(0),
            snapshot_pending: AtomicBool::new(false),
            snapshotting: Mutex::new(()),
            good_snapshots: Mutex::new(report.snapshot.into_iter().collect()),
            background_error: Mutex::new(None),
            commits: AtomicU64::new(0),
            syncs: AtomicU64::new(0),
            _lock: lock,
        });
        let workers = Workers::start(&shared)
            .map_err(|e| OpenError::Io(IoError::new("spawn background thread", &shared.dir, e)))?;
        Ok(Self { shared, workers: Mutex::new(workers), report })
    }

    /// What recovery found and did when this handle opened.
    #[must_use]
    pub fn recovery_report(&self) -> &RecoveryReport {
        &self.report
    }

    /// The data directory.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.shared.dir
    }

    /// Shared read access to the graph, for queries. Holds off commits'
    /// in-memory apply step (microseconds each) while held, never the disk.
    /// O(1) when no commit is applying. Do not call [`Db::commit`] while
    /// holding the guard on the same thread: the commit waits for the
    /// guard, forever.
    pub fn read(&self) -> RwLockReadGuard<'_, Graph> {
        self.shared.graph.read()
    }

    /// Sequence number of the last acknowledged commit (0 for none). O(1).
    #[must_use]
    pub fn last_seq(&self) -> u64 {
        self.shared.last_seq.load(Ordering::Acquire)
    }

    /// Counters since open. O(1).
    #[must_use]
    pub fn stats(&self) -> Stats {
        let s = &self.shared;
        Stats {
            last_seq: self.last_seq(),
            commits: s.commits.load(Ordering::Relaxed),
            syncs: s.syncs.load(Ordering::Relaxed),
            snapshot: s.good_snapshots.lock().last().copied(),
        }
    }

    /// The last error of a background snapshot or interval sync, if any.
    #[must_use]
    pub fn background_error(&self) -> Option<String> {
        self.shared.background_error.lock().clone()
    }

    /// Commits a batch atomically and durably under the fsync policy, and
    /// returns its sequence number once it is. The batch is checked
    /// against the graph first: a refused batch writes nothing. Concurrent
    /// commits are grouped: one log write and one sync for the group.
    ///
    /// Cost: applying the batch about three times in memory (check, undo,
    /// apply; the graph's write lock is held only for these), encoding it,
    /// and one write (plus one `fdatasync` under [`FsyncPolicy::Always`])
    /// shared with the group.
    ///
    /// # Errors
    /// [`CommitError::Refused`] names the op the graph refused;
    /// [`CommitError::TooLarge`] a batch over a log record's maximum;
    /// [`CommitError::Io`] a failed write or sync, after which the handle
    /// is poisoned and every commit fails with [`CommitError::Poisoned`].
    pub fn commit(&self, batch: Batch) -> Result<u64, CommitError> {
        self.shared.check_poison()?;
        let payload = codec::encode_batch(&batch).map_err(|reason| CommitError::Encode { reason })?;
        if payload.len() > MAX_RECORD_LEN as usize {
            return Err(CommitError::TooLarge { bytes: payload.len() as u64, max: u64::from(MAX_RECORD_LEN) });
        }
        let request = Arc::new(Request { batch, payload, result: Mutex::new(None) });
        self.shared.queue.lock().push(Arc::clone(&request));
        let mut log = self.shared.log.lock();
        if let Some(result) = request.result.lock().take() {
            return result;
        }
        let group = std::mem::take(&mut *self.shared.queue.lock());
        let guard = PoisonOnPanic(&self.shared);
        self.shared.commit_group(&mut log, &group);
        drop(guard);
        drop(log);
        if self.shared.snapshot_due() {
            self.workers.lock().request_snapshot(&self.shared);
        }
        let result = request.result.lock().take();
        result.unwrap_or_else(|| Err(CommitError::Poisoned { cause: "commit was not processed".into() }))
    }

    /// Writes a snapshot of the state after the last acknowledged commit
    /// now, on this thread; then removes what it makes redundant (all but
    /// the two newest snapshots, and the segments the older of those
    /// covers). Readers are never stopped; writers wait only while the log
    /// rolls to a new segment. The state is rebuilt from the files (newest
    /// snapshot plus log) off every lock, so this costs about one recovery
    /// of CPU and memory plus writing the file.
    ///
    /// # Errors
    /// [`SnapshotError`]: I/O, damaged source files, or a poisoned handle.
    /// The log has rolled to a new segment even if a later step fails (a
    /// failed roll poisons the handle, as a failed commit would); a failed
    /// snapshot never removes an earlier snapshot or any log.
    pub fn snapshot(&self) -> Result<SnapshotInfo, SnapshotError> {
        self.shared.snapshot()
    }

    /// Stops the background thread, syncs the log and releases the
    /// directory. Dropping the handle does the same, ignoring errors.
    ///
    /// # Errors
    /// [`CloseError::Io`] if the final sync fails; [`CloseError::Poisoned`]
    /// if the handle was poisoned.
    pub fn close(self) -> Result<(), CloseError> {
        self.shutdown()
    }

    fn shutdown(&self) -> Result<(), CloseError> {
        self.workers.lock().stop();
        if let Some(cause) = self.shared.poison_cause.lock().clone() {
            return Err(CloseError::Poisoned { cause });
        }
        let mut log = self.shared.log.lock();
        log.sync().map_err(|e| {
            self.shared.poison(&e);
            CloseError::Io(e)
        })
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        let _ = self.shutdown();
    }
}

fn copy_io(e: &IoError) -> IoError {
    IoError::new(e.op, &e.path, std::io::Error::new(e.source.kind(), e.source.to_string()))
}

impl Shared {
    pub(crate) fn is_poisoned(&self) -> bool {
        self.poisoned.load(Ordering::Acquire)
    }

    fn check_poison(&self) -> Result<(), CommitError> {
        if self.is_poisoned() {
            let cause = self.poison_cause.lock().clone().unwrap_or_default();
            return Err(CommitError::Poisoned { cause });
        }
        Ok(())
    }

    pub(crate) fn poison(&self, cause: &dyn std::fmt::Display) {
        let mut slot = self.poison_cause.lock();
        if slot.is_none() {
            *slot = Some(cause.to_string());
        }
        self.poisoned.store(true, Ordering::Release);
    }

    /// The leader's work for one group, under the log mutex: encode, check
    /// in memory, write, sync, apply, and answer every request.
    fn commit_group(&self, log: &mut LogWriter, group: &[Arc<Request>]) {
        let answer = |r: &Request, result: Result<u64, CommitError>| *r.result.lock() = Some(result);
        if let Err(e) = self.check_poison() {
            for r in group {
                answer(r, Err(CommitError::Poisoned { cause: e.to_string() }));
            }
            return;
        }
        let verdicts = self.graph.write().validate_sequence(group.iter().map(|r| &r.batch));
        let mut accepted: Vec<&Request> = Vec::with_capacity(group.len());
        for (r, verdict) in group.iter().zip(verdicts) {
            match verdict {
                Ok(()) => accepted.push(r),
                Err(e) => answer(r, Err(CommitError::Refused(e))),
            }
        }
        let payloads: Vec<&[u8]> = accepted.iter().map(|r| r.payload.as_slice()).collect();
        if accepted.is_empty() {
            return;
        }
        let durable = log.append(&payloads).and_then(|first| {
            if self.options.fsync == FsyncPolicy::Always {
                self.syncs.fetch_add(1, Ordering::Relaxed);
                if let Err(e) = log.sync() {
                    log.undo_last_append();
                    return Err(e);
                }
            }
            Ok(first)
        });
        let first = match durable {
            Ok(first) => first,
            Err(e) => {
                self.poison(&e);
                for r in accepted {
                    answer(r, Err(CommitError::Io(copy_io(&e))));
                }
                return;
            }
        };
        let mut graph = self.graph.write();
        for (i, r) in accepted.iter().enumerate() {
            let seq = first + i as u64;
            match graph.apply(&r.batch) {
                Ok(()) => {
                    self.last_seq.store(seq, Ordering::Release);
                    answer(r, Ok(seq));
                }
                Err(e) => {
                    // validate_sequence said it applies: a bug, not input.
                    let cause = format!("internal error: record {seq} passed its check but was refused: {e}");
                    self.poison(&cause);
                    answer(r, Err(CommitError::Poisoned { cause }));
                }
            }
        }
        drop(graph);
        let ops: usize = accepted.iter().map(|r| r.batch.len()).sum();
        let bytes: usize = payloads.iter().map(|p| p.len()).sum();
        self.commits.fetch_add(accepted.len() as u64, Ordering::Relaxed);
        self.ops_since_snapshot.fetch_add(ops as u64, Ordering::Relaxed);
        self.bytes_since_snapshot.fetch_add(bytes as u64, Ordering::Relaxed);
    }
}
