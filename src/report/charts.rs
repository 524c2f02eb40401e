//! The charts a design review needs, each drawn by one function into either
//! an SVG string (for the HTML report) or a PNG file (to paste elsewhere).
//!
//! Text is drawn with DejaVu Sans, embedded in the binary and registered
//! with plotters' `ab_glyph` backend, so charts render the same on a
//! machine without fontconfig or any installed font. Colours are the
//! Okabe–Ito palette, which stays distinguishable with colour blindness.

use std::io;
use std::path::Path;
use std::sync::Once;

use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{register_font, FontStyle};

mod study;

pub use study::{StudyChart, StudyData};

use super::Results;
use crate::metrics::{ClientObserved, FaultSummary, Rto};

/// Every chart's size in pixels.
pub const SIZE: (u32, u32) = (1200, 500);
/// Width of the legend panel at the right of a chart.
const LEGEND_W: u32 = 230;
/// Width of the bar-label panel at the left of the RTO chart.
const BAR_LABEL_W: u32 = 300;

const FONT: &str = "sans-serif";
/// DejaVu Sans 2.37 (Bitstream Vera licence; assets/fonts/LICENSE-DejaVu.txt).
static DEJAVU_SANS: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

const BLUE: RGBColor = RGBColor(0, 114, 178);
const VERMILLION: RGBColor = RGBColor(213, 94, 0);
const GREEN: RGBColor = RGBColor(0, 158, 115);
const ORANGE: RGBColor = RGBColor(230, 159, 0);
const PURPLE: RGBColor = RGBColor(204, 121, 167);
const SKY: RGBColor = RGBColor(86, 180, 233);
const GREY: RGBColor = RGBColor(110, 110, 110);
const FAULT: RGBColor = RGBColor(160, 0, 0);
/// Line colours for series without a fixed meaning (readers).
const SERIES: [RGBColor; 7] = [BLUE, VERMILLION, GREEN, ORANGE, PURPLE, SKY, BLACK];

/// The failover phases in order, with their colours; the last one, the
/// slowest client's wait beyond the cluster RTO, appears in the RTO chart
/// only.
const PHASES: [(&str, RGBColor); 7] = [
    ("detection", VERMILLION),
    ("failed attempts", BLACK),
    ("selection", PURPLE),
    ("promotion", ORANGE),
    ("recovery", GREEN),
    ("DNS", SKY),
    ("slowest client, beyond DNS", GREY),
];

/// Which chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chart {
    /// Commits/s and reads/s per bin, faults marked, failover phases shaded.
    Throughput,
    /// Commit latency p50 and p99 per bin.
    Latency,
    /// A stacked bar per failover: its RTO phase by phase.
    Rto,
    /// PGs below write and read quorum; segments being repaired.
    Quorum,
    /// Replica lag per reader.
    ReplicaLag,
    /// PGs at full copy count (repair progress) and the busiest storage
    /// node's disk and NIC.
    Storage,
}

impl Chart {
    /// Every chart, in report order.
    pub const ALL: [Chart; 6] = [
        Chart::Throughput,
        Chart::Latency,
        Chart::Rto,
        Chart::Quorum,
        Chart::Storage,
        Chart::ReplicaLag,
    ];

    /// The file name without extension.
    pub fn stem(self) -> &'static str {
        match self {
            Chart::Throughput => "throughput",
            Chart::Latency => "latency",
            Chart::Rto => "rto",
            Chart::Quorum => "quorum",
            Chart::ReplicaLag => "replica-lag",
            Chart::Storage => "storage",
        }
    }

    /// Whether the results have anything for this chart to show: the RTO
    /// chart needs a failover, the lag chart a reader.
    pub fn applies(self, r: &Results) -> bool {
        match self {
            Chart::Rto => !r.summary.rto.is_empty(),
            Chart::ReplicaLag => r.timeline.replica_lags().next().is_some(),
            _ => true,
        }
    }

    /// The chart as an SVG document.
    pub fn svg(self, r: &Results) -> String {
        svg_of(|root| self.draw(root, r))
    }

    /// Writes the chart as a PNG file.
    pub fn png(self, r: &Results, path: &Path) -> io::Result<()> {
        fonts();
        let root = BitMapBackend::new(path, SIZE).into_drawing_area();
        self.draw(&root, r).map_err(io::Error::other)?;
        root.present().map_err(io::Error::other)
    }

    fn draw<DB: DrawingBackend>(self, root: &DrawingArea<DB, Shift>, r: &Results) -> Drawn<DB> {
        match self {
            Chart::Throughput => throughput(root, r),
            Chart::Latency => latency(root, r),
            Chart::Rto => rto(root, std::slice::from_ref(r)),
            Chart::Quorum => quorum(root, r),
            Chart::ReplicaLag => replica_lag(root, r),
            Chart::Storage => storage(root, r),
        }
    }
}

