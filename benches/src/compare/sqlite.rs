//! SQLite with the seeds' schema: tables, indexes, connection settings, and
//! loading a Convoy graph into it.
//!
//! Tables follow seeds 000 (workspaces, projects, workstreams, tasks with
//! `project_id` / `workstream_id`, the `relationships` table and its three
//! indexes), 002 and 003 (milestones, slices, `parent_task_id`, workflows,
//! activity feed, patterns, best practices, task dependencies, their
//! foreign-key and search indexes). UUIDs are stored as TEXT, as the seeds'
//! Supabase/WatermelonDB layers hand them over, and timestamps as RFC 3339
//! TEXT with microseconds (fixed width, so they sort as text). Every Convoy
//! edge becomes one `relationships` row, so each relationship is there in
//! both directions, as the seeds' triggers and `createRelationship` make it.
//!
//! Choices that favour SQLite, each what a careful operator would do:
//! secondary indexes, and the keys of the three tables no foreign key
//! references (relationships, activity feed, task dependencies), are built
//! after the bulk insert (see [`KEYS`]), `ANALYZE` runs after the load,
//! extra composite indexes serve Q6 and the bundle's scope lookups, the
//! file-backed page cache is 1 GiB instead of 2 MiB and temporary b-trees
//! stay in memory. All of it is counted in the load time. The in-memory
//! database is a page-by-page copy of the loaded file (backup API). Foreign keys are enforced, as PostgreSQL enforces the
//! seeds' and as bundled SQLite does by default: rows are inserted parents
//! first (containers, then tasks by subtask depth, then dependencies).

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context as _, Result, ensure};
use convoy_core::model::{EntityData, EntityKind};
use convoy_core::{EntityId, Graph, Relation, RelationType, Slot, Timestamp};
use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};
use rusqlite::{Connection, Transaction, params};

/// The tables (seeds 000, 002, 003), without secondary indexes and without
/// the keys in [`KEYS`].
pub(crate) const TABLES: &str = "
CREATE TABLE workspaces (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT,
  created_at TEXT, updated_at TEXT);
CREATE TABLE users (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at TEXT, updated_at TEXT);
CREATE TABLE projects (
  id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name TEXT NOT NULL, description TEXT, overview TEXT, tech_stack TEXT,
  owner_id TEXT REFERENCES users(id), status TEXT NOT NULL DEFAULT 'ACTIVE', target_date TEXT,
  created_at TEXT, updated_at TEXT);
CREATE TABLE workstreams (
  id TEXT PRIMARY KEY, project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  name TEXT NOT NULL, description TEXT, owner_id TEXT REFERENCES users(id),
  status TEXT NOT NULL DEFAULT 'NOT_STARTED', progress REAL DEFAULT 0,
  created_at TEXT, updated_at TEXT);
CREATE TABLE milestones (
  id TEXT PRIMARY KEY, project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  name TEXT NOT NULL, description TEXT, requirements TEXT, status TEXT DEFAULT 'PLANNED',
  target_date TEXT, created_at TEXT, updated_at TEXT);
CREATE TABLE slices (
  id TEXT PRIMARY KEY, milestone_id TEXT NOT NULL REFERENCES milestones(id) ON DELETE CASCADE,
  name TEXT NOT NULL, description TEXT, status TEXT DEFAULT 'NOT_STARTED',
  created_at TEXT, updated_at TEXT);
CREATE TABLE workflows (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT, stages TEXT NOT NULL,
  created_at TEXT, updated_at TEXT);
CREATE TABLE tasks (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  workstream_id TEXT REFERENCES workstreams(id),
  milestone_id TEXT REFERENCES milestones(id),
  slice_id TEXT REFERENCES slices(id),
  parent_task_id TEXT REFERENCES tasks(id) ON DELETE SET NULL,
  title TEXT NOT NULL, description TEXT, owner_id TEXT REFERENCES users(id),
  status TEXT NOT NULL DEFAULT 'TODO', priority TEXT, labels TEXT DEFAULT '[]',
  workflow_id TEXT REFERENCES workflows(id), current_stage TEXT, completion_date TEXT,
  created_at TEXT, updated_at TEXT);
