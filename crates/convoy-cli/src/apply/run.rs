//! Reading lines, committing each as a batch, acknowledging it.

use std::io::{self, BufRead, Write};

use convoy_core::{Batch, Graph, MAX_BATCH_OPS, Op, Timestamp};
use convoy_store::{CommitError, Db};
use serde::Serialize;
use serde_json::{Value, json};

use super::error::{LineError, MAX_LINE_BYTES};
use super::{ops, reader};
use crate::seeds::describe;

/// What [`apply`] did.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize)]
pub struct ApplySummary {
    /// Non-blank lines read.
    pub lines: usize,
    /// Lines committed.
    pub ok: usize,
    /// Lines refused.
    pub refused: usize,
}

/// Reads one line into the batch it asks for, checking it against `graph`
/// (ids exist, kinds fit, columns are known and well-formed) but not
/// applying it: the graph's own rules (cycles, readiness for a claim, …)
/// are checked when the batch commits. Pure: no I/O; reads the clock once
/// and draws ids for what the line creates. O(line length).
///
/// # Errors
/// [`LineError::TooLong`], [`LineError::Json`], [`LineError::NotAnOp`],
/// [`LineError::Empty`], [`LineError::TooManyOps`], or
/// [`LineError::Invalid`] with every problem of every op.
pub fn parse_line(graph: &Graph, line: &str) -> Result<Batch, LineError> {
    if line.len() > MAX_LINE_BYTES {
        return Err(LineError::TooLong { max: MAX_LINE_BYTES });
    }
    let value: Value =
        serde_json::from_str(line).map_err(|e| LineError::Json { column: e.column(), message: e.to_string() })?;
    let mut reader = ops::Reader::new(graph, Timestamp::now());
    match &value {
        Value::Object(_) => reader.read(0, &value),
        Value::Array(items) if items.is_empty() => return Err(LineError::Empty),
        Value::Array(items) if items.len() > MAX_BATCH_OPS => {
            return Err(LineError::TooManyOps { count: items.len(), max: MAX_BATCH_OPS });
        }
        Value::Array(items) => items.iter().enumerate().for_each(|(i, item)| reader.read(i, item)),
        other => return Err(LineError::NotAnOp { found: describe(other) }),
    }
    reader.finish().map(Batch::from).map_err(LineError::Invalid)
}

/// The ids a batch creates, as printed: entities, then feed entries
/// (including stage transitions), in op order. O(ops).
fn created_ids(batch: &Batch) -> Vec<String> {
    batch
        .ops()
        .iter()
        .filter_map(|op| match op {
            Op::Create { id, .. } => Some(id.to_string()),
            Op::RecordActivity(a) => Some(a.id.to_string()),
            Op::SetStage { activity, .. } => Some(activity.to_string()),
            _ => None,
        })
        .collect()
}

/// Parses a line against the store's graph and commits it.
fn run(db: &Db, line: &str) -> Result<(u64, Vec<String>), LineError> {
    let batch = {
        let graph = db.read();
        parse_line(&graph, line)?
    };
    let ids = created_ids(&batch);
    let seq = db.commit(batch).map_err(|e| match e {
        CommitError::Refused(error) => LineError::Refused(error),
        other => LineError::Commit(other),
    })?;
    Ok((seq, ids))
}

