//! SQLite's side of the read queries: the seeds' SQL, ported from
//! PostgreSQL to SQLite, through cached prepared statements.
//!
//! The recursive CTEs keep the seeds' shape (`UNION ALL`, joins on
//! `(source_type, source_id)`); where the seeds' relationship-type lists
//! predate milestones, slices and subtasks (seed 001 vs 002/003), the
//! upward list is completed so both systems answer the same question. The
//! workspace CTE is the seeds' verbatim: every task is reachable through
//! `project_contains_task`, so its four types find every task (workstream
//! tasks twice — the answer check compares distinct ids).

use anyhow::{Context as _, Result};
use convoy_core::EntityId;
use rusqlite::{Connection, Row, params};

use super::answer::Sink;
use super::spec::{Point, Query, bundle as b};
use super::sqlite::{task_col as c, text};

/// Q1: the seeds' `tasks.findUnique` / `.select('*').eq('id', …)`.
const POINT: &str = "SELECT * FROM tasks WHERE id = ?1";

/// Q2: seed 001's upward task-context CTE, its relationship types completed
/// with the 002/003 containers (slice, milestone) and the parent task.
const UPWARD: &str = "
WITH RECURSIVE task_context(entity_type, entity_id, name, depth) AS (
  SELECT 'task', id, title, 0 FROM tasks WHERE id = ?1
  UNION ALL
  SELECT r.target_type, r.target_id,
    CASE r.target_type
      WHEN 'project' THEN (SELECT name FROM projects WHERE id = r.target_id)
      WHEN 'workstream' THEN (SELECT name FROM workstreams WHERE id = r.target_id)
      WHEN 'workspace' THEN (SELECT name FROM workspaces WHERE id = r.target_id)
      WHEN 'milestone' THEN (SELECT name FROM milestones WHERE id = r.target_id)
      WHEN 'slice' THEN (SELECT name FROM slices WHERE id = r.target_id)
      WHEN 'task' THEN (SELECT title FROM tasks WHERE id = r.target_id)
    END,
    tc.depth + 1
  FROM relationships r
  JOIN task_context tc ON r.source_type = tc.entity_type AND r.source_id = tc.entity_id
  WHERE r.relationship_type IN ('task_subtask_of', 'task_belongs_to_slice', 'task_belongs_to_milestone',
    'task_belongs_to_workstream', 'task_belongs_to_project', 'slice_belongs_to_milestone',
    'milestone_belongs_to_project', 'workstream_belongs_to_project', 'project_belongs_to_workspace')
)
SELECT * FROM task_context";

/// Q4: seed 001's workspace-contents CTE, verbatim.
const WORKSPACE: &str = "
WITH RECURSIVE workspace_entities(entity_type, entity_id, depth) AS (
  SELECT 'workspace', id, 0 FROM workspaces WHERE id = ?1
  UNION ALL
  SELECT r.target_type, r.target_id, we.depth + 1
  FROM relationships r
  JOIN workspace_entities we ON r.source_type = we.entity_type AND r.source_id = we.entity_id
  WHERE r.relationship_type IN ('workspace_contains_project', 'project_contains_workstream',
    'project_contains_task', 'workstream_contains_task')
)
SELECT t.* FROM workspace_entities we JOIN tasks t ON we.entity_type = 'task' AND we.entity_id = t.id";

/// Q5: a recursive CTE with a depth bound over the task-to-task types;
/// `UNION` drops repeated (id, depth) rows, `MIN(depth)` gives the distance.
const HOPS: &str = "
WITH RECURSIVE hood(id, depth) AS (
  SELECT ?1, 0
  UNION
  SELECT r.target_id, h.depth + 1
  FROM hood h
  JOIN relationships r ON r.source_type = 'task' AND r.source_id = h.id
  WHERE h.depth < 3 AND r.relationship_type IN ('task_blocks', 'task_blocked_by', 'task_related_to')
)
SELECT id, MIN(depth) FROM hood WHERE id <> ?1 GROUP BY id";

/// Q6: an indexed filtered find (index `tasks_project_status_priority_idx`).
const FIND: &str = "SELECT id FROM tasks WHERE project_id = ?1 AND status = ?2 AND priority = ?3 ORDER BY id LIMIT ?4";

