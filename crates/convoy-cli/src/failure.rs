//! A command's failure: a stable machine-readable code, a message naming
//! the bad id, row or line, and how it is printed.

use std::fmt;
use std::io::Write as _;

use convoy_query::QueryError;
use convoy_store::{CloseError, CommitError, OpenError, SnapshotError};

/// Why a command failed. `code` is stable (snake_case) for scripts and
/// agents; `message` is for people.
#[derive(Debug)]
pub(crate) struct Failure {
    code: &'static str,
    message: String,
    /// Whether `--json` prints it on stdout too (not for `apply`, whose
    /// stdout is the acknowledgement lines).
    on_stdout: bool,
    /// Structured detail for `--json` (`error.detail`), when there is more
    /// to say than the message.
    detail: Option<serde_json::Value>,
}

impl Failure {
    /// A failure with this code and message.
    pub(crate) fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), on_stdout: true, detail: None }
    }

    /// The same failure with structured detail for `--json`.
    pub(crate) fn with_detail(self, detail: serde_json::Value) -> Self {
        Self { detail: Some(detail), ..self }
    }

    /// The same failure, reported on stderr only.
    pub(crate) fn stderr_only(self) -> Self {
        Self { on_stdout: false, ..self }
    }

    /// A bad command-line value: `what` names the argument.
    pub(crate) fn bad_argument(what: &str, value: &str, why: impl fmt::Display) -> Self {
        Self::new("bad_argument", format!("{what} {value:?}: {why}"))
    }

    /// Prints the failure: as `{"error":{…}}` on stdout with `--json`, and
    /// always as one line on stderr.
    pub(crate) fn report(&self, json: bool) {
        if json && self.on_stdout {
            let mut doc = serde_json::json!({ "error": { "code": self.code, "message": self.message } });
            if let Some(detail) = &self.detail {
                doc["error"]["detail"] = detail.clone();
            }
            let _ = writeln!(std::io::stdout().lock(), "{doc}");
        }
        let _ = writeln!(std::io::stderr().lock(), "convoy: {} ({})", self.message, self.code);
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

impl From<OpenError> for Failure {
    fn from(e: OpenError) -> Self {
        let code = match &e {
            OpenError::Locked { .. } => "locked",
            OpenError::Io(_) => "io",
            OpenError::LogDamaged(_) | OpenError::SnapshotsDamaged { .. } | OpenError::Gap { .. } => "damaged",
            _ => "open_failed",
        };
        Self::new(code, e.to_string())
    }
}

impl From<CommitError> for Failure {
    fn from(e: CommitError) -> Self {
        let code = match &e {
            CommitError::Refused(_) => "refused",
            CommitError::TooLarge { .. } => "too_large",
            CommitError::Io(_) => "io",
            CommitError::Poisoned { .. } => "poisoned",
            _ => "commit_failed",
        };
        Self::new(code, e.to_string())
    }
}

impl From<SnapshotError> for Failure {
    fn from(e: SnapshotError) -> Self {
        Self::new("snapshot_failed", e.to_string())
    }
}

impl From<CloseError> for Failure {
    fn from(e: CloseError) -> Self {
        Self::new("close_failed", e.to_string())
    }
}

impl From<QueryError> for Failure {
    fn from(e: QueryError) -> Self {
        let code = match &e {
            QueryError::NotFound { .. } => "not_found",
            QueryError::WrongKind { .. } => "wrong_kind",
            QueryError::UnsupportedKind { .. } => "unsupported_kind",
            QueryError::InvalidOption { .. } => "invalid_option",
            QueryError::BudgetTooSmall { .. } => "budget_too_small",
            _ => "query_failed",
        };
        Self::new(code, e.to_string())
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Self::new("io", e.to_string())
    }
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Self::new("failed", format!("{e:#}"))
    }
}
