//! The seeds' tables: their names, the entity kind each holds, the columns
//! Convoy reads and writes, and the foreign-key columns, which Convoy keeps
//! as edges.

use convoy_core::model::EntityKind;
use convoy_core::{Relation, Slot};

/// One table of the seeds' schema (seeds 001–003), in import order: every
/// table comes after the tables its foreign keys point into.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum Table {
    /// `workspaces`
    Workspaces,
    /// `users` (owners; the seeds reference them through `owner_id`)
    Users,
    /// `workflows` (stages as a JSON array)
    Workflows,
    /// `projects`
    Projects,
    /// `workstreams`
    Workstreams,
    /// `milestones`
    Milestones,
    /// `slices`
    Slices,
    /// `tasks`
    Tasks,
    /// `patterns` (global, or scoped to a workspace or a project)
    Patterns,
    /// `best_practices` (global, or scoped to a workspace or a project)
    BestPractices,
    /// `task_dependencies`: `task_id` is blocked by `depends_on_task_id`
    TaskDependencies,
    /// `relationships`: typed edges in the seeds' vocabulary
    Relationships,
    /// `activity_feed`: per-task events
    ActivityFeed,
}

/// A foreign-key column: which single-valued reference ([`Slot`]) it is,
/// the kind it points at, and the relation from the row's entity to it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ForeignKey {
    /// The column (`project_id`, `workflow_type`, …).
    pub column: &'static str,
    /// The reference it fills.
    pub slot: Slot,
    /// The kind of entity it must name.
    pub target: EntityKind,
    /// The relation from the row's entity to the target (`belongs_to`,
    /// `subtask_of`, `owned_by`, `follows`, `scoped_to`).
    pub relation: Relation,
}

const fn fk(column: &'static str, slot: Slot, target: EntityKind, relation: Relation) -> ForeignKey {
    ForeignKey { column, slot, target, relation }
}

const WORKSPACE: ForeignKey = fk("workspace_id", Slot::Workspace, EntityKind::Workspace, Relation::BelongsTo);
const PROJECT: ForeignKey = fk("project_id", Slot::Project, EntityKind::Project, Relation::BelongsTo);
const WORKSTREAM: ForeignKey = fk("workstream_id", Slot::Workstream, EntityKind::Workstream, Relation::BelongsTo);
const MILESTONE: ForeignKey = fk("milestone_id", Slot::Milestone, EntityKind::Milestone, Relation::BelongsTo);
const SLICE: ForeignKey = fk("slice_id", Slot::Slice, EntityKind::Slice, Relation::BelongsTo);
const PARENT_TASK: ForeignKey = fk("parent_task_id", Slot::ParentTask, EntityKind::Task, Relation::SubtaskOf);
const OWNER: ForeignKey = fk("owner_id", Slot::Owner, EntityKind::User, Relation::OwnedBy);
const WORKFLOW: ForeignKey = fk("workflow_type", Slot::Workflow, EntityKind::Workflow, Relation::Follows);
const SCOPE_WORKSPACE: ForeignKey = fk("workspace_id", Slot::Scope, EntityKind::Workspace, Relation::ScopedTo);
const SCOPE_PROJECT: ForeignKey = fk("project_id", Slot::Scope, EntityKind::Project, Relation::ScopedTo);

impl Table {
    /// Every table, in import order.
    pub const ALL: [Self; 13] = [
        Self::Workspaces,
        Self::Users,
        Self::Workflows,
        Self::Projects,
        Self::Workstreams,
        Self::Milestones,
        Self::Slices,
        Self::Tasks,
        Self::Patterns,
        Self::BestPractices,
        Self::TaskDependencies,
        Self::Relationships,
        Self::ActivityFeed,
    ];

