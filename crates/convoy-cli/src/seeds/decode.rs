//! Rows → Convoy values: an entity row gives the entity's fields plus its
//! foreign-key columns as references (edges to make); a `task_dependencies`,
//! `relationships` or `activity_feed` row gives an edge or a feed entry.
//! Pure: nothing here looks at a graph.

use convoy_core::model::{
    Activity, BestPractice, EntityData, EntityKind, Fraction, Json, Labels, Milestone, Pattern, Priority, Project,
    Slice, Status, Tag, Task, TaskStatus, Text, User, Workflow, Workspace, Workstream,
};
use convoy_core::{ActivityId, EntityId, RelationType, Timestamp};
use serde_json::{Map, Value};

use super::issue::{Issue, clip};
use super::table::{ForeignKey, Table};
use super::value::{
    Cells, to_activity_id, to_fraction, to_id, to_json, to_labels, to_name, to_stages, to_tag, to_text, to_time,
    to_vocab,
};

/// A foreign-key column given a value: the reference to make as an edge.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Ref {
    /// The column and what it means.
    pub(crate) key: ForeignKey,
    /// The entity it names.
    pub(crate) target: EntityId,
}

/// An entity row, decoded.
#[derive(Clone, PartialEq, Debug)]
pub(crate) struct EntityRow {
    /// `id`; absent means "draw one" (the seeds' `DEFAULT uuid_generate_v4()`).
    pub(crate) id: Option<EntityId>,
    /// `created_at`; absent means "now".
    pub(crate) created_at: Option<Timestamp>,
    /// `updated_at`; absent means `created_at`.
    pub(crate) updated_at: Option<Timestamp>,
    /// The fields.
    pub(crate) data: EntityData,
    /// Foreign-key columns that name an entity, in the table's column order.
    pub(crate) refs: Vec<Ref>,
}

/// Decodes a row of an entity table. O(row).
///
/// # Errors
/// Every problem of the row: unknown columns, missing required columns,
/// values of the wrong type or out of range, a `kind` naming another kind,
/// a pattern scoped to both a workspace and a project.
pub(crate) fn entity(table: Table, row: &Map<String, Value>) -> Result<EntityRow, Vec<Issue>> {
    let mut c = Cells::new(row);
    let Some(kind) = table.kind() else {
        return Err(vec![Issue::row("unknown_table", format!("{table} holds no entities"))]);
    };
    c.refuse_unknown(table.name(), |col| table.accepts(col));
    if let Some(given) = c.value("kind") {
        match given.as_str() {
            Some(k) if k.eq_ignore_ascii_case(kind.as_str()) => {}
            _ => c.push(Issue::at("wrong_kind", "kind", format!("a row of {table} is a {kind}, not {given}"))),
        }
    }
    let id = c.opt("id", to_id);
    let created_at = c.opt("created_at", to_time);
    let updated_at = c.opt("updated_at", to_time);
    if let (Some(created), Some(updated)) = (created_at, updated_at)
        && updated < created
    {
        c.push(Issue::at("bad_value", "updated_at", format!("{updated} is before created_at {created}")));
    }
    let refs = references(&mut c, table);
    let data = fields(&mut c, kind);
    c.finish(data.map(|data| EntityRow { id, created_at, updated_at, data, refs }))
}

/// The foreign-key columns that hold a value. O(keys).
fn references(c: &mut Cells<'_>, table: Table) -> Vec<Ref> {
    let mut refs = Vec::new();
    for &key in table.foreign_keys() {
        let value =
            if key.column == "workflow_type" { c.either("workflow_type", "workflow_id") } else { c.value(key.column) };
        if let Some(target) = value.and_then(|v| c.convert(key.column, v, to_id)) {
            refs.push(Ref { key, target });
        }
    }
    if matches!(table, Table::Patterns | Table::BestPractices) && refs.len() > 1 {
        c.push(Issue::row("bad_value", format!("a row of {table} is scoped to a workspace or a project, not both")));
    }
    if table == Table::Tasks {
        c.null_only("relationships", "a task's relationships are edges: give them as `relationships` rows");
    }
    refs
}

