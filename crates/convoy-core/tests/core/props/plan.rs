//! Abstract plans of batches and the strategies that generate them.

use std::fmt::Debug;

use convoy_core::model::{EntityKind, STAGE_TRANSITION};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::TestCaseError;

/// Cases per property when `PROPTEST_CASES` is not set.
pub(super) const DEFAULT_CASES: u32 = 1024;

/// Stage names ops use: the standard workflow's, two custom ones, and a
/// wrong-case spelling that no workflow here has (stages match exactly).
pub(super) const STAGES: &[&str] =
    &["PLAN", "PLAN_REVIEW", "IMPLEMENT", "CODE_REVIEW", "TEST", "DONE", "QA", "SHIP", "plan"];
pub(super) const LABELS: &[&str] = &["backend", "db", "ui", "urgent", "docs"];
pub(super) const TAGS: &[&str] = &["CODE", "UI", "ARCHITECTURE", "TESTING"];
pub(super) const ACTIVITY_TYPES: &[&str] = &["COMMENT", "TASK_UPDATED", STAGE_TRANSITION];
pub(super) const BLANKS: &[&str] = &["", " ", "\t\n ", "\u{3000}"];
pub(super) const CONTAINERS: &[EntityKind] =
    &[EntityKind::Workspace, EntityKind::Project, EntityKind::Workstream, EntityKind::Milestone, EntityKind::Slice];
pub(super) const LOOSE: &[EntityKind] =
    &[EntityKind::Workflow, EntityKind::User, EntityKind::Pattern, EntityKind::BestPractice];
/// Ghost ids: never minted, so every op that looks one up is refused.
pub(super) const GHOSTS: u128 = 3;
/// Microseconds of the first tick (2025-06-15).
pub(super) const EPOCH_MICROS: i64 = 1_750_000_000_000_000;

pub(super) type R<T> = Result<T, TestCaseError>;

pub(super) fn fail<T>(msg: impl Into<String>) -> R<T> {
    Err(TestCaseError::fail(msg.into()))
}

// ---------------------------------------------------------------- plans --

