//! The kinds of entity a Convoy graph holds.

use super::vocab::vocabulary;

vocabulary! {
    /// The kind of an entity; the seeds' `entity_type`.
    EntityKind, "entity kind" {
        /// Top-level container of projects.
        Workspace => "workspace",
        /// A project inside one workspace.
        Project => "project",
        /// A stream of work inside one project.
        Workstream => "workstream",
        /// A milestone inside one project.
        Milestone => "milestone",
        /// A slice of one milestone.
        Slice => "slice",
        /// A unit of work.
        Task => "task",
        /// A workflow definition: ordered stages with checkpoints.
        Workflow => "workflow",
        /// A reusable implementation pattern.
        Pattern => "pattern",
        /// A best practice.
        BestPractice => "best_practice",
        /// An owner of projects, workstreams and tasks.
        User => "user",
    }
}

impl EntityKind {
    /// The seeds' table name for this kind (`best_practices`, `tasks`, …). O(1).
    #[must_use]
    pub const fn table(self) -> &'static str {
        match self {
            Self::Workspace => "workspaces",
            Self::Project => "projects",
            Self::Workstream => "workstreams",
            Self::Milestone => "milestones",
            Self::Slice => "slices",
            Self::Task => "tasks",
            Self::Workflow => "workflows",
            Self::Pattern => "patterns",
            Self::BestPractice => "best_practices",
            Self::User => "users",
        }
    }

    /// A dense index in `0..COUNT`, for per-kind arrays. O(1).
    #[must_use]
    pub const fn index(self) -> usize {
        self as usize
    }

    /// How many kinds there are.
    pub const COUNT: usize = 10;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_case_insensitively_and_prints_seed_spelling() {
        assert_eq!("BEST_PRACTICE".parse::<EntityKind>().unwrap(), EntityKind::BestPractice);
        assert_eq!(EntityKind::BestPractice.to_string(), "best_practice");
        assert!("bestpractice".parse::<EntityKind>().is_err());
    }

    #[test]
    fn dense_indexes_cover_all_kinds() {
        assert_eq!(EntityKind::ALL.len(), EntityKind::COUNT);
        for (i, k) in EntityKind::ALL.iter().enumerate() {
            assert_eq!(k.index(), i);
        }
    }
}
