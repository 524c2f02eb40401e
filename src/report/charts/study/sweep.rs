//! A sweep's measures: how the headline is distributed over each cell's
//! runs, and a heat map of a measure's median over a two-setting grid.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{category, cell_label, cells_named, what};
use crate::report::charts::frame::{frame, text, Drawn, Mark, BLUE, SERIES, VERMILLION};
use crate::study::sweep::SweepSummary;

/// The headline measure's description.
fn headline_what(s: &SweepSummary) -> &'static str {
    what(&s.headline)
}

/// The empirical CDF of the headline measure, one line per cell.
pub(super) fn distribution<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &SweepSummary,
) -> Drawn<DB> {
    let legend: Vec<(String, Mark)> = s
        .cells
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let never = c.headline_sample.iter().filter(|v| v.is_none()).count();
            let mut label = cell_label(&c.settings);
            if never > 0 {
                label += &format!(" ({never} never)");
            }
            (label, Mark::Line(SERIES[i % SERIES.len()]))
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
    let max = s
        .cells
        .iter()
        .flat_map(|c| c.headline_sample.iter().flatten())
        .fold(0.0f64, |a, b| a.max(*b));
    let x_max = if max > 0.0 { max * 1.05 } else { 1.0 };
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
    for (i, c) in s.cells.iter().enumerate() {
        let n = c.headline_sample.len().max(1) as f64;
        let mut points = vec![(0.0, 0.0)];
        for (k, v) in c.headline_sample.iter().enumerate() {
            let Some(v) = v else { break };
            let below = k as f64 / n;
            points.push((*v, below));
            points.push((*v, (k + 1) as f64 / n));
        }
        if let Some(&(_, y)) = points.last() {
            points.push((x_max, y));
        }
        // Earlier cells are drawn wider, so identical curves stay visible
        // as nested bands.
        let width = 2 + 2 * (s.cells.len() - 1 - i).min(4) as u32;
        let colour = SERIES[i % SERIES.len()];
        chart.draw_series(LineSeries::new(points, colour.stroke_width(width)))?;
    }
    Ok(())
}

/// The median of `measure` per cell of a two-setting grid.
pub(super) fn heatmap<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &SweepSummary,
    measure: &str,
) -> Drawn<DB> {
    let split = |setting: &str| -> (String, Vec<String>) {
        let (path, values) = setting.split_once('=').unwrap_or((setting, ""));
        (
            path.to_owned(),
            values.split(',').map(str::to_owned).collect(),
        )
    };
    let (y_path, y_values) = split(&s.settings[0]);
    let (x_path, x_values) = split(&s.settings[1]);
    let median = |c: usize| {
        s.cells[c]
            .measures
            .iter()
            .find(|m| m.measure == measure)
            .and_then(|m| m.distribution.median.value)
    };
    let medians: Vec<Option<f64>> = (0..s.cells.len()).map(median).collect();
    let hi = medians.iter().flatten().fold(0.0f64, |a, b| a.max(*b));
    let legend = vec![
        ("longest median".to_owned(), Mark::Block(BLUE, 1.0)),
        ("shortest".to_owned(), Mark::Block(BLUE, 0.15)),
        ("never (median)".to_owned(), Mark::Block(VERMILLION, 0.8)),
    ];
    let title = format!("{}: median {} by setting", s.scenario, what(measure));
    let plot = frame(root, &title, &legend)?;
    let (nx, ny) = (x_values.len(), y_values.len());
    let mut chart = ChartBuilder::on(&plot)
        .margin(12)
        .x_label_area_size(48)
        .y_label_area_size(110)
        .build_cartesian_2d(0.0..nx as f64, 0.0..ny as f64)?;
    let xv = x_values.clone();
    let yv = y_values.clone();
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(x_path)
        .y_desc(y_path)
        .x_labels(nx * 2 + 1)
        .y_labels(ny * 2 + 1)
        .x_label_formatter(&move |v| category(&xv, *v))
        .y_label_formatter(&move |v| category(&yv, *v))
        .axis_desc_style(text(16))
        .label_style(text(14))
        .draw()?;
    for (c, m) in medians.iter().enumerate() {
        let (row, col) = (c / nx, c % nx);
        let (x0, y0) = (col as f64, row as f64);
        let shade = match m {
            Some(v) if hi > 0.0 => 0.15 + 0.85 * v / hi,
            Some(_) => 0.15,
            None => 1.0,
        };
        let fill = if m.is_some() {
            BLUE.mix(shade)
        } else {
            VERMILLION.mix(0.8)
        };
        chart.draw_series(std::iter::once(Rectangle::new(
            [(x0, y0), (x0 + 1.0, y0 + 1.0)],
            fill.filled(),
        )))?;
        let label = m.map_or_else(|| "never".to_owned(), |v| format!("{v:.2} s"));
        let colour = if shade > 0.55 { WHITE } else { BLACK };
        chart.draw_series(std::iter::once(Text::new(
            label,
            (x0 + 0.4, y0 + 0.55),
            text(16).color(&colour),
        )))?;
    }
    Ok(())
}
