//! `task_dependencies` and `relationships` rows: each names an edge; a
//! relationships row that is the same edge as a foreign-key column or a
//! dependency row merges into it (and must agree with it), the others are
//! edges of their own.

use convoy_core::model::EntityKind;
use convoy_core::{EntityId, Relation};
use serde_json::{Map, Value};

use super::plan::{Builder, Edge, Origin};
use crate::seeds::{Claim, EdgeAttrs, Issue, RelationshipRow, Table, dependency, relationship};

impl Builder<'_> {
    /// Reads a `task_dependencies` row: both ends must be tasks, and the
    /// pair must not repeat. O(row).
    pub(super) fn dependency(&mut self, origin: Origin, row: &Map<String, Value>) {
        let dep = match dependency(row) {
            Ok(dep) => dep,
            Err(issues) => return self.fail(origin, issues),
        };
        if dep.had_id {
            self.not_kept("task_dependencies.id");
        }
        let issues: Vec<Issue> = [("task_id", dep.task), ("depends_on_task_id", dep.depends_on)]
            .into_iter()
            .filter_map(|(column, id)| self.expect_kind(column, id, EntityKind::Task))
            .collect();
        if !issues.is_empty() {
            return self.fail(origin, issues);
        }
        let key = (dep.depends_on, Relation::Blocks, dep.task);
        if let Some(&i) = self.edge_at.get(&key) {
            let first = self.edges[i].origin;
            let reason =
                format!("task {} depends on {} already in {}[{}]", dep.task, dep.depends_on, first.table, first.index);
            return self.fail(origin, [Issue::row("duplicate_row", reason)]);
        }
        self.edge_at.insert(key, self.edges.len());
        self.edges.push(Edge {
            origin,
            source: dep.depends_on,
            relation: Relation::Blocks,
            target: dep.task,
            attrs: EdgeAttrs { created_at: dep.created_at, ..EdgeAttrs::default() },
        });
    }

    /// Reads a `relationships` row and merges it with the column, the
    /// dependency row or the earlier relationships row that is the same
    /// edge, or records it as an edge of its own. O(row).
    pub(super) fn relationship(&mut self, origin: Origin, row: &Map<String, Value>) {
        let rel = match relationship(row) {
            Ok(rel) => rel,
            Err(issues) => return self.fail(origin, issues),
        };
        if rel.had_id {
            self.not_kept("relationships.id");
        }
        let issues: Vec<Issue> =
            [("source_id", rel.source, rel.rtype.source()), ("target_id", rel.target, rel.rtype.target())]
                .into_iter()
                .filter_map(|(column, id, kind)| self.expect_kind(column, id, kind))
                .collect();
        if !issues.is_empty() {
            return self.fail(origin, issues);
        }
        if rel.source == rel.target {
            let reason = format!("{} cannot be {} itself", rel.source, rel.rtype.relation());
            return self.fail(origin, [Issue::at("bad_value", "target_id", reason)]);
        }
        if let Err(issue) = self.merge_relationship(origin, &rel) {
            self.fail(origin, [issue]);
        }
    }

    fn merge_relationship(&mut self, origin: Origin, rel: &RelationshipRow) -> Result<(), Issue> {
        // The forward direction, as the graph stores it.
        let (r, s, t) = (rel.rtype.relation(), rel.source, rel.target);
        let (source, relation, target) = if r.is_forward() { (s, r, t) } else { (t, r.inverse(), s) };
        let (source, target) =
            if relation == Relation::RelatedTo && target < source { (target, source) } else { (source, target) };
        let (source_kind, target_kind) = if (source, target) == (s, t) {
            (rel.rtype.source(), rel.rtype.target())
        } else {
            (rel.rtype.target(), rel.rtype.source())
        };
        // A single-valued reference seen from its holder: a foreign key.
        let held = if relation.slot(target_kind).is_some() {
            Some((source, relation, target, target_kind))
        } else if relation.inverse().slot(source_kind).is_some() {
            Some((target, relation.inverse(), source, source_kind))
        } else {
            None
        };
        if let Some((child, child_relation, parent, parent_kind)) = held
            && let Some(&i) = self.entity_at.get(&child)
        {
            return self.merge_claim(origin, i, child_relation, parent, parent_kind, &rel.attrs);
        }
        let key = (source, relation, target);
        if let Some(&i) = self.edge_at.get(&key) {
            let edge = &mut self.edges[i];
            let first = edge.origin;
            return merge(&mut edge.attrs, &rel.attrs, &format!("{}[{}]", first.table, first.index));
        }
        self.edge_at.insert(key, self.edges.len());
        self.edges.push(Edge { origin, source, relation, target, attrs: rel.attrs.clone() });
        Ok(())
    }

    /// Merges a relationships row into new entity `i`'s reference.
    fn merge_claim(
        &mut self,
        origin: Origin,
        i: usize,
        child_relation: Relation,
        parent: EntityId,
        parent_kind: EntityKind,
        attrs: &EdgeAttrs,
    ) -> Result<(), Issue> {
        let e = &mut self.entities[i];
        let table = e.origin.table;
        let slot = child_relation.slot(parent_kind);
        let Some(key) = slot.and_then(|slot| table.foreign_key(slot, parent_kind)) else {
            return Err(Issue::row("bad_value", format!("{table} rows have no column for this relationship")));
        };
        let Some(at) = e.claims.iter().position(|c| c.key.slot == key.slot) else {
            e.claims.push(Claim { key, target: parent, attrs: attrs.clone() });
            e.via.push(Some(origin.index));
            return Ok(());
        };
        let place = match e.via.get(at).copied().flatten() {
            Some(j) => format!("{}[{j}]", Table::Relationships),
            None => format!("{}[{}].{}", table, e.origin.index, e.claims[at].key.column),
        };
        let claim = &mut e.claims[at];
        if claim.target != parent {
            let reason = format!(
                "says {} {}'s {} is {parent}, but {place} says {}",
                table.kind().map_or("entity", |k| k.as_str()),
                e.id,
                key.column,
                claim.target
            );
            return Err(Issue::row("contradiction", reason));
        }
        merge(&mut claim.attrs, attrs, &place)
    }

    /// `None` when `id` is an entity of `kind` (new or stored). O(1).
    fn expect_kind(&self, column: &str, id: EntityId, kind: EntityKind) -> Option<Issue> {
        match self.world.kind(id) {
            Some(k) if k == kind => None,
            Some(k) => Some(Issue::at("wrong_kind", column, format!("{id} is a {k}, not a {kind}"))),
            None => {
                Some(Issue::at("not_found", column, format!("no {kind} {id}, neither in the input nor in the store")))
            }
        }
    }
}

