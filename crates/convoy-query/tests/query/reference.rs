//! Plain reference implementations of the queries: full scans of the
//! canonical state, no indexes, no petgraph, no cleverness.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

use convoy_core::model::{Entity, EntityKind, TaskStatus};
use convoy_core::{EntityId, Relation, Slot, State};
use convoy_query::{Direction, UPWARD};

pub(crate) struct Ref<'s> {
    pub(crate) state: &'s State,
    /// Every edge in both directions: (source, relation, target, weight).
    pub(crate) edges: Vec<(EntityId, Relation, EntityId, f64)>,
}

impl<'s> Ref<'s> {
    pub(crate) fn new(state: &'s State) -> Self {
        let mut edges = Vec::new();
        for e in state.edges() {
            let w = e.data.weight.get();
            edges.push((e.source, e.data.relation, e.target, w));
            edges.push((e.target, e.data.relation.inverse(), e.source, w));
        }
        Self { state, edges }
    }

    pub(crate) fn entity(&self, id: EntityId) -> Option<&Entity> {
        self.state.entities().iter().find(|e| e.id() == id)
    }

    pub(crate) fn kind(&self, id: EntityId) -> EntityKind {
        self.entity(id).map(Entity::kind).unwrap()
    }

    /// (other, kind, relation as read from the edge's source, out?) sorted
    /// as the query promises.
    pub(crate) fn related(
        &self,
        id: EntityId,
        relation: Option<Relation>,
        kind: Option<EntityKind>,
        direction: Direction,
    ) -> Vec<(EntityId, Relation, bool)> {
        let mut out = Vec::new();
        for &(s, r, t, _) in &self.edges {
            if s == id && direction != Direction::In && relation.is_none_or(|x| x == r) {
                out.push((t, r, true));
            }
            if t == id && direction != Direction::Out && relation.is_none_or(|x| x == r) {
                out.push((s, r, false));
            }
        }
        out.retain(|&(o, _, _)| kind.is_none_or(|k| k == self.kind(o)));
        out.sort_by_key(|&(o, r, is_out)| (!is_out, r, o));
        out
    }

    fn up(&self, id: EntityId, slot: Slot) -> Option<EntityId> {
        self.edges.iter().find_map(|&(s, r, t, _)| {
            let hit = s == id
                && match slot {
                    Slot::ParentTask => r == Relation::SubtaskOf,
                    Slot::Workspace => r == Relation::BelongsTo && self.kind(t) == EntityKind::Workspace,
                    Slot::Project => r == Relation::BelongsTo && self.kind(t) == EntityKind::Project,
                    Slot::Workstream => r == Relation::BelongsTo && self.kind(t) == EntityKind::Workstream,
                    Slot::Milestone => r == Relation::BelongsTo && self.kind(t) == EntityKind::Milestone,
                    Slot::Slice => r == Relation::BelongsTo && self.kind(t) == EntityKind::Slice,
                    _ => false,
                };
            hit.then_some(t)
        })
    }

    /// (id, slot, depth), in the promised order.
    pub(crate) fn ancestors(&self, id: EntityId) -> Vec<(EntityId, Slot, u32)> {
        let mut seen = BTreeSet::from([id]);
        let mut out = Vec::new();
        let mut frontier = vec![id];
        let mut depth = 0;
        while !frontier.is_empty() {
            depth += 1;
            let mut level = Vec::new();
            for &at in &frontier {
                for (rank, slot) in UPWARD.iter().enumerate() {
                    if let Some(up) = self.up(at, *slot)
                        && seen.insert(up)
                    {
                        level.push((rank, up, *slot));
                    }
                }
            }
            level.sort();
            frontier = level.iter().map(|&(_, up, _)| up).collect();
            out.extend(level.into_iter().map(|(_, up, slot)| (up, slot, depth)));
        }
        out
    }

