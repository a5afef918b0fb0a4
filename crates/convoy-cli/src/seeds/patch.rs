//! An `apply` update's `set` object → a patch of the entity's fields, the
//! foreign-key columns it changes (edges to move or remove), and a new
//! `current_stage` (a stage op). Pure: the caller supplies the kind.

use convoy_core::EntityId;
use convoy_core::model::{
    BestPracticePatch, EntityKind, EntityPatch, MilestonePatch, PatternPatch, Priority, ProjectPatch, SlicePatch,
    Status, Tag, TaskPatch, TaskStatus, UserPatch, WorkflowPatch, WorkspacePatch, WorkstreamPatch,
};
use serde_json::{Map, Value};

use super::issue::Issue;
use super::table::{ForeignKey, Table};
use super::value::{
    Cells, to_fraction, to_id, to_json, to_labels, to_name, to_stages, to_tag, to_text, to_time, to_vocab,
};

/// A change of one foreign-key column.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum RefChange {
    /// Point it at this entity.
    Set(ForeignKey, EntityId),
    /// Make it `null`.
    Clear(ForeignKey),
}

/// What a `set` object asks for.
#[derive(Clone, PartialEq, Debug, Default)]
pub(crate) struct Change {
    /// Field changes, or `None` when it changes no field.
    pub(crate) patch: Option<EntityPatch>,
    /// Foreign-key columns to change, in the table's column order.
    pub(crate) refs: Vec<RefChange>,
    /// A new `current_stage`.
    pub(crate) stage: Option<Tag>,
}

/// Decodes a `set` object for an entity of `kind`. Absent columns keep
/// their value; `null` clears a nullable column. O(columns).
///
/// # Errors
/// Every problem: columns the table lacks, `id` / `created_at` /
/// `updated_at` (not settable), `null` for a required field or for
/// `current_stage`, bad values.
pub(crate) fn decode(kind: EntityKind, set: &Map<String, Value>) -> Result<Change, Vec<Issue>> {
    let table = Table::of_kind(kind);
    let mut c = Cells::new(set);
    c.refuse_unknown(table.name(), |col| table.accepts(col) && col != "relationships");
    for column in ["id", "created_at", "updated_at", "kind"] {
        if c.has(column) {
            c.push(Issue::at("not_supported", column, format!("`{column}` cannot be set")));
        }
    }
    let mut refs = Vec::new();
    for &key in table.foreign_keys() {
        let column = if key.column == "workflow_type" && !c.has("workflow_type") { "workflow_id" } else { key.column };
        match set.get(column) {
            None => {}
            Some(Value::Null) => refs.push(RefChange::Clear(key)),
            Some(v) => {
                if let Some(id) = c.convert(key.column, v, to_id) {
                    refs.push(RefChange::Set(key, id));
                }
            }
        }
    }
    if matches!(table, Table::Patterns | Table::BestPractices)
        && refs.iter().filter(|r| matches!(r, RefChange::Set(..))).count() > 1
    {
        c.push(Issue::row("bad_value", format!("a row of {table} is scoped to a workspace or a project, not both")));
    }
    let stage = if kind == EntityKind::Task { c.patch_req("current_stage", to_tag) } else { None };
    let patch = patch(&mut c, kind);
    let change = Change { patch: (!patch.is_empty()).then_some(patch.0), refs, stage };
    c.finish(Some(change))
}

/// A patch and whether it changes anything.
struct Built(EntityPatch, bool);

impl Built {
    const fn is_empty(&self) -> bool {
        !self.1
    }
}

