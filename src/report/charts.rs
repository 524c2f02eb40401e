//! The charts a design review needs, each drawn by one function into either
//! an SVG string (for the HTML report) or a PNG file (to paste elsewhere).
//!
//! Text is drawn with DejaVu Sans, embedded in the binary and registered
//! with plotters' `ab_glyph` backend, so charts render the same on a
//! machine without fontconfig or any installed font; SVGs name the same
//! face first in their font stack, so a browser lays their text out as the
//! PNG does. Colours are the Okabe–Ito palette, which stays
//! distinguishable with colour blindness.

use std::io;
use std::path::Path;
use std::sync::Once;

use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{register_font, FontStyle};

mod glyphs;
mod study;

use glyphs::Glyphs;
pub use study::{StudyChart, StudyData};

use super::Results;
use crate::metrics::{FaultSummary, Rto, Summary};
use crate::vocab::{ClientError, ERROR_KINDS};

/// The size in pixels of every chart but the RTO and client charts, whose
/// height follows their bars and client groups.
pub const SIZE: (u32, u32) = (1200, 500);
/// Width of the legend panel at the right of a chart.
const LEGEND_W: u32 = 230;
/// Width of the bar-label panel at the left of the RTO chart.
const BAR_LABEL_W: u32 = 300;

/// The font stack SVG text names; the embedded face is registered under
/// the same name, so that PNGs (which can only use the embedded face)
/// and SVGs (whose viewer picks the first face it has) agree. Verdana,
/// the fallback, has nearly the same widths.
const FONT: &str = "DejaVu Sans, Bitstream Vera Sans, Verdana, sans-serif";
/// DejaVu Sans 2.37 (Bitstream Vera licence; assets/fonts/LICENSE-DejaVu.txt).
static DEJAVU_SANS: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

const BLUE: RGBColor = RGBColor(0, 114, 178);
const VERMILLION: RGBColor = RGBColor(213, 94, 0);
const GREEN: RGBColor = RGBColor(0, 158, 115);
const ORANGE: RGBColor = RGBColor(230, 159, 0);
const PURPLE: RGBColor = RGBColor(204, 121, 167);
const SKY: RGBColor = RGBColor(86, 180, 233);
const YELLOW: RGBColor = RGBColor(240, 228, 66);
const GREY: RGBColor = RGBColor(110, 110, 110);
const FAULT: RGBColor = RGBColor(160, 0, 0);
/// Line colours for series without a fixed meaning (readers).
const SERIES: [RGBColor; 7] = [BLUE, VERMILLION, GREEN, ORANGE, PURPLE, SKY, BLACK];

/// The failover phases in [`Rto::PHASES`] order, with their colours:
/// neighbours differ in hue and lightness, so detection (vermillion) and
/// promotion (blue) are not confused.
const PHASES: [(&str, RGBColor); 6] = [
    ("detection", VERMILLION),
    ("failed attempts", BLACK),
    ("selection", PURPLE),
    ("promotion", BLUE),
    ("recovery", GREEN),
    ("DNS", SKY),
];
/// The promotion phase of a failover that re-created the writer: no
/// reader was promoted, a new instance was provisioned.
const PROVISIONING: (&str, RGBColor) = ("provisioning", YELLOW);
/// The slowest client's wait beyond the cluster RTO (RTO chart only).
const BEYOND: (&str, RGBColor) = ("slowest client, beyond DNS", GREY);
/// A phase shorter than this share of its chart's axis in every failover
/// cannot be seen, so it gets no legend entry.
const NEGLIGIBLE: f64 = 0.005;

/// The causes of failed client requests, in [`ClientError::ALL`] order,
/// as the client chart names and colours them.
const CAUSES: [(&str, RGBColor); ERROR_KINDS] = [
    ("timeout", BLACK),
    ("connection refused", VERMILLION),
    ("connection reset", PURPLE),
    ("read-only (not the writer)", BLUE),
    ("DNS answer empty", ORANGE),
    ("too many connections", SKY),
    ("pool acquire timeout", GREEN),
    ("proxy borrow timeout", YELLOW),
    ("shed by the proxy", GREY),
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
    /// Failed client requests per second by cause, one panel per group.
    Clients,
    /// PGs below write and read quorum; segments being repaired.
    Quorum,
    /// Replica lag per reader.
    ReplicaLag,
    /// PGs at full copy count (repair progress) and the busiest storage
    /// node's disk and NIC.
    Storage,
    /// Each instance's CPU utilisation per bin: the new writer's load
    /// while clients reconnect to it.
    Cpu,
}