CREATE TABLE task_dependencies (
  id TEXT NOT NULL,
  task_id TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  depends_on_task_id TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  created_at TEXT,
  CHECK(task_id != depends_on_task_id));
CREATE TABLE activity_feed (
  id TEXT NOT NULL, task_id TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  type TEXT NOT NULL, content TEXT, details TEXT, actor_id TEXT, created_by TEXT, created_at TEXT);
CREATE TABLE patterns (
  id TEXT PRIMARY KEY,
  workspace_id TEXT REFERENCES workspaces(id) ON DELETE CASCADE,
  project_id TEXT REFERENCES projects(id) ON DELETE CASCADE,
  name TEXT NOT NULL, description TEXT, pattern_type TEXT NOT NULL, content TEXT NOT NULL,
  created_at TEXT, updated_at TEXT,
  CHECK (workspace_id IS NULL OR project_id IS NULL));
CREATE TABLE best_practices (
  id TEXT PRIMARY KEY,
  workspace_id TEXT REFERENCES workspaces(id) ON DELETE CASCADE,
  project_id TEXT REFERENCES projects(id) ON DELETE CASCADE,
  name TEXT NOT NULL, description TEXT, category TEXT NOT NULL, content TEXT NOT NULL,
  created_at TEXT, updated_at TEXT,
  CHECK (workspace_id IS NULL OR project_id IS NULL));
CREATE TABLE relationships (
  id TEXT NOT NULL,
  source_type TEXT NOT NULL, source_id TEXT NOT NULL,
  relationship_type TEXT NOT NULL,
  target_type TEXT NOT NULL, target_id TEXT NOT NULL,
  weight REAL NOT NULL DEFAULT 1.0, metadata TEXT DEFAULT '{}', created_at TEXT);
";

/// The primary keys and UNIQUE constraints of the three largest tables,
/// which no foreign key references: built as unique indexes after the bulk
/// insert — the same b-trees `PRIMARY KEY` / `UNIQUE` make in a rowid
/// table, enforcing the same from then on, but sorted once instead of
/// filled by millions of random-order inserts.
pub(crate) const KEYS: &str = "
CREATE UNIQUE INDEX relationships_pkey ON relationships(id);
CREATE UNIQUE INDEX relationships_unique
  ON relationships(source_type, source_id, relationship_type, target_type, target_id);
CREATE UNIQUE INDEX activity_feed_pkey ON activity_feed(id);
CREATE UNIQUE INDEX task_dependencies_pkey ON task_dependencies(id);
CREATE UNIQUE INDEX task_dependencies_unique ON task_dependencies(task_id, depends_on_task_id);
";

