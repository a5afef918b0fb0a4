//! `get`, `context` and `rollup`: one entity and what surrounds it.

use convoy_cli::seeds::activity_row;
use convoy_core::model::EntityKind;
use convoy_core::{EntityId, Graph};
use convoy_query::{
    ContainerBundle, Format, Guidance, TaskBundle, container_bundle, render_bundle, render_container, rollup,
    task_bundle,
};
use serde_json::{Map, Value, json};

use crate::cli::{ContextArgs, ContextFormat};
use crate::failure::Failure;
use crate::output::{self, Table, print, print_json, row};
use crate::parse;

fn exists(graph: &Graph, id: EntityId) -> Result<(), Failure> {
    if graph.contains(id) { Ok(()) } else { Err(Failure::new("not_found", format!("no entity {id}"))) }
}

/// `convoy get ID`.
pub(crate) fn get(graph: &Graph, id: &str, json: bool) -> Result<(), Failure> {
    let id = parse::id("id", id)?;
    exists(graph, id)?;
    let value = row(graph, id);
    if json {
        return print_json(&value);
    }
    let mut table = Table::new(&["column", "value"]);
    if let Value::Object(map) = &value {
        for (column, v) in map {
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Null => continue,
                other => other.to_string(),
            };
            table.push(vec![column.clone(), text]);
        }
    }
    print(&table.render())
}

fn rows(graph: &Graph, entities: &[&convoy_core::model::Entity]) -> Value {
    Value::Array(entities.iter().map(|e| row(graph, e.id())).collect())
}

fn one(graph: &Graph, entity: Option<&convoy_core::model::Entity>) -> Value {
    entity.map_or(Value::Null, |e| row(graph, e.id()))
}

fn guidance(graph: &Graph, items: &[Guidance<'_>]) -> Value {
    let scoped = items.iter().map(|g| {
        let scope = format!("{:?}", g.level).to_lowercase();
        output::row_with(graph, g.entity.id(), json!({ "scope": scope }))
    });
    Value::Array(scoped.collect())
}

/// The whole task bundle with every entity as its full row.
fn task_json(graph: &Graph, b: &TaskBundle<'_>) -> Value {
    let stage = b.current_stage.map(|s| {
        json!({
            "name": s.name.to_string(),
            "description": s.description.as_ref().map(ToString::to_string),
            "is_checkpoint": s.is_checkpoint,
            "checkpoint_type": s.checkpoint_type.as_ref().map(ToString::to_string),
        })
    });
    json!({
        "task": row(graph, b.task.id()),
        "parent_task": one(graph, b.parent_task),
        "subtasks": rows(graph, &b.subtasks),
        "slice": one(graph, b.slice),
        "milestone": one(graph, b.milestone),
        "workstream": one(graph, b.workstream),
        "project": one(graph, b.project),
        "workspace": one(graph, b.workspace),
        "blocks": rows(graph, &b.blocks),
        "blocked_by": rows(graph, &b.blocked_by),
        "has_open_blocker": b.has_open_blocker,
        "related": rows(graph, &b.related),
        "workflow": one(graph, b.workflow),
        "current_stage": stage,
        "patterns": guidance(graph, &b.patterns),
        "best_practices": guidance(graph, &b.best_practices),
        "recent_activity": b.recent_activity.iter().map(|a| Value::Object(activity_row(a))).collect::<Vec<_>>(),
    })
}

/// The whole container bundle with every entity as its full row.
fn container_json(graph: &Graph, b: &ContainerBundle<'_>) -> Value {
    let ancestors: Vec<Value> =
        b.ancestors.iter().map(|a| output::row_with(graph, a.id, json!({ "depth": a.depth }))).collect();
    let mut children = Map::new();
    for (kind, entities) in &b.children {
        children.insert(kind.as_str().to_string(), rows(graph, entities));
    }
    json!({
        "entity": row(graph, b.entity.id()),
        "ancestors": ancestors,
        "children": children,
        "rollup": rollup_json(&b.rollup),
        "patterns": guidance(graph, &b.patterns),
        "best_practices": guidance(graph, &b.best_practices),
    })
}

fn rollup_json(r: &convoy_query::Rollup) -> Value {
    let by_status: Map<String, Value> = r.by_status.iter().map(|(s, n)| (s.to_string(), json!(n))).collect();
    json!({ "total": r.total, "by_status": by_status, "done_fraction": r.done_fraction })
}

/// `convoy context ID`.
pub(crate) fn context(graph: &Graph, args: &ContextArgs, json: bool) -> Result<(), Failure> {
    let id = parse::id("id", &args.id)?;
    exists(graph, id)?;
    let format = args.format.unwrap_or(if json { ContextFormat::Json } else { ContextFormat::Markdown });
    let is_task = graph.get(id).is_some_and(|e| e.kind() == EntityKind::Task);
    let budget = args.budget.unwrap_or(usize::MAX);
    match (format, args.budget) {
        (ContextFormat::Json, None) => {
            let value = if is_task {
                task_json(graph, &task_bundle(graph, id, args.activity)?)
            } else {
                container_json(graph, &container_bundle(graph, id)?)
            };
            print_json(&value)
        }
        (ContextFormat::Json, Some(_)) | (ContextFormat::Markdown, _) => {
            let as_format = if format == ContextFormat::Json { Format::Json } else { Format::Markdown };
            let text = if is_task {
                render_bundle(&task_bundle(graph, id, args.activity)?, as_format, budget)?
            } else {
                render_container(&container_bundle(graph, id)?, as_format, budget)?
            };
            if json && format == ContextFormat::Markdown {
                return print_json(&json!({ "id": id.to_string(), "markdown": text }));
            }
            print(&text)
        }
    }
}

/// `convoy rollup ID`.
pub(crate) fn rollup_command(graph: &Graph, id: &str, json: bool) -> Result<(), Failure> {
    let id = parse::id("id", id)?;
    let r = rollup(graph, id)?;
    if json {
        let mut value = rollup_json(&r);
        value["id"] = json!(id.to_string());
        return print_json(&value);
    }
    let mut table = Table::new(&["status", "tasks"]);
    for (status, n) in &r.by_status {
        table.push(vec![status.to_string(), n.to_string()]);
    }
    print(&format!("{} tasks, {:.1}% done\n{}", r.total, r.done_fraction * 100.0, table.render()))
}