/// Q9 ready: open tasks of a project with no open blocker (seed 003's
/// `task_dependencies`), most urgent first, then oldest, then id.
const READY: &str = "
SELECT t.id FROM tasks t
WHERE t.project_id = ?1 AND t.status NOT IN ('DONE', 'CANCELLED')
  AND NOT EXISTS (
    SELECT 1 FROM task_dependencies d JOIN tasks bl ON bl.id = d.depends_on_task_id
    WHERE d.task_id = t.id AND bl.status NOT IN ('DONE', 'CANCELLED'))
ORDER BY CASE t.priority WHEN 'URGENT' THEN 0 WHEN 'HIGH' THEN 1 WHEN 'MEDIUM' THEN 2 WHEN 'LOW' THEN 3 ELSE 4 END,
  t.created_at, t.id
LIMIT ?2";

/// Q3 statements: seed 002's `getTaskWithContext` (task, slice, milestone,
/// project, workspace, patterns, best practices, workflow, recent
/// activity), seed 001's workstream lookup and its related-tasks query
/// (every task-to-task relationship of the task, with the other task's
/// row: blocks, blocked by, related, subtasks, parent). Patterns and best
/// practices include the global ones (no workspace, no project), which the
/// seeds' scope rules make apply everywhere.
mod bundle_sql {
    /// The task's slice.
    pub(super) const SLICE: &str = "SELECT * FROM slices WHERE id = ?1";
    /// The slice's milestone.
    pub(super) const MILESTONE: &str = "SELECT * FROM milestones WHERE id = ?1";
    /// The milestone's project.
    pub(super) const PROJECT: &str = "SELECT * FROM projects WHERE id = ?1";
    /// The project's workspace.
    pub(super) const WORKSPACE: &str = "SELECT * FROM workspaces WHERE id = ?1";
    /// The task's workstream (seed 001's `getTaskContext`).
    pub(super) const WORKSTREAM: &str = "SELECT * FROM workstreams WHERE id = ?1";
    // The seeds' `.or(workspace_id.eq…, project_id.eq…)` plus the global
    // rows, as one indexed branch each (a row has at most one scope, so
    // UNION ALL repeats nothing). The index hints give SQLite the plan it
    // should pick: with the OR form, or with a column that is NULL on every
    // row, its statistics make it scan the table.
    /// Patterns in scope: the workspace's, the project's, the global ones.
    pub(super) const PATTERNS: &str = "SELECT * FROM patterns INDEXED BY patterns_scope_idx WHERE workspace_id = ?1 \
         UNION ALL SELECT * FROM patterns INDEXED BY patterns_project_id_idx WHERE project_id = ?2 \
         UNION ALL SELECT * FROM patterns INDEXED BY patterns_scope_idx \
           WHERE workspace_id IS NULL AND project_id IS NULL";
    /// Best practices in scope, likewise.
    pub(super) const PRACTICES: &str = "SELECT * FROM best_practices INDEXED BY best_practices_scope_idx \
           WHERE workspace_id = ?1 \
         UNION ALL SELECT * FROM best_practices INDEXED BY best_practices_project_id_idx WHERE project_id = ?2 \
         UNION ALL SELECT * FROM best_practices INDEXED BY best_practices_scope_idx \
           WHERE workspace_id IS NULL AND project_id IS NULL";
    /// The task's workflow.
    pub(super) const WORKFLOW: &str = "SELECT * FROM workflows WHERE id = ?1";
    /// The most recent feed entries, newest first.
    pub(super) const ACTIVITY: &str =
        "SELECT * FROM activity_feed WHERE task_id = ?1 ORDER BY created_at DESC, id DESC LIMIT ?2";
    /// Seed 001's related-tasks query, with the relationship type.
    pub(super) const RELATED: &str = "SELECT r.relationship_type, t.* FROM relationships r \
         JOIN tasks t ON t.id = r.target_id \
         WHERE r.source_type = 'task' AND r.source_id = ?1 AND r.target_type = 'task'";
}

/// A TEXT column as a UUID number.
fn uuid_at(row: &Row<'_>, i: usize) -> Result<u128> {
    let s = row.get_ref(i)?.as_str()?;
    Ok(uuid::Uuid::try_parse(s).with_context(|| format!("not a UUID: {s:?}"))?.as_u128())
}

/// A nullable TEXT column, owned.
fn opt_text(row: &Row<'_>, i: usize) -> Result<Option<String>> {
    Ok(row.get_ref(i)?.as_str_or_null()?.map(str::to_owned))
}

