//! What a query answers, in a form both systems produce through the same
//! code path: every query pushes its result items (ids, texts, id–number
//! pairs) into a [`Sink`], part by part.
//!
//! Timed runs use [`Digest`] (no allocation: a count and a hash per part);
//! the answer check uses [`Listing`] (every item kept) with the very same
//! query functions, so what is checked is what is timed.

/// How a part's items are compared between systems.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum PartKind {
    /// The order matters (a page sorted by id, a feed newest first).
    Ordered,
    /// A multiset: order does not matter, multiplicity does.
    Bag,
    /// A set: order and repeats do not matter. The seeds' `UNION ALL`
    /// recursive CTEs return an entity once per path; Convoy once.
    Distinct,
}

/// One named part of a query's answer.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PartSpec {
    /// Its name, for mismatch reports.
    pub(crate) name: &'static str,
    /// How it is compared.
    pub(crate) kind: PartKind,
}

/// Shorthand for a [`PartSpec`].
pub(crate) const fn part(name: &'static str, kind: PartKind) -> PartSpec {
    PartSpec { name, kind }
}

/// Receives a query's answer, item by item.
pub(crate) trait Sink {
    /// An entity id (as its 128-bit UUID) in part `part`.
    fn id(&mut self, part: usize, id: u128);
    /// An id with a number (a distance) in part `part`.
    fn pair(&mut self, part: usize, id: u128, n: u32);
    /// A text value in part `part`.
    fn text(&mut self, part: usize, text: &str);
}

/// Most parts any query has (the task bundle's).
pub(crate) const MAX_PARTS: usize = 17;

/// A cheap summary of an answer: per part, how many items and a hash of
/// them (order-sensitive or not, per the part's kind).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Digest {
    /// Items per part.
    pub(crate) counts: [u32; MAX_PARTS],
    /// Order-sensitive hash per part.
    pub(crate) ordered: [u64; MAX_PARTS],
    /// Order-free hash (wrapping sum) per part.
    pub(crate) unordered: [u64; MAX_PARTS],
}

impl Default for Digest {
    fn default() -> Self {
        Self { counts: [0; MAX_PARTS], ordered: [0; MAX_PARTS], unordered: [0; MAX_PARTS] }
    }
}

/// A 64-bit mixer (splitmix64's finaliser).
const fn mix(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Hash of a 128-bit id.
const fn hash_id(id: u128) -> u64 {
    mix(mix(id as u64) ^ (id >> 64) as u64)
}

/// Hash of a text (FNV-1a, then mixed).
fn hash_text(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    mix(h)
}

impl Digest {
    /// A fresh, empty digest.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Adds one item's hash to part `part` (ignored past [`MAX_PARTS`]).
    fn add(&mut self, part: usize, h: u64) {
        if let (Some(c), Some(o), Some(u)) =
            (self.counts.get_mut(part), self.ordered.get_mut(part), self.unordered.get_mut(part))
        {
            *c += 1;
            *o = mix(o.rotate_left(7) ^ h);
            *u = u.wrapping_add(h);
        }
    }

    /// Whether two digests agree on the parts that can be compared without
    /// the items themselves (every part that is not [`PartKind::Distinct`]).
    pub(crate) fn agrees(&self, other: &Self, parts: &[PartSpec]) -> Option<&'static str> {
        for (i, spec) in parts.iter().enumerate() {
            let same = match spec.kind {
                PartKind::Ordered => self.counts[i] == other.counts[i] && self.ordered[i] == other.ordered[i],
                PartKind::Bag => self.counts[i] == other.counts[i] && self.unordered[i] == other.unordered[i],
                PartKind::Distinct => true,
            };
            if !same {
                return Some(spec.name);
            }
        }
        None
    }

    /// Items in part 0 (rows returned, for the report).
    pub(crate) const fn rows(&self) -> u32 {
        self.counts[0]
    }
}

impl Sink for Digest {
    fn id(&mut self, part: usize, id: u128) {
        self.add(part, hash_id(id));
    }

    fn pair(&mut self, part: usize, id: u128, n: u32) {
        self.add(part, mix(hash_id(id) ^ u64::from(n).wrapping_mul(0x9e37_79b9_7f4a_7c15)));
    }

    fn text(&mut self, part: usize, text: &str) {
        self.add(part, hash_text(text));
    }
}

/// One item of an answer, kept whole for the check.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub(crate) enum Item {
    /// An entity id.
    Id(u128),
    /// An id with a number.
    Pair(u128, u32),
    /// A text.
    Text(String),
}

impl std::fmt::Display for Item {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Id(id) => write!(f, "{}", uuid::Uuid::from_u128(*id)),
            Self::Pair(id, n) => write!(f, "{}@{n}", uuid::Uuid::from_u128(*id)),
            Self::Text(t) => write!(f, "{t:?}"),
        }
    }
}

/// Every item of an answer, per part.
#[derive(Clone, Default, Debug)]
pub(crate) struct Listing {
    /// Items per part, in the order the query produced them.
    pub(crate) parts: Vec<Vec<Item>>,
}

impl Listing {
    /// Appends an item to part `part`, growing the parts as needed.
    fn push(&mut self, part: usize, item: Item) {
        if self.parts.len() <= part {
            self.parts.resize_with(part + 1, Vec::new);
        }
        if let Some(p) = self.parts.get_mut(part) {
            p.push(item);
        }
    }

    /// The items of part `part` (empty if none were pushed).
    pub(crate) fn part(&self, part: usize) -> &[Item] {
        self.parts.get(part).map_or(&[], Vec::as_slice)
    }
}

impl Sink for Listing {
    fn id(&mut self, part: usize, id: u128) {
        self.push(part, Item::Id(id));
    }

    fn pair(&mut self, part: usize, id: u128, n: u32) {
        self.push(part, Item::Pair(id, n));
    }

    fn text(&mut self, part: usize, text: &str) {
        self.push(part, Item::Text(text.to_owned()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PARTS: [PartSpec; 2] = [part("page", PartKind::Ordered), part("set", PartKind::Bag)];

    #[test]
    fn digests_see_order_only_where_it_counts() {
        let (mut a, mut b) = (Digest::new(), Digest::new());
        a.id(0, 1);
        a.id(0, 2);
        b.id(0, 2);
        b.id(0, 1);
        a.id(1, 5);
        a.id(1, 6);
        b.id(1, 6);
        b.id(1, 5);
        assert_eq!(a.agrees(&b, &PARTS), Some("page"));
        let mut c = Digest::new();
        c.id(0, 1);
        c.id(0, 2);
        c.id(1, 6);
        c.id(1, 5);
        assert_eq!(a.agrees(&c, &PARTS), None);
        c.text(1, "x");
        assert_eq!(a.agrees(&c, &PARTS), Some("set"));
    }
}
