//! The frame every chart is drawn in: the palette, the embedded face and
//! its text styles, the title and the legend panel, and for time charts the
//! axes, the notes above them (faults, spikes) in lanes, the shading of
//! write outages and failover phases, and the fault and recovery markers.

use std::io;
use std::sync::Once;

use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{register_font, FontStyle};

use crate::metrics::{FaultSummary, Rto};
use crate::report::Results;
use crate::vocab::ERROR_KINDS;

/// The size in pixels of every chart but the RTO and client charts, whose
/// height follows their bars and client groups.
pub const SIZE: (u32, u32) = (1200, 500);
/// Width of the legend panel at the right of a chart.
const LEGEND_W: u32 = 230;
/// The width a chart is drawn at for pages narrower than 1,100 px.
/// A chart drawn [`SIZE`] wide and shown 740 px wide would shrink its
/// 14 px labels to 8.6 px; drawn this wide, its text keeps its size on
/// the page and its plot gives up width instead.
pub const NARROW: u32 = 760;
/// The narrow layout of a chart with a label column and lines of text
/// beside its bars, which need this width: shown 740 px wide, its
/// smallest text is 9 px.
pub const WIDE_TEXT: u32 = 900;

/// The font stack SVG text names; the embedded face is registered under
/// the same name, so that PNGs (which can only use the embedded face)
/// and SVGs (whose viewer picks the first face it has) agree. Verdana,
/// the fallback, has nearly the same widths.
const FONT: &str = "DejaVu Sans, Bitstream Vera Sans, Verdana, sans-serif";
/// DejaVu Sans 2.37 (Bitstream Vera licence; assets/fonts/LICENSE-DejaVu.txt).
pub(super) static DEJAVU_SANS: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

pub(super) const BLUE: RGBColor = RGBColor(0, 114, 178);
pub(super) const VERMILLION: RGBColor = RGBColor(213, 94, 0);
pub(super) const GREEN: RGBColor = RGBColor(0, 158, 115);
pub(super) const ORANGE: RGBColor = RGBColor(230, 159, 0);
pub(super) const PURPLE: RGBColor = RGBColor(204, 121, 167);
pub(super) const SKY: RGBColor = RGBColor(86, 180, 233);
pub(super) const YELLOW: RGBColor = RGBColor(240, 228, 66);
pub(super) const GREY: RGBColor = RGBColor(110, 110, 110);
pub(super) const FAULT: RGBColor = RGBColor(160, 0, 0);
/// Line colours for series without a fixed meaning (readers).
pub(super) const SERIES: [RGBColor; 7] = [BLUE, VERMILLION, GREEN, ORANGE, PURPLE, SKY, BLACK];

/// The failover phases in [`Rto::PHASES`] order, with their colours:
/// neighbours differ in hue and lightness, so detection (vermillion) and
/// promotion (blue) are not confused.
pub(super) const PHASES: [(&str, RGBColor); 6] = [
    ("detection", VERMILLION),
    ("failed attempts", BLACK),
    ("selection", PURPLE),
    ("promotion", BLUE),
    ("recovery", GREEN),
    ("DNS", SKY),
];
/// The promotion phase of a failover that re-created the writer: no
/// reader was promoted, a new instance was provisioned.
pub(super) const PROVISIONING: (&str, RGBColor) = ("provisioning", YELLOW);
/// The slowest client's wait beyond the cluster RTO (RTO chart only).
pub(super) const BEYOND: (&str, RGBColor) = ("slowest client, beyond DNS", GREY);
/// A phase shorter than this share of its chart's axis in every failover
/// cannot be seen, so it gets no legend entry.
pub(super) const NEGLIGIBLE: f64 = 0.005;

/// The causes of failed client requests, in
/// [`ClientError::ALL`](crate::vocab::ClientError::ALL) order,
/// as the client chart names and colours them.
pub(super) const CAUSES: [(&str, RGBColor); ERROR_KINDS] = [
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

/// What drawing on a backend returns.
pub(super) type Drawn<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;
/// A time chart: seconds across, `Y` up.
pub(super) type TimeChart<'a, DB, Y> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, Y>>;
/// A line broken where its data is missing.
pub(super) type Runs = Vec<Vec<(f64, f64)>>;

pub(super) fn fonts() {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        let ok = register_font(FONT, FontStyle::Normal, DEJAVU_SANS).is_ok();
        assert!(ok, "the embedded DejaVu Sans parses");
    });
}

/// What draws a chart into an SVG.
pub(super) type SvgDraw<'a> =
    &'a dyn Fn(&DrawingArea<SVGBackend, Shift>) -> Result<(), DrawingAreaErrorKind<io::Error>>;

