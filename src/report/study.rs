//! Studies in the report: a sweep's cells with their quantiles and
//! intervals, a durability study's probabilities, each with its charts.

use std::fmt::Write;
use std::fs;
use std::path::Path;

use super::charts::StudyData;
use super::html::{esc, table};
use crate::error::{InputError, Location};
use crate::metrics::units::count;
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
        None => "never".to_owned(),
    };
    format!(
        "{} [{}, {}]",
        e.value
            .map_or_else(|| "never".to_owned(), |x| format!("{x:.digits$}")),
        end(e.low, e.low_unbounded),
        end(e.high, e.high_unbounded)
    )
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
         (“not bounded”: too few runs to bound that quantile from above); “never”: \
         the run ended before it happened.</p>",
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
    let mut rows = Vec::new();
    for c in &s.cells {
        for m in &c.measures {
            let Some(measure) = MEASURES.iter().find(|x| x.name == m.measure) else {
                continue;
            };
            let d = &m.distribution;
            rows.push(vec![
                esc(&if c.settings.is_empty() {
                    "as written".to_owned()
                } else {
                    c.settings.join(" ")
                }),
                format!(
                    "{}{}",
                    esc(measure.what),
                    if measure.unit.is_empty() { "" } else { " (s)" }
                ),
                format!("{} ({} never)", d.runs, d.never),
                estimate(&d.median, 2),
                estimate(&d.p90, 2),
                estimate(&d.p99, 2),
                d.max
                    .map_or_else(|| "never".to_owned(), |x| format!("{x:.2}")),
            ]);
        }
        rows.push(vec![
            esc(&c.settings.join(" ")),
            "runs that failed an expectation or invariant".to_owned(),
            c.failed_runs.to_string(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ]);
    }
    table(
        h,
        &["cell", "measure", "runs", "median", "p90", "p99", "max"],
        &rows,
    );
    for chart in StudyData::Sweep(s).charts() {
        h.push_str(&StudyData::Sweep(s).svg(chart));
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
        h.push_str(&StudyData::Durability(r).svg(chart));
        h.push('\n');
    }
}
