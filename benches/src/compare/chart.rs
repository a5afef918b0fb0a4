//! A hand-written SVG bar chart of the medians in one or more results
//! files: log-scale µs, grouped by query, one bar per system and size.

use std::fmt::Write as _;

use super::report::{Results, group};

/// The three systems, in bar order, with colours.
const SYSTEMS: [(&str, &str); 3] =
    [("Convoy", "#2b6cb0"), ("SQLite in memory", "#dd6b20"), ("SQLite file (WAL)", "#718096")];

/// One group of bars: a query, and per results file the three medians.
struct Group {
    label: String,
    /// Per results file: (Convoy, SQLite mem, SQLite file) medians, µs.
    bars: Vec<[Option<f64>; 3]>,
    failed: bool,
}

/// The bar groups: each read query of the first run, then Q7's commit.
fn groups(runs: &[Results]) -> Vec<Group> {
    let mut out: Vec<Group> = Vec::new();
    let ids: Vec<String> = runs.first().map(|r| r.queries.iter().map(|q| q.id.clone()).collect()).unwrap_or_default();
    for id in ids {
        let mut g = Group { label: id.clone(), bars: Vec::new(), failed: false };
        for r in runs {
            let q = r.queries.iter().find(|q| q.id == id);
            g.failed |= q.and_then(|q| q.check.as_ref()).is_some_and(|c| !c.passed());
            g.bars.push(q.map_or([None; 3], |q| {
                [Some(q.convoy.median_us), q.sqlite_memory.map(|s| s.median_us), q.sqlite_file.map(|s| s.median_us)]
            }));
        }
        out.push(g);
    }
    out.push(Group {
        label: "Q7 commit".into(),
        bars: runs
            .iter()
            .map(|r| [Some(r.commits.convoy.single.median_us), None, Some(r.commits.sqlite.single.median_us)])
            .collect(),
        failed: false,
    });
    out
}

/// A short caption under a group's id.
fn caption(id: &str) -> &'static str {
    match id {
        "Q1" => "point",
        "Q2" => "upward",
        "Q3" => "bundle",
        "Q4" => "workspace",
        "Q5" => "3 hops",
        "Q6" => "find",
        "Q9a" => "ready",
        "Q9b" => "rank",
        _ => "",
    }
}

/// Escapes text for SVG.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The axis label of 10^`decade` µs.
fn tick(decade: i32) -> String {
    let v = 10f64.powi(decade);
    if v < 1.0 {
        format!("{v} µs")
    } else if v < 1_000.0 {
        format!("{v:.0} µs")
    } else if v < 1_000_000.0 {
        format!("{:.0} ms", v / 1_000.0)
    } else {
        format!("{:.0} s", v / 1_000_000.0)
    }
}

