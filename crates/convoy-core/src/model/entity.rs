//! Entities: the graph's nodes. One struct per kind holds that kind's fields
//! (DESIGN.md "Model"); references to other entities are never fields but
//! edges, so no field can disagree with the graph.

use serde::{Deserialize, Serialize};

use super::kind::EntityKind;
use super::status::{Priority, Status, TaskStatus};
use super::text::{Fraction, Json, Labels, Name, Tag, Text};
use super::workflow::Stages;
use crate::error::FieldError;
use crate::id::EntityId;
use crate::time::Timestamp;

/// A workspace: the top-level container.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Workspace {
    /// Name, not blank.
    pub name: Name,
    /// Optional description.
    pub description: Option<Text>,
}

/// A project inside one workspace.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Project {
    /// Name, not blank.
    pub name: Name,
    /// Optional description.
    pub description: Option<Text>,
    /// Optional longer overview.
    pub overview: Option<Text>,
    /// The technology stack, as JSON.
    pub tech_stack: Option<Json>,
    /// Status (default `ACTIVE`).
    pub status: Status,
    /// Target completion date.
    pub target_date: Option<Timestamp>,
}

/// A workstream inside one project.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Workstream {
    /// Name, not blank.
    pub name: Name,
    /// Optional description.
    pub description: Option<Text>,
    /// Status (default `NOT_STARTED`).
    pub status: Status,
    /// Completion progress in `0..=1`.
    pub progress: Fraction,
}

/// A milestone inside one project.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Milestone {
    /// Name, not blank.
    pub name: Name,
    /// Optional description.
    pub description: Option<Text>,
    /// Detailed requirements.
    pub requirements: Option<Text>,
    /// Status (default `PLANNED`).
    pub status: Status,
    /// Target completion date.
    pub target_date: Option<Timestamp>,
}

/// A slice of one milestone.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Slice {
    /// Name, not blank.
    pub name: Name,
    /// Optional description.
    pub description: Option<Text>,
    /// Status (default `NOT_STARTED`).
    pub status: Status,
}

/// A task: the unit of work agents ask about.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Task {
    /// Title, not blank.
    pub title: Name,
    /// Optional description.
    pub description: Option<Text>,
    /// Status (default `TODO`).
    pub status: TaskStatus,
    /// Priority, if set.
    pub priority: Option<Priority>,
    /// Labels, distinct, in order.
    pub labels: Labels,
    /// The current stage of the task's workflow. When the task follows a
    /// workflow this must name one of its stages (checked per batch).
    pub current_stage: Option<Tag>,
    /// When the task was completed.
    pub completion_date: Option<Timestamp>,
}

/// A workflow definition.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Workflow {
    /// Name, not blank.
    pub name: Name,
    /// Optional description.
    pub description: Option<Text>,
    /// The ordered stages.
    pub stages: Stages,
}

/// A reusable pattern, global or scoped to a workspace or project.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Pattern {
    /// Name, not blank.
    pub name: Name,
    /// Optional description.
    pub description: Option<Text>,
    /// The pattern's type (`CODE`, `UI`, `ARCHITECTURE`, …).
    pub pattern_type: Tag,
    /// The pattern itself, as JSON.
    pub content: Json,
}

/// A best practice, global or scoped to a workspace or project.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct BestPractice {
    /// Name, not blank.
    pub name: Name,
    /// Optional description.
    pub description: Option<Text>,
    /// Category (`CODE`, `TESTING`, `DOCUMENTATION`, …).
    pub category: Tag,
    /// The practice itself, as JSON.
    pub content: Json,
}

/// A user: an owner of projects, workstreams and tasks.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct User {
    /// Name, not blank.
    pub name: Name,
}

/// The fields of an entity, by kind.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum EntityData {
    /// A workspace.
    Workspace(Workspace),
    /// A project.
    Project(Project),
    /// A workstream.
    Workstream(Workstream),
    /// A milestone.
    Milestone(Milestone),
    /// A slice.
    Slice(Slice),
    /// A task.
    Task(Task),
    /// A workflow.
    Workflow(Workflow),
    /// A pattern.
    Pattern(Pattern),
    /// A best practice.
    BestPractice(BestPractice),
    /// A user.
    User(User),
}

impl EntityData {
    /// The kind these fields belong to. O(1).
    #[must_use]
    pub const fn kind(&self) -> EntityKind {
        match self {
            Self::Workspace(_) => EntityKind::Workspace,
            Self::Project(_) => EntityKind::Project,
            Self::Workstream(_) => EntityKind::Workstream,
            Self::Milestone(_) => EntityKind::Milestone,
            Self::Slice(_) => EntityKind::Slice,
            Self::Task(_) => EntityKind::Task,
            Self::Workflow(_) => EntityKind::Workflow,
            Self::Pattern(_) => EntityKind::Pattern,
            Self::BestPractice(_) => EntityKind::BestPractice,
            Self::User(_) => EntityKind::User,
        }
    }

    /// The entity's display name (a task's title). O(1).
    #[must_use]
    pub fn name(&self) -> &Name {
        match self {
            Self::Workspace(x) => &x.name,
            Self::Project(x) => &x.name,
            Self::Workstream(x) => &x.name,
            Self::Milestone(x) => &x.name,
            Self::Slice(x) => &x.name,
            Self::Task(x) => &x.title,
            Self::Workflow(x) => &x.name,
            Self::Pattern(x) => &x.name,
            Self::BestPractice(x) => &x.name,
            Self::User(x) => &x.name,
        }
    }

