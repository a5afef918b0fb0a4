//! A plain reference model of the graph, written from DESIGN.md and the op
//! docs rather than from `convoy-core`'s code: entities in a `BTreeMap`,
//! relationships as a set of forward edges (the inverse of each is implied),
//! feeds as sorted vectors. Every rule is a direct reading of the spec; the
//! model uses only `convoy-core`'s value types (ids, fields, patches).
//!
//! A batch applies to a copy, op by op; the first op whose own rule fails
//! refuses the batch at that op. The batch-level rules (required parents,
//! same-project placement, slice in milestone, stage in workflow) are then
//! checked over the *whole* end state, not just what the batch touched —
//! an independent route to the same answer as the graph's targeted checks.

use std::collections::{BTreeMap, BTreeSet};

use convoy_core::model::{
    Activity, EntityData, EntityKind, EntityPatch, Fraction, Json, STAGE_TRANSITION, Tag, TaskStatus, Text,
};
use convoy_core::{Batch, EntityId, Op, Relation, Slot, Timestamp};

use crate::bug;

/// An entity: its times and fields.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Node {
    /// Creation time.
    pub created: Timestamp,
    /// Last update, move, stage change or claim.
    pub updated: Timestamp,
    /// The fields (which fix the kind).
    pub data: EntityData,
}

/// What a forward edge carries.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Edge {
    /// Weight.
    pub weight: Fraction,
    /// Metadata.
    pub metadata: Option<Json>,
    /// Creation time.
    pub at: Timestamp,
}

/// The model's verdict on a batch.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Verdict {
    /// Applied.
    Accepted,
    /// Refused by the op at this index.
    RefusedAt(usize),
    /// Every op passed, but the end state breaks a batch-level rule.
    RefusedAtClose,
}

/// A forward edge's key: `(source, relation, target)`; `related_to` is
/// keyed from the smaller id.
pub type Key = (EntityId, Relation, EntityId);

/// The reference model.
#[derive(Clone, Debug, Default)]
pub struct Model {
    /// Entities by id.
    pub entities: BTreeMap<EntityId, Node>,
    /// Forward edges.
    pub edges: BTreeMap<Key, Edge>,
    /// Non-empty feeds, each ordered by `(created_at, id)`.
    pub feeds: BTreeMap<EntityId, Vec<Activity>>,
}

/// An op's own rule failed.
struct Refused;

type Step = Result<(), Refused>;

/// The relation of the inverse edge.
pub const fn inverse(r: Relation) -> Relation {
    use Relation as R;
    match r {
        R::Contains => R::BelongsTo,
        R::BelongsTo => R::Contains,
        R::HasSubtask => R::SubtaskOf,
        R::SubtaskOf => R::HasSubtask,
        R::Blocks => R::BlockedBy,
        R::BlockedBy => R::Blocks,
        R::Follows => R::FollowedBy,
        R::FollowedBy => R::Follows,
        R::ScopedTo => R::Scopes,
        R::Scopes => R::ScopedTo,
        R::OwnedBy => R::Owns,
        R::Owns => R::OwnedBy,
        _ => r,
    }
}

/// Whether `r` is the forward spelling of its pair (DESIGN.md's left column).
pub const fn is_forward(r: Relation) -> bool {
    use Relation as R;
    matches!(r, R::Contains | R::HasSubtask | R::Blocks | R::RelatedTo | R::Follows | R::ScopedTo | R::OwnedBy)
}

/// The stored key of the edge `a -r-> b` in either spelling.
pub fn key(a: EntityId, r: Relation, b: EntityId) -> Key {
    if !is_forward(r) {
        return (b, inverse(r), a);
    }
    if r == Relation::RelatedTo && b < a { (b, r, a) } else { (a, r, b) }
}

