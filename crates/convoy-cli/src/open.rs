//! Opening the data directory for a command.

use std::path::Path;

use convoy_store::{Db, Options, ReadOnly, open_read_only};

use crate::failure::Failure;
use crate::progress;

/// Whether `dir` holds a Convoy store (a lock file, a segment or a snapshot).
pub(crate) fn has_store(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.filter_map(Result::ok).any(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name == "LOCK" || name.ends_with(".cvl") || name.ends_with(".cvs")
        })
    })
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
