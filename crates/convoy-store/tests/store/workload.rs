//! Random batches for store tests, reproducible from a seed: ids and
//! timestamps come from the RNG, never from the clock.
//!
//! Batches are chosen against a graph (the store's or a reference), so most
//! are valid; some are refused (a `blocks` cycle, a deleted id), which the
//! store must answer with `Refused` and no trace.

use convoy_core::model::{Activity, EntityKind, Project, Task, TaskPatch, TaskStatus, Workspace};
use convoy_core::{ActivityId, Batch, EntityId, Graph, Op, Relation, Timestamp};
use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};

/// A seeded source of batches.
pub(crate) struct Workload {
    rng: StdRng,
    clock: i64,
}

impl Workload {
    pub(crate) fn new(seed: u64) -> Self {
        Self { rng: StdRng::seed_from_u64(seed), clock: 1_700_000_000_000_000 }
    }

    #[expect(dead_code, reason = "used by some test modules only")]
    pub(crate) fn rng(&mut self) -> &mut StdRng {
        &mut self.rng
    }

    fn id(&mut self) -> EntityId {
        EntityId::from_uuid(uuid::Uuid::from_u128(self.rng.random()))
    }

    fn at(&mut self) -> Timestamp {
        self.clock += self.rng.random_range(1..1_000);
        Timestamp::from_micros(self.clock)
    }

    fn create(&mut self, data: impl Into<convoy_core::model::EntityData>) -> Op {
        Op::Create { id: self.id(), at: self.at(), data: data.into() }
    }

    fn link(&mut self, source: EntityId, relation: Relation, target: EntityId) -> Op {
        Op::Link { source, relation, target, weight: None, metadata: None, at: self.at() }
    }

    /// A workspace with one project, and the project's id.
    pub(crate) fn setup(&mut self) -> (Batch, EntityId) {
        let ws = self.create(Workspace::new("Acme").unwrap());
        let project = self.create(Project::new("Convoy").unwrap());
        let (w, p) = (ws.subject(), project.subject());
        let link = self.link(w, Relation::Contains, p);
        (Batch::from(vec![ws, project, link]), p)
    }

    /// A batch that creates `n` tasks in `project` (all-or-nothing evidence:
    /// each task records an activity entry), and their ids.
    pub(crate) fn new_tasks(&mut self, project: EntityId, n: usize) -> (Batch, Vec<EntityId>) {
        let mut batch = Batch::new();
        let mut ids = Vec::new();
        for i in 0..n {
            let op = self.create(Task::new(&format!("task {i}")).unwrap());
            let id = op.subject();
            batch.push(op);
            let link = self.link(project, Relation::Contains, id);
            batch.push(link);
            let at = self.at();
            let activity =
                Activity::new(ActivityId::from_uuid(uuid::Uuid::from_u128(self.rng.random())), id, "CREATED", at);
            batch.push(Op::RecordActivity(activity.unwrap()));
            ids.push(id);
        }
        if let [a, b, ..] = ids[..] {
            let link = self.link(a, Relation::Blocks, b);
            batch.push(link);
        }
        (batch, ids)
    }

    /// A random batch of 1–4 ops against `graph`'s first project: new
    /// tasks, status changes, `blocks` links (some refused as cycles),
    /// activity, deletions, and now and then an op on a missing id.
    pub(crate) fn batch(&mut self, graph: &Graph) -> Batch {
        let project = graph.ids_of_kind(EntityKind::Project).iter().next().copied();
        let tasks: Vec<EntityId> = graph.ids_of_kind(EntityKind::Task).iter().copied().collect();
        let Some(project) = project else { return self.setup().0 };
        let mut batch = Batch::new();
        for _ in 0..self.rng.random_range(1..=4) {
            let pick = |rng: &mut StdRng| (!tasks.is_empty()).then(|| tasks[rng.random_range(0..tasks.len())]);
            match self.rng.random_range(0..10) {
                0..=3 => {
                    let n = self.rng.random_range(1..=2);
                    let (b, _) = self.new_tasks(project, n);
                    for op in b.ops() {
                        batch.push(op.clone());
                    }
                }
                4 | 5 => {
                    if let Some(t) = pick(&mut self.rng) {
                        let statuses =
                            [TaskStatus::Todo, TaskStatus::InProgress, TaskStatus::Done, TaskStatus::Blocked];
                        let status = statuses[self.rng.random_range(0..statuses.len())];
                        let patch = TaskPatch { status: Some(status), ..TaskPatch::default() };
                        batch.push(Op::Update { id: t, at: self.at(), patch: patch.into() });
                    }
                }
                6 | 7 => {
                    if let (Some(a), Some(b)) = (pick(&mut self.rng), pick(&mut self.rng)) {
                        let link = self.link(a, Relation::Blocks, b);
                        batch.push(link);
                    }
                }
                8 => {
                    if let Some(t) = pick(&mut self.rng) {
                        let at = self.at();
                        let id = ActivityId::from_uuid(uuid::Uuid::from_u128(self.rng.random()));
                        batch.push(Op::RecordActivity(Activity::new(id, t, "COMMENT", at).unwrap()));
                    }
                }
                _ => {
                    let t = if self.rng.random_bool(0.2) { Some(self.id()) } else { pick(&mut self.rng) };
                    if let Some(t) = t {
                        batch.push(Op::Delete { id: t, at: self.at() });
                    }
                }
            }
        }
        batch
    }
}
