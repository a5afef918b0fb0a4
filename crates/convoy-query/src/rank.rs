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
//! score of any path to it of at most `max_hops` edges; between paths of
//! equal score and length, the one whose previous entity has the smaller id
//! wins (a rule that does not depend on the order edges are visited in).
//! Results are ordered by score (highest first), then hops (fewest first),
//! then id.

use std::collections::{BTreeMap, HashMap};

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
    /// through a container 0.3. A workflow's other followers and an owner's
    /// other holdings are not followed: they are hubs (half the tasks of a
    /// workspace may follow one workflow) whose members share nothing else.
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
/// `max_hops - 1` hops + results × log results); a level that improves no
/// score ends the walk early.
///
/// # Errors
/// [`QueryError::NotFound`] for an unknown id;
/// [`QueryError::InvalidOption`] for a decay or prior outside 0..=1 (or
/// not a number).
pub fn rank(graph: &Graph, id: EntityId, options: &RankOptions) -> Result<Vec<Ranked>, QueryError> {
    kind_of(graph, id)?;
    let unit = |x: f64| x.is_finite() && (0.0..=1.0).contains(&x);
    if !unit(options.decay) {
        let reason = format!("{} is not in 0..=1", options.decay);
        return Err(QueryError::InvalidOption { name: "decay", reason });
    }
    if let Some((relation, prior)) = options.priors.iter().find(|(_, p)| !unit(**p)) {
        let reason = format!("the prior of {relation} is {prior}, not in 0..=1");
        return Err(QueryError::InvalidOption { name: "priors", reason });
    }
    // Kinds with no followed relation leaving them are never expanded (a
    // workflow whose only edges are its followers, say).
    // Worked out once per call, not per visited entity.
    let expanding: Vec<bool> = EntityKind::ALL
        .iter()
        .map(|&kind| options.priors.keys().any(|r| EntityKind::ALL.iter().any(|&other| r.allows(kind, other))))
        .collect();
    let expands = |kind: EntityKind| expanding.get(kind.index()).copied().unwrap_or(true);
    // levels[h]: entity → (best score with exactly h hops, predecessor),
    // holding only entries that beat every shorter path to their entity:
    // with every factor in 0..=1, extending a dominated entry can never
    // win, so the walk ends when a level improves nothing (at most one
    // level per entity on a simple path), whatever `max_hops` says.
    let mut best_so_far: HashMap<EntityId, f64> = HashMap::from([(id, 1.0)]);
    let mut levels: Vec<HashMap<EntityId, (f64, EntityId)>> = vec![HashMap::from([(id, (1.0, id))])];
    for hop in 1..=options.max_hops {
        let factor = if hop > 1 { options.decay } else { 1.0 };
        let mut next: HashMap<EntityId, (f64, EntityId)> = HashMap::new();
        for (&at, &(score, _)) in &levels[levels.len() - 1] {
            if graph.get(at).is_none_or(|e| !expands(e.kind())) {
                continue;
            }
            for edge in graph.edges_unordered(at) {
                let Some(&prior) = options.priors.get(&edge.relation()) else { continue };
                let to = edge.target();
                let candidate = score * edge.data().weight.get() * prior * factor;
                let better =
                    next.get(&to).is_none_or(|&(best, via)| candidate > best || (candidate == best && at < via));
                if to != id && better {
                    next.insert(to, (candidate, at));
                }
            }
        }
        next.retain(|to, (score, _)| best_so_far.get(to).is_none_or(|b| *score > *b));
        if next.is_empty() {
            break;
        }
        for (&to, &(score, _)) in &next {
            best_so_far.insert(to, score);
        }
        levels.push(next);
    }
    // Best over levels: higher score, then fewer hops.
    let mut best: HashMap<EntityId, (f64, usize)> = HashMap::new();
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
