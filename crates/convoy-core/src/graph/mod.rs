//! The graph: a petgraph [`StableGraph`](petgraph::stable_graph::StableGraph)
//! behind [`Graph`], the one type that can change it.
//!
//! - `read`: the type and its read API;
//! - `primitive`: raw mutations that keep ids, uplinks and indexes exact;
//! - `txn`: journaled mutations and rollback;
//! - `apply`: ops and batches; `cascade`: delete; `closing`: end-of-batch
//!   rules; `cycle`: cycle search;
//! - `invariants`: the full check; `state`: the canonical state.

mod apply;
mod cascade;
mod closing;
mod cycle;
mod index;
mod invariants;
mod node;
mod primitive;
mod read;
mod state;
mod txn;

pub use read::{EdgeRef, Graph};
pub use state::{EdgeRecord, Feed, State};
