//! Applying ops and batches: each op checks its own preconditions against
//! the graph as the batch has left it so far, then changes it through the
//! transaction; the closing checks run once at the end.

use petgraph::stable_graph::NodeIndex;
use petgraph::visit::EdgeRef as _;

use super::read::Graph;
use super::txn::Txn;
use crate::error::{BatchError, OpError};
use crate::id::{ActivityId, EntityId};
use crate::model::activity::{Activity, STAGE_TRANSITION};
use crate::model::entity::{Entity, EntityData};
use crate::model::kind::EntityKind;
use crate::model::patch::EntityPatch;
use crate::model::status::TaskStatus;
use crate::model::text::{Fraction, Json, Tag, Text};
use crate::op::{Batch, MAX_BATCH_OPS, Op};
use crate::relation::{EdgeData, Relation};
use crate::time::Timestamp;

impl Graph {
    /// Applies a batch atomically: every op is checked against the graph as
    /// the ops before it left it, then the batch as a whole is checked (see
    /// [`BatchError::Closing`]). On success every change is kept; on error
    /// none is, and the graph's canonical state is exactly as before.
    ///
    /// Cost: the sum of the ops' costs — O(1) for most, O(degree) for
    /// unlink and move, O(reachable `blocks` edges) for a `blocks` link,
    /// O(cascade size) for delete — plus O(ops) for the closing checks.
    ///
    /// # Errors
    /// [`BatchError::Op`] names the first refused op and why;
    /// [`BatchError::Closing`] an invariant the batch as a whole would
    /// break; [`BatchError::TooLarge`] a batch over [`MAX_BATCH_OPS`].
    pub fn apply(&mut self, batch: &Batch) -> Result<(), BatchError> {
        let txn = self.run(batch)?;
        txn.commit();
        Ok(())
    }

    /// Checks a batch exactly as [`Graph::apply`] would, then undoes it:
    /// `Ok` means `apply` of the same batch on this graph succeeds. Costs
    /// about twice `apply`.
    ///
    /// # Errors
    /// Whatever [`Graph::apply`] would return.
    pub fn validate(&mut self, batch: &Batch) -> Result<(), BatchError> {
        let txn = self.run(batch)?;
        txn.rollback();
        Ok(())
    }

    /// Checks batches in order as if each accepted one were applied before
    /// the next is checked, then undoes them all: entry `i` of the result is
    /// what [`Graph::apply`] of `batches[i]` would return on this graph after
    /// applying the accepted batches before it. A store uses this to check a
    /// group of commits in memory before it writes them to its log. Costs
    /// about twice applying the batches.
    pub fn validate_sequence<'b>(
        &mut self,
        batches: impl IntoIterator<Item = &'b Batch>,
    ) -> Vec<Result<(), BatchError>> {
        let mut txn = Txn::new(self);
        let results = batches
            .into_iter()
            .map(|batch| {
                let savepoint = txn.savepoint();
                let result = txn.run_batch(batch);
                if result.is_err() {
                    txn.undo_to(savepoint);
                }
                result
            })
            .collect();
        txn.rollback();
        results
    }

    fn run(&mut self, batch: &Batch) -> Result<Txn<'_>, BatchError> {
        let mut txn = Txn::new(self);
        match txn.run_batch(batch) {
            Ok(()) => Ok(txn),
            Err(error) => {
                txn.rollback();
                Err(error)
            }
        }
    }
}

impl Txn<'_> {
    /// Runs every op of a batch and its closing checks; on error the
    /// caller undoes what ran.
    fn run_batch(&mut self, batch: &Batch) -> Result<(), BatchError> {
        if batch.len() > MAX_BATCH_OPS {
            return Err(BatchError::TooLarge { count: batch.len(), max: MAX_BATCH_OPS });
        }
        for (index, op) in batch.ops().iter().enumerate() {
            self.apply_op(op).map_err(|error| BatchError::Op { index, error })?;
        }
        self.closing_checks().map_err(BatchError::Closing)
    }
}

