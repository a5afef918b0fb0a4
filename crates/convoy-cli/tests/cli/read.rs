//! Every read command on a demo store: JSON shapes (lists of objects with
//! `id` and `kind` plus what the command measured), text output, and
//! errors that name the bad value.

use std::collections::HashSet;

use serde_json::Value;

use crate::support::{demo_store, error_in, json_in, run_in};

fn array(v: &Value) -> &Vec<Value> {
    v.as_array().unwrap_or_else(|| panic!("expected an array, got {v}"))
}

fn id_of(v: &Value) -> &str {
    v["id"].as_str().unwrap_or_else(|| panic!("no id in {v}"))
}

/// A task with blockers and a workflow, found through `find` and `related`.
fn a_blocked_task(dir: &std::path::Path) -> String {
    let tasks = json_in(dir, &["find", "task", "--status", "todo", "--limit", "200"]);
    array(&tasks)
        .iter()
        .map(|t| id_of(t).to_string())
        .find(|id| !array(&json_in(dir, &["related", id, "--rel", "blocked_by", "--direction", "out"])).is_empty())
        .expect("some TODO task has a blocker")
}

#[test]
fn get_prints_the_seeds_row_with_kind_and_foreign_keys() {
    let dir = demo_store();
    let task = a_blocked_task(dir);
    let row = json_in(dir, &["get", &task]);
    assert_eq!(row["kind"], "task");
    assert_eq!(row["id"], task.as_str());
    assert!(row["title"].is_string() && row["project_id"].is_string(), "{row}");
    let project = row["project_id"].as_str().unwrap();
    assert_eq!(json_in(dir, &["get", project])["kind"], "project");
    let text = run_in(dir, &["get", &task]);
    assert!(text.status.success());
    assert!(String::from_utf8_lossy(&text.stdout).contains(project));
}

#[test]
fn context_has_every_bundle_key_and_fits_a_budget() {
    let dir = demo_store();
    let task = a_blocked_task(dir);
    let bundle = json_in(dir, &["context", &task, "--activity", "3"]);
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
        assert!(bundle.get(key).is_some(), "context lacks {key}: {bundle}");
    }
    assert_eq!(bundle["task"]["id"], task.as_str());
    assert!(!array(&bundle["blocked_by"]).is_empty());
    assert!(array(&bundle["recent_activity"]).len() <= 3);
    assert!(array(&bundle["patterns"]).iter().all(|p| p["scope"].is_string() && p["kind"] == "pattern"));
    let out = run_in(dir, &["context", &task, "--format", "markdown", "--budget", "1500"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("# Task: ") && text.chars().count() <= 1500, "{text}");
    let project = bundle["project"]["id"].as_str().unwrap();
    let container = json_in(dir, &["context", project]);
    assert_eq!(container["entity"]["kind"], "project");
    assert!(container["rollup"]["total"].as_u64().unwrap() > 0);
}