/// The kind's fields, with the seeds' defaults. O(row).
fn fields(c: &mut Cells<'_>, kind: EntityKind) -> Option<EntityData> {
    let description = c.opt("description", to_text);
    Some(match kind {
        EntityKind::Workspace => Workspace { name: c.req("name", to_name)?, description }.into(),
        EntityKind::User => User { name: c.req("name", to_name)? }.into(),
        EntityKind::Workflow => {
            let name = c.req("name", to_name);
            Workflow { name: name?, description, stages: c.req("stages", to_stages)? }.into()
        }
        EntityKind::Project => {
            let name = c.req("name", to_name);
            let (overview, tech_stack) = (c.opt("overview", to_text), c.opt("tech_stack", to_json));
            let status = status(c, Status::Active);
            let target_date = c.opt("target_date", to_time);
            Project { name: name?, description, overview, tech_stack, status: status?, target_date }.into()
        }
        EntityKind::Workstream => {
            let name = c.req("name", to_name);
            let status = status(c, Status::NotStarted);
            let progress = or_default(c, "progress", to_fraction, Fraction::ZERO);
            Workstream { name: name?, description, status: status?, progress: progress? }.into()
        }
        EntityKind::Milestone => {
            let name = c.req("name", to_name);
            let requirements = c.opt("requirements", to_text);
            let status = status(c, Status::Planned);
            let target_date = c.opt("target_date", to_time);
            Milestone { name: name?, description, requirements, status: status?, target_date }.into()
        }
        EntityKind::Slice => {
            let name = c.req("name", to_name);
            Slice { name: name?, description, status: status(c, Status::NotStarted)? }.into()
        }
        EntityKind::Task => task(c, description)?.into(),
        EntityKind::Pattern => {
            let name = c.req("name", to_name);
            let pattern_type = c.req("pattern_type", to_tag);
            Pattern { name: name?, description, pattern_type: pattern_type?, content: c.req("content", to_json)? }
                .into()
        }
        EntityKind::BestPractice => {
            let name = c.req("name", to_name);
            let category = c.req("category", to_tag);
            BestPractice { name: name?, description, category: category?, content: c.req("content", to_json)? }.into()
        }
    })
}

fn task(c: &mut Cells<'_>, description: Option<Text>) -> Option<Task> {
    let title = c.req("title", to_name);
    let status = or_default(c, "status", to_vocab::<TaskStatus>, TaskStatus::Todo);
    let priority = c.opt("priority", to_vocab::<Priority>);
    let labels = or_default(c, "labels", to_labels, Labels::default());
    let current_stage = c.opt("current_stage", to_tag);
    let completion_date = c.opt("completion_date", to_time);
    Some(Task {
        title: title?,
        description,
        status: status?,
        priority,
        labels: labels?,
        current_stage,
        completion_date,
    })
}

fn status(c: &mut Cells<'_>, default: Status) -> Option<Status> {
    or_default(c, "status", to_vocab::<Status>, default)
}

/// A cell that takes `default` when absent or `null`; `None` when bad. O(cell).
fn or_default<T>(c: &mut Cells<'_>, column: &'static str, conv: super::value::Conv<T>, default: T) -> Option<T> {
    match c.value(column) {
        None => Some(default),
        Some(v) => c.convert(column, v, conv),
    }
}

/// A `task_dependencies` row: `task` is blocked by `depends_on`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct DependencyRow {
    /// `task_id`: the blocked task.
    pub(crate) task: EntityId,
    /// `depends_on_task_id`: the blocking task.
    pub(crate) depends_on: EntityId,
    /// `created_at`, when given.
    pub(crate) created_at: Option<Timestamp>,
    /// Whether the row had an `id` (read, not kept).
    pub(crate) had_id: bool,
}

/// Decodes a `task_dependencies` row. O(row).
///
/// # Errors
/// Unknown or missing columns, bad ids or time, a task depending on itself.
pub(crate) fn dependency(row: &Map<String, Value>) -> Result<DependencyRow, Vec<Issue>> {
    let mut c = Cells::new(row);
    c.refuse_unknown("task_dependencies", |col| Table::TaskDependencies.accepts(col));
    let had_id = c.value("id").is_some();
    let _ = c.opt("id", to_id);
    let task = c.req("task_id", to_id);
    let depends_on = c.req("depends_on_task_id", to_id);
    let created_at = c.opt("created_at", to_time);
    if let (Some(a), Some(b)) = (task, depends_on)
        && a == b
    {
        c.push(Issue::at("bad_value", "depends_on_task_id", format!("task {a} cannot depend on itself")));
    }
    let row = task.zip(depends_on).map(|(task, depends_on)| DependencyRow { task, depends_on, created_at, had_id });
    c.finish(row)
}

