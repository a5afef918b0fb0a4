//! The read queries of the comparison, what their answers consist of, and
//! the random starting points they all share.

use convoy_core::EntityId;
use convoy_core::model::{Priority, TaskStatus};
use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};

use super::answer::{PartKind, PartSpec, part};

/// A read query of the comparison.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Query {
    /// Q1: a task by id.
    Point,
    /// Q2: everything above a task (the seeds' upward recursive CTE).
    Upward,
    /// Q3: a task's whole context bundle (the seeds' `getTaskWithContext`
    /// plus related tasks).
    Bundle,
    /// Q4: every task of a workspace (the seeds' workspace-contents CTE).
    Workspace,
    /// Q5: everything within 3 hops over `blocks` / `related_to`.
    Hops,
    /// Q6: a page of a project's tasks with a status and a priority.
    Find,
    /// Q9: ready work of a project (open, no open blocker), most urgent 20.
    Ready,
    /// Q9: the top 20 entities ranked around a task (Convoy only).
    Rank,
}

impl Query {
    /// Every read query, in report order.
    pub(crate) const ALL: [Self; 8] =
        [Self::Point, Self::Upward, Self::Bundle, Self::Workspace, Self::Hops, Self::Find, Self::Ready, Self::Rank];

    /// Short id (`Q1` … `Q9b`).
    pub(crate) const fn id(self) -> &'static str {
        match self {
            Self::Point => "Q1",
            Self::Upward => "Q2",
            Self::Bundle => "Q3",
            Self::Workspace => "Q4",
            Self::Hops => "Q5",
            Self::Find => "Q6",
            Self::Ready => "Q9a",
            Self::Rank => "Q9b",
        }
    }

    /// What it asks, for the report.
    pub(crate) const fn title(self) -> &'static str {
        match self {
            Self::Point => "point lookup of a task",
            Self::Upward => "upward context of a task",
            Self::Bundle => "task context bundle, all parts",
            Self::Workspace => "all tasks of a workspace",
            Self::Hops => "3-hop neighbourhood over blocks/related",
            Self::Find => "find: project + status + priority, page of 50",
            Self::Ready => "ready work of a project, top 20",
            Self::Rank => "ranking around a task, top 20",
        }
    }

    /// Whether SQLite has an equivalent.
    pub(crate) const fn has_peer(self) -> bool {
        !matches!(self, Self::Rank)
    }

    /// The parts of its answer.
    pub(crate) const fn parts(self) -> &'static [PartSpec] {
        match self {
            Self::Point => &POINT,
            Self::Upward => &UPWARD,
            Self::Bundle => &BUNDLE,
            Self::Workspace => &WORKSPACE,
            Self::Hops => &HOPS,
            Self::Find | Self::Ready | Self::Rank => &PAGE,
        }
    }

    /// The page size timed (Q6, Q9); the answer check also compares the
    /// unlimited result.
    pub(crate) const fn page(self) -> Option<usize> {
        match self {
            Self::Find => Some(50),
            Self::Ready | Self::Rank => Some(20),
            _ => None,
        }
    }
}

/// Q1's parts: the task's id, title, status and priority.
const POINT: [PartSpec; 4] = [
    part("id", PartKind::Ordered),
    part("title", PartKind::Ordered),
    part("status", PartKind::Ordered),
    part("priority", PartKind::Ordered),
];
/// Q2's part: the ancestors, as a set (the CTE repeats them per path).
const UPWARD: [PartSpec; 1] = [part("ancestors", PartKind::Distinct)];
/// Q4's part: the tasks, as a set (the CTE repeats them per path).
const WORKSPACE: [PartSpec; 1] = [part("tasks", PartKind::Distinct)];
/// Q5's part: each entity reached with its distance.
const HOPS: [PartSpec; 1] = [part("reached (id@distance)", PartKind::Bag)];
/// Q6's and Q9's part: ids in result order.
const PAGE: [PartSpec; 1] = [part("ids", PartKind::Ordered)];

