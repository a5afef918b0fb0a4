//! `convoy apply [FILE|-]`: newline-delimited JSON mutations, each line one
//! atomic batch — an op object, or an array of op objects:
//!
//! ```text
//! {"op":"create","table":"tasks","row":{…the seeds' columns…}}
//! {"op":"update","id":…,"set":{…columns…}}
//! {"op":"delete","id":…}
//! {"op":"link","source_id":…,"relationship_type":"task_blocks","target_id":…,"weight":0.8}
//! {"op":"unlink","source_id":…,"relationship_type":"task_blocks","target_id":…}
//! {"op":"activity","task_id":…,"activity_type":…,"content":…}
//! {"op":"stage","task_id":…,"stage":…}
//! {"op":"claim","task_id":…,"owner_id":…}
//! ```
//!
//! - `create` takes any seeds table: an entity table's row (foreign-key
//!   columns become links, a task's `project_id` is derived when absent, an
//!   absent `id` is drawn), or a `task_dependencies`, `relationships` or
//!   `activity_feed` row.
//! - `update` changes fields; a foreign-key column set to an id moves the
//!   entity there, set to `null` removes the reference; `current_stage` is
//!   a stage change (checked against the workflow, recorded in the feed).
//!   `null` columns are resolved against the store before the line.
//! - `link` and `unlink` take the seeds' relationship type (`task_blocks`)
//!   or the bare relation (`blocks`).
//! - `claim` succeeds only while the task is ready (open, nothing open
//!   blocking it) and unowned or already the claimer's; it sets the owner
//!   and moves a `TODO` or `BLOCKED` task to `IN_PROGRESS`. The check runs
//!   when the line commits, so two agents can never both claim one task.
//!
//! For every non-blank input line, one acknowledgement line is written,
//! only once the batch is durable (or refused):
//! `{"line":N,"ok":true,"seq":S,"ids":[…]}` (the ids the line created:
//! entities, then feed entries, in op order) or
//! `{"line":N,"ok":false,"error":{"code":…,"message":…}}`. A refused line
//! changes nothing; the lines after it go on. Lines are numbered from 1;
//! blank lines get no acknowledgement but count. A line over
//! [`MAX_LINE_BYTES`] is refused without being held in memory.

mod error;
mod ops;
mod reader;
mod run;

pub use error::{LineError, MAX_LINE_BYTES, OpIssue};
pub use run::{ApplySummary, apply, parse_line};
