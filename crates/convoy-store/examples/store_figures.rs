//! Measures the store's figures for README.md: durable commits per second
//! (1 and 4 writers, each fsync policy), bulk load, full-log recovery,
//! snapshot write (with the longest writer stall while it runs), snapshot
//! recovery, and read latency with and without fsync-heavy writers.
//!
//! `cargo run --release -p convoy-store --example store_figures -- [TASKS]`
//! (default 100,000 tasks). Prints a Markdown report on stdout.

#![expect(clippy::print_stdout, clippy::unwrap_used, reason = "a measurement program")]

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use convoy_core::model::{Activity, Project, Task, TaskPatch, TaskStatus, Workspace};
use convoy_core::{ActivityId, Batch, EntityId, Op, Relation, Timestamp};
use convoy_store::{Db, FsyncPolicy, Options};

fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir).unwrap().filter_map(|e| e.ok()?.metadata().ok()).map(|m| m.len()).sum()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn micros(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

/// One small durable write: a task in `project` with one activity entry.
fn small_batch(project: EntityId, n: u64) -> Batch {
    let task = Op::create(Task::new(&format!("task {n}")).unwrap());
    let id = task.subject();
    let activity = Activity::new(ActivityId::random(), id, "CREATED", Timestamp::now()).unwrap();
    Batch::from(vec![task, Op::link(project, Relation::Contains, id), Op::RecordActivity(activity)])
}

fn setup(db: &Db, projects: usize) -> Vec<EntityId> {
    let ws = Op::create(Workspace::new("Bench").unwrap());
    let ws_id = ws.subject();
    let mut batch = Batch::from(vec![ws]);
    let mut ids = Vec::new();
    for p in 0..projects {
        let project = Op::create(Project::new(&format!("project {p}")).unwrap());
        ids.push(project.subject());
        batch.push(Op::link(ws_id, Relation::Contains, project.subject()));
        batch.push(project);
    }
    // Links reference projects created later in the batch: reorder.
    let (creates, links): (Vec<Op>, Vec<Op>) =
        batch.ops().iter().cloned().partition(|op| matches!(op, Op::Create { .. }));
    db.commit(Batch::from(creates.into_iter().chain(links).collect::<Vec<_>>())).unwrap();
    ids
}

struct CommitFigures {
    commits_per_sec: f64,
    median: Duration,
    p99: Duration,
    syncs: u64,
    commits: u64,
}

fn commit_run(policy: FsyncPolicy, writers: u64, per_writer: u64) -> CommitFigures {
    let dir = tempfile::tempdir().unwrap();
    let db = Arc::new(Db::open(dir.path(), Options::new().fsync(policy)).unwrap());
    let project = setup(&db, 1)[0];
    let before = db.stats();
    let started = Instant::now();
    let handles: Vec<_> = (0..writers)
        .map(|w| {
            let db = Arc::clone(&db);
            thread::spawn(move || {
                (0..per_writer)
                    .map(|i| {
                        let batch = small_batch(project, w * per_writer + i);
                        let t = Instant::now();
                        db.commit(batch).unwrap();
                        t.elapsed()
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut lat: Vec<Duration> = handles.into_iter().flat_map(|h| h.join().unwrap()).collect();
    let elapsed = started.elapsed();
    lat.sort_unstable();
    let after = db.stats();
    CommitFigures {
        commits_per_sec: (writers * per_writer) as f64 / elapsed.as_secs_f64(),
        median: percentile(&lat, 0.5),
        p99: percentile(&lat, 0.99),
        syncs: after.syncs - before.syncs,
        commits: after.commits - before.commits,
    }
}

/// Loads `tasks` tasks in batches of 1,000: 10 projects per 10,000 tasks,
/// each task with a `blocks` link to the previous one of its project,
/// two activity entries, and every fifth one marked done.
fn bulk_load(db: &Db, tasks: usize) -> Vec<EntityId> {
    let projects = setup(db, (tasks / 1_000).max(1));
    let mut last: Vec<Option<EntityId>> = vec![None; projects.len()];
    let mut ids = Vec::with_capacity(tasks);
    let mut batch = Batch::new();
    for n in 0..tasks {
        let p = n % projects.len();
        let task = Op::create(Task::new(&format!("Task {n}: implement the next part")).unwrap());
        let id = task.subject();
        batch.push(task);
        batch.push(Op::link(projects[p], Relation::Contains, id));
        if let Some(prev) = last[p] {
            batch.push(Op::link(prev, Relation::Blocks, id));
        }
        for kind in ["CREATED", "COMMENT"] {
            let activity = Activity::new(ActivityId::random(), id, kind, Timestamp::now()).unwrap();
            batch.push(Op::RecordActivity(activity));
        }
        if n % 5 == 0 {
            let patch = TaskPatch { status: Some(TaskStatus::Done), ..TaskPatch::default() };
            batch.push(Op::update(id, patch));
        }
        last[p] = Some(id);
        ids.push(id);
        if batch.len() >= 5_000 {
            db.commit(std::mem::take(&mut batch)).unwrap();
        }
    }
    if !batch.is_empty() {
        db.commit(batch).unwrap();
    }
    ids
}

fn read_latency(db: &Db, ids: &[EntityId], samples: usize) -> (Duration, Duration) {
    let mut lat = Vec::with_capacity(samples);
    for i in 0..samples {
        let id = ids[(i * 7919) % ids.len()];
        let t = Instant::now();
        let found = db.read().get(id).is_some();
        lat.push(t.elapsed());
        assert!(found);
    }
    lat.sort_unstable();
    (percentile(&lat, 0.5), percentile(&lat, 0.99))
}

fn main() {
    let tasks: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    println!("## Store figures: {tasks} tasks\n");

    println!("### Durable commits (one task + link + activity per commit)\n");
    println!("| policy | writers | commits/s | median | p99 | syncs / commits |");
    println!("| --- | --- | --- | --- | --- | --- |");
    for (name, policy) in [
        ("always", FsyncPolicy::Always),
        ("interval 10 ms", FsyncPolicy::Interval(Duration::from_millis(10))),
        ("never", FsyncPolicy::Never),
    ] {
        for writers in [1, 4] {
            let per = if policy == FsyncPolicy::Always { 2_000 / writers } else { 20_000 / writers };
            let f = commit_run(policy, writers, per);
            println!(
                "| {name} | {writers} | {:.0} | {} | {} | {} / {} |",
                f.commits_per_sec,
                micros(f.median),
                micros(f.p99),
                f.syncs,
                f.commits
            );
        }
    }

    let dir = tempfile::tempdir().unwrap();
    let options = || Options::new().snapshot_every(None, None);
    let db = Db::open(dir.path(), options()).unwrap();
    let started = Instant::now();
    let ids = bulk_load(&db, tasks);
    let load = started.elapsed();
    let (entities, edges) = (db.read().entity_count(), db.read().relationship_count());
    let rss_loaded = rss_mib();
    db.close().unwrap();
    let log_bytes = dir_bytes(dir.path());

    let started = Instant::now();
    let db = Db::open(dir.path(), options()).unwrap();
    let full_recovery = started.elapsed();
    assert_eq!(db.read().entity_count(), entities);

    // Snapshot while a writer commits as fast as it can: its longest commit.
    let project = setup(&db, 1)[0];
    let stop = Arc::new(AtomicBool::new(false));
    let db = Arc::new(db);
    let writer = {
        let (db, stop) = (Arc::clone(&db), Arc::clone(&stop));
        thread::spawn(move || {
            let mut worst = Duration::ZERO;
            let mut n = 0;
            while !stop.load(Ordering::Acquire) {
                let t = Instant::now();
                db.commit(small_batch(project, n)).unwrap();
                worst = worst.max(t.elapsed());
                n += 1;
            }
            (worst, n)
        })
    };
    thread::sleep(Duration::from_millis(200));
    let info = db.snapshot().unwrap();
    stop.store(true, Ordering::Release);
    let (worst_commit, during) = writer.join().unwrap();
    let baseline = commit_run(FsyncPolicy::Always, 1, 500);
    let snap_bytes = info.bytes;

    let (idle_median, idle_p99) = read_latency(&db, &ids, 200_000);
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (db, stop) = (Arc::clone(&db), Arc::clone(&stop));
            thread::spawn(move || {
                let mut n = 0;
                while !stop.load(Ordering::Acquire) {
                    db.commit(small_batch(project, 1_000_000 * (w + 1) + n)).unwrap();
                    n += 1;
                }
            })
        })
        .collect();
    thread::sleep(Duration::from_millis(100));
    let (busy_median, busy_p99) = read_latency(&db, &ids, 200_000);
    stop.store(true, Ordering::Release);
    for w in writers {
        w.join().unwrap();
    }
    Arc::into_inner(db).unwrap().close().unwrap();

    let started = Instant::now();
    let db = Db::open(dir.path(), options()).unwrap();
    let snapshot_recovery = started.elapsed();
    let report = db.recovery_report().clone();
    drop(db);

    println!("\n### Data set and recovery\n");
    println!("| figure | value |");
    println!("| --- | --- |");
    println!("| entities / relationships | {entities} / {edges} |");
    println!("| bulk load, durable (batches of 5,000 ops) | {:.2} s |", load.as_secs_f64());
    println!("| resident memory after load | {rss_loaded:.0} MiB |");
    println!("| log size | {:.1} MiB |", log_bytes as f64 / 1048576.0);
    println!("| recovery from the log alone | {:.2} s |", full_recovery.as_secs_f64());
    println!(
        "| snapshot: rebuild off-lock / encode + write + fsync | {:.2} s / {:.2} s |",
        info.rebuild.as_secs_f64(),
        info.write.as_secs_f64()
    );
    println!("| snapshot file size | {:.1} MiB |", snap_bytes as f64 / 1048576.0);
    println!(
        "| recovery from the snapshot (+{} records) | {:.2} s |",
        report.replayed,
        snapshot_recovery.as_secs_f64()
    );
    println!("| writer stall: log roll under the commit lock | {} |", micros(info.writer_stall));
    println!(
        "| longest commit during the snapshot ({during} commits) / p99 commit without | {} / {} |",
        micros(worst_commit),
        micros(baseline.p99)
    );
    println!("\n### Point reads (`db.read().get(id)`)\n");
    println!("| load | median | p99 |");
    println!("| --- | --- | --- |");
    println!("| no writers | {} | {} |", micros(idle_median), micros(idle_p99));
    println!("| 4 writers, fsync always | {} | {} |", micros(busy_median), micros(busy_p99));
}
