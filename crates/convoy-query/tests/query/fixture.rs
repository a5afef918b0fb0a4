//! Small hand-built graphs shaped like the seeds' examples, with named ids.

use convoy_core::model::{EntityData, Project, Task, Workspace, Workstream};
use convoy_core::{Batch, EntityId, Graph, Op, Relation, Timestamp};

/// Builds ops with fixed ids (`n` → a UUID ending in `n`) and times.
#[derive(Default)]
pub(crate) struct Script {
    ops: Vec<Op>,
    clock: i64,
}

fn id(n: u128) -> EntityId {
    EntityId::from_uuid(uuid::Uuid::from_u128(n))
}

impl Script {
    pub(crate) fn at(&mut self) -> Timestamp {
        self.clock += 1_000_000;
        Timestamp::from_micros(1_700_000_000_000_000 + self.clock)
    }

    pub(crate) fn create(&mut self, n: u128, data: impl Into<EntityData>) -> EntityId {
        let at = self.at();
        self.ops.push(Op::Create { id: id(n), at, data: data.into() });
        id(n)
    }

    pub(crate) fn link(&mut self, a: EntityId, relation: Relation, b: EntityId) {
        let at = self.at();
        self.ops.push(Op::Link { source: a, relation, target: b, weight: None, metadata: None, at });
    }

    pub(crate) fn push(&mut self, op: Op) {
        self.ops.push(op);
    }

    pub(crate) fn ops(&self) -> &[Op] {
        &self.ops
    }

    pub(crate) fn graph(&self) -> Graph {
        let mut graph = Graph::new();
        graph.apply(&Batch::from(self.ops.clone())).unwrap();
        graph
    }
}

/// The seeds' example (001): a workspace with a project; the project has
/// a workstream; tasks belong to the project, some also to the workstream.
///
/// ```text
/// workspace 1 "Acme"
/// └─ project 10 "Convoy"
///    ├─ workstream 20 "Storage"
///    │  ├─ task 100 "Design the log"   (also in the project)
///    │  └─ task 101 "Write the log"    (also in the project)
///    └─ task 102 "Document it"         (project only)
/// task 100 blocks 101; 101 related_to 102
/// ```
pub(crate) fn seeds_example() -> (Script, Ids) {
    let mut s = Script::default();
    let ws = s.create(1, Workspace::new("Acme").unwrap());
    let project = s.create(10, Project::new("Convoy").unwrap());
    let stream = s.create(20, Workstream::new("Storage").unwrap());
    let design = s.create(100, Task::new("Design the log").unwrap());
    let write = s.create(101, Task::new("Write the log").unwrap());
    let doc = s.create(102, Task::new("Document it").unwrap());
    s.link(ws, Relation::Contains, project);
    s.link(project, Relation::Contains, stream);
    for t in [design, write, doc] {
        s.link(project, Relation::Contains, t);
    }
    s.link(stream, Relation::Contains, design);
    s.link(stream, Relation::Contains, write);
    s.link(design, Relation::Blocks, write);
    s.link(write, Relation::RelatedTo, doc);
    (s, Ids { ws, project, design, write, doc })
}

#[derive(Clone, Copy)]
pub(crate) struct Ids {
    pub(crate) ws: EntityId,
    pub(crate) project: EntityId,
    pub(crate) design: EntityId,
    pub(crate) write: EntityId,
    pub(crate) doc: EntityId,
}
