//! One `apply` line's op objects → core ops. The ops of a line are read in
//! order against the graph plus what the line's earlier ops create, so a
//! line can create a milestone and a task in it.

use convoy_core::model::{EntityKind, Tag};
use convoy_core::{ActivityId, EntityId, Graph, Op, Relation, RelationType, Timestamp};
use serde_json::{Map, Value};

use super::OpIssue;
use crate::seeds::{
    Cells, Change, Claim, EntityRow, Issue, RefChange, Table, World, activity, clip, create_ops, decode_set,
    dependency, describe, edge_attrs, entity, parent_link, relationship, resolve, to_id, to_tag, unknown_table,
};

/// The op names, in the order the docs list them.
const OPS: [&str; 8] = ["create", "update", "delete", "link", "unlink", "activity", "stage", "claim"];

/// Reads a line's op objects. Every problem of every op is collected.
pub(super) struct Reader<'g> {
    world: World<'g>,
    now: Timestamp,
    ops: Vec<Op>,
    issues: Vec<OpIssue>,
}

impl<'g> Reader<'g> {
    /// Starts a line at time `now`. O(1).
    pub(super) fn new(graph: &'g Graph, now: Timestamp) -> Self {
        Self { world: World::new(graph), now, ops: Vec::new(), issues: Vec::new() }
    }

    /// The ops, or every problem found. O(1).
    pub(super) fn finish(self) -> Result<Vec<Op>, Vec<OpIssue>> {
        if self.issues.is_empty() { Ok(self.ops) } else { Err(self.issues) }
    }

    /// Reads op number `index` of the line. O(op).
    pub(super) fn read(&mut self, index: usize, value: &Value) {
        let Some(object) = value.as_object() else {
            let reason = format!("an op is a JSON object, not {}", describe(value));
            return self.fail(index, vec![Issue::row("bad_op", reason)]);
        };
        let name = object.get("op").and_then(Value::as_str).unwrap_or_default();
        let result = match name {
            "create" => self.create(object),
            "update" => self.update(object),
            "delete" => self.delete(object),
            "link" | "unlink" => self.link(object, name == "link"),
            "activity" => self.activity(object),
            "stage" => self.stage(object),
            "claim" => self.claim(object),
            _ => {
                let what = object.get("op").map_or_else(|| "no `op`".to_owned(), |v| format!("op {}", describe(v)));
                Err(vec![Issue::at("bad_op", "op", format!("{what}; the ops are {}", OPS.join(", ")))])
            }
        };
        if let Err(issues) = result {
            self.fail(index, issues);
        }
    }

    fn fail(&mut self, op: usize, issues: Vec<Issue>) {
        self.issues.extend(issues.into_iter().map(|i| OpIssue {
            op,
            code: i.code,
            column: i.column,
            reason: i.reason,
        }));
    }

    /// `{"op":"create","table":…,"row":{…}}`: any seeds table.
    fn create(&mut self, object: &Map<String, Value>) -> Result<(), Vec<Issue>> {
        keys(object, "a create op", &["op", "table", "row"])?;
        let mut c = Cells::new(object);
        let table = c.req("table", |col, v| {
            let name = v.as_str().ok_or_else(|| Issue::at("bad_value", col, "expected a table name"))?;
            Table::from_name(name).ok_or_else(|| Issue { column: Some(col.into()), ..unknown_table(name) })
        });
        let row = c.req("row", |col, v| {
            v.as_object()
                .cloned()
                .ok_or_else(|| Issue::at("bad_value", col, format!("expected a row object, not {}", describe(v))))
        });
        let (table, row) = c.finish(table.zip(row))?;
        match table {
            Table::TaskDependencies => {
                let dep = dependency(&row)?;
                self.expect(&[
                    ("task_id", dep.task, EntityKind::Task),
                    ("depends_on_task_id", dep.depends_on, EntityKind::Task),
                ])?;
                self.ops.push(link(
                    dep.depends_on,
                    Relation::Blocks,
                    dep.task,
                    None,
                    None,
                    dep.created_at.unwrap_or(self.now),
                ));
            }
            Table::Relationships => {
                let rel = relationship(&row)?;
                let t = rel.rtype;
                self.expect(&[("source_id", rel.source, t.source()), ("target_id", rel.target, t.target())])?;
                let at = rel.attrs.created_at.unwrap_or(self.now);
                self.ops.push(link(rel.source, t.relation(), rel.target, rel.attrs.weight, rel.attrs.metadata, at));
            }
            Table::ActivityFeed => {
                let entry = activity(&row, |_| false)?;
                self.expect(&[("task_id", entry.task, EntityKind::Task)])?;
                self.ops.push(Op::RecordActivity(entry.build(self.now)));
            }
            _ => self.create_entity(table, &row)?,
        }
        Ok(())
    }

