//! Reading typed cells out of one JSON row, collecting every problem
//! instead of stopping at the first.

use std::fmt::Display;
use std::str::FromStr;

use convoy_core::model::{Fraction, Json, Labels, MAX_LABELS, MAX_STAGES, Name, Stage, Stages, Tag, Text};
use convoy_core::{ActivityId, EntityId, Timestamp};
use serde_json::{Map, Value};

use super::issue::{Issue, clip, describe};

/// A converter from one non-null cell to a typed value.
pub(crate) type Conv<T> = fn(&'static str, &Value) -> Result<T, Issue>;

/// One row being read: every accessor records what is wrong and carries
/// on, so a row reports all its bad columns at once.
pub(crate) struct Cells<'a> {
    row: &'a Map<String, Value>,
    issues: Vec<Issue>,
}

impl<'a> Cells<'a> {
    /// Starts reading `row`. O(1).
    pub(crate) const fn new(row: &'a Map<String, Value>) -> Self {
        Self { row, issues: Vec::new() }
    }

    /// The cell's value, unless it is absent or `null`. O(log columns).
    pub(crate) fn value(&self, column: &str) -> Option<&'a Value> {
        self.row.get(column).filter(|v| !v.is_null())
    }

    /// Whether the row has the column at all, even as `null`. O(log columns).
    pub(crate) fn has(&self, column: &str) -> bool {
        self.row.contains_key(column)
    }

    /// Records a problem. O(1).
    pub(crate) fn push(&mut self, issue: Issue) {
        self.issues.push(issue);
    }

    /// Whether a problem was recorded so far. O(1).
    pub(crate) fn failed(&self) -> bool {
        !self.issues.is_empty()
    }

    /// A required cell: absent or `null` is `missing_column`. O(cell).
    pub(crate) fn req<T>(&mut self, column: &'static str, conv: Conv<T>) -> Option<T> {
        match self.value(column) {
            None => {
                self.push(Issue::at("missing_column", column, format!("`{column}` is required")));
                None
            }
            Some(v) => self.convert(column, v, conv),
        }
    }

    /// An optional cell: absent or `null` is `None`; a bad value is
    /// recorded and also gives `None`. O(cell).
    pub(crate) fn opt<T>(&mut self, column: &'static str, conv: Conv<T>) -> Option<T> {
        self.value(column).and_then(|v| self.convert(column, v, conv))
    }

    /// A cell of a patch for a field that cannot be empty: absent keeps the
    /// field (`None`); `null` is refused. O(cell).
    pub(crate) fn patch_req<T>(&mut self, column: &'static str, conv: Conv<T>) -> Option<T> {
        match self.row.get(column) {
            None => None,
            Some(Value::Null) => {
                self.push(Issue::at("bad_value", column, format!("`{column}` cannot be null")));
                None
            }
            Some(v) => self.convert(column, v, conv),
        }
    }

    /// A cell of a patch for a nullable field: absent keeps it (`None`),
    /// `null` clears it (`Some(None)`). O(cell).
    pub(crate) fn patch_opt<T>(&mut self, column: &'static str, conv: Conv<T>) -> Option<Option<T>> {
        match self.row.get(column) {
            None => None,
            Some(Value::Null) => Some(None),
            Some(v) => self.convert(column, v, conv).map(Some),
        }
    }

    /// Reads whichever of two spellings of one column is given (`activity_type`
    /// or `type`); both given with different values is a `contradiction`.
    /// Returns the value of the one to read. O(cell).
    pub(crate) fn either(&mut self, column: &'static str, alias: &'static str) -> Option<&'a Value> {
        match (self.value(column), self.value(alias)) {
            (Some(a), Some(b)) if a != b => {
                self.push(Issue::at("contradiction", alias, format!("`{alias}` and `{column}` differ")));
                None
            }
            (Some(a), _) => Some(a),
            (None, b) => b,
        }
    }

    /// Records `unknown_column` for every column `accepts` refuses. O(columns).
    pub(crate) fn refuse_unknown(&mut self, what: &str, accepts: impl Fn(&str) -> bool) {
        let unknown: Vec<Issue> = self
            .row
            .keys()
            .filter(|k| !accepts(k))
            .map(|k| Issue::at("unknown_column", clip(k), format!("{what} has no column {:?}", clip(k))))
            .collect();
        self.issues.extend(unknown);
    }

    /// Records `not_supported` when a column Convoy has no place for holds a
    /// value. O(1).
    pub(crate) fn null_only(&mut self, column: &'static str, why: &str) {
        if let Some(v) = self.value(column) {
            self.push(Issue::at("not_supported", column, format!("must be null, not {}: {why}", describe(v))));
        }
    }

    /// Converts one cell, recording a failure. O(cell).
    pub(crate) fn convert<T>(&mut self, column: &'static str, value: &Value, conv: Conv<T>) -> Option<T> {
        match conv(column, value) {
            Ok(v) => Some(v),
            Err(issue) => {
                self.push(issue);
                None
            }
        }
    }

    /// The problems found, if any; else `value`. A `None` value with no
    /// recorded problem (a bug) is reported as a `bad_value` of the row. O(1).
    pub(crate) fn finish<T>(self, value: Option<T>) -> Result<T, Vec<Issue>> {
        match value {
            Some(v) if self.issues.is_empty() => Ok(v),
            Some(_) => Err(self.issues),
            None if self.issues.is_empty() => Err(vec![Issue::row("bad_value", "the row could not be read")]),
            None => Err(self.issues),
        }
    }
}