/// Whether a task status is open (neither `DONE` nor `CANCELLED`).
fn is_open(status: &str) -> bool {
    !matches!(status, "DONE" | "CANCELLED")
}

/// SQLite's queries over one connection (in-memory or file-backed).
pub(crate) struct SqlSide<'c> {
    conn: &'c Connection,
}

impl<'c> SqlSide<'c> {
    /// Queries over `conn`.
    pub(crate) const fn new(conn: &'c Connection) -> Self {
        Self { conn }
    }

    /// Runs `query` from `point`, pushing its answer into `sink`. `page`
    /// limits Q6 and Q9 (`None`: every result).
    ///
    /// # Errors
    /// SQLite errors; a malformed id in a row; Q9 ranking (no SQL equivalent).
    pub(crate) fn run(&self, query: Query, point: &Point, page: Option<usize>, sink: &mut impl Sink) -> Result<()> {
        let limit = page.map_or(-1, |p| i64::try_from(p).unwrap_or(i64::MAX));
        match query {
            Query::Point => {
                let mut st = self.conn.prepare_cached(POINT)?;
                let mut rows = st.query([text(point.task)])?;
                if let Some(row) = rows.next()? {
                    sink.id(0, uuid_at(row, c::ID)?);
                    sink.text(1, row.get_ref(c::TITLE)?.as_str()?);
                    sink.text(2, row.get_ref(c::STATUS)?.as_str()?);
                    sink.text(3, row.get_ref(c::PRIORITY)?.as_str_or_null()?.unwrap_or(""));
                }
            }
            Query::Upward => {
                let focus = text(point.task);
                let mut st = self.conn.prepare_cached(UPWARD)?;
                let mut rows = st.query([&focus])?;
                while let Some(row) = rows.next()? {
                    if row.get::<_, i64>(3)? > 0 {
                        sink.id(0, uuid_at(row, 1)?);
                    }
                }
            }
            Query::Bundle => self.bundle(point.task, sink)?,
            Query::Workspace => {
                let mut st = self.conn.prepare_cached(WORKSPACE)?;
                let mut rows = st.query([text(point.workspace)])?;
                while let Some(row) = rows.next()? {
                    sink.id(0, uuid_at(row, c::ID)?);
                }
            }
            Query::Hops => {
                let mut st = self.conn.prepare_cached(HOPS)?;
                let mut rows = st.query([text(point.task)])?;
                while let Some(row) = rows.next()? {
                    sink.pair(0, uuid_at(row, 0)?, row.get(1)?);
                }
            }
            Query::Find => {
                let mut st = self.conn.prepare_cached(FIND)?;
                let mut rows =
                    st.query(params![text(point.project), point.status.as_str(), point.priority.as_str(), limit])?;
                while let Some(row) = rows.next()? {
                    sink.id(0, uuid_at(row, 0)?);
                }
            }
            Query::Ready => {
                let mut st = self.conn.prepare_cached(READY)?;
                let mut rows = st.query(params![text(point.project), limit])?;
                while let Some(row) = rows.next()? {
                    sink.id(0, uuid_at(row, 0)?);
                }
            }
            Query::Rank => anyhow::bail!("ranking has no SQL equivalent"),
        }
        Ok(())
    }

    /// Looks one row up by id and pushes its id; returns the text of
    /// column `next` (the id of the next container up), if asked.
    fn lookup(
        &self,
        sql: &str,
        id: &str,
        part: usize,
        next: Option<usize>,
        sink: &mut impl Sink,
    ) -> Result<Option<String>> {
        let mut st = self.conn.prepare_cached(sql)?;
        let mut rows = st.query([id])?;
        let Some(row) = rows.next()? else { return Ok(None) };
        sink.id(part, uuid_at(row, 0)?);
        match next {
            Some(col) => opt_text(row, col),
            None => Ok(None),
        }
    }

