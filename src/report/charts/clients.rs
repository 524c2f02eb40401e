//! What the application's clients saw: their failed requests per second
//! by cause, one panel per client group on one scale; and, a lane per
//! group, whether their requests succeeded, failed or waited over time.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::frame::{
    band_h, draw_notes, fault_legend, fault_notes, lay_out, legend_h, mark_back, mark_faults,
    shade_outages, text, tick, time_axes, timed_frame, wrap, Drawn, Mark, Note, CAUSES, GREEN,
    LANE_H, LEGEND_ROW, MARGIN, SIZE, Y_LABEL_W,
};
use crate::metrics::Summary;
use crate::report::Results;
use crate::vocab::{ClientError, ERROR_KINDS};

/// Height of one client group's panel.
const PANEL_H: u32 = 150;
/// Height above the panels: the title, and room for the notes' lanes.
const CLIENTS_TOP: u32 = 50;
/// Height below the panels: the time axis.
const CLIENTS_AXIS: u32 = 50;

/// Height of the client chart without its panels: the title, three lanes
/// of notes and the time axis.
const CLIENTS_FRAME_H: u32 = CLIENTS_TOP + 3 * LANE_H as u32 + CLIENTS_AXIS;
/// Legend entries the client chart always makes room for besides the
/// fault and recovery markers: every cause and three more (the cluster
/// writable again, a write outage, and room to spare).
const CLIENTS_LEGEND: u32 = CAUSES.len() as u32 + 3;

/// The client chart's size: a panel per client group, and room for its
/// legend.
pub(super) fn clients_size(r: &Results) -> (u32, u32) {
    let groups = r.summary.client_groups.len() as u32;
    let legend = legend_h(CLIENTS_LEGEND + fault_legend(r).len() as u32);
    (SIZE.0, (CLIENTS_FRAME_H + groups * PANEL_H).max(legend))
}

/// [`clients_size`] in words, for the charts' reference.
pub(super) fn clients_size_rule() -> String {
    format!(
        "{} × ({CLIENTS_FRAME_H} + {PANEL_H} per client group), at least {} + {LEGEND_ROW} per kind of fault or recovery marker",
        SIZE.0,
        legend_h(CLIENTS_LEGEND)
    )
}

/// One group's per-bin failed-request counts, by cause.
type ByCause = [Vec<Option<f64>>; ERROR_KINDS];