/// DESIGN.md's relationship table, forward direction.
fn allowed(r: Relation, s: EntityKind, t: EntityKind) -> bool {
    use EntityKind as K;
    match r {
        Relation::Contains => matches!(
            (s, t),
            (K::Workspace, K::Project)
                | (K::Project, K::Workstream | K::Milestone | K::Task)
                | (K::Milestone, K::Slice | K::Task)
                | (K::Workstream | K::Slice, K::Task)
        ),
        Relation::HasSubtask | Relation::Blocks | Relation::RelatedTo => s == K::Task && t == K::Task,
        Relation::Follows => s == K::Task && t == K::Workflow,
        Relation::ScopedTo => matches!(s, K::Pattern | K::BestPractice) && matches!(t, K::Workspace | K::Project),
        Relation::OwnedBy => matches!(s, K::Project | K::Workstream | K::Task) && t == K::User,
        _ => false,
    }
}

/// Which end of a forward edge holds a single-valued reference, and which.
/// `true` for the source.
fn holder(r: Relation, s: EntityKind) -> Option<(bool, Slot)> {
    match r {
        Relation::Contains => {
            let slot = match s {
                EntityKind::Workspace => Slot::Workspace,
                EntityKind::Project => Slot::Project,
                EntityKind::Workstream => Slot::Workstream,
                EntityKind::Milestone => Slot::Milestone,
                EntityKind::Slice => Slot::Slice,
                _ => return None,
            };
            Some((false, slot))
        }
        Relation::HasSubtask => Some((false, Slot::ParentTask)),
        Relation::Follows => Some((true, Slot::Workflow)),
        Relation::ScopedTo => Some((true, Slot::Scope)),
        Relation::OwnedBy => Some((true, Slot::Owner)),
        _ => None,
    }
}

/// The documented default weights.
pub fn default_weight(r: Relation) -> Fraction {
    let w = match r {
        Relation::Contains => 1.0,
        Relation::HasSubtask => 0.9,
        Relation::Blocks => 0.8,
        Relation::Follows => 0.7,
        Relation::ScopedTo => 0.6,
        Relation::RelatedTo => 0.5,
        _ => 0.4,
    };
    Fraction::new("weight", w).unwrap_or_else(|e| bug(format!("default weight: {e}")))
}

/// The kind of entity some fields belong to.
pub const fn kind(data: &EntityData) -> EntityKind {
    match data {
        EntityData::Workspace(_) => EntityKind::Workspace,
        EntityData::Project(_) => EntityKind::Project,
        EntityData::Workstream(_) => EntityKind::Workstream,
        EntityData::Milestone(_) => EntityKind::Milestone,
        EntityData::Slice(_) => EntityKind::Slice,
        EntityData::Task(_) => EntityKind::Task,
        EntityData::Workflow(_) => EntityKind::Workflow,
        EntityData::Pattern(_) => EntityKind::Pattern,
        EntityData::BestPractice(_) => EntityKind::BestPractice,
        EntityData::User(_) => EntityKind::User,
    }
}

fn set<T: Clone>(field: &mut T, value: Option<&T>) {
    if let Some(v) = value {
        field.clone_from(v);
    }
}

