//! Convoy values → rows: an entity as its table's row, with the
//! foreign-key columns read from its edges; an edge as a
//! `task_dependencies` or `relationships` row; a feed entry as an
//! `activity_feed` row.

use convoy_core::model::{Activity, Entity, EntityData, Stage};
use convoy_core::{EdgeData, EntityId, Graph, Relation, RelationType, Timestamp};
use serde_json::{Map, Value, json};

use super::table::Table;

/// The seeds' row for entity `id`, every column of its table present
/// (`null` when empty), foreign-key columns derived from its edges, plus
/// `"kind"` (the seeds' spelling: `task`, `best_practice`, …). `None` when
/// no entity has this id. O(columns + size of its JSON fields); each
/// foreign key is an O(1) uplink, never a scan of edges.
#[must_use]
pub fn entity_row(graph: &Graph, id: EntityId) -> Option<Map<String, Value>> {
    let entity = graph.get(id)?;
    let mut row = row_of(graph, entity);
    row.insert("kind".into(), entity.kind().as_str().into());
    Some(row)
}

/// The entity's row without `"kind"`, as export writes it. O(columns).
pub(crate) fn row_of(graph: &Graph, entity: &Entity) -> Map<String, Value> {
    let table = Table::of_kind(entity.kind());
    let mut row = Map::new();
    row.insert("id".into(), entity.id().to_string().into());
    for key in table.foreign_keys() {
        let target = graph
            .parent(entity.id(), key.slot)
            .filter(|&t| graph.get(t).is_some_and(|e| e.kind() == key.target))
            .map_or(Value::Null, |t| t.to_string().into());
        row.insert(key.column.into(), target);
    }
    fields(&mut row, entity.data());
    row.insert("created_at".into(), time(entity.created_at()));
    row.insert("updated_at".into(), time(entity.updated_at()));
    row
}

fn put(row: &mut Map<String, Value>, column: &str, value: impl Into<Value>) {
    row.insert(column.into(), value.into());
}

fn opt<T: ToString>(value: Option<&T>) -> Value {
    value.map_or(Value::Null, |v| v.to_string().into())
}

fn time(t: Timestamp) -> Value {
    t.to_string().into()
}

fn fields(row: &mut Map<String, Value>, data: &EntityData) {
    put(row, "description", opt(data.description()));
    match data {
        EntityData::Workspace(_) | EntityData::User(_) => put(row, "name", data.name().as_str()),
        EntityData::Workflow(w) => {
            put(row, "name", w.name.as_str());
            put(row, "stages", w.stages.as_slice().iter().map(stage).collect::<Vec<_>>());
        }
        EntityData::Project(p) => {
            put(row, "name", p.name.as_str());
            put(row, "overview", opt(p.overview.as_ref()));
            put(row, "tech_stack", p.tech_stack.as_ref().map_or(Value::Null, |j| j.to_value()));
            put(row, "status", p.status.as_str());
            put(row, "target_date", opt(p.target_date.as_ref()));
        }
        EntityData::Workstream(w) => {
            put(row, "name", w.name.as_str());
            put(row, "status", w.status.as_str());
            put(row, "progress", w.progress.get());
        }
        EntityData::Milestone(m) => {
            put(row, "name", m.name.as_str());
            put(row, "requirements", opt(m.requirements.as_ref()));
            put(row, "status", m.status.as_str());
            put(row, "target_date", opt(m.target_date.as_ref()));
        }
        EntityData::Slice(s) => {
            put(row, "name", s.name.as_str());
            put(row, "status", s.status.as_str());
        }
        EntityData::Task(t) => {
            put(row, "title", t.title.as_str());
            put(row, "status", t.status.as_str());
            put(row, "priority", t.priority.map_or(Value::Null, |p| p.as_str().into()));
            put(row, "labels", t.labels.as_slice().iter().map(|l| l.as_str()).collect::<Vec<_>>());
            put(row, "current_stage", opt(t.current_stage.as_ref()));
            put(row, "completion_date", opt(t.completion_date.as_ref()));
        }
        EntityData::Pattern(p) => {
            put(row, "name", p.name.as_str());
            put(row, "pattern_type", p.pattern_type.as_str());
            put(row, "content", p.content.to_value());
        }
        EntityData::BestPractice(b) => {
            put(row, "name", b.name.as_str());
            put(row, "category", b.category.as_str());
            put(row, "content", b.content.to_value());
        }
    }
    if matches!(data, EntityData::User(_)) {
        row.remove("description");
    }
}

