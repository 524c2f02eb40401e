//! Charts of studies: how a measure is distributed over a sweep's runs,
//! cell by cell, a heat map of its median over a two-setting grid, and
//! the durability study's probabilities with their intervals.

use std::io;
use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    fonts, frame, svg_sized, text, Drawn, Mark, BLUE, CAUSES, SERIES, SIZE, SKY, VERMILLION,
};
use crate::study::durability::DurabilityResult;
use crate::study::stats::Estimate;
use crate::study::sweep::{SweepSummary, MEASURES};

/// A chart of a study.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StudyChart {
    /// Empirical CDF of the headline measure, one line per cell.
    Distribution,
    /// Median of the headline measure over a two-setting grid.
    Heatmap,
    /// Median slowest-client RTO over a two-setting grid.
    ClientHeatmap,
    /// Durability: probabilities per PG-year, per cell.
    PerPgYear,
    /// Durability: probabilities per volume-year, per cell.
    PerVolumeYear,
    /// What clients and the new writer went through, cell by cell: client
    /// downtime, failed requests by cause, the new writer's busiest
    /// second and the connections it took.
    Clients,
}

impl StudyChart {
    /// Every study chart.
    pub const ALL: [StudyChart; 6] = [
        StudyChart::Distribution,
        StudyChart::Heatmap,
        StudyChart::ClientHeatmap,
        StudyChart::PerPgYear,
        StudyChart::PerVolumeYear,
        StudyChart::Clients,
    ];

    /// The file name without extension.
    pub fn stem(self) -> &'static str {
        match self {
            StudyChart::Distribution => "distribution",
            StudyChart::Heatmap => "heatmap",
            StudyChart::ClientHeatmap => "heatmap-clients",
            StudyChart::PerPgYear => "per-pg-year",
            StudyChart::PerVolumeYear => "per-volume-year",
            StudyChart::Clients => "clients",
        }
    }
}

/// What a study chart is drawn from.
#[derive(Clone, Copy)]
pub enum StudyData<'a> {
    /// A sweep.
    Sweep(&'a SweepSummary),
    /// A durability study.
    Durability(&'a DurabilityResult),
}

impl StudyData<'_> {
    /// The charts that apply: the heat map needs exactly two settings.
    pub fn charts(self) -> Vec<StudyChart> {
        match self {
            StudyData::Sweep(s) => {
                let mut charts = vec![StudyChart::Distribution];
                let clients = s.cells.iter().any(|c| c.measure(CLIENT_MEASURE).is_some());
                if s.settings.len() == 2 {
                    charts.push(StudyChart::Heatmap);
                    if clients {
                        charts.push(StudyChart::ClientHeatmap);
                    }
                }
                if clients {
                    charts.push(StudyChart::Clients);
                }
                charts
            }
            StudyData::Durability(_) => vec![StudyChart::PerPgYear, StudyChart::PerVolumeYear],
        }
    }

    fn draw<DB: DrawingBackend>(
        self,
        chart: StudyChart,
        root: &DrawingArea<DB, Shift>,
    ) -> Drawn<DB> {
        match (self, chart) {
            (StudyData::Sweep(s), StudyChart::Heatmap) => heatmap(root, s, &s.headline),
            (StudyData::Sweep(s), StudyChart::ClientHeatmap) => heatmap(root, s, CLIENT_MEASURE),
            (StudyData::Sweep(s), StudyChart::Clients) => clients(root, s),
            (StudyData::Sweep(s), _) => distribution(root, s),
            (StudyData::Durability(r), StudyChart::PerVolumeYear) => probabilities(root, r, false),
            (StudyData::Durability(r), _) => probabilities(root, r, true),
        }
    }

    /// The chart's size in pixels.
    pub fn size(self, chart: StudyChart) -> (u32, u32) {
        match (self, chart) {
            (StudyData::Sweep(s), StudyChart::Clients) => clients_size(s),
            _ => SIZE,
        }
    }

    /// The chart as SVG.
    pub fn svg(self, chart: StudyChart) -> String {
        svg_sized(self.size(chart), |root| self.draw(chart, root))
    }

    /// Writes every chart that applies as PNG and SVG into `dir`; returns
    /// the file names.
    pub fn write_all(self, dir: &Path) -> io::Result<Vec<String>> {
        let mut names = Vec::new();
        for chart in self.charts() {
            fonts();
            let png = format!("{}.png", chart.stem());
            {
                let path = dir.join(&png);
                let root = super::Glyphs::new(BitMapBackend::new(&path, self.size(chart)))
                    .into_drawing_area();
                self.draw(chart, &root).map_err(io::Error::other)?;
                root.present().map_err(io::Error::other)?;
            }
            let svg = format!("{}.svg", chart.stem());
            std::fs::write(dir.join(&svg), self.svg(chart))?;
            names.extend([png, svg]);
        }
        Ok(names)
    }
}