/// The RTO chart of several runs, one bar per failover, on one scale.
pub fn rto_comparison_svg(runs: &[Results]) -> String {
    svg_of(|root| rto(root, runs))
}

/// Writes every chart that applies as PNG and SVG into `dir`; returns the
/// file names written.
pub fn write_all(r: &Results, dir: &Path) -> io::Result<Vec<String>> {
    let mut written = Vec::new();
    for chart in Chart::ALL.into_iter().filter(|c| c.applies(r)) {
        let png = format!("{}.png", chart.stem());
        chart.png(r, &dir.join(&png))?;
        let svg = format!("{}.svg", chart.stem());
        std::fs::write(dir.join(&svg), chart.svg(r))?;
        written.extend([png, svg]);
    }
    Ok(written)
}

/// What drawing on a backend returns.
type Drawn<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;
/// A time chart: seconds across, `Y` up.
type TimeChart<'a, DB, Y> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, Y>>;
/// A line broken where its data is missing.
type Runs = Vec<Vec<(f64, f64)>>;

fn fonts() {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        let ok = register_font(FONT, FontStyle::Normal, DEJAVU_SANS).is_ok();
        assert!(ok, "the embedded DejaVu Sans parses");
    });
}

fn svg_of(
    draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> Result<(), DrawingAreaErrorKind<io::Error>>,
) -> String {
    fonts();
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, SIZE).into_drawing_area();
        // Drawing into a string cannot fail but for a missing glyph.
        draw(&root).expect("an SVG chart draws");
        root.present().expect("an SVG chart is written");
    }
    out
}

fn text(size: u32) -> TextStyle<'static> {
    (FONT, size).into_font().color(&BLACK)
}

/// How one legend entry is drawn.
enum Mark {
    Line(RGBColor),
    Dashed(RGBColor),
    /// A filled block, with the opacity it has in the chart.
    Block(RGBColor, f64),
}

/// Draws the title and splits off the legend panel at the right, so a
/// legend never hides data. Returns the plot area.
fn frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    legend: &[(String, Mark)],
) -> Result<DrawingArea<DB, Shift>, DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let body = root.titled(title, text(24))?;
    let (plot, panel) = body.split_horizontally(SIZE.0 - LEGEND_W);
    for (i, (label, mark)) in legend.iter().enumerate() {
        let y = 50 + 24 * i as i32;
        match mark {
            Mark::Line(c) => {
                panel.draw(&PathElement::new(vec![(8, y), (36, y)], c.stroke_width(3)))?
            }
            Mark::Dashed(c) => {
                for x in [8, 20, 32] {
                    panel.draw(&PathElement::new(
                        vec![(x, y), (x + 6, y)],
                        c.stroke_width(2),
                    ))?;
                }
            }
            Mark::Block(c, opacity) => panel.draw(&Rectangle::new(
                [(8, y - 7), (36, y + 7)],
                c.mix(*opacity).filled(),
            ))?,
        }
        panel.draw(&Text::new(label.clone(), (44, y - 8), text(15)))?;
    }
    Ok(plot)
}

/// Opacity of the failover phases shaded behind a time chart.
const SHADE: f64 = 0.35;

