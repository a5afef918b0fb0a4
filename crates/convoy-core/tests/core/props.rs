//! Property tests over random sequences of batches, valid and invalid.
//!
//! A case is 5–40 batches applied in turn to one graph. A batch is 1–4
//! *steps*; a step is an abstract plan (create a container or a wired task,
//! link two entities, unlink, move, update, delete, record activity, set a
//! stage, re-create an existing id, …) that names entities by index into
//! what exists, so plans shrink well. Each step is materialised into
//! concrete [`Op`]s with deterministic ids and timestamps against the graph
//! as the batch finds it. Picks sometimes go to wrong kinds, to deleted or
//! never-created ids ("ghosts") and to other projects' containers, so batches
//! are refused for unknown ids, wrong kinds, duplicate entities, edges and
//! activity ids, self-loops, taken slots, `blocks` and subtask cycles,
//! cross-project placement, stages not in the workflow and missing parents.
//! Text the model cannot hold (oversized, blank, malformed) is refused when
//! it is built, directly or through serde, before any op can carry it.
//!
//! Properties checked:
//! - after every batch, `check_invariants()` is clean;
//! - a refused batch leaves `state()` exactly as it was;
//! - a batch the plan knows must fail (a ghost id, a self-loop; for a
//!   one-step batch also a duplicate, a cycle, a taken slot, a cross-project
//!   container, a bad stage, a missing parent) is refused, and a one-step
//!   batch it knows must pass (deleting an existing entity, unlinking an edge
//!   nothing requires, a same-kind update, a valid stage or activity, a link
//!   or move no closing rule looks at) is accepted;
//! - re-applying just the accepted batches, unchanged, to a fresh graph
//!   accepts each and gives an equal state; so does applying all their ops as
//!   one batch; `Graph::from_state` loads the final state and gives it back;
//! - `validate` returns exactly what `apply` then returns, and changes nothing.
//!
//! # Running
//!
//! By default each property runs [`DEFAULT_CASES`] cases (about 3 s for
//! both). `PROPTEST_CASES` sets the number of cases per property, e.g. the
//! long run:
//!
//! ```text
//! PROPTEST_CASES=10000 cargo test -p convoy-core --test core props
//! ```
//!
//! (about 30 s in the test profile; `--release` is a little faster). Other
//! `PROPTEST_*` variables (`PROPTEST_RNG_SEED`, `PROPTEST_MAX_SHRINK_ITERS`,
//! …) apply too.
//! With `CONVOY_PROP_STATS=1` and `-- --nocapture`, each property prints how
//! many batches were accepted and why the others were refused.

mod claim;
mod plan;
mod steps;
mod world;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt::Write as _;

use convoy_core::{Batch, BatchError, Graph, State};
use proptest::test_runner::{Config, TestRunner};

use plan::*;
use world::*;

// ------------------------------------------------------------ properties --

/// What the runs saw, for `CONVOY_PROP_STATS`.
#[derive(Default)]
struct Stats {
    cases: usize,
    batches: usize,
    accepted: usize,
    empty: usize,
    predicted: usize,
    ops: usize,
    accepted_ops: usize,
    malformed: usize,
    big_cascades: usize,
    big_deletes_refused: usize,
    predicted_accepts: usize,
    entities: usize,
    relationships: usize,
    refusals: BTreeMap<String, usize>,
}

impl Stats {
    fn refusal(&mut self, err: &BatchError, origins: &[&str]) {
        let (phase, detail) = match err {
            BatchError::Op { index, error } => {
                let origin = origins.get(*index).copied().unwrap_or("?");
                ("op", format!("{error:?}").replacen(|c: char| !c.is_alphanumeric(), &format!(" in {origin} "), 1))
            }
            BatchError::Closing(error) => ("closing", format!("{error:?}")),
            other => ("batch", format!("{other:?}")),
        };
        let name: String = detail.chars().take_while(|c| c.is_alphanumeric() || c == &' ').collect();
        *self.refusals.entry(format!("{phase}:{}", name.trim_end())).or_default() += 1;
    }

