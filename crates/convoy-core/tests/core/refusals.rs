//! One test per refusal path: each asserts the error variant (with the ids it
//! names) and that the refused batch left the canonical state unchanged
//! (`refused` checks that, and the invariants).

use convoy_core::model::{
    Activity, EntityData, MAX_JSON_BYTES, MAX_NAME_BYTES, MAX_TEXT_BYTES, Milestone, Name, Project, Slice, Stage,
    Stages, Tag, Task, Text, Workflow, WorkflowPatch, Workspace, Workstream,
};
use convoy_core::{ActivityId, BatchError, EntityId, FieldError, Graph, Op, OpError, Relation, Slot, Timestamp};

use super::fixture::{Ids, create, fixture, refused};

fn op_error(err: &BatchError) -> &OpError {
    err.op_error().expect("an op-level error")
}

/// A new task in the fixture's project, as a batch with its project link.
fn new_task(ids: &Ids) -> (convoy_core::Batch, EntityId) {
    let mut b = convoy_core::Batch::new();
    let t = create(&mut b, Task::new("new").unwrap());
    b.push(Op::link(ids.project, Relation::Contains, t));
    (b, t)
}

#[test]
fn duplicate_edge_is_refused() {
    let (mut g, ids) = fixture();
    let err = refused(&mut g, Op::link(ids.a, Relation::Blocks, ids.b));
    assert_eq!(op_error(&err), &OpError::DuplicateEdge { from: ids.a, relation: Relation::Blocks, to: ids.b });
    // The inverse spelling of the same pair is the same edge.
    let err = refused(&mut g, Op::link(ids.b, Relation::BlockedBy, ids.a));
    assert!(matches!(op_error(&err), OpError::DuplicateEdge { .. }));
    // related_to is symmetric: b~a after a~b is a duplicate.
    g.apply(&Op::link(ids.a, Relation::RelatedTo, ids.c).into()).unwrap();
    let err = refused(&mut g, Op::link(ids.c, Relation::RelatedTo, ids.a));
    assert!(matches!(op_error(&err), OpError::DuplicateEdge { .. }));
}

#[test]
fn self_loop_is_refused() {
    let (mut g, ids) = fixture();
    let err = refused(&mut g, Op::link(ids.b, Relation::RelatedTo, ids.b));
    assert_eq!(op_error(&err), &OpError::SelfLoop { id: ids.b, relation: Relation::RelatedTo });
}

#[test]
fn disallowed_endpoint_kinds_are_refused() {
    let (mut g, ids) = fixture();
    let err = refused(&mut g, Op::link(ids.workspace, Relation::Contains, ids.a));
    assert!(matches!(
        op_error(&err),
        OpError::KindsNotAllowed { from, relation: Relation::Contains, to, .. } if *from == ids.workspace && *to == ids.a
    ));
    let err = refused(&mut g, Op::link(ids.a, Relation::Blocks, ids.project));
    assert!(matches!(op_error(&err), OpError::KindsNotAllowed { .. }));
}

#[test]
fn second_project_for_a_task_is_refused() {
    let (mut g, ids) = fixture();
    let err = refused(&mut g, Op::link(ids.other_project, Relation::Contains, ids.b));
    assert_eq!(
        op_error(&err),
        &OpError::SlotTaken { id: ids.b, slot: Slot::Project, existing: ids.project, attempted: ids.other_project }
    );
}

#[test]
fn workstream_from_another_project_is_refused() {
    let (mut g, ids) = fixture();
    let mut b = convoy_core::Batch::new();
    let ws = create(&mut b, Workstream::new("elsewhere").unwrap());
    b.push(Op::link(ids.other_project, Relation::Contains, ws)).push(Op::link(ws, Relation::Contains, ids.b));
    let err = refused(&mut g, b);
    assert!(matches!(err, BatchError::Closing(_)), "{err}");
    assert_eq!(
        op_error(&err),
        &OpError::Misplaced {
            id: ids.b,
            slot: Slot::Workstream,
            other: ws,
            expected: ids.project,
            found: ids.other_project
        }
    );
}

