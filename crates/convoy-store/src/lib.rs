//! # convoy-store
//!
//! Convoy's durable store: every commit is a checksummed record in an
//! append-only log before it is applied in memory; snapshots (bincode,
//! written atomically) bound recovery time; recovery cuts only a torn tail
//! and refuses, naming file, offset and sequence number, anything else.
//!
//! ```
//! use convoy_core::model::{Task, Project, Workspace};
//! use convoy_core::{Batch, Op, Relation};
//! use convoy_store::{Db, Options};
//!
//! let dir = tempfile::tempdir()?;
//! let db = Db::open(dir.path(), Options::new())?;
//! let ws = Op::create(Workspace::new("Acme")?);
//! let project = Op::create(Project::new("Convoy")?);
//! let link = Op::link(ws.subject(), Relation::Contains, project.subject());
//! let seq = db.commit(Batch::from(vec![ws, project, link]))?;
//! assert_eq!(seq, 1);
//! db.snapshot()?;
//! db.close()?;
//!
//! let db = Db::open(dir.path(), Options::new())?;
//! assert_eq!(db.read().entity_count(), 2);
//! assert_eq!(db.recovery_report().snapshot, Some(1));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! All file access goes through [`Storage`]: [`OsStorage`] in production,
//! [`MemStorage`] in tests to fail operations and simulate power loss.
//! ARCHITECTURE.md has the byte layouts and the recovery rules.

mod background;
mod codec;
mod db;
mod dir;
mod error;
#[doc(hidden)]
pub mod fuzzing;
mod log;
mod options;
mod read_only;
mod recovery;
mod snapshot;
pub mod storage;
mod verify;

pub use db::{Db, SnapshotInfo, Stats};
pub use error::{CloseError, CommitError, Damage, DamageAt, Error, IoError, OpenError, SnapshotError};
pub use log::record::MAX_RECORD_LEN;
pub use options::{FsyncPolicy, Options};
pub use read_only::{ReadOnly, open_read_only};
pub use recovery::{Cut, RecoveryReport};
pub use storage::{MemStorage, OsStorage, Storage};
pub use verify::{Fault, FileCheck, FileKind, Verification, verify};
