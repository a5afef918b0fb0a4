//! Filtered find over tasks, projects and workstreams, backed by the
//! graph's indexes and containment, with stable cursor pagination.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use convoy_core::model::{Entity, EntityData, EntityKind, Priority, Status, TaskStatus};
use convoy_core::{EntityId, Graph, Relation, Timestamp};

use crate::containment::descendants;
use crate::error::{QueryError, kind_of};

/// The order of results. Every order ends with the id, so it is total.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum Sort {
    /// By id.
    #[default]
    Id,
    /// By creation time, then id.
    Created,
    /// By last update, then id.
    Updated,
    /// Tasks: urgent first, no priority last; then id. Others: by id.
    Priority,
    /// By title (tasks) or name, byte-wise; then id.
    Name,
}

/// Where a page ended: pass it back as [`Find::after`] for the next page.
/// Pages stay consistent under concurrent inserts and deletes: the next page
/// starts strictly after this key, whatever changed in between.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Cursor {
    key: Key,
    id: EntityId,
}

#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Key {
    None,
    Time(i64),
    Rank(u8),
    Text(String),
}

impl fmt::Display for Cursor {
    /// `i:<id>`, `t:<micros>:<id>`, `r:<rank>:<id>` or `s:<hex>:<id>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.key {
            Key::None => write!(f, "i:{}", self.id),
            Key::Time(t) => write!(f, "t:{t}:{}", self.id),
            Key::Rank(r) => write!(f, "r:{r}:{}", self.id),
            Key::Text(s) => {
                let hex: String = s.bytes().map(|b| format!("{b:02x}")).collect();
                write!(f, "s:{hex}:{}", self.id)
            }
        }
    }
}

/// A cursor string that does not parse.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[error("malformed cursor {0:?}")]
pub struct CursorError(pub String);

impl FromStr for Cursor {
    type Err = CursorError;
    fn from_str(s: &str) -> Result<Self, CursorError> {
        let bad = || CursorError(s.to_string());
        let (tag, rest) = s.split_once(':').ok_or_else(bad)?;
        let (key, id) = match tag {
            "i" => (Key::None, rest),
            _ => {
                let (value, id) = rest.split_once(':').ok_or_else(bad)?;
                let key = match tag {
                    "t" => Key::Time(value.parse().map_err(|_| bad())?),
                    "r" => Key::Rank(value.parse().map_err(|_| bad())?),
                    "s" => {
                        let bytes: Option<Vec<u8>> = (0..value.len())
                            .step_by(2)
                            .map(|i| value.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
                            .collect();
                        Key::Text(String::from_utf8(bytes.ok_or_else(bad)?).map_err(|_| bad())?)
                    }
                    _ => return Err(bad()),
                };
                (key, id)
            }
        };
        Ok(Self { key, id: id.parse().map_err(|_| bad())? })
    }
}

/// A find query. Empty lists and `None` mean "no condition". Build with
/// [`Find::new`] and set the fields wanted.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Find {
    /// Task, project or workstream.
    pub kind: EntityKind,
    /// Tasks: any of these statuses.
    pub task_statuses: Vec<TaskStatus>,
    /// Projects and workstreams: any of these statuses.
    pub statuses: Vec<Status>,
    /// Tasks: any of these priorities (`None` = unset).
    pub priorities: Vec<Option<Priority>>,
    /// Tasks: every one of these labels.
    pub labels_all: Vec<String>,
    /// Tasks: at least one of these labels.
    pub labels_any: Vec<String>,
    /// Owned by this user.
    pub owner: Option<EntityId>,
    /// Below this container (or parent task), at any depth.
    pub within: Option<EntityId>,
    /// Case-insensitive substring of the title or name, or the description.
    pub text: Option<String>,
    /// Updated at or after this time.
    pub updated_since: Option<Timestamp>,
    /// Result order.
    pub sort: Sort,
    /// Reverse the order.
    pub descending: bool,
    /// Most results in one page.
    pub limit: usize,
    /// Continue after this cursor.
    pub after: Option<Cursor>,
}

