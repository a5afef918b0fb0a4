//! Validated field values: every string, list and number an entity holds is
//! checked once, on construction (and on deserialization), so the graph never
//! holds an oversized, blank or malformed value.

use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Serialize};

use crate::error::FieldError;

/// Longest name or title, in bytes.
pub const MAX_NAME_BYTES: usize = 1024;
/// Longest free text (description, overview, requirements, content), in bytes.
pub const MAX_TEXT_BYTES: usize = 64 * 1024;
/// Longest short tag (label, stage name, type, category), in bytes.
pub const MAX_TAG_BYTES: usize = 128;
/// Longest JSON document (tech stack, content, details, metadata), in bytes.
pub const MAX_JSON_BYTES: usize = 64 * 1024;
/// Most labels on one task.
pub const MAX_LABELS: usize = 64;

macro_rules! checked_string {
    ($(#[$doc:meta])* $name:ident, max = $max:expr, blank_ok = $blank_ok:expr) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(Box<str>);

        impl $name {
            /// Validates `value` for the field named `field`. O(len).
            ///
            /// # Errors
            /// [`FieldError::TooLong`] over the limit;
            #[doc = concat!("[`FieldError::Empty`] when blank (", stringify!($blank_ok), " = blank allowed);")]
            /// [`FieldError::Nul`] for a NUL character (PostgreSQL's `text`,
            /// the seeds' column type, refuses it too; and the store relies
            /// on records holding no long zero runs, see ARCHITECTURE.md).
            pub fn new(field: &'static str, value: impl Into<String>) -> Result<Self, FieldError> {
                let value: String = value.into();
                if value.len() > $max {
                    return Err(FieldError::TooLong { field, len: value.len(), max: $max });
                }
                if !$blank_ok && value.trim().is_empty() {
                    return Err(FieldError::Empty { field });
                }
                if let Some(at) = value.find('\0') {
                    return Err(FieldError::Nul { field, at });
                }
                Ok(Self(value.into_boxed_str()))
            }

            /// The text. O(1).
            #[must_use]
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = FieldError;
            fn try_from(value: String) -> Result<Self, FieldError> {
                Self::new(stringify!($name), value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0.into_string()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&*self.0, f)
            }
        }
    };
}

checked_string!(
    /// A required name or title: not blank, at most [`MAX_NAME_BYTES`].
    Name, max = MAX_NAME_BYTES, blank_ok = false
);
checked_string!(
    /// Optional free text: at most [`MAX_TEXT_BYTES`]; may be empty.
    Text, max = MAX_TEXT_BYTES, blank_ok = true
);
checked_string!(
    /// A short tag (label, stage name, pattern type, category, activity type):
    /// not blank, at most [`MAX_TAG_BYTES`].
    Tag, max = MAX_TAG_BYTES, blank_ok = false
);

/// A JSON document held as canonical text: parsed on construction, then
/// re-printed compactly with object keys sorted, so equal documents have equal
/// text. Text (not `serde_json::Value`) so any serde codec, bincode included,
/// can carry it.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Json(Box<str>);

impl Json {
    /// Parses and canonicalises `text` for the field named `field`.
    /// O(len); nesting is bounded by serde_json's recursion limit (128).
    ///
    /// # Errors
    /// [`FieldError::TooLong`] over [`MAX_JSON_BYTES`] (before parsing, and
    /// again after canonicalising); [`FieldError::InvalidJson`] when it does not parse.
    pub fn parse(field: &'static str, text: &str) -> Result<Self, FieldError> {
        if text.len() > MAX_JSON_BYTES {
            return Err(FieldError::TooLong { field, len: text.len(), max: MAX_JSON_BYTES });
        }
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| FieldError::InvalidJson { field, reason: e.to_string() })?;
        Self::from_value(field, &value)
    }

    /// Canonicalises an already-parsed value. O(size).
    ///
    /// # Errors
    /// [`FieldError::TooLong`] when the canonical text exceeds [`MAX_JSON_BYTES`].
    pub fn from_value(field: &'static str, value: &serde_json::Value) -> Result<Self, FieldError> {
        let text = value.to_string();
        if text.len() > MAX_JSON_BYTES {
            return Err(FieldError::TooLong { field, len: text.len(), max: MAX_JSON_BYTES });
        }
        Ok(Self(text.into_boxed_str()))
    }

    /// The canonical text. O(1).
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Parses the text back into a value. O(len). Never fails for a `Json`
    /// built by this type; returns `Null` if it somehow would.
    #[must_use]
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::from_str(&self.0).unwrap_or(serde_json::Value::Null)
    }
}

impl TryFrom<String> for Json {
    type Error = FieldError;
    fn try_from(value: String) -> Result<Self, FieldError> {
        Self::parse("json", &value)
    }
}

impl From<Json> for String {
    fn from(value: Json) -> String {
        value.0.into_string()
    }
}

impl fmt::Display for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A task's labels: at most [`MAX_LABELS`] distinct [`Tag`]s, in the order given.
#[derive(Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "Vec<Tag>", into = "Vec<Tag>")]
pub struct Labels(Vec<Tag>);

