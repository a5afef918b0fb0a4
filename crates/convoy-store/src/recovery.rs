//! Opening a data directory: newest valid snapshot, then the log after it.
//!
//! Rules (ARCHITECTURE.md, "Recovery"):
//! 1. Leftover `*.tmp` files (an interrupted snapshot) are removed.
//! 2. Snapshots are tried newest first; a damaged one is reported and the
//!    previous one tried. No snapshot at all means an empty graph at seq 0.
//! 3. Records are replayed from the snapshot's seq + 1 with no gap allowed.
//! 4. A torn or corrupt record with nothing valid after it, in the last
//!    segment, is an interrupted write: the segment is truncated there (and
//!    synced) and the cut reported. A last segment whose header never made
//!    it to disk is removed the same way.
//! 5. Any other damage refuses to open, naming file, offset and seq — unless
//!    [`crate::Options::repair`] asks to cut the log at the last good record.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use convoy_core::Graph;

use crate::codec;
use crate::dir::Listing;
use crate::error::{Damage, DamageAt, IoError, OpenError};
use crate::log::segment::{self, Header, Tail};
use crate::log::writer::LogWriter;
use crate::snapshot;
use crate::storage::Storage;

/// What recovery found and did.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct RecoveryReport {
    /// Sequence number of the snapshot loaded, if any.
    pub snapshot: Option<u64>,
    /// Newer snapshots that were damaged and skipped.
    pub skipped_snapshots: Vec<DamageAt>,
    /// Log records replayed after the snapshot.
    pub replayed: u64,
    /// Sequence number of the last record recovered.
    pub last_seq: u64,
    /// What was cut from the end of the log, if anything.
    pub cut: Option<Cut>,
    /// Leftover temporary files removed.
    pub removed_temps: usize,
    /// Wall time of the whole open.
    pub duration: Duration,
}

/// A part of the log that recovery removed.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub struct Cut {
    /// The segment cut.
    pub file: PathBuf,
    /// Where it now ends.
    pub offset: u64,
    /// Bytes removed from it.
    pub bytes: u64,
    /// Why.
    pub damage: Damage,
    /// Whether this was a repair of mid-log damage (records after it lost)
    /// rather than an interrupted write at the very end.
    pub repaired: bool,
    /// Later segments removed by a repair.
    pub removed_segments: Vec<PathBuf>,
}

/// An opened directory's starting point.
#[derive(Debug)]
pub(crate) struct Recovered {
    pub(crate) graph: Graph,
    pub(crate) writer: LogWriter,
    pub(crate) report: RecoveryReport,
}

/// Where a replay stopped.
struct Replayed {
    /// Next sequence number needed.
    next: u64,
    replayed: u64,
    /// The last segment read: path, header, length of its good part, and
    /// whether its records reach `next - 1`.
    last: Option<(PathBuf, Header, u64, bool)>,
    /// Damage found and whether it can be cut as a torn tail.
    stop: Option<Stop>,
}

struct Stop {
    at: DamageAt,
    /// Index into the segment list of the damaged segment.
    index: usize,
    torn: bool,
    /// The damaged segment's header is unreadable (remove the file).
    whole_file: bool,
    file_len: u64,
    /// The segment does not continue the log: `(expected, found)`.
    gap: Option<(u64, u64)>,
}

impl Stop {
    fn into_error(self) -> OpenError {
        match self.gap {
            Some((expected, found)) => OpenError::Gap { file: self.at.file, expected, found },
            None => OpenError::LogDamaged(self.at),
        }
    }
}

fn damage_at(file: &Path, offset: u64, seq: Option<u64>, damage: Damage) -> DamageAt {
    DamageAt { file: file.to_path_buf(), offset, seq, damage }
}

