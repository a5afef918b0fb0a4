//! `import`, `export` and `apply`: the seeds' table format in and out of a
//! store, through the library and through the binary.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::{Path, PathBuf};

use convoy_cli::apply::apply;
use convoy_cli::export::export;
use convoy_cli::import::{ImportError, import, parse};
use convoy_core::model::TaskStatus;
use convoy_core::{EntityId, Graph, Slot};
use convoy_store::{Db, Options};
use serde_json::{Value, json};

use crate::support::{own_demo_store, run_in};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/seeds.json");

const P1: &str = "44444444-0000-4000-8000-000000000001";
const P2: &str = "44444444-0000-4000-8000-000000000002";
const M1: &str = "66666666-0000-4000-8000-000000000001";
const S1: &str = "77777777-0000-4000-8000-000000000001";
const T1: &str = "88888888-0000-4000-8000-000000000001";
const T2: &str = "88888888-0000-4000-8000-000000000002";
const T4: &str = "88888888-0000-4000-8000-000000000004";
const T5: &str = "88888888-0000-4000-8000-000000000005";
const T6: &str = "88888888-0000-4000-8000-000000000006";
const U1: &str = "22222222-0000-4000-8000-000000000001";
const U2: &str = "22222222-0000-4000-8000-000000000002";
const WF: &str = "33333333-0000-4000-8000-000000000001";

fn fixture() -> Vec<u8> {
    std::fs::read(FIXTURE).unwrap()
}

fn fixture_value() -> Value {
    serde_json::from_slice(&fixture()).unwrap()
}

fn id(s: &str) -> EntityId {
    s.parse().unwrap()
}

/// A fresh store in a temporary directory.
fn store() -> (tempfile::TempDir, PathBuf, Db) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let db = Db::open(&data, Options::new()).unwrap();
    (dir, data, db)
}

/// A store holding the fixture.
fn fixture_store() -> (tempfile::TempDir, PathBuf, Db) {
    let (dir, data, db) = store();
    import(&db, &fixture()).unwrap();
    (dir, data, db)
}

/// Every file of a data directory and its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap())
        })
        .collect()
}

fn doc(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap()
}

#[test]
fn the_fixture_has_every_table_and_round_trips_row_for_row() {
    let expected = fixture_value();
    for (table, rows) in expected.as_object().unwrap() {
        assert!(!rows.as_array().unwrap().is_empty(), "the fixture's {table} is empty");
    }
    let (_dir, data, db) = store();
    let summary = import(&db, &fixture()).unwrap();
    assert_eq!(summary.batches, 1, "a small import is one atomic batch");
    assert_eq!(summary.rows["tasks"], 6);
    assert_eq!(summary.rows["relationships"], 4);
    assert!(summary.ids_not_kept.is_empty());
    let exported = export(&db.read());
    for (table, rows) in expected.as_object().unwrap() {
        assert_eq!(&exported[table], rows, "table {table} differs after import → export");
    }
    assert_eq!(exported, expected);
    db.read().check_invariants().unwrap();

    // And from the files alone, after a reopen.
    db.close().unwrap();
    let db = Db::open(&data, Options::new()).unwrap();
    assert_eq!(export(&db.read()), expected);
}

#[test]
fn the_fixtures_foreign_keys_and_relationship_rows_became_edges() {
    let (_dir, _data, db) = fixture_store();
    let g = db.read();
    assert_eq!(g.parent(id(T4), Slot::Workstream), Some(id("55555555-0000-4000-8000-000000000001")));
    assert_eq!(g.parent(id("88888888-0000-4000-8000-000000000003"), Slot::ParentTask), Some(id(T2)));
    assert_eq!(g.parent(id(T2), Slot::Workflow), Some(id(WF)));
    assert_eq!(g.neighbors(id(T2), convoy_core::Relation::BlockedBy), vec![id(T1)]);
    // A relationships row gave an owner edge its weight.
    let owner = g.edge(id(T2), convoy_core::Relation::OwnedBy, id(U2)).unwrap();
    assert_eq!(owner.weight.get(), 0.9);
    // Both directions of a relationship are edges.
    assert!(g.edge(id(T5), convoy_core::Relation::RelatedTo, id(T4)).is_some());
    assert_eq!(g.feed(id(T2)).len(), 2);
    // Times came from the rows, not the clock.
    assert_eq!(g.get(id(T2)).unwrap().updated_at().to_string(), "2025-04-09T14:05:00.000250Z");
    assert_eq!(g.unscoped(convoy_core::model::EntityKind::Pattern).len(), 1);
}