/// A chart as the report's page holds it: drawn `size` wide and, for
/// pages under 1,100 px, [`NARROW`] wide (or `least` if it needs more),
/// the page's style showing the one that fits. A chart that needs all its
/// width shows it on every page, scrolling sideways in its own box where
/// the page is narrower, its text at full size.
pub(super) fn layouts(size: (u32, u32), least: u32, draw: SvgDraw) -> String {
    let wide = svg_sized(size, draw);
    let narrow = NARROW.max(least);
    if narrow >= size.0 {
        // Its one layout at its own size on every page: shrunk to fit,
        // its text would fall below 9 px.
        return format!("<div class=\"chart\"><div class=\"scroll-x\">{wide}</div></div>");
    }
    format!(
        "<div class=\"chart\"><div class=\"wide\">{wide}</div><div class=\"narrow\">{}</div></div>",
        svg_sized((narrow, size.1), draw)
    )
}

/// A chart of `size` pixels as an SVG document.
pub(super) fn svg_sized(size: (u32, u32), draw: SvgDraw) -> String {
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
pub(super) fn text(size: u32) -> TextStyle<'static> {
    debug_assert!(size.is_multiple_of(2), "odd text size {size}");
    (FONT, size).into_font().color(&BLACK)
}

/// How one legend entry is drawn.
pub(super) enum Mark {
    Line(RGBColor),
    Dashed(RGBColor),
    /// A filled block, with the opacity it has in the chart.
    Block(RGBColor, f64),
}

/// Vertical distance between legend entries.
pub(super) const LEGEND_ROW: i32 = 24;
/// Height a legend needs beyond its rows: the title above, a margin below.
pub(super) const LEGEND_PAD: u32 = 60;

/// The least height of a chart whose legend has `rows` entries.
pub(super) fn legend_h(rows: u32) -> u32 {
    LEGEND_PAD + LEGEND_ROW as u32 * rows
}

/// The size of a chart that is [`SIZE`] whatever it shows.
pub(super) fn fixed<T: ?Sized>(_: &T) -> (u32, u32) {
    SIZE
}

/// [`SIZE`] in words, for the charts' reference.
pub(super) fn fixed_rule() -> String {
    format!("{} × {}", SIZE.0, SIZE.1)
}

/// Draws the title and splits off the legend panel at the right, so a
/// legend never hides data. Returns the plot area.
pub(super) fn frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    legend: &[(String, Mark)],
) -> Result<DrawingArea<DB, Shift>, DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let body = titled(root, title)?;
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

/// Draws `title` at the top of `root` and returns the area below it: at
/// 24 px if it fits the width, smaller down to 18 px, and broken onto
/// lines at spaces if it does not fit even then.
pub(super) fn titled<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
) -> Result<DrawingArea<DB, Shift>, DrawingAreaErrorKind<DB::ErrorType>> {
    let room = root.dim_in_pixel().0.saturating_sub(24);
    for size in [24, 22, 20, 18] {
        if root.estimate_text_size(title, &text(size))?.0 <= room {
            return root.titled(title, text(size));
        }
    }
    let mut body = root.clone();
    for line in wrap(root, title, &text(18), room)? {
        body = body.titled(&line, text(18))?;
    }
    Ok(body)
}

/// `words` broken at spaces into lines at most `width` px wide in
/// `style`; a word wider than that has a line to itself.
pub(super) fn wrap<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    words: &str,
    style: &TextStyle,
    width: u32,
) -> Result<Vec<String>, DrawingAreaErrorKind<DB::ErrorType>> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in words.split(' ') {
        let longer = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if !line.is_empty() && area.estimate_text_size(&longer, style)?.0 > width {
            lines.push(std::mem::replace(&mut line, word.to_owned()));
        } else {
            line = longer;
        }
    }
    lines.push(line);
    Ok(lines)
}

/// Opacity of the failover phases shaded behind a time chart.
const SHADE: f64 = 0.35;
/// Opacity of the grey band over a write outage.
const OUTAGE_SHADE: f64 = 0.18;