    /// (id, depth) by depth then id: breadth-first over contains/has_subtask.
    pub(crate) fn descendants(&self, id: EntityId, kind: Option<EntityKind>, max: Option<u32>) -> Vec<(EntityId, u32)> {
        let mut depth_of: BTreeMap<EntityId, u32> = BTreeMap::from([(id, 0)]);
        let mut frontier = vec![id];
        let mut depth = 0;
        while !frontier.is_empty() && max.is_none_or(|m| depth < m) {
            depth += 1;
            let mut next = Vec::new();
            for &at in &frontier {
                for &(s, r, t, _) in &self.edges {
                    if s == at && matches!(r, Relation::Contains | Relation::HasSubtask) && !depth_of.contains_key(&t) {
                        depth_of.insert(t, depth);
                        next.push(t);
                    }
                }
            }
            frontier = next;
        }
        let mut out: Vec<(EntityId, u32)> =
            depth_of.into_iter().filter(|&(d, _)| d != id && kind.is_none_or(|k| k == self.kind(d))).collect();
        out.sort_by_key(|&(d, depth)| (depth, d));
        out
    }

    /// (id, distance) by distance then id.
    pub(crate) fn distances(
        &self,
        id: EntityId,
        relations: &[Relation],
        direction: Direction,
        max_hops: u32,
        kind: Option<EntityKind>,
    ) -> Vec<(EntityId, u32)> {
        let follows = |r: Relation| match direction {
            Direction::Out => relations.contains(&r),
            Direction::In => relations.contains(&r.inverse()),
            Direction::Both => relations.contains(&r) || relations.contains(&r.inverse()),
        };
        let mut dist: BTreeMap<EntityId, u32> = BTreeMap::from([(id, 0)]);
        let mut frontier = vec![id];
        for d in 1..=max_hops {
            let mut next = Vec::new();
            for &at in &frontier {
                for &(s, r, t, _) in &self.edges {
                    if s == at && follows(r) && !dist.contains_key(&t) {
                        dist.insert(t, d);
                        next.push(t);
                    }
                }
            }
            frontier = next;
        }
        let mut out: Vec<(EntityId, u32)> =
            dist.into_iter().filter(|&(e, _)| e != id && kind.is_none_or(|k| k == self.kind(e))).collect();
        out.sort_by_key(|&(e, d)| (d, e));
        out
    }

    pub(crate) fn has_edge(&self, a: EntityId, relation: Relation, b: EntityId) -> bool {
        self.edges.iter().any(|&(s, r, t, _)| s == a && r == relation && t == b)
    }

    pub(crate) fn status(&self, id: EntityId) -> Option<TaskStatus> {
        self.entity(id)?.data().as_task().map(|t| t.status)
    }

    /// (total, by status, done fraction).
    pub(crate) fn rollup(&self, id: EntityId) -> (usize, BTreeMap<TaskStatus, usize>, f64) {
        let mut by = BTreeMap::new();
        let tasks = self.descendants(id, Some(EntityKind::Task), None);
        for &(t, _) in &tasks {
            *by.entry(self.status(t).unwrap()).or_insert(0) += 1;
        }
        let get = |s| by.get(&s).copied().unwrap_or(0);
        let live = tasks.len() - get(TaskStatus::Cancelled);
        let frac = if live == 0 { 0.0 } else { get(TaskStatus::Done) as f64 / live as f64 };
        (tasks.len(), by, frac)
    }

    fn open_blockers(&self, t: EntityId) -> Vec<EntityId> {
        let mut out: Vec<EntityId> = self
            .edges
            .iter()
            .filter(|&&(s, r, b, _)| {
                s == t && r == Relation::BlockedBy && self.status(b).is_some_and(TaskStatus::is_open)
            })
            .map(|&(_, _, b, _)| b)
            .collect();
        out.sort();
        out
    }