/// Merges what a second row says about an edge into what is known;
/// refuses a disagreement, naming the other row and the attribute. O(1).
fn merge(into: &mut EdgeAttrs, from: &EdgeAttrs, other: &str) -> Result<(), Issue> {
    let clash = |column: &str, a: &dyn std::fmt::Display, b: &dyn std::fmt::Display| {
        Issue::at("contradiction", column, format!("{b} differs from {a}, given by {other} for the same edge"))
    };
    if let (Some(a), Some(b)) = (into.weight, from.weight)
        && a != b
    {
        return Err(clash("weight", &a, &b));
    }
    if let (Some(a), Some(b)) = (&into.metadata, &from.metadata)
        && a != b
    {
        return Err(clash("metadata", a, b));
    }
    if let (Some(a), Some(b)) = (into.created_at, from.created_at)
        && a != b
    {
        return Err(clash("created_at", &a, &b));
    }
    into.weight = into.weight.or(from.weight);
    into.metadata = into.metadata.take().or_else(|| from.metadata.clone());
    into.created_at = into.created_at.or(from.created_at);
    Ok(())
}

#[cfg(test)]
mod tests {
    use convoy_core::{EntityId, Graph, Relation, Slot};
    use serde_json::json;

    use super::super::plan::tests::{A, B, P, W, applied, bad_rows, plan_of, with};

    fn id(s: &str) -> EntityId {
        s.parse().unwrap()
    }

    const WS1: &str = "55555555-0000-4000-8000-000000000001";
    const WS2: &str = "55555555-0000-4000-8000-000000000002";

    fn workstreams() -> serde_json::Value {
        json!([{"id": WS1, "project_id": P, "name": "one"}, {"id": WS2, "project_id": P, "name": "two"}])
    }

    #[test]
    fn a_repeated_dependency_row_is_refused() {
        let doc = with(json!({"task_dependencies": [
            {"task_id": B, "depends_on_task_id": A}, {"task_id": B, "depends_on_task_id": A}
        ]}));
        let rows = bad_rows(&Graph::new(), &doc);
        assert_eq!(rows, [("task_dependencies".into(), Some(1), None, "duplicate_row")]);
    }

