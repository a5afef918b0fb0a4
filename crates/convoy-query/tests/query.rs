//! convoy-query's integration tests: one binary, one module per concern.

#![expect(clippy::unwrap_used, reason = "tests")]

#[path = "query/fixture.rs"]
mod fixture;
#[path = "query/parity.rs"]
mod parity;
#[path = "query/props.rs"]
mod props;
#[path = "query/rank_render.rs"]
mod rank_render;
#[path = "query/reference.rs"]
mod reference;
#[path = "query/regressions.rs"]
mod regressions;
#[path = "query/world.rs"]
mod world;