fn stage(s: &Stage) -> Value {
    json!({
        "name": s.name.as_str(),
        "description": opt(s.description.as_ref()),
        "is_checkpoint": s.is_checkpoint,
        "checkpoint_type": opt(s.checkpoint_type.as_ref()),
    })
}

/// A feed entry as an `activity_feed` row. O(size).
#[must_use]
pub fn activity_row(activity: &Activity) -> Map<String, Value> {
    let mut row = Map::new();
    put(&mut row, "id", activity.id.to_string());
    put(&mut row, "task_id", activity.task.to_string());
    put(&mut row, "activity_type", activity.activity_type.as_str());
    put(&mut row, "content", opt(activity.content.as_ref()));
    put(&mut row, "details", activity.details.as_ref().map_or(Value::Null, |j| j.to_value()));
    put(&mut row, "actor_id", opt(activity.actor.as_ref()));
    put(&mut row, "created_by", opt(activity.created_by.as_ref()));
    put(&mut row, "created_at", time(activity.created_at));
    row
}

/// A `blocks` edge (`blocker` blocks `blocked`) as a `task_dependencies`
/// row: `task_id` is blocked by `depends_on_task_id`. O(1).
pub(crate) fn dependency_row(blocker: EntityId, blocked: EntityId, data: &EdgeData) -> Map<String, Value> {
    let mut row = Map::new();
    put(&mut row, "task_id", blocked.to_string());
    put(&mut row, "depends_on_task_id", blocker.to_string());
    put(&mut row, "created_at", time(data.created_at));
    row
}

/// An edge as a `relationships` row in the seeds' vocabulary, or `None`
/// if an endpoint is missing (never, for an edge read from the graph). O(1).
pub(crate) fn relationship_row(
    graph: &Graph,
    source: EntityId,
    target: EntityId,
    data: &EdgeData,
) -> Option<Map<String, Value>> {
    let (s, t) = (graph.get(source)?.kind(), graph.get(target)?.kind());
    let rtype = RelationType::new(s, data.relation, t)?;
    let mut row = Map::new();
    put(&mut row, "source_type", s.as_str());
    put(&mut row, "source_id", source.to_string());
    put(&mut row, "relationship_type", rtype.to_string());
    put(&mut row, "target_type", t.as_str());
    put(&mut row, "target_id", target.to_string());
    put(&mut row, "weight", data.weight.get());
    put(&mut row, "metadata", data.metadata.as_ref().map_or(Value::Null, |j| j.to_value()));
    put(&mut row, "created_at", time(data.created_at));
    Some(row)
}

/// Whether the other tables say everything about a forward edge, so export
/// writes no `relationships` row for it: it is a foreign-key column's edge
/// (containment, subtask, owner, workflow, scope) made when the row's
/// entity was created, or a `blocks` edge (a `task_dependencies` row,
/// which has its own `created_at`), and it has the relation's default
/// weight and no metadata. `related_to` edges are never implied. O(1).
pub(crate) fn is_implied(graph: &Graph, source: EntityId, target: EntityId, data: &EdgeData) -> bool {
    if data.weight != data.relation.default_weight() || data.metadata.is_some() {
        return false;
    }
    // The entity holding the foreign-key column: the child side.
    let holder = match data.relation {
        Relation::Blocks => return true,
        Relation::RelatedTo => return false,
        Relation::Contains | Relation::HasSubtask => target,
        _ => source,
    };
    graph.get(holder).is_some_and(|e| e.created_at() == data.created_at)
}

#[cfg(test)]
mod tests {
    use convoy_core::model::{Pattern, Project, Task, User, Workspace};
    use convoy_core::{Batch, Op};

    use super::*;

