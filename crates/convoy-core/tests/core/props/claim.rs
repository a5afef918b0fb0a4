//! The claim step: predicts, from the graph before the batch, whether a
//! one-step claim must be refused (not a task, not a user, not open, an
//! open blocker, another owner) or accepted.

use convoy_core::model::EntityKind;
use convoy_core::{EntityId, Op, Relation, Slot};

use super::plan::{Pick, R, Src};
use super::world::Builder;

impl Builder<'_> {
    pub(super) fn claim(&mut self, task: Pick, owner: Pick, ready: bool) -> R<()> {
        let owner = self.choose(owner, Some(EntityKind::User));
        let task = match task.src {
            Src::Live if ready => {
                let claimable: Vec<EntityId> = self
                    .graph
                    .ids_of_kind(EntityKind::Task)
                    .iter()
                    .copied()
                    .filter(|&t| self.refusal(t, owner).is_none())
                    .collect();
                if claimable.is_empty() { self.choose(task, Some(EntityKind::Task)) } else { *task.at.get(&claimable) }
            }
            _ => self.choose(task, Some(EntityKind::Task)),
        };
        match self.refusal(task, owner) {
            Some(why) => self.expect(|| why),
            None => self.accept(|| format!("claim of ready, unowned task {task} by {owner}")),
        }
        let at = self.tick();
        self.push(Op::Claim { task, owner, at });
        Ok(())
    }

    /// Why claiming `task` for `owner` must fail on the graph as it stands.
    fn refusal(&self, task: EntityId, owner: EntityId) -> Option<String> {
        let Some(entity) = self.graph.get(task) else { return Some(format!("claim of unknown {task}")) };
        let Some(t) = entity.data().as_task() else { return Some(format!("claim of {} {task}", entity.kind())) };
        match self.graph.get(owner).map(|e| e.kind()) {
            None => return Some(format!("claim by unknown {owner}")),
            Some(EntityKind::User) => {}
            Some(kind) => return Some(format!("claim by {kind} {owner}")),
        }
        if !t.status.is_open() {
            return Some(format!("claim of {task}, which is {}", t.status));
        }
        let open =
            |b: &EntityId| self.graph.get(*b).and_then(|e| e.data().as_task()).is_some_and(|b| b.status.is_open());
        if let Some(blocker) = self.graph.neighbors(task, Relation::BlockedBy).iter().find(|b| open(b)) {
            return Some(format!("claim of {task}, which open {blocker} blocks"));
        }
        match self.graph.parent(task, Slot::Owner) {
            Some(holder) if holder != owner => Some(format!("claim of {task}, which {holder} owns")),
            _ => None,
        }
    }
}
