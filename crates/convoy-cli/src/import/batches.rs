//! Cutting an import's ops into batches, validating them against the graph,
//! and tracing a refusal back to the row it came from.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;

use convoy_core::{Batch, BatchError, EntityId, Graph, MAX_BATCH_OPS, Op, OpError};
use convoy_store::MAX_RECORD_LEN;

use super::plan::{Origin, Plan};
use super::{ImportError, RowRef};

/// The most bytes one batch may take, estimated by its JSON size (which is
/// larger than its log encoding: every field is named, every id is 36
/// characters): half a log record's maximum.
const BATCH_BYTES: usize = MAX_RECORD_LEN as usize / 2;

/// An import cut into batches, with what is needed to name the row behind
/// a refused op.
pub(crate) struct Split {
    batches: Vec<Batch>,
    locator: Locator,
    rows: BTreeMap<String, usize>,
    ids_not_kept: BTreeMap<String, usize>,
}

/// Traces ops and entities back to rows.
pub(crate) struct Locator {
    /// The origin of every op, across batches.
    origins: Vec<Origin>,
    /// Where each batch starts in `origins`.
    starts: Vec<usize>,
    /// The row that creates each new entity.
    owners: HashMap<EntityId, Origin>,
}

impl Split {
    /// Number of batches. O(1).
    pub(crate) fn len(&self) -> usize {
        self.batches.len()
    }

    /// Rows read per table. O(1).
    pub(crate) const fn rows(&self) -> &BTreeMap<String, usize> {
        &self.rows
    }

    /// Edge-row ids read but not kept. O(1).
    pub(crate) const fn ids_not_kept(&self) -> &BTreeMap<String, usize> {
        &self.ids_not_kept
    }

    /// The batches, in commit order. O(1).
    pub(crate) fn into_batches(self) -> Vec<Batch> {
        self.batches
    }

    /// The batches and the locator. O(1).
    pub(crate) fn into_parts(self) -> (Vec<Batch>, Locator) {
        (self.batches, self.locator)
    }
}

impl Locator {
    /// The row behind a refusal of batch `batch`: the row of the refused op,
    /// or of the entity a closing check names. O(1).
    pub(crate) fn locate(&self, batch: usize, error: &BatchError) -> Option<RowRef> {
        let origin = match error {
            BatchError::Op { index, .. } => {
                self.starts.get(batch).and_then(|s| s.checked_add(*index)).and_then(|i| self.origins.get(i)).copied()
            }
            BatchError::Closing(e) => subject(e).and_then(|id| self.owners.get(&id)).copied(),
            _ => None,
        };
        origin.map(|o| RowRef { table: o.table.name().to_owned(), index: o.index })
    }
}

/// The entity a closing refusal is about.
const fn subject(error: &OpError) -> Option<EntityId> {
    match error {
        OpError::MissingParent { id, .. } | OpError::Misplaced { id, .. } => Some(*id),
        OpError::StageNotInWorkflow { task, .. } => Some(*task),
        _ => None,
    }
}

/// Counts bytes written, keeping none.
struct Counter(usize);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 = self.0.saturating_add(buf.len());
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// An op's JSON size: an upper bound of its log encoding. O(op).
fn size(op: &Op) -> usize {
    let mut counter = Counter(0);
    // Writing to a counter cannot fail, and an op always serializes; if it
    // somehow did not, count it as a full batch so it travels alone.
    match serde_json::to_writer(&mut counter, op) {
        Ok(()) => counter.0,
        Err(_) => BATCH_BYTES,
    }
}

/// Cuts the plan into batches: one when everything fits
/// [`MAX_BATCH_OPS`] ops and [`BATCH_BYTES`]; else as few as fit, cut only
/// where the plan allows (between entities, never inside one). O(ops +
/// their size).
pub(crate) fn split(plan: Plan) -> Split {
    split_with(plan, MAX_BATCH_OPS, BATCH_BYTES)
}