    fn create_entity(&mut self, table: Table, row: &Map<String, Value>) -> Result<(), Vec<Issue>> {
        let decoded: EntityRow = entity(table, row)?;
        let id = decoded.id.unwrap_or_else(EntityId::random);
        let kind = decoded.data.kind();
        self.world.add(id, kind).map_err(|i| vec![i])?;
        let mut claims: Vec<Claim> = decoded.refs.iter().copied().map(Claim::from).collect();
        self.world.set_refs(id, &claims);
        resolve(&self.world, table, &mut claims)?;
        self.world.set_refs(id, &claims);
        create_ops(id, &decoded, &claims, self.now, &mut self.ops);
        self.ops.extend(parent_link(id, &decoded, &claims, self.now));
        Ok(())
    }

    /// `{"op":"update","id":…,"set":{…}}`: fields patch; foreign keys move
    /// or unlink; `current_stage` is a stage op.
    fn update(&mut self, object: &Map<String, Value>) -> Result<(), Vec<Issue>> {
        keys(object, "an update op", &["op", "id", "set"])?;
        let mut c = Cells::new(object);
        let id = c.req("id", to_id);
        let set = c.req("set", |col, v| {
            v.as_object()
                .cloned()
                .ok_or_else(|| Issue::at("bad_value", col, format!("expected an object, not {}", describe(v))))
        });
        let (id, set) = c.finish(id.zip(set))?;
        let kind = self.existing(id)?;
        if set.is_empty() {
            return Err(vec![Issue::at("bad_value", "set", "`set` names no column")]);
        }
        let Change { patch, refs, stage } = decode_set(kind, &set)?;
        let mut issues = Vec::new();
        let mut ops = Vec::new();
        if let Some(patch) = patch {
            ops.push(Op::Update { id, at: self.now, patch });
        }
        for change in refs {
            match change {
                RefChange::Set(key, target) => match self.world.check(&key, target) {
                    Ok(()) => ops.push(Op::Move { id, parent: target, at: self.now }),
                    Err(issue) => issues.push(issue),
                },
                RefChange::Clear(key) => {
                    let current = self.world.parent(id, key.slot).filter(|&p| self.world.kind(p) == Some(key.target));
                    ops.extend(current.map(|p| Op::Unlink { source: id, relation: key.relation, target: p }));
                }
            }
        }
        if let Some(stage) = stage {
            ops.push(stage_op(id, stage, None, self.now));
        }
        if !issues.is_empty() {
            return Err(issues);
        }
        self.ops.append(&mut ops);
        Ok(())
    }

    /// `{"op":"delete","id":…}`: with the seeds' cascade.
    fn delete(&mut self, object: &Map<String, Value>) -> Result<(), Vec<Issue>> {
        keys(object, "a delete op", &["op", "id"])?;
        let mut c = Cells::new(object);
        let id = c.req("id", to_id);
        let id = c.finish(id)?;
        self.existing(id)?;
        self.ops.push(Op::Delete { id, at: self.now });
        Ok(())
    }

