//! The charts a design review needs, each drawn by one function into either
//! an SVG string (for the HTML report) or a PNG file (to paste elsewhere).
//!
//! Every chart is declared once, in `charts!` below (and a study's in
//! `study.rs`): its file stem, when it applies, its size and that size in
//! words, the function that draws it, and what it shows as its doc
//! comment. The [`Chart`] enum, [`Chart::ALL`] and docs/charts.md all
//! follow from that list, so a chart cannot be declared without a drawing
//! function or a description, nor left out of the files a run writes.
//!
//! Text is drawn with DejaVu Sans, embedded in the binary and registered
//! with plotters' `ab_glyph` backend, so charts render the same on a
//! machine without fontconfig or any installed font; SVGs name the same
//! face first in their font stack, so a browser lays their text out as the
//! PNG does. Colours are the Okabe–Ito palette, which stays
//! distinguishable with colour blindness.
//!
//! The drawing functions live by family: `workload.rs` (throughput,
//! latency, CPU), `storage.rs` (quorum health, copies and node load),
//! `failover.rs` (RTO, replica lag), `clients.rs`, `global.rs` (each
//! secondary region's RPO lag); `frame.rs` has what they
//! share (palette, legend, time axes, notes, shading).

use std::io;
use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

mod clients;
mod failover;
mod frame;
mod global;
mod glyphs;
mod storage;
mod study;
mod workload;

pub use frame::SIZE;
pub use study::{StudyChart, StudyData};

use super::Results;
use frame::{fixed, fixed_rule, fonts, layouts, svg_sized, Drawn, NARROW, WIDE_TEXT};
use glyphs::Glyphs;

/// Declares the charts of a run, in report order:
///
/// ```text
/// /// What it shows (its row in docs/charts.md).
/// Variant "file-stem" {
///     applies: "when, in words" => |r| condition on r: &Results,
///     size: size_function => its rule in words,
///     draw: drawing_function,
/// }
/// ```
///
/// A doc comment, a condition, a size and a drawing function are all
/// required: an entry without one does not compile.
macro_rules! charts {
    ($(
        $(#[doc = $doc:literal])+
        $variant:ident $stem:literal {
            applies: $when:literal => |$r:ident| $applies:expr,
            size: $size:path => $rule:expr,
            draw: $draw:path $(,)?
        }
    )+) => {
        /// Which chart.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Chart {
            $(
                $(#[doc = $doc])+
                $variant,
            )+
        }

        impl Chart {
            /// Every chart, in report order.
            pub const ALL: [Chart; [$($stem),+].len()] = [$(Chart::$variant),+];

            /// The file name without extension.
            pub fn stem(self) -> &'static str {
                match self {
                    $(Chart::$variant => $stem,)+
                }
            }

            /// What the chart shows: its doc comment as one line.
            pub fn doc(self) -> String {
                let lines: &[&str] = match self {
                    $(Chart::$variant => &[$($doc),+],)+
                };
                lines.iter().flat_map(|l| l.split_whitespace()).collect::<Vec<_>>().join(" ")
            }

            /// When the chart is drawn, in words.
            pub fn applies_when(self) -> &'static str {
                match self {
                    $(Chart::$variant => $when,)+
                }
            }

            /// Whether the results have anything for this chart to show (an
            /// all-zero chart says less than the report's table).
            pub fn applies(self, r: &Results) -> bool {
                match self {
                    $(Chart::$variant => {
                        let $r = r;
                        $applies
                    })+
                }
            }

            /// The chart's size in pixels.
            pub fn size(self, r: &Results) -> (u32, u32) {
                match self {
                    $(Chart::$variant => $size(r),)+
                }
            }

            /// How the chart's size follows from the results, in words.
            pub fn size_rule(self) -> String {
                match self {
                    $(Chart::$variant => $rule,)+
                }
            }

            fn draw<DB: DrawingBackend>(
                self,
                root: &DrawingArea<DB, Shift>,
                r: &Results,
            ) -> Drawn<DB> {
                match self {
                    $(Chart::$variant => $draw(root, r),)+
                }
            }
        }
    };
}