#[test]
fn seeds_style_rows_are_accepted_and_derived_columns_filled() {
    let (_dir, _data, db) = fixture_store();
    let new_task = "88888888-0000-4000-8000-000000000099";
    let input = json!({
        "tasks": [
            // No project_id: seeds 002/003 reach the project through the slice.
            {"id": new_task, "slice_id": S1, "title": "Snapshot tests", "status": "planned",
             "workflow_id": WF, "current_stage": "PLAN", "relationships": null}
        ],
        "task_dependencies": [
            {"id": "cccccccc-0000-4000-8000-000000000001", "task_id": new_task, "depends_on_task_id": T4}
        ],
        "relationships": [
            // What the seeds' triggers write: both directions of the
            // foreign keys. They agree with the columns, so they merge.
            {"id": "dddddddd-0000-4000-8000-000000000001", "source_type": "task", "source_id": new_task,
             "relationship_type": "task_belongs_to_project", "target_type": "project", "target_id": P1},
            {"source_id": P1, "relationship_type": "project_contains_task", "target_id": new_task},
            {"source_id": T4, "relationship_type": "task_blocks", "target_id": new_task}
        ],
        "activity_feed": [
            {"task_id": new_task, "type": "COMMENT", "content": "from seed 002's column names", "created_by": "AI",
             "checkpoint_type": null}
        ]
    });
    let summary = import(&db, &doc(&input)).unwrap();
    assert_eq!(summary.ids_not_kept["task_dependencies.id"], 1);
    assert_eq!(summary.ids_not_kept["relationships.id"], 1);
    let g = db.read();
    assert_eq!(g.parent(id(new_task), Slot::Project), Some(id(P1)));
    assert_eq!(g.parent(id(new_task), Slot::Milestone), None, "only what the row says, plus the project");
    assert_eq!(g.neighbors(id(new_task), convoy_core::Relation::BlockedBy), vec![id(T4)]);
    assert_eq!(g.feed(id(new_task))[0].activity_type.as_str(), "COMMENT");
    let row = convoy_cli::seeds::entity_row(&g, id(new_task)).unwrap();
    assert_eq!(row["project_id"], P1);
    assert_eq!(row["status"], "PLANNED");
    assert_eq!(row["workflow_type"], WF);
}

/// Imports `input` into a store holding the fixture and expects a refusal
/// that changes nothing: neither the graph nor any file.
fn refused(input: &Value) -> ImportError {
    let (_dir, data, db) = fixture_store();
    let before = (export(&db.read()), db.last_seq(), files(&data));
    let error = import(&db, &doc(input)).unwrap_err();
    assert_eq!((export(&db.read()), db.last_seq(), files(&data)), before, "a refused import changed something");
    db.close().unwrap();
    let db = Db::open(&data, Options::new()).unwrap();
    assert_eq!(export(&db.read()), before.0);
    error
}

#[test]
fn a_relationship_row_contradicting_a_foreign_key_is_refused_and_changes_nothing() {
    let new_task = "88888888-0000-4000-8000-000000000042";
    let input = json!({
        "tasks": [{"id": new_task, "project_id": P1, "title": "Contradicted"}],
        "relationships": [
            {"source_id": P1, "relationship_type": "project_contains_task", "target_id": new_task},
            {"source_id": P2, "relationship_type": "project_contains_task", "target_id": new_task}
        ]
    });
    let error = refused(&input);
    assert_eq!(error.code(), "bad_rows");
    let rows = error.rows();
    assert_eq!(rows.len(), 1, "{error}");
    assert_eq!((rows[0].table.as_str(), rows[0].index, rows[0].code), ("relationships", Some(1), "contradiction"));
    assert!(rows[0].reason.contains(P2) && rows[0].reason.contains(P1), "{}", rows[0]);
    assert!(rows[0].reason.contains("tasks[0].project_id"), "{}", rows[0]);
}

#[test]
fn a_dangling_foreign_key_is_refused_and_changes_nothing() {
    let ghost = "66666666-0000-4000-8000-00000000dead";
    let input = json!({
        "tasks": [{"id": "88888888-0000-4000-8000-000000000043", "project_id": P1, "milestone_id": ghost, "title": "Lost"}]
    });
    let error = refused(&input);
    let rows = error.rows();
    assert_eq!(rows.len(), 1, "{error}");
    assert_eq!((rows[0].table.as_str(), rows[0].index), ("tasks", Some(0)));
    assert_eq!((rows[0].column.as_deref(), rows[0].code), (Some("milestone_id"), "not_found"));
    assert!(error.to_string().contains(&format!("tasks[0].milestone_id: no milestone {ghost}")), "{error}");
}

