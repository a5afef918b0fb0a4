//! Target `crash_recover`: fuzzer-chosen batches committed to a
//! [`Db`] on [`MemStorage`], with snapshots and reopens in between, one
//! injected storage fault (the n-th write, fsync, rename, directory sync,
//! create or truncate failing, once or from then on, with `EIO` or
//! `ENOSPC`), and then a process crash, a power loss or a clean close.
//!
//! While it runs, the handle must answer as DESIGN.md says: a batch the
//! graph accepts is acknowledged with the next seq unless an I/O error is
//! reported (which poisons the handle), a refused batch is refused, a
//! reopen recovers exactly the acknowledged state. After the crash the
//! directory must open (the fault is gone), to the state after some
//! acknowledged prefix: all of it after a process crash or a clean close;
//! after a power loss, at least everything known durable (every
//! acknowledgement under `FsyncPolicy::Always`; under `Never`, what a
//! snapshot, close or reopen synced). A commit whose write or sync failed
//! is never acknowledged, but its bytes are cut back only on a best-effort
//! basis, so after a power loss it may reappear; that one outcome is also
//! accepted. The recovered directory must then take a commit and keep it.

use std::sync::Arc;

use arbitrary::{Arbitrary, Unstructured};
use convoy_core::{Graph, State};
use convoy_store::storage::{Fault, FaultKind};
use convoy_store::{CloseError, CommitError, Db, FsyncPolicy, MemStorage, OpenError, Options, SnapshotError};

use crate::bug;
use crate::plan::{BatchPlan, Minter};

const DIR: &str = "/data";
const MAX_STEPS: usize = 24;

/// The fuzzer's input.
#[derive(Arbitrary, Debug)]
struct Input {
    /// `FsyncPolicy::Never` instead of `Always`.
    never: bool,
    /// Segment size: 4 KiB plus this many 256-byte units.
    segment: u8,
    fault: Option<FaultPlan>,
    steps: Vec<Step>,
    end: End,
}

/// The one injected fault: the `1 + nth % 12`-th operation of its kind
/// fails (a run does a few dozen storage operations at most, so a larger
/// `nth` would rarely fire).
#[derive(Arbitrary, Debug)]
struct FaultPlan {
    kind: u8,
    nth: u8,
    forever: bool,
    enospc: bool,
}

#[derive(Arbitrary, Debug)]
enum Step {
    Commit(BatchPlan),
    Snapshot,
    Reopen,
}

#[derive(Arbitrary, Debug)]
enum End {
    ProcessCrash,
    PowerLoss(u64),
    Close,
}

/// What the run knows.
struct Run {
    options: Options,
    fault: Option<Fault>,
    always: bool,
    reference: Graph,
    /// `states[n]`: the state after the first `n` acknowledged commits.
    states: Vec<State>,
    /// Acknowledged commits known durable.
    floor: u64,
    /// A commit whose write or sync failed: its seq and the state it makes.
    unknown: Option<(u64, State)>,
    /// A commit failed: the handle must be poisoned.
    poisoned: bool,
    /// A snapshot failed: the handle may be poisoned.
    shaky: bool,
    db: Option<Db>,
}

impl Run {
    fn acked(&self) -> u64 {
        self.states.len() as u64 - 1
    }

    /// An I/O failure is only allowed when a fault is set.
    fn expect_fault(&self, what: &str, e: &dyn std::fmt::Display) {
        assert!(self.fault.is_some(), "{what} failed with no fault injected: {e}");
    }

    fn open(&mut self, storage: &MemStorage) {
        match Db::open(DIR, self.options.clone().storage(Arc::new(storage.clone()))) {
            Ok(db) => {
                let acked = self.acked();
                assert!(db.last_seq() == acked, "reopened at seq {}, {acked} acknowledged", db.last_seq());
                assert!(db.read().state() == self.states[acked as usize], "reopened to another state");
                self.floor = acked;
                (self.unknown, self.poisoned, self.shaky) = (None, false, false);
                self.db = Some(db);
            }
            Err(OpenError::Io(e)) => self.expect_fault("open", &e),
            Err(e) => bug(format!("open failed: {e}")),
        }
    }

