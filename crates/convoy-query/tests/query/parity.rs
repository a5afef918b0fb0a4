//! Parity with the seeds' SQL (001_3ae0a838098f7bdf.txt): the upward
//! context CTE, the related-tasks query and the workspace-contents CTE, on
//! the seeds' example shape, with the expected answers written out.

use convoy_core::Relation;
use convoy_core::model::EntityKind;
use convoy_query::{Direction, ancestors, descendants, related};

use crate::fixture::seeds_example;

#[test]
fn upward_context_cte_task_to_project_workstream_workspace_with_depth() {
    // The seeds' CTE follows task_belongs_to_project, task_belongs_to_workstream
    // and project_belongs_to_workspace from the task: it returns the task at
    // depth 0, its project and workstream at depth 1, the workspace at depth 2.
    let (script, ids) = seeds_example();
    let graph = script.graph();
    let got: Vec<(u128, EntityKind, u32)> =
        ancestors(&graph, ids.design).unwrap().iter().map(|a| (a.id.as_uuid().as_u128(), a.kind, a.depth)).collect();
    assert_eq!(got, vec![(20, EntityKind::Workstream, 1), (10, EntityKind::Project, 1), (1, EntityKind::Workspace, 2)]);
    // A task outside any workstream: project, then workspace.
    let got: Vec<u128> = ancestors(&graph, ids.doc).unwrap().iter().map(|a| a.id.as_uuid().as_u128()).collect();
    assert_eq!(got, vec![10, 1]);
}

#[test]
fn related_tasks_query_returns_tasks_linked_either_way() {
    // SELECT t.* FROM tasks t JOIN relationships r ON … WHERE r.source_id =
    // [TASK_ID] AND r.relationship_type IN (task_related_to, task_blocks, …):
    // with both directions stored, asking from either end finds the other.
    let (script, ids) = seeds_example();
    let graph = script.graph();
    let from_write: Vec<(u128, Relation)> = related(&graph, ids.write, None, Some(EntityKind::Task), Direction::Out)
        .unwrap()
        .iter()
        .map(|l| (l.id.as_uuid().as_u128(), l.relation))
        .collect();
    assert_eq!(from_write, vec![(100, Relation::BlockedBy), (102, Relation::RelatedTo)]);
    let from_doc: Vec<u128> = related(&graph, ids.doc, Some(Relation::RelatedTo), None, Direction::Out)
        .unwrap()
        .iter()
        .map(|l| l.id.as_uuid().as_u128())
        .collect();
    assert_eq!(from_doc, vec![101]);
    // findReferencingEntities: who points at `write` with `blocks`.
    let referencing: Vec<u128> = related(&graph, ids.write, Some(Relation::Blocks), None, Direction::In)
        .unwrap()
        .iter()
        .map(|l| l.id.as_uuid().as_u128())
        .collect();
    assert_eq!(referencing, vec![100]);
}

#[test]
fn workspace_contents_cte_returns_each_task_once() {
    // The seeds' CTE walks workspace_contains_project, project_contains_workstream,
    // project_contains_task and workstream_contains_task with UNION ALL, so it
    // returns tasks 100 and 101 twice (through the project and the workstream).
    // Convoy returns each once, at its smallest depth.
    let (script, ids) = seeds_example();
    let graph = script.graph();
    let tasks: Vec<(u128, u32)> = descendants(&graph, ids.ws, Some(EntityKind::Task), None)
        .unwrap()
        .iter()
        .map(|d| (d.id.as_uuid().as_u128(), d.depth))
        .collect();
    assert_eq!(tasks, vec![(100, 2), (101, 2), (102, 2)]);
    let everything: Vec<u128> =
        descendants(&graph, ids.ws, None, None).unwrap().iter().map(|d| d.id.as_uuid().as_u128()).collect();
    assert_eq!(everything, vec![10, 20, 100, 101, 102]);
    // Depth-limited: the project only.
    let first: Vec<u128> =
        descendants(&graph, ids.ws, None, Some(1)).unwrap().iter().map(|d| d.id.as_uuid().as_u128()).collect();
    assert_eq!(first, vec![10]);
}
