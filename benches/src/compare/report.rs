//! The results of one run: the JSON document, and the Markdown tables
//! printed on stdout (headline: Convoy against SQLite in memory).

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::check::QueryCheck;
use super::commit::CommitResult;
use super::measure::Stats;
use super::memory::Footprint;

/// Where and how the run happened.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Machine {
    /// CPU model.
    pub(crate) cpu: String,
    /// Logical CPUs available.
    pub(crate) cpus: usize,
    /// Total memory, bytes.
    pub(crate) memory: u64,
    /// Kernel release.
    pub(crate) kernel: String,
    /// File system type of the working directory (fsync cost depends on it).
    pub(crate) filesystem: String,
    /// `/proc/loadavg` when the run started: other work on the machine
    /// shows in the tails.
    pub(crate) load_start: String,
    /// `/proc/loadavg` when the run ended.
    pub(crate) load_end: String,
}

/// The generated data.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct DatasetInfo {
    /// Tasks.
    pub(crate) tasks: usize,
    /// Entities of every kind.
    pub(crate) entities: usize,
    /// Relationships (edge pairs).
    pub(crate) relationships: usize,
    /// Rows SQLite holds (all tables).
    pub(crate) sqlite_rows: u64,
}

/// One read query on every system.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct QueryResult {
    /// `Q1` … `Q9b`.
    pub(crate) id: String,
    /// What it asks.
    pub(crate) title: String,
    /// Convoy.
    pub(crate) convoy: Stats,
    /// SQLite in memory (`None`: no equivalent).
    pub(crate) sqlite_memory: Option<Stats>,
    /// SQLite file-backed WAL.
    pub(crate) sqlite_file: Option<Stats>,
    /// The answer check (`None`: no equivalent to check against).
    pub(crate) check: Option<QueryCheck>,
    /// SQLite-in-memory median ÷ Convoy median; `None` when there is no
    /// peer or the answers differ.
    pub(crate) ratio_memory: Option<f64>,
    /// SQLite-file median ÷ Convoy median; as above.
    pub(crate) ratio_file: Option<f64>,
}

/// Load times, seconds.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Load {
    /// Generating the dataset (not part of any system's load).
    pub(crate) generate_secs: f64,
    /// Convoy: applying the batches to an in-memory graph (no I/O).
    pub(crate) convoy_memory_secs: f64,
    /// Q8 Convoy: committing the batches to a file-backed `Db`, each
    /// acknowledged durable (fsync per commit); no snapshot.
    pub(crate) convoy_durable_secs: f64,
    /// Generated batches committed.
    pub(crate) convoy_batches: usize,
    /// Q8 SQLite: file-backed WAL, `synchronous=FULL`, one transaction per
    /// project, then indexes, `ANALYZE`, checkpoint.
    pub(crate) sqlite_file_secs: f64,
    /// SQLite in memory: copying the loaded file into memory (backup API).
    pub(crate) sqlite_memory_secs: f64,
}

/// Bytes on disk.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Disk {
    /// Convoy's data directory after the load (log segments).
    pub(crate) convoy_after_load: u64,
    /// Convoy's data directory after the snapshot (log + snapshot).
    pub(crate) convoy_after_snapshot: u64,
    /// SQLite's database file plus WAL after the load.
    pub(crate) sqlite_file: u64,
}

/// Resident memory after loading, each system alone in a process.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Memory {
    /// Convoy (`Db::open`).
    pub(crate) convoy: Footprint,
    /// SQLite in memory.
    pub(crate) sqlite_memory: Footprint,
    /// SQLite file-backed (page cache only; data lives in the OS cache).
    pub(crate) sqlite_file: Footprint,
}

/// Convoy's snapshot and recovery.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Durability {
    /// `Db::snapshot` wall time, seconds.
    pub(crate) snapshot_secs: f64,
    /// Of which: rebuilding the state from the files, seconds.
    pub(crate) snapshot_rebuild_secs: f64,
    /// Of which: encoding and writing it durably, seconds.
    pub(crate) snapshot_write_secs: f64,
    /// Snapshot size, bytes.
    pub(crate) snapshot_bytes: u64,
    /// `Db::open` after close (snapshot + log), seconds.
    pub(crate) recovery_secs: f64,
    /// Entities after recovery (equal to before, or the run fails).
    pub(crate) recovered_entities: usize,
}

