//! # convoy
//!
//! The crate an embedder depends on: Convoy's graph model and operations
//! ([`core`]), the durable store ([`store`]), and a [`prelude`] with what
//! most programs use.
//!
//! ```
//! use convoy::prelude::*;
//!
//! let dir = tempfile::tempdir()?;
//! let db = Db::open(dir.path(), Options::new())?;
//!
//! let ws = Op::create(Workspace::new("Acme")?);
//! let project = Op::create(Project::new("Convoy")?);
//! let task = Op::create(Task::new("Write the log")?);
//! let (ws_id, project_id, task_id) = (ws.subject(), project.subject(), task.subject());
//! db.commit(Batch::from(vec![
//!     ws,
//!     project,
//!     Op::link(ws_id, Relation::Contains, project_id),
//!     task,
//!     Op::link(project_id, Relation::Contains, task_id),
//! ]))?;
//!
//! let graph = db.read();
//! assert_eq!(graph.parent(task_id, Slot::Project), Some(project_id));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub use convoy_core as core;
pub use convoy_store as store;

pub mod prelude;
