//! The canonical state: a graph as plain sorted data, with no petgraph
//! indices. It defines equality of graphs, and it is what snapshots hold.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::node::Node;
use super::read::Graph;
use crate::error::{OpError, StateError};
use crate::id::EntityId;
use crate::model::activity::Activity;
use crate::model::entity::Entity;
use crate::model::kind::EntityKind;
use crate::relation::{EdgeData, Relation};

/// One relationship, stored once in its forward direction (`contains`,
/// `blocks`, `follows`, …; `related_to` from the smaller id). Loading adds
/// the inverse.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct EdgeRecord {
    /// Source entity.
    pub source: EntityId,
    /// Target entity.
    pub target: EntityId,
    /// Relation (forward), weight, metadata, creation time.
    pub data: EdgeData,
}

/// One task's activity feed, ordered by `(created_at, id)`.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Feed {
    /// The task.
    pub task: EntityId,
    /// Its entries, oldest first.
    pub entries: Vec<Activity>,
}

/// A graph as plain data: entities by id, forward edges by
/// `(source, relation, target)`, non-empty feeds by task id. Two graphs are
/// equal exactly when their states are.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct State {
    entities: Vec<Entity>,
    edges: Vec<EdgeRecord>,
    feeds: Vec<Feed>,
}

impl State {
    /// Entities, ascending by id. O(1).
    #[must_use]
    pub fn entities(&self) -> &[Entity] {
        &self.entities
    }

    /// Relationships in their forward direction, ascending by
    /// `(source, relation, target)`. O(1).
    #[must_use]
    pub fn edges(&self) -> &[EdgeRecord] {
        &self.edges
    }

    /// Non-empty feeds, ascending by task id. O(1).
    #[must_use]
    pub fn feeds(&self) -> &[Feed] {
        &self.feeds
    }
}

/// Whether a stored edge is the one of its pair that the state records.
fn is_canonical(source: EntityId, relation: Relation, target: EntityId) -> bool {
    relation.is_forward() && (relation != Relation::RelatedTo || source < target)
}

impl Graph {
    /// The canonical state of this graph. O(V log V + E log E).
    #[must_use]
    pub fn state(&self) -> State {
        let mut entities: Vec<Entity> = self.g.node_weights().map(|n| n.entity.clone()).collect();
        entities.sort_unstable_by_key(Entity::id);
        let mut edges: Vec<EdgeRecord> = self
            .g
            .edge_indices()
            .filter_map(|e| {
                let (a, b) = self.g.edge_endpoints(e)?;
                let data = &self.g[e];
                let (source, target) = (self.id_of(a), self.id_of(b));
                is_canonical(source, data.relation, target).then(|| EdgeRecord { source, target, data: data.clone() })
            })
            .collect();
        edges.sort_unstable_by_key(|e| (e.source, e.data.relation, e.target));
        let mut feeds: Vec<Feed> = self
            .g
            .node_weights()
            .filter(|n| !n.feed.is_empty())
            .map(|n| Feed { task: n.entity.id(), entries: n.feed.clone() })
            .collect();
        feeds.sort_unstable_by_key(|f| f.task);
        State { entities, edges, feeds }
    }

