//! Roll-ups: how the tasks under a container stand, through every level.

use std::collections::BTreeMap;

use convoy_core::model::{EntityKind, TaskStatus};
use convoy_core::{EntityId, Graph};

use crate::containment::descendants;
use crate::error::QueryError;

/// Task counts under one container.
#[derive(Clone, PartialEq, Debug, Default)]
pub struct Rollup {
    /// Tasks below the container (subtasks included), each once.
    pub total: usize,
    /// How many have each status; statuses with no task are absent.
    pub by_status: BTreeMap<TaskStatus, usize>,
    /// `DONE` tasks over all tasks that are not `CANCELLED`; 0 when there
    /// are none.
    pub done_fraction: f64,
}

/// Counts the tasks under `id` (any entity: a workspace, a project, …, or a
/// task for its subtasks) by status. O(entities below `id` and their edges).
///
/// # Errors
/// [`QueryError::NotFound`] for an unknown id.
pub fn rollup(graph: &Graph, id: EntityId) -> Result<Rollup, QueryError> {
    let mut out = Rollup::default();
    for task in descendants(graph, id, Some(EntityKind::Task), None)? {
        if let Some(t) = graph.get(task.id).and_then(|e| e.data().as_task()) {
            out.total += 1;
            *out.by_status.entry(t.status).or_default() += 1;
        }
    }
    let count = |s: TaskStatus| out.by_status.get(&s).copied().unwrap_or(0);
    let live = out.total - count(TaskStatus::Cancelled);
    out.done_fraction = if live == 0 { 0.0 } else { count(TaskStatus::Done) as f64 / live as f64 };
    Ok(out)
}
