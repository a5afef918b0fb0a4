//! Workflow stages: the ordered steps a task moves through, some of them
//! human checkpoints (seed 002).

use serde::{Deserialize, Serialize};

use super::text::{Tag, Text};
use crate::error::FieldError;

/// Most stages in one workflow.
pub const MAX_STAGES: usize = 64;

/// One stage of a workflow.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
pub struct Stage {
    /// The stage's name, unique within its workflow (`PLAN`, `IMPLEMENT`, …).
    pub name: Tag,
    /// What happens in this stage.
    pub description: Option<Text>,
    /// Whether a person must sign the stage off.
    pub is_checkpoint: bool,
    /// What kind of checkpoint (`PLAN_REVIEW`, …), when it is one.
    pub checkpoint_type: Option<Tag>,
}

impl Stage {
    /// A plain (non-checkpoint) stage. O(len).
    ///
    /// # Errors
    /// Any [`Tag`] error for the name.
    pub fn new(name: &str) -> Result<Self, FieldError> {
        Ok(Self {
            name: Tag::new("stages.name", name)?,
            description: None,
            is_checkpoint: false,
            checkpoint_type: None,
        })
    }
}

/// A workflow's stages: 1 to [`MAX_STAGES`] stages with distinct names, in order.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(try_from = "Vec<Stage>", into = "Vec<Stage>")]
pub struct Stages(Vec<Stage>);

impl Stages {
    /// Validates a stage list. O(n²) in the stage count (n ≤ 64).
    ///
    /// # Errors
    /// [`FieldError::Empty`] for no stages, [`FieldError::TooMany`] over the
    /// limit, [`FieldError::Duplicate`] for a repeated stage name.
    pub fn new(stages: Vec<Stage>) -> Result<Self, FieldError> {
        if stages.is_empty() {
            return Err(FieldError::Empty { field: "stages" });
        }
        if stages.len() > MAX_STAGES {
            return Err(FieldError::TooMany { field: "stages", max: MAX_STAGES });
        }
        for (i, stage) in stages.iter().enumerate() {
            if stages[..i].iter().any(|s| s.name == stage.name) {
                return Err(FieldError::Duplicate { field: "stages", value: stage.name.to_string() });
            }
        }
        Ok(Self(stages))
    }

    /// The stages in order. O(1).
    #[must_use]
    pub fn as_slice(&self) -> &[Stage] {
        &self.0
    }

    /// The stage called `name` (exact match), if any. O(n), n ≤ 64.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Stage> {
        self.0.iter().find(|s| s.name.as_str() == name)
    }

    /// The seeds' standard development workflow: PLAN, PLAN_REVIEW (checkpoint),
    /// IMPLEMENT, CODE_REVIEW (checkpoint), TEST, DONE.
    #[must_use]
    pub fn standard() -> Self {
        const STANDARD: [(&str, &str, bool); 6] = [
            ("PLAN", "Create implementation plan", false),
            ("PLAN_REVIEW", "Human review of implementation plan", true),
            ("IMPLEMENT", "Execute implementation plan", false),
            ("CODE_REVIEW", "Human review of the implementation", true),
            ("TEST", "Verify the implementation", false),
            ("DONE", "Work complete", false),
        ];
        // The constants above are valid tags and texts, so nothing is dropped.
        Self(
            STANDARD
                .iter()
                .filter_map(|&(name, what, checkpoint)| {
                    Some(Stage {
                        name: Tag::new("stages.name", name).ok()?,
                        description: Text::new("stages.description", what).ok(),
                        is_checkpoint: checkpoint,
                        checkpoint_type: if checkpoint { Tag::new("stages.checkpoint_type", name).ok() } else { None },
                    })
                })
                .collect(),
        )
    }
}

impl TryFrom<Vec<Stage>> for Stages {
    type Error = FieldError;
    fn try_from(value: Vec<Stage>) -> Result<Self, FieldError> {
        Self::new(value)
    }
}

impl From<Stages> for Vec<Stage> {
    fn from(value: Stages) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_must_be_non_empty_and_distinct() {
        assert_eq!(Stages::new(vec![]).unwrap_err(), FieldError::Empty { field: "stages" });
        let plan = Stage::new("PLAN").unwrap();
        assert!(matches!(Stages::new(vec![plan.clone(), plan]), Err(FieldError::Duplicate { .. })));
    }

    #[test]
    fn standard_workflow_has_two_checkpoints() {
        let s = Stages::standard();
        assert_eq!(s.as_slice().iter().filter(|s| s.is_checkpoint).count(), 2);
        assert!(s.get("PLAN_REVIEW").unwrap().is_checkpoint);
    }
}