/// Q7 on both systems.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Commits {
    /// Convoy `Db`, `FsyncPolicy::Always`.
    pub(crate) convoy: CommitResult,
    /// SQLite file WAL, `synchronous=FULL`.
    pub(crate) sqlite: CommitResult,
}

/// Everything one run measured.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Results {
    /// Tasks generated.
    pub(crate) tasks: usize,
    /// Generator and starting-point seed.
    pub(crate) seed: u64,
    /// When (RFC 3339, UTC).
    pub(crate) date: String,
    /// The command line.
    pub(crate) command: String,
    /// Where.
    pub(crate) machine: Machine,
    /// Whole run, seconds.
    pub(crate) run_secs: f64,
    /// The data.
    pub(crate) dataset: DatasetInfo,
    /// Q1–Q6, Q9.
    pub(crate) queries: Vec<QueryResult>,
    /// Q7.
    pub(crate) commits: Commits,
    /// Q8 and the other loads.
    pub(crate) load: Load,
    /// Bytes on disk.
    pub(crate) disk: Disk,
    /// Resident memory.
    pub(crate) memory: Memory,
    /// Snapshot and recovery.
    pub(crate) durability: Durability,
    /// Whether every answer check passed.
    pub(crate) checks_passed: bool,
}

/// A duration in µs, with sensible precision.
pub(crate) fn us(v: f64) -> String {
    if v < 10.0 {
        format!("{v:.2}")
    } else if v < 100.0 {
        format!("{v:.1}")
    } else {
        group(v.round() as u64)
    }
}

/// An integer with thousands separators.
pub(crate) fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Bytes as MiB or GiB.
pub(crate) fn bytes(b: u64) -> String {
    let mib = b as f64 / (1024.0 * 1024.0);
    if mib >= 1024.0 { format!("{:.2} GiB", mib / 1024.0) } else { format!("{mib:.1} MiB") }
}

/// A ratio as `N×`, or a dash.
fn ratio(r: Option<f64>) -> String {
    match r {
        Some(r) if r >= 10.0 => format!("{r:.0}×"),
        Some(r) => format!("{r:.1}×"),
        None => "—".into(),
    }
}

/// Median and p99 cells, or dashes.
fn stats_cells(s: Option<&Stats>) -> (String, String) {
    s.map_or(("—".into(), "—".into()), |s| (us(s.median_us), us(s.p99_us)))
}

/// Whether a goal of the issue is met.
fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "**missed**" }
}

