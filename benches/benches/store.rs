//! Store and engine benches: applying batches in memory, durable commits
//! under each fsync policy, snapshot writing and recovery.
//!
//! `cargo bench -p convoy-bench --bench store` (10,000 tasks by default;
//! `CONVOY_BENCH_TASKS` changes it).

#![expect(clippy::unwrap_used, missing_docs, reason = "a bench")]

use std::hint::black_box;
use std::time::Duration;

use convoy_core::model::{Activity, Task};
use convoy_core::{ActivityId, Batch, EntityId, Graph, Op, Relation, Timestamp};
use convoy_store::{Db, FsyncPolicy, Options};
use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};

fn tasks() -> usize {
    std::env::var("CONVOY_BENCH_TASKS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000)
}

/// One new task in `project` with its link and one activity entry.
fn small_batch(project: EntityId, n: usize) -> Batch {
    let task = Op::create(Task::new(&format!("bench task {n}")).unwrap());
    let id = task.subject();
    let activity = Activity::new(ActivityId::random(), id, "CREATED", Timestamp::now()).unwrap();
    Batch::from(vec![task, Op::link(project, Relation::Contains, id), Op::RecordActivity(activity)])
}

fn loaded(dir: &std::path::Path, options: Options, n: usize) -> (Db, convoy_workload::Dataset) {
    let data = convoy_workload::generate(n, 42).unwrap();
    let db = Db::open(dir, options).unwrap();
    for batch in &data.batches {
        db.commit(batch.clone()).unwrap();
    }
    (db, data)
}

fn apply(c: &mut Criterion) {
    let mut group = c.benchmark_group("apply");
    group.sample_size(30).measurement_time(Duration::from_secs(3));
    let n = tasks();
    let (mut graph, data) = convoy_bench::graph(n).unwrap();
    let project = data.projects[0];
    let mut k = 0;
    group.bench_function(BenchmarkId::new("one_task_batch", n), |b| {
        b.iter_batched(
            || {
                k += 1;
                small_batch(project, k)
            },
            |batch| graph.apply(black_box(&batch)).unwrap(),
            BatchSize::SmallInput,
        );
    });
    group.bench_function(BenchmarkId::new("generated_project_batch", n), |b| {
        let batch = data.batches[1].clone();
        let shared = data.batches[0].clone();
        b.iter_batched_ref(
            || {
                let mut g = Graph::new();
                g.apply(&shared).unwrap();
                g
            },
            |g| g.apply(black_box(&batch)).unwrap(),
            BatchSize::LargeInput,
        );
    });
    group.finish();
}

fn commit(c: &mut Criterion) {
    let mut group = c.benchmark_group("commit");
    group.sample_size(30).measurement_time(Duration::from_secs(3));
    for (name, policy) in [("always", FsyncPolicy::Always), ("never", FsyncPolicy::Never)] {
        let dir = tempfile::tempdir().unwrap();
        let (db, data) = loaded(dir.path(), Options::new().fsync(policy), 1_000);
        let project = data.projects[0];
        let mut n = 0;
        group.bench_function(BenchmarkId::new("one_task", name), |b| {
            b.iter(|| {
                n += 1;
                db.commit(small_batch(project, n)).unwrap()
            });
        });
    }
    group.finish();
}

fn snapshot_and_recovery(c: &mut Criterion) {
    let mut group = c.benchmark_group("durability");
    group.sample_size(10).measurement_time(Duration::from_secs(10));
    let n = tasks();
    let dir = tempfile::tempdir().unwrap();
    let options = || Options::new().snapshot_every(None, None);
    let (db, data) = loaded(dir.path(), options(), n);
    let project = data.projects[0];
    let mut k = 0;
    group.bench_function(BenchmarkId::new("snapshot", n), |b| {
        b.iter(|| {
            // One new commit each time, so every snapshot has work to do.
            k += 1;
            db.commit(small_batch(project, k)).unwrap();
            db.snapshot().unwrap()
        });
    });
    db.close().unwrap();
    group.bench_function(BenchmarkId::new("recovery_from_snapshot", n), |b| {
        b.iter(|| Db::open(dir.path(), options()).unwrap().read().entity_count());
    });
    group.finish();
}

criterion_group!(benches, apply, commit, snapshot_and_recovery);
criterion_main!(benches);
