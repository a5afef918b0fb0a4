//! Regression tests, each named after what review caught.

use convoy_core::model::{EntityKind, Task};
use convoy_core::{Batch, Graph, Op, Relation};
use convoy_query::{Find, QueryError, RankOptions, Sort, find, rank};

use crate::fixture::seeds_example;

#[test]
fn regression_text_search_finds_a_literal_substring_whatever_case_folding_does_to_context() {
    // "Σ" lowercases to "ς" at the end of a word and "σ" inside one, so
    // whole-string lowercasing made "ΑΣ" miss "ΑΣΑ".
    let (script, ids) = seeds_example();
    let mut graph = script.graph();
    let task = Op::create(Task::new("ΑΣΑ").unwrap());
    let id = task.subject();
    graph.apply(&Batch::from(vec![task, Op::link(ids.project, Relation::Contains, id)])).unwrap();
    let mut q = Find::new(EntityKind::Task);
    q.text = Some("ΑΣ".into());
    assert_eq!(find(&graph, &q).unwrap().ids, vec![id]);
}

#[test]
fn regression_ranking_refuses_priors_and_decay_outside_zero_to_one() {
    let (script, ids) = seeds_example();
    let graph = script.graph();
    let bad_decay = RankOptions { decay: 10.0, ..RankOptions::default() };
    assert!(matches!(rank(&graph, ids.write, &bad_decay), Err(QueryError::InvalidOption { name: "decay", .. })));
    let mut nan = RankOptions::default();
    nan.priors.insert(Relation::Blocks, f64::NAN);
    assert!(matches!(rank(&graph, ids.write, &nan), Err(QueryError::InvalidOption { name: "priors", .. })));
}

#[test]
fn regression_ranking_with_a_huge_hop_limit_ends_when_nothing_improves() {
    // Both directions of every edge are stored, so the walk never runs dry
    // on its own; it used to run max_hops levels.
    let (script, ids) = seeds_example();
    let graph: Graph = script.graph();
    let huge = RankOptions { max_hops: u32::MAX, include_done: true, top: 100, ..RankOptions::default() };
    let deep = RankOptions { max_hops: 10, include_done: true, top: 100, ..RankOptions::default() };
    assert_eq!(rank(&graph, ids.write, &huge).unwrap(), rank(&graph, ids.write, &deep).unwrap());
}

#[test]
fn regression_find_refuses_an_empty_page_and_a_cursor_from_another_sort() {
    let (script, _) = seeds_example();
    let graph = script.graph();
    let mut q = Find::new(EntityKind::Task);
    q.limit = 0;
    assert!(matches!(find(&graph, &q), Err(QueryError::InvalidOption { name: "limit", .. })));
    let mut by_name = Find::new(EntityKind::Task);
    by_name.sort = Sort::Name;
    by_name.limit = 1;
    let cursor = find(&graph, &by_name).unwrap().next.unwrap();
    let mut by_created = Find::new(EntityKind::Task);
    by_created.sort = Sort::Created;
    by_created.after = Some(cursor);
    assert!(matches!(find(&graph, &by_created), Err(QueryError::InvalidOption { name: "after", .. })));
}