/// A `relationships` row.
#[derive(Clone, PartialEq, Debug)]
pub(crate) struct RelationshipRow {
    /// `relationship_type`, in the seeds' vocabulary.
    pub(crate) rtype: RelationType,
    /// `source_id`.
    pub(crate) source: EntityId,
    /// `target_id`.
    pub(crate) target: EntityId,
    /// Edge attributes given by the row.
    pub(crate) attrs: EdgeAttrs,
    /// Whether the row had an `id` (read, not kept).
    pub(crate) had_id: bool,
}

/// What a relationships row (or an `apply` link) says about an edge
/// besides its endpoints; `None` means "the default".
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub(crate) struct EdgeAttrs {
    /// `weight`, in `0..=1`.
    pub(crate) weight: Option<Fraction>,
    /// `metadata`, any JSON.
    pub(crate) metadata: Option<Json>,
    /// `created_at`.
    pub(crate) created_at: Option<Timestamp>,
}

/// Decodes a `relationships` row: the type must be in the seeds'
/// vocabulary, and `source_type` / `target_type`, when given, must be the
/// type's. O(row).
///
/// # Errors
/// Unknown or missing columns, an unknown type, types that disagree, bad
/// ids, weight, metadata or time.
pub(crate) fn relationship(row: &Map<String, Value>) -> Result<RelationshipRow, Vec<Issue>> {
    let mut c = Cells::new(row);
    c.refuse_unknown("relationships", |col| Table::Relationships.accepts(col));
    let had_id = c.value("id").is_some();
    let _ = c.opt("id", to_id);
    let rtype = c.req("relationship_type", to_vocab::<RelationType>);
    let source = c.req("source_id", to_id);
    let target = c.req("target_id", to_id);
    let source_type = c.opt("source_type", to_vocab::<EntityKind>);
    let target_type = c.opt("target_type", to_vocab::<EntityKind>);
    if let Some(t) = rtype {
        for (column, given, expected) in
            [("source_type", source_type, t.source()), ("target_type", target_type, t.target())]
        {
            if let Some(given) = given.filter(|&g| g != expected) {
                c.push(Issue::at("contradiction", column, format!("{t} joins a {expected} here, not a {given}")));
            }
        }
    }
    let attrs = edge_attrs(&mut c);
    let row = match (rtype, source, target) {
        (Some(rtype), Some(source), Some(target)) => Some(RelationshipRow { rtype, source, target, attrs, had_id }),
        _ => None,
    };
    c.finish(row)
}

/// Reads `weight`, `metadata` and `created_at`. O(cells).
pub(crate) fn edge_attrs(c: &mut Cells<'_>) -> EdgeAttrs {
    EdgeAttrs {
        weight: c.opt("weight", to_fraction),
        metadata: c.opt("metadata", to_json),
        created_at: c.opt("created_at", to_time),
    }
}

/// An `activity_feed` row, decoded; [`ActivityRow::build`] fills the
/// defaults.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct ActivityRow {
    /// `id`; absent means "draw one".
    pub(crate) id: Option<ActivityId>,
    /// `task_id`.
    pub(crate) task: EntityId,
    /// `activity_type` (or `type`).
    pub(crate) activity_type: Tag,
    /// `content`.
    pub(crate) content: Option<Text>,
    /// `details`.
    pub(crate) details: Option<Json>,
    /// `actor_id`.
    pub(crate) actor: Option<EntityId>,
    /// `created_by`.
    pub(crate) created_by: Option<Tag>,
    /// `created_at`; absent means "now".
    pub(crate) created_at: Option<Timestamp>,
}

impl ActivityRow {
    /// The entry, with a random id when none was given and `now` when no
    /// time was. O(1).
    pub(crate) fn build(&self, now: Timestamp) -> Activity {
        Activity {
            id: self.id.unwrap_or_else(ActivityId::random),
            task: self.task,
            activity_type: self.activity_type.clone(),
            content: self.content.clone(),
            details: self.details.clone(),
            actor: self.actor,
            created_by: self.created_by.clone(),
            created_at: self.created_at.unwrap_or(now),
        }
    }
}