    /// `{"op":"link"|"unlink","source_id":…,"relationship_type":…,"target_id":…}`;
    /// a link may add `weight`, `metadata`, `created_at`. The type is the
    /// seeds' name (`task_blocks`) or the bare relation (`blocks`).
    fn link(&mut self, object: &Map<String, Value>, add: bool) -> Result<(), Vec<Issue>> {
        const LINK: [&str; 9] = [
            "op",
            "source_id",
            "relationship_type",
            "target_id",
            "source_type",
            "target_type",
            "weight",
            "metadata",
            "created_at",
        ];
        keys(object, if add { "a link op" } else { "an unlink op" }, if add { &LINK[..] } else { &LINK[..6] })?;
        let mut c = Cells::new(object);
        let source = c.req("source_id", to_id);
        let target = c.req("target_id", to_id);
        let name = c.req("relationship_type", to_tag);
        let attrs = edge_attrs(&mut c);
        let (source, target, name) = match (source, target, name) {
            (Some(s), Some(t), Some(n)) if !c.failed() => (s, t, n),
            _ => return c.finish(None),
        };
        let (sk, tk) = (self.existing_at("source_id", source), self.existing_at("target_id", target));
        let (sk, tk) = match (sk, tk) {
            (Ok(s), Ok(t)) => (s, t),
            (s, t) => return Err([s.err(), t.err()].into_iter().flatten().collect()),
        };
        let relation = relation_between(&name, sk, tk)?;
        for (column, kind) in [("source_type", sk), ("target_type", tk)] {
            if let Some(given) =
                c.value(column).and_then(Value::as_str).filter(|g| !g.eq_ignore_ascii_case(kind.as_str()))
            {
                c.push(Issue::at("contradiction", column, format!("the entity is a {kind}, not {:?}", clip(given))));
            }
        }
        c.finish(Some(()))?;
        self.ops.push(if add {
            link(source, relation, target, attrs.weight, attrs.metadata, attrs.created_at.unwrap_or(self.now))
        } else {
            Op::Unlink { source, relation, target }
        });
        Ok(())
    }

    /// `{"op":"activity","task_id":…,"activity_type":…,…}`: the columns of
    /// an `activity_feed` row.
    fn activity(&mut self, object: &Map<String, Value>) -> Result<(), Vec<Issue>> {
        let entry = activity(object, |k| k == "op")?;
        self.expect(&[("task_id", entry.task, EntityKind::Task)])?;
        self.ops.push(Op::RecordActivity(entry.build(self.now)));
        Ok(())
    }

    /// `{"op":"stage","task_id":…,"stage":…}` (and `actor_id`).
    fn stage(&mut self, object: &Map<String, Value>) -> Result<(), Vec<Issue>> {
        keys(object, "a stage op", &["op", "task_id", "stage", "actor_id"])?;
        let mut c = Cells::new(object);
        let task = c.req("task_id", to_id);
        let stage = c.req("stage", to_tag);
        let actor = c.opt("actor_id", to_id);
        let (task, stage) = c.finish(task.zip(stage))?;
        self.expect(&[("task_id", task, EntityKind::Task)])?;
        self.ops.push(stage_op(task, stage, actor, self.now));
        Ok(())
    }

    /// `{"op":"claim","task_id":…,"owner_id":…}`: succeeds only while the
    /// task is ready, checked when the line commits.
    fn claim(&mut self, object: &Map<String, Value>) -> Result<(), Vec<Issue>> {
        keys(object, "a claim op", &["op", "task_id", "owner_id"])?;
        let mut c = Cells::new(object);
        let task = c.req("task_id", to_id);
        let owner = c.req("owner_id", to_id);
        let (task, owner) = c.finish(task.zip(owner))?;
        self.expect(&[("task_id", task, EntityKind::Task), ("owner_id", owner, EntityKind::User)])?;
        self.ops.push(Op::Claim { task, owner, at: self.now });
        Ok(())
    }

    fn existing(&self, id: EntityId) -> Result<EntityKind, Vec<Issue>> {
        self.existing_at("id", id).map_err(|i| vec![i])
    }

    fn existing_at(&self, column: &str, id: EntityId) -> Result<EntityKind, Issue> {
        self.world.kind(id).ok_or_else(|| Issue::at("not_found", column, format!("no entity {id}")))
    }

    /// Checks each `(column, id, kind)`: the id names an entity of that kind.
    fn expect(&self, wanted: &[(&str, EntityId, EntityKind)]) -> Result<(), Vec<Issue>> {
        let issues: Vec<Issue> = wanted
            .iter()
            .filter_map(|&(column, id, kind)| match self.world.kind(id) {
                None => Some(Issue::at("not_found", column, format!("no {kind} {id}"))),
                Some(k) if k != kind => Some(Issue::at("wrong_kind", column, format!("{id} is a {k}, not a {kind}"))),
                Some(_) => None,
            })
            .collect();
        if issues.is_empty() { Ok(()) } else { Err(issues) }
    }
}

