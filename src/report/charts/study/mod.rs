//! Charts of studies: how a measure is distributed over a sweep's runs,
//! cell by cell, a heat map of its median over a two-setting grid, what
//! clients saw per cell, and the durability study's probabilities with
//! their intervals.
//!
//! Each chart is declared once, in `study_charts!` below, as a run's
//! charts are: its stem, what it is drawn from and when it applies, its
//! size, its drawing function and its description. The drawing functions
//! are in `sweep.rs` (distribution, heat maps), `clients.rs` and
//! `durability.rs`.

use std::io;
use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::frame::{fixed_rule, fonts, layouts, svg_sized, Drawn, NARROW, SIZE};
use crate::study::durability::DurabilityResult;
use crate::study::sweep::{SweepSummary, MEASURES};
use crate::study::validation::ValidationResult;

mod clients;
mod durability;
mod sweep;
mod validation;

/// Declares the charts of a study, in report order:
///
/// ```text
/// /// What it shows (its row in docs/charts.md).
/// Variant "file-stem" {
///     from: Sweep(s),  // or Durability(r): the data it is drawn from, named
///     applies: "when, in words" => condition on the data,
///     size: size in pixels => its rule in words,
///     draw: |root| drawing call,
/// }
/// ```
///
/// A doc comment, the data, a condition, a size and a drawing call are
/// all required: an entry without one does not compile.
macro_rules! study_charts {
    ($(
        $(#[doc = $doc:literal])+
        $variant:ident $stem:literal {
            from: $data:ident($d:ident),
            applies: $when:literal => $applies:expr,
            size: $size:expr => $rule:expr,
            draw: |$root:ident| $draw:expr $(,)?
        }
    )+) => {
        /// A chart of a study.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum StudyChart {
            $(
                $(#[doc = $doc])+
                $variant,
            )+
        }

        impl StudyChart {
            /// Every study chart, in report order.
            pub const ALL: [StudyChart; [$($stem),+].len()] = [$(StudyChart::$variant),+];

            /// The file name without extension.
            pub fn stem(self) -> &'static str {
                match self {
                    $(StudyChart::$variant => $stem,)+
                }
            }

            /// What the chart shows: its doc comment as one line.
            pub fn doc(self) -> String {
                let lines: &[&str] = match self {
                    $(StudyChart::$variant => &[$($doc),+],)+
                };
                lines.iter().flat_map(|l| l.split_whitespace()).collect::<Vec<_>>().join(" ")
            }

            /// When the chart is drawn, in words.
            pub fn applies_when(self) -> &'static str {
                match self {
                    $(StudyChart::$variant => $when,)+
                }
            }

            /// How the chart's size follows from the study, in words.
            pub fn size_rule(self) -> String {
                match self {
                    $(StudyChart::$variant => $rule,)+
                }
            }
        }

        impl StudyData<'_> {
            /// Whether `chart` is drawn from this kind of study and has
            /// something to show.
            #[allow(unused_variables)]
            fn applies(self, chart: StudyChart) -> bool {
                match (chart, self) {
                    $((StudyChart::$variant, StudyData::$data($d)) => $applies,)+
                    _ => false,
                }
            }

            /// The chart's size in pixels.
            ///
            /// # Panics
            ///
            /// When the chart is not drawn from this kind of study.
            #[allow(unused_variables)]
            pub fn size(self, chart: StudyChart) -> (u32, u32) {
                match (chart, self) {
                    $((StudyChart::$variant, StudyData::$data($d)) => $size,)+
                    _ => self.not_drawn_from(chart),
                }
            }

            fn draw<DB: DrawingBackend>(
                self,
                chart: StudyChart,
                root: &DrawingArea<DB, Shift>,
            ) -> Drawn<DB> {
                match (chart, self) {
                    $((StudyChart::$variant, StudyData::$data($d)) => {
                        let $root = root;
                        $draw
                    })+
                    _ => self.not_drawn_from(chart),
                }
            }
        }
    };
}