#[test]
fn walks_report_depth_distance_path_and_score() {
    let dir = demo_store();
    let task = a_blocked_task(dir);
    let up = json_in(dir, &["ancestors", &task]);
    let kinds: Vec<&str> = array(&up).iter().map(|a| a["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds.last(), Some(&"workspace"), "{up}");
    assert!(array(&up).iter().all(|a| a["depth"].as_u64().unwrap() >= 1));
    let project = array(&up).iter().find(|a| a["kind"] == "project").map(|a| id_of(a).to_string()).unwrap();

    let tasks = json_in(dir, &["descendants", &project, "--kind", "task"]);
    assert!(array(&tasks).iter().all(|t| t["kind"] == "task" && t["depth"].is_u64()));
    assert!(array(&tasks).iter().any(|t| id_of(t) == task));
    let shallow = json_in(dir, &["descendants", &project, "--depth", "1"]);
    assert!(array(&shallow).iter().all(|t| t["depth"] == 1));

    let blockers = json_in(dir, &["related", &task, "--rel", "task_blocked_by", "--direction", "out"]);
    assert!(array(&blockers).iter().all(|b| b["relation"] == "blocked_by" && b["direction"] == "out"));

    let reached =
        json_in(dir, &["traverse", &task, "--rel", "blocks,related_to", "--hops", "2", "--direction", "both"]);
    for r in array(&reached) {
        let path = array(&r["path"]);
        assert_eq!(path.len() as u64, r["distance"].as_u64().unwrap() + 1, "{r}");
        assert_eq!(path[0], task.as_str());
        assert_eq!(path.last().unwrap(), &r["id"]);
    }
    assert!(array(&reached).iter().any(|r| r["distance"] == 1));

    let ranked = json_in(dir, &["rank", &task, "--top", "5"]);
    let scores: Vec<f64> = array(&ranked).iter().map(|r| r["score"].as_f64().unwrap()).collect();
    assert!(!scores.is_empty() && scores.len() <= 5);
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
}

#[test]
fn find_pages_with_cursors_and_ready_work_is_open_and_unblocked() {
    let dir = demo_store();
    let first = json_in(dir, &["find", "task", "--priority", "high", "--limit", "4"]);
    assert_eq!(array(&first).len(), 4);
    assert!(array(&first).iter().all(|t| t["priority"] == "HIGH" && t["kind"] == "task"));
    let cursor = array(&first)[3]["cursor"].as_str().unwrap().to_string();
    let second = json_in(dir, &["find", "task", "--priority", "high", "--limit", "4", "--cursor", &cursor]);
    let seen: HashSet<&str> = array(&first).iter().map(id_of).collect();
    assert!(array(&second).iter().all(|t| !seen.contains(id_of(t))), "pages overlap");
    assert!(id_of(&array(&second)[0]) > id_of(&array(&first)[3]));

    let ready = json_in(dir, &["ready", "--limit", "10"]);
    assert!(!array(&ready).is_empty());
    for t in array(&ready) {
        assert!(!matches!(t["status"].as_str(), Some("DONE" | "CANCELLED")), "{t}");
        let blockers = json_in(dir, &["related", id_of(t), "--rel", "blocked_by", "--direction", "out"]);
        for b in array(&blockers) {
            assert!(matches!(b["status"].as_str(), Some("DONE" | "CANCELLED")), "ready task blocked by open {b}");
        }
    }
    let workspace = json_in(dir, &["find", "project", "--limit", "1"]);
    let workspace = array(&workspace)[0]["workspace_id"].as_str().unwrap().to_string();
    let rollup = json_in(dir, &["rollup", &workspace]);
    assert_eq!(rollup["total"], 600);
}

#[test]
fn graph_draws_mermaid_and_dot() {
    let dir = demo_store();
    let task = a_blocked_task(dir);
    let mermaid = String::from_utf8(run_in(dir, &["graph", &task]).stdout).unwrap();
    assert!(mermaid.starts_with("flowchart LR") && mermaid.contains("-->|blocks|"), "{mermaid}");
    let dot = json_in(dir, &["graph", &task, "--format", "dot", "--depth", "2", "--limit", "20"]);
    assert!(dot["diagram"].as_str().unwrap().starts_with("digraph convoy {"));
    assert!(dot["nodes"].as_u64().unwrap() <= 20);
}

#[test]
fn bad_ids_and_values_are_named_errors() {
    let dir = demo_store();
    let (code, message) = error_in(dir, &["get", "not-a-uuid"]);
    assert_eq!(code, "bad_id");
    assert!(message.contains("not-a-uuid"), "{message}");
    let ghost = "00000000-0000-4000-8000-000000000001";
    let (code, message) = error_in(dir, &["context", ghost]);
    assert_eq!(code, "not_found");
    assert!(message.contains(ghost), "{message}");
    let task = a_blocked_task(dir);
    let (code, message) = error_in(dir, &["traverse", &task, "--rel", "blocks,teleports"]);
    assert_eq!(code, "bad_argument");
    assert!(message.contains("teleports"), "{message}");
    let (code, _) = error_in(dir, &["find", "task", "--cursor", "zz"]);
    assert_eq!(code, "bad_argument");

    let empty = tempfile::tempdir().unwrap();
    let missing = empty.path().join("none");
    let (code, _) = error_in(&missing, &["ready"]);
    assert_eq!(code, "no_store");
    assert!(!missing.exists(), "a read created the data directory");
}

#[test]
fn every_subcommand_has_help() {
    let out = crate::support::convoy(&["--help"]);
    let help = String::from_utf8(out.stdout).unwrap();
    let commands = [
        "demo",
        "import",
        "export",
        "apply",
        "get",
        "context",
        "ancestors",
        "descendants",
        "related",
        "traverse",
        "rank",
        "find",
        "ready",
        "rollup",
        "graph",
        "snapshot",
        "verify",
        "stats",
        "repair",
    ];
    for command in commands {
        assert!(help.contains(command), "--help lacks {command}");
        let sub = crate::support::convoy(&[command, "--help"]);
        assert!(sub.status.success(), "{command} --help failed");
        let text = String::from_utf8(sub.stdout).unwrap();
        assert!(text.contains("Usage: convoy") && text.lines().count() > 4, "{command} --help:\n{text}");
    }
}
