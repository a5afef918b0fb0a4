//! Why an import is refused: the document, its rows, the graph, or the
//! commit.

use std::fmt;
use std::path::PathBuf;

use convoy_core::BatchError;
use convoy_store::CommitError;
use serde::Serialize;

use crate::seeds::{Issue, batch_error_code};

/// Largest document import reads, in bytes (1 GiB): the document is parsed
/// whole, so its size bounds the memory import uses.
pub const MAX_DOCUMENT_BYTES: u64 = 1 << 30;

/// Why an import was refused. Nothing was written, except after
/// [`ImportError::Commit`] of a split import (see the module docs).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The document is larger than [`MAX_DOCUMENT_BYTES`].
    #[error("the document is {len} bytes, over the limit of {max}")]
    TooLarge {
        /// Its size.
        len: u64,
        /// The limit.
        max: u64,
    },
    /// The document is not JSON.
    #[error("not JSON: line {line}, column {column}: {message}")]
    Json {
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// The parser's complaint.
        message: String,
    },
    /// The document is JSON but not an object of tables.
    #[error("the document is {found}, not an object whose keys are table names")]
    NotAnObject {
        /// What it is instead.
        found: String,
    },
    /// Rows that cannot be imported: every one of them.
    #[error("{} bad row(s):\n{}", .0.len(), Lines(.0))]
    Rows(Vec<RowError>),
    /// The graph refused the import (a dependency cycle, a task's slice in
    /// another project, …), naming the row that caused it when known.
    #[error("{}refused: {error}", row.as_ref().map(|r| format!("{r}: ")).unwrap_or_default())]
    Refused {
        /// The row, when the refusal can be traced to one.
        row: Option<RowRef>,
        /// The graph's reason.
        error: BatchError,
    },
    /// A commit failed: batches `0..committed` of `batches` are durable,
    /// the rest are not.
    #[error("commit of batch {} of {batches} failed ({committed} committed): {error}", committed + 1)]
    Commit {
        /// Batches committed before the failure.
        committed: usize,
        /// Batches in the import.
        batches: usize,
        /// Why.
        error: CommitError,
    },
}

impl ImportError {
    /// A stable snake_case code for programs: `io`, `too_large`, `bad_json`,
    /// `not_an_object`, `bad_rows`, the graph's refusal code (`cycle`,
    /// `misplaced`, …; see [`crate::seeds::op_error_code`]) or
    /// `commit_failed`. O(1).
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Io { .. } => "io",
            Self::TooLarge { .. } => "too_large",
            Self::Json { .. } => "bad_json",
            Self::NotAnObject { .. } => "not_an_object",
            Self::Rows(_) => "bad_rows",
            Self::Refused { error, .. } => batch_error_code(error),
            Self::Commit { .. } => "commit_failed",
        }
    }

    /// The bad rows, for [`ImportError::Rows`]; empty otherwise. O(1).
    #[must_use]
    pub fn rows(&self) -> &[RowError] {
        match self {
            Self::Rows(rows) => rows,
            _ => &[],
        }
    }
}

/// A row of the document: its table and its position (from 0).
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct RowRef {
    /// The table, as the document names it.
    pub table: String,
    /// The row's position in the table's array.
    pub index: usize,
}

impl fmt::Display for RowRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]", self.table, self.index)
    }
}

/// One problem with one row (or with a whole table, when `index` is
/// `None`: an unknown table, a table that is not an array).
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct RowError {
    /// The table, as the document names it.
    pub table: String,
    /// The row's position in the table's array; `None` for the table itself.
    pub index: Option<usize>,
    /// The column at fault, when one is.
    pub column: Option<String>,
    /// Stable snake_case code (see [`Issue`]).
    pub code: &'static str,
    /// What is wrong, naming the offending value or id.
    pub reason: String,
}

impl RowError {
    pub(crate) fn new(table: &str, index: Option<usize>, issue: Issue) -> Self {
        Self { table: table.to_owned(), index, column: issue.column, code: issue.code, reason: issue.reason }
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.table)?;
        if let Some(i) = self.index {
            write!(f, "[{i}]")?;
        }
        if let Some(c) = &self.column {
            write!(f, ".{c}")?;
        }
        write!(f, ": {}", self.reason)
    }
}

struct Lines<'a>(&'a [RowError]);

impl fmt::Display for Lines<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, row) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "  {row}")?;
        }
        Ok(())
    }
}
