//! Query errors.

use convoy_core::EntityId;
use convoy_core::model::EntityKind;

/// Why a query could not run. Queries never change the graph.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum QueryError {
    /// The focus entity does not exist.
    #[error("no entity {id}")]
    NotFound {
        /// The id asked for.
        id: EntityId,
    },
    /// Even the smallest rendering (the focus alone) does not fit the
    /// character budget.
    #[error(
        "a budget of {budget} characters is too small: the smallest rendering (the focus, plus the note of what was left out) needs {needed}"
    )]
    BudgetTooSmall {
        /// The budget given.
        budget: usize,
        /// Characters the smallest rendering takes.
        needed: usize,
    },
    /// An option is out of its range (a prior or decay outside 0..=1 or not
    /// finite, a page size of 0, a cursor from another sort order).
    #[error("invalid option `{name}`: {reason}")]
    InvalidOption {
        /// The option.
        name: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The query does not take entities of this kind.
    #[error("this query does not take {kind}; it takes {expected}")]
    UnsupportedKind {
        /// The kind asked for.
        kind: EntityKind,
        /// What the query takes.
        expected: &'static str,
    },
    /// The focus entity exists but is of a kind this query does not take.
    #[error("{id} is a {kind}, but this query takes {expected}")]
    WrongKind {
        /// The id asked for.
        id: EntityId,
        /// Its kind.
        kind: EntityKind,
        /// What the query takes.
        expected: &'static str,
    },
}

/// The kind of `id`, or [`QueryError::NotFound`].
pub(crate) fn kind_of(graph: &convoy_core::Graph, id: EntityId) -> Result<EntityKind, QueryError> {
    graph.get(id).map(convoy_core::model::Entity::kind).ok_or(QueryError::NotFound { id })
}