impl Find {
    /// A query for every entity of `kind`, by id, 50 per page.
    #[must_use]
    pub fn new(kind: EntityKind) -> Self {
        Self {
            kind,
            task_statuses: Vec::new(),
            statuses: Vec::new(),
            priorities: Vec::new(),
            labels_all: Vec::new(),
            labels_any: Vec::new(),
            owner: None,
            within: None,
            text: None,
            updated_since: None,
            sort: Sort::Id,
            descending: false,
            limit: 50,
            after: None,
        }
    }
}

/// One page of results.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Page {
    /// Matching ids, in the query's order.
    pub ids: Vec<EntityId>,
    /// Where to continue, when more may follow.
    pub next: Option<Cursor>,
}

fn key(entity: &Entity, sort: Sort) -> Key {
    match sort {
        Sort::Id => Key::None,
        Sort::Created => Key::Time(entity.created_at().as_micros()),
        Sort::Updated => Key::Time(entity.updated_at().as_micros()),
        Sort::Priority => match entity.data().as_task().map(|t| t.priority) {
            Some(p) => Key::Rank(match p {
                Some(Priority::Urgent) => 0,
                Some(Priority::High) => 1,
                Some(Priority::Medium) => 2,
                Some(Priority::Low) => 3,
                None => 4,
            }),
            None => Key::None,
        },
        Sort::Name => Key::Text(entity.data().name().to_string()),
    }
}

/// The narrowest index-backed candidate set, or `None` when no condition
/// has an index (then every entity of the kind is a candidate). Only the
/// narrowest is built: the others are sized from their index sets first.
/// A candidate set: an index's own set when one serves, else a built one.
type Candidates<'g> = Option<Cow<'g, BTreeSet<EntityId>>>;

fn candidates<'g>(graph: &'g Graph, q: &Find) -> Result<(Candidates<'g>, bool), QueryError> {
    #[derive(Clone, Copy)]
    enum Source {
        Within(EntityId),
        Owner(EntityId),
        Statuses,
        Priorities,
        LabelAll(usize),
        LabelsAny,
    }
    let task = q.kind == EntityKind::Task;
    let mut sources: Vec<(usize, Source)> = Vec::new();
    if let Some(within) = q.within {
        kind_of(graph, within)?;
        // Sized by the edges the walk would visit: the container's own, or
        // for a workspace its projects'.
        let degree = |id: EntityId| graph.edges_unordered(id).count();
        let size = match graph.get(within).map(Entity::kind) {
            Some(EntityKind::Project) if task => graph.tasks_in_project(within).len(),
            Some(EntityKind::Workspace) => graph.neighbors(within, Relation::Contains).into_iter().map(degree).sum(),
            _ => degree(within),
        };
        sources.push((size, Source::Within(within)));
    }
    if let Some(owner) = q.owner.filter(|_| task) {
        sources.push((1 + graph.tasks_owned_by(owner).len(), Source::Owner(owner)));
    }
    if task && !q.task_statuses.is_empty() {
        sources.push((
            1 + q.task_statuses.iter().map(|&s| graph.tasks_with_status(s).len()).sum::<usize>(),
            Source::Statuses,
        ));
    }
    if task && !q.priorities.is_empty() {
        sources.push((
            1 + q.priorities.iter().map(|&p| graph.tasks_with_priority(p).len()).sum::<usize>(),
            Source::Priorities,
        ));
    }
    if task {
        for (i, label) in q.labels_all.iter().enumerate() {
            sources.push((1 + graph.tasks_with_label(label).len(), Source::LabelAll(i)));
        }
        if !q.labels_any.is_empty() {
            let size = q.labels_any.iter().map(|l| graph.tasks_with_label(l).len()).sum::<usize>();
            sources.push((1 + size, Source::LabelsAny));
        }
    }
    let Some(&(_, source)) = sources.iter().min_by_key(|(size, _)| *size) else { return Ok((None, false)) };
    let by_containment = matches!(source, Source::Within(_));
    Ok((
        Some(match source {
            Source::Within(within) if task && graph.get(within).is_some_and(|e| e.kind() == EntityKind::Project) => {
                Cow::Borrowed(graph.tasks_in_project(within))
            }
            Source::Within(within) => {
                Cow::Owned(descendants(graph, within, Some(q.kind), None)?.into_iter().map(|d| d.id).collect())
            }
            Source::Owner(owner) => Cow::Borrowed(graph.tasks_owned_by(owner)),
            Source::Statuses => {
                Cow::Owned(q.task_statuses.iter().flat_map(|&s| graph.tasks_with_status(s).iter().copied()).collect())
            }
            Source::Priorities => {
                Cow::Owned(q.priorities.iter().flat_map(|&p| graph.tasks_with_priority(p).iter().copied()).collect())
            }
            Source::LabelAll(i) => Cow::Borrowed(graph.tasks_with_label(&q.labels_all[i])),
            Source::LabelsAny => {
                Cow::Owned(q.labels_any.iter().flat_map(|l| graph.tasks_with_label(l).iter().copied()).collect())
            }
        }),
        by_containment,
    ))
}