fn expected(column: &'static str, what: &str, value: &Value) -> Issue {
    Issue::at("bad_value", column, format!("expected {what}, found {}", describe(value)))
}

fn string<'v>(column: &'static str, value: &'v Value) -> Result<&'v str, Issue> {
    value.as_str().ok_or_else(|| expected(column, "a string", value))
}

fn field<T>(column: &'static str, result: Result<T, convoy_core::FieldError>) -> Result<T, Issue> {
    result.map_err(|e| Issue::at("bad_value", column, e.to_string()))
}

/// An entity id (a UUID string). O(len).
pub(crate) fn to_id(column: &'static str, value: &Value) -> Result<EntityId, Issue> {
    let s = string(column, value)?;
    s.parse().map_err(|_| Issue::at("bad_value", column, format!("{:?} is not a UUID", clip(s))))
}

/// An activity id (a UUID string). O(len).
pub(crate) fn to_activity_id(column: &'static str, value: &Value) -> Result<ActivityId, Issue> {
    let s = string(column, value)?;
    s.parse().map_err(|_| Issue::at("bad_value", column, format!("{:?} is not a UUID", clip(s))))
}

/// A name or title. O(len).
pub(crate) fn to_name(column: &'static str, value: &Value) -> Result<Name, Issue> {
    field(column, Name::new(column, string(column, value)?))
}

/// Free text. O(len).
pub(crate) fn to_text(column: &'static str, value: &Value) -> Result<Text, Issue> {
    field(column, Text::new(column, string(column, value)?))
}

/// A short tag (type, category, stage, author). O(len).
pub(crate) fn to_tag(column: &'static str, value: &Value) -> Result<Tag, Issue> {
    field(column, Tag::new(column, string(column, value)?))
}

/// Any JSON value, kept as canonical text. O(size).
pub(crate) fn to_json(column: &'static str, value: &Value) -> Result<Json, Issue> {
    field(column, Json::from_value(column, value))
}

/// An RFC 3339 timestamp. O(len).
pub(crate) fn to_time(column: &'static str, value: &Value) -> Result<Timestamp, Issue> {
    let s = string(column, value)?;
    s.parse().map_err(|_| Issue::at("bad_value", column, format!("{:?} is not an RFC 3339 timestamp", clip(s))))
}