impl Labels {
    /// Validates a label list. O(n²) in the label count (n ≤ 64).
    ///
    /// # Errors
    /// [`FieldError::TooMany`] over [`MAX_LABELS`]; [`FieldError::Duplicate`]
    /// when a label repeats (compared exactly); any [`Tag`] error.
    pub fn new<I, S>(labels: I) -> Result<Self, FieldError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut out: Vec<Tag> = Vec::new();
        for label in labels {
            if out.len() == MAX_LABELS {
                return Err(FieldError::TooMany { field: "labels", max: MAX_LABELS });
            }
            let tag = Tag::new("labels", label)?;
            if out.contains(&tag) {
                return Err(FieldError::Duplicate { field: "labels", value: tag.to_string() });
            }
            out.push(tag);
        }
        Ok(Self(out))
    }

    /// The labels in order. O(1).
    #[must_use]
    pub fn as_slice(&self) -> &[Tag] {
        &self.0
    }

    /// Whether `label` is among them (exact match). O(n).
    #[must_use]
    pub fn contains(&self, label: &str) -> bool {
        self.0.iter().any(|t| t.as_str() == label)
    }
}

impl TryFrom<Vec<Tag>> for Labels {
    type Error = FieldError;
    fn try_from(value: Vec<Tag>) -> Result<Self, FieldError> {
        Self::new(value.into_iter().map(String::from))
    }
}

impl From<Labels> for Vec<Tag> {
    fn from(value: Labels) -> Self {
        value.0
    }
}

impl fmt::Debug for Labels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(&self.0).finish()
    }
}

/// A number in `0.0..=1.0` (never NaN): workstream progress, edge weights.
#[derive(Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct Fraction(f64);

impl Fraction {
    /// Zero.
    pub const ZERO: Self = Self(0.0);
    /// One.
    pub const ONE: Self = Self(1.0);

    /// Validates `value` for the field named `field`. O(1).
    ///
    /// # Errors
    /// [`FieldError::OutOfRange`] when not within `0.0..=1.0` or NaN.
    pub fn new(field: &'static str, value: f64) -> Result<Self, FieldError> {
        if (0.0..=1.0).contains(&value) {
            // Normalise -0.0 so equal fractions have equal bits.
            Ok(Self(value + 0.0))
        } else {
            Err(FieldError::OutOfRange { field, value: value.to_string(), range: "0..=1" })
        }
    }

    /// The value. O(1).
    #[must_use]
    pub const fn get(self) -> f64 {
        self.0
    }
}

impl Eq for Fraction {}

impl TryFrom<f64> for Fraction {
    type Error = FieldError;
    fn try_from(value: f64) -> Result<Self, FieldError> {
        Self::new("fraction", value)
    }
}

impl From<Fraction> for f64 {
    fn from(value: Fraction) -> f64 {
        value.0
    }
}

impl fmt::Debug for Fraction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for Fraction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_names_are_refused_but_blank_text_is_not() {
        assert_eq!(Name::new("title", "  \n").unwrap_err(), FieldError::Empty { field: "title" });
        assert!(Text::new("description", "").is_ok());
    }

    #[test]
    fn nul_characters_are_refused_in_every_text_field() {
        assert_eq!(Name::new("title", "a\0b").unwrap_err(), FieldError::Nul { field: "title", at: 1 });
        assert_eq!(Text::new("description", "\0").unwrap_err(), FieldError::Nul { field: "description", at: 0 });
        // JSON carries NUL escaped, never raw.
        let json = Json::parse("content", r#"{"a":"\u0000"}"#).unwrap();
        assert!(!json.as_str().contains('\0'));
    }

    #[test]
    fn oversized_values_name_field_length_and_limit() {
        let err = Name::new("title", "x".repeat(MAX_NAME_BYTES + 1)).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("field `title` is {} bytes, over the limit of {MAX_NAME_BYTES}", MAX_NAME_BYTES + 1)
        );
    }

    #[test]
    fn json_is_canonicalised() {
        let a = Json::parse("content", r#"{ "b": 1, "a": [true, null] }"#).unwrap();
        let b = Json::parse("content", r#"{"a":[true,null],"b":1}"#).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.as_str(), r#"{"a":[true,null],"b":1}"#);
    }

    #[test]
    fn json_that_does_not_parse_is_refused() {
        let err = Json::parse("tech_stack", "{oops").unwrap_err();
        assert!(matches!(err, FieldError::InvalidJson { field: "tech_stack", .. }), "{err}");
    }

    #[test]
    fn deeply_nested_json_is_refused_not_overflowed() {
        let deep = "[".repeat(100_000);
        assert!(Json::parse("content", &deep).is_err());
    }

    #[test]
    fn labels_refuse_duplicates_and_excess() {
        assert!(matches!(Labels::new(["a", "a"]), Err(FieldError::Duplicate { .. })));
        let many: Vec<String> = (0..=MAX_LABELS).map(|i| format!("l{i}")).collect();
        assert!(matches!(Labels::new(many), Err(FieldError::TooMany { .. })));
        assert!(Labels::new(["backend", "db"]).unwrap().contains("db"));
    }

    #[test]
    fn fractions_refuse_nan_and_out_of_range() {
        assert!(Fraction::new("weight", f64::NAN).is_err());
        assert!(Fraction::new("weight", 1.5).is_err());
        assert!(Fraction::new("weight", -0.1).is_err());
        assert_eq!(Fraction::new("weight", -0.0).unwrap().get().to_bits(), 0.0f64.to_bits());
    }

    #[test]
    fn fractions_round_trip_through_json_bit_exactly() {
        // Without serde_json's float_roundtrip, 47 of these came back one bit off.
        for k in 0..=255u32 {
            let f = Fraction::new("weight", f64::from(k) / 255.0).unwrap();
            let back: Fraction = serde_json::from_str(&serde_json::to_string(&f).unwrap()).unwrap();
            assert_eq!(back.get().to_bits(), f.get().to_bits(), "k = {k}");
        }
    }

    #[test]
    fn deserializing_validates() {
        let err = serde_json::from_str::<Name>("\"\"").unwrap_err();
        assert!(err.to_string().contains("empty"), "{err}");
    }
}