/// Replays the records with `after < seq <= upto` from `segments` onto
/// `graph`. Stops at the first damage (returned, not applied); a gap or a
/// record the graph refuses is an error.
fn replay(
    storage: &dyn Storage,
    segments: &[(u64, PathBuf)],
    graph: &mut Graph,
    after: u64,
    upto: u64,
) -> Result<Replayed, OpenError> {
    let mut out = Replayed { next: after + 1, replayed: 0, last: None, stop: None };
    let Some(start) = segments.iter().rposition(|(first, _)| *first <= after + 1) else {
        return match segments.first() {
            Some((first, file)) => Err(OpenError::Gap { file: file.clone(), expected: after + 1, found: *first }),
            None => Ok(out),
        };
    };
    for (index, (first, path)) in segments.iter().enumerate().skip(start) {
        if out.next > upto {
            break;
        }
        let bytes = storage.read(path).map_err(|e| IoError::new("read", path, e))?;
        let file_len = bytes.len() as u64;
        if *first > out.next {
            let damage = Damage::Sequence { expected: out.next, found: *first };
            let at = damage_at(path, 0, Some(out.next), damage);
            let gap = Some((out.next, *first));
            out.stop = Some(Stop { at, index, torn: false, whole_file: true, file_len, gap });
            return Ok(out);
        }
        let scan = match segment::scan(&bytes) {
            Ok(scan) if scan.header.first_seq != *first => {
                let damage = Damage::Sequence { expected: *first, found: scan.header.first_seq };
                out.stop = Some(Stop {
                    at: damage_at(path, 16, None, damage),
                    index,
                    torn: false,
                    whole_file: true,
                    file_len,
                    gap: None,
                });
                return Ok(out);
            }
            Ok(scan) => scan,
            Err(damage) => {
                let torn = bytes.len() < segment::HEADER_LEN || bytes.iter().all(|&b| b == 0);
                out.stop = Some(Stop {
                    at: damage_at(path, 0, None, damage),
                    index,
                    torn,
                    whole_file: true,
                    file_len,
                    gap: None,
                });
                return Ok(out);
            }
        };
        for &(offset, record) in &scan.records {
            if record.seq <= after {
                continue;
            }
            if record.seq > upto {
                break;
            }
            let replayed = codec::decode_batch(record.payload)
                .and_then(|batch| graph.apply(&batch).map_err(|e| Damage::Replay(Box::new(e))));
            if let Err(damage) = replayed {
                // A checksummed record that does not decode or apply: never
                // skipped; refused, or with repair cut here.
                out.last = Some((path.clone(), scan.header, offset, true));
                let at = damage_at(path, offset, Some(record.seq), damage);
                out.stop = Some(Stop { at, index, torn: false, whole_file: false, file_len, gap: None });
                return Ok(out);
            }
            out.next = record.seq + 1;
            out.replayed += 1;
        }
        let reaches = scan.last_seq() + 1 == out.next;
        out.last = Some((path.clone(), scan.header, scan.end, reaches));
        let next_in_file = scan.last_seq() + 1;
        match scan.tail {
            Tail::Clean => {}
            Tail::Torn { offset, damage } => {
                let at = damage_at(path, offset, Some(next_in_file), damage);
                out.stop = Some(Stop { at, index, torn: true, whole_file: false, file_len, gap: None });
                return Ok(out);
            }
            Tail::Damaged { offset, seq, damage } => {
                let at = damage_at(path, offset, Some(seq), damage);
                out.stop = Some(Stop { at, index, torn: false, whole_file: false, file_len, gap: None });
                return Ok(out);
            }
        }
    }
    Ok(out)
}

/// Loads the state after record `upto` from the files of `dir`: the
/// newest valid snapshot at or before it, then the log. Used to build a new
/// snapshot without touching the live graph.
pub(crate) fn rebuild(storage: &dyn Storage, dir: &Path, upto: u64) -> Result<Graph, OpenError> {
    let listing = Listing::read(storage, dir)?;
    let candidates: Vec<_> = listing.snapshots.iter().filter(|(seq, _)| *seq <= upto).cloned().collect();
    let (mut graph, loaded, _) = load_snapshot(storage, &candidates)?;
    let after = loaded.unwrap_or(0);
    let segments: Vec<_> = listing.segments.into_iter().filter(|(first, _)| *first <= upto).collect();
    let replayed = replay(storage, &segments, &mut graph, after, upto)?;
    if let Some(stop) = replayed.stop.filter(|_| replayed.next <= upto) {
        return Err(stop.into_error());
    }
    if replayed.next != upto + 1 {
        return Err(OpenError::Gap { file: dir.to_path_buf(), expected: replayed.next, found: upto + 1 });
    }
    Ok(graph)
}