/// Parts of the task bundle, in the order both systems push them.
pub(crate) mod bundle {
    /// The task.
    pub(crate) const TASK: usize = 0;
    /// Its slice.
    pub(crate) const SLICE: usize = 1;
    /// Its milestone.
    pub(crate) const MILESTONE: usize = 2;
    /// Its workstream.
    pub(crate) const WORKSTREAM: usize = 3;
    /// Its project.
    pub(crate) const PROJECT: usize = 4;
    /// Its workspace.
    pub(crate) const WORKSPACE: usize = 5;
    /// Its parent task.
    pub(crate) const PARENT: usize = 6;
    /// Its subtasks.
    pub(crate) const SUBTASKS: usize = 7;
    /// Tasks it blocks.
    pub(crate) const BLOCKS: usize = 8;
    /// Tasks blocking it.
    pub(crate) const BLOCKED_BY: usize = 9;
    /// Whether an open task blocks it ("true" / "false").
    pub(crate) const OPEN_BLOCKER: usize = 10;
    /// Related tasks.
    pub(crate) const RELATED: usize = 11;
    /// Its workflow.
    pub(crate) const WORKFLOW: usize = 12;
    /// Its current stage's name.
    pub(crate) const STAGE: usize = 13;
    /// Patterns in scope.
    pub(crate) const PATTERNS: usize = 14;
    /// Best practices in scope.
    pub(crate) const PRACTICES: usize = 15;
    /// Recent activity, newest first.
    pub(crate) const ACTIVITY: usize = 16;
}

/// Q3's parts, indexed by the constants in [`bundle`].
const BUNDLE: [PartSpec; 17] = [
    part("task", PartKind::Ordered),
    part("slice", PartKind::Ordered),
    part("milestone", PartKind::Ordered),
    part("workstream", PartKind::Ordered),
    part("project", PartKind::Ordered),
    part("workspace", PartKind::Ordered),
    part("parent task", PartKind::Ordered),
    part("subtasks", PartKind::Bag),
    part("blocks", PartKind::Bag),
    part("blocked by", PartKind::Bag),
    part("open blocker", PartKind::Ordered),
    part("related", PartKind::Bag),
    part("workflow", PartKind::Ordered),
    part("current stage", PartKind::Ordered),
    part("patterns", PartKind::Bag),
    part("best practices", PartKind::Bag),
    part("recent activity", PartKind::Ordered),
];

/// One random starting point: a task, a project and a workspace, and a
/// status and priority to filter by. Every system runs the same sequence.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Point {
    /// A task (Q1, Q2, Q3, Q5, Q9 ranking).
    pub(crate) task: EntityId,
    /// A project (Q6, Q9 ready).
    pub(crate) project: EntityId,
    /// A workspace (Q4).
    pub(crate) workspace: EntityId,
    /// A status (Q6).
    pub(crate) status: TaskStatus,
    /// A priority (Q6).
    pub(crate) priority: Priority,
}

/// `n` starting points drawn from the dataset's ids with `seed`.
pub(crate) fn points(data: &convoy_workload::Dataset, n: usize, seed: u64) -> Vec<Point> {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x005e_ed0f_c0a1);
    let statuses =
        [TaskStatus::Todo, TaskStatus::InProgress, TaskStatus::Done, TaskStatus::Blocked, TaskStatus::InReview];
    let pick = |rng: &mut StdRng, ids: &[EntityId]| ids.get(rng.random_range(0..ids.len().max(1))).copied();
    (0..n)
        .filter_map(|_| {
            Some(Point {
                task: pick(&mut rng, &data.tasks)?,
                project: pick(&mut rng, &data.projects)?,
                workspace: pick(&mut rng, &data.workspaces)?,
                status: statuses[rng.random_range(0..statuses.len())],
                priority: Priority::ALL[rng.random_range(0..Priority::ALL.len())],
            })
        })
        .collect()
}
