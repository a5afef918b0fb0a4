//! Shared set-up for Convoy's benches: a generated graph in memory.

use convoy_core::{EntityId, Graph};

/// A graph of `tasks` tasks from the standard workload (seed 42), with the
/// workload's ids.
///
/// # Errors
/// A generated batch the graph refuses (a generator bug).
pub fn graph(tasks: usize) -> Result<(Graph, convoy_workload::Dataset), Box<dyn std::error::Error>> {
    let data = convoy_workload::generate(tasks, 42)?;
    let mut graph = Graph::new();
    for batch in &data.batches {
        graph.apply(batch)?;
    }
    Ok((graph, data))
}

/// `n` ids spread evenly over `ids`, for rotating bench inputs.
#[must_use]
pub fn spread(ids: &[EntityId], n: usize) -> Vec<EntityId> {
    let step = (ids.len() / n.max(1)).max(1);
    ids.iter().step_by(step).take(n).copied().collect()
}
