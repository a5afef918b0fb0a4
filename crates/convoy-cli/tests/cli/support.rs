//! Running the binary, and a small demo store shared by the read tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

/// Runs `convoy` with `args`.
pub(crate) fn convoy(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_convoy")).args(args).stdin(Stdio::null()).output().unwrap()
}

/// Runs `convoy --data-dir DIR ARGS…`.
pub(crate) fn run_in(dir: &Path, args: &[&str]) -> Output {
    let mut all = vec!["--data-dir", dir.to_str().unwrap()];
    all.extend_from_slice(args);
    convoy(&all)
}

/// Runs `convoy --data-dir DIR --json ARGS…`, expects success, and parses
/// stdout as one JSON document.
pub(crate) fn json_in(dir: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = run_in(dir, &all);
    assert!(out.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{args:?}: stdout is not one JSON document ({e}): {}", String::from_utf8_lossy(&out.stdout))
    })
}

/// Runs a command expected to fail with `--json`; returns the error's code
/// and message, checking the `{"error":{…}}` shape.
pub(crate) fn error_in(dir: &Path, args: &[&str]) -> (String, String) {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = run_in(dir, &all);
    assert!(!out.status.success(), "{args:?} should fail");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let code = doc["error"]["code"].as_str().expect("error.code").to_string();
    let message = doc["error"]["message"].as_str().expect("error.message").to_string();
    (code, message)
}

/// A read-only demo store (600 tasks), built once per test run. Read tests
/// share it; tests that change a store build their own.
pub(crate) fn demo_store() -> &'static Path {
    static DIR: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let out = run_in(&data, &["demo", "--tasks", "600", "--seed", "3"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        (dir, data)
    });
    path
}

/// A fresh demo store of `tasks` tasks in its own directory.
pub(crate) fn own_demo_store(tasks: usize) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = run_in(&data, &["demo", "--tasks", &tasks.to_string()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    (dir, data)
}
