//! What clients and the new writer went through in a sweep, cell by
//! cell: three panels side by side, a row per cell.

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::CLIENT_MEASURE;
use crate::report::charts::frame::{frame, legend_h, text, tick, Drawn, Mark, CAUSES, SIZE};
use crate::study::sweep::{CellSummary, SweepSummary};

/// Height of one cell's row in the clients chart: three lines of label.
const CELL_ROW: u32 = 56;
/// Height of the clients chart without its rows: the title, the margins
/// and the axes.
const CELLS_FRAME_H: u32 = 150;
/// Width the clients chart has beyond [`SIZE`], for its third panel.
const WIDER: u32 = 400;
/// Legend entries besides the causes: the median and slowest client, the
/// new writer's CPU, and one spare.
const LEGEND_MORE: u32 = 4;

/// Width of the cell-label column of the clients chart.
const CELL_LABEL_W: u32 = 250;
/// The clients' downtime and the new writer's CPU in colours no cause of
/// a failed request has, so that no two things in the chart share one:
/// a dark blue and its tint, and a brown, each apart in lightness from
/// the palette's hues.
const NAVY: RGBColor = RGBColor(25, 45, 110);
const NAVY_TINT: RGBColor = RGBColor(160, 175, 225);
const BROWN: RGBColor = RGBColor(125, 70, 25);

/// The clients chart's size: a row per cell.
pub(super) fn clients_size(s: &SweepSummary) -> (u32, u32) {
    let legend = LEGEND_MORE + CAUSES.len() as u32;
    let rows = CELLS_FRAME_H + CELL_ROW * s.cells.len() as u32;
    (SIZE.0 + WIDER, rows.max(legend_h(legend)))
}

/// [`clients_size`] in words, for the charts' reference.
pub(super) fn clients_size_rule() -> String {
    format!(
        "{} × ({CELLS_FRAME_H} + {CELL_ROW} per cell), at least {}",
        SIZE.0 + WIDER,
        legend_h(LEGEND_MORE + CAUSES.len() as u32)
    )
}

/// A cell's median of a measure, and its largest value.
fn median_max(c: &CellSummary, name: &str) -> (Option<f64>, Option<f64>) {
    c.measure(name)
        .map_or((None, None), |d| (d.median.value, d.max))
}

/// One of the clients chart's panels: a value across, a row per cell.
type Panel<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Three panels side by side, a row per cell: the clients' downtime
/// (median over the runs of each run's median client, and the slowest
/// client of any run), their failed requests per run by cause, and the new
/// writer's busiest second with the connections it accepted in its first
/// 30 s.
pub(super) fn clients<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &SweepSummary,
) -> Drawn<DB> {
    let causes: Vec<usize> = (0..CAUSES.len())
        .filter(|&k| {
            s.cells
                .iter()
                .any(|c| c.client_errors.get(k).is_some_and(|&n| n > 0.0))
        })
        .collect();
    let mut legend = vec![
        ("median client".to_owned(), Mark::Block(NAVY, 1.0)),
        ("slowest client".to_owned(), Mark::Block(NAVY_TINT, 1.0)),
    ];
    legend.extend(causes.iter().map(|&k| {
        (
            format!("error: {}", CAUSES[k].0),
            Mark::Block(CAUSES[k].1, 1.0),
        )
    }));
    legend.push(("new writer's peak CPU".to_owned(), Mark::Block(BROWN, 1.0)));
    let runs = s.cells.first().map_or(0, |c| c.runs);
    let title = format!(
        "{}: what clients saw of the failover, per cell ({runs} run{} each)",
        s.scenario,
        if runs == 1 { "" } else { "s" }
    );
    let plot = frame(root, &title, &legend)?;
    let (labels, plot) = plot.split_horizontally(CELL_LABEL_W);
    // The settings that differ between cells: the others say nothing
    // about which cell a row is.
    let varied: Vec<bool> = (0..s.settings.len())
        .map(|k| {
            s.cells
                .iter()
                .any(|c| c.settings.get(k) != s.cells[0].settings.get(k))
        })
        .collect();
    let panels = plot.split_evenly((1, 3));
    let n = s.cells.len().max(1) as f64;
    let downtime_max = s
        .cells
        .iter()
        .filter_map(|c| median_max(c, CLIENT_MEASURE).1)
        .fold(1.0, f64::max)
        * 1.6;
    let errors_max = s
        .cells
        .iter()
        .map(|c| c.client_errors.iter().sum::<f64>())
        .fold(1.0, f64::max)
        * 1.4;
    let mut down = panel(&panels[0], n, downtime_max, "client downtime (s)", false)?;
    let mut errs = panel(&panels[1], n, errors_max, "failed requests per run", false)?;
    let mut cpu = panel(
        &panels[2],
        n,
        2.0,
        "new writer's busiest second (CPU)",
        true,
    )?;
    for (i, c) in s.cells.iter().enumerate() {
        let y = n - 1.0 - i as f64;
        downtime_bars(&mut down, c, y)?;
        error_bar(&mut errs, c, y, &causes)?;
        cpu_bar(&mut cpu, c, y)?;
        let (_, py) = down.backend_coord(&(0.0, y + 0.5));
        let (_, top) = labels.get_base_pixel();
        let lines = cell_lines(&c.settings, &varied);
        let first = py - top - 8 * lines.len() as i32;
        for (k, line) in lines.into_iter().enumerate() {
            labels.draw(&Text::new(line, (8, first + 16 * k as i32), text(14)))?;
        }
    }
    Ok(())
}

