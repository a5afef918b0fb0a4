//! The operation log: segments of framed, checksummed records.

pub(crate) mod record;
pub(crate) mod segment;
pub(crate) mod writer;
