//! Fuzzer-chosen batches: abstract op plans (derived with `arbitrary`) that
//! name entities by kind and index, and the [`Minter`] that turns them into
//! concrete [`Op`]s with deterministic ids and timestamps against whatever
//! exists (a reference model or a graph).
//!
//! Picks land on live entities of the wanted kind most of the time, so deep,
//! valid structures (tasks in slices of milestones, subtask chains, blocking
//! chains) are common; they can also land on deleted, never-created
//! ("ghost") or wrong-kind ids, so every refusal path is reachable.

use arbitrary::Arbitrary;
use convoy_core::model::MAX_NAME_BYTES;
use convoy_core::model::{
    Activity, BestPractice, BestPracticePatch, EntityData, EntityKind, EntityPatch, Fraction, Json, Labels, Milestone,
    MilestonePatch, Name, Pattern, PatternPatch, Priority, Project, ProjectPatch, Slice, SlicePatch, Stage, Stages,
    Status, Tag, Task, TaskPatch, TaskStatus, Text, User, UserPatch, Workflow, WorkflowPatch, Workspace,
    WorkspacePatch, Workstream, WorkstreamPatch,
};
use convoy_core::{ActivityId, Batch, EntityId, Graph, Op, Relation, Timestamp};
use uuid::Uuid;

use crate::bug;

/// Most ops taken from one [`BatchPlan`] (more are ignored).
pub const MAX_OPS: usize = 8;
/// Live entities past which [`OpPlan::Grow`] does nothing, so graphs stay
/// small enough for the model's simple checks to keep the fuzzer fast.
const GROW_LIMIT: usize = 120;
/// [`Pick::Live`]'s kind index for tasks.
const TASK: u8 = EntityKind::Task.index() as u8;
/// Most parents a create wires its new entity to.
const MAX_PARENTS: usize = 4;
/// Stage names workflows are built from; set-stage picks among them too.
pub const STAGES: [&str; 8] = ["PLAN", "PLAN_REVIEW", "IMPLEMENT", "CODE_REVIEW", "TEST", "DONE", "QA", "SHIP"];
const NAMES: [&str; 8] = ["alpha", "beta", "gamma", "delta", "Ω omega", "日本", "x", "a longer name with spaces"];
const TAGS: [&str; 6] = ["CODE", "UI", "TESTING", "ARCHITECTURE", "db", "backend"];
const ACTIVITY_TYPES: [&str; 4] = ["COMMENT", "STATUS_CHANGE", "STAGE_TRANSITION", "NOTE"];
/// Activity ids at or above this pick value come from a pool of four, so
/// duplicates within a feed are common.
const SHARED_ACTIVITY: u8 = 192;
/// The first timestamp a plan uses (µs since the epoch, in 2023).
const EPOCH_MICROS: i64 = 1_700_000_000_000_000;

/// One batch: up to [`MAX_OPS`] op plans.
#[derive(Arbitrary, Clone, Debug)]
pub struct BatchPlan {
    /// The ops, in order.
    pub ops: Vec<OpPlan>,
}

/// How an op names an entity.
#[derive(Arbitrary, Clone, Copy, Debug)]
pub enum Pick {
    /// A live entity of kind `kind % 10` (index taken modulo their number),
    /// counting those created earlier in the batch; falls back to
    /// [`Pick::Recent`] when there is none.
    Live(u8, u8),
    /// The n-th most recently minted id: live, deleted, or created by a
    /// refused batch.
    Recent(u8),
    /// An id that was never created.
    Ghost(u8),
}

/// A text value: one of a few stock names, or arbitrary text (validated;
/// invalid text falls back to a stock name).
#[derive(Arbitrary, Clone, Debug)]
pub enum TextPick {
    /// A stock name.
    Stock(u8),
    /// Any string.
    Raw(String),
}

/// The fields of a new entity.
#[derive(Arbitrary, Clone, Debug)]
pub struct Fields {
    /// Name or title.
    pub name: TextPick,
    /// Picks status, priority, tag and similar closed values.
    pub variant: u8,
    /// Which of [`STAGES`] a workflow has (standard stages when zero).
    pub stages: u8,
    /// Optional description.
    pub description: Option<u8>,
    /// A task's initial stage (never checked until it follows a workflow).
    pub stage: Option<u8>,
}