/// Writes a patch's set fields; `false` when the kinds differ.
fn patch_fields(data: &mut EntityData, patch: &EntityPatch) -> bool {
    match (data, patch) {
        (EntityData::Workspace(d), EntityPatch::Workspace(p)) => {
            set(&mut d.name, p.name.as_ref());
            set(&mut d.description, p.description.as_ref());
        }
        (EntityData::Project(d), EntityPatch::Project(p)) => {
            set(&mut d.name, p.name.as_ref());
            set(&mut d.status, p.status.as_ref());
            set(&mut d.description, p.description.as_ref());
            set(&mut d.overview, p.overview.as_ref());
            set(&mut d.tech_stack, p.tech_stack.as_ref());
            set(&mut d.target_date, p.target_date.as_ref());
        }
        (EntityData::Workstream(d), EntityPatch::Workstream(p)) => {
            set(&mut d.name, p.name.as_ref());
            set(&mut d.status, p.status.as_ref());
            set(&mut d.progress, p.progress.as_ref());
            set(&mut d.description, p.description.as_ref());
        }
        (EntityData::Milestone(d), EntityPatch::Milestone(p)) => {
            set(&mut d.name, p.name.as_ref());
            set(&mut d.status, p.status.as_ref());
            set(&mut d.description, p.description.as_ref());
            set(&mut d.requirements, p.requirements.as_ref());
            set(&mut d.target_date, p.target_date.as_ref());
        }
        (EntityData::Slice(d), EntityPatch::Slice(p)) => {
            set(&mut d.name, p.name.as_ref());
            set(&mut d.status, p.status.as_ref());
            set(&mut d.description, p.description.as_ref());
        }
        (EntityData::Task(d), EntityPatch::Task(p)) => {
            set(&mut d.title, p.title.as_ref());
            set(&mut d.status, p.status.as_ref());
            set(&mut d.labels, p.labels.as_ref());
            set(&mut d.description, p.description.as_ref());
            set(&mut d.priority, p.priority.as_ref());
            set(&mut d.completion_date, p.completion_date.as_ref());
        }
        (EntityData::Workflow(d), EntityPatch::Workflow(p)) => {
            set(&mut d.name, p.name.as_ref());
            set(&mut d.stages, p.stages.as_ref());
            set(&mut d.description, p.description.as_ref());
        }
        (EntityData::Pattern(d), EntityPatch::Pattern(p)) => {
            set(&mut d.name, p.name.as_ref());
            set(&mut d.pattern_type, p.pattern_type.as_ref());
            set(&mut d.content, p.content.as_ref());
            set(&mut d.description, p.description.as_ref());
        }
        (EntityData::BestPractice(d), EntityPatch::BestPractice(p)) => {
            set(&mut d.name, p.name.as_ref());
            set(&mut d.category, p.category.as_ref());
            set(&mut d.content, p.content.as_ref());
            set(&mut d.description, p.description.as_ref());
        }
        (EntityData::User(d), EntityPatch::User(p)) => set(&mut d.name, p.name.as_ref()),
        _ => return false,
    }
    true
}

impl crate::plan::Catalog for Model {
    fn live(&self, kind: EntityKind) -> Vec<EntityId> {
        self.entities.iter().filter(|(_, n)| self::kind(&n.data) == kind).map(|(id, _)| *id).collect()
    }
}

impl Model {
    /// An empty model.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The kind of a live entity.
    #[must_use]
    pub fn kind_of(&self, id: EntityId) -> Option<EntityKind> {
        self.entities.get(&id).map(|n| kind(&n.data))
    }

    fn task(&self, id: EntityId) -> Result<EntityKind, Refused> {
        self.kind_of(id).filter(|k| *k == EntityKind::Task).ok_or(Refused)
    }

    /// The edge filling `id`'s single-valued reference `slot`, if any. O(E).
    fn slot_edge(&self, id: EntityId, slot: Slot) -> Option<Key> {
        self.edges.keys().copied().find(|&(s, r, t)| {
            let at_source = matches!(r, Relation::Follows | Relation::ScopedTo | Relation::OwnedBy);
            (if at_source { s } else { t }) == id
                && self.kind_of(s).and_then(|k| holder(r, k)).is_some_and(|(_, held)| held == slot)
        })
    }

    /// Every single-valued reference, in one pass. O(E log E).
    #[must_use]
    pub fn uplinks(&self) -> BTreeMap<(EntityId, Slot), EntityId> {
        let mut out = BTreeMap::new();
        for &(s, r, t) in self.edges.keys() {
            if let Some((at_source, slot)) = self.kind_of(s).and_then(|k| holder(r, k)) {
                let (child, parent) = if at_source { (s, t) } else { (t, s) };
                out.insert((child, slot), parent);
            }
        }
        out
    }

    /// Applies a batch if the spec accepts it; says why not otherwise.
    pub fn apply(&mut self, batch: &Batch) -> Verdict {
        let mut next = self.clone();
        for (index, op) in batch.ops().iter().enumerate() {
            if next.op(op).is_err() {
                return Verdict::RefusedAt(index);
            }
        }
        if !next.closing_ok() {
            return Verdict::RefusedAtClose;
        }
        *self = next;
        Verdict::Accepted
    }