/// The frame of a time chart: the series' legend entries, then the
/// failover phases when the chart shades them, then the fault markers.
fn timed_frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    r: &Results,
    title: &str,
    mut legend: Vec<(String, Mark)>,
    shaded: bool,
) -> Result<DrawingArea<DB, Shift>, DrawingAreaErrorKind<DB::ErrorType>> {
    if shaded {
        legend.extend(phase_legend(r));
    }
    legend.extend(fault_legend(r));
    frame(root, title, &legend)
}

/// Legend entries for the failover phases that appear in a run.
fn phase_legend(r: &Results) -> Vec<(String, Mark)> {
    if r.summary.rto.is_empty() {
        return Vec::new();
    }
    PHASES[..6]
        .iter()
        .map(|(name, c)| (format!("{name} (failover)"), Mark::Block(*c, SHADE)))
        .collect()
}

fn fault_legend(r: &Results) -> Vec<(String, Mark)> {
    let mut legend = Vec::new();
    if !r.summary.faults.is_empty() {
        legend.push(("fault starts".to_owned(), Mark::Line(FAULT)));
    }
    if r.summary.faults.iter().any(|f| f.until_s.is_some()) {
        legend.push(("fault ends".to_owned(), Mark::Dashed(FAULT)));
    }
    if back(r).next().is_some() {
        legend.push(("performance back".to_owned(), Mark::Dashed(BLACK)));
    }
    legend
}

/// When each failover's commit throughput and p99 were back within 10 %
/// of their level before it, seconds into the run.
fn back(r: &Results) -> impl Iterator<Item = f64> + '_ {
    r.summary
        .failovers
        .iter()
        .zip(&r.summary.rto)
        .filter_map(|(f, rto)| rto.recovered_performance_s.map(|s| f.at_s + s))
}

/// A dashed black line where each failover's performance was back.
fn mark_back<DB: DrawingBackend, Y: Ranged<ValueType = f64>>(
    chart: &mut TimeChart<DB, Y>,
    r: &Results,
    y: (f64, f64),
) -> Drawn<DB> {
    for t in back(r) {
        chart.draw_series(DashedLineSeries::new(
            [(t, y.0), (t, y.1)],
            8,
            4,
            BLACK.stroke_width(2),
        ))?;
    }
    Ok(())
}

/// The phases of one failover as time spans, seconds.
fn phase_spans(at: f64, r: &Rto) -> [(f64, f64); 6] {
    let mut start = at;
    r.phases().map(|len| {
        let span = (start, start + len);
        start += len;
        span
    })
}

/// Shades every failover's phases across the plot's full height.
fn shade_phases<DB: DrawingBackend, Y: Ranged<ValueType = f64>>(
    chart: &mut TimeChart<DB, Y>,
    r: &Results,
    y: (f64, f64),
) -> Drawn<DB> {
    let at: Vec<f64> = r.summary.failovers.iter().map(|f| f.at_s).collect();
    for (p, (_, colour)) in PHASES[..6].iter().enumerate() {
        let rects = at.iter().zip(&r.summary.rto).map(|(&at, rto)| {
            let (a, b) = phase_spans(at, rto)[p];
            Rectangle::new([(a, y.0), (b, y.1)], colour.mix(SHADE).filled())
        });
        chart.draw_series(rects)?;
    }
    Ok(())
}

/// A line at each fault's start, labelled, and a dashed one at its end.
/// Labels are staggered over three rows so that close faults stay legible.
fn mark_faults<DB: DrawingBackend, Y: Ranged<ValueType = f64>>(
    chart: &mut TimeChart<DB, Y>,
    faults: &[FaultSummary],
    y: (f64, f64),
) -> Drawn<DB> {
    for (i, f) in faults.iter().enumerate() {
        chart.draw_series(LineSeries::new(
            [(f.at_s, y.0), (f.at_s, y.1)],
            FAULT.stroke_width(2),
        ))?;
        if let Some(until) = f.until_s {
            chart.draw_series(DashedLineSeries::new(
                [(until, y.0), (until, y.1)],
                6,
                4,
                FAULT.stroke_width(1),
            ))?;
        }
        let row = 4 + 17 * (i % 3) as i32;
        chart.draw_series(std::iter::once(
            EmptyElement::at((f.at_s, y.1))
                + Text::new(format!("▼ {}", f.label()), (3, row), text(14).color(&FAULT)),
        ))?;
    }
    Ok(())
}

