//! Reading a document into a plan: every row read and checked (all
//! problems collected), then turned into ops in an order that respects
//! every reference, with the points where the ops may be cut into batches.

use std::collections::{BTreeMap, HashMap, HashSet};

use convoy_core::model::EntityKind;
use convoy_core::{ActivityId, EntityId, Graph, Op, Relation, Timestamp};
use serde_json::{Map, Value};

use super::{ImportError, MAX_DOCUMENT_BYTES, RowError};
use crate::seeds::{
    ActivityRow, Claim, EdgeAttrs, EntityRow, Issue, Table, World, activity, create_ops, describe, entity, parent_link,
    resolve, unknown_table,
};

/// Where an op or entity comes from: a table and a row index.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Origin {
    /// The table.
    pub(crate) table: Table,
    /// The row's position in it.
    pub(crate) index: usize,
}

/// The ops of an import, in order, with their origins.
#[derive(Default, Debug)]
pub(crate) struct Plan {
    /// The ops.
    pub(crate) ops: Vec<Op>,
    /// The origin of each op.
    pub(crate) origins: Vec<Origin>,
    /// Op positions where a batch may start (each starts a unit that holds
    /// an entity with its references, or one edge or feed entry).
    pub(crate) cuts: Vec<usize>,
    /// The row creating each new entity.
    pub(crate) owners: HashMap<EntityId, Origin>,
    /// Rows read, per table present.
    pub(crate) rows: BTreeMap<String, usize>,
    /// Edge-row ids read but not kept, per `table.column`.
    pub(crate) ids_not_kept: BTreeMap<String, usize>,
}

/// A new entity: its row and its references.
pub(super) struct NewEntity {
    pub(super) origin: Origin,
    pub(super) id: EntityId,
    pub(super) row: EntityRow,
    pub(super) claims: Vec<Claim>,
    /// For each claim, the relationships row that gave it (`None`: the
    /// row's own column).
    pub(super) via: Vec<Option<usize>>,
}

/// A `blocks` edge from a dependency row or a relationships row.
pub(super) struct Edge {
    pub(super) origin: Origin,
    pub(super) source: EntityId,
    pub(super) relation: Relation,
    pub(super) target: EntityId,
    pub(super) attrs: EdgeAttrs,
}

/// Everything read so far.
pub(super) struct Builder<'g> {
    pub(super) world: World<'g>,
    pub(super) now: Timestamp,
    pub(super) errors: Vec<RowError>,
    pub(super) entities: Vec<NewEntity>,
    pub(super) entity_at: HashMap<EntityId, usize>,
    /// Dependency rows, then relationships rows that are edges of their own.
    pub(super) edges: Vec<Edge>,
    pub(super) edge_at: HashMap<(EntityId, Relation, EntityId), usize>,
    pub(super) activities: Vec<(Origin, ActivityRow)>,
    pub(super) ids_not_kept: BTreeMap<String, usize>,
}

impl Builder<'_> {
    pub(super) fn fail(&mut self, origin: Origin, issues: impl IntoIterator<Item = Issue>) {
        let table = origin.table.name();
        self.errors.extend(issues.into_iter().map(|i| RowError::new(table, Some(origin.index), i)));
    }

    pub(super) fn not_kept(&mut self, column: &str) {
        *self.ids_not_kept.entry(column.to_owned()).or_default() += 1;
    }
}

