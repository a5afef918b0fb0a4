//! `graph`: an entity's neighbourhood as a Mermaid flowchart or a Graphviz
//! digraph, as the seeds draw theirs.

use std::collections::{BTreeSet, HashMap, VecDeque};

use convoy_core::{EntityId, Graph, Relation};
use serde_json::json;

use crate::cli::DiagramFormat;
use crate::failure::Failure;
use crate::output::{clip, print, print_json};
use crate::parse;

/// What is drawn: entities (nearest first) and edges between them, each
/// edge once, in its forward direction.
struct Neighbourhood {
    nodes: Vec<EntityId>,
    edges: BTreeSet<(EntityId, Relation, EntityId)>,
}

/// Breadth-first over every relation up to `depth` hops, at most `limit`
/// entities, neighbours visited in id order so the drawing is
/// deterministic. O(edges of the entities kept).
fn neighbourhood(graph: &Graph, centre: EntityId, depth: u32, limit: usize) -> Neighbourhood {
    let mut distance: HashMap<EntityId, u32> = HashMap::from([(centre, 0)]);
    let mut nodes = vec![centre];
    let mut queue = VecDeque::from([centre]);
    while let Some(at) = queue.pop_front() {
        let d = distance.get(&at).copied().unwrap_or(0);
        if d >= depth {
            continue;
        }
        let mut next: Vec<EntityId> = graph.edges_unordered(at).map(|e| e.target()).collect();
        next.sort_unstable();
        next.dedup();
        for n in next {
            if nodes.len() >= limit.max(1) {
                break;
            }
            if let std::collections::hash_map::Entry::Vacant(slot) = distance.entry(n) {
                slot.insert(d + 1);
                nodes.push(n);
                queue.push_back(n);
            }
        }
    }
    let kept: BTreeSet<EntityId> = nodes.iter().copied().collect();
    let mut edges = BTreeSet::new();
    for &n in &nodes {
        for e in graph.edges_unordered(n) {
            let (s, r, t) = (e.source(), e.relation(), e.target());
            if !r.is_forward() || !kept.contains(&t) {
                continue;
            }
            // `related_to` is its own inverse: keep one of the two.
            if r == Relation::RelatedTo && s > t {
                continue;
            }
            edges.insert((s, r, t));
        }
    }
    Neighbourhood { nodes, edges }
}

fn label(graph: &Graph, id: EntityId) -> String {
    graph.get(id).map_or_else(|| id.to_string(), |e| format!("{}: {}", e.kind(), clip(e.data().name().as_str(), 40)))
}

fn mermaid(graph: &Graph, n: &Neighbourhood) -> String {
    let index: HashMap<EntityId, usize> = n.nodes.iter().enumerate().map(|(i, &id)| (id, i)).collect();
    let mut out = String::from("flowchart LR\n");
    for (i, &id) in n.nodes.iter().enumerate() {
        let text = label(graph, id).replace('"', "#quot;");
        out.push_str(&format!("  n{i}[\"{text}\"]\n"));
    }
    for (s, r, t) in &n.edges {
        if let (Some(a), Some(b)) = (index.get(s), index.get(t)) {
            out.push_str(&format!("  n{a} -->|{r}| n{b}\n"));
        }
    }
    out.push_str("  style n0 stroke-width:3px\n");
    out
}

fn dot_quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

fn dot(graph: &Graph, n: &Neighbourhood) -> String {
    let mut out = String::from("digraph convoy {\n  rankdir=LR;\n  node [shape=box];\n");
    for (i, &id) in n.nodes.iter().enumerate() {
        let bold = if i == 0 { ", penwidth=3" } else { "" };
        out.push_str(&format!("  {} [label={}{bold}];\n", dot_quote(&id.to_string()), dot_quote(&label(graph, id))));
    }
    for (s, r, t) in &n.edges {
        out.push_str(&format!(
            "  {} -> {} [label={}];\n",
            dot_quote(&s.to_string()),
            dot_quote(&t.to_string()),
            dot_quote(r.as_str())
        ));
    }
    out.push_str("}\n");
    out
}

/// `convoy graph ID [--depth N] [--format mermaid|dot] [--limit N]`.
pub(crate) fn graph_command(
    graph: &Graph,
    id: &str,
    depth: u32,
    format: DiagramFormat,
    limit: usize,
    json: bool,
) -> Result<(), Failure> {
    let id = parse::id("id", id)?;
    if !graph.contains(id) {
        return Err(Failure::new("not_found", format!("no entity {id}")));
    }
    let n = neighbourhood(graph, id, depth, limit);
    let text = match format {
        DiagramFormat::Mermaid => mermaid(graph, &n),
        DiagramFormat::Dot => dot(graph, &n),
    };
    if json {
        let format = match format {
            DiagramFormat::Mermaid => "mermaid",
            DiagramFormat::Dot => "dot",
        };
        return print_json(&json!({
            "id": id.to_string(),
            "format": format,
            "nodes": n.nodes.len(),
            "edges": n.edges.len(),
            "diagram": text,
        }));
    }
    print(&text)
}

#[cfg(test)]
mod tests {
    use convoy_core::model::{Project, Task, Workspace};
    use convoy_core::{Batch, Op};

    use super::*;

    #[test]
    fn a_blocked_task_draws_its_blocker_once_with_quotes_escaped() {
        let ws = Op::create(Workspace::new("Acme").unwrap());
        let p = Op::create(Project::new("Convoy").unwrap());
        let a = Op::create(Task::new("say \"hi\"").unwrap());
        let b = Op::create(Task::new("b").unwrap());
        let (w, p_id, a_id, b_id) = (ws.subject(), p.subject(), a.subject(), b.subject());
        let mut g = Graph::new();
        g.apply(&Batch::from(vec![
            ws,
            p,
            a,
            b,
            Op::link(w, Relation::Contains, p_id),
            Op::link(p_id, Relation::Contains, a_id),
            Op::link(p_id, Relation::Contains, b_id),
            Op::link(a_id, Relation::Blocks, b_id),
        ]))
        .unwrap();
        let n = neighbourhood(&g, b_id, 1, 10);
        assert_eq!(n.nodes[0], b_id);
        assert_eq!(n.nodes.len(), 3, "b, its blocker a, its project");
        assert!(n.edges.contains(&(a_id, Relation::Blocks, b_id)));
        assert!(!n.edges.iter().any(|(_, r, _)| *r == Relation::BlockedBy), "each edge once, forward");
        let m = mermaid(&g, &n);
        assert!(m.starts_with("flowchart LR\n") && m.contains("-->|blocks|") && m.contains("#quot;hi#quot;"), "{m}");
        let d = dot(&g, &n);
        assert!(d.contains("\\\"hi\\\"") && d.contains("[label=\"blocks\"]"), "{d}");
        assert_eq!(neighbourhood(&g, b_id, 1, 2).nodes.len(), 2, "the limit holds");
    }
}
