//! What is wrong with one cell or one row, with a stable code; and the
//! stable codes of the graph's refusals.

use std::fmt;

use convoy_core::{BatchError, OpError};
use serde::Serialize;

/// Longest piece of input quoted in a message, in characters.
const QUOTE_CHARS: usize = 64;

/// One problem with a row (or an `apply` op): which column, what is wrong,
/// and a stable snake_case code for programs.
///
/// Codes: `unknown_table`, `unknown_column`, `missing_column`, `bad_value`,
/// `not_supported` (a seeds column Convoy has no place for, given a
/// value), `not_found` (a reference to no entity), `wrong_kind`,
/// `duplicate_id`, `duplicate_row`, `contradiction` (a relationships row
/// that disagrees with a foreign-key column or another row), `bad_op`
/// (an `apply` op of unknown shape).
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct Issue {
    /// Stable code.
    pub code: &'static str,
    /// The column (or op key) at fault, when one is.
    pub column: Option<String>,
    /// What is wrong, naming the offending value or id.
    pub reason: String,
}

impl Issue {
    /// An issue with `column`. O(len).
    pub(crate) fn at(code: &'static str, column: impl Into<String>, reason: impl Into<String>) -> Self {
        Self { code, column: Some(column.into()), reason: reason.into() }
    }

    /// An issue with the row as a whole. O(len).
    pub(crate) fn row(code: &'static str, reason: impl Into<String>) -> Self {
        Self { code, column: None, reason: reason.into() }
    }
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(column) => write!(f, "column `{column}`: {}", self.reason),
            None => f.write_str(&self.reason),
        }
    }
}

/// Shortens input text for quoting in a message. O(len).
pub(crate) fn clip(s: &str) -> String {
    if s.chars().count() <= QUOTE_CHARS {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(QUOTE_CHARS).collect();
        out.push('…');
        out
    }
}

/// A short description of a JSON value for messages: its type, and the
/// value itself when short. O(size) at worst, for the type test.
pub(crate) fn describe(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("{b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {:?}", clip(s)),
        Value::Array(a) => format!("an array of {} items", a.len()),
        Value::Object(o) => format!("an object with {} keys", o.len()),
    }
}

/// The stable snake_case code of a graph refusal. O(1).
///
/// `not_found`, `wrong_kind`, `duplicate_id`, `duplicate_edge`,
/// `no_such_edge`, `self_loop`, `kinds_not_allowed`, `slot_taken`,
/// `cycle`, `no_workflow`, `unknown_stage`, `duplicate_activity`,
/// `not_open`, `not_ready`, `already_claimed`, `cannot_move`,
/// `missing_parent`, `misplaced`, `bad_value`; `refused` for anything
/// newer.
#[must_use]
pub fn op_error_code(error: &OpError) -> &'static str {
    match error {
        OpError::UnknownEntity { .. } => "not_found",
        OpError::WrongKind { .. } | OpError::PatchKind { .. } => "wrong_kind",
        OpError::DuplicateEntity { .. } => "duplicate_id",
        OpError::DuplicateEdge { .. } => "duplicate_edge",
        OpError::UnknownEdge { .. } => "no_such_edge",
        OpError::SelfLoop { .. } => "self_loop",
        OpError::KindsNotAllowed { .. } => "kinds_not_allowed",
        OpError::SlotTaken { .. } => "slot_taken",
        OpError::BlocksCycle { .. } | OpError::SubtaskCycle { .. } => "cycle",
        OpError::NoWorkflow { .. } => "no_workflow",
        OpError::StageNotInWorkflow { .. } => "unknown_stage",
        OpError::DuplicateActivity { .. } => "duplicate_activity",
        OpError::NotOpen { .. } => "not_open",
        OpError::NotReady { .. } => "not_ready",
        OpError::AlreadyClaimed { .. } => "already_claimed",
        OpError::CannotMove { .. } => "cannot_move",
        OpError::MissingParent { .. } => "missing_parent",
        OpError::Misplaced { .. } => "misplaced",
        OpError::Field(_) => "bad_value",
        _ => "refused",
    }
}

/// The stable code of a refused batch: its op error's code, or
/// `too_large`. O(1).
#[must_use]
pub fn batch_error_code(error: &BatchError) -> &'static str {
    match error.op_error() {
        Some(e) => op_error_code(e),
        None => "too_large",
    }
}

#[cfg(test)]
mod tests {
    use convoy_core::EntityId;

    use super::*;

    #[test]
    fn issues_display_their_column() {
        let issue = Issue::at("bad_value", "title", "field `title` is empty");
        assert_eq!(issue.to_string(), "column `title`: field `title` is empty");
        assert_eq!(Issue::row("duplicate_row", "twice").to_string(), "twice");
    }

    #[test]
    fn long_values_are_clipped_in_messages() {
        let long = "x".repeat(500);
        let text = describe(&serde_json::Value::String(long));
        assert!(text.len() < 100 && text.ends_with("…\""), "{text}");
        assert_eq!(describe(&serde_json::json!([1, 2])), "an array of 2 items");
    }

    #[test]
    fn graph_refusals_have_specific_codes() {
        let id = EntityId::random();
        assert_eq!(op_error_code(&OpError::UnknownEntity { id }), "not_found");
        assert_eq!(op_error_code(&OpError::BlocksCycle { cycle: vec![id, id] }), "cycle");
        assert_eq!(op_error_code(&OpError::NotReady { task: id, blockers: vec![] }), "not_ready");
        assert_eq!(batch_error_code(&BatchError::TooLarge { count: 2, max: 1 }), "too_large");
        let closing = BatchError::Closing(OpError::NoWorkflow { task: id });
        assert_eq!(batch_error_code(&closing), "no_workflow");
    }
}
