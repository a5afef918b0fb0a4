//! Appends records to the current segment and rolls to new segments.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::record;
use super::segment::{self, Header};
use crate::dir;
use crate::error::IoError;
use crate::storage::{Storage, WriteFile};

/// The log's write end. Owned by the commit path, behind the writer mutex.
#[derive(Debug)]
pub(crate) struct LogWriter {
    storage: Arc<dyn Storage>,
    dir: PathBuf,
    path: PathBuf,
    file: Box<dyn WriteFile>,
    salt: u32,
    first_seq: u64,
    len: u64,
    next_seq: u64,
    unsynced: bool,
    segment_max: u64,
    last_append_start: u64,
    frame: Vec<u8>,
}

impl LogWriter {
    /// Creates a fresh segment whose first record will be `next_seq`: the
    /// header is written and synced, and the directory synced, before the
    /// segment is used. O(1) I/O.
    pub(crate) fn create(
        storage: Arc<dyn Storage>,
        dir: &Path,
        next_seq: u64,
        segment_max: u64,
    ) -> Result<Self, IoError> {
        let path = dir.join(dir::segment_name(next_seq));
        let header = Header { salt: rand::random(), first_seq: next_seq };
        let mut file = storage.create(&path).map_err(|e| IoError::new("create", &path, e))?;
        file.write_all(&header.encode()).map_err(|e| IoError::new("write", &path, e))?;
        file.sync().map_err(|e| IoError::new("fsync", &path, e))?;
        storage.sync_dir(dir).map_err(|e| IoError::new("fsync directory", dir, e))?;
        Ok(Self {
            storage,
            dir: dir.to_path_buf(),
            path,
            file,
            salt: header.salt,
            first_seq: next_seq,
            len: segment::HEADER_LEN as u64,
            next_seq,
            unsynced: false,
            segment_max,
            last_append_start: segment::HEADER_LEN as u64,
            frame: Vec::new(),
        })
    }

    /// Continues an existing segment whose good part is `len` bytes long and
    /// whose next record is `next_seq` (recovery has cut anything after).
    pub(crate) fn resume(
        storage: Arc<dyn Storage>,
        dir: &Path,
        path: PathBuf,
        header: Header,
        len: u64,
        next_seq: u64,
        segment_max: u64,
    ) -> Result<Self, IoError> {
        let file = storage.append(&path).map_err(|e| IoError::new("open", &path, e))?;
        Ok(Self {
            storage,
            dir: dir.to_path_buf(),
            path,
            file,
            salt: header.salt,
            first_seq: header.first_seq,
            len,
            next_seq,
            // What recovery read may have been only in the OS cache (a
            // process crash under a lazy policy): never assume it durable.
            unsynced: true,
            segment_max,
            last_append_start: len,
            frame: Vec::new(),
        })
    }

    /// Sequence number the next record gets.
    pub(crate) fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// Appends one record per payload, numbered from `next_seq`, in one
    /// write; rolls to a new segment first if this one is full. Returns the
    /// first sequence number used. Not durable until [`LogWriter::sync`].
    /// On error, tries to cut the segment back to where this call started
    /// (so an unacknowledged record does not come back at reopen).
    pub(crate) fn append(&mut self, payloads: &[&[u8]]) -> Result<u64, IoError> {
        if self.len >= self.segment_max && self.next_seq > self.first_seq {
            self.roll()?;
        }
        let first = self.next_seq;
        self.last_append_start = self.len;
        self.frame.clear();
        for (i, payload) in payloads.iter().enumerate() {
            record::encode(&mut self.frame, self.salt, first + i as u64, payload);
        }
        if let Err(e) = self.file.write_all(&self.frame) {
            self.cut_back(self.len);
            return Err(IoError::new("write", &self.path, e));
        }
        self.len += self.frame.len() as u64;
        self.next_seq += payloads.len() as u64;
        self.unsynced = true;
        Ok(first)
    }

    /// Makes every appended record durable (`fdatasync`), if any is not.
    pub(crate) fn sync(&mut self) -> Result<(), IoError> {
        if self.unsynced {
            self.file.sync().map_err(|e| IoError::new("fsync", &self.path, e))?;
            self.unsynced = false;
        }
        Ok(())
    }

    /// After a failed sync of the records of the last [`LogWriter::append`],
    /// which were never acknowledged: best effort to cut them off, so a
    /// reopen does not bring them back.
    pub(crate) fn undo_last_append(&mut self) {
        self.cut_back(self.last_append_start);
    }

    fn cut_back(&mut self, len: u64) {
        if self.file.truncate(len).is_ok() && self.file.sync().is_ok() {
            self.len = len;
        }
    }

    /// Ends the current segment (synced) and starts a new one at
    /// `next_seq`, unless the current one holds no record yet.
    pub(crate) fn roll(&mut self) -> Result<(), IoError> {
        if self.next_seq == self.first_seq {
            return Ok(());
        }
        self.sync()?;
        *self = Self::create(Arc::clone(&self.storage), &self.dir, self.next_seq, self.segment_max)?;
        Ok(())
    }
}