/// Where a pick looks.
#[derive(Clone, Copy, Debug)]
pub(super) enum Src {
    /// An entity of the wanted kind that exists (or was created earlier in
    /// the batch); any minted id if there is none.
    Live,
    /// Any id ever minted (deleted, never created, any kind) or a ghost.
    Anything,
    /// A ghost.
    Ghost,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Pick {
    pub(super) src: Src,
    pub(super) at: Index,
}

/// How a child is attached to its container: the container's downward
/// relation, the child's upward (inverse) one, or a move.
#[derive(Clone, Copy, Debug)]
pub(super) enum Attach {
    Down,
    Up,
    Move,
}

/// A container or task for a new task: one in the same project (created if
/// there is none), or any pick (maybe another project's).
#[derive(Clone, Copy, Debug)]
pub(super) struct Place {
    pub(super) local: bool,
    pub(super) pick: Pick,
}

/// A new task and its wiring.
#[derive(Clone, Debug)]
pub(super) struct TaskPlan {
    pub(super) project: Pick,
    pub(super) attach: Attach,
    /// Two bits per further link: its spelling (down, up, move).
    pub(super) styles: u16,
    pub(super) workstream: Option<Place>,
    pub(super) milestone: Option<Place>,
    pub(super) slice: Option<Place>,
    pub(super) parent: Option<Place>,
    /// A workflow to follow, and maybe a stage to set: one of the
    /// workflow's, or (`true`) any of [`STAGES`].
    pub(super) workflow: Option<(Pick, Option<(Index, bool)>)>,
    /// `current_stage` given at creation.
    pub(super) stage_field: Option<Index>,
    pub(super) owner: Option<Pick>,
    /// Another task; `true`: the new task blocks it.
    pub(super) blocks: Option<(Place, bool)>,
    pub(super) related: Option<Place>,
    pub(super) status: Option<Index>,
    pub(super) priority: Option<Index>,
    pub(super) labels: Vec<Index>,
    pub(super) long_title: bool,
}

#[derive(Clone, Debug)]
pub(super) struct PatchPlan {
    pub(super) name: Option<u8>,
    pub(super) status: Option<Index>,
    pub(super) description: Option<Option<u8>>,
    pub(super) date: Option<Option<u8>>,
    pub(super) progress: Option<u8>,
    pub(super) labels: Option<Vec<Index>>,
    pub(super) priority: Option<Option<Index>>,
    /// A subset of [`STAGES`], as a bit mask.
    pub(super) stages: Option<u16>,
    pub(super) content: Option<u8>,
}

#[derive(Clone, Copy, Debug)]
pub(super) enum LinkType {
    /// One of [`RelationType::all`]: kinds that may be joined.
    Typed(Index),
    /// Any relation between any kinds.
    Raw(Index, Index, Index),
}

/// An activity id: fresh, or reused from the task's own feed (`true`) or
/// from any feed.
pub(super) type Reuse = Option<(bool, Index)>;

#[derive(Clone, Debug)]
pub(super) enum Step {
    Container {
        kind: Index,
        parent: Pick,
        attach: Attach,
        long_name: bool,
    },
    Task(Box<TaskPlan>),
    Loose {
        kind: Index,
        variant: u8,
        scope: Option<(Pick, bool, Attach)>,
    },
    /// An entity of any kind created with no links at all.
    Bare {
        kind: Index,
    },
    /// Many tasks in one project, following one workflow, owned by one user,
    /// in a `blocks` chain: big enough to make deletes cascade in bulk.
    Many {
        project: Pick,
        workflow: Pick,
        user: Pick,
        count: u8,
    },
    Link {
        ty: LinkType,
        source: Pick,
        target: Pick,
        inverse: bool,
        weight: Option<u8>,
        metadata: Option<u8>,
    },
    /// An existing edge (by index, either spelling), or a random triple.
    Unlink {
        edge: Option<(Index, bool)>,
        source: Pick,
        relation: Index,
        target: Pick,
    },
    Move {
        pair: LinkType,
        id: Pick,
        parent: Pick,
    },
    Update {
        id: Pick,
        own_kind: bool,
        kind: Index,
        patch: PatchPlan,
    },
    /// Deletes a pick, or (`biggest`) the project with the most tasks, so
    /// that cascades of [`Step::Many`]'s tasks run in bulk.
    Delete {
        kind: Option<Index>,
        id: Pick,
        biggest: bool,
    },
    Activity {
        task: Pick,
        reuse: Reuse,
        back: u8,
        extras: u8,
    },
    /// Sets a stage: one of the task's workflow's, or (`any_stage`) any of [`STAGES`].
    SetStage {
        task: Pick,
        following: bool,
        stage: Index,
        any_stage: bool,
        reuse: Reuse,
        actor: Option<Pick>,
    },
    /// Closes a cycle: walks up to `hops` `blocks` edges forward (or parent
    /// links up) from a task, then links the end back to it.
    Cycle {
        task: Pick,
        hops: u8,
        subtask: bool,
        inverse: bool,
    },
    /// Claims a task for a user; `ready` prefers a task that is ready and
    /// unowned, so both outcomes are common.
    Claim {
        task: Pick,
        owner: Pick,
        ready: bool,
    },
    /// A create with an id that was minted before (often still live).
    Recreate {
        id: Pick,
        kind: Index,
    },
    /// Text no op can carry, built directly or through serde: must be refused.
    Malformed {
        what: u8,
        excess: u8,
    },
}

impl Step {
    pub(super) const fn name(&self) -> &'static str {
        match self {
            Self::Container { .. } => "container",
            Self::Task(_) => "task",
            Self::Loose { .. } => "loose",
            Self::Bare { .. } => "bare",
            Self::Many { .. } => "many",
            Self::Link { .. } => "link",
            Self::Unlink { .. } => "unlink",
            Self::Move { .. } => "move",
            Self::Update { .. } => "update",
            Self::Delete { .. } => "delete",
            Self::Activity { .. } => "activity",
            Self::SetStage { .. } => "set_stage",
            Self::Cycle { .. } => "cycle",
            Self::Claim { .. } => "claim",
            Self::Recreate { .. } => "recreate",
            Self::Malformed { .. } => "malformed",
        }
    }
}

