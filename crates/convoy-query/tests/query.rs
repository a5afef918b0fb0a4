//! convoy-query's integration tests: one binary, one module per concern.

#![expect(clippy::unwrap_used, reason = "tests")]

#[path = "query/props.rs"]
mod props;
#[path = "query/reference.rs"]
mod reference;
#[path = "query/world.rs"]
mod world;
