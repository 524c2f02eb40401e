//! The validation suite's figures: each published bound beside the
//! simulated quantile and its 95 % interval, on one scale of "simulated ÷
//! published", so that figures in seconds, milliseconds and shares sit in
//! one chart.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::report::charts::frame::{frame, legend_h, text, Drawn, Mark, BLUE, SKY, VERMILLION};
use crate::study::validation::{Judged, Use, ValidationResult};

/// Height of one figure's row.
const ROW: u32 = 34;
/// Height beyond the rows: title, margins, axis.
const FRAME_H: u32 = 150;
/// The chart's width.
const WIDTH: u32 = 1500;
/// Width of the figures' labels.
const LABEL_W: u32 = 470;
/// The scale's ends, as log10 of simulated ÷ published: a tenth to ten
/// times.
const ENDS: (f64, f64) = (-1.0, 1.0);

/// The chart's size: a row per figure.
pub(super) fn size(v: &ValidationResult) -> (u32, u32) {
    let rows = FRAME_H + ROW * v.items.len() as u32;
    (WIDTH, rows.max(legend_h(6)))
}

/// [`size`] in words.
pub(super) fn size_rule() -> String {
    format!("{WIDTH} × ({FRAME_H} + {ROW} per figure)")
}

/// The value a figure's scale is relative to: its upper bound, else its
/// lower one.
fn reference(j: &Judged) -> f64 {
    j.claim.at_most.or(j.claim.at_least).unwrap_or(1.0)
}

/// log10 of `x / r`, held inside the scale; `None` where it has no place
/// on a log scale (zero or below, or a zero reference).
fn place(x: f64, r: f64) -> Option<f64> {
    (x > 0.0 && r > 0.0).then(|| (x / r).log10().clamp(ENDS.0, ENDS.1))
}

/// Every figure: the published range shaded, the simulated quantile a
/// dot (blue for a check, vermillion for a fit) with its interval.
pub(super) fn validation<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    v: &ValidationResult,
) -> Drawn<DB> {
    let legend = vec![
        ("published range".to_owned(), Mark::Block(SKY, 0.35)),
        ("checked figure".to_owned(), Mark::Line(BLUE)),
        ("fitted figure".to_owned(), Mark::Line(VERMILLION)),
        ("│ 95 % interval".to_owned(), Mark::Block(WHITE, 0.0)),
        ("▶ never / beyond 10×".to_owned(), Mark::Block(WHITE, 0.0)),
        ("◀ below 0.1× or ≤ 0".to_owned(), Mark::Block(WHITE, 0.0)),
    ];
    let title = if v.quick {
        "Simulated beside published (short form: few seeds)"
    } else {
        "Simulated beside published"
    };
    let plot = frame(root, title, &legend)?;
    // Checks first, then fits, as in the table: the two are kept apart.
    let rows: Vec<&Judged> = [Use::Check, Use::Fit]
        .into_iter()
        .flat_map(|u| v.items.iter().filter(move |j| j.used == u))
        .collect();
    let n = rows.len();
    let labels: Vec<String> = rows
        .iter()
        .map(|j| {
            let mut l: String = j.figure.chars().take(58).collect();
            if j.figure.chars().count() > 58 {
                l.push('…');
            }
            format!("{l} [{}]", j.used.label())
        })
        .collect();
    let mut chart = ChartBuilder::on(&plot)
        .margin(12)
        .x_label_area_size(48)
        .y_label_area_size(LABEL_W)
        .build_cartesian_2d(ENDS.0..ENDS.1, 0.0..n as f64)?;
    chart
        .configure_mesh()
        .x_labels(9)
        .x_label_formatter(&|x| {
            let ratio = 10f64.powf(*x);
            if ratio >= 1.0 {
                format!("{ratio:.0}×")
            } else {
                format!("{ratio:.1}×")
            }
        })
        .y_labels(n * 2 + 1)
        .y_label_formatter(&|y| {
            let i = (y - 0.5).round();
            if (y - 0.5 - i).abs() < 1e-6 && i >= 0.0 {
                // Row 0 at the top.
                labels
                    .get(n.wrapping_sub(1).wrapping_sub(i as usize))
                    .cloned()
                    .unwrap_or_default()
            } else {
                String::new()
            }
        })
        .x_desc("simulated ÷ published (log scale)")
        .axis_desc_style(text(16))
        .label_style(text(14))
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(0.0, 0.0), (0.0, n as f64)],
        BLACK.mix(0.4).stroke_width(1),
    )))?;
    for (row, j) in rows.iter().enumerate() {
        let y = (n - 1 - row) as f64 + 0.5;
        let r = reference(j);
        let (lo, hi) = (
            j.claim.at_least.and_then(|x| place(x, r)).unwrap_or(ENDS.0),
            j.claim.at_most.and_then(|x| place(x, r)).unwrap_or(ENDS.1),
        );
        chart.draw_series(std::iter::once(Rectangle::new(
            [(lo, y - 0.32), (hi, y + 0.32)],
            SKY.mix(0.35).filled(),
        )))?;
        let colour = match j.used {
            Use::Check => BLUE,
            Use::Fit => VERMILLION,
        };
        let e = &j.estimate;
        // An end the sample does not bound runs to the edge it lies
        // towards; "never" lies to the right of everything.
        let end = |x: Option<f64>, unbounded: bool, far: f64| match (x, unbounded) {
            (_, true) => far,
            (None, false) => ENDS.1,
            (Some(x), false) => place(x, r).unwrap_or(ENDS.0),
        };
        if e.value.is_some() || j.runs > 0 {
            let (a, b) = (
                end(e.low, e.low_unbounded, ENDS.0),
                end(e.high, e.high_unbounded, ENDS.1),
            );
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(a, y), (b, y)],
                colour.stroke_width(2),
            )))?;
        }
        match e.value {
            Some(x) => {
                let at = place(x, r).unwrap_or(ENDS.0);
                let ratio = if x > 0.0 && r > 0.0 {
                    (x / r).log10()
                } else {
                    f64::NEG_INFINITY
                };
                if ratio > ENDS.1 {
                    chart.draw_series(std::iter::once(
                        EmptyElement::at((ENDS.1, y))
                            + Text::new("▶", (-14, -9), text(18).color(&colour)),
                    ))?;
                } else if ratio < ENDS.0 {
                    // Zero, negative (a comparison that made things
                    // worse) or below a tenth: off the scale to the left.
                    chart.draw_series(std::iter::once(
                        EmptyElement::at((ENDS.0, y))
                            + Text::new("◀", (2, -9), text(18).color(&colour)),
                    ))?;
                } else {
                    chart.draw_series(std::iter::once(Circle::new((at, y), 6, colour.filled())))?;
                }
            }
            None if j.runs > 0 => {
                chart.draw_series(std::iter::once(
                    EmptyElement::at((ENDS.1, y))
                        + Text::new("▶ never", (-70, -9), text(14).color(&colour)),
                ))?;
            }
            None => {}
        }
    }
    Ok(())
}
