//! Random, valid project graphs built through core operations, reproducible
//! from a seed: workspaces, projects, workstreams, milestones with slices,
//! tasks placed in them, subtasks, `blocks` (a DAG), `related_to`, random
//! statuses and priorities.

use convoy_core::model::{
    Activity, BestPractice, EntityData, Labels, Milestone, Pattern, Priority, Project, Slice, Tag, Task, TaskPatch,
    TaskStatus, User, Workflow, Workspace, Workstream,
};
use convoy_core::{ActivityId, Batch, EntityId, Graph, Op, Relation, Timestamp};
use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};

pub(crate) struct Builder {
    rng: StdRng,
    clock: i64,
    creates: Vec<Op>,
    links: Vec<Op>,
}

impl Builder {
    fn new(seed: u64) -> Self {
        Self { rng: StdRng::seed_from_u64(seed), clock: 1_700_000_000_000_000, creates: Vec::new(), links: Vec::new() }
    }

    fn at(&mut self) -> Timestamp {
        self.clock += self.rng.random_range(1..1_000_000);
        Timestamp::from_micros(self.clock)
    }

    fn create(&mut self, data: impl Into<EntityData>) -> EntityId {
        let id = EntityId::from_uuid(uuid::Uuid::from_u128(self.rng.random()));
        let at = self.at();
        self.creates.push(Op::Create { id, at, data: data.into() });
        id
    }