#[test]
fn a_dependency_cycle_is_refused_by_the_graph_naming_the_row_and_changes_nothing() {
    // The fixture has T2 depending on T1; this closes the loop.
    let input = json!({"task_dependencies": [{"task_id": T1, "depends_on_task_id": T2}]});
    let error = refused(&input);
    assert_eq!(error.code(), "cycle");
    let ImportError::Refused { row, .. } = &error else { panic!("{error:?}") };
    assert_eq!(row.as_ref().map(|r| (r.table.as_str(), r.index)), Some(("task_dependencies", 0)));
    assert!(error.to_string().contains(T1) && error.to_string().contains(T2), "{error}");
}

#[test]
fn every_bad_row_is_reported_at_once() {
    let t = |n: u32| format!("88888888-0000-4000-8000-0000000001{n:02}");
    let input = json!({
        "milestone": [],
        "tasks": [
            {"id": t(0), "project_id": P1, "title": "fine"},
            {"id": t(1), "project_id": P1, "title": "", "status": "FINISHED"},
            {"id": t(0), "project_id": P1, "title": "same id as row 0"},
            {"id": t(3), "project_id": P1, "title": "bad column", "colour": "red"},
            {"id": t(4), "title": "no project"}
        ],
        "patterns": [{"id": "99999999-0000-4000-8000-000000000100", "name": "p", "pattern_type": "CODE",
                      "content": {}, "workspace_id": "11111111-0000-4000-8000-000000000001", "project_id": P1}],
        "task_dependencies": [{"task_id": t(0), "depends_on_task_id": M1}],
        "relationships": [{"source_id": T1, "relationship_type": "task_blocks_everything", "target_id": T2}],
        "activity_feed": [{"task_id": P1, "activity_type": "COMMENT"}, {"task_id": T1}]
    });
    let error = refused(&input);
    let found: Vec<(String, Option<usize>, Option<String>, &str)> =
        error.rows().iter().map(|r| (r.table.clone(), r.index, r.column.clone(), r.code)).collect();
    let expected: Vec<(&str, Option<usize>, Option<&str>, &str)> = vec![
        ("milestone", None, None, "unknown_table"),
        ("tasks", Some(1), Some("title"), "bad_value"),
        ("tasks", Some(1), Some("status"), "bad_value"),
        ("tasks", Some(2), Some("id"), "duplicate_id"),
        ("tasks", Some(3), Some("colour"), "unknown_column"),
        ("tasks", Some(4), Some("project_id"), "missing_column"),
        ("patterns", Some(0), None, "bad_value"),
        ("task_dependencies", Some(0), Some("depends_on_task_id"), "wrong_kind"),
        ("relationships", Some(0), Some("relationship_type"), "bad_value"),
        ("activity_feed", Some(0), Some("task_id"), "wrong_kind"),
        ("activity_feed", Some(1), Some("activity_type"), "missing_column"),
    ];
    let expected: Vec<_> =
        expected.into_iter().map(|(t, i, c, code)| (t.to_string(), i, c.map(str::to_string), code)).collect();
    assert_eq!(found, expected, "{error}");
    let text = error.to_string();
    assert!(text.starts_with("11 bad row(s):"), "{text}");
    assert!(text.contains("tasks[3].colour: tasks has no column \"colour\""), "{text}");
}

#[test]
fn parse_is_pure_and_matches_what_import_commits() {
    let graph = Graph::new();
    let batches = parse(&graph, &fixture()).unwrap();
    assert_eq!(batches.len(), 1);
    assert!(graph.is_empty());
    let mut applied = Graph::new();
    for batch in &batches {
        applied.apply(batch).unwrap();
    }
    assert_eq!(export(&applied), fixture_value());
    assert!(matches!(parse(&graph, b"[1, 2]"), Err(ImportError::NotAnObject { .. })));
    let err = parse(&graph, b"{\n  \"tasks\": [\n    {,}\n  ]\n}").unwrap_err();
    assert!(matches!(err, ImportError::Json { line: 3, .. }), "{err}");
    assert_eq!(err.code(), "bad_json");
}

