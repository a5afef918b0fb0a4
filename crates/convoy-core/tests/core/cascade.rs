//! Deletes follow the seeds' `ON DELETE` rules: what requires the deleted
//! entity goes with it (with its edges and feed); what only pointed at it is
//! detached. Every test checks the invariants and that nothing left refers
//! to a removed id.

use convoy_core::model::{Activity, BestPractice, EntityKind, Pattern, TaskStatus};
use convoy_core::{ActivityId, Batch, EntityId, Graph, Op, Relation, Slot, Timestamp};

use super::fixture::{create, fixture};

/// Deletes `id`, then checks invariants, that every id in `gone` is absent
/// from the graph, its indexes and every remaining edge, and that every id
/// in `kept` is still there.
fn delete_and_check(g: &mut Graph, id: EntityId, gone: &[EntityId], kept: &[EntityId]) {
    g.apply(&Op::delete(id).into()).unwrap();
    g.check_invariants().unwrap();
    for x in gone {
        assert!(!g.contains(*x), "{x} should be gone");
        assert!(g.feed(*x).is_empty());
        for kind in EntityKind::ALL {
            assert!(!g.ids_of_kind(*kind).contains(x));
        }
        for s in TaskStatus::ALL {
            assert!(!g.tasks_with_status(*s).contains(x));
        }
    }
    for e in g.state().entities() {
        for edge in g.edges(e.id()) {
            assert!(!gone.contains(&edge.target()), "{} still points at removed {}", e.id(), edge.target());
        }
    }
    for x in kept {
        assert!(g.contains(*x), "{x} should remain");
    }
}

fn record(g: &mut Graph, task: EntityId) {
    let a = Activity::new(ActivityId::random(), task, "COMMENT", Timestamp::now()).unwrap();
    g.apply(&Op::RecordActivity(a).into()).unwrap();
    assert_eq!(g.feed(task).len(), 1);
}

/// A pattern and a best practice scoped to `scope`.
fn scoped(g: &mut Graph, scope: EntityId) -> [EntityId; 2] {
    let mut b = Batch::new();
    let p = create(&mut b, Pattern::new("p", "CODE", "{}").unwrap());
    let bp = create(&mut b, BestPractice::new("bp", "TESTING", "[]").unwrap());
    b.push(Op::link(p, Relation::ScopedTo, scope)).push(Op::link(bp, Relation::ScopedTo, scope));
    g.apply(&b).unwrap();
    [p, bp]
}

#[test]
fn deleting_a_workspace_removes_everything_under_it() {
    let (mut g, ids) = fixture();
    record(&mut g, ids.a);
    let [wp, wbp] = scoped(&mut g, ids.workspace);
    let [pp, pbp] = scoped(&mut g, ids.project);
    let gone = [
        ids.workspace,
        ids.project,
        ids.other_project,
        ids.workstream,
        ids.milestone,
        ids.slice,
        ids.other_milestone,
        ids.a,
        ids.b,
        ids.c,
        wp,
        wbp,
        pp,
        pbp,
    ];
    delete_and_check(&mut g, ids.workspace, &gone, &[ids.workflow, ids.user]);
    assert_eq!(g.entity_count(), 2);
    assert_eq!(g.relationship_count(), 0);
    assert!(g.tasks_owned_by(ids.user).is_empty());
}

#[test]
fn deleting_a_project_removes_its_contents_only() {
    let (mut g, ids) = fixture();
    record(&mut g, ids.b);
    let [pp, pbp] = scoped(&mut g, ids.project);
    let [wp, _] = scoped(&mut g, ids.workspace);
    let gone = [ids.project, ids.workstream, ids.milestone, ids.slice, ids.a, ids.b, ids.c, pp, pbp];
    let kept = [ids.workspace, ids.other_project, ids.other_milestone, ids.workflow, ids.user, wp];
    delete_and_check(&mut g, ids.project, &gone, &kept);
    assert_eq!(g.neighbors(ids.workspace, Relation::Contains), vec![ids.other_project]);
}

