//! Property tests over random sequences of batches, valid and invalid.
//!
//! A case is 5–40 batches applied in turn to one graph. A batch is 1–4
//! *steps*; a step is an abstract plan (create a container or a wired task,
//! link two entities, unlink, move, update, delete, record activity, set a
//! stage, re-create an existing id, …) that names entities by index into
//! what exists, so plans shrink well. Each step is materialised into
//! concrete [`Op`]s with deterministic ids and timestamps against the graph
//! as the batch finds it. Picks sometimes go to wrong kinds, to deleted or
//! never-created ids ("ghosts") and to other projects' containers, so batches
//! are refused for unknown ids, wrong kinds, duplicate entities, edges and
//! activity ids, self-loops, taken slots, `blocks` and subtask cycles,
//! cross-project placement, stages not in the workflow and missing parents.
//! Text the model cannot hold (oversized, blank, malformed) is refused when
//! it is built, directly or through serde, before any op can carry it.
//!
//! Properties checked:
//! - after every batch, `check_invariants()` is clean;
//! - a refused batch leaves `state()` exactly as it was;
//! - a batch the plan knows must fail (a ghost id, a self-loop; for a
//!   one-step batch also a duplicate, a cycle, a taken slot, a cross-project
//!   container, a bad stage, a missing parent) is refused, and a one-step
//!   batch it knows must pass (deleting an existing entity, unlinking an edge
//!   nothing requires, a same-kind update, a valid stage or activity, a link
//!   or move no closing rule looks at) is accepted;
//! - re-applying just the accepted batches, unchanged, to a fresh graph
//!   accepts each and gives an equal state; so does applying all their ops as
//!   one batch; `Graph::from_state` loads the final state and gives it back;
//! - `validate` returns exactly what `apply` then returns, and changes nothing.
//!
//! # Running
//!
//! By default each property runs [`DEFAULT_CASES`] cases (about 3 s for
//! both). `PROPTEST_CASES` sets the number of cases per property, e.g. the
//! long run:
//!
//! ```text
//! PROPTEST_CASES=10000 cargo test -p convoy-core --test core props
//! ```
//!
//! (about 30 s in the test profile; `--release` is a little faster). Other
//! `PROPTEST_*` variables (`PROPTEST_RNG_SEED`, `PROPTEST_MAX_SHRINK_ITERS`,
//! …) apply too.
//! With `CONVOY_PROP_STATS=1` and `-- --nocapture`, each property prints how
//! many batches were accepted and why the others were refused.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashSet, VecDeque};
use std::fmt::{Debug, Write as _};

use convoy_core::model::{
    Activity, BestPractice, BestPracticePatch, EntityData, EntityKind, EntityPatch, Fraction, Json, Labels,
    MAX_JSON_BYTES, MAX_LABELS, MAX_NAME_BYTES, MAX_STAGES, MAX_TAG_BYTES, MAX_TEXT_BYTES, Milestone, MilestonePatch,
    Name, Pattern, PatternPatch, Priority, Project, ProjectPatch, STAGE_TRANSITION, Slice, SlicePatch, Stage, Stages,
    Status, Tag, Task, TaskPatch, TaskStatus, Text, User, UserPatch, Workflow, WorkflowPatch, Workspace,
    WorkspacePatch, Workstream, WorkstreamPatch,
};
use convoy_core::{
    ActivityId, Batch, BatchError, EdgeRecord, EntityId, Graph, Op, Relation, RelationType, Slot, State, Timestamp,
};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use uuid::Uuid;

/// Cases per property when `PROPTEST_CASES` is not set.
const DEFAULT_CASES: u32 = 1024;

/// Stage names ops use: the standard workflow's, two custom ones, and a
/// wrong-case spelling that no workflow here has (stages match exactly).
const STAGES: &[&str] = &["PLAN", "PLAN_REVIEW", "IMPLEMENT", "CODE_REVIEW", "TEST", "DONE", "QA", "SHIP", "plan"];
const LABELS: &[&str] = &["backend", "db", "ui", "urgent", "docs"];
const TAGS: &[&str] = &["CODE", "UI", "ARCHITECTURE", "TESTING"];
const ACTIVITY_TYPES: &[&str] = &["COMMENT", "TASK_UPDATED", STAGE_TRANSITION];
const BLANKS: &[&str] = &["", " ", "\t\n ", "\u{3000}"];
const CONTAINERS: &[EntityKind] =
    &[EntityKind::Workspace, EntityKind::Project, EntityKind::Workstream, EntityKind::Milestone, EntityKind::Slice];
const LOOSE: &[EntityKind] = &[EntityKind::Workflow, EntityKind::User, EntityKind::Pattern, EntityKind::BestPractice];
/// Ghost ids: never minted, so every op that looks one up is refused.
const GHOSTS: u128 = 3;
/// Microseconds of the first tick (2025-06-15).
const EPOCH_MICROS: i64 = 1_750_000_000_000_000;

type R<T> = Result<T, TestCaseError>;

fn fail<T>(msg: impl Into<String>) -> R<T> {
    Err(TestCaseError::fail(msg.into()))
}

// ---------------------------------------------------------------- plans --

/// Where a pick looks.
#[derive(Clone, Copy, Debug)]
enum Src {
    /// An entity of the wanted kind that exists (or was created earlier in
    /// the batch); any minted id if there is none.
    Live,
    /// Any id ever minted (deleted, never created, any kind) or a ghost.
    Anything,
    /// A ghost.
    Ghost,
}

#[derive(Clone, Copy, Debug)]
struct Pick {
    src: Src,
    at: Index,
}

/// How a child is attached to its container: the container's downward
/// relation, the child's upward (inverse) one, or a move.
#[derive(Clone, Copy, Debug)]
enum Attach {
    Down,
    Up,
    Move,
}

/// A container or task for a new task: one in the same project (created if
/// there is none), or any pick (maybe another project's).
#[derive(Clone, Copy, Debug)]
struct Place {
    local: bool,
    pick: Pick,
}

/// A new task and its wiring.
#[derive(Clone, Debug)]
struct TaskPlan {
    project: Pick,
    attach: Attach,
    /// Two bits per further link: its spelling (down, up, move).
    styles: u16,
    workstream: Option<Place>,
    milestone: Option<Place>,
    slice: Option<Place>,
    parent: Option<Place>,
    /// A workflow to follow, and maybe a stage to set: one of the
    /// workflow's, or (`true`) any of [`STAGES`].
    workflow: Option<(Pick, Option<(Index, bool)>)>,
    /// `current_stage` given at creation.
    stage_field: Option<Index>,
    owner: Option<Pick>,
    /// Another task; `true`: the new task blocks it.
    blocks: Option<(Place, bool)>,
    related: Option<Place>,
    status: Option<Index>,
    priority: Option<Index>,
    labels: Vec<Index>,
    long_title: bool,
}

#[derive(Clone, Debug)]
struct PatchPlan {
    name: Option<u8>,
    status: Option<Index>,
    description: Option<Option<u8>>,
    date: Option<Option<u8>>,
    progress: Option<u8>,
    labels: Option<Vec<Index>>,
    priority: Option<Option<Index>>,
    /// A subset of [`STAGES`], as a bit mask.
    stages: Option<u16>,
    content: Option<u8>,
}

#[derive(Clone, Copy, Debug)]
enum LinkType {
    /// One of [`RelationType::all`]: kinds that may be joined.
    Typed(Index),
    /// Any relation between any kinds.
    Raw(Index, Index, Index),
}

/// An activity id: fresh, or reused from the task's own feed (`true`) or
/// from any feed.
type Reuse = Option<(bool, Index)>;

#[derive(Clone, Debug)]
enum Step {
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
    const fn name(&self) -> &'static str {
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
            Self::Recreate { .. } => "recreate",
            Self::Malformed { .. } => "malformed",
        }
    }
}

fn opt<S: Strategy>(p: f64, s: S) -> impl Strategy<Value = Option<S::Value>> {
    proptest::option::weighted(p, s)
}

fn pick_with(live: u32, anything: u32, ghost: u32) -> impl Strategy<Value = Pick> {
    let src = prop_oneof![live => Just(Src::Live), anything => Just(Src::Anything), ghost => Just(Src::Ghost)];
    (src, any::<Index>()).prop_map(|(src, at)| Pick { src, at })
}

