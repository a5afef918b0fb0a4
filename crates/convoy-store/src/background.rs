//! The handle's background work: one thread takes snapshots when the
//! policy asks, another syncs the log at the interval policy's pace (so a
//! long snapshot never delays an interval sync). Snapshotting itself —
//! roll, off-lock rebuild, write, retention — lives here too.

use std::io;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::db::{Shared, SnapshotInfo};
use crate::dir::Listing;
use crate::error::{Damage, DamageAt, OpenError, SnapshotError};
use crate::options::FsyncPolicy;
use crate::recovery;
use crate::snapshot;

#[derive(Debug)]
enum Job {
    Snapshot,
    Stop,
}

#[derive(Debug)]
struct Worker {
    jobs: mpsc::Sender<Job>,
    handle: JoinHandle<()>,
}

impl Worker {
    fn stop(self) {
        let _ = self.jobs.send(Job::Stop);
        let _ = self.handle.join();
    }
}

/// The background threads of one handle.
#[derive(Debug)]
pub(crate) struct Workers {
    snapshots: Option<Worker>,
    ticker: Option<Worker>,
}

impl Workers {
    /// Starts the snapshot thread, and the sync thread under
    /// [`FsyncPolicy::Interval`].
    pub(crate) fn start(shared: &Arc<Shared>) -> io::Result<Self> {
        let snapshots = {
            let shared = Arc::clone(shared);
            let (jobs, inbox) = mpsc::channel();
            let handle = std::thread::Builder::new().name("convoy-snapshot".into()).spawn(move || {
                while let Ok(Job::Snapshot) = inbox.recv() {
                    if let Err(e) = shared.snapshot() {
                        *shared.background_error.lock() = Some(format!("background snapshot: {e}"));
                    }
                    shared.snapshot_pending.store(false, Ordering::Release);
                }
            })?;
            Worker { jobs, handle }
        };
        let ticker = match shared.options.fsync {
            FsyncPolicy::Interval(every) => {
                let every = every.max(Duration::from_millis(1));
                let shared = Arc::clone(shared);
                let (jobs, inbox) = mpsc::channel::<Job>();
                let handle = std::thread::Builder::new().name("convoy-sync".into()).spawn(move || {
                    while let Err(mpsc::RecvTimeoutError::Timeout) = inbox.recv_timeout(every) {
                        if shared.is_poisoned() {
                            continue;
                        }
                        let mut log = shared.log.lock();
                        if let Err(e) = log.sync() {
                            shared.poison(&e);
                            *shared.background_error.lock() = Some(format!("interval sync: {e}"));
                        }
                    }
                })?;
                Some(Worker { jobs, handle })
            }
            FsyncPolicy::Always | FsyncPolicy::Never => None,
        };
        Ok(Self { snapshots: Some(snapshots), ticker })
    }

    /// Asks for a background snapshot unless one is pending.
    pub(crate) fn request_snapshot(&self, shared: &Shared) {
        if !shared.snapshot_pending.swap(true, Ordering::AcqRel)
            && self.snapshots.as_ref().is_none_or(|w| w.jobs.send(Job::Snapshot).is_err())
        {
            shared.snapshot_pending.store(false, Ordering::Release);
        }
    }

    /// Stops both threads (a running snapshot finishes first).
    pub(crate) fn stop(&mut self) {
        for worker in [self.snapshots.take(), self.ticker.take()].into_iter().flatten() {
            worker.stop();
        }
    }
}

impl Shared {
    /// Whether the snapshot policy's ops or bytes threshold is reached.
    pub(crate) fn snapshot_due(&self) -> bool {
        let o = &self.options;
        o.snapshot_ops.is_some_and(|n| self.ops_since_snapshot.load(Ordering::Relaxed) >= n)
            || o.snapshot_bytes.is_some_and(|n| self.bytes_since_snapshot.load(Ordering::Relaxed) >= n)
    }

    fn poisoned_snapshot(&self) -> SnapshotError {
        SnapshotError::Poisoned { cause: self.poison_cause.lock().clone().unwrap_or_default() }
    }

    /// See [`crate::Db::snapshot`].
    pub(crate) fn snapshot(&self) -> Result<SnapshotInfo, SnapshotError> {
        let _one_at_a_time = self.snapshotting.lock();
        let stall = Instant::now();
        let upto = {
            let mut log = self.log.lock();
            if self.is_poisoned() {
                return Err(self.poisoned_snapshot());
            }
            if let Err(e) = log.roll() {
                self.poison(&e);
                return Err(SnapshotError::Io(e));
            }
            self.ops_since_snapshot.store(0, Ordering::Relaxed);
            self.bytes_since_snapshot.store(0, Ordering::Relaxed);
            log.next_seq() - 1
        };
        let writer_stall = stall.elapsed();
        if self.good_snapshots.lock().last() == Some(&upto) {
            let zero = Duration::ZERO;
            return Ok(SnapshotInfo { seq: upto, path: None, bytes: 0, rebuild: zero, write: zero, writer_stall });
        }
        let storage = self.options.storage.as_ref();
        let started = Instant::now();
        let graph = recovery::rebuild(storage, &self.dir, upto).map_err(|e| match e {
            OpenError::Io(io) => SnapshotError::Io(io),
            OpenError::LogDamaged(at) => SnapshotError::Damaged(at),
            other => SnapshotError::Damaged(DamageAt {
                file: self.dir.clone(),
                offset: 0,
                seq: Some(upto),
                damage: Damage::Decode { reason: other.to_string() },
            }),
        })?;
        let state = graph.state();
        drop(graph);
        let rebuild = started.elapsed();
        let started = Instant::now();
        let (path, bytes) = snapshot::write(storage, &self.dir, upto, &state)?;
        drop(state);
        let write = started.elapsed();
        let kept = {
            let mut good = self.good_snapshots.lock();
            good.push(upto);
            let excess = good.len().saturating_sub(2);
            good.drain(..excess);
            good.clone()
        };
        self.remove_redundant(&kept);
        Ok(SnapshotInfo { seq: upto, path: Some(path), bytes, rebuild, write, writer_stall })
    }

    /// Keeps the two newest snapshots known to load (`kept`) and the log
    /// the older of them needs; removes every other snapshot older than the
    /// newest (damaged ones included) and the segments wholly before the
    /// older kept one. Best effort: a file left behind costs space, never
    /// correctness.
    fn remove_redundant(&self, kept: &[u64]) {
        let storage = self.options.storage.as_ref();
        let Ok(listing) = Listing::read(storage, &self.dir) else { return };
        let Some(&newest) = kept.last() else { return };
        for (seq, path) in &listing.snapshots {
            if *seq < newest && !kept.contains(seq) {
                let _ = storage.remove(path);
            }
        }
        if let [base, _] = kept {
            for pair in listing.segments.windows(2) {
                if pair[1].0 <= base + 1 {
                    let _ = storage.remove(&pair[0].1);
                }
            }
        }
        let _ = storage.sync_dir(&self.dir);
    }
}
