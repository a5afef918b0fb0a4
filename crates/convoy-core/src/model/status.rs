//! Status and priority vocabularies, spelled as the seeds spell them.

use super::vocab::vocabulary;

vocabulary! {
    /// A task's status. The seeds use `PLANNED` (002) and `TODO` (003) as defaults;
    /// Convoy defaults to `TODO`.
    TaskStatus, "task status" {
        /// Not started (the seeds' default).
        Todo => "TODO",
        /// Planned but not yet ready to start.
        Planned => "PLANNED",
        /// Being worked on.
        InProgress => "IN_PROGRESS",
        /// Waiting for review.
        InReview => "IN_REVIEW",
        /// Marked blocked by a person (dependency edges are separate).
        Blocked => "BLOCKED",
        /// Finished.
        Done => "DONE",
        /// Abandoned.
        Cancelled => "CANCELLED",
    }
}

impl TaskStatus {
    /// Open means neither `DONE` nor `CANCELLED`: still work to do, and still
    /// blocking whatever it blocks. O(1).
    #[must_use]
    pub const fn is_open(self) -> bool {
        !matches!(self, Self::Done | Self::Cancelled)
    }
}

vocabulary! {
    /// A task's priority.
    Priority, "priority" {
        /// Low.
        Low => "LOW",
        /// Medium.
        Medium => "MEDIUM",
        /// High.
        High => "HIGH",
        /// Urgent.
        Urgent => "URGENT",
    }
}

vocabulary! {
    /// The status of a container: project, workstream, milestone or slice.
    /// The seeds' defaults: projects `ACTIVE`, milestones `PLANNED`,
    /// workstreams and slices `NOT_STARTED`.
    Status, "status" {
        /// Not started.
        NotStarted => "NOT_STARTED",
        /// Planned.
        Planned => "PLANNED",
        /// Active.
        Active => "ACTIVE",
        /// In progress.
        InProgress => "IN_PROGRESS",
        /// On hold.
        OnHold => "ON_HOLD",
        /// Completed.
        Completed => "COMPLETED",
        /// Cancelled.
        Cancelled => "CANCELLED",
        /// Archived.
        Archived => "ARCHIVED",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_parse_any_case_and_print_upper_snake() {
        assert_eq!("in_progress".parse::<TaskStatus>().unwrap(), TaskStatus::InProgress);
        assert_eq!(TaskStatus::InProgress.to_string(), "IN_PROGRESS");
        assert_eq!("Urgent".parse::<Priority>().unwrap(), Priority::Urgent);
        assert_eq!("not_started".parse::<Status>().unwrap(), Status::NotStarted);
    }

    #[test]
    fn unknown_status_error_names_value() {
        let err = "FINISHED".parse::<TaskStatus>().unwrap_err();
        assert_eq!(err.to_string(), "unknown task status \"FINISHED\"");
    }

    #[test]
    fn priorities_order_low_to_urgent() {
        assert!(Priority::Low < Priority::Medium && Priority::High < Priority::Urgent);
    }

    #[test]
    fn open_means_not_done_or_cancelled() {
        let open = TaskStatus::ALL.iter().filter(|s| s.is_open()).count();
        assert_eq!(open, 5);
        assert!(!TaskStatus::Done.is_open() && !TaskStatus::Cancelled.is_open());
    }
}
