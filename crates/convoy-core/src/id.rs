//! Identifiers: every entity and every activity entry is addressed by a UUID.
//!
//! Petgraph node indices never leave the graph type; these ids are the only
//! handles the outside world sees, so nothing observable depends on index order.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::ParseError;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// Wraps an existing UUID. O(1).
            #[must_use]
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// A fresh random (version 4) id. Read once when an op is built,
            /// never during replay. O(1).
            #[must_use]
            pub fn random() -> Self {
                Self(Uuid::new_v4())
            }

            /// The underlying UUID. O(1).
            #[must_use]
            pub const fn as_uuid(&self) -> &Uuid {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0.hyphenated(), f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(self, f)
            }
        }

        impl FromStr for $name {
            type Err = ParseError;

            /// Parses any textual UUID form (hyphenated, simple, braced, URN).
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self).map_err(|_| ParseError::Unknown {
                    what: $what,
                    value: crate::error::clip(s),
                })
            }
        }

        impl From<Uuid> for $name {
            fn from(uuid: Uuid) -> Self {
                Self(uuid)
            }
        }
    };
}

uuid_id!(
    /// The id of an entity (a graph node): workspace, project, task, user, …
    EntityId,
    "entity id"
);

uuid_id!(
    /// The id of one activity-feed entry. Unique within its task's feed.
    ActivityId,
    "activity id"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_print_round_trip() {
        let id = EntityId::random();
        let printed = id.to_string();
        assert_eq!(printed.parse::<EntityId>().unwrap(), id);
        assert_eq!(printed.len(), 36);
    }

    #[test]
    fn parse_refuses_garbage_and_names_it() {
        let err = "not-a-uuid".parse::<EntityId>().unwrap_err();
        assert!(err.to_string().contains("not-a-uuid"), "{err}");
    }
}