/// Whether `id` lies below `container`: an upward walk over single-valued
/// references. O(ancestors).
fn is_within(graph: &Graph, id: EntityId, container: EntityId) -> bool {
    crate::containment::ancestors(graph, id).is_ok_and(|up| up.iter().any(|a| a.id == container))
}

/// Case-insensitive comparison form: each character lowercased on its
/// own, so a literal substring always matches (`to_lowercase` on a whole
/// string changes some letters by context, like a final sigma).
fn fold(text: &str) -> String {
    text.chars().flat_map(char::to_lowercase).collect()
}

fn matches(entity: &Entity, q: &Find, graph: &Graph, needle: Option<&str>) -> bool {
    if entity.kind() != q.kind || q.updated_since.is_some_and(|t| entity.updated_at() < t) {
        return false;
    }
    let status_ok = match entity.data() {
        EntityData::Task(t) => {
            (q.task_statuses.is_empty() || q.task_statuses.contains(&t.status))
                && (q.priorities.is_empty() || q.priorities.contains(&t.priority))
                && q.labels_all.iter().all(|l| t.labels.contains(l))
                && (q.labels_any.is_empty() || q.labels_any.iter().any(|l| t.labels.contains(l)))
        }
        EntityData::Project(p) => q.statuses.is_empty() || q.statuses.contains(&p.status),
        EntityData::Workstream(w) => q.statuses.is_empty() || q.statuses.contains(&w.status),
        _ => true,
    };
    let owner_ok = q.owner.is_none_or(|o| graph.parent(entity.id(), convoy_core::Slot::Owner) == Some(o));
    let text_ok = needle.is_none_or(|n| {
        let data = entity.data();
        fold(data.name()).contains(n) || data.description().is_some_and(|d| fold(d).contains(n))
    });
    status_ok && owner_ok && text_ok
}

