//! A batch in flight: journaled primitives, the list of entities the closing
//! checks must look at, and rollback.
//!
//! Every change goes through a [`Txn`], which records its inverse. A refused
//! batch is undone by replaying the inverses newest-first, so it leaves the
//! graph's canonical state exactly as it was. Petgraph indices may differ
//! after a rollback (a restored node can land in another slot); nothing
//! observable depends on them.

use std::collections::HashSet;

use petgraph::Direction;
use petgraph::stable_graph::NodeIndex;
use petgraph::visit::EdgeRef as _;

use super::node::Node;
use super::read::Graph;
use crate::id::{ActivityId, EntityId};
use crate::model::activity::Activity;
use crate::model::entity::Entity;
use crate::relation::{EdgeData, Relation};
use crate::time::Timestamp;

/// The inverse of one primitive.
enum Undo {
    RemoveNode(EntityId),
    RestoreNode(Box<Node>),
    RemovePair(EntityId, Relation, EntityId),
    RestorePair(EntityId, EntityId, EdgeData),
    RestoreEntity(EntityId, Box<Entity>),
    RemoveActivity(EntityId, ActivityId, Timestamp),
}

/// The changes of one batch, undoable until committed.
pub(super) struct Txn<'g> {
    pub(super) graph: &'g mut Graph,
    undo: Vec<Undo>,
    /// Entities whose own rules the closing checks must verify.
    pub(super) check: Vec<EntityId>,
    /// Entities whose single-valued references changed: their dependents
    /// (a slice's tasks, a task's subtasks, …) must be re-verified too.
    pub(super) reparented: Vec<EntityId>,
    /// Workflows whose stages changed: their followers must be re-verified.
    pub(super) restaged: Vec<EntityId>,
}

impl<'g> Txn<'g> {
    pub(super) fn new(graph: &'g mut Graph) -> Self {
        Self { graph, undo: Vec::new(), check: Vec::new(), reparented: Vec::new(), restaged: Vec::new() }
    }

    pub(super) fn insert_node(&mut self, entity: Entity) -> NodeIndex {
        let id = entity.id();
        self.undo.push(Undo::RemoveNode(id));
        self.check.push(id);
        self.graph.raw_insert_node(Node::new(entity))
    }

    /// Removes an entity with all its edge pairs and its feed.
    pub(super) fn remove_node(&mut self, idx: NodeIndex) {
        let out: Vec<(Relation, NodeIndex)> =
            self.graph.g.edges_directed(idx, Direction::Outgoing).map(|e| (e.weight().relation, e.target())).collect();
        for (relation, target) in out {
            self.remove_pair(idx, relation, target);
        }
        if let Some(node) = self.graph.raw_remove_node(idx) {
            self.undo.push(Undo::RestoreNode(Box::new(node)));
        }
    }

    /// Removes many entities at once (a large cascade) with one O(V + E)
    /// rebuild of petgraph's storage instead of one edge removal at a time:
    /// petgraph unlinks an edge by walking its endpoints' adjacency lists, so
    /// removing thousands of tasks that all follow one workflow would cost
    /// O(tasks × followers). Indices of surviving nodes and edges are kept.
    pub(super) fn remove_nodes_bulk(&mut self, doomed: &[NodeIndex]) {
        let set: HashSet<NodeIndex> = doomed.iter().copied().collect();
        for &n in doomed {
            let out: Vec<(NodeIndex, EdgeData)> =
                self.graph.g.edges_directed(n, Direction::Outgoing).map(|e| (e.target(), e.weight().clone())).collect();
            for (x, data) in out {
                // A pair between two doomed nodes is seen from both; keep one.
                if set.contains(&x) && x < n {
                    continue;
                }
                self.mark_reparented(n, data.relation, x);
                self.graph.update_uplinks(n, data.relation, x, false);
                self.undo.push(Undo::RestorePair(self.graph.id_of(n), self.graph.id_of(x), data));
            }
        }
        let mut removed: Vec<(NodeIndex, Node)> = Vec::with_capacity(doomed.len());
        let g = std::mem::take(&mut self.graph.g);
        self.graph.g = g.filter_map_owned(
            |idx, node| {
                if set.contains(&idx) {
                    removed.push((idx, node));
                    None
                } else {
                    Some(node)
                }
            },
            |_, edge| Some(edge),
        );
        for (_, node) in removed {
            self.graph.ids.remove(&node.entity.id());
            self.graph.index.remove(&node.entity);
            self.graph.index.set_unscoped(node.entity.kind(), node.entity.id(), false);
            self.undo.push(Undo::RestoreNode(Box::new(node)));
        }
    }