#[test]
fn milestone_from_another_project_is_refused() {
    let (mut g, ids) = fixture();
    let err = refused(&mut g, Op::link(ids.other_milestone, Relation::Contains, ids.b));
    assert!(matches!(
        op_error(&err),
        OpError::Misplaced { id, slot: Slot::Milestone, found, .. } if *id == ids.b && *found == ids.other_project
    ));
}

#[test]
fn slice_from_another_project_is_refused() {
    let (mut g, ids) = fixture();
    let mut b = convoy_core::Batch::new();
    let s = create(&mut b, Slice::new("elsewhere").unwrap());
    b.push(Op::link(ids.other_milestone, Relation::Contains, s)).push(Op::link(s, Relation::Contains, ids.b));
    let err = refused(&mut g, b);
    assert!(matches!(
        op_error(&err),
        OpError::Misplaced { id, slot: Slot::Slice, other, .. } if *id == ids.b && *other == s
    ));
}

#[test]
fn slice_outside_the_tasks_milestone_is_refused() {
    let (mut g, ids) = fixture();
    let mut b = convoy_core::Batch::new();
    let m2 = create(&mut b, Milestone::new("M2").unwrap());
    let s2 = create(&mut b, Slice::new("S2").unwrap());
    b.push(Op::link(ids.project, Relation::Contains, m2)).push(Op::link(m2, Relation::Contains, s2));
    // a is in milestone M1; moving it into a slice of M2 leaves them disagreeing.
    b.push(Op::move_to(ids.a, s2));
    let err = refused(&mut g, b);
    assert_eq!(
        op_error(&err),
        &OpError::Misplaced { id: ids.a, slot: Slot::Slice, other: s2, expected: ids.milestone, found: m2 }
    );
}

#[test]
fn parent_task_from_another_project_is_refused() {
    let (mut g, ids) = fixture();
    let mut b = convoy_core::Batch::new();
    let t = create(&mut b, Task::new("elsewhere").unwrap());
    b.push(Op::link(ids.other_project, Relation::Contains, t)).push(Op::link(t, Relation::HasSubtask, ids.b));
    let err = refused(&mut g, b);
    assert!(matches!(
        op_error(&err),
        OpError::Misplaced { id, slot: Slot::ParentTask, other, .. } if *id == ids.b && *other == t
    ));
}

#[test]
fn blocks_cycle_is_refused_with_the_cycle() {
    let (mut g, ids) = fixture();
    // a blocks b (fixture); add b blocks x; then x blocks a closes a -> b -> x -> a.
    let (mut b, x) = new_task(&ids);
    b.push(Op::link(ids.b, Relation::Blocks, x));
    g.apply(&b).unwrap();
    let err = refused(&mut g, Op::link(x, Relation::Blocks, ids.a));
    assert_eq!(op_error(&err), &OpError::BlocksCycle { cycle: vec![x, ids.a, ids.b, x] });
    let msg = err.to_string();
    assert!(msg.contains(&ids.a.to_string()) && msg.contains(&x.to_string()), "{msg}");
    // Positive control: a non-closing link is fine.
    g.apply(&Op::link(ids.c, Relation::Blocks, x).into()).unwrap();
}

#[test]
fn unknown_id_is_refused_for_every_op() {
    let (mut g, ids) = fixture();
    let ghost = EntityId::random();
    let unknown = OpError::UnknownEntity { id: ghost };
    for op in [
        Op::link(ids.a, Relation::RelatedTo, ghost),
        Op::unlink(ghost, Relation::Blocks, ids.b),
        Op::update(ghost, convoy_core::model::TaskPatch::default()),
        Op::delete(ghost),
        Op::move_to(ghost, ids.project),
        Op::move_to(ids.a, ghost),
        Op::set_stage(ghost, Tag::new("stage", "PLAN").unwrap()),
        Op::RecordActivity(Activity::new(ActivityId::random(), ghost, "COMMENT", Timestamp::now()).unwrap()),
    ] {
        let err = refused(&mut g, op);
        assert_eq!(op_error(&err), &unknown);
    }
}

