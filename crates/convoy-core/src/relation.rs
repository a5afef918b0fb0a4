//! Relationships: every edge kind, its inverse, which entity kinds it may
//! join, its default weight, and the seeds' names for it
//! (`workspace_contains_project`, `task_blocked_by`, …).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::ParseError;
use crate::model::kind::EntityKind;
use crate::model::text::{Fraction, Json};
use crate::model::vocab::vocabulary;
use crate::time::Timestamp;

vocabulary! {
    /// The label of one directed edge. Each has an inverse (see
    /// [`Relation::inverse`]); the graph always stores both directions.
    Relation, "relation" {
        /// Container → contained (workspace → project, …, slice → task).
        Contains => "contains",
        /// Contained → container; inverse of `contains`.
        BelongsTo => "belongs_to",
        /// Parent task → subtask.
        HasSubtask => "has_subtask",
        /// Subtask → parent task; inverse of `has_subtask`.
        SubtaskOf => "subtask_of",
        /// Task → task it blocks.
        Blocks => "blocks",
        /// Task → task blocking it (the seeds' `depends_on`); inverse of `blocks`.
        BlockedBy => "blocked_by",
        /// Task ↔ task, symmetric: its own inverse.
        RelatedTo => "related_to",
        /// Task → the workflow it follows.
        Follows => "follows",
        /// Workflow → a task following it; inverse of `follows`.
        FollowedBy => "followed_by",
        /// Pattern or best practice → the workspace or project it applies to.
        ScopedTo => "scoped_to",
        /// Workspace or project → a pattern or best practice scoped to it.
        Scopes => "scopes",
        /// Project, workstream or task → its owner.
        OwnedBy => "owned_by",
        /// User → what it owns; inverse of `owned_by`.
        Owns => "owns",
    }
}

impl Relation {
    /// The relation of the inverse edge. O(1).
    #[must_use]
    pub const fn inverse(self) -> Self {
        match self {
            Self::Contains => Self::BelongsTo,
            Self::BelongsTo => Self::Contains,
            Self::HasSubtask => Self::SubtaskOf,
            Self::SubtaskOf => Self::HasSubtask,
            Self::Blocks => Self::BlockedBy,
            Self::BlockedBy => Self::Blocks,
            Self::RelatedTo => Self::RelatedTo,
            Self::Follows => Self::FollowedBy,
            Self::FollowedBy => Self::Follows,
            Self::ScopedTo => Self::Scopes,
            Self::Scopes => Self::ScopedTo,
            Self::OwnedBy => Self::Owns,
            Self::Owns => Self::OwnedBy,
        }
    }

    /// Whether this is the forward direction of its pair (the left column of
    /// DESIGN.md's table). `related_to` counts as forward. O(1).
    #[must_use]
    pub const fn is_forward(self) -> bool {
        matches!(
            self,
            Self::Contains
                | Self::HasSubtask
                | Self::Blocks
                | Self::RelatedTo
                | Self::Follows
                | Self::ScopedTo
                | Self::OwnedBy
        )
    }

    /// Whether an edge `source -[self]-> target` may exist. O(1).
    #[must_use]
    pub const fn allows(self, source: EntityKind, target: EntityKind) -> bool {
        use EntityKind as K;
        if !self.is_forward() {
            return self.inverse().allows(target, source);
        }
        match self {
            Self::Contains => matches!(
                (source, target),
                (K::Workspace, K::Project)
                    | (K::Project, K::Workstream | K::Milestone | K::Task)
                    | (K::Milestone, K::Slice | K::Task)
                    | (K::Workstream | K::Slice, K::Task)
            ),
            Self::HasSubtask | Self::Blocks | Self::RelatedTo => matches!((source, target), (K::Task, K::Task)),
            Self::Follows => matches!((source, target), (K::Task, K::Workflow)),
            Self::ScopedTo => {
                matches!((source, target), (K::Pattern | K::BestPractice, K::Workspace | K::Project))
            }
            Self::OwnedBy => matches!((source, target), (K::Project | K::Workstream | K::Task, K::User)),
            _ => false,
        }
    }