/// Finds tasks, projects or workstreams matching every condition of `q`,
/// one page at a time. Candidates come from the narrowest of the indexes
/// that apply (status, priority, label, owner) and containment (`within`,
/// sized by the edges its walk would visit; when an index is narrower,
/// `within` is checked per candidate by an upward walk);
/// only a query with none of these (text or update time alone) scans every
/// entity of the kind. Cost: O(candidates + matches × log matches).
///
/// # Errors
/// [`QueryError::UnsupportedKind`] for a kind other than task, project or
/// workstream; [`QueryError::NotFound`] for an unknown `within`;
/// [`QueryError::InvalidOption`] for a `limit` of 0 or a cursor from
/// another sort order.
pub fn find(graph: &Graph, q: &Find) -> Result<Page, QueryError> {
    if !matches!(q.kind, EntityKind::Task | EntityKind::Project | EntityKind::Workstream) {
        return Err(QueryError::UnsupportedKind { kind: q.kind, expected: "task, project or workstream" });
    }
    if q.limit == 0 {
        return Err(QueryError::InvalidOption { name: "limit", reason: "a page holds at least one result".into() });
    }
    if let Some(after) = &q.after {
        let fits = matches!(
            (&after.key, q.sort),
            (Key::None, Sort::Id | Sort::Priority)
                | (Key::Time(_), Sort::Created | Sort::Updated)
                | (Key::Rank(_), Sort::Priority)
                | (Key::Text(_), Sort::Name)
        );
        if !fits {
            return Err(QueryError::InvalidOption {
                name: "after",
                reason: format!("cursor {after} is not from a {:?} query", q.sort),
            });
        }
    }
    if let Some(ids) = exact_in_project(graph, q)? {
        return Ok(page(ids.into_iter().map(|id| (Key::None, id)).collect(), q));
    }
    let needle = q.text.as_ref().map(|t| fold(t));
    let (candidates, by_containment) = candidates(graph, q)?;
    let within = q.within.filter(|_| !by_containment);
    let pool: Box<dyn Iterator<Item = &EntityId>> = match &candidates {
        Some(set) => Box::new(set.iter()),
        None => Box::new(graph.ids_of_kind(q.kind).iter()),
    };
    let hits: Vec<(Key, EntityId)> = pool
        .filter_map(|&id| graph.get(id))
        .filter(|e| matches(e, q, graph, needle.as_deref()))
        .filter(|e| within.is_none_or(|w| is_within(graph, e.id(), w)))
        .map(|e| (key(e, q.sort), e.id()))
        .collect();
    Ok(page(hits, q))
}

/// The answer straight from the project's (status, priority) index when
/// that is the whole query: tasks within a project, by status (and
/// priority), in id order, nothing else to check. Then no task is looked
/// at. `None` when the query asks for more.
fn exact_in_project(graph: &Graph, q: &Find) -> Result<Option<Vec<EntityId>>, QueryError> {
    let Some(project) = q.within else { return Ok(None) };
    let plain = q.kind == EntityKind::Task
        && q.sort == Sort::Id
        && !q.task_statuses.is_empty()
        && q.labels_all.is_empty()
        && q.labels_any.is_empty()
        && q.owner.is_none()
        && q.text.is_none()
        && q.updated_since.is_none();
    if !plain || kind_of(graph, project)? != EntityKind::Project {
        return Ok(None);
    }
    let all: Vec<Option<Priority>> = Priority::ALL.iter().copied().map(Some).chain([None]).collect();
    let priorities = if q.priorities.is_empty() { &all } else { &q.priorities };
    let mut ids: Vec<EntityId> = Vec::new();
    for &status in &q.task_statuses {
        for &priority in priorities {
            ids.extend(graph.tasks_in_project_with(project, status, priority));
        }
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(Some(ids))
}

/// Orders `hits`, skips to the cursor and cuts one page.
fn page(mut hits: Vec<(Key, EntityId)>, q: &Find) -> Page {
    hits.sort_unstable();
    if q.descending {
        hits.reverse();
    }
    if let Some(after) = &q.after {
        let mark = (after.key.clone(), after.id);
        let start = hits.partition_point(|h| if q.descending { *h >= mark } else { *h <= mark });
        hits.drain(..start);
    }
    let more = hits.len() > q.limit;
    hits.truncate(q.limit);
    let next = if more { hits.last().map(|(key, id)| Cursor { key: key.clone(), id: *id }) } else { None };
    Page { ids: hits.into_iter().map(|(_, id)| id).collect(), next }
}
