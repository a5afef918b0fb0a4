//! What most programs use: `use convoy::prelude::*;`.

pub use convoy_core::model::{
    BestPractice, EntityKind, Milestone, Pattern, Priority, Project, Slice, Task, TaskStatus, User, Workflow,
    Workspace, Workstream,
};
pub use convoy_core::{Batch, EntityId, Graph, Op, Relation, Slot, Timestamp};
pub use convoy_store::{Db, FsyncPolicy, Options};
