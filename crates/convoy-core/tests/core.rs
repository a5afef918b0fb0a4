//! Integration tests of convoy-core (one test binary; modules by topic).

#![expect(clippy::unwrap_used, clippy::expect_used, reason = "test helpers fail loudly on unexpected errors")]

mod core {
    pub(crate) mod cascade;
    pub(crate) mod claim;
    pub(crate) mod fixture;
    pub(crate) mod props;
    pub(crate) mod refusals;
}