    /// Q3: the task bundle, statement by statement, as the seeds' client does.
    fn bundle(&self, task: EntityId, sink: &mut impl Sink) -> Result<()> {
        let id = text(task);
        let (slice_id, workstream_id, workflow_id, stage) = {
            let mut st = self.conn.prepare_cached(POINT)?;
            let mut rows = st.query([&id])?;
            let row = rows.next()?.context("Q3: task missing")?;
            sink.id(b::TASK, uuid_at(row, c::ID)?);
            (
                opt_text(row, c::SLICE)?,
                opt_text(row, c::WORKSTREAM)?,
                opt_text(row, c::WORKFLOW)?,
                opt_text(row, c::STAGE)?,
            )
        };
        // The containers, up the chain the seeds follow: slice → milestone
        // → project → workspace (column 1 of each is the parent's id).
        let milestone_id = match &slice_id {
            Some(s) => self.lookup(bundle_sql::SLICE, s, b::SLICE, Some(1), sink)?,
            None => None,
        };
        let project_id = match &milestone_id {
            Some(m) => self.lookup(bundle_sql::MILESTONE, m, b::MILESTONE, Some(1), sink)?,
            None => None,
        };
        if let Some(w) = &workstream_id {
            self.lookup(bundle_sql::WORKSTREAM, w, b::WORKSTREAM, None, sink)?;
        }
        let workspace_id = match &project_id {
            Some(p) => self.lookup(bundle_sql::PROJECT, p, b::PROJECT, Some(1), sink)?,
            None => None,
        };
        if let Some(w) = &workspace_id {
            self.lookup(bundle_sql::WORKSPACE, w, b::WORKSPACE, None, sink)?;
        }
        // Task-to-task relationships, with the other task's row.
        let mut open_blocker = false;
        {
            let mut st = self.conn.prepare_cached(bundle_sql::RELATED)?;
            let mut rows = st.query([&id])?;
            while let Some(row) = rows.next()? {
                let other = uuid_at(row, 1 + c::ID)?;
                match row.get_ref(0)?.as_str()? {
                    "task_subtask_of" => sink.id(b::PARENT, other),
                    "task_has_subtask" => sink.id(b::SUBTASKS, other),
                    "task_blocks" => sink.id(b::BLOCKS, other),
                    "task_blocked_by" => {
                        sink.id(b::BLOCKED_BY, other);
                        open_blocker |= is_open(row.get_ref(1 + c::STATUS)?.as_str()?);
                    }
                    "task_related_to" => sink.id(b::RELATED, other),
                    _ => {}
                }
            }
        }
        sink.text(b::OPEN_BLOCKER, if open_blocker { "true" } else { "false" });
        if let Some(w) = &workflow_id {
            let mut st = self.conn.prepare_cached(bundle_sql::WORKFLOW)?;
            let mut rows = st.query([w])?;
            if let Some(row) = rows.next()? {
                sink.id(b::WORKFLOW, uuid_at(row, 0)?);
                // `workflow.stages.find(s => s.name === task.current_stage)`
                if let Some(stage) = &stage {
                    let stages: serde_json::Value = serde_json::from_str(row.get_ref(3)?.as_str()?)?;
                    let found = stages.as_array().into_iter().flatten().find(|s| s["name"].as_str() == Some(stage));
                    if found.is_some() {
                        sink.text(b::STAGE, stage);
                    }
                }
            }
        }
        for (sql, part) in [(bundle_sql::PATTERNS, b::PATTERNS), (bundle_sql::PRACTICES, b::PRACTICES)] {
            let mut st = self.conn.prepare_cached(sql)?;
            let mut rows = st.query(params![workspace_id, project_id])?;
            while let Some(row) = rows.next()? {
                sink.id(part, uuid_at(row, 0)?);
            }
        }
        let mut st = self.conn.prepare_cached(bundle_sql::ACTIVITY)?;
        let limit = i64::try_from(convoy_query::DEFAULT_ACTIVITY)?;
        let mut rows = st.query(params![id, limit])?;
        while let Some(row) = rows.next()? {
            sink.id(b::ACTIVITY, uuid_at(row, 0)?);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use convoy_core::RelationType;

    #[test]
    fn every_relationship_type_named_in_the_sql_is_a_real_one() {
        let sql = [super::UPWARD, super::WORKSPACE, super::HOPS, super::bundle_sql::RELATED].concat();
        let mut named = 0;
        for quoted in sql.split('\'').skip(1).step_by(2) {
            if quoted.contains('_') {
                assert!(quoted.parse::<RelationType>().is_ok(), "{quoted} is not a relationship type");
                assert_eq!(quoted.parse::<RelationType>().unwrap().to_string(), quoted);
                named += 1;
            }
        }
        assert!(named >= 16, "only {named} types found");
    }
}