    /// The weight an edge of this relation gets when none is given. O(1).
    ///
    /// Containment binds tightest (1.0), then subtasks (0.9), blocking (0.8),
    /// workflow (0.7), scope (0.6), related tasks (0.5), ownership (0.4).
    #[must_use]
    pub fn default_weight(self) -> Fraction {
        let w = match self {
            Self::Contains | Self::BelongsTo => 1.0,
            Self::HasSubtask | Self::SubtaskOf => 0.9,
            Self::Blocks | Self::BlockedBy => 0.8,
            Self::Follows | Self::FollowedBy => 0.7,
            Self::ScopedTo | Self::Scopes => 0.6,
            Self::RelatedTo => 0.5,
            Self::OwnedBy | Self::Owns => 0.4,
        };
        Fraction::new("weight", w).unwrap_or(Fraction::ONE)
    }

    /// For a relation a node may have at most one of (its "uplinks"), the
    /// slot it fills: a task belongs to at most one slice, a pattern is
    /// scoped to at most one container, … `None` for many-valued relations. O(1).
    #[must_use]
    pub const fn slot(self, target: EntityKind) -> Option<Slot> {
        match (self, target) {
            (Self::BelongsTo, EntityKind::Workspace) => Some(Slot::Workspace),
            (Self::BelongsTo, EntityKind::Project) => Some(Slot::Project),
            (Self::BelongsTo, EntityKind::Workstream) => Some(Slot::Workstream),
            (Self::BelongsTo, EntityKind::Milestone) => Some(Slot::Milestone),
            (Self::BelongsTo, EntityKind::Slice) => Some(Slot::Slice),
            (Self::SubtaskOf, EntityKind::Task) => Some(Slot::ParentTask),
            (Self::Follows, _) => Some(Slot::Workflow),
            (Self::ScopedTo, _) => Some(Slot::Scope),
            (Self::OwnedBy, _) => Some(Slot::Owner),
            _ => None,
        }
    }
}

vocabulary! {
    /// A single-valued outgoing reference of a node: the seeds' foreign-key
    /// columns (`project_id`, `slice_id`, `parent_task_id`, `owner_id`, …).
    Slot, "slot" {
        /// A project's workspace.
        Workspace => "workspace_id",
        /// The project of a workstream, milestone or task.
        Project => "project_id",
        /// A task's workstream.
        Workstream => "workstream_id",
        /// The milestone of a slice or task.
        Milestone => "milestone_id",
        /// A task's slice.
        Slice => "slice_id",
        /// A subtask's parent.
        ParentTask => "parent_task_id",
        /// A task's workflow.
        Workflow => "workflow_id",
        /// A pattern's or best practice's scope (workspace or project).
        Scope => "scope_id",
        /// The owner of a project, workstream or task.
        Owner => "owner_id",
    }
}

impl Slot {
    /// How many slots there are.
    pub const COUNT: usize = 9;

    /// A dense index in `0..COUNT`. O(1).
    #[must_use]
    pub const fn index(self) -> usize {
        self as usize
    }
}

/// A relationship type as the seeds name it: source kind, relation, target kind.
///
/// Printed as `{source}_{relation}_{target}` (`workspace_contains_project`),
/// except task-to-task relations, which the seeds print without the target
/// (`task_blocks`, `task_blocked_by`, `task_related_to`, `task_has_subtask`,
/// `task_subtask_of`). Parsing accepts both spellings, in any case.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct RelationType {
    source: EntityKind,
    relation: Relation,
    target: EntityKind,
}

impl RelationType {
    /// A relation type, if the relation allows those endpoint kinds. O(1).
    #[must_use]
    pub const fn new(source: EntityKind, relation: Relation, target: EntityKind) -> Option<Self> {
        if relation.allows(source, target) { Some(Self { source, relation, target }) } else { None }
    }

    /// The source kind. O(1).
    #[must_use]
    pub const fn source(self) -> EntityKind {
        self.source
    }

    /// The relation. O(1).
    #[must_use]
    pub const fn relation(self) -> Relation {
        self.relation
    }

    /// The target kind. O(1).
    #[must_use]
    pub const fn target(self) -> EntityKind {
        self.target
    }