/// The seeds' secondary indexes, plus foreign-key indexes for the columns
/// the seeds' later schema added, plus composite indexes for Q6 and for
/// finding global patterns and best practices (both scopes NULL).
pub(crate) const INDEXES: &str = "
CREATE INDEX idx_relationships_source ON relationships(source_type, source_id);
CREATE INDEX idx_relationships_target ON relationships(target_type, target_id);
CREATE INDEX idx_relationships_type ON relationships(relationship_type);
CREATE INDEX projects_workspace_id_idx ON projects(workspace_id);
CREATE INDEX workstreams_project_id_idx ON workstreams(project_id);
CREATE INDEX milestones_project_id_idx ON milestones(project_id);
CREATE INDEX slices_milestone_id_idx ON slices(milestone_id);
CREATE INDEX tasks_workstream_id_idx ON tasks(workstream_id);
CREATE INDEX tasks_milestone_id_idx ON tasks(milestone_id);
CREATE INDEX tasks_slice_id_idx ON tasks(slice_id);
CREATE INDEX tasks_parent_task_id_idx ON tasks(parent_task_id);
CREATE INDEX task_dependencies_task_id_idx ON task_dependencies(task_id);
CREATE INDEX task_dependencies_depends_on_task_id_idx ON task_dependencies(depends_on_task_id);
CREATE INDEX activity_feed_task_id_idx ON activity_feed(task_id);
CREATE INDEX activity_feed_created_at_idx ON activity_feed(created_at);
CREATE INDEX patterns_workspace_id_idx ON patterns(workspace_id);
CREATE INDEX patterns_project_id_idx ON patterns(project_id);
CREATE INDEX best_practices_workspace_id_idx ON best_practices(workspace_id);
CREATE INDEX best_practices_project_id_idx ON best_practices(project_id);
CREATE INDEX workspaces_name_idx ON workspaces(name);
CREATE INDEX projects_name_idx ON projects(name);
CREATE INDEX milestones_name_idx ON milestones(name);
CREATE INDEX tasks_title_idx ON tasks(title);
CREATE INDEX tasks_status_idx ON tasks(status);
CREATE INDEX tasks_current_stage_idx ON tasks(current_stage);
CREATE INDEX tasks_project_status_priority_idx ON tasks(project_id, status, priority);
CREATE INDEX patterns_scope_idx ON patterns(workspace_id, project_id);
CREATE INDEX best_practices_scope_idx ON best_practices(workspace_id, project_id);
";

/// Column positions of `tasks` in `SELECT *` (the order of [`TABLES`]).
pub(crate) mod task_col {
    /// `id`.
    pub(crate) const ID: usize = 0;
    /// `workstream_id`.
    pub(crate) const WORKSTREAM: usize = 2;
    /// `slice_id`.
    pub(crate) const SLICE: usize = 4;
    /// `title`.
    pub(crate) const TITLE: usize = 6;
    /// `status`.
    pub(crate) const STATUS: usize = 9;
    /// `priority`.
    pub(crate) const PRIORITY: usize = 10;
    /// `workflow_id`.
    pub(crate) const WORKFLOW: usize = 12;
    /// `current_stage`.
    pub(crate) const STAGE: usize = 13;
}

/// File-backed page cache: 1 GiB (SQLite's default is 2 MiB), as an
/// operator bulk-loading on a 24 GiB machine would set it.
const FILE_CACHE_KIB: i64 = 1024 * 1024;

/// Opens an in-memory database.
///
/// # Errors
/// SQLite errors.
pub(crate) fn open_memory() -> Result<Connection> {
    let conn = Connection::open_in_memory()?;
    conn.set_prepared_statement_cache_capacity(64);
    conn.execute_batch("PRAGMA foreign_keys = ON")?;
    Ok(conn)
}

/// Opens (creating) a file-backed database in WAL mode with
/// `synchronous=FULL`: every commit is fsynced before it returns.
///
/// # Errors
/// SQLite errors.
pub(crate) fn open_file(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path)?;
    conn.set_prepared_statement_cache_capacity(64);
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    ensure!(mode.eq_ignore_ascii_case("wal"), "SQLite refused WAL mode: {mode}");
    conn.execute_batch(&format!(
        "PRAGMA synchronous = FULL; PRAGMA cache_size = -{FILE_CACHE_KIB}; PRAGMA temp_store = MEMORY; \
         PRAGMA foreign_keys = ON;"
    ))?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    Ok(conn)
}

/// An in-memory copy of the database file at `path`, made page by page
/// with SQLite's backup API (the same b-trees the file holds).
///
/// # Errors
/// SQLite errors.
pub(crate) fn copy_to_memory(path: &Path) -> Result<Connection> {
    let mut conn = open_memory()?;
    {
        let src = Connection::open(path)?;
        let backup = rusqlite::backup::Backup::new(&src, &mut conn)?;
        backup.run_to_completion(1 << 20, std::time::Duration::ZERO, None)?;
    }
    Ok(conn)
}

