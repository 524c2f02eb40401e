//! What storage went through over time: quorum health, repair progress
//! and the busiest storage node's load.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::frame::{
    fault_notes, mark_back, mark_faults, peak, shade_outages, steps, time_axes, timed_frame, Drawn,
    Mark, BLUE, GREEN, ORANGE, PURPLE, VERMILLION,
};
use crate::report::Results;

/// PGs below write and read quorum and out of the writer's reach, and
/// segments being repaired, as steps.
pub(super) fn quorum<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, r: &Results) -> Drawn<DB> {
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

/// PGs at full copy count and the busiest node's disk and NIC, in %.
pub(super) fn storage<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, r: &Results) -> Drawn<DB> {
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
