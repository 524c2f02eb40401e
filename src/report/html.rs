//! The one-page HTML report: self-contained (inline SVG charts and style,
//! no script, no external asset), so it can be mailed or attached to a
//! design review as one file.

use std::fmt::Write;

use super::charts::{self, Chart};
use super::{Results, Study};
use crate::metrics::units::{self, count, ms};
use crate::metrics::{ClientErrors, ClientObserved, Rto, Summary};
use crate::vocab::fault::FaultName;
use crate::vocab::ERROR_KINDS;

const STYLE: &str = "
body { font-family: 'DejaVu Sans', 'Bitstream Vera Sans', Verdana, sans-serif; margin: 2em; color: #222; max-width: 1400px; }
h1 { margin-bottom: 0.2em; overflow-wrap: anywhere; }
h2 { border-bottom: 2px solid #0072b2; padding-bottom: 0.2em; margin-top: 1.6em; overflow-wrap: anywhere; }
h3 { margin: 1.2em 0 0.4em; }
.scroll { overflow-x: auto; max-width: 100%; margin: 0.4em 0 1em; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f0f4f8; }
.pass { color: #00734f; font-weight: bold; }
.fail { color: #b00000; font-weight: bold; }
.warn { color: #8a5a00; }
svg { max-width: 100%; height: auto; border: 1px solid #ddd; margin: 0.4em 0; }
.chart .narrow { display: none; }
.scroll-x { overflow-x: auto; }
.scroll-x svg { max-width: none; }
@media (max-width: 1100px) {
  .chart .wide { display: none; }
  .chart .narrow { display: block; }
}
.meta { color: #555; }
nav ul { margin: 0.2em 0; }
nav li { margin: 0.1em 0; }
nav ul ul { display: inline; padding: 0; }
nav ul ul li { display: inline; }
nav ul ul li + li::before { content: ' · '; color: #888; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  .scroll, .scroll-x { overflow: visible; }
  .scroll-x svg { max-width: 100%; }
  table { width: 100%; }
  th, td { overflow-wrap: anywhere; }
  section.run, section.study { break-before: page; }
  h2, h3 { break-after: avoid; }
  svg { width: 100%; max-width: 100%; height: auto; break-inside: avoid; }
  .chart .wide { display: none; }
  .chart .narrow { display: block; }
  tr { break-inside: avoid; }
}
";

/// The report for one or more runs: with several, a comparison (key
/// figures side by side and an RTO chart on one scale) comes first, then
/// each run's section in full.
pub fn page(runs: &[Results]) -> String {
    page_with_studies(runs, &[])
}

/// The report for runs and studies: the runs as [`page`] shows them, then
/// each study's section.
pub fn page_with_studies(runs: &[Results], studies: &[Study]) -> String {
    let mut h = String::new();
    let study_names: Vec<String> = studies.iter().map(Study::name).collect();
    let names: Vec<&str> = runs
        .iter()
        .map(|r| r.summary.scenario.as_str())
        .chain(study_names.iter().map(String::as_str))
        .collect();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>aurora-sim: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <h1>aurora-sim: {}</h1>\n",
        esc(&names.join(", ")),
        esc(&names.join(" vs ")),
    );
    let verdicts: Vec<String> = runs.iter().map(|r| verdict(&r.summary)).collect();
    let _ = writeln!(
        h,
        "<p class=\"meta\">Every figure was measured in a deterministic simulation; \
         rerunning a scenario with its seeds reproduces it byte for byte. {}</p>",
        verdicts.join(" ")
    );
    contents(&mut h, runs, &study_names);
    if runs.len() > 1 {
        comparison(&mut h, runs);
    }
    for (i, r) in runs.iter().enumerate() {
        section(&mut h, r, &run_title(runs, i), &format!("run-{}", i + 1));
    }
    for (i, s) in studies.iter().enumerate() {
        let _ = writeln!(h, "<section class=\"study\" id=\"study-{}\">", i + 1);
        s.section(&mut h);
        h.push_str("</section>\n");
    }
    h.push_str("</body>\n</html>\n");
    h
}

/// A run's title: its scenario and seed, so that runs of one scenario
/// with different seeds are told apart.
fn run_title(runs: &[Results], i: usize) -> String {
    let s = &runs[i].summary;
    format!("{} ({})", s.scenario, s.seeds())
}

/// The sections of a run's part of the page, with their anchors' suffix,
/// in page order; those a run lacks are left out. The order is a design
/// review's: the verdicts, then each failover's and planned event's
/// phases and what each client group (and how it connects) saw, then
/// load, loss and availability, and only then the setup and the charts.
fn parts(s: &Summary) -> Vec<(&'static str, &'static str)> {
    let mut out = vec![
        ("invariants", "Invariants"),
        ("expectations", "Expectations"),
        ("capacity", "Capacity"),
    ];
    if !s.failovers.is_empty() {
        out.push(("failovers", "Failovers"));
    }
    if !s.maintenance.is_empty() {
        out.push(("planned", "Planned events"));
    }
    if !s.client_groups.is_empty() {
        out.push(("clients", "Clients"));
    }
    if s.global.is_some() {
        out.push(("regions", "Regions"));
    }
    out.push(("measured", "Measured"));
    if !s.redundancy.per_pg.is_empty() {
        out.push(("copies", "Copies"));
    }
    out.extend([
        ("topology", "Topology"),
        ("faults", "Faults"),
        ("charts", "Charts"),
    ]);
    out
}

/// A list of links to every run and study, and to each run's sections,
/// so that a page of several runs can be found one's way around.
fn contents(h: &mut String, runs: &[Results], studies: &[String]) {
    h.push_str("<nav>\n<h2>Contents</h2>\n<ul>\n");
    if runs.len() > 1 {
        h.push_str("<li><a href=\"#comparison\">Comparison</a></li>\n");
    }
    for (i, r) in runs.iter().enumerate() {
        let id = format!("run-{}", i + 1);
        let _ = write!(
            h,
            "<li><a href=\"#{id}\">{}</a>: <ul>",
            esc(&run_title(runs, i))
        );
        for (part, name) in parts(&r.summary) {
            let _ = write!(h, "<li><a href=\"#{id}-{part}\">{name}</a></li>");
        }
        h.push_str("</ul></li>\n");
    }
    for (i, name) in studies.iter().enumerate() {
        let _ = writeln!(h, "<li><a href=\"#study-{}\">{}</a></li>", i + 1, esc(name));
    }
    h.push_str("</ul>\n</nav>\n");
}

/// Escapes text for HTML.
pub(super) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One line per run for the top of the page: whether it ran to its end,
/// then the invariants' verdicts (a violation is red and comes first),
/// then the expectations'.
fn verdict(s: &Summary) -> String {
    let mut parts = Vec::new();
    if let Some(why) = &s.stopped_early {
        parts.push(format!(
            "<span class=\"fail\">stopped early: {}</span>",
            esc(why)
        ));
    }
    parts.push(invariant_verdict(s));
    let failed = s.expectations.iter().filter(|e| !e.passed).count();
    parts.push(if s.expectations.is_empty() {
        "no expectations".to_owned()
    } else if failed == 0 {
        format!(
            "<span class=\"pass\">all {} expectations held</span>",
            s.expectations.len()
        )
    } else {
        format!(
            "<span class=\"fail\">{failed} of {} expectations failed</span>",
            s.expectations.len()
        )
    });
    let mut line = format!("{}: {}.", esc(&s.scenario), parts.join("; "));
    for w in &s.warnings {
        line.push_str(&format!(
            " <span class=\"warn\">Warning: {}.</span>",
            esc(w)
        ));
    }
    line
}

/// The invariants' verdict in a few words: the violated ones named.
fn invariant_verdict(s: &Summary) -> String {
    let violated: Vec<&str> = s
        .invariants
        .iter()
        .filter(|i| !i.held)
        .map(|i| i.name.as_str())
        .collect();
    let applicable = s.invariants.iter().all(|i| i.not_applicable.is_none());
    if violated.is_empty() && applicable {
        format!(
            "<span class=\"pass\">all {} invariants held</span>",
            s.invariants.len()
        )
    } else if violated.is_empty() {
        format!("<span class=\"pass\">{}</span>", s.invariants_in_words())
    } else {
        format!(
            "<span class=\"fail\">invariant violated: {}</span>",
            esc(&violated.join("; "))
        )
    }
}

/// A table: header cells, then rows of cells (already HTML).
/// The table sits in a box of its own that scrolls sideways when the page
/// is too narrow for it, so that a wide table never widens the page.
pub(super) fn table(h: &mut String, header: &[&str], rows: &[Vec<String>]) {
    h.push_str("<div class=\"scroll\"><table>\n");
    if header.iter().any(|c| !c.is_empty()) {
        h.push_str("<tr>");
        for cell in header {
            let _ = write!(h, "<th>{}</th>", esc(cell));
        }
        h.push_str("</tr>\n");
    }
    for row in rows {
        h.push_str("<tr>");
        for cell in row {
            let _ = write!(h, "<td>{cell}</td>");
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table></div>\n");
}

fn secs(v: f64) -> String {
    format!("{v:.3} s")
}

fn percent(v: f64) -> String {
    format!("{:.4} %", v * 100.0)
}

fn comparison(h: &mut String, runs: &[Results]) {
    h.push_str("<h2 id=\"comparison\">Comparison</h2>\n");
    let titles: Vec<String> = (0..runs.len()).map(|i| run_title(runs, i)).collect();
    let mut header = vec![""];
    header.extend(titles.iter().map(String::as_str));
    let row = |name: &str, f: &dyn Fn(&Summary) -> String| {
        let mut cells = vec![esc(name)];
        cells.extend(runs.iter().map(|r| f(&r.summary)));
        cells
    };
    let rows = vec![
        row("invariants", &invariant_verdict),
        row("expectations", &|s| {
            let failed = s.expectations.iter().filter(|e| !e.passed).count();
            if failed == 0 {
                format!("<span class=\"pass\">{} held</span>", s.expectations.len())
            } else {
                format!("<span class=\"fail\">{failed} failed</span>")
            }
        }),
        row("simulated", &|s| format!("{:.0} s", s.simulated_s)),
        row("commits/s", &|s| format!("{:.1}", s.commits.per_s)),
        row("lost commits", &|s| s.commits.lost.to_string()),
        row("unavailable at the end", &|s| {
            s.commits.unavailable_at_end.to_string()
        }),
        row("write availability", &|s| percent(s.write_availability)),
        row("longest write outage", &|s| {
            secs(s.longest_write_outage_s())
        }),
        row("read availability", &|s| percent(s.read_availability)),
        row("commit p99", &|s| {
            format!("{:.2} ms", s.commit_latency_ms.p99)
        }),
        row("failovers", &|s| s.failovers.len().to_string()),
        row("longest RTO", &|s| {
            s.longest_rto_s().map_or("-".into(), |t| {
                if t.is_finite() {
                    secs(t)
                } else {
                    "unfinished".into()
                }
            })
        }),
        row("slowest client", &|s| {
            s.longest_client_rto_s().map_or("-".into(), secs)
        }),
        row("whole again after the faults", &|s| match (
            s.healing.faults_over_s,
            s.healing.whole_s(),
        ) {
            _ if s.format_version < 5 => "not recorded".into(),
            (None, _) if s.faults.is_empty() => "-".into(),
            (None, _) => "never (a fault lasts for good)".into(),
            (Some(_), Some(t)) => secs(t),
            (Some(_), None) => "not by the end".into(),
        }),
        row("peak PGs below write quorum", &|s| {
            s.pgs_below_write_quorum_max.to_string()
        }),
    ];
    table(h, &header, &rows);
    if runs.iter().any(|r| !r.summary.rto.is_empty()) {
        h.push_str(&charts::rto_comparison_html(runs));
        h.push('\n');
    }
}

fn section(h: &mut String, r: &Results, title: &str, id: &str) {
    let s = &r.summary;
    let _ = write!(
        h,
        "<section class=\"run\" id=\"{id}\">\n<h2>{}</h2>\n<p>{}</p>\n<p class=\"meta\">{}, {:.0} s simulated, \
         {} events, trace digest {}{}</p>\n",
        esc(title),
        esc(&s.description),
        s.seeds(),
        s.simulated_s,
        s.events_processed,
        esc(&s.trace_digest),
        if r.dir.as_os_str().is_empty() {
            String::new()
        } else {
            format!(", from {}", esc(&r.dir.display().to_string()))
        }
    );
    // In the order of `parts`.
    invariants(h, s, id);
    expectations(h, s, id);
    capacity(h, r, id);
    failovers(h, s, id);
    planned(h, s, id);
    clients(h, s, id);
    regions(h, s, id);
    measured(h, s, id);
    redundancy(h, s, id);
    topology(h, s, id);
    faults(h, r, id);
    let _ = writeln!(h, "<h3 id=\"{id}-charts\">Charts</h3>");
    for chart in Chart::ALL.into_iter().filter(|c| c.applies(r)) {
        h.push_str(&chart.html(r));
        h.push('\n');
    }
    h.push_str("</section>\n");
}

/// A share of an instance's vCPUs above which, before any fault, the
/// load alone saturates it (the summary's warning says the same).
const BUSY: f64 = 0.9;

/// The load before the first fault, which every figure after it is read
/// against: commits offered and acknowledged, and each instance's CPU in
/// its median bin before the fault, flagged above 90 %.
fn capacity(h: &mut String, r: &Results, id: &str) {
    let s = &r.summary;
    let first = s
        .faults
        .iter()
        .map(|f| f.at_s)
        .fold(f64::INFINITY, f64::min);
    let when = if first.is_finite() {
        format!("in the {first:.0} s before the first fault")
    } else {
        "over the run (it has no fault)".to_owned()
    };
    let _ = writeln!(
        h,
        "<h3 id=\"{id}-capacity\">Capacity</h3>\n<p>Commits offered {:.1}/s, acknowledged {:.1}/s over the run.</p>",
        s.commits.offered_per_s, s.commits.per_s
    );
    let t = r.timeline.t_s();
    let bin = r.timeline.bin_s();
    let rows: Vec<Vec<String>> = r
        .timeline
        .cpu()
        .map(|(name, values)| {
            // The lower median of the bins before the fault, as the
            // summary's warning reads it: a moment's spike is not load.
            let mut busy: Vec<f64> = t
                .iter()
                .zip(values)
                .filter(|(t, _)| **t + bin <= first + 1e-9)
                .filter_map(|(_, v)| *v)
                .collect();
            busy.sort_by(f64::total_cmp);
            let median = busy.get(busy.len().saturating_sub(1) / 2).copied();
            let inst = s.topology.instances.iter().find(|i| i.name == name);
            let shown = match median {
                Some(m) if m > BUSY => format!(
                    "<span class=\"fail\">{}</span> (saturated: queueing before any fault)",
                    units::share(m)
                ),
                Some(m) => units::share(m),
                None => "–".to_owned(),
            };
            vec![
                esc(name),
                inst.map_or(String::new(), |i| esc(&i.class)),
                inst.map_or(String::new(), |i| esc(&i.role)),
                shown,
            ]
        })
        .collect();
    if !rows.is_empty() {
        let head = format!("CPU, median bin {when}");
        table(
            h,
            &["instance", "class", "role at the start", head.as_str()],
            &rows,
        );
    }
    serverless(h, s);
}

/// Aurora Serverless v2 capacity per instance, and what replica auto
/// scaling did.
fn serverless(h: &mut String, s: &Summary) {
    if let Some(sv) = &s.serverless {
        let _ = writeln!(
            h,
            "<p>Aurora Serverless v2: each <code>db.serverless</code> instance scales within {} to {} ACU.</p>",
            sv.min_acu, sv.max_acu
        );
        let rows: Vec<Vec<String>> = sv
            .instances
            .iter()
            .map(|i| {
                vec![
                    esc(&i.name),
                    i.start_acu.to_string(),
                    i.end_acu.to_string(),
                    i.peak_acu.to_string(),
                    format!("{:.1}", i.mean_acu),
                    format!("{:.2}", i.acu_hours),
                    if i.paused_s > 0.0 {
                        format!(
                            "{:.0} s ({} pause(s), {} resume(s))",
                            i.paused_s, i.pauses, i.resumes
                        )
                    } else {
                        "never".to_owned()
                    },
                ]
            })
            .collect();
        table(
            h,
            &[
                "instance",
                "ACU at start",
                "at end",
                "peak",
                "mean",
                "ACU-hours",
                "paused",
            ],
            &rows,
        );
    }
    if let Some(a) = &s.auto_scaling {
        let unit = if a.metric == "cpu" {
            " %"
        } else {
            " connections"
        };
        let _ = writeln!(
            h,
            "<p>Replica auto scaling keeps the readers' average {} at {}{unit}, with {} to {} readers; its highest datapoint was {}.</p>",
            esc(&a.metric),
            a.target,
            a.min_readers,
            a.max_readers,
            a.peak_metric.map_or("none".to_owned(), |m| format!("{m:.1}{unit}"))
        );
        let rows: Vec<Vec<String>> = a
            .activities
            .iter()
            .map(|x| {
                vec![
                    format!("{:.0} s", x.at_s),
                    esc(&x.action),
                    esc(&x.instance),
                    esc(&x.az),
                    x.metric
                        .map_or("minimum".to_owned(), |m| format!("{m:.1}{unit}")),
                    esc(&x.outcome()),
                ]
            })
            .collect();
        if !rows.is_empty() {
            table(
                h,
                &["at", "action", "reader", "AZ", "datapoint", "then"],
                &rows,
            );
        }
    }
}

/// A global database: each secondary region's lag, the RPO guard's
/// holds, and what each region lacked when the primary went dark.
fn regions(h: &mut String, s: &Summary, id: &str) {
    let Some(g) = &s.global else {
        return;
    };
    let _ = writeln!(
        h,
        "<h3 id=\"{id}-regions\">Regions</h3>\n<p>Primary {}{}; its storage ships redo to {}. {}</p>",
        esc(&g.primary),
        match g.promotions.iter().rfind(|p| p.promoted_s.is_some()) {
            Some(p) => format!(" until {} was promoted", esc(&p.region)),
            None => String::new(),
        },
        count(
            g.regions.iter().filter(|r| r.name != g.primary).count(),
            "secondary region",
            "secondary regions"
        ),
        match g.rpo_guard_s {
            Some(rpo) => format!(
                "The RPO guard (rds.global_db_rpo) is {rpo:.0} s: it held commits {} in all over {}; the best-placed region lacked at most {} of acknowledged work.",
                ms(g.guard_held_s * 1e3),
                count(g.guard_holds.len(), "hold", "holds"),
                ms(g.at_risk_max_ms)
            ),
            None => "No RPO guard is set.".to_owned(),
        }
    );
    let rows: Vec<Vec<String>> = g
        .regions
        .iter()
        .map(|r| {
            let lag = |f: fn(&crate::metrics::Lag) -> f64| {
                r.replication_lag_ms
                    .as_ref()
                    .map_or("–".to_owned(), |l| ms(f(l)))
            };
            vec![
                esc(&r.name),
                ms(r.rtt_ms),
                format!("{} Gb/s", r.bandwidth_gbps),
                lag(|l| l.p50),
                lag(|l| l.p99),
                lag(|l| l.max),
                ms(r.rpo_lag_max_ms),
                ms(r.at_risk_max_ms),
            ]
        })
        .collect();
    table(
        h,
        &[
            "region",
            "round trip",
            "link",
            "replication lag p50",
            "p99",
            "max",
            "RPO lag at most",
            "acknowledged work at risk at most",
        ],
        &rows,
    );
    if !g.exposures.is_empty() {
        let rows: Vec<Vec<String>> = g
            .exposures
            .iter()
            .map(|e| {
                vec![
                    format!("{:.1} s", e.at_s),
                    esc(&e.region),
                    e.commits.to_string(),
                    ms(e.rpo_s * 1e3),
                    ms(e.at_risk_s * 1e3),
                ]
            })
            .collect();
        let _ = writeln!(
            h,
            "<p>When the primary region went dark, what each secondary had not yet stored (redo already on its way may still land; a promotion's own loss is below):</p>"
        );
        table(
            h,
            &[
                "at",
                "region",
                "acknowledged commits it lacked",
                "RPO",
                "acknowledged work",
            ],
            &rows,
        );
    }
    if !g.promotions.is_empty() {
        let rows: Vec<Vec<String>> = g
            .promotions
            .iter()
            .map(|p| {
                vec![
                    format!("global {}", esc(&p.kind)),
                    format!("{} → {}", esc(&p.from), esc(&p.region)),
                    format!("{:.1} s", p.requested_s),
                    p.promoted_s
                        .map_or("not within the run".to_owned(), |t| format!("{t:.1} s")),
                    p.commits_lost.to_string(),
                    ms(p.rpo_s * 1e3),
                ]
            })
            .collect();
        let _ = writeln!(
            h,
            "<p>Region promotions (the RTO of each, phase by phase, is the failover of the same reason in the failovers table):</p>"
        );
        table(
            h,
            &[
                "promotion",
                "from → to",
                "asked",
                "promoted",
                "acknowledged commits lost",
                "RPO (acknowledged work)",
            ],
            &rows,
        );
    }
    if !g.forwarding.is_empty() {
        let spread = |l: &Option<crate::metrics::Lag>| {
            l.as_ref().map_or("none".to_owned(), |l| {
                format!("{} / {} / {}", ms(l.p50), ms(l.p99), ms(l.max))
            })
        };
        let rows: Vec<Vec<String>> = g
            .forwarding
            .iter()
            .map(|f| {
                vec![
                    esc(&f.group),
                    esc(&f.region),
                    esc(&f.consistency),
                    f.writes.to_string(),
                    spread(&f.write_ms),
                    spread(&f.read_wait_ms),
                    f.reads_missing_own_write.to_string(),
                ]
            })
            .collect();
        let _ = writeln!(
            h,
            "<p>Write forwarding: each transaction is a write the region's reader forwards to the writer, then a read there that waits as its consistency asks:</p>"
        );
        table(
            h,
            &[
                "group",
                "from",
                "consistency",
                "writes",
                "forwarded write p50 / p99 / max",
                "read's wait p50 / p99 / max",
                "reads that missed their own write",
            ],
            &rows,
        );
    }
}

fn invariants(h: &mut String, s: &Summary, id: &str) {
    let _ = writeln!(h, "<h3 id=\"{id}-invariants\">Invariants</h3>");
    let rows: Vec<Vec<String>> = s
        .invariants
        .iter()
        .map(|i| {
            let (mark, detail) = match (&i.not_applicable, &i.first) {
                (Some(why), _) => ("<span>n/a</span>", esc(why)),
                (None, Some(v)) => (
                    "<span class=\"fail\">FAIL</span>",
                    format!(
                        "{}; first at {:.3} s: {}",
                        count(i.violations as usize, "violation", "violations"),
                        v.at_s,
                        esc(&v.detail)
                    ),
                ),
                (None, None) => ("<span class=\"pass\">held</span>", String::new()),
            };
            vec![mark.to_owned(), esc(&i.name), detail]
        })
        .collect();
    table(h, &["", "invariant", "evidence"], &rows);
}

fn expectations(h: &mut String, s: &Summary, id: &str) {
    let _ = writeln!(h, "<h3 id=\"{id}-expectations\">Expectations</h3>");
    if s.expectations.is_empty() {
        h.push_str("<p>None were set.</p>\n");
        return;
    }
    let rows: Vec<Vec<String>> = s
        .expectations
        .iter()
        .map(|e| {
            let mark = if e.passed {
                "<span class=\"pass\">pass</span>"
            } else {
                "<span class=\"fail\">FAIL</span>"
            };
            vec![mark.to_owned(), esc(&e.name), esc(&e.detail)]
        })
        .collect();
    table(h, &["", "expectation", "expected and measured"], &rows);
}

fn topology(h: &mut String, s: &Summary, id: &str) {
    let t = &s.topology;
    let _ = writeln!(
        h,
        "<h3 id=\"{id}-topology\">Topology</h3>\n<p>{} GiB volume in {} protection groups of {} copies over AZs {} \
         ({} storage nodes each); write quorum {}/{}, read quorum {}/{}.</p>",
        t.volume_gib,
        s.storage.pgs,
        t.copies,
        esc(&t.azs.join(", ")),
        t.storage_nodes_per_az,
        t.write_quorum,
        t.copies,
        t.read_quorum,
        t.copies
    );
    let rows: Vec<Vec<String>> = t
        .instances
        .iter()
        .map(|i| {
            let class = match (i.acu, i.autoscaled) {
                (Some(acu), _) => format!("{} (from {acu} ACU)", esc(&i.class)),
                (None, true) => format!("{} when replica auto scaling adds it", esc(&i.class)),
                (None, false) => esc(&i.class),
            };
            vec![
                esc(&i.name),
                esc(&i.role),
                esc(&i.az),
                class,
                i.tier.to_string(),
            ]
        })
        .collect();
    table(h, &["instance", "role", "AZ", "class", "tier"], &rows);
    if !t.clients.is_empty() {
        let rows: Vec<Vec<String>> = t
            .clients
            .iter()
            .map(|c| {
                vec![
                    esc(&c.name),
                    c.count.to_string(),
                    esc(&c.connects()),
                    esc(&c.az),
                    c.read_timeout_s.map_or("none".into(), secs),
                ]
            })
            .collect();
        table(
            h,
            &["clients", "count", "how they connect", "AZ", "read timeout"],
            &rows,
        );
    }
}

fn faults(h: &mut String, r: &Results, id: &str) {
    let s = &r.summary;
    let _ = writeln!(h, "<h3 id=\"{id}-faults\">Faults</h3>");
    if s.faults.is_empty() {
        h.push_str("<p>None.</p>\n");
        return;
    }
    let rows: Vec<Vec<String>> = s
        .faults
        .iter()
        .map(|f| {
            let writer = r.writer_at(f.at_s);
            // A fault aimed at the writer names no target in the scenario;
            // the timeline says which instance that was.
            let target = match (f.target.as_str(), f.kind.as_str()) {
                ("", "writer_crash" | "failover") => match writer {
                    Some(w) => format!("the writer ({})", esc(w)),
                    None => "the writer (none was open)".to_owned(),
                },
                (t, _) => esc(t),
            };
            vec![
                secs(f.at_s),
                match f.until_s {
                    Some(t) => secs(t),
                    None if FaultName::from_key(&f.kind).is_some_and(FaultName::instant) => {
                        "(an instant)".into()
                    }
                    None => "for good".into(),
                },
                esc(&f.words(writer)),
                target,
                format!("<code>{}</code>", esc(&f.kind)),
                f.refused
                    .as_deref()
                    .map_or(String::new(), |why| format!("refused: {}", esc(why))),
            ]
        })
        .collect();
    let mut header = vec!["from", "until", "fault", "target", "scenario key", ""];
    let mut rows = rows;
    // The last column says why a requested failover was refused; without
    // one it would be empty.
    if s.faults.iter().all(|f| f.refused.is_none()) {
        header.pop();
        rows.iter_mut().for_each(|row| drop(row.pop()));
    }
    table(h, &header, &rows);
}

/// One count of a group's failed requests.
type Count = fn(&ClientErrors) -> u64;

/// What each client group did and saw: its requests, its errors by
/// cause, and each failover as its clients saw it.
fn clients(h: &mut String, s: &Summary, id: &str) {
    if s.client_groups.is_empty() {
        return;
    }
    let _ = writeln!(h, "<h3 id=\"{id}-clients\">Clients</h3>");
    let causes: [(&str, Count); ERROR_KINDS] = [
        ("timeout", |e| e.timeout),
        ("refused", |e| e.refused),
        ("reset", |e| e.reset),
        ("read-only", |e| e.read_only),
        ("DNS empty", |e| e.dns_empty),
        ("too many connections", |e| e.too_many_connections),
        ("pool timeout", |e| e.pool_timeout),
        ("proxy timeout", |e| e.proxy_timeout),
        ("proxy shed", |e| e.proxy_shed),
    ];
    // Causes no group saw would be columns of zeros.
    let causes: Vec<_> = causes
        .into_iter()
        .filter(|(_, n)| s.client_groups.iter().any(|g| n(&g.errors) > 0))
        .collect();
    let rows: Vec<Vec<String>> = s
        .client_groups
        .iter()
        .map(|g| {
            let config = s.topology.clients.iter().find(|c| c.name == g.name);
            let mut row = vec![
                format!("<b>{}</b>", esc(&g.name)),
                config.map_or("-".into(), |c| {
                    format!("{} × {}", c.count, esc(&c.connects()))
                }),
                g.requests_ok.to_string(),
                g.errors.total().to_string(),
            ];
            row.extend(causes.iter().map(|(_, n)| n(&g.errors).to_string()));
            for i in 0..s.failovers.len() {
                row.push(match g.client_observed_s.get(i) {
                    None => "not measured (reader endpoint)".to_owned(),
                    Some(c) => observed(c),
                });
            }
            row.push(g.hung.to_string());
            row
        })
        .collect();
    let failover_heads: Vec<String> = s
        .failovers
        .iter()
        .map(|f| format!("failover at {:.0} s: client-observed RTO p50 / max", f.at_s))
        .collect();
    let mut header = vec!["group", "clients", "requests ok", "failed"];
    header.extend(causes.iter().map(|(name, _)| *name));
    header.extend(failover_heads.iter().map(String::as_str));
    header.push("stuck in a request at the end");
    table(h, &header, &rows);
}

/// A client-observed RTO across a group's clients: "never" for a
/// quantile among clients that never wrote again, never a number; their
/// count is said as that, apart from the clients stuck in a request at
/// the end, which is another count.
fn observed(c: &ClientObserved) -> String {
    let show = |v: Option<f64>| v.map_or_else(|| "never".to_owned(), |v| format!("{v:.2} s"));
    let mut out = format!("{} / {}", show(c.p50), show(c.max));
    if c.unrecovered > 0 {
        let _ = write!(
            out,
            " ({} of {} clients never wrote again)",
            c.unrecovered, c.clients
        );
    }
    out
}

fn measured(h: &mut String, s: &Summary, id: &str) {
    let _ = writeln!(h, "<h3 id=\"{id}-measured\">Measured</h3>");
    let rows = vec![
        vec![
            "commits".into(),
            format!(
                "{:.1}/s acknowledged of {:.1}/s offered ({} of {}); {} lost; {} unavailable at the end; {} split-brain{}",
                s.commits.per_s,
                s.commits.offered_per_s,
                s.commits.acknowledged,
                s.commits.offered,
                s.commits.lost,
                s.commits.unavailable_at_end,
                s.commits.split_brain,
                s.commits.lost_to_rpo.map_or(String::new(), |n| format!(
                    "; {n} given up by a global failover (its RPO)"
                ))
            ),
        ],
        vec![
            "commit latency".into(),
            format!(
                "p50 {:.2} ms, p99 {:.2} ms, p99.9 {:.2} ms, max {:.1} ms",
                s.commit_latency_ms.p50,
                s.commit_latency_ms.p99,
                s.commit_latency_ms.p999,
                s.commit_latency_ms.max
            ),
        ],
        vec![
            "writes".into(),
            format!(
                "availability {}, {}, longest {}{}",
                percent(s.write_availability),
                count(s.write_outages.len(), "outage", "outages"),
                secs(s.longest_write_outage_s()),
                if s.write_outage_blocking_pgs.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; the whole volume held back by PG(s) {:?}",
                        s.write_outage_blocking_pgs
                    )
                }
            ),
        ],
        vec![
            "reads".into(),
            format!(
                "availability {}, {} correct, {} wrong, {} retried",
                percent(s.read_availability),
                s.reads.correct,
                s.reads.wrong,
                s.reads.retried
            ),
        ],
        vec![
            "storage".into(),
            format!(
                "peak {} PGs below write quorum, {} below read quorum (live copies), {} out of \
                 the writer's reach; {} segments repaired; {} recoveries, epoch {}",
                s.pgs_below_write_quorum_max,
                s.pgs_below_read_quorum_max,
                s.pgs_out_of_writer_reach_max,
                s.storage.segments_repaired,
                s.storage.recoveries,
                s.storage.epoch
            ),
        ],
        vec![
            "copies".into(),
            s.redundancy.describe(s.storage.pgs),
        ],
    ];
    let mut rows = rows;
    if let Some(line) = s.repair_traffic() {
        rows.push(vec!["repair".into(), line]);
    }
    table(h, &["", ""], &rows);
}

/// The PGs that were short of copies longest, and the nodes repair
/// copied between: the window of vulnerability and what bounded it.
fn redundancy(h: &mut String, s: &Summary, id: &str) {
    const SHOWN: usize = 10;
    let r = &s.redundancy;
    if r.per_pg.is_empty() {
        return;
    }
    let mut pgs: Vec<_> = r.per_pg.iter().collect();
    pgs.sort_by(|a, b| {
        b.longest_short_s
            .total_cmp(&a.longest_short_s)
            .then(a.pg.cmp(&b.pg))
    });
    let _ = writeln!(
        h,
        "<h3 id=\"{id}-copies\">Copies (the {} PGs short longest of {} short)</h3>",
        pgs.len().min(SHOWN),
        pgs.len()
    );
    let c = r.copies;
    let rows: Vec<Vec<String>> = pgs
        .iter()
        .take(SHOWN)
        .map(|p| {
            vec![
                p.pg.to_string(),
                secs(p.full_s),
                secs(p.one_short_s),
                secs(p.two_short_s),
                secs(p.fewer_s),
                match (p.longest_ended, p.restored) {
                    (true, true) => secs(p.longest_short_s),
                    (true, false) => format!("{}; short again at the end", secs(p.longest_short_s)),
                    (false, _) => format!("{} and still short", secs(p.longest_short_s)),
                },
            ]
        })
        .collect();
    let head = [
        "PG".to_owned(),
        format!("{c}/{c}"),
        format!("{}/{c}", c.saturating_sub(1)),
        format!("{}/{c}", c.saturating_sub(2)),
        "fewer".to_owned(),
        "longest short".to_owned(),
    ];
    let head: Vec<&str> = head.iter().map(String::as_str).collect();
    table(h, &head, &rows);
    let moved: Vec<Vec<String>> = s
        .storage_nodes
        .iter()
        .filter(|n| n.repair_in_bytes + n.repair_out_bytes > 0)
        .map(|n| {
            let gib = |b: u64| format!("{:.1}", b as f64 / f64::from(1u32 << 30));
            vec![
                n.node.clone(),
                gib(n.repair_out_bytes),
                gib(n.repair_in_bytes),
                percent(n.disk_busy),
                percent(n.nic_out_busy.max(n.nic_in_busy)),
            ]
        })
        .collect();
    if !moved.is_empty() {
        h.push_str("<h3>Repair traffic by storage node</h3>\n");
        table(
            h,
            &["node", "GiB out", "GiB in", "disk busy", "NIC busy"],
            &moved,
        );
    }
}

/// Each failover as a block of its own: a line naming it, its RTO phase
/// by phase with the total, then what clients and throughput saw. Narrow
/// tables, so that an 800 px page or a printed one shows every column; a
/// failover that re-created the writer shows provisioning where others
/// show promotion.
/// Each planned event: what it did to each instance, and how long each
/// client group was without a success while it was under way.
fn planned(h: &mut String, s: &Summary, id: &str) {
    if s.maintenance.is_empty() {
        return;
    }
    let _ = writeln!(h, "<h3 id=\"{id}-planned\">Planned events</h3>");
    for m in &s.maintenance {
        let _ = writeln!(h, "<p>At {:.1} s: {}.</p>", m.at_s, m.words());
        let secs = |v: Option<f64>| v.map_or("–".to_owned(), |v| format!("{v:.2} s"));
        let rows: Vec<Vec<String>> = (m.instances.iter())
            .map(|i| {
                let back = match i.unavailable_s {
                    None if i.restarted() => "not by the end".to_owned(),
                    v => secs(v),
                };
                vec![
                    esc(&i.name),
                    esc(&i.outcome_words()),
                    format!("+{:.1} s", i.from_s),
                    secs(i.held_s),
                    back,
                ]
            })
            .collect();
        let header = [
            "instance",
            "what it did",
            "reached",
            "requests held",
            "serving again after",
        ];
        table(h, &header, &rows);
        let groups: Vec<Vec<String>> = (m.clients.iter())
            .map(|g| {
                let seen = g
                    .observed
                    .as_ref()
                    .map_or("not measured".to_owned(), observed);
                vec![esc(&g.group), seen]
            })
            .collect();
        if !groups.is_empty() {
            table(
                h,
                &["client group", "longest without a success, p50 / max"],
                &groups,
            );
        }
    }
}

fn failovers(h: &mut String, s: &Summary, id: &str) {
    if s.failovers.is_empty() {
        return;
    }
    let _ = writeln!(
        h,
        "<h3 id=\"{id}-failovers\">Failovers (RTO by phase, seconds)</h3>"
    );
    for (n, (f, r)) in s.failovers.iter().zip(&s.rto).enumerate() {
        let who = match (&f.to, f.provisioned) {
            (_, true) => format!("{} re-created (no reader to promote)", esc(&f.from)),
            (to, false) => format!(
                "{} → {}",
                esc(&f.from),
                esc(to.as_deref().unwrap_or("(none yet)"))
            ),
        };
        let _ = writeln!(
            h,
            "<div class=\"failover\"><p><b>{}.</b> At {:.1} s, {who}: {}.</p>",
            n + 1,
            f.at_s,
            esc(&f.reason)
        );
        let mut header: Vec<&str> = Rto::PHASES.to_vec();
        header.push("total");
        let mut phases: Vec<String> = r
            .phases()
            .into_iter()
            .enumerate()
            .map(|(p, len)| {
                if p == 3 && f.provisioned {
                    format!("{len:.3} (provisioning)")
                } else {
                    format!("{len:.3}")
                }
            })
            .collect();
        phases.push(
            r.total_s
                .map_or("unfinished".into(), |t| format!("<b>{t:.3}</b>")),
        );
        table(h, &header, &[phases]);
        if let Some(sync) = r.synchronise_s {
            let _ = writeln!(
                h,
                "<p>Before selection, the switchover waited {sync:.3} s for {} (in the total).</p>",
                r.synchronised_what(&f.reason)
            );
        }
        let clients = match &r.client_observed_s {
            None => "not measured (no cluster-endpoint client)".to_owned(),
            Some(c) => format!("{} clients: {}", c.clients, observed(c)),
        };
        let back = match (r.commits_per_s_before, r.recovered_performance_s) {
            (None, _) => "n/a (no clean level before)".to_owned(),
            (Some(_), None) => crate::metrics::units::NOT_REACHED.to_owned(),
            (Some(_), Some(t)) => format!("{t:.1} s after the fault"),
        };
        let rate = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{v:.0}"));
        table(
            h,
            &[],
            &[
                vec!["target chosen".into(), esc(&f.choice)],
                vec![
                    "readers asked".into(),
                    f.candidates
                        .iter()
                        .map(|c| format!("{} (tier {}): {}", esc(&c.instance), c.tier, c.answer))
                        .collect::<Vec<_>>()
                        .join(", "),
                ],
                vec!["client-observed RTO (p50 / max)".into(), clients],
                vec![
                    "performance back (throughput and p99 within 10 % or their spread before)"
                        .into(),
                    back,
                ],
                vec![
                    "commits/s before → after".into(),
                    format!(
                        "{} → {}",
                        rate(r.commits_per_s_before),
                        rate(r.commits_per_s_after)
                    ),
                ],
            ],
        );
        h.push_str("</div>\n");
    }
}