/// The per-bin failed-request counts of one group, by cause.
fn group_errors(r: &Results, group: &str) -> ByCause {
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
        format!(": {} clients, {}", c.count, c.connects())
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
pub(super) fn clients<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, r: &Results) -> Drawn<DB> {
    let s = &r.summary;
    let bin = r.timeline.bin_s();
    let errors: Vec<ByCause> = s
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
        // The heading on as many lines as it needs, up to three.
        let left = MARGIN + Y_LABEL_W + 4;
        let room = (w - left - MARGIN).max(1) as u32;
        let mut lines = wrap(&area, &group_heading(s, i), &text(14), room)?;
        if lines.len() > 3 {
            lines.truncate(3);
            lines[2].push('…');
        }
        let mut chart = ChartBuilder::on(&area)
            .margin_left(MARGIN)
            .margin_right(MARGIN)
            .margin_top(4 + 18 * lines.len() as i32)
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
        for (k, line) in lines.iter().enumerate() {
            area.draw(&Text::new(
                line.clone(),
                (left, 2 + 18 * k as i32),
                text(14),
            ))?;
        }
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

/// A bin in which every completed request of the group succeeded.
const SUCCEEDED: RGBColor = RGBColor(199, 233, 192);
/// A bin in which none of the group's requests completed: its clients
/// were all waiting (on a timeout, a connection, DNS, a held commit). A
/// mid grey, apart from the pale grey of a write outage drawn beside it
/// and from the dark grey of requests the proxy shed.
const WAITING: RGBColor = RGBColor(165, 165, 165);

/// What each client group saw over time, one lane per group (Jepsen's
/// per-process timelines, a bin at a time): every completed request
/// succeeded, all failed (coloured by the commonest cause), some failed
/// (the lane's lower half in that colour), or none completed.
pub(super) fn timeline<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    r: &Results,
) -> Drawn<DB> {
    let s = &r.summary;
    let groups: Vec<(&str, Vec<Option<f64>>, ByCause)> = s
        .client_groups
        .iter()
        .map(|g| {
            let ok = r
                .timeline
                .group_ok(&g.name)
                .map_or_else(Vec::new, <[_]>::to_vec);
            (g.name.as_str(), ok, group_errors(r, &g.name))
        })
        .collect();
    let worst = |errors: &ByCause, b: usize| {
        (0..ERROR_KINDS)
            .map(|k| (errors[k].get(b).copied().flatten().unwrap_or(0.0), k))
            .filter(|(n, _)| *n > 0.0)
            .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)))
            .map(|(_, k)| k)
    };
    // What a group saw in bin `b`: whether some request succeeded, and
    // the commonest cause of those that failed.
    let saw = |ok: &[Option<f64>], errors: &ByCause, b: usize| {
        let succeeded = ok.get(b).copied().flatten().unwrap_or(0.0) > 0.0;
        (succeeded, worst(errors, b))
    };
    let bins = r.timeline.t_s().len();
    let seen = |what: &dyn Fn((bool, Option<usize>)) -> bool| {
        groups
            .iter()
            .any(|(_, ok, e)| (0..bins).any(|b| what(saw(ok, e, b))))
    };
    let causes: Vec<usize> = (0..ERROR_KINDS)
        .filter(|&k| seen(&|(_, worst)| worst == Some(k)))
        .collect();
    // Only what the chart shows is in its legend.
    let mut legend = Vec::new();
    if seen(&|(succeeded, worst)| succeeded && worst.is_none()) {
        legend.push((
            "every request succeeded".to_owned(),
            Mark::Block(SUCCEEDED, 1.0),
        ));
    }
    if seen(&|(succeeded, worst)| !succeeded && worst.is_none()) {
        legend.push((
            "none completed (waiting)".to_owned(),
            Mark::Block(WAITING, 1.0),
        ));
    }
    for &k in &causes {
        legend.push((
            format!("failed: {}", CAUSES[k].0),
            Mark::Block(CAUSES[k].1, 1.0),
        ));
    }
    let title = format!(
        "{}: what each client group saw (some failed: lower half)",
        s.scenario
    );
    let plot = timed_frame(root, r, &title, legend, false)?;
    let n = groups.len().max(1) as f64;
    let mut chart = time_axes(&plot, r, &fault_notes(r), 0.0..n, "client groups", 0)?;
    // Between the lanes: when the cluster itself could not write.
    shade_outages(&mut chart, r, (0.0, n))?;
    let bin = r.timeline.bin_s();
    for (i, (name, ok, errors)) in groups.iter().enumerate() {
        // The first group on top.
        let (low, high) = (n - i as f64 - 0.9, n - i as f64 - 0.25);
        let middle = (low + high) / 2.0;
        for (b, &t) in r.timeline.t_s().iter().enumerate() {
            let blocks = match saw(ok, errors, b) {
                (true, None) => vec![(low, high, SUCCEEDED)],
                (false, None) => vec![(low, high, WAITING)],
                (true, Some(k)) => vec![(middle, high, SUCCEEDED), (low, middle, CAUSES[k].1)],
                (false, Some(k)) => vec![(low, high, CAUSES[k].1)],
            };
            chart.draw_series(
                blocks
                    .into_iter()
                    .map(|(a, b, colour)| Rectangle::new([(t, a), (t + bin, b)], colour.filled())),
            )?;
        }
        chart.draw_series(std::iter::once(Text::new(
            (*name).to_owned(),
            (0.0, high + 0.2),
            text(14),
        )))?;
    }
    mark_back(&mut chart, r, (0.0, n))?;
    mark_faults(&mut chart, &s.faults, (0.0, n))
}
