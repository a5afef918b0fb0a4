//! The closing checks: rules that only hold once a batch is complete
//! (a new project has its workspace; a task's slice lies in its project),
//! verified for exactly the entities the batch touched, so their cost
//! follows the batch's size, not the graph's.

use petgraph::Direction;
use petgraph::stable_graph::NodeIndex;
use petgraph::visit::EdgeRef as _;

use super::read::Graph;
use super::txn::Txn;
use crate::error::OpError;
use crate::id::EntityId;
use crate::model::kind::EntityKind;
use crate::relation::{Relation, Slot};

/// The references an entity of each kind must have.
const fn required(kind: EntityKind) -> &'static [Slot] {
    match kind {
        EntityKind::Project => &[Slot::Workspace],
        EntityKind::Workstream | EntityKind::Milestone | EntityKind::Task => &[Slot::Project],
        EntityKind::Slice => &[Slot::Milestone],
        _ => &[],
    }
}

impl Txn<'_> {
    /// Verifies the local rules of every entity the batch created or
    /// re-parented, of the dependents of re-parented containers, and of the
    /// followers of workflows whose stages changed. Entities are checked in
    /// id order, so the error reported is deterministic.
    pub(super) fn closing_checks(&mut self) -> Result<(), OpError> {
        let g = &*self.graph;
        let mut ids = std::mem::take(&mut self.check);
        for &id in &self.reparented {
            ids.push(id);
            if let Some(&idx) = g.ids.get(&id) {
                g.dependents(idx, &mut ids);
            }
        }
        for &id in &self.restaged {
            if let Some(&idx) = g.ids.get(&id) {
                ids.extend(g.targets(idx, Relation::FollowedBy).map(|t| g.id_of(t)));
            }
        }
        ids.sort_unstable();
        ids.dedup();
        ids.iter().filter_map(|id| g.ids.get(id)).try_for_each(|&idx| g.check_local(idx))
    }
}

impl Graph {
    /// Targets of `idx`'s edges with this relation, in unspecified order. O(d).
    pub(super) fn targets(&self, idx: NodeIndex, relation: Relation) -> impl Iterator<Item = NodeIndex> + '_ {
        self.g
            .edges_directed(idx, Direction::Outgoing)
            .filter(move |e| e.weight().relation == relation)
            .map(|e| e.target())
    }

    /// Entities whose placement rules mention `idx` as a container: tasks
    /// of a workstream, slice or milestone (and of the milestone's slices),
    /// subtasks of a task.
    fn dependents(&self, idx: NodeIndex, out: &mut Vec<EntityId>) {
        match self.kind_at(idx) {
            EntityKind::Workstream | EntityKind::Slice => {
                out.extend(self.targets(idx, Relation::Contains).map(|t| self.id_of(t)));
            }
            EntityKind::Milestone => {
                for child in self.targets(idx, Relation::Contains) {
                    out.push(self.id_of(child));
                    if self.kind_at(child) == EntityKind::Slice {
                        out.extend(self.targets(child, Relation::Contains).map(|t| self.id_of(t)));
                    }
                }
            }
            EntityKind::Task => out.extend(self.targets(idx, Relation::HasSubtask).map(|t| self.id_of(t))),
            _ => {}
        }
    }

    /// The project a container or task lies in (a slice's through its milestone).
    fn project_of(&self, idx: NodeIndex) -> Option<NodeIndex> {
        let up = &self.g[idx].up;
        match self.kind_at(idx) {
            EntityKind::Slice => up.get(Slot::Milestone).and_then(|m| self.g[m].up.get(Slot::Project)),
            _ => up.get(Slot::Project),
        }
    }

    /// The rules of invariant 3 (and the stage rule) for one entity:
    /// required references present; a task's workstream, milestone, slice
    /// and parent in its own project; its slice in its milestone; its stage
    /// one of its workflow's. O(1).
    pub(super) fn check_local(&self, idx: NodeIndex) -> Result<(), OpError> {
        let node = &self.g[idx];
        let (id, kind) = (node.entity.id(), node.entity.kind());
        for &slot in required(kind) {
            if node.up.get(slot).is_none() {
                return Err(OpError::MissingParent { id, kind, slot });
            }
        }
        let Some(task) = node.entity.data().as_task() else { return Ok(()) };
        let project = node.up.get(Slot::Project);
        for slot in [Slot::Workstream, Slot::Milestone, Slot::Slice, Slot::ParentTask] {
            let Some(other) = node.up.get(slot) else { continue };
            let found = self.project_of(other);
            if let (Some(expected), Some(found)) = (project, found)
                && expected != found
            {
                return Err(self.misplaced(id, slot, other, expected, found));
            }
        }
        if let (Some(slice), Some(milestone)) = (node.up.get(Slot::Slice), node.up.get(Slot::Milestone))
            && let Some(found) = self.g[slice].up.get(Slot::Milestone)
            && found != milestone
        {
            return Err(self.misplaced(id, Slot::Slice, slice, milestone, found));
        }
        if let (Some(workflow), Some(stage)) = (node.up.get(Slot::Workflow), task.current_stage.as_ref()) {
            let workflow = &self.g[workflow].entity;
            if workflow.data().as_workflow().is_none_or(|w| w.stages.get(stage).is_none()) {
                return Err(OpError::StageNotInWorkflow {
                    task: id,
                    stage: stage.to_string(),
                    workflow: workflow.id(),
                });
            }
        }
        Ok(())
    }

    fn misplaced(&self, id: EntityId, slot: Slot, other: NodeIndex, expected: NodeIndex, found: NodeIndex) -> OpError {
        OpError::Misplaced {
            id,
            slot,
            other: self.id_of(other),
            expected: self.id_of(expected),
            found: self.id_of(found),
        }
    }
}
