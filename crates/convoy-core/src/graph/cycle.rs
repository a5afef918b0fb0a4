//! Cycle detection for the two task-to-task orders that must stay acyclic:
//! `blocks` and subtasks. (Containment cannot cycle: it always goes from a
//! higher kind to a lower one.)

use std::collections::{HashMap, VecDeque};

use petgraph::Direction;
use petgraph::stable_graph::NodeIndex;
use petgraph::visit::EdgeRef as _;

use super::read::Graph;
use crate::id::EntityId;
use crate::relation::{Relation, Slot};

impl Graph {
    /// If adding `a blocks b` would close a cycle, the shortest such cycle
    /// `[a, b, …, a]`. Breadth-first from `b` over `blocks` edges, visiting
    /// neighbours in id order, so the reported cycle is deterministic.
    /// O(tasks reachable from `b` by `blocks`, and their edges).
    pub(super) fn blocks_cycle(&self, a: NodeIndex, b: NodeIndex) -> Option<Vec<EntityId>> {
        let mut came_from: HashMap<NodeIndex, NodeIndex> = HashMap::new();
        let mut queue = VecDeque::from([b]);
        let mut found = a == b;
        while let (false, Some(n)) = (found, queue.pop_front()) {
            let mut next: Vec<NodeIndex> = self
                .g
                .edges_directed(n, Direction::Outgoing)
                .filter(|e| e.weight().relation == Relation::Blocks)
                .map(|e| e.target())
                .filter(|t| *t != b && !came_from.contains_key(t))
                .collect();
            next.sort_unstable_by_key(|&t| self.id_of(t));
            next.dedup();
            for t in next {
                came_from.insert(t, n);
                if t == a {
                    found = true;
                    break;
                }
                queue.push_back(t);
            }
        }
        if !found {
            return None;
        }
        // Walk back from a to b, then close the loop.
        let mut path = vec![a];
        let mut at = a;
        while at != b {
            at = *came_from.get(&at)?;
            path.push(at);
        }
        path.push(a);
        path.reverse();
        Some(path.into_iter().map(|i| self.id_of(i)).collect())
    }

    /// If adding `parent has_subtask child` would close a cycle (the child
    /// is the parent or one of its ancestors), that cycle
    /// `[child, …, parent, child]`. O(depth of `parent`).
    pub(super) fn subtask_cycle(&self, parent: NodeIndex, child: NodeIndex) -> Option<Vec<EntityId>> {
        let mut chain = vec![parent];
        let mut at = parent;
        // Bounded by the node count, so even a corrupted chain cannot loop forever.
        for _ in 0..=self.g.node_count() {
            if at == child {
                chain.reverse();
                chain.push(child);
                return Some(chain.into_iter().map(|i| self.id_of(i)).collect());
            }
            at = self.g[at].up.get(Slot::ParentTask)?;
            chain.push(at);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use crate::model::entity::{Project, Task, Workspace};
    use crate::op::{Batch, Op};
    use crate::relation::Relation;
    use crate::{Graph, OpError};

    #[test]
    fn subtask_cycle_is_reported_with_its_members() {
        let mut g = Graph::new();
        let ws = Op::create(Workspace::new("w").unwrap());
        let p = Op::create(Project::new("p").unwrap());
        let (ws_id, p_id) = (ws.subject(), p.subject());
        let tasks: Vec<Op> = (0..3).map(|i| Op::create(Task::new(&format!("t{i}")).unwrap())).collect();
        let ids: Vec<_> = tasks.iter().map(Op::subject).collect();
        let mut batch: Batch = vec![ws, p, Op::link(ws_id, Relation::Contains, p_id)].into();
        for t in tasks {
            let id = t.subject();
            batch.push(t).push(Op::link(p_id, Relation::Contains, id));
        }
        batch.push(Op::link(ids[0], Relation::HasSubtask, ids[1])).push(Op::link(ids[1], Relation::HasSubtask, ids[2]));
        g.apply(&batch).unwrap();
        let err = g.apply(&Op::link(ids[2], Relation::HasSubtask, ids[0]).into()).unwrap_err();
        assert_eq!(err.op_error(), Some(&OpError::SubtaskCycle { cycle: vec![ids[0], ids[1], ids[2], ids[0]] }));
    }
}