/// Decodes an `activity_feed` row (or the columns of an `apply` activity
/// op, which names what else it `accepts`): `task_id`, `activity_type` or
/// `type` (seed 002), `content`, `details`, `actor_id`, `created_by`,
/// `created_at`, `id`. O(row).
///
/// # Errors
/// Unknown or missing columns, bad values, a non-null `checkpoint_type`.
pub(crate) fn activity(row: &Map<String, Value>, accepts: impl Fn(&str) -> bool) -> Result<ActivityRow, Vec<Issue>> {
    let mut c = Cells::new(row);
    c.refuse_unknown("activity_feed", |col| Table::ActivityFeed.accepts(col) || accepts(col));
    c.null_only("checkpoint_type", "Convoy's feed entries have no checkpoint type; put it in `details`");
    let id = c.opt("id", to_activity_id);
    let task = c.req("task_id", to_id);
    let activity_type = match (c.value("activity_type"), c.value("type")) {
        (None, None) => c.req("activity_type", to_tag),
        (Some(_), Some(_)) => c.either("activity_type", "type").and_then(|v| c.convert("activity_type", v, to_tag)),
        (Some(v), None) | (None, Some(v)) => c.convert("activity_type", v, to_tag),
    };
    let content = c.opt("content", to_text);
    let details = c.opt("details", to_json);
    let actor = c.opt("actor_id", to_id);
    let created_by = c.opt("created_by", to_tag);
    let created_at = c.opt("created_at", to_time);
    let row = task.zip(activity_type).map(|(task, activity_type)| ActivityRow {
        id,
        task,
        activity_type,
        content,
        details,
        actor,
        created_by,
        created_at,
    });
    c.finish(row)
}

/// The issue for a table name that is not one of the seeds'. O(len).
pub(crate) fn unknown_table(name: &str) -> Issue {
    let known: Vec<&str> = Table::ALL.iter().map(|t| t.name()).collect();
    Issue::row("unknown_table", format!("no table {:?}; the tables are {}", clip(name), known.join(", ")))
}

#[cfg(test)]
mod tests {
    use convoy_core::model::{Stage, Stages};
    use convoy_core::{Batch, Graph, Op, Relation, Slot};
    use serde_json::json;

    use super::*;
    use crate::seeds::encode::row_of;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    fn text(s: &str) -> Option<Text> {
        Some(Text::new("t", s).unwrap())
    }