/// Applies every line of `input` to `db`, each as one atomic batch, writing
/// one acknowledgement line per non-blank input line to `out` (flushed
/// after each, and only once the batch is durable). Refused lines change
/// nothing and do not stop the run. O(input), one commit per line; at most
/// [`MAX_LINE_BYTES`] of a line is held in memory.
///
/// # Errors
/// Only I/O errors reading `input` or writing `out`; a refused line is an
/// acknowledgement, not an error.
pub fn apply(db: &Db, mut input: impl BufRead, mut out: impl Write) -> io::Result<ApplySummary> {
    let mut summary = ApplySummary::default();
    let mut buf = Vec::new();
    let mut number = 0usize;
    while let Some(line) = reader::next_line(&mut input, &mut buf, MAX_LINE_BYTES)? {
        number += 1;
        let result = match line {
            reader::Line::Text(text) if text.trim().is_empty() => continue,
            reader::Line::Text(text) => run(db, text),
            reader::Line::TooLong => Err(LineError::TooLong { max: MAX_LINE_BYTES }),
            reader::Line::NotUtf8 => Err(LineError::NotUtf8),
        };
        summary.lines += 1;
        let ack = match result {
            Ok((seq, ids)) => {
                summary.ok += 1;
                json!({"line": number, "ok": true, "seq": seq, "ids": ids})
            }
            Err(error) => {
                summary.refused += 1;
                json!({"line": number, "ok": false, "error": {"code": error.code(), "message": error.to_string()}})
            }
        };
        serde_json::to_writer(&mut out, &ack)?;
        out.write_all(b"\n")?;
        out.flush()?;
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_that_are_not_ops_are_refused_with_their_code() {
        let g = Graph::new();
        let code = |line: &str| parse_line(&g, line).map(|_| ()).unwrap_err().code();
        assert_eq!(code("{\"op\":"), "bad_json");
        assert_eq!(code("42"), "bad_op");
        assert_eq!(code("[]"), "bad_op");
        assert_eq!(code(&" ".repeat(MAX_LINE_BYTES + 1)), "line_too_long");
        let err = parse_line(&g, "[1,\n").unwrap_err();
        assert!(matches!(err, LineError::Json { .. }), "{err}");
    }

    #[test]
    fn created_ids_list_entities_and_feed_entries_in_op_order() {
        let create = Op::create(convoy_core::model::User::new("u").unwrap());
        let user = create.subject();
        let stage = Op::set_stage(user, convoy_core::model::Tag::new("stage", "PLAN").unwrap());
        let Op::SetStage { activity, .. } = &stage else { unreachable!() };
        let activity = activity.to_string();
        let batch = Batch::from(vec![create, Op::delete(user), stage]);
        assert_eq!(created_ids(&batch), [user.to_string(), activity]);
    }

    #[test]
    fn apply_acknowledges_each_non_blank_line_and_goes_on_after_a_bad_one() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path(), convoy_store::Options::new()).unwrap();
        let input = b"{\"op\":\"create\",\"table\":\"users\",\"row\":{\"name\":\"ada\"}}\n\n\xff\nnot json\r\n{\"op\":\"create\",\"table\":\"users\",\"row\":{\"name\":\"grace\"}}";
        let mut out = Vec::new();
        let summary = apply(&db, &input[..], &mut out).unwrap();
        assert_eq!(summary, ApplySummary { lines: 4, ok: 2, refused: 2 });
        let acks: Vec<Value> =
            String::from_utf8(out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        let lines: Vec<(u64, bool)> =
            acks.iter().map(|a| (a["line"].as_u64().unwrap(), a["ok"].as_bool().unwrap())).collect();
        assert_eq!(lines, [(1, true), (3, false), (4, false), (5, true)]);
        assert_eq!(acks[1]["error"]["code"], "bad_utf8");
        assert_eq!(acks[2]["error"]["code"], "bad_json");
        assert_eq!((acks[0]["seq"].as_u64(), acks[3]["seq"].as_u64()), (Some(1), Some(2)));
        assert_eq!(db.read().ids_of_kind(convoy_core::model::EntityKind::User).len(), 2);
    }
}

#[cfg(test)]
mod robustness {
    use super::*;

    #[test]
    fn parse_line_never_panics_on_mangled_lines() {
        let graph = Graph::new();
        let lines = [
            r#"{"op":"create","table":"tasks","row":{"title":"t","project_id":"44444444-0000-4000-8000-000000000001","labels":["a"]}}"#,
            r#"[{"op":"update","id":"44444444-0000-4000-8000-000000000001","set":{"status":"DONE","stages":[{"name":"A"}]}}]"#,
            r#"{"op":"link","source_id":"88888888-0000-4000-8000-000000000001","relationship_type":"task_blocks","target_id":"88888888-0000-4000-8000-000000000002","weight":0.5}"#,
            r#"{"op":"activity","task_id":"88888888-0000-4000-8000-000000000001","type":"NOTE","details":{"a":[1,{"b":null}]}}"#,
        ];
        for line in lines {
            let bytes = line.as_bytes();
            for at in 0..bytes.len() {
                for byte in [b'0', b'"', b'[', b'}', b' '] {
                    let mut mangled = bytes.to_vec();
                    mangled[at] = byte;
                    if let Ok(text) = std::str::from_utf8(&mangled) {
                        let _ = parse_line(&graph, text);
                    }
                }
                let _ = parse_line(&graph, std::str::from_utf8(&bytes[..at]).unwrap_or(""));
            }
        }
    }
}