    fn merge(&mut self, other: Self) {
        self.cases += other.cases;
        self.batches += other.batches;
        self.accepted += other.accepted;
        self.empty += other.empty;
        self.predicted += other.predicted;
        self.ops += other.ops;
        self.accepted_ops += other.accepted_ops;
        self.malformed += other.malformed;
        self.big_cascades += other.big_cascades;
        self.big_deletes_refused += other.big_deletes_refused;
        self.predicted_accepts += other.predicted_accepts;
        self.entities += other.entities;
        self.relationships += other.relationships;
        for (k, v) in other.refusals {
            *self.refusals.entry(k).or_default() += v;
        }
    }

    fn report(&self, name: &str) -> String {
        let pct = |n: usize, d: usize| if d == 0 { 0.0 } else { 100.0 * n as f64 / d as f64 };
        let mut out = format!(
            "{name}: {} cases, {} batches, {} accepted ({:.1}%; {} empty; {} predicted), {} refused ({} predicted); \
             {} ops ({} in accepted batches); {} malformed values refused when built; {} cascades of 64+ ({} more rolled back); \
             final graphs average {:.1} entities, {:.1} relationships\n",
            self.cases,
            self.batches,
            self.accepted,
            pct(self.accepted, self.batches),
            self.empty,
            self.predicted_accepts,
            self.batches - self.accepted,
            self.predicted,
            self.ops,
            self.accepted_ops,
            self.malformed,
            self.big_cascades,
            self.big_deletes_refused,
            self.entities as f64 / self.cases.max(1) as f64,
            self.relationships as f64 / self.cases.max(1) as f64,
        );
        for (why, n) in &self.refusals {
            let _ = writeln!(out, "  {n:>7}  {why}");
        }
        out
    }
}

/// The configuration: `PROPTEST_*` variables as proptest reads them, with
/// [`DEFAULT_CASES`] unless `PROPTEST_CASES` is set. No failure files: a
/// failure prints its shrunk plan, which replays deterministically.
fn config() -> Config {
    let mut config = Config::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = DEFAULT_CASES;
    }
    config.failure_persistence = None;
    config
}

fn build(world: &mut World, graph: &Graph, state: &State, steps: &[Step]) -> R<Built> {
    let mut builder = Builder::new(world, graph, state.edges(), steps.len() == 1);
    for step in steps {
        builder.step(step)?;
    }
    builder.finish()
}

fn invariants(g: &Graph, after: &str, batch: &Batch) -> R<()> {
    g.check_invariants().or_else(|v| fail(format!("invariants broken after {after}: {v}\nbatch: {batch:#?}")))
}

/// Property 1: invariants after every batch, refusals change nothing, the
/// accepted batches replay to the same state.
fn apply_and_replay(plan: &[Vec<Step>], stats: &mut Stats) -> R<()> {
    let mut world = World::new();
    let mut g = Graph::new();
    let mut accepted: Vec<Batch> = Vec::new();
    stats.cases += 1;
    for steps in plan {
        let before = g.state();
        let Built { batch, origins, expect_refusal, expect_accept, malformed, big_deletes } =
            build(&mut world, &g, &before, steps)?;
        stats.batches += 1;
        stats.ops += batch.len();
        stats.malformed += malformed;
        let result = g.apply(&batch);
        invariants(&g, &format!("{result:?}"), &batch)?;
        match result {
            Ok(()) => {
                if let Some(why) = expect_refusal {
                    return fail(format!("batch accepted, but {why}\nbatch: {batch:#?}"));
                }
                stats.predicted_accepts += usize::from(expect_accept.is_some());
                let after = g.entity_count();
                if before.entities().len() >= after + 64 {
                    stats.big_cascades += 1;
                }
                stats.accepted += 1;
                stats.accepted_ops += batch.len();
                stats.empty += usize::from(batch.is_empty());
                accepted.push(batch);
            }
            Err(err) => {
                if let Some(why) = expect_accept {
                    return fail(format!("batch refused ({err}), but {why}\nbatch: {batch:#?}"));
                }
                stats.refusal(&err, &origins);
                stats.big_deletes_refused += big_deletes;
                stats.predicted += usize::from(expect_refusal.is_some());
                if let BatchError::Op { index, .. } = &err
                    && *index >= batch.len()
                {
                    return fail(format!("{err} names op {index} of a batch of {}", batch.len()));
                }
                if g.state() != before {
                    return fail(format!("refused batch ({err}) changed the state\nbatch: {batch:#?}"));
                }
            }
        }
    }

    let live = g.state();
    stats.entities += g.entity_count();
    stats.relationships += g.relationship_count();

    let mut fresh = Graph::new();
    for (i, batch) in accepted.iter().enumerate() {
        if let Err(err) = fresh.apply(batch) {
            return fail(format!("replay: accepted batch {i} refused: {err}\nbatch: {batch:#?}"));
        }
    }
    invariants(&fresh, "replay", &Batch::new())?;
    if fresh.state() != live {
        return fail("replaying the accepted batches gave another state");
    }

    // Each accepted batch left a graph meeting every rule, so all their ops
    // as one batch pass the same per-op checks and the closing checks.
    let all: Batch = accepted.iter().flat_map(|b| b.ops().iter().cloned()).collect();
    let mut once = Graph::new();
    if let Err(err) = once.apply(&all) {
        return fail(format!("the accepted ops as one batch were refused: {err}"));
    }
    if once.state() != live {
        return fail("the accepted ops as one batch gave another state");
    }

    match Graph::from_state(live.clone()) {
        Ok(loaded) if loaded.state() == live => {}
        Ok(_) => return fail("from_state gave back another state"),
        Err(err) => return fail(format!("from_state refused a live graph's state: {err}")),
    }

    Ok(())
}

