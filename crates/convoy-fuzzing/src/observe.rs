//! Everything a reader of a [`Graph`] can observe, compared with the
//! reference [`Model`]: the canonical state, each entity's edges in both
//! directions and single-valued references, feeds, and every secondary
//! index the read API offers.

use std::collections::{BTreeMap, BTreeSet};

use convoy_core::model::{EntityData, EntityKind, Priority, TaskStatus};
use convoy_core::{EdgeData, EdgeRecord, EntityId, Feed, Graph, Relation, Slot, Timestamp};

use crate::model::{Model, inverse, kind};

/// An entity as compared: id, times, fields.
type EntityRow = (EntityId, Timestamp, Timestamp, EntityData);

/// Asserts that `graph` shows exactly what `model` holds; `context` names
/// the batch in failure messages. O(V · E) (the model is simple, not fast).
pub(crate) fn assert_same(graph: &Graph, model: &Model, context: &str) {
    let state = graph.state();
    let entities: Vec<EntityRow> =
        state.entities().iter().map(|e| (e.id(), e.created_at(), e.updated_at(), e.data().clone())).collect();
    let expected: Vec<EntityRow> =
        model.entities.iter().map(|(id, n)| (*id, n.created, n.updated, n.data.clone())).collect();
    assert_eq!(entities, expected, "{context}: entities differ from the model");

    let edges: Vec<EdgeRecord> = model
        .edges
        .iter()
        .map(|(&(source, relation, target), e)| EdgeRecord {
            source,
            target,
            data: EdgeData { relation, weight: e.weight, metadata: e.metadata.clone(), created_at: e.at },
        })
        .collect();
    assert_eq!(state.edges(), edges.as_slice(), "{context}: relationships differ from the model");

    let feeds: Vec<Feed> =
        model.feeds.iter().filter(|(_, f)| !f.is_empty()).map(|(t, f)| Feed { task: *t, entries: f.clone() }).collect();
    assert_eq!(state.feeds(), feeds.as_slice(), "{context}: feeds differ from the model");

    assert_eq!(graph.entity_count(), model.entities.len(), "{context}: entity_count");
    assert_eq!(graph.relationship_count(), model.edges.len(), "{context}: relationship_count");
    per_entity(graph, model, context);
    indexes(graph, model, context);
}

/// An entity's edges as compared: relation, other end, data.
type EdgeRow = (Relation, EntityId, EdgeData);

/// Edges in both directions, references and feeds, entity by entity.
fn per_entity(graph: &Graph, model: &Model, context: &str) {
    let up = model.uplinks();
    let mut adjacent: BTreeMap<EntityId, Vec<EdgeRow>> = BTreeMap::new();
    for (&(s, r, t), e) in &model.edges {
        let data = |relation| EdgeData { relation, weight: e.weight, metadata: e.metadata.clone(), created_at: e.at };
        adjacent.entry(s).or_default().push((r, t, data(r)));
        adjacent.entry(t).or_default().push((inverse(r), s, data(inverse(r))));
    }
    for (&id, node) in &model.entities {
        let mut expected = adjacent.remove(&id).unwrap_or_default();
        expected.sort_by_key(|(r, t, _)| (*r, *t));
        let found: Vec<EdgeRow> =
            graph.edges(id).iter().map(|e| (e.relation(), e.target(), e.data().clone())).collect();
        assert_eq!(found, expected, "{context}: edges of {id}");
        for (r, t, data) in &expected {
            assert_eq!(graph.edge(id, *r, *t), Some(data), "{context}: edge({id}, {r}, {t})");
        }
        for &slot in Slot::ALL {
            assert_eq!(graph.parent(id, slot), up.get(&(id, slot)).copied(), "{context}: parent({id}, {slot})");
        }
        let feed = model.feeds.get(&id).map_or(&[][..], Vec::as_slice);
        assert_eq!(graph.feed(id), feed, "{context}: feed of {id}");
        let recent: Vec<_> = graph.recent_activity(id, 3).collect();
        assert_eq!(recent, feed.iter().rev().take(3).collect::<Vec<_>>(), "{context}: recent activity of {id}");
        assert_eq!(graph.get(id).map(|e| e.kind()), Some(kind(&node.data)), "{context}: kind of {id}");
    }
    assert!(adjacent.is_empty(), "{context}: the model has edges of entities it does not hold");
}

/// Every secondary index the read API offers.
fn indexes(graph: &Graph, model: &Model, context: &str) {
    let ids = |keep: &dyn Fn(&EntityData) -> bool| -> BTreeSet<EntityId> {
        model.entities.iter().filter(|(_, n)| keep(&n.data)).map(|(id, _)| *id).collect()
    };
    let task = |keep: &dyn Fn(&convoy_core::model::Task) -> bool| ids(&|d| matches!(d, EntityData::Task(t) if keep(t)));
    for &k in EntityKind::ALL {
        assert_eq!(*graph.ids_of_kind(k), ids(&|d| kind(d) == k), "{context}: ids_of_kind({k})");
    }
    for &s in TaskStatus::ALL {
        assert_eq!(*graph.tasks_with_status(s), task(&|t| t.status == s), "{context}: tasks_with_status({s})");
    }
    let priorities = Priority::ALL.iter().copied().map(Some).chain([None]);
    for p in priorities {
        assert_eq!(*graph.tasks_with_priority(p), task(&|t| t.priority == p), "{context}: tasks_with_priority({p:?})");
    }
    let labels: BTreeSet<String> = model
        .entities
        .values()
        .filter_map(|n| match &n.data {
            EntityData::Task(t) => Some(t.labels.as_slice().iter().map(ToString::to_string).collect::<Vec<_>>()),
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(graph.labels(), labels.iter().map(String::as_str).collect::<Vec<_>>(), "{context}: labels()");
    for label in &labels {
        assert_eq!(*graph.tasks_with_label(label), task(&|t| t.labels.contains(label)), "{context}: label {label}");
    }
    let mut pointing: BTreeMap<(Relation, EntityId), BTreeSet<EntityId>> = BTreeMap::new();
    for &(s, r, t) in model.edges.keys() {
        pointing.entry((r, t)).or_default().insert(s);
    }
    let targets = |relation: Relation, to: EntityId| pointing.get(&(relation, to)).cloned().unwrap_or_default();
    for (&id, node) in &model.entities {
        match kind(&node.data) {
            EntityKind::User => {
                let owned: BTreeSet<EntityId> = targets(Relation::OwnedBy, id)
                    .into_iter()
                    .filter(|s| model.kind_of(*s) == Some(EntityKind::Task))
                    .collect();
                assert_eq!(*graph.tasks_owned_by(id), owned, "{context}: tasks_owned_by({id})");
            }
            EntityKind::Workspace | EntityKind::Project => {
                assert_eq!(*graph.scoped_to(id), targets(Relation::ScopedTo, id), "{context}: scoped_to({id})");
            }
            _ => {}
        }
    }
    for k in [EntityKind::Pattern, EntityKind::BestPractice] {
        let scoped: BTreeSet<EntityId> =
            model.edges.keys().filter(|(_, r, _)| *r == Relation::ScopedTo).map(|(s, _, _)| *s).collect();
        let global: BTreeSet<EntityId> = ids(&|d| kind(d) == k).difference(&scoped).copied().collect();
        assert_eq!(*graph.unscoped(k), global, "{context}: unscoped({k})");
    }
    assert!(graph.unscoped(EntityKind::Task).is_empty(), "{context}: unscoped(task) is not empty");
}