/// Refuses keys an op does not have. O(keys).
fn keys(object: &Map<String, Value>, what: &str, allowed: &[&str]) -> Result<(), Vec<Issue>> {
    let issues: Vec<Issue> = object
        .keys()
        .filter(|k| !allowed.contains(&k.as_str()))
        .map(|k| {
            Issue::at("unknown_key", clip(k), format!("{what} has no key {:?}; it has {}", clip(k), allowed.join(", ")))
        })
        .collect();
    if issues.is_empty() { Ok(()) } else { Err(issues) }
}

/// The relation a link names between entities of these kinds: a seeds'
/// type must match them; a bare relation must allow them.
fn relation_between(name: &Tag, source: EntityKind, target: EntityKind) -> Result<Relation, Vec<Issue>> {
    let column = "relationship_type";
    if let Ok(t) = name.parse::<RelationType>() {
        if (t.source(), t.target()) == (source, target) {
            return Ok(t.relation());
        }
        let reason = format!("{t} joins a {} to a {}, not a {source} to a {target}", t.source(), t.target());
        return Err(vec![Issue::at("wrong_kind", column, reason)]);
    }
    match name.parse::<Relation>() {
        Ok(r) if r.allows(source, target) => Ok(r),
        Ok(r) => Err(vec![Issue::at("kinds_not_allowed", column, format!("a {source} cannot be {r} a {target}"))]),
        Err(_) => Err(vec![Issue::at("bad_value", column, format!("unknown relationship type {:?}", clip(name)))]),
    }
}

fn link(
    source: EntityId,
    relation: Relation,
    target: EntityId,
    weight: Option<convoy_core::model::Fraction>,
    metadata: Option<convoy_core::model::Json>,
    at: Timestamp,
) -> Op {
    Op::Link { source, relation, target, weight, metadata, at }
}

fn stage_op(task: EntityId, stage: Tag, actor: Option<EntityId>, at: Timestamp) -> Op {
    Op::SetStage { task, stage, activity: ActivityId::random(), actor, at }
}

#[cfg(test)]
mod tests {
    use convoy_core::model::{Project, Task, User, Workflow, Workspace};
    use convoy_core::{Batch, Slot};
    use serde_json::json;

    use super::*;
    use crate::apply::{LineError, parse_line};

    struct World {
        g: Graph,
        p: EntityId,
        a: EntityId,
        b: EntityId,
        u: EntityId,
        f: EntityId,
    }

    fn world() -> World {
        let mut g = Graph::new();
        let ops = [
            Op::create(Workspace::new("w").unwrap()),
            Op::create(Project::new("p").unwrap()),
            Op::create(Task::new("a").unwrap()),
            Op::create(Task::new("b").unwrap()),
            Op::create(User::new("u").unwrap()),
            Op::create(Workflow::new("f").unwrap()),
        ];
        let [w, p, a, b, u, f] = ops.each_ref().map(Op::subject);
        let mut batch = Batch::from(ops.to_vec());
        for op in [
            Op::link(w, Relation::Contains, p),
            Op::link(p, Relation::Contains, a),
            Op::link(p, Relation::Contains, b),
            Op::link(a, Relation::Follows, f),
        ] {
            batch.push(op);
        }
        g.apply(&batch).unwrap();
        World { g, p, a, b, u, f }
    }

    /// The issues of a line that should not read, as (op, column, code).
    fn issues(g: &Graph, line: Value) -> Vec<(usize, Option<String>, &'static str)> {
        match parse_line(g, &line.to_string()) {
            Err(LineError::Invalid(issues)) => issues.into_iter().map(|i| (i.op, i.column, i.code)).collect(),
            other => panic!("{line}: expected invalid ops, got {other:?}"),
        }
    }

    fn one(g: &Graph, line: Value) -> (Option<String>, &'static str) {
        let mut all = issues(g, line.clone());
        assert_eq!(all.len(), 1, "{line}: {all:?}");
        let (_, column, code) = all.remove(0);
        (column, code)
    }

    fn ops(g: &Graph, line: Value) -> Vec<Op> {
        parse_line(g, &line.to_string()).unwrap_or_else(|e| panic!("{line}: {e}")).into_iter().collect()
    }