fn pick() -> impl Strategy<Value = Pick> {
    pick_with(93, 4, 3)
}

/// A pick for wiring meant to succeed: rarely wrong.
fn sure_pick() -> impl Strategy<Value = Pick> {
    pick_with(97, 2, 1)
}

fn place() -> impl Strategy<Value = Place> {
    (proptest::bool::weighted(0.85), sure_pick()).prop_map(|(local, pick)| Place { local, pick })
}

fn attach() -> impl Strategy<Value = Attach> {
    prop_oneof![Just(Attach::Down), Just(Attach::Up), Just(Attach::Move)]
}

/// Allowed relation types `typed` times in 10, anything otherwise.
fn link_type(typed: u32) -> impl Strategy<Value = LinkType> {
    prop_oneof![
        typed => any::<Index>().prop_map(LinkType::Typed),
        10 - typed => any::<(Index, Index, Index)>().prop_map(|(r, a, b)| LinkType::Raw(r, a, b)),
    ]
}

fn reuse() -> impl Strategy<Value = Reuse> {
    opt(0.15, (any::<bool>(), any::<Index>()))
}

fn task_plan() -> impl Strategy<Value = TaskPlan> {
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

fn patch_plan() -> impl Strategy<Value = PatchPlan> {
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

fn step() -> BoxedStrategy<Step> {
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
        1 => (pick(), any::<Index>()).prop_map(|(id, kind)| Step::Recreate { id, kind }).boxed(),
        2 => (any::<u8>(), any::<u8>()).prop_map(|(what, excess)| Step::Malformed { what, excess }).boxed(),
    ]
    .boxed()
}

/// A case: batches of steps. Single-step batches are common, so refusals
/// can be predicted for them.
fn scenario() -> impl Strategy<Value = Vec<Vec<Step>>> {
    let batch = prop_oneof![3 => vec(step(), 1..=1), 2 => vec(step(), 2..=4)];
    vec(batch, 5..=40)
}

// ------------------------------------------------------ materialisation --

/// Deterministic, well-spread ids: `n` times an odd constant is a bijection
/// on `u128`, so distinct counters give distinct ids, in no particular order.
fn scrambled(n: u128) -> Uuid {
    Uuid::from_u128(n.wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835))
}

/// What a case has minted so far: ids, activity ids, time.
struct World {
    minted: u128,
    every: Vec<EntityId>,
    ghosts: Vec<EntityId>,
    activity_count: u128,
    activities: Vec<ActivityId>,
    clock: i64,
    types: Vec<RelationType>,
    /// (entity kind, parent kind) pairs a move can join.
    move_pairs: Vec<(EntityKind, EntityKind)>,
}

impl World {
    fn new() -> Self {
        let types: Vec<RelationType> = RelationType::all().collect();
        let move_pairs = types
            .iter()
            .filter(|t| t.relation().slot(t.target()).is_some())
            .map(|t| (t.source(), t.target()))
            .collect();
        Self {
            minted: 0,
            every: Vec::new(),
            ghosts: (0..GHOSTS).map(|k| EntityId::from_uuid(scrambled(u128::MAX - k))).collect(),
            activity_count: 0,
            activities: Vec::new(),
            clock: EPOCH_MICROS,
            types,
            move_pairs,
        }
    }

    fn mint(&mut self) -> EntityId {
        self.minted += 1;
        let id = EntityId::from_uuid(scrambled(self.minted));
        self.every.push(id);
        id
    }

    fn mint_activity(&mut self) -> ActivityId {
        self.activity_count += 1;
        let id = ActivityId::from_uuid(scrambled(self.activity_count));
        self.activities.push(id);
        id
    }

    fn tick(&mut self) -> Timestamp {
        self.clock += 1;
        Timestamp::from_micros(self.clock)
    }
}

/// A materialised batch.
struct Built {
    batch: Batch,
    origins: Vec<&'static str>,
    /// Why the batch must be refused, when the plan knows.
    expect_refusal: Option<String>,
    /// Why the batch must be accepted, when the plan knows.
    expect_accept: Option<String>,
    malformed: usize,
    big_deletes: usize,
}

/// Turns one batch's steps into ops against the graph as it stands.
struct Builder<'a> {
    world: &'a mut World,
    graph: &'a Graph,
    edges: &'a [EdgeRecord],
    /// A one-step batch: its refusals can be predicted from the graph.
    single: bool,
    /// Entities created earlier in this batch.
    local: Vec<(EntityId, EntityKind)>,
    /// Containers created in this batch, with their parent.
    local_parent: Vec<(EntityId, EntityId)>,
    /// Stages of workflows created in this batch.
    local_stages: Vec<(EntityId, Stages)>,
    ops: Vec<Op>,
    /// Whether a pick resolved to an entity of another kind than wanted.
    miskinded: std::cell::Cell<bool>,
    /// For each op, the kind of step that made it.
    origins: Vec<&'static str>,
    origin: &'static str,
    expect_refusal: Option<String>,
    expect_accept: Option<String>,
    malformed: usize,
    /// Deletes of a project holding 64 or more entities.
    big_deletes: usize,
}

/// The container an entity of this kind must have, if any.
const fn required_parent(kind: EntityKind) -> Option<EntityKind> {
    match kind {
        EntityKind::Project => Some(EntityKind::Workspace),
        EntityKind::Workstream | EntityKind::Milestone | EntityKind::Task => Some(EntityKind::Project),
        EntityKind::Slice => Some(EntityKind::Milestone),
        _ => None,
    }
}