impl Chart {
    /// Every chart, in report order.
    pub const ALL: [Chart; 8] = [
        Chart::Throughput,
        Chart::Latency,
        Chart::Rto,
        Chart::Clients,
        Chart::Cpu,
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
            Chart::Clients => "clients",
            Chart::Quorum => "quorum",
            Chart::ReplicaLag => "replica-lag",
            Chart::Storage => "storage",
            Chart::Cpu => "cpu",
        }
    }

    /// Whether the results have anything for this chart to show: the RTO
    /// chart needs a failover, the client chart a client group, the lag
    /// chart a reader, the quorum chart a PG that was ever below a quorum
    /// or out of the writer's reach (an all-zero chart says less than the
    /// table's "peak 0").
    pub fn applies(self, r: &Results) -> bool {
        let s = &r.summary;
        match self {
            Chart::Rto => !s.rto.is_empty(),
            Chart::Clients => !s.client_groups.is_empty(),
            Chart::ReplicaLag => r.timeline.replica_lags().next().is_some(),
            Chart::Quorum => {
                s.pgs_below_write_quorum_max
                    + s.pgs_below_read_quorum_max
                    + s.pgs_out_of_writer_reach_max
                    > 0
            }
            Chart::Cpu => r.timeline.cpu().next().is_some(),
            Chart::Throughput | Chart::Latency | Chart::Storage => true,
        }
    }

    /// The chart's size in pixels: [`SIZE`], but for the RTO chart (one
    /// row per failover) and the client chart (one panel per group).
    pub fn size(self, r: &Results) -> (u32, u32) {
        match self {
            Chart::Rto => rto_size(std::slice::from_ref(r)),
            Chart::Clients => (SIZE.0, clients_height(r)),
            _ => SIZE,
        }
    }

    /// The chart as an SVG document.
    pub fn svg(self, r: &Results) -> String {
        svg_sized(self.size(r), |root| self.draw(root, r))
    }

    /// Writes the chart as a PNG file.
    pub fn png(self, r: &Results, path: &Path) -> io::Result<()> {
        fonts();
        let root = Glyphs::new(BitMapBackend::new(path, self.size(r))).into_drawing_area();
        self.draw(&root, r).map_err(io::Error::other)?;
        root.present().map_err(io::Error::other)
    }

    fn draw<DB: DrawingBackend>(self, root: &DrawingArea<DB, Shift>, r: &Results) -> Drawn<DB> {
        match self {
            Chart::Throughput => throughput(root, r),
            Chart::Latency => latency(root, r),
            Chart::Rto => rto(root, std::slice::from_ref(r)),
            Chart::Clients => clients(root, r),
            Chart::Quorum => quorum(root, r),
            Chart::ReplicaLag => replica_lag(root, r),
            Chart::Storage => storage(root, r),
            Chart::Cpu => cpu(root, r),
        }
    }
}

/// The RTO chart of several runs, one bar per failover, on one scale.
pub fn rto_comparison_svg(runs: &[Results]) -> String {
    svg_sized(rto_size(runs), |root| rto(root, runs))
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

/// A chart of `size` pixels as an SVG document.
fn svg_sized(
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> Result<(), DrawingAreaErrorKind<io::Error>>,
) -> String {
    fonts();
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        // Drawing into a string cannot fail but for a missing glyph.
        draw(&root).expect("an SVG chart draws");
        root.present().expect("an SVG chart is written");
    }
    out
}

/// Text of `size` pixels. Sizes are even, so that the baseline, at
/// `size / 2`, falls on a whole pixel in PNGs and SVGs alike.
fn text(size: u32) -> TextStyle<'static> {
    debug_assert!(size.is_multiple_of(2), "odd text size {size}");
    (FONT, size).into_font().color(&BLACK)
}

/// How one legend entry is drawn.
enum Mark {
    Line(RGBColor),
    Dashed(RGBColor),
    /// A filled block, with the opacity it has in the chart.
    Block(RGBColor, f64),
}

/// Vertical distance between legend entries.
const LEGEND_ROW: i32 = 24;

/// Draws the title and splits off the legend panel at the right, so a
/// legend never hides data. Returns the plot area.
fn frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    legend: &[(String, Mark)],
) -> Result<DrawingArea<DB, Shift>, DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let body = root.titled(title, text(24))?;
    let (plot, panel) = body.split_horizontally(root.dim_in_pixel().0 - LEGEND_W);
    for (i, (label, mark)) in legend.iter().enumerate() {
        let y = 50 + LEGEND_ROW * i as i32;
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
        panel.draw(&Text::new(label.clone(), (44, y - 8), text(14)))?;
    }
    Ok(plot)
}

