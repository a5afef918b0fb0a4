//! Operations and batches: every mutation of a graph is an [`Op`], and ops
//! apply in [`Batch`]es, all or nothing.
//!
//! Ops carry their own ids and timestamps: the builders here read the clock
//! and draw random ids once, when the op is built, so applying the same ops
//! again (replay) gives the same graph.

use serde::{Deserialize, Serialize};

use crate::id::{ActivityId, EntityId};
use crate::model::activity::Activity;
use crate::model::entity::EntityData;
use crate::model::patch::EntityPatch;
use crate::model::text::{Fraction, Json, Tag};
use crate::relation::Relation;
use crate::time::Timestamp;

/// Most ops one batch may carry.
pub const MAX_BATCH_OPS: usize = 1 << 20;

/// One mutation. See each variant for what it checks; every check failure is
/// an [`crate::OpError`] naming the ids involved.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Op {
    /// Adds an entity. Refused if the id exists. References (project,
    /// slice, owner, …) are separate `Link` ops in the same batch; required
    /// ones must be present when the batch ends.
    Create {
        /// The new entity's id.
        id: EntityId,
        /// Its creation time.
        at: Timestamp,
        /// Its fields (which also fix its kind).
        data: EntityData,
    },
    /// Changes fields of an entity; sets its `updated_at`.
    Update {
        /// The entity.
        id: EntityId,
        /// When.
        at: Timestamp,
        /// The changes; must be for the entity's kind.
        patch: EntityPatch,
    },
    /// Removes an entity, its edges and feed, and cascades as the seeds do:
    /// a workspace takes its projects and the patterns and best practices
    /// scoped to it; a project takes its workstreams, milestones, tasks and
    /// scoped patterns and best practices; a milestone takes its slices;
    /// tasks of a removed workstream, milestone or slice are detached, and
    /// subtasks of a removed task lose their parent.
    Delete {
        /// The entity.
        id: EntityId,
        /// When.
        at: Timestamp,
    },
    /// Adds an edge and its inverse. Refused for unknown ids, disallowed
    /// kinds, self-loops, duplicates, a second value of a single-valued
    /// reference, and cycles of `blocks` or subtasks.
    Link {
        /// Source entity.
        source: EntityId,
        /// Relation from source to target (either direction of a pair).
        relation: Relation,
        /// Target entity.
        target: EntityId,
        /// Weight; the relation's default when `None`.
        weight: Option<Fraction>,
        /// Optional metadata.
        metadata: Option<Json>,
        /// When.
        at: Timestamp,
    },
    /// Removes an edge and its inverse. Refused if the edge does not exist.
    Unlink {
        /// Source entity.
        source: EntityId,
        /// Relation.
        relation: Relation,
        /// Target entity.
        target: EntityId,
    },
    /// Re-parents an entity: replaces the single-valued reference that
    /// `parent`'s kind fills (a task's slice, a project's workspace, a
    /// subtask's parent, …), or sets it if empty. Sets `updated_at`.
    Move {
        /// The entity.
        id: EntityId,
        /// The new container or parent task.
        parent: EntityId,
        /// When.
        at: Timestamp,
    },
    /// Appends an entry to a task's activity feed (the entry names the task).
    RecordActivity(Activity),
    /// Moves a task to a stage of its workflow and records a
    /// `STAGE_TRANSITION` entry ("Moved to {stage} stage") in its feed.
    SetStage {
        /// The task.
        task: EntityId,
        /// The stage; must be one of the workflow's.
        stage: Tag,
        /// Id of the transition's feed entry.
        activity: ActivityId,
        /// Who moved it, if known.
        actor: Option<EntityId>,
        /// When.
        at: Timestamp,
    },
    /// Claims a task for a user, atomically: refused unless the task is
    /// ready (open, nothing open blocks it) and unowned or already owned by
    /// `owner`. Sets the owner, moves a `TODO` or `BLOCKED` task to
    /// `IN_PROGRESS`, and sets `updated_at`. Because the check is part of
    /// the batch's validation, two agents claiming the same task through
    /// one store can never both succeed.
    Claim {
        /// The task.
        task: EntityId,
        /// The claiming user.
        owner: EntityId,
        /// When.
        at: Timestamp,
    },
}

