//! Convoy's side of the read queries: each call takes the `Db`'s read
//! guard (timed with the query) and runs one public `convoy_query` call.

use anyhow::{Context as _, Result, bail};
use convoy_core::EntityId;
use convoy_core::model::{Entity, EntityKind};
use convoy_query::{Find, RankOptions, Traversal, ancestors, descendants, find, rank, ready, task_bundle, traverse};
use convoy_store::Db;

use super::answer::Sink;
use super::spec::{Point, Query, bundle as b};

/// An id as the 128-bit number both systems' answers are compared in.
pub(crate) const fn n(id: EntityId) -> u128 {
    id.as_uuid().as_u128()
}

/// Convoy's queries over an open [`Db`].
pub(crate) struct ConvoySide<'d> {
    db: &'d Db,
    hops: Traversal,
    rank: RankOptions,
}

/// Pushes an optional entity's id.
fn push(sink: &mut impl Sink, part: usize, entity: Option<&Entity>) {
    if let Some(e) = entity {
        sink.id(part, n(e.id()));
    }
}

/// Pushes every entity's id.
fn push_all<'a>(sink: &mut impl Sink, part: usize, entities: impl IntoIterator<Item = &'a Entity>) {
    for e in entities {
        sink.id(part, n(e.id()));
    }
}

impl<'d> ConvoySide<'d> {
    /// Queries over `db`.
    pub(crate) fn new(db: &'d Db) -> Self {
        Self { db, hops: convoy_bench::three_hops(), rank: RankOptions::default() }
    }

    /// Runs `query` from `point`, pushing its answer into `sink`. `page`
    /// limits Q6 and Q9 (`None`: every result).
    ///
    /// # Errors
    /// A query error (an unknown id: a harness bug).
    pub(crate) fn run(&self, query: Query, point: &Point, page: Option<usize>, sink: &mut impl Sink) -> Result<()> {
        let g = self.db.read();
        match query {
            Query::Point => {
                let e = g.get(point.task).context("Q1: task missing")?;
                let Some(t) = e.data().as_task() else { bail!("Q1: not a task") };
                sink.id(0, n(e.id()));
                sink.text(1, t.title.as_str());
                sink.text(2, t.status.as_str());
                sink.text(3, t.priority.map_or("", |p| p.as_str()));
            }
            Query::Upward => {
                for a in ancestors(&g, point.task)? {
                    sink.id(0, n(a.id));
                }
            }
            Query::Bundle => {
                let x = task_bundle(&g, point.task, convoy_query::DEFAULT_ACTIVITY)?;
                push(sink, b::TASK, Some(x.task));
                push(sink, b::SLICE, x.slice);
                push(sink, b::MILESTONE, x.milestone);
                push(sink, b::WORKSTREAM, x.workstream);
                push(sink, b::PROJECT, x.project);
                push(sink, b::WORKSPACE, x.workspace);
                push(sink, b::PARENT, x.parent_task);
                push_all(sink, b::SUBTASKS, x.subtasks);
                push_all(sink, b::BLOCKS, x.blocks);
                push_all(sink, b::BLOCKED_BY, x.blocked_by);
                sink.text(b::OPEN_BLOCKER, if x.has_open_blocker { "true" } else { "false" });
                push_all(sink, b::RELATED, x.related);
                push(sink, b::WORKFLOW, x.workflow);
                if let Some(stage) = x.current_stage {
                    sink.text(b::STAGE, stage.name.as_str());
                }
                push_all(sink, b::PATTERNS, x.patterns.iter().map(|p| p.entity));
                push_all(sink, b::PRACTICES, x.best_practices.iter().map(|p| p.entity));
                for a in x.recent_activity {
                    sink.id(b::ACTIVITY, a.id.as_uuid().as_u128());
                }
            }
            Query::Workspace => {
                for d in descendants(&g, point.workspace, Some(EntityKind::Task), None)? {
                    sink.id(0, n(d.id));
                }
            }
            Query::Hops => {
                for r in traverse(&g, point.task, &self.hops)? {
                    sink.pair(0, n(r.id), r.distance);
                }
            }
            Query::Find => {
                let mut q = Find::new(EntityKind::Task);
                q.within = Some(point.project);
                q.task_statuses = vec![point.status];
                q.priorities = vec![Some(point.priority)];
                q.limit = page.unwrap_or(usize::MAX);
                for id in find(&g, &q)?.ids {
                    sink.id(0, n(id));
                }
            }
            Query::Ready => {
                for id in ready(&g, point.project, page)? {
                    sink.id(0, n(id));
                }
            }
            Query::Rank => {
                let ranked = if page == Some(self.rank.top) {
                    rank(&g, point.task, &self.rank)?
                } else {
                    rank(&g, point.task, &RankOptions { top: page.unwrap_or(usize::MAX), ..self.rank.clone() })?
                };
                for r in ranked {
                    sink.id(0, n(r.id));
                }
            }
        }
        Ok(())
    }
}
