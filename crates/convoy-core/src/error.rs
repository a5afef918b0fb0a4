//! Errors, one enum per operation family, each converting into [`Error`].
//! Messages name the offending ids, fields and values.

use std::fmt;

use thiserror::Error;

use crate::id::{ActivityId, EntityId};
use crate::model::kind::EntityKind;
use crate::model::status::TaskStatus;
use crate::relation::{Relation, Slot};

/// Longest user-supplied value quoted in an error message, in characters.
const QUOTE_CHARS: usize = 64;

/// Shortens a user-supplied value for quoting in an error message.
pub(crate) fn clip(s: &str) -> String {
    if s.chars().count() <= QUOTE_CHARS {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(QUOTE_CHARS).collect();
        out.push('…');
        out
    }
}

/// Text that does not name a known value (kind, status, relation, id, time).
#[derive(Clone, PartialEq, Eq, Debug, Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The value is not one of the known spellings.
    #[error("unknown {what} {value:?}")]
    Unknown {
        /// What was being parsed.
        what: &'static str,
        /// The offending text (clipped).
        value: String,
    },
}

/// A field value that fails validation.
#[derive(Clone, PartialEq, Eq, Debug, Error)]
#[non_exhaustive]
pub enum FieldError {
    /// A required value is blank.
    #[error("field `{field}` is empty")]
    Empty {
        /// The field.
        field: &'static str,
    },
    /// A value is over its size limit.
    #[error("field `{field}` is {len} bytes, over the limit of {max}")]
    TooLong {
        /// The field.
        field: &'static str,
        /// Its length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Text holds a NUL character.
    #[error("field `{field}` holds a NUL character at byte {at}")]
    Nul {
        /// The field.
        field: &'static str,
        /// Byte offset of the first NUL.
        at: usize,
    },
    /// A list has too many items.
    #[error("field `{field}` has more than {max} items")]
    TooMany {
        /// The field.
        field: &'static str,
        /// The limit.
        max: usize,
    },
    /// A list repeats an item that must be unique.
    #[error("field `{field}` repeats {value:?}")]
    Duplicate {
        /// The field.
        field: &'static str,
        /// The repeated item.
        value: String,
    },
    /// JSON text that does not parse.
    #[error("field `{field}` is not valid JSON: {reason}")]
    InvalidJson {
        /// The field.
        field: &'static str,
        /// The parser's complaint.
        reason: String,
    },
    /// A number outside its range.
    #[error("field `{field}` is {value}, outside {range}")]
    OutOfRange {
        /// The field.
        field: &'static str,
        /// The offending value.
        value: String,
        /// The allowed range.
        range: &'static str,
    },
}

/// Why one op, or the batch as a whole, was refused.
#[derive(Clone, PartialEq, Eq, Debug, Error)]
#[non_exhaustive]
pub enum OpError {
    /// No entity has this id.
    #[error("no entity {id}")]
    UnknownEntity {
        /// The id.
        id: EntityId,
    },
    /// The entity is of another kind than the op needs.
    #[error("entity {id} is a {found}, expected {expected}")]
    WrongKind {
        /// The id.
        id: EntityId,
        /// What the op needed.
        expected: &'static str,
        /// What it is.
        found: EntityKind,
    },
    /// An entity with this id already exists.
    #[error("entity {id} already exists (a {kind})")]
    DuplicateEntity {
        /// The id.
        id: EntityId,
        /// The existing entity's kind.
        kind: EntityKind,
    },
    /// The edge already exists.
    #[error("edge {from} -{relation}-> {to} already exists")]
    DuplicateEdge {
        /// Source id.
        from: EntityId,
        /// Relation.
        relation: Relation,
        /// Target id.
        to: EntityId,
    },
    /// No such edge to unlink.
    #[error("no edge {from} -{relation}-> {to}")]
    UnknownEdge {
        /// Source id.
        from: EntityId,
        /// Relation.
        relation: Relation,
        /// Target id.
        to: EntityId,
    },
    /// An edge from an entity to itself.
    #[error("entity {id} cannot be {relation} itself")]
    SelfLoop {
        /// The id.
        id: EntityId,
        /// Relation.
        relation: Relation,
    },
    /// The relation does not join these kinds.
    #[error("{from_kind} {from} cannot be {relation} {to_kind} {to}")]
    KindsNotAllowed {
        /// Source id.
        from: EntityId,
        /// Source kind.
        from_kind: EntityKind,
        /// Relation.
        relation: Relation,
        /// Target id.
        to: EntityId,
        /// Target kind.
        to_kind: EntityKind,
    },
    /// A single-valued reference is already set (a task's second project, …).
    #[error("entity {id} already has {slot} {existing}; cannot also link {attempted}")]
    SlotTaken {
        /// The entity.
        id: EntityId,
        /// Which reference.
        slot: Slot,
        /// What it points at now.
        existing: EntityId,
        /// What the op tried to add.
        attempted: EntityId,
    },
    /// Adding `blocks` edge would close a cycle; the cycle is listed, starting
    /// and ending at the same task.
    #[error("dependency cycle: {}", Joined(cycle, " -> "))]
    BlocksCycle {
        /// The tasks on the cycle, first = last.
        cycle: Vec<EntityId>,
    },
    /// Adding a subtask edge would close a cycle; the cycle is listed.
    #[error("subtask cycle: {}", Joined(cycle, " -> "))]
    SubtaskCycle {
        /// The tasks on the cycle, first = last.
        cycle: Vec<EntityId>,
    },
    /// A stage op on a task that follows no workflow.
    #[error("task {task} follows no workflow")]
    NoWorkflow {
        /// The task.
        task: EntityId,
    },
    /// A stage that is not one of the workflow's stages.
    #[error("stage {stage:?} of task {task} is not a stage of workflow {workflow}")]
    StageNotInWorkflow {
        /// The task.
        task: EntityId,
        /// The stage named.
        stage: String,
        /// The workflow.
        workflow: EntityId,
    },
    /// An activity id already used in the task's feed.
    #[error("activity {activity} already exists in the feed of task {task}")]
    DuplicateActivity {
        /// The task.
        task: EntityId,
        /// The activity id.
        activity: ActivityId,
    },
    /// A claim on a task that is not open (`DONE` or `CANCELLED`).
    #[error("task {task} cannot be claimed: it is {status}")]
    NotOpen {
        /// The task.
        task: EntityId,
        /// Its status.
        status: TaskStatus,
    },
    /// A claim on a task that open tasks still block.
    #[error("task {task} cannot be claimed: blocked by {}", Joined(blockers, ", "))]
    NotReady {
        /// The task.
        task: EntityId,
        /// Its open blockers, by id.
        blockers: Vec<EntityId>,
    },
    /// A claim on a task someone else owns.
    #[error("task {task} cannot be claimed by {owner}: {holder} owns it")]
    AlreadyClaimed {
        /// The task.
        task: EntityId,
        /// Who tried to claim it.
        owner: EntityId,
        /// Who owns it.
        holder: EntityId,
    },
    /// A move to a parent whose kind fills no reference of the entity.
    #[error("{kind} {id} cannot move under {parent_kind} {parent}")]
    CannotMove {
        /// The entity.
        id: EntityId,
        /// Its kind.
        kind: EntityKind,
        /// The requested parent.
        parent: EntityId,
        /// The parent's kind.
        parent_kind: EntityKind,
    },
    /// A patch for another kind of entity.
    #[error("entity {id} is a {found}, but the patch is for a {patch}")]
    PatchKind {
        /// The entity.
        id: EntityId,
        /// Its kind.
        found: EntityKind,
        /// The patch's kind.
        patch: EntityKind,
    },
    /// After the batch, an entity lacks a required container.
    #[error("{kind} {id} must have a {slot}")]
    MissingParent {
        /// The entity.
        id: EntityId,
        /// Its kind.
        kind: EntityKind,
        /// The missing reference.
        slot: Slot,
    },
    /// After the batch, a task's (or slice's) container lies in another
    /// project (or milestone) than its own.
    #[error("{id}'s {slot} {other} lies in {found}, not in {expected}")]
    Misplaced {
        /// The entity whose references disagree.
        id: EntityId,
        /// The reference that points elsewhere.
        slot: Slot,
        /// What it points at.
        other: EntityId,
        /// Where that should lie (the entity's project, or its milestone).
        expected: EntityId,
        /// Where it does lie.
        found: EntityId,
    },
    /// A field failed validation inside an op.
    #[error(transparent)]
    Field(#[from] FieldError),
}

/// Why a batch was refused. A refused batch changes nothing.
#[derive(Clone, PartialEq, Eq, Debug, Error)]
#[non_exhaustive]
pub enum BatchError {
    /// Op number `index` (from 0) was refused.
    #[error("op {index}: {error}")]
    Op {
        /// Position of the op in the batch.
        index: usize,
        /// Why.
        error: OpError,
    },
    /// Every op applied, but the batch as a whole would break an invariant
    /// (a project left without a workspace, a task's slice in another project, …).
    #[error("batch refused: {0}")]
    Closing(OpError),
    /// The batch has more ops than one batch may carry.
    #[error("batch has {count} ops, over the limit of {max}")]
    TooLarge {
        /// Ops in the batch.
        count: usize,
        /// The limit.
        max: usize,
    },
}

impl BatchError {
    /// The op-level error, for both per-op and closing refusals. O(1).
    #[must_use]
    pub const fn op_error(&self) -> Option<&OpError> {
        match self {
            Self::Op { error, .. } | Self::Closing(error) => Some(error),
            Self::TooLarge { .. } => None,
        }
    }
}

/// The invariants of DESIGN.md that [`crate::Graph::check_invariants`] checks.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Invariant {
    /// 1. Every edge has exactly one inverse; no duplicate edges.
    InverseEdges,
    /// 2. Endpoint kinds are allowed; no self-loops.
    EndpointKinds,
    /// 3. Cardinality and same-project placement.
    Cardinality,
    /// 4. Containment, subtask and `blocks` chains are acyclic.
    Acyclic,
    /// 5. The id index and every secondary index agree with the nodes.
    Indexes,
    /// A task following a workflow is in one of its stages; feeds are ordered
    /// and hold only their own task's entries.
    Stages,
}

impl fmt::Display for Invariant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::InverseEdges => "1-inverse-edges",
            Self::EndpointKinds => "2-endpoint-kinds",
            Self::Cardinality => "3-cardinality",
            Self::Acyclic => "4-acyclic",
            Self::Indexes => "5-indexes",
            Self::Stages => "stages-and-feeds",
        })
    }
}

