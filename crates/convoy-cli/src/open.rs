//! Opening the data directory for a command.

use std::path::Path;

use convoy_store::{Db, Options, ReadOnly, open_read_only};

use crate::failure::Failure;
use crate::progress;

/// Whether a file name is one a Convoy store writes.
pub(crate) fn is_convoy_file(name: &str) -> bool {
    name == "LOCK"
        || (name.starts_with("log-") && name.ends_with(".cvl"))
        || (name.starts_with("snap-") && (name.ends_with(".cvs") || name.ends_with(".cvs.tmp")))
}

/// Whether `dir` holds a Convoy store (any file a store writes).
pub(crate) fn has_store(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .is_ok_and(|entries| entries.filter_map(Result::ok).any(|e| is_convoy_file(&e.file_name().to_string_lossy())))
}

fn no_store(dir: &Path) -> Failure {
    Failure::new(
        "no_store",
        format!("no Convoy store in {} (run `convoy demo` or `convoy import`, or pass --data-dir)", dir.display()),
    )
}

/// Loads the store in `dir` to read: a shared lock, so any number of
/// readers run at once; nothing on disk changes. The store must exist.
pub(crate) fn read_only(dir: &Path) -> Result<ReadOnly, Failure> {
    if !has_store(dir) {
        return Err(no_store(dir));
    }
    let spinner = progress::spinner(&format!("loading {}", dir.display()));
    let store = open_read_only(dir, &Options::new());
    spinner.finish_and_clear();
    Ok(store?)
}

/// Opens the existing store in `dir` to write (optionally repairing);
/// shows a spinner while recovery runs.
pub(crate) fn existing(dir: &Path, repair: bool) -> Result<Db, Failure> {
    if !has_store(dir) {
        return Err(no_store(dir));
    }
    let spinner = progress::spinner(&format!("recovering {}", dir.display()));
    let db = Db::open(dir, Options::new().repair(repair));
    spinner.finish_and_clear();
    Ok(db?)
}

/// Opens (creating if needed) the store in `dir`, for commands that write.
pub(crate) fn or_create(dir: &Path) -> Result<Db, Failure> {
    let spinner = progress::spinner(&format!("opening {}", dir.display()));
    let db = Db::open(dir, Options::new());
    spinner.finish_and_clear();
    Ok(db?)
}
