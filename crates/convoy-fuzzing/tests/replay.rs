//! Replays every committed fuzz input — the seed corpora in
//! `fuzz/corpus/<target>/` and the past crash inputs in
//! `fuzz/regressions/<target>/` — through the same harness functions the
//! cargo-fuzz targets call, on the stable toolchain, so the normal test
//! suite guards them without a fuzzer. A missing or empty corpus
//! directory fails the test rather than passing silently.

use std::path::{Path, PathBuf};

use convoy_fuzzing::TARGETS;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

/// The files of a directory, sorted; empty when it does not exist.
fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut out: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_file()).collect();
    out.sort();
    out
}

fn replay(target: &str) {
    let Some((_, harness)) = TARGETS.iter().find(|(name, _)| *name == target) else {
        unreachable!("no harness for {target}")
    };
    let corpus = files(&fuzz_dir().join("corpus").join(target));
    assert!(!corpus.is_empty(), "fuzz/corpus/{target}/ is missing or empty: nothing would be replayed");
    let regressions = files(&fuzz_dir().join("regressions").join(target));
    for path in corpus.iter().chain(&regressions) {
        let data = std::fs::read(path);
        assert!(data.is_ok(), "cannot read {}: {data:?}", path.display());
        let data = data.unwrap_or_default();
        let outcome = std::panic::catch_unwind(|| harness(&data));
        assert!(
            outcome.is_ok(),
            "{target}: {} fails (replay it with `cargo +nightly fuzz run {target} {}`)",
            path.display(),
            path.display()
        );
    }
}

#[test]
fn log_record_inputs_replay() {
    replay("log_record");
}

#[test]
fn log_segment_inputs_replay() {
    replay("log_segment");
}

#[test]
fn snapshot_inputs_replay() {
    replay("snapshot");
}

#[test]
fn ops_vs_model_inputs_replay() {
    replay("ops_vs_model");
}

#[test]
fn crash_recover_inputs_replay() {
    replay("crash_recover");
}

#[test]
fn import_json_inputs_replay() {
    replay("import_json");
}

#[test]
fn apply_ndjson_inputs_replay() {
    replay("apply_ndjson");
}

/// Every target has a harness, a fuzz target file and a corpus, and no
/// corpus or regression directory belongs to an unknown target.
#[test]
fn targets_corpora_and_harnesses_match() {
    let fuzz = fuzz_dir();
    for (name, _) in TARGETS {
        let target = fuzz.join("fuzz_targets").join(format!("{name}.rs"));
        assert!(target.is_file(), "no fuzz target {}", target.display());
    }
    for kind in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(fuzz.join(kind)) else { continue };
        for entry in entries.filter_map(Result::ok) {
            let name = entry.file_name().to_string_lossy().into_owned();
            assert!(TARGETS.iter().any(|(t, _)| *t == name), "fuzz/{kind}/{name} belongs to no target");
        }
    }
}
