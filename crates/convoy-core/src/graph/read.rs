//! The [`Graph`] type and its read API.

use std::collections::{BTreeSet, HashMap};

use petgraph::Direction;
use petgraph::stable_graph::{NodeIndex, StableGraph};
use petgraph::visit::EdgeRef as _;

use super::index::Indexes;
use super::node::Node;
use crate::id::EntityId;
use crate::model::activity::Activity;
use crate::model::entity::Entity;
use crate::model::kind::EntityKind;
use crate::model::status::{Priority, TaskStatus};
use crate::relation::{EdgeData, Relation, Slot};

/// The petgraph graph underneath: nodes hold entities, edges hold relations.
pub(super) type Inner = StableGraph<Node, EdgeData, petgraph::Directed, u32>;

/// Convoy's in-memory knowledge graph.
///
/// Entities are nodes of a petgraph [`StableGraph`], addressed from outside
/// only by [`EntityId`]; every relationship is stored as an edge plus its
/// inverse. This type alone can change the graph, and only through
/// [`Graph::apply`], which applies a [`crate::Batch`] atomically and keeps
/// every invariant of DESIGN.md (see [`Graph::check_invariants`]).
///
/// Reads that return several items return them in a documented order that
/// never depends on petgraph's indices.
#[derive(Clone, Default)]
pub struct Graph {
    pub(super) g: Inner,
    pub(super) ids: HashMap<EntityId, NodeIndex>,
    pub(super) index: Indexes,
}

/// One edge as seen from outside: endpoints by id, plus the edge's data.
/// The target's id is read when asked for, so filtering edges by relation
/// never touches the entities at their other ends.
#[derive(Clone, Copy)]
pub struct EdgeRef<'g> {
    source: EntityId,
    target: NodeIndex,
    g: &'g Inner,
    data: &'g EdgeData,
}

impl PartialEq for EdgeRef<'_> {
    fn eq(&self, other: &Self) -> bool {
        (self.source, self.target(), self.data) == (other.source, other.target(), other.data)
    }
}

impl std::fmt::Debug for EdgeRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EdgeRef")
            .field("source", &self.source)
            .field("target", &self.target())
            .field("data", self.data)
            .finish()
    }
}

impl<'g> EdgeRef<'g> {
    /// The source entity. O(1).
    #[must_use]
    pub const fn source(&self) -> EntityId {
        self.source
    }

    /// The target entity. O(1).
    #[must_use]
    pub fn target(&self) -> EntityId {
        self.g[self.target].entity.id()
    }

    /// The relation from source to target. O(1).
    #[must_use]
    pub const fn relation(&self) -> Relation {
        self.data.relation
    }

    /// Weight, metadata and creation time. O(1).
    #[must_use]
    pub const fn data(&self) -> &'g EdgeData {
        self.data
    }
}

impl Graph {
    /// An empty graph. O(1).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of entities. O(1).
    #[must_use]
    pub fn entity_count(&self) -> usize {
        self.ids.len()
    }

    /// Number of relationships (edge pairs; each is stored as two edges). O(1).
    #[must_use]
    pub fn relationship_count(&self) -> usize {
        self.g.edge_count() / 2
    }

    /// Whether the graph holds no entities. O(1).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The entity with this id. O(1).
    #[must_use]
    pub fn get(&self, id: EntityId) -> Option<&Entity> {
        self.node(id).map(|n| &n.entity)
    }

    /// Whether an entity with this id exists. O(1).
    #[must_use]
    pub fn contains(&self, id: EntityId) -> bool {
        self.ids.contains_key(&id)
    }

    /// The entity a single-valued reference points at: a task's project,
    /// slice or parent, a project's workspace, anything's owner, a
    /// pattern's scope. O(1).
    #[must_use]
    pub fn parent(&self, id: EntityId, slot: Slot) -> Option<EntityId> {
        let node = self.node(id)?;
        node.up.get(slot).map(|i| self.g[i].entity.id())
    }