pub(super) fn opt<S: Strategy>(p: f64, s: S) -> impl Strategy<Value = Option<S::Value>> {
    proptest::option::weighted(p, s)
}

pub(super) fn pick_with(live: u32, anything: u32, ghost: u32) -> impl Strategy<Value = Pick> {
    let src = prop_oneof![live => Just(Src::Live), anything => Just(Src::Anything), ghost => Just(Src::Ghost)];
    (src, any::<Index>()).prop_map(|(src, at)| Pick { src, at })
}

pub(super) fn pick() -> impl Strategy<Value = Pick> {
    pick_with(93, 4, 3)
}

/// A pick for wiring meant to succeed: rarely wrong.
pub(super) fn sure_pick() -> impl Strategy<Value = Pick> {
    pick_with(97, 2, 1)
}

pub(super) fn place() -> impl Strategy<Value = Place> {
    (proptest::bool::weighted(0.85), sure_pick()).prop_map(|(local, pick)| Place { local, pick })
}

pub(super) fn attach() -> impl Strategy<Value = Attach> {
    prop_oneof![Just(Attach::Down), Just(Attach::Up), Just(Attach::Move)]
}

/// Allowed relation types `typed` times in 10, anything otherwise.
pub(super) fn link_type(typed: u32) -> impl Strategy<Value = LinkType> {
    prop_oneof![
        typed => any::<Index>().prop_map(LinkType::Typed),
        10 - typed => any::<(Index, Index, Index)>().prop_map(|(r, a, b)| LinkType::Raw(r, a, b)),
    ]
}

pub(super) fn reuse() -> impl Strategy<Value = Reuse> {
    opt(0.15, (any::<bool>(), any::<Index>()))
}

pub(super) fn task_plan() -> impl Strategy<Value = TaskPlan> {
    let wiring = (sure_pick(), attach(), any::<u16>(), opt(0.4, place()), opt(0.35, place()), opt(0.3, place()));
    let extras = (
        opt(0.25, place()),
        opt(0.35, (sure_pick(), opt(0.6, (any::<Index>(), proptest::bool::weighted(0.25))))),
        opt(0.1, any::<Index>()),
        opt(0.3, sure_pick()),
        opt(0.3, (place(), any::<bool>())),
        opt(0.15, place()),
    );
    let fields =
        (opt(0.3, any::<Index>()), opt(0.3, any::<Index>()), vec(any::<Index>(), 0..3), proptest::bool::weighted(0.05));
    (wiring, extras, fields).prop_map(
        |(
            (project, attach, styles, workstream, milestone, slice),
            (parent, workflow, stage_field, owner, blocks, related),
            (status, priority, labels, long_title),
        )| TaskPlan {
            project,
            attach,
            styles,
            workstream,
            milestone,
            slice,
            parent,
            workflow,
            stage_field,
            owner,
            blocks,
            related,
            status,
            priority,
            labels,
            long_title,
        },
    )
}

pub(super) fn patch_plan() -> impl Strategy<Value = PatchPlan> {
    (
        opt(0.3, any::<u8>()),
        opt(0.5, any::<Index>()),
        opt(0.2, opt(0.7, any::<u8>())),
        opt(0.2, opt(0.7, any::<u8>())),
        opt(0.3, any::<u8>()),
        opt(0.3, vec(any::<Index>(), 0..4)),
        opt(0.3, opt(0.8, any::<Index>())),
        opt(0.4, any::<u16>()),
        opt(0.3, any::<u8>()),
    )
        .prop_map(|(name, status, description, date, progress, labels, priority, stages, content)| PatchPlan {
            name,
            status,
            description,
            date,
            progress,
            labels,
            priority,
            stages,
            content,
        })
}

