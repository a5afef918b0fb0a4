//! `Op::Claim`: the effect of a successful claim and each refusal.

use convoy_core::model::{TaskPatch, TaskStatus, User};
use convoy_core::{Batch, Graph, Op, OpError, Slot};

use super::fixture::{create, fixture, refused};

fn status(g: &Graph, id: convoy_core::EntityId) -> TaskStatus {
    g.get(id).unwrap().data().as_task().unwrap().status
}

#[test]
fn claim_sets_the_owner_and_starts_a_ready_task() {
    let (mut g, ids) = fixture();
    // `b` waits on `a`; finishing `a` makes `b` ready. `b` has no owner yet.
    g.apply(&Op::update(ids.a, TaskPatch { status: Some(TaskStatus::Done), ..TaskPatch::default() }).into()).unwrap();
    assert_eq!(g.parent(ids.b, Slot::Owner), None);
    g.apply(&Op::claim(ids.b, ids.user).into()).unwrap();
    assert_eq!(g.parent(ids.b, Slot::Owner), Some(ids.user));
    assert_eq!(status(&g, ids.b), TaskStatus::InProgress);
    g.check_invariants().unwrap();
    // Claiming again for the same user is allowed and changes nothing else.
    g.apply(&Op::claim(ids.b, ids.user).into()).unwrap();
    assert_eq!(status(&g, ids.b), TaskStatus::InProgress);
}

#[test]
fn second_claimant_is_refused_naming_the_holder() {
    let (mut g, ids) = fixture();
    let mut b = Batch::new();
    let other = create(&mut b, User::new("grace").unwrap());
    g.apply(&b).unwrap();
    // `a` is owned by the fixture's user.
    let err = refused(&mut g, Op::claim(ids.a, other));
    let op = err.op_error().unwrap();
    assert!(
        matches!(op, OpError::AlreadyClaimed { task, owner, holder } if *task == ids.a && *owner == other && *holder == ids.user),
        "{op:?}"
    );
}

#[test]
fn claim_of_a_blocked_task_names_its_open_blockers() {
    let (mut g, ids) = fixture();
    let err = refused(&mut g, Op::claim(ids.b, ids.user));
    let op = err.op_error().unwrap();
    assert!(matches!(op, OpError::NotReady { task, blockers } if *task == ids.b && blockers == &vec![ids.a]), "{op:?}");
    assert!(err.to_string().contains(&ids.a.to_string()), "{err}");
}

#[test]
fn claim_of_a_closed_task_or_by_a_non_user_is_refused() {
    let (mut g, ids) = fixture();
    g.apply(&Op::update(ids.c, TaskPatch { status: Some(TaskStatus::Cancelled), ..TaskPatch::default() }).into())
        .unwrap();
    let err = refused(&mut g, Op::claim(ids.c, ids.user));
    assert!(matches!(err.op_error().unwrap(), OpError::NotOpen { status: TaskStatus::Cancelled, .. }), "{err}");
    let err = refused(&mut g, Op::claim(ids.a, ids.project));
    assert!(matches!(err.op_error().unwrap(), OpError::WrongKind { id, expected: "user", .. } if *id == ids.project));
    let err = refused(&mut g, Op::claim(ids.project, ids.user));
    assert!(matches!(err.op_error().unwrap(), OpError::WrongKind { id, expected: "task", .. } if *id == ids.project));
}