    fn op(&mut self, op: &Op) -> Step {
        match op {
            Op::Create { id, at, data } => {
                if self.entities.contains_key(id) {
                    return Err(Refused);
                }
                self.entities.insert(*id, Node { created: *at, updated: *at, data: data.clone() });
                Ok(())
            }
            Op::Update { id, at, patch } => self.update(*id, *at, patch),
            Op::Delete { id, .. } => {
                self.kind_of(*id).ok_or(Refused)?;
                self.delete(*id);
                Ok(())
            }
            Op::Link { source, relation, target, weight, metadata, at } => {
                self.kind_of(*source).ok_or(Refused)?;
                self.kind_of(*target).ok_or(Refused)?;
                let (a, r, b) = if is_forward(*relation) {
                    (*source, *relation, *target)
                } else {
                    (*target, inverse(*relation), *source)
                };
                let edge =
                    Edge { weight: weight.unwrap_or_else(|| default_weight(r)), metadata: metadata.clone(), at: *at };
                self.add_edge(a, r, b, edge)
            }
            Op::Unlink { source, relation, target } => {
                self.kind_of(*source).ok_or(Refused)?;
                self.kind_of(*target).ok_or(Refused)?;
                self.edges.remove(&key(*source, *relation, *target)).map(drop).ok_or(Refused)
            }
            Op::Move { id, parent, at } => self.move_to(*id, *parent, *at),
            Op::RecordActivity(activity) => self.record(activity.clone()),
            Op::SetStage { task, stage, activity, actor, at } => self.set_stage(*task, stage, *activity, *actor, *at),
            Op::Claim { task, owner, at } => self.claim(*task, *owner, *at),
            other => bug(format!("the model does not know op {other:?}")),
        }
    }

    fn touch(&mut self, id: EntityId, at: Timestamp) {
        if let Some(node) = self.entities.get_mut(&id) {
            node.updated = at;
        }
    }

    fn update(&mut self, id: EntityId, at: Timestamp, patch: &EntityPatch) -> Step {
        let node = self.entities.get_mut(&id).ok_or(Refused)?;
        let was_done = matches!(&node.data, EntityData::Task(t) if t.status == TaskStatus::Done);
        if !patch_fields(&mut node.data, patch) {
            return Err(Refused);
        }
        // Completion date follows the status unless the patch sets it.
        if let (EntityData::Task(t), EntityPatch::Task(p)) = (&mut node.data, patch)
            && p.completion_date.is_none()
        {
            let done = t.status == TaskStatus::Done;
            if done && !was_done {
                t.completion_date = Some(at);
            } else if was_done && !done {
                t.completion_date = None;
            }
        }
        node.updated = at;
        Ok(())
    }

    /// Removes `root`, what requires it (transitively), their edges and feeds.
    fn delete(&mut self, root: EntityId) {
        let mut doomed = BTreeSet::from([root]);
        let mut queue = vec![root];
        while let Some(x) = queue.pop() {
            let Some(xk) = self.kind_of(x) else { continue };
            for &(s, r, t) in self.edges.keys() {
                let required = match (r, self.kind_of(t)) {
                    (Relation::Contains, Some(tk)) if s == x => matches!(
                        (xk, tk),
                        (EntityKind::Workspace, EntityKind::Project)
                            | (EntityKind::Project, EntityKind::Workstream | EntityKind::Milestone | EntityKind::Task)
                            | (EntityKind::Milestone, EntityKind::Slice)
                    )
                    .then_some(t),
                    (Relation::ScopedTo, _) if t == x => Some(s),
                    _ => None,
                };
                if let Some(child) = required
                    && doomed.insert(child)
                {
                    queue.push(child);
                }
            }
        }
        self.edges.retain(|(s, _, t), _| !doomed.contains(s) && !doomed.contains(t));
        for id in doomed {
            self.entities.remove(&id);
            self.feeds.remove(&id);
        }
    }

