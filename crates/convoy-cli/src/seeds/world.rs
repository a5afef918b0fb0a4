//! The graph as a batch being built will leave it: the store's graph plus
//! the entities the batch creates, so references between new rows (and to
//! existing entities) can be checked, and a task's project derived, before
//! any op runs.

use std::collections::HashMap;

use convoy_core::model::{
    BestPracticePatch, EntityKind, EntityPatch, MilestonePatch, PatternPatch, ProjectPatch, SlicePatch, TaskPatch,
    UserPatch, WorkflowPatch, WorkspacePatch, WorkstreamPatch,
};
use convoy_core::{EntityId, Graph, Op, Slot, Timestamp};

use super::decode::{EdgeAttrs, EntityRow, Ref};
use super::issue::Issue;
use super::table::{ForeignKey, Table};

/// A reference an entity will have: a foreign-key column's value, or the
/// same edge given by a relationships row, with the edge's attributes.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct Claim {
    /// The column and what it means.
    pub(crate) key: ForeignKey,
    /// The entity referred to.
    pub(crate) target: EntityId,
    /// Weight, metadata, time; defaults when `None`.
    pub(crate) attrs: EdgeAttrs,
}

impl From<Ref> for Claim {
    fn from(r: Ref) -> Self {
        Self { key: r.key, target: r.target, attrs: EdgeAttrs::default() }
    }
}

/// An entity a batch will create: its kind and references.
#[derive(Clone, Debug)]
struct Pending {
    kind: EntityKind,
    refs: Vec<(Slot, EntityId)>,
}

/// The store's graph plus the entities being added.
pub(crate) struct World<'g> {
    graph: &'g Graph,
    pending: HashMap<EntityId, Pending>,
}

impl<'g> World<'g> {
    /// The graph with nothing added yet. O(1).
    pub(crate) fn new(graph: &'g Graph) -> Self {
        Self { graph, pending: HashMap::new() }
    }

    /// The graph underneath. O(1).
    pub(crate) const fn graph(&self) -> &'g Graph {
        self.graph
    }

    /// The kind of `id`, whether new or in the graph. O(1).
    pub(crate) fn kind(&self, id: EntityId) -> Option<EntityKind> {
        self.pending.get(&id).map(|p| p.kind).or_else(|| self.graph.get(id).map(|e| e.kind()))
    }

    /// Adds a new entity; an `Issue` when the id is taken (in the graph or
    /// by an earlier new entity). O(1).
    pub(crate) fn add(&mut self, id: EntityId, kind: EntityKind) -> Result<(), Issue> {
        if let Some(existing) = self.kind(id) {
            let place = if self.pending.contains_key(&id) { "earlier in the input" } else { "already in the store" };
            return Err(Issue::at("duplicate_id", "id", format!("{id} is taken: a {existing} {place}")));
        }
        self.pending.insert(id, Pending { kind, refs: Vec::new() });
        Ok(())
    }

    /// Records a new entity's references, for [`World::parent`]. O(refs).
    pub(crate) fn set_refs(&mut self, id: EntityId, claims: &[Claim]) {
        if let Some(p) = self.pending.get_mut(&id) {
            p.refs = claims.iter().map(|c| (c.key.slot, c.target)).collect();
        }
    }

    /// What `id`'s single-valued reference `slot` will point at. O(1).
    pub(crate) fn parent(&self, id: EntityId, slot: Slot) -> Option<EntityId> {
        match self.pending.get(&id) {
            Some(p) => p.refs.iter().find(|(s, _)| *s == slot).map(|&(_, t)| t),
            None => self.graph.parent(id, slot),
        }
    }

    /// Checks that a reference names an entity of the kind its column
    /// needs. O(1).
    pub(crate) fn check(&self, key: &ForeignKey, target: EntityId) -> Result<(), Issue> {
        match self.kind(target) {
            None => Err(Issue::at(
                "not_found",
                key.column,
                format!("no {} {target}, neither in the input nor in the store", key.target),
            )),
            Some(k) if k != key.target => {
                Err(Issue::at("wrong_kind", key.column, format!("{target} is a {k}, not a {}", key.target)))
            }
            Some(_) => Ok(()),
        }
    }

    /// A task's project when its row gives none, as seeds 002 and 003 have
    /// it: through its slice's milestone, its milestone, its workstream or
    /// its parent task, the first of those that is given. O(1).
    pub(crate) fn derive_project(&self, claims: &[Claim]) -> Option<EntityId> {
        let via = |slot: Slot| claims.iter().find(|c| c.key.slot == slot).map(|c| c.target);
        via(Slot::Slice)
            .and_then(|s| self.parent(s, Slot::Milestone))
            .or_else(|| via(Slot::Milestone))
            .and_then(|m| self.parent(m, Slot::Project))
            .or_else(|| via(Slot::Workstream).and_then(|w| self.parent(w, Slot::Project)))
            .or_else(|| via(Slot::ParentTask).and_then(|t| self.parent(t, Slot::Project)))
    }
}

