//! What a graph node holds: the entity, its single-valued references
//! ("uplinks") and, for tasks, the activity feed.

use petgraph::stable_graph::NodeIndex;

use crate::id::ActivityId;
use crate::model::activity::Activity;
use crate::model::entity::Entity;
use crate::relation::Slot;
use crate::time::Timestamp;

/// The single-valued outgoing references of a node, one per [`Slot`], kept
/// exact with the edges by the graph's edge primitives. They answer "the
/// project of this task" in O(1) instead of a scan of the project's
/// thousand-edge adjacency list.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Uplinks([NodeIndex; Slot::COUNT]);

impl Default for Uplinks {
    fn default() -> Self {
        Self([NodeIndex::end(); Slot::COUNT])
    }
}

impl Uplinks {
    pub(crate) fn get(&self, slot: Slot) -> Option<NodeIndex> {
        let idx = self.0[slot.index()];
        (idx != NodeIndex::end()).then_some(idx)
    }

    pub(crate) fn set(&mut self, slot: Slot, target: Option<NodeIndex>) {
        self.0[slot.index()] = target.unwrap_or_else(NodeIndex::end);
    }
}

/// A node's weight in the petgraph graph.
#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub(crate) entity: Entity,
    pub(crate) up: Uplinks,
    /// Activity entries, ordered by `(created_at, id)`; empty except for tasks.
    pub(crate) feed: Vec<Activity>,
}

impl Node {
    pub(crate) fn new(entity: Entity) -> Self {
        Self { entity, up: Uplinks::default(), feed: Vec::new() }
    }

    /// Inserts an entry at its place in time order. O(log n) search plus the
    /// shift of later entries (none when entries arrive in time order).
    pub(crate) fn insert_activity(&mut self, activity: Activity) {
        let key = activity.order_key();
        let at = self.feed.partition_point(|a| a.order_key() < key);
        self.feed.insert(at, activity);
    }

    /// Removes the entry with this id and time, if present. O(log n + shift).
    pub(crate) fn remove_activity(&mut self, id: ActivityId, created_at: Timestamp) -> Option<Activity> {
        let key = (created_at, id);
        let at = self.feed.partition_point(|a| a.order_key() < key);
        if self.feed.get(at).is_some_and(|a| a.id == id) { Some(self.feed.remove(at)) } else { None }
    }
}
