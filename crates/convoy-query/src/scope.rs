//! Patterns and best practices in scope of an entity: those of its project,
//! then of its workspace, then the global ones — nearest scope first.

use convoy_core::model::{Entity, EntityKind};
use convoy_core::{EntityId, Graph, Slot};

/// How near a pattern's or best practice's scope is.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum ScopeLevel {
    /// Scoped to the entity's project.
    Project,
    /// Scoped to the entity's workspace.
    Workspace,
    /// Scoped to nothing: applies everywhere.
    Global,
}

/// One pattern or best practice in scope.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct Guidance<'g> {
    /// The pattern or best practice.
    pub entity: &'g Entity,
    /// Where it comes from.
    pub level: ScopeLevel,
}

/// The project and workspace an entity sits in (itself, if it is one).
pub(crate) fn home(graph: &Graph, id: EntityId) -> (Option<EntityId>, Option<EntityId>) {
    let kind = graph.get(id).map(Entity::kind);
    let project = if kind == Some(EntityKind::Project) { Some(id) } else { graph.parent(id, Slot::Project) }
        .or_else(|| graph.parent(id, Slot::Milestone).and_then(|m| graph.parent(m, Slot::Project)));
    let workspace = if kind == Some(EntityKind::Workspace) { Some(id) } else { None }
        .or_else(|| project.and_then(|p| graph.parent(p, Slot::Workspace)));
    (project, workspace)
}

/// Entities of `kind` (pattern or best practice) in scope for something in
/// `project` / `workspace`: project-scoped, then workspace-scoped, then
/// global, each group by id. O(entities scoped to the two containers +
/// global ones of the kind), through the graph's index of global ones.
pub(crate) fn in_scope<'g>(
    graph: &'g Graph,
    kind: EntityKind,
    project: Option<EntityId>,
    workspace: Option<EntityId>,
) -> Vec<Guidance<'g>> {
    let mut out = Vec::new();
    for (container, level) in [(project, ScopeLevel::Project), (workspace, ScopeLevel::Workspace)] {
        let Some(container) = container else { continue };
        for &id in graph.scoped_to(container) {
            if let Some(entity) = graph.get(id).filter(|e| e.kind() == kind) {
                out.push(Guidance { entity, level });
            }
        }
    }
    out.extend(
        graph
            .unscoped(kind)
            .iter()
            .filter_map(|&id| graph.get(id))
            .map(|entity| Guidance { entity, level: ScopeLevel::Global }),
    );
    out
}
