//! `check_invariants`: a full walk of the graph that reports every broken
//! invariant of DESIGN.md by name. Used by tests after every batch and by
//! `from_state` after every load.

use petgraph::Direction;
use petgraph::stable_graph::NodeIndex;
use petgraph::visit::{EdgeRef as _, IntoEdgeReferences as _, NodeIndexable as _};

use super::index::Indexes;
use super::node::Uplinks;
use super::read::Graph;
use crate::error::{Invariant, OpError, Violation, Violations};
use crate::id::EntityId;
use crate::model::kind::EntityKind;
use crate::relation::Relation;
use crate::time::Timestamp;

/// An edge as the inverse check compares it: relation, other end, weight
/// bits, metadata, time.
type EdgeKey<'a> = (Relation, EntityId, u64, Option<&'a str>, Timestamp);

impl Graph {
    /// Walks the whole graph and reports every broken invariant:
    /// 1 inverse edges, 2 endpoint kinds, 3 cardinality and placement,
    /// 4 acyclic `blocks` and subtasks, 5 id map, uplinks and secondary
    /// indexes, plus workflow stages and feed order. Entities are visited
    /// in id order, so the report is deterministic. O(V log V + E log d).
    ///
    /// # Errors
    /// [`Violations`] listing each broken invariant with the ids involved.
    pub fn check_invariants(&self) -> Result<(), Violations> {
        let mut out = Vec::new();
        let mut order: Vec<(EntityId, NodeIndex)> = self.g.node_indices().map(|i| (self.id_of(i), i)).collect();
        order.sort_unstable();
        if self.ids.len() != order.len() {
            push(&mut out, Invariant::Indexes, format!("id map has {} ids for {} nodes", self.ids.len(), order.len()));
        }
        for &(id, idx) in &order {
            if self.ids.get(&id) != Some(&idx) {
                push(&mut out, Invariant::Indexes, format!("id map does not lead to {id}"));
            }
            self.check_edges_of(id, idx, &mut out);
            self.check_rules_of(id, idx, &mut out);
        }
        for (relation, stuck) in self.cyclic_members() {
            if !stuck.is_empty() {
                push(&mut out, Invariant::Acyclic, format!("`{relation}` cycle through {}", list(&stuck)));
            }
        }
        if self.rebuilt_indexes() != self.index {
            push(&mut out, Invariant::Indexes, "secondary indexes differ from a rebuild from the nodes".into());
        }
        if out.is_empty() { Ok(()) } else { Err(Violations(out)) }
    }

    /// The invariants a graph built from a state by the edge and node
    /// primitives can still break: required references, placement, stages
    /// and feeds (3), and acyclic `blocks` and subtasks (4). The others
    /// (inverse edges, endpoint kinds, uplinks, indexes) hold by
    /// construction: the primitives add both edges of a pair and keep the
    /// uplinks and indexes, and loading checks each edge's kinds and slots.
    /// O(V log V + E).
    pub(super) fn check_loaded(&self) -> Result<(), Violations> {
        let mut out = Vec::new();
        let mut order: Vec<(EntityId, NodeIndex)> = self.g.node_indices().map(|i| (self.id_of(i), i)).collect();
        order.sort_unstable();
        for &(id, idx) in &order {
            self.check_rules_of(id, idx, &mut out);
        }
        for (relation, stuck) in self.cyclic_members() {
            if !stuck.is_empty() {
                push(&mut out, Invariant::Acyclic, format!("`{relation}` cycle through {}", list(&stuck)));
            }
        }
        if out.is_empty() { Ok(()) } else { Err(Violations(out)) }
    }

    /// Invariants 1, 2 and the uplink half of 5 for one node's edges.
    fn check_edges_of(&self, id: EntityId, idx: NodeIndex, out: &mut Vec<Violation>) {
        let kind = self.kind_at(idx);
        let mut outgoing: Vec<EdgeKey<'_>> = Vec::new();
        let mut expected_up = Uplinks::default();
        for e in self.g.edges_directed(idx, Direction::Outgoing) {
            let (target, data) = (e.target(), e.weight());
            let (target_id, target_kind) = (self.id_of(target), self.kind_at(target));
            if target == idx {
                push(out, Invariant::EndpointKinds, format!("{id} has a `{}` self-loop", data.relation));
            }
            if !data.relation.allows(kind, target_kind) {
                let what = format!("{kind} {id} -{}-> {target_kind} {target_id}", data.relation);
                push(out, Invariant::EndpointKinds, format!("edge not allowed: {what}"));
            }
            if let Some(slot) = data.relation.slot(target_kind) {
                if expected_up.get(slot).is_some() {
                    push(out, Invariant::Cardinality, format!("{id} has more than one {slot}"));
                }
                expected_up.set(slot, Some(target));
            }
            let metadata = data.metadata.as_ref().map(|m| m.as_str());
            outgoing.push((data.relation, target_id, data.weight.get().to_bits(), metadata, data.created_at));
        }
        // Every pair has both of its edges incident to this node: the
        // outgoing one and, as an incoming edge, its inverse.
        let mut incoming: Vec<EdgeKey<'_>> = self
            .g
            .edges_directed(idx, Direction::Incoming)
            .map(|e| {
                let data = e.weight();
                let metadata = data.metadata.as_ref().map(|m| m.as_str());
                (
                    data.relation.inverse(),
                    self.id_of(e.source()),
                    data.weight.get().to_bits(),
                    metadata,
                    data.created_at,
                )
            })
            .collect();
        outgoing.sort_unstable();
        incoming.sort_unstable();
        if let Some(w) = outgoing.windows(2).find(|w| (w[0].0, w[0].1) == (w[1].0, w[1].1)) {
            push(out, Invariant::InverseEdges, format!("duplicate edge {id} -{}-> {}", w[0].0, w[0].1));
        }
        if outgoing != incoming {
            let unpaired = outgoing
                .iter()
                .find(|k| !incoming.contains(k))
                .or_else(|| incoming.iter().find(|k| !outgoing.contains(k)));
            let what = unpaired.map_or_else(String::new, |k| format!(": {id} -{}-> {}", k.0, k.1));
            push(out, Invariant::InverseEdges, format!("edges of {id} and their inverses differ{what}"));
        }
        if expected_up != self.g[idx].up {
            push(out, Invariant::Indexes, format!("uplinks of {id} disagree with its edges"));
        }
    }

