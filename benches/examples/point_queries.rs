//! Runs 1,000 task bundles, 3-hop traversals and rankings on a generated
//! graph of the given size, for instruction counting:
//!
//! ```sh
//! valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*point_work*' \
//!     target/release/examples/point_queries 100000
//! ```
//!
//! The instructions spent inside `point_work` are the queries' own work;
//! comparing sizes shows whether it grows with the graph.

#![expect(clippy::unwrap_used, clippy::print_stdout, reason = "a measuring program")]

use std::hint::black_box;

use convoy_bench::{graph, spread, three_hops};
use convoy_core::{EntityId, Graph};
use convoy_query::{RankOptions, rank, task_bundle, traverse};

#[inline(never)]
fn point_work(graph: &Graph, sample: &[EntityId]) -> usize {
    let hops = three_hops();
    let options = RankOptions::default();
    let mut n = 0;
    for &task in sample {
        n += task_bundle(graph, task, 20).unwrap().subtasks.len();
        n += traverse(graph, task, &hops).unwrap().len();
        n += rank(graph, task, &options).unwrap().len();
    }
    n
}

fn main() {
    let tasks: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let (graph, data) = graph(tasks).unwrap();
    let sample = spread(&data.tasks, 1_000);
    println!("{}", black_box(point_work(&graph, &sample)));
}