/// A patch: each field changes when set; `Some(None)` clears a nullable one.
#[derive(Arbitrary, Clone, Debug)]
pub struct PatchPlan {
    /// Patch for another kind than the target's (`None`: the target's).
    pub kind: Option<u8>,
    /// New name or title.
    pub name: Option<TextPick>,
    /// New status.
    pub status: Option<u8>,
    /// New description.
    pub description: Option<Option<u8>>,
    /// New target date.
    pub date: Option<Option<u8>>,
    /// New progress.
    pub progress: Option<u8>,
    /// New labels (bit mask over the tags).
    pub labels: Option<u8>,
    /// New priority.
    pub priority: Option<Option<u8>>,
    /// New workflow stages (bit mask over [`STAGES`]).
    pub stages: Option<u8>,
    /// New JSON content (and tag).
    pub content: Option<u8>,
    /// New completion date.
    pub completion: Option<Option<u8>>,
}

/// One op, abstractly.
#[derive(Arbitrary, Clone, Debug)]
pub enum OpPlan {
    /// Creates an entity of kind `kind % 10`, then moves it under its
    /// required parent (`parent`-th live one of that kind) and under each
    /// extra pick.
    Create {
        /// Kind index.
        kind: u8,
        /// Its fields.
        fields: Fields,
        /// Which live entity of the required parent kind to join.
        parent: Option<u8>,
        /// More parents (workstream, slice, parent task, owner, workflow, scope …).
        extra: Vec<Pick>,
    },
    /// Creates an entity with an id that exists (or existed).
    Recreate {
        /// The id to reuse.
        target: Pick,
        /// Kind index.
        kind: u8,
    },
    /// Patches an entity.
    Update {
        /// The entity.
        target: Pick,
        /// The changes.
        patch: PatchPlan,
    },
    /// Deletes an entity (with its cascade).
    Delete {
        /// The entity.
        target: Pick,
    },
    /// Links two entities.
    Link {
        /// Source.
        source: Pick,
        /// Relation index.
        relation: u8,
        /// Target.
        target: Pick,
        /// Weight (`n / 255`), or the default.
        weight: Option<u8>,
        /// Metadata.
        metadata: Option<u8>,
    },
    /// Unlinks two entities.
    Unlink {
        /// Source.
        source: Pick,
        /// Relation index.
        relation: u8,
        /// Target.
        target: Pick,
    },
    /// Moves an entity under a parent.
    Move {
        /// The entity.
        id: Pick,
        /// The new parent.
        parent: Pick,
    },
    /// Records an activity entry.
    Activity {
        /// The task.
        task: Pick,
        /// Activity id pick (see [`SHARED_ACTIVITY`]).
        id: u8,
        /// How many µs before the op's time the entry is dated.
        back: u8,
        /// Activity type index.
        kind: u8,
        /// Content.
        content: Option<u8>,
        /// Details JSON.
        details: Option<u8>,
        /// Actor.
        actor: Option<Pick>,
    },
    /// Sets a task's stage.
    SetStage {
        /// The task.
        task: Pick,
        /// Stage index into [`STAGES`].
        stage: u8,
        /// Activity id pick.
        activity: u8,
        /// Actor.
        actor: Option<Pick>,
    },
    /// Claims a task for a user.
    Claim {
        /// The task.
        task: Pick,
        /// The user.
        owner: Pick,
    },
    /// Links live task `from` to block live task `to` (cycles are likely).
    Block {
        /// Index among live tasks.
        from: u8,
        /// Index among live tasks.
        to: u8,
    },
    /// Moves live task `child` under live task `parent` (cycles are likely).
    Nest {
        /// Index among live tasks.
        parent: u8,
        /// Index among live tasks.
        child: u8,
    },
    /// Claims a live task for a live user.
    ClaimLive {
        /// Index among live tasks.
        task: u8,
        /// Index among live users.
        owner: u8,
    },
    /// Sets a live task's stage.
    StageLive {
        /// Index among live tasks.
        task: u8,
        /// Stage index into [`STAGES`].
        stage: u8,
    },
    /// Grows a whole valid project in one go: a project (in a live or new
    /// workspace) with a workstream, a milestone and its slice, a scoped
    /// pattern, and `1 + tasks % 6` tasks placed among them (as `shape`'s
    /// bits say), chained as subtasks and blockers, following a workflow
    /// and owned by a user. Makes deep graphs cheap for the fuzzer to reach
    /// (nothing once the graph holds [`GROW_LIMIT`] entities).
    Grow {
        /// How many tasks.
        tasks: u8,
        /// Which placements, names and statuses.
        shape: u8,
    },
}

