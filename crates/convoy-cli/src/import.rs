//! `convoy import FILE`: a JSON object whose keys are the seeds' table
//! names and whose values are arrays of rows (see [`crate::seeds`] for the
//! columns), brought into a store all or nothing.
//!
//! What import does with a document:
//!
//! 1. Reads every row of every table and checks it on its own and against
//!    the rest of the document and the store: unknown tables and columns,
//!    missing or malformed values, duplicate ids (in the document or
//!    already in the store), foreign keys naming nothing or the wrong kind,
//!    a task with no project to be found, `relationships` rows that
//!    contradict a foreign-key column or each other. **Every** bad row is
//!    reported ([`ImportError::Rows`]), not just the first.
//! 2. Turns the rows into ops: each entity is created at its `created_at`
//!    (and touched at its `updated_at`), each foreign-key column becomes a
//!    link, each `task_dependencies` row a `blocks` link, each
//!    `relationships` row either merges into the column or dependency row
//!    it agrees with (giving that edge its weight, metadata and time) or
//!    becomes a link of its own, each `activity_feed` row a feed entry. A
//!    task with no `project_id` gets the project of its slice's milestone,
//!    its milestone, its workstream or its parent task (seeds 002/003).
//! 3. Checks the ops against the graph as a batch would be
//!    ([`convoy_core::Graph::validate_sequence`]), so what only the graph can see (a
//!    dependency cycle, a slice in another project) is refused, naming the
//!    row, before anything is written ([`ImportError::Refused`]).
//! 4. Commits. When the ops fit one batch ([`convoy_core::MAX_BATCH_OPS`]
//!    ops and half a log record's maximum size) they are **one batch**:
//!    the import is atomic. A larger import is split into batches at
//!    entity boundaries, each consistent on its own (an entity always
//!    comes with its references), committed in order. A crash or I/O
//!    failure in the middle then leaves an **acknowledged prefix**: the
//!    batches committed so far are durable, the rest are not, and
//!    [`ImportError::Commit`] says how many were; importing the same file
//!    again is refused for the ids already there.
//!
//! Edge rows (`task_dependencies`, `relationships`) may carry an `id`;
//! Convoy knows an edge by its endpoints and type, so those ids are read
//! but not kept, and [`ImportSummary::ids_not_kept`] counts them.

mod batches;
mod edges;
mod error;
mod plan;
mod run;

pub use error::{ImportError, MAX_DOCUMENT_BYTES, RowError, RowRef};
pub use run::{ImportSummary, import, parse, read_file};
