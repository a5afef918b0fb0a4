//! Rendering bundles and rankings for a prompt (Markdown) or for tools
//! (compact JSON), within a character budget: the least important items go
//! first, and the output says what was left out.
//!
//! Importance, most to least, for a task bundle: the task; its blockers
//! (and whether one is open); parent task and containers; workflow and
//! stage; subtasks; tasks it blocks; related tasks; patterns; best
//! practices; activity (oldest first to go). Within a section the last
//! items go first. For a ranking, the lowest-ranked go first.

use std::collections::BTreeMap;

use convoy_core::model::{Entity, EntityData};
use serde_json::{Value, json};

use crate::bundle::{ContainerBundle, TaskBundle};
use crate::error::QueryError;
use crate::rank::Ranked;

/// Output format.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum Format {
    /// Markdown for a prompt.
    #[default]
    Markdown,
    /// One compact JSON object.
    Json,
}

/// One droppable line or JSON element of a section.
struct Item {
    markdown: String,
    json: Value,
}

struct Section {
    key: &'static str,
    title: &'static str,
    items: Vec<Item>,
    /// JSON: a single value (`null` when empty) instead of a list.
    single: bool,
}

fn status_of(entity: &Entity) -> String {
    match entity.data() {
        EntityData::Task(t) => t.status.to_string(),
        EntityData::Project(p) => p.status.to_string(),
        EntityData::Workstream(w) => w.status.to_string(),
        EntityData::Milestone(m) => m.status.to_string(),
        EntityData::Slice(s) => s.status.to_string(),
        _ => String::new(),
    }
}

fn summary(entity: &Entity) -> Item {
    let status = status_of(entity);
    let name = entity.data().name().to_string();
    let markdown = if status.is_empty() {
        format!("- {} `{}` {}", entity.kind(), entity.id(), name)
    } else {
        format!("- {} `{}` {} [{}]", entity.kind(), entity.id(), name, status)
    };
    let mut json = json!({ "id": entity.id().to_string(), "kind": entity.kind().as_str(), "name": name });
    if !status.is_empty() {
        json["status"] = Value::String(status);
    }
    Item { markdown, json }
}

fn header(bundle: &TaskBundle<'_>) -> (String, Value) {
    let task = bundle.task;
    let data = task.data().as_task();
    let priority = data.and_then(|t| t.priority).map_or_else(|| "none".to_string(), |p| p.to_string());
    let mut markdown =
        format!("# Task: {}\n`{}` · {} · priority {}\n", task.data().name(), task.id(), status_of(task), priority);
    if let Some(d) = task.data().description() {
        markdown.push_str(&format!("\n{}\n", d.as_str()));
    }
    if bundle.has_open_blocker {
        markdown.push_str("\n**Blocked: an open blocker remains.**\n");
    }
    let mut json = summary(task).json;
    json["priority"] = Value::String(priority);
    if let Some(d) = task.data().description() {
        json["description"] = Value::String(d.to_string());
    }
    (markdown, json)
}