/// Where the minter finds live entities of a kind, ascending by id.
pub trait Catalog {
    /// Live entities of `kind`.
    fn live(&self, kind: EntityKind) -> Vec<EntityId>;
}

impl Catalog for Graph {
    fn live(&self, kind: EntityKind) -> Vec<EntityId> {
        self.ids_of_kind(kind).iter().copied().collect()
    }
}

/// Deterministic, well-spread ids: `n` times an odd constant is a bijection
/// on `u128`, so distinct counters give distinct ids in no particular order.
fn scrambled(n: u128) -> Uuid {
    Uuid::from_u128(n.wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835))
}

fn kind_of(n: u8) -> EntityKind {
    EntityKind::ALL[usize::from(n) % EntityKind::ALL.len()]
}

fn pick<T: Copy>(items: &[T], n: u8) -> T {
    items[usize::from(n) % items.len()]
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

/// Mints ids, activity ids and times, and materialises plans. One per
/// fuzz input, so every run of an input builds the same ops.
#[derive(Debug)]
pub struct Minter {
    minted: Vec<EntityId>,
    activities: u128,
    clock: i64,
}

impl Default for Minter {
    fn default() -> Self {
        Self::new()
    }
}

/// The entities a batch's picks resolve against.
struct Scope {
    live: Vec<Vec<EntityId>>,
}

impl Minter {
    /// A fresh minter.
    #[must_use]
    pub fn new() -> Self {
        Self { minted: Vec::new(), activities: 0, clock: EPOCH_MICROS }
    }

    fn mint(&mut self) -> EntityId {
        let id = EntityId::from_uuid(scrambled(self.minted.len() as u128 + 1));
        self.minted.push(id);
        id
    }

    fn activity(&mut self, n: u8) -> ActivityId {
        if n >= SHARED_ACTIVITY {
            return ActivityId::from_uuid(scrambled(u128::MAX - 64 - u128::from(n % 4)));
        }
        self.activities += 1;
        ActivityId::from_uuid(scrambled((1 << 64) + self.activities))
    }

    fn tick(&mut self) -> Timestamp {
        self.clock += 1;
        Timestamp::from_micros(self.clock)
    }

    fn resolve(&self, scope: &Scope, p: Pick) -> EntityId {
        match p {
            Pick::Live(kind, n) => match scope.live.get(kind_of(kind).index()).filter(|l| !l.is_empty()) {
                Some(live) => pick(live, n),
                None => self.resolve(scope, Pick::Recent(n)),
            },
            Pick::Recent(n) if !self.minted.is_empty() => {
                let back = usize::from(n) % self.minted.len();
                self.minted[self.minted.len() - 1 - back]
            }
            Pick::Recent(n) | Pick::Ghost(n) => EntityId::from_uuid(scrambled(u128::MAX - u128::from(n % 8))),
        }
    }

    /// Turns a plan into a batch against `catalog` (the state the batch
    /// will be applied to). Deterministic for a given minter history.
    pub fn batch(&mut self, plan: &BatchPlan, catalog: &dyn Catalog) -> Batch {
        let mut scope = Scope { live: EntityKind::ALL.iter().map(|&k| catalog.live(k)).collect() };
        let mut ops = Vec::new();
        for op in plan.ops.iter().take(MAX_OPS) {
            self.op(op, &mut scope, &mut ops);
        }
        Batch::from(ops)
    }

    /// Creates an entity; with `parent`, also moves it under the
    /// `parent`-th live entity of its required parent kind, creating that
    /// one (and its own parents) first when there is none.
    fn create(
        &mut self,
        kind: EntityKind,
        fields: &Fields,
        parent: Option<u8>,
        at: Timestamp,
        scope: &mut Scope,
        ops: &mut Vec<Op>,
    ) -> EntityId {
        let up = match (parent, required_parent(kind)) {
            (Some(n), Some(parent_kind)) => Some(if scope.live[parent_kind.index()].is_empty() {
                let stock = Fields { name: TextPick::Stock(n), variant: n, stages: 0, description: None, stage: None };
                self.create(parent_kind, &stock, Some(n), at, scope, ops)
            } else {
                pick(&scope.live[parent_kind.index()], n)
            }),
            _ => None,
        };
        let id = self.mint();
        ops.push(Op::Create { id, at, data: entity_data(kind, fields) });
        if let Some(parent) = up {
            ops.push(Op::Move { id, parent, at });
        }
        scope.live[kind.index()].push(id);
        id
    }

    fn op(&mut self, plan: &OpPlan, scope: &mut Scope, ops: &mut Vec<Op>) {
        let at = self.tick();
        match plan {
            OpPlan::Create { kind, fields, parent, extra } => {
                let id = self.create(kind_of(*kind), fields, *parent, at, scope, ops);
                for p in extra.iter().take(MAX_PARENTS) {
                    let parent = self.resolve(scope, *p);
                    ops.push(Op::Move { id, parent, at });
                }
            }
            OpPlan::Recreate { target, kind } => {
                let id = self.resolve(scope, *target);
                let fields =
                    Fields { name: TextPick::Stock(*kind), variant: *kind, stages: 0, description: None, stage: None };
                ops.push(Op::Create { id, at, data: entity_data(kind_of(*kind), &fields) });
            }
            OpPlan::Update { target, patch } => {
                let id = self.resolve(scope, *target);
                let own =
                    scope.live.iter().position(|l| l.contains(&id)).map_or(EntityKind::Task, |i| EntityKind::ALL[i]);
                let kind = patch.kind.map_or(own, kind_of);
                ops.push(Op::Update { id, at, patch: entity_patch(kind, patch) });
            }
            OpPlan::Delete { target } => ops.push(Op::Delete { id: self.resolve(scope, *target), at }),
            OpPlan::Link { source, relation, target, weight, metadata } => ops.push(Op::Link {
                source: self.resolve(scope, *source),
                relation: pick(Relation::ALL, *relation),
                target: self.resolve(scope, *target),
                weight: weight.and_then(|w| Fraction::new("weight", f64::from(w) / 255.0).ok()),
                metadata: metadata.and_then(|m| json(m, "meta")),
                at,
            }),
            OpPlan::Unlink { source, relation, target } => ops.push(Op::Unlink {
                source: self.resolve(scope, *source),
                relation: pick(Relation::ALL, *relation),
                target: self.resolve(scope, *target),
            }),
            OpPlan::Move { id, parent } => {
                ops.push(Op::Move { id: self.resolve(scope, *id), parent: self.resolve(scope, *parent), at });
            }
            OpPlan::Activity { task, id, back, kind, content, details, actor } => {
                let task = self.resolve(scope, *task);
                let id = self.activity(*id);
                let created_at = Timestamp::from_micros(at.as_micros() - i64::from(*back));
                let Ok(mut activity) = Activity::new(id, task, pick(&ACTIVITY_TYPES, *kind), created_at) else {
                    return;
                };
                activity.content = content.and_then(|c| Text::new("content", format!("note {c}")).ok());
                activity.details = details.and_then(|d| json(d, "detail"));
                activity.actor = actor.map(|a| self.resolve(scope, a));
                ops.push(Op::RecordActivity(activity));
            }
            OpPlan::SetStage { task, stage, activity, actor } => {
                let Ok(stage) = Tag::new("stage", pick(&STAGES, *stage)) else { return };
                ops.push(Op::SetStage {
                    task: self.resolve(scope, *task),
                    stage,
                    activity: self.activity(*activity),
                    actor: actor.map(|a| self.resolve(scope, a)),
                    at,
                });
            }
            OpPlan::Claim { task, owner } => {
                ops.push(Op::Claim { task: self.resolve(scope, *task), owner: self.resolve(scope, *owner), at });
            }
            OpPlan::Grow { tasks, shape } => self.grow(*tasks, *shape, at, scope, ops),
            OpPlan::Block { from, to } => ops.push(Op::Link {
                source: self.resolve(scope, Pick::Live(TASK, *from)),
                relation: Relation::Blocks,
                target: self.resolve(scope, Pick::Live(TASK, *to)),
                weight: None,
                metadata: None,
                at,
            }),
            OpPlan::Nest { parent, child } => ops.push(Op::Move {
                id: self.resolve(scope, Pick::Live(TASK, *child)),
                parent: self.resolve(scope, Pick::Live(TASK, *parent)),
                at,
            }),
            OpPlan::ClaimLive { task, owner } => ops.push(Op::Claim {
                task: self.resolve(scope, Pick::Live(TASK, *task)),
                owner: self.resolve(scope, Pick::Live(EntityKind::User.index() as u8, *owner)),
                at,
            }),
            OpPlan::StageLive { task, stage } => {
                let Ok(stage) = Tag::new("stage", pick(&STAGES, *stage)) else { return };
                let task = self.resolve(scope, Pick::Live(TASK, *task));
                ops.push(Op::SetStage { task, stage, activity: self.activity(0), actor: None, at });
            }
        }
    }

    /// A stock entity of `kind`, moved under `parent` when given.
    fn add(
        &mut self,
        kind: EntityKind,
        n: u8,
        parent: Option<EntityId>,
        at: Timestamp,
        scope: &mut Scope,
        ops: &mut Vec<Op>,
    ) -> EntityId {
        let stock = Fields { name: TextPick::Stock(n), variant: n, stages: 0, description: None, stage: None };
        let id = self.create(kind, &stock, None, at, scope, ops);
        if let Some(parent) = parent {
            ops.push(Op::Move { id, parent, at });
        }
        id
    }

    fn live_or_add(
        &mut self,
        kind: EntityKind,
        n: u8,
        at: Timestamp,
        scope: &mut Scope,
        ops: &mut Vec<Op>,
    ) -> EntityId {
        match scope.live[kind.index()].as_slice() {
            [] => self.add(kind, n, None, at, scope, ops),
            live => pick(live, n),
        }
    }

    fn grow(&mut self, tasks: u8, shape: u8, at: Timestamp, scope: &mut Scope, ops: &mut Vec<Op>) {
        if scope.live.iter().map(Vec::len).sum::<usize>() >= GROW_LIMIT {
            return;
        }
        let workspace = self.live_or_add(EntityKind::Workspace, shape, at, scope, ops);
        let project = self.add(EntityKind::Project, shape, Some(workspace), at, scope, ops);
        let workstream = self.add(EntityKind::Workstream, shape, Some(project), at, scope, ops);
        let milestone = self.add(EntityKind::Milestone, shape, Some(project), at, scope, ops);
        let slice = self.add(EntityKind::Slice, shape, Some(milestone), at, scope, ops);
        let workflow = self.live_or_add(EntityKind::Workflow, shape, at, scope, ops);
        let user = self.live_or_add(EntityKind::User, shape, at, scope, ops);
        self.add(EntityKind::Pattern, shape, Some(project), at, scope, ops);
        let mut previous: Option<EntityId> = None;
        for i in 0..1 + tasks % 6 {
            let task = self.add(EntityKind::Task, shape.wrapping_add(i), Some(project), at, scope, ops);
            let bits = shape.rotate_right(u32::from(i));
            let parents = [(1, workstream), (2, milestone), (4, slice), (8, workflow), (16, user)];
            for (bit, parent) in parents {
                if bits & bit != 0 {
                    ops.push(Op::Move { id: task, parent, at });
                }
            }
            match previous {
                Some(p) if i % 2 == 1 => ops.push(Op::Move { id: task, parent: p, at }),
                Some(p) => ops.push(Op::Link {
                    source: p,
                    relation: Relation::Blocks,
                    target: task,
                    weight: None,
                    metadata: None,
                    at,
                }),
                None => {}
            }
            previous = Some(task);
        }
    }
}

fn json(n: u8, key: &str) -> Option<Json> {
    Json::parse("json", &format!(r#"{{"{key}": {n}, "list": [{n}, "v"]}}"#)).ok()
}

/// A name from a pick: raw text when it is a valid name, else a stock one.
/// Raw text is also checked against the documented rule (not blank, at most
/// `MAX_NAME_BYTES`, no NUL).
fn name(text: &TextPick) -> Name {
    let n = match text {
        TextPick::Stock(n) => *n,
        TextPick::Raw(s) => {
            let made = Name::new("name", s.as_str());
            let valid = !s.trim().is_empty() && s.len() <= MAX_NAME_BYTES && !s.contains('\0');
            assert_eq!(made.is_ok(), valid, "Name::new({s:?}) disagrees with the documented rule: {made:?}");
            if let Ok(name) = made {
                return name;
            }
            s.len() as u8
        }
    };
    Name::new("name", pick(&NAMES, n)).unwrap_or_else(|e| bug(format!("stock name: {e}")))
}

fn text(n: u8) -> Option<Text> {
    Text::new("description", format!("about {n}")).ok()
}

fn date(n: u8) -> Timestamp {
    Timestamp::from_micros(EPOCH_MICROS + 86_400_000_000 * i64::from(n))
}

fn fraction(n: u8) -> Fraction {
    Fraction::new("progress", f64::from(n) / 255.0).unwrap_or(Fraction::ZERO)
}

fn tag(n: u8) -> Option<Tag> {
    Tag::new("tag", pick(&TAGS, n)).ok()
}

/// The stages of [`STAGES`] whose bit is set in `mask` (the standard six for 0).
fn stages(mask: u8) -> Stages {
    let chosen: Vec<Stage> = STAGES
        .iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .filter_map(|(_, name)| {
            let mut stage = Stage::new(name).ok()?;
            stage.is_checkpoint = name.ends_with("REVIEW");
            Some(stage)
        })
        .collect();
    Stages::new(chosen).unwrap_or_else(|_| Stages::standard())
}

fn labels(mask: u8) -> Labels {
    Labels::new(TAGS.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, t)| *t)).unwrap_or_default()
}

fn entity_data(kind: EntityKind, f: &Fields) -> EntityData {
    let name = name(&f.name);
    let description = f.description.and_then(text);
    let status = pick(Status::ALL, f.variant);
    let content = json(f.variant, "content").unwrap_or_else(|| bug("constant JSON does not validate"));
    let tag = tag(f.variant).unwrap_or_else(|| bug("constant tag does not validate"));
    match kind {
        EntityKind::Workspace => Workspace { name, description }.into(),
        EntityKind::Project => Project {
            name,
            description,
            overview: f.stage.and_then(text),
            tech_stack: f.variant.is_multiple_of(3).then_some(content),
            status,
            target_date: f.variant.is_multiple_of(2).then(|| date(f.variant)),
        }
        .into(),
        EntityKind::Workstream => Workstream { name, description, status, progress: fraction(f.variant) }.into(),
        EntityKind::Milestone => Milestone {
            name,
            description,
            requirements: f.stage.and_then(text),
            status,
            target_date: (f.variant % 2 == 1).then(|| date(f.variant)),
        }
        .into(),
        EntityKind::Slice => Slice { name, description, status }.into(),
        EntityKind::Task => {
            let status = pick(TaskStatus::ALL, f.variant);
            Task {
                title: name,
                description,
                status,
                priority: (!f.variant.is_multiple_of(5)).then(|| pick(Priority::ALL, f.variant / 5)),
                labels: labels(f.stages),
                current_stage: f.stage.and_then(|s| Tag::new("stage", pick(&STAGES, s)).ok()),
                completion_date: (status == TaskStatus::Done).then(|| date(f.variant)),
            }
            .into()
        }
        EntityKind::Workflow => Workflow { name, description, stages: stages(f.stages) }.into(),
        EntityKind::Pattern => Pattern { name, description, pattern_type: tag, content }.into(),
        EntityKind::BestPractice => BestPractice { name, description, category: tag, content }.into(),
        EntityKind::User => User { name }.into(),
    }
}

fn entity_patch(kind: EntityKind, p: &PatchPlan) -> EntityPatch {
    let name = p.name.as_ref().map(name);
    let status = p.status.map(|s| pick(Status::ALL, s));
    let description = p.description.map(|d| d.and_then(text));
    let target_date = p.date.map(|d| d.map(date));
    let content = p.content.and_then(|c| json(c, "v"));
    let tag = p.content.and_then(tag);
    match kind {
        EntityKind::Workspace => WorkspacePatch { name, description }.into(),
        EntityKind::Project => ProjectPatch {
            name,
            status,
            description,
            overview: p.completion.map(|c| c.and_then(text)),
            tech_stack: content.map(Some),
            target_date,
        }
        .into(),
        EntityKind::Workstream => {
            WorkstreamPatch { name, status, progress: p.progress.map(fraction), description }.into()
        }
        EntityKind::Milestone => MilestonePatch {
            name,
            status,
            description,
            requirements: p.completion.map(|c| c.and_then(text)),
            target_date,
        }
        .into(),
        EntityKind::Slice => SlicePatch { name, status, description }.into(),
        EntityKind::Task => TaskPatch {
            title: name,
            status: p.status.map(|s| pick(TaskStatus::ALL, s)),
            labels: p.labels.map(labels),
            description,
            priority: p.priority.map(|o| o.map(|n| pick(Priority::ALL, n))),
            completion_date: p.completion.map(|c| c.map(date)),
        }
        .into(),
        EntityKind::Workflow => WorkflowPatch { name, stages: p.stages.map(stages), description }.into(),
        EntityKind::Pattern => PatternPatch { name, pattern_type: tag, content, description }.into(),
        EntityKind::BestPractice => BestPracticePatch { name, category: tag, content, description }.into(),
        EntityKind::User => UserPatch { name }.into(),
    }
}
