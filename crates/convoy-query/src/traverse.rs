//! Multi-hop traversal over chosen relations, with distances and paths.

use std::collections::{HashMap, VecDeque};

use convoy_core::model::EntityKind;
use convoy_core::{EntityId, Graph, Relation};

use crate::error::{QueryError, kind_of};
use crate::related::Direction;

/// What to follow and what to return.
#[derive(Clone, Debug)]
pub struct Traversal {
    /// Relations to follow (as read from the edge's source).
    pub relations: Vec<Relation>,
    /// Follow them forward, backward, or both ways.
    pub direction: Direction,
    /// Most hops from the focus.
    pub max_hops: u32,
    /// Return only entities of this kind (the walk goes through any kind).
    pub kind: Option<EntityKind>,
    /// Return at most this many (the nearest, in result order).
    pub limit: Option<usize>,
}

/// One entity reached.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Reached {
    /// The entity.
    pub id: EntityId,
    /// Its kind.
    pub kind: EntityKind,
    /// Hops from the focus.
    pub distance: u32,
    /// One shortest path, focus first, this entity last: the first found
    /// when each entity's neighbours are visited by (relation, id).
    pub path: Vec<EntityId>,
}

/// Breadth-first from `id` over the chosen relations, up to `max_hops`.
/// The focus itself is not returned. Ordered by distance, then id.
/// O(edges of the entities within `max_hops - 1` hops), plus sorting each
/// visited entity's edges.
///
/// # Errors
/// [`QueryError::NotFound`] for an unknown id.
pub fn traverse(graph: &Graph, id: EntityId, query: &Traversal) -> Result<Vec<Reached>, QueryError> {
    kind_of(graph, id)?;
    let follows = |r: Relation| match query.direction {
        Direction::Out => query.relations.contains(&r),
        Direction::In => query.relations.contains(&r.inverse()),
        Direction::Both => query.relations.contains(&r) || query.relations.contains(&r.inverse()),
    };
    // Parent pointers: each reached entity's predecessor on its path.
    let mut parent: HashMap<EntityId, (EntityId, u32)> = HashMap::from([(id, (id, 0))]);
    let mut queue = VecDeque::from([id]);
    let mut order = Vec::new();
    while let Some(at) = queue.pop_front() {
        let distance = parent.get(&at).map_or(0, |p| p.1);
        if distance >= query.max_hops {
            continue;
        }
        // Only the followed edges, in (relation, id) order: the targets of
        // the others are never read.
        let mut followed: Vec<(Relation, EntityId)> =
            graph.edges_unordered(at).filter(|e| follows(e.relation())).map(|e| (e.relation(), e.target())).collect();
        followed.sort_unstable();
        for (_, next) in followed {
            if let std::collections::hash_map::Entry::Vacant(slot) = parent.entry(next) {
                slot.insert((at, distance + 1));
                queue.push_back(next);
                order.push(next);
            }
        }
    }
    let mut out: Vec<Reached> = order
        .into_iter()
        .filter_map(|reached| {
            let kind = graph.get(reached)?.kind();
            if query.kind.is_some_and(|k| k != kind) {
                return None;
            }
            let distance = parent.get(&reached)?.1;
            let mut path = vec![reached];
            let mut at = reached;
            while at != id {
                at = parent.get(&at)?.0;
                path.push(at);
            }
            path.reverse();
            Some(Reached { id: reached, kind, distance, path })
        })
        .collect();
    out.sort_unstable_by_key(|r| (r.distance, r.id));
    if let Some(limit) = query.limit {
        out.truncate(limit);
    }
    Ok(out)
}