/// A time chart's axes: simulated seconds across, `y` up.
fn time_axes<'a, DB, Y>(
    plot: &'a DrawingArea<DB, Shift>,
    r: &Results,
    y: Y,
    y_desc: &str,
    y_labels: usize,
) -> Result<TimeChart<'a, DB, Y::CoordDescType>, DrawingAreaErrorKind<DB::ErrorType>>
where
    DB: DrawingBackend,
    Y: AsRangedCoord<Value = f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let mut chart = ChartBuilder::on(plot)
        .margin(12)
        .x_label_area_size(48)
        .y_label_area_size(80)
        .build_cartesian_2d(0.0..r.timeline.end_s().max(1.0), y)?;
    chart
        .configure_mesh()
        .x_desc("simulated time (s)")
        .y_desc(y_desc)
        .x_label_formatter(&tick)
        .y_label_formatter(&tick)
        .y_labels(y_labels)
        .axis_desc_style(text(16))
        .label_style(text(14))
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    Ok(chart)
}

/// An axis label: whole numbers without decimals, others as short as
/// they print.
fn tick(v: &f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{}", (v * 1000.0).round() / 1000.0)
    }
}

/// A state sampled at the end of each bin, drawn as steps: it holds from
/// that instant across the next bin.
fn steps(r: &Results, column: &str) -> Vec<(f64, f64)> {
    let bin = r.timeline.bin_s();
    r.timeline
        .points(column)
        .into_iter()
        .flat_map(|(t, v)| [(t + bin, v), (t + 2.0 * bin, v)])
        .collect()
}

/// A column split into runs of consecutive bins that have values, so a
/// line breaks where the data does.
fn runs(r: &Results, values: &[Option<f64>]) -> Runs {
    let half = r.timeline.bin_s() / 2.0;
    let mut out: Runs = vec![Vec::new()];
    for (&t, v) in r.timeline.t_s().iter().zip(values) {
        match v {
            Some(v) => out.last_mut().expect("never empty").push((t + half, *v)),
            None if !out.last().expect("never empty").is_empty() => out.push(Vec::new()),
            None => {}
        }
    }
    out.retain(|run| !run.is_empty());
    out
}

/// The `q` quantile of some values (0 for none).
fn percentile(values: impl Iterator<Item = f64>, q: f64) -> f64 {
    let mut v: Vec<f64> = values.collect();
    v.sort_by(f64::total_cmp);
    v.get(((v.len().max(1) - 1) as f64 * q).round() as usize)
        .copied()
        .unwrap_or(0.0)
}

fn peak(series: &[&[(f64, f64)]]) -> f64 {
    series
        .iter()
        .flat_map(|s| s.iter().map(|p| p.1))
        .fold(0.0, f64::max)
}

fn throughput<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, r: &Results) -> Drawn<DB> {
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
    // the axis stops above the usual rate and the spike is labelled.
    let usual = percentile(commits.iter().chain(&reads).map(|p| p.1), 0.99);
    let top = peak(&[&commits, &reads]);
    let clip = top > 3.0 * usual;
    let y = (0.0, (if clip { usual } else { top } * 1.3).max(1.0));
    let mut chart = time_axes(&plot, r, y.0..y.1, "per second", 10)?;
    shade_phases(&mut chart, r, y)?;
    let clipped = |points: Vec<(f64, f64)>| -> Vec<(f64, f64)> {
        points.into_iter().map(|(t, v)| (t, v.min(y.1))).collect()
    };
    if clip {
        let spikes = commits.iter().filter(|p| p.1 > y.1);
        chart.draw_series(spikes.map(|&(t, v)| {
            EmptyElement::at((t, y.1 * 0.93))
                + Text::new(format!("↑ {v:.0} commits/s"), (6, 0), text(14).color(&BLUE))
        }))?;
    }
    chart.draw_series(LineSeries::new(clipped(reads), GREY.stroke_width(2)))?;
    chart.draw_series(LineSeries::new(clipped(commits), BLUE.stroke_width(2)))?;
    mark_back(&mut chart, r, y)?;
    mark_faults(&mut chart, &r.summary.faults, y)
}

