//! Patches: partial updates of an entity's fields. A field left `None` keeps
//! its value; for nullable fields `Some(None)` clears it.
//!
//! References (project, workstream, owner, workflow, scope …) are edges and
//! change through link, unlink and move, never through a patch. A task's
//! `current_stage` changes only through the set-stage op, which checks it
//! against the workflow and records the transition.

use serde::{Deserialize, Serialize};

use super::entity::{
    BestPractice, EntityData, Milestone, Pattern, Project, Slice, Task, User, Workflow, Workspace, Workstream,
};
use super::kind::EntityKind;
use super::status::{Priority, Status, TaskStatus};
use super::text::{Fraction, Json, Labels, Name, Tag, Text};
use super::workflow::Stages;
use crate::time::Timestamp;

macro_rules! patch {
    (
        $(#[$doc:meta])* $patch:ident for $ty:ident {
            $( $field:ident : $fty:ty ),* $(,)?
        } nullable {
            $( $nfield:ident : $nty:ty ),* $(,)?
        }
    ) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
        pub struct $patch {
            $(
                #[doc = concat!("New `", stringify!($field), "`, if changing.")]
                pub $field: Option<$fty>,
            )*
            $(
                #[doc = concat!("New `", stringify!($nfield), "` (`Some(None)` clears it), if changing.")]
                pub $nfield: Option<Option<$nty>>,
            )*
        }

        impl $patch {
            /// Writes the set fields into `target`. O(fields).
            pub fn apply_to(&self, target: &mut $ty) {
                $( if let Some(v) = &self.$field { target.$field = v.clone(); } )*
                $( if let Some(v) = &self.$nfield { target.$nfield = v.clone(); } )*
            }

            /// Whether the patch changes nothing. O(fields).
            #[must_use]
            pub fn is_empty(&self) -> bool {
                true $( && self.$field.is_none() )* $( && self.$nfield.is_none() )*
            }
        }

        impl From<$patch> for EntityPatch {
            fn from(value: $patch) -> Self {
                Self::$ty(value)
            }
        }
    };
}

patch!(
    /// Changes to a workspace.
    WorkspacePatch for Workspace { name: Name } nullable { description: Text }
);
patch!(
    /// Changes to a project.
    ProjectPatch for Project { name: Name, status: Status } nullable {
        description: Text, overview: Text, tech_stack: Json, target_date: Timestamp
    }
);
patch!(
    /// Changes to a workstream.
    WorkstreamPatch for Workstream { name: Name, status: Status, progress: Fraction } nullable { description: Text }
);
patch!(
    /// Changes to a milestone.
    MilestonePatch for Milestone { name: Name, status: Status } nullable {
        description: Text, requirements: Text, target_date: Timestamp
    }
);
patch!(
    /// Changes to a slice.
    SlicePatch for Slice { name: Name, status: Status } nullable { description: Text }
);
patch!(
    /// Changes to a task. Moving into `DONE` sets `completion_date` to the op's
    /// time unless the patch sets it; moving out of `DONE` clears it unless the
    /// patch sets it.
    TaskPatch for Task { title: Name, status: TaskStatus, labels: Labels } nullable {
        description: Text, priority: Priority, completion_date: Timestamp
    }
);
patch!(
    /// Changes to a workflow. New stages must still contain every stage a
    /// following task is in.
    WorkflowPatch for Workflow { name: Name, stages: Stages } nullable { description: Text }
);
patch!(
    /// Changes to a pattern.
    PatternPatch for Pattern { name: Name, pattern_type: Tag, content: Json } nullable { description: Text }
);
patch!(
    /// Changes to a best practice.
    BestPracticePatch for BestPractice { name: Name, category: Tag, content: Json } nullable { description: Text }
);
patch!(
    /// Changes to a user.
    UserPatch for User { name: Name } nullable {}
);

/// A patch for one entity kind.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum EntityPatch {
    /// Workspace changes.
    Workspace(WorkspacePatch),
    /// Project changes.
    Project(ProjectPatch),
    /// Workstream changes.
    Workstream(WorkstreamPatch),
    /// Milestone changes.
    Milestone(MilestonePatch),
    /// Slice changes.
    Slice(SlicePatch),
    /// Task changes.
    Task(TaskPatch),
    /// Workflow changes.
    Workflow(WorkflowPatch),
    /// Pattern changes.
    Pattern(PatternPatch),
    /// Best-practice changes.
    BestPractice(BestPracticePatch),
    /// User changes.
    User(UserPatch),
}

impl EntityPatch {
    /// The kind of entity this patch applies to. O(1).
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

    /// Applies the patch to `data`; returns `false` (and changes nothing) when
    /// the kinds differ. O(fields).
    #[must_use]
    pub fn apply_to(&self, data: &mut EntityData) -> bool {
        match (self, data) {
            (Self::Workspace(p), EntityData::Workspace(d)) => p.apply_to(d),
            (Self::Project(p), EntityData::Project(d)) => p.apply_to(d),
            (Self::Workstream(p), EntityData::Workstream(d)) => p.apply_to(d),
            (Self::Milestone(p), EntityData::Milestone(d)) => p.apply_to(d),
            (Self::Slice(p), EntityData::Slice(d)) => p.apply_to(d),
            (Self::Task(p), EntityData::Task(d)) => p.apply_to(d),
            (Self::Workflow(p), EntityData::Workflow(d)) => p.apply_to(d),
            (Self::Pattern(p), EntityData::Pattern(d)) => p.apply_to(d),
            (Self::BestPractice(p), EntityData::BestPractice(d)) => p.apply_to(d),
            (Self::User(p), EntityData::User(d)) => p.apply_to(d),
            _ => return false,
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_sets_and_clears_only_named_fields() {
        let mut task = Task::new("t").unwrap();
        task.description = Some(Text::new("description", "old").unwrap());
        task.priority = Some(Priority::Low);
        let patch = TaskPatch { priority: Some(None), status: Some(TaskStatus::InProgress), ..TaskPatch::default() };
        patch.apply_to(&mut task);
        assert_eq!(task.priority, None);
        assert_eq!(task.status, TaskStatus::InProgress);
        assert_eq!(task.description.as_deref(), Some("old"));
    }

    #[test]
    fn patch_of_other_kind_changes_nothing() {
        let mut data = EntityData::from(Task::new("t").unwrap());
        let before = data.clone();
        let patch = EntityPatch::from(UserPatch { name: Some(Name::new("name", "u").unwrap()) });
        assert!(!patch.apply_to(&mut data));
        assert_eq!(data, before);
    }
}
