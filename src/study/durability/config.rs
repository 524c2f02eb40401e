//! The durability study's file format and its validated form.
//!
//! The study simulates one protection group's copies through failures
//! and repairs, with no redo traffic: what a year of a fleet's background
//! failures, AZ outages and repairs does to write availability, read
//! availability and data. Every rate and duration below is a modelling
//! choice unless its comment names a source: the references give Aurora's
//! design point and its repair speed, not its fleet's failure rates, so a
//! study states the rates it assumes and varies them.

use std::path::Path;

use serde::{Deserialize, Deserializer};

use crate::error::{InputError, Location};
use crate::model::config::Placement;
use crate::scenario::defaults::{self as d, Limit};
use crate::scenario::schema::read;
use crate::sim::SimDuration;

/// Seconds in a year (365.25 days): every rate is per year.
pub const YEAR_S: f64 = 365.25 * 86_400.0;

/// A durability study file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StudyFile {
    /// Short name; also the output directory's.
    pub name: String,
    /// What the study shows.
    #[serde(default)]
    pub description: String,
    /// Root seed of every random stream.
    #[serde(default = "d::seed")]
    pub seed: u64,
    /// Volume-years simulated per cell.
    #[serde(deserialize_with = "volume_years")]
    pub volume_years: u64,
    /// Volume size, GiB: the PGs a volume-year is made of.
    #[serde(default = "volume_gib", deserialize_with = "volume")]
    pub volume_gib: u64,
    /// Segment (PG) size, GiB (\[P17\] §2.2: 10 GB).
    #[serde(default = "segment_gib", deserialize_with = "segment")]
    pub segment_gib: u64,
    /// `W/V`: copies per PG and the write quorum; the read quorum is the
    /// smallest that meets every write quorum, `V − W + 1` (\[P17\] §2.1:
    /// V_r + V_w > V). Default `4/6` (\[P17\] §2.1).
    #[serde(default = "quorum", deserialize_with = "quorum_of")]
    pub quorum: (u32, u32),
    /// AZs the copies are spread over, evenly (\[P17\] §2.1: three).
    #[serde(default = "azs", deserialize_with = "az_count")]
    pub azs: u32,
    /// Where a lost copy is re-created.
    #[serde(default)]
    pub placement: Placement,
    /// Storage-node failures.
    #[serde(default)]
    pub node: NodeSpec,
    /// Re-creating a lost copy.
    #[serde(default)]
    pub repair: RepairSpec,
    /// Whole-AZ outages.
    #[serde(default)]
    pub az_outage: AzOutageSpec,
    /// Raise the failure rate while a PG is already short of copies and
    /// weight each year by its likelihood ratio, so that losses far rarer
    /// than one in `volume_years` are still estimated (failure biasing).
    /// Applies to exponential failures (`failure_shape: 1`) only, and only
    /// while fewer than one copy per PG-year fails: with more, losses are
    /// common enough to count plainly, and the weights of many degraded
    /// spells in a year would multiply into a few that decide everything.
    #[serde(default = "yes")]
    pub importance_sampling: bool,
    /// Settings varied, as `--set` takes them (`segment_gib=1,10,100`).
    #[serde(default)]
    pub vary: Vec<String>,
}

/// Storage-node failures, per node-year.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeSpec {
    /// Failures that destroy the node's copies. Modelling choice: 4 %, in
    /// the few-percent range published for servers' and disks' annual
    /// failure rates; the references give none for Aurora.
    #[serde(default = "failures_per_year", deserialize_with = "rate")]
    pub failures_per_year: f64,
    /// Weibull shape of a copy's life: 1 is memoryless (exponential),
    /// above 1 wear-out. Modelling choice: 1.
    #[serde(default = "one", deserialize_with = "shape")]
    pub failure_shape: f64,
    /// Outages that return with the data (reboot, network path).
    /// Modelling choice: 2 per node-year.
    #[serde(default = "transients_per_year", deserialize_with = "rate")]
    pub transients_per_year: f64,
    /// Median length of a transient outage. Modelling choice: 5 min, a
    /// reboot; below `repair.after`, most return before repair starts.
    #[serde(default = "transient_duration", deserialize_with = "duration")]
    pub transient_duration: SimDuration,
    /// Lognormal sigma of that length. Modelling choice: 1.
    #[serde(default = "one", deserialize_with = "sigma")]
    pub transient_sigma: f64,
}

/// Re-creating a lost copy.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepairSpec {
    /// How long a copy is missing before its repair starts: the
    /// simulator's `storage.repair_after` default.
    #[serde(default = "d::repair_after", deserialize_with = "duration")]
    pub after: SimDuration,
    /// Copy bandwidth, Gb/s (\[P17\] §2.2: 10 GB in 10 s on 10 Gb/s).
    #[serde(default = "d::node_gbps", deserialize_with = "bandwidth")]
    pub gbps: f64,
    /// `fixed`: a copy takes segment size / bandwidth; `exponential`: a
    /// draw with that mean (for comparison with Markov models).
    #[serde(default)]
    pub time: RepairTime,
}

