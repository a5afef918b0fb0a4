//! Helpers shared by test modules that work on a `MemStorage` directory.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use convoy_store::{MemStorage, Options, Storage};

/// The data directory every in-memory test uses.
pub(crate) const DIR: &str = "/data";

/// Options on `storage`, with background snapshots off.
pub(crate) fn options(storage: &MemStorage) -> Options {
    Options::new().storage(Arc::new(storage.clone())).snapshot_every(None, None)
}

/// Files of `DIR` whose names start with `prefix`, sorted.
pub(crate) fn files(storage: &MemStorage, prefix: &str) -> Vec<PathBuf> {
    let mut names: Vec<PathBuf> = storage
        .list(Path::new(DIR))
        .unwrap()
        .into_iter()
        .filter(|n| n.starts_with(prefix))
        .map(|n| Path::new(DIR).join(n))
        .collect();
    names.sort();
    names
}
