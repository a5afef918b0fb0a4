//! A tour of convoy-core: builds a small project, shows the stored inverse
//! edges, the O(1) references and indexes, a refused batch, a cascade, and
//! the invariant check. Run with `cargo run -p convoy-core --example tour`.

#![expect(clippy::print_stdout, reason = "an example prints what it does")]

use convoy_core::model::{Milestone, Project, Slice, Task, TaskPatch, TaskStatus, Workflow, Workspace, Workstream};
use convoy_core::{Batch, EntityId, Graph, Op, Relation, Slot};

fn create(batch: &mut Batch, data: impl Into<convoy_core::model::EntityData>) -> EntityId {
    let op = Op::create(data);
    let id = op.subject();
    batch.push(op);
    id
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut graph = Graph::new();
    let mut batch = Batch::new();
    let ws = create(&mut batch, Workspace::new("Acme")?);
    let project = create(&mut batch, Project::new("Convoy")?);
    let stream = create(&mut batch, Workstream::new("Storage engine")?);
    let milestone = create(&mut batch, Milestone::new("M1: durable log")?);
    let slice = create(&mut batch, Slice::new("Record framing")?);
    let workflow = create(&mut batch, Workflow::new("standard_dev_workflow")?);
    batch
        .push(Op::link(ws, Relation::Contains, project))
        .push(Op::link(project, Relation::Contains, stream))
        .push(Op::link(project, Relation::Contains, milestone))
        .push(Op::link(milestone, Relation::Contains, slice));
    let titles = ["Design the record header", "Write the CRC32C framing", "Fuzz the decoder", "Document the format"];
    let mut tasks = Vec::new();
    for title in titles {
        let task = create(&mut batch, Task::new(title)?);
        batch
            .push(Op::link(project, Relation::Contains, task))
            .push(Op::link(stream, Relation::Contains, task))
            .push(Op::link(milestone, Relation::Contains, task))
            .push(Op::link(slice, Relation::Contains, task))
            .push(Op::link(task, Relation::Follows, workflow));
        tasks.push(task);
    }
    for pair in tasks.windows(2) {
        batch.push(Op::link(pair[0], Relation::Blocks, pair[1]));
    }
    graph.apply(&batch)?;
    println!(
        "applied {} ops atomically: {} entities, {} relationships (each stored with its inverse)",
        batch.len(),
        graph.entity_count(),
        graph.relationship_count()
    );

    let last = tasks[tasks.len() - 1];
    println!("\n{:?} is blocked by:", graph.get(last).map(|e| e.data().name().to_string()));
    for blocker in graph.neighbors(last, Relation::BlockedBy) {
        println!("  - {}", graph.get(blocker).map_or("?".into(), |e| e.data().name().to_string()));
    }
    println!(
        "its project (O(1) uplink): {:?}",
        graph.parent(last, Slot::Project).and_then(|p| graph.get(p)).map(|e| e.data().name().to_string())
    );

    graph.apply(&Op::set_stage(tasks[0], convoy_core::model::Tag::new("stage", "IMPLEMENT")?).into())?;
    graph.apply(&Op::update(tasks[0], TaskPatch { status: Some(TaskStatus::Done), ..TaskPatch::default() }).into())?;
    println!("\nfeed of the first task, newest first:");
    for a in graph.recent_activity(tasks[0], 20) {
        println!("  {} {} {}", a.created_at, a.activity_type, a.content.as_deref().unwrap_or(""));
    }
    println!(
        "tasks DONE: {}, TODO: {}",
        graph.tasks_with_status(TaskStatus::Done).len(),
        graph.tasks_with_status(TaskStatus::Todo).len()
    );

    let before = graph.state();
    let cycle = graph.apply(&Op::link(last, Relation::Blocks, tasks[0]).into());
    println!(
        "\nclosing a dependency cycle is refused: {}",
        cycle.err().map_or("(accepted?!)".into(), |e| e.to_string())
    );
    println!("state unchanged after the refusal: {}", graph.state() == before);

    graph.apply(&Op::delete(milestone).into())?;
    println!(
        "\ndeleted the milestone: its slice went with it, its {} tasks stayed (detached): milestone of a task = {:?}",
        tasks.len(),
        graph.parent(tasks[0], Slot::Milestone)
    );
    graph.check_invariants()?;
    println!("check_invariants: clean");
    Ok(())
}
