//! `import`, `export` and `apply`: the seeds' table format and NDJSON
//! mutations in and out of the store (the formats live in the library:
//! `convoy_cli::{import, export, apply}`).

use std::io::{BufRead, BufReader, Read as _, Write as _};
use std::path::Path;

use convoy_cli::import::MAX_DOCUMENT_BYTES;
use convoy_store::Db;
use serde_json::json;

use crate::failure::Failure;
use crate::output::{print, print_json};
use crate::progress;

/// The import document, from a file or (`-`) standard input, refused when
/// over [`MAX_DOCUMENT_BYTES`] without reading more than that.
fn read_all(path: &Path) -> Result<Vec<u8>, Failure> {
    if path != Path::new("-") {
        return convoy_cli::import::read_file(path).map_err(|e| Failure::new(e.code(), e.to_string()));
    }
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(MAX_DOCUMENT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::new("io", format!("cannot read standard input: {e}")))?;
    if bytes.len() as u64 > MAX_DOCUMENT_BYTES {
        return Err(Failure::new("too_large", format!("standard input is over {MAX_DOCUMENT_BYTES} bytes")));
    }
    Ok(bytes)
}

/// `convoy import FILE`.
pub(crate) fn import(db: &Db, path: &Path, json: bool) -> Result<(), Failure> {
    let bytes = read_all(path)?;
    let spinner = progress::spinner(&format!("importing {}", path.display()));
    let result = convoy_cli::import::import(db, &bytes);
    spinner.finish_and_clear();
    let summary = result.map_err(|e| {
        let rows = serde_json::to_value(e.rows()).unwrap_or_default();
        Failure::new(e.code(), e.to_string()).with_detail(json!({ "rows": rows }))
    })?;
    let value = serde_json::to_value(&summary).map_err(|e| Failure::new("failed", e.to_string()))?;
    if json {
        return print_json(&json!({ "imported": value }));
    }
    let mut text = format!("imported {} into {}\n", path.display(), db.dir().display());
    if let serde_json::Value::Object(tables) = &value {
        for (table, n) in tables {
            text.push_str(&format!("  {table}: {n}\n"));
        }
    }
    print(&text)
}

/// `convoy export FILE`.
pub(crate) fn export(graph: &convoy_core::Graph, path: &Path, json: bool) -> Result<(), Failure> {
    let spinner = progress::spinner(&format!("exporting to {}", path.display()));
    let document = convoy_cli::export::export(graph);
    let text = serde_json::to_string_pretty(&document).map_err(|e| Failure::new("failed", e.to_string()))?;
    if path == Path::new("-") {
        spinner.finish_and_clear();
        return print(&text);
    }
    let write = std::fs::File::create(path).and_then(|mut f| {
        f.write_all(text.as_bytes())?;
        f.write_all(b"\n")?;
        f.sync_all()
    });
    spinner.finish_and_clear();
    write.map_err(|e| Failure::new("io", format!("cannot write {}: {e}", path.display())))?;
    let rows: serde_json::Map<String, serde_json::Value> = document
        .as_object()
        .map(|tables| tables.iter().map(|(t, rows)| (t.clone(), json!(rows.as_array().map_or(0, Vec::len)))).collect())
        .unwrap_or_default();
    if json {
        return print_json(&json!({ "exported": rows, "path": path.display().to_string() }));
    }
    let total: u64 = rows.values().filter_map(serde_json::Value::as_u64).sum();
    print(&format!("exported {total} rows in {} tables to {}", rows.len(), path.display()))
}

/// `convoy apply [FILE|-]`: acknowledgement lines go to stdout as each
/// batch becomes durable (so `--json` changes nothing here).
pub(crate) fn apply(db: &Db, path: Option<&Path>) -> Result<(), Failure> {
    let input: Box<dyn BufRead> = match path {
        None => Box::new(std::io::stdin().lock()),
        Some(p) if p == Path::new("-") => Box::new(std::io::stdin().lock()),
        Some(p) => Box::new(BufReader::new(
            std::fs::File::open(p).map_err(|e| Failure::new("io", format!("cannot open {}: {e}", p.display())))?,
        )),
    };
    let out = std::io::stdout().lock();
    let summary = convoy_cli::apply::apply(db, input, out)?;
    if summary.refused > 0 {
        return Err(Failure::new(
            "lines_refused",
            format!("{} of {} lines refused", summary.refused, summary.refused + summary.ok),
        )
        .stderr_only());
    }
    Ok(())
}
