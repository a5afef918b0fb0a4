//! Target `snapshot`: bytes → the snapshot decoder, `Graph::from_state`,
//! and recovery from a snapshot.
//!
//! The first byte picks the mode. 0: the rest is a raw snapshot file. 1:
//! the rest is a payload, framed with correct header and footer checksums
//! so mutations reach the state decoder. 2: the rest is a structured plan
//! (`arbitrary`): a real state built from batches, written as the store
//! writes it, then damaged (bit flips, zeroed ranges, a cut). (Under
//! `cfg(fuzzing)` the store skips the payload checksum, so mutated payloads
//! reach the decoder in mode 0 as well.)
//!
//! Checked: a state that decodes either loads with every invariant
//! holding (and survives a write and decode unchanged) or is refused with a
//! typed error; an undamaged snapshot decodes to exactly the state written;
//! and `Db::open` on a directory holding the file opens to exactly that
//! graph when the file decodes and loads, and refuses with
//! `SnapshotsDamaged` otherwise. An opened directory takes a commit.

use std::path::Path;
use std::sync::Arc;

use arbitrary::{Arbitrary, Unstructured};
use convoy_core::{Graph, State};
use convoy_store::fuzzing as store;
use convoy_store::{Db, MemStorage, OpenError, Options};

use crate::bug;
use crate::plan::{BatchPlan, Minter};

const DIR: &str = "/data";
const MAX_BATCHES: usize = 6;

/// A structured snapshot.
#[derive(Arbitrary, Debug)]
struct Plan {
    seq: u16,
    batches: Vec<BatchPlan>,
    hits: Vec<(u16, u8)>,
    cut: Option<u16>,
}

/// Runs one input; panics only on a real bug.
pub fn snapshot(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else { return };
    let (bytes, written) = match mode % 3 {
        0 => (rest.to_vec(), None),
        1 => (frame(u64::from(mode), rest), None),
        _ => {
            let Ok(plan) = Plan::arbitrary_take_rest(Unstructured::new(rest)) else { return };
            build(&plan)
        }
    };
    let decoded = store::snapshot_decode(&bytes);
    if let Some((seq, state, true)) = &written {
        assert!(
            decoded.as_ref().ok() == Some(&(*seq, state.clone())),
            "an undamaged snapshot decodes to something else"
        );
    }
    let loaded = decoded.ok().map(|(seq, state)| (seq, load(state)));
    if matches!(mode % 3, 1 | 2) || loaded.as_ref().is_some_and(|(_, g)| g.is_some()) {
        let name = written.as_ref().map(|(s, _, _)| *s).or(loaded.as_ref().map(|(s, _)| *s)).unwrap_or(1);
        recovery_checks(&bytes, name, loaded.as_ref());
    }
}

/// A snapshot file around `payload`, with correct checksums (the layout of
/// ARCHITECTURE.md, "On-disk format").
fn frame(seq: u64, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + 48);
    out.extend_from_slice(b"CONVOYSN");
    out.extend_from_slice(&1u32.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&seq.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&crc32c::crc32c(&out).to_le_bytes());
    out.extend_from_slice(payload);
    let mut footer = Vec::with_capacity(16);
    footer.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    footer.extend_from_slice(&crc32c::crc32c(payload).to_le_bytes());
    footer.extend_from_slice(&crc32c::crc32c(&footer).to_le_bytes());
    out.extend_from_slice(&footer);
    out
}

/// A real state written as a snapshot, then damaged as the plan says:
/// the file, and the seq and state written, and whether the file is
/// undamaged.
fn build(plan: &Plan) -> (Vec<u8>, Option<(u64, State, bool)>) {
    let mut minter = Minter::new();
    let mut graph = Graph::new();
    for p in plan.batches.iter().take(MAX_BATCHES) {
        let batch = minter.batch(p, &graph);
        let _ = graph.apply(&batch);
    }
    let (seq, state) = (u64::from(plan.seq), graph.state());
    let clean = store::snapshot_encode(seq, &state).unwrap_or_else(|e| bug(format!("snapshot write: {e}")));
    let mut bytes = clean.clone();
    for &(at, bit) in &plan.hits {
        let len = bytes.len();
        bytes[usize::from(at) % len] ^= 1 << (bit % 8);
    }
    if let Some(at) = plan.cut {
        bytes.truncate(usize::from(at) % bytes.len().max(1));
    }
    let undamaged = bytes == clean;
    (bytes, Some((seq, state, undamaged)))
}

/// `Graph::from_state` on a decoded state: a loaded graph keeps every
/// invariant and survives a write and decode unchanged.
fn load(state: State) -> Option<Graph> {
    let graph = Graph::from_state(state).ok()?;
    if let Err(v) = graph.check_invariants() {
        bug(format!("from_state accepted a state that breaks invariants: {v}"));
    }
    let state = graph.state();
    let again = Graph::from_state(state.clone()).unwrap_or_else(|e| bug(format!("a loaded state reloads as {e}")));
    assert!(again.state() == state, "a loaded state changes when reloaded");
    let bytes = store::snapshot_encode(3, &state).unwrap_or_else(|e| bug(format!("snapshot write: {e}")));
    let back = store::snapshot_decode(&bytes).unwrap_or_else(|e| bug(format!("a written snapshot decodes as {e:?}")));
    assert!(back == (3, state), "a loaded state changes through a snapshot file");
    Some(graph)
}

fn open(storage: &MemStorage) -> Result<Db, OpenError> {
    Db::open(DIR, Options::new().storage(Arc::new(storage.clone())).snapshot_every(None, None))
}

/// The file as `snap-<name>.cvs`, the only file of a directory: opens to
/// the loaded graph exactly when it decodes, names `name` and loads.
fn recovery_checks(bytes: &[u8], name: u64, loaded: Option<&(u64, Option<Graph>)>) {
    let storage = MemStorage::new();
    storage.put(&Path::new(DIR).join(store::snapshot_name(name)), bytes.to_vec());
    let expected = loaded.and_then(|(seq, g)| g.as_ref().filter(|_| *seq == name));
    match (open(&storage), expected) {
        (Ok(db), Some(graph)) => {
            assert!(db.recovery_report().snapshot == Some(name), "opened without the snapshot");
            assert!(db.last_seq() == name, "opened at seq {}, the snapshot is at {name}", db.last_seq());
            assert!(db.read().state() == graph.state(), "opened to another state than the snapshot holds");
            crate::recovered::commit_and_reopen(db, &storage);
        }
        (Err(OpenError::SnapshotsDamaged { .. }), None) => {}
        (Ok(_), None) => bug(format!("opened a snapshot that does not decode and load (seq {name})")),
        (Err(e), expected) => bug(format!("open failed with {e}; the snapshot loads: {}", expected.is_some())),
    }
}
