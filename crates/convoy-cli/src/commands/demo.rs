//! `convoy demo`: the main job, end to end.

use std::io::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use convoy_core::model::EntityKind;
use convoy_core::{EntityId, Graph, Slot};
use convoy_query::{Format, RankOptions, rank, ready, render_bundle, render_container, render_ranking, task_bundle};
use convoy_store::{Db, Options};

use crate::{open, progress};
use serde_json::json;

/// Median wall time of `f` over a few runs (the first one warms caches).
fn timed<T>(mut f: impl FnMut() -> T) -> (T, Duration) {
    let mut times = Vec::with_capacity(21);
    let mut out = f();
    for _ in 0..21 {
        let start = Instant::now();
        out = f();
        times.push(start.elapsed());
    }
    times.sort_unstable();
    (out, times[times.len() / 2])
}

fn micros(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

fn rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib: f64 =
        status.lines().find_map(|l| l.strip_prefix("VmRSS:"))?.trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kib / 1024.0)
}

fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir).map_or(0, |d| d.filter_map(|e| e.ok()?.metadata().ok()).map(|m| m.len()).sum())
}

/// A task worth showing: the first with an open blocker, a workflow and
/// some activity, else the first task.
fn focus(graph: &Graph, tasks: &[EntityId]) -> Option<EntityId> {
    tasks
        .iter()
        .copied()
        .find(|&t| {
            !convoy_query::open_blockers(graph, t).is_empty()
                && graph.parent(t, Slot::Workflow).is_some()
                && graph.get(t).and_then(|e| e.data().as_task()).is_some_and(|d| d.status.is_open())
        })
        .or_else(|| tasks.first().copied())
}

/// Makes sure `dir` is empty, removing an earlier store if asked to.
fn prepare(dir: &Path, replace: bool) -> anyhow::Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    let names: Vec<String> = std::fs::read_dir(dir)?
        .map(|e| Ok(e?.file_name().to_string_lossy().into_owned()))
        .collect::<std::io::Result<_>>()?;
    if names.is_empty() {
        return Ok(());
    }
    if !replace {
        bail!(
            "{} is not empty: the demo writes a fresh store; pass --replace to overwrite an earlier one",
            dir.display()
        );
    }
    if let Some(other) = names.iter().find(|n| !open::is_convoy_file(n)) {
        bail!("{} holds {other:?}, which is not a Convoy file: refusing to replace it", dir.display());
    }
    // Hold the store's lock while removing it, so a running handle is
    // never pulled from under it; the lock file itself stays.
    let _held = convoy_store::Storage::lock(&convoy_store::OsStorage, &dir.join("LOCK"))
        .with_context(|| format!("{} is in use by an open store", dir.display()))?;
    for name in names.iter().filter(|n| *n != "LOCK") {
        std::fs::remove_file(dir.join(name)).with_context(|| format!("removing {name}"))?;
    }
    Ok(())
}