    /// The inverse type (target and source swapped). O(1).
    #[must_use]
    pub const fn inverse(self) -> Self {
        Self { source: self.target, relation: self.relation.inverse(), target: self.source }
    }

    /// Every allowed relation type, in a fixed order. O(kinds² × relations).
    pub fn all() -> impl Iterator<Item = Self> {
        Relation::ALL.iter().flat_map(|&r| {
            EntityKind::ALL.iter().flat_map(move |&s| EntityKind::ALL.iter().filter_map(move |&t| Self::new(s, r, t)))
        })
    }

    const fn omits_target(self) -> bool {
        matches!((self.source, self.target, self.relation), (EntityKind::Task, EntityKind::Task, _))
    }
}

impl fmt::Display for RelationType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.omits_target() {
            write!(f, "{}_{}", self.source, self.relation)
        } else {
            write!(f, "{}_{}_{}", self.source, self.relation, self.target)
        }
    }
}

impl FromStr for RelationType {
    type Err = ParseError;

    /// Parses a seed relationship name. O(types); case-insensitive.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::all()
            .find(|t| {
                let short = t.to_string();
                short.eq_ignore_ascii_case(s)
                    || (t.omits_target() && format!("{short}_{}", t.target).eq_ignore_ascii_case(s))
            })
            .ok_or_else(|| ParseError::Unknown { what: "relationship type", value: crate::error::clip(s) })
    }
}

impl Serialize for RelationType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for RelationType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// What an edge carries besides its endpoints. An edge and its inverse carry
/// equal `EdgeData` apart from the relation.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct EdgeData {
    /// The edge's relation.
    pub relation: Relation,
    /// Strength of the relationship, in `0..=1`.
    pub weight: Fraction,
    /// Optional metadata, as JSON.
    pub metadata: Option<Json>,
    /// When the relationship was made.
    pub created_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_relation_inverts_back() {
        for &r in Relation::ALL {
            assert_eq!(r.inverse().inverse(), r);
            assert_ne!(r.is_forward(), r.inverse().is_forward() && r != Relation::RelatedTo);
        }
    }

    #[test]
    fn allowed_types_are_closed_under_inverse() {
        let all: Vec<_> = RelationType::all().collect();
        for t in &all {
            assert!(all.contains(&t.inverse()), "{t} has no inverse type");
        }
        // 8 containment pairs, 3 task-task (related_to is its own inverse:
        // one type), follows, 4 scoped_to, 3 owned_by.
        assert_eq!(all.len(), 2 * 8 + 2 + 2 + 1 + 2 + 2 * 4 + 2 * 3);
    }

    #[test]
    fn seed_names_parse_and_print() {
        for name in [
            "workspace_contains_project",
            "project_belongs_to_workspace",
            "project_contains_workstream",
            "project_contains_task",
            "workstream_belongs_to_project",
            "workstream_contains_task",
            "task_belongs_to_project",
            "task_belongs_to_workstream",
            "task_blocks",
            "task_blocked_by",
            "task_related_to",
            "milestone_contains_slice",
            "pattern_scoped_to_workspace",
            "best_practice_scoped_to_project",
            "task_follows_workflow",
            "task_owned_by_user",
        ] {
            let t: RelationType = name.parse().unwrap();
            assert_eq!(t.to_string(), name);
        }
        let t: RelationType = "TASK_BLOCKED_BY_TASK".parse().unwrap();
        assert_eq!(t.to_string(), "task_blocked_by");
        assert_eq!((t.source(), t.relation(), t.target()), (EntityKind::Task, Relation::BlockedBy, EntityKind::Task));
    }

    #[test]
    fn unknown_or_disallowed_names_are_refused() {
        assert!("workspace_contains_task".parse::<RelationType>().is_err());
        assert!("task_blocks_project".parse::<RelationType>().is_err());
        assert!("".parse::<RelationType>().is_err());
    }

    #[test]
    fn slots_are_only_for_single_valued_relations() {
        assert_eq!(Relation::BelongsTo.slot(EntityKind::Slice), Some(Slot::Slice));
        assert_eq!(Relation::Contains.slot(EntityKind::Task), None);
        assert_eq!(Relation::Blocks.slot(EntityKind::Task), None);
    }
}