/// Property 2: `validate` returns what `apply` returns and changes nothing.
fn validate_agrees(plan: &[Vec<Step>], stats: &mut Stats) -> R<()> {
    let mut world = World::new();
    let mut g = Graph::new();
    let mut sequence = Vec::new();
    stats.cases += 1;
    for steps in plan {
        let before = g.state();
        let Built { batch, origins, .. } = build(&mut world, &g, &before, steps)?;
        stats.batches += 1;
        stats.ops += batch.len();
        let verdict = g.validate(&batch);
        sequence.push((batch.clone(), verdict.clone()));
        invariants(&g, &format!("validate ({verdict:?})"), &batch)?;
        if g.state() != before {
            return fail(format!("validate ({verdict:?}) changed the state\nbatch: {batch:#?}"));
        }
        let result = g.apply(&batch);
        invariants(&g, &format!("apply ({result:?})"), &batch)?;
        if result != verdict {
            return fail(format!("validate said {verdict:?}, apply said {result:?}\nbatch: {batch:#?}"));
        }
        match result {
            Ok(()) => stats.accepted += 1,
            Err(err) => stats.refusal(&err, &origins),
        }
    }
    // The whole plan checked as one group from the start agrees with
    // applying it batch by batch, and leaves the graph untouched.
    let mut fresh = Graph::new();
    let verdicts = fresh.validate_sequence(sequence.iter().map(|(batch, _)| batch));
    for (i, ((_, expected), got)) in sequence.iter().zip(&verdicts).enumerate() {
        if expected != got {
            return fail(format!("validate_sequence said {got:?} for batch {i}, apply said {expected:?}"));
        }
    }
    if fresh.state() != Graph::new().state() {
        return fail("validate_sequence changed the graph");
    }
    stats.entities += g.entity_count();
    stats.relationships += g.relationship_count();
    Ok(())
}

/// Runs a property over [`scenario`]s; the statistics report, or the
/// failure with its shrunk plan.
fn run(name: &str, property: fn(&[Vec<Step>], &mut Stats) -> R<()>) -> Result<String, String> {
    let stats = RefCell::new(Stats::default());
    let mut runner = TestRunner::new(config());
    let result = runner.run(&scenario(), |plan| {
        let mut local = Stats::default();
        let outcome = property(&plan, &mut local);
        stats.borrow_mut().merge(local);
        outcome
    });
    match result {
        Ok(()) => Ok(stats.borrow().report(name)),
        Err(err) => Err(format!("{name}: {err}")),
    }
}

#[test]
fn random_batches_keep_invariants_refusals_change_nothing_and_accepted_batches_replay() {
    let report = run("apply_and_replay", apply_and_replay).unwrap_or_else(|failure| panic!("{failure}"));
    if std::env::var_os("CONVOY_PROP_STATS").is_some() {
        eprint!("{report}");
    }
}

#[test]
fn validate_agrees_with_apply_and_changes_nothing() {
    let report = run("validate_agrees", validate_agrees).unwrap_or_else(|failure| panic!("{failure}"));
    if std::env::var_os("CONVOY_PROP_STATS").is_some() {
        eprint!("{report}");
    }
}