/// The Markdown report.
pub(crate) fn markdown(r: &Results) -> String {
    let mut m = String::new();
    let _ = writeln!(m, "## Convoy vs SQLite — {} tasks (seed {})\n", group(r.tasks as u64), r.seed);
    let _ = writeln!(
        m,
        "{} · {} ({} CPUs, {} RAM, Linux {}, {} disk) · `{}` · run took {:.0} s · load average {} at start, {} at end\n",
        r.date,
        r.machine.cpu,
        r.machine.cpus,
        bytes(r.machine.memory),
        r.machine.kernel,
        r.machine.filesystem,
        r.command,
        r.run_secs,
        r.machine.load_start,
        r.machine.load_end
    );
    let _ = writeln!(
        m,
        "{} entities, {} relationships ({} SQLite rows). Medians and p99 in µs per call, Convoy through \
         `Db::read()` + `convoy_query`; ratio = SQLite median ÷ Convoy median.\n",
        group(r.dataset.entities as u64),
        group(r.dataset.relationships as u64),
        group(r.dataset.sqlite_rows)
    );
    m.push_str("| query | Convoy median | Convoy p99 | SQLite mem median | SQLite mem p99 | **× vs mem** | SQLite file median | SQLite file p99 | × vs file | rows/call Convoy · SQLite | answers |\n");
    m.push_str("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |\n");
    for q in &r.queries {
        let (cm, cp) = stats_cells(Some(&q.convoy));
        let (mm, mp) = stats_cells(q.sqlite_memory.as_ref());
        let (fm, fp) = stats_cells(q.sqlite_file.as_ref());
        let rows = match &q.sqlite_memory {
            Some(s) => format!("{:.0} · {:.0}", q.convoy.rows_per_call, s.rows_per_call),
            None => format!("{:.0} · —", q.convoy.rows_per_call),
        };
        let check = match &q.check {
            None => "Convoy only".into(),
            Some(c) if c.passed() => format!("✓ {} points, {} timed calls", c.points, c.timed_compared),
            Some(c) => format!("✗ **{} mismatches** — no ratio", c.mismatches),
        };
        let _ = writeln!(
            m,
            "| {} {} | {cm} | {cp} | {mm} | {mp} | **{}** | {fm} | {fp} | {} | {rows} | {check} |",
            q.id,
            q.title,
            ratio(q.ratio_memory),
            ratio(q.ratio_file)
        );
    }
    let (c, s) = (&r.commits.convoy, &r.commits.sqlite);
    m.push_str("\n| writes, load, footprint | Convoy | SQLite (file, WAL, FULL) | ratio | SQLite in memory |\n");
    m.push_str("| --- | ---: | ---: | ---: | ---: |\n");
    let ms = |v: f64| format!("{:.3}", v / 1000.0);
    let _ = writeln!(
        m,
        "| Q7 durable commit, 1 writer: median / p99 ms | {} / {} | {} / {} | {} | — |",
        ms(c.single.median_us),
        ms(c.single.p99_us),
        ms(s.single.median_us),
        ms(s.single.p99_us),
        ratio(Some(s.single.median_us / c.single.median_us.max(1e-9)))
    );
    let _ = writeln!(
        m,
        "| Q7 1 writer without fsync (Convoy `Never`, SQLite `synchronous=OFF`): median / p99 ms | {} / {} | {} / {} | {} | — |",
        ms(c.single_nosync.median_us),
        ms(c.single_nosync.p99_us),
        ms(s.single_nosync.median_us),
        ms(s.single_nosync.p99_us),
        ratio(Some(s.single_nosync.median_us / c.single_nosync.median_us.max(1e-9)))
    );
    let _ = writeln!(
        m,
        "| Q7 {} concurrent writers: commits/s (median ms){} | {:.0} ({}) | {:.0} ({}) | {} | — |",
        c.writers,
        c.syncs_per_commit.map_or(String::new(), |x| format!("; Convoy {x:.2} fsyncs/commit")),
        c.concurrent_per_sec,
        ms(c.concurrent.median_us),
        s.concurrent_per_sec,
        ms(s.concurrent.median_us),
        ratio(Some(c.concurrent_per_sec / s.concurrent_per_sec.max(1e-9)))
    );
    let l = &r.load;
    let _ = writeln!(
        m,
        "| Q8 bulk load, durable: s | {:.2} ({} commits) | {:.2} | {} | — |",
        l.convoy_durable_secs,
        l.convoy_batches,
        l.sqlite_file_secs,
        ratio(Some(l.sqlite_file_secs / l.convoy_durable_secs.max(1e-9)))
    );
    let _ = writeln!(
        m,
        "| into memory, no I/O: s | {:.2} (apply the batches) | — | — | {:.2} (copy of the loaded file) |",
        l.convoy_memory_secs, l.sqlite_memory_secs
    );
    let d = &r.disk;
    let _ = writeln!(
        m,
        "| bytes on disk after load | {} (log); {} with snapshot | {} | {} | — |",
        bytes(d.convoy_after_load),
        bytes(d.convoy_after_snapshot),
        bytes(d.sqlite_file),
        ratio(Some(d.sqlite_file as f64 / d.convoy_after_load.max(1) as f64))
    );
    let mem = &r.memory;
    let _ = writeln!(
        m,
        "| resident memory after load (own process): RSS (peak) | {} ({}) | {} ({}) | {} | {} ({}) |",
        bytes(mem.convoy.rss),
        bytes(mem.convoy.hwm),
        bytes(mem.sqlite_file.rss),
        bytes(mem.sqlite_file.hwm),
        ratio(Some(mem.sqlite_memory.rss as f64 / mem.convoy.rss.max(1) as f64)).replace('×', "× less vs mem"),
        bytes(mem.sqlite_memory.rss),
        bytes(mem.sqlite_memory.hwm)
    );
    let du = &r.durability;
    let _ = writeln!(
        m,
        "| snapshot: s (rebuild + write), size | {:.2} ({:.2} + {:.2}), {} | — | — | — |",
        du.snapshot_secs,
        du.snapshot_rebuild_secs,
        du.snapshot_write_secs,
        bytes(du.snapshot_bytes)
    );
    let _ = writeln!(m, "| recovery (reopen): s | {:.2} | — | — | — |", du.recovery_secs);
    m.push_str(&goals(r));
    if !r.checks_passed {
        m.push_str(
            "\n**Answer check FAILED** for at least one query; see the mismatches above (stderr) and in the JSON.\n",
        );
    }
    m
}