fn entity_data(kind: EntityKind, name: &str, variant: u8) -> R<EntityData> {
    Ok(match kind {
        EntityKind::Workspace => Workspace::new(name)?.into(),
        EntityKind::Project => Project::new(name)?.into(),
        EntityKind::Workstream => Workstream::new(name)?.into(),
        EntityKind::Milestone => Milestone::new(name)?.into(),
        EntityKind::Slice => Slice::new(name)?.into(),
        EntityKind::Task => Task::new(name)?.into(),
        EntityKind::Workflow => {
            let mut w = Workflow::new(name)?;
            if variant % 2 == 1 {
                w.stages = stages_from_mask(u16::from(variant >> 1))?;
            }
            w.into()
        }
        EntityKind::Pattern => {
            Pattern::new(name, TAGS[usize::from(variant) % TAGS.len()], r#"{"steps": ["a", "b"]}"#)?.into()
        }
        EntityKind::BestPractice => {
            BestPractice::new(name, TAGS[usize::from(variant) % TAGS.len()], r#"{"rule": "x"}"#)?.into()
        }
        EntityKind::User => User::new(name)?.into(),
    })
}

/// The stages of [`STAGES`] whose bit is set (`PLAN` if none).
fn stages_from_mask(mask: u16) -> R<Stages> {
    let mut stages = Vec::new();
    for (i, name) in STAGES.iter().enumerate() {
        if mask & (1 << i) != 0 {
            let mut stage = Stage::new(name)?;
            stage.is_checkpoint = name.ends_with("REVIEW");
            stages.push(stage);
        }
    }
    if stages.is_empty() {
        stages.push(Stage::new("PLAN")?);
    }
    Ok(Stages::new(stages)?)
}

fn labels(picks: &[Index]) -> R<Labels> {
    let mut names: Vec<&str> = Vec::new();
    for i in picks {
        let label = *i.get(LABELS);
        if !names.contains(&label) {
            names.push(label);
        }
    }
    Ok(Labels::new(names)?)
}

/// Exactly `bytes` bytes of text, half of it two-byte characters.
fn text_of(bytes: usize) -> String {
    let mut s = "é".repeat(bytes / 4);
    while s.len() < bytes {
        s.push('x');
    }
    s
}

/// A name of exactly the longest allowed size.
fn long_name() -> String {
    text_of(MAX_NAME_BYTES)
}

/// `make` accepts text of exactly `max` bytes and refuses `max + excess`.
fn boundary<T, E>(what: &str, max: usize, excess: usize, make: impl Fn(String) -> Result<T, E>) -> R<()> {
    if make(text_of(max)).is_err() {
        return fail(format!("{what} of exactly {max} bytes was refused"));
    }
    if make(text_of(max + excess)).is_ok() {
        return fail(format!("{what} of {} bytes (limit {max}) was accepted", max + excess));
    }
    Ok(())
}

fn refused<T: Debug, E>(what: &str, result: Result<T, E>) -> R<()> {
    match result {
        Ok(v) => fail(format!("{what} was accepted: {v:?}")),
        Err(_) => Ok(()),
    }
}

impl<'a> Builder<'a> {
    fn new(world: &'a mut World, graph: &'a Graph, edges: &'a [EdgeRecord], single: bool) -> Self {
        Self {
            world,
            graph,
            edges,
            single,
            local: Vec::new(),
            local_parent: Vec::new(),
            local_stages: Vec::new(),
            ops: Vec::new(),
            miskinded: std::cell::Cell::new(false),
            origins: Vec::new(),
            origin: "",
            expect_refusal: None,
            expect_accept: None,
            malformed: 0,
            big_deletes: 0,
        }
    }

    fn finish(mut self) -> R<Built> {
        let ghosts: HashSet<EntityId> = self.world.ghosts.iter().copied().collect();
        if self.expect_refusal.is_none() {
            self.expect_refusal = self.ops.iter().find_map(|op| certainly_refused(op, &ghosts));
        }
        if let (Some(refuse), Some(accept)) = (&self.expect_refusal, &self.expect_accept) {
            return fail(format!("the test's predictions disagree: refuse ({refuse}) and accept ({accept})"));
        }
        Ok(Built {
            batch: Batch::from(self.ops),
            origins: self.origins,
            expect_refusal: self.expect_refusal,
            expect_accept: self.expect_accept,
            malformed: self.malformed,
            big_deletes: self.big_deletes,
        })
    }

    /// Notes that a one-step batch must be refused, and why.
    fn expect(&mut self, why: impl FnOnce() -> String) {
        if self.single && self.expect_refusal.is_none() {
            self.expect_refusal = Some(why());
        }
    }

    /// Notes that a one-step batch must be accepted, and why.
    fn accept(&mut self, why: impl FnOnce() -> String) {
        if self.single && self.expect_accept.is_none() {
            self.expect_accept = Some(why());
        }
    }

    fn tick(&mut self) -> Timestamp {
        self.world.tick()
    }

    fn push(&mut self, op: Op) {
        self.ops.push(op);
        self.origins.push(self.origin);
    }

    fn create(&mut self, data: EntityData) -> EntityId {
        let id = self.world.mint();
        let at = self.tick();
        if let EntityData::Workflow(w) = &data {
            self.local_stages.push((id, w.stages.clone()));
        }
        self.local.push((id, data.kind()));
        self.push(Op::Create { id, at, data });
        id
    }

    fn name(&self, kind: EntityKind) -> String {
        format!("{kind} {}", self.world.minted + 1)
    }

    fn link(&mut self, source: EntityId, relation: Relation, target: EntityId, inverse: bool) {
        let at = self.tick();
        let (source, relation, target) =
            if inverse { (target, relation.inverse(), source) } else { (source, relation, target) };
        self.push(Op::Link { source, relation, target, weight: None, metadata: None, at });
    }

    /// Attaches `child` under `parent`, whose relation to it is `down`.
    fn attach(&mut self, child: EntityId, parent: EntityId, down: Relation, how: Attach) {
        match how {
            Attach::Down => self.link(parent, down, child, false),
            Attach::Up => self.link(parent, down, child, true),
            Attach::Move => {
                let at = self.tick();
                self.push(Op::Move { id: child, parent, at });
            }
        }
    }

    fn kind_of(&self, id: EntityId) -> Option<EntityKind> {
        self.graph
            .get(id)
            .map(convoy_core::model::Entity::kind)
            .or_else(|| self.local.iter().find(|(i, _)| *i == id).map(|(_, k)| *k))
    }

    /// Entities of `kind` (any kind if `None`) in the graph or created in this batch.
    fn live(&self, kind: Option<EntityKind>) -> Vec<EntityId> {
        let kinds: &[EntityKind] = match &kind {
            Some(k) => std::slice::from_ref(k),
            None => EntityKind::ALL,
        };
        let mut out = Vec::new();
        for &k in kinds {
            out.extend(self.graph.ids_of_kind(k).iter().copied());
            out.extend(self.local.iter().filter(|(_, lk)| *lk == k).map(|(i, _)| *i));
        }
        out
    }

    fn choose(&self, pick: Pick, kind: Option<EntityKind>) -> EntityId {
        let id = self.choose_any(pick, kind);
        if kind.is_some_and(|k| self.kind_of(id) != Some(k)) {
            self.miskinded.set(true);
        }
        id
    }

    fn choose_any(&self, pick: Pick, kind: Option<EntityKind>) -> EntityId {
        match pick.src {
            Src::Live => {
                let live = self.live(kind);
                if !live.is_empty() {
                    return *pick.at.get(&live);
                }
            }
            Src::Ghost => return *pick.at.get(&self.world.ghosts),
            Src::Anything => {}
        }
        let every = &self.world.every;
        let i = pick.at.index(every.len() + self.world.ghosts.len());
        every.get(i).copied().unwrap_or_else(|| self.world.ghosts[i - every.len()])
    }

    /// A container of `kind`: a live pick creates one (with its own parents)
    /// when none exists, so the graph grows from nothing.
    fn container(&mut self, pick: Pick, kind: EntityKind) -> R<EntityId> {
        if matches!(pick.src, Src::Live) && self.live(Some(kind)).is_empty() {
            return self.ensure(pick, kind);
        }
        Ok(self.choose(pick, Some(kind)))
    }

    fn ensure(&mut self, pick: Pick, kind: EntityKind) -> R<EntityId> {
        let parent = required_parent(kind).map(|k| self.container(pick, k)).transpose()?;
        let id = self.create(entity_data(kind, &self.name(kind), 0)?);
        if let Some(parent) = parent {
            self.local_parent.push((id, parent));
            self.link(parent, Relation::Contains, id, false);
        }
        Ok(id)
    }

    /// The project an entity lies in, as the graph stands (a slice's through
    /// its milestone).
    fn project_at_start(&self, id: EntityId) -> Option<EntityId> {
        match self.graph.get(id)?.kind() {
            EntityKind::Slice => self.graph.parent(self.graph.parent(id, Slot::Milestone)?, Slot::Project),
            _ => self.graph.parent(id, Slot::Project),
        }
    }

    fn parent_of(&self, id: EntityId, slot: Slot) -> Option<EntityId> {
        self.graph.parent(id, slot).or_else(|| self.local_parent.iter().find(|(c, _)| *c == id).map(|(_, p)| *p))
    }

    fn stages_of(&self, workflow: EntityId) -> Option<Stages> {
        match self.graph.get(workflow) {
            Some(e) => e.data().as_workflow().map(|w| w.stages.clone()),
            None => self.local_stages.iter().find(|(w, _)| *w == workflow).map(|(_, s)| s.clone()),
        }
    }

    /// A container or task for a new task in `project`; `placed`: it must
    /// lie in that project too (containers, parent tasks; not the ends of
    /// `blocks` or `related_to`, which may cross projects).
    fn place(&mut self, place: Place, kind: EntityKind, project: EntityId, placed: bool) -> R<Option<EntityId>> {
        if place.local {
            let here: Vec<EntityId> = self
                .graph
                .ids_of_kind(kind)
                .iter()
                .copied()
                .filter(|&id| self.project_at_start(id) == Some(project))
                .collect();
            if !here.is_empty() {
                return Ok(Some(*place.pick.at.get(&here)));
            }
            let parent = match kind {
                EntityKind::Workstream | EntityKind::Milestone => project,
                EntityKind::Slice => match self.place(place, EntityKind::Milestone, project, true)? {
                    Some(m) => m,
                    None => return Ok(None),
                },
                _ => return Ok(None),
            };
            let id = self.create(entity_data(kind, &self.name(kind), 0)?);
            self.local_parent.push((id, parent));
            self.link(parent, Relation::Contains, id, false);
            return Ok(Some(id));
        }
        let other = self.choose(place.pick, Some(kind));
        if placed
            && self.graph.get(other).is_some_and(|e| e.kind() == kind)
            && let Some(elsewhere) = self.project_at_start(other).filter(|&p| p != project)
        {
            self.expect(|| format!("{kind} {other} lies in project {elsewhere}, not the task's {project}"));
        }
        Ok(Some(other))
    }

    fn step(&mut self, step: &Step) -> R<()> {
        self.origin = step.name();
        match step {
            Step::Container { kind, parent, attach, long_name: long } => {
                let kind = *kind.get(CONTAINERS);
                let name = if *long { long_name() } else { self.name(kind) };
                let parent = required_parent(kind).map(|k| self.container(*parent, k)).transpose()?;
                let id = self.create(entity_data(kind, &name, 0)?);
                if let Some(parent) = parent {
                    self.local_parent.push((id, parent));
                    self.attach(id, parent, Relation::Contains, *attach);
                }
            }
            Step::Task(plan) => self.task(plan)?,
            Step::Loose { kind, variant, scope } => {
                let kind = *kind.get(LOOSE);
                let id = self.create(entity_data(kind, &self.name(kind), *variant)?);
                if let (EntityKind::Pattern | EntityKind::BestPractice, Some((pick, project, how))) = (kind, scope) {
                    let scope_kind = if *project { EntityKind::Project } else { EntityKind::Workspace };
                    let scope = self.container(*pick, scope_kind)?;
                    self.attach(id, scope, Relation::Scopes, *how);
                }
            }
            Step::Bare { kind } => {
                let kind = *kind.get(EntityKind::ALL);
                self.create(entity_data(kind, &self.name(kind), 1)?);
                if let Some(parent) = required_parent(kind) {
                    self.expect(|| format!("a {kind} created without a {parent}"));
                }
            }
            Step::Many { project, workflow, user, count } => {
                let project = self.container(*project, EntityKind::Project)?;
                let workflow = self.container(*workflow, EntityKind::Workflow)?;
                let user = self.container(*user, EntityKind::User)?;
                let mut previous = None;
                for i in 0..*count {
                    let task = self.create(Task::new(&format!("bulk {i}"))?.into());
                    self.link(project, Relation::Contains, task, false);
                    self.link(task, Relation::Follows, workflow, i % 2 == 1);
                    self.link(task, Relation::OwnedBy, user, i % 3 == 1);
                    if let Some(previous) = previous {
                        self.link(previous, Relation::Blocks, task, false);
                    }
                    previous = Some(task);
                }
            }
            Step::Link { ty, source, target, inverse, weight, metadata } => {
                let (source_kind, relation, target_kind) = self.link_type(*ty);
                let source = self.choose(*source, Some(source_kind));
                let target = self.choose(*target, Some(target_kind));
                self.predict_link(source, relation, target);
                let (source, relation, target) =
                    if *inverse { (target, relation.inverse(), source) } else { (source, relation, target) };
                let weight = weight.map(|w| Fraction::new("weight", f64::from(w) / 255.0)).transpose()?;
                let metadata = metadata
                    .map(|m| Json::parse("metadata", &format!(r#"{{"n": {m}, "note": "m{m}"}}"#)))
                    .transpose()?;
                let at = self.tick();
                self.push(Op::Link { source, relation, target, weight, metadata, at });
            }
            Step::Unlink { edge, source, relation, target } => {
                let (source, relation, target) = match edge {
                    Some((i, inverse)) if !self.edges.is_empty() => {
                        let e = i.get(self.edges);
                        if *inverse {
                            (e.target, e.data.relation.inverse(), e.source)
                        } else {
                            (e.source, e.data.relation, e.target)
                        }
                    }
                    _ => (self.choose(*source, None), *relation.get(Relation::ALL), self.choose(*target, None)),
                };
                if self.graph.edge(source, relation, target).is_none() {
                    self.expect(|| format!("no edge {source} -{relation}-> {target} to unlink"));
                } else {
                    let (container, child) = if relation.is_forward() { (source, target) } else { (target, source) };
                    let required = matches!(relation, Relation::Contains | Relation::BelongsTo)
                        && self.kind_of(child).and_then(required_parent) == self.kind_of(container);
                    if required {
                        self.expect(|| format!("unlinking {child} from its required {container}"));
                    } else {
                        self.accept(|| format!("unlinking {source} -{relation}-> {target}, which nothing requires"));
                    }
                }
                self.push(Op::Unlink { source, relation, target });
            }
            Step::Move { pair, id, parent } => {
                let (kind, parent_kind) = match pair {
                    LinkType::Typed(i) => {
                        let pairs = &self.world.move_pairs;
                        let present: Vec<_> =
                            pairs.iter().copied().filter(|&(a, b)| self.exists(a) && self.exists(b)).collect();
                        if present.is_empty() { *i.get(pairs) } else { *i.get(&present) }
                    }
                    LinkType::Raw(_, a, b) => (*a.get(EntityKind::ALL), *b.get(EntityKind::ALL)),
                };
                let (id, parent) = (self.choose(*id, Some(kind)), self.choose(*parent, Some(parent_kind)));
                self.expect_move_refusal(id, parent);
                let at = self.tick();
                self.push(Op::Move { id, parent, at });
            }
            Step::Update { id, own_kind, kind, patch } => {
                let id = self.choose(*id, None);
                let random = *kind.get(EntityKind::ALL);
                let kind = if *own_kind { self.kind_of(id).unwrap_or(random) } else { random };
                let patch = build_patch(kind, patch)?;
                match self.graph.get(id).map(convoy_core::model::Entity::kind) {
                    None => self.expect(|| format!("update of unknown {id}")),
                    Some(found) if found != kind => self.expect(|| format!("a {kind} patch for {found} {id}")),
                    Some(_) => match &patch {
                        EntityPatch::Workflow(WorkflowPatch { stages: Some(stages), .. }) => {
                            let stranded = self.graph.neighbors(id, Relation::FollowedBy).into_iter().find(|&t| {
                                self.graph
                                    .get(t)
                                    .and_then(|e| e.data().as_task())
                                    .and_then(|t| t.current_stage.as_ref())
                                    .is_some_and(|stage| stages.get(stage).is_none())
                            });
                            match stranded {
                                Some(t) => self.expect(|| format!("new stages of {id} drop the stage of {t}")),
                                None => self.accept(|| format!("new stages of {id} keep every follower's")),
                            }
                        }
                        _ => self.accept(|| format!("a {kind} patch for {id}")),
                    },
                }
                let at = self.tick();
                self.push(Op::Update { id, at, patch });
            }
            Step::Delete { kind, id, biggest } => {
                let kind = kind.map(|k| *k.get(EntityKind::ALL)).filter(|&k| self.exists(k));
                let id = match self.biggest_project() {
                    Some((tasks, project)) if *biggest => {
                        self.big_deletes += usize::from(tasks >= 64);
                        project
                    }
                    _ => self.choose(*id, kind),
                };
                if self.graph.contains(id) {
                    self.accept(|| format!("delete of existing {id}"));
                } else {
                    self.expect(|| format!("delete of unknown {id}"));
                }
                let at = self.tick();
                self.push(Op::Delete { id, at });
            }
            Step::Activity { task, reuse, back, extras } => {
                let task = self.choose(*task, Some(EntityKind::Task));
                let id = self.activity_id(task, *reuse);
                let at = Timestamp::from_micros(self.tick().as_micros() - i64::from(*back));
                let mut activity = Activity::new(id, task, ACTIVITY_TYPES[usize::from(*extras) % 3], at)?;
                if extras & 4 != 0 {
                    activity.content = Some(Text::new("content", format!("note {extras}"))?);
                }
                if extras & 8 != 0 {
                    activity.details = Some(Json::parse("details", &format!(r#"{{"extras": {extras}}}"#))?);
                }
                if extras & 16 != 0 {
                    // Any id, ghosts included: events are history.
                    let n = self.world.every.len() + self.world.ghosts.len();
                    let i = usize::from(*extras) % n;
                    activity.actor = Some(self.world.every.get(i).copied().unwrap_or(self.world.ghosts[0]));
                }
                if extras & 32 != 0 {
                    activity.created_by = Some(Tag::new("created_by", "AI")?);
                }
                self.expect_task_refusal(task);
                if self.expect_refusal.is_none() {
                    self.accept(|| format!("a fresh activity of task {task}"));
                }
                self.push(Op::RecordActivity(activity));
            }
            Step::SetStage { task, following, stage, any_stage, reuse, actor } => {
                let followers: Vec<EntityId> = if *following {
                    let tasks = self.graph.ids_of_kind(EntityKind::Task);
                    tasks.iter().copied().filter(|&t| self.graph.parent(t, Slot::Workflow).is_some()).collect()
                } else {
                    Vec::new()
                };
                let task = if followers.is_empty() {
                    self.choose(*task, Some(EntityKind::Task))
                } else {
                    *task.at.get(&followers)
                };
                let workflow = self.graph.parent(task, Slot::Workflow);
                let stage = self.stage(workflow.and_then(|w| self.stages_of(w)).as_ref(), *stage, *any_stage)?;
                let activity = self.activity_id(task, *reuse);
                let actor = actor.map(|a| self.choose(a, Some(EntityKind::User)));
                self.expect_task_refusal(task);
                match self.graph.parent(task, Slot::Workflow) {
                    None => self.expect(|| format!("set stage of {task}, which follows no workflow")),
                    Some(wf) => {
                        if self.stages_of(wf).is_some_and(|s| s.get(&stage).is_none()) {
                            self.expect(|| format!("stage {stage:?} is not one of workflow {wf}'s"));
                        }
                    }
                }
                if self.expect_refusal.is_none() {
                    self.accept(|| format!("stage {stage:?} of {task}'s workflow"));
                }
                let at = self.tick();
                self.push(Op::SetStage { task, stage, activity, actor, at });
            }
            Step::Cycle { task, hops, subtask, inverse } => {
                // Start where there is something to walk, when there is.
                let walkable: Vec<EntityId> = self
                    .graph
                    .ids_of_kind(EntityKind::Task)
                    .iter()
                    .copied()
                    .filter(|&t| {
                        if *subtask {
                            self.graph.parent(t, Slot::ParentTask).is_some()
                        } else {
                            !self.graph.neighbors(t, Relation::Blocks).is_empty()
                        }
                    })
                    .collect();
                let start = match task.src {
                    Src::Live if !walkable.is_empty() => *task.at.get(&walkable),
                    _ => self.choose(*task, Some(EntityKind::Task)),
                };
                let mut end = start;
                for _ in 0..*hops {
                    let next = if *subtask {
                        self.graph.parent(end, Slot::ParentTask)
                    } else {
                        self.graph.neighbors(end, Relation::Blocks).first().copied()
                    };
                    match next {
                        Some(next) => end = next,
                        None => break,
                    }
                }
                // `start` reaches `end`, so `end` back to `start` closes a cycle
                // (a self-loop when the walk went nowhere).
                let (source, relation, target) =
                    if *subtask { (start, Relation::HasSubtask, end) } else { (end, Relation::Blocks, start) };
                self.predict_link(source, relation, target);
                self.link(source, relation, target, *inverse);
            }
            Step::Recreate { id, kind } => {
                let pick = if matches!(id.src, Src::Ghost) { Pick { src: Src::Anything, at: id.at } } else { *id };
                let mut id = self.choose(pick, None);
                if self.world.ghosts.contains(&id) {
                    // Ghosts must never exist; reuse a minted id instead.
                    id = self.world.every.first().copied().unwrap_or_else(|| self.world.mint());
                }
                let kind = *kind.get(EntityKind::ALL);
                if self.graph.contains(id) {
                    self.expect(|| format!("re-create of existing {id}"));
                }
                let data = entity_data(kind, &self.name(kind), 0)?;
                let at = self.tick();
                self.push(Op::Create { id, at, data });
            }
            Step::Malformed { what, excess } => {
                malformed(*what, usize::from(*excess % 3) + 1)?;
                self.malformed += 1;
            }
        }
        Ok(())
    }

    /// A new task and its wiring. Predictions about its placement hold only
    /// if every pick is of the kind wanted: an entity of another kind can
    /// re-parent the task through a later move.
    fn task(&mut self, t: &TaskPlan) -> R<()> {
        self.miskinded.set(false);
        self.wire_task(t)?;
        if self.miskinded.get() {
            self.expect_refusal = None;
            self.expect_accept = None;
        }
        Ok(())
    }

    fn wire_task(&mut self, t: &TaskPlan) -> R<()> {
        let project = self.container(t.project, EntityKind::Project)?;
        let title = if t.long_title { long_name() } else { self.name(EntityKind::Task) };
        let mut task = Task::new(&title)?;
        if let Some(i) = t.status {
            task.status = *i.get(TaskStatus::ALL);
        }
        task.priority = t.priority.map(|i| *i.get(Priority::ALL));
        task.labels = labels(&t.labels)?;
        task.current_stage = t.stage_field.map(|i| Tag::new("current_stage", *i.get(STAGES))).transpose()?;
        let stage_field = task.current_stage.clone();
        let id = self.create(task.into());
        self.attach(id, project, Relation::Contains, t.attach);

        let mut styles = t.styles;
        let mut style = move || {
            let s = styles & 3;
            styles >>= 2;
            match s {
                1 => Attach::Up,
                2 => Attach::Move,
                _ => Attach::Down,
            }
        };
        if let Some(place) = t.workstream
            && let Some(w) = self.place(place, EntityKind::Workstream, project, true)?
        {
            self.attach(id, w, Relation::Contains, style());
        }
        let mut slice_milestone = None;
        if let Some(place) = t.slice
            && let Some(s) = self.place(place, EntityKind::Slice, project, true)?
        {
            if self.kind_of(s) == Some(EntityKind::Slice) {
                slice_milestone = self.parent_of(s, Slot::Milestone);
            }
            self.attach(id, s, Relation::Contains, style());
        }
        if let Some(place) = t.milestone {
            let milestone = match (place.local, slice_milestone) {
                (true, Some(m)) => Some(m),
                _ => self.place(place, EntityKind::Milestone, project, true)?,
            };
            if let Some(m) = milestone {
                let is_milestone = self.kind_of(m) == Some(EntityKind::Milestone);
                if let Some(sm) = slice_milestone.filter(|&sm| sm != m && is_milestone) {
                    self.expect(|| format!("the task's slice lies in milestone {sm}, not its milestone {m}"));
                }
                self.attach(id, m, Relation::Contains, style());
            }
        }
        if let Some(place) = t.parent
            && let Some(p) = self.place(place, EntityKind::Task, project, true)?
        {
            self.attach(id, p, Relation::HasSubtask, style());
        }
        let mut stage_set = false;
        if let Some((pick, stage)) = t.workflow {
            let workflow = self.container(pick, EntityKind::Workflow)?;
            self.attach(id, workflow, Relation::FollowedBy, style());
            let stages = self.stages_of(workflow);
            if let Some((i, any_stage)) = stage {
                let stage = self.stage(stages.as_ref(), i, any_stage)?;
                if stages.as_ref().is_some_and(|s| s.get(&stage).is_none()) {
                    self.expect(|| format!("stage {stage:?} is not one of workflow {workflow}'s"));
                }
                let (activity, at) = (self.world.mint_activity(), self.tick());
                self.push(Op::SetStage { task: id, stage, activity, actor: None, at });
                stage_set = true;
            }
            if let (false, Some(stage), Some(stages)) = (stage_set, &stage_field, &stages)
                && stages.get(stage).is_none()
            {
                self.expect(|| format!("created in stage {stage:?}, not one of workflow {workflow}'s"));
            }
        }
        if let Some(pick) = t.owner {
            let user = self.container(pick, EntityKind::User)?;
            self.attach(id, user, Relation::Owns, style());
        }
        if let Some((place, forward)) = t.blocks
            && let Some(other) = self.place(place, EntityKind::Task, project, false)?
        {
            let inverse = matches!(style(), Attach::Up);
            if forward {
                self.link(id, Relation::Blocks, other, inverse);
            } else {
                self.link(other, Relation::Blocks, id, inverse);
            }
        }
        if let Some(place) = t.related
            && let Some(other) = self.place(place, EntityKind::Task, project, false)?
        {
            let inverse = matches!(style(), Attach::Up);
            self.link(id, Relation::RelatedTo, other, inverse);
        }
        Ok(())
    }

    /// Whether some entity of `kind` exists (or was created in this batch).
    fn exists(&self, kind: EntityKind) -> bool {
        !self.graph.ids_of_kind(kind).is_empty() || self.local.iter().any(|(_, k)| *k == kind)
    }

    /// A typed pick prefers kinds that exist, so links are rarely refused
    /// just for want of an entity.
    /// The project with the most contents, and how many.
    fn biggest_project(&self) -> Option<(usize, EntityId)> {
        self.graph
            .ids_of_kind(EntityKind::Project)
            .iter()
            .map(|&p| (self.graph.neighbors(p, Relation::Contains).len(), p))
            .max()
    }

    fn link_type(&self, ty: LinkType) -> (EntityKind, Relation, EntityKind) {
        match ty {
            LinkType::Typed(i) => {
                let present: Vec<RelationType> = self
                    .world
                    .types
                    .iter()
                    .copied()
                    .filter(|t| self.exists(t.source()) && self.exists(t.target()))
                    .collect();
                let t = if present.is_empty() { *i.get(&self.world.types) } else { *i.get(&present) };
                (t.source(), t.relation(), t.target())
            }
            LinkType::Raw(r, a, b) => (*a.get(EntityKind::ALL), *r.get(Relation::ALL), *b.get(EntityKind::ALL)),
        }
    }

    /// Predicts a one-step link: refused for [`Builder::link_refusal`];
    /// otherwise accepted when no closing rule can apply to it.
    fn predict_link(&mut self, source: EntityId, relation: Relation, target: EntityId) {
        if let Some(why) = self.link_refusal(source, relation, target) {
            return self.expect(|| why);
        }
        let (a, r, b) =
            if relation.is_forward() { (source, relation, target) } else { (target, relation.inverse(), source) };
        let free = match r {
            Relation::Blocks | Relation::RelatedTo | Relation::OwnedBy | Relation::ScopedTo => true,
            // A task may follow a workflow that has its stage (or if it has none).
            Relation::Follows => {
                let stage = self.graph.get(a).and_then(|e| e.data().as_task()).and_then(|t| t.current_stage.clone());
                match (stage, self.stages_of(b)) {
                    (None, _) => true,
                    (Some(stage), Some(stages)) => {
                        if stages.get(&stage).is_none() {
                            return self.expect(|| format!("{a} is in stage {stage:?}, not one of {b}'s"));
                        }
                        true
                    }
                    (Some(_), None) => false,
                }
            }
            _ => false,
        };
        if free {
            self.accept(|| format!("{a} -{r}-> {b} breaks no rule"));
        }
    }

    /// Why linking `source -relation-> target` alone must be refused, judged
    /// from the graph as it stands.
    fn link_refusal(&self, source: EntityId, relation: Relation, target: EntityId) -> Option<String> {
        let g = self.graph;
        let (Some(ks), Some(kt)) = (g.get(source).map(|e| e.kind()), g.get(target).map(|e| e.kind())) else {
            return Some(format!("link with an unknown end: {source} -{relation}-> {target}"));
        };
        if source == target {
            return Some(format!("self-loop {source} -{relation}->"));
        }
        if !relation.allows(ks, kt) {
            return Some(format!("{ks} cannot be {relation} {kt}"));
        }
        let (a, r, b) =
            if relation.is_forward() { (source, relation, target) } else { (target, relation.inverse(), source) };
        let (ka, kb) = if relation.is_forward() { (ks, kt) } else { (kt, ks) };
        if g.edge(a, r, b).is_some() || (r == Relation::RelatedTo && g.edge(b, r, a).is_some()) {
            return Some(format!("duplicate edge {a} -{r}-> {b}"));
        }
        for (child, slot) in [(a, r.slot(kb)), (b, r.inverse().slot(ka))] {
            if let Some(taken) = slot.and_then(|slot| g.parent(child, slot)) {
                return Some(format!("{child}'s slot is taken by {taken}"));
            }
        }
        if r == Relation::Blocks && reaches(g, b, a, |g, x| g.neighbors(x, Relation::Blocks)) {
            return Some(format!("{a} blocks {b} would close a cycle"));
        }
        if r == Relation::HasSubtask && reaches(g, a, b, |g, x| g.parent(x, Slot::ParentTask).into_iter().collect()) {
            return Some(format!("{b} is an ancestor of {a}: subtask cycle"));
        }
        None
    }

    fn expect_move_refusal(&mut self, id: EntityId, parent: EntityId) {
        let g = self.graph;
        let (Some(kind), Some(parent_kind)) = (g.get(id).map(|e| e.kind()), g.get(parent).map(|e| e.kind())) else {
            return self.expect(|| format!("move with an unknown end: {id} under {parent}"));
        };
        if id == parent {
            return self.expect(|| format!("move of {id} under itself"));
        }
        let fills =
            [Relation::BelongsTo, Relation::SubtaskOf, Relation::ScopedTo, Relation::OwnedBy, Relation::Follows]
                .into_iter()
                .find_map(|r| r.slot(parent_kind).filter(|_| r.allows(kind, parent_kind)));
        let Some(slot) = fills else {
            return self.expect(|| format!("a {kind} cannot move under a {parent_kind}"));
        };
        // Moves no closing rule looks at: to the parent it has, to another
        // owner, a project to another workspace, a pattern to another scope.
        let free = g.parent(id, slot) == Some(parent)
            || matches!(
                (kind, parent_kind),
                (_, EntityKind::User)
                    | (EntityKind::Project, EntityKind::Workspace)
                    | (EntityKind::Pattern | EntityKind::BestPractice, EntityKind::Workspace | EntityKind::Project)
            );
        if free {
            self.accept(|| format!("move of {kind} {id} under {parent_kind} {parent}"));
        }
    }

    /// A stage name: one of `stages` (when known), or any of [`STAGES`].
    fn stage(&self, stages: Option<&Stages>, i: Index, any_stage: bool) -> R<Tag> {
        let name = match stages {
            Some(stages) if !any_stage => i.get(stages.as_slice()).name.as_str(),
            _ => *i.get(STAGES),
        };
        Ok(Tag::new("stage", name)?)
    }

    fn expect_task_refusal(&mut self, task: EntityId) {
        match self.graph.get(task).map(|e| e.kind()) {
            None => self.expect(|| format!("activity of unknown {task}")),
            Some(EntityKind::Task) => {}
            Some(kind) => self.expect(|| format!("activity of {kind} {task}")),
        }
    }

    fn activity_id(&mut self, task: EntityId, reuse: Reuse) -> ActivityId {
        let feed = self.graph.feed(task);
        let id = match reuse {
            Some((true, i)) if !feed.is_empty() => i.get(feed).id,
            Some((_, i)) if !self.world.activities.is_empty() => *i.get(&self.world.activities),
            _ => self.world.mint_activity(),
        };
        if feed.iter().any(|a| a.id == id) {
            self.expect(|| format!("activity {id} is already in the feed of {task}"));
        }
        id
    }
}

/// Whether `to` can be reached from `from` (or is `from`) along `next`.
fn reaches(g: &Graph, from: EntityId, to: EntityId, next: impl Fn(&Graph, EntityId) -> Vec<EntityId>) -> bool {
    let mut seen = HashSet::from([from]);
    let mut queue = VecDeque::from([from]);
    while let Some(x) = queue.pop_front() {
        if x == to {
            return true;
        }
        queue.extend(next(g, x).into_iter().filter(|y| seen.insert(*y)));
    }
    false
}

/// Ops no graph can accept: they look up a ghost, or link or move an
/// entity to itself.
fn certainly_refused(op: &Op, ghosts: &HashSet<EntityId>) -> Option<String> {
    let (looked_up, self_loop): (Vec<EntityId>, bool) = match op {
        Op::Update { id, .. } | Op::Delete { id, .. } => (vec![*id], false),
        Op::Link { source, target, .. } | Op::Unlink { source, target, .. } => {
            (vec![*source, *target], source == target)
        }
        Op::Move { id, parent, .. } => (vec![*id, *parent], id == parent),
        Op::RecordActivity(a) => (vec![a.task], false),
        Op::SetStage { task, .. } => (vec![*task], false),
        _ => (vec![], false),
    };
    if let Some(ghost) = looked_up.iter().find(|id| ghosts.contains(id)) {
        return Some(format!("{op:?} looks up ghost {ghost}"));
    }
    self_loop.then(|| format!("{op:?} joins an entity to itself"))
}

fn build_patch(kind: EntityKind, p: &PatchPlan) -> R<EntityPatch> {
    let name = p.name.map(|n| Name::new("name", format!("renamed {n}"))).transpose()?;
    let status = p.status.map(|i| *i.get(Status::ALL));
    let task_status = p.status.map(|i| *i.get(TaskStatus::ALL));
    let description =
        p.description.map(|d| d.map(|n| Text::new("description", format!("about {n}"))).transpose()).transpose()?;
    let date = p.date.map(|d| d.map(|n| Timestamp::from_micros(EPOCH_MICROS + 1_000_000 * i64::from(n))));
    let progress = p.progress.map(|n| Fraction::new("progress", f64::from(n) / 255.0)).transpose()?;
    let labels = p.labels.as_deref().map(labels).transpose()?;
    let priority = p.priority.map(|o| o.map(|i| *i.get(Priority::ALL)));
    let stages = p.stages.map(stages_from_mask).transpose()?;
    let content = p.content.map(|n| Json::parse("content", &format!(r#"{{"v": {n}}}"#))).transpose()?;
    let tag = p.content.map(|n| Tag::new("tag", TAGS[usize::from(n) % TAGS.len()])).transpose()?;
    Ok(match kind {
        EntityKind::Workspace => WorkspacePatch { name, description }.into(),
        EntityKind::Project => {
            ProjectPatch { name, status, description, overview: None, tech_stack: content.map(Some), target_date: date }
                .into()
        }
        EntityKind::Workstream => WorkstreamPatch { name, status, progress, description }.into(),
        EntityKind::Milestone => {
            MilestonePatch { name, status, description, requirements: None, target_date: date }.into()
        }
        EntityKind::Slice => SlicePatch { name, status, description }.into(),
        EntityKind::Task => {
            TaskPatch { title: name, status: task_status, labels, description, priority, completion_date: date }.into()
        }
        EntityKind::Workflow => WorkflowPatch { name, stages, description }.into(),
        EntityKind::Pattern => PatternPatch { name, pattern_type: tag, content, description }.into(),
        EntityKind::BestPractice => BestPracticePatch { name, category: tag, content, description }.into(),
        EntityKind::User => UserPatch { name }.into(),
    })
}

/// Builds a value the model must refuse: oversized, blank or malformed text,
/// lists or numbers, directly or by deserializing an op. Also checks that
/// the largest allowed size is accepted.
fn malformed(what: u8, excess: usize) -> R<()> {
    match what % 11 {
        0 => boundary("a title", MAX_NAME_BYTES, excess, |s| Name::new("title", s)),
        1 => boundary("a stage name", MAX_TAG_BYTES, excess, |s| Tag::new("stages.name", s)),
        2 => boundary("a description", MAX_TEXT_BYTES, excess, |s| Text::new("description", s)),
        3 => boundary("a JSON document", MAX_JSON_BYTES, excess, |s| {
            // A JSON string literal of exactly `s.len()` bytes.
            let inner = "x".repeat(s.len().saturating_sub(2));
            Json::parse("content", &format!("\"{inner}\""))
        }),
        4 => {
            let blank = BLANKS[excess % BLANKS.len()];
            refused("a blank name", Name::new("name", blank))?;
            refused("a blank tag", Tag::new("activity_type", blank))?;
            refused("a blank stage", Stage::new(blank))
        }
        5 => {
            refused("JSON that does not parse", Json::parse("tech_stack", "{oops"))?;
            refused("empty JSON", Json::parse("tech_stack", ""))
        }
        6 => {
            let names = |n: usize| (0..n).map(|i| format!("l{i}")).collect::<Vec<_>>();
            if Labels::new(names(MAX_LABELS)).is_err() {
                return fail(format!("{MAX_LABELS} labels were refused"));
            }
            refused("too many labels", Labels::new(names(MAX_LABELS + excess)))?;
            refused("repeated labels", Labels::new(["db", "ui", "db"]))
        }
        7 => {
            let stages = |n: usize| (0..n).map(|i| Stage::new(&format!("S{i}"))).collect::<Result<Vec<_>, _>>();
            if Stages::new(stages(MAX_STAGES)?).is_err() {
                return fail(format!("{MAX_STAGES} stages were refused"));
            }
            refused("too many stages", Stages::new(stages(MAX_STAGES + excess)?))?;
            refused("no stages", Stages::new(vec![]))?;
            refused("repeated stages", Stages::new(vec![Stage::new("QA")?, Stage::new("QA")?]))
        }
        8 => {
            for bad in [1.0 + 0.25 * excess as f64, -0.001, f64::NAN, f64::INFINITY] {
                refused("a fraction out of range", Fraction::new("progress", bad))?;
            }
            Ok(())
        }
        9 => {
            // An op read from the wire is validated like one built in code.
            let nil = EntityId::from_uuid(Uuid::nil());
            let op = Op::Create { id: nil, at: Timestamp::EPOCH, data: Task::new("t")?.into() };
            let json = serde_json::to_value(&op)?;
            let with_title = |title: &str| -> R<serde_json::Value> {
                let mut v = json.clone();
                let Some(slot) = v.pointer_mut("/Create/data/Task/title") else {
                    return fail(format!("unexpected JSON for a create op: {json}"));
                };
                *slot = serde_json::Value::String(title.to_owned());
                Ok(v)
            };
            let longest: Op = serde_json::from_value(with_title(&long_name())?)?;
            if longest.subject() != nil {
                return fail("a deserialized op changed its subject");
            }
            refused(
                "an oversized title from JSON",
                serde_json::from_value::<Op>(with_title(&text_of(MAX_NAME_BYTES + excess))?),
            )?;
            refused("a blank title from JSON", serde_json::from_value::<Op>(with_title(BLANKS[excess])?))
        }
        _ => {
            let nil = EntityId::from_uuid(Uuid::nil());
            let activity = ActivityId::from_uuid(Uuid::nil());
            let batch = Batch::from(vec![
                Op::SetStage {
                    task: nil,
                    stage: Tag::new("stage", "PLAN")?,
                    activity,
                    actor: None,
                    at: Timestamp::EPOCH,
                },
                Op::RecordActivity(Activity::new(activity, nil, "COMMENT", Timestamp::EPOCH)?),
            ]);
            let json = serde_json::to_value(&batch)?;
            for (pointer, value) in [
                ("/0/SetStage/stage", text_of(MAX_TAG_BYTES + excess)),
                ("/1/RecordActivity/content", text_of(MAX_TEXT_BYTES + excess)),
                ("/1/RecordActivity/activity_type", BLANKS[excess].to_owned()),
            ] {
                let mut v = json.clone();
                let Some(slot) = v.pointer_mut(pointer) else {
                    return fail(format!("unexpected JSON for a batch: no {pointer} in {json}"));
                };
                *slot = serde_json::Value::String(value);
                refused(pointer, serde_json::from_value::<Batch>(v))?;
            }
            Ok(())
        }
    }
}

// ------------------------------------------------------------ properties --

/// What the runs saw, for `CONVOY_PROP_STATS`.
#[derive(Default)]
struct Stats {
    cases: usize,
    batches: usize,
    accepted: usize,
    empty: usize,
    predicted: usize,
    ops: usize,
    accepted_ops: usize,
    malformed: usize,
    big_cascades: usize,
    big_deletes_refused: usize,
    predicted_accepts: usize,
    entities: usize,
    relationships: usize,
    refusals: BTreeMap<String, usize>,
}

impl Stats {
    fn refusal(&mut self, err: &BatchError, origins: &[&str]) {
        let (phase, detail) = match err {
            BatchError::Op { index, error } => {
                let origin = origins.get(*index).copied().unwrap_or("?");
                ("op", format!("{error:?}").replacen(|c: char| !c.is_alphanumeric(), &format!(" in {origin} "), 1))
            }
            BatchError::Closing(error) => ("closing", format!("{error:?}")),
            other => ("batch", format!("{other:?}")),
        };
        let name: String = detail.chars().take_while(|c| c.is_alphanumeric() || c == &' ').collect();
        *self.refusals.entry(format!("{phase}:{}", name.trim_end())).or_default() += 1;
    }

    fn merge(&mut self, other: Self) {
        self.cases += other.cases;
        self.batches += other.batches;
        self.accepted += other.accepted;
        self.empty += other.empty;
        self.predicted += other.predicted;
        self.ops += other.ops;
        self.accepted_ops += other.accepted_ops;
        self.malformed += other.malformed;
        self.big_cascades += other.big_cascades;
        self.big_deletes_refused += other.big_deletes_refused;
        self.predicted_accepts += other.predicted_accepts;
        self.entities += other.entities;
        self.relationships += other.relationships;
        for (k, v) in other.refusals {
            *self.refusals.entry(k).or_default() += v;
        }
    }

    fn report(&self, name: &str) -> String {
        let pct = |n: usize, d: usize| if d == 0 { 0.0 } else { 100.0 * n as f64 / d as f64 };
        let mut out = format!(
            "{name}: {} cases, {} batches, {} accepted ({:.1}%; {} empty; {} predicted), {} refused ({} predicted); \
             {} ops ({} in accepted batches); {} malformed values refused when built; {} cascades of 64+ ({} more rolled back); \
             final graphs average {:.1} entities, {:.1} relationships\n",
            self.cases,
            self.batches,
            self.accepted,
            pct(self.accepted, self.batches),
            self.empty,
            self.predicted_accepts,
            self.batches - self.accepted,
            self.predicted,
            self.ops,
            self.accepted_ops,
            self.malformed,
            self.big_cascades,
            self.big_deletes_refused,
            self.entities as f64 / self.cases.max(1) as f64,
            self.relationships as f64 / self.cases.max(1) as f64,
        );
        for (why, n) in &self.refusals {
            let _ = writeln!(out, "  {n:>7}  {why}");
        }
        out
    }
}

/// The configuration: `PROPTEST_*` variables as proptest reads them, with
/// [`DEFAULT_CASES`] unless `PROPTEST_CASES` is set. No failure files: a
/// failure prints its shrunk plan, which replays deterministically.
fn config() -> Config {
    let mut config = Config::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = DEFAULT_CASES;
    }
    config.failure_persistence = None;
    config
}

fn build(world: &mut World, graph: &Graph, state: &State, steps: &[Step]) -> R<Built> {
    let mut builder = Builder::new(world, graph, state.edges(), steps.len() == 1);
    for step in steps {
        builder.step(step)?;
    }
    builder.finish()
}

fn invariants(g: &Graph, after: &str, batch: &Batch) -> R<()> {
    g.check_invariants().or_else(|v| fail(format!("invariants broken after {after}: {v}\nbatch: {batch:#?}")))
}

/// Property 1: invariants after every batch, refusals change nothing, the
/// accepted batches replay to the same state.
fn apply_and_replay(plan: &[Vec<Step>], stats: &mut Stats) -> R<()> {
    let mut world = World::new();
    let mut g = Graph::new();
    let mut accepted: Vec<Batch> = Vec::new();
    stats.cases += 1;
    for steps in plan {
        let before = g.state();
        let Built { batch, origins, expect_refusal, expect_accept, malformed, big_deletes } =
            build(&mut world, &g, &before, steps)?;
        stats.batches += 1;
        stats.ops += batch.len();
        stats.malformed += malformed;
        let result = g.apply(&batch);
        invariants(&g, &format!("{result:?}"), &batch)?;
        match result {
            Ok(()) => {
                if let Some(why) = expect_refusal {
                    return fail(format!("batch accepted, but {why}\nbatch: {batch:#?}"));
                }
                stats.predicted_accepts += usize::from(expect_accept.is_some());
                let after = g.entity_count();
                if before.entities().len() >= after + 64 {
                    stats.big_cascades += 1;
                }
                stats.accepted += 1;
                stats.accepted_ops += batch.len();
                stats.empty += usize::from(batch.is_empty());
                accepted.push(batch);
            }
            Err(err) => {
                if let Some(why) = expect_accept {
                    return fail(format!("batch refused ({err}), but {why}\nbatch: {batch:#?}"));
                }
                stats.refusal(&err, &origins);
                stats.big_deletes_refused += big_deletes;
                stats.predicted += usize::from(expect_refusal.is_some());
                if let BatchError::Op { index, .. } = &err
                    && *index >= batch.len()
                {
                    return fail(format!("{err} names op {index} of a batch of {}", batch.len()));
                }
                if g.state() != before {
                    return fail(format!("refused batch ({err}) changed the state\nbatch: {batch:#?}"));
                }
            }
        }
    }

    let live = g.state();
    stats.entities += g.entity_count();
    stats.relationships += g.relationship_count();

    let mut fresh = Graph::new();
    for (i, batch) in accepted.iter().enumerate() {
        if let Err(err) = fresh.apply(batch) {
            return fail(format!("replay: accepted batch {i} refused: {err}\nbatch: {batch:#?}"));
        }
    }
    invariants(&fresh, "replay", &Batch::new())?;
    if fresh.state() != live {
        return fail("replaying the accepted batches gave another state");
    }

    // Each accepted batch left a graph meeting every rule, so all their ops
    // as one batch pass the same per-op checks and the closing checks.
    let all: Batch = accepted.iter().flat_map(|b| b.ops().iter().cloned()).collect();
    let mut once = Graph::new();
    if let Err(err) = once.apply(&all) {
        return fail(format!("the accepted ops as one batch were refused: {err}"));
    }
    if once.state() != live {
        return fail("the accepted ops as one batch gave another state");
    }

    match Graph::from_state(live.clone()) {
        Ok(loaded) if loaded.state() == live => {}
        Ok(_) => return fail("from_state gave back another state"),
        Err(err) => return fail(format!("from_state refused a live graph's state: {err}")),
    }

    Ok(())
}

/// Property 2: `validate` returns what `apply` returns and changes nothing.
fn validate_agrees(plan: &[Vec<Step>], stats: &mut Stats) -> R<()> {
    let mut world = World::new();
    let mut g = Graph::new();
    let mut sequence = Vec::new();
    stats.cases += 1;
    for steps in plan {
        let before = g.state();
        let Built { batch, origins, .. } = build(&mut world, &g, &before, steps)?;
        stats.batches += 1;
        stats.ops += batch.len();
        let verdict = g.validate(&batch);
        sequence.push((batch.clone(), verdict.clone()));
        invariants(&g, &format!("validate ({verdict:?})"), &batch)?;
        if g.state() != before {
            return fail(format!("validate ({verdict:?}) changed the state\nbatch: {batch:#?}"));
        }
        let result = g.apply(&batch);
        invariants(&g, &format!("apply ({result:?})"), &batch)?;
        if result != verdict {
            return fail(format!("validate said {verdict:?}, apply said {result:?}\nbatch: {batch:#?}"));
        }
        match result {
            Ok(()) => stats.accepted += 1,
            Err(err) => stats.refusal(&err, &origins),
        }
    }
    // The whole plan checked as one group from the start agrees with
    // applying it batch by batch, and leaves the graph untouched.
    let mut fresh = Graph::new();
    let verdicts = fresh.validate_sequence(sequence.iter().map(|(batch, _)| batch));
    for (i, ((_, expected), got)) in sequence.iter().zip(&verdicts).enumerate() {
        if expected != got {
            return fail(format!("validate_sequence said {got:?} for batch {i}, apply said {expected:?}"));
        }
    }
    if fresh.state() != Graph::new().state() {
        return fail("validate_sequence changed the graph");
    }
    stats.entities += g.entity_count();
    stats.relationships += g.relationship_count();
    Ok(())
}

/// Runs a property over [`scenario`]s; the statistics report, or the
/// failure with its shrunk plan.
fn run(name: &str, property: fn(&[Vec<Step>], &mut Stats) -> R<()>) -> Result<String, String> {
    let stats = RefCell::new(Stats::default());
    let mut runner = TestRunner::new(config());
    let result = runner.run(&scenario(), |plan| {
        let mut local = Stats::default();
        let outcome = property(&plan, &mut local);
        stats.borrow_mut().merge(local);
        outcome
    });
    match result {
        Ok(()) => Ok(stats.borrow().report(name)),
        Err(err) => Err(format!("{name}: {err}")),
    }
}

#[test]
fn random_batches_keep_invariants_refusals_change_nothing_and_accepted_batches_replay() {
    let report = run("apply_and_replay", apply_and_replay).unwrap_or_else(|failure| panic!("{failure}"));
    if std::env::var_os("CONVOY_PROP_STATS").is_some() {
        eprint!("{report}");
    }
}

#[test]
fn validate_agrees_with_apply_and_changes_nothing() {
    let report = run("validate_agrees", validate_agrees).unwrap_or_else(|failure| panic!("{failure}"));
    if std::env::var_os("CONVOY_PROP_STATS").is_some() {
        eprint!("{report}");
    }
}