    #[test]
    fn a_line_can_create_a_container_and_what_goes_in_it() {
        let w = world();
        let m = EntityId::random();
        let line = json!([
            {"op": "create", "table": "milestones", "row": {"id": m.to_string(), "project_id": w.p.to_string(), "name": "M"}},
            {"op": "create", "table": "tasks", "row": {"milestone_id": m.to_string(), "title": "T"}}
        ]);
        let batch = Batch::from(ops(&w.g, line));
        let mut g = w.g.clone();
        g.apply(&batch).unwrap();
        let task = batch.ops().iter().rev().find_map(|op| match op {
            Op::Create { id, .. } => Some(*id),
            _ => None,
        });
        assert_eq!(g.parent(task.unwrap(), Slot::Project), Some(w.p), "derived from the new milestone");
    }

    #[test]
    fn create_takes_edge_and_feed_tables_too() {
        let w = world();
        let (a, b) = (w.a.to_string(), w.b.to_string());
        let got = ops(
            &w.g,
            json!([
                {"op": "create", "table": "task_dependencies", "row": {"task_id": b, "depends_on_task_id": a}},
                {"op": "create", "table": "relationships", "row": {"source_id": a, "relationship_type": "task_related_to", "target_id": b, "weight": 0.1}},
                {"op": "create", "table": "activity_feed", "row": {"task_id": a, "activity_type": "NOTE"}}
            ]),
        );
        assert!(matches!(got[0], Op::Link { relation: Relation::Blocks, source, .. } if source == w.a));
        assert!(matches!(&got[1], Op::Link { relation: Relation::RelatedTo, weight: Some(f), .. } if f.get() == 0.1));
        assert!(matches!(&got[2], Op::RecordActivity(e) if e.task == w.a));
        assert_eq!(
            one(&w.g, json!({"op": "create", "table": "milestone", "row": {}})),
            (Some("table".into()), "unknown_table")
        );
        assert_eq!(one(&w.g, json!({"op": "create", "table": "tasks", "row": []})), (Some("row".into()), "bad_value"));
        assert_eq!(
            one(&w.g, json!({"op": "create", "table": "tasks", "row": {"title": "t"}, "extra": 1})),
            (Some("extra".into()), "unknown_key")
        );
        let dangling = json!({"op": "create", "table": "activity_feed", "row": {"task_id": w.p.to_string(), "activity_type": "N"}});
        assert_eq!(one(&w.g, dangling), (Some("task_id".into()), "wrong_kind"));
    }

    #[test]
    fn updates_become_patches_moves_unlinks_and_stage_changes() {
        let w = world();
        let got = ops(
            &w.g,
            json!({"op": "update", "id": w.a.to_string(),
            "set": {"title": "renamed", "owner_id": w.u.to_string(), "workflow_type": null, "current_stage": "PLAN"}}),
        );
        assert!(matches!(got[0], Op::Update { id, .. } if id == w.a));
        assert!(matches!(got[1], Op::Move { parent, .. } if parent == w.u));
        assert!(matches!(got[2], Op::Unlink { relation: Relation::Follows, target, .. } if target == w.f));
        assert!(matches!(&got[3], Op::SetStage { stage, .. } if stage.as_str() == "PLAN"));
        // Clearing a reference that is not set is nothing to do.
        let got = ops(&w.g, json!({"op": "update", "id": w.b.to_string(), "set": {"workstream_id": null}}));
        assert!(got.is_empty());
        let missing = EntityId::random().to_string();
        assert_eq!(
            one(&w.g, json!({"op": "update", "id": missing, "set": {"title": "x"}})),
            (Some("id".into()), "not_found")
        );
        assert_eq!(
            one(&w.g, json!({"op": "update", "id": w.a.to_string(), "set": {}})),
            (Some("set".into()), "bad_value")
        );
        let wrong = json!({"op": "update", "id": w.a.to_string(), "set": {"project_id": w.u.to_string()}});
        assert_eq!(one(&w.g, wrong), (Some("project_id".into()), "wrong_kind"));
        let bad = json!({"op": "update", "id": w.a.to_string(), "set": {"name": "tasks have titles"}});
        assert_eq!(one(&w.g, bad), (Some("name".into()), "unknown_column"));
    }

