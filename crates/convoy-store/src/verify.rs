//! Checking a data directory without changing it: every file's checksums,
//! the log's sequence, every snapshot against the log, and the recovered
//! graph's invariants.
//!
//! Where [`crate::Db::open`] stops at the newest snapshot that loads and cuts
//! a torn tail, [`verify`] reads *everything* and cuts nothing: an older
//! snapshot that no longer loads, or that disagrees with the newest one once
//! both have replayed the log, is a fault here even though opening would
//! never notice it.

use std::fmt;
use std::path::{Path, PathBuf};

use convoy_core::{Graph, State};

use crate::dir::{self, Listing};
use crate::error::{Damage, DamageAt, IoError, OpenError};
use crate::log::segment::{self, Tail};
use crate::options::Options;
use crate::recovery;
use crate::snapshot;

/// What a file is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum FileKind {
    /// A log segment, named by its first sequence number.
    Segment {
        /// Its first record's seq (from the file name).
        first_seq: u64,
    },
    /// A snapshot, named by the last record it holds.
    Snapshot {
        /// Its seq.
        seq: u64,
    },
    /// A temporary file an interrupted snapshot left (the next open removes it).
    Temp,
}

/// One file's check.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct FileCheck {
    /// The file.
    pub path: PathBuf,
    /// What it is.
    pub kind: FileKind,
    /// Its length.
    pub bytes: u64,
    /// Good log records (segments) or entities (snapshots) in it.
    pub items: u64,
    /// The last good record's seq (segments), or the snapshot's seq.
    pub last_seq: Option<u64>,
    /// A torn tail the next open will cut: an interrupted write, not a fault.
    pub torn_tail: Option<DamageAt>,
    /// Damage: a fault.
    pub damage: Option<DamageAt>,
}

/// A fault [`verify`] found: anything that would lose or misstate data.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Fault {
    /// Bad bytes in a file (not a torn tail at the end of the log).
    Damaged(DamageAt),
    /// The log does not replay: a gap, damage, or a record the graph
    /// refuses, replaying from the named snapshot (`None`: from empty).
    Replay {
        /// The snapshot replay started from.
        snapshot: Option<u64>,
        /// What stopped it.
        error: String,
    },
    /// A snapshot plus the log after it gives another graph than the
    /// newest snapshot plus the log after it.
    Diverged {
        /// The older snapshot.
        snapshot: u64,
        /// The snapshot the state was compared with (`None`: the log alone).
        newest: Option<u64>,
    },
    /// The recovered graph breaks an invariant.
    Invariants(String),
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Damaged(at) => write!(f, "damaged: {at}"),
            Self::Replay { snapshot: Some(seq), error } => {
                write!(f, "log does not replay onto snapshot {seq}: {error}")
            }
            Self::Replay { snapshot: None, error } => write!(f, "log does not replay from empty: {error}"),
            Self::Diverged { snapshot, newest: Some(newest) } => {
                write!(f, "snapshot {snapshot} plus the log differs from snapshot {newest} plus the log")
            }
            Self::Diverged { snapshot, newest: None } => {
                write!(f, "snapshot {snapshot} plus the log differs from the log replayed alone")
            }
            Self::Invariants(violations) => write!(f, "invariants broken: {violations}"),
        }
    }
}

/// Everything [`verify`] checked and found.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct Verification {
    /// Every Convoy file of the directory, segments first, in name order.
    pub files: Vec<FileCheck>,
    /// The faults; empty means the directory is sound.
    pub faults: Vec<Fault>,
    /// The snapshot the reference state was built from.
    pub snapshot: Option<u64>,
    /// The last seq the log replays to.
    pub last_seq: u64,
    /// Entities in the recovered graph.
    pub entities: usize,
    /// Relationships (counting each direction once) in the recovered graph.
    pub relationships: usize,
}

impl Verification {
    /// Whether no fault was found. O(1).
    #[must_use]
    pub fn is_sound(&self) -> bool {
        self.faults.is_empty()
    }
}