/// Replays every record after `after` onto `graph` without touching any
/// file: the read-only half of recovery, for [`crate::verify`] and
/// [`crate::open_read_only`]. Returns the last seq applied and how many
/// records were; a torn tail in the last segment just ends the log.
///
/// # Errors
/// Damage anywhere else, a gap, or a record the graph refuses.
pub(crate) fn replay_to_end(
    storage: &dyn Storage,
    segments: &[(u64, PathBuf)],
    graph: &mut Graph,
    after: u64,
) -> Result<(u64, u64), OpenError> {
    let replayed = replay(storage, segments, graph, after, u64::MAX)?;
    if let Some(stop) = replayed.stop
        && !(stop.torn && stop.index + 1 == segments.len())
    {
        return Err(stop.into_error());
    }
    Ok((replayed.next - 1, replayed.replayed))
}

/// Newest snapshot that loads (an empty graph if there is none), the seq
/// it is at (`None` for no snapshot), and the damaged newer ones.
pub(crate) fn load_snapshot(
    storage: &dyn Storage,
    snapshots: &[(u64, PathBuf)],
) -> Result<(Graph, Option<u64>, Vec<DamageAt>), OpenError> {
    let mut damaged = Vec::new();
    for (seq, path) in snapshots.iter().rev() {
        match snapshot::load(storage, path, *seq)? {
            Ok(graph) => return Ok((graph, Some(*seq), damaged)),
            Err((offset, damage)) => damaged.push(damage_at(path, offset, None, damage)),
        }
    }
    if damaged.is_empty() { Ok((Graph::new(), None, damaged)) } else { Err(OpenError::SnapshotsDamaged { damaged }) }
}

/// Opens the directory's content: see the module docs for the rules.
pub(crate) fn recover(
    storage: &Arc<dyn Storage>,
    dir: &Path,
    segment_size: u64,
    repair: bool,
) -> Result<Recovered, OpenError> {
    let started = Instant::now();
    let listing = Listing::read(storage.as_ref(), dir)?;
    let mut report = RecoveryReport::default();
    for temp in &listing.temps {
        storage.remove(temp).map_err(|e| IoError::new("remove", temp, e))?;
        report.removed_temps += 1;
    }
    let (mut graph, loaded, skipped) = load_snapshot(storage.as_ref(), &listing.snapshots)?;
    let after = loaded.unwrap_or(0);
    report.snapshot = loaded;
    report.skipped_snapshots = skipped;
    let replayed = replay(storage.as_ref(), &listing.segments, &mut graph, after, u64::MAX)?;
    report.replayed = replayed.replayed;
    report.last_seq = replayed.next - 1;
    let mut resume = replayed.last.filter(|(_, _, _, reaches)| *reaches);
    if let Some(stop) = replayed.stop {
        let is_last = stop.index + 1 == listing.segments.len();
        let interrupted_write = stop.torn && is_last;
        if !interrupted_write && !repair {
            return Err(stop.into_error());
        }
        let removed_segments: Vec<PathBuf> =
            listing.segments[stop.index + 1..].iter().map(|(_, path)| path.clone()).collect();
        for path in &removed_segments {
            storage.remove(path).map_err(|e| IoError::new("remove", path, e))?;
        }
        let path = &stop.at.file;
        if stop.whole_file {
            storage.remove(path).map_err(|e| IoError::new("remove", path, e))?;
            resume = None;
        } else {
            let mut file = storage.append(path).map_err(|e| IoError::new("open", path, e))?;
            file.truncate(stop.at.offset).map_err(|e| IoError::new("truncate", path, e))?;
            file.sync().map_err(|e| IoError::new("fsync", path, e))?;
        }
        storage.sync_dir(dir).map_err(|e| IoError::new("fsync directory", dir, e))?;
        report.cut = Some(Cut {
            file: path.clone(),
            offset: if stop.whole_file { 0 } else { stop.at.offset },
            bytes: stop.file_len - if stop.whole_file { 0 } else { stop.at.offset },
            damage: stop.at.damage,
            repaired: !interrupted_write,
            removed_segments,
        });
    }
    let next = replayed.next;
    let mut writer = match resume {
        Some((path, header, len, _)) => {
            LogWriter::resume(Arc::clone(storage), dir, path, header, len, next, segment_size)?
        }
        None => LogWriter::create(Arc::clone(storage), dir, next, segment_size)?,
    };
    // Everything recovered becomes durable before anyone reads it.
    writer.sync()?;
    report.duration = started.elapsed();
    Ok(Recovered { graph, writer, report })
}
