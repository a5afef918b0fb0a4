//! Integration tests of convoy-core (one test binary; modules by topic).

mod core {
    pub(crate) mod cascade;
    pub(crate) mod fixture;
    pub(crate) mod props;
    pub(crate) mod refusals;
}
