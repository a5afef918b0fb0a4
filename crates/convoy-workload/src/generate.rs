//! The generator.
//!
//! Shape at `S` tasks: workspaces = max(1, S / 10,000); 10 projects per
//! workspace; per project 5 workstreams, 4 milestones with 3 slices each;
//! tasks spread evenly over projects, each in one slice (and its
//! milestone), about 70 % in a workstream; 30 % of top-level tasks have 2
//! subtasks (subtasks count toward `S`); `blocks` as a DAG inside a project
//! (each task blocks 0–2 of the next 50); `related_to` for 10 % of tasks
//! to a random task of the same workspace; 5 activity entries per task;
//! patterns and best practices: 10 global, 5 per workspace, 3 per project;
//! statuses TODO 35 %, IN_PROGRESS 20 %, DONE 35 %, BLOCKED 5 %, IN_REVIEW
//! 5 %; priorities LOW 30 %, MEDIUM 40 %, HIGH 20 %, URGENT 10 %; one
//! workflow with the seeds' stages, followed by half the tasks.

use std::collections::HashSet;

use convoy_core::model::{
    Activity, BestPractice, EntityData, Labels, Milestone, Pattern, Priority, Project, Slice, Stages, Task, TaskStatus,
    Text, User, Workflow, Workspace, Workstream,
};
use convoy_core::{ActivityId, Batch, EntityId, FieldError, Op, Relation, Timestamp};
use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};

use crate::words::{DETAILS, LABELS, THINGS, VERBS};

/// A generated dataset: batches to apply (or commit) in order, and the ids
/// of what they create.
#[derive(Clone, Debug, Default)]
pub struct Dataset {
    /// The batches: shared entities first, then one per project.
    pub batches: Vec<Batch>,
    /// Workspaces, in creation order.
    pub workspaces: Vec<EntityId>,
    /// Projects, in creation order.
    pub projects: Vec<EntityId>,
    /// Every task, in creation order.
    pub tasks: Vec<EntityId>,
}

struct Gen {
    rng: StdRng,
    clock: i64,
}

impl Gen {
    fn id(&mut self) -> EntityId {
        EntityId::from_uuid(uuid::Uuid::from_u128(self.rng.random()))
    }

    fn at(&mut self) -> Timestamp {
        self.clock += self.rng.random_range(1..2_000_000);
        Timestamp::from_micros(self.clock)
    }

    fn create(&mut self, batch: &mut Batch, data: impl Into<EntityData>) -> EntityId {
        let (id, at) = (self.id(), self.at());
        batch.push(Op::Create { id, at, data: data.into() });
        id
    }

    fn link(&mut self, batch: &mut Batch, source: EntityId, relation: Relation, target: EntityId) {
        let at = self.at();
        batch.push(Op::Link { source, relation, target, weight: None, metadata: None, at });
    }

    fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        items[self.rng.random_range(0..items.len())]
    }

    fn task(&mut self) -> Result<Task, FieldError> {
        let title = format!("{} {}", self.pick(&VERBS), self.pick(&THINGS));
        let mut task = Task::new(&title)?;
        let detail = format!("{} {}, {}.", self.pick(&VERBS), self.pick(&THINGS), self.pick(&DETAILS));
        task.description = Text::new("description", detail).ok();
        task.status = match self.rng.random_range(0..100) {
            0..35 => TaskStatus::Todo,
            35..55 => TaskStatus::InProgress,
            55..90 => TaskStatus::Done,
            90..95 => TaskStatus::Blocked,
            _ => TaskStatus::InReview,
        };
        task.priority = Some(match self.rng.random_range(0..100) {
            0..30 => Priority::Low,
            30..70 => Priority::Medium,
            70..90 => Priority::High,
            _ => Priority::Urgent,
        });
        let n = self.rng.random_range(0..=3);
        let labels: Vec<&str> = (0..n).map(|_| self.pick(&LABELS)).collect::<HashSet<_>>().into_iter().collect();
        let mut labels = labels;
        labels.sort_unstable();
        task.labels = Labels::new(labels)?;
        Ok(task)
    }
}

/// Where a new task goes inside its project.
#[derive(Clone, Copy)]
struct Place {
    project: EntityId,
    milestone: EntityId,
    slice: EntityId,
    workstream: Option<EntityId>,
}

