//! # convoy-core
//!
//! Convoy's in-memory knowledge graph for project work: workspaces,
//! projects, workstreams, milestones, slices, tasks, workflows, patterns,
//! best practices, users, and a per-task activity feed. No I/O: the store
//! crate makes it durable, the query crate answers questions over it.
//!
//! Every change is an [`Op`]; ops apply in [`Batch`]es, atomically. Every
//! relationship is stored with its inverse, and [`Graph::check_invariants`]
//! verifies the invariants the graph keeps.
//!
//! ```
//! use convoy_core::model::{Project, Task, TaskStatus, Workspace};
//! use convoy_core::{Batch, Graph, Op, OpError, Relation, Slot};
//!
//! let mut graph = Graph::new();
//!
//! // A workspace, a project in it, and two tasks, one blocking the other.
//! let ws = Op::create(Workspace::new("Acme")?);
//! let project = Op::create(Project::new("Convoy")?);
//! let design = Op::create(Task::new("Design the log format")?);
//! let build = Op::create(Task::new("Build the log writer")?);
//! let (ws_id, project_id, design_id, build_id) = (ws.subject(), project.subject(), design.subject(), build.subject());
//! let batch = Batch::from(vec![
//!     ws,
//!     project,
//!     Op::link(ws_id, Relation::Contains, project_id),
//!     design,
//!     Op::link(project_id, Relation::Contains, design_id),
//!     build,
//!     Op::link(project_id, Relation::Contains, build_id),
//!     Op::link(design_id, Relation::Blocks, build_id),
//! ]);
//! graph.apply(&batch)?;
//!
//! // Both directions are edges; single-valued references are O(1).
//! assert_eq!(graph.neighbors(build_id, Relation::BlockedBy), vec![design_id]);
//! assert_eq!(graph.parent(build_id, Slot::Project), Some(project_id));
//! assert!(graph.tasks_with_status(TaskStatus::Todo).contains(&build_id));
//!
//! // A dependency cycle is refused, names the cycle, and changes nothing.
//! let before = graph.state();
//! let err = graph.apply(&Op::link(build_id, Relation::Blocks, design_id).into()).unwrap_err();
//! assert_eq!(err.op_error(), Some(&OpError::BlocksCycle { cycle: vec![build_id, design_id, build_id] }));
//! assert_eq!(graph.state(), before);
//! graph.check_invariants()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Costs are documented on each item; see ARCHITECTURE.md for the data flow
//! and the invariants.

mod error;
mod graph;
mod id;
pub mod model;
mod op;
mod relation;
mod time;

pub use error::{BatchError, Error, FieldError, Invariant, OpError, ParseError, StateError, Violation, Violations};
pub use graph::{EdgeRecord, EdgeRef, Feed, Graph, State};
pub use id::{ActivityId, EntityId};
pub use op::{Batch, MAX_BATCH_OPS, Op};
pub use relation::{EdgeData, Relation, RelationType, Slot};
pub use time::Timestamp;
