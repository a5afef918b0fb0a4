//! Why one `apply` line is refused.

use std::fmt;

use convoy_core::BatchError;
use convoy_store::CommitError;
use serde::Serialize;

use crate::seeds::batch_error_code;

/// Longest input line, in bytes (16 MiB).
pub const MAX_LINE_BYTES: usize = 16 << 20;

/// Why one line was refused. The line changed nothing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LineError {
    /// The line is longer than [`MAX_LINE_BYTES`].
    #[error("the line is over {max} bytes")]
    TooLong {
        /// The limit.
        max: usize,
    },
    /// The line is not UTF-8.
    #[error("the line is not UTF-8")]
    NotUtf8,
    /// The line is not JSON.
    #[error("not JSON at column {column}: {message}")]
    Json {
        /// 1-based column of the error.
        column: usize,
        /// The parser's complaint.
        message: String,
    },
    /// The line is JSON, but neither an op object nor an array of them.
    #[error("a line is an op object or an array of op objects, not {found}")]
    NotAnOp {
        /// What it is.
        found: String,
    },
    /// An empty array.
    #[error("the line holds no op")]
    Empty,
    /// More ops than one batch may carry.
    #[error("{count} ops on one line, over the limit of {max}")]
    TooManyOps {
        /// Ops on the line.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// Ops that cannot be read: every problem of every op.
    #[error("{}", Issues(.0))]
    Invalid(Vec<OpIssue>),
    /// The graph refused the batch (the op index is the line's).
    #[error("refused: {0}")]
    Refused(BatchError),
    /// The store could not commit the batch.
    #[error("not committed: {0}")]
    Commit(CommitError),
}

impl LineError {
    /// A stable snake_case code: `line_too_long`, `bad_utf8`, `bad_json`,
    /// `bad_op`, `too_large`, the first problem's code for an invalid op
    /// (`unknown_table`, `unknown_column`, `unknown_key`, `missing_column`,
    /// `bad_value`, `not_found`, `wrong_kind`, …), the graph's refusal code
    /// (`not_ready`, `already_claimed`, `cycle`, `duplicate_id`, …; see
    /// [`crate::seeds::op_error_code`]) or `commit_failed`. O(1).
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooLong { .. } => "line_too_long",
            Self::NotUtf8 => "bad_utf8",
            Self::Json { .. } => "bad_json",
            Self::NotAnOp { .. } | Self::Empty => "bad_op",
            Self::TooManyOps { .. } => "too_large",
            Self::Invalid(issues) => issues.first().map_or("bad_op", |i| i.code),
            Self::Refused(error) => batch_error_code(error),
            Self::Commit(_) => "commit_failed",
        }
    }
}

/// One problem with one op of a line.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct OpIssue {
    /// The op's position on the line (0 for a single op object).
    pub op: usize,
    /// Stable snake_case code.
    pub code: &'static str,
    /// The key or column at fault, when one is.
    pub column: Option<String>,
    /// What is wrong, naming the offending value or id.
    pub reason: String,
}

impl fmt::Display for OpIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "op {}", self.op)?;
        if let Some(c) = &self.column {
            write!(f, ", `{c}`")?;
        }
        write!(f, ": {}", self.reason)
    }
}

struct Issues<'a>(&'a [OpIssue]);

impl fmt::Display for Issues<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, issue) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{issue}")?;
        }
        Ok(())
    }
}
