//! The answer check: on a sample of starting points, run each query on
//! Convoy and on each SQLite copy with every item kept, and compare part by
//! part — sequences where order matters, multisets, or distinct sets. Any
//! difference is a mismatch, and a query with one gets no ratio.

use std::collections::BTreeSet;

use anyhow::Result;
use serde::{Deserialize, Serialize};

use super::answer::{Digest, Item, Listing, PartKind, PartSpec};
use super::convoy::ConvoySide;
use super::spec::{Point, Query};
use super::sql::SqlSide;

/// Most mismatch descriptions kept per query.
const KEPT: usize = 10;

/// The outcome of checking one query.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct QueryCheck {
    /// Starting points compared (per peer).
    pub(crate) points: usize,
    /// Of those, how many gave a non-empty answer on Convoy.
    pub(crate) non_empty: usize,
    /// Timed calls whose digests were compared (per peer).
    pub(crate) timed_compared: usize,
    /// How many comparisons differed.
    pub(crate) mismatches: usize,
    /// The first few differences, described.
    pub(crate) examples: Vec<String>,
}

impl QueryCheck {
    /// Whether the two systems agreed everywhere, and not vacuously.
    pub(crate) const fn passed(&self) -> bool {
        self.mismatches == 0 && self.points > 0 && self.non_empty > 0
    }

    /// Counts a mismatch and keeps its description if few are kept yet.
    fn record(&mut self, what: String) {
        self.mismatches += 1;
        if self.examples.len() < KEPT {
            self.examples.push(what);
        }
    }
}

/// The first few items, for a mismatch description.
fn show(items: &[&Item]) -> String {
    let shown: Vec<String> = items.iter().take(4).map(ToString::to_string).collect();
    let more = items.len().saturating_sub(4);
    if more > 0 { format!("[{} …+{more}]", shown.join(", ")) } else { format!("[{}]", shown.join(", ")) }
}

/// Compares two answers part by part; describes each differing part.
pub(crate) fn differences(parts: &[PartSpec], convoy: &Listing, peer: &Listing) -> Vec<String> {
    let mut out = Vec::new();
    for (i, spec) in parts.iter().enumerate() {
        let (a, b) = (convoy.part(i), peer.part(i));
        let same = match spec.kind {
            PartKind::Ordered => a == b,
            PartKind::Bag => {
                let (mut x, mut y) = (a.to_vec(), b.to_vec());
                x.sort_unstable();
                y.sort_unstable();
                x == y
            }
            PartKind::Distinct => a.iter().collect::<BTreeSet<_>>() == b.iter().collect::<BTreeSet<_>>(),
        };
        if same {
            continue;
        }
        let (sa, sb): (BTreeSet<&Item>, BTreeSet<&Item>) = (a.iter().collect(), b.iter().collect());
        let missing: Vec<&Item> = sa.difference(&sb).copied().collect();
        let extra: Vec<&Item> = sb.difference(&sa).copied().collect();
        let what = if missing.is_empty() && extra.is_empty() {
            format!(
                "same items, different order or multiplicity: Convoy {} vs {}",
                show(&a.iter().collect::<Vec<_>>()),
                show(&b.iter().collect::<Vec<_>>())
            )
        } else {
            format!("only in Convoy {}, only in peer {}", show(&missing), show(&extra))
        };
        out.push(format!("{}: Convoy {} items, peer {} items; {what}", spec.name, a.len(), b.len()));
    }
    out
}

