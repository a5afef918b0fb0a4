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

/// Cascades of at least this many entities are removed in one rebuild of
/// petgraph's storage rather than edge by edge.
const BULK_CASCADE: usize = 64;

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
    /// Small cascades go node by node; large ones in one rebuild
    /// ([`Txn::remove_nodes_bulk`]).
    pub(super) fn delete(&mut self, root: NodeIndex) {
        let doomed = self.graph.cascade_of(root);
        if doomed.len() < BULK_CASCADE {
            for idx in doomed.into_iter().rev() {
                self.remove_node(idx);
            }
        } else {
            self.remove_nodes_bulk(&doomed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::BULK_CASCADE;
    use crate::model::{Project, Task, TaskStatus, User, Workflow, Workspace};
    use crate::op::{Batch, Op};
    use crate::relation::{Relation, Slot};
    use crate::{EntityId, Graph};

    /// A project with enough tasks to take the bulk path, all following one
    /// workflow and owned by one user (the hubs that make edge-by-edge
    /// removal slow), plus a second project whose task survives.
    fn big_project() -> (Graph, EntityId, EntityId, EntityId, EntityId) {
        let mut b = Batch::new();
        let create = |b: &mut Batch, op: Op| {
            let id = op.subject();
            b.push(op);
            id
        };
        let ws = create(&mut b, Op::create(Workspace::new("w").unwrap()));
        let doomed = create(&mut b, Op::create(Project::new("doomed").unwrap()));
        let kept = create(&mut b, Op::create(Project::new("kept").unwrap()));
        let workflow = create(&mut b, Op::create(Workflow::new("wf").unwrap()));
        let user = create(&mut b, Op::create(User::new("u").unwrap()));
        b.push(Op::link(ws, Relation::Contains, doomed)).push(Op::link(ws, Relation::Contains, kept));
        let survivor = create(&mut b, Op::create(Task::new("survivor").unwrap()));
        b.push(Op::link(kept, Relation::Contains, survivor));
        let mut prev = survivor;
        for i in 0..2 * BULK_CASCADE {
            let t = create(&mut b, Op::create(Task::new(&format!("t{i}")).unwrap()));
            b.push(Op::link(doomed, Relation::Contains, t))
                .push(Op::link(t, Relation::Follows, workflow))
                .push(Op::link(t, Relation::OwnedBy, user))
                .push(Op::link(prev, Relation::Blocks, t))
                .push(Op::link(t, Relation::RelatedTo, survivor));
            prev = t;
        }
        let mut g = Graph::new();
        g.apply(&b).unwrap();
        (g, doomed, survivor, workflow, user)
    }

    #[test]
    fn bulk_cascade_rolls_back_exactly() {
        let (mut g, doomed, _, _, _) = big_project();
        let before = g.state();
        let batch: Batch = vec![Op::delete(doomed), Op::delete(doomed)].into();
        assert!(g.apply(&batch).is_err());
        assert_eq!(g.state(), before);
        g.check_invariants().unwrap();
    }

    #[test]
    fn bulk_cascade_detaches_survivors_and_keeps_hubs() {
        let (mut g, doomed, survivor, workflow, user) = big_project();
        g.apply(&Op::delete(doomed).into()).unwrap();
        g.check_invariants().unwrap();
        assert!(!g.contains(doomed));
        assert!(g.contains(workflow) && g.contains(user));
        assert!(g.edges(workflow).is_empty() && g.edges(user).is_empty());
        assert!(g.tasks_owned_by(user).is_empty());
        assert_eq!(g.tasks_with_status(TaskStatus::Todo).iter().copied().collect::<Vec<_>>(), vec![survivor]);
        // The survivor's related_to and blocked_by edges went with the deleted tasks.
        assert_eq!(g.edges(survivor).len(), 1);
        assert!(g.parent(survivor, Slot::Project).is_some());
    }
}
