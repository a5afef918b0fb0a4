//! Secondary indexes: entities by kind; tasks by status, priority, label,
//! owner and project. Each set is ordered by id, so reading one never depends on
//! petgraph's index order. Kept exact by the graph's primitives and verified
//! by `check_invariants` against a rebuild from the nodes.

use std::collections::{BTreeSet, HashMap};

use crate::id::EntityId;
use crate::model::entity::{Entity, EntityData};
use crate::model::kind::EntityKind;
use crate::model::status::{Priority, TaskStatus};

/// The secondary indexes of a graph.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Indexes {
    by_kind: [BTreeSet<EntityId>; EntityKind::COUNT],
    task_status: HashMap<TaskStatus, BTreeSet<EntityId>>,
    task_priority: HashMap<Option<Priority>, BTreeSet<EntityId>>,
    task_label: HashMap<Box<str>, BTreeSet<EntityId>>,
    task_owner: HashMap<EntityId, BTreeSet<EntityId>>,
    /// Tasks of each project (every task has exactly one).
    project_tasks: HashMap<EntityId, BTreeSet<EntityId>>,
    /// Patterns and best practices with no scope: the global ones.
    unscoped: HashMap<EntityKind, BTreeSet<EntityId>>,
    /// Patterns and best practices scoped to each workspace or project.
    scoped: HashMap<EntityId, BTreeSet<EntityId>>,
}

static EMPTY: BTreeSet<EntityId> = BTreeSet::new();

impl Indexes {
    /// Indexes an entity's own fields. O(labels · log n).
    pub(crate) fn insert(&mut self, entity: &Entity) {
        let id = entity.id();
        self.by_kind[entity.kind().index()].insert(id);
        if let EntityData::Task(t) = entity.data() {
            self.task_status.entry(t.status).or_default().insert(id);
            self.task_priority.entry(t.priority).or_default().insert(id);
            for label in t.labels.as_slice() {
                self.task_label.entry(label.as_str().into()).or_default().insert(id);
            }
        }
    }

    /// Un-indexes an entity's own fields. O(labels · log n).
    pub(crate) fn remove(&mut self, entity: &Entity) {
        let id = entity.id();
        self.by_kind[entity.kind().index()].remove(&id);
        if let EntityData::Task(t) = entity.data() {
            remove_from(&mut self.task_status, &t.status, id);
            remove_from(&mut self.task_priority, &t.priority, id);
            for label in t.labels.as_slice() {
                remove_from(&mut self.task_label, label.as_str(), id);
            }
        }
    }

    /// Records whether a pattern or best practice is global (has no
    /// scope). O(log n).
    pub(crate) fn set_unscoped(&mut self, kind: EntityKind, id: EntityId, unscoped: bool) {
        if unscoped {
            self.unscoped.entry(kind).or_default().insert(id);
        } else {
            remove_from(&mut self.unscoped, &kind, id);
        }
    }

    /// Records whether `item` is scoped to `container`. O(log n).
    pub(crate) fn set_scoped(&mut self, container: EntityId, item: EntityId, scoped: bool) {
        if scoped {
            self.scoped.entry(container).or_default().insert(item);
        } else {
            remove_from(&mut self.scoped, &container, item);
        }
    }

    /// Patterns and best practices scoped to `container`, by id. O(1).
    pub(crate) fn scoped(&self, container: EntityId) -> &BTreeSet<EntityId> {
        self.scoped.get(&container).unwrap_or(&EMPTY)
    }

    /// Global patterns or best practices, by id. O(1).
    pub(crate) fn unscoped(&self, kind: EntityKind) -> &BTreeSet<EntityId> {
        self.unscoped.get(&kind).unwrap_or(&EMPTY)
    }

    /// Records that `owner` owns task `task`. O(log n).
    pub(crate) fn add_owner(&mut self, owner: EntityId, task: EntityId) {
        self.task_owner.entry(owner).or_default().insert(task);
    }

    /// Forgets that `owner` owns task `task`. O(log n).
    pub(crate) fn remove_owner(&mut self, owner: EntityId, task: EntityId) {
        remove_from(&mut self.task_owner, &owner, task);
    }

    /// Records whether `task` lies in `project`. O(log n).
    pub(crate) fn set_in_project(&mut self, project: EntityId, task: EntityId, present: bool) {
        if present {
            self.project_tasks.entry(project).or_default().insert(task);
        } else {
            remove_from(&mut self.project_tasks, &project, task);
        }
    }

    /// Tasks of `project`, by id. O(1).
    pub(crate) fn in_project(&self, project: EntityId) -> &BTreeSet<EntityId> {
        self.project_tasks.get(&project).unwrap_or(&EMPTY)
    }

    pub(crate) fn of_kind(&self, kind: EntityKind) -> &BTreeSet<EntityId> {
        &self.by_kind[kind.index()]
    }

    pub(crate) fn with_status(&self, status: TaskStatus) -> &BTreeSet<EntityId> {
        self.task_status.get(&status).unwrap_or(&EMPTY)
    }

    pub(crate) fn with_priority(&self, priority: Option<Priority>) -> &BTreeSet<EntityId> {
        self.task_priority.get(&priority).unwrap_or(&EMPTY)
    }

    pub(crate) fn with_label(&self, label: &str) -> &BTreeSet<EntityId> {
        self.task_label.get(label).unwrap_or(&EMPTY)
    }

    pub(crate) fn owned_by(&self, owner: EntityId) -> &BTreeSet<EntityId> {
        self.task_owner.get(&owner).unwrap_or(&EMPTY)
    }

    /// Every label in use, sorted. O(labels · log labels).
    pub(crate) fn labels(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self.task_label.keys().map(|k| &**k).collect();
        out.sort_unstable();
        out
    }
}

/// Removes `id` from the set under `key`, dropping the set when it empties so
/// equal contents mean equal maps.
fn remove_from<K, Q>(map: &mut HashMap<K, BTreeSet<EntityId>>, key: &Q, id: EntityId)
where
    K: std::borrow::Borrow<Q> + std::hash::Hash + Eq,
    Q: std::hash::Hash + Eq + ?Sized,
{
    if let Some(set) = map.get_mut(key) {
        set.remove(&id);
        if set.is_empty() {
            map.remove(key);
        }
    }
}