fn patch(c: &mut Cells<'_>, kind: EntityKind) -> Built {
    macro_rules! built {
        ($p:expr) => {{
            let p = $p;
            let empty = p.is_empty();
            Built(p.into(), !empty)
        }};
    }
    let description = c.patch_opt("description", to_text);
    match kind {
        EntityKind::Workspace => built!(WorkspacePatch { name: c.patch_req("name", to_name), description }),
        EntityKind::User => built!(UserPatch { name: c.patch_req("name", to_name) }),
        EntityKind::Project => built!(ProjectPatch {
            name: c.patch_req("name", to_name),
            status: c.patch_req("status", to_vocab::<Status>),
            description,
            overview: c.patch_opt("overview", to_text),
            tech_stack: c.patch_opt("tech_stack", to_json),
            target_date: c.patch_opt("target_date", to_time),
        }),
        EntityKind::Workstream => built!(WorkstreamPatch {
            name: c.patch_req("name", to_name),
            status: c.patch_req("status", to_vocab::<Status>),
            progress: c.patch_req("progress", to_fraction),
            description,
        }),
        EntityKind::Milestone => built!(MilestonePatch {
            name: c.patch_req("name", to_name),
            status: c.patch_req("status", to_vocab::<Status>),
            description,
            requirements: c.patch_opt("requirements", to_text),
            target_date: c.patch_opt("target_date", to_time),
        }),
        EntityKind::Slice => built!(SlicePatch {
            name: c.patch_req("name", to_name),
            status: c.patch_req("status", to_vocab::<Status>),
            description,
        }),
        EntityKind::Task => built!(TaskPatch {
            title: c.patch_req("title", to_name),
            status: c.patch_req("status", to_vocab::<TaskStatus>),
            labels: c.patch_req("labels", to_labels),
            description,
            priority: c.patch_opt("priority", to_vocab::<Priority>),
            completion_date: c.patch_opt("completion_date", to_time),
        }),
        EntityKind::Workflow => built!(WorkflowPatch {
            name: c.patch_req("name", to_name),
            stages: c.patch_req("stages", to_stages),
            description,
        }),
        EntityKind::Pattern => built!(PatternPatch {
            name: c.patch_req("name", to_name),
            pattern_type: c.patch_req("pattern_type", to_tag),
            content: c.patch_req("content", to_json),
            description,
        }),
        EntityKind::BestPractice => built!(BestPracticePatch {
            name: c.patch_req("name", to_name),
            category: c.patch_req("category", to_tag),
            content: c.patch_req("content", to_json),
            description,
        }),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn fields_references_and_stage_are_told_apart() {
        let ws = EntityId::random();
        let set = map(json!({
            "status": "done", "priority": null, "labels": ["db"], "workstream_id": null,
            "owner_id": ws.to_string(), "current_stage": "IMPLEMENT"
        }));
        let change = decode(EntityKind::Task, &set).unwrap();
        let Some(EntityPatch::Task(p)) = change.patch else { panic!("{change:?}") };
        assert_eq!(p.status, Some(TaskStatus::Done));
        assert_eq!(p.priority, Some(None));
        assert_eq!(p.title, None);
        assert_eq!(change.refs.len(), 2);
        assert!(matches!(change.refs[0], RefChange::Clear(k) if k.column == "workstream_id"));
        assert!(matches!(change.refs[1], RefChange::Set(k, id) if k.column == "owner_id" && id == ws));
        assert_eq!(change.stage.unwrap().as_str(), "IMPLEMENT");
    }

    #[test]
    fn a_set_with_only_references_has_no_patch() {
        let change = decode(EntityKind::Pattern, &map(json!({"project_id": null}))).unwrap();
        assert_eq!(change.patch, None);
        assert_eq!(change.refs.len(), 1);
    }

    #[test]
    fn every_bad_column_is_reported() {
        let set = map(json!({"id": "x", "title": null, "status": "??", "colour": 1, "updated_at": "2020"}));
        let issues = decode(EntityKind::Task, &set).unwrap_err();
        let columns: Vec<&str> = issues.iter().filter_map(|i| i.column.as_deref()).collect();
        for column in ["id", "title", "status", "colour", "updated_at"] {
            assert!(columns.contains(&column), "{column} not in {columns:?}");
        }
        let both =
            map(json!({"workspace_id": EntityId::random().to_string(), "project_id": EntityId::random().to_string()}));
        assert!(decode(EntityKind::BestPractice, &both).is_err());
        assert!(decode(EntityKind::Task, &map(json!({"current_stage": null}))).is_err());
    }
}