study_charts! {
    /// The empirical CDF of the headline measure over each cell's runs,
    /// one line per cell; the legend counts the runs in which it never
    /// happened.
    Distribution "distribution" {
        from: Sweep(s),
        applies: "the study is a sweep" => true,
        size: SIZE => fixed_rule(),
        draw: |root| sweep::distribution(root, s),
    }
    /// The median of the headline measure in each cell of a two-setting
    /// grid, darker the longer it is (vermillion where the median is
    /// "never").
    Heatmap "heatmap" {
        from: Sweep(s),
        applies: "the sweep varies two settings" => s.settings.len() == 2,
        size: SIZE => fixed_rule(),
        draw: |root| sweep::heatmap(root, s, &s.headline),
    }
    /// The median slowest-client RTO in each cell of a two-setting grid:
    /// what the DNS settings move and the cluster RTO does not show.
    ClientHeatmap "heatmap-clients" {
        from: Sweep(s),
        applies: "the sweep varies two settings and measured clients" => {
            s.settings.len() == 2 && has_clients(s)
        },
        size: SIZE => fixed_rule(),
        draw: |root| sweep::heatmap(root, s, CLIENT_MEASURE),
    }
    /// The chance per PG-year of losing write availability, read
    /// availability and data, per cell, on a log10 axis with 95 %
    /// intervals (▽: a 95 % bound where none was seen).
    PerPgYear "per-pg-year" {
        from: Durability(r),
        applies: "the study is of durability" => true,
        size: SIZE => fixed_rule(),
        draw: |root| durability::probabilities(root, r, true),
    }
    /// The same chances per volume-year.
    PerVolumeYear "per-volume-year" {
        from: Durability(r),
        applies: "the study is of durability" => true,
        size: SIZE => fixed_rule(),
        draw: |root| durability::probabilities(root, r, false),
    }
    /// What clients and the new writer went through, cell by cell: client
    /// downtime (median and slowest client), failed requests per run by
    /// cause, and the new writer's busiest second of CPU with the
    /// connections it took and its commit p99.
    Clients "clients" {
        from: Sweep(s),
        applies: "the sweep measured clients" => has_clients(s),
        size: clients::clients_size(s) => clients::clients_size_rule(),
        draw: |root| clients::clients(root, s),
    }
    /// Each published figure of the validation suite beside the simulated
    /// quantile and its 95 % interval, as simulated ÷ published on a log
    /// scale, the published range shaded.
    Validation "validation" {
        from: Validation(v),
        applies: "the study is the validation suite" => true,
        size: validation::size(v) => validation::size_rule(),
        draw: |root| validation::validation(root, v),
    }
}

/// What a study chart is drawn from.
#[derive(Clone, Copy)]
pub enum StudyData<'a> {
    /// A sweep.
    Sweep(&'a SweepSummary),
    /// A durability study.
    Durability(&'a DurabilityResult),
    /// The validation suite.
    Validation(&'a ValidationResult),
}

impl StudyData<'_> {
    /// The charts that apply, in report order.
    pub fn charts(self) -> Vec<StudyChart> {
        StudyChart::ALL
            .into_iter()
            .filter(|&c| self.applies(c))
            .collect()
    }

    /// A chart asked of the wrong kind of study: a caller's bug.
    fn not_drawn_from(self, chart: StudyChart) -> ! {
        let what = match self {
            StudyData::Sweep(_) => "a sweep",
            StudyData::Durability(_) => "a durability study",
            StudyData::Validation(_) => "the validation suite",
        };
        panic!("the {} chart is not drawn from {what}", chart.stem())
    }

    /// The chart as SVG.
    pub fn svg(self, chart: StudyChart) -> String {
        svg_sized(self.size(chart), &|root| self.draw(chart, root))
    }

    /// The chart in the report's page: wide and narrow layouts. The
    /// clients chart's label column and three panels of bars with their
    /// figures need all its width: narrow pages scroll it sideways.
    pub fn html(self, chart: StudyChart) -> String {
        let size = self.size(chart);
        let least = if chart == StudyChart::Clients {
            size.0
        } else {
            NARROW
        };
        layouts(size, least, &|root| self.draw(chart, root))
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

/// Whether some cell of the sweep measured what clients saw.
fn has_clients(s: &SweepSummary) -> bool {
    s.cells.iter().any(|c| c.measure(CLIENT_MEASURE).is_some())
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
    shorten(&values.join(" · "), 26)
}

/// `label` in at most `n` characters, cut with an ellipsis.
fn shorten(label: &str, n: usize) -> String {
    if label.chars().count() > n {
        format!("{}…", label.chars().take(n - 1).collect::<String>())
    } else {
        label.to_owned()
    }
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
