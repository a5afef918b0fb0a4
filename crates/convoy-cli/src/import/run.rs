//! Planning, validating and committing an import.

use std::collections::BTreeMap;
use std::path::Path;

use convoy_core::{Batch, Graph};
use convoy_store::{CommitError, Db};
use serde::Serialize;

use super::error::{ImportError, MAX_DOCUMENT_BYTES};
use super::{batches, plan};

/// What an import wrote.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize)]
pub struct ImportSummary {
    /// Rows read, per table present in the document.
    pub rows: BTreeMap<String, usize>,
    /// Ops committed.
    pub ops: usize,
    /// Batches committed (1 unless the import was split).
    pub batches: usize,
    /// Sequence number of the first batch, if any was committed.
    pub first_seq: Option<u64>,
    /// Sequence number of the last batch, if any was committed.
    pub last_seq: Option<u64>,
    /// Edge-row `id`s read but not kept, per `table.column`.
    pub ids_not_kept: BTreeMap<String, usize>,
}

/// Reads an import document from a file, refusing one over
/// [`MAX_DOCUMENT_BYTES`] before reading it. O(file size).
///
/// # Errors
/// [`ImportError::Io`] when the file cannot be read,
/// [`ImportError::TooLarge`] when it is too big.
pub fn read_file(path: &Path) -> Result<Vec<u8>, ImportError> {
    use std::io::Read as _;
    let io = |source| ImportError::Io { path: path.to_path_buf(), source };
    let file = std::fs::File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    if len > MAX_DOCUMENT_BYTES {
        return Err(ImportError::TooLarge { len, max: MAX_DOCUMENT_BYTES });
    }
    let mut bytes = Vec::new();
    // The file may grow while being read: read one byte past the limit at most.
    file.take(MAX_DOCUMENT_BYTES + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > MAX_DOCUMENT_BYTES {
        return Err(ImportError::TooLarge { len: bytes.len() as u64, max: MAX_DOCUMENT_BYTES });
    }
    Ok(bytes)
}

/// Reads and checks a whole import against `graph` and returns the batches
/// that would import it, in commit order (one batch when it fits; see the
/// module docs). Pure: no I/O, and `graph` is not changed. Reads the clock
/// once, for rows without `created_at`, and draws ids for rows without one.
///
/// Cost: O(document) to read and plan, plus a copy of `graph` (O(V + E))
/// on which the batches are validated.
///
/// # Errors
/// [`ImportError::TooLarge`], [`ImportError::Json`],
/// [`ImportError::NotAnObject`] for the document;
/// [`ImportError::Rows`] with every bad row; [`ImportError::Refused`] for
/// what the graph refuses.
pub fn parse(graph: &Graph, doc: &[u8]) -> Result<Vec<Batch>, ImportError> {
    let plan = plan::plan(graph, doc)?;
    let split = batches::split(plan);
    batches::validate(graph, &split)?;
    Ok(split.into_batches())
}

/// Imports a document into `db`, all or nothing when it fits one batch
/// (see the module docs), and says what it wrote.
///
/// Cost: O(document) to read and plan under the store's read lock; one
/// commit per batch. A split import also validates every batch first on a
/// copy of the graph (O(V + E)), so the graph's refusals come before the
/// first commit.
///
/// # Errors
/// Those of [`parse`]; [`ImportError::Commit`] when a commit fails (for
/// instance because another writer changed the store meanwhile).
pub fn import(db: &Db, doc: &[u8]) -> Result<ImportSummary, ImportError> {
    let split = {
        let graph = db.read();
        let split = batches::split(plan::plan(&graph, doc)?);
        if split.len() > 1 {
            batches::validate(&graph, &split)?;
        }
        split
    };
    let mut summary =
        ImportSummary { rows: split.rows().clone(), ids_not_kept: split.ids_not_kept().clone(), ..Default::default() };
    let total = split.len();
    let (batches, locator) = split.into_parts();
    for (committed, batch) in batches.into_iter().enumerate() {
        let ops = batch.len();
        match db.commit(batch) {
            Ok(seq) => {
                summary.first_seq.get_or_insert(seq);
                summary.last_seq = Some(seq);
                summary.ops += ops;
                summary.batches += 1;
            }
            Err(CommitError::Refused(error)) if total == 1 => {
                return Err(ImportError::Refused { row: locator.locate(0, &error), error });
            }
            Err(error) => return Err(ImportError::Commit { committed, batches: total, error }),
        }
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &[u8] = include_bytes!("../../tests/fixtures/seeds.json");

    #[test]
    fn parse_never_panics_on_truncated_or_corrupted_documents() {
        let graph = Graph::new();
        assert_eq!(parse(&graph, FIXTURE).map(|b| b.len()).ok(), Some(1));
        let mut refused = 0;
        for cut in (0..FIXTURE.len()).step_by(37) {
            refused += usize::from(parse(&graph, &FIXTURE[..cut]).is_err());
        }
        assert!(refused > 0);
        // Flip one byte at a time through the document: JSON errors, bad
        // values, unknown columns, dangling ids — never a panic.
        let mut accepted = 0;
        for at in (0..FIXTURE.len()).step_by(11) {
            for byte in [b'0', b'"', b'{', b'x', b'-'] {
                let mut doc = FIXTURE.to_vec();
                doc[at] = byte;
                if let Ok(batches) = parse(&graph, &doc) {
                    accepted += 1;
                    let mut g = Graph::new();
                    for batch in &batches {
                        g.apply(batch).unwrap();
                    }
                    g.check_invariants().unwrap();
                }
            }
        }
        assert!(accepted > 0, "some flips only change a value");
    }

    #[test]
    fn read_file_refuses_what_it_cannot_read() {
        let dir = tempfile::tempdir().unwrap();
        let err = read_file(&dir.path().join("missing.json")).unwrap_err();
        assert_eq!(err.code(), "io");
        assert!(err.to_string().contains("missing.json"), "{err}");
        let path = dir.path().join("doc.json");
        std::fs::write(&path, b"{}").unwrap();
        assert_eq!(read_file(&path).unwrap(), b"{}");
    }

    #[test]
    fn a_refused_single_batch_import_names_the_row_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path(), convoy_store::Options::new()).unwrap();
        // A workflow whose stage the task is not in: only the graph sees it.
        let doc = serde_json::json!({
            "workspaces": [{"id": "11111111-0000-4000-8000-000000000001", "name": "w"}],
            "projects": [{"id": "44444444-0000-4000-8000-000000000001", "workspace_id": "11111111-0000-4000-8000-000000000001", "name": "p"}],
            "workflows": [{"id": "33333333-0000-4000-8000-000000000001", "name": "f", "stages": [{"name": "PLAN"}]}],
            "tasks": [{"id": "88888888-0000-4000-8000-000000000001", "project_id": "44444444-0000-4000-8000-000000000001",
                       "workflow_type": "33333333-0000-4000-8000-000000000001", "title": "t", "current_stage": "SHIP"}]
        });
        let err = import(&db, &serde_json::to_vec(&doc).unwrap()).unwrap_err();
        assert_eq!(err.code(), "unknown_stage");
        let ImportError::Refused { row: Some(row), .. } = &err else { panic!("{err:?}") };
        assert_eq!((row.table.as_str(), row.index), ("tasks", 0));
        assert!(err.to_string().starts_with("tasks[0]: refused:"), "{err}");
        assert_eq!(db.last_seq(), 0);
        assert!(db.read().is_empty());
    }
}