/// Checks the data directory `dir` and changes nothing in it: takes its
/// lock, shared (so no handle writes meanwhile; readers may), reads every segment and snapshot
/// with their checksums, replays the log onto the newest snapshot that
/// loads and onto every older one and compares the results, and checks the
/// invariants of the recovered graph. Cost: reading every file and one
/// graph build per snapshot (seconds per million tasks), with two graphs
/// in memory at a time.
///
/// # Errors
/// [`OpenError::Locked`] if a handle has the directory open; an I/O error
/// if it cannot be listed or read. Damage is not an error: it is reported
/// in [`Verification::faults`].
pub fn verify(dir: impl AsRef<Path>, options: &Options) -> Result<Verification, OpenError> {
    let dir = dir.as_ref();
    let storage = options.storage.as_ref();
    // List before locking: locking creates the lock file, and a directory
    // that does not exist is an error, not an empty store.
    let listing = Listing::read(storage, dir)?;
    let lock_path = dir.join(dir::LOCK);
    let _lock = storage.lock_shared(&lock_path).map_err(|e| match e.kind() {
        std::io::ErrorKind::WouldBlock => OpenError::Locked { dir: dir.to_path_buf() },
        _ => OpenError::Io(IoError::new("lock", &lock_path, e)),
    })?;
    let mut out = Verification::default();
    check_segments(storage, &listing, &mut out)?;
    let good = check_snapshots(storage, &listing, &mut out)?;
    check_states(storage, &listing, good, &mut out)?;
    for temp in &listing.temps {
        let bytes = storage.read(temp).map_err(|e| IoError::new("read", temp, e))?.len() as u64;
        let (path, kind) = (temp.clone(), FileKind::Temp);
        out.files.push(FileCheck { path, kind, bytes, items: 0, last_seq: None, torn_tail: None, damage: None });
    }
    Ok(out)
}

fn at(file: &Path, offset: u64, seq: Option<u64>, damage: Damage) -> DamageAt {
    DamageAt { file: file.to_path_buf(), offset, seq, damage }
}

/// Scans every segment's records and checksums.
fn check_segments(
    storage: &dyn crate::storage::Storage,
    listing: &Listing,
    out: &mut Verification,
) -> Result<(), OpenError> {
    let count = listing.segments.len();
    for (i, (first_seq, path)) in listing.segments.iter().enumerate() {
        let is_last = i + 1 == count;
        let bytes = storage.read(path).map_err(|e| IoError::new("read", path, e))?;
        let mut check = FileCheck {
            path: path.clone(),
            kind: FileKind::Segment { first_seq: *first_seq },
            bytes: bytes.len() as u64,
            items: 0,
            last_seq: None,
            torn_tail: None,
            damage: None,
        };
        match segment::scan(&bytes) {
            Err(damage) => {
                let torn = bytes.len() < segment::HEADER_LEN || bytes.iter().all(|&b| b == 0);
                let found = at(path, 0, None, damage);
                if torn && is_last { check.torn_tail = Some(found) } else { check.damage = Some(found) }
            }
            Ok(scan) => {
                check.items = scan.records.len() as u64;
                check.last_seq = scan.records.last().map(|(_, r)| r.seq);
                if scan.header.first_seq != *first_seq {
                    let damage = Damage::Sequence { expected: *first_seq, found: scan.header.first_seq };
                    check.damage = Some(at(path, 16, None, damage));
                }
                let next_seq = scan.last_seq() + 1;
                match scan.tail {
                    Tail::Clean => {}
                    Tail::Torn { offset, damage } => {
                        let found = at(path, offset, Some(next_seq), damage);
                        if is_last { check.torn_tail = Some(found) } else { check.damage = Some(found) }
                    }
                    Tail::Damaged { offset, seq, damage } => check.damage = Some(at(path, offset, Some(seq), damage)),
                }
            }
        }
        if let Some(damage) = &check.damage {
            out.faults.push(Fault::Damaged(damage.clone()));
        }
        out.files.push(check);
    }
    Ok(())
}

