//! A sweep's measures: how the headline is distributed over each cell's
//! runs, and a heat map of a measure's median over a two-setting grid.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{category, cell_label, cells_named, shorten, what};
use crate::metrics::units::NOT_REACHED;
use crate::report::charts::frame::{frame, text, Drawn, Mark, BLUE, GREY, SERIES, VERMILLION};
use crate::study::sweep::SweepSummary;

/// The headline measure's description.
fn headline_what(s: &SweepSummary) -> &'static str {
    what(&s.headline)
}

/// The empirical CDF of the headline measure, one line per group of
/// cells whose runs measured alike: curves that would lie on each other
/// (every run within [`ALIKE`] of the axis of its counterpart) are drawn
/// once and say how many cells they stand for.
pub(super) fn distribution<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &SweepSummary,
) -> Drawn<DB> {
    let max = s
        .cells
        .iter()
        .flat_map(|c| c.headline_sample.iter().flatten())
        .fold(0.0f64, |a, b| a.max(*b));
    let x_max = if max > 0.0 { max * 1.05 } else { 1.0 };
    let alike = |a: &[Option<f64>], b: &[Option<f64>]| {
        a.len() == b.len()
            && a.iter().zip(b).all(|(x, y)| match (x, y) {
                (Some(x), Some(y)) => (x - y).abs() <= ALIKE * x_max,
                (None, None) => true,
                _ => false,
            })
    };
    let mut groups: Vec<(&[Option<f64>], Vec<usize>)> = Vec::new();
    for (i, c) in s.cells.iter().enumerate() {
        match groups.iter_mut().find(|g| alike(g.0, &c.headline_sample)) {
            Some(g) => g.1.push(i),
            None => groups.push((&c.headline_sample, vec![i])),
        }
    }
    let legend: Vec<(String, Mark)> = groups
        .iter()
        .enumerate()
        .map(|(k, (sample, cells))| {
            let never = sample.iter().filter(|v| v.is_none()).count();
            let mut suffix = String::new();
            if cells.len() > 1 {
                suffix += &format!(" +{} alike", cells.len() - 1);
            }
            if sample.is_empty() {
                suffix += " (none in the run)";
            } else if never > 0 {
                suffix += &format!(" ({never} not reached)");
            }
            let room = LEGEND_CHARS.saturating_sub(suffix.chars().count()).max(8);
            let label = shorten(&cell_label(&s.cells[cells[0]].settings), room);
            (label + &suffix, series_mark(k))
        })
        .collect();
    let title = format!(
        "{}: {} over {} runs{}",
        s.scenario,
        headline_what(s),
        s.runs,
        cells_named(
            &s.cells
                .first()
                .map(|c| c.settings.clone())
                .unwrap_or_default()
        )
    );
    let plot = frame(root, &title, &legend)?;
    let mut chart = ChartBuilder::on(&plot)
        .margin(12)
        .x_label_area_size(48)
        .y_label_area_size(80)
        .build_cartesian_2d(0.0..x_max, 0.0..1.0)?;
    chart
        .configure_mesh()
        .x_desc(format!("{} (s)", headline_what(s)))
        .y_desc("fraction of runs at or below")
        .axis_desc_style(text(16))
        .label_style(text(14))
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    for (k, (sample, _)) in groups.iter().enumerate() {
        // Cells whose runs had nothing to measure draw no curve.
        if sample.is_empty() {
            continue;
        }
        let n = sample.len() as f64;
        let mut points = vec![(0.0, 0.0)];
        for (i, v) in sample.iter().enumerate() {
            let Some(v) = v else { break };
            points.push((*v, i as f64 / n));
            points.push((*v, (i + 1) as f64 / n));
        }
        if let Some(&(_, y)) = points.last() {
            points.push((x_max, y));
        }
        // Curves that differ may still cross and overlap in stretches:
        // earlier ones are drawn wider, so both stay visible there.
        let width = 2 + 2 * (groups.len() - 1 - k).min(3) as u32;
        match series_mark(k) {
            Mark::Dashed(c) => {
                chart.draw_series(DashedLineSeries::new(points, 10, 6, c.stroke_width(width)))?
            }
            Mark::Line(c) | Mark::Block(c, _) => {
                chart.draw_series(LineSeries::new(points, c.stroke_width(width)))?
            }
        };
    }
    Ok(())
}

/// Two runs closer than this share of the axis lie on one another.
const ALIKE: f64 = 0.002;

/// The characters a legend entry has room for.
const LEGEND_CHARS: usize = 26;

/// The `k`th series' mark: the palette's colours solid, then dashed, so
/// that no two series look alike up to twice the palette.
fn series_mark(k: usize) -> Mark {
    let colour = SERIES[k % SERIES.len()];
    if (k / SERIES.len()).is_multiple_of(2) {
        Mark::Line(colour)
    } else {
        Mark::Dashed(colour)
    }
}