/// An id as the seeds store it: hyphenated lowercase TEXT.
pub(crate) fn text(id: EntityId) -> String {
    id.to_string()
}

/// A timestamp as the tables store it: RFC 3339 with microseconds.
fn time(t: Timestamp) -> String {
    t.to_string()
}

/// What loading wrote.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Loaded {
    /// Rows in `tasks`.
    pub(crate) tasks: u64,
    /// Rows in `relationships`.
    pub(crate) relationships: u64,
    /// Rows in every table.
    pub(crate) rows: u64,
}

/// Writes one graph's entities into the seeds' tables.
struct Loader<'g> {
    graph: &'g Graph,
    names: HashMap<RelationType, String>,
    rng: StdRng,
    rows: u64,
}

/// Creates the schema and loads every entity, edge and feed entry of
/// `graph`: one transaction for what lies outside projects, then one per
/// project (as Convoy's generated batches are). Then builds the secondary
/// indexes, runs `ANALYZE`, checkpoints the WAL (file-backed), and checks
/// the row counts against the graph.
///
/// # Errors
/// SQLite errors, or row counts that differ from the graph's.
pub(crate) fn load(conn: &mut Connection, graph: &Graph, seed: u64) -> Result<Loaded> {
    conn.execute_batch(TABLES)?;
    let mut loader = Loader { graph, names: HashMap::new(), rng: StdRng::seed_from_u64(seed ^ 0x0054_117e), rows: 0 };
    let tx = conn.transaction()?;
    for kind in [EntityKind::Workspace, EntityKind::User, EntityKind::Workflow] {
        for &id in graph.ids_of_kind(kind) {
            loader.entity(&tx, id)?;
        }
    }
    for kind in [EntityKind::Pattern, EntityKind::BestPractice] {
        for &id in graph.ids_of_kind(kind) {
            let scope = graph.parent(id, Slot::Scope).and_then(|s| graph.get(s)).map(|s| s.kind());
            if scope != Some(EntityKind::Project) {
                loader.entity(&tx, id)?;
            }
        }
    }
    tx.commit()?;
    for &project in graph.ids_of_kind(EntityKind::Project) {
        let tx = conn.transaction()?;
        loader.entity(&tx, project)?;
        // Parents first: containers by depth, then tasks by subtask depth.
        let mut below: Vec<(u32, EntityId)> = convoy_query::descendants(graph, project, None, None)?
            .into_iter()
            .map(|d| {
                let rank = if d.kind == EntityKind::Task { 10 + subtask_depth(graph, d.id) } else { d.depth };
                (rank, d.id)
            })
            .collect();
        below.sort_unstable();
        for &(_, id) in &below {
            loader.entity(&tx, id)?;
        }
        for &(rank, id) in &below {
            if rank >= 10 {
                loader.dependencies(&tx, id)?;
            }
        }
        for &id in graph.scoped_to(project) {
            loader.entity(&tx, id)?;
        }
        tx.commit()?;
    }
    conn.execute_batch(KEYS)?;
    conn.execute_batch(INDEXES)?;
    conn.execute_batch("ANALYZE;")?;
    let wal: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
    if wal.eq_ignore_ascii_case("wal") {
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    }
    let count = |table: &str| -> Result<u64> {
        let n: i64 = conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
        Ok(u64::try_from(n)?)
    };
    let loaded = Loaded { tasks: count("tasks")?, relationships: count("relationships")?, rows: loader.rows };
    ensure!(
        loaded.tasks == graph.ids_of_kind(EntityKind::Task).len() as u64,
        "SQLite holds {} tasks, the graph {}",
        loaded.tasks,
        graph.ids_of_kind(EntityKind::Task).len()
    );
    ensure!(
        loaded.relationships == 2 * graph.relationship_count() as u64,
        "SQLite holds {} relationship rows, the graph {} relationships (×2 directions)",
        loaded.relationships,
        graph.relationship_count()
    );
    Ok(loaded)
}

