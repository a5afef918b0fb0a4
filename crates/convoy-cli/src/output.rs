//! Printing results: one JSON document with `--json`, aligned text tables
//! without it; entities as the seeds' rows (plus `kind`).

use std::io::Write as _;

use convoy_core::model::{Entity, EntityData};
use convoy_core::{EntityId, Graph};
use serde_json::{Map, Value, json};

use crate::failure::Failure;

/// Writes `text` to stdout.
pub(crate) fn print(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    if !text.ends_with('\n') {
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}

/// Writes `value` as one JSON document (one line) on stdout.
pub(crate) fn print_json(value: &Value) -> Result<(), Failure> {
    print(&value.to_string())
}

/// The entity's row in the seeds' format plus `"kind"`, with foreign-key
/// columns derived from its edges; `null` if it does not exist.
pub(crate) fn row(graph: &Graph, id: EntityId) -> Value {
    convoy_cli::seeds::entity_row(graph, id).map_or(Value::Null, Value::Object)
}

/// [`row`] with extra keys (depth, distance, score, path, …) added.
pub(crate) fn row_with(graph: &Graph, id: EntityId, extra: Value) -> Value {
    let mut object = match row(graph, id) {
        Value::Object(map) => map,
        _ => {
            let mut map = Map::new();
            map.insert("id".into(), json!(id.to_string()));
            map
        }
    };
    if let Value::Object(extra) = extra {
        object.extend(extra);
    }
    Value::Object(object)
}

/// The status word of an entity, if its kind has one.
pub(crate) fn status(entity: &Entity) -> String {
    match entity.data() {
        EntityData::Task(t) => t.status.to_string(),
        EntityData::Project(x) => x.status.to_string(),
        EntityData::Workstream(x) => x.status.to_string(),
        EntityData::Milestone(x) => x.status.to_string(),
        EntityData::Slice(x) => x.status.to_string(),
        _ => String::new(),
    }
}

/// `name` clipped to `width` characters, with an ellipsis when cut.
pub(crate) fn clip(name: &str, width: usize) -> String {
    if name.chars().count() <= width {
        return name.to_string();
    }
    let mut out: String = name.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// A text table: a header row and left-aligned columns.
pub(crate) struct Table {
    headers: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column headers.
    pub(crate) fn new(headers: &[&'static str]) -> Self {
        Self { headers: headers.to_vec(), rows: Vec::new() }
    }

    /// Appends a row (missing cells print empty).
    pub(crate) fn push(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }

    /// The standard columns for an entity: id, kind, status, name.
    pub(crate) fn entity_cells(graph: &Graph, id: EntityId) -> Vec<String> {
        match graph.get(id) {
            Some(e) => vec![id.to_string(), e.kind().to_string(), status(e), clip(e.data().name().as_str(), 60)],
            None => vec![id.to_string(), String::new(), String::new(), "(gone)".into()],
        }
    }

    /// The table as text, with a count line when it has no rows.
    pub(crate) fn render(&self) -> String {
        if self.rows.is_empty() {
            return "(none)\n".to_string();
        }
        let columns = self.headers.len().max(self.rows.iter().map(Vec::len).max().unwrap_or(0));
        let mut widths = vec![0usize; columns];
        let cell = |row: &[String], i: usize| row.get(i).map_or(0, |c| c.chars().count());
        for (i, width) in widths.iter_mut().enumerate() {
            *width = self.headers.get(i).map_or(0, |h| h.chars().count());
            for row in &self.rows {
                *width = (*width).max(cell(row, i));
            }
        }
        let mut out = String::new();
        let line = |cells: Vec<&str>, out: &mut String| {
            let mut text = String::new();
            for (i, c) in cells.iter().enumerate() {
                if i + 1 == cells.len() {
                    text.push_str(c);
                } else {
                    text.push_str(c);
                    text.push_str(&" ".repeat(widths[i] - c.chars().count() + 2));
                }
            }
            out.push_str(text.trim_end());
            out.push('\n');
        };
        line(self.headers.clone(), &mut out);
        for row in &self.rows {
            line((0..columns).map(|i| row.get(i).map_or("", String::as_str)).collect(), &mut out);
        }
        out
    }
}

/// A list result: one JSON item per entity (its row plus what the command
/// measured) and the matching text table row (the measures, then the
/// entity's id, kind, status and name, then any trailing cells).
pub(crate) struct Listing<'g> {
    graph: &'g Graph,
    items: Vec<Value>,
    table: Table,
}

impl<'g> Listing<'g> {
    /// An empty list; `measures` head the table before the entity columns.
    pub(crate) fn new(graph: &'g Graph, measures: &[&'static str], trailing: &[&'static str]) -> Self {
        let headers: Vec<&'static str> =
            measures.iter().chain(&["id", "kind", "status", "name"]).chain(trailing).copied().collect();
        Self { graph, items: Vec::new(), table: Table::new(&headers) }
    }

    /// Adds entity `id` with JSON measures `extra` and text cells `lead`
    /// (before the entity's) and `tail` (after).
    pub(crate) fn push(&mut self, id: EntityId, extra: Value, lead: Vec<String>, tail: Vec<String>) {
        self.items.push(row_with(self.graph, id, extra));
        let mut cells = lead;
        cells.extend(Table::entity_cells(self.graph, id));
        cells.extend(tail);
        self.table.push(cells);
    }

    /// Prints the JSON array or the table.
    pub(crate) fn print(self, json: bool) -> Result<(), Failure> {
        if json { print_json(&Value::Array(self.items)) } else { print(&self.table.render()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_columns_and_say_none_when_empty() {
        let mut table = Table::new(&["id", "name"]);
        assert_eq!(table.render(), "(none)\n");
        table.push(vec!["a".into(), "first".into()]);
        table.push(vec!["bbbb".into(), "second".into()]);
        assert_eq!(table.render(), "id    name\na     first\nbbbb  second\n");
    }

    #[test]
    fn clip_keeps_short_names_and_marks_cut_ones() {
        assert_eq!(clip("short", 10), "short");
        assert_eq!(clip("a longer name", 5), "a lo…");
    }
}