impl Graph {
    /// The rules one new edge must meet on its own: allowed kinds, no
    /// self-loop, no duplicate, no second value of a single-valued
    /// reference. `relation` is in its forward direction. O(degree of the
    /// cheaper endpoint).
    pub(super) fn check_edge_shape(&self, a: NodeIndex, relation: Relation, b: NodeIndex) -> Result<(), OpError> {
        self.check_edge_shape_with(a, relation, b, true)
    }

    /// [`Self::check_edge_shape`], with the duplicate check (a walk of
    /// the smaller endpoint's edges) left out when the caller already
    /// knows the edge is new: loading a state whose edges come strictly
    /// sorted.
    pub(super) fn check_edge_shape_with(
        &self,
        a: NodeIndex,
        relation: Relation,
        b: NodeIndex,
        may_exist: bool,
    ) -> Result<(), OpError> {
        let (source, target) = (self.id_of(a), self.id_of(b));
        if a == b {
            return Err(OpError::SelfLoop { id: source, relation });
        }
        let (source_kind, target_kind) = (self.kind_at(a), self.kind_at(b));
        if !relation.allows(source_kind, target_kind) {
            return Err(OpError::KindsNotAllowed {
                from: source,
                from_kind: source_kind,
                relation,
                to: target,
                to_kind: target_kind,
            });
        }
        let duplicate = may_exist
            && (self.find_edge(a, relation, b).is_some()
                || (relation == Relation::RelatedTo && self.find_edge(b, relation, a).is_some()));
        if duplicate {
            return Err(OpError::DuplicateEdge { from: source, relation, to: target });
        }
        for (child, rel, parent) in [(a, relation, b), (b, relation.inverse(), a)] {
            if let Some(slot) = rel.slot(self.kind_at(parent))
                && let Some(existing) = self.g[child].up.get(slot)
            {
                return Err(OpError::SlotTaken {
                    id: self.id_of(child),
                    slot,
                    existing: self.id_of(existing),
                    attempted: self.id_of(parent),
                });
            }
        }
        Ok(())
    }
}

