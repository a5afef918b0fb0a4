//! Materialising each plan step into concrete ops.

use std::collections::HashSet;

use convoy_core::model::{
    Activity, EntityData, EntityKind, EntityPatch, Fraction, Json, Priority, Stages, Tag, Task, TaskStatus, Text,
    WorkflowPatch,
};
use convoy_core::{ActivityId, Batch, EdgeRecord, EntityId, Graph, Op, Relation, RelationType, Slot, Timestamp};
use proptest::sample::Index;

use super::plan::*;
use super::world::*;

impl<'a> Builder<'a> {
    pub(super) fn new(world: &'a mut World, graph: &'a Graph, edges: &'a [EdgeRecord], single: bool) -> Self {
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

    pub(super) fn finish(mut self) -> R<Built> {
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
    pub(super) fn expect(&mut self, why: impl FnOnce() -> String) {
        if self.single && self.expect_refusal.is_none() {
            self.expect_refusal = Some(why());
        }
    }

    /// Notes that a one-step batch must be accepted, and why.
    pub(super) fn accept(&mut self, why: impl FnOnce() -> String) {
        if self.single && self.expect_accept.is_none() {
            self.expect_accept = Some(why());
        }
    }

    pub(super) fn tick(&mut self) -> Timestamp {
        self.world.tick()
    }

    pub(super) fn push(&mut self, op: Op) {
        self.ops.push(op);
        self.origins.push(self.origin);
    }

    pub(super) fn create(&mut self, data: EntityData) -> EntityId {
        let id = self.world.mint();
        let at = self.tick();
        if let EntityData::Workflow(w) = &data {
            self.local_stages.push((id, w.stages.clone()));
        }
        self.local.push((id, data.kind()));
        self.push(Op::Create { id, at, data });
        id
    }

    pub(super) fn name(&self, kind: EntityKind) -> String {
        format!("{kind} {}", self.world.minted + 1)
    }

    pub(super) fn link(&mut self, source: EntityId, relation: Relation, target: EntityId, inverse: bool) {
        let at = self.tick();
        let (source, relation, target) =
            if inverse { (target, relation.inverse(), source) } else { (source, relation, target) };
        self.push(Op::Link { source, relation, target, weight: None, metadata: None, at });
    }

    /// Attaches `child` under `parent`, whose relation to it is `down`.
    pub(super) fn attach(&mut self, child: EntityId, parent: EntityId, down: Relation, how: Attach) {
        match how {
            Attach::Down => self.link(parent, down, child, false),
            Attach::Up => self.link(parent, down, child, true),
            Attach::Move => {
                let at = self.tick();
                self.push(Op::Move { id: child, parent, at });
            }
        }
    }

    pub(super) fn kind_of(&self, id: EntityId) -> Option<EntityKind> {
        self.graph
            .get(id)
            .map(convoy_core::model::Entity::kind)
            .or_else(|| self.local.iter().find(|(i, _)| *i == id).map(|(_, k)| *k))
    }

    /// Entities of `kind` (any kind if `None`) in the graph or created in this batch.
    pub(super) fn live(&self, kind: Option<EntityKind>) -> Vec<EntityId> {
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

    pub(super) fn choose(&self, pick: Pick, kind: Option<EntityKind>) -> EntityId {
        let id = self.choose_any(pick, kind);
        if kind.is_some_and(|k| self.kind_of(id) != Some(k)) {
            self.miskinded.set(true);
        }
        id
    }

    pub(super) fn choose_any(&self, pick: Pick, kind: Option<EntityKind>) -> EntityId {
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
    pub(super) fn container(&mut self, pick: Pick, kind: EntityKind) -> R<EntityId> {
        if matches!(pick.src, Src::Live) && self.live(Some(kind)).is_empty() {
            return self.ensure(pick, kind);
        }
        Ok(self.choose(pick, Some(kind)))
    }

    pub(super) fn ensure(&mut self, pick: Pick, kind: EntityKind) -> R<EntityId> {
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
    pub(super) fn project_at_start(&self, id: EntityId) -> Option<EntityId> {
        match self.graph.get(id)?.kind() {
            EntityKind::Slice => self.graph.parent(self.graph.parent(id, Slot::Milestone)?, Slot::Project),
            _ => self.graph.parent(id, Slot::Project),
        }
    }

    pub(super) fn parent_of(&self, id: EntityId, slot: Slot) -> Option<EntityId> {
        self.graph.parent(id, slot).or_else(|| self.local_parent.iter().find(|(c, _)| *c == id).map(|(_, p)| *p))
    }

    pub(super) fn stages_of(&self, workflow: EntityId) -> Option<Stages> {
        match self.graph.get(workflow) {
            Some(e) => e.data().as_workflow().map(|w| w.stages.clone()),
            None => self.local_stages.iter().find(|(w, _)| *w == workflow).map(|(_, s)| s.clone()),
        }
    }

    /// A container or task for a new task in `project`; `placed`: it must
    /// lie in that project too (containers, parent tasks; not the ends of
    /// `blocks` or `related_to`, which may cross projects).
    pub(super) fn place(
        &mut self,
        place: Place,
        kind: EntityKind,
        project: EntityId,
        placed: bool,
    ) -> R<Option<EntityId>> {
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

    pub(super) fn step(&mut self, step: &Step) -> R<()> {
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
            Step::Claim { task, owner, ready } => self.claim(*task, *owner, *ready)?,
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
    pub(super) fn task(&mut self, t: &TaskPlan) -> R<()> {
        self.miskinded.set(false);
        self.wire_task(t)?;
        if self.miskinded.get() {
            self.expect_refusal = None;
            self.expect_accept = None;
        }
        Ok(())
    }

    pub(super) fn wire_task(&mut self, t: &TaskPlan) -> R<()> {
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
    pub(super) fn exists(&self, kind: EntityKind) -> bool {
        !self.graph.ids_of_kind(kind).is_empty() || self.local.iter().any(|(_, k)| *k == kind)
    }

    /// A typed pick prefers kinds that exist, so links are rarely refused
    /// just for want of an entity.
    /// The project with the most contents, and how many.
    pub(super) fn biggest_project(&self) -> Option<(usize, EntityId)> {
        self.graph
            .ids_of_kind(EntityKind::Project)
            .iter()
            .map(|&p| (self.graph.neighbors(p, Relation::Contains).len(), p))
            .max()
    }

    pub(super) fn link_type(&self, ty: LinkType) -> (EntityKind, Relation, EntityKind) {
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
    pub(super) fn predict_link(&mut self, source: EntityId, relation: Relation, target: EntityId) {
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
    pub(super) fn link_refusal(&self, source: EntityId, relation: Relation, target: EntityId) -> Option<String> {
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

    pub(super) fn expect_move_refusal(&mut self, id: EntityId, parent: EntityId) {
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
    pub(super) fn stage(&self, stages: Option<&Stages>, i: Index, any_stage: bool) -> R<Tag> {
        let name = match stages {
            Some(stages) if !any_stage => i.get(stages.as_slice()).name.as_str(),
            _ => *i.get(STAGES),
        };
        Ok(Tag::new("stage", name)?)
    }

    pub(super) fn expect_task_refusal(&mut self, task: EntityId) {
        match self.graph.get(task).map(|e| e.kind()) {
            None => self.expect(|| format!("activity of unknown {task}")),
            Some(EntityKind::Task) => {}
            Some(kind) => self.expect(|| format!("activity of {kind} {task}")),
        }
    }

    pub(super) fn activity_id(&mut self, task: EntityId, reuse: Reuse) -> ActivityId {
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