/// Opacity of the failover phases shaded behind a time chart.
const SHADE: f64 = 0.35;
/// Opacity of the grey band over a write outage.
const OUTAGE_SHADE: f64 = 0.18;

/// The frame of a time chart: the series' legend entries, then the write
/// outages and failover phases when the chart shades them, then the
/// fault markers.
fn timed_frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    r: &Results,
    title: &str,
    mut legend: Vec<(String, Mark)>,
    shaded: bool,
) -> Result<DrawingArea<DB, Shift>, DrawingAreaErrorKind<DB::ErrorType>> {
    if !r.summary.write_outages.is_empty() {
        legend.push(("write outage".to_owned(), Mark::Block(GREY, OUTAGE_SHADE)));
    }
    if shaded {
        legend.extend(
            visible_phases(r)
                .into_iter()
                .map(|(name, c)| (format!("{name} (failover)"), Mark::Block(c, SHADE))),
        );
    }
    legend.extend(fault_legend(r));
    frame(root, title, &legend)
}

/// A phase's name and colour: a failover that re-created the writer
/// provisioned a replacement where others promote a reader.
fn phase(p: usize, provisioned: bool) -> (&'static str, RGBColor) {
    if p == 3 && provisioned {
        PROVISIONING
    } else {
        PHASES[p]
    }
}

/// The phases (name and colour) that some failover of the run spends a
/// visible share of its time chart's axis in, in phase order.
fn visible_phases(r: &Results) -> Vec<(&'static str, RGBColor)> {
    let axis = r.timeline.end_s().max(1.0);
    let mut out: Vec<(&'static str, RGBColor)> = Vec::new();
    for p in 0..PHASES.len() {
        for provisioned in [false, true] {
            let seen = r
                .summary
                .failovers
                .iter()
                .zip(&r.summary.rto)
                .any(|(f, rto)| {
                    f.provisioned == provisioned && rto.phases()[p] >= NEGLIGIBLE * axis
                });
            if seen {
                out.push(phase(p, provisioned));
            }
        }
    }
    out
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
    for (f, rto) in r.summary.failovers.iter().zip(&r.summary.rto) {
        let rects = phase_spans(f.at_s, rto)
            .into_iter()
            .enumerate()
            .map(|(p, (a, b))| {
                let colour = phase(p, f.provisioned).1;
                Rectangle::new([(a, y.0), (b, y.1)], colour.mix(SHADE).filled())
            });
        chart.draw_series(rects)?;
    }
    Ok(())
}

/// A grey band over every write outage (`write_outages`), full height.
fn shade_outages<DB: DrawingBackend, Y: Ranged<ValueType = f64>>(
    chart: &mut TimeChart<DB, Y>,
    r: &Results,
    y: (f64, f64),
) -> Drawn<DB> {
    chart.draw_series(r.summary.write_outages.iter().map(|s| {
        Rectangle::new(
            [(s.from_s, y.0), (s.to_s, y.1)],
            GREY.mix(OUTAGE_SHADE).filled(),
        )
    }))?;
    Ok(())
}

/// A fault, in words: `writer_crash` is "writer crash", `a|c` "AZs a
/// and c". `writer` names the writer when the fault hit it.
pub(super) fn fault_words(f: &FaultSummary, writer: Option<&str>) -> String {
    let t = f.target.as_str();
    let who = writer.map_or(String::new(), |w| format!(" ({w})"));
    match f.kind.as_str() {
        "storage_node_crash" => format!("storage node {t} crash"),
        "az_outage" => format!("AZ {t} outage"),
        "network_partition" => match t.split_once('|') {
            Some((a, b)) => format!("AZs {a} and {b} partitioned"),
            None => match t.split_once(" from ") {
                Some((who, from)) => format!("{who} cut off from {from}"),
                None => format!("{t} cut off"),
            },
        },
        "slow_node" => format!("{t} slow"),
        "packet_loss" => format!("packet loss {t}"),
        "writer_crash" => format!("writer crash{who}"),
        "instance_crash" => format!("{t} crash"),
        "instance_reboot" => format!("{t} reboot"),
        "failover" if t.is_empty() => format!("failover{who}"),
        "failover" => format!("failover to {t}"),
        other => format!("{} {t}", other.replace('_', " "))
            .trim_end()
            .to_owned(),
    }
}

/// One label above a time chart, tied to an instant by a line.
struct Note {
    t_s: f64,
    text: String,
    colour: RGBColor,
}

/// The notes every time chart carries: each fault's start and end.
fn fault_notes(r: &Results) -> Vec<Note> {
    let mut notes = Vec::new();
    for f in &r.summary.faults {
        let words = fault_words(f, r.writer_at(f.at_s));
        if let Some(until) = f.until_s {
            notes.push(Note {
                t_s: until,
                text: format!("{words} ends"),
                colour: FAULT,
            });
        }
        notes.push(Note {
            t_s: f.at_s,
            text: words,
            colour: FAULT,
        });
    }
    notes
}

/// Height of one lane of notes.
const LANE_H: i32 = 18;
/// Least horizontal space between two notes in a lane, pixels.
const NOTE_GAP: f64 = 10.0;
/// Space between a note and the line it labels.
const NOTE_PAD: f64 = 4.0;

/// Lays out labels of `(anchor, width)` pixels over a plot `plot_w`
/// wide: each starts just right of its anchor, or ends just left of it
/// when it would pass the right edge (and never starts left of 0), in the
/// first lane where it keeps [`NOTE_GAP`] from every label already there.
/// Returns each label's left edge and lane, in input order.
fn lanes(labels: &[(f64, f64)], plot_w: f64) -> Vec<(f64, usize)> {
    let mut order: Vec<usize> = (0..labels.len()).collect();
    order.sort_by(|&a, &b| labels[a].0.total_cmp(&labels[b].0).then(a.cmp(&b)));
    let mut taken: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut out = vec![(0.0, 0); labels.len()];
    for i in order {
        let (x, w) = labels[i];
        let left = if x + NOTE_PAD + w <= plot_w {
            x + NOTE_PAD
        } else {
            (x - NOTE_PAD - w).min(plot_w - w).max(0.0)
        };
        let free = |lane: &Vec<(f64, f64)>| {
            lane.iter()
                .all(|&(a, b)| left + w + NOTE_GAP <= a || b + NOTE_GAP <= left)
        };
        let lane = match taken.iter().position(free) {
            Some(lane) => lane,
            None => {
                taken.push(Vec::new());
                taken.len() - 1
            }
        };
        taken[lane].push((left, left + w));
        out[i] = (left, lane);
    }
    out
}

/// Margin around a time chart's plotting area.
const MARGIN: i32 = 12;
/// Width of a time chart's y label area.
const Y_LABEL_W: i32 = 80;

/// Notes laid out over a plot: each one's text, colour, anchor and left
/// edge in the plot's pixels, and its lane.
struct Laid<'a> {
    note: &'a Note,
    x: f64,
    left: f64,
    lane: usize,
}