fn latency<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, r: &Results) -> Drawn<DB> {
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
    let mut chart = time_axes(&plot, r, (low..high).log_scale(), "ms (log scale)", 10)?;
    shade_phases(&mut chart, r, y)?;
    for (series, colour) in [(p50, BLUE), (p99, VERMILLION)] {
        for run in series {
            chart.draw_series(LineSeries::new(run, colour.stroke_width(2)))?;
        }
    }
    mark_back(&mut chart, r, y)?;
    mark_faults(&mut chart, &r.summary.faults, y)
}

fn quorum<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, r: &Results) -> Drawn<DB> {
    let series = [
        (
            "PGs below write quorum",
            "pgs_below_write_quorum",
            VERMILLION,
        ),
        ("PGs below read quorum", "pgs_below_read_quorum", PURPLE),
        (
            "PGs out of the writer's write-quorum reach",
            "pgs_out_of_writer_reach",
            ORANGE,
        ),
        ("segments being repaired", "segments_repairing", GREEN),
    ];
    let data: Vec<Vec<(f64, f64)>> = series.iter().map(|s| steps(r, s.1)).collect();
    let legend = series
        .iter()
        .map(|(label, _, c)| ((*label).to_owned(), Mark::Line(*c)))
        .collect();
    let title = format!(
        "{}: quorum health ({} PGs, {}/{} write, {}/{} read)",
        r.summary.scenario,
        r.summary.storage.pgs,
        r.summary.topology.write_quorum,
        r.summary.topology.copies,
        r.summary.topology.read_quorum,
        r.summary.topology.copies
    );
    let plot = timed_frame(root, r, &title, legend, false)?;
    let refs: Vec<&[(f64, f64)]> = data.iter().map(Vec::as_slice).collect();
    let y = (0.0, (peak(&refs) * 1.3).max(2.0).ceil());
    // Counts: a tick per whole number while they fit.
    let ticks = (y.1 as usize + 1).min(11);
    let mut chart = time_axes(&plot, r, y.0..y.1, "count", ticks)?;
    // Later series are drawn thinner so that equal counts stay visible.
    for (i, (points, (_, _, colour))) in data.into_iter().zip(series).enumerate() {
        chart.draw_series(LineSeries::new(points, colour.stroke_width(4 - i as u32)))?;
    }
    mark_back(&mut chart, r, y)?;
    mark_faults(&mut chart, &r.summary.faults, y)
}

fn storage<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, r: &Results) -> Drawn<DB> {
    let pgs = f64::from(r.summary.storage.pgs.max(1));
    let percent = |column: &str, scale: f64| -> Vec<(f64, f64)> {
        steps(r, column)
            .into_iter()
            .map(|(t, v)| (t, v * scale))
            .collect()
    };
    let series = [
        (
            format!("PGs at {} copies, % of PGs", r.summary.topology.copies),
            percent("pgs_at_full_copies", 100.0 / pgs),
            GREEN,
        ),
        (
            "busiest node's disk, % busy".to_owned(),
            percent("busiest_disk_util", 100.0),
            VERMILLION,
        ),
        (
            "busiest node's NIC, % busy".to_owned(),
            percent("busiest_nic_util", 100.0),
            BLUE,
        ),
    ];
    let legend = series
        .iter()
        .map(|(label, _, c)| (label.clone(), Mark::Line(*c)))
        .collect();
    let title = format!(
        "{}: copies and storage-node load ({} nodes)",
        r.summary.scenario,
        r.summary.storage_nodes.len()
    );
    let plot = timed_frame(root, r, &title, legend, false)?;
    let y = (0.0, 105.0);
    let mut chart = time_axes(&plot, r, y.0..y.1, "%", 8)?;
    for (i, (_, points, colour)) in series.into_iter().enumerate() {
        chart.draw_series(LineSeries::new(points, colour.stroke_width(3 - i as u32)))?;
    }
    mark_faults(&mut chart, &r.summary.faults, y)
}

