//! Kill -9 loop with real processes: a child commits random batches and
//! prints each acknowledgement; the parent SIGKILLs it at random moments
//! (some during open, some during a snapshot), reopens and checks that open
//! succeeds, every acknowledged batch is present, every batch is
//! all-or-nothing, and a write after recovery survives another reopen.
//!
//! One `#[test]` plays both roles: with `CONVOY_KILL_CHILD_DIR` set it is the
//! child (it runs until killed); otherwise it is the parent, which re-runs
//! this test binary as the child. 25 cycles by default;
//! `CONVOY_KILL_CYCLES=n` runs `n`.

use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead as _, BufReader, Write as _};
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use convoy_core::EntityId;
use convoy_store::{Db, FsyncPolicy, Options};
use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};

use crate::workload::Workload;

const CHILD_DIR: &str = "CONVOY_KILL_CHILD_DIR";
const CHILD_PROJECT: &str = "CONVOY_KILL_PROJECT";
const CHILD_SEED: &str = "CONVOY_KILL_SEED";
const CYCLES: &str = "CONVOY_KILL_CYCLES";
const BASE_SEED: u64 = 0x6b69_6c6c_2d39;
/// The child takes an explicit snapshot after this many commits.
const SNAPSHOT_EVERY: u64 = 40;
/// How long the parent waits for a `SNAPSHOT` line before killing anyway.
const SNAPSHOT_WAIT: Duration = Duration::from_secs(10);

#[test]
fn kill_nine_loop() {
    if let Some(dir) = std::env::var_os(CHILD_DIR) {
        child(Path::new(&dir));
    }
    parent();
}

// ---------------------------------------------------------------- child --

/// Writes one protocol line in a single write, and flushes it.
fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let text = format!("{line}\n");
    if out.write_all(text.as_bytes()).and_then(|()| out.flush()).is_err() {
        std::process::exit(3);
    }
}

fn fail(what: &str) -> ! {
    say(&format!("ERROR {what}"));
    std::process::exit(2);
}

fn ids_text(ids: &[EntityId]) -> String {
    ids.iter().map(ToString::to_string).collect::<Vec<_>>().join(" ")
}

fn options_for(seed: u64) -> Options {
    let fsync = match seed % 3 {
        0 => FsyncPolicy::Always,
        1 => FsyncPolicy::Interval(Duration::from_millis(5)),
        _ => FsyncPolicy::Never,
    };
    Options::new().fsync(fsync).snapshot_every(Some(300), None).segment_size(16 * 1024)
}

fn child(dir: &Path) -> ! {
    // libtest may have written a partial line ("test … ... ") before us.
    say("");
    let env = |name: &str| std::env::var(name).unwrap_or_else(|_| fail(&format!("{name} not set")));
    let project: EntityId = env(CHILD_PROJECT).parse().unwrap_or_else(|e| fail(&format!("project id: {e}")));
    let seed: u64 = env(CHILD_SEED).parse().unwrap_or_else(|e| fail(&format!("seed: {e}")));
    let db = Db::open(dir, options_for(seed)).unwrap_or_else(|e| fail(&format!("open: {e}")));
    say(&format!("OPEN {}", db.last_seq()));
    let mut work = Workload::new(seed);
    let mut sizes = StdRng::seed_from_u64(seed ^ 0x5eed);
    let mut commits = 0_u64;
    loop {
        let n = sizes.random_range(1..=3);
        let (batch, ids) = work.new_tasks(project, n);
        let ids = ids_text(&ids);
        say(&format!("INTENT {ids}"));
        match db.commit(batch) {
            Ok(seq) => say(&format!("ACK {seq} {ids}")),
            Err(e) => fail(&format!("commit: {e}")),
        }
        commits += 1;
        if commits.is_multiple_of(SNAPSHOT_EVERY) {
            say("SNAPSHOT");
            if let Err(e) = db.snapshot() {
                fail(&format!("snapshot: {e}"));
            }
            say("SNAPDONE");
        }
    }
}

// --------------------------------------------------------------- parent --

#[derive(Clone, Copy, Debug)]
enum Moment {
    /// 0–3 ms after spawn: before or during open.
    Open(Duration),
    /// As soon as the child says it starts a snapshot.
    Snapshot,
    /// 5–150 ms after spawn: usually between or inside commits.
    Later(Duration),
}

#[derive(Default)]
struct Summary {
    cycles: u64,
    acks: u64,
    intents_lost: u64,
    intents_kept: u64,
    kill_open: u64,
    kill_snapshot: u64,
    kill_other: u64,
    before_open_line: u64,
    inside_snapshot: u64,
    cuts: u64,
    snapshots_loaded: u64,
}