/// The reference an entity of `table` must have (the seeds' `NOT NULL`
/// foreign keys, in Convoy's reading): a project's workspace; the project
/// of a workstream, milestone or task; a slice's milestone. O(1).
pub(crate) fn required(table: Table) -> Option<ForeignKey> {
    let slot = match table {
        Table::Projects => Slot::Workspace,
        Table::Workstreams | Table::Milestones | Table::Tasks => Slot::Project,
        Table::Slices => Slot::Milestone,
        _ => return None,
    };
    table.foreign_keys().iter().copied().find(|k| k.slot == slot)
}

/// Completes and checks a new entity's references: derives a task's
/// project when none is given, then checks that every reference names an
/// entity of the right kind and that the required one is there. O(refs).
///
/// # Errors
/// Every reference that names nothing or the wrong kind; the required
/// reference missing (`missing_column`).
pub(crate) fn resolve(world: &World<'_>, table: Table, claims: &mut Vec<Claim>) -> Result<(), Vec<Issue>> {
    let mut issues: Vec<Issue> = claims.iter().filter_map(|c| world.check(&c.key, c.target).err()).collect();
    if let Some(key) = required(table)
        && !claims.iter().any(|c| c.key.slot == key.slot)
    {
        let derived = (table == Table::Tasks).then(|| world.derive_project(claims)).flatten();
        match derived {
            Some(target) => claims.push(Claim { key, target, attrs: EdgeAttrs::default() }),
            None if issues.is_empty() => {
                let hint = if table == Table::Tasks {
                    " (or a slice_id, milestone_id, workstream_id or parent_task_id to derive it from)"
                } else {
                    ""
                };
                issues.push(Issue::at("missing_column", key.column, format!("`{}` is required{hint}", key.column)));
            }
            None => {}
        }
    }
    if issues.is_empty() { Ok(()) } else { Err(issues) }
}

/// The link op for one reference of `child`, at the reference's own time
/// or else `default_at`. O(1).
pub(crate) fn link_op(child: EntityId, claim: &Claim, default_at: Timestamp) -> Op {
    Op::Link {
        source: child,
        relation: claim.key.relation,
        target: claim.target,
        weight: claim.attrs.weight,
        metadata: claim.attrs.metadata.clone(),
        at: claim.attrs.created_at.unwrap_or(default_at),
    }
}

/// The ops creating a decoded entity row with id `id`: the create at its
/// `created_at` (else `now`), an empty update at its `updated_at` when
/// later (so the entity keeps both times), and a link per reference except
/// the parent task, which `parent_link` returns (the parent may be created
/// later in the same input). O(refs).
pub(crate) fn create_ops(id: EntityId, row: &EntityRow, claims: &[Claim], now: Timestamp, out: &mut Vec<Op>) {
    let created = row.created_at.unwrap_or(now);
    out.push(Op::Create { id, at: created, data: row.data.clone() });
    out.extend(claims.iter().filter(|c| c.key.slot != Slot::ParentTask).map(|c| link_op(id, c, created)));
    if let Some(updated) = row.updated_at.filter(|&u| u > created) {
        out.push(Op::Update { id, at: updated, patch: empty_patch(row.data.kind()) });
    }
}