pub(super) fn step() -> BoxedStrategy<Step> {
    prop_oneof![
        10 => (any::<Index>(), pick(), attach(), proptest::bool::weighted(0.1))
            .prop_map(|(kind, parent, attach, long_name)| Step::Container { kind, parent, attach, long_name })
            .boxed(),
        28 => task_plan().prop_map(|t| Step::Task(Box::new(t))).boxed(),
        6 => (any::<Index>(), any::<u8>(), opt(0.6, (pick(), any::<bool>(), attach())))
            .prop_map(|(kind, variant, scope)| Step::Loose { kind, variant, scope })
            .boxed(),
        2 => any::<Index>().prop_map(|kind| Step::Bare { kind }).boxed(),
        2 => (sure_pick(), sure_pick(), sure_pick(), prop_oneof![1..=20u8, 60..=100u8])
            .prop_map(|(project, workflow, user, count)| Step::Many { project, workflow, user, count })
            .boxed(),
        16 => (link_type(8), pick(), pick(), any::<bool>(), opt(0.2, any::<u8>()), opt(0.2, any::<u8>()))
            .prop_map(|(ty, source, target, inverse, weight, metadata)| Step::Link {
                ty, source, target, inverse, weight, metadata,
            })
            .boxed(),
        5 => (opt(0.8, (any::<Index>(), any::<bool>())), pick(), any::<Index>(), pick())
            .prop_map(|(edge, source, relation, target)| Step::Unlink { edge, source, relation, target })
            .boxed(),
        7 => (link_type(8), pick(), pick())
            .prop_map(|(pair, id, parent)| Step::Move { pair, id, parent })
            .boxed(),
        9 => (pick(), proptest::bool::weighted(0.9), any::<Index>(), patch_plan())
            .prop_map(|(id, own_kind, kind, patch)| Step::Update { id, own_kind, kind, patch })
            .boxed(),
        4 => (opt(0.6, any::<Index>()), pick(), proptest::bool::weighted(0.25))
            .prop_map(|(kind, id, biggest)| Step::Delete { kind, id, biggest })
            .boxed(),
        6 => (pick(), reuse(), 0..4u8, any::<u8>())
            .prop_map(|(task, reuse, back, extras)| Step::Activity { task, reuse, back, extras })
            .boxed(),
        6 => (pick(), proptest::bool::weighted(0.8), any::<Index>(), proptest::bool::weighted(0.25), reuse(), opt(0.3, pick()))
            .prop_map(|(task, following, stage, any_stage, reuse, actor)| Step::SetStage {
                task, following, stage, any_stage, reuse, actor,
            })
            .boxed(),
        3 => (pick(), 0..6u8, any::<bool>(), any::<bool>())
            .prop_map(|(task, hops, subtask, inverse)| Step::Cycle { task, hops, subtask, inverse })
            .boxed(),
        3 => (pick(), pick(), proptest::bool::weighted(0.6))
            .prop_map(|(task, owner, ready)| Step::Claim { task, owner, ready })
            .boxed(),
        1 => (pick(), any::<Index>()).prop_map(|(id, kind)| Step::Recreate { id, kind }).boxed(),
        2 => (any::<u8>(), any::<u8>()).prop_map(|(what, excess)| Step::Malformed { what, excess }).boxed(),
    ]
    .boxed()
}

/// A case: batches of steps. Single-step batches are common, so refusals
/// can be predicted for them.
pub(super) fn scenario() -> impl Strategy<Value = Vec<Vec<Step>>> {
    let batch = prop_oneof![3 => vec(step(), 1..=1), 2 => vec(step(), 2..=4)];
    vec(batch, 5..=40)
}