/// What the second heat map shows: what clients saw, which the DNS
/// settings move and the cluster RTO does not show.
const CLIENT_MEASURE: &str = "client_rto_max_s";

/// A measure's description.
fn what(name: &str) -> &'static str {
    MEASURES
        .iter()
        .find(|m| m.name == name)
        .map_or("", |m| m.what)
}

/// The headline measure's description.
fn headline_what(s: &SweepSummary) -> &'static str {
    what(&s.headline)
}

/// A short label for a cell: its values, in the order of the settings
/// the chart's title names.
fn cell_label(settings: &[String]) -> String {
    if settings.is_empty() {
        return "as written".to_owned();
    }
    let values: Vec<&str> = settings
        .iter()
        .map(|s| s.split_once('=').map_or(s.as_str(), |(_, v)| v))
        .collect();
    let label = values.join(" · ");
    if label.chars().count() > 26 {
        let short: String = label.chars().take(25).collect();
        format!("{short}…")
    } else {
        label
    }
}

fn distribution<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, s: &SweepSummary) -> Drawn<DB> {
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

/// Height of one cell's row in the clients chart: three lines of label.
const CELL_ROW: u32 = 56;

/// Width of the cell-label column of the clients chart.
const CELL_LABEL_W: u32 = 250;

/// The clients chart's size: a row per cell.
fn clients_size(s: &SweepSummary) -> (u32, u32) {
    let legend = 4 + CAUSES.len() as u32;
    let rows = 150 + CELL_ROW * s.cells.len() as u32;
    (SIZE.0 + 400, rows.max(60 + 24 * legend))
}

/// A cell's median of a measure, and its largest value.
fn median_max(c: &crate::study::sweep::CellSummary, name: &str) -> (Option<f64>, Option<f64>) {
    c.measure(name)
        .map_or((None, None), |d| (d.median.value, d.max))
}

/// Three panels side by side, a row per cell: the clients' downtime
/// (median over the runs of each run's median client, and the slowest
/// client of any run), their failed requests per run by cause, and the new
/// writer's busiest second with the connections it accepted in its first
/// 30 s.
fn clients<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, s: &SweepSummary) -> Drawn<DB> {
    let causes: Vec<usize> = (0..CAUSES.len())
        .filter(|&k| {
            s.cells
                .iter()
                .any(|c| c.client_errors.get(k).is_some_and(|&n| n > 0.0))
        })
        .collect();
    let mut legend = vec![
        ("median client".to_owned(), Mark::Block(BLUE, 1.0)),
        ("slowest client".to_owned(), Mark::Block(SKY, 1.0)),
    ];
    legend.extend(causes.iter().map(|&k| {
        (
            format!("error: {}", CAUSES[k].0),
            Mark::Block(CAUSES[k].1, 1.0),
        )
    }));
    legend.push((
        "new writer's peak CPU".to_owned(),
        Mark::Block(VERMILLION, 1.0),
    ));
    let runs = s.cells.first().map_or(0, |c| c.runs);
    let title = format!(
        "{}: what clients saw of the failover, per cell ({runs} run{} each)",
        s.scenario,
        if runs == 1 { "" } else { "s" }
    );
    let plot = frame(root, &title, &legend)?;
    let (labels, plot) = plot.split_horizontally(CELL_LABEL_W);
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
    let panel = |area: &DrawingArea<DB, Shift>, x_max: f64, desc: &str, percent: bool| {
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
            false => format!("{v:.0}"),
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
        Ok::<_, DrawingAreaErrorKind<DB::ErrorType>>(chart)
    };
    let mut down = panel(&panels[0], downtime_max, "client downtime (s)", false)?;
    let mut errs = panel(&panels[1], errors_max, "failed requests per run", false)?;
    let mut cpu = panel(&panels[2], 2.0, "new writer's busiest second (CPU)", true)?;
    for (i, c) in s.cells.iter().enumerate() {
        let y = n - 1.0 - i as f64;
        let (p50, _) = median_max(c, "client_rto_p50_s");
        let (_, worst) = median_max(c, CLIENT_MEASURE);
        let never = c.measure(CLIENT_MEASURE).is_some_and(|d| d.never > 0);
        for (v, colour, lo, hi) in [(worst, SKY, 0.15, 0.85), (p50, BLUE, 0.3, 0.7)] {
            if let Some(v) = v {
                down.draw_series(std::iter::once(Rectangle::new(
                    [(0.0, y + lo), (v, y + hi)],
                    colour.filled(),
                )))?;
            }
        }
        let words = match (p50, worst) {
            _ if never => "some never back".to_owned(),
            (Some(a), Some(b)) => format!("{a:.1} / {b:.1} s"),
            _ => "-".to_owned(),
        };
        let at = worst.unwrap_or(0.0);
        down.draw_series(std::iter::once(
            EmptyElement::at((at, y + 0.5)) + Text::new(words, (6, -8), text(14)),
        ))?;
        let mut x = 0.0;
        for &k in &causes {
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
        let (peak, _) = median_max(c, "new_writer_cpu_peak");
        let (conns, _) = median_max(c, "new_writer_connections");
        let (p99, _) = median_max(c, "new_writer_commit_p99_peak_ms");
        if let Some(p) = peak {
            cpu.draw_series(std::iter::once(Rectangle::new(
                [(0.0, y + 0.2), (p, y + 0.8)],
                VERMILLION.filled(),
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
        let (_, py) = down.backend_coord(&(0.0, y + 0.5));
        let (_, top) = labels.get_base_pixel();
        let lines = cell_lines(&c.settings);
        let first = py - top - 8 * lines.len() as i32;
        for (k, line) in lines.into_iter().enumerate() {
            labels.draw(&Text::new(line, (8, first + 16 * k as i32), text(14)))?;
        }
    }
    Ok(())
}

/// A cell's settings as at most three short lines for the label column:
/// each value without its braces, named by its path's last part, wrapped
/// at commas.
fn cell_lines(settings: &[String]) -> Vec<String> {
    const WIDE: usize = 30;
    if settings.is_empty() {
        return vec!["as written".to_owned()];
    }
    let mut lines: Vec<String> = Vec::new();
    for s in settings {
        let (path, value) = s.split_once('=').unwrap_or(("", s));
        let name = path.rsplit('.').next().unwrap_or(path);
        let value = value.replace(['{', '}'], "");
        let mut line = format!("{name} ");
        for (k, part) in value.split(", ").enumerate() {
            let part = if k > 0 {
                format!("{part},")
            } else {
                part.to_owned()
            };
            if line.chars().count() + part.chars().count() > WIDE && !line.trim().is_empty() {
                lines.push(line.trim_end().to_owned());
                line = "  ".to_owned();
            }
            line.push_str(&part);
            line.push(' ');
        }
        lines.push(line.trim_end().trim_end_matches([',', ':']).to_owned());
    }
    if lines.len() > 3 {
        lines.truncate(3);
        lines[2].push('…');
    }
    lines
}

/// " (cells: dns.ttl · control_plane.health_check_interval)" for a title.
fn cells_named(settings: &[String]) -> String {
    if settings.is_empty() {
        return String::new();
    }
    let paths: Vec<&str> = settings
        .iter()
        .map(|s| s.split_once('=').map_or(s.as_str(), |(p, _)| p))
        .collect();
    format!(" (cells: {})", paths.join(" · "))
}

fn heatmap<DB: DrawingBackend>(
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

/// The label of the category whose centre is at `v` (categories sit at
/// `i + 0.5`); empty elsewhere.
fn category(values: &[String], v: f64) -> String {
    let i = (v - 0.5).round();
    if (v - 0.5 - i).abs() < 1e-6 && i >= 0.0 {
        values.get(i as usize).cloned().unwrap_or_default()
    } else {
        String::new()
    }
}

fn probabilities<DB: DrawingBackend>(
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
