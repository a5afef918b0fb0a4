//! Context bundles: everything an agent needs about one entity, in one
//! call — the seeds' `getTaskContext` / `getTaskWithContext`, and the
//! container equivalents.

use std::collections::BTreeMap;

use convoy_core::model::{Activity, Entity, EntityKind, Stage};
use convoy_core::{EntityId, Graph, Relation, Slot};

use crate::containment::{Ancestor, ancestors};
use crate::error::{QueryError, kind_of};
use crate::ready::open_blockers;
use crate::rollup::{Rollup, rollup};
use crate::scope::{Guidance, home, in_scope};

/// How many feed entries a bundle carries unless asked otherwise.
pub const DEFAULT_ACTIVITY: usize = 20;

/// A task and its whole context.
#[derive(Clone, Debug)]
pub struct TaskBundle<'g> {
    /// The task.
    pub task: &'g Entity,
    /// Its parent task, if it is a subtask.
    pub parent_task: Option<&'g Entity>,
    /// Its subtasks, by id.
    pub subtasks: Vec<&'g Entity>,
    /// Its slice, milestone, workstream, project and workspace, where set.
    pub slice: Option<&'g Entity>,
    /// See `slice`.
    pub milestone: Option<&'g Entity>,
    /// See `slice`.
    pub workstream: Option<&'g Entity>,
    /// See `slice`.
    pub project: Option<&'g Entity>,
    /// See `slice`.
    pub workspace: Option<&'g Entity>,
    /// Tasks this one blocks, by id (each entity carries its status).
    pub blocks: Vec<&'g Entity>,
    /// Tasks blocking this one, by id.
    pub blocked_by: Vec<&'g Entity>,
    /// Whether any blocker is still open (not `DONE`, not `CANCELLED`).
    pub has_open_blocker: bool,
    /// Related tasks, by id.
    pub related: Vec<&'g Entity>,
    /// The workflow it follows.
    pub workflow: Option<&'g Entity>,
    /// Its current stage in that workflow (with the checkpoint flag).
    pub current_stage: Option<&'g Stage>,
    /// Patterns in scope, nearest scope first.
    pub patterns: Vec<Guidance<'g>>,
    /// Best practices in scope, nearest scope first.
    pub best_practices: Vec<Guidance<'g>>,
    /// The most recent feed entries, newest first.
    pub recent_activity: Vec<&'g Activity>,
}

fn entities(graph: &Graph, ids: Vec<EntityId>) -> Vec<&Entity> {
    ids.into_iter().filter_map(|id| graph.get(id)).collect()
}

/// The context bundle of a task, with its `activity` most recent feed
/// entries. O(degree of the task + patterns and best practices in scope +
/// `activity`); every container is an O(1) reference.
///
/// # Errors
/// [`QueryError::NotFound`]; [`QueryError::WrongKind`] for a non-task.
pub fn task_bundle(graph: &Graph, id: EntityId, activity: usize) -> Result<TaskBundle<'_>, QueryError> {
    let kind = kind_of(graph, id)?;
    let Some(task) = graph.get(id).filter(|_| kind == EntityKind::Task) else {
        return Err(QueryError::WrongKind { id, kind, expected: "a task" });
    };
    let up = |slot| graph.parent(id, slot).and_then(|p| graph.get(p));
    let project = up(Slot::Project);
    let workspace = project.and_then(|p| graph.parent(p.id(), Slot::Workspace)).and_then(|w| graph.get(w));
    let workflow = up(Slot::Workflow);
    let current_stage = task
        .data()
        .as_task()
        .and_then(|t| t.current_stage.as_ref())
        .and_then(|stage| workflow.and_then(|w| w.data().as_workflow()).and_then(|w| w.stages.get(stage)));
    let (home_project, home_workspace) = (project.map(Entity::id), workspace.map(Entity::id));
    Ok(TaskBundle {
        task,
        parent_task: up(Slot::ParentTask),
        subtasks: entities(graph, graph.neighbors(id, Relation::HasSubtask)),
        slice: up(Slot::Slice),
        milestone: up(Slot::Milestone),
        workstream: up(Slot::Workstream),
        project,
        workspace,
        blocks: entities(graph, graph.neighbors(id, Relation::Blocks)),
        blocked_by: entities(graph, graph.neighbors(id, Relation::BlockedBy)),
        has_open_blocker: !open_blockers(graph, id).is_empty(),
        related: entities(graph, graph.neighbors(id, Relation::RelatedTo)),
        workflow,
        current_stage,
        patterns: in_scope(graph, EntityKind::Pattern, home_project, home_workspace),
        best_practices: in_scope(graph, EntityKind::BestPractice, home_project, home_workspace),
        recent_activity: graph.recent_activity(id, activity).collect(),
    })
}

/// A workspace, project, workstream, milestone or slice with its context.
#[derive(Clone, Debug)]
pub struct ContainerBundle<'g> {
    /// The container.
    pub entity: &'g Entity,
    /// What it sits in (see [`ancestors`]).
    pub ancestors: Vec<Ancestor>,
    /// Its direct children (`contains` edges), by kind, each list by id.
    pub children: BTreeMap<EntityKind, Vec<&'g Entity>>,
    /// Task counts through every level below it.
    pub rollup: Rollup,
    /// Patterns in scope, nearest scope first.
    pub patterns: Vec<Guidance<'g>>,
    /// Best practices in scope, nearest scope first.
    pub best_practices: Vec<Guidance<'g>>,
}

/// The context bundle of a container. O(entities below it and their
/// edges), for the roll-up.
///
/// # Errors
/// [`QueryError::NotFound`]; [`QueryError::WrongKind`] for a task or a
/// non-container.
pub fn container_bundle(graph: &Graph, id: EntityId) -> Result<ContainerBundle<'_>, QueryError> {
    let kind = kind_of(graph, id)?;
    let containers =
        [EntityKind::Workspace, EntityKind::Project, EntityKind::Workstream, EntityKind::Milestone, EntityKind::Slice];
    let Some(entity) = graph.get(id).filter(|_| containers.contains(&kind)) else {
        return Err(QueryError::WrongKind {
            id,
            kind,
            expected: "a workspace, project, workstream, milestone or slice",
        });
    };
    let mut children: BTreeMap<EntityKind, Vec<&Entity>> = BTreeMap::new();
    for child in entities(graph, graph.neighbors(id, Relation::Contains)) {
        children.entry(child.kind()).or_default().push(child);
    }
    let (project, workspace) = home(graph, id);
    Ok(ContainerBundle {
        entity,
        ancestors: ancestors(graph, id)?,
        children,
        rollup: rollup(graph, id)?,
        patterns: in_scope(graph, EntityKind::Pattern, project, workspace),
        best_practices: in_scope(graph, EntityKind::BestPractice, project, workspace),
    })
}