pub(crate) fn run(dir: &Path, tasks: usize, seed: u64, replace: bool, as_json: bool) -> anyhow::Result<()> {
    prepare(dir, replace)?;
    let mut out = std::io::stdout().lock();
    let say = |out: &mut std::io::StdoutLock<'_>, text: &str| -> anyhow::Result<()> {
        if !as_json {
            writeln!(out, "{text}")?;
        }
        Ok(())
    };
    say(&mut out, &format!("Generating {tasks} tasks (seed {seed}) into {} …", dir.display()))?;
    let spinner = progress::spinner("generating");
    let data = convoy_workload::generate(tasks, seed).context("generating the dataset");
    spinner.finish_and_clear();
    let data = data?;
    let started = Instant::now();
    let db = Db::open(dir, Options::new().snapshot_every(None, None)).context("opening the store")?;
    let convoy_workload::Dataset { batches, tasks: task_ids, .. } = data;
    let bar = progress::bar(batches.len() as u64, "committing batches");
    for batch in batches {
        db.commit(batch).context("committing a generated batch")?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    let load = started.elapsed();
    let started = Instant::now();
    let spinner = progress::spinner("writing a snapshot");
    let snapshot = db.snapshot().context("writing the snapshot");
    spinner.finish_and_clear();
    let snapshot = snapshot?;
    let snapshot_time = started.elapsed();
    db.close().context("closing the store")?;

    let started = Instant::now();
    let spinner = progress::spinner("reopening (recovery)");
    let db = Db::open(dir, Options::new()).context("reopening the store");
    spinner.finish_and_clear();
    let db = db?;
    let recovery = started.elapsed();
    let graph = db.read();
    let task = focus(&graph, &task_ids).context("the dataset has no task")?;
    let project = graph.parent(task, Slot::Project).context("the task has no project")?;
    let workspace = graph.parent(project, Slot::Workspace).context("the project has no workspace")?;

    let (bundle, bundle_time) = timed(|| task_bundle(&graph, task, 20));
    let bundle = bundle?;
    let bundle_text = render_bundle(&bundle, if as_json { Format::Json } else { Format::Markdown }, 6_000)?;
    let (ranked, rank_time) = timed(|| rank(&graph, task, &RankOptions { top: 10, ..RankOptions::default() }));
    let ranked = ranked?;
    let focus_entity = graph.get(task).context("focus task vanished")?;
    let ranking_text =
        render_ranking(focus_entity, &ranked, &graph, if as_json { Format::Json } else { Format::Markdown }, 4_000)?;
    let (next, ready_time) = timed(|| ready(&graph, project, Some(10)));
    let next = next?;
    let (container, rollup_time) = timed(|| convoy_query::container_bundle(&graph, workspace));
    let container = container?;
    let container_text = render_container(&container, if as_json { Format::Json } else { Format::Markdown }, 1_500)?;
    let entities = graph.entity_count();
    let edges = graph.relationship_count();
    let bytes = dir_bytes(dir);
    let rss = rss_mib();

    if as_json {
        let ready_ids: Vec<String> = next.iter().map(ToString::to_string).collect();
        let doc = json!({
            "tasks": tasks,
            "seed": seed,
            "focus": task.to_string(),
            "context": serde_json::from_str::<serde_json::Value>(&bundle_text)?,
            "ranking": serde_json::from_str::<serde_json::Value>(&ranking_text)?,
            "ready": ready_ids,
            "workspace": serde_json::from_str::<serde_json::Value>(&container_text)?,
            "latency_us": {
                "task_bundle": bundle_time.as_secs_f64() * 1e6,
                "rank_top_10": rank_time.as_secs_f64() * 1e6,
                "ready_top_10": ready_time.as_secs_f64() * 1e6,
                "workspace_bundle": rollup_time.as_secs_f64() * 1e6,
            },
            "store": {
                "entities": entities,
                "relationships": edges,
                "bytes_on_disk": bytes,
                "load_seconds": load.as_secs_f64(),
                "snapshot_seconds": snapshot_time.as_secs_f64(),
                "snapshot_bytes": snapshot.bytes,
                "recovery_seconds": recovery.as_secs_f64(),
                "resident_mib": rss,
            },
        });
        writeln!(out, "{doc}")?;
        return Ok(());
    }
    say(
        &mut out,
        &format!(
            "Loaded through the durable path in {:.2} s; snapshot {:.1} MiB in {:.2} s; reopened (recovery) in {:.2} s.\n",
            load.as_secs_f64(),
            snapshot.bytes as f64 / 1_048_576.0,
            snapshot_time.as_secs_f64(),
            recovery.as_secs_f64()
        ),
    )?;
    say(&mut out, &format!("━━ Context bundle for task {task} ({}, budget 6,000 chars)\n", micros(bundle_time)))?;
    say(&mut out, &bundle_text)?;
    say(&mut out, &format!("━━ Ranked context, top 10 ({})\n", micros(rank_time)))?;
    say(&mut out, &ranking_text)?;
    say(&mut out, &format!("━━ Ready work in its project, top 10 ({})\n", micros(ready_time)))?;
    for (i, id) in next.iter().enumerate() {
        let title = graph.get(*id).map(|e| e.data().name().to_string()).unwrap_or_default();
        let priority = graph
            .get(*id)
            .and_then(|e| e.data().as_task())
            .and_then(|t| t.priority)
            .map_or("-".into(), |p| p.to_string());
        say(&mut out, &format!("{:>2}. [{priority}] {title} `{id}`", i + 1))?;
    }
    say(&mut out, &format!("\n━━ Its workspace, with roll-ups ({})\n", micros(rollup_time)))?;
    say(&mut out, &container_text)?;
    say(
        &mut out,
        &format!(
            "━━ Store: {entities} entities ({} tasks), {edges} relationships, {:.1} MiB on disk, recovery {:.2} s, resident memory {}.",
            graph.ids_of_kind(EntityKind::Task).len(),
            bytes as f64 / 1_048_576.0,
            recovery.as_secs_f64(),
            rss.map_or("unknown".into(), |r| format!("{r:.0} MiB"))
        ),
    )?;
    say(
        &mut out,
        &format!(
            "\nThe store stays in {}: try `convoy context {task}`, `convoy ready --project {project}`, \
             `convoy graph {task}` or `convoy verify` (add --json for machine-readable output).",
            dir.display()
        ),
    )?;
    Ok(())
}
