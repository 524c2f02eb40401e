//! What a failover looked like: its RTO phase by phase, one bar per
//! failover (alone, or compared across runs), and the readers' lag.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::frame::{
    fault_notes, frame, legend_h, mark_back, mark_faults, peak, phase, runs, shade_outages,
    shade_phases, text, tick, time_axes, timed_frame, Drawn, Mark, Runs, BEYOND, LEGEND_PAD,
    LEGEND_ROW, MARGIN, NEGLIGIBLE, PHASES, PROVISIONING, SERIES, SIZE,
};
use crate::metrics::units::count;
use crate::metrics::Rto;
use crate::report::Results;

/// The largest replica lag per bin of each instance while it is a reader.
pub(super) fn replica_lag<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    r: &Results,
) -> Drawn<DB> {
    let readers: Vec<(&str, Runs)> = r
        .timeline
        .replica_lags()
        .map(|(name, values)| (name, runs(r, values)))
        .collect();
    let legend = readers
        .iter()
        .enumerate()
        .map(|(i, (name, _))| ((*name).to_owned(), Mark::Line(SERIES[i % SERIES.len()])))
        .collect();
    let title = format!("{}: replica lag, largest per bin", r.summary.scenario);
    let plot = timed_frame(root, r, &title, legend, true)?;
    let all: Vec<&[(f64, f64)]> = readers
        .iter()
        .flat_map(|(_, runs)| runs.iter().map(Vec::as_slice))
        .collect();
    let y = (0.0, (peak(&all) * 1.3).max(0.1));
    let mut chart = time_axes(&plot, r, &fault_notes(r), y.0..y.1, "lag (ms)", 10)?;
    shade_phases(&mut chart, r, y)?;
    shade_outages(&mut chart, r, y)?;
    for (i, (_, runs)) in readers.into_iter().enumerate() {
        let colour = SERIES[i % SERIES.len()];
        for run in runs {
            chart.draw_series(LineSeries::new(run, colour.stroke_width(2)))?;
        }
    }
    mark_back(&mut chart, r, y)?;
    mark_faults(&mut chart, &r.summary.faults, y)
}

/// Width of the bar-label panel at the left of the RTO chart.
const BAR_LABEL_W: u32 = 300;

/// One failover's bar in the RTO chart.
struct Bar<'a> {
    label: String,
    rto: &'a Rto,
    provisioned: bool,
}

fn bars(runs: &[Results]) -> Vec<Bar<'_>> {
    let several = runs.len() > 1;
    runs.iter()
        .flat_map(|r| {
            r.summary
                .failovers
                .iter()
                .zip(&r.summary.rto)
                .map(move |(f, rto)| {
                    let what = match (&f.to, f.provisioned) {
                        (_, true) => format!("{} re-created", f.from),
                        (Some(to), false) => format!("{} → {to}", f.from),
                        (None, false) => format!("{} → (none yet)", f.from),
                    };
                    let repeated = runs
                        .iter()
                        .filter(|o| o.summary.scenario == r.summary.scenario)
                        .count()
                        > 1;
                    let label = if repeated {
                        format!("{} seed {}: {what}", r.summary.scenario, r.summary.seed)
                    } else if several {
                        format!("{}: {what}", r.summary.scenario)
                    } else {
                        format!("{what} at {:.0} s", f.at_s)
                    };
                    Bar {
                        label,
                        rto,
                        provisioned: f.provisioned,
                    }
                })
        })
        .collect()
}

/// The slowest client's wait beyond the cluster RTO, seconds.
fn client_extra(r: &Rto) -> f64 {
    match (r.total_s, &r.client_observed_s) {
        (Some(total), Some(c)) => c.max.map_or(0.0, |max| (max - total).max(0.0)),
        _ => 0.0,
    }
}

/// A bar's segments: name, colour and length, in drawing order.
fn segments(b: &Bar) -> Vec<(&'static str, RGBColor, f64)> {
    let mut out: Vec<_> = b
        .rto
        .phases()
        .into_iter()
        .enumerate()
        .map(|(p, len)| {
            let (name, colour) = phase(p, b.provisioned);
            (name, colour, len)
        })
        .collect();
    out.push((BEYOND.0, BEYOND.1, client_extra(b.rto)));
    out
}

/// The RTO chart's time axis: room for the longest bar and its label.
fn rto_axis(bars: &[Bar]) -> f64 {
    bars.iter()
        .map(|b| b.rto.cluster_s() + client_extra(b.rto))
        .fold(1.0, f64::max)
        * 1.5
}

/// The figure written after a bar: its RTO, and the slowest client's
/// wait or the clients never back.
fn bar_figure(r: &Rto) -> String {
    let slowest = r.client_observed_s.as_ref().and_then(|c| c.max);
    let unrecovered = r.client_observed_s.as_ref().map_or(0, |c| c.unrecovered);
    match (r.total_s, slowest) {
        (Some(t), _) if unrecovered > 0 => {
            format!(
                "{t:.1} s; {} never back",
                count(unrecovered as usize, "client", "clients")
            )
        }
        (Some(t), Some(c)) if client_extra(r) > 0.0 => {
            format!("{t:.1} s; slowest client {c:.1} s")
        }
        (Some(t), _) => format!("{t:.1} s"),
        (None, _) => "unfinished".to_owned(),
    }
}

