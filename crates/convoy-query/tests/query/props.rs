//! Differential properties: on random graphs, every query equals the plain
//! reference implementation. `PROPTEST_CASES` sets the number of graphs
//! (default 64).

use convoy_core::model::EntityKind;
use convoy_core::{EntityId, Graph, Relation};
use convoy_query::{Direction, Traversal, ancestors, blocked, descendants, ready, related, rollup, traverse};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use crate::reference::Ref;
use crate::world::world;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64)
}

fn check(property: fn(&Graph, &Ref<'_>, &[EntityId]) -> Result<(), TestCaseError>) {
    let mut runner = TestRunner::new(Config { cases: cases(), ..Config::default() });
    runner
        .run(&any::<u64>(), |seed| {
            let graph = world(seed);
            let state = graph.state();
            let reference = Ref::new(&state);
            let ids: Vec<EntityId> = state.entities().iter().map(convoy_core::model::Entity::id).collect();
            property(&graph, &reference, &ids)
        })
        .unwrap();
}

const KINDS: [Option<EntityKind>; 4] =
    [None, Some(EntityKind::Task), Some(EntityKind::Project), Some(EntityKind::Milestone)];

#[test]
fn related_equals_a_scan_of_all_edges() {
    check(|graph, reference, ids| {
        for &id in ids {
            for direction in [Direction::Out, Direction::In, Direction::Both] {
                for relation in [None, Some(Relation::Contains), Some(Relation::BelongsTo), Some(Relation::Blocks)] {
                    for kind in KINDS {
                        let got: Vec<_> = related(graph, id, relation, kind, direction)
                            .unwrap()
                            .into_iter()
                            .map(|l| (l.id, l.relation, l.direction == Direction::Out))
                            .collect();
                        prop_assert_eq!(got, reference.related(id, relation, kind, direction));
                    }
                }
            }
        }
        Ok(())
    });
}

#[test]
fn containment_equals_breadth_first_scans() {
    check(|graph, reference, ids| {
        for &id in ids {
            let got: Vec<_> = ancestors(graph, id).unwrap().into_iter().map(|a| (a.id, a.slot, a.depth)).collect();
            prop_assert_eq!(got, reference.ancestors(id));
            for kind in KINDS {
                for max in [None, Some(1), Some(2)] {
                    let got: Vec<_> =
                        descendants(graph, id, kind, max).unwrap().into_iter().map(|d| (d.id, d.depth)).collect();
                    prop_assert_eq!(got, reference.descendants(id, kind, max));
                }
            }
        }
        Ok(())
    });
}

#[test]
fn traversal_distances_equal_reference_and_paths_are_real_shortest_paths() {
    check(|graph, reference, ids| {
        let sets: [&[Relation]; 3] = [
            &[Relation::Blocks, Relation::RelatedTo],
            &[Relation::Contains],
            &[Relation::BlockedBy, Relation::SubtaskOf],
        ];
        for &id in ids {
            for relations in sets {
                for direction in [Direction::Out, Direction::In, Direction::Both] {
                    for kind in [None, Some(EntityKind::Task)] {
                        let query =
                            Traversal { relations: relations.to_vec(), direction, max_hops: 3, kind, limit: None };
                        let got = traverse(graph, id, &query).unwrap();
                        let pairs: Vec<_> = got.iter().map(|r| (r.id, r.distance)).collect();
                        prop_assert_eq!(pairs, reference.distances(id, relations, direction, 3, kind));
                        for r in &got {
                            prop_assert_eq!(r.path.len() as u32, r.distance + 1);
                            prop_assert_eq!(r.path.first(), Some(&id));
                            prop_assert_eq!(r.path.last(), Some(&r.id));
                            for step in r.path.windows(2) {
                                let ok = relations.iter().any(|&rel| match direction {
                                    Direction::Out => reference.has_edge(step[0], rel, step[1]),
                                    Direction::In => reference.has_edge(step[1], rel, step[0]),
                                    Direction::Both => {
                                        reference.has_edge(step[0], rel, step[1])
                                            || reference.has_edge(step[1], rel, step[0])
                                    }
                                });
                                prop_assert!(ok, "path step {:?} follows no chosen relation", step);
                            }
                        }
                        let limited = traverse(graph, id, &Traversal { limit: Some(2), ..query.clone() }).unwrap();
                        prop_assert_eq!(&limited[..], &got[..got.len().min(2)]);
                    }
                }
            }
        }
        Ok(())
    });
}

#[test]
fn rollups_ready_and_blocked_equal_reference() {
    check(|graph, reference, ids| {
        for &id in ids {
            let got = rollup(graph, id).unwrap();
            let (total, by, frac) = reference.rollup(id);
            prop_assert_eq!(got.total, total);
            prop_assert_eq!(&got.by_status, &by);
            prop_assert!((got.done_fraction - frac).abs() < 1e-12);
            let kind = reference.kind(id);
            if matches!(kind, EntityKind::Workspace | EntityKind::Project) {
                let (want_ready, want_blocked) = reference.ready(id);
                prop_assert_eq!(ready(graph, id, None).unwrap(), want_ready.clone());
                prop_assert_eq!(ready(graph, id, Some(3)).unwrap(), want_ready[..want_ready.len().min(3)].to_vec());
                let got: Vec<_> = blocked(graph, id).unwrap().into_iter().map(|b| (b.task, b.blockers)).collect();
                prop_assert_eq!(got, want_blocked);
            } else {
                prop_assert!(ready(graph, id, None).is_err());
            }
        }
        let workspaces: Vec<EntityId> =
            ids.iter().copied().filter(|&id| reference.kind(id) == EntityKind::Workspace).collect();
        let want = reference.ready_anywhere(&workspaces);
        prop_assert_eq!(convoy_query::ready_anywhere(graph, None), want.clone());
        prop_assert_eq!(convoy_query::ready_anywhere(graph, Some(2)), want[..want.len().min(2)].to_vec());
        Ok(())
    });
}

#[test]
fn random_worlds_have_every_shape_the_queries_care_about() {
    // Guards the properties above against a generator that stopped making
    // interesting graphs.
    let (mut tasks, mut subtasks, mut blocked_tasks, mut slices, mut related_pairs) = (0, 0, 0, 0, 0);
    for seed in 0..32 {
        let graph = world(seed);
        tasks += graph.ids_of_kind(EntityKind::Task).len();
        slices += graph.ids_of_kind(EntityKind::Slice).len();
        for &t in graph.ids_of_kind(EntityKind::Task) {
            subtasks += graph.neighbors(t, Relation::HasSubtask).len();
            related_pairs += graph.neighbors(t, Relation::RelatedTo).len();
            blocked_tasks += usize::from(!convoy_query::open_blockers(&graph, t).is_empty());
        }
    }
    assert!(
        tasks > 300 && subtasks > 30 && blocked_tasks > 30 && slices > 30 && related_pairs > 30,
        "tasks {tasks}, subtasks {subtasks}, blocked {blocked_tasks}, slices {slices}, related {related_pairs}"
    );
}

fn ids(entities: &[&convoy_core::model::Entity]) -> Vec<EntityId> {
    entities.iter().map(|e| e.id()).collect()
}

fn opt(entity: Option<&convoy_core::model::Entity>) -> Vec<EntityId> {
    entity.map(convoy_core::model::Entity::id).into_iter().collect()
}

fn guidance(items: &[convoy_query::Guidance<'_>]) -> Vec<EntityId> {
    items.iter().map(|g| g.entity.id()).collect()
}

#[test]
fn bundles_equal_reference_scans() {
    check(|graph, reference, all| {
        for &id in all {
            let kind = reference.kind(id);
            if kind == EntityKind::Task {
                let b = convoy_query::task_bundle(graph, id, 3).unwrap();
                let shape = vec![
                    ("parent_task", opt(b.parent_task)),
                    ("subtasks", ids(&b.subtasks)),
                    ("slice", opt(b.slice)),
                    ("milestone", opt(b.milestone)),
                    ("workstream", opt(b.workstream)),
                    ("project", opt(b.project)),
                    ("workspace", opt(b.workspace)),
                    ("blocks", ids(&b.blocks)),
                    ("blocked_by", ids(&b.blocked_by)),
                    ("related", ids(&b.related)),
                    ("workflow", opt(b.workflow)),
                    ("patterns", guidance(&b.patterns)),
                    ("best_practices", guidance(&b.best_practices)),
                ];
                let (want, open, stage) = reference.task_bundle(id);
                prop_assert_eq!(shape, want);
                prop_assert_eq!(b.has_open_blocker, open);
                prop_assert_eq!(b.current_stage.map(|s| s.name.to_string()), stage);
                let recent: Vec<_> = b.recent_activity.iter().map(|a| a.id).collect();
                prop_assert_eq!(recent, reference.recent(id, 3));
                prop_assert!(b.patterns.windows(2).all(|w| w[0].level <= w[1].level));
            } else if matches!(
                kind,
                EntityKind::Workspace
                    | EntityKind::Project
                    | EntityKind::Workstream
                    | EntityKind::Milestone
                    | EntityKind::Slice
            ) {
                let b = convoy_query::container_bundle(graph, id).unwrap();
                let mut shape = vec![
                    ("ancestors", b.ancestors.iter().map(|a| a.id).collect()),
                    ("patterns", guidance(&b.patterns)),
                    ("best_practices", guidance(&b.best_practices)),
                ];
                for (k, children) in &b.children {
                    shape.push((k.as_str(), ids(children)));
                }
                prop_assert_eq!(shape, reference.container_bundle(id));
                prop_assert_eq!(b.rollup.total, reference.rollup(id).0);
            } else {
                prop_assert!(convoy_query::task_bundle(graph, id, 3).is_err());
                prop_assert!(convoy_query::container_bundle(graph, id).is_err());
            }
        }
        Ok(())
    });
}

/// The reference find: a scan of every entity with the plain predicate,
/// sorted by the documented keys.
fn reference_find(reference: &Ref<'_>, q: &convoy_query::Find) -> Vec<EntityId> {
    use convoy_core::model::{EntityData, Priority};
    use convoy_query::Sort;
    let within: Option<Vec<EntityId>> =
        q.within.map(|w| reference.descendants(w, Some(q.kind), None).into_iter().map(|(d, _)| d).collect());
    let fold = |t: &str| t.chars().flat_map(char::to_lowercase).collect::<String>();
    let needle = q.text.as_ref().map(|t| fold(t));
    let mut hits: Vec<(i64, String, EntityId)> = reference
        .state
        .entities()
        .iter()
        .filter(|e| e.kind() == q.kind)
        .filter(|e| within.as_ref().is_none_or(|w| w.contains(&e.id())))
        .filter(|e| q.updated_since.is_none_or(|t| e.updated_at() >= t))
        .filter(|e| q.owner.is_none_or(|o| reference.has_edge(e.id(), Relation::OwnedBy, o)))
        .filter(|e| {
            needle.as_ref().is_none_or(|n| {
                fold(e.data().name()).contains(n.as_str())
                    || e.data().description().is_some_and(|d| fold(d).contains(n.as_str()))
            })
        })
        .filter(|e| match e.data() {
            EntityData::Task(t) => {
                (q.task_statuses.is_empty() || q.task_statuses.contains(&t.status))
                    && (q.priorities.is_empty() || q.priorities.contains(&t.priority))
                    && q.labels_all.iter().all(|l| t.labels.as_slice().iter().any(|x| x.as_str() == l))
                    && (q.labels_any.is_empty()
                        || q.labels_any.iter().any(|l| t.labels.as_slice().iter().any(|x| x.as_str() == l)))
            }
            EntityData::Project(p) => q.statuses.is_empty() || q.statuses.contains(&p.status),
            EntityData::Workstream(w) => q.statuses.is_empty() || q.statuses.contains(&w.status),
            _ => true,
        })
        .map(|e| {
            let (n, s) = match q.sort {
                Sort::Id => (0, String::new()),
                Sort::Created => (e.created_at().as_micros(), String::new()),
                Sort::Updated => (e.updated_at().as_micros(), String::new()),
                Sort::Priority => match e.data().as_task().map(|t| t.priority) {
                    Some(Some(Priority::Urgent)) => (0, String::new()),
                    Some(Some(Priority::High)) => (1, String::new()),
                    Some(Some(Priority::Medium)) => (2, String::new()),
                    Some(Some(Priority::Low)) => (3, String::new()),
                    Some(None) => (4, String::new()),
                    None => (0, String::new()),
                },
                Sort::Name => (0, e.data().name().to_string()),
            };
            (n, s, e.id())
        })
        .collect();
    hits.sort();
    if q.descending {
        hits.reverse();
    }
    hits.into_iter().map(|(_, _, id)| id).collect()
}

#[test]
fn find_equals_a_filtered_scan_and_pages_add_up() {
    use convoy_core::model::{Priority, Status, TaskStatus};
    use convoy_query::{Find, Sort, find};
    check(|graph, reference, all| {
        let containers: Vec<EntityId> = all
            .iter()
            .copied()
            .filter(|&id| {
                !matches!(reference.kind(id), EntityKind::Pattern | EntityKind::BestPractice | EntityKind::Workflow)
            })
            .collect();
        let users: Vec<EntityId> = all.iter().copied().filter(|&id| reference.kind(id) == EntityKind::User).collect();
        let mut queries = Vec::new();
        for (i, sort) in [Sort::Id, Sort::Created, Sort::Updated, Sort::Priority, Sort::Name].into_iter().enumerate() {
            for kind in [EntityKind::Task, EntityKind::Project, EntityKind::Workstream] {
                let mut q = Find::new(kind);
                q.sort = sort;
                q.descending = i % 2 == 1;
                queries.push(q.clone());
                q.task_statuses = vec![TaskStatus::Todo, TaskStatus::Blocked];
                q.priorities = vec![Some(Priority::Urgent), None];
                queries.push(q.clone());
                let mut q2 = Find::new(kind);
                q2.sort = sort;
                q2.labels_all = vec!["bug".into()];
                q2.labels_any = vec!["backend".into(), "infra".into()];
                q2.text = Some("PARSER".into());
                queries.push(q2.clone());
                q2.labels_all.clear();
                q2.statuses = vec![Status::Active, Status::NotStarted];
                q2.owner = users.get(i % users.len().max(1)).copied();
                queries.push(q2);
            }
        }
        for (i, &within) in containers.iter().enumerate().take(12) {
            let mut q = Find::new(EntityKind::Task);
            q.within = Some(within);
            q.sort = if i % 2 == 0 { Sort::Priority } else { Sort::Name };
            q.updated_since = Some(convoy_core::Timestamp::from_micros(1_700_000_000_000_000 + i as i64 * 20_000_000));
            queries.push(q.clone());
            // With a narrow index source too, `within` is checked per
            // candidate instead of walked.
            q.updated_since = None;
            q.labels_all = vec!["bug".into()];
            q.task_statuses = vec![TaskStatus::Todo, TaskStatus::InProgress];
            queries.push(q);
            // Within + status (+ priority) by id: answered from the
            // project's (status, priority) index without looking at tasks.
            let mut exact = Find::new(EntityKind::Task);
            exact.within = Some(within);
            exact.task_statuses = vec![TaskStatus::Todo, TaskStatus::Done];
            exact.descending = i % 3 == 0;
            queries.push(exact.clone());
            exact.priorities = vec![Some(Priority::High), None];
            queries.push(exact);
        }
        for mut q in queries {
            let want = reference_find(reference, &q);
            q.limit = 1_000_000;
            let whole = find(graph, &q).unwrap();
            prop_assert_eq!(&whole.ids, &want);
            prop_assert!(whole.next.is_none());
            q.limit = 3;
            let mut paged = Vec::new();
            loop {
                let page = find(graph, &q).unwrap();
                prop_assert!(page.ids.len() <= 3);
                paged.extend(page.ids);
                match page.next {
                    Some(cursor) => q.after = Some(cursor.to_string().parse().unwrap()),
                    None => break,
                }
            }
            prop_assert_eq!(paged, want);
        }
        Ok(())
    });
}

#[test]
fn ranking_equals_the_formula_computed_over_full_scans() {
    check(|graph, reference, ids| {
        let options = [
            convoy_query::RankOptions::default(),
            convoy_query::RankOptions {
                max_hops: 3,
                top: 50,
                include_done: true,
                ..convoy_query::RankOptions::default()
            },
            convoy_query::RankOptions { max_hops: 1, decay: 0.9, ..convoy_query::RankOptions::default() },
        ];
        for &id in ids.iter().step_by(3) {
            for o in &options {
                let got = convoy_query::rank(graph, id, o).unwrap();
                let want = reference.rank(id, o);
                prop_assert_eq!(got.len(), want.len());
                for (g, w) in got.iter().zip(&want) {
                    prop_assert_eq!((g.id, &g.path), (w.0, &w.2));
                    prop_assert!((g.score - w.1).abs() < 1e-12);
                }
            }
        }
        Ok(())
    });
}
