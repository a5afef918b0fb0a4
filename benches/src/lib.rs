//! Shared set-up for Convoy's benches: a generated graph in memory.

use convoy_core::{EntityId, Graph, Relation};
use convoy_query::{Direction, Traversal};

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

/// The benchmarked neighbourhood: 3 hops over `blocks` and `related_to`,
/// both ways (the comparison's Q5, the criterion bench and the
/// instruction-count example all use it).
#[must_use]
pub fn three_hops() -> Traversal {
    Traversal {
        relations: vec![Relation::Blocks, Relation::RelatedTo],
        direction: Direction::Both,
        max_hops: 3,
        kind: None,
        limit: None,
    }
}