#[test]
fn deleting_a_workstream_detaches_its_tasks() {
    let (mut g, ids) = fixture();
    delete_and_check(&mut g, ids.workstream, &[ids.workstream], &[ids.a]);
    assert_eq!(g.parent(ids.a, Slot::Workstream), None);
    assert_eq!(g.parent(ids.a, Slot::Project), Some(ids.project));
    assert_eq!(g.parent(ids.a, Slot::Slice), Some(ids.slice));
}

#[test]
fn deleting_a_milestone_removes_its_slices_and_detaches_its_tasks() {
    let (mut g, ids) = fixture();
    delete_and_check(&mut g, ids.milestone, &[ids.milestone, ids.slice], &[ids.a, ids.project]);
    assert_eq!(g.parent(ids.a, Slot::Milestone), None);
    assert_eq!(g.parent(ids.a, Slot::Slice), None);
    assert_eq!(g.parent(ids.a, Slot::Project), Some(ids.project));
}

#[test]
fn deleting_a_slice_detaches_its_tasks() {
    let (mut g, ids) = fixture();
    delete_and_check(&mut g, ids.slice, &[ids.slice], &[ids.a, ids.milestone]);
    assert_eq!(g.parent(ids.a, Slot::Slice), None);
    assert_eq!(g.parent(ids.a, Slot::Milestone), Some(ids.milestone));
}

#[test]
fn deleting_a_parent_task_detaches_its_subtasks() {
    let (mut g, ids) = fixture();
    record(&mut g, ids.a);
    delete_and_check(&mut g, ids.a, &[ids.a], &[ids.c, ids.b]);
    assert_eq!(g.parent(ids.c, Slot::ParentTask), None);
    assert_eq!(g.parent(ids.c, Slot::Project), Some(ids.project));
}

#[test]
fn deleting_a_task_removes_its_dependency_edges_on_both_sides() {
    let (mut g, ids) = fixture();
    g.apply(&Op::link(ids.b, Relation::RelatedTo, ids.c).into()).unwrap();
    assert_eq!(g.neighbors(ids.b, Relation::BlockedBy), vec![ids.a]);
    record(&mut g, ids.b);
    delete_and_check(&mut g, ids.b, &[ids.b], &[ids.a, ids.c]);
    assert!(g.neighbors(ids.a, Relation::Blocks).is_empty());
    assert!(g.neighbors(ids.c, Relation::RelatedTo).is_empty());
}

#[test]
fn deleting_a_workflow_detaches_its_followers() {
    let (mut g, ids) = fixture();
    delete_and_check(&mut g, ids.workflow, &[ids.workflow], &[ids.a]);
    assert_eq!(g.parent(ids.a, Slot::Workflow), None);
}

#[test]
fn deleting_a_user_detaches_what_it_owns() {
    let (mut g, ids) = fixture();
    assert_eq!(g.tasks_owned_by(ids.user).iter().copied().collect::<Vec<_>>(), vec![ids.a]);
    delete_and_check(&mut g, ids.user, &[ids.user], &[ids.a]);
    assert_eq!(g.parent(ids.a, Slot::Owner), None);
    assert!(g.tasks_owned_by(ids.user).is_empty());
}

#[test]
fn refused_cascade_restores_everything_including_feeds() {
    let (mut g, ids) = fixture();
    record(&mut g, ids.a);
    record(&mut g, ids.b);
    scoped(&mut g, ids.project);
    let before = g.state();
    let batch: Batch = vec![Op::delete(ids.workspace), Op::link(ids.a, Relation::Blocks, ids.b)].into();
    assert!(g.apply(&batch).is_err());
    assert_eq!(g.state(), before);
    assert_eq!(g.feed(ids.a).len(), 1);
    assert_eq!(g.parent(ids.a, Slot::Owner), Some(ids.user));
    g.check_invariants().unwrap();
}
