//! `convoy demo`: the main job, end to end.

use crate::support::convoy;

#[test]
fn demo_shows_context_ranking_ready_work_rollups_and_store_figures() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = convoy(&["--data-dir", data.to_str().unwrap(), "demo", "--tasks", "800"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    for part in ["# Task: ", "## Blocked by", "━━ Ranked context", "━━ Ready work", "Roll-up: 800 tasks", "━━ Store: "]
    {
        assert!(text.contains(part), "{part} missing from\n{text}");
    }
    // A second run refuses to overwrite, unless told to.
    let again = convoy(&["--data-dir", data.to_str().unwrap(), "--json", "demo", "--tasks", "800"]);
    assert!(!again.status.success());
    let error: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert!(error["error"]["message"].as_str().unwrap().contains("--replace"));
    let json = convoy(&["--data-dir", data.to_str().unwrap(), "--json", "demo", "--tasks", "800", "--replace"]);
    assert!(json.status.success(), "{}", String::from_utf8_lossy(&json.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(doc["workspace"]["entity"]["rollup"]["total"], 800);
    assert!(doc["context"]["task"]["id"].is_string());
    assert!(doc["store"]["entities"].as_u64().unwrap() > 800);
}

#[test]
fn demo_never_replaces_a_directory_with_foreign_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let out = convoy(&["--data-dir", dir.path().to_str().unwrap(), "demo", "--tasks", "100", "--replace"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a Convoy file"));
    assert!(dir.path().join("notes.txt").exists());
}