/// Checks `query` on `points` against each named peer, with the timed page
/// size and (for paged queries) without a limit.
///
/// # Errors
/// A query that fails to run.
pub(crate) fn check(
    query: Query,
    points: &[Point],
    convoy: &ConvoySide<'_>,
    peers: &[(&str, SqlSide<'_>)],
) -> Result<QueryCheck> {
    let mut out = QueryCheck::default();
    let pages: Vec<Option<usize>> = match query.page() {
        Some(p) => vec![Some(p), None],
        None => vec![None],
    };
    for (i, point) in points.iter().enumerate() {
        for &page in &pages {
            let mut ours = Listing::default();
            convoy.run(query, point, page, &mut ours)?;
            if page == query.page() && ours.parts.iter().any(|p| !p.is_empty()) {
                out.non_empty += 1;
            }
            for (name, peer) in peers {
                let mut theirs = Listing::default();
                peer.run(query, point, page, &mut theirs)?;
                for d in differences(query.parts(), &ours, &theirs) {
                    let limit = page.map_or_else(|| "no limit".to_owned(), |p| format!("limit {p}"));
                    out.record(format!("{} vs {name}, point {i} ({limit}): {d}", query.id()));
                }
            }
        }
        out.points += 1;
    }
    Ok(out)
}

/// Compares the digests of the timed calls of Convoy and of a peer (call
/// `i` of each ran from the same point) and records any difference.
pub(crate) fn check_timed(out: &mut QueryCheck, query: Query, peer: &str, convoy: &[Digest], theirs: &[Digest]) {
    for (i, (a, b)) in convoy.iter().zip(theirs).enumerate() {
        out.timed_compared += 1;
        if let Some(part) = a.agrees(b, query.parts()) {
            out.record(format!("{} vs {peer}, timed call {i}: part {part:?} differs (digest)", query.id()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::answer::{Sink as _, part};
    use super::*;

    fn listing(items: &[u128]) -> Listing {
        let mut l = Listing::default();
        for &i in items {
            l.id(0, i);
        }
        l
    }

    #[test]
    fn each_kind_catches_what_it_should() {
        let ordered = [part("p", PartKind::Ordered)];
        let bag = [part("p", PartKind::Bag)];
        let distinct = [part("p", PartKind::Distinct)];
        let (a, b) = (listing(&[1, 2, 2]), listing(&[2, 1, 2]));
        assert_eq!(differences(&ordered, &a, &b).len(), 1);
        assert!(differences(&bag, &a, &b).is_empty());
        let c = listing(&[1, 2]);
        assert_eq!(differences(&bag, &a, &c).len(), 1);
        assert!(differences(&distinct, &a, &c).is_empty());
        let d = listing(&[1, 3]);
        let diff = differences(&distinct, &a, &d);
        assert_eq!(diff.len(), 1);
        assert!(diff[0].contains("only in Convoy"), "{diff:?}");
    }

    /// End to end on a small dataset: both systems agree on every query,
    /// and stop agreeing once SQLite loses its `related_to` rows.
    #[test]
    fn the_check_passes_on_the_same_data_and_fails_on_damaged_data() {
        use convoy_store::{Db, FsyncPolicy, Options};

        use super::super::sqlite;

        let mut data = convoy_workload::generate(600, 3).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path(), Options::new().fsync(FsyncPolicy::Never)).unwrap();
        for batch in std::mem::take(&mut data.batches) {
            db.commit(batch).unwrap();
        }
        let mut conn = sqlite::open_memory().unwrap();
        sqlite::load(&mut conn, &db.read(), 3).unwrap();
        let points = super::super::spec::points(&data, 30, 3);
        let convoy = ConvoySide::new(&db);
        let run = |q: Query, conn: &rusqlite::Connection| {
            check(q, &points, &convoy, &[("sqlite", SqlSide::new(conn))]).unwrap()
        };
        for q in Query::ALL.into_iter().filter(|q| q.has_peer()) {
            let verdict = run(q, &conn);
            assert!(verdict.passed(), "{q:?}: {verdict:?}");
        }
        conn.execute("DELETE FROM relationships WHERE relationship_type = 'task_related_to'", []).unwrap();
        for q in [Query::Bundle, Query::Hops] {
            assert!(!run(q, &conn).passed(), "{q:?} passed on damaged data");
        }
        assert!(run(Query::Point, &conn).passed());
    }

    #[test]
    fn a_vacuous_check_does_not_pass() {
        let empty = QueryCheck { points: 10, non_empty: 0, ..QueryCheck::default() };
        assert!(!empty.passed());
        let mut bad = QueryCheck { points: 10, non_empty: 10, ..QueryCheck::default() };
        assert!(bad.passed());
        bad.record("x".into());
        assert!(!bad.passed());
    }
}