impl Txn<'_> {
    fn apply_op(&mut self, op: &Op) -> Result<(), OpError> {
        match op {
            Op::Create { id, at, data } => self.create(*id, *at, data),
            Op::Update { id, at, patch } => self.update(*id, *at, patch),
            Op::Delete { id, .. } => {
                let idx = self.lookup(*id)?;
                self.delete(idx);
                Ok(())
            }
            Op::Link { source, relation, target, weight, metadata, at } => {
                self.link(*source, *relation, *target, *weight, metadata.as_ref(), *at)
            }
            Op::Unlink { source, relation, target } => self.unlink(*source, *relation, *target),
            Op::Move { id, parent, at } => self.move_to(*id, *parent, *at),
            Op::RecordActivity(activity) => self.record(activity.clone()),
            Op::SetStage { task, stage, activity, actor, at } => self.set_stage(*task, stage, *activity, *actor, *at),
            Op::Claim { task, owner, at } => self.claim(*task, *owner, *at),
        }
    }

    pub(super) fn lookup(&self, id: EntityId) -> Result<NodeIndex, OpError> {
        self.graph.ids.get(&id).copied().ok_or(OpError::UnknownEntity { id })
    }

    fn lookup_task(&self, id: EntityId) -> Result<NodeIndex, OpError> {
        let idx = self.lookup(id)?;
        match self.graph.kind_at(idx) {
            EntityKind::Task => Ok(idx),
            found => Err(OpError::WrongKind { id, expected: "task", found }),
        }
    }

    fn create(&mut self, id: EntityId, at: Timestamp, data: &EntityData) -> Result<(), OpError> {
        if let Some(existing) = self.graph.get(id) {
            return Err(OpError::DuplicateEntity { id, kind: existing.kind() });
        }
        self.insert_node(Entity::new(id, at, data.clone()));
        Ok(())
    }

    fn update(&mut self, id: EntityId, at: Timestamp, patch: &EntityPatch) -> Result<(), OpError> {
        let idx = self.lookup(id)?;
        let old = &self.graph.g[idx].entity;
        let mut entity = old.clone();
        if !patch.apply_to(entity.data_mut()) {
            return Err(OpError::PatchKind { id, found: old.kind(), patch: patch.kind() });
        }
        if let (EntityData::Task(before), EntityPatch::Task(p)) = (old.data(), patch) {
            let was_done = before.status == TaskStatus::Done;
            if let (EntityData::Task(after), None) = (entity.data_mut(), p.completion_date) {
                match (was_done, after.status == TaskStatus::Done) {
                    (false, true) => after.completion_date = Some(at),
                    (true, false) => after.completion_date = None,
                    _ => {}
                }
            }
        }
        if let EntityPatch::Workflow(p) = patch
            && p.stages.is_some()
        {
            self.restaged.push(id);
        }
        entity.touch(at);
        self.replace_entity(idx, entity);
        Ok(())
    }

    fn link(
        &mut self,
        source: EntityId,
        relation: Relation,
        target: EntityId,
        weight: Option<Fraction>,
        metadata: Option<&Json>,
        at: Timestamp,
    ) -> Result<(), OpError> {
        let (a, b) = (self.lookup(source)?, self.lookup(target)?);
        // Check and store in the forward direction, so both spellings of a
        // pair behave the same.
        let (a, relation, b) = if relation.is_forward() { (a, relation, b) } else { (b, relation.inverse(), a) };
        self.check_new_edge(a, relation, b)?;
        let data = EdgeData {
            relation,
            weight: weight.unwrap_or_else(|| relation.default_weight()),
            metadata: metadata.cloned(),
            created_at: at,
        };
        self.insert_pair(a, b, data);
        Ok(())
    }

    /// The per-edge rules, then cycles. `relation` is in its forward direction.
    fn check_new_edge(&self, a: NodeIndex, relation: Relation, b: NodeIndex) -> Result<(), OpError> {
        let g = &*self.graph;
        g.check_edge_shape(a, relation, b)?;
        match relation {
            Relation::Blocks => g.blocks_cycle(a, b).map_or(Ok(()), |cycle| Err(OpError::BlocksCycle { cycle })),
            Relation::HasSubtask => g.subtask_cycle(a, b).map_or(Ok(()), |cycle| Err(OpError::SubtaskCycle { cycle })),
            _ => Ok(()),
        }
    }

    fn unlink(&mut self, source: EntityId, relation: Relation, target: EntityId) -> Result<(), OpError> {
        let (a, b) = (self.lookup(source)?, self.lookup(target)?);
        if self.remove_pair(a, relation, b) {
            Ok(())
        } else {
            Err(OpError::UnknownEdge { from: source, relation, to: target })
        }
    }

    fn move_to(&mut self, id: EntityId, parent: EntityId, at: Timestamp) -> Result<(), OpError> {
        let (idx, new_parent) = (self.lookup(id)?, self.lookup(parent)?);
        let (kind, parent_kind) = (self.graph.kind_at(idx), self.graph.kind_at(new_parent));
        // The single-valued reference `parent`'s kind fills, seen from `id`.
        let reference =
            [Relation::BelongsTo, Relation::SubtaskOf, Relation::ScopedTo, Relation::OwnedBy, Relation::Follows]
                .into_iter()
                .find_map(|r| r.slot(parent_kind).filter(|_| r.allows(kind, parent_kind)).map(|slot| (r, slot)));
        let Some((relation, slot)) = reference else {
            return Err(OpError::CannotMove { id, kind, parent, parent_kind });
        };
        if let Some(old) = self.graph.g[idx].up.get(slot) {
            if old == new_parent {
                return self.touch(idx, at);
            }
            self.remove_pair(idx, relation, old);
        }
        let (a, forward, b) =
            if relation.is_forward() { (idx, relation, new_parent) } else { (new_parent, relation.inverse(), idx) };
        self.check_new_edge(a, forward, b)?;
        let data = EdgeData { relation: forward, weight: forward.default_weight(), metadata: None, created_at: at };
        self.insert_pair(a, b, data);
        self.touch(idx, at)
    }

    fn touch(&mut self, idx: NodeIndex, at: Timestamp) -> Result<(), OpError> {
        let mut entity = self.graph.g[idx].entity.clone();
        entity.touch(at);
        self.replace_entity(idx, entity);
        Ok(())
    }

    fn record(&mut self, activity: Activity) -> Result<(), OpError> {
        let idx = self.lookup_task(activity.task)?;
        if self.graph.g[idx].feed.iter().any(|a| a.id == activity.id) {
            return Err(OpError::DuplicateActivity { task: activity.task, activity: activity.id });
        }
        self.insert_activity(idx, activity);
        Ok(())
    }

    fn set_stage(
        &mut self,
        task: EntityId,
        stage: &Tag,
        activity: ActivityId,
        actor: Option<EntityId>,
        at: Timestamp,
    ) -> Result<(), OpError> {
        let idx = self.lookup_task(task)?;
        let workflow_idx =
            self.graph.g[idx].up.get(crate::relation::Slot::Workflow).ok_or(OpError::NoWorkflow { task })?;
        let workflow = &self.graph.g[workflow_idx].entity;
        let known = workflow.data().as_workflow().is_some_and(|w| w.stages.get(stage).is_some());
        if !known {
            return Err(OpError::StageNotInWorkflow { task, stage: stage.to_string(), workflow: workflow.id() });
        }
        let mut entity = self.graph.g[idx].entity.clone();
        if let EntityData::Task(t) = entity.data_mut() {
            t.current_stage = Some(stage.clone());
        }
        entity.touch(at);
        self.replace_entity(idx, entity);
        let entry = Activity {
            id: activity,
            task,
            activity_type: Tag::new("activity_type", STAGE_TRANSITION)?,
            content: Some(Text::new("content", format!("Moved to {stage} stage"))?),
            details: None,
            actor,
            created_by: Some(Tag::new("created_by", "SYSTEM")?),
            created_at: at,
        };
        self.record(entry)
    }

    /// Claims a task: the readiness and ownership checks, then owner and
    /// status. O(d) in the task's edges.
    fn claim(&mut self, task: EntityId, owner: EntityId, at: Timestamp) -> Result<(), OpError> {
        let idx = self.lookup_task(task)?;
        let owner_idx = self.lookup(owner)?;
        match self.graph.kind_at(owner_idx) {
            EntityKind::User => {}
            found => return Err(OpError::WrongKind { id: owner, expected: "user", found }),
        }
        let status = self.graph.g[idx].entity.data().as_task().map_or(TaskStatus::Todo, |t| t.status);
        if !status.is_open() {
            return Err(OpError::NotOpen { task, status });
        }
        let mut blockers: Vec<EntityId> = self
            .graph
            .g
            .edges_directed(idx, petgraph::Direction::Outgoing)
            .filter(|e| e.weight().relation == Relation::BlockedBy)
            .map(|e| e.target())
            .filter(|&b| self.graph.g[b].entity.data().as_task().is_some_and(|t| t.status.is_open()))
            .map(|b| self.graph.id_of(b))
            .collect();
        if !blockers.is_empty() {
            blockers.sort_unstable();
            blockers.dedup();
            return Err(OpError::NotReady { task, blockers });
        }
        match self.graph.g[idx].up.get(crate::relation::Slot::Owner) {
            Some(holder) if holder != owner_idx => {
                return Err(OpError::AlreadyClaimed { task, owner, holder: self.graph.id_of(holder) });
            }
            Some(_) => {}
            None => {
                self.check_new_edge(idx, Relation::OwnedBy, owner_idx)?;
                let data = EdgeData {
                    relation: Relation::OwnedBy,
                    weight: Relation::OwnedBy.default_weight(),
                    metadata: None,
                    created_at: at,
                };
                self.insert_pair(idx, owner_idx, data);
            }
        }
        let mut entity = self.graph.g[idx].entity.clone();
        if let EntityData::Task(t) = entity.data_mut()
            && matches!(t.status, TaskStatus::Todo | TaskStatus::Blocked)
        {
            t.status = TaskStatus::InProgress;
        }
        entity.touch(at);
        self.replace_entity(idx, entity);
        Ok(())
    }
}