    /// The rules for a new forward edge, then inserts it.
    fn add_edge(&mut self, a: EntityId, r: Relation, b: EntityId, edge: Edge) -> Step {
        let (ak, bk) = (self.kind_of(a).ok_or(Refused)?, self.kind_of(b).ok_or(Refused)?);
        if a == b || !allowed(r, ak, bk) || self.edges.contains_key(&key(a, r, b)) {
            return Err(Refused);
        }
        if let Some((at_source, slot)) = holder(r, ak)
            && self.slot_edge(if at_source { a } else { b }, slot).is_some()
        {
            return Err(Refused);
        }
        let cycle = match r {
            Relation::Blocks => self.blocks_reaches(b, a),
            Relation::HasSubtask => self.ancestors(a).contains(&b),
            _ => false,
        };
        if cycle {
            return Err(Refused);
        }
        self.edges.insert(key(a, r, b), edge);
        Ok(())
    }

    /// Whether `to` is reachable from `from` along `blocks` edges.
    fn blocks_reaches(&self, from: EntityId, to: EntityId) -> bool {
        let mut seen = BTreeSet::from([from]);
        let mut queue = vec![from];
        while let Some(x) = queue.pop() {
            if x == to {
                return true;
            }
            for &(s, r, t) in self.edges.keys() {
                if s == x && r == Relation::Blocks && seen.insert(t) {
                    queue.push(t);
                }
            }
        }
        false
    }

    /// `task` and its chain of parent tasks.
    fn ancestors(&self, task: EntityId) -> Vec<EntityId> {
        let mut chain = vec![task];
        let mut at = task;
        while let Some((parent, _, _)) = self.slot_edge(at, Slot::ParentTask) {
            if chain.contains(&parent) {
                bug("the model holds a subtask cycle");
            }
            chain.push(parent);
            at = parent;
        }
        chain
    }

    fn move_to(&mut self, id: EntityId, parent: EntityId, at: Timestamp) -> Step {
        self.kind_of(id).ok_or(Refused)?;
        self.kind_of(parent).ok_or(Refused)?;
        // The one reference `parent`'s kind can fill for `id`.
        let candidates = [
            (parent, Relation::Contains, id),
            (parent, Relation::HasSubtask, id),
            (id, Relation::ScopedTo, parent),
            (id, Relation::OwnedBy, parent),
            (id, Relation::Follows, parent),
        ];
        let kinds = |a: EntityId, b: EntityId| self.kind_of(a).zip(self.kind_of(b));
        let (a, r, b) = candidates
            .into_iter()
            .find(|&(a, r, b)| kinds(a, b).is_some_and(|(ak, bk)| allowed(r, ak, bk)))
            .ok_or(Refused)?;
        let (_, slot) = self.kind_of(a).and_then(|ak| holder(r, ak)).ok_or(Refused)?;
        if let Some(old) = self.slot_edge(id, slot) {
            let old_parent = if old.0 == id { old.2 } else { old.0 };
            if old_parent == parent {
                self.touch(id, at);
                return Ok(());
            }
            self.edges.remove(&old);
        }
        self.add_edge(a, r, b, Edge { weight: default_weight(r), metadata: None, at })?;
        self.touch(id, at);
        Ok(())
    }

    fn record(&mut self, activity: Activity) -> Step {
        self.task(activity.task)?;
        let feed = self.feeds.entry(activity.task).or_default();
        if feed.iter().any(|a| a.id == activity.id) {
            return Err(Refused);
        }
        let at = feed.iter().take_while(|a| (a.created_at, a.id) < (activity.created_at, activity.id)).count();
        feed.insert(at, activity);
        Ok(())
    }