    #[test]
    fn rows_carry_foreign_keys_from_edges_and_every_column() {
        let mut g = Graph::new();
        let ws = Op::create(Workspace::new("Acme").unwrap());
        let p = Op::create(Project::new("Convoy").unwrap());
        let t = Op::create(Task::new("Write").unwrap());
        let u = Op::create(User::new("Ada").unwrap());
        let pat = Op::create(Pattern::new("Repo", "CODE", r#"{"b":1,"a":2}"#).unwrap());
        let (ws_id, p_id, t_id, u_id, pat_id) = (ws.subject(), p.subject(), t.subject(), u.subject(), pat.subject());
        let batch = Batch::from(vec![
            ws,
            p,
            Op::link(ws_id, Relation::Contains, p_id),
            t,
            Op::link(p_id, Relation::Contains, t_id),
            u,
            Op::link(t_id, Relation::OwnedBy, u_id),
            pat,
            Op::link(pat_id, Relation::ScopedTo, p_id),
        ]);
        g.apply(&batch).unwrap();
        let row = entity_row(&g, t_id).unwrap();
        assert_eq!(row["kind"], "task");
        assert_eq!(row["project_id"], p_id.to_string());
        assert_eq!(row["owner_id"], u_id.to_string());
        assert_eq!(row["workstream_id"], Value::Null);
        assert_eq!(row["labels"], json!([]));
        let mut columns: Vec<&str> = row.keys().map(String::as_str).filter(|&k| k != "kind").collect();
        let mut expected = Table::Tasks.columns().to_vec();
        columns.sort_unstable();
        expected.sort_unstable();
        assert_eq!(columns, expected);

        let pattern = entity_row(&g, pat_id).unwrap();
        assert_eq!(pattern["project_id"], p_id.to_string());
        assert_eq!(pattern["workspace_id"], Value::Null);
        assert_eq!(pattern["content"], json!({"a": 2, "b": 1}));
        let user = entity_row(&g, u_id).unwrap();
        assert!(!user.contains_key("description"));
        assert_eq!(entity_row(&g, EntityId::random()), None);
    }

    #[test]
    fn edges_made_with_their_entity_are_implied_others_are_not() {
        let mut g = Graph::new();
        let ws = Op::create(Workspace::new("Acme").unwrap());
        let p = Op::create(Project::new("Convoy").unwrap());
        let a = Op::create(Task::new("a").unwrap());
        let b = Op::create(Task::new("b").unwrap());
        let ids = [ws.subject(), p.subject(), a.subject(), b.subject()];
        let link = |s, r, t, at| Op::Link { source: s, relation: r, target: t, weight: None, metadata: None, at };
        let created = |op: &Op| match op {
            Op::Create { at, .. } => *at,
            _ => Timestamp::EPOCH,
        };
        let (p_at, a_at, b_at) = (created(&p), created(&a), created(&b));
        let later = Timestamp::from_micros(b_at.as_micros() + 1_000_000);
        g.apply(&Batch::from(vec![
            ws,
            p,
            link(ids[0], Relation::Contains, ids[1], p_at),
            a,
            link(ids[1], Relation::Contains, ids[2], a_at),
            b,
            link(ids[1], Relation::Contains, ids[3], later),
            link(ids[2], Relation::Blocks, ids[3], later),
            link(ids[2], Relation::RelatedTo, ids[3], a_at),
        ]))
        .unwrap();
        let data = |s, r, t| g.edge(s, r, t).unwrap().clone();
        assert!(is_implied(&g, ids[1], ids[2], &data(ids[1], Relation::Contains, ids[2])));
        assert!(!is_implied(&g, ids[1], ids[3], &data(ids[1], Relation::Contains, ids[3])), "made after b");
        assert!(is_implied(&g, ids[2], ids[3], &data(ids[2], Relation::Blocks, ids[3])));
        assert!(!is_implied(&g, ids[2], ids[3], &data(ids[2], Relation::RelatedTo, ids[3])));
        let row = relationship_row(&g, ids[2], ids[3], &data(ids[2], Relation::Blocks, ids[3])).unwrap();
        assert_eq!(row["relationship_type"], "task_blocks");
        assert_eq!(row["weight"], json!(0.8));
        let dep = dependency_row(ids[2], ids[3], &data(ids[2], Relation::Blocks, ids[3]));
        assert_eq!(dep["task_id"], ids[3].to_string());
        assert_eq!(dep["depends_on_task_id"], ids[2].to_string());
    }
}