/// Lays `notes` out over the plotting area of a time chart drawn on
/// `plot`, which spans `end_s` seconds; notes after the end (of a run
/// stopped early) are left out.
fn lay_out<'a, DB: DrawingBackend>(
    plot: &DrawingArea<DB, Shift>,
    notes: &'a [Note],
    end_s: f64,
) -> Vec<Laid<'a>> {
    let notes: Vec<&Note> = notes.iter().filter(|n| n.t_s <= end_s).collect();
    let x0 = f64::from(MARGIN + Y_LABEL_W);
    let w = f64::from(plot.dim_in_pixel().0) - x0 - f64::from(MARGIN);
    let spans: Vec<(f64, f64)> = notes
        .iter()
        .map(|n| {
            let width = plot
                .estimate_text_size(&n.text, &text(14))
                .map_or(0.0, |(w, _)| f64::from(w));
            (n.t_s / end_s * w, width)
        })
        .collect();
    lanes(&spans, w)
        .into_iter()
        .zip(notes)
        .zip(spans)
        .map(|(((left, lane), note), (x, _))| Laid {
            note,
            x: x0 + x,
            left: x0 + left,
            lane,
        })
        .collect()
}

/// The band of notes above a plotting area, pixels high.
fn band_h(laid: &[Laid]) -> i32 {
    laid.iter()
        .map(|l| l.lane as i32 + 1)
        .max()
        .map_or(0, |lanes| lanes * LANE_H + 4)
}