    /// Invariant 3 and the stage and feed rules for one node.
    fn check_rules_of(&self, id: EntityId, idx: NodeIndex, out: &mut Vec<Violation>) {
        if let Err(e) = self.check_local(idx) {
            let invariant = if matches!(e, OpError::StageNotInWorkflow { .. }) {
                Invariant::Stages
            } else {
                Invariant::Cardinality
            };
            push(out, invariant, e.to_string());
        }
        let node = &self.g[idx];
        if node.feed.is_empty() {
            return;
        }
        if node.entity.kind() != EntityKind::Task {
            push(out, Invariant::Stages, format!("{} {id} has an activity feed", node.entity.kind()));
        }
        if let Some(a) = node.feed.iter().find(|a| a.task != id) {
            push(out, Invariant::Stages, format!("feed of {id} holds activity {} of task {}", a.id, a.task));
        }
        if !node.feed.windows(2).all(|w| w[0].order_key() < w[1].order_key()) {
            push(out, Invariant::Stages, format!("feed of {id} is out of order"));
        }
        let mut ids: Vec<_> = node.feed.iter().map(|a| a.id).collect();
        ids.sort_unstable();
        if ids.windows(2).any(|w| w[0] == w[1]) {
            push(out, Invariant::Stages, format!("feed of {id} repeats an activity id"));
        }
    }

    /// For `blocks` and for subtasks, the nodes on or behind a cycle, by id
    /// (Kahn's algorithm: what cannot be peeled off in topological order).
    /// One pass over the edges counts both; counts live in vectors indexed
    /// by node. O(V + E).
    fn cyclic_members(&self) -> [(Relation, Vec<EntityId>); 2] {
        const ORDERS: [Relation; 2] = [Relation::Blocks, Relation::HasSubtask];
        let bound = self.g.node_bound();
        let mut indegree = [vec![0usize; bound], vec![0usize; bound]];
        let mut involved = [vec![false; bound], vec![false; bound]];
        for e in self.g.edge_references() {
            let Some(k) = ORDERS.iter().position(|&r| r == e.weight().relation) else { continue };
            indegree[k][e.target().index()] += 1;
            involved[k][e.source().index()] = true;
            involved[k][e.target().index()] = true;
        }
        let mut out = ORDERS.map(|r| (r, Vec::new()));
        for (k, relation) in ORDERS.into_iter().enumerate() {
            let (indegree, involved) = (&mut indegree[k], &involved[k]);
            let mut ready: Vec<NodeIndex> =
                (0..bound).filter(|&i| involved[i] && indegree[i] == 0).map(NodeIndex::new).collect();
            let mut peeled = vec![false; bound];
            while let Some(n) = ready.pop() {
                peeled[n.index()] = true;
                for t in self.targets(n, relation) {
                    let d = &mut indegree[t.index()];
                    *d = d.saturating_sub(1);
                    if *d == 0 && !peeled[t.index()] {
                        ready.push(t);
                    }
                }
            }
            let mut stuck: Vec<EntityId> =
                (0..bound).filter(|&i| involved[i] && !peeled[i]).map(|i| self.id_of(NodeIndex::new(i))).collect();
            stuck.sort_unstable();
            out[k].1 = stuck;
        }
        out
    }

    /// The secondary indexes as the nodes and edges say they should be.
    fn rebuilt_indexes(&self) -> Indexes {
        let mut index = Indexes::default();
        for (idx, node) in self.g.node_indices().map(|i| (i, &self.g[i])) {
            index.insert(&node.entity);
            let kind = node.entity.kind();
            if matches!(kind, EntityKind::Pattern | EntityKind::BestPractice) {
                let scoped = self
                    .g
                    .edges_directed(idx, petgraph::Direction::Outgoing)
                    .any(|e| e.weight().relation == Relation::ScopedTo);
                index.set_unscoped(kind, node.entity.id(), !scoped);
            }
        }
        for e in self.g.edge_references() {
            let (a, b) = (e.source(), e.target());
            if e.weight().relation == Relation::OwnedBy && self.kind_at(a) == EntityKind::Task {
                index.add_owner(self.id_of(b), self.id_of(a));
            }
            if e.weight().relation == Relation::ScopedTo {
                index.set_scoped(self.id_of(b), self.id_of(a), true);
            }
            if e.weight().relation == Relation::BelongsTo
                && self.kind_at(b) == EntityKind::Project
                && let Some(key) = super::index::task_key(&self.g[a].entity)
            {
                index.set_in_project(self.id_of(b), self.id_of(a), key, true);
            }
        }
        index
    }
}

fn push(out: &mut Vec<Violation>, invariant: Invariant, detail: String) {
    out.push(Violation { invariant, detail });
}

fn list(ids: &[EntityId]) -> String {
    ids.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}