/// A closed vocabulary (status, priority, kind), any case. O(len).
pub(crate) fn to_vocab<T>(column: &'static str, value: &Value) -> Result<T, Issue>
where
    T: FromStr,
    T::Err: Display,
{
    string(column, value)?.parse().map_err(|e: T::Err| Issue::at("bad_value", column, e.to_string()))
}

/// A number in `0..=1`. O(1).
pub(crate) fn to_fraction(column: &'static str, value: &Value) -> Result<Fraction, Issue> {
    let n = value.as_f64().ok_or_else(|| expected(column, "a number", value))?;
    field(column, Fraction::new(column, n))
}

/// A JSON array of distinct label strings. O(labels).
pub(crate) fn to_labels(column: &'static str, value: &Value) -> Result<Labels, Issue> {
    let items = value.as_array().ok_or_else(|| expected(column, "an array of strings", value))?;
    if items.len() > MAX_LABELS {
        return Err(Issue::at("bad_value", column, format!("{} labels, over the limit of {MAX_LABELS}", items.len())));
    }
    let labels: Vec<&str> = items.iter().map(|v| string(column, v)).collect::<Result<_, _>>()?;
    field(column, Labels::new(labels))
}

/// A workflow's stages: the seeds' JSON array of
/// `{name, description, is_checkpoint, checkpoint_type}`. O(stages).
pub(crate) fn to_stages(column: &'static str, value: &Value) -> Result<Stages, Issue> {
    let items = value.as_array().ok_or_else(|| expected(column, "an array of stage objects", value))?;
    if items.len() > MAX_STAGES {
        return Err(Issue::at("bad_value", column, format!("{} stages, over the limit of {MAX_STAGES}", items.len())));
    }
    let mut stages = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        stages.push(stage(column, i, item)?);
    }
    field(column, Stages::new(stages))
}

/// Stage `i` of a stages array. O(stage).
fn stage(column: &'static str, i: usize, item: &Value) -> Result<Stage, Issue> {
    let at = |key: &str| format!("{column}[{i}].{key}");
    let relocate = |key: &'static str| move |e: Issue| Issue { column: Some(at(key)), ..e };
    let object =
        item.as_object().ok_or_else(|| Issue::at("bad_value", format!("{column}[{i}]"), "expected a stage object"))?;
    if let Some(key) = object.keys().find(|k| !STAGE_KEYS.contains(&k.as_str())) {
        return Err(Issue::at("unknown_column", at(&clip(key)), format!("a stage has no key {:?}", clip(key))));
    }
    let name = match object.get("name") {
        None | Some(Value::Null) => return Err(Issue::at("missing_column", at("name"), "a stage needs a name")),
        Some(v) => to_tag("stages.name", v).map_err(relocate("name"))?,
    };
    let description = match object.get("description") {
        None | Some(Value::Null) => None,
        Some(v) => Some(to_text("stages.description", v).map_err(relocate("description"))?),
    };
    let checkpoint_type = match object.get("checkpoint_type") {
        None | Some(Value::Null) => None,
        Some(v) => Some(to_tag("stages.checkpoint_type", v).map_err(relocate("checkpoint_type"))?),
    };
    let is_checkpoint = match object.get("is_checkpoint") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(v) => return Err(relocate("is_checkpoint")(expected("is_checkpoint", "true or false", v))),
    };
    Ok(Stage { name, description, is_checkpoint, checkpoint_type })
}

const STAGE_KEYS: [&str; 4] = ["name", "description", "is_checkpoint", "checkpoint_type"];

#[cfg(test)]
mod tests {
    use convoy_core::model::Status;
    use serde_json::json;

    use super::*;