/// How long a copy takes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RepairTime {
    /// Segment size over bandwidth.
    #[default]
    Fixed,
    /// Exponential with that mean.
    Exponential,
}

/// Whole-AZ outages: every copy in the AZ is unreachable, none destroyed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AzOutageSpec {
    /// Outages per AZ-year. Modelling choice: 0.1.
    #[serde(default = "az_outages_per_year", deserialize_with = "rate")]
    pub per_year: f64,
    /// Median length. Modelling choice: 1 h.
    #[serde(default = "az_outage_duration", deserialize_with = "duration")]
    pub duration: SimDuration,
    /// Lognormal sigma of the length. Modelling choice: 1.
    #[serde(default = "one", deserialize_with = "sigma")]
    pub sigma: f64,
}

impl Default for NodeSpec {
    fn default() -> Self {
        NodeSpec {
            failures_per_year: failures_per_year(),
            failure_shape: 1.0,
            transients_per_year: transients_per_year(),
            transient_duration: transient_duration(),
            transient_sigma: 1.0,
        }
    }
}

impl Default for RepairSpec {
    fn default() -> Self {
        RepairSpec {
            after: d::repair_after(),
            gbps: d::node_gbps(),
            time: RepairTime::Fixed,
        }
    }
}

impl Default for AzOutageSpec {
    fn default() -> Self {
        AzOutageSpec {
            per_year: az_outages_per_year(),
            duration: az_outage_duration(),
            sigma: 1.0,
        }
    }
}

fn yes() -> bool {
    true
}
fn one() -> f64 {
    1.0
}
fn volume_gib() -> u64 {
    10 * 1024
}
fn segment_gib() -> u64 {
    10
}
fn quorum() -> (u32, u32) {
    (4, 6)
}
fn azs() -> u32 {
    3
}
fn failures_per_year() -> f64 {
    0.04
}
fn transients_per_year() -> f64 {
    2.0
}
fn transient_duration() -> SimDuration {
    SimDuration::from_secs(300)
}
fn az_outages_per_year() -> f64 {
    0.1
}
fn az_outage_duration() -> SimDuration {
    SimDuration::from_secs(3600)
}

const VOLUME_YEARS: Limit<u64> = Limit::new(1, 1_000_000_000, "a number of volume-years");
const RATE: Limit<f64> = Limit::new(0.0, 10_000.0, "a rate per year");
const SHAPE: Limit<f64> = Limit::new(0.2, 10.0, "a Weibull shape");
const AZS: Limit<u32> = Limit::new(1, 30, "a number of AZs");
const COPIES: Limit<u32> = Limit::new(1, 30, "a number of copies");

fn volume_years<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    read(d, |s| s.whole(&VOLUME_YEARS))
}
fn volume<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    read(d, |s| s.whole(&d::VOLUME_GIB))
}
fn segment<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    read(d, |s| s.whole(&d::SEGMENT_GIB))
}
fn az_count<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    read(d, |s| s.whole(&AZS))
}
fn rate<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    read(d, |s| s.real(&RATE))
}
fn shape<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    read(d, |s| s.real(&SHAPE))
}
fn sigma<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    read(d, |s| s.real(&d::JITTER))
}
fn bandwidth<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    read(d, |s| s.real(&d::BANDWIDTH_GBPS))
}
fn duration<'de, D: Deserializer<'de>>(d: D) -> Result<SimDuration, D::Error> {
    read(d, |s| s.duration(&d::DURATION))
}
fn quorum_of<'de, D: Deserializer<'de>>(d: D) -> Result<(u32, u32), D::Error> {
    let text = String::deserialize(d)?;
    parse_quorum(&text).map_err(serde::de::Error::custom)
}

/// `W/V` with `V/2 < W ≤ V ≤ 30`.
fn parse_quorum(text: &str) -> Result<(u32, u32), String> {
    let bad = || {
        format!("expected a quorum W/V such as 4/6 (writes need W of V copies, more than half), found {text:?}")
    };
    let (w, v) = text.split_once('/').ok_or_else(bad)?;
    let w: u32 = w.trim().parse().map_err(|_| bad())?;
    let v: u32 = v.trim().parse().map_err(|_| bad())?;
    if !COPIES.admits(&v) || w > v || 2 * w <= v {
        return Err(bad());
    }
    Ok((w, v))
}

/// The most steps (PG-years and the failures in them) a cell may be
/// expected to simulate: about five minutes of one core (10⁸ took 15 s);
/// more is a typo in a rate or a count.
pub const MAX_EVENTS: f64 = 2e9;