    fn set_stage(
        &mut self,
        task: EntityId,
        stage: &Tag,
        activity: convoy_core::ActivityId,
        actor: Option<EntityId>,
        at: Timestamp,
    ) -> Step {
        self.task(task)?;
        let (_, _, workflow) = self.slot_edge(task, Slot::Workflow).ok_or(Refused)?;
        let known = matches!(
            self.entities.get(&workflow).map(|n| &n.data),
            Some(EntityData::Workflow(w)) if w.stages.as_slice().iter().any(|s| s.name == *stage)
        );
        if !known {
            return Err(Refused);
        }
        if let Some(Node { data: EntityData::Task(t), updated, .. }) = self.entities.get_mut(&task) {
            t.current_stage = Some(stage.clone());
            *updated = at;
        }
        let text = |s: String| Text::new("content", s).unwrap_or_else(|e| bug(format!("stage text: {e}")));
        let tag = |s: &str| Tag::new("tag", s).unwrap_or_else(|e| bug(format!("stage tag: {e}")));
        self.record(Activity {
            id: activity,
            task,
            activity_type: tag(STAGE_TRANSITION),
            content: Some(text(format!("Moved to {stage} stage"))),
            details: None,
            actor,
            created_by: Some(tag("SYSTEM")),
            created_at: at,
        })
    }

    fn claim(&mut self, task: EntityId, owner: EntityId, at: Timestamp) -> Step {
        self.task(task)?;
        if self.kind_of(owner) != Some(EntityKind::User) {
            return Err(Refused);
        }
        let open = |m: &Self, id: EntityId| {
            matches!(m.entities.get(&id).map(|n| &n.data), Some(EntityData::Task(t))
                if !matches!(t.status, TaskStatus::Done | TaskStatus::Cancelled))
        };
        if !open(self, task) {
            return Err(Refused);
        }
        let blocked = self.edges.keys().any(|&(s, r, t)| r == Relation::Blocks && t == task && open(self, s));
        if blocked {
            return Err(Refused);
        }
        match self.slot_edge(task, Slot::Owner) {
            Some((_, _, holder)) if holder != owner => return Err(Refused),
            Some(_) => {}
            None => {
                let edge = Edge { weight: default_weight(Relation::OwnedBy), metadata: None, at };
                self.add_edge(task, Relation::OwnedBy, owner, edge)?;
            }
        }
        if let Some(Node { data: EntityData::Task(t), updated, .. }) = self.entities.get_mut(&task) {
            if matches!(t.status, TaskStatus::Todo | TaskStatus::Blocked) {
                t.status = TaskStatus::InProgress;
            }
            *updated = at;
        }
        Ok(())
    }

    /// The batch-level rules over the whole state (DESIGN.md invariant 3
    /// and the stage rule).
    fn closing_ok(&self) -> bool {
        let up = self.uplinks();
        let get = |id: EntityId, slot: Slot| up.get(&(id, slot)).copied();
        let project_of = |id: EntityId| match self.kind_of(id) {
            Some(EntityKind::Slice) => get(id, Slot::Milestone).and_then(|m| get(m, Slot::Project)),
            _ => get(id, Slot::Project),
        };
        self.entities.iter().all(|(&id, node)| {
            let required: &[Slot] = match kind(&node.data) {
                EntityKind::Project => &[Slot::Workspace],
                EntityKind::Workstream | EntityKind::Milestone | EntityKind::Task => &[Slot::Project],
                EntityKind::Slice => &[Slot::Milestone],
                _ => &[],
            };
            if required.iter().any(|&slot| get(id, slot).is_none()) {
                return false;
            }
            let EntityData::Task(task) = &node.data else { return true };
            let project = get(id, Slot::Project);
            let placed = [Slot::Workstream, Slot::Milestone, Slot::Slice, Slot::ParentTask]
                .into_iter()
                .filter_map(|slot| get(id, slot))
                .all(|other| match (project, project_of(other)) {
                    (Some(p), Some(found)) => p == found,
                    _ => true,
                });
            let slice_in_milestone = match (get(id, Slot::Slice), get(id, Slot::Milestone)) {
                (Some(slice), Some(milestone)) => get(slice, Slot::Milestone).is_none_or(|m| m == milestone),
                _ => true,
            };
            let staged = match (get(id, Slot::Workflow), &task.current_stage) {
                (Some(workflow), Some(stage)) => matches!(
                    self.entities.get(&workflow).map(|n| &n.data),
                    Some(EntityData::Workflow(w)) if w.stages.as_slice().iter().any(|s| s.name == *stage)
                ),
                _ => true,
            };
            placed && slice_in_milestone && staged
        })
    }
}