/// Reads every snapshot once and checks its checksums, sequence number and
/// decoding; returns the ones that decode. Building each into a graph is
/// left to [`build`], which needs it anyway.
fn check_snapshots(
    storage: &dyn crate::storage::Storage,
    listing: &Listing,
    out: &mut Verification,
) -> Result<Vec<(u64, PathBuf)>, OpenError> {
    let mut good = Vec::new();
    for (seq, path) in &listing.snapshots {
        let bytes = storage.read(path).map_err(|e| IoError::new("read", path, e))?;
        let mut check = FileCheck {
            path: path.clone(),
            kind: FileKind::Snapshot { seq: *seq },
            bytes: bytes.len() as u64,
            items: 0,
            last_seq: Some(*seq),
            torn_tail: None,
            damage: None,
        };
        let decoded = snapshot::decode(&bytes).and_then(|(found, state)| {
            if found == *seq { Ok(state) } else { Err((16, Damage::Sequence { expected: *seq, found })) }
        });
        match decoded {
            Ok(state) => {
                check.items = state.entities().len() as u64;
                good.push((*seq, path.clone()));
            }
            Err((offset, damage)) => {
                let found = at(path, offset, None, damage);
                out.faults.push(Fault::Damaged(found.clone()));
                check.damage = Some(found);
            }
        }
        out.files.push(check);
    }
    Ok(good)
}

/// Builds the state from the newest good snapshot (or from empty) plus the
/// log, checks its invariants, then rebuilds from every older good snapshot
/// and compares.
fn check_states(
    storage: &dyn crate::storage::Storage,
    listing: &Listing,
    good: Vec<(u64, PathBuf)>,
    out: &mut Verification,
) -> Result<(), OpenError> {
    // The newest snapshot that builds is the reference (the log alone when
    // there is none); the ones older than it are compared with it.
    let mut candidates = good.iter().rev();
    let (newest, reference) = loop {
        match candidates.next() {
            Some(snap) => {
                if let Some(graph) = build(storage, listing, Some(snap), out)? {
                    break (Some(snap.0), graph);
                }
            }
            None if good.is_empty() => match build(storage, listing, None, out)? {
                Some(graph) => break (None, graph),
                None => return Ok(()),
            },
            None => return Ok(()),
        }
    };
    out.snapshot = newest;
    out.entities = reference.entity_count();
    out.relationships = reference.relationship_count();
    if let Err(violations) = reference.check_invariants() {
        out.faults.push(Fault::Invariants(violations.to_string()));
    }
    let reference: State = reference.state();
    for older in candidates {
        if let Some(graph) = build(storage, listing, Some(older), out)?
            && graph.state() != reference
        {
            out.faults.push(Fault::Diverged { snapshot: older.0, newest });
        }
    }
    Ok(())
}

/// The graph from `snapshot` (or empty) plus the whole log after it, or
/// `None` with the reason recorded as a fault.
fn build(
    storage: &dyn crate::storage::Storage,
    listing: &Listing,
    snapshot: Option<&(u64, PathBuf)>,
    out: &mut Verification,
) -> Result<Option<Graph>, OpenError> {
    let (mut graph, after) = match snapshot {
        Some((seq, path)) => match snapshot::load(storage, path, *seq)? {
            Ok(graph) => (graph, *seq),
            // It decoded (`check_snapshots`), so the graph refused its state.
            Err((offset, damage)) => {
                let found = at(path, offset, None, damage);
                if let Some(f) = out.files.iter_mut().find(|f| &f.path == path) {
                    f.damage = Some(found.clone());
                }
                out.faults.push(Fault::Damaged(found));
                return Ok(None);
            }
        },
        None => (Graph::new(), 0),
    };
    match recovery::replay_to_end(storage, &listing.segments, &mut graph, after) {
        Ok((last, _)) => {
            out.last_seq = out.last_seq.max(last);
            Ok(Some(graph))
        }
        Err(OpenError::Io(e)) => Err(OpenError::Io(e)),
        Err(e) => {
            out.faults.push(Fault::Replay { snapshot: snapshot.map(|(seq, _)| *seq), error: e.to_string() });
            Ok(None)
        }
    }
}
