//! `find` and `ready`: lists chosen by conditions rather than by a walk.

use convoy_core::model::EntityKind;
use convoy_core::{EntityId, Graph};
use convoy_query::{Cursor, Find, find, ready, ready_anywhere};
use serde_json::{Value, json};

use crate::cli::FindArgs;
use crate::failure::Failure;
use crate::output::{Listing, Table, print, print_json, row_with};
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

/// `convoy ready [--project ID | --workspace ID] [--limit N]`; without a
/// scope, ready work everywhere, in the same order.
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
        None => ready_anywhere(graph, Some(limit)),
    };
    let mut list = Listing::new(graph, &["#", "priority"], &[]);
    for (i, &id) in tasks.iter().enumerate() {
        let priority = graph
            .get(id)
            .and_then(|e| e.data().as_task())
            .and_then(|t| t.priority)
            .map_or_else(|| "-".to_string(), |p| p.to_string());
        list.push(id, json!({ "rank": i + 1 }), vec![(i + 1).to_string(), priority], Vec::new());
    }
    list.print(json)
}
