//! Ranking and rendering with hand-computed scores and budgets, and
//! determinism: the same canonical graph reached by differently ordered
//! operations gives byte-identical output.

use convoy_core::model::{Activity, TaskPatch, TaskStatus};
use convoy_core::{ActivityId, Batch, Graph, Op};
use convoy_query::{
    Direction, Format, RankOptions, Traversal, ancestors, descendants, find, rank, ready, related, render_bundle,
    render_ranking, task_bundle, traverse,
};

use crate::fixture::seeds_example;

fn scores(graph: &Graph, focus: convoy_core::EntityId, options: &RankOptions) -> Vec<(u128, f64, Vec<u128>)> {
    rank(graph, focus, options)
        .unwrap()
        .into_iter()
        .map(|r| (r.id.as_uuid().as_u128(), r.score, r.path.iter().map(|p| p.as_uuid().as_u128()).collect()))
        .collect()
}

#[test]
fn ranking_scores_match_the_formula_by_hand() {
    let (script, ids) = seeds_example();
    let graph = script.graph();
    // From "Write the log" (101), default priors, 2 hops, decay 0.5:
    //   design  100: blocked_by, weight 0.8 × prior 1.0            = 0.8
    //   project  10: belongs_to, 1.0 × 0.7                         = 0.7
    //   stream   20: belongs_to, 1.0 × 0.7                         = 0.7 (tie: by id, after 10)
    //   doc     102: related_to, 0.5 × 0.8                         = 0.4
    //   ws        1: via project: 0.7 × (1.0 × 0.7) × 0.5          = 0.245
    let got = scores(&graph, ids.write, &RankOptions::default());
    let want: Vec<(u128, f64, Vec<u128>)> = vec![
        (100, 0.8, vec![101, 100]),
        (10, 0.7, vec![101, 10]),
        (20, 0.7, vec![101, 20]),
        (102, 0.4, vec![101, 102]),
        (1, 0.245, vec![101, 10, 1]),
    ];
    assert_eq!(got.len(), want.len(), "{got:?}");
    for (g, w) in got.iter().zip(&want) {
        assert_eq!((g.0, &g.2), (w.0, &w.2), "{got:?}");
        assert!((g.1 - w.1).abs() < 1e-12, "{} scored {}, expected {}", g.0, g.1, w.1);
    }
    // One hop only: the workspace is out of reach.
    let one = RankOptions { max_hops: 1, ..RankOptions::default() };
    assert_eq!(scores(&graph, ids.write, &one).len(), 4);
    // Top 2.
    let top = RankOptions { top: 2, ..RankOptions::default() };
    assert_eq!(scores(&graph, ids.write, &top).iter().map(|s| s.0).collect::<Vec<_>>(), vec![100, 10]);
    // Done tasks are left out unless asked for.
    let mut graph = graph;
    let done = TaskPatch { status: Some(TaskStatus::Done), ..TaskPatch::default() };
    graph.apply(&Op::update(ids.design, done).into()).unwrap();
    assert!(!scores(&graph, ids.write, &RankOptions::default()).iter().any(|s| s.0 == 100));
    let with_done = RankOptions { include_done: true, ..RankOptions::default() };
    assert_eq!(scores(&graph, ids.write, &with_done)[0].0, 100);
}

fn with_activity() -> (Graph, crate::fixture::Ids) {
    let (mut script, ids) = seeds_example();
    for n in 0..5u128 {
        let at = script.at();
        let mut entry =
            Activity::new(ActivityId::from_uuid(uuid::Uuid::from_u128(900 + n)), ids.write, "COMMENT", at).unwrap();
        entry.content = Some(convoy_core::model::Text::new("content", format!("note {n}")).unwrap());
        script.push(Op::RecordActivity(entry));
    }
    (script.graph(), ids)
}

#[test]
fn rendering_drops_least_important_items_first_and_says_so() {
    let (graph, ids) = with_activity();
    let bundle = task_bundle(&graph, ids.write, 20).unwrap();
    let full = render_bundle(&bundle, Format::Markdown, usize::MAX).unwrap();
    for section in [
        "# Task: Write the log",
        "## Blocked by",
        "## Project",
        "## Workstream",
        "## Related tasks",
        "## Recent activity",
        "note 4",
        "note 0",
    ] {
        assert!(full.contains(section), "{section} missing from\n{full}");
    }
    assert!(full.contains("**Blocked: an open blocker remains.**"));
    assert!(!full.contains("Omitted"));
    // One character short: the oldest activity entry goes first.
    let budget = full.chars().count() - 1;
    let cut = render_bundle(&bundle, Format::Markdown, budget).unwrap();
    assert!(cut.chars().count() <= budget);
    assert!(cut.contains("note 4") && !cut.contains("note 0"), "{cut}");
    assert!(cut.contains("_Omitted for space: ") && cut.contains("recent_activity"), "{cut}");
    // Tight budgets keep the blockers longest of all sections.
    let header_only = render_bundle(&bundle, Format::Markdown, 0).unwrap_err();
    let convoy_query::QueryError::BudgetTooSmall { needed, .. } = header_only else { panic!("{header_only}") };
    let tight = render_bundle(&bundle, Format::Markdown, needed + 120).unwrap();
    assert!(tight.chars().count() <= needed + 120);
    assert!(tight.contains("## Blocked by") && !tight.contains("## Related tasks"), "{tight}");
    // JSON: same keys as the CLI's bundle, the cut reported under "omitted".
    let json = render_bundle(&bundle, Format::Json, usize::MAX).unwrap();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    for key in [
        "task",
        "parent_task",
        "subtasks",
        "slice",
        "milestone",
        "workstream",
        "project",
        "workspace",
        "blocks",
        "blocked_by",
        "related",
        "workflow",
        "current_stage",
        "patterns",
        "best_practices",
        "recent_activity",
    ] {
        assert!(value.get(key).is_some(), "{key} missing");
    }
    assert_eq!(value["blocked_by"][0]["id"], ids.design.to_string());
    let short = render_bundle(&bundle, Format::Json, json.chars().count() - 1).unwrap();
    let value: serde_json::Value = serde_json::from_str(&short).unwrap();
    assert_eq!(value["omitted"]["recent_activity"], 1);
    assert_eq!(value["recent_activity"].as_array().unwrap().len(), 4);
}