/// The SVG for `runs` (each one results file; sizes in the given order).
pub(crate) fn svg(runs: &[Results]) -> String {
    let groups = groups(runs);
    let values: Vec<f64> =
        groups.iter().flat_map(|g| g.bars.iter().flatten().flatten().copied()).filter(|v| *v > 0.0).collect();
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min).max(1e-3).log10().floor() as i32;
    let hi = (values.iter().copied().fold(0.0, f64::max).max(1.0).log10().ceil() as i32).max(lo + 1);
    let per_group = runs.len().max(1) * SYSTEMS.len();
    let (bar, gap, left, top, height) = (11.0, 26.0, 70.0, 60.0, 360.0);
    let group_w = per_group as f64 * bar + gap;
    let width = (left + groups.len() as f64 * group_w + 20.0).max(940.0);
    let total_h = top + height + 122.0;
    let y = |v: f64| top + height - (v.log10() - f64::from(lo)) / f64::from(hi - lo) * height;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{total_h:.0}" viewBox="0 0 {width:.0} {total_h:.0}" font-family="sans-serif" font-size="11">"#
    );
    let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let sizes: Vec<String> = runs.iter().map(|r| group(r.tasks as u64)).collect();
    let _ = writeln!(
        s,
        r#"<text x="{left}" y="22" font-size="15" font-weight="bold">Convoy vs SQLite: median per call (log scale, lower is better) — {} tasks</text>"#,
        escape(&sizes.join(" / "))
    );
    if let Some(r) = runs.first() {
        let _ = writeln!(
            s,
            r##"<text x="{left}" y="40" fill="#555">{} · {} CPUs · seed {}</text>"##,
            escape(&r.machine.cpu),
            r.machine.cpus,
            r.seed
        );
    }
    for d in lo..=hi {
        let yy = y(10f64.powi(d));
        let _ =
            writeln!(s, r##"<line x1="{left}" x2="{:.0}" y1="{yy:.1}" y2="{yy:.1}" stroke="#e2e8f0"/>"##, width - 20.0);
        let _ = writeln!(
            s,
            r#"<text x="{:.0}" y="{:.1}" text-anchor="end">{}</text>"#,
            left - 6.0,
            yy + 4.0,
            escape(&tick(d))
        );
    }
    for (gi, g) in groups.iter().enumerate() {
        let x0 = left + gi as f64 * group_w + gap / 2.0;
        for (ri, meds) in g.bars.iter().enumerate() {
            // Larger sizes drawn more opaque.
            let opacity = if runs.len() > 1 { 0.45 + 0.55 * ri as f64 / (runs.len() - 1) as f64 } else { 1.0 };
            for (si, v) in meds.iter().enumerate() {
                let Some(v) = v.filter(|v| *v > 0.0) else { continue };
                let x = x0 + (si * runs.len() + ri) as f64 * bar;
                let yy = y(v);
                let (name, colour) = SYSTEMS[si];
                let size = sizes.get(ri).map_or("", String::as_str);
                let _ = writeln!(
                    s,
                    r#"<rect x="{x:.1}" y="{yy:.1}" width="{:.1}" height="{:.1}" fill="{colour}" fill-opacity="{opacity:.2}"><title>{} {}, {size} tasks: {v:.2} µs</title></rect>"#,
                    bar - 1.0,
                    (top + height - yy).max(0.5),
                    escape(&g.label),
                    escape(name)
                );
            }
        }
        let cx = x0 + per_group as f64 * bar / 2.0;
        let label = if g.failed { format!("{} ✗", g.label) } else { g.label.clone() };
        let _ = writeln!(
            s,
            r##"<text x="{cx:.1}" y="{:.0}" text-anchor="middle" fill="#555">{}</text>"##,
            top + height + 30.0,
            caption(&g.label)
        );
        let _ = writeln!(
            s,
            r#"<text x="{cx:.1}" y="{:.0}" text-anchor="middle" font-weight="bold">{}</text>"#,
            top + height + 16.0,
            escape(&label)
        );
    }
    let ly = top + height + 56.0;
    for (i, (name, colour)) in SYSTEMS.iter().enumerate() {
        let lx = left + i as f64 * 170.0;
        let _ = writeln!(s, r#"<rect x="{lx}" y="{:.0}" width="12" height="12" fill="{colour}"/>"#, ly - 10.0);
        let _ = writeln!(s, r#"<text x="{:.0}" y="{ly:.0}">{}</text>"#, lx + 16.0, escape(name));
    }
    if runs.len() > 1 {
        let _ = writeln!(
            s,
            r##"<text x="{left}" y="{:.0}" fill="#555">Within each system, bars left to right: {} tasks (lighter = smaller).</text>"##,
            ly + 22.0,
            escape(&sizes.join(", "))
        );
    }
    let _ = writeln!(
        s,
        r##"<text x="{left}" y="{:.0}" fill="#555">Q7: one durable commit (Convoy fsync per commit vs SQLite WAL synchronous=FULL). ✗: answers differed, no ratio.</text>"##,
        ly + 40.0
    );
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::super::measure::Stats;
    use super::super::report::QueryResult;
    use super::*;

    #[test]
    fn a_chart_has_one_bar_per_system_and_size() {
        let q = |m: f64| QueryResult {
            id: "Q1".into(),
            convoy: Stats { median_us: m, ..Stats::default() },
            sqlite_memory: Some(Stats { median_us: m * 10.0, ..Stats::default() }),
            sqlite_file: Some(Stats { median_us: m * 20.0, ..Stats::default() }),
            ..QueryResult::default()
        };
        let runs = vec![
            Results { tasks: 100_000, queries: vec![q(0.3)], ..Results::default() },
            Results { tasks: 1_000_000, queries: vec![q(0.6)], ..Results::default() },
        ];
        let svg = svg(&runs);
        // Q1: 3 systems × 2 sizes; Q7: Convoy and SQLite file × 2 sizes (zeros skipped).
        assert_eq!(svg.matches("<rect x=").count() - 3, 6, "{svg}");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>\n"));
    }
}