/// Draws laid-out notes into the band above the plotting area, which
/// starts `top` pixels into `plot`, each tied to its instant by a thin
/// line down to the plotting area.
fn draw_notes<DB: DrawingBackend>(
    plot: &DrawingArea<DB, Shift>,
    laid: &[Laid],
    top: i32,
) -> Drawn<DB> {
    let band = band_h(laid);
    for l in laid {
        let y = top - band + LANE_H * l.lane as i32;
        let x = l.x.round() as i32;
        plot.draw(&PathElement::new(
            vec![(x, y + LANE_H / 2), (x, top)],
            l.note.colour.stroke_width(1),
        ))?;
        plot.draw(&Text::new(
            l.note.text.clone(),
            (l.left.round() as i32, y),
            text(14).color(&l.note.colour),
        ))?;
    }
    Ok(())
}

/// A line at each fault's start and a dashed one at its end, across the
/// plotting area; their labels are in the band above it.
fn mark_faults<DB: DrawingBackend, Y: Ranged<ValueType = f64>>(
    chart: &mut TimeChart<DB, Y>,
    faults: &[FaultSummary],
    y: (f64, f64),
) -> Drawn<DB> {
    for f in faults {
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
    }
    Ok(())
}

/// A time chart's axes: simulated seconds across, `y` up, with `notes`
/// in lanes above the plotting area.
fn time_axes<'a, DB, Y>(
    plot: &'a DrawingArea<DB, Shift>,
    r: &Results,
    notes: &[Note],
    y: Y,
    y_desc: &str,
    y_labels: usize,
) -> Result<TimeChart<'a, DB, Y::CoordDescType>, DrawingAreaErrorKind<DB::ErrorType>>
where
    DB: DrawingBackend,
    Y: AsRangedCoord<Value = f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let end = r.timeline.end_s().max(1.0);
    let laid = lay_out(plot, notes, end);
    let top = MARGIN + band_h(&laid);
    let mut chart = ChartBuilder::on(plot)
        .margin(MARGIN)
        .margin_top(top)
        .x_label_area_size(48)
        .y_label_area_size(Y_LABEL_W)
        .build_cartesian_2d(0.0..end, y)?;
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
    draw_notes(plot, &laid, top)?;
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