/// The median of `measure` per cell of a two-setting grid.
pub(super) fn heatmap<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &SweepSummary,
    measure: &str,
) -> Drawn<DB> {
    // The axes' values come from the cells themselves: a setting's values
    // may hold commas of their own (`{pool: {size: 10, …}}`).
    let axis = |k: usize| -> (String, Vec<String>) {
        let path = s.settings[k].split_once('=').map_or("", |(p, _)| p);
        let mut values: Vec<String> = Vec::new();
        for c in &s.cells {
            let v = setting_value(&c.settings[k]).to_owned();
            if !values.contains(&v) {
                values.push(v);
            }
        }
        (path.to_owned(), values)
    };
    let (y_path, y_values) = axis(0);
    let (x_path, x_values) = axis(1);
    let cells: Vec<(usize, usize, Cell)> = s
        .cells
        .iter()
        .map(|c| {
            let at = |values: &[String], k: usize| {
                let v = setting_value(&c.settings[k]);
                values.iter().position(|x| x == v).unwrap_or_default()
            };
            let value = match c.measures.iter().find(|m| m.measure == measure) {
                None => Cell::NotMeasured,
                Some(m) => m
                    .distribution
                    .median
                    .value
                    .map_or(Cell::Never, Cell::Median),
            };
            (at(&x_values, 1), at(&y_values, 0), value)
        })
        .collect();
    let medians = || {
        cells.iter().filter_map(|c| match c.2 {
            Cell::Median(v) => Some(v),
            _ => None,
        })
    };
    let hi = medians().fold(f64::NEG_INFINITY, f64::max);
    let lo = medians().fold(f64::INFINITY, f64::min);
    // Equal medians get one colour and say so, rather than all reading
    // "longest".
    let spread = hi.is_finite() && format!("{hi:.2}") != format!("{lo:.2}");
    let mut legend = Vec::new();
    if spread {
        legend.push((format!("longest median, {hi:.2} s"), Mark::Block(BLUE, 1.0)));
        legend.push((format!("shortest, {lo:.2} s"), Mark::Block(BLUE, 0.15)));
    } else if hi.is_finite() {
        legend.push((format!("every median {hi:.2} s"), Mark::Block(BLUE, 0.6)));
    }
    if cells.iter().any(|c| c.2 == Cell::Never) {
        legend.push((
            format!("median {NOT_REACHED}"),
            Mark::Block(VERMILLION, 0.8),
        ));
    }
    if cells.iter().any(|c| c.2 == Cell::NotMeasured) {
        legend.push((
            "none in the run to measure".to_owned(),
            Mark::Block(GREY, 0.25),
        ));
    }
    let title = format!("{}: median {} by setting", s.scenario, what(measure));
    let plot = frame(root, &title, &legend)?;
    let y_labels: Vec<String> = y_values.iter().map(|v| short_value(v)).collect();
    let x_labels: Vec<String> = x_values.iter().map(|v| short_value(v)).collect();
    // Room for the longest label and the axis title beside it.
    let widest = y_labels
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0);
    let y_area = (widest as u32 * LABEL_CHAR_W + 44).max(80);
    let (nx, ny) = (x_values.len(), y_values.len());
    let mut chart = ChartBuilder::on(&plot)
        .margin(12)
        .x_label_area_size(48)
        .y_label_area_size(y_area)
        .build_cartesian_2d(0.0..nx as f64, 0.0..ny as f64)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(x_path)
        .y_desc(y_path)
        .x_labels(nx * 2 + 1)
        .y_labels(ny * 2 + 1)
        .x_label_formatter(&move |v| category(&x_labels, *v))
        .y_label_formatter(&move |v| category(&y_labels, *v))
        .axis_desc_style(text(16))
        .label_style(text(14))
        .draw()?;
    for &(col, row, value) in &cells {
        let (x0, y0) = (col as f64, row as f64);
        let (fill, label, shade) = match value {
            Cell::Median(v) => {
                let shade = if spread {
                    0.15 + 0.85 * (v - lo) / (hi - lo)
                } else {
                    0.6
                };
                (BLUE.mix(shade), format!("{v:.2} s"), shade)
            }
            Cell::Never => (VERMILLION.mix(0.8), "not reached".to_owned(), 0.8),
            Cell::NotMeasured => (GREY.mix(0.25), "none in the run".to_owned(), 0.25),
        };
        chart.draw_series(std::iter::once(Rectangle::new(
            [(x0, y0), (x0 + 1.0, y0 + 1.0)],
            fill.filled(),
        )))?;
        let colour = if shade > 0.55 { WHITE } else { BLACK };
        chart.draw_series(std::iter::once(Text::new(
            label,
            (x0 + 0.4, y0 + 0.55),
            text(16).color(&colour),
        )))?;
    }
    Ok(())
}

/// What one cell of a heat map holds.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Cell {
    /// The median over its runs, s.
    Median(f64),
    /// The median run ended before it got there.
    Never,
    /// Its runs had nothing to measure (no failover, no client).
    NotMeasured,
}

/// Roughly the width of one character of 14 px label text.
const LABEL_CHAR_W: u32 = 8;

/// A setting's value for an axis label: without braces, at most 24
/// characters.
fn short_value(v: &str) -> String {
    let v = v.replace(['{', '}'], "");
    shorten(v.trim().trim_end_matches(':').trim(), 24)
}

/// `path=value` → `value`.
fn setting_value(setting: &str) -> &str {
    setting.split_once('=').map_or(setting, |(_, v)| v)
}