    /// One entity of every kind, every optional field set.
    fn everything() -> Vec<EntityData> {
        let at = |s: &str| Some(s.parse::<Timestamp>().unwrap());
        let mut stage = Stage::new("REVIEW").unwrap();
        stage.is_checkpoint = true;
        stage.checkpoint_type = Some(Tag::new("t", "PLAN_REVIEW").unwrap());
        stage.description = text("look");
        vec![
            Workspace { name: to_name("name", &json!("W")).unwrap(), description: text("ws") }.into(),
            User::new("U").unwrap().into(),
            Workflow {
                stages: Stages::new(vec![Stage::new("A").unwrap(), stage]).unwrap(),
                ..Workflow::new("F").unwrap()
            }
            .into(),
            Project {
                overview: text("o"),
                tech_stack: Some(Json::parse("t", r#"{"a":[1,2.5,null]}"#).unwrap()),
                status: Status::OnHold,
                target_date: at("2025-01-02T03:04:05.678901Z"),
                description: text("d"),
                ..Project::new("P").unwrap()
            }
            .into(),
            Workstream {
                progress: Fraction::new("p", 0.375).unwrap(),
                status: Status::Active,
                ..Workstream::new("S").unwrap()
            }
            .into(),
            Milestone {
                requirements: text("r"),
                target_date: at("2025-06-01T00:00:00Z"),
                ..Milestone::new("M").unwrap()
            }
            .into(),
            Slice { status: Status::Completed, ..Slice::new("L").unwrap() }.into(),
            Task {
                description: text("d"),
                status: TaskStatus::Done,
                priority: Some(Priority::Urgent),
                labels: Labels::new(["a", "b"]).unwrap(),
                current_stage: Some(Tag::new("t", "A").unwrap()),
                completion_date: at("2025-02-03T04:05:06Z"),
                ..Task::new("T").unwrap()
            }
            .into(),
            Pattern { description: text("d"), ..Pattern::new("P", "UI", r#""plain text content""#).unwrap() }.into(),
            BestPractice::new("B", "TESTING", r#"{"x":{"y":true}}"#).unwrap().into(),
        ]
    }

    #[test]
    fn every_kind_round_trips_through_its_row() {
        let mut g = Graph::new();
        let ops: Vec<Op> = everything().into_iter().map(Op::create).collect();
        let ids: Vec<EntityId> = ops.iter().map(Op::subject).collect();
        // The containers need their parents for the batch to close.
        let mut batch = Batch::from(ops);
        batch.push(Op::link(ids[0], Relation::Contains, ids[3]));
        batch.push(Op::link(ids[3], Relation::Contains, ids[4]));
        batch.push(Op::link(ids[3], Relation::Contains, ids[5]));
        batch.push(Op::link(ids[5], Relation::Contains, ids[6]));
        batch.push(Op::link(ids[3], Relation::Contains, ids[7]));
        batch.push(Op::link(ids[7], Relation::Follows, ids[2]));
        batch.push(Op::link(ids[8], Relation::ScopedTo, ids[0]));
        batch.push(Op::link(ids[4], Relation::OwnedBy, ids[1]));
        g.apply(&batch).unwrap();
        for &id in &ids {
            let entity = g.get(id).unwrap();
            let table = Table::of_kind(entity.kind());
            let row = row_of(&g, entity);
            let back = entity_row_ok(table, &row);
            assert_eq!(back.id, Some(id));
            assert_eq!(&back.data, entity.data(), "{table}");
            assert_eq!(back.created_at, Some(entity.created_at()));
            assert_eq!(back.updated_at, Some(entity.updated_at()));
            for r in &back.refs {
                assert_eq!(g.parent(id, r.key.slot), Some(r.target), "{table}.{}", r.key.column);
            }
            let expected_refs = table
                .foreign_keys()
                .iter()
                .filter(|k| g.parent(id, k.slot).is_some_and(|p| g.get(p).unwrap().kind() == k.target))
                .count();
            assert_eq!(back.refs.len(), expected_refs, "{table}");
        }
        assert_eq!(g.parent(ids[7], Slot::Workflow), Some(ids[2]));
    }

    fn entity_row_ok(table: Table, row: &Map<String, Value>) -> EntityRow {
        entity(table, row).unwrap_or_else(|issues| panic!("{table}: {issues:?}"))
    }

    #[test]
    fn a_minimal_row_takes_the_seeds_defaults() {
        let row = entity_row_ok(Table::Milestones, &map(json!({"name": "M"})));
        let EntityData::Milestone(m) = row.data else { panic!() };
        assert_eq!(m.status, Status::Planned);
        assert_eq!((row.id, row.created_at, row.refs.len()), (None, None, 0));
        let EntityData::Task(t) = entity_row_ok(Table::Tasks, &map(json!({"title": "T", "labels": null}))).data else {
            panic!()
        };
        assert_eq!((t.status, t.labels.as_slice().len()), (TaskStatus::Todo, 0));
        let EntityData::Project(p) = entity_row_ok(Table::Projects, &map(json!({"name": "P"}))).data else { panic!() };
        assert_eq!(p.status, Status::Active);
    }

    #[test]
    fn entity_rows_refuse_what_they_cannot_hold() {
        let cases: Vec<(Table, Value, &str, Option<&str>)> = vec![
            (Table::Tasks, json!({"title": "t", "kind": "project"}), "wrong_kind", Some("kind")),
            (
                Table::Tasks,
                json!({"title": "t", "created_at": "2025-01-02T00:00:00Z", "updated_at": "2025-01-01T00:00:00Z"}),
                "bad_value",
                Some("updated_at"),
            ),
            (
                Table::Tasks,
                json!({"title": "t", "relationships": {"blocks": []}}),
                "not_supported",
                Some("relationships"),
            ),
            (
                Table::Tasks,
                json!({"title": "t", "workflow_type": EntityId::random().to_string(), "workflow_id": EntityId::random().to_string()}),
                "contradiction",
                Some("workflow_id"),
            ),
            (
                Table::Tasks,
                json!({"title": "t", "workflow_type": "standard_dev_workflow"}),
                "bad_value",
                Some("workflow_type"),
            ),
            (
                Table::Patterns,
                json!({"name": "p", "pattern_type": "CODE", "content": 1, "workspace_id": EntityId::random().to_string(),
                       "project_id": EntityId::random().to_string()}),
                "bad_value",
                None,
            ),
            (
                Table::BestPractices,
                json!({"name": "b", "category": null, "content": "x"}),
                "missing_column",
                Some("category"),
            ),
            (Table::Patterns, json!({"name": "p", "pattern_type": "CODE"}), "missing_column", Some("content")),
            (Table::Workflows, json!({"name": "w", "stages": []}), "bad_value", Some("stages")),
            (Table::Workstreams, json!({"name": "w", "progress": 1.5}), "bad_value", Some("progress")),
            (
                Table::Users,
                json!({"name": "u", "description": "no such column"}),
                "unknown_column",
                Some("description"),
            ),
            (Table::Relationships, json!({}), "unknown_table", None),
        ];
        for (table, row, code, column) in cases {
            let issues = entity(table, &map(row.clone())).unwrap_err();
            assert!(
                issues.iter().any(|i| i.code == code && i.column.as_deref() == column),
                "{table} {row}: expected {code} at {column:?}, got {issues:?}"
            );
        }
    }

    #[test]
    fn dependency_rows_read_and_refuse() {
        let (a, b) = (EntityId::random(), EntityId::random());
        let dep = dependency(&map(json!({"id": EntityId::random().to_string(), "task_id": a.to_string(),
                                          "depends_on_task_id": b.to_string()})))
        .unwrap();
        assert_eq!((dep.task, dep.depends_on, dep.had_id), (a, b, true));
        let issues =
            dependency(&map(json!({"task_id": a.to_string(), "depends_on_task_id": a.to_string()}))).unwrap_err();
        assert!(issues[0].reason.contains("cannot depend on itself"), "{issues:?}");
        let issues = dependency(&map(json!({"task_id": a.to_string(), "weight": 1}))).unwrap_err();
        let columns: Vec<_> = issues.iter().map(|i| i.column.as_deref()).collect();
        assert_eq!(columns, [Some("weight"), Some("depends_on_task_id")]);
    }

    #[test]
    fn relationship_rows_check_their_declared_kinds() {
        let (a, b) = (EntityId::random().to_string(), EntityId::random().to_string());
        let row =
            relationship(&map(json!({"source_id": a, "relationship_type": "TASK_BLOCKED_BY_TASK", "target_id": b,
                                            "weight": 0.25, "metadata": {"why": 1}})))
            .unwrap();
        assert_eq!(row.rtype.relation(), Relation::BlockedBy);
        assert_eq!(row.attrs.weight.map(Fraction::get), Some(0.25));
        let issues = relationship(&map(json!({"source_type": "project", "source_id": a,
                                              "relationship_type": "task_blocks", "target_id": b})))
        .unwrap_err();
        assert_eq!((issues[0].code, issues[0].column.as_deref()), ("contradiction", Some("source_type")));
        let issues =
            relationship(&map(json!({"source_id": a, "relationship_type": "workspace_contains_task", "target_id": b})))
                .unwrap_err();
        assert_eq!(issues[0].column.as_deref(), Some("relationship_type"));
    }

    #[test]
    fn activity_rows_accept_either_type_column() {
        let task = EntityId::random().to_string();
        let a = activity(&map(json!({"task_id": task, "type": "NOTE", "details": [1]})), |_| false).unwrap();
        assert_eq!(a.activity_type.as_str(), "NOTE");
        let built = a.build(Timestamp::from_micros(7));
        assert_eq!(built.created_at, Timestamp::from_micros(7));
        let issues =
            activity(&map(json!({"task_id": task, "activity_type": "A", "type": "B"})), |_| false).unwrap_err();
        assert_eq!(issues[0].code, "contradiction");
        let issues = activity(&map(json!({"task_id": task, "type": "A", "checkpoint_type": "PLAN_REVIEW"})), |_| false)
            .unwrap_err();
        assert_eq!((issues[0].code, issues[0].column.as_deref()), ("not_supported", Some("checkpoint_type")));
        let issues =
            activity(&map(json!({"task_id": task, "op": "activity", "activity_type": "A"})), |_| false).unwrap_err();
        assert_eq!(issues[0].code, "unknown_column");
        assert!(
            activity(&map(json!({"task_id": task, "op": "activity", "activity_type": "A"})), |k| k == "op").is_ok()
        );
        assert!(unknown_table("milestone").reason.contains("milestones"));
    }
}
