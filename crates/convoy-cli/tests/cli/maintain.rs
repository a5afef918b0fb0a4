//! `stats`, `snapshot`, `verify` and `repair` on stores of their own.

use crate::support::{error_in, json_in, own_demo_store, run_in};

#[test]
fn stats_and_snapshot_report_the_store() {
    let (_keep, dir) = own_demo_store(300);
    let stats = json_in(&dir, &["stats"]);
    assert_eq!(stats["by_kind"]["task"], 300);
    assert!(stats["relationships"].as_u64().unwrap() > 300);
    assert!(stats["files"]["snapshot"]["bytes"].as_u64().unwrap() > 0);
    let snapshot = json_in(&dir, &["snapshot"]);
    assert_eq!(snapshot["seq"], stats["last_seq"]);
    assert!(snapshot["path"].is_null(), "nothing new since the demo's snapshot: {snapshot}");
}

#[test]
fn verify_passes_a_sound_store_and_names_a_damaged_file() {
    let (_keep, dir) = own_demo_store(300);
    let ok = json_in(&dir, &["verify"]);
    assert_eq!(ok["ok"], true, "{ok}");
    assert!(ok["entities"].as_u64().unwrap() > 300);
    let text = run_in(&dir, &["verify"]);
    assert!(text.status.success());
    assert!(String::from_utf8_lossy(&text.stdout).contains("verified: no faults"));

    let snapshot = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "cvs"))
        .unwrap();
    let mut bytes = std::fs::read(&snapshot).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x40;
    std::fs::write(&snapshot, &bytes).unwrap();
    let bad = run_in(&dir, &["verify"]);
    assert!(!bad.status.success(), "verify passed a damaged snapshot");
    let stdout = String::from_utf8_lossy(&bad.stdout);
    let name = snapshot.file_name().unwrap().to_string_lossy();
    assert!(stdout.contains("FAULT") && stdout.contains(&*name), "{stdout}");
    let (code, message) = error_in(&dir, &["verify"]);
    assert_eq!(code, "verify_failed");
    assert!(message.contains(&*name), "{message}");
}

#[test]
fn repair_cuts_mid_log_damage_and_says_what_it_cut() {
    let (_keep, dir) = own_demo_store(200);
    // Two batches after the demo's snapshot, so the log has records past it.
    let segment = || {
        let mut logs: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "cvl"))
            .collect();
        logs.sort();
        logs.pop().unwrap()
    };
    let before = std::fs::metadata(segment()).unwrap().len();
    let lines = "{\"op\":\"create\",\"table\":\"users\",\"row\":{\"name\":\"ada\"}}\n\
                 {\"op\":\"create\",\"table\":\"users\",\"row\":{\"name\":\"grace\"}}\n";
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_convoy"))
        .args(["--data-dir", dir.to_str().unwrap(), "apply", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), lines.as_bytes()).unwrap();
    assert!(child.wait_with_output().unwrap().status.success());
    let path = segment();
    let mut bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() as u64 > before, "the log grew");
    // Damage the first new record's payload: the second still follows it.
    bytes[usize::try_from(before).unwrap() + 20] ^= 0x01;
    std::fs::write(&path, &bytes).unwrap();
    let (code, _) = error_in(&dir, &["stats"]);
    assert_eq!(code, "damaged");
    let repaired = json_in(&dir, &["repair"]);
    assert_eq!(repaired["cut"]["repaired"], true, "{repaired}");
    assert_eq!(repaired["cut"]["offset"].as_u64().unwrap(), before);
    assert_eq!(json_in(&dir, &["verify"])["ok"], true);
    assert_eq!(json_in(&dir, &["repair"])["cut"], serde_json::Value::Null);
}