#[test]
fn ranking_renders_within_budget_dropping_the_lowest_ranked() {
    let (graph, ids) = with_activity();
    let ranked = rank(&graph, ids.write, &RankOptions::default()).unwrap();
    let focus = graph.get(ids.write).unwrap();
    let full = render_ranking(focus, &ranked, &graph, Format::Markdown, usize::MAX).unwrap();
    assert!(full.contains("1. task") && full.contains("score 0.800") && full.contains("5. workspace"), "{full}");
    let cut = render_ranking(focus, &ranked, &graph, Format::Markdown, full.chars().count() - 1).unwrap();
    assert!(!cut.contains("5. workspace") && cut.contains("4. task") && cut.contains("1 ranked"), "{cut}");
}

#[test]
fn container_rendering_keeps_the_rollup_and_drops_patterns_and_children_first() {
    let (graph, ids) = with_activity();
    let bundle = convoy_query::container_bundle(&graph, ids.project).unwrap();
    let full = convoy_query::render_container(&bundle, Format::Markdown, usize::MAX).unwrap();
    assert!(full.contains("# project: Convoy") && full.contains("Roll-up: 3 tasks, 0 % done (3 TODO)"), "{full}");
    assert!(full.contains("## Sits in") && full.contains("## Tasks") && full.contains("## Workstreams"), "{full}");
    let cut = convoy_query::render_container(&bundle, Format::Markdown, full.chars().count() - 1).unwrap();
    assert!(cut.contains("Roll-up: 3 tasks") && cut.contains("_Omitted for space: 1 tasks._"), "{cut}");
    let json = convoy_query::render_container(&bundle, Format::Json, usize::MAX).unwrap();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["entity"]["rollup"]["total"], 3);
    assert_eq!(value["tasks"].as_array().unwrap().len(), 3);
}

/// Every query's output, as text.
fn everything(graph: &Graph) -> String {
    let mut out = String::new();
    let state = graph.state();
    for entity in state.entities() {
        let e = entity.id();
        out.push_str(&format!("{:?}\n", ancestors(graph, e).unwrap()));
        out.push_str(&format!("{:?}\n", descendants(graph, e, None, None).unwrap()));
        out.push_str(&format!("{:?}\n", related(graph, e, None, None, Direction::Both).unwrap()));
        let t = Traversal {
            relations: convoy_core::Relation::ALL.to_vec(),
            direction: Direction::Both,
            max_hops: 3,
            kind: None,
            limit: None,
        };
        out.push_str(&format!("{:?}\n", traverse(graph, e, &t).unwrap()));
        out.push_str(&format!("{:?}\n", rank(graph, e, &RankOptions::default()).unwrap()));
        if let Ok(bundle) = task_bundle(graph, e, 20) {
            out.push_str(&render_bundle(&bundle, Format::Json, usize::MAX).unwrap());
            out.push_str(&render_bundle(&bundle, Format::Markdown, usize::MAX).unwrap());
        }
        if let Ok(r) = ready(graph, e, None) {
            out.push_str(&format!("{r:?}\n"));
        }
    }
    out.push_str(&format!(
        "{:?}\n",
        find(graph, &convoy_query::Find::new(convoy_core::model::EntityKind::Task)).unwrap()
    ));
    out
}

#[test]
fn the_same_graph_reached_by_different_op_orders_answers_byte_identically() {
    let (script, _) = with_activity_script();
    let forward = script.graph();
    // Creates in reverse, then links and feed entries in reverse: other
    // petgraph indices and adjacency orders, the same canonical state.
    let (creates, rest): (Vec<Op>, Vec<Op>) =
        script.ops().iter().cloned().partition(|op| matches!(op, Op::Create { .. }));
    let mut reversed = Graph::new();
    let ops: Vec<Op> = creates.into_iter().rev().chain(rest.into_iter().rev()).collect();
    reversed.apply(&Batch::from(ops)).unwrap();
    // And one built in two batches: entities with their containment first,
    // everything else after.
    let mut staged = Graph::new();
    let (first, second): (Vec<Op>, Vec<Op>) =
        script.ops().iter().cloned().partition(|op| {
            matches!(op, Op::Create { .. } | Op::Link { relation: convoy_core::Relation::Contains, .. })
        });
    staged.apply(&Batch::from(first)).unwrap();
    staged.apply(&Batch::from(second)).unwrap();
    assert!(forward.state() == reversed.state() && forward.state() == staged.state());
    let want = everything(&forward);
    assert_eq!(everything(&reversed), want);
    assert_eq!(everything(&staged), want);
}

fn with_activity_script() -> (crate::fixture::Script, crate::fixture::Ids) {
    let (mut script, ids) = seeds_example();
    for n in 0..3u128 {
        let at = script.at();
        let entry =
            Activity::new(ActivityId::from_uuid(uuid::Uuid::from_u128(700 + n)), ids.design, "COMMENT", at).unwrap();
        script.push(Op::RecordActivity(entry));
    }
    (script, ids)
}