    fn commit(&mut self, batch: convoy_core::Batch) {
        let Some(db) = &self.db else { return };
        let valid = self.reference.validate(&batch).is_ok();
        match db.commit(batch.clone()) {
            Ok(seq) => {
                assert!(valid, "acknowledged a batch the graph refuses");
                assert!(!self.poisoned, "a poisoned handle acknowledged a commit");
                assert!(seq == self.acked() + 1, "acknowledged seq {seq} after {}", self.acked());
                if let Err(e) = self.reference.apply(&batch) {
                    bug(format!("validate passed, apply refused: {e}"));
                }
                self.states.push(self.reference.state());
                if self.always {
                    self.floor = seq;
                }
            }
            Err(CommitError::Refused(e)) => assert!(!valid, "refused a batch the graph accepts: {e}"),
            Err(CommitError::Io(e)) => {
                self.expect_fault("commit", &e);
                assert!(!self.poisoned, "a poisoned handle reported Io, not Poisoned");
                self.poisoned = true;
                if valid {
                    let mut after = self.reference.clone();
                    let _ = after.apply(&batch);
                    self.unknown = Some((self.acked() + 1, after.state()));
                }
            }
            Err(CommitError::Poisoned { cause }) => {
                assert!(self.poisoned || self.shaky, "Poisoned ({cause}) though nothing failed");
            }
            Err(e) => bug(format!("commit: {e}")),
        }
    }

    fn snapshot(&mut self) {
        let Some(db) = &self.db else { return };
        match db.snapshot() {
            Ok(info) => {
                assert!(!self.poisoned, "a poisoned handle took a snapshot");
                assert!(info.seq == self.acked(), "snapshot at {} after {} commits", info.seq, self.acked());
                self.floor = self.floor.max(info.seq);
            }
            Err(SnapshotError::Io(e)) => {
                self.expect_fault("snapshot", &e);
                self.shaky = true;
            }
            Err(SnapshotError::Poisoned { cause }) => {
                assert!(self.poisoned || self.shaky, "snapshot: Poisoned ({cause}) though nothing failed");
            }
            Err(e) => bug(format!("snapshot: {e}")),
        }
    }

    fn close(&mut self) {
        let Some(db) = self.db.take() else { return };
        match db.close() {
            Ok(()) => {
                assert!(!self.poisoned, "a poisoned handle closed cleanly");
                self.floor = self.acked();
            }
            Err(CloseError::Poisoned { cause }) => {
                assert!(self.poisoned || self.shaky, "close: Poisoned ({cause}) though nothing failed");
            }
            Err(CloseError::Io(e)) => self.expect_fault("close", &e),
            Err(e) => bug(format!("close: {e}")),
        }
    }
}

/// Runs one input; panics only on a real bug.
pub fn crash_recover(data: &[u8]) {
    let Ok(input) = Input::arbitrary_take_rest(Unstructured::new(data)) else { return };
    let storage = MemStorage::new();
    let fault = input.fault.as_ref().map(|f| Fault {
        kind: FaultKind::ALL[usize::from(f.kind) % FaultKind::ALL.len()],
        nth: 1 + u64::from(f.nth % 12),
        forever: f.forever,
        errno: if f.enospc { 28 } else { 5 },
    });
    let always = !input.never;
    let options = Options::new()
        .fsync(if always { FsyncPolicy::Always } else { FsyncPolicy::Never })
        .segment_size(4096 + 256 * u64::from(input.segment))
        .snapshot_every(None, None);
    let mut run = Run {
        options,
        fault,
        always,
        reference: Graph::new(),
        states: vec![Graph::new().state()],
        floor: 0,
        unknown: None,
        poisoned: false,
        shaky: false,
        db: None,
    };
    run.open(&storage);
    // Counted from here, so the fault hits the workload (and any reopen),
    // not the first open's own sync.
    storage.set_fault(fault);
    let mut minter = Minter::new();
    for step in input.steps.iter().take(MAX_STEPS) {
        match step {
            Step::Commit(plan) => {
                let batch = minter.batch(plan, &run.reference);
                run.commit(batch);
            }
            Step::Snapshot => run.snapshot(),
            Step::Reopen => {
                run.close();
                run.open(&storage);
            }
        }
    }
    let power_loss = matches!(input.end, End::PowerLoss(_));
    let image = match input.end {
        End::ProcessCrash => storage.process_crash(),
        End::PowerLoss(seed) => storage.power_loss(seed),
        End::Close => {
            run.close();
            storage.process_crash()
        }
    };
    drop(run.db.take());
    let db = Db::open(DIR, run.options.clone().storage(Arc::new(image.clone())))
        .unwrap_or_else(|e| bug(format!("recovery after the crash refused to open: {e}")));
    let (last, acked) = (db.last_seq(), run.acked());
    let state = db.read().state();
    let prefix = last <= acked && state == run.states[last as usize];
    let unknown = run.unknown.as_ref().is_some_and(|(seq, s)| *seq == last && *s == state);
    if power_loss {
        assert!(prefix || unknown, "recovered seq {last} (of {acked} acknowledged) to a state no prefix had");
        assert!(last >= run.floor, "recovered seq {last}, but {} were known durable", run.floor);
    } else {
        assert!(last == acked && prefix, "recovered seq {last} after a crash with {acked} acknowledged");
    }
    if let Err(v) = db.read().check_invariants() {
        bug(format!("recovered graph breaks invariants: {v}"));
    }
    crate::recovered::commit_and_reopen(db, &image);
}
