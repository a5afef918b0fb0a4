//! An in-memory file system that remembers what is durable, fails chosen
//! operations on demand, and simulates power loss.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parking_lot::Mutex;
use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};

use super::{LockGuard, Storage, WriteFile};

/// A storage operation that a [`Fault`] can fail.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum FaultKind {
    /// [`WriteFile::write_all`]; a failing write leaves the first half of its
    /// bytes in the file, as a short write would.
    Write,
    /// [`WriteFile::sync`].
    Sync,
    /// [`Storage::rename`].
    Rename,
    /// [`Storage::sync_dir`].
    SyncDir,
    /// [`Storage::create`].
    Create,
    /// [`WriteFile::truncate`].
    Truncate,
}

impl FaultKind {
    /// Every kind, for tests that try each.
    pub const ALL: [Self; 6] = [Self::Write, Self::Sync, Self::Rename, Self::SyncDir, Self::Create, Self::Truncate];

    const fn slot(self) -> usize {
        self as usize
    }
}

/// Fails the `nth` operation of a kind (counted from 1 since the fault was
/// set), and with `forever` every later one too, with OS error `errno`
/// (`libc`'s `EIO` is 5, `ENOSPC` 28).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Fault {
    /// Which operation.
    pub kind: FaultKind,
    /// Which occurrence, from 1.
    pub nth: u64,
    /// Whether every later occurrence fails too.
    pub forever: bool,
    /// The error number returned.
    pub errno: i32,
}

/// [`Storage`] in memory, for tests and fuzzing. Clones share one file
/// system. Each file keeps its durable image (as of its last successful
/// sync) beside its current content; the directory keeps its durable
/// entries (as of the last `sync_dir`) beside its current ones.
#[derive(Clone, Debug, Default)]
pub struct MemStorage {
    fs: Arc<Mutex<Fs>>,
}

#[derive(Debug, Default)]
struct Fs {
    inodes: Vec<Inode>,
    names: BTreeMap<PathBuf, usize>,
    durable_names: BTreeMap<PathBuf, usize>,
    dir_log: Vec<DirOp>,
    locks: BTreeSet<PathBuf>,
    fault: Option<Fault>,
    counts: [u64; FaultKind::ALL.len()],
}

#[derive(Clone, Debug)]
enum DirOp {
    Set(PathBuf, usize),
    Remove(PathBuf),
}

#[derive(Clone, Debug, Default)]
struct Inode {
    data: Vec<u8>,
    synced: Vec<u8>,
    pending: Vec<Change>,
}

#[derive(Clone, Debug)]
enum Change {
    Write { offset: usize, bytes: Vec<u8> },
    Truncate(usize),
}

impl Change {
    fn apply(&self, data: &mut Vec<u8>) {
        match self {
            Self::Write { offset, bytes } => {
                let end = offset + bytes.len();
                if data.len() < end {
                    data.resize(end, 0);
                }
                data[*offset..end].copy_from_slice(bytes);
            }
            Self::Truncate(len) => data.resize(*len, 0),
        }
    }
}

impl Fs {
    /// Counts an operation and says whether the fault plan fails it.
    fn check(&mut self, kind: FaultKind) -> io::Result<()> {
        let count = &mut self.counts[kind.slot()];
        *count += 1;
        match self.fault {
            Some(f) if f.kind == kind && (*count == f.nth || (f.forever && *count > f.nth)) => {
                Err(io::Error::from_raw_os_error(f.errno))
            }
            _ => Ok(()),
        }
    }

    fn inode(&self, path: &Path) -> io::Result<usize> {
        self.names.get(path).copied().ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, path.display().to_string()))
    }

    fn new_inode(&mut self, path: &Path) -> usize {
        self.inodes.push(Inode::default());
        let ino = self.inodes.len() - 1;
        self.names.insert(path.to_path_buf(), ino);
        self.dir_log.push(DirOp::Set(path.to_path_buf(), ino));
        ino
    }
}

impl MemStorage {
    /// An empty file system.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets (or with `None` clears) the fault plan and restarts the
    /// operation counts.
    pub fn set_fault(&self, fault: Option<Fault>) {
        let mut fs = self.fs.lock();
        fs.fault = fault;
        fs.counts = [0; FaultKind::ALL.len()];
    }

    /// How many operations of a kind ran (failed ones included) since the
    /// fault plan was last set.
    #[must_use]
    pub fn count(&self, kind: FaultKind) -> u64 {
        self.fs.lock().counts[kind.slot()]
    }

