//! Containment, both ways: everything above an entity (the seeds' upward
//! context CTE) and everything below it (their workspace-contents CTE),
//! each entity once.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet, VecDeque};

use convoy_core::model::EntityKind;
use convoy_core::{EntityId, Graph, Relation, Slot};

use crate::error::{QueryError, kind_of};

/// The references followed upward, in the order results at one depth are
/// listed: parent task, slice, milestone, workstream, project, workspace.
pub const UPWARD: [Slot; 6] =
    [Slot::ParentTask, Slot::Slice, Slot::Milestone, Slot::Workstream, Slot::Project, Slot::Workspace];

/// One container above the focus.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Ancestor {
    /// The container (or parent task).
    pub id: EntityId,
    /// Its kind.
    pub kind: EntityKind,
    /// The reference that reached it first.
    pub slot: Slot,
    /// Hops from the focus (1 for a task's own project).
    pub depth: u32,
}

/// Every container above `id`: its parent task, slice, milestone,
/// workstream, project, and theirs, up to the workspace. Each entity once,
/// at its smallest depth; ordered by depth, then [`UPWARD`] order, then id.
/// O(ancestors): each step is an O(1) reference.
///
/// # Errors
/// [`QueryError::NotFound`] for an unknown id.
pub fn ancestors(graph: &Graph, id: EntityId) -> Result<Vec<Ancestor>, QueryError> {
    kind_of(graph, id)?;
    let mut seen = HashSet::from([id]);
    let mut out = Vec::new();
    let mut frontier = vec![id];
    let mut depth = 0;
    while !frontier.is_empty() {
        depth += 1;
        let mut level = Vec::new();
        for &at in &frontier {
            for slot in UPWARD {
                if let Some(up) = graph.parent(at, slot)
                    && seen.insert(up)
                    && let Some(entity) = graph.get(up)
                {
                    level.push(Ancestor { id: up, kind: entity.kind(), slot, depth });
                }
            }
        }
        level.sort_unstable_by_key(|a| (UPWARD.iter().position(|&s| s == a.slot), a.id));
        frontier = level.iter().map(|a| a.id).collect();
        out.extend(level);
    }
    Ok(out)
}

/// Whether walking below an entity of kind `at` can list anything new.
/// Every task has a project, and its workstream, milestone, slice and parent
/// task lie in that project (a closing check of every batch), so below a
/// workspace or project each task is already a direct child of its project:
/// tasks need no expanding, and for a task-only listing neither do the
/// containers between the project and its tasks.
fn worth_expanding(focus: EntityKind, filter: Option<EntityKind>, at: EntityKind) -> bool {
    if !matches!(focus, EntityKind::Workspace | EntityKind::Project) {
        return true;
    }
    match at {
        EntityKind::Task => false,
        EntityKind::Workstream | EntityKind::Milestone | EntityKind::Slice => filter != Some(EntityKind::Task),
        _ => true,
    }
}

/// The tasks below a workspace or project, from the per-project task
/// index: every task is a direct child of its project (depth 1 from it, 2
/// from its workspace; see [`worth_expanding`]), so no edge is walked. A
/// workspace's projects' sorted sets are merged by id.
/// O(tasks · log projects).
fn tasks_below(graph: &Graph, id: EntityId, focus: EntityKind, max_depth: Option<u32>) -> Vec<Descendant> {
    let (projects, depth) = if focus == EntityKind::Project {
        (vec![id], 1)
    } else {
        let projects = graph.neighbors(id, Relation::Contains);
        (projects.into_iter().filter(|&p| graph.get(p).is_some_and(|e| e.kind() == EntityKind::Project)).collect(), 2)
    };
    if max_depth.is_some_and(|m| m < depth) {
        return Vec::new();
    }
    let task = |id: EntityId| Descendant { id, kind: EntityKind::Task, depth };
    let sets: Vec<_> = projects.iter().map(|&p| graph.tasks_in_project(p)).collect();
    let mut out = Vec::with_capacity(sets.iter().map(|s| s.len()).sum());
    if let [only] = sets.as_slice() {
        out.extend(only.iter().map(|&t| task(t)));
        return out;
    }
    let mut iters: Vec<_> = sets.iter().map(|s| s.iter()).collect();
    let mut heap: BinaryHeap<Reverse<(EntityId, usize)>> =
        iters.iter_mut().enumerate().filter_map(|(i, it)| it.next().map(|&t| Reverse((t, i)))).collect();
    while let Some(Reverse((t, i))) = heap.pop() {
        out.push(task(t));
        if let Some(&next) = iters[i].next() {
            heap.push(Reverse((next, i)));
        }
    }
    out
}

/// One entity below the focus.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Descendant {
    /// The entity.
    pub id: EntityId,
    /// Its kind.
    pub kind: EntityKind,
    /// Its smallest number of `contains` / `has_subtask` hops from the focus.
    pub depth: u32,
}

/// Everything below `id` through `contains` and `has_subtask` edges: a
/// workspace's projects, their workstreams, milestones, slices, tasks and
/// subtasks. Each entity once (a task reachable through its project,
/// workstream, milestone and slice is listed once, unlike the seeds' CTE),
/// at its smallest depth. `kind` filters the output (the walk still goes
/// through other kinds); `max_depth` stops the walk. Ordered by depth, then
/// id. O(edges of the entities visited).
///
/// # Errors
/// [`QueryError::NotFound`] for an unknown id.
pub fn descendants(
    graph: &Graph,
    id: EntityId,
    kind: Option<EntityKind>,
    max_depth: Option<u32>,
) -> Result<Vec<Descendant>, QueryError> {
    let focus = kind_of(graph, id)?;
    if kind == Some(EntityKind::Task) && matches!(focus, EntityKind::Workspace | EntityKind::Project) {
        return Ok(tasks_below(graph, id, focus, max_depth));
    }
    let mut seen = HashSet::from([id]);
    let mut queue = VecDeque::from([(id, 0u32, focus)]);
    let mut out = Vec::new();
    while let Some((at, depth, kind_at)) = queue.pop_front() {
        if max_depth.is_some_and(|m| depth >= m) || !worth_expanding(focus, kind, kind_at) {
            continue;
        }
        for edge in graph.edges_unordered(at) {
            let child = edge.target();
            if matches!(edge.relation(), Relation::Contains | Relation::HasSubtask) && seen.insert(child) {
                let Some(entity) = graph.get(child) else { continue };
                queue.push_back((child, depth + 1, entity.kind()));
                if kind.is_none_or(|k| k == entity.kind()) {
                    out.push(Descendant { id: child, kind: entity.kind(), depth: depth + 1 });
                }
            }
        }
    }
    out.sort_unstable_by_key(|d| (d.depth, d.id));
    Ok(out)
}