    pub(super) fn replace_entity(&mut self, idx: NodeIndex, entity: Entity) {
        let old = self.graph.raw_replace_entity(idx, entity);
        self.undo.push(Undo::RestoreEntity(old.id(), Box::new(old)));
    }

    pub(super) fn insert_pair(&mut self, a: NodeIndex, b: NodeIndex, data: EdgeData) {
        let relation = data.relation;
        self.mark_reparented(a, relation, b);
        self.undo.push(Undo::RemovePair(self.graph.id_of(a), relation, self.graph.id_of(b)));
        self.graph.raw_insert_edge_pair(a, b, data);
    }

    pub(super) fn remove_pair(&mut self, a: NodeIndex, relation: Relation, b: NodeIndex) -> bool {
        let (id_a, id_b) = (self.graph.id_of(a), self.graph.id_of(b));
        match self.graph.raw_remove_edge_pair(a, relation, b) {
            Some(data) => {
                self.mark_reparented(a, relation, b);
                self.undo.push(Undo::RestorePair(id_a, id_b, data));
                true
            }
            None => false,
        }
    }

    pub(super) fn insert_activity(&mut self, idx: NodeIndex, activity: Activity) {
        self.undo.push(Undo::RemoveActivity(activity.task, activity.id, activity.created_at));
        self.graph.raw_insert_activity(idx, activity);
    }

    /// Notes which endpoint of a pair holds a single-valued reference.
    fn mark_reparented(&mut self, a: NodeIndex, relation: Relation, b: NodeIndex) {
        if relation.slot(self.graph.kind_at(b)).is_some() {
            self.reparented.push(self.graph.id_of(a));
        } else if relation.inverse().slot(self.graph.kind_at(a)).is_some() {
            self.reparented.push(self.graph.id_of(b));
        }
    }

    /// Keeps every change. O(1) (drops the journal).
    pub(super) fn commit(self) {}

    /// Undoes every change, newest first. O(changes).
    pub(super) fn rollback(mut self) {
        self.undo_to(0);
    }

    /// The point [`Txn::undo_to`] returns to, and the start of a fresh set
    /// of closing checks: what later ops change is checked on its own.
    pub(super) fn savepoint(&mut self) -> usize {
        self.check.clear();
        self.reparented.clear();
        self.restaged.clear();
        self.undo.len()
    }

    /// Undoes the changes made since `savepoint`, newest first.
    /// O(changes undone).
    pub(super) fn undo_to(&mut self, savepoint: usize) {
        let graph = &mut *self.graph;
        let undone = self.undo.split_off(savepoint.min(self.undo.len()));
        for step in undone.into_iter().rev() {
            match step {
                Undo::RemoveNode(id) => {
                    if let Some(&idx) = graph.ids.get(&id) {
                        graph.raw_remove_node(idx);
                    }
                }
                Undo::RestoreNode(node) => {
                    graph.raw_insert_node(*node);
                }
                Undo::RemovePair(a, relation, b) => {
                    if let (Some(&a), Some(&b)) = (graph.ids.get(&a), graph.ids.get(&b)) {
                        graph.raw_remove_edge_pair(a, relation, b);
                    }
                }
                Undo::RestorePair(a, b, data) => {
                    if let (Some(&a), Some(&b)) = (graph.ids.get(&a), graph.ids.get(&b)) {
                        graph.raw_insert_edge_pair(a, b, data);
                    }
                }
                Undo::RestoreEntity(id, entity) => {
                    if let Some(&idx) = graph.ids.get(&id) {
                        graph.raw_replace_entity(idx, *entity);
                    }
                }
                Undo::RemoveActivity(task, id, at) => {
                    if let Some(&idx) = graph.ids.get(&task) {
                        graph.g[idx].remove_activity(id, at);
                    }
                }
            }
        }
    }
}