#[test]
fn stage_not_in_workflow_is_refused() {
    let (mut g, ids) = fixture();
    let err = refused(&mut g, Op::set_stage(ids.a, Tag::new("stage", "DEPLOY").unwrap()));
    assert_eq!(
        op_error(&err),
        &OpError::StageNotInWorkflow { task: ids.a, stage: "DEPLOY".into(), workflow: ids.workflow }
    );
    // Positive control: a real stage is accepted and recorded in the feed.
    g.apply(&Op::set_stage(ids.a, Tag::new("stage", "IMPLEMENT").unwrap()).into()).unwrap();
    assert_eq!(g.recent_activity(ids.a, 1).next().map(|a| a.activity_type.as_str()), Some("STAGE_TRANSITION"));
}

#[test]
fn stage_without_workflow_is_refused() {
    let (mut g, ids) = fixture();
    let err = refused(&mut g, Op::set_stage(ids.b, Tag::new("stage", "PLAN").unwrap()));
    assert_eq!(op_error(&err), &OpError::NoWorkflow { task: ids.b });
}

#[test]
fn workflow_patch_dropping_a_stage_in_use_is_refused() {
    let (mut g, ids) = fixture();
    g.apply(&Op::set_stage(ids.a, Tag::new("stage", "TEST").unwrap()).into()).unwrap();
    let stages = Stages::new(vec![Stage::new("PLAN").unwrap(), Stage::new("DONE").unwrap()]).unwrap();
    let patch = WorkflowPatch { stages: Some(stages), ..WorkflowPatch::default() };
    let err = refused(&mut g, Op::update(ids.workflow, patch));
    assert!(matches!(err, BatchError::Closing(OpError::StageNotInWorkflow { task, .. }) if task == ids.a));
}

