//! `find` and `ready`: lists chosen by conditions rather than by a walk.

use std::cmp::Reverse;

use convoy_core::model::{Entity, EntityKind};
use convoy_core::{EntityId, Graph};
use convoy_query::{Cursor, Find, find, ready};
use serde_json::{Value, json};

use crate::cli::FindArgs;
use crate::failure::Failure;
use crate::output::{Table, print, print_json, row_with};
use crate::parse;

/// The cursor that continues after `id` in a by-id query.
fn cursor_after(id: EntityId) -> String {
    format!("i:{id}")
}

/// `convoy find KIND [conditions]`: one page, by id; each result carries
/// the cursor that continues after it.
pub(crate) fn find_command(graph: &Graph, args: &FindArgs, json: bool) -> Result<(), Failure> {
    let kind = parse::kind(&args.kind)?;
    let mut q = Find::new(kind);
    for s in &args.status {
        if kind == EntityKind::Task {
            q.task_statuses.push(parse::task_status(s)?);
        } else {
            q.statuses.push(parse::status(s)?);
        }
    }
    q.priorities = args.priority.iter().map(|p| parse::priority(p)).collect::<Result<_, _>>()?;
    q.labels_all.clone_from(&args.label);
    let within = [("--project", &args.project), ("--workstream", &args.workstream), ("--milestone", &args.milestone)]
        .into_iter()
        .chain([("--workspace", &args.workspace)])
        .find_map(|(name, value)| value.as_deref().map(|v| (name, v)));
    q.within = within.map(|(name, value)| parse::id(name, value)).transpose()?;
    q.owner = args.owner.as_deref().map(|o| parse::id("--owner", o)).transpose()?;
    q.text.clone_from(&args.text);
    q.limit = args.limit;
    q.after = args
        .cursor
        .as_deref()
        .map(|c| c.parse::<Cursor>().map_err(|e| Failure::bad_argument("--cursor", c, e)))
        .transpose()?;
    let page = find(graph, &q)?;
    let items: Vec<Value> =
        page.ids.iter().map(|&id| row_with(graph, id, json!({ "cursor": cursor_after(id) }))).collect();
    if json {
        return print_json(&Value::Array(items));
    }
    let mut table = Table::new(&["id", "kind", "status", "name"]);
    for &id in &page.ids {
        table.push(Table::entity_cells(graph, id));
    }
    let mut text = table.render();
    if let Some(next) = page.next {
        text.push_str(&format!("more: --cursor {next}\n"));
    }
    print(&text)
}

/// Urgency order of ready work: priority (urgent first, none last), then
/// oldest, then id — the order `convoy_query::ready` uses.
fn urgency(graph: &Graph, id: EntityId) -> (Reverse<Option<convoy_core::model::Priority>>, i64, EntityId) {
    let entity = graph.get(id);
    let priority = entity.and_then(|e| e.data().as_task()).and_then(|t| t.priority);
    (Reverse(priority), entity.map_or(0, |e| Entity::created_at(e).as_micros()), id)
}

/// `convoy ready [--project ID | --workspace ID] [--limit N]`; without a
/// scope, ready work of every workspace, merged in urgency order.
pub(crate) fn ready_command(
    graph: &Graph,
    project: Option<&str>,
    workspace: Option<&str>,
    limit: usize,
    json: bool,
) -> Result<(), Failure> {
    let scope = match (project, workspace) {
        (Some(p), _) => Some(parse::id("--project", p)?),
        (None, Some(w)) => Some(parse::id("--workspace", w)?),
        (None, None) => None,
    };
    let tasks = match scope {
        Some(scope) => ready(graph, scope, Some(limit))?,
        None => {
            let mut all = Vec::new();
            for &ws in graph.ids_of_kind(EntityKind::Workspace) {
                all.extend(ready(graph, ws, Some(limit))?);
            }
            all.sort_by_cached_key(|&t| urgency(graph, t));
            all.truncate(limit);
            all
        }
    };
    if json {
        let items = tasks.iter().enumerate().map(|(i, &id)| row_with(graph, id, json!({ "rank": i + 1 })));
        return print_json(&Value::Array(items.collect()));
    }
    let mut table = Table::new(&["#", "priority", "id", "kind", "status", "name"]);
    for (i, &id) in tasks.iter().enumerate() {
        let priority = graph
            .get(id)
            .and_then(|e| e.data().as_task())
            .and_then(|t| t.priority)
            .map_or_else(|| "-".to_string(), |p| p.to_string());
        let mut cells = vec![(i + 1).to_string(), priority];
        cells.extend(Table::entity_cells(graph, id));
        table.push(cells);
    }
    print(&table.render())
}