/// Reads and checks a whole document against `graph` and plans its ops.
/// O(document).
///
/// # Errors
/// The document's own errors, or [`ImportError::Rows`] with every bad row.
pub(crate) fn plan(graph: &Graph, doc: &[u8]) -> Result<Plan, ImportError> {
    if doc.len() as u64 > MAX_DOCUMENT_BYTES {
        return Err(ImportError::TooLarge { len: doc.len() as u64, max: MAX_DOCUMENT_BYTES });
    }
    let value: Value = serde_json::from_slice(doc).map_err(|e| ImportError::Json {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let Value::Object(doc) = value else {
        return Err(ImportError::NotAnObject { found: describe(&value) });
    };
    let mut b = Builder {
        world: World::new(graph),
        now: Timestamp::now(),
        errors: Vec::new(),
        entities: Vec::new(),
        entity_at: HashMap::new(),
        edges: Vec::new(),
        edge_at: HashMap::new(),
        activities: Vec::new(),
        ids_not_kept: BTreeMap::new(),
    };
    let mut tables: Vec<(Table, &[Value])> = Vec::new();
    let mut rows = BTreeMap::new();
    for (name, value) in &doc {
        let Some(table) = Table::from_name(name) else {
            b.errors.push(RowError::new(name, None, unknown_table(name)));
            continue;
        };
        match value {
            Value::Array(items) => {
                rows.insert(name.clone(), items.len());
                tables.push((table, items));
            }
            other => b.errors.push(RowError::new(
                name,
                None,
                Issue::row("bad_value", format!("a table is an array of rows, not {}", describe(other))),
            )),
        }
    }
    tables.sort_by_key(|(table, _)| *table);
    for &(table, items) in &tables {
        for (index, item) in items.iter().enumerate() {
            let origin = Origin { table, index };
            let Some(row) = item.as_object() else {
                let issue = Issue::row("bad_value", format!("a row is a JSON object, not {}", describe(item)));
                b.fail(origin, [issue]);
                continue;
            };
            match table {
                Table::TaskDependencies => b.dependency(origin, row),
                Table::Relationships => b.relationship(origin, row),
                Table::ActivityFeed => b.activity(origin, row),
                _ => b.entity(origin, row),
            }
        }
    }
    b.resolve_all();
    if !b.errors.is_empty() {
        let rank = |e: &RowError| (Table::from_name(&e.table).map_or(0, |t| t as usize + 1), e.index);
        b.errors.sort_by_key(rank);
        return Err(ImportError::Rows(b.errors));
    }
    let mut plan = b.into_plan();
    plan.rows = rows;
    Ok(plan)
}

impl Builder<'_> {
    /// Reads an entity row and registers the entity. O(row).
    fn entity(&mut self, origin: Origin, row: &Map<String, Value>) {
        let kind = origin.table.kind().unwrap_or(EntityKind::Task);
        let decoded = match entity(origin.table, row) {
            Ok(decoded) => decoded,
            Err(issues) => {
                // Register a readable id anyway, so rows that name this one
                // are not also reported as dangling.
                if let Some(id) = row.get("id").and_then(Value::as_str).and_then(|s| s.parse().ok()) {
                    let _ = self.world.add(id, kind);
                }
                self.fail(origin, issues);
                return;
            }
        };
        let id = decoded.id.unwrap_or_else(EntityId::random);
        if let Err(issue) = self.world.add(id, kind) {
            let earlier = self.entity_at.get(&id).map(|&i| self.entities[i].origin);
            let issue = match earlier {
                Some(o) => Issue { reason: format!("{id} is also the id of {}[{}]", o.table, o.index), ..issue },
                None => issue,
            };
            self.fail(origin, [issue]);
            return;
        }
        let claims: Vec<Claim> = decoded.refs.iter().copied().map(Claim::from).collect();
        let via = vec![None; claims.len()];
        self.entity_at.insert(id, self.entities.len());
        self.entities.push(NewEntity { origin, id, row: decoded, claims, via });
    }

    /// Reads an `activity_feed` row: its task must be a task; its id must
    /// be new in that task's feed. O(row + the task's stored feed).
    fn activity(&mut self, origin: Origin, row: &Map<String, Value>) {
        let decoded = match activity(row, |_| false) {
            Ok(decoded) => decoded,
            Err(issues) => return self.fail(origin, issues),
        };
        let task = decoded.task;
        let issue = match self.world.kind(task) {
            None => Some(Issue::at(
                "not_found",
                "task_id",
                format!("no task {task}, neither in the input nor in the store"),
            )),
            Some(EntityKind::Task) => None,
            Some(k) => Some(Issue::at("wrong_kind", "task_id", format!("{task} is a {k}, not a task"))),
        };
        let stored = |id: ActivityId| self.world.graph().feed(task).iter().any(|a| a.id == id);
        let issue = issue.or_else(|| {
            decoded.id.filter(|&id| stored(id)).map(|id| {
                Issue::at("duplicate_id", "id", format!("activity {id} is already in the feed of task {task}"))
            })
        });
        match issue {
            Some(issue) => self.fail(origin, [issue]),
            None => self.activities.push((origin, decoded)),
        }
    }

    /// Completes and checks every new entity's references, in table order
    /// (so a task's project can be derived from a new slice). O(entities).
    fn resolve_all(&mut self) {
        for e in &self.entities {
            self.world.set_refs(e.id, &e.claims);
        }
        for i in 0..self.entities.len() {
            let e = &mut self.entities[i];
            let result = resolve(&self.world, e.origin.table, &mut e.claims);
            self.world.set_refs(e.id, &e.claims);
            if let Err(issues) = result {
                let origin = self.entities[i].origin;
                self.fail(origin, issues);
            }
        }
        self.duplicate_activities();
    }

    /// Refuses an activity id given twice for one task. O(activities).
    fn duplicate_activities(&mut self) {
        let mut seen: HashMap<(EntityId, ActivityId), Origin> = HashMap::new();
        let mut issues = Vec::new();
        for (origin, a) in &self.activities {
            let Some(id) = a.id else { continue };
            if let Some(first) = seen.insert((a.task, id), *origin) {
                let reason = format!("activity {id} of task {} is also {}[{}]", a.task, first.table, first.index);
                issues.push((*origin, Issue::at("duplicate_id", "id", reason)));
            }
        }
        for (origin, issue) in issues {
            self.fail(origin, [issue]);
        }
    }

    /// The ops, in an order where everything a link or entry names exists
    /// first: entities by table (each with its references), subtask links,
    /// edges, feed entries. O(rows).
    fn into_plan(self) -> Plan {
        let mut plan = Plan { ids_not_kept: self.ids_not_kept, ..Plan::default() };
        let now = self.now;
        let push_unit = |plan: &mut Plan, origin: Origin, ops: &mut Vec<Op>| {
            if ops.is_empty() {
                return;
            }
            plan.cuts.push(plan.ops.len());
            plan.origins.extend(std::iter::repeat_n(origin, ops.len()));
            plan.ops.append(ops);
        };
        let mut ops = Vec::new();
        for e in &self.entities {
            plan.owners.insert(e.id, e.origin);
            create_ops(e.id, &e.row, &e.claims, now, &mut ops);
            push_unit(&mut plan, e.origin, &mut ops);
        }
        for e in &self.entities {
            ops.extend(parent_link(e.id, &e.row, &e.claims, now));
            push_unit(&mut plan, e.origin, &mut ops);
        }
        for edge in &self.edges {
            ops.push(Op::Link {
                source: edge.source,
                relation: edge.relation,
                target: edge.target,
                weight: edge.attrs.weight,
                metadata: edge.attrs.metadata.clone(),
                at: edge.attrs.created_at.unwrap_or(now),
            });
            push_unit(&mut plan, edge.origin, &mut ops);
        }
        let mut drawn: HashSet<ActivityId> = HashSet::new();
        for (origin, a) in &self.activities {
            let mut entry = a.build(now);
            // A drawn id is fresh, but never let two drawn ones collide.
            while a.id.is_none() && !drawn.insert(entry.id) {
                entry.id = ActivityId::random();
            }
            ops.push(Op::RecordActivity(entry));
            push_unit(&mut plan, *origin, &mut ops);
        }
        plan
    }
}

#[cfg(test)]
pub(super) mod tests {
    use convoy_core::{Batch, Slot};
    use serde_json::json;

    use super::*;

    pub(in crate::import) const W: &str = "11111111-0000-4000-8000-000000000001";
    pub(in crate::import) const P: &str = "44444444-0000-4000-8000-000000000001";
    pub(in crate::import) const A: &str = "88888888-0000-4000-8000-000000000001";
    pub(in crate::import) const B: &str = "88888888-0000-4000-8000-000000000002";

    /// A workspace, a project, tasks A and B.
    pub(in crate::import) fn base() -> Value {
        json!({
            "workspaces": [{"id": W, "name": "w"}],
            "projects": [{"id": P, "workspace_id": W, "name": "p"}],
            "tasks": [{"id": A, "project_id": P, "title": "a"}, {"id": B, "project_id": P, "title": "b"}]
        })
    }

    /// `base()` with `extra`'s tables added.
    pub(in crate::import) fn with(extra: Value) -> Value {
        let mut doc = base();
        for (k, v) in extra.as_object().unwrap() {
            doc[k] = v.clone();
        }
        doc
    }

    pub(in crate::import) fn plan_of(graph: &Graph, doc: &Value) -> Result<Plan, ImportError> {
        plan(graph, &serde_json::to_vec(doc).unwrap())
    }

    /// The graph after applying a plan as one batch.
    pub(in crate::import) fn applied(doc: &Value) -> Graph {
        let mut g = Graph::new();
        let plan = plan_of(&g, doc).unwrap();
        g.apply(&Batch::from(plan.ops)).unwrap();
        g
    }

    /// (table, index, column, code) of every bad row.
    pub(in crate::import) fn bad_rows(
        graph: &Graph,
        doc: &Value,
    ) -> Vec<(String, Option<usize>, Option<String>, &'static str)> {
        match plan_of(graph, doc) {
            Err(ImportError::Rows(rows)) => rows.into_iter().map(|r| (r.table, r.index, r.column, r.code)).collect(),
            other => panic!("expected bad rows, got {other:?}"),
        }
    }

    fn id(s: &str) -> EntityId {
        s.parse().unwrap()
    }

    #[test]
    fn the_document_must_be_an_object_of_arrays_of_objects() {
        let g = Graph::new();
        assert!(matches!(plan(&g, b"[]"), Err(ImportError::NotAnObject { .. })));
        assert!(matches!(plan(&g, b"{"), Err(ImportError::Json { line: 1, .. })));
        let rows = bad_rows(&g, &json!({"tasks": 3, "users": [1, {"name": "u"}]}));
        assert_eq!(rows, [("users".into(), Some(0), None, "bad_value"), ("tasks".into(), None, None, "bad_value")]);
    }

    #[test]
    fn subtasks_may_come_before_their_parents_and_containers_in_any_table_order() {
        let doc = with(json!({
            "tasks": [
                {"id": A, "project_id": P, "title": "child", "parent_task_id": B},
                {"id": B, "project_id": P, "title": "parent"}
            ]
        }));
        let g = applied(&doc);
        assert_eq!(g.parent(id(A), Slot::ParentTask), Some(id(B)));
        g.check_invariants().unwrap();
    }

    #[test]
    fn rows_without_id_or_times_get_fresh_ones() {
        let doc = with(json!({"users": [{"name": "anon"}, {"name": "anon"}]}));
        let g = applied(&doc);
        let users = g.ids_of_kind(EntityKind::User);
        assert_eq!(users.len(), 2);
        let user = g.get(*users.first().unwrap()).unwrap();
        assert_eq!(user.created_at(), user.updated_at());
    }

    #[test]
    fn ids_taken_in_the_store_or_the_document_are_refused() {
        let g = applied(&base());
        let doc = json!({
            "workspaces": [{"id": W, "name": "again"}],
            "users": [{"id": "22222222-0000-4000-8000-000000000001", "name": "u"},
                      {"id": "22222222-0000-4000-8000-000000000001", "name": "u2"}]
        });
        let rows = bad_rows(&g, &doc);
        assert_eq!(rows.len(), 2, "{rows:?}");
        assert_eq!((rows[0].0.as_str(), rows[0].1, rows[0].3), ("workspaces", Some(0), "duplicate_id"));
        assert_eq!((rows[1].0.as_str(), rows[1].1, rows[1].3), ("users", Some(1), "duplicate_id"));
        let Err(ImportError::Rows(errors)) = plan_of(&g, &doc) else { panic!() };
        assert!(errors[0].reason.contains("already in the store"), "{}", errors[0]);
        assert!(errors[1].reason.contains("users[0]"), "{}", errors[1]);
    }

    #[test]
    fn a_broken_row_is_reported_once_not_again_by_rows_that_name_it() {
        let doc = with(json!({
            "tasks": [{"id": A, "project_id": P, "title": "a", "status": "NOPE"}, {"id": B, "project_id": P, "title": "b"}],
            "task_dependencies": [{"task_id": B, "depends_on_task_id": A}]
        }));
        let rows = bad_rows(&Graph::new(), &doc);
        assert_eq!(rows, [("tasks".into(), Some(0), Some("status".into()), "bad_value")]);
    }

    #[test]
    fn activity_ids_must_be_new_in_their_tasks_feed() {
        let act = "bbbbbbbb-0000-4000-8000-000000000001";
        let doc = with(json!({"activity_feed": [{"id": act, "task_id": A, "activity_type": "NOTE"}]}));
        let g = applied(&doc);
        assert_eq!(g.feed(id(A)).len(), 1);
        let again = json!({"activity_feed": [
            {"id": act, "task_id": A, "activity_type": "NOTE"},
            {"id": "bbbbbbbb-0000-4000-8000-000000000002", "task_id": B, "activity_type": "NOTE"},
            {"id": "bbbbbbbb-0000-4000-8000-000000000002", "task_id": B, "activity_type": "NOTE"},
            {"task_id": "99999999-0000-4000-8000-000000000001", "activity_type": "NOTE"}
        ]});
        let rows = bad_rows(&g, &again);
        let codes: Vec<_> = rows.iter().map(|r| (r.1, r.3)).collect();
        assert_eq!(codes, [(Some(0), "duplicate_id"), (Some(2), "duplicate_id"), (Some(3), "not_found")]);
    }

    #[test]
    fn every_op_has_an_origin_and_units_start_at_cuts() {
        let doc = with(json!({"task_dependencies": [{"task_id": B, "depends_on_task_id": A}]}));
        let plan = plan_of(&Graph::new(), &doc).unwrap();
        assert_eq!(plan.ops.len(), plan.origins.len());
        assert_eq!(plan.cuts.first(), Some(&0));
        assert!(plan.cuts.windows(2).all(|w| w[0] < w[1]));
        let last = plan.origins.last().unwrap();
        assert_eq!((last.table, last.index), (Table::TaskDependencies, 0));
        assert_eq!(plan.owners[&id(P)], Origin { table: Table::Projects, index: 0 });
        assert_eq!(plan.rows["tasks"], 2);
    }
}
