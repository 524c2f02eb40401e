//! Studies in the report: a sweep's cells with their quantiles and
//! intervals, a durability study's probabilities, each with its charts.

use std::fmt::Write;
use std::fs;
use std::path::Path;

use super::charts::StudyData;
use super::html::{esc, table};
use crate::error::{InputError, Location};
use crate::metrics::units::count;
use crate::metrics::units::NOT_REACHED;
use crate::study::durability::DurabilityResult;
use crate::study::stats::Estimate;
use crate::study::sweep::{SweepSummary, MEASURES};

/// A study's results, read back from its directory.
#[derive(Debug, Clone)]
pub enum Study {
    /// `sweep.json`.
    Sweep(SweepSummary),
    /// `durability.json`.
    Durability(DurabilityResult),
}

impl Study {
    /// The study in `dir`, if it holds one (`None`: a run's directory).
    pub fn load(dir: &Path) -> Option<Result<Study, InputError>> {
        let parse = |name: &str| -> Option<Result<String, InputError>> {
            let path = dir.join(name);
            path.is_file().then(|| {
                fs::read_to_string(&path).map_err(|source| InputError::Io { path, source })
            })
        };
        let error = |name: &str, e: serde_json::Error| InputError::Scenario {
            location: Location {
                file: dir.join(name),
                line: e.line() as u64,
                column: e.column() as u64,
            },
            message: format!("not a {name} of this version of aurora-sim"),
        };
        if let Some(text) = parse("sweep.json") {
            return Some(text.and_then(|t| {
                serde_json::from_str(&t)
                    .map(Study::Sweep)
                    .map_err(|e| error("sweep.json", e))
            }));
        }
        parse("durability.json").map(|text| {
            text.and_then(|t| {
                serde_json::from_str(&t)
                    .map(Study::Durability)
                    .map_err(|e| error("durability.json", e))
            })
        })
    }

    /// The study's name.
    pub fn name(&self) -> String {
        match self {
            Study::Sweep(s) => format!("{} sweep", s.scenario),
            Study::Durability(d) => d.plan.name.clone(),
        }
    }

    /// Its section of the report.
    pub fn section(&self, h: &mut String) {
        match self {
            Study::Sweep(s) => sweep(h, s),
            Study::Durability(d) => durability(h, d),
        }
    }
}

fn estimate(e: &Estimate, digits: usize) -> String {
    let end = |x: Option<f64>, unbounded: bool| match x {
        Some(x) => format!("{x:.digits$}"),
        None if unbounded => "not bounded".to_owned(),
        None => NOT_REACHED.to_owned(),
    };
    format!(
        "{} [{}, {}]",
        e.value
            .map_or_else(|| NOT_REACHED.to_owned(), |x| format!("{x:.digits$}")),
        end(e.low, e.low_unbounded),
        end(e.high, e.high_unbounded)
    )
}

/// The measures a sweep's pivot shows, in its order: the failover, what
/// clients saw, writes, performance and losses.
const HEADLINE: [&str; 7] = [
    "rto_s",
    "client_rto_p50_s",
    "client_rto_max_s",
    "longest_write_outage_s",
    "recovered_performance_s",
    "lost_commits",
    "client_errors",
];

/// " (ms)" after a measure's name, or nothing for a count.
fn unit_in_brackets(unit: &str) -> String {
    if unit.is_empty() {
        String::new()
    } else {
        format!(" ({unit})")
    }
}

/// A sweep at a glance: the cells as columns, a handful of measures as
/// rows, each the median over the cell's runs, with its interval only
/// where the runs bound it on both sides.
fn pivot(h: &mut String, s: &SweepSummary) {
    let measures: Vec<_> = HEADLINE
        .iter()
        .filter_map(|name| MEASURES.iter().find(|m| m.name == *name))
        .filter(|m| {
            s.cells
                .iter()
                .any(|c| c.measures.iter().any(|x| x.measure == m.name))
        })
        .collect();
    let mut header = vec!["median over the runs".to_owned()];
    header.extend(s.cells.iter().map(|c| esc(&label(c))));
    let mut rows: Vec<Vec<String>> = measures
        .iter()
        .map(|m| {
            let mut row = vec![format!("{}{}", esc(m.what), unit_in_brackets(m.unit))];
            row.extend(s.cells.iter().map(|c| {
                c.measures.iter().find(|x| x.measure == m.name).map_or_else(
                    || "–".to_owned(),
                    |x| median(&x.distribution.median, m.places),
                )
            }));
            row
        })
        .collect();
    let mut failed = vec!["runs that failed an expectation or invariant".to_owned()];
    failed.extend(s.cells.iter().map(|c| c.failed_runs.to_string()));
    rows.push(failed);
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    table(h, &header, &rows);
}

