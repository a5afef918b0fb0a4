//! # convoy-query
//!
//! Questions over a Convoy [`Graph`](convoy_core::Graph): one-hop related
//! and referencing entities, containment up and down, multi-hop traversal
//! with paths, roll-ups and ready work. Every result comes in a documented
//! order that never depends on petgraph's indices, so the same graph always
//! gives the same answer. Queries only read.
//!
//! ```
//! use convoy_core::model::{Project, Task, TaskPatch, TaskStatus, Workspace};
//! use convoy_core::{Batch, Graph, Op, Relation};
//! use convoy_query::{ancestors, ready, rollup};
//!
//! let mut graph = Graph::new();
//! let ws = Op::create(Workspace::new("Acme")?);
//! let project = Op::create(Project::new("Convoy")?);
//! let design = Op::create(Task::new("Design the log")?);
//! let build = Op::create(Task::new("Build the log")?);
//! let (w, p, d, b) = (ws.subject(), project.subject(), design.subject(), build.subject());
//! graph.apply(&Batch::from(vec![
//!     ws, project, design, build,
//!     Op::link(w, Relation::Contains, p),
//!     Op::link(p, Relation::Contains, d),
//!     Op::link(p, Relation::Contains, b),
//!     Op::link(d, Relation::Blocks, b),
//! ]))?;
//!
//! // Upward: the task's project (depth 1), then the workspace (depth 2).
//! let up: Vec<_> = ancestors(&graph, b)?.iter().map(|a| (a.id, a.depth)).collect();
//! assert_eq!(up, vec![(p, 1), (w, 2)]);
//!
//! // Only the design task is ready: the build waits on it.
//! assert_eq!(ready(&graph, p, None)?, vec![d]);
//! let done = TaskPatch { status: Some(TaskStatus::Done), ..TaskPatch::default() };
//! graph.apply(&Op::update(d, done).into())?;
//! assert_eq!(ready(&graph, w, None)?, vec![b]);
//! assert_eq!(rollup(&graph, w)?.done_fraction, 0.5);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod bundle;
mod containment;
mod error;
mod find;
mod rank;
mod ready;
mod related;
mod render;
mod rollup;
mod scope;
mod traverse;

pub use bundle::{ContainerBundle, DEFAULT_ACTIVITY, TaskBundle, container_bundle, task_bundle};
pub use containment::{Ancestor, Descendant, UPWARD, ancestors, descendants};
pub use error::QueryError;
pub use find::{Cursor, CursorError, Find, Page, Sort, find};
pub use rank::{RankOptions, Ranked, rank};
pub use ready::{Blocked, blocked, open_blockers, ready, ready_anywhere};
pub use related::{Direction, Link, related};
pub use render::{Format, render_bundle, render_container, render_ranking};
pub use rollup::{Rollup, rollup};
pub use scope::{Guidance, ScopeLevel};
pub use traverse::{Reached, Traversal, traverse};
