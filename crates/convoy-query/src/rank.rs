//! Weighted context ranking: the entities around a focus that matter most,
//! each with the path that earned its score.
//!
//! **Formula.** A path `focus = x0 → x1 → … → xh` over edges `e1 … eh`
//! scores
//!
//! ```text
//! score(path) = Π_i ( weight(e_i) × prior(relation(e_i)) ) × decay^(h − 1)
//! ```
//!
//! where `weight` is the edge's stored weight (0..=1), `prior` the
//! relation's prior as traversed from `x(i-1)` (see [`RankOptions::priors`]),
//! and `decay` the per-extra-hop factor. An entity's score is the best
//! score of any path to it of at most `max_hops` edges; ties between paths
//! go to the one found first when entities are expanded in id order and
//! their edges in (relation, id) order. Results are ordered by score
//! (highest first), then hops (fewest first), then id.

use std::collections::BTreeMap;

use convoy_core::model::{EntityKind, TaskStatus};
use convoy_core::{EntityId, Graph, Relation};

use crate::error::{QueryError, kind_of};

/// Ranking options; start from `RankOptions::default()` and override with
/// struct update syntax.
#[derive(Clone, Debug)]
pub struct RankOptions {
    /// How many results.
    pub top: usize,
    /// Longest path considered.
    pub max_hops: u32,
    /// Factor per hop after the first.
    pub decay: f64,
    /// Prior of each relation as traversed; relations absent are not
    /// followed.
    pub priors: BTreeMap<Relation, f64>,
    /// Whether `DONE` and `CANCELLED` tasks may be results (they are
    /// traversed either way).
    pub include_done: bool,
}

impl Default for RankOptions {
    /// Top 20, 2 hops, decay 0.5, done tasks left out, and priors that
    /// favour what constrains the work: blockers 1.0, blocked tasks, parent
    /// and subtasks 0.9, related 0.8, containers 0.7, workflow 0.6,
    /// patterns and practices of a container 0.5, owner 0.4, siblings
    /// through a container 0.3, other followers of a workflow and other
    /// holdings of an owner 0.1.
    fn default() -> Self {
        use Relation as R;
        let priors = [
            (R::BlockedBy, 1.0),
            (R::Blocks, 0.9),
            (R::SubtaskOf, 0.9),
            (R::HasSubtask, 0.9),
            (R::RelatedTo, 0.8),
            (R::BelongsTo, 0.7),
            (R::Follows, 0.6),
            (R::Scopes, 0.5),
            (R::ScopedTo, 0.5),
            (R::OwnedBy, 0.4),
            (R::Contains, 0.3),
            (R::FollowedBy, 0.1),
            (R::Owns, 0.1),
        ];
        Self { top: 20, max_hops: 2, decay: 0.5, priors: priors.into_iter().collect(), include_done: false }
    }
}

/// One ranked entity.
#[derive(Clone, PartialEq, Debug)]
pub struct Ranked {
    /// The entity.
    pub id: EntityId,
    /// Its kind.
    pub kind: EntityKind,
    /// Its score (see the module docs).
    pub score: f64,
    /// The path that earned it, focus first.
    pub path: Vec<EntityId>,
}

/// The `top` entities around `id` by score. O(edges of the entities within
/// `max_hops - 1` hops, each level's entities sorted once).
///
/// # Errors
/// [`QueryError::NotFound`] for an unknown id.
pub fn rank(graph: &Graph, id: EntityId, options: &RankOptions) -> Result<Vec<Ranked>, QueryError> {
    kind_of(graph, id)?;
    // levels[h]: entity → (best score with exactly h hops, predecessor).
    let mut levels: Vec<BTreeMap<EntityId, (f64, EntityId)>> = vec![BTreeMap::from([(id, (1.0, id))])];
    for hop in 1..=options.max_hops {
        let factor = if hop > 1 { options.decay } else { 1.0 };
        let mut next: BTreeMap<EntityId, (f64, EntityId)> = BTreeMap::new();
        for (&at, &(score, _)) in &levels[levels.len() - 1] {
            for edge in graph.edges(at) {
                let Some(&prior) = options.priors.get(&edge.relation()) else { continue };
                let to = edge.target();
                let candidate = score * edge.data().weight.get() * prior * factor;
                if to != id && next.get(&to).is_none_or(|&(best, _)| candidate > best) {
                    next.insert(to, (candidate, at));
                }
            }
        }
        if next.is_empty() {
            break;
        }
        levels.push(next);
    }
    // Best over levels: higher score, then fewer hops.
    let mut best: BTreeMap<EntityId, (f64, usize)> = BTreeMap::new();
    for (hops, level) in levels.iter().enumerate().skip(1) {
        for (&to, &(score, _)) in level {
            if best.get(&to).is_none_or(|&(s, _)| score > s) {
                best.insert(to, (score, hops));
            }
        }
    }
    let wanted = |to: EntityId| {
        options.include_done
            || graph.get(to).and_then(|e| e.data().as_task()).is_none_or(|t| TaskStatus::is_open(t.status))
    };
    let mut out: Vec<(f64, usize, EntityId)> =
        best.into_iter().filter(|&(to, _)| wanted(to)).map(|(to, (score, hops))| (score, hops, to)).collect();
    out.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    out.truncate(options.top);
    Ok(out
        .into_iter()
        .filter_map(|(score, hops, to)| {
            let mut path = vec![to];
            let mut at = to;
            for level in levels[1..=hops].iter().rev() {
                at = level.get(&at)?.1;
                path.push(at);
            }
            path.reverse();
            Some(Ranked { id: to, kind: graph.get(to)?.kind(), score, path })
        })
        .collect())
}