/// A cell by its settings.
fn label(c: &crate::study::sweep::CellSummary) -> String {
    if c.settings.is_empty() {
        "as written".to_owned()
    } else {
        c.settings.join(" ")
    }
}

/// A median, and its interval only where the runs bound it on both
/// sides; [`NOT_REACHED`] where the run ended first.
fn median(e: &Estimate, places: usize) -> String {
    match (e.value, e.low, e.high) {
        (None, ..) => NOT_REACHED.to_owned(),
        (Some(v), Some(lo), Some(hi)) if !e.low_unbounded && !e.high_unbounded => {
            format!("{v:.places$} [{lo:.places$}, {hi:.places$}]")
        }
        (Some(v), ..) => format!("{v:.places$}"),
    }
}

fn sweep(h: &mut String, s: &SweepSummary) {
    let _ = writeln!(h, "<h2>Sweep of {}</h2>", esc(&s.scenario));
    let verdict = if s.invariant_failures == 0 {
        "<span class=\"pass\">every invariant held in every run</span>".to_owned()
    } else {
        format!(
            "<span class=\"fail\">invariants violated in {}</span>",
            count(s.invariant_failures, "run", "runs")
        )
    };
    let _ = writeln!(
        h,
        "<p>{verdict}. {} runs of <code>{}</code>: {} cell(s) × {} seed(s); settings: {}. \
         Quantiles are the runs' own values with distribution-free {:.0} % intervals \
         (“not bounded”: too few runs to bound that quantile from above); \
         “{NOT_REACHED}”: the run ended before it happened.</p>",
        s.runs,
        esc(&s.file),
        s.cells.len(),
        s.seeds.len(),
        if s.settings.is_empty() {
            "none".to_owned()
        } else {
            esc(&s.settings.join("; "))
        },
        s.confidence * 100.0
    );
    if let Some(note) = s.prefix_note() {
        let _ = writeln!(h, "<p>Note: {}.</p>", esc(&note));
    }
    pivot(h, s);
    let mut rows = Vec::new();
    for c in &s.cells {
        for m in &c.measures {
            let Some(measure) = MEASURES.iter().find(|x| x.name == m.measure) else {
                continue;
            };
            let d = &m.distribution;
            let places = measure.places;
            rows.push(vec![
                esc(&label(c)),
                format!("{}{}", esc(measure.what), unit_in_brackets(measure.unit)),
                format!("{} ({} {NOT_REACHED})", d.runs, d.never),
                estimate(&d.median, places),
                estimate(&d.p90, places),
                estimate(&d.p99, places),
                d.max
                    .map_or_else(|| NOT_REACHED.to_owned(), |x| format!("{x:.places$}")),
            ]);
        }
        rows.push(vec![
            esc(&label(c)),
            "runs that failed an expectation or invariant".to_owned(),
            c.failed_runs.to_string(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ]);
    }
    h.push_str("<details>\n<summary>Every measure, cell by cell, with its intervals</summary>\n");
    table(
        h,
        &["cell", "measure", "runs", "median", "p90", "p99", "max"],
        &rows,
    );
    h.push_str("</details>\n");
    for chart in StudyData::Sweep(s).charts() {
        h.push_str(&StudyData::Sweep(s).html(chart));
        h.push('\n');
    }
}

fn durability(h: &mut String, r: &DurabilityResult) {
    let _ = writeln!(h, "<h2>Durability: {}</h2>", esc(&r.plan.name));
    let _ = writeln!(
        h,
        "<p>{} {} volume-years per cell; {:.0} % intervals; “none seen” gives the \
         rule-of-three upper bound.</p>",
        esc(&r.plan.description),
        r.plan.volume_years,
        r.confidence * 100.0
    );
    let mut rows = Vec::new();
    for c in &r.cells {
        let (v, w, rq) = c.quorum;
        let cell = format!(
            "{} ({w}/{v} writes, {rq}/{v} reads, {} PGs, copy {:.1} s)",
            if c.settings.is_empty() {
                "as written".to_owned()
            } else {
                c.settings.join(" ")
            },
            c.pgs,
            c.copy_s
        );
        for (unit, figures) in [
            ("PG-year", &c.per_pg_year),
            ("volume-year", &c.per_volume_year),
        ] {
            for f in figures {
                let shown = f.text();
                rows.push(vec![
                    esc(&cell),
                    format!("per {unit}"),
                    esc(&f.measure),
                    shown,
                ]);
            }
        }
    }
    table(
        h,
        &["cell", "per", "measure", "estimate [95 % interval]"],
        &rows,
    );
    for chart in StudyData::Durability(r).charts() {
        h.push_str(&StudyData::Durability(r).html(chart));
        h.push('\n');
    }
}