fn split_with(plan: Plan, max_ops: usize, max_bytes: usize) -> Split {
    let Plan { ops, origins, cuts, owners, rows, ids_not_kept } = plan;
    let n = ops.len();
    let mut bounds = vec![0];
    bounds.extend(cuts.into_iter().filter(|&c| c > 0 && c < n));
    bounds.push(n);
    bounds.dedup();
    let mut ops = ops.into_iter();
    let mut batches: Vec<Batch> = Vec::new();
    let mut starts: Vec<usize> = Vec::new();
    let mut current = Batch::new();
    let (mut bytes, mut pushed) = (0usize, 0usize);
    for w in bounds.windows(2) {
        let unit: Vec<Op> = ops.by_ref().take(w[1].saturating_sub(w[0])).collect();
        let unit_bytes = unit.iter().map(size).fold(0, usize::saturating_add);
        if !current.is_empty() && (current.len() + unit.len() > max_ops || bytes.saturating_add(unit_bytes) > max_bytes)
        {
            starts.push(pushed);
            pushed += current.len();
            batches.push(std::mem::take(&mut current));
            bytes = 0;
        }
        for op in unit {
            current.push(op);
        }
        bytes = bytes.saturating_add(unit_bytes);
    }
    if !current.is_empty() {
        starts.push(pushed);
        batches.push(current);
    }
    Split { batches, locator: Locator { origins, starts, owners }, rows, ids_not_kept }
}

/// Checks the batches in order on a copy of `graph`, each as if the ones
/// before it were applied. O(V + E) for the copy, plus about twice applying
/// the batches.
///
/// # Errors
/// [`ImportError::Refused`] for the first batch the graph refuses, naming
/// the row behind it when it can.
pub(crate) fn validate(graph: &Graph, split: &Split) -> Result<(), ImportError> {
    let mut copy = graph.clone();
    let results = copy.validate_sequence(split.batches.iter());
    match results.into_iter().enumerate().find_map(|(i, r)| r.err().map(|e| (i, e))) {
        Some((batch, error)) => Err(ImportError::Refused { row: split.locator.locate(batch, &error), error }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use convoy_core::Timestamp;
    use convoy_core::model::{Project, Workspace};

    use super::*;
    use crate::seeds::Table;

    /// A plan of `n` workspaces, each a unit of two ops (create, update).
    fn plan(n: usize) -> Plan {
        let mut plan = Plan::default();
        for index in 0..n {
            let op = Op::create(Workspace::new(&format!("w{index}")).unwrap());
            plan.cuts.push(plan.ops.len());
            plan.owners.insert(op.subject(), Origin { table: Table::Workspaces, index });
            let update = Op::Update {
                id: op.subject(),
                at: Timestamp::now(),
                patch: crate::seeds::empty_patch(convoy_core::model::EntityKind::Workspace),
            };
            plan.ops.extend([op, update]);
            plan.origins.extend([Origin { table: Table::Workspaces, index }; 2]);
        }
        plan
    }

    #[test]
    fn everything_that_fits_is_one_batch() {
        let split = split(plan(10));
        assert_eq!(split.len(), 1);
        assert_eq!(split.into_batches()[0].len(), 20);
    }

    #[test]
    fn a_large_import_is_cut_between_units_never_inside_one() {
        let split = split_with(plan(10), 5, usize::MAX);
        let (batches, locator) = split.into_parts();
        assert_eq!(batches.iter().map(Batch::len).collect::<Vec<_>>(), [4, 4, 4, 4, 4]);
        assert_eq!(locator.starts, [0, 4, 8, 12, 16]);
        for batch in &batches {
            assert!(matches!(batch.ops()[0], Op::Create { .. }));
        }
        let by_bytes = split_with(plan(4), usize::MAX, 1);
        assert_eq!(by_bytes.len(), 4, "a unit over the byte budget still travels, alone");
    }

    #[test]
    fn refusals_are_traced_to_their_row() {
        let split = split_with(plan(4), 4, usize::MAX);
        let (_, locator) = split.into_parts();
        let error = BatchError::Op { index: 3, error: OpError::UnknownEntity { id: EntityId::random() } };
        assert_eq!(locator.locate(1, &error), Some(RowRef { table: "workspaces".into(), index: 3 }));
        assert_eq!(locator.locate(9, &error), None);
        let project = Op::create(Project::new("p").unwrap());
        let missing = BatchError::Closing(OpError::MissingParent {
            id: project.subject(),
            kind: convoy_core::model::EntityKind::Project,
            slot: convoy_core::Slot::Workspace,
        });
        assert_eq!(locator.locate(0, &missing), None, "not one of the plan's entities");
    }
}
