//! Target `ops_vs_model`: fuzzer-chosen batches applied to a
//! [`convoy_core::Graph`] and to the reference [`Model`] side by side.
//!
//! After every batch: `validate` answered exactly what `apply` then did and
//! changed nothing; graph and model made the same decision (accepted, or
//! refused at the same op, or refused by the batch-level rules); a refused
//! batch left no trace; `check_invariants()` is clean; and everything the
//! read API shows equals the model. At the end: replaying the accepted
//! batches into a fresh graph, loading the final state with
//! `Graph::from_state`, checking all batches with `validate_sequence`, and
//! the store's codecs (each batch, and the state as a snapshot file) all
//! give back the same thing.

use arbitrary::{Arbitrary, Unstructured};
use convoy_core::{Batch, BatchError, Graph};
use convoy_store::fuzzing as store;

use crate::model::{Model, Verdict};
use crate::observe;
use crate::plan::{BatchPlan, Minter};

/// Most batches taken from one input.
const MAX_BATCHES: usize = 16;

/// The fuzzer's input.
#[derive(Arbitrary, Debug)]
struct Input {
    batches: Vec<BatchPlan>,
}

/// Runs one input; panics only on a disagreement or a broken invariant.
pub fn ops_vs_model(data: &[u8]) {
    let Ok(input) = Input::arbitrary_take_rest(Unstructured::new(data)) else { return };
    let mut minter = Minter::new();
    let mut graph = Graph::new();
    let mut model = Model::new();
    let mut batches: Vec<Batch> = Vec::new();
    let mut results: Vec<Result<(), BatchError>> = Vec::new();
    for (i, plan) in input.batches.iter().take(MAX_BATCHES).enumerate() {
        let batch = minter.batch(plan, &model);
        // Formatting the batch is costly; messages that need it format it lazily.
        let context = format!("batch {i}");
        let before = graph.state();
        let validated = graph.validate(&batch);
        assert!(graph.state() == before, "{context}: validate changed the graph");
        let applied = graph.apply(&batch);
        assert_eq!(validated, applied, "{context}: validate and apply disagree");
        let verdict = model.apply(&batch);
        let agree = match (&applied, verdict) {
            (Ok(()), Verdict::Accepted) | (Err(BatchError::Closing(_)), Verdict::RefusedAtClose) => true,
            (Err(BatchError::Op { index, .. }), Verdict::RefusedAt(at)) => *index == at,
            _ => false,
        };
        assert!(agree, "{context}: the graph says {applied:?}, the model says {verdict:?}: {batch:?}");
        if applied.is_err() {
            assert!(graph.state() == before, "{context}: a refused batch changed the graph");
        }
        if let Err(violations) = graph.check_invariants() {
            crate::bug(format!("{context}: invariants broken: {violations}"));
        }
        observe::assert_same(&graph, &model, &context);
        let payload = store::encode_batch(&batch).unwrap_or_else(|e| crate::bug(format!("{context}: encode: {e}")));
        let back = store::decode_batch(&payload).unwrap_or_else(|e| crate::bug(format!("{context}: decode: {e}")));
        assert!(back == batch, "{context}: the batch does not survive the log codec");
        batches.push(batch);
        results.push(applied);
    }
    let state = graph.state();
    let mut replayed = Graph::new();
    for (batch, result) in batches.iter().zip(&results) {
        if result.is_ok() {
            let again = replayed.apply(batch);
            assert!(again.is_ok(), "replaying accepted {batch:?} was refused: {again:?}");
        }
    }
    assert!(replayed.state() == state, "replaying the accepted batches gives another graph");
    let loaded = Graph::from_state(state.clone()).unwrap_or_else(|e| crate::bug(format!("from_state: {e}")));
    assert!(loaded.state() == state, "from_state(state()) gives another graph");
    let sequence = Graph::new().validate_sequence(&batches);
    assert_eq!(sequence, results, "validate_sequence disagrees with applying the batches one by one");
    let file = store::snapshot_encode(7, &state).unwrap_or_else(|e| crate::bug(format!("snapshot encode: {e}")));
    let (seq, decoded) =
        store::snapshot_decode(&file).unwrap_or_else(|e| crate::bug(format!("snapshot decode: {e:?}")));
    assert!(seq == 7 && decoded == state, "the state does not survive a snapshot file");
}
