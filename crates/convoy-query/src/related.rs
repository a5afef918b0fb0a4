//! One hop: the seeds' `findRelatedEntities` (edges leaving an entity) and
//! `findReferencingEntities` (edges arriving at it).

use convoy_core::model::EntityKind;
use convoy_core::{EntityId, Graph, Relation};

use crate::error::{QueryError, kind_of};

/// Which way edges are followed from the focus.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum Direction {
    /// Edges `focus -[relation]-> other`.
    #[default]
    Out,
    /// Edges `other -[relation]-> focus`.
    In,
    /// Both.
    Both,
}

/// One neighbour of the focus.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct Link {
    /// The other entity.
    pub id: EntityId,
    /// Its kind.
    pub kind: EntityKind,
    /// The relation as read from the edge's source: `focus -[relation]-> id`
    /// for [`Direction::Out`], `id -[relation]-> focus` for [`Direction::In`].
    pub relation: Relation,
    /// Which way the edge points relative to the focus (never `Both`).
    pub direction: Direction,
    /// The edge's weight.
    pub weight: f64,
}

/// Neighbours of `id` over edges of `relation` (any if `None`) whose other
/// end is of `kind` (any if `None`), in `direction`. Every relationship is
/// stored in both directions, so an incoming `r` edge is the outgoing
/// `r.inverse()` one. Ordered by direction (out first), relation, then id.
/// O(d log d) for the focus's degree d.
///
/// # Errors
/// [`QueryError::NotFound`] for an unknown id.
pub fn related(
    graph: &Graph,
    id: EntityId,
    relation: Option<Relation>,
    kind: Option<EntityKind>,
    direction: Direction,
) -> Result<Vec<Link>, QueryError> {
    kind_of(graph, id)?;
    let mut out: Vec<Link> = graph
        .edges_unordered(id)
        .flat_map(|e| {
            let other = e.target();
            let weight = e.data().weight.get();
            let out =
                Link { id: other, kind: EntityKind::Task, relation: e.relation(), direction: Direction::Out, weight };
            let inn = Link { relation: e.relation().inverse(), direction: Direction::In, ..out };
            let wanted = |l: &Link| {
                relation.is_none_or(|r| r == l.relation)
                    && match direction {
                        Direction::Both => true,
                        d => d == l.direction,
                    }
            };
            [out, inn].into_iter().filter(wanted)
        })
        .filter_map(|mut l| {
            l.kind = graph.get(l.id)?.kind();
            kind.is_none_or(|k| k == l.kind).then_some(l)
        })
        .collect();
    out.sort_unstable_by_key(|l| (l.direction != Direction::Out, l.relation, l.id));
    Ok(out)
}