    fn row(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn every_bad_cell_is_reported_not_just_the_first() {
        let r = row(json!({"name": "", "status": "NOPE", "progress": 2, "extra": 1}));
        let mut cells = Cells::new(&r);
        assert!(cells.req("name", to_name).is_none());
        assert!(cells.opt("status", to_vocab::<Status>).is_none());
        assert!(cells.opt("progress", to_fraction).is_none());
        assert!(cells.req("id", to_id).is_none());
        cells.refuse_unknown("workstreams", |c| c != "extra");
        let issues = cells.finish(Some(())).unwrap_err();
        let columns: Vec<_> = issues.iter().map(|i| (i.code, i.column.clone().unwrap())).collect();
        assert_eq!(
            columns,
            [
                ("bad_value", "name".to_string()),
                ("bad_value", "status".into()),
                ("bad_value", "progress".into()),
                ("missing_column", "id".into()),
                ("unknown_column", "extra".into()),
            ]
        );
        assert!(issues[1].reason.contains("NOPE"), "{}", issues[1]);
    }

    #[test]
    fn patch_cells_tell_keep_clear_and_set_apart() {
        let r = row(json!({"description": null, "name": null, "overview": "x"}));
        let mut cells = Cells::new(&r);
        assert_eq!(cells.patch_opt("description", to_text), Some(None));
        assert_eq!(cells.patch_opt("requirements", to_text), None);
        assert_eq!(cells.patch_opt("overview", to_text).unwrap().unwrap().as_str(), "x");
        assert_eq!(cells.patch_req("name", to_name), None);
        let issues = cells.finish(Some(())).unwrap_err();
        assert_eq!(issues[0].reason, "`name` cannot be null");
    }

    #[test]
    fn aliases_must_agree() {
        let r = row(json!({"activity_type": "COMMENT", "type": "NOTE"}));
        let mut cells = Cells::new(&r);
        assert!(cells.either("activity_type", "type").is_none());
        assert_eq!(cells.finish(Some(())).unwrap_err()[0].code, "contradiction");
        let r = row(json!({"type": "NOTE"}));
        let mut cells = Cells::new(&r);
        assert_eq!(cells.either("activity_type", "type"), Some(&json!("NOTE")));
    }

    #[test]
    fn stages_read_the_seeds_array_and_name_the_bad_item() {
        let stages = to_stages(
            "stages",
            &json!([
                {"name": "PLAN", "description": "Create plan", "is_checkpoint": false},
                {"name": "PLAN_REVIEW", "is_checkpoint": true, "checkpoint_type": "PLAN_REVIEW"}
            ]),
        )
        .unwrap();
        assert!(stages.get("PLAN_REVIEW").unwrap().is_checkpoint);
        let err = to_stages("stages", &json!([{"name": "PLAN"}, {"name": "X", "colour": "red"}])).unwrap_err();
        assert_eq!(err.column.as_deref(), Some("stages[1].colour"));
        let err = to_stages("stages", &json!([{"name": "PLAN", "is_checkpoint": "yes"}])).unwrap_err();
        assert_eq!(err.column.as_deref(), Some("stages[0].is_checkpoint"));
        let err = to_stages("stages", &json!([{"description": "no name"}])).unwrap_err();
        assert_eq!(err.code, "missing_column");
        assert!(to_stages("stages", &json!([])).is_err());
        assert!(to_stages("stages", &json!([{"name": "A"}, {"name": "A"}])).is_err());
    }

    #[test]
    fn oversized_lists_are_refused_before_they_are_built() {
        let many: Vec<Value> = (0..10_000).map(|i| json!(format!("l{i}"))).collect();
        let err = to_labels("labels", &Value::Array(many)).unwrap_err();
        assert!(err.reason.contains("10000 labels"), "{err}");
        let many: Vec<Value> = (0..100).map(|i| json!({"name": format!("S{i}")})).collect();
        assert!(to_stages("stages", &Value::Array(many)).unwrap_err().reason.contains("100 stages"));
    }

    #[test]
    fn converters_name_what_they_expected() {
        assert!(to_id("task_id", &json!("nope")).unwrap_err().reason.contains("\"nope\" is not a UUID"));
        assert!(to_id("task_id", &json!(7)).unwrap_err().reason.contains("expected a string, found the number 7"));
        assert!(to_time("created_at", &json!("yesterday")).unwrap_err().reason.contains("RFC 3339"));
        assert_eq!(to_json("content", &json!({"b": 1, "a": 2})).unwrap().as_str(), r#"{"a":2,"b":1}"#);
        assert!(to_labels("labels", &json!(["a", 1])).is_err());
        assert!(to_labels("labels", &json!(["a", "a"])).is_err());
    }
}
