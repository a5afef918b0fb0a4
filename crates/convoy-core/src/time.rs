//! Timestamps: microseconds since the Unix epoch, UTC.
//!
//! A plain `i64` keeps entities small, totally ordered and cheap to encode;
//! RFC 3339 text appears only at the edges (Display, parsing).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::error::ParseError;

/// A point in time with microsecond precision, UTC.
///
/// Ops carry their own timestamps (read once, when the op is built), so replay
/// never reads the clock.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The Unix epoch.
    pub const EPOCH: Self = Self(0);

    /// Reads the system clock. Call when building an op, never while applying one. O(1).
    #[must_use]
    pub fn now() -> Self {
        Self(Utc::now().timestamp_micros())
    }

    /// From microseconds since the epoch. O(1).
    #[must_use]
    pub const fn from_micros(micros: i64) -> Self {
        Self(micros)
    }

    /// Microseconds since the epoch. O(1).
    #[must_use]
    pub const fn as_micros(self) -> i64 {
        self.0
    }

    /// As a chrono date-time; `None` only for values outside chrono's range
    /// (about ±262,000 years). O(1).
    #[must_use]
    pub fn to_datetime(self) -> Option<DateTime<Utc>> {
        DateTime::from_timestamp_micros(self.0)
    }

    /// From a chrono date-time (sub-microsecond precision is dropped). O(1).
    #[must_use]
    pub fn from_datetime(dt: DateTime<Utc>) -> Self {
        Self(dt.timestamp_micros())
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339 with microseconds, e.g. `2026-11-22T10:17:00.000000Z`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to_datetime() {
            Some(dt) => f.write_str(&dt.to_rfc3339_opts(SecondsFormat::Micros, true)),
            None => write!(f, "@{}us", self.0),
        }
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl FromStr for Timestamp {
    type Err = ParseError;

    /// Parses RFC 3339 (any offset; converted to UTC).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DateTime::parse_from_rfc3339(s)
            .map(|dt| Self::from_datetime(dt.with_timezone(&Utc)))
            .map_err(|_| ParseError::Unknown { what: "RFC 3339 timestamp", value: crate::error::clip(s) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_round_trip_keeps_microseconds() {
        let t: Timestamp = "2026-11-22T10:17:00.123456+02:00".parse().unwrap();
        assert_eq!(t.to_string(), "2026-11-22T08:17:00.123456Z");
        assert_eq!(t.to_string().parse::<Timestamp>().unwrap(), t);
    }

    #[test]
    fn out_of_range_prints_without_panicking() {
        assert_eq!(Timestamp::from_micros(i64::MAX).to_string(), format!("@{}us", i64::MAX));
    }
}
