//! `snapshot`, `verify`, `stats` and `repair`: looking after the data
//! directory.

use std::collections::BTreeMap;
use std::path::Path;

use convoy_core::model::EntityKind;
use convoy_store::{Db, FileKind, Options, ReadOnly, Verification, verify};
use serde_json::{Value, json};

use crate::failure::Failure;
use crate::open;
use crate::output::{Table, print, print_json};
use crate::progress;

fn micros(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

/// `convoy snapshot`.
pub(crate) fn snapshot(db: &Db, json: bool) -> Result<(), Failure> {
    let spinner = progress::spinner("writing a snapshot");
    let info = db.snapshot();
    spinner.finish_and_clear();
    let info = info?;
    let path = info.path.as_ref().map(|p| p.display().to_string());
    if json {
        return print_json(&json!({
            "seq": info.seq,
            "path": path,
            "bytes": info.bytes,
            "rebuild_us": micros(info.rebuild),
            "write_us": micros(info.write),
            "writer_stall_us": micros(info.writer_stall),
        }));
    }
    match path {
        Some(path) => print(&format!(
            "snapshot at seq {} written to {path} ({} bytes; rebuilt in {:.2?}, written in {:.2?})",
            info.seq, info.bytes, info.rebuild, info.write
        )),
        None => print(&format!("the newest snapshot is already at seq {}: nothing written", info.seq)),
    }
}

fn kind_name(kind: FileKind) -> &'static str {
    match kind {
        FileKind::Segment { .. } => "log segment",
        FileKind::Snapshot { .. } => "snapshot",
        _ => "temporary",
    }
}

fn verification_json(v: &Verification) -> Value {
    let files: Vec<Value> = v
        .files
        .iter()
        .map(|f| {
            json!({
                "path": f.path.display().to_string(),
                "kind": kind_name(f.kind),
                "bytes": f.bytes,
                "items": f.items,
                "last_seq": f.last_seq,
                "torn_tail": f.torn_tail.as_ref().map(ToString::to_string),
                "damage": f.damage.as_ref().map(ToString::to_string),
            })
        })
        .collect();
    json!({
        "ok": v.is_sound(),
        "faults": v.faults.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "files": files,
        "snapshot": v.snapshot,
        "last_seq": v.last_seq,
        "entities": v.entities,
        "relationships": v.relationships,
    })
}

/// `convoy verify`: prints what was checked; fails (`verify_failed`) on
/// any fault.
pub(crate) fn verify_command(dir: &Path, json: bool) -> Result<(), Failure> {
    if !open::has_store(dir) {
        return Err(Failure::new("no_store", format!("no Convoy store in {}", dir.display())));
    }
    let spinner = progress::spinner(&format!("verifying {}", dir.display()));
    let report = verify(dir, &Options::new());
    spinner.finish_and_clear();
    let report = report?;
    if json && report.is_sound() {
        print_json(&verification_json(&report))?;
    } else if !json {
        let mut table = Table::new(&["file", "kind", "bytes", "items", "last seq", "finding"]);
        for f in &report.files {
            let finding = match (&f.damage, &f.torn_tail) {
                (Some(d), _) => format!("DAMAGED: {}", d.damage),
                (None, Some(t)) => format!("torn tail at offset {} (the next open cuts it)", t.offset),
                (None, None) => "ok".into(),
            };
            let name = f.path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            let last = f.last_seq.map_or_else(String::new, |s| s.to_string());
            table.push(vec![name, kind_name(f.kind).into(), f.bytes.to_string(), f.items.to_string(), last, finding]);
        }
        let mut text = table.render();
        text.push_str(&format!(
            "log replays to seq {} onto snapshot {}: {} entities, {} relationships\n",
            report.last_seq,
            report.snapshot.map_or_else(|| "none".to_string(), |s| s.to_string()),
            report.entities,
            report.relationships
        ));
        for fault in &report.faults {
            text.push_str(&format!("FAULT: {fault}\n"));
        }
        if report.is_sound() {
            text.push_str("verified: no faults\n");
        }
        print(&text)?;
    }
    if report.is_sound() {
        Ok(())
    } else {
        let first = report.faults.first().map_or_else(String::new, ToString::to_string);
        let message = format!("{} fault(s) in {}; first: {first}", report.faults.len(), dir.display());
        Err(Failure::new("verify_failed", message).with_detail(verification_json(&report)))
    }
}

