//! Delete and its cascade, as the seeds' foreign keys define it: what
//! requires the deleted entity goes with it, what only pointed at it is
//! detached.

use std::collections::HashSet;

use petgraph::Direction;
use petgraph::stable_graph::NodeIndex;
use petgraph::visit::EdgeRef as _;

use super::read::Graph;
use super::txn::Txn;
use crate::model::kind::EntityKind;
use crate::relation::Relation;

/// Whether `contained` cannot exist without `container` (the seeds'
/// `ON DELETE CASCADE`), given the edge `container -relation-> contained`.
const fn requires(container: EntityKind, relation: Relation, contained: EntityKind) -> bool {
    use EntityKind as K;
    match relation {
        Relation::Contains => matches!(
            (container, contained),
            (K::Workspace, K::Project)
                | (K::Project, K::Workstream | K::Milestone | K::Task)
                | (K::Milestone, K::Slice)
        ),
        // Patterns and best practices go with their scope.
        Relation::Scopes => true,
        _ => false,
    }
}

impl Graph {
    /// `root` and everything that requires it, transitively, parents before
    /// children. O(size of the cascade + their edges).
    fn cascade_of(&self, root: NodeIndex) -> Vec<NodeIndex> {
        let mut order = vec![root];
        let mut seen: HashSet<NodeIndex> = HashSet::from([root]);
        let mut next = 0;
        while let Some(&idx) = order.get(next) {
            next += 1;
            let kind = self.kind_at(idx);
            for e in self.g.edges_directed(idx, Direction::Outgoing) {
                let child = e.target();
                if requires(kind, e.weight().relation, self.kind_at(child)) && seen.insert(child) {
                    order.push(child);
                }
            }
        }
        order
    }
}

impl Txn<'_> {
    /// Deletes `root` and its cascade, children first; every edge of a
    /// deleted entity goes too, which detaches whatever only pointed at it.
    pub(super) fn delete(&mut self, root: NodeIndex) {
        for idx in self.graph.cascade_of(root).into_iter().rev() {
            self.remove_node(idx);
        }
    }
}