fn replica_lag<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, r: &Results) -> Drawn<DB> {
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
    let mut chart = time_axes(&plot, r, y.0..y.1, "lag (ms)", 10)?;
    shade_phases(&mut chart, r, y)?;
    for (i, (_, runs)) in readers.into_iter().enumerate() {
        let colour = SERIES[i % SERIES.len()];
        for run in runs {
            chart.draw_series(LineSeries::new(run, colour.stroke_width(2)))?;
        }
    }
    mark_back(&mut chart, r, y)?;
    mark_faults(&mut chart, &r.summary.faults, y)
}

/// One horizontal bar per failover of every run, phases stacked, on one
/// time scale so that runs compare.
fn rto<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, runs: &[Results]) -> Drawn<DB> {
    struct Bar<'a> {
        label: String,
        rto: &'a Rto,
    }
    let several = runs.len() > 1;
    let bars: Vec<Bar> = runs
        .iter()
        .flat_map(|r| {
            r.summary
                .failovers
                .iter()
                .zip(&r.summary.rto)
                .map(move |(f, rto)| {
                    let to = f.to.as_deref().unwrap_or("(none)");
                    let label = if several {
                        format!("{}: {} → {to}", r.summary.scenario, f.from)
                    } else {
                        format!("{} → {to} at {:.0} s", f.from, f.at_s)
                    };
                    Bar { label, rto }
                })
        })
        .collect();
    let client_extra = |r: &Rto| match (r.total_s, &r.client_observed_s) {
        (Some(total), Some(c)) => c.max.map_or(0.0, |max| (max - total).max(0.0)),
        _ => 0.0,
    };
    let legend: Vec<(String, Mark)> = PHASES
        .iter()
        .map(|(name, c)| ((*name).to_owned(), Mark::Block(*c, 1.0)))
        .collect();
    let title = if several {
        "RTO by phase, compared".to_owned()
    } else {
        format!("{}: RTO by phase", runs[0].summary.scenario)
    };
    let plot = frame(root, &title, &legend)?;
    let (labels, plot) = plot.split_horizontally(BAR_LABEL_W);
    let x_max = bars
        .iter()
        .map(|b| b.rto.cluster_s() + client_extra(b.rto))
        .fold(1.0, f64::max)
        * 1.5;
    // At least two rows, so that a single bar is not a slab.
    let n = bars.len().max(2) as f64;
    let mut chart = ChartBuilder::on(&plot)
        .margin(12)
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
        let [detection, failed, selection, promotion, recovery, dns] = r.phases();
        let lengths = [
            detection,
            failed,
            selection,
            promotion,
            recovery,
            dns,
            client_extra(r),
        ];
        let mut x = 0.0;
        for (len, (_, colour)) in lengths.iter().zip(PHASES) {
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x, y + 0.25), (x + len, y + 0.75)],
                colour.filled(),
            )))?;
            x += len;
        }
        let slowest = r.client_observed_s.as_ref().and_then(|c| c.max);
        let unrecovered = r.client_observed_s.as_ref().map_or(0, |c| c.unrecovered);
        let total = match r.total_s {
            Some(t) if unrecovered > 0 => {
                format!("{t:.1} s; a client never recovered")
            }
            Some(t) if client_extra(r) > 0.0 => {
                format!("{t:.1} s; slowest client {}", ClientObserved::show(slowest))
            }
            Some(t) => format!("{t:.1} s"),
            None => "unfinished".to_owned(),
        };
        chart.draw_series(std::iter::once(
            EmptyElement::at((x, y + 0.5)) + Text::new(total, (6, -8), text(15)),
        ))?;
        // The label panel has its own origin: convert the bar's pixel row.
        let (_, py) = chart.backend_coord(&(0.0, y + 0.5));
        let (_, top) = labels.get_base_pixel();
        labels.draw(&Text::new(bar.label.clone(), (8, py - top - 8), text(15)))?;
    }
    Ok(())
}
