//! Ready work: open tasks nothing open blocks, and the blocked ones with
//! what blocks them. Unlike trackers that count resolved blockers, only an
//! open blocker (not `DONE`, not `CANCELLED`) blocks.

use std::cmp::Reverse;

use convoy_core::model::{EntityKind, Priority, Task};
use convoy_core::{EntityId, Graph, Relation, Timestamp};

use crate::containment::descendants;
use crate::error::{QueryError, kind_of};

/// A task that is open but waits on open blockers.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Blocked {
    /// The task.
    pub task: EntityId,
    /// Its open blockers, by id.
    pub blockers: Vec<EntityId>,
}

fn task(graph: &Graph, id: EntityId) -> Option<&Task> {
    graph.get(id)?.data().as_task()
}

fn is_open(graph: &Graph, id: EntityId) -> bool {
    task(graph, id).is_some_and(|t| t.status.is_open())
}

/// Open blockers of a task, by id. O(d log d).
#[must_use]
pub fn open_blockers(graph: &Graph, id: EntityId) -> Vec<EntityId> {
    graph.neighbors(id, Relation::BlockedBy).into_iter().filter(|&b| is_open(graph, b)).collect()
}

/// Whether any blocker of a task is open, without collecting or sorting
/// them. O(d).
fn has_open_blocker(graph: &Graph, id: EntityId) -> bool {
    graph.edges_unordered(id).any(|e| e.relation() == Relation::BlockedBy && is_open(graph, e.target()))
}

/// The open tasks under a workspace or project, each once.
fn open_tasks(graph: &Graph, scope: EntityId) -> Result<Vec<EntityId>, QueryError> {
    let kind = kind_of(graph, scope)?;
    if !matches!(kind, EntityKind::Workspace | EntityKind::Project) {
        return Err(QueryError::WrongKind { id: scope, kind, expected: "a workspace or a project" });
    }
    Ok(descendants(graph, scope, Some(EntityKind::Task), None)?
        .into_iter()
        .map(|d| d.id)
        .filter(|&t| is_open(graph, t))
        .collect())
}

/// The sort key of ready work: priority (urgent first, none last), then
/// age (oldest first), then id.
fn urgency(graph: &Graph, id: EntityId) -> (Reverse<Option<Priority>>, Timestamp, EntityId) {
    let priority = task(graph, id).and_then(|t| t.priority);
    let created = graph.get(id).map_or(Timestamp::from_micros(0), convoy_core::model::Entity::created_at);
    (Reverse(priority), created, id)
}

/// Open tasks in a workspace or project with no open blocker, most urgent
/// first (priority, then oldest, then id), at most `limit`.
/// O(tasks in scope × their `blocked_by` degree) plus sorting.
///
/// # Errors
/// [`QueryError::NotFound`], or [`QueryError::WrongKind`] when `scope` is
/// neither a workspace nor a project.
pub fn ready(graph: &Graph, scope: EntityId, limit: Option<usize>) -> Result<Vec<EntityId>, QueryError> {
    let mut out: Vec<EntityId> =
        open_tasks(graph, scope)?.into_iter().filter(|&t| !has_open_blocker(graph, t)).collect();
    out.sort_by_cached_key(|&t| urgency(graph, t));
    if let Some(limit) = limit {
        out.truncate(limit);
    }
    Ok(out)
}

/// Ready work everywhere: every open task with no open blocker, in the
/// order of [`ready`], at most `limit`. Every task lies in exactly one
/// workspace, so this is the workspaces' ready lists merged.
/// O(open tasks × their `blocked_by` degree) plus sorting.
#[must_use]
pub fn ready_anywhere(graph: &Graph, limit: Option<usize>) -> Vec<EntityId> {
    let mut out: Vec<EntityId> = graph
        .ids_of_kind(EntityKind::Task)
        .iter()
        .copied()
        .filter(|&t| is_open(graph, t) && !has_open_blocker(graph, t))
        .collect();
    out.sort_by_cached_key(|&t| urgency(graph, t));
    if let Some(limit) = limit {
        out.truncate(limit);
    }
    out
}

/// Open tasks in a workspace or project that wait on open blockers, in the
/// same order as [`ready`], each with its open blockers.
///
/// # Errors
/// As [`ready`].
pub fn blocked(graph: &Graph, scope: EntityId) -> Result<Vec<Blocked>, QueryError> {
    let mut out: Vec<Blocked> = open_tasks(graph, scope)?
        .into_iter()
        .filter_map(|t| {
            let blockers = open_blockers(graph, t);
            (!blockers.is_empty()).then_some(Blocked { task: t, blockers })
        })
        .collect();
    out.sort_by_cached_key(|b| urgency(graph, b.task));
    Ok(out)
}