    /// Builds a graph from a state, checking everything: unique ids, edges
    /// between existing entities in their canonical direction with allowed
    /// kinds, no duplicate or second single-valued edge, feeds of tasks in
    /// order, and finally every invariant the building itself cannot
    /// guarantee (required references, placement, stages, acyclic orders;
    /// inverse edges, uplinks and indexes hold by construction). Never
    /// panics on a malformed state. O(V log V + E) for a state in
    /// canonical order.
    ///
    /// # Errors
    /// [`StateError::Refused`] for a duplicate id or a disallowed edge,
    /// [`StateError::Dangling`] for a reference to a missing entity,
    /// [`StateError::Invariants`] when the loaded graph breaks an invariant.
    pub fn from_state(state: State) -> Result<Self, StateError> {
        let State { entities, edges, feeds } = state;
        let mut graph = Self::new();
        for entity in entities {
            if let Some(existing) = graph.get(entity.id()) {
                return Err(StateError::Refused(OpError::DuplicateEntity { id: entity.id(), kind: existing.kind() }));
            }
            graph.raw_insert_node(Node::new(entity));
        }
        // A state's edges come strictly sorted, so a duplicate would sit
        // next to its twin; only an edge out of order needs the full check.
        let mut previous: Option<(EntityId, Relation, EntityId)> = None;
        for EdgeRecord { source, target, data } in edges {
            let key = (source, data.relation, target);
            let in_order = previous.is_none_or(|p| p < key);
            previous = Some(key);
            let a = *graph.ids.get(&source).ok_or(StateError::Dangling { id: source })?;
            let b = *graph.ids.get(&target).ok_or(StateError::Dangling { id: target })?;
            if !is_canonical(source, data.relation, target) {
                return Err(StateError::Refused(OpError::KindsNotAllowed {
                    from: source,
                    from_kind: graph.kind_at(a),
                    relation: data.relation,
                    to: target,
                    to_kind: graph.kind_at(b),
                }));
            }
            graph.check_edge_shape_with(a, data.relation, b, !in_order).map_err(StateError::Refused)?;
            graph.raw_insert_edge_pair(a, b, data);
        }
        for Feed { task, entries } in feeds {
            let idx = *graph.ids.get(&task).ok_or(StateError::Dangling { id: task })?;
            let found = graph.kind_at(idx);
            if found != EntityKind::Task {
                return Err(StateError::Refused(OpError::WrongKind { id: task, expected: "task", found }));
            }
            let mut seen = HashSet::with_capacity(entries.len());
            for activity in &entries {
                if activity.task != task || !seen.insert(activity.id) {
                    return Err(StateError::Refused(OpError::DuplicateActivity { task, activity: activity.id }));
                }
            }
            let node = &mut graph.g[idx];
            node.feed = entries;
            // Feeds from a valid state are already ordered; sorting is cheap then
            // and makes a shuffled one load correctly too.
            node.feed.sort_by_key(Activity::order_key);
        }
        graph.check_loaded()?;
        Ok(graph)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::entity::{Task, User};
    use crate::op::Op;
    use crate::time::Timestamp;

    #[test]
    fn state_round_trips_through_from_state() {
        let mut g = Graph::new();
        let user = Op::create(User::new("ada").unwrap());
        g.apply(&user.into()).unwrap();
        let back = Graph::from_state(g.state()).unwrap();
        assert_eq!(back.state(), g.state());
    }

    /// A task blocking another, as a state; the edge list can then be
    /// doubled or reordered.
    fn two_tasks() -> State {
        use crate::model::entity::{Project, Workspace};
        let mut g = Graph::new();
        let ws = Op::create(Workspace::new("w").unwrap());
        let p = Op::create(Project::new("p").unwrap());
        let a = Op::create(Task::new("a").unwrap());
        let b = Op::create(Task::new("b").unwrap());
        let (w, pi, ai, bi) = (ws.subject(), p.subject(), a.subject(), b.subject());
        g.apply(&crate::op::Batch::from(vec![
            ws,
            p,
            a,
            b,
            Op::link(w, Relation::Contains, pi),
            Op::link(pi, Relation::Contains, ai),
            Op::link(pi, Relation::Contains, bi),
            Op::link(ai, Relation::Blocks, bi),
        ]))
        .unwrap();
        g.state()
    }

    #[test]
    fn a_duplicate_edge_is_refused_in_order_or_not() {
        let state = two_tasks();
        let back = Graph::from_state(state.clone()).unwrap();
        back.check_invariants().unwrap();
        assert_eq!(back.state(), state);
        let mut doubled = state.clone();
        let first = doubled.edges[0].clone();
        doubled.edges.insert(1, first.clone());
        assert!(matches!(Graph::from_state(doubled), Err(StateError::Refused(OpError::DuplicateEdge { .. }))));
        let mut shuffled = state;
        shuffled.edges.reverse();
        shuffled.edges.push(first);
        assert!(matches!(Graph::from_state(shuffled), Err(StateError::Refused(OpError::DuplicateEdge { .. }))));
    }

    #[test]
    fn a_state_in_any_edge_order_loads_to_the_same_graph() {
        let state = two_tasks();
        let mut reversed = state.clone();
        reversed.edges.reverse();
        let back = Graph::from_state(reversed).unwrap();
        back.check_invariants().unwrap();
        assert_eq!(back.state(), state);
    }

    #[test]
    fn a_blocks_cycle_in_a_state_is_refused_naming_its_tasks() {
        let mut state = two_tasks();
        let blocks = state.edges.iter().find(|e| e.data.relation == Relation::Blocks).unwrap().clone();
        let back = EdgeRecord { source: blocks.target, target: blocks.source, data: blocks.data.clone() };
        state.edges.push(back);
        state.edges.sort_unstable_by_key(|e| (e.source, e.data.relation, e.target));
        let Err(StateError::Invariants(violations)) = Graph::from_state(state) else {
            panic!("a cycle loaded");
        };
        let text = violations.to_string();
        assert!(text.contains("cycle") && text.contains(&blocks.source.to_string()), "{text}");
        assert!(text.contains(&blocks.target.to_string()), "{text}");
    }

    #[test]
    fn dangling_edges_are_refused() {
        let ghost = EntityId::random();
        let task = Entity::new(EntityId::random(), Timestamp::EPOCH, Task::new("t").unwrap().into());
        let state = State {
            entities: vec![],
            edges: vec![EdgeRecord {
                source: task.id(),
                target: ghost,
                data: EdgeData {
                    relation: Relation::Blocks,
                    weight: Relation::Blocks.default_weight(),
                    metadata: None,
                    created_at: Timestamp::EPOCH,
                },
            }],
            feeds: vec![],
        };
        assert_eq!(Graph::from_state(state).unwrap_err(), StateError::Dangling { id: task.id() });
    }
}
