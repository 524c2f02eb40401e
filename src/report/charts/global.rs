//! A global database's replication: each secondary region's RPO lag over
//! time, beside the RPO guard.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::frame::{
    fault_notes, log_ticks, mark_back, mark_faults, peak, runs, shade_outages, shade_phases,
    time_axes, timed_frame, Drawn, Mark, Runs, SERIES,
};
use crate::report::Results;

/// The largest RPO lag per bin of each secondary region, on a log scale
/// (the tens of milliseconds of a healthy link to the minutes of a cut
/// one); the RPO guard as a dashed line; write outages shaded.
pub(super) fn region_lag<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    r: &Results,
) -> Drawn<DB> {
    // A bin whose lag is zero (the region held everything) has no place
    // on a log scale: the line breaks there.
    let regions: Vec<(&str, Runs)> = r
        .timeline
        .region_lags()
        .map(|(name, values)| {
            let positive: Vec<Option<f64>> =
                values.iter().map(|v| v.filter(|&v| v > 0.0)).collect();
            (name, runs(r, &positive))
        })
        .collect();
    let guard_ms = r
        .summary
        .global
        .as_ref()
        .and_then(|g| g.rpo_guard_s)
        .map(|s| s * 1e3);
    let mut legend: Vec<(String, Mark)> = regions
        .iter()
        .enumerate()
        .map(|(i, (name, _))| ((*name).to_owned(), Mark::Line(SERIES[i % SERIES.len()])))
        .collect();
    if guard_ms.is_some() {
        legend.push((
            "RPO guard (rds.global_db_rpo)".to_owned(),
            Mark::Dashed(BLACK),
        ));
    }
    let title = format!(
        "{}: RPO lag per secondary region, largest per bin",
        r.summary.scenario
    );
    let plot = timed_frame(root, r, &title, legend, true)?;
    let all: Vec<&[(f64, f64)]> = regions
        .iter()
        .flat_map(|(_, runs)| runs.iter().map(Vec::as_slice))
        .collect();
    let low = all
        .iter()
        .flat_map(|run| run.iter().map(|p| p.1))
        .fold(f64::INFINITY, f64::min);
    let low = if low.is_finite() { low / 2.0 } else { 1.0 };
    let high = (peak(&all).max(guard_ms.unwrap_or(0.0)) * 3.0).max(low * 10.0);
    let y = (low, high);
    let ticks = log_ticks(low, high);
    let n = ticks.len();
    let axis = (low..high).log_scale().with_key_points(ticks);
    let mut chart = time_axes(
        &plot,
        r,
        &fault_notes(r),
        axis,
        "RPO lag (ms, log scale)",
        n,
    )?;
    shade_phases(&mut chart, r, y)?;
    shade_outages(&mut chart, r, y)?;
    if let Some(g) = guard_ms {
        let end = r.timeline.end_s();
        chart.draw_series(DashedLineSeries::new(
            [(0.0, g), (end, g)],
            10,
            6,
            BLACK.stroke_width(2),
        ))?;
    }
    for (i, (_, runs)) in regions.into_iter().enumerate() {
        let colour = SERIES[i % SERIES.len()];
        for run in runs {
            // A bin alone between empty ones is a point, not a line.
            if let [(t, v)] = run[..] {
                chart.draw_series(std::iter::once(Circle::new((t, v), 3, colour.filled())))?;
            }
            chart.draw_series(LineSeries::new(run, colour.stroke_width(2)))?;
        }
    }
    mark_back(&mut chart, r, y)?;
    mark_faults(&mut chart, &r.summary.faults, y)
}
