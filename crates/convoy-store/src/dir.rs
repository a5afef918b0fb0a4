//! The data directory's layout: which file is which.
//!
//! ```text
//! LOCK                           exclusive lock of the open handle
//! log-<first seq, 20 digits>.cvl  log segments
//! snap-<seq, 20 digits>.cvs       snapshots (state after record <seq>)
//! *.tmp                           a snapshot being written (removed at open)
//! ```

use std::path::{Path, PathBuf};

use crate::error::IoError;
use crate::storage::Storage;

pub(crate) const LOCK: &str = "LOCK";
const SEGMENT_PREFIX: &str = "log-";
const SEGMENT_SUFFIX: &str = ".cvl";
const SNAPSHOT_PREFIX: &str = "snap-";
const SNAPSHOT_SUFFIX: &str = ".cvs";
pub(crate) const TEMP_SUFFIX: &str = ".tmp";

pub(crate) fn segment_name(first_seq: u64) -> String {
    format!("{SEGMENT_PREFIX}{first_seq:020}{SEGMENT_SUFFIX}")
}

pub(crate) fn snapshot_name(seq: u64) -> String {
    format!("{SNAPSHOT_PREFIX}{seq:020}{SNAPSHOT_SUFFIX}")
}

fn number(name: &str, prefix: &str, suffix: &str) -> Option<u64> {
    let digits = name.strip_prefix(prefix)?.strip_suffix(suffix)?;
    (digits.len() == 20 && digits.bytes().all(|b| b.is_ascii_digit())).then(|| digits.parse().ok()).flatten()
}

/// The files of a data directory, each list ascending by sequence number.
#[derive(Clone, Debug, Default)]
pub(crate) struct Listing {
    pub(crate) segments: Vec<(u64, PathBuf)>,
    pub(crate) snapshots: Vec<(u64, PathBuf)>,
    pub(crate) temps: Vec<PathBuf>,
}

impl Listing {
    /// Lists `dir`; other files are left alone.
    pub(crate) fn read(storage: &dyn Storage, dir: &Path) -> Result<Self, IoError> {
        let names = storage.list(dir).map_err(|e| IoError::new("list", dir, e))?;
        let mut listing = Self::default();
        for name in names {
            let path = dir.join(&name);
            if let Some(seq) = number(&name, SEGMENT_PREFIX, SEGMENT_SUFFIX) {
                listing.segments.push((seq, path));
            } else if let Some(seq) = number(&name, SNAPSHOT_PREFIX, SNAPSHOT_SUFFIX) {
                listing.snapshots.push((seq, path));
            } else if name.ends_with(TEMP_SUFFIX) {
                listing.temps.push(path);
            }
        }
        listing.segments.sort_unstable();
        listing.snapshots.sort_unstable();
        Ok(listing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back() {
        assert_eq!(number(&segment_name(17), SEGMENT_PREFIX, SEGMENT_SUFFIX), Some(17));
        assert_eq!(number(&snapshot_name(u64::MAX), SNAPSHOT_PREFIX, SNAPSHOT_SUFFIX), Some(u64::MAX));
        assert_eq!(number("log-17.cvl", SEGMENT_PREFIX, SEGMENT_SUFFIX), None);
        assert_eq!(number("log-0000000000000000001x.cvl", SEGMENT_PREFIX, SEGMENT_SUFFIX), None);
    }
}