/// Generates `tasks` tasks (at least 1) and everything around them,
/// deterministically from `seed`. O(tasks).
///
/// # Errors
/// None in practice: every name and text comes from fixed word lists that
/// the model's checks accept; the error is passed on rather than hidden.
pub fn generate(tasks: usize, seed: u64) -> Result<Dataset, FieldError> {
    let tasks = tasks.max(1);
    let mut g = Gen { rng: StdRng::seed_from_u64(seed), clock: 1_700_000_000_000_000 };
    let mut out = Dataset::default();
    let mut shared = Batch::new();
    let workflow = Workflow { stages: Stages::standard(), ..Workflow::new("standard_dev_workflow")? };
    let workflow = g.create(&mut shared, workflow);
    for i in 0..10 {
        if let Ok(p) =
            Pattern::new(&format!("Global pattern {i}"), "ARCHITECTURE", r#"{"rule":"prefer small modules"}"#)
        {
            g.create(&mut shared, p);
        }
        if let Ok(b) = BestPractice::new(&format!("Global practice {i}"), "TESTING", r#"{"rule":"test every refusal"}"#)
        {
            g.create(&mut shared, b);
        }
    }
    let workspaces = (tasks / 10_000).max(1);
    let projects = workspaces * 10;
    let mut users: Vec<Vec<EntityId>> = Vec::new();
    for w in 0..workspaces {
        let ws = g.create(&mut shared, Workspace::new(&format!("Workspace {w}"))?);
        out.workspaces.push(ws);
        users.push(
            (0..5).filter_map(|u| User::new(&format!("user{w}-{u}")).ok()).map(|u| g.create(&mut shared, u)).collect(),
        );
        for i in 0..5 {
            if let Ok(p) = Pattern::new(&format!("Workspace {w} pattern {i}"), "CODE", "{}") {
                let p = g.create(&mut shared, p);
                g.link(&mut shared, p, Relation::ScopedTo, ws);
            }
        }
    }
    out.batches.push(shared);
    let per_project = tasks.div_ceil(projects);
    let mut made = 0;
    for p in 0..projects {
        let w = p / 10;
        let mut batch = Batch::new();
        let project = g.create(&mut batch, Project::new(&format!("Project {p}"))?);
        g.link(&mut batch, out.workspaces[w], Relation::Contains, project);
        out.projects.push(project);
        for i in 0..3 {
            if let Ok(b) = BestPractice::new(&format!("Project {p} practice {i}"), "REVIEW", "{}") {
                let b = g.create(&mut batch, b);
                g.link(&mut batch, b, Relation::ScopedTo, project);
            }
        }
        let streams: Vec<EntityId> = (0..5)
            .filter_map(|i| Workstream::new(&format!("Workstream {i}")).ok())
            .map(|s| g.create(&mut batch, s))
            .collect();
        for &s in &streams {
            g.link(&mut batch, project, Relation::Contains, s);
        }
        let mut slices = Vec::new();
        for m in 0..4 {
            let Ok(milestone) = Milestone::new(&format!("Milestone {m}")) else { continue };
            let milestone = g.create(&mut batch, milestone);
            g.link(&mut batch, project, Relation::Contains, milestone);
            for s in 0..3 {
                let Ok(slice) = Slice::new(&format!("Slice {m}.{s}")) else { continue };
                let slice = g.create(&mut batch, slice);
                g.link(&mut batch, milestone, Relation::Contains, slice);
                slices.push((milestone, slice));
            }
        }
        let quota = per_project.min(tasks - made);
        let mut project_tasks: Vec<EntityId> = Vec::with_capacity(quota);
        while project_tasks.len() < quota {
            let (milestone, slice) = slices[g.rng.random_range(0..slices.len())];
            let workstream = g.rng.random_bool(0.7).then(|| streams[g.rng.random_range(0..streams.len())]);
            let place = Place { project, milestone, slice, workstream };
            let parent = add_task(&mut g, &mut batch, place, None, workflow, &users[w])?;
            project_tasks.push(parent);
            if g.rng.random_bool(0.3) {
                for _ in 0..2 {
                    if project_tasks.len() < quota {
                        let child = add_task(&mut g, &mut batch, place, Some(parent), workflow, &users[w])?;
                        project_tasks.push(child);
                    }
                }
            }
        }
        // `blocks`: each task blocks 0–2 of the next 50, added in task
        // order so each cycle check starts from a task with no outgoing
        // `blocks` yet (O(1) per link).
        for (i, &task) in project_tasks.iter().enumerate() {
            let later = &project_tasks[i + 1..project_tasks.len().min(i + 51)];
            let mut chosen = HashSet::new();
            for _ in 0..g.rng.random_range(0..=2usize).min(later.len()) {
                chosen.insert(later[g.rng.random_range(0..later.len())]);
            }
            let mut chosen: Vec<EntityId> = chosen.into_iter().collect();
            chosen.sort_unstable();
            for target in chosen {
                g.link(&mut batch, task, Relation::Blocks, target);
            }
        }
        made += project_tasks.len();
        out.tasks.extend(&project_tasks);
        out.batches.push(batch);
    }
    // `related_to` for 10 % of tasks, to a random task of the same workspace.
    let mut related = Batch::new();
    let mut seen = HashSet::new();
    let per_ws = per_project * 10;
    for (i, &task) in out.tasks.iter().enumerate() {
        if g.rng.random_bool(0.1) {
            let start = (i / per_ws) * per_ws;
            let end = (start + per_ws).min(out.tasks.len());
            let other = out.tasks[g.rng.random_range(start..end)];
            let key = if task < other { (task, other) } else { (other, task) };
            if other != task && seen.insert(key) {
                g.link(&mut related, task, Relation::RelatedTo, other);
            }
        }
    }
    out.batches.push(related);
    Ok(out)
}

fn add_task(
    g: &mut Gen,
    batch: &mut Batch,
    place: Place,
    parent: Option<EntityId>,
    workflow: EntityId,
    users: &[EntityId],
) -> Result<EntityId, FieldError> {
    let mut task = g.task()?;
    let created = g.at();
    if task.status == TaskStatus::Done {
        task.completion_date = Some(created);
    }
    let id = g.id();
    batch.push(Op::Create { id, at: created, data: task.into() });
    g.link(batch, place.project, Relation::Contains, id);
    g.link(batch, place.milestone, Relation::Contains, id);
    g.link(batch, place.slice, Relation::Contains, id);
    if let Some(w) = place.workstream {
        g.link(batch, w, Relation::Contains, id);
    }
    if let Some(parent) = parent {
        g.link(batch, parent, Relation::HasSubtask, id);
    }
    if g.rng.random_bool(0.5) {
        g.link(batch, id, Relation::Follows, workflow);
    }
    if g.rng.random_bool(0.5) {
        let owner = users[g.rng.random_range(0..users.len())];
        g.link(batch, id, Relation::OwnedBy, owner);
    }
    for kind in ["CREATED", "COMMENT", "STATUS_CHANGE", "COMMENT", "REVIEW"] {
        let at = g.at();
        let activity_id = ActivityId::from_uuid(uuid::Uuid::from_u128(g.rng.random()));
        if let Ok(mut entry) = Activity::new(activity_id, id, kind, at) {
            entry.content = Text::new("content", format!("{kind} on this task")).ok();
            batch.push(Op::RecordActivity(entry));
        }
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use convoy_core::Graph;
    use convoy_core::model::{EntityKind, TaskStatus};

    use super::generate;

    fn build(tasks: usize, seed: u64) -> Graph {
        let mut graph = Graph::new();
        for batch in generate(tasks, seed).unwrap().batches {
            graph.apply(&batch).unwrap();
        }
        graph
    }

    #[test]
    fn the_same_seed_gives_the_same_graph_and_the_shape_holds() {
        let a = build(12_000, 3);
        assert!(a.state() == build(12_000, 3).state());
        assert!(a.state() != build(12_000, 4).state());
        a.check_invariants().unwrap();
        assert_eq!(a.ids_of_kind(EntityKind::Task).len(), 12_000);
        assert_eq!(a.ids_of_kind(EntityKind::Workspace).len(), 1);
        assert_eq!(a.ids_of_kind(EntityKind::Project).len(), 10);
        assert_eq!(a.ids_of_kind(EntityKind::Slice).len(), 120);
        assert_eq!(a.unscoped(EntityKind::Pattern).len(), 10);
        let done = a.tasks_with_status(TaskStatus::Done).len() as f64 / 12_000.0;
        assert!((0.32..0.38).contains(&done), "done fraction {done}");
    }
}