/// A panel on `area` for `n` cells, `0..x_max` across; a `percent` panel
/// labels shares of a CPU.
fn panel<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    n: f64,
    x_max: f64,
    desc: &str,
    percent: bool,
) -> Result<Panel<'a, DB>, DrawingAreaErrorKind<DB::ErrorType>> {
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .x_label_area_size(48)
        .y_label_area_size(0)
        .build_cartesian_2d(0.0..x_max, 0.0..n)?;
    // A CPU panel runs past 100 % only to leave room for the bars'
    // words: no label or grid line says a CPU can be busier.
    let label = |v: &f64| match percent {
        true if *v > 1.0 => String::new(),
        true => format!("{:.0} %", v * 100.0),
        // Fractions where the axis is short: 0.5, 1, 1.5 rather than
        // 0, 1, 1, 2.
        false => tick(v),
    };
    let mut mesh = chart.configure_mesh();
    mesh.disable_y_axis()
        .disable_y_mesh()
        .x_labels(5)
        .x_label_formatter(&label)
        .light_line_style(WHITE.mix(0.0))
        .x_desc(desc)
        .axis_desc_style(text(16))
        .label_style(text(14));
    if percent {
        mesh.disable_x_mesh();
    }
    mesh.draw()?;
    Ok(chart)
}

/// A cell's downtime: the slowest client's bar, the median client's
/// inside it, and both in words.
fn downtime_bars<DB: DrawingBackend>(down: &mut Panel<DB>, c: &CellSummary, y: f64) -> Drawn<DB> {
    let (p50, _) = median_max(c, "client_rto_p50_s");
    let (_, worst) = median_max(c, CLIENT_MEASURE);
    let never = c.measure(CLIENT_MEASURE).is_some_and(|d| d.never > 0);
    for (v, colour, lo, hi) in [(worst, NAVY_TINT, 0.15, 0.85), (p50, NAVY, 0.3, 0.7)] {
        if let Some(v) = v {
            down.draw_series(std::iter::once(Rectangle::new(
                [(0.0, y + lo), (v, y + hi)],
                colour.filled(),
            )))?;
        }
    }
    let words = match (p50, worst) {
        _ if never => "some not back by the end".to_owned(),
        (Some(a), Some(b)) => format!("{a:.1} / {b:.1} s"),
        _ => "-".to_owned(),
    };
    // After the longer bar, whichever was measured.
    let at = worst.into_iter().chain(p50).fold(0.0, f64::max);
    down.draw_series(std::iter::once(
        EmptyElement::at((at, y + 0.5)) + Text::new(words, (6, -8), text(14)),
    ))?;
    Ok(())
}

