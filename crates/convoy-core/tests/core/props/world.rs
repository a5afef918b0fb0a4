//! The world a case builds in: ids, the builder, and the oracles that
//! say which batches must fail.

use std::collections::{HashSet, VecDeque};
use std::fmt::Debug;

use convoy_core::model::{
    Activity, BestPractice, BestPracticePatch, EntityData, EntityKind, EntityPatch, Fraction, Json, Labels,
    MAX_JSON_BYTES, MAX_LABELS, MAX_NAME_BYTES, MAX_STAGES, MAX_TAG_BYTES, MAX_TEXT_BYTES, Milestone, MilestonePatch,
    Name, Pattern, PatternPatch, Priority, Project, ProjectPatch, Slice, SlicePatch, Stage, Stages, Status, Tag, Task,
    TaskPatch, TaskStatus, Text, User, UserPatch, Workflow, WorkflowPatch, Workspace, WorkspacePatch, Workstream,
    WorkstreamPatch,
};
use convoy_core::{ActivityId, Batch, EdgeRecord, EntityId, Graph, Op, RelationType, Timestamp};
use proptest::sample::Index;
use uuid::Uuid;

use super::plan::*;

/// Deterministic, well-spread ids: `n` times an odd constant is a bijection
/// on `u128`, so distinct counters give distinct ids, in no particular order.
pub(super) fn scrambled(n: u128) -> Uuid {
    Uuid::from_u128(n.wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835))
}

/// What a case has minted so far: ids, activity ids, time.
pub(super) struct World {
    pub(super) minted: u128,
    pub(super) every: Vec<EntityId>,
    pub(super) ghosts: Vec<EntityId>,
    pub(super) activity_count: u128,
    pub(super) activities: Vec<ActivityId>,
    pub(super) clock: i64,
    pub(super) types: Vec<RelationType>,
    /// (entity kind, parent kind) pairs a move can join.
    pub(super) move_pairs: Vec<(EntityKind, EntityKind)>,
}

impl World {
    pub(super) fn new() -> Self {
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

    pub(super) fn mint(&mut self) -> EntityId {
        self.minted += 1;
        let id = EntityId::from_uuid(scrambled(self.minted));
        self.every.push(id);
        id
    }

    pub(super) fn mint_activity(&mut self) -> ActivityId {
        self.activity_count += 1;
        let id = ActivityId::from_uuid(scrambled(self.activity_count));
        self.activities.push(id);
        id
    }

    pub(super) fn tick(&mut self) -> Timestamp {
        self.clock += 1;
        Timestamp::from_micros(self.clock)
    }
}

/// A materialised batch.
pub(super) struct Built {
    pub(super) batch: Batch,
    pub(super) origins: Vec<&'static str>,
    /// Why the batch must be refused, when the plan knows.
    pub(super) expect_refusal: Option<String>,
    /// Why the batch must be accepted, when the plan knows.
    pub(super) expect_accept: Option<String>,
    pub(super) malformed: usize,
    pub(super) big_deletes: usize,
}

/// Turns one batch's steps into ops against the graph as it stands.
pub(super) struct Builder<'a> {
    pub(super) world: &'a mut World,
    pub(super) graph: &'a Graph,
    pub(super) edges: &'a [EdgeRecord],
    /// A one-step batch: its refusals can be predicted from the graph.
    pub(super) single: bool,
    /// Entities created earlier in this batch.
    pub(super) local: Vec<(EntityId, EntityKind)>,
    /// Containers created in this batch, with their parent.
    pub(super) local_parent: Vec<(EntityId, EntityId)>,
    /// Stages of workflows created in this batch.
    pub(super) local_stages: Vec<(EntityId, Stages)>,
    pub(super) ops: Vec<Op>,
    /// Whether a pick resolved to an entity of another kind than wanted.
    pub(super) miskinded: std::cell::Cell<bool>,
    /// For each op, the kind of step that made it.
    pub(super) origins: Vec<&'static str>,
    pub(super) origin: &'static str,
    pub(super) expect_refusal: Option<String>,
    pub(super) expect_accept: Option<String>,
    pub(super) malformed: usize,
    /// Deletes of a project holding 64 or more entities.
    pub(super) big_deletes: usize,
}

/// The container an entity of this kind must have, if any.
pub(super) const fn required_parent(kind: EntityKind) -> Option<EntityKind> {
    match kind {
        EntityKind::Project => Some(EntityKind::Workspace),
        EntityKind::Workstream | EntityKind::Milestone | EntityKind::Task => Some(EntityKind::Project),
        EntityKind::Slice => Some(EntityKind::Milestone),
        _ => None,
    }
}

pub(super) fn entity_data(kind: EntityKind, name: &str, variant: u8) -> R<EntityData> {
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
pub(super) fn stages_from_mask(mask: u16) -> R<Stages> {
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

pub(super) fn labels(picks: &[Index]) -> R<Labels> {
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
pub(super) fn text_of(bytes: usize) -> String {
    let mut s = "é".repeat(bytes / 4);
    while s.len() < bytes {
        s.push('x');
    }
    s
}

/// A name of exactly the longest allowed size.
pub(super) fn long_name() -> String {
    text_of(MAX_NAME_BYTES)
}

/// `make` accepts text of exactly `max` bytes and refuses `max + excess`.
pub(super) fn boundary<T, E>(what: &str, max: usize, excess: usize, make: impl Fn(String) -> Result<T, E>) -> R<()> {
    if make(text_of(max)).is_err() {
        return fail(format!("{what} of exactly {max} bytes was refused"));
    }
    if make(text_of(max + excess)).is_ok() {
        return fail(format!("{what} of {} bytes (limit {max}) was accepted", max + excess));
    }
    Ok(())
}

pub(super) fn refused<T: Debug, E>(what: &str, result: Result<T, E>) -> R<()> {
    match result {
        Ok(v) => fail(format!("{what} was accepted: {v:?}")),
        Err(_) => Ok(()),
    }
}

/// Whether `to` can be reached from `from` (or is `from`) along `next`.
pub(super) fn reaches(
    g: &Graph,
    from: EntityId,
    to: EntityId,
    next: impl Fn(&Graph, EntityId) -> Vec<EntityId>,
) -> bool {
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
pub(super) fn certainly_refused(op: &Op, ghosts: &HashSet<EntityId>) -> Option<String> {
    let (looked_up, self_loop): (Vec<EntityId>, bool) = match op {
        Op::Update { id, .. } | Op::Delete { id, .. } => (vec![*id], false),
        Op::Link { source, target, .. } | Op::Unlink { source, target, .. } => {
            (vec![*source, *target], source == target)
        }
        Op::Move { id, parent, .. } => (vec![*id, *parent], id == parent),
        Op::RecordActivity(a) => (vec![a.task], false),
        Op::SetStage { task, .. } => (vec![*task], false),
        Op::Claim { task, owner, .. } => (vec![*task, *owner], false),
        _ => (vec![], false),
    };
    if let Some(ghost) = looked_up.iter().find(|id| ghosts.contains(id)) {
        return Some(format!("{op:?} looks up ghost {ghost}"));
    }
    self_loop.then(|| format!("{op:?} joins an entity to itself"))
}

pub(super) fn build_patch(kind: EntityKind, p: &PatchPlan) -> R<EntityPatch> {
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
pub(super) fn malformed(what: u8, excess: usize) -> R<()> {
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