    /// (ready, blocked with blockers), each in the promised order.
    pub(crate) fn ready(&self, scope: EntityId) -> (Vec<EntityId>, Vec<(EntityId, Vec<EntityId>)>) {
        let open: Vec<EntityId> = self
            .descendants(scope, Some(EntityKind::Task), None)
            .into_iter()
            .map(|(t, _)| t)
            .filter(|&t| self.status(t).is_some_and(TaskStatus::is_open))
            .collect();
        let mut ready: Vec<EntityId> = open.iter().copied().filter(|&t| self.open_blockers(t).is_empty()).collect();
        ready.sort_by_key(|&t| self.urgency(t));
        let mut blocked: Vec<(EntityId, Vec<EntityId>)> =
            open.iter().map(|&t| (t, self.open_blockers(t))).filter(|(_, b)| !b.is_empty()).collect();
        blocked.sort_by_key(|(t, _)| self.urgency(*t));
        (ready, blocked)
    }

    /// Priority (urgent first), then age, then id.
    fn urgency(
        &self,
        t: EntityId,
    ) -> (Reverse<Option<convoy_core::model::Priority>>, convoy_core::Timestamp, EntityId) {
        let e = self.entity(t).unwrap();
        (Reverse(e.data().as_task().unwrap().priority), e.created_at(), t)
    }

    /// Every workspace's ready work, merged in urgency order.
    pub(crate) fn ready_anywhere(&self, workspaces: &[EntityId]) -> Vec<EntityId> {
        let mut all: Vec<EntityId> = workspaces.iter().flat_map(|&w| self.ready(w).0).collect();
        all.sort_by_key(|&t| self.urgency(t));
        all
    }
}

/// A bundle as ids: the field name and the ids it holds, in order.
pub(crate) type Shape = Vec<(&'static str, Vec<EntityId>)>;

impl Ref<'_> {
    fn out(&self, id: EntityId, relation: Relation) -> Vec<EntityId> {
        let mut v: Vec<EntityId> =
            self.edges.iter().filter(|&&(s, r, _, _)| s == id && r == relation).map(|&(_, _, t, _)| t).collect();
        v.sort();
        v
    }

    fn guidance(&self, kind: EntityKind, project: Option<EntityId>, workspace: Option<EntityId>) -> Vec<EntityId> {
        let mut out = Vec::new();
        for container in [project, workspace].into_iter().flatten() {
            out.extend(self.out(container, Relation::Scopes).into_iter().filter(|&g| self.kind(g) == kind));
        }
        let mut global: Vec<EntityId> = self
            .state
            .entities()
            .iter()
            .filter(|e| e.kind() == kind)
            .map(Entity::id)
            .filter(|&g| self.out(g, Relation::ScopedTo).is_empty())
            .collect();
        global.sort();
        out.extend(global);
        out
    }

    /// The task bundle's entity fields, whether a blocker is open, and
    /// the current stage's name.
    pub(crate) fn task_bundle(&self, id: EntityId) -> (Shape, bool, Option<String>) {
        let one = |slot| self.up(id, slot).into_iter().collect::<Vec<_>>();
        let project = self.up(id, Slot::Project);
        let workspace = project.and_then(|p| self.up(p, Slot::Workspace));
        let blockers = self.out(id, Relation::BlockedBy);
        let open = blockers.iter().any(|&b| self.status(b).is_some_and(TaskStatus::is_open));
        let workflow = self.out(id, Relation::Follows);
        let stage = self.entity(id).unwrap().data().as_task().unwrap().current_stage.as_ref().map(ToString::to_string);
        let shape = vec![
            ("parent_task", one(Slot::ParentTask)),
            ("subtasks", self.out(id, Relation::HasSubtask)),
            ("slice", one(Slot::Slice)),
            ("milestone", one(Slot::Milestone)),
            ("workstream", one(Slot::Workstream)),
            ("project", project.into_iter().collect()),
            ("workspace", workspace.into_iter().collect()),
            ("blocks", self.out(id, Relation::Blocks)),
            ("blocked_by", blockers),
            ("related", self.out(id, Relation::RelatedTo)),
            ("workflow", workflow),
            ("patterns", self.guidance(EntityKind::Pattern, project, workspace)),
            ("best_practices", self.guidance(EntityKind::BestPractice, project, workspace)),
        ];
        (shape, open, stage)
    }

    /// The newest `n` feed entries of a task, newest first, as ids.
    pub(crate) fn recent(&self, id: EntityId, n: usize) -> Vec<convoy_core::ActivityId> {
        let feed = self.state.feeds().iter().find(|f| f.task == id);
        feed.map(|f| f.entries.iter().rev().take(n).map(|a| a.id).collect()).unwrap_or_default()
    }

    pub(crate) fn container_bundle(&self, id: EntityId) -> Shape {
        let kind = self.kind(id);
        let project = match kind {
            EntityKind::Project => Some(id),
            EntityKind::Slice => self.up(id, Slot::Milestone).and_then(|m| self.up(m, Slot::Project)),
            _ => self.up(id, Slot::Project),
        };
        let workspace =
            if kind == EntityKind::Workspace { Some(id) } else { project.and_then(|p| self.up(p, Slot::Workspace)) };
        let children = self.out(id, Relation::Contains);
        let mut shape: Shape = vec![
            ("ancestors", self.ancestors(id).into_iter().map(|(a, _, _)| a).collect()),
            ("patterns", self.guidance(EntityKind::Pattern, project, workspace)),
            ("best_practices", self.guidance(EntityKind::BestPractice, project, workspace)),
        ];
        for k in
            [EntityKind::Project, EntityKind::Workstream, EntityKind::Milestone, EntityKind::Slice, EntityKind::Task]
        {
            let of_kind: Vec<EntityId> = children.iter().copied().filter(|&c| self.kind(c) == k).collect();
            if !of_kind.is_empty() {
                shape.push((k.as_str(), of_kind));
            }
        }
        shape
    }
}

