//! `convoy export`: the whole graph as one JSON object in the seeds' table
//! format (see [`crate::seeds`]), which [`crate::import`] reads back.
//!
//! Every table is present (an empty array when it has no rows). Rows are
//! sorted by `id` within each entity table and `activity_feed`;
//! `task_dependencies` by (`task_id`, `depends_on_task_id`); `relationships`
//! by (`source_id`, `relationship_type`, `target_id`). Every row carries
//! every column of its table, `null` when empty.
//!
//! **Which edges get a `relationships` row.** Every edge is written once,
//! in exactly one place. A foreign-key column's edge (containment, subtask,
//! owner, workflow, scope) is the column; a `blocks` edge is a
//! `task_dependencies` row. An edge gets a `relationships` row, in its
//! forward direction (`project_contains_task`, `task_blocks`,
//! `task_related_to` from the smaller id, …), only when those do not say
//! all of it: every `related_to` edge, and any other edge with a weight
//! other than its relation's default, with metadata, or (for a foreign
//! key's edge) made at another time than its row's entity — a task moved
//! to another workstream, say. Import merges such a row with the column or
//! dependency row it agrees with, so the edge comes back with the same
//! weight, metadata and time.

use convoy_core::model::EntityKind;
use convoy_core::{EntityId, Graph, Relation};
use serde_json::{Map, Value};

use crate::seeds::{Table, activity_row, dependency_row, is_implied, relationship_row, row_of};

/// The graph as a seeds document: `{"workspaces": [...], "users": [...],
/// …}`. Deterministic: the same graph gives the same document. O(V + E log
/// d + F) for V entities, E edges (each endpoint's edges sorted once), F
/// feed entries, plus the size of the text written.
#[must_use]
pub fn export(graph: &Graph) -> Value {
    let mut doc = Map::new();
    let mut dependencies: Vec<(EntityId, EntityId, Map<String, Value>)> = Vec::new();
    let mut relationships: Vec<Map<String, Value>> = Vec::new();
    let mut activities: Vec<Map<String, Value>> = Vec::new();
    for table in Table::ALL {
        let Some(kind) = table.kind() else { continue };
        let ids = graph.ids_of_kind(kind);
        let mut rows = Vec::with_capacity(ids.len());
        for &id in ids {
            let Some(entity) = graph.get(id) else { continue };
            rows.push(Value::Object(row_of(graph, entity)));
            for edge in graph.edges(id) {
                let (relation, target, data) = (edge.relation(), edge.target(), edge.data());
                if !relation.is_forward() || (relation == Relation::RelatedTo && target < id) {
                    continue;
                }
                if relation == Relation::Blocks {
                    dependencies.push((target, id, dependency_row(id, target, data)));
                }
                if !is_implied(graph, id, target, data)
                    && let Some(row) = relationship_row(graph, id, target, data)
                {
                    relationships.push(row);
                }
            }
            if kind == EntityKind::Task {
                activities.extend(graph.feed(id).iter().map(activity_row));
            }
        }
        doc.insert(table.name().into(), Value::Array(rows));
    }
    dependencies.sort_unstable_by_key(|(task, blocker, _)| (*task, *blocker));
    let dependencies = dependencies.into_iter().map(|(_, _, row)| Value::Object(row)).collect();
    doc.insert(Table::TaskDependencies.name().into(), Value::Array(dependencies));
    // Sources are visited in id order per table, so sort across tables.
    relationships.sort_by(|a, b| key(a).cmp(&key(b)));
    doc.insert(
        Table::Relationships.name().into(),
        Value::Array(relationships.into_iter().map(Value::Object).collect()),
    );
    activities.sort_by(|a, b| a.get("id").and_then(Value::as_str).cmp(&b.get("id").and_then(Value::as_str)));
    doc.insert(Table::ActivityFeed.name().into(), Value::Array(activities.into_iter().map(Value::Object).collect()));
    Value::Object(doc)
}

/// A relationships row's sort key: source, type, target (ids as printed:
/// hyphenated lower-case UUIDs sort as the UUIDs do).
fn key(row: &Map<String, Value>) -> (&str, &str, &str) {
    let s = |c: &str| row.get(c).and_then(Value::as_str).unwrap_or("");
    (s("source_id"), s("relationship_type"), s("target_id"))
}

#[cfg(test)]
mod tests {
    use convoy_core::model::{Project, Task, Workspace};
    use convoy_core::{Batch, Op};

    use super::*;

    #[test]
    fn an_empty_graph_exports_every_table_empty() {
        let doc = export(&Graph::new());
        let object = doc.as_object().unwrap();
        assert_eq!(object.len(), Table::ALL.len());
        assert!(object.values().all(|rows| rows.as_array().is_some_and(Vec::is_empty)));
    }

    #[test]
    fn blocks_edges_become_dependency_rows_and_related_edges_relationship_rows() {
        let mut g = Graph::new();
        let ws = Op::create(Workspace::new("w").unwrap());
        let p = Op::create(Project::new("p").unwrap());
        let a = Op::create(Task::new("a").unwrap());
        let b = Op::create(Task::new("b").unwrap());
        let (ws_id, p_id, a_id, b_id) = (ws.subject(), p.subject(), a.subject(), b.subject());
        g.apply(&Batch::from(vec![
            ws,
            p,
            Op::link(ws_id, Relation::Contains, p_id),
            a,
            Op::link(p_id, Relation::Contains, a_id),
            b,
            Op::link(p_id, Relation::Contains, b_id),
            Op::link(a_id, Relation::Blocks, b_id),
            Op::link(b_id, Relation::RelatedTo, a_id),
        ]))
        .unwrap();
        let doc = export(&g);
        let deps = doc["task_dependencies"].as_array().unwrap();
        assert_eq!(deps.len(), 1);
        assert_eq!(deps[0]["task_id"], b_id.to_string());
        assert_eq!(deps[0]["depends_on_task_id"], a_id.to_string());
        let rels = doc["relationships"].as_array().unwrap();
        // Containment links were built with their own clock reading, so
        // they may or may not be implied; the related_to edge always has a row.
        let related: Vec<_> = rels.iter().filter(|r| r["relationship_type"] == "task_related_to").collect();
        assert_eq!(related.len(), 1);
        let (lo, hi) = if a_id < b_id { (a_id, b_id) } else { (b_id, a_id) };
        assert_eq!(related[0]["source_id"], lo.to_string());
        assert_eq!(related[0]["target_id"], hi.to_string());
        assert_eq!(doc["tasks"].as_array().unwrap().len(), 2);
        assert_eq!(export(&g), doc, "deterministic");
    }
}
