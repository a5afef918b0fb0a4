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
    project_tasks: HashMap<EntityId, ProjectTasks>,
    /// Patterns and best practices with no scope: the global ones.
    unscoped: HashMap<EntityKind, BTreeSet<EntityId>>,
    /// Patterns and best practices scoped to each workspace or project.
    scoped: HashMap<EntityId, BTreeSet<EntityId>>,
}

/// A task's status and priority: the key of [`ProjectTasks::by_key`].
pub(crate) type TaskKey = (TaskStatus, Option<Priority>);

/// The tasks of one project, by id and by (status, priority, id).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct ProjectTasks {
    by_id: BTreeSet<EntityId>,
    by_key: BTreeSet<(TaskStatus, Option<Priority>, EntityId)>,
}

/// The status and priority of a task; `None` for other kinds.
pub(crate) fn task_key(entity: &Entity) -> Option<TaskKey> {
    entity.data().as_task().map(|t| (t.status, t.priority))
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

    /// Records whether `task` (with status and priority `key`) lies in
    /// `project`. O(log n).
    pub(crate) fn set_in_project(&mut self, project: EntityId, task: EntityId, key: TaskKey, present: bool) {
        if present {
            let tasks = self.project_tasks.entry(project).or_default();
            tasks.by_id.insert(task);
            tasks.by_key.insert((key.0, key.1, task));
        } else if let Some(tasks) = self.project_tasks.get_mut(&project) {
            tasks.by_id.remove(&task);
            tasks.by_key.remove(&(key.0, key.1, task));
            if tasks.by_id.is_empty() {
                self.project_tasks.remove(&project);
            }
        }
    }

    /// Moves a task of `project` from one status and priority to another.
    /// O(log n).
    pub(crate) fn rekey_in_project(&mut self, project: EntityId, task: EntityId, old: TaskKey, new: TaskKey) {
        if let Some(tasks) = self.project_tasks.get_mut(&project)
            && tasks.by_key.remove(&(old.0, old.1, task))
        {
            tasks.by_key.insert((new.0, new.1, task));
        }
    }

    /// Tasks of `project`, by id. O(1).
    pub(crate) fn in_project(&self, project: EntityId) -> &BTreeSet<EntityId> {
        self.project_tasks.get(&project).map_or(&EMPTY, |t| &t.by_id)
    }

    /// Tasks of `project` with this status and priority, by id.
    /// O(log n + results).
    pub(crate) fn in_project_with(
        &self,
        project: EntityId,
        status: TaskStatus,
        priority: Option<Priority>,
    ) -> impl Iterator<Item = EntityId> + '_ {
        let (low, high) = (EntityId::from_uuid(uuid::Uuid::nil()), EntityId::from_uuid(uuid::Uuid::max()));
        self.project_tasks
            .get(&project)
            .into_iter()
            .flat_map(move |t| t.by_key.range((status, priority, low)..=(status, priority, high)).map(|k| k.2))
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
