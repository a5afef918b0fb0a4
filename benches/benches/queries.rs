//! Query benches on the standard workload.
//!
//! `cargo bench -p convoy-bench --bench queries` runs every query at 100k
//! tasks, and the point queries at 10k and 100k tasks (set
//! `CONVOY_BENCH_SIZES=10000,100000,1000000` for the 1M point of the
//! series).

#![expect(clippy::unwrap_used, clippy::expect_used, missing_docs, reason = "a bench")]

use std::hint::black_box;
use std::time::Duration;

use convoy_bench::{graph, spread, three_hops};
use convoy_core::model::{Priority, TaskStatus};
use convoy_query::{Find, RankOptions, descendants, find, rank, ready, task_bundle, traverse};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

fn sizes() -> Vec<usize> {
    std::env::var("CONVOY_BENCH_SIZES")
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000, 100_000])
}

fn queries(c: &mut Criterion) {
    let mut group = c.benchmark_group("queries");
    group.sample_size(50).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    for tasks in sizes() {
        let (graph, data) = graph(tasks).expect("workload");
        let sample = spread(&data.tasks, 1024);
        let projects = spread(&data.projects, 64);
        let mut i = 0;
        let mut next = |ids: &[convoy_core::EntityId]| {
            i += 1;
            ids[i % ids.len()]
        };
        group.bench_function(BenchmarkId::new("task_bundle", tasks), |b| {
            b.iter(|| black_box(task_bundle(&graph, next(&sample), 20).unwrap().blocked_by.len()));
        });
        group.bench_function(BenchmarkId::new("traverse_3_hops", tasks), |b| {
            let q = three_hops();
            b.iter(|| black_box(traverse(&graph, next(&sample), &q).unwrap().len()));
        });
        group.bench_function(BenchmarkId::new("rank_top_20", tasks), |b| {
            let options = RankOptions::default();
            b.iter(|| black_box(rank(&graph, next(&sample), &options).unwrap().len()));
        });
        group.bench_function(BenchmarkId::new("ready_in_project", tasks), |b| {
            b.iter(|| black_box(ready(&graph, next(&projects), Some(20)).unwrap().len()));
        });
        group.bench_function(BenchmarkId::new("find_project_status_priority", tasks), |b| {
            b.iter(|| {
                let mut q = Find::new(convoy_core::model::EntityKind::Task);
                q.within = Some(next(&projects));
                q.task_statuses = vec![TaskStatus::Todo];
                q.priorities = vec![Some(Priority::High)];
                black_box(find(&graph, &q).unwrap().ids.len())
            });
        });
        group.bench_function(BenchmarkId::new("workspace_tasks", tasks), |b| {
            let ws = data.workspaces[0];
            b.iter(|| {
                black_box(descendants(&graph, ws, Some(convoy_core::model::EntityKind::Task), None).unwrap().len())
            });
        });
    }
    group.finish();
}

criterion_group!(benches, queries);
criterion_main!(benches);