impl Ref<'_> {
    /// Ranking by the documented formula, level by level over a full edge
    /// scan: (id, score, path) in result order.
    pub(crate) fn rank(
        &self,
        id: EntityId,
        options: &convoy_query::RankOptions,
    ) -> Vec<(EntityId, f64, Vec<EntityId>)> {
        let mut levels: Vec<BTreeMap<EntityId, (f64, EntityId)>> = vec![BTreeMap::from([(id, (1.0, id))])];
        for hop in 1..=options.max_hops {
            let factor = if hop > 1 { options.decay } else { 1.0 };
            let mut next: BTreeMap<EntityId, (f64, EntityId)> = BTreeMap::new();
            for (&at, &(score, _)) in &levels[levels.len() - 1] {
                for &(s, r, t, w) in &self.edges {
                    let Some(&prior) = options.priors.get(&r) else { continue };
                    if s != at || t == id {
                        continue;
                    }
                    let candidate = score * w * prior * factor;
                    let better = next.get(&t).is_none_or(|&(b, via)| candidate > b || (candidate == b && at < via));
                    if better {
                        next.insert(t, (candidate, at));
                    }
                }
            }
            levels.push(next);
        }
        let mut best: BTreeMap<EntityId, (f64, usize)> = BTreeMap::new();
        for (hops, level) in levels.iter().enumerate().skip(1) {
            for (&t, &(score, _)) in level {
                if best.get(&t).is_none_or(|&(s, _)| score > s) {
                    best.insert(t, (score, hops));
                }
            }
        }
        let mut out: Vec<(f64, usize, EntityId)> = best
            .into_iter()
            .filter(|&(t, _)| options.include_done || self.status(t).is_none_or(TaskStatus::is_open))
            .map(|(t, (s, h))| (s, h, t))
            .collect();
        out.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        out.truncate(options.top);
        out.into_iter()
            .map(|(score, hops, t)| {
                let mut path = vec![t];
                let mut at = t;
                for level in levels[1..=hops].iter().rev() {
                    at = level[&at].1;
                    path.push(at);
                }
                path.reverse();
                (t, score, path)
            })
            .collect()
    }
}