    /// The description, for kinds that have one. O(1).
    #[must_use]
    pub fn description(&self) -> Option<&Text> {
        match self {
            Self::Workspace(x) => x.description.as_ref(),
            Self::Project(x) => x.description.as_ref(),
            Self::Workstream(x) => x.description.as_ref(),
            Self::Milestone(x) => x.description.as_ref(),
            Self::Slice(x) => x.description.as_ref(),
            Self::Task(x) => x.description.as_ref(),
            Self::Workflow(x) => x.description.as_ref(),
            Self::Pattern(x) => x.description.as_ref(),
            Self::BestPractice(x) => x.description.as_ref(),
            Self::User(_) => None,
        }
    }

    /// The task fields, when this is a task. O(1).
    #[must_use]
    pub const fn as_task(&self) -> Option<&Task> {
        match self {
            Self::Task(t) => Some(t),
            _ => None,
        }
    }

    /// The workflow fields, when this is a workflow. O(1).
    #[must_use]
    pub const fn as_workflow(&self) -> Option<&Workflow> {
        match self {
            Self::Workflow(w) => Some(w),
            _ => None,
        }
    }
}

/// An entity as the graph holds it: id, timestamps and fields.
///
/// Only the graph builds and changes entities that live in it; from outside
/// they are read through `&Entity`.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Entity {
    id: EntityId,
    created_at: Timestamp,
    updated_at: Timestamp,
    data: EntityData,
}

impl Entity {
    pub(crate) const fn new(id: EntityId, at: Timestamp, data: EntityData) -> Self {
        Self { id, created_at: at, updated_at: at, data }
    }

    /// The entity's id. O(1).
    #[must_use]
    pub const fn id(&self) -> EntityId {
        self.id
    }

    /// The entity's kind. O(1).
    #[must_use]
    pub const fn kind(&self) -> EntityKind {
        self.data.kind()
    }

    /// When it was created (the creating op's timestamp). O(1).
    #[must_use]
    pub const fn created_at(&self) -> Timestamp {
        self.created_at
    }

    /// When it was last updated, moved or had its stage set. O(1).
    #[must_use]
    pub const fn updated_at(&self) -> Timestamp {
        self.updated_at
    }

    /// Its fields. O(1).
    #[must_use]
    pub const fn data(&self) -> &EntityData {
        &self.data
    }

    pub(crate) fn data_mut(&mut self) -> &mut EntityData {
        &mut self.data
    }

    pub(crate) fn touch(&mut self, at: Timestamp) {
        self.updated_at = at;
    }
}

/// Constructors with the seeds' defaults, for the common case of building an
/// entity from a name. Every field stays public for the rest.
macro_rules! named_ctor {
    ($ty:ident, $field:literal, { $($rest:tt)* }) => {
        impl $ty {
            #[doc = concat!("A ", stringify!($ty), " with the given name and the seeds' defaults. O(len).")]
            ///
            /// # Errors
            /// Any [`Name`] error: blank or oversized.
            pub fn new(name: &str) -> Result<Self, FieldError> {
                Ok(Self { name: Name::new($field, name)?, $($rest)* })
            }
        }
    };
}

named_ctor!(Workspace, "name", { description: None });
named_ctor!(Project, "name", {
    description: None, overview: None, tech_stack: None, status: Status::Active, target_date: None
});
named_ctor!(Workstream, "name", { description: None, status: Status::NotStarted, progress: Fraction::ZERO });
named_ctor!(Milestone, "name", {
    description: None, requirements: None, status: Status::Planned, target_date: None
});
named_ctor!(Slice, "name", { description: None, status: Status::NotStarted });
named_ctor!(Workflow, "name", { description: None, stages: Stages::standard() });
named_ctor!(User, "name", {});

impl Task {
    /// A `TODO` task with no priority, labels or stage. O(len).
    ///
    /// # Errors
    /// Any [`Name`] error for the title: blank or oversized.
    pub fn new(title: &str) -> Result<Self, FieldError> {
        Ok(Self {
            title: Name::new("title", title)?,
            description: None,
            status: TaskStatus::Todo,
            priority: None,
            labels: Labels::default(),
            current_stage: None,
            completion_date: None,
        })
    }
}

impl Pattern {
    /// A pattern with the given name, type and JSON content. O(len).
    ///
    /// # Errors
    /// Any field error: blank name or type, content that is not JSON.
    pub fn new(name: &str, pattern_type: &str, content: &str) -> Result<Self, FieldError> {
        Ok(Self {
            name: Name::new("name", name)?,
            description: None,
            pattern_type: Tag::new("pattern_type", pattern_type)?,
            content: Json::parse("content", content)?,
        })
    }
}

impl BestPractice {
    /// A best practice with the given name, category and JSON content. O(len).
    ///
    /// # Errors
    /// Any field error: blank name or category, content that is not JSON.
    pub fn new(name: &str, category: &str, content: &str) -> Result<Self, FieldError> {
        Ok(Self {
            name: Name::new("name", name)?,
            description: None,
            category: Tag::new("category", category)?,
            content: Json::parse("content", content)?,
        })
    }
}

macro_rules! into_data {
    ($($ty:ident),+) => {
        $(impl From<$ty> for EntityData {
            fn from(value: $ty) -> Self {
                Self::$ty(value)
            }
        })+
    };
}

into_data!(Workspace, Project, Workstream, Milestone, Slice, Task, Workflow, Pattern, BestPractice, User);