/// The frame of a time chart: the series' legend entries, then the write
/// outages and failover phases when the chart shades them, then the
/// fault markers.
pub(super) fn timed_frame<DB: DrawingBackend>(
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
pub(super) fn phase(p: usize, provisioned: bool) -> (&'static str, RGBColor) {
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

pub(super) fn fault_legend(r: &Results) -> Vec<(String, Mark)> {
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
/// of their level before it (or their spread then), seconds into the run.
fn back(r: &Results) -> impl Iterator<Item = f64> + '_ {
    r.summary
        .failovers
        .iter()
        .zip(&r.summary.rto)
        .filter_map(|(f, rto)| rto.recovered_performance_s.map(|s| f.at_s + s))
}

/// A dashed black line where each failover's performance was back.
pub(super) fn mark_back<DB: DrawingBackend, Y: Ranged<ValueType = f64>>(
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
pub(super) fn shade_phases<DB: DrawingBackend, Y: Ranged<ValueType = f64>>(
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

/// A grey band over every write outage (`write_outages`), full height,
/// edged in grey: drawn over the failover phases, so that where the two
/// overlap the outage still shows.
pub(super) fn shade_outages<DB: DrawingBackend, Y: Ranged<ValueType = f64>>(
    chart: &mut TimeChart<DB, Y>,
    r: &Results,
    y: (f64, f64),
) -> Drawn<DB> {
    for s in &r.summary.write_outages {
        chart.draw_series([
            Rectangle::new(
                [(s.from_s, y.0), (s.to_s, y.1)],
                GREY.mix(OUTAGE_SHADE).filled(),
            ),
            Rectangle::new(
                [(s.from_s, y.0), (s.to_s, y.1)],
                GREY.mix(0.6).stroke_width(1),
            ),
        ])?;
    }
    Ok(())
}

/// One label above a time chart, tied to an instant by a line.
pub(super) struct Note {
    /// The instant, seconds into the run.
    pub(super) t_s: f64,
    /// What the label says.
    pub(super) text: String,
    /// The colour of the label and its line.
    pub(super) colour: RGBColor,
}

/// The notes every time chart carries: each fault's start and end.
pub(super) fn fault_notes(r: &Results) -> Vec<Note> {
    let mut notes = Vec::new();
    for f in &r.summary.faults {
        let words = f.words(r.writer_at(f.at_s));
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
pub(super) const LANE_H: i32 = 18;
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
pub(super) const MARGIN: i32 = 12;
/// Width of a time chart's y label area.
pub(super) const Y_LABEL_W: i32 = 80;

/// Notes laid out over a plot: each one's text, colour, anchor and left
/// edge in the plot's pixels, and its lane.
pub(super) struct Laid<'a> {
    note: &'a Note,
    x: f64,
    left: f64,
    lane: usize,
}

/// Lays `notes` out over the plotting area of a time chart drawn on
/// `plot`, which spans `end_s` seconds; notes after the end (of a run
/// stopped early) are left out.
pub(super) fn lay_out<'a, DB: DrawingBackend>(
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
pub(super) fn band_h(laid: &[Laid]) -> i32 {
    laid.iter()
        .map(|l| l.lane as i32 + 1)
        .max()
        .map_or(0, |lanes| lanes * LANE_H + 4)
}

/// Draws laid-out notes into the band above the plotting area, which
/// starts `top` pixels into `plot`, each tied to its instant by a thin
/// line down to the plotting area.
pub(super) fn draw_notes<DB: DrawingBackend>(
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
pub(super) fn mark_faults<DB: DrawingBackend, Y: Ranged<ValueType = f64>>(
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
pub(super) fn time_axes<'a, DB, Y>(
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
pub(super) fn tick(v: &f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{}", (v * 1000.0).round() / 1000.0)
    }
}

/// Ticks for a log axis from `low` to `high`: 1, 2 and 5 in each decade,
/// or only the powers of ten when that would be more than twenty, so
/// that values between decades (4–5 ms) can be read.
pub(super) fn log_ticks(low: f64, high: f64) -> Vec<f64> {
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
pub(super) fn steps(r: &Results, column: &str) -> Vec<(f64, f64)> {
    let bin = r.timeline.bin_s();
    r.timeline
        .points(column)
        .into_iter()
        .flat_map(|(t, v)| [(t + bin, v), (t + 2.0 * bin, v)])
        .collect()
}

/// A column split into runs of consecutive bins that have values, so a
/// line breaks where the data does.
pub(super) fn runs(r: &Results, values: &[Option<f64>]) -> Runs {
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
pub(super) fn percentile(values: impl Iterator<Item = f64>, q: f64) -> f64 {
    let mut v: Vec<f64> = values.collect();
    v.sort_by(f64::total_cmp);
    v.get(((v.len().max(1) - 1) as f64 * q).round() as usize)
        .copied()
        .unwrap_or(0.0)
}

pub(super) fn peak(series: &[&[(f64, f64)]]) -> f64 {
    series
        .iter()
        .flat_map(|s| s.iter().map(|p| p.1))
        .fold(0.0, f64::max)
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
}