/// One broken invariant, with what broke it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Violation {
    /// Which invariant.
    pub invariant: Invariant,
    /// What was found, naming the ids involved.
    pub detail: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}", self.invariant, self.detail)
    }
}

/// Every broken invariant found by one check.
#[derive(Clone, PartialEq, Eq, Debug, Error)]
#[error("{} invariant violation(s): {}", .0.len(), List(.0))]
pub struct Violations(pub Vec<Violation>);

/// Why a canonical state could not be loaded into a graph.
#[derive(Clone, PartialEq, Eq, Debug, Error)]
#[non_exhaustive]
pub enum StateError {
    /// An entity, edge or feed entry could not be added.
    #[error("state refused: {0}")]
    Refused(OpError),
    /// An edge or feed names an entity the state does not hold.
    #[error("state refers to missing entity {id}")]
    Dangling {
        /// The missing id.
        id: EntityId,
    },
    /// The state was loaded but breaks invariants.
    #[error(transparent)]
    Invariants(#[from] Violations),
}

/// Any Convoy core error.
#[derive(Clone, PartialEq, Eq, Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// Parsing a name or value.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// Validating a field.
    #[error(transparent)]
    Field(#[from] FieldError),
    /// Applying a batch.
    #[error(transparent)]
    Batch(#[from] BatchError),
    /// Loading a canonical state.
    #[error(transparent)]
    State(#[from] StateError),
    /// Checking invariants.
    #[error(transparent)]
    Invariants(#[from] Violations),
}

/// Ids joined by a separator, for messages.
struct Joined<'a>(&'a [EntityId], &'static str);

impl fmt::Display for Joined<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, id) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(self.1)?;
            }
            write!(f, "{id}")?;
        }
        Ok(())
    }
}

struct List<'a>(&'a [Violation]);

impl fmt::Display for List<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, v) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{v}")?;
        }
        Ok(())
    }
}