/// The subtask link of a new task, if its row names a parent. O(refs).
pub(crate) fn parent_link(id: EntityId, row: &EntityRow, claims: &[Claim], now: Timestamp) -> Option<Op> {
    let created = row.created_at.unwrap_or(now);
    claims.iter().find(|c| c.key.slot == Slot::ParentTask).map(|c| link_op(id, c, created))
}

/// A patch that changes nothing, for a kind: applying it only sets
/// `updated_at`. O(1).
pub(crate) fn empty_patch(kind: EntityKind) -> EntityPatch {
    match kind {
        EntityKind::Workspace => WorkspacePatch::default().into(),
        EntityKind::Project => ProjectPatch::default().into(),
        EntityKind::Workstream => WorkstreamPatch::default().into(),
        EntityKind::Milestone => MilestonePatch::default().into(),
        EntityKind::Slice => SlicePatch::default().into(),
        EntityKind::Task => TaskPatch::default().into(),
        EntityKind::Workflow => WorkflowPatch::default().into(),
        EntityKind::Pattern => PatternPatch::default().into(),
        EntityKind::BestPractice => BestPracticePatch::default().into(),
        EntityKind::User => UserPatch::default().into(),
    }
}

#[cfg(test)]
mod tests {
    use convoy_core::model::{Milestone, Project, Workspace};
    use convoy_core::{Batch, Relation};

    use super::*;

    fn key(table: Table, column: &str) -> ForeignKey {
        table.foreign_key_named(column).unwrap()
    }

    #[test]
    fn a_tasks_project_is_derived_through_new_and_stored_containers() {
        let mut g = Graph::new();
        let ws = Op::create(Workspace::new("w").unwrap());
        let p = Op::create(Project::new("p").unwrap());
        let m = Op::create(Milestone::new("m").unwrap());
        let (ws_id, p_id, m_id) = (ws.subject(), p.subject(), m.subject());
        g.apply(&Batch::from(vec![
            ws,
            p,
            Op::link(ws_id, Relation::Contains, p_id),
            m,
            Op::link(p_id, Relation::Contains, m_id),
        ]))
        .unwrap();
        let mut world = World::new(&g);
        // A new slice in the stored milestone; a new task in the new slice.
        let slice = EntityId::random();
        world.add(slice, EntityKind::Slice).unwrap();
        world.set_refs(slice, &[Claim::from(Ref { key: key(Table::Slices, "milestone_id"), target: m_id })]);
        let mut claims = vec![Claim::from(Ref { key: key(Table::Tasks, "slice_id"), target: slice })];
        resolve(&world, Table::Tasks, &mut claims).unwrap();
        assert_eq!(claims[1].key.column, "project_id");
        assert_eq!(claims[1].target, p_id);
    }

    #[test]
    fn references_to_nothing_or_the_wrong_kind_are_named() {
        let g = Graph::new();
        let mut world = World::new(&g);
        let ws = EntityId::random();
        world.add(ws, EntityKind::Workspace).unwrap();
        let ghost = EntityId::random();
        let mut claims = vec![
            Claim::from(Ref { key: key(Table::Tasks, "project_id"), target: ws }),
            Claim::from(Ref { key: key(Table::Tasks, "owner_id"), target: ghost }),
        ];
        let issues = resolve(&world, Table::Tasks, &mut claims).unwrap_err();
        assert_eq!(issues[0].code, "wrong_kind");
        assert!(issues[0].reason.contains(&ws.to_string()) && issues[0].reason.contains("workspace"));
        assert_eq!(issues[1].code, "not_found");
        assert!(issues[1].reason.contains(&ghost.to_string()));
        assert_eq!(world.add(ws, EntityKind::Task).unwrap_err().code, "duplicate_id");
    }

    #[test]
    fn a_missing_required_reference_is_reported_with_how_to_derive_it() {
        let g = Graph::new();
        let world = World::new(&g);
        let issues = resolve(&world, Table::Tasks, &mut Vec::new()).unwrap_err();
        assert_eq!(issues[0].code, "missing_column");
        assert!(issues[0].reason.contains("slice_id"), "{}", issues[0]);
        assert!(resolve(&world, Table::Users, &mut Vec::new()).is_ok());
    }
}
