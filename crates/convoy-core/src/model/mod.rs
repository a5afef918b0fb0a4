//! The model: entity kinds and their fields, statuses, validated values,
//! workflow stages, patches and activity entries.

pub(crate) mod activity;
pub(crate) mod entity;
pub(crate) mod kind;
pub(crate) mod patch;
pub(crate) mod status;
pub(crate) mod text;
pub(crate) mod vocab;
pub(crate) mod workflow;

pub use activity::{Activity, STAGE_TRANSITION};
pub use entity::{
    BestPractice, Entity, EntityData, Milestone, Pattern, Project, Slice, Task, User, Workflow, Workspace, Workstream,
};
pub use kind::EntityKind;
pub use patch::{
    BestPracticePatch, EntityPatch, MilestonePatch, PatternPatch, ProjectPatch, SlicePatch, TaskPatch, UserPatch,
    WorkflowPatch, WorkspacePatch, WorkstreamPatch,
};
pub use status::{Priority, Status, TaskStatus};
pub use text::{
    Fraction, Json, Labels, MAX_JSON_BYTES, MAX_LABELS, MAX_NAME_BYTES, MAX_TAG_BYTES, MAX_TEXT_BYTES, Name, Tag, Text,
};
pub use workflow::{MAX_STAGES, Stage, Stages};