/// A cell's failed requests per run, stacked by cause, and their total.
fn error_bar<DB: DrawingBackend>(
    errs: &mut Panel<DB>,
    c: &CellSummary,
    y: f64,
    causes: &[usize],
) -> Drawn<DB> {
    let mut x = 0.0;
    for &k in causes {
        let len = c.client_errors.get(k).copied().unwrap_or(0.0);
        if len > 0.0 {
            errs.draw_series(std::iter::once(Rectangle::new(
                [(x, y + 0.2), (x + len, y + 0.8)],
                CAUSES[k].1.filled(),
            )))?;
        }
        x += len;
    }
    errs.draw_series(std::iter::once(
        EmptyElement::at((x, y + 0.5)) + Text::new(format!("{x:.0}"), (6, -8), text(14)),
    ))?;
    Ok(())
}

/// A cell's new writer: its busiest second of CPU, with the connections
/// it took and its commit p99 in words.
fn cpu_bar<DB: DrawingBackend>(cpu: &mut Panel<DB>, c: &CellSummary, y: f64) -> Drawn<DB> {
    let (peak, _) = median_max(c, "new_writer_cpu_peak");
    let (conns, _) = median_max(c, "new_writer_connections");
    let (p99, _) = median_max(c, "new_writer_commit_p99_peak_ms");
    if let Some(p) = peak {
        cpu.draw_series(std::iter::once(Rectangle::new(
            [(0.0, y + 0.2), (p, y + 0.8)],
            BROWN.filled(),
        )))?;
        let words = format!(
            "{:.0} %, {} conns, p99 {}",
            p * 100.0,
            conns.map_or("-".to_owned(), |n| format!("{n:.0}")),
            p99.map_or("-".to_owned(), |v| format!("{v:.0} ms"))
        );
        cpu.draw_series(std::iter::once(
            EmptyElement::at((p, y + 0.5)) + Text::new(words, (6, -8), text(14)),
        ))?;
    }
    Ok(())
}

/// A cell's settings as at most three short lines for the label column:
/// those that differ between cells (`varied`; all of them when none
/// does), each value without its braces, named by its path's last part,
/// wrapped after commas.
fn cell_lines(settings: &[String], varied: &[bool]) -> Vec<String> {
    const WIDE: usize = 30;
    if settings.is_empty() {
        return vec!["as written".to_owned()];
    }
    let shown: Vec<&String> = if varied.iter().any(|&v| v) {
        settings
            .iter()
            .zip(varied)
            .filter(|(_, &v)| v)
            .map(|(s, _)| s)
            .collect()
    } else {
        settings.iter().collect()
    };
    let mut lines: Vec<String> = Vec::new();
    for s in shown {
        let (path, value) = s.split_once('=').unwrap_or(("", s));
        let name = path.rsplit('.').next().unwrap_or(path);
        let value = value.replace(['{', '}'], "");
        let parts: Vec<&str> = value.split(", ").collect();
        let mut line = format!("{name} ");
        for (k, part) in parts.iter().enumerate() {
            let part = if k + 1 < parts.len() {
                format!("{part},")
            } else {
                (*part).to_owned()
            };
            if line.chars().count() + part.chars().count() > WIDE && !line.trim().is_empty() {
                lines.push(line.trim_end().to_owned());
                line = "  ".to_owned();
            }
            line.push_str(&part);
            line.push(' ');
        }
        lines.push(line.trim_end().trim_end_matches(':').to_owned());
    }
    if lines.len() > 3 {
        lines.truncate(3);
        lines[2].push('…');
    }
    lines
}