    /// The file system a power loss would leave now: each file's durable
    /// image plus a random subset (chosen by `seed`) of its unsynced writes
    /// and truncations, in order, with holes read as zeros; the directory's
    /// durable entries plus a random prefix of its unsynced changes. Locks
    /// are released and the fault plan cleared. The result shares nothing
    /// with `self`.
    #[must_use]
    pub fn power_loss(&self, seed: u64) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let fs = self.fs.lock();
        let mut names = fs.durable_names.clone();
        let kept = rng.random_range(0..=fs.dir_log.len());
        for op in &fs.dir_log[..kept] {
            match op {
                DirOp::Set(path, ino) => names.insert(path.clone(), *ino),
                DirOp::Remove(path) => names.remove(path),
            };
        }
        let inodes = fs
            .inodes
            .iter()
            .map(|inode| {
                let mut data = inode.synced.clone();
                for change in &inode.pending {
                    if rng.random_bool(0.5) {
                        change.apply(&mut data);
                    }
                }
                Inode { synced: data.clone(), data, pending: Vec::new() }
            })
            .collect();
        let fresh = Fs { inodes, durable_names: names.clone(), names, ..Fs::default() };
        Self { fs: Arc::new(Mutex::new(fresh)) }
    }

    /// The file system a crash of the process (not of the machine) would
    /// leave now: everything written, with what is durable and what is not
    /// exactly as here, but no locks and no fault plan. The result shares
    /// nothing with `self`, so a handle still open on `self` cannot touch it.
    #[must_use]
    pub fn process_crash(&self) -> Self {
        let fs = self.fs.lock();
        let copy = Fs {
            inodes: fs.inodes.clone(),
            names: fs.names.clone(),
            durable_names: fs.durable_names.clone(),
            dir_log: fs.dir_log.clone(),
            ..Fs::default()
        };
        Self { fs: Arc::new(Mutex::new(copy)) }
    }

    /// The current content of a file, if it exists.
    #[must_use]
    pub fn contents(&self, path: &Path) -> Option<Vec<u8>> {
        let fs = self.fs.lock();
        fs.names.get(path).map(|&ino| fs.inodes[ino].data.clone())
    }

    /// Replaces a file's content, durably, creating it if needed (tests use
    /// it to damage files).
    pub fn put(&self, path: &Path, bytes: Vec<u8>) {
        let mut fs = self.fs.lock();
        let ino = match fs.names.get(path) {
            Some(&ino) => ino,
            None => {
                let ino = fs.new_inode(path);
                fs.durable_names.insert(path.to_path_buf(), ino);
                ino
            }
        };
        fs.inodes[ino] = Inode { synced: bytes.clone(), data: bytes, pending: Vec::new() };
    }
}

#[derive(Debug)]
struct MemFile {
    fs: Arc<Mutex<Fs>>,
    ino: usize,
}

#[derive(Debug)]
struct MemLock {
    fs: Arc<Mutex<Fs>>,
    path: PathBuf,
}

impl LockGuard for MemLock {}

impl Drop for MemLock {
    fn drop(&mut self) {
        self.fs.lock().locks.remove(&self.path);
    }
}

impl WriteFile for MemFile {
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        let mut fs = self.fs.lock();
        let result = fs.check(FaultKind::Write);
        let written = if result.is_ok() { buf } else { &buf[..buf.len() / 2] };
        let inode = &mut fs.inodes[self.ino];
        let change = Change::Write { offset: inode.data.len(), bytes: written.to_vec() };
        change.apply(&mut inode.data);
        inode.pending.push(change);
        result
    }

    fn sync(&mut self) -> io::Result<()> {
        let mut fs = self.fs.lock();
        fs.check(FaultKind::Sync)?;
        let inode = &mut fs.inodes[self.ino];
        inode.synced.clone_from(&inode.data);
        inode.pending.clear();
        Ok(())
    }

    fn truncate(&mut self, len: u64) -> io::Result<()> {
        let mut fs = self.fs.lock();
        fs.check(FaultKind::Truncate)?;
        let len = usize::try_from(len).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
        let inode = &mut fs.inodes[self.ino];
        let change = Change::Truncate(len);
        change.apply(&mut inode.data);
        inode.pending.push(change);
        Ok(())
    }
}

impl Storage for MemStorage {
    fn create_dir_all(&self, _dir: &Path) -> io::Result<()> {
        Ok(())
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<String>> {
        let fs = self.fs.lock();
        Ok(fs
            .names
            .keys()
            .filter(|p| p.parent() == Some(dir))
            .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect())
    }

    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        let fs = self.fs.lock();
        let ino = fs.inode(path)?;
        Ok(fs.inodes[ino].data.clone())
    }

    fn create(&self, path: &Path) -> io::Result<Box<dyn WriteFile>> {
        let mut fs = self.fs.lock();
        fs.check(FaultKind::Create)?;
        let ino = fs.new_inode(path);
        Ok(Box::new(MemFile { fs: Arc::clone(&self.fs), ino }))
    }

    fn append(&self, path: &Path) -> io::Result<Box<dyn WriteFile>> {
        let ino = self.fs.lock().inode(path)?;
        Ok(Box::new(MemFile { fs: Arc::clone(&self.fs), ino }))
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        let mut fs = self.fs.lock();
        fs.check(FaultKind::Rename)?;
        let ino = fs.inode(from)?;
        fs.names.remove(from);
        fs.names.insert(to.to_path_buf(), ino);
        fs.dir_log.push(DirOp::Remove(from.to_path_buf()));
        fs.dir_log.push(DirOp::Set(to.to_path_buf(), ino));
        Ok(())
    }

    fn remove(&self, path: &Path) -> io::Result<()> {
        let mut fs = self.fs.lock();
        fs.inode(path)?;
        fs.names.remove(path);
        fs.dir_log.push(DirOp::Remove(path.to_path_buf()));
        Ok(())
    }

    fn sync_dir(&self, _dir: &Path) -> io::Result<()> {
        let mut fs = self.fs.lock();
        fs.check(FaultKind::SyncDir)?;
        fs.durable_names = fs.names.clone();
        fs.dir_log.clear();
        Ok(())
    }

    fn lock(&self, path: &Path) -> io::Result<Box<dyn LockGuard>> {
        let mut fs = self.fs.lock();
        if !fs.locks.insert(path.to_path_buf()) {
            return Err(io::Error::from(io::ErrorKind::WouldBlock));
        }
        Ok(Box::new(MemLock { fs: Arc::clone(&self.fs), path: path.to_path_buf() }))
    }
}
