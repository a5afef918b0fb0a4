//! The storage trait: every byte Convoy reads or writes goes through it, so
//! tests can fail any operation and simulate power loss ([`MemStorage`]),
//! while [`OsStorage`] is the real file system.
//!
//! The trait is deliberately small: whole-file reads (files are bounded by
//! the segment size or are snapshots read once at open), appends, `fsync`,
//! truncation, rename, remove, directory sync and an exclusive lock.

mod mem;
mod os;

use std::fmt;
use std::io;
use std::path::Path;

pub use mem::{Fault, FaultKind, MemStorage};
pub use os::OsStorage;

/// A file system as Convoy uses it. Implementations must be usable from
/// several threads at once.
pub trait Storage: Send + Sync + fmt::Debug {
    /// Creates a directory and its parents if missing.
    ///
    /// # Errors
    /// Whatever the file system reports.
    fn create_dir_all(&self, dir: &Path) -> io::Result<()>;

    /// Names of the entries of a directory (files only, any order).
    ///
    /// # Errors
    /// Whatever the file system reports.
    fn list(&self, dir: &Path) -> io::Result<Vec<String>>;

    /// The whole content of a file.
    ///
    /// # Errors
    /// Whatever the file system reports (`NotFound` for a missing file).
    fn read(&self, path: &Path) -> io::Result<Vec<u8>>;

    /// Creates a file, truncating it if it exists, and opens it for
    /// appending.
    ///
    /// # Errors
    /// Whatever the file system reports.
    fn create(&self, path: &Path) -> io::Result<Box<dyn WriteFile>>;

    /// Opens an existing file for appending at its end.
    ///
    /// # Errors
    /// Whatever the file system reports.
    fn append(&self, path: &Path) -> io::Result<Box<dyn WriteFile>>;

    /// Renames a file, replacing `to` if it exists.
    ///
    /// # Errors
    /// Whatever the file system reports.
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()>;

    /// Removes a file.
    ///
    /// # Errors
    /// Whatever the file system reports.
    fn remove(&self, path: &Path) -> io::Result<()>;

    /// Makes the directory's entries (creations, renames, removals) durable.
    ///
    /// # Errors
    /// Whatever the file system reports.
    fn sync_dir(&self, dir: &Path) -> io::Result<()>;

    /// Takes an exclusive lock on `path` (creating the file), held until the
    /// returned guard drops. A second lock on the same path, from this
    /// process or another, fails with [`io::ErrorKind::WouldBlock`].
    ///
    /// # Errors
    /// `WouldBlock` when the lock is held; otherwise what the file system
    /// reports.
    fn lock(&self, path: &Path) -> io::Result<Box<dyn LockGuard>>;

    /// Takes a shared lock on `path` (creating it): any number of shared
    /// holders, but none while someone holds it exclusively (and the
    /// other way round). Read-only opens use it. The default takes the
    /// exclusive lock, which is always safe, only stricter.
    ///
    /// # Errors
    /// `WouldBlock` if it is held exclusively; other I/O errors.
    fn lock_shared(&self, path: &Path) -> io::Result<Box<dyn LockGuard>> {
        self.lock(path)
    }
}

/// A file open for appending.
pub trait WriteFile: Send + fmt::Debug {
    /// Appends all of `buf`. On error, an unknown prefix of `buf` may have
    /// been written.
    ///
    /// # Errors
    /// Whatever the file system reports.
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()>;

    /// Makes everything written so far durable (`fdatasync`).
    ///
    /// # Errors
    /// Whatever the file system reports; after an error, nothing written
    /// since the last successful sync may be assumed durable.
    fn sync(&mut self) -> io::Result<()>;

    /// Cuts the file to `len` bytes; later appends go to the new end.
    ///
    /// # Errors
    /// Whatever the file system reports.
    fn truncate(&mut self, len: u64) -> io::Result<()>;
}

/// Holds a lock taken by [`Storage::lock`]; dropping it releases the lock.
pub trait LockGuard: Send + Sync + fmt::Debug {}