/// What one child printed, parsed.
#[derive(Default)]
struct Transcript {
    lines: Vec<String>,
    opened: bool,
    /// The last protocol line was `SNAPSHOT`: killed inside `db.snapshot()`.
    in_snapshot: bool,
    /// Ids of each `INTENT` line, in order.
    intents: Vec<Vec<EntityId>>,
    /// `ACK` lines: sequence number and ids.
    acks: Vec<(u64, Vec<EntityId>)>,
    errors: Vec<String>,
}

impl Transcript {
    fn parse(lines: Vec<String>) -> Self {
        let mut t = Self::default();
        for line in &lines {
            let mut words = line.split_whitespace();
            match words.next() {
                Some("OPEN") => t.opened = true,
                Some("SNAPSHOT") => t.in_snapshot = true,
                Some("SNAPDONE") => t.in_snapshot = false,
                Some("INTENT") => {
                    t.in_snapshot = false;
                    t.intents.push(words.map(|w| w.parse().unwrap()).collect());
                }
                Some("ACK") => {
                    let seq = words.next().unwrap().parse().unwrap();
                    t.acks.push((seq, words.map(|w| w.parse().unwrap()).collect()));
                }
                Some("ERROR") => t.errors.push(line.clone()),
                _ => {}
            }
        }
        t.lines = lines;
        t
    }
}

fn parent() {
    let cycles: u64 = std::env::var(CYCLES).map_or(25, |v| v.parse().expect("CONVOY_KILL_CYCLES: a number"));
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let result = catch_unwind(AssertUnwindSafe(|| run_parent(root.path(), &data, cycles)));
    if let Err(panic) = result {
        let kept = root.keep();
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "kill loop failed; data kept in {}", kept.display());
        let _ = writeln!(err, "  (child output of the failing cycle in {})", kept.join("child.log").display());
        for (path, len) in listing(&kept.join("data")) {
            let _ = writeln!(err, "  {} {len}", path.display());
        }
        resume_unwind(panic);
    }
}

fn listing(dir: &Path) -> Vec<(PathBuf, u64)> {
    let mut files = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let len = entry.metadata().map_or(0, |m| m.len());
            files.push((entry.path(), len));
        }
    }
    files.sort();
    files
}

fn run_parent(root: &Path, data: &Path, cycles: u64) {
    let mut rng = StdRng::seed_from_u64(BASE_SEED);
    let mut work = Workload::new(BASE_SEED ^ 0xffff);
    let db = Db::open(data, Options::new()).unwrap();
    let (setup, project) = work.setup();
    db.commit(setup).unwrap();
    db.close().unwrap();

    let mut durable: BTreeSet<EntityId> = BTreeSet::new();
    let mut summary = Summary::default();
    for cycle in 0..cycles {
        let seed = BASE_SEED.wrapping_add(1 + cycle);
        let moment = match rng.random_range(0..10) {
            0 | 1 => Moment::Open(Duration::from_micros(rng.random_range(0..=3_000))),
            2 | 3 => Moment::Snapshot,
            _ => Moment::Later(Duration::from_millis(rng.random_range(5..=150))),
        };
        let transcript = kill_child(data, project, seed, moment, &mut rng);
        std::fs::write(root.join("child.log"), transcript.lines.join("\n")).unwrap();
        let ctx = format!("cycle {cycle} (seed {seed}, kill {moment:?}, {} child lines)", transcript.lines.len());
        assert!(transcript.errors.is_empty(), "{ctx}: child failed: {:?}", transcript.errors);
        match moment {
            Moment::Open(_) => summary.kill_open += 1,
            Moment::Snapshot => summary.kill_snapshot += 1,
            Moment::Later(_) => summary.kill_other += 1,
        }
        summary.before_open_line += u64::from(!transcript.opened);
        summary.inside_snapshot += u64::from(transcript.in_snapshot);

        let db = Db::open(data, Options::new()).unwrap_or_else(|e| panic!("{ctx}: open after kill: {e}"));
        let report = db.recovery_report();
        summary.cuts += u64::from(report.cut.is_some());
        summary.snapshots_loaded += u64::from(report.snapshot.is_some());
        assert_eq!(report.last_seq, db.last_seq(), "{ctx}");
        {
            let graph = db.read();
            let present = |id: &EntityId| {
                let here = graph.contains(*id);
                if here {
                    assert_eq!(graph.feed(*id).len(), 1, "{ctx}: task {id} has not exactly one activity entry");
                }
                here
            };
            for id in &durable {
                assert!(present(id), "{ctx}: task {id} from an earlier cycle is gone");
            }
            let mut acked: HashMap<&[EntityId], u64> = HashMap::new();
            for (seq, ids) in &transcript.acks {
                for id in ids {
                    assert!(present(id), "{ctx}: acknowledged task {id} (seq {seq}) is missing");
                }
                acked.insert(ids.as_slice(), *seq);
            }
            let max_ack = transcript.acks.iter().map(|(seq, _)| *seq).max().unwrap_or(0);
            assert!(db.last_seq() >= max_ack, "{ctx}: last_seq {} < acknowledged {max_ack}", db.last_seq());
            for ids in &transcript.intents {
                let here: Vec<bool> = ids.iter().map(present).collect();
                assert!(
                    here.iter().all(|h| *h) || here.iter().all(|h| !*h),
                    "{ctx}: batch {ids:?} is partly present: {here:?}"
                );
                if !acked.contains_key(ids.as_slice()) {
                    if here[0] {
                        summary.intents_kept += 1;
                    } else {
                        summary.intents_lost += 1;
                    }
                }
                if here[0] {
                    durable.extend(ids.iter().copied());
                }
            }
            graph.check_invariants().unwrap_or_else(|e| panic!("{ctx}: invariants: {e}"));
        }
        summary.acks += transcript.acks.len() as u64;

        // A write after recovery survives another reopen.
        let (batch, ids) = work.new_tasks(project, 2);
        let seq = db.commit(batch).unwrap_or_else(|e| panic!("{ctx}: commit after recovery: {e}"));
        db.close().unwrap_or_else(|e| panic!("{ctx}: close after recovery: {e}"));
        let db = Db::open(data, Options::new()).unwrap_or_else(|e| panic!("{ctx}: second reopen: {e}"));
        assert!(db.last_seq() >= seq, "{ctx}");
        {
            let graph = db.read();
            for id in &ids {
                assert!(graph.contains(*id), "{ctx}: task {id} written after recovery is gone");
            }
            for id in &durable {
                assert!(graph.contains(*id), "{ctx}: task {id} gone after the second reopen");
            }
        }
        durable.extend(ids);
        db.close().unwrap();
        summary.cycles += 1;
    }

    let s = &summary;
    let mut err = std::io::stderr().lock();
    let _ = writeln!(
        err,
        "kill -9 loop: {} cycles, {} acks, unacknowledged batches kept {} / lost {}; \
         kills during open {} (child not yet open {}), during snapshot {} (inside db.snapshot() {}), other {}; \
         cuts reported by recovery {}, opens from a snapshot {}; {} tasks durable",
        s.cycles,
        s.acks,
        s.intents_kept,
        s.intents_lost,
        s.kill_open,
        s.before_open_line,
        s.kill_snapshot,
        s.inside_snapshot,
        s.kill_other,
        s.cuts,
        s.snapshots_loaded,
        durable.len(),
    );
}