charts! {
    /// Commits/s and storage reads/s per bin, each failover's phases
    /// shaded. When a stall ends, the commits it held are acknowledged at
    /// once: the axis then stops above the usual rate and the spike is
    /// labelled with its value.
    Throughput "throughput" {
        applies: "always" => |_r| true,
        size: fixed => fixed_rule(),
        draw: workload::throughput,
    }
    /// Commit p50 and p99 per bin on a log scale (milliseconds to the
    /// length of an outage), each failover's phases shaded; no line where
    /// no commit was acknowledged.
    Latency "latency" {
        applies: "always" => |_r| true,
        size: fixed => fixed_rule(),
        draw: workload::latency,
    }
    /// A stacked bar per failover: detection, failed attempts, selection,
    /// promotion (provisioning when the writer was re-created), recovery
    /// and DNS, then the slowest client's wait beyond the DNS change, each
    /// bar labelled with its total.
    Rto "rto" {
        applies: "the run has a failover" => |r| !r.summary.rto.is_empty(),
        size: failover::rto_size_of_run => failover::rto_size_rule(),
        draw: failover::rto_of_run,
    }
    /// Failed client requests per second by cause, one panel per client
    /// group on one scale, each headed by the group's clients, how they
    /// connect (direct, a pool, RDS Proxy or the topology-aware driver,
    /// with the endpoint and DNS cache where those decide where requests
    /// go), failed requests and when its clients were all back; a dashed
    /// green line where the cluster was writable again.
    Clients "clients" {
        applies: "the run has clients" => |r| !r.summary.client_groups.is_empty(),
        size: clients::clients_size => clients::clients_size_rule(),
        draw: clients::clients,
    }
    /// What each client group saw over time, a lane per group and a block
    /// per bin: every completed request succeeded, some failed or all
    /// failed (coloured by the commonest cause), or none completed (its
    /// clients all waiting), with the faults marked.
    ClientTimeline "client-timeline" {
        applies: "the run has clients" => |r| {
            r.summary
                .client_groups
                .first()
                .is_some_and(|g| r.timeline.group_ok(&g.name).is_some())
        },
        size: fixed => fixed_rule(),
        draw: clients::timeline,
    }
    /// Each instance's CPU utilisation per bin, as a share of its vCPUs,
    /// each failover's phases shaded: the new writer's load while clients
    /// reconnect to it.
    Cpu "cpu" {
        applies: "an instance was ever busy" => |r| r.timeline.cpu().next().is_some(),
        size: fixed => fixed_rule(),
        draw: workload::cpu,
    }
    /// Each Aurora Serverless v2 instance's capacity in ACUs per bin, each
    /// failover's phases shaded: the writer following its load, readers
    /// in tiers 0 and 1 following the writer, a promoted reader scaling up
    /// to the load, paused instances at zero.
    Capacity "capacity" {
        applies: "the cluster has a db.serverless instance" => |r| r.summary.serverless.is_some(),
        size: fixed => fixed_rule(),
        draw: workload::capacity,
    }
    /// PGs below write quorum, below read quorum (dashed) and out of the
    /// writer's reach, and segments being repaired.
    Quorum "quorum" {
        applies: "a PG was below a quorum or out of the writer's reach" => |r| {
            let s = &r.summary;
            s.pgs_below_write_quorum_max + s.pgs_below_read_quorum_max + s.pgs_out_of_writer_reach_max
                > 0
        },
        size: fixed => fixed_rule(),
        draw: storage::quorum,
    }
    /// Repair progress (PGs at full copy count, % of PGs) and the busiest
    /// storage node's disk and NIC, % busy.
    Storage "storage" {
        applies: "always" => |_r| true,
        size: fixed => fixed_rule(),
        draw: storage::storage,
    }
    /// The largest lag per bin of each instance while it is a reader,
    /// each failover's phases shaded.
    ReplicaLag "replica-lag" {
        applies: "an instance was ever a reader" => |r| r.timeline.replica_lags().next().is_some(),
        size: fixed => fixed_rule(),
        draw: failover::replica_lag,
    }
    /// A global database's RPO lag per secondary region (how long ago the
    /// primary had made durable what the region holds, zero when it holds
    /// everything), largest per bin on a log scale, with the RPO guard
    /// dashed and write outages shaded.
    RegionLag "region-lag" {
        applies: "the cluster is a global database" => |r| r.summary.global.is_some(),
        size: fixed => fixed_rule(),
        draw: global::region_lag,
    }
}

impl Chart {
    /// The chart as an SVG document.
    pub fn svg(self, r: &Results) -> String {
        svg_sized(self.size(r), &|root| self.draw(root, r))
    }

    /// The chart in the report's page: drawn wide, and narrow for pages
    /// under 1,100 px, the page's style showing the one that fits. The
    /// RTO and client charts keep a label column and lines of text beside
    /// their bars: their narrow layout is 900 px wide.
    pub fn html(self, r: &Results) -> String {
        let least = match self {
            Chart::Rto | Chart::Clients => WIDE_TEXT,
            _ => NARROW,
        };
        layouts(self.size(r), least, &|root| self.draw(root, r))
    }

    /// Writes the chart as a PNG file.
    pub fn png(self, r: &Results, path: &Path) -> io::Result<()> {
        fonts();
        let root = Glyphs::new(BitMapBackend::new(path, self.size(r))).into_drawing_area();
        self.draw(&root, r).map_err(io::Error::other)?;
        root.present().map_err(io::Error::other)
    }
}

/// The RTO chart of several runs, one bar per failover, on one scale.
pub fn rto_comparison_html(runs: &[Results]) -> String {
    layouts(failover::rto_size(runs), WIDE_TEXT, &|root| {
        failover::rto(root, runs)
    })
}

/// Writes every chart that applies as PNG and SVG into `dir`; returns the
/// file names written.
pub fn write_all(r: &Results, dir: &Path) -> io::Result<Vec<String>> {
    let mut written = Vec::new();
    for chart in Chart::ALL.into_iter().filter(|c| c.applies(r)) {
        let png = format!("{}.png", chart.stem());
        chart.png(r, &dir.join(&png))?;
        let svg = format!("{}.svg", chart.stem());
        std::fs::write(dir.join(&svg), chart.svg(r))?;
        written.extend([png, svg]);
    }
    Ok(written)
}