/// Bytes and count of the store's files, by kind.
fn files(dir: &Path) -> BTreeMap<&'static str, (u64, u64)> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let kind = if name.ends_with(".cvl") {
            "log"
        } else if name.ends_with(".cvs") {
            "snapshot"
        } else {
            continue;
        };
        let slot = out.entry(kind).or_insert((0, 0));
        slot.0 += 1;
        slot.1 += entry.metadata().map_or(0, |m| m.len());
    }
    out
}

/// `convoy stats`.
pub(crate) fn stats(store: &ReadOnly, dir: &Path, json: bool) -> Result<(), Failure> {
    let graph = store.graph();
    let by_kind: BTreeMap<String, usize> =
        EntityKind::ALL.iter().map(|&k| (k.as_str().to_string(), graph.ids_of_kind(k).len())).collect();
    let report = store.report();
    let last_seq = report.last_seq;
    let files = files(dir);
    let value = json!({
        "entities": graph.entity_count(),
        "relationships": graph.relationship_count(),
        "by_kind": by_kind,
        "last_seq": last_seq,
        "files": files.iter().map(|(k, (n, b))| (k.to_string(), json!({ "count": n, "bytes": b }))).collect::<serde_json::Map<_, _>>(),
        "recovery": {
            "snapshot": report.snapshot,
            "replayed": report.replayed,
            "duration_us": micros(report.duration),
            "skipped_snapshots": report.skipped_snapshots.iter().map(ToString::to_string).collect::<Vec<_>>(),
        },
    });
    if json {
        return print_json(&value);
    }
    let mut table = Table::new(&["kind", "entities"]);
    for (kind, n) in &by_kind {
        table.push(vec![kind.clone(), n.to_string()]);
    }
    let mut text = format!(
        "{} entities, {} relationships, last seq {}\n{}",
        graph.entity_count(),
        graph.relationship_count(),
        last_seq,
        table.render()
    );
    for (kind, (n, bytes)) in &files {
        text.push_str(&format!("{kind} files: {n}, {:.1} MiB\n", *bytes as f64 / 1_048_576.0));
    }
    text.push_str(&format!(
        "recovery: snapshot {}, {} records replayed, {:.2?}\n",
        report.snapshot.map_or_else(|| "none".to_string(), |s| s.to_string()),
        report.replayed,
        report.duration
    ));
    print(&text)
}

/// `convoy repair`: opens with repair on and reports what was cut.
pub(crate) fn repair(dir: &Path, json: bool) -> Result<(), Failure> {
    let db = open::existing(dir, true)?;
    let report = db.recovery_report().clone();
    db.close()?;
    let cut = report.cut.as_ref().map(|c| {
        json!({
            "file": c.file.display().to_string(),
            "offset": c.offset,
            "bytes": c.bytes,
            "damage": c.damage.to_string(),
            "repaired": c.repaired,
            "removed_segments": c.removed_segments.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
        })
    });
    if json {
        return print_json(&json!({ "cut": cut, "last_seq": report.last_seq }));
    }
    match &report.cut {
        None => print(&format!("nothing to repair: the log is whole up to seq {}", report.last_seq)),
        Some(c) => print(&format!(
            "cut {} bytes from {} at offset {} ({}){}; the store now ends at seq {}",
            c.bytes,
            c.file.display(),
            c.offset,
            c.damage,
            if c.removed_segments.is_empty() {
                String::new()
            } else {
                format!(", and removed {} later segment(s)", c.removed_segments.len())
            },
            report.last_seq
        )),
    }
}
