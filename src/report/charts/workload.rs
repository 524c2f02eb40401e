//! What the workload saw over time: commit and read throughput, commit
//! latency, and each instance's CPU.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::frame::{
    fault_notes, log_ticks, mark_back, mark_faults, peak, percentile, runs, shade_outages,
    shade_phases, time_axes, timed_frame, Drawn, Mark, Note, Runs, BLUE, GREY, SERIES, VERMILLION,
};
use crate::report::Results;

/// Commits/s and storage reads/s per bin, a spike past the usual rate
/// clipped and labelled.
pub(super) fn throughput<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    r: &Results,
) -> Drawn<DB> {
    // Rates have a value in every bin: one run each.
    let column = |name| runs(r, r.timeline.column(name).unwrap_or_default()).concat();
    let (commits, reads) = (column("commits_per_s"), column("reads_per_s"));
    let legend = vec![
        ("commits/s".to_owned(), Mark::Line(BLUE)),
        ("storage reads/s".to_owned(), Mark::Line(GREY)),
    ];
    let title = format!("{}: throughput", r.summary.scenario);
    let plot = timed_frame(root, r, &title, legend, true)?;
    // When a stall ends, the commits it held are acknowledged in one bin;
    // a spike many times the usual rate would flatten everything else, so
    // the axis stops above the usual rate and the spike is labelled, in
    // the lanes above the plot with the faults so that no label hides
    // another.
    let usual = percentile(commits.iter().chain(&reads).map(|p| p.1), 0.99);
    let top = peak(&[&commits, &reads]);
    let clip = top > 3.0 * usual;
    let y = (0.0, (if clip { usual } else { top } * 1.3).max(1.0));
    let mut notes = fault_notes(r);
    if clip {
        notes.extend(commits.iter().filter(|p| p.1 > y.1).map(|&(t, v)| Note {
            t_s: t,
            text: format!("↑ {v:.0} commits/s"),
            colour: BLUE,
        }));
    }
    let mut chart = time_axes(&plot, r, &notes, y.0..y.1, "per second", 10)?;
    shade_phases(&mut chart, r, y)?;
    shade_outages(&mut chart, r, y)?;
    let clipped = |points: Vec<(f64, f64)>| -> Vec<(f64, f64)> {
        points.into_iter().map(|(t, v)| (t, v.min(y.1))).collect()
    };
    chart.draw_series(LineSeries::new(clipped(reads), GREY.stroke_width(2)))?;
    chart.draw_series(LineSeries::new(clipped(commits), BLUE.stroke_width(2)))?;
    mark_back(&mut chart, r, y)?;
    mark_faults(&mut chart, &r.summary.faults, y)
}

/// Commit p50 and p99 per bin, on a log scale.
pub(super) fn latency<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, r: &Results) -> Drawn<DB> {
    let column = |name| runs(r, r.timeline.column(name).unwrap_or_default());
    let (p50, p99) = (column("commit_p50_ms"), column("commit_p99_ms"));
    let legend = vec![
        ("commit p50".to_owned(), Mark::Line(BLUE)),
        ("commit p99".to_owned(), Mark::Line(VERMILLION)),
    ];
    let title = format!("{}: commit latency", r.summary.scenario);
    let plot = timed_frame(root, r, &title, legend, true)?;
    // Latency spans from milliseconds to the length of an outage: a log
    // scale keeps both readable.
    let low = p50
        .iter()
        .flatten()
        .map(|p| p.1)
        .filter(|&v| v > 0.0)
        .fold(f64::INFINITY, f64::min);
    let low = if low.is_finite() { low / 2.0 } else { 0.1 };
    let p99_runs: Vec<&[(f64, f64)]> = p99.iter().map(Vec::as_slice).collect();
    let high = (peak(&p99_runs) * 4.0).max(low * 10.0);
    let y = (low, high);
    let ticks = log_ticks(low, high);
    let n = ticks.len();
    let axis = (low..high).log_scale().with_key_points(ticks);
    let mut chart = time_axes(&plot, r, &fault_notes(r), axis, "ms (log scale)", n)?;
    shade_phases(&mut chart, r, y)?;
    shade_outages(&mut chart, r, y)?;
    for (series, colour) in [(p50, BLUE), (p99, VERMILLION)] {
        for run in series {
            chart.draw_series(LineSeries::new(run, colour.stroke_width(2)))?;
        }
    }
    mark_back(&mut chart, r, y)?;
    mark_faults(&mut chart, &r.summary.faults, y)
}

/// Each Aurora Serverless v2 instance's capacity in ACUs per bin, on one
/// scale from zero to the cluster's maximum, each failover's phases
/// shaded: how far the writer scaled, which readers followed it, and how
/// long a promoted reader took to scale up to the load.
pub(super) fn capacity<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    r: &Results,
) -> Drawn<DB> {
    let title = format!(
        "{}: Aurora Serverless v2 capacity per instance",
        r.summary.scenario
    );
    let top = r.summary.serverless.as_ref().map_or(1.0, |s| s.max_acu);
    // The range's maximum, unless nothing came near it: then the peak.
    let scale = |peak: f64| (0.0, (peak * 1.25).clamp(1.0, top * 1.05));
    per_instance(root, r, (&title, "ACUs"), r.timeline.capacities(), scale)
}

/// Each instance's CPU utilisation per bin.
pub(super) fn cpu<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, r: &Results) -> Drawn<DB> {
    let title = format!("{}: CPU utilisation per instance", r.summary.scenario);
    let label = "share of its vCPUs";
    per_instance(root, r, (&title, label), r.timeline.cpu(), |_| (0.0, 1.15))
}

/// A line per instance from its timeline `columns`, each failover's
/// phases and the write outages shaded, on the y range `scale` gives for
/// the largest value drawn.
fn per_instance<'a, DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    r: &Results,
    (title, label): (&str, &str),
    columns: impl Iterator<Item = (&'a str, &'a [Option<f64>])>,
    scale: impl Fn(f64) -> (f64, f64),
) -> Drawn<DB> {
    let instances: Vec<(&str, Runs)> = columns
        .map(|(name, values)| (name, runs(r, values)))
        .collect();
    let legend = instances
        .iter()
        .enumerate()
        .map(|(i, (name, _))| ((*name).to_owned(), Mark::Line(SERIES[i % SERIES.len()])))
        .collect();
    let plot = timed_frame(root, r, title, legend, true)?;
    let all: Vec<&[(f64, f64)]> = instances
        .iter()
        .flat_map(|(_, runs)| runs.iter().map(Vec::as_slice))
        .collect();
    let y = scale(peak(&all));
    let mut chart = time_axes(&plot, r, &fault_notes(r), y.0..y.1, label, 10)?;
    shade_phases(&mut chart, r, y)?;
    shade_outages(&mut chart, r, y)?;
    for (i, (_, runs)) in instances.into_iter().enumerate() {
        let colour = SERIES[i % SERIES.len()];
        for run in runs {
            chart.draw_series(LineSeries::new(run, colour.stroke_width(2)))?;
        }
    }
    mark_back(&mut chart, r, y)?;
    mark_faults(&mut chart, &r.summary.faults, y)
}
