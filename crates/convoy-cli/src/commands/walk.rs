//! `ancestors`, `descendants`, `related`, `traverse` and `rank`: walks from
//! one entity. Each prints a list whose items carry `id` and `kind` (the
//! full row) plus what the walk measured (`depth`, `distance`, `score`…).

use convoy_core::Graph;
use convoy_query::{RankOptions, Traversal, ancestors, descendants, rank, related, traverse};
use serde_json::{Value, json};

use crate::cli::DirectionArg;
use crate::failure::Failure;
use crate::output::{Table, print, print_json, row_with};
use crate::parse;

fn ids(path: &[convoy_core::EntityId]) -> Vec<String> {
    path.iter().map(ToString::to_string).collect()
}

/// Prints `items` (JSON values, one per result) or `table`.
fn emit(json: bool, items: Vec<Value>, table: &Table) -> Result<(), Failure> {
    if json { print_json(&Value::Array(items)) } else { print(&table.render()) }
}

/// `convoy ancestors ID`.
pub(crate) fn ancestors_command(graph: &Graph, id: &str, json: bool) -> Result<(), Failure> {
    let id = parse::id("id", id)?;
    let found = ancestors(graph, id)?;
    let mut table = Table::new(&["depth", "via", "id", "kind", "status", "name"]);
    let mut items = Vec::with_capacity(found.len());
    for a in &found {
        items.push(row_with(graph, a.id, json!({ "depth": a.depth, "via": a.slot.to_string() })));
        let mut cells = vec![a.depth.to_string(), a.slot.to_string()];
        cells.extend(Table::entity_cells(graph, a.id));
        table.push(cells);
    }
    emit(json, items, &table)
}

/// `convoy descendants ID [--kind K] [--depth N]`.
pub(crate) fn descendants_command(
    graph: &Graph,
    id: &str,
    kind: Option<&str>,
    depth: Option<u32>,
    json: bool,
) -> Result<(), Failure> {
    let id = parse::id("id", id)?;
    let kind = kind.map(parse::kind).transpose()?;
    let found = descendants(graph, id, kind, depth)?;
    let mut table = Table::new(&["depth", "id", "kind", "status", "name"]);
    let mut items = Vec::with_capacity(found.len());
    for d in &found {
        items.push(row_with(graph, d.id, json!({ "depth": d.depth })));
        let mut cells = vec![d.depth.to_string()];
        cells.extend(Table::entity_cells(graph, d.id));
        table.push(cells);
    }
    emit(json, items, &table)
}

/// `convoy related ID [--rel R] [--kind K] [--direction D]`.
pub(crate) fn related_command(
    graph: &Graph,
    id: &str,
    rel: Option<&str>,
    kind: Option<&str>,
    direction: DirectionArg,
    json: bool,
) -> Result<(), Failure> {
    let id = parse::id("id", id)?;
    let relation = rel.map(parse::relation).transpose()?;
    let kind = kind.map(parse::kind).transpose()?;
    let found = related(graph, id, relation, kind, parse::direction(direction))?;
    let mut table = Table::new(&["direction", "relation", "weight", "id", "kind", "status", "name"]);
    let mut items = Vec::with_capacity(found.len());
    for link in &found {
        let direction = format!("{:?}", link.direction).to_lowercase();
        let extra = json!({ "relation": link.relation.to_string(), "direction": direction, "weight": link.weight });
        items.push(row_with(graph, link.id, extra));
        let mut cells = vec![direction, link.relation.to_string(), format!("{:.2}", link.weight)];
        cells.extend(Table::entity_cells(graph, link.id));
        table.push(cells);
    }
    emit(json, items, &table)
}

/// `convoy traverse ID --rel R[,R…] [--hops N] [--direction D] [--kind K]`.
pub(crate) fn traverse_command(
    graph: &Graph,
    id: &str,
    rels: &[String],
    hops: u32,
    direction: DirectionArg,
    kind: Option<&str>,
    json: bool,
) -> Result<(), Failure> {
    let id = parse::id("id", id)?;
    let relations = rels.iter().map(|r| parse::relation(r.trim())).collect::<Result<Vec<_>, _>>()?;
    let query = Traversal {
        relations,
        direction: parse::direction(direction),
        max_hops: hops,
        kind: kind.map(parse::kind).transpose()?,
        limit: None,
    };
    let found = traverse(graph, id, &query)?;
    let mut table = Table::new(&["distance", "id", "kind", "status", "name", "path"]);
    let mut items = Vec::with_capacity(found.len());
    for r in &found {
        items.push(row_with(graph, r.id, json!({ "distance": r.distance, "path": ids(&r.path) })));
        let mut cells = vec![r.distance.to_string()];
        cells.extend(Table::entity_cells(graph, r.id));
        cells.push(ids(&r.path).join(" → "));
        table.push(cells);
    }
    emit(json, items, &table)
}

/// `convoy rank ID [--top N]`.
pub(crate) fn rank_command(graph: &Graph, id: &str, top: usize, json: bool) -> Result<(), Failure> {
    let id = parse::id("id", id)?;
    let options = RankOptions { top, ..RankOptions::default() };
    let found = rank(graph, id, &options)?;
    let mut table = Table::new(&["#", "score", "id", "kind", "status", "name"]);
    let mut items = Vec::with_capacity(found.len());
    for (i, r) in found.iter().enumerate() {
        items.push(row_with(graph, r.id, json!({ "score": r.score, "path": ids(&r.path) })));
        let mut cells = vec![(i + 1).to_string(), format!("{:.3}", r.score)];
        cells.extend(Table::entity_cells(graph, r.id));
        table.push(cells);
    }
    emit(json, items, &table)
}