    #[test]
    fn both_directions_of_one_edge_merge_and_must_agree() {
        let doc = with(json!({"relationships": [
            {"source_id": A, "relationship_type": "task_blocks", "target_id": B, "weight": 0.3},
            {"source_id": B, "relationship_type": "task_blocked_by", "target_id": A, "metadata": {"k": 1}}
        ]}));
        let g = applied(&doc);
        let edge = g.edge(id(A), Relation::Blocks, id(B)).unwrap();
        assert_eq!((edge.weight.get(), edge.metadata.as_ref().map(|m| m.as_str())), (0.3, Some(r#"{"k":1}"#)));
        let doc = with(json!({"relationships": [
            {"source_id": A, "relationship_type": "task_blocks", "target_id": B, "weight": 0.3},
            {"source_id": B, "relationship_type": "task_blocked_by", "target_id": A, "weight": 0.4}
        ]}));
        let rows = bad_rows(&Graph::new(), &doc);
        assert_eq!(rows, [("relationships".into(), Some(1), Some("weight".into()), "contradiction")]);
    }

    #[test]
    fn a_relationship_row_gives_a_dependency_row_its_weight_and_must_agree_on_time() {
        let doc = with(json!({
            "task_dependencies": [{"task_id": B, "depends_on_task_id": A, "created_at": "2025-01-01T00:00:00Z"}],
            "relationships": [{"source_id": A, "relationship_type": "task_blocks", "target_id": B, "weight": 0.95}]
        }));
        let g = applied(&doc);
        let edge = g.edge(id(A), Relation::Blocks, id(B)).unwrap();
        assert_eq!(edge.weight.get(), 0.95);
        assert_eq!(edge.created_at.to_string(), "2025-01-01T00:00:00.000000Z");
        let doc = with(json!({
            "task_dependencies": [{"task_id": B, "depends_on_task_id": A, "created_at": "2025-01-01T00:00:00Z"}],
            "relationships": [{"source_id": A, "relationship_type": "task_blocks", "target_id": B,
                               "created_at": "2025-02-01T00:00:00Z"}]
        }));
        let rows = bad_rows(&Graph::new(), &doc);
        assert_eq!(rows, [("relationships".into(), Some(0), Some("created_at".into()), "contradiction")]);
    }

    #[test]
    fn a_relationship_row_can_stand_for_an_empty_foreign_key_but_not_two_different_ones() {
        let doc = with(json!({
            "workstreams": workstreams(),
            "relationships": [{"source_id": WS1, "relationship_type": "workstream_contains_task", "target_id": A}]
        }));
        let g = applied(&doc);
        assert_eq!(g.parent(id(A), Slot::Workstream), Some(id(WS1)));
        let doc = with(json!({
            "workstreams": workstreams(),
            "relationships": [
                {"source_id": WS1, "relationship_type": "workstream_contains_task", "target_id": A},
                {"source_id": A, "relationship_type": "task_belongs_to_workstream", "target_id": WS2}
            ]
        }));
        let rows = bad_rows(&Graph::new(), &doc);
        assert_eq!(rows, [("relationships".into(), Some(1), None, "contradiction")]);
        let Err(crate::import::ImportError::Rows(errors)) = plan_of(&Graph::new(), &doc) else { panic!() };
        assert!(errors[0].reason.contains("relationships[0]"), "{}", errors[0]);
    }

    #[test]
    fn relationship_rows_name_entities_of_their_types_and_no_self_loops() {
        let doc = with(json!({"relationships": [
            {"source_id": P, "relationship_type": "task_related_to", "target_id": A},
            {"source_id": A, "relationship_type": "task_related_to", "target_id": A},
            {"source_id": A, "relationship_type": "task_related_to", "target_id": "88888888-0000-4000-8000-0000000000ff"},
            {"source_id": W, "relationship_type": "workspace_contains_project", "target_id": P}
        ]}));
        let rows = bad_rows(&Graph::new(), &doc);
        let found: Vec<_> = rows.iter().map(|r| (r.1, r.2.as_deref(), r.3)).collect();
        assert_eq!(
            found,
            [
                (Some(0), Some("source_id"), "wrong_kind"),
                (Some(1), Some("target_id"), "bad_value"),
                (Some(2), Some("target_id"), "not_found")
            ],
            "the last row agrees with projects[0].workspace_id and is accepted"
        );
    }

    #[test]
    fn relationship_rows_between_stored_entities_become_links_of_their_own() {
        let g = applied(&base_with_workstreams());
        let doc = json!({"relationships": [
            {"source_id": B, "relationship_type": "task_related_to", "target_id": A, "weight": 0.2},
            {"source_id": WS2, "relationship_type": "workstream_contains_task", "target_id": B}
        ]});
        let plan = plan_of(&g, &doc).unwrap();
        assert_eq!(plan.ops.len(), 2);
        let mut g = g;
        g.apply(&convoy_core::Batch::from(plan.ops)).unwrap();
        assert_eq!(g.edge(id(A), Relation::RelatedTo, id(B)).unwrap().weight.get(), 0.2);
        assert_eq!(g.parent(id(B), Slot::Workstream), Some(id(WS2)));
    }

    fn base_with_workstreams() -> serde_json::Value {
        with(json!({"workstreams": workstreams()}))
    }
}
