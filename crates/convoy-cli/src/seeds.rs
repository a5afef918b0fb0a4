//! The seeds' table format: rows of the seeds' Supabase schema (seeds
//! 001–003) ↔ Convoy's entities, edges and feed entries.
//!
//! A row is a JSON object whose keys are the seeds' column names. Convoy
//! stores no reference as a field: the foreign-key columns (`workspace_id`,
//! `project_id`, `workstream_id`, `milestone_id`, `slice_id`,
//! `parent_task_id`, `owner_id`, `workflow_type`, a pattern's scope) are
//! read from the entity's edges when a row is written, and become link ops
//! when a row is read.
//!
//! | table | columns (foreign keys in *italics* are edges) |
//! | --- | --- |
//! | `workspaces` | id, name, description, created_at, updated_at |
//! | `users` | id, name, created_at, updated_at |
//! | `workflows` | id, name, description, stages (the seeds' JSON array), created_at, updated_at |
//! | `projects` | id, *workspace_id*, *owner_id*, name, description, overview, tech_stack, status, target_date, created_at, updated_at |
//! | `workstreams` | id, *project_id*, *owner_id*, name, description, status, progress, created_at, updated_at |
//! | `milestones` | id, *project_id*, name, description, requirements, status, target_date, created_at, updated_at |
//! | `slices` | id, *milestone_id*, name, description, status, created_at, updated_at |
//! | `tasks` | id, *project_id*, *workstream_id*, *milestone_id*, *slice_id*, *parent_task_id*, *owner_id*, *workflow_type*, title, description, status, priority, labels, current_stage, completion_date, created_at, updated_at |
//! | `patterns` | id, *workspace_id*, *project_id* (both null: global), name, description, pattern_type, content, created_at, updated_at |
//! | `best_practices` | id, *workspace_id*, *project_id* (both null: global), name, description, category, content, created_at, updated_at |
//! | `task_dependencies` | task_id (blocked), depends_on_task_id (blocker), created_at |
//! | `relationships` | source_type, source_id, relationship_type, target_type, target_id, weight, metadata, created_at |
//! | `activity_feed` | id, task_id, activity_type, content, details, actor_id, created_by, created_at |
//!
//! Timestamps are RFC 3339 (written with microseconds, UTC); ids are UUIDs;
//! JSON columns (tech_stack, content, details, metadata, stages) are JSON
//! values. Reading also accepts the aliases listed by [`Table::aliases`]
//! (`workflow_id`, activity `type`, the `id` of edge rows, `kind`).

mod decode;
mod encode;
mod issue;
mod patch;
mod table;
mod value;
mod world;

pub(crate) use decode::{
    ActivityRow, EdgeAttrs, EntityRow, RelationshipRow, activity, dependency, edge_attrs, entity, relationship,
    unknown_table,
};
pub use encode::{activity_row, entity_row};
pub(crate) use encode::{dependency_row, is_implied, relationship_row, row_of};
pub use issue::{Issue, batch_error_code, op_error_code};
pub(crate) use issue::{clip, describe};
pub(crate) use patch::{Change, RefChange, decode as decode_set};
pub use table::{ForeignKey, Table, table_of};
pub(crate) use value::{Cells, to_id, to_tag};
#[cfg(test)]
pub(crate) use world::empty_patch;
pub(crate) use world::{Claim, World, create_ops, parent_link, resolve};