/// The legend of the RTO chart: each segment kind some bar shows at a
/// visible length.
fn rto_legend(bars: &[Bar]) -> Vec<(String, Mark)> {
    let axis = rto_axis(bars);
    let mut legend: Vec<(String, Mark)> = Vec::new();
    for (name, colour) in PHASES
        .iter()
        .take(3)
        .chain([&PHASES[3], &PROVISIONING])
        .chain(&PHASES[4..])
        .chain([&BEYOND])
    {
        let seen = bars.iter().any(|b| {
            segments(b)
                .iter()
                .any(|&(n, _, len)| n == *name && len >= NEGLIGIBLE * axis)
        });
        if seen {
            legend.push(((*name).to_owned(), Mark::Block(*colour, 1.0)));
        }
    }
    legend
}

/// Height of one bar's row in the RTO chart.
const BAR_ROW: u32 = 56;
/// Height of the RTO chart without its bars: the title, the margins and
/// the time axis.
const RTO_FRAME_H: u32 = 40 + 2 * MARGIN as u32 + 48;

/// The RTO chart's size: a row per bar, and room for its legend.
pub(super) fn rto_size(runs: &[Results]) -> (u32, u32) {
    let bars = bars(runs);
    let legend = rto_legend(&bars).len() as u32;
    let height = RTO_FRAME_H + BAR_ROW * bars.len() as u32;
    (SIZE.0, height.max(legend_h(legend)))
}

/// The RTO chart's size for one run's failovers.
pub(super) fn rto_size_of_run(r: &Results) -> (u32, u32) {
    rto_size(std::slice::from_ref(r))
}

/// [`rto_size`] in words, for the charts' reference.
pub(super) fn rto_size_rule() -> String {
    format!(
        "{} × ({RTO_FRAME_H} + {BAR_ROW} per failover), at least {LEGEND_PAD} + {LEGEND_ROW} per legend entry",
        SIZE.0
    )
}

/// The RTO chart of one run.
pub(super) fn rto_of_run<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    r: &Results,
) -> Drawn<DB> {
    rto(root, std::slice::from_ref(r))
}

/// One horizontal bar per failover of every run, phases stacked, on one
/// time scale so that runs compare.
pub(super) fn rto<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    runs: &[Results],
) -> Drawn<DB> {
    let bars = bars(runs);
    let title = if runs.len() > 1 {
        "RTO by phase, compared".to_owned()
    } else {
        format!("{}: RTO by phase", runs[0].summary.scenario)
    };
    let plot = frame(root, &title, &rto_legend(&bars))?;
    let (labels, plot) = plot.split_horizontally(BAR_LABEL_W);
    // Room after each bar for its figure, however narrow the chart.
    let room = f64::from(plot.dim_in_pixel().0) - 2.0 * f64::from(MARGIN);
    let mut x_max = rto_axis(&bars);
    for bar in &bars {
        let figure = plot.estimate_text_size(&bar_figure(bar.rto), &text(14))?.0;
        let needs = f64::from(figure) + 12.0;
        if needs < room {
            let end = bar.rto.cluster_s() + client_extra(bar.rto);
            x_max = x_max.max(end * room / (room - needs));
        }
    }
    let n = bars.len().max(1) as f64;
    let mut chart = ChartBuilder::on(&plot)
        .margin(MARGIN)
        .x_label_area_size(48)
        .y_label_area_size(0)
        .build_cartesian_2d(0.0..x_max, 0.0..n)?;
    chart
        .configure_mesh()
        .disable_y_axis()
        .disable_y_mesh()
        .x_desc("seconds from the fault (or the request)")
        .x_label_formatter(&tick)
        .axis_desc_style(text(16))
        .label_style(text(14))
        .draw()?;
    for (i, bar) in bars.iter().enumerate() {
        // The first bar on top.
        let y = n - 1.0 - i as f64;
        let r = bar.rto;
        let mut x = 0.0;
        for (_, colour, len) in segments(bar) {
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x, y + 0.2), (x + len, y + 0.8)],
                colour.filled(),
            )))?;
            x += len;
        }
        let total = bar_figure(r);
        chart.draw_series(std::iter::once(
            EmptyElement::at((x, y + 0.5)) + Text::new(total, (6, -8), text(14)),
        ))?;
        // The label panel has its own origin: convert the bar's pixel row.
        let (_, py) = chart.backend_coord(&(0.0, y + 0.5));
        let (_, top) = labels.get_base_pixel();
        labels.draw(&Text::new(bar.label.clone(), (8, py - top - 8), text(14)))?;
    }
    Ok(())
}
