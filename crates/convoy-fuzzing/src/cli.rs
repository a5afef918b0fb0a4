//! The CLI's two text formats: the seeds' JSON import document and the
//! NDJSON op stream. Any bytes give a typed error or batches the graph
//! takes; nothing panics, and what is accepted keeps every invariant.

use convoy_core::Graph;

use crate::bug;

/// `import_json`: bytes as an import document, into an empty graph. A
/// document `parse` accepts must apply batch by batch (it was validated
/// whole), keep the invariants, and export to a document that imports
/// again into an empty graph to the same entities and edges.
pub fn import_json(data: &[u8]) {
    let empty = Graph::new();
    let Ok(batches) = convoy_cli::import::parse(&empty, data) else { return };
    let mut graph = Graph::new();
    for (i, batch) in batches.iter().enumerate() {
        if let Err(e) = graph.apply(batch) {
            bug(format!("import batch {i} was validated but refused: {e}"));
        }
    }
    if let Err(v) = graph.check_invariants() {
        bug(format!("an accepted import broke invariants: {v}"));
    }
    let exported = convoy_cli::export::export(&graph).to_string();
    let again = match convoy_cli::import::parse(&Graph::new(), exported.as_bytes()) {
        Ok(batches) => batches,
        Err(e) => bug(format!("the export of an accepted import does not import: {e}")),
    };
    let mut back = Graph::new();
    for batch in &again {
        if let Err(e) = back.apply(batch) {
            bug(format!("a re-import batch was validated but refused: {e}"));
        }
    }
    if graph.state() != back.state() {
        bug("export then import changed the graph");
    }
}

/// `apply_ndjson`: bytes as NDJSON lines, each parsed against the graph as
/// it stands and applied when it parses. Every line either fails to parse
/// with a typed error, or gives a batch the graph accepts or refuses
/// without breaking an invariant.
pub fn apply_ndjson(data: &[u8]) {
    let mut graph = Graph::new();
    let text = String::from_utf8_lossy(data);
    for line in text.split('\n').take(64) {
        if line.trim().is_empty() {
            continue;
        }
        let Ok(batch) = convoy_cli::apply::parse_line(&graph, line) else { continue };
        let before = graph.state();
        if graph.apply(&batch).is_err() && graph.state() != before {
            bug("a refused line changed the graph");
        }
    }
    if let Err(v) = graph.check_invariants() {
        bug(format!("applied lines broke invariants: {v}"));
    }
}
