//! `ancestors`, `descendants`, `related`, `traverse` and `rank`: walks from
//! one entity. Each prints a list whose items carry `id` and `kind` (the
//! full row) plus what the walk measured (`depth`, `distance`, `score`…).

use convoy_core::Graph;
use convoy_query::{RankOptions, Traversal, ancestors, descendants, rank, related, traverse};
use serde_json::json;

use crate::cli::DirectionArg;
use crate::failure::Failure;
use crate::output::Listing;
use crate::parse;

fn ids(path: &[convoy_core::EntityId]) -> Vec<String> {
    path.iter().map(ToString::to_string).collect()
}

/// `convoy ancestors ID`.
pub(crate) fn ancestors_command(graph: &Graph, id: &str, json: bool) -> Result<(), Failure> {
    let id = parse::id("id", id)?;
    let found = ancestors(graph, id)?;
    let mut list = Listing::new(graph, &["depth", "via"], &[]);
    for a in &found {
        let extra = json!({ "depth": a.depth, "via": a.slot.to_string() });
        list.push(a.id, extra, vec![a.depth.to_string(), a.slot.to_string()], Vec::new());
    }
    list.print(json)
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
    let mut list = Listing::new(graph, &["depth"], &[]);
    for d in &found {
        list.push(d.id, json!({ "depth": d.depth }), vec![d.depth.to_string()], Vec::new());
    }
    list.print(json)
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
    let mut list = Listing::new(graph, &["direction", "relation", "weight"], &[]);
    for link in &found {
        let direction = format!("{:?}", link.direction).to_lowercase();
        let extra = json!({ "relation": link.relation.to_string(), "direction": direction, "weight": link.weight });
        let lead = vec![direction, link.relation.to_string(), format!("{:.2}", link.weight)];
        list.push(link.id, extra, lead, Vec::new());
    }
    list.print(json)
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
    let mut list = Listing::new(graph, &["distance"], &["path"]);
    for r in &found {
        let path = ids(&r.path);
        let tail = vec![path.join(" → ")];
        list.push(r.id, json!({ "distance": r.distance, "path": path }), vec![r.distance.to_string()], tail);
    }
    list.print(json)
}

/// `convoy rank ID [--top N]`.
pub(crate) fn rank_command(graph: &Graph, id: &str, top: usize, json: bool) -> Result<(), Failure> {
    let id = parse::id("id", id)?;
    let options = RankOptions { top, ..RankOptions::default() };
    let found = rank(graph, id, &options)?;
    let mut list = Listing::new(graph, &["#", "score"], &[]);
    for (i, r) in found.iter().enumerate() {
        let lead = vec![(i + 1).to_string(), format!("{:.3}", r.score)];
        list.push(r.id, json!({ "score": r.score, "path": ids(&r.path) }), lead, Vec::new());
    }
    list.print(json)
}