fn sections(bundle: &TaskBundle<'_>) -> Vec<Section> {
    let list = |key, title, entities: &[&Entity]| Section {
        key,
        title,
        items: entities.iter().map(|e| summary(e)).collect(),
        single: false,
    };
    let single = |key, title, entity: Option<&Entity>| Section {
        key,
        title,
        items: entity.map(summary).into_iter().collect(),
        single: true,
    };
    let guidance = |key, title, items: &[crate::scope::Guidance<'_>]| Section {
        key,
        title,
        items: items
            .iter()
            .map(|g| {
                let mut item = summary(g.entity);
                item.markdown.push_str(&format!(" ({:?} scope)", g.level).to_lowercase());
                item.json["scope"] = Value::String(format!("{:?}", g.level).to_lowercase());
                item
            })
            .collect(),
        single: false,
    };
    let stage = bundle.current_stage.map(|s| Item {
        markdown: format!("- stage {}{}", s.name, if s.is_checkpoint { " (checkpoint: needs sign-off)" } else { "" }),
        json: json!({ "name": s.name.to_string(), "is_checkpoint": s.is_checkpoint }),
    });
    vec![
        list("blocked_by", "Blocked by", &bundle.blocked_by),
        single("parent_task", "Parent task", bundle.parent_task),
        single("slice", "Slice", bundle.slice),
        single("milestone", "Milestone", bundle.milestone),
        single("workstream", "Workstream", bundle.workstream),
        single("project", "Project", bundle.project),
        single("workspace", "Workspace", bundle.workspace),
        single("workflow", "Workflow", bundle.workflow),
        Section { key: "current_stage", title: "Current stage", items: stage.into_iter().collect(), single: true },
        list("subtasks", "Subtasks", &bundle.subtasks),
        list("blocks", "Blocks", &bundle.blocks),
        list("related", "Related tasks", &bundle.related),
        guidance("patterns", "Patterns", &bundle.patterns),
        guidance("best_practices", "Best practices", &bundle.best_practices),
        Section {
            key: "recent_activity",
            title: "Recent activity",
            items: bundle
                .recent_activity
                .iter()
                .map(|a| {
                    let content = a.content.as_ref().map_or("", |c| c.as_str());
                    Item {
                        markdown: format!("- {} {} {}", a.created_at, a.activity_type, content).trim_end().to_string(),
                        json: json!({
                            "id": a.id.to_string(),
                            "type": a.activity_type.to_string(),
                            "content": a.content.as_ref().map(ToString::to_string),
                            "created_at": a.created_at.to_string(),
                        }),
                    }
                })
                .collect(),
            single: false,
        },
    ]
}

fn assemble(
    format: Format,
    head: &(&str, String, Value),
    sections: &[Section],
    omitted: &BTreeMap<&str, usize>,
) -> String {
    match format {
        Format::Markdown => {
            let mut out = head.1.clone();
            for s in sections.iter().filter(|s| !s.items.is_empty()) {
                out.push_str(&format!("\n## {}\n", s.title));
                for item in &s.items {
                    out.push_str(&item.markdown);
                    out.push('\n');
                }
            }
            if !omitted.is_empty() {
                let parts: Vec<String> = omitted.iter().map(|(k, n)| format!("{n} {k}")).collect();
                out.push_str(&format!("\n_Omitted for space: {}._\n", parts.join(", ")));
            }
            out
        }
        Format::Json => {
            let mut object = serde_json::Map::new();
            object.insert(head.0.into(), head.2.clone());
            for s in sections {
                let value = if s.single {
                    s.items.first().map_or(Value::Null, |i| i.json.clone())
                } else {
                    Value::Array(s.items.iter().map(|i| i.json.clone()).collect())
                };
                object.insert(s.key.into(), value);
            }
            if !omitted.is_empty() {
                object.insert("omitted".into(), json!(omitted));
            }
            Value::Object(object).to_string()
        }
    }
}

/// Drops items, least important first, until the output fits `budget`
/// characters.
fn fit(
    format: Format,
    head: &(&str, String, Value),
    mut sections: Vec<Section>,
    budget: usize,
) -> Result<String, QueryError> {
    let mut omitted: BTreeMap<&str, usize> = BTreeMap::new();
    loop {
        let out = assemble(format, head, &sections, &omitted);
        let len = out.chars().count();
        if len <= budget {
            return Ok(out);
        }
        let Some(section) = sections.iter_mut().rev().find(|s| !s.items.is_empty()) else {
            return Err(QueryError::BudgetTooSmall { budget, needed: len });
        };
        section.items.pop();
        *omitted.entry(section.key).or_default() += 1;
    }
}

/// Renders a task bundle within `budget` characters (see the module docs
/// for what goes first). O(items²) in the worst case, for bundles of a few
/// hundred items at most.
///
/// # Errors
/// [`QueryError::BudgetTooSmall`] when the task alone does not fit.
pub fn render_bundle(bundle: &TaskBundle<'_>, format: Format, budget: usize) -> Result<String, QueryError> {
    let (markdown, json) = header(bundle);
    fit(format, &("task", markdown, json), sections(bundle), budget)
}

