//! Activity-feed entries: events about a task, kept in the task's
//! time-ordered feed rather than as graph nodes.

use serde::{Deserialize, Serialize};

use super::text::{Json, Tag, Text};
use crate::error::FieldError;
use crate::id::{ActivityId, EntityId};
use crate::time::Timestamp;

/// The activity type recorded by a stage transition.
pub const STAGE_TRANSITION: &str = "STAGE_TRANSITION";

/// One entry of a task's activity feed (the seeds' `activity_feed` row).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Activity {
    /// The entry's id, unique within its task's feed.
    pub id: ActivityId,
    /// The task the entry is about.
    pub task: EntityId,
    /// What happened (`STAGE_TRANSITION`, `COMMENT`, `TASK_UPDATED`, …).
    pub activity_type: Tag,
    /// Human-readable text.
    pub content: Option<Text>,
    /// Structured details, as JSON.
    pub details: Option<Json>,
    /// The user who acted, if known. Events are history: the user need not
    /// (still) exist.
    pub actor: Option<EntityId>,
    /// Free-form author (`AI`, `SYSTEM`, a user name), as seed 002 records it.
    pub created_by: Option<Tag>,
    /// When it happened; the feed is ordered by `(created_at, id)`.
    pub created_at: Timestamp,
}

impl Activity {
    /// A bare entry of the given type. O(len).
    ///
    /// # Errors
    /// Any [`Tag`] error for the type: blank or oversized.
    pub fn new(id: ActivityId, task: EntityId, activity_type: &str, created_at: Timestamp) -> Result<Self, FieldError> {
        Ok(Self {
            id,
            task,
            activity_type: Tag::new("activity_type", activity_type)?,
            content: None,
            details: None,
            actor: None,
            created_by: None,
            created_at,
        })
    }

    /// The feed's sort key. O(1).
    #[must_use]
    pub const fn order_key(&self) -> (Timestamp, ActivityId) {
        (self.created_at, self.id)
    }
}