/// How many parent tasks are above a task.
fn subtask_depth(graph: &Graph, mut task: EntityId) -> u32 {
    let mut depth = 0;
    while let Some(parent) = graph.parent(task, Slot::ParentTask) {
        depth += 1;
        task = parent;
    }
    depth
}

impl Loader<'_> {
    /// The id text of a single-valued reference, if set.
    fn up(&self, id: EntityId, slot: Slot) -> Option<String> {
        self.graph.parent(id, slot).map(text)
    }

    /// The row of one entity, its outgoing edges, and for a task its feed
    /// and dependencies.
    fn entity(&mut self, tx: &Transaction<'_>, id: EntityId) -> Result<()> {
        let e = self.graph.get(id).context("entity vanished")?;
        let (idt, created, updated) = (text(id), time(e.created_at()), time(e.updated_at()));
        let desc = e.data().description().map(|d| d.as_str());
        let name = e.data().name().as_str();
        match e.data() {
            EntityData::Workspace(_) => {
                tx.prepare_cached("INSERT INTO workspaces VALUES (?1, ?2, ?3, ?4, ?5)")?
                    .execute(params![idt, name, desc, created, updated])?;
            }
            EntityData::User(_) => {
                tx.prepare_cached("INSERT INTO users VALUES (?1, ?2, ?3, ?4)")?
                    .execute(params![idt, name, created, updated])?;
            }
            EntityData::Project(p) => {
                tx.prepare_cached("INSERT INTO projects VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)")?
                    .execute(params![
                        idt,
                        self.up(id, Slot::Workspace),
                        name,
                        desc,
                        p.overview.as_ref().map(|t| t.as_str()),
                        p.tech_stack.as_ref().map(|t| t.as_str()),
                        self.up(id, Slot::Owner),
                        p.status.as_str(),
                        p.target_date.map(time),
                        created,
                        updated
                    ])?;
            }
            EntityData::Workstream(w) => {
                tx.prepare_cached("INSERT INTO workstreams VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")?.execute(
                    params![
                        idt,
                        self.up(id, Slot::Project),
                        name,
                        desc,
                        self.up(id, Slot::Owner),
                        w.status.as_str(),
                        w.progress.get(),
                        created,
                        updated
                    ],
                )?;
            }
            EntityData::Milestone(m) => {
                tx.prepare_cached("INSERT INTO milestones VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")?.execute(
                    params![
                        idt,
                        self.up(id, Slot::Project),
                        name,
                        desc,
                        m.requirements.as_ref().map(|t| t.as_str()),
                        m.status.as_str(),
                        m.target_date.map(time),
                        created,
                        updated
                    ],
                )?;
            }
            EntityData::Slice(s) => {
                tx.prepare_cached("INSERT INTO slices VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?.execute(params![
                    idt,
                    self.up(id, Slot::Milestone),
                    name,
                    desc,
                    s.status.as_str(),
                    created,
                    updated
                ])?;
            }
            EntityData::Workflow(w) => {
                tx.prepare_cached("INSERT INTO workflows VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?.execute(params![
                    idt,
                    name,
                    desc,
                    serde_json::to_string(&w.stages)?,
                    created,
                    updated
                ])?;
            }
            EntityData::Task(t) => {
                let labels: Vec<&str> = t.labels.as_slice().iter().map(|l| l.as_str()).collect();
                tx.prepare_cached(
                    "INSERT INTO tasks VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
                )?
                .execute(params![
                    idt,
                    self.up(id, Slot::Project),
                    self.up(id, Slot::Workstream),
                    self.up(id, Slot::Milestone),
                    self.up(id, Slot::Slice),
                    self.up(id, Slot::ParentTask),
                    name,
                    desc,
                    self.up(id, Slot::Owner),
                    t.status.as_str(),
                    t.priority.map(|p| p.as_str()),
                    serde_json::to_string(&labels)?,
                    self.up(id, Slot::Workflow),
                    t.current_stage.as_ref().map(|s| s.as_str()),
                    t.completion_date.map(time),
                    created,
                    updated
                ])?;
                self.feed(tx, id)?;
            }
            EntityData::Pattern(p) => {
                let (ws, project) = self.scope(id);
                tx.prepare_cached("INSERT INTO patterns VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")?.execute(
                    params![
                        idt,
                        ws,
                        project,
                        name,
                        desc,
                        p.pattern_type.as_str(),
                        p.content.as_str(),
                        created,
                        updated
                    ],
                )?;
            }
            EntityData::BestPractice(b) => {
                let (ws, project) = self.scope(id);
                tx.prepare_cached("INSERT INTO best_practices VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")?.execute(
                    params![idt, ws, project, name, desc, b.category.as_str(), b.content.as_str(), created, updated],
                )?;
            }
        }
        self.rows += 1;
        self.edges(tx, id, e.kind())
    }

    /// A pattern's or best practice's `(workspace_id, project_id)`.
    fn scope(&self, id: EntityId) -> (Option<String>, Option<String>) {
        let Some(scope) = self.graph.parent(id, Slot::Scope) else { return (None, None) };
        match self.graph.get(scope).map(|s| s.kind()) {
            Some(EntityKind::Project) => (None, Some(text(scope))),
            _ => (Some(text(scope)), None),
        }
    }

    /// A task's activity feed.
    fn feed(&mut self, tx: &Transaction<'_>, task: EntityId) -> Result<()> {
        let mut insert = tx.prepare_cached("INSERT INTO activity_feed VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")?;
        for a in self.graph.feed(task) {
            insert.execute(params![
                a.id.to_string(),
                text(task),
                a.activity_type.as_str(),
                a.content.as_ref().map(|c| c.as_str()),
                a.details.as_ref().map(|d| d.as_str()),
                a.actor.map(text),
                a.created_by.as_ref().map(|c| c.as_str()),
                time(a.created_at)
            ])?;
            self.rows += 1;
        }
        Ok(())
    }

    /// A task's `task_dependencies` rows (one per blocker); nothing for
    /// other kinds.
    fn dependencies(&mut self, tx: &Transaction<'_>, task: EntityId) -> Result<()> {
        let mut dep = tx.prepare_cached("INSERT INTO task_dependencies VALUES (?1, ?2, ?3, ?4)")?;
        for e in self.graph.edges_unordered(task).filter(|e| e.relation() == Relation::BlockedBy) {
            let rid = uuid::Uuid::from_u128(self.rng.random()).to_string();
            dep.execute(params![rid, text(task), text(e.target()), time(e.data().created_at)])?;
            self.rows += 1;
        }
        Ok(())
    }

    /// One `relationships` row per edge leaving `id`.
    fn edges(&mut self, tx: &Transaction<'_>, id: EntityId, kind: EntityKind) -> Result<()> {
        let mut insert = tx.prepare_cached("INSERT INTO relationships VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")?;
        let source = text(id);
        for e in self.graph.edges_unordered(id) {
            let target_kind = self.graph.get(e.target()).context("edge to nothing")?.kind();
            let t = RelationType::new(kind, e.relation(), target_kind).context("edge of a disallowed type")?;
            let name = self.names.entry(t).or_insert_with(|| t.to_string());
            let rid = uuid::Uuid::from_u128(self.rng.random()).to_string();
            let data = e.data();
            insert.execute(params![
                rid,
                kind.as_str(),
                source,
                name.as_str(),
                target_kind.as_str(),
                text(e.target()),
                data.weight.get(),
                data.metadata.as_ref().map_or("{}", |m| m.as_str()),
                time(data.created_at)
            ])?;
            self.rows += 1;
        }
        Ok(())
    }
}
