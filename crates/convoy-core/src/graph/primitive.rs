//! The graph's raw mutation primitives. Each keeps the id map, the uplinks
//! and the secondary indexes exact with the nodes and edges; none checks
//! the rules (the op layer does) and none journals (the transaction does).

use petgraph::Direction;
use petgraph::stable_graph::{EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef as _;

use super::index::task_key;
use super::node::Node;
use super::read::Graph;
use crate::model::activity::Activity;
use crate::model::entity::Entity;
use crate::model::kind::EntityKind;
use crate::relation::{EdgeData, Relation};

/// A guess at how many edges an entity of this kind has, used to search an
/// edge from its cheaper endpoint: a task has a handful, a project thousands,
/// a workflow or user possibly every task.
const fn degree_rank(kind: EntityKind) -> u8 {
    match kind {
        EntityKind::Task | EntityKind::Pattern | EntityKind::BestPractice => 0,
        EntityKind::Slice => 1,
        EntityKind::Workstream | EntityKind::Milestone => 2,
        EntityKind::Project => 3,
        EntityKind::Workspace => 4,
        EntityKind::User | EntityKind::Workflow => 5,
    }
}

/// Patterns and best practices: the kinds that have a scope.
const fn is_guidance(kind: EntityKind) -> bool {
    matches!(kind, EntityKind::Pattern | EntityKind::BestPractice)
}

impl Graph {
    /// The edge `a -relation-> b`, searched from the endpoint likely to have
    /// fewer edges (the edge is in `a`'s outgoing and `b`'s incoming lists).
    /// O(degree of that endpoint).
    pub(super) fn find_edge(&self, a: NodeIndex, relation: Relation, b: NodeIndex) -> Option<EdgeIndex> {
        if degree_rank(self.kind_at(a)) <= degree_rank(self.kind_at(b)) {
            self.g
                .edges_directed(a, Direction::Outgoing)
                .find(|e| e.target() == b && e.weight().relation == relation)
                .map(|e| e.id())
        } else {
            self.g
                .edges_directed(b, Direction::Incoming)
                .find(|e| e.source() == a && e.weight().relation == relation)
                .map(|e| e.id())
        }
    }

    /// Adds an entity with no edges. O(1) plus index upkeep.
    pub(super) fn raw_insert_node(&mut self, node: Node) -> NodeIndex {
        let id = node.entity.id();
        self.index.insert(&node.entity);
        let kind = node.entity.kind();
        if is_guidance(kind) {
            self.index.set_unscoped(kind, id, node.up.get(crate::relation::Slot::Scope).is_none());
        }
        let idx = self.g.add_node(node);
        self.ids.insert(id, idx);
        idx
    }

    /// Removes an entity whose edges are already gone; returns it with its feed.
    pub(super) fn raw_remove_node(&mut self, idx: NodeIndex) -> Option<Node> {
        let node = self.g.remove_node(idx)?;
        self.ids.remove(&node.entity.id());
        self.index.remove(&node.entity);
        self.index.set_unscoped(node.entity.kind(), node.entity.id(), false);
        Some(node)
    }

    /// Swaps an entity's fields, re-indexing it; returns the old entity.
    pub(super) fn raw_replace_entity(&mut self, idx: NodeIndex, entity: Entity) -> Entity {
        let project = self.g[idx].up.get(crate::relation::Slot::Project).map(|p| self.id_of(p));
        if let (Some(project), Some(old), Some(new)) = (project, task_key(&self.g[idx].entity), task_key(&entity))
            && old != new
        {
            self.index.rekey_in_project(project, entity.id(), old, new);
        }
        let node = &mut self.g[idx];
        self.index.remove(&node.entity);
        self.index.insert(&entity);
        std::mem::replace(&mut node.entity, entity)
    }

    /// Adds `a -data.relation-> b` and its inverse with equal weight,
    /// metadata and time, and fills the uplink either side holds. O(1).
    pub(super) fn raw_insert_edge_pair(&mut self, a: NodeIndex, b: NodeIndex, data: EdgeData) {
        let relation = data.relation;
        let inverse = EdgeData { relation: relation.inverse(), ..data.clone() };
        self.g.add_edge(a, b, data);
        self.g.add_edge(b, a, inverse);
        self.update_uplinks(a, relation, b, true);
    }

    /// Removes `a -relation-> b` and its inverse; returns the removed edge's
    /// data. O(degree of the cheaper endpoint).
    pub(super) fn raw_remove_edge_pair(&mut self, a: NodeIndex, relation: Relation, b: NodeIndex) -> Option<EdgeData> {
        let forward = self.find_edge(a, relation, b)?;
        let backward = self.find_edge(b, relation.inverse(), a)?;
        let data = self.g.remove_edge(forward)?;
        self.g.remove_edge(backward);
        self.update_uplinks(a, relation, b, false);
        Some(data)
    }

    /// Inserts a feed entry in time order.
    pub(super) fn raw_insert_activity(&mut self, idx: NodeIndex, activity: Activity) {
        self.g[idx].insert_activity(activity);
    }

    /// Sets (or clears) the uplinks and the owner, project and scope indexes
    /// an edge pair implies.
    pub(super) fn update_uplinks(&mut self, a: NodeIndex, relation: Relation, b: NodeIndex, present: bool) {
        let (kind_a, kind_b) = (self.kind_at(a), self.kind_at(b));
        if let Some(slot) = relation.slot(kind_b) {
            self.g[a].up.set(slot, present.then_some(b));
        }
        if let Some(slot) = relation.inverse().slot(kind_a) {
            self.g[b].up.set(slot, present.then_some(a));
        }
        let scoping = match relation {
            Relation::ScopedTo if is_guidance(kind_a) => Some((a, kind_a, b)),
            Relation::Scopes if is_guidance(kind_b) => Some((b, kind_b, a)),
            _ => None,
        };
        if let Some((item, kind, container)) = scoping {
            let (item, container) = (self.id_of(item), self.id_of(container));
            self.index.set_unscoped(kind, item, !present);
            self.index.set_scoped(container, item, present);
        }
        let in_project = match (relation, kind_a, kind_b) {
            (Relation::BelongsTo, EntityKind::Task, EntityKind::Project) => Some((b, a)),
            (Relation::Contains, EntityKind::Project, EntityKind::Task) => Some((a, b)),
            _ => None,
        };
        if let Some((project, task)) = in_project
            && let Some(key) = task_key(&self.g[task].entity)
        {
            let (project, task) = (self.id_of(project), self.id_of(task));
            self.index.set_in_project(project, task, key, present);
        }
        let owned = match (relation, kind_a, kind_b) {
            (Relation::OwnedBy, EntityKind::Task, _) => Some((b, a)),
            (Relation::Owns, _, EntityKind::Task) => Some((a, b)),
            _ => None,
        };
        if let Some((owner, task)) = owned {
            let (owner, task) = (self.id_of(owner), self.id_of(task));
            if present {
                self.index.add_owner(owner, task);
            } else {
                self.index.remove_owner(owner, task);
            }
        }
    }
}