    fn link(&mut self, source: EntityId, relation: Relation, target: EntityId) {
        let at = self.at();
        self.links.push(Op::Link { source, relation, target, weight: None, metadata: None, at });
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> Option<T> {
        (!items.is_empty()).then(|| items[self.rng.random_range(0..items.len())])
    }
}

/// A random graph and its tasks (in creation order).
pub(crate) fn world(seed: u64) -> Graph {
    let mut b = Builder::new(seed);
    let mut tasks_all = Vec::new();
    let workflow = b.create(Workflow::new("standard_dev_workflow").unwrap());
    for g in 0..b.rng.random_range(0..=2) {
        b.create(Pattern::new(&format!("global pattern {g}"), "ARCHITECTURE", "{}").unwrap());
        b.create(BestPractice::new(&format!("global practice {g}"), "TESTING", "{}").unwrap());
    }
    let mut follows: Vec<EntityId> = Vec::new();
    for w in 0..b.rng.random_range(1..=2) {
        let ws = b.create(Workspace::new(&format!("ws {w}")).unwrap());
        let users: Vec<EntityId> = (0..2).map(|u| b.create(User::new(&format!("user {w}.{u}")).unwrap())).collect();
        let mut ws_tasks: Vec<EntityId> = Vec::new();
        for p in 0..b.rng.random_range(1..=3) {
            let project = b.create(Project::new(&format!("project {w}.{p}")).unwrap());
            b.link(ws, Relation::Contains, project);
            for g in 0..b.rng.random_range(0..=2) {
                let scoped = if b.rng.random_bool(0.5) {
                    b.create(Pattern::new(&format!("pattern {g}"), "CODE", "{}").unwrap())
                } else {
                    b.create(BestPractice::new(&format!("practice {g}"), "REVIEW", "{}").unwrap())
                };
                let container = if b.rng.random_bool(0.5) { project } else { ws };
                b.link(scoped, Relation::ScopedTo, container);
            }
            let streams: Vec<EntityId> = (0..b.rng.random_range(0..=2))
                .map(|i| {
                    let s = b.create(Workstream::new(&format!("stream {i}")).unwrap());
                    b.link(project, Relation::Contains, s);
                    s
                })
                .collect();
            let mut slices: Vec<(EntityId, EntityId)> = Vec::new();
            let milestones: Vec<EntityId> = (0..b.rng.random_range(0..=2))
                .map(|i| {
                    let m = b.create(Milestone::new(&format!("milestone {i}")).unwrap());
                    b.link(project, Relation::Contains, m);
                    for j in 0..b.rng.random_range(0..=2) {
                        let s = b.create(Slice::new(&format!("slice {i}.{j}")).unwrap());
                        b.link(m, Relation::Contains, s);
                        slices.push((m, s));
                    }
                    m
                })
                .collect();
            let mut project_tasks: Vec<EntityId> = Vec::new();
            for t in 0..b.rng.random_range(0..=12) {
                let mut task = Task::new(&format!("task {t}")).unwrap();
                task.priority = match b.rng.random_range(0..5) {
                    0 => None,
                    1 => Some(Priority::Low),
                    2 => Some(Priority::Medium),
                    3 => Some(Priority::High),
                    _ => Some(Priority::Urgent),
                };
                let labels: Vec<&str> =
                    ["backend", "frontend", "bug", "infra"].into_iter().filter(|_| b.rng.random_bool(0.3)).collect();
                task.labels = Labels::new(labels).unwrap();
                if b.rng.random_bool(0.3) {
                    task.description =
                        Some(convoy_core::model::Text::new("description", "Fix the Parser edge case").unwrap());
                }
                let id = b.create(task);
                b.link(project, Relation::Contains, id);
                if b.rng.random_bool(0.3)
                    && let Some(u) = b.pick(&users)
                {
                    b.link(id, Relation::OwnedBy, u);
                }
                if b.rng.random_bool(0.6)
                    && let Some(s) = b.pick(&streams)
                {
                    b.link(s, Relation::Contains, id);
                }
                if b.rng.random_bool(0.6)
                    && let Some((m, s)) = b.pick(&slices)
                {
                    b.link(m, Relation::Contains, id);
                    b.link(s, Relation::Contains, id);
                } else if b.rng.random_bool(0.4)
                    && let Some(m) = b.pick(&milestones)
                {
                    b.link(m, Relation::Contains, id);
                }
                if b.rng.random_bool(0.25)
                    && let Some(parent) = b.pick(&project_tasks)
                {
                    b.link(parent, Relation::HasSubtask, id);
                }
                if b.rng.random_bool(0.5) {
                    b.link(id, Relation::Follows, workflow);
                    follows.push(id);
                }
                project_tasks.push(id);
            }
            ws_tasks.extend(&project_tasks);
        }
        // `blocks` only from earlier to later tasks: a DAG.
        for _ in 0..ws_tasks.len() {
            if ws_tasks.len() >= 2 && b.rng.random_bool(0.7) {
                let i = b.rng.random_range(0..ws_tasks.len() - 1);
                let j = b.rng.random_range(i + 1..ws_tasks.len());
                b.link(ws_tasks[i], Relation::Blocks, ws_tasks[j]);
            }
            if ws_tasks.len() >= 2 && b.rng.random_bool(0.3) {
                let i = b.rng.random_range(0..ws_tasks.len() - 1);
                let j = b.rng.random_range(i + 1..ws_tasks.len());
                b.link(ws_tasks[i], Relation::RelatedTo, ws_tasks[j]);
            }
        }
        tasks_all.extend(ws_tasks);
    }
    // Duplicate links (the same pair drawn twice) are dropped.
    let mut seen = std::collections::HashSet::new();
    let links: Vec<Op> = std::mem::take(&mut b.links)
        .into_iter()
        .filter(|op| match op {
            Op::Link { source, relation, target, .. } => {
                let (a, c) = if *relation == Relation::RelatedTo && target < source {
                    (target, source)
                } else {
                    (source, target)
                };
                seen.insert((*a, *relation, *c))
            }
            _ => true,
        })
        .collect();
    let mut graph = Graph::new();
    let mut batch = Batch::from(std::mem::take(&mut b.creates));
    for op in links {
        batch.push(op);
    }
    graph.apply(&batch).unwrap();
    let mut statuses = Batch::new();
    for &t in &tasks_all {
        let status = match b.rng.random_range(0..7) {
            0 => TaskStatus::Todo,
            1 => TaskStatus::InProgress,
            2 => TaskStatus::Blocked,
            3 => TaskStatus::InReview,
            4 | 5 => TaskStatus::Done,
            _ => TaskStatus::Cancelled,
        };
        let at = b.at();
        statuses.push(Op::Update {
            id: t,
            at,
            patch: TaskPatch { status: Some(status), ..TaskPatch::default() }.into(),
        });
    }
    for &t in &follows {
        if b.rng.random_bool(0.7) {
            let stage = ["PLAN", "PLAN_REVIEW", "IMPLEMENT", "CODE_REVIEW"][b.rng.random_range(0..4)];
            let (activity, at) = (ActivityId::from_uuid(uuid::Uuid::from_u128(b.rng.random())), b.at());
            let stage = Tag::new("stage", stage).unwrap();
            statuses.push(Op::SetStage { task: t, stage, activity, actor: None, at });
        }
    }
    for &t in &tasks_all {
        for _ in 0..b.rng.random_range(0..=4) {
            let (id, at) = (ActivityId::from_uuid(uuid::Uuid::from_u128(b.rng.random())), b.at());
            statuses.push(Op::RecordActivity(Activity::new(id, t, "COMMENT", at).unwrap()));
        }
    }
    graph.apply(&statuses).unwrap();
    graph
}
