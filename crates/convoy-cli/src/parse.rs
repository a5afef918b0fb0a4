//! Command-line values into Convoy's types, with errors that name the
//! argument and the value.

use convoy_core::model::{EntityKind, Priority, Status, TaskStatus};
use convoy_core::{EntityId, Relation, RelationType};
use convoy_query::Direction;

use crate::cli::DirectionArg;
use crate::failure::Failure;

/// An entity id (a UUID).
pub(crate) fn id(what: &str, value: &str) -> Result<EntityId, Failure> {
    value.trim().parse().map_err(|e| Failure::new("bad_id", format!("{what} {value:?} is not an entity id: {e}")))
}

/// An entity kind (`task`, `best_practice`, …; case-insensitive).
pub(crate) fn kind(value: &str) -> Result<EntityKind, Failure> {
    value.parse().map_err(|e| Failure::bad_argument("kind", value, e))
}

/// A relation: the short name (`blocks`) or the seeds' name (`task_blocks`).
pub(crate) fn relation(value: &str) -> Result<Relation, Failure> {
    value
        .parse::<Relation>()
        .or_else(|_| value.parse::<RelationType>().map(RelationType::relation))
        .map_err(|e| Failure::bad_argument("relation", value, e))
}

/// A direction.
pub(crate) const fn direction(arg: DirectionArg) -> Direction {
    match arg {
        DirectionArg::Out => Direction::Out,
        DirectionArg::In => Direction::In,
        DirectionArg::Both => Direction::Both,
    }
}

/// A task status (`TODO`, `in_progress`, …).
pub(crate) fn task_status(value: &str) -> Result<TaskStatus, Failure> {
    value.parse().map_err(|e| Failure::bad_argument("task status", value, e))
}

/// A container status (`ACTIVE`, `NOT_STARTED`, …).
pub(crate) fn status(value: &str) -> Result<Status, Failure> {
    value.parse().map_err(|e| Failure::bad_argument("status", value, e))
}

/// A priority, or `none` for unset.
pub(crate) fn priority(value: &str) -> Result<Option<Priority>, Failure> {
    if value.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    value.parse().map(Some).map_err(|e| Failure::bad_argument("priority", value, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relations_take_both_spellings() {
        assert_eq!(relation("blocks").unwrap(), Relation::Blocks);
        assert_eq!(relation("task_blocks").unwrap(), Relation::Blocks);
        assert_eq!(relation("task_blocked_by").unwrap(), Relation::BlockedBy);
        assert!(relation("blocks_everything").is_err());
    }

    #[test]
    fn bad_values_are_named() {
        let err = id("--project", "nope").unwrap_err().to_string();
        assert!(err.contains("--project") && err.contains("nope"), "{err}");
        assert!(kind("spaceship").unwrap_err().to_string().contains("spaceship"));
        assert_eq!(priority("NONE").unwrap(), None);
    }
}
