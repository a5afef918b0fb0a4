//! # convoy-workload
//!
//! A deterministic generator of realistic project data, by task count and
//! seed: the shape the benchmark issue specifies, used by benches, tests
//! and (later) `convoy demo`.
//!
//! ```
//! let data = convoy_workload::generate(2_000, 7)?;
//! let mut graph = convoy_core::Graph::new();
//! for batch in &data.batches {
//!     graph.apply(batch)?;
//! }
//! assert_eq!(graph.ids_of_kind(convoy_core::model::EntityKind::Task).len(), 2_000);
//! graph.check_invariants()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod generate;
mod words;

pub use generate::{Dataset, generate};