    /// The seeds' table name. O(1).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::TaskDependencies => "task_dependencies",
            Self::Relationships => "relationships",
            Self::ActivityFeed => "activity_feed",
            _ => match self.kind() {
                Some(kind) => kind.table(),
                None => "",
            },
        }
    }

    /// The table called `name` (exact, lower case, as the seeds spell it).
    /// O(tables).
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The entity kind the table holds; `None` for the three tables whose
    /// rows are edges or feed entries. O(1).
    #[must_use]
    pub const fn kind(self) -> Option<EntityKind> {
        Some(match self {
            Self::Workspaces => EntityKind::Workspace,
            Self::Users => EntityKind::User,
            Self::Workflows => EntityKind::Workflow,
            Self::Projects => EntityKind::Project,
            Self::Workstreams => EntityKind::Workstream,
            Self::Milestones => EntityKind::Milestone,
            Self::Slices => EntityKind::Slice,
            Self::Tasks => EntityKind::Task,
            Self::Patterns => EntityKind::Pattern,
            Self::BestPractices => EntityKind::BestPractice,
            Self::TaskDependencies | Self::Relationships | Self::ActivityFeed => return None,
        })
    }

    /// The table holding entities of `kind`. O(1).
    #[must_use]
    pub const fn of_kind(kind: EntityKind) -> Self {
        match kind {
            EntityKind::Workspace => Self::Workspaces,
            EntityKind::User => Self::Users,
            EntityKind::Workflow => Self::Workflows,
            EntityKind::Project => Self::Projects,
            EntityKind::Workstream => Self::Workstreams,
            EntityKind::Milestone => Self::Milestones,
            EntityKind::Slice => Self::Slices,
            EntityKind::Task => Self::Tasks,
            EntityKind::Pattern => Self::Patterns,
            EntityKind::BestPractice => Self::BestPractices,
        }
    }

    /// The columns export writes for this table, every one of them in every
    /// row (`null` when empty). Import reads the same columns plus
    /// [`Table::aliases`]. O(1).
    #[must_use]
    pub const fn columns(self) -> &'static [&'static str] {
        match self {
            Self::Workspaces => &["id", "name", "description", "created_at", "updated_at"],
            Self::Users => &["id", "name", "created_at", "updated_at"],
            Self::Workflows => &["id", "name", "description", "stages", "created_at", "updated_at"],
            Self::Projects => &[
                "id",
                "workspace_id",
                "owner_id",
                "name",
                "description",
                "overview",
                "tech_stack",
                "status",
                "target_date",
                "created_at",
                "updated_at",
            ],
            Self::Workstreams => &[
                "id",
                "project_id",
                "owner_id",
                "name",
                "description",
                "status",
                "progress",
                "created_at",
                "updated_at",
            ],
            Self::Milestones => &[
                "id",
                "project_id",
                "name",
                "description",
                "requirements",
                "status",
                "target_date",
                "created_at",
                "updated_at",
            ],
            Self::Slices => &["id", "milestone_id", "name", "description", "status", "created_at", "updated_at"],
            Self::Tasks => &[
                "id",
                "project_id",
                "workstream_id",
                "milestone_id",
                "slice_id",
                "parent_task_id",
                "owner_id",
                "workflow_type",
                "title",
                "description",
                "status",
                "priority",
                "labels",
                "current_stage",
                "completion_date",
                "created_at",
                "updated_at",
            ],
            Self::Patterns => &[
                "id",
                "workspace_id",
                "project_id",
                "name",
                "description",
                "pattern_type",
                "content",
                "created_at",
                "updated_at",
            ],
            Self::BestPractices => &[
                "id",
                "workspace_id",
                "project_id",
                "name",
                "description",
                "category",
                "content",
                "created_at",
                "updated_at",
            ],
            Self::TaskDependencies => &["task_id", "depends_on_task_id", "created_at"],
            Self::Relationships => &[
                "source_type",
                "source_id",
                "relationship_type",
                "target_type",
                "target_id",
                "weight",
                "metadata",
                "created_at",
            ],
            Self::ActivityFeed => {
                &["id", "task_id", "activity_type", "content", "details", "actor_id", "created_by", "created_at"]
            }
        }
    }

    /// Columns import also accepts, besides [`Table::columns`]: `kind` on
    /// entity tables (must name the table's kind, as `convoy get` prints
    /// it); `workflow_id` for `workflow_type`; `type` for `activity_type`
    /// (seed 002); the `id` of edge rows (read, not kept: an edge is known
    /// by its endpoints and type); and the seeds' columns Convoy has no
    /// place for, which must be `null` (`tasks.relationships`,
    /// `activity_feed.checkpoint_type`). O(1).
    #[must_use]
    pub const fn aliases(self) -> &'static [&'static str] {
        match self {
            Self::Tasks => &["kind", "workflow_id", "relationships"],
            Self::TaskDependencies | Self::Relationships => &["id"],
            Self::ActivityFeed => &["type", "checkpoint_type"],
            _ => &["kind"],
        }
    }

    /// Whether import reads `column` in this table. O(columns).
    #[must_use]
    pub fn accepts(self, column: &str) -> bool {
        self.columns().contains(&column) || self.aliases().contains(&column)
    }

    /// The foreign-key columns of an entity table, which Convoy stores as
    /// edges. Empty for the other tables. O(1).
    #[must_use]
    pub const fn foreign_keys(self) -> &'static [ForeignKey] {
        match self {
            Self::Projects => &[WORKSPACE, OWNER],
            Self::Workstreams => &[PROJECT, OWNER],
            Self::Milestones => &[PROJECT],
            Self::Slices => &[MILESTONE],
            Self::Tasks => &[PROJECT, WORKSTREAM, MILESTONE, SLICE, PARENT_TASK, OWNER, WORKFLOW],
            Self::Patterns | Self::BestPractices => &[SCOPE_WORKSPACE, SCOPE_PROJECT],
            _ => &[],
        }
    }

    /// The foreign key of this table filling `slot` with an entity of kind
    /// `target` (a pattern's scope is `workspace_id` or `project_id` by the
    /// scope's kind). O(1).
    #[must_use]
    pub fn foreign_key(self, slot: Slot, target: EntityKind) -> Option<ForeignKey> {
        self.foreign_keys().iter().copied().find(|f| f.slot == slot && f.target == target)
    }

    /// The foreign key called `column`, if this table has one. O(1).
    #[must_use]
    pub fn foreign_key_named(self, column: &str) -> Option<ForeignKey> {
        self.foreign_keys().iter().copied().find(|f| f.column == column)
    }
}