#[test]
fn empty_title_is_refused() {
    assert_eq!(Task::new("   ").unwrap_err(), FieldError::Empty { field: "title" });
    assert_eq!(Name::new("name", "").unwrap_err(), FieldError::Empty { field: "name" });
    // Through deserialization too: no door lets a blank title in.
    let json = r#"{"Task":{"title":"","description":null,"status":"TODO","priority":null,"labels":[],"current_stage":null,"completion_date":null}}"#;
    assert!(serde_json::from_str::<EntityData>(json).is_err());
    let ok = json.replace(r#""title":"""#, r#""title":"t""#);
    assert!(serde_json::from_str::<EntityData>(&ok).is_ok());
}

#[test]
fn oversized_text_is_refused() {
    let title = "x".repeat(MAX_NAME_BYTES + 1);
    assert_eq!(
        Task::new(&title).unwrap_err(),
        FieldError::TooLong { field: "title", len: MAX_NAME_BYTES + 1, max: MAX_NAME_BYTES }
    );
    assert!(matches!(
        Text::new("description", "y".repeat(MAX_TEXT_BYTES + 1)),
        Err(FieldError::TooLong { field: "description", .. })
    ));
    let json = format!("\"{}\"", "z".repeat(MAX_JSON_BYTES));
    assert!(matches!(convoy_core::model::Json::parse("content", &json), Err(FieldError::TooLong { .. })));
    assert!(Task::new(&"x".repeat(MAX_NAME_BYTES)).is_ok());
}

#[test]
fn project_without_workspace_is_refused() {
    let mut g = Graph::new();
    let mut b = convoy_core::Batch::new();
    let p = create(&mut b, Project::new("orphan").unwrap());
    let err = refused(&mut g, b);
    assert_eq!(
        err,
        BatchError::Closing(OpError::MissingParent {
            id: p,
            kind: convoy_core::model::EntityKind::Project,
            slot: Slot::Workspace
        })
    );
}

#[test]
fn unlinking_a_tasks_only_project_is_refused() {
    let (mut g, ids) = fixture();
    let err = refused(&mut g, Op::unlink(ids.project, Relation::Contains, ids.b));
    assert!(matches!(err, BatchError::Closing(OpError::MissingParent { id, slot: Slot::Project, .. }) if id == ids.b));
    // Unlinking an optional reference is fine.
    g.apply(&Op::unlink(ids.workstream, Relation::Contains, ids.a).into()).unwrap();
}

#[test]
fn late_failure_leaves_no_trace_of_earlier_ops() {
    let (mut g, ids) = fixture();
    let mut b = convoy_core::Batch::new();
    let created: Vec<EntityId> = (0..3).map(|i| create(&mut b, Task::new(&format!("n{i}")).unwrap())).collect();
    for &t in &created {
        b.push(Op::link(ids.project, Relation::Contains, t));
    }
    b.push(Op::link(ids.b, Relation::Blocks, ids.a)); // closes a cycle
    let err = refused(&mut g, b);
    assert!(matches!(err, BatchError::Op { index: 6, error: OpError::BlocksCycle { .. } }), "{err}");
    assert!(created.iter().all(|&t| !g.contains(t)));
}

#[test]
fn duplicate_entity_id_is_refused() {
    let (mut g, ids) = fixture();
    let op = Op::Create { id: ids.a, at: Timestamp::now(), data: Workspace::new("dup").unwrap().into() };
    let err = refused(&mut g, op);
    assert_eq!(op_error(&err), &OpError::DuplicateEntity { id: ids.a, kind: convoy_core::model::EntityKind::Task });
}

#[test]
fn duplicate_activity_id_is_refused() {
    let (mut g, ids) = fixture();
    let entry = Activity::new(ActivityId::random(), ids.b, "COMMENT", Timestamp::now()).unwrap();
    g.apply(&Op::RecordActivity(entry.clone()).into()).unwrap();
    let err = refused(&mut g, Op::RecordActivity(entry.clone()));
    assert_eq!(op_error(&err), &OpError::DuplicateActivity { task: ids.b, activity: entry.id });
}

#[test]
fn patch_of_the_wrong_kind_is_refused() {
    let (mut g, ids) = fixture();
    let err = refused(&mut g, Op::update(ids.a, WorkflowPatch::default()));
    assert!(matches!(op_error(&err), OpError::PatchKind { id, .. } if *id == ids.a));
}

#[test]
fn move_under_an_impossible_parent_is_refused() {
    let (mut g, ids) = fixture();
    let err = refused(&mut g, Op::move_to(ids.project, ids.a));
    assert!(matches!(op_error(&err), OpError::CannotMove { id, parent, .. } if *id == ids.project && *parent == ids.a));
    let err = refused(&mut g, Op::move_to(ids.a, ids.workspace));
    assert!(matches!(op_error(&err), OpError::CannotMove { .. }));
}

#[test]
fn validate_agrees_with_apply_and_changes_nothing() {
    let (mut g, ids) = fixture();
    let before = g.state();
    let bad: convoy_core::Batch = Op::link(ids.b, Relation::Blocks, ids.a).into();
    let from_validate = g.validate(&bad).unwrap_err();
    assert_eq!(g.state(), before);
    assert_eq!(g.apply(&bad).unwrap_err(), from_validate);
    let (good, t) = new_task(&ids);
    g.validate(&good).unwrap();
    assert_eq!(g.state(), before);
    assert!(!g.contains(t));
    g.apply(&good).unwrap();
    assert!(g.contains(t));
}

#[test]
fn workflow_creation_needs_stages() {
    assert_eq!(Stages::new(vec![]).unwrap_err(), FieldError::Empty { field: "stages" });
    assert!(Workflow::new("wf").is_ok());
}