/// A validated study cell: what the simulation reads, in seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Failures the cell is expected to simulate (see [`MAX_EVENTS`]).
    pub events: f64,
    /// PGs per volume.
    pub pgs: u64,
    /// Copies per PG.
    pub copies: u32,
    /// Write quorum.
    pub write_quorum: u32,
    /// Read quorum, `copies − write_quorum + 1`.
    pub read_quorum: u32,
    /// AZs.
    pub azs: u32,
    /// Placement of re-created copies.
    pub placement: Placement,
    /// Destroying failures per copy-year.
    pub failures_per_year: f64,
    /// Weibull shape of a copy's life.
    pub failure_shape: f64,
    /// Transient outages per copy-year.
    pub transients_per_year: f64,
    /// Their median length, seconds, and sigma.
    pub transient: (f64, f64),
    /// Seconds before a lost copy's repair starts.
    pub repair_after_s: f64,
    /// Seconds a copy takes (the mean, for exponential repair).
    pub copy_s: f64,
    /// How copy times are drawn.
    pub repair_time: RepairTime,
    /// AZ outages per AZ-year.
    pub az_outages_per_year: f64,
    /// Their median length, seconds, and sigma.
    pub az_outage: (f64, f64),
    /// Whether failure biasing is on (and applies).
    pub importance_sampling: bool,
}

impl StudyFile {
    /// Reads a study file; errors carry the file, line and column.
    pub fn parse(text: &str, file: &Path) -> Result<StudyFile, InputError> {
        serde_saphyr::from_str(text).map_err(|e| crate::scenario::syntax_error(&e, file))
    }

    /// The model a cell runs; `file` names the study in errors.
    pub fn model(&self, file: &Path) -> Result<Model, InputError> {
        let (w, v) = self.quorum;
        let error = |message: String| InputError::Scenario {
            location: Location {
                file: file.to_owned(),
                line: 0,
                column: 0,
            },
            message,
        };
        if self.name.trim().is_empty()
            || !self
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            || self.name.starts_with('.')
        {
            return Err(error(format!(
                "name {:?}: expected letters, digits, '-', '_' and '.', not starting with '.' (it names the output directory)",
                self.name
            )));
        }
        if self.segment_gib > self.volume_gib {
            return Err(error(format!(
                "segment_gib {} is larger than volume_gib {}: a volume holds at least one whole segment",
                self.segment_gib, self.volume_gib
            )));
        }
        let pgs = self.volume_gib.div_ceil(self.segment_gib);
        // Each PG-year walks its copies' failures and returns and every
        // AZ's outage starts and ends.
        let rate =
            2.0 * f64::from(v) * (self.node.failures_per_year + self.node.transients_per_year)
                + 2.0 * f64::from(self.azs) * self.az_outage.per_year;
        // An event costs a look at every copy; a PG-year costs a step of
        // its own, failures or none, and a volume-year's AZ draws about
        // four (measured: 10⁷ volume-years of one PG and no failures take
        // 6.7 s, 10⁸ failures 15 s).
        let per_pg = 1.0 + rate * f64::from(v.max(6)) / 6.0;
        let events = self.volume_years as f64 * (4.0 + pgs as f64 * per_pg);
        if events > MAX_EVENTS {
            return Err(error(format!(
                "about {events:.1e} steps to simulate per cell ({} volume-years × (4 + {pgs} PGs × (1 + {rate:.3} failures per PG-year))); at most {MAX_EVENTS:.0e}: lower volume_years or the rates",
                self.volume_years
            )));
        }
        let gib = self.segment_gib as f64 * (1u64 << 30) as f64;
        Ok(Model {
            events,
            pgs,
            copies: v,
            write_quorum: w,
            read_quorum: v - w + 1,
            azs: self.azs,
            placement: self.placement,
            failures_per_year: self.node.failures_per_year,
            failure_shape: self.node.failure_shape,
            transients_per_year: self.node.transients_per_year,
            transient: (
                self.node.transient_duration.as_secs_f64(),
                self.node.transient_sigma,
            ),
            repair_after_s: self.repair.after.as_secs_f64(),
            copy_s: gib * 8.0 / (self.repair.gbps * 1e9),
            repair_time: self.repair.time,
            az_outages_per_year: self.az_outage.per_year,
            az_outage: (self.az_outage.duration.as_secs_f64(), self.az_outage.sigma),
            importance_sampling: self.importance_sampling
                && self.node.failure_shape == 1.0
                && f64::from(v) * self.node.failures_per_year <= 1.0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quorum_is_a_majority_of_its_copies() {
        assert_eq!(parse_quorum("4/6"), Ok((4, 6)));
        assert_eq!(parse_quorum("2/3"), Ok((2, 3)));
        for bad in ["3/6", "7/6", "4", "4/31", "x/6"] {
            assert!(parse_quorum(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ten_gib_copies_in_about_nine_seconds_at_ten_gbps() {
        let f = StudyFile::parse("name: x\nvolume_years: 1\n", Path::new("x.yaml")).unwrap();
        let m = f.model(Path::new("x.yaml")).unwrap();
        assert!((m.copy_s - 8.59).abs() < 0.01, "{}", m.copy_s);
        assert_eq!(
            (m.copies, m.write_quorum, m.read_quorum, m.pgs),
            (6, 4, 3, 1024)
        );
    }
}