/// The goals for this size (the 1M column from 1M tasks up, the
/// 100k column below), each with the measured value and a verdict.
fn goals(r: &Results) -> String {
    let big = r.tasks >= 1_000_000;
    let mut m = String::from("\n| goal (issue 5) | target | measured | |\n| --- | --- | --- | --- |\n");
    let targets: [(&str, f64, f64, f64); 6] = [
        ("Q1", 0.5, 1.0, 15.0),
        ("Q2", 1.5, 3.0, 15.0),
        ("Q3", 5.0, 10.0, 25.0),
        ("Q4", 300.0, 300.0, 300.0),
        ("Q5", 4.0, 6.0, 15.0),
        ("Q6", 4.0, 8.0, 30.0),
    ];
    for (id, small, large, times) in targets {
        let Some(q) = r.queries.iter().find(|q| q.id == id) else { continue };
        let limit = if big { large } else { small };
        let med = q.convoy.median_us;
        let _ = writeln!(m, "| {id} median | ≤ {limit} µs | {} µs | {} |", us(med), verdict(med <= limit));
        let got = q.ratio_memory;
        let shown = got.map_or_else(|| "no ratio (check failed)".to_owned(), |x| format!("{x:.1}×"));
        let _ = writeln!(
            m,
            "| {id} vs SQLite in memory | ≥ {times}× | {shown} | {} |",
            verdict(got.is_some_and(|x| x >= times))
        );
    }
    let (c, s) = (&r.commits.convoy, &r.commits.sqlite);
    let single = c.single.median_us;
    let _ = writeln!(m, "| Q7 1 writer median | ≤ 600 µs | {} µs | {} |", us(single), verdict(single <= 600.0));
    let x = s.single.median_us / single.max(1e-9);
    let _ = writeln!(m, "| Q7 1 writer vs SQLite file WAL FULL | ≥ 2× | {x:.1}× | {} |", verdict(x >= 2.0));
    let x = c.concurrent_per_sec / s.concurrent_per_sec.max(1e-9);
    let _ = writeln!(m, "| Q7 {} writers, commits/s vs SQLite | ≥ 3× | {x:.1}× | {} |", c.writers, verdict(x >= 3.0));
    let x = r.load.sqlite_file_secs / r.load.convoy_durable_secs.max(1e-9);
    let _ = writeln!(m, "| Q8 durable bulk load vs SQLite | ≥ 8× | {x:.1}× | {} |", verdict(x >= 8.0));
    let x = r.memory.sqlite_memory.rss as f64 / r.memory.convoy.rss.max(1) as f64;
    let _ = writeln!(m, "| memory vs SQLite in memory | ≥ 4× less | {x:.1}× less | {} |", verdict(x >= 4.0));
    if big {
        let secs = r.load.convoy_durable_secs;
        let _ = writeln!(m, "| Q8 durable bulk load | ≤ 20 s | {secs:.1} s | {} |", verdict(secs <= 20.0));
        let gib = r.memory.convoy.rss as f64 / f64::from(1u32 << 30);
        let _ = writeln!(m, "| memory after load | ≤ 1.5 GiB RSS | {gib:.2} GiB | {} |", verdict(gib <= 1.5));
        let rec = r.durability.recovery_secs;
        let _ = writeln!(m, "| recovery (open) | ≤ 3 s | {rec:.2} s | {} |", verdict(rec <= 3.0));
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_readably() {
        assert_eq!(group(1_234_567), "1,234,567");
        assert_eq!(group(12), "12");
        assert_eq!(us(0.4567), "0.46");
        assert_eq!(us(123_456.0), "123,456");
        assert_eq!(ratio(Some(123.4)), "123×");
        assert_eq!(ratio(None), "—");
    }

    #[test]
    fn a_failed_check_shows_no_ratio_and_says_so() {
        let q = QueryResult {
            id: "Q3".into(),
            check: Some(QueryCheck { points: 5, non_empty: 5, mismatches: 2, ..QueryCheck::default() }),
            ratio_memory: None,
            ..QueryResult::default()
        };
        let r = Results { queries: vec![q], checks_passed: false, ..Results::default() };
        let text = markdown(&r);
        assert!(text.contains("2 mismatches"), "{text}");
        assert!(text.contains("Answer check FAILED"), "{text}");
    }
}