impl std::fmt::Display for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The seeds' table name for entities of `kind` (`tasks`, `best_practices`,
/// …). O(1).
#[must_use]
pub const fn table_of(kind: EntityKind) -> &'static str {
    kind.table()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_kinds_map_both_ways() {
        for table in Table::ALL {
            assert_eq!(Table::from_name(table.name()), Some(table));
            if let Some(kind) = table.kind() {
                assert_eq!(Table::of_kind(kind), table);
                assert_eq!(table_of(kind), table.name());
            }
        }
        assert_eq!(Table::from_name("Tasks"), None);
        assert_eq!(Table::from_name("task"), None);
    }

    #[test]
    fn import_order_puts_every_foreign_key_target_first() {
        for table in Table::ALL {
            for key in table.foreign_keys() {
                let target = Table::of_kind(key.target);
                // A task's parent task is in its own table; links to it are
                // made after every task exists.
                assert!(target < table || target == table && key.slot == Slot::ParentTask, "{table}.{}", key.column);
                assert!(table.columns().contains(&key.column), "{table}.{}", key.column);
            }
        }
    }

    #[test]
    fn every_foreign_key_relation_allows_its_endpoints() {
        for table in Table::ALL {
            let Some(kind) = table.kind() else { continue };
            for key in table.foreign_keys() {
                assert!(key.relation.allows(kind, key.target), "{table}.{}", key.column);
                assert_eq!(key.relation.slot(key.target), Some(key.slot), "{table}.{}", key.column);
            }
        }
    }

    #[test]
    fn foreign_keys_are_found_by_slot_and_kind() {
        let scope = Table::Patterns.foreign_key(Slot::Scope, EntityKind::Project).unwrap();
        assert_eq!(scope.column, "project_id");
        assert_eq!(Table::Tasks.foreign_key_named("workflow_type").unwrap().slot, Slot::Workflow);
        assert!(Table::Users.foreign_keys().is_empty());
        assert!(Table::Tasks.accepts("workflow_id") && !Table::Tasks.accepts("milestone"));
    }
}