    /// Every edge leaving `id` (both directions of each pair are edges, so
    /// this sees every relationship of `id`), ordered by relation, then
    /// target id. O(d log d) for degree d.
    #[must_use]
    pub fn edges(&self, id: EntityId) -> Vec<EdgeRef<'_>> {
        let mut out: Vec<EdgeRef<'_>> = self.edges_unordered(id).collect();
        out.sort_by_cached_key(|e| (e.relation(), e.target()));
        out
    }

    /// The targets of `id`'s edges with relation `relation`, by id. O(d log d).
    #[must_use]
    pub fn neighbors(&self, id: EntityId, relation: Relation) -> Vec<EntityId> {
        let mut out: Vec<EntityId> =
            self.edges_unordered(id).filter(|e| e.relation() == relation).map(|e| e.target()).collect();
        out.sort_unstable();
        out
    }

    /// Every edge leaving `id` in unspecified order, without sorting: for
    /// counting and set-building, where order cannot show. O(d).
    pub fn edges_unordered(&self, id: EntityId) -> impl Iterator<Item = EdgeRef<'_>> + '_ {
        let source = self.ids.get(&id).copied();
        source.into_iter().flat_map(move |s| {
            self.g.edges_directed(s, Direction::Outgoing).map(move |e| EdgeRef {
                source: id,
                target: e.target(),
                g: &self.g,
                data: e.weight(),
            })
        })
    }

    /// The edge `source -relation-> target`, if it exists. O(d) in the
    /// smaller-degree endpoint's kind (tasks before containers).
    #[must_use]
    pub fn edge(&self, source: EntityId, relation: Relation, target: EntityId) -> Option<&EdgeData> {
        let a = *self.ids.get(&source)?;
        let b = *self.ids.get(&target)?;
        self.find_edge(a, relation, b).map(|e| &self.g[e])
    }

    /// A task's activity feed, oldest first (ordered by `(created_at, id)`).
    /// Empty for unknown ids and non-tasks. O(1).
    #[must_use]
    pub fn feed(&self, task: EntityId) -> &[Activity] {
        self.node(task).map_or(&[], |n| n.feed.as_slice())
    }

    /// The `n` most recent entries of a task's feed, newest first. O(n): no scan.
    pub fn recent_activity(&self, task: EntityId, n: usize) -> impl Iterator<Item = &Activity> + '_ {
        self.feed(task).iter().rev().take(n)
    }

    /// Patterns and best practices scoped to a workspace or project,
    /// ascending. O(1) to get (no scan of the container's edges).
    #[must_use]
    pub fn scoped_to(&self, container: EntityId) -> &BTreeSet<EntityId> {
        self.index.scoped(container)
    }

    /// Tasks of a project (subtasks included: every task names its project),
    /// ascending. Empty for unknown ids and non-projects. O(1) to get: no
    /// walk over the project's edges.
    #[must_use]
    pub fn tasks_in_project(&self, project: EntityId) -> &BTreeSet<EntityId> {
        self.index.in_project(project)
    }

    /// Tasks of a project with this status and priority, ascending by id.
    /// O(log n + results): no task is looked at.
    pub fn tasks_in_project_with(
        &self,
        project: EntityId,
        status: TaskStatus,
        priority: Option<Priority>,
    ) -> impl Iterator<Item = EntityId> + '_ {
        self.index.in_project_with(project, status, priority)
    }

    /// Global patterns or best practices (`kind`): those scoped to no
    /// workspace or project, ascending. Empty for other kinds. O(1) to get.
    #[must_use]
    pub fn unscoped(&self, kind: EntityKind) -> &BTreeSet<EntityId> {
        self.index.unscoped(kind)
    }

    /// Ids of every entity of a kind, ascending. O(1) to get; iterate in O(n).
    #[must_use]
    pub fn ids_of_kind(&self, kind: EntityKind) -> &BTreeSet<EntityId> {
        self.index.of_kind(kind)
    }

    /// Ids of tasks with this status, ascending. O(1).
    #[must_use]
    pub fn tasks_with_status(&self, status: TaskStatus) -> &BTreeSet<EntityId> {
        self.index.with_status(status)
    }

    /// Ids of tasks with this priority (`None`: no priority), ascending. O(1).
    #[must_use]
    pub fn tasks_with_priority(&self, priority: Option<Priority>) -> &BTreeSet<EntityId> {
        self.index.with_priority(priority)
    }

    /// Ids of tasks carrying this label (exact match), ascending. O(1).
    #[must_use]
    pub fn tasks_with_label(&self, label: &str) -> &BTreeSet<EntityId> {
        self.index.with_label(label)
    }

    /// Ids of tasks owned by this user, ascending. O(1).
    #[must_use]
    pub fn tasks_owned_by(&self, owner: EntityId) -> &BTreeSet<EntityId> {
        self.index.owned_by(owner)
    }

    /// Every label on some task, sorted. O(L log L) for L distinct labels.
    #[must_use]
    pub fn labels(&self) -> Vec<&str> {
        self.index.labels()
    }

    pub(super) fn node(&self, id: EntityId) -> Option<&Node> {
        self.ids.get(&id).map(|&i| &self.g[i])
    }

    pub(super) fn id_of(&self, idx: NodeIndex) -> EntityId {
        self.g[idx].entity.id()
    }

    pub(super) fn kind_at(&self, idx: NodeIndex) -> EntityKind {
        self.g[idx].entity.kind()
    }
}

impl std::fmt::Debug for Graph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Graph")
            .field("entities", &self.entity_count())
            .field("relationships", &self.relationship_count())
            .finish_non_exhaustive()
    }
}