/// Ticks for a log axis from `low` to `high`: 1, 2 and 5 in each decade,
/// or only the powers of ten when that would be more than twenty, so
/// that values between decades (4–5 ms) can be read.
fn log_ticks(low: f64, high: f64) -> Vec<f64> {
    let first = low.log10().floor() as i32;
    let last = high.log10().ceil() as i32;
    let within = |v: &f64| (low..=high).contains(v);
    let steps: Vec<f64> = (first..=last)
        .flat_map(|e| [1.0, 2.0, 5.0].map(|m| m * 10f64.powi(e)))
        .filter(within)
        .collect();
    if steps.len() <= 20 {
        steps
    } else {
        (first..=last)
            .map(|e| 10f64.powi(e))
            .filter(within)
            .collect()
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
    shade_outages(&mut chart, r, y)?;
    shade_phases(&mut chart, r, y)?;
    let clipped = |points: Vec<(f64, f64)>| -> Vec<(f64, f64)> {
        points.into_iter().map(|(t, v)| (t, v.min(y.1))).collect()
    };
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
    let ticks = log_ticks(low, high);
    let n = ticks.len();
    let axis = (low..high).log_scale().with_key_points(ticks);
    let mut chart = time_axes(&plot, r, &fault_notes(r), axis, "ms (log scale)", n)?;
    shade_outages(&mut chart, r, y)?;
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
    // Below read quorum implies below write quorum, so the two lines often
    // coincide: the read-quorum line is dashed and drawn on top, so the
    // write-quorum line shows through its gaps.
    let series = [
        (
            "PGs below write quorum",
            "pgs_below_write_quorum",
            VERMILLION,
            false,
        ),
        (
            "PGs out of writer's reach",
            "pgs_out_of_writer_reach",
            ORANGE,
            false,
        ),
        (
            "segments being repaired",
            "segments_repairing",
            GREEN,
            false,
        ),
        (
            "PGs below read quorum",
            "pgs_below_read_quorum",
            PURPLE,
            true,
        ),
    ];
    let data: Vec<Vec<(f64, f64)>> = series.iter().map(|s| steps(r, s.1)).collect();
    let legend = series
        .iter()
        .map(|&(label, _, c, dashed)| {
            let mark = if dashed {
                Mark::Dashed(c)
            } else {
                Mark::Line(c)
            };
            (label.to_owned(), mark)
        })
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
    let mut chart = time_axes(&plot, r, &fault_notes(r), y.0..y.1, "count", ticks)?;
    shade_outages(&mut chart, r, y)?;
    for (i, (points, &(_, _, colour, dashed))) in data.into_iter().zip(&series).enumerate() {
        if dashed {
            chart.draw_series(DashedLineSeries::new(points, 10, 6, colour.stroke_width(3)))?;
        } else {
            // Later solid series are thinner, so that equal counts show
            // as a line inside a line.
            chart.draw_series(LineSeries::new(
                points,
                colour.stroke_width(8 - 3 * i as u32),
            ))?;
        }
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
    let mut chart = time_axes(&plot, r, &fault_notes(r), y.0..y.1, "%", 8)?;
    shade_outages(&mut chart, r, y)?;
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
    let mut chart = time_axes(&plot, r, &fault_notes(r), y.0..y.1, "lag (ms)", 10)?;
    shade_outages(&mut chart, r, y)?;
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

fn cpu<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, r: &Results) -> Drawn<DB> {
    let instances: Vec<(&str, Runs)> = r
        .timeline
        .cpu()
        .map(|(name, values)| (name, runs(r, values)))
        .collect();
    let legend = instances
        .iter()
        .enumerate()
        .map(|(i, (name, _))| ((*name).to_owned(), Mark::Line(SERIES[i % SERIES.len()])))
        .collect();
    let title = format!("{}: CPU utilisation per instance", r.summary.scenario);
    let plot = timed_frame(root, r, &title, legend, true)?;
    let y = (0.0, 1.15);
    let mut chart = time_axes(
        &plot,
        r,
        &fault_notes(r),
        y.0..y.1,
        "share of its vCPUs",
        10,
    )?;
    shade_outages(&mut chart, r, y)?;
    shade_phases(&mut chart, r, y)?;
    for (i, (_, runs)) in instances.into_iter().enumerate() {
        let colour = SERIES[i % SERIES.len()];
        for run in runs {
            chart.draw_series(LineSeries::new(run, colour.stroke_width(2)))?;
        }
    }
    mark_back(&mut chart, r, y)?;
    mark_faults(&mut chart, &r.summary.faults, y)
}

/// Height of one client group's panel.
const PANEL_H: u32 = 150;
/// Height above the panels: the title, and room for the notes' lanes.
const CLIENTS_TOP: u32 = 50;
/// Height below the panels: the time axis.
const CLIENTS_AXIS: u32 = 50;

fn clients_height(r: &Results) -> u32 {
    let groups = r.summary.client_groups.len() as u32;
    let legend = (CAUSES.len() + fault_legend(r).len() + 3) as u32 * LEGEND_ROW as u32 + 60;
    (CLIENTS_TOP + 3 * LANE_H as u32 + groups * PANEL_H + CLIENTS_AXIS).max(legend)
}

/// The per-bin failed-request counts of one group, by cause.
fn group_errors(r: &Results, group: &str) -> [Vec<Option<f64>>; ERROR_KINDS] {
    ClientError::ALL.map(|kind| {
        let name = format!("client_errors.{group}.{}", kind.name());
        r.timeline
            .column(&name)
            .map_or_else(Vec::new, <[_]>::to_vec)
    })
}

/// A group's configuration and what it saw, for its panel's heading.
fn group_heading(s: &Summary, i: usize) -> String {
    let g = &s.client_groups[i];
    let config = s.topology.clients.iter().find(|c| c.name == g.name);
    let setup = config.map_or_else(String::new, |c| {
        let cache = match c.dns_cache.as_str() {
            "ttl" => "DNS cache honours the TTL".to_owned(),
            "forever" => "DNS cached forever".to_owned(),
            d => format!("DNS cached {d}"),
        };
        format!(": {} clients, {} endpoint, {cache}", c.count, c.endpoint)
    });
    let seen: Vec<String> = g
        .client_observed_s
        .iter()
        .map(|c| match c.max {
            Some(max) => format!("all back within {max:.1} s"),
            None => format!("{} of {} never back", c.unrecovered, c.clients),
        })
        .collect();
    let seen = if seen.is_empty() {
        String::new()
    } else {
        format!("; failover: {}", seen.join(", "))
    };
    format!("{}{setup} — {} failed{seen}", g.name, g.errors.total())
}

/// Failed client requests per second by cause: one panel per group on
/// one scale, so that groups differing only in their DNS cache compare.
fn clients<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, r: &Results) -> Drawn<DB> {
    let s = &r.summary;
    let bin = r.timeline.bin_s();
    let errors: Vec<[Vec<Option<f64>>; ERROR_KINDS]> = s
        .client_groups
        .iter()
        .map(|g| group_errors(r, &g.name))
        .collect();
    let causes: Vec<usize> = (0..CAUSES.len())
        .filter(|&k| {
            errors
                .iter()
                .any(|e| e[k].iter().flatten().any(|&n| n > 0.0))
        })
        .collect();
    let mut legend: Vec<(String, Mark)> = causes
        .iter()
        .map(|&k| (CAUSES[k].0.to_owned(), Mark::Block(CAUSES[k].1, 1.0)))
        .collect();
    let writable: Vec<f64> = s
        .failovers
        .iter()
        .zip(&s.rto)
        .filter_map(|(f, rto)| rto.total_s.map(|t| f.at_s + t))
        .collect();
    if !writable.is_empty() {
        legend.push(("cluster writable again".to_owned(), Mark::Dashed(GREEN)));
    }
    let title = format!("{}: failed client requests by cause", s.scenario);
    let plot = timed_frame(root, r, &title, legend, false)?;
    let mut notes = fault_notes(r);
    notes.extend(writable.iter().map(|&t| Note {
        t_s: t,
        text: "cluster writable".to_owned(),
        colour: GREEN,
    }));
    let end = r.timeline.end_s().max(1.0);
    let laid = lay_out(&plot, &notes, end);
    let band = band_h(&laid);
    let (h, w) = (plot.dim_in_pixel().1 as i32, plot.dim_in_pixel().0 as i32);
    let groups = s.client_groups.len().max(1) as i32;
    let panel_h = (h - MARGIN - band - CLIENTS_AXIS as i32) / groups;
    let per_bin = errors.iter().flat_map(|e| {
        (0..r.timeline.t_s().len()).map(move |b| {
            e.iter()
                .map(|c| c.get(b).copied().flatten().unwrap_or(0.0))
                .sum::<f64>()
        })
    });
    let y = (0.0, (per_bin.fold(0.0, f64::max) / bin * 1.25).max(1.0));
    draw_notes(&plot, &laid, MARGIN + band)?;
    for (i, e) in errors.iter().enumerate() {
        let top = MARGIN + band + panel_h * i as i32;
        let last = i as i32 == groups - 1;
        let bottom = if last { h } else { top + panel_h };
        let area = plot.clone().shrink((0, top), (w, bottom - top));
        let mut chart = ChartBuilder::on(&area)
            .margin_left(MARGIN)
            .margin_right(MARGIN)
            .margin_top(22)
            .margin_bottom(4)
            .x_label_area_size(if last { 48 } else { 0 })
            .y_label_area_size(Y_LABEL_W)
            .build_cartesian_2d(0.0..end, y.0..y.1)?;
        let mut mesh = chart.configure_mesh();
        mesh.y_desc("errors/s")
            .x_label_formatter(&tick)
            .y_label_formatter(&tick)
            .y_labels(4)
            .axis_desc_style(text(14))
            .label_style(text(14))
            .light_line_style(WHITE.mix(0.0));
        if last {
            mesh.x_desc("simulated time (s)");
        }
        mesh.draw()?;
        area.draw(&Text::new(
            group_heading(s, i),
            (MARGIN + Y_LABEL_W + 4, 2),
            text(14),
        ))?;
        shade_outages(&mut chart, r, y)?;
        for (b, &t) in r.timeline.t_s().iter().enumerate() {
            let mut base = 0.0;
            for &k in &causes {
                let n = e[k].get(b).copied().flatten().unwrap_or(0.0) / bin;
                if n > 0.0 {
                    chart.draw_series(std::iter::once(Rectangle::new(
                        [(t, base), (t + bin, base + n)],
                        CAUSES[k].1.filled(),
                    )))?;
                    base += n;
                }
            }
        }
        for &t in &writable {
            chart.draw_series(DashedLineSeries::new(
                [(t, y.0), (t, y.1)],
                6,
                4,
                GREEN.stroke_width(2),
            ))?;
        }
        mark_back(&mut chart, r, y)?;
        mark_faults(&mut chart, &s.faults, y)?;
    }
    Ok(())
}

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

/// The RTO chart's size: a row per bar, and room for its legend.
fn rto_size(runs: &[Results]) -> (u32, u32) {
    let bars = bars(runs);
    let legend = rto_legend(&bars).len() as u32;
    let height = 40 + 2 * MARGIN as u32 + 48 + BAR_ROW * bars.len() as u32;
    (SIZE.0, height.max(60 + LEGEND_ROW as u32 * legend))
}

/// One horizontal bar per failover of every run, phases stacked, on one
/// time scale so that runs compare.
fn rto<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, runs: &[Results]) -> Drawn<DB> {
    let bars = bars(runs);
    let title = if runs.len() > 1 {
        "RTO by phase, compared".to_owned()
    } else {
        format!("{}: RTO by phase", runs[0].summary.scenario)
    };
    let plot = frame(root, &title, &rto_legend(&bars))?;
    let (labels, plot) = plot.split_horizontally(BAR_LABEL_W);
    let x_max = rto_axis(&bars);
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
        let slowest = r.client_observed_s.as_ref().and_then(|c| c.max);
        let unrecovered = r.client_observed_s.as_ref().map_or(0, |c| c.unrecovered);
        let total = match (r.total_s, slowest) {
            (Some(t), _) if unrecovered > 0 => {
                format!("{t:.1} s; {unrecovered} client(s) never back")
            }
            (Some(t), Some(c)) if client_extra(r) > 0.0 => {
                format!("{t:.1} s; slowest client {c:.1} s")
            }
            (Some(t), _) => format!("{t:.1} s"),
            (None, _) => "unfinished".to_owned(),
        };
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

#[cfg(test)]
mod tests {
    use super::*;

    /// No two labels in one lane overlap or come closer than the gap, and
    /// none leaves the plot.
    fn assert_apart(labels: &[(f64, f64)], w: f64) {
        let laid = lanes(labels, w);
        for (i, &(a, lane)) in laid.iter().enumerate() {
            let wa = labels[i].1;
            assert!(a >= 0.0 && a + wa <= w, "label {i} at {a} leaves the plot");
            for (j, &(b, other)) in laid.iter().enumerate().skip(i + 1) {
                let wb = labels[j].1;
                if lane == other {
                    assert!(
                        a + wa + NOTE_GAP <= b || b + wb + NOTE_GAP <= a,
                        "labels {i} and {j} overlap in lane {lane}"
                    );
                }
            }
        }
    }

    #[test]
    fn close_notes_take_lanes_and_none_passes_the_edge() {
        // az-plus-one: AZ outage at 60 s, node crash at 90 s, a spike at
        // 135 s, both faults ending at 180 s, over 300 s in 860 px.
        let px = |t: f64| t / 300.0 * 860.0;
        let labels = [
            (px(60.0), 90.0),
            (px(90.0), 170.0),
            (px(135.0), 150.0),
            (px(180.0), 130.0),
            (px(180.0), 210.0),
            (850.0, 120.0),
        ];
        assert_apart(&labels, 860.0);
        let laid = lanes(&labels, 860.0);
        assert_eq!(laid[0].1, 0, "the first label takes the first lane");
        assert!(
            laid[5].0 + 120.0 <= 850.0,
            "near the edge, left of its line"
        );
        assert_eq!(lanes(&[(10.0, 50.0), (400.0, 50.0)], 860.0)[1].1, 0);
    }

    #[test]
    fn log_ticks_step_1_2_5_between_decades() {
        assert_eq!(
            log_ticks(1.2, 160.0),
            vec![2.0, 5.0, 10.0, 20.0, 50.0, 100.0]
        );
        assert_eq!(
            log_ticks(1.0, 2e5).len(),
            17,
            "1, 2, 5 in each decade up to 2e5"
        );
        let wide = log_ticks(1.0, 2e8);
        assert_eq!(wide, (0..=8).map(|e| 10f64.powi(e)).collect::<Vec<_>>());
    }

    #[test]
    fn faults_are_named_in_words() {
        let f = |kind: &str, target: &str| FaultSummary {
            at_s: 1.0,
            until_s: None,
            kind: kind.to_owned(),
            target: target.to_owned(),
            refused: None,
        };
        assert_eq!(
            fault_words(&f("writer_crash", ""), Some("w1")),
            "writer crash (w1)"
        );
        assert_eq!(
            fault_words(&f("network_partition", "a|c"), None),
            "AZs a and c partitioned"
        );
        assert_eq!(fault_words(&f("az_outage", "c"), None), "AZ c outage");
        assert_eq!(
            fault_words(&f("network_partition", "w from storage"), None),
            "w cut off from storage"
        );
        assert_eq!(fault_words(&f("failover", ""), None), "failover");
    }
}
