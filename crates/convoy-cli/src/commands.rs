//! One module per family of subcommands.

pub(crate) mod demo;
pub(crate) mod diagram;
pub(crate) mod entity;
pub(crate) mod maintain;
pub(crate) mod search;
pub(crate) mod transfer;
pub(crate) mod walk;