/// Runs one child, kills it at `moment`, and returns what it printed.
fn kill_child(data: &Path, project: EntityId, seed: u64, moment: Moment, rng: &mut StdRng) -> Transcript {
    let exe = std::env::current_exe().unwrap();
    let spawned = Instant::now();
    let mut child = Command::new(exe)
        .args(["kill::kill_nine_loop", "--exact", "--nocapture", "--test-threads=1", "-q"])
        .env(CHILD_DIR, data)
        .env(CHILD_PROJECT, project.to_string())
        .env(CHILD_SEED, seed.to_string())
        .env_remove(CYCLES)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let reader = thread::spawn(move || {
        let mut stdout = BufReader::new(stdout);
        loop {
            let mut line = String::new();
            match stdout.read_line(&mut line) {
                // A line cut short by the kill is not a line.
                Ok(0) | Err(_) => break,
                Ok(_) if !line.ends_with('\n') => break,
                Ok(_) => {
                    if tx.send(line.trim_end().to_owned()).is_err() {
                        break;
                    }
                }
            }
        }
    });
    let mut lines = Vec::new();
    match moment {
        Moment::Open(after) | Moment::Later(after) => {
            thread::sleep(after.saturating_sub(spawned.elapsed()));
        }
        Moment::Snapshot => wait_for_snapshot(&rx, &mut lines, rng),
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    reader.join().unwrap();
    lines.extend(rx.try_iter());
    let killed = {
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt as _;
            status.signal() == Some(9)
        }
        #[cfg(not(unix))]
        {
            !status.success()
        }
    };
    assert!(killed, "seed {seed}: child ended by itself ({status}); its output: {lines:?}");
    Transcript::parse(lines)
}

/// Collects lines until a `SNAPSHOT` one (then maybe spins a few
/// microseconds, to land at different points of the snapshot), or the
/// child stops talking, or [`SNAPSHOT_WAIT`] passes.
fn wait_for_snapshot(rx: &Receiver<String>, lines: &mut Vec<String>, rng: &mut StdRng) {
    let deadline = Instant::now() + SNAPSHOT_WAIT;
    loop {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(line) => {
                let snapshot = line == "SNAPSHOT";
                lines.push(line);
                if snapshot {
                    let spin = Duration::from_micros(rng.random_range(0..=500));
                    let start = Instant::now();
                    while start.elapsed() < spin {
                        std::hint::spin_loop();
                    }
                    return;
                }
            }
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return,
        }
    }
}