impl Op {
    /// Creates an entity with a fresh id, now. O(1).
    #[must_use]
    pub fn create(data: impl Into<EntityData>) -> Self {
        Self::Create { id: EntityId::random(), at: Timestamp::now(), data: data.into() }
    }

    /// Patches an entity, now. O(1).
    #[must_use]
    pub fn update(id: EntityId, patch: impl Into<EntityPatch>) -> Self {
        Self::Update { id, at: Timestamp::now(), patch: patch.into() }
    }

    /// Deletes an entity (with the cascade), now. O(1).
    #[must_use]
    pub fn delete(id: EntityId) -> Self {
        Self::Delete { id, at: Timestamp::now() }
    }

    /// Links `source -relation-> target` with the default weight, now. O(1).
    #[must_use]
    pub fn link(source: EntityId, relation: Relation, target: EntityId) -> Self {
        Self::Link { source, relation, target, weight: None, metadata: None, at: Timestamp::now() }
    }

    /// Unlinks `source -relation-> target`. O(1).
    #[must_use]
    pub const fn unlink(source: EntityId, relation: Relation, target: EntityId) -> Self {
        Self::Unlink { source, relation, target }
    }

    /// Moves `id` under `parent`, now. O(1).
    #[must_use]
    pub fn move_to(id: EntityId, parent: EntityId) -> Self {
        Self::Move { id, parent, at: Timestamp::now() }
    }

    /// Moves a task to `stage`, now, with a fresh activity id. O(1).
    #[must_use]
    pub fn set_stage(task: EntityId, stage: Tag) -> Self {
        Self::SetStage { task, stage, activity: ActivityId::random(), actor: None, at: Timestamp::now() }
    }

    /// Claims `task` for `owner`, now. O(1).
    #[must_use]
    pub fn claim(task: EntityId, owner: EntityId) -> Self {
        Self::Claim { task, owner, at: Timestamp::now() }
    }

    /// The entity the op is about (the source, for links). O(1).
    #[must_use]
    pub const fn subject(&self) -> EntityId {
        match self {
            Self::Create { id, .. } | Self::Update { id, .. } | Self::Delete { id, .. } | Self::Move { id, .. } => *id,
            Self::Link { source, .. } | Self::Unlink { source, .. } => *source,
            Self::RecordActivity(a) => a.task,
            Self::SetStage { task, .. } | Self::Claim { task, .. } => *task,
        }
    }
}

/// Ops that apply together, atomically: all of them or none.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Batch {
    ops: Vec<Op>,
}

impl Batch {
    /// An empty batch. O(1).
    #[must_use]
    pub const fn new() -> Self {
        Self { ops: Vec::new() }
    }

    /// Appends an op. Amortised O(1).
    pub fn push(&mut self, op: Op) -> &mut Self {
        self.ops.push(op);
        self
    }

    /// The ops in order. O(1).
    #[must_use]
    pub fn ops(&self) -> &[Op] {
        &self.ops
    }

    /// Number of ops. O(1).
    #[must_use]
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// Whether it holds no ops. O(1).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }
}

impl From<Vec<Op>> for Batch {
    fn from(ops: Vec<Op>) -> Self {
        Self { ops }
    }
}

impl From<Op> for Batch {
    fn from(op: Op) -> Self {
        Self { ops: vec![op] }
    }
}

impl FromIterator<Op> for Batch {
    fn from_iter<I: IntoIterator<Item = Op>>(iter: I) -> Self {
        Self { ops: iter.into_iter().collect() }
    }
}

impl IntoIterator for Batch {
    type Item = Op;
    type IntoIter = std::vec::IntoIter<Op>;
    fn into_iter(self) -> Self::IntoIter {
        self.ops.into_iter()
    }
}