    #[test]
    fn links_take_either_spelling_and_check_kinds() {
        let w = world();
        let (a, b, p) = (w.a.to_string(), w.b.to_string(), w.p.to_string());
        let got = ops(
            &w.g,
            json!({"op": "link", "source_id": a, "relationship_type": "blocks", "target_id": b,
                                    "metadata": {"why": "order"}}),
        );
        assert!(matches!(&got[0], Op::Link { relation: Relation::Blocks, metadata: Some(_), .. }));
        let got =
            ops(&w.g, json!({"op": "unlink", "source_id": b, "relationship_type": "TASK_BLOCKED_BY", "target_id": a}));
        assert!(matches!(got[0], Op::Unlink { relation: Relation::BlockedBy, .. }));
        let cases = [
            (
                json!({"op": "link", "source_id": a, "relationship_type": "project_contains_task", "target_id": b}),
                "relationship_type",
                "wrong_kind",
            ),
            (
                json!({"op": "link", "source_id": p, "relationship_type": "blocks", "target_id": b}),
                "relationship_type",
                "kinds_not_allowed",
            ),
            (
                json!({"op": "link", "source_id": a, "relationship_type": "teleports", "target_id": b}),
                "relationship_type",
                "bad_value",
            ),
            (
                json!({"op": "link", "source_id": a, "relationship_type": "blocks", "target_id": EntityId::random().to_string()}),
                "target_id",
                "not_found",
            ),
            (
                json!({"op": "link", "source_id": a, "source_type": "project", "relationship_type": "blocks", "target_id": b}),
                "source_type",
                "contradiction",
            ),
            (
                json!({"op": "unlink", "source_id": a, "relationship_type": "blocks", "target_id": b, "weight": 1}),
                "weight",
                "unknown_key",
            ),
            (
                json!({"op": "link", "source_id": a, "relationship_type": "blocks", "target_id": b, "weight": 7}),
                "weight",
                "bad_value",
            ),
        ];
        for (line, column, code) in cases {
            assert_eq!(one(&w.g, line.clone()), (Some(column.to_string()), code), "{line}");
        }
    }

    #[test]
    fn activity_stage_claim_and_delete_check_their_entities() {
        let w = world();
        let (a, u, p) = (w.a.to_string(), w.u.to_string(), w.p.to_string());
        assert!(matches!(ops(&w.g, json!({"op": "claim", "task_id": a, "owner_id": u}))[0], Op::Claim { .. }));
        assert!(matches!(ops(&w.g, json!({"op": "delete", "id": p}))[0], Op::Delete { .. }));
        let got = ops(&w.g, json!({"op": "stage", "task_id": a, "stage": "TEST", "actor_id": u}));
        assert!(matches!(got[0], Op::SetStage { actor: Some(actor), .. } if actor == w.u));
        let cases = [
            (json!({"op": "claim", "task_id": a, "owner_id": p}), Some("owner_id"), "wrong_kind"),
            (json!({"op": "claim", "task_id": a}), Some("owner_id"), "missing_column"),
            (json!({"op": "stage", "task_id": p, "stage": "TEST"}), Some("task_id"), "wrong_kind"),
            (json!({"op": "stage", "task_id": a, "stage": ""}), Some("stage"), "bad_value"),
            (json!({"op": "delete", "id": EntityId::random().to_string()}), Some("id"), "not_found"),
            (json!({"op": "activity", "task_id": a}), Some("activity_type"), "missing_column"),
            (json!({"op": "activity", "task_id": a, "type": "N", "colour": 1}), Some("colour"), "unknown_column"),
            (json!({"id": a}), Some("op"), "bad_op"),
            (json!({"op": 5}), Some("op"), "bad_op"),
        ];
        for (line, column, code) in cases {
            assert_eq!(one(&w.g, line.clone()), (column.map(str::to_string), code), "{line}");
        }
    }

    #[test]
    fn every_bad_op_of_a_line_is_reported_with_its_position() {
        let w = world();
        let line = json!([
            {"op": "delete", "id": w.a.to_string()},
            7,
            {"op": "claim", "task_id": "x", "owner_id": "y"}
        ]);
        let found = issues(&w.g, line);
        let positions: Vec<_> = found.iter().map(|(op, column, code)| (*op, column.as_deref(), *code)).collect();
        assert_eq!(
            positions,
            [(1, None, "bad_op"), (2, Some("task_id"), "bad_value"), (2, Some("owner_id"), "bad_value")]
        );
    }
}
