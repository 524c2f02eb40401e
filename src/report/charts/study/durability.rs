//! A durability study's probabilities, per PG-year or per volume-year,
//! with their intervals, on a log10 axis.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{category, cell_label, cells_named};
use crate::report::charts::frame::{frame, text, Drawn, Mark, BLUE, VERMILLION};
use crate::study::durability::DurabilityResult;
use crate::study::stats::Estimate;

/// The chance of losing write availability, read availability and data,
/// per PG-year or per volume-year, per cell, on a log10 axis.
pub(super) fn probabilities<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    r: &DurabilityResult,
    per_pg: bool,
) -> Drawn<DB> {
    let colours = [VERMILLION, BLUE, BLACK];
    let names = [
        "write availability lost",
        "read availability lost",
        "data lost",
    ];
    let mut legend: Vec<(String, Mark)> = names
        .iter()
        .zip(colours)
        .map(|(n, c)| ((*n).to_owned(), Mark::Line(c)))
        .collect();
    legend.push((
        "▽ none seen: 95 % bound".to_owned(),
        Mark::Block(WHITE, 0.0),
    ));
    legend.push(("│ 95 % interval".to_owned(), Mark::Block(WHITE, 0.0)));
    let unit = if per_pg { "PG-year" } else { "volume-year" };
    let title = format!(
        "{}: probability per {unit}{}",
        r.plan.name,
        cells_named(
            &r.cells
                .first()
                .map(|c| c.settings.clone())
                .unwrap_or_default()
        )
    );
    let plot = frame(root, &title, &legend)?;
    let figures = |c: &crate::study::durability::CellResult| -> Vec<Estimate> {
        let f = if per_pg {
            &c.per_pg_year
        } else {
            &c.per_volume_year
        };
        f.iter().take(3).map(|f| f.estimate).collect()
    };
    let lowest = r
        .cells
        .iter()
        .flat_map(figures)
        .flat_map(|e| [e.value, e.low, e.high])
        .flatten()
        .filter(|v| *v > 0.0)
        .fold(1.0f64, f64::min);
    // Plotted as log10 on a linear axis: plotters' log scale stops
    // labelling below about 1e-15, and losses go far lower.
    let floor = (lowest.log10().floor() - 1.0).max(-300.0);
    let lg = |v: f64| v.log10().max(floor);
    let n = r.cells.len();
    let labels: Vec<String> = r.cells.iter().map(|c| cell_label(&c.settings)).collect();
    let mut chart = ChartBuilder::on(&plot)
        .margin(12)
        .x_label_area_size(48)
        .y_label_area_size(90)
        .build_cartesian_2d(0.0..n as f64, floor..0.3)?;
    let step = ((-floor / 12.0).ceil() as i64).max(1);
    chart
        .configure_mesh()
        .x_labels(n * 2 + 1)
        .x_label_formatter(&|v| category(&labels, *v))
        .y_labels((-floor) as usize * 4 + 1)
        .y_label_formatter(&|v| {
            let decade = v.round();
            if (v - decade).abs() < 1e-9 && (decade as i64) % step == 0 {
                format!("1e{decade}")
            } else {
                String::new()
            }
        })
        .y_desc(format!("probability per {unit}"))
        .axis_desc_style(text(16))
        .label_style(text(14))
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    for (s, colour) in colours.iter().enumerate() {
        let dx = 0.3 + 0.2 * s as f64;
        for (i, c) in r.cells.iter().enumerate() {
            let e = figures(c)[s];
            let x = i as f64 + dx;
            match (e.value, e.high) {
                (Some(v), Some(hi)) if v > 0.0 => {
                    let lo = e.low.filter(|l| *l > 0.0).map_or(floor, lg);
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(x, lo), (x, lg(hi))],
                        colour.stroke_width(2),
                    )))?;
                    chart.draw_series(std::iter::once(Circle::new(
                        (x, lg(v)),
                        5,
                        colour.filled(),
                    )))?;
                }
                (_, Some(hi)) => {
                    chart.draw_series(std::iter::once(
                        EmptyElement::at((x, lg(hi)))
                            + Text::new("▽", (-7, -9), text(18).color(colour)),
                    ))?;
                }
                _ => {}
            }
        }
    }
    Ok(())
}