/// Renders a container bundle within `budget` characters: the container
/// with its roll-up first (never dropped), then what it sits in, its
/// children by kind, patterns, best practices — the last dropped first.
///
/// # Errors
/// [`QueryError::BudgetTooSmall`] when the container and roll-up alone do
/// not fit.
pub fn render_container(bundle: &ContainerBundle<'_>, format: Format, budget: usize) -> Result<String, QueryError> {
    let entity = bundle.entity;
    let r = &bundle.rollup;
    let counts: Vec<String> = r.by_status.iter().map(|(s, n)| format!("{n} {s}")).collect();
    let status = status_of(entity);
    let markdown = format!(
        "# {}: {}\n`{}`{}\n\nRoll-up: {} tasks, {:.0} % done ({})\n",
        entity.kind(),
        entity.data().name(),
        entity.id(),
        if status.is_empty() { String::new() } else { format!(" · {status}") },
        r.total,
        r.done_fraction * 100.0,
        if counts.is_empty() { "none".to_string() } else { counts.join(", ") }
    );
    let mut json = summary(entity).json;
    let by_status: serde_json::Map<String, Value> =
        r.by_status.iter().map(|(s, n)| (s.to_string(), json!(n))).collect();
    json["rollup"] = json!({ "total": r.total, "done_fraction": r.done_fraction, "by_status": by_status });
    let ancestors = bundle.ancestors.iter().map(ancestor_item).collect();
    let mut sections = vec![Section { key: "ancestors", title: "Sits in", items: ancestors, single: false }];
    for (kind, children) in &bundle.children {
        let (key, title) = match kind {
            convoy_core::model::EntityKind::Project => ("projects", "Projects"),
            convoy_core::model::EntityKind::Workstream => ("workstreams", "Workstreams"),
            convoy_core::model::EntityKind::Milestone => ("milestones", "Milestones"),
            convoy_core::model::EntityKind::Slice => ("slices", "Slices"),
            _ => ("tasks", "Tasks"),
        };
        sections.push(Section { key, title, items: children.iter().map(|e| summary(e)).collect(), single: false });
    }
    for (key, title, items) in
        [("patterns", "Patterns", &bundle.patterns), ("best_practices", "Best practices", &bundle.best_practices)]
    {
        sections.push(Section { key, title, items: items.iter().map(|g| summary(g.entity)).collect(), single: false });
    }
    fit(format, &("entity", markdown, json), sections, budget)
}

/// An ancestor's line: kind, id and depth (the bundle keeps no names for
/// them).
fn ancestor_item(a: &crate::containment::Ancestor) -> Item {
    Item {
        markdown: format!("- {} `{}` (depth {})", a.kind, a.id, a.depth),
        json: json!({ "id": a.id.to_string(), "kind": a.kind.as_str(), "depth": a.depth }),
    }
}

/// Renders a ranking around `focus` within `budget` characters, dropping
/// the lowest-ranked first.
///
/// # Errors
/// [`QueryError::BudgetTooSmall`] when the focus alone does not fit.
pub fn render_ranking(
    focus: &Entity,
    ranked: &[Ranked],
    graph: &convoy_core::Graph,
    format: Format,
    budget: usize,
) -> Result<String, QueryError> {
    let markdown = format!("# Context around {} `{}` {}\n", focus.kind(), focus.id(), focus.data().name());
    let head = ("focus", markdown, summary(focus).json);
    let items = ranked
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let entity = graph.get(r.id)?;
            let path: Vec<String> = r.path.iter().map(ToString::to_string).collect();
            let mut item = summary(entity);
            let line = item.markdown.strip_prefix("- ").unwrap_or(&item.markdown);
            item.markdown = format!("{}. {} — score {:.3}, via {}", i + 1, line, r.score, path.join(" → "));
            item.json["score"] = json!(r.score);
            item.json["path"] = json!(path);
            Some(item)
        })
        .collect();
    let section = Section { key: "ranked", title: "Ranked context", items, single: false };
    fit(format, &head, vec![section], budget)
}