/// Runs `apply` over `lines` against `db`; returns the acknowledgements.
fn apply_lines(db: &Db, lines: &[String]) -> (convoy_cli::apply::ApplySummary, Vec<Value>) {
    let input = lines.join("\n");
    let mut out = Vec::new();
    let summary = apply(db, Cursor::new(input.into_bytes()), &mut out).unwrap();
    let acks = String::from_utf8(out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    (summary, acks)
}

#[test]
fn apply_commits_good_lines_refuses_bad_ones_and_acknowledges_each() {
    let (_dir, data, db) = fixture_store();
    let new_task = "88888888-0000-4000-8000-000000000077";
    let lines: Vec<String> = vec![
        // 1: a task in M1's slice, its project derived.
        json!({"op": "create", "table": "tasks", "row": {"id": new_task, "slice_id": S1, "title": "Torn-tail test"}})
            .to_string(),
        // 2: not JSON.
        "{\"op\": \"create\",".into(),
        // 3: blank, skipped but counted.
        "   ".into(),
        // 4: an unknown op.
        json!({"op": "teleport", "id": T1}).to_string(),
        // 5: an array is one atomic batch: the activity and the bad update
        // fail together.
        json!([
            {"op": "activity", "task_id": new_task, "activity_type": "COMMENT", "content": "never written"},
            {"op": "update", "id": new_task, "set": {"status": "FINISHED"}}
        ])
        .to_string(),
        // 6: T4 is blocked by the open T2: not ready, cannot be claimed.
        json!({"op": "claim", "task_id": T4, "owner_id": U1}).to_string(),
        // 7: the new task is ready: claimed.
        json!({"op": "claim", "task_id": new_task, "owner_id": U1}).to_string(),
        // 8: a link in the seeds' spelling, with a weight.
        json!({"op": "link", "source_id": new_task, "relationship_type": "task_related_to", "target_id": T6,
               "weight": 0.3})
        .to_string(),
        // 9: a dependency cycle, refused by the graph.
        json!({"op": "link", "source_id": T4, "relationship_type": "blocks", "target_id": T1}).to_string(),
        // 10: an activity and a stage change.
        json!([
            {"op": "activity", "task_id": T5, "type": "COMMENT", "content": "plan drafted", "actor_id": U1},
            {"op": "stage", "task_id": T5, "stage": "PLAN_REVIEW"}
        ])
        .to_string(),
        // 11: an update naming a missing entity.
        json!({"op": "update", "id": "88888888-0000-4000-8000-00000000f00d", "set": {"title": "x"}}).to_string(),
    ];
    let (summary, acks) = apply_lines(&db, &lines);
    assert_eq!((summary.lines, summary.ok, summary.refused), (10, 4, 6), "{acks:#?}");
    let by_line: BTreeMap<u64, &Value> = acks.iter().map(|a| (a["line"].as_u64().unwrap(), a)).collect();
    assert_eq!(by_line.keys().copied().collect::<Vec<_>>(), [1, 2, 4, 5, 6, 7, 8, 9, 10, 11]);
    let code = |n: u64| by_line[&n]["error"]["code"].as_str().unwrap_or("ok").to_string();
    assert_eq!(by_line[&1]["ok"], true);
    assert_eq!(by_line[&1]["ids"], json!([new_task]));
    assert_eq!(code(2), "bad_json");
    assert_eq!(code(4), "bad_op");
    assert_eq!(code(5), "bad_value");
    assert!(by_line[&5]["error"]["message"].as_str().unwrap().contains("op 1, `status`"), "{}", by_line[&5]);
    assert_eq!(code(6), "not_ready");
    assert!(by_line[&6]["error"]["message"].as_str().unwrap().contains(T2), "names the blocker: {}", by_line[&6]);
    assert_eq!(by_line[&7]["ok"], true);
    assert_eq!(by_line[&8]["ok"], true);
    assert_eq!(code(9), "cycle");
    assert_eq!(by_line[&10]["ok"], true);
    assert_eq!(by_line[&10]["ids"].as_array().unwrap().len(), 2, "the entry and the stage transition");
    assert_eq!(code(11), "not_found");
    let seqs: Vec<u64> = acks.iter().filter_map(|a| a["seq"].as_u64()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");

    // What was acknowledged is durable; what was refused left no trace.
    db.close().unwrap();
    let db = Db::open(&data, Options::new()).unwrap();
    let g = db.read();
    let task = g.get(id(new_task)).unwrap();
    assert_eq!(g.parent(id(new_task), Slot::Project), Some(id(P1)));
    assert_eq!(g.parent(id(new_task), Slot::Owner), Some(id(U1)));
    assert_eq!(task.data().as_task().unwrap().status, TaskStatus::InProgress, "a claim starts the task");
    assert!(g.feed(id(new_task)).is_empty(), "line 5 was refused as a whole");
    assert_eq!(g.edge(id(new_task), convoy_core::Relation::RelatedTo, id(T6)).unwrap().weight.get(), 0.3);
    assert_eq!(g.parent(id(T4), Slot::Owner), None);
    assert!(g.neighbors(id(T1), convoy_core::Relation::BlockedBy).is_empty());
    let t5 = g.get(id(T5)).unwrap().data().as_task().unwrap();
    assert_eq!(t5.current_stage.as_ref().map(|s| s.as_str()), Some("PLAN_REVIEW"));
    assert_eq!(g.feed(id(T5)).len(), 3);
    g.check_invariants().unwrap();
}

#[test]
fn apply_updates_move_and_clear_references() {
    let (_dir, _data, db) = fixture_store();
    let lines = vec![
        json!({"op": "update", "id": T4, "set": {"workstream_id": null, "priority": null, "labels": ["testing", "recovery"]}})
            .to_string(),
        json!({"op": "update", "id": T6, "set": {"owner_id": U2, "description": "moved on"}}).to_string(),
        json!({"op": "update", "id": T6, "set": {"owner_id": P1}}).to_string(),
        json!({"op": "delete", "id": T5}).to_string(),
    ];
    let (summary, acks) = apply_lines(&db, &lines);
    assert_eq!((summary.ok, summary.refused), (3, 1), "{acks:#?}");
    assert_eq!(acks[2]["error"]["code"], "wrong_kind");
    let g = db.read();
    assert_eq!(g.parent(id(T4), Slot::Workstream), None);
    let row = convoy_cli::seeds::entity_row(&g, id(T4)).unwrap();
    assert_eq!(row["priority"], Value::Null);
    assert_eq!(row["labels"], json!(["testing", "recovery"]));
    assert_eq!(g.parent(id(T6), Slot::Owner), Some(id(U2)));
    assert!(g.get(id(T5)).is_none());
    assert!(g.feed(id(T5)).is_empty());
}

#[test]
fn the_binary_imports_exports_and_applies() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = run_in(&data, &["--json", "import", FIXTURE]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let exported = dir.path().join("export.json");
    let out = run_in(&data, &["export", exported.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let back: Value = serde_json::from_slice(&std::fs::read(&exported).unwrap()).unwrap();
    assert_eq!(back, fixture_value());

    // A bad document: every row named, nothing written.
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, doc(&json!({"tasks": [{"title": ""}, {"id": "nope", "title": "x", "project_id": P1}]})))
        .unwrap();
    let out = run_in(&data, &["--json", "import", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    let error: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(error["error"]["code"], "bad_rows");
    let message = error["error"]["message"].as_str().unwrap();
    assert!(message.contains("tasks[0].title") && message.contains("tasks[1].id"), "{message}");

    // apply: acknowledgements on stdout, one per non-blank line.
    let mutations = dir.path().join("mutations.ndjson");
    let lines = [
        json!({"op": "activity", "task_id": T1, "activity_type": "NOTE", "content": "from the shell"}).to_string(),
        String::new(),
        json!({"op": "claim", "task_id": T1, "owner_id": U2}).to_string(),
    ];
    std::fs::write(&mutations, lines.join("\n")).unwrap();
    let out = run_in(&data, &["apply", mutations.to_str().unwrap()]);
    let acks: Vec<Value> =
        String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(acks.len(), 2, "{acks:?}");
    assert_eq!((acks[0]["line"].as_u64(), acks[0]["ok"].as_bool()), (Some(1), Some(true)));
    assert_eq!((acks[1]["line"].as_u64(), acks[1]["ok"].as_bool()), (Some(3), Some(false)));
    assert_eq!(acks[1]["error"]["code"], "not_open", "T1 is DONE");
    assert!(!out.status.success(), "a refused line makes the run fail");
}

#[test]
fn a_generated_store_round_trips_through_export_and_import() {
    let (dir, data) = own_demo_store(400);
    let first = dir.path().join("first.json");
    let out = run_in(&data, &["export", first.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let exported: Value = serde_json::from_slice(&std::fs::read(&first).unwrap()).unwrap();
    assert_eq!(exported["tasks"].as_array().unwrap().len(), 400);

    let copy = dir.path().join("copy");
    let out = run_in(&copy, &["import", first.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let second = dir.path().join("second.json");
    let out = run_in(&copy, &["export", second.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let again: Value = serde_json::from_slice(&std::fs::read(&second).unwrap()).unwrap();
    for (table, rows) in exported.as_object().unwrap() {
        assert_eq!(&again[table], rows, "{table} differs after export → import → export");
    }
}
