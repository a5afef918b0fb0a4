//! A small, fully wired project for tests: one workspace with two projects;
//! in the first, a workstream, a milestone with a slice, a workflow, a user
//! and three tasks (`a` blocks `b`; `c` is a subtask of `a`).

use convoy_core::model::{Milestone, Project, Slice, Task, User, Workflow, Workspace, Workstream};
use convoy_core::{Batch, EntityId, Graph, Op, Relation, State};

/// Ids of everything in the fixture.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ids {
    pub(crate) workspace: EntityId,
    pub(crate) project: EntityId,
    pub(crate) other_project: EntityId,
    pub(crate) workstream: EntityId,
    pub(crate) milestone: EntityId,
    pub(crate) slice: EntityId,
    pub(crate) other_milestone: EntityId,
    pub(crate) workflow: EntityId,
    pub(crate) user: EntityId,
    pub(crate) a: EntityId,
    pub(crate) b: EntityId,
    pub(crate) c: EntityId,
}

/// Creates `data` and returns its id, appending the op to `batch`.
pub(crate) fn create(batch: &mut Batch, data: impl Into<convoy_core::model::EntityData>) -> EntityId {
    let op = Op::create(data);
    let id = op.subject();
    batch.push(op);
    id
}

/// The fixture graph and its ids.
pub(crate) fn fixture() -> (Graph, Ids) {
    let mut b = Batch::new();
    let workspace = create(&mut b, Workspace::new("Acme").unwrap());
    let project = create(&mut b, Project::new("Convoy").unwrap());
    let other_project = create(&mut b, Project::new("Other").unwrap());
    let workstream = create(&mut b, Workstream::new("Storage").unwrap());
    let milestone = create(&mut b, Milestone::new("M1").unwrap());
    let slice = create(&mut b, Slice::new("S1").unwrap());
    let other_milestone = create(&mut b, Milestone::new("Other M").unwrap());
    let workflow = create(&mut b, Workflow::new("standard_dev_workflow").unwrap());
    let user = create(&mut b, User::new("ada").unwrap());
    let a = create(&mut b, Task::new("a").unwrap());
    let bb = create(&mut b, Task::new("b").unwrap());
    let c = create(&mut b, Task::new("c").unwrap());
    for (s, r, t) in [
        (workspace, Relation::Contains, project),
        (workspace, Relation::Contains, other_project),
        (project, Relation::Contains, workstream),
        (project, Relation::Contains, milestone),
        (milestone, Relation::Contains, slice),
        (other_project, Relation::Contains, other_milestone),
        (project, Relation::Contains, a),
        (project, Relation::Contains, bb),
        (project, Relation::Contains, c),
        (workstream, Relation::Contains, a),
        (slice, Relation::Contains, a),
        (milestone, Relation::Contains, a),
        (a, Relation::Blocks, bb),
        (a, Relation::HasSubtask, c),
        (a, Relation::Follows, workflow),
        (a, Relation::OwnedBy, user),
    ] {
        b.push(Op::link(s, r, t));
    }
    let mut g = Graph::new();
    g.apply(&b).unwrap();
    g.check_invariants().unwrap();
    let ids = Ids {
        workspace,
        project,
        other_project,
        workstream,
        milestone,
        slice,
        other_milestone,
        workflow,
        user,
        a,
        b: bb,
        c,
    };
    (g, ids)
}

/// Applies `batch`, expecting a refusal; asserts the state is unchanged and
/// the invariants still hold, and returns the error.
pub(crate) fn refused(g: &mut Graph, batch: impl Into<Batch>) -> convoy_core::BatchError {
    let before: State = g.state();
    let err = g.apply(&batch.into()).expect_err("batch should be refused");
    assert_eq!(g.state(), before, "a refused batch changed the state");
    g.check_invariants().unwrap();
    err
}
