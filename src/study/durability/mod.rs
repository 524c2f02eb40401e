//! The durability and availability study: Monte Carlo over years of
//! storage failures and repairs, with no redo traffic, fast enough for
//! millions of PG-years.
//!
//! A trial is one volume-year: the AZ outages of the year are drawn once
//! and every PG of the volume lives through them, each with its own node
//! failures. With importance sampling a PG-year is lived twice: plainly,
//! for availability, and with failure biasing, for data loss. The two are
//! the same process until a copy is first lost, so the biased year shares
//! the plain one's draws up to that loss and goes on from there on its
//! own stream; a year that loses no copy costs one pass.
//!
//! Trials run in blocks of [`BLOCK`] volume-years, or more when a study
//! would otherwise hold more than [`MAX_BLOCKS`] block results (the
//! length follows from the plan alone); a block is a pure function of the
//! study, the cell and the block's index, and blocks are summed in index
//! order, so threads and shards never change a bit of the result. Every
//! cell draws the same random numbers for the same trial (common random
//! numbers), which sharpens comparisons between cells.

pub mod config;
mod pg;

use std::path::Path;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::grid::{Cell, Grid, Setting, MAX_CELLS};
use super::stats::{Estimate, Tally, CONFIDENCE};
use crate::error::InputError;
use crate::scenario::document::Document;
use config::{Model, StudyFile};
use pg::{AzYear, PgYear, Scratch};

/// Volume-years per block, at least.
pub const BLOCK: u64 = 64;

/// Block results a study holds at most, over all its cells: each is a few
/// hundred bytes in memory and in a partial file, so a billion
/// volume-years is summed in longer blocks rather than asking for
/// gigabytes.
pub const MAX_BLOCKS: u64 = 1 << 16;

/// Steps a whole study may be expected to simulate, over all its cells:
/// thirty cells at the per-cell limit ([`config::MAX_EVENTS`]), about
/// two and a half hours of one core. More is a grid or a sample size far
/// beyond what a study needs; `--shard` does not lift it.
pub const MAX_STUDY_EVENTS: f64 = 30.0 * config::MAX_EVENTS;

/// Layout version of `durability.json` and its partial files.
pub const FORMAT: u32 = 1;

/// A study: the file and what it varies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// The study's name.
    pub name: String,
    /// What it shows.
    pub description: String,
    /// The file, as named.
    pub file: String,
    /// Its text, exactly as read.
    pub text: String,
    /// The settings varied: the file's `vary`, then the command line's.
    pub grid: Grid,
    /// Root seed.
    pub seed: u64,
    /// Volume-years per cell.
    pub volume_years: u64,
}

impl Plan {
    /// Volume-years per block over `cells` cells: [`BLOCK`], or longer so
    /// that the study holds at most [`MAX_BLOCKS`] block results.
    fn block_len(&self, cells: usize) -> u64 {
        let per_cell = (MAX_BLOCKS / cells.max(1) as u64).max(1);
        BLOCK.max(self.volume_years.div_ceil(per_cell))
    }

    /// Blocks per cell over `cells` cells.
    fn blocks_per_cell(&self, cells: usize) -> usize {
        self.volume_years.div_ceil(self.block_len(cells)) as usize
    }
}

/// A plan with its cells validated.
pub struct Study {
    /// The plan.
    pub plan: Plan,
    cells: Vec<(Cell, Model)>,
}

/// The sums of one block of trials (or of a whole cell).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Sums {
    /// PGs (averaged per trial) that lost write availability.
    pub pg_write_lost: Tally,
    /// PGs that lost read availability.
    pub pg_read_lost: Tally,
    /// PGs that lost data (weighted with importance sampling).
    pub pg_data_lost: Tally,
    /// Minutes per PG without writes.
    pub pg_write_down_min: Tally,
    /// Minutes per PG without reads.
    pub pg_read_down_min: Tally,
    /// Volumes with some PG unwritable.
    pub volume_write_lost: Tally,
    /// Volumes with some PG unreadable.
    pub volume_read_lost: Tally,
    /// PGs that lost data per volume (its expectation bounds the chance
    /// that the volume loses any).
    pub volume_pgs_lost: Tally,
    /// Minutes per volume with some PG unwritable.
    pub volume_write_down_min: Tally,
}

impl Sums {
    /// The names of [`Sums::fields`], in order, as a partial writes them.
    const NAMES: [&'static str; 9] = [
        "pg_write_lost",
        "pg_read_lost",
        "pg_data_lost",
        "pg_write_down_min",
        "pg_read_down_min",
        "volume_write_lost",
        "volume_read_lost",
        "volume_pgs_lost",
        "volume_write_down_min",
    ];

    /// Whether every tally is one that `trials` volume-years can give:
    /// one value per trial, each finite and not negative, so at most
    /// `trials` hits, and no sum without a hit.
    fn check(&self, trials: u64) -> Result<(), String> {
        for (name, t) in Sums::NAMES.iter().zip(self.fields()) {
            let sums_ok =
                t.sum.is_finite() && t.sum_sq.is_finite() && t.sum >= 0.0 && t.sum_sq >= 0.0;
            let why = if t.trials != trials {
                format!("{} trials, where the block has {trials}", t.trials)
            } else if t.hits > t.trials {
                format!("{} hits in {} trials", t.hits, t.trials)
            } else if !sums_ok {
                format!("sums {} and {} (finite, not negative)", t.sum, t.sum_sq)
            } else if (t.hits == 0) != (t.sum == 0.0) {
                format!("a sum of {} from {} hits", t.sum, t.hits)
            } else {
                continue;
            };
            return Err(format!("{name}: {why}"));
        }
        Ok(())
    }

    fn merge(&mut self, o: &Sums) {
        for (a, b) in self.fields_mut().into_iter().zip(o.fields()) {
            a.merge(b);
        }
    }

    fn fields(&self) -> [&Tally; 9] {
        [
            &self.pg_write_lost,
            &self.pg_read_lost,
            &self.pg_data_lost,
            &self.pg_write_down_min,
            &self.pg_read_down_min,
            &self.volume_write_lost,
            &self.volume_read_lost,
            &self.volume_pgs_lost,
            &self.volume_write_down_min,
        ]
    }

    fn fields_mut(&mut self) -> [&mut Tally; 9] {
        [
            &mut self.pg_write_lost,
            &mut self.pg_read_lost,
            &mut self.pg_data_lost,
            &mut self.pg_write_down_min,
            &mut self.pg_read_down_min,
            &mut self.volume_write_lost,
            &mut self.volume_read_lost,
            &mut self.volume_pgs_lost,
            &mut self.volume_write_down_min,
        ]
    }
}

/// One block's result, for partials.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlockResult {
    /// Index over cells × blocks, cell-major.
    pub index: usize,
    /// Its sums.
    pub sums: Sums,
}

impl Study {
    /// Reads and validates a study and every cell of its grid; `extra`
    /// are the command line's settings, which replace the file's `vary`
    /// entry for the same field.
    pub fn new(file: &Path, text: &str, extra: Vec<Setting>) -> Result<Study, InputError> {
        let base = StudyFile::parse(text, file)?;
        base.model(file)?;
        let doc = Document::parse(text, file)?;
        let mut settings = Vec::new();
        for v in &base.vary {
            let s: Setting = v.parse().map_err(|e: String| doc.error_in(v, e))?;
            if !extra.iter().any(|x| x.path == s.path) {
                settings.push(s);
            }
        }
        settings.extend(extra);
        let fixed = ["vary", "volume_years", "seed", "name"];
        if let Some(s) = settings
            .iter()
            .find(|s| fixed.contains(&s.path.split('.').next().unwrap_or_default()))
        {
            return Err(doc.error_in(
                &s.to_string(),
                "vary, volume_years (the sample size), seed and name are the study's own, not varied"
                    .to_owned(),
            ));
        }
        let grid = Grid::new(settings).map_err(|e| doc.error_in("the settings", e))?;
        Study::with_grid(file, text, grid)
    }

    /// The study of `text` over `grid`: the form a merge rebuilds from a
    /// partial's plan.
    pub fn with_grid(file: &Path, text: &str, grid: Grid) -> Result<Study, InputError> {
        let base = StudyFile::parse(text, file)?;
        let doc = Document::parse(text, file)?;
        let too_big = |message| InputError::about_file(file, message);
        if grid.len() > MAX_CELLS {
            return Err(too_big(format!(
                "the settings make {} cells; a study has at most {MAX_CELLS}",
                grid.len()
            )));
        }
        let cell_model = |cell: &Cell| {
            doc.validate(&cell.0, |text| {
                StudyFile::parse(text, file).and_then(|f| f.model(file))
            })
        };
        for s in &grid.settings {
            for v in &s.values {
                cell_model(&Cell(vec![(s.path.clone(), v.clone())]))?;
            }
        }
        let cells = grid
            .cells()
            .into_iter()
            .map(|c| cell_model(&c).map(|m| (c, m)))
            .collect::<Result<Vec<_>, _>>()?;
        let events: f64 = cells.iter().map(|(_, m)| m.events).sum();
        if events > MAX_STUDY_EVENTS {
            return Err(too_big(format!(
                "about {events:.3e} steps to simulate over {} cells; a study simulates at most {MAX_STUDY_EVENTS:.3e} (about two and a half hours of one core): fewer cells or a lower volume_years",
                cells.len()
            )));
        }
        Ok(Study {
            plan: Plan {
                name: base.name.clone(),
                description: base.description.clone(),
                file: file.display().to_string(),
                text: text.to_owned(),
                grid,
                seed: base.seed,
                volume_years: base.volume_years,
            },
            cells,
        })
    }

    /// Blocks per cell.
    fn blocks_per_cell(&self) -> usize {
        self.plan.blocks_per_cell(self.cells.len())
    }

    /// Volume-years per block.
    fn block_len(&self) -> u64 {
        self.plan.block_len(self.cells.len())
    }

    /// Blocks in all (cells × blocks), the unit shards are cut in.
    pub fn blocks(&self) -> usize {
        self.cells.len() * self.blocks_per_cell()
    }

    /// PG-years block `index` simulates (once per pass).
    pub fn pg_years(&self, index: usize) -> u64 {
        let (cell, block) = (
            index / self.blocks_per_cell(),
            index % self.blocks_per_cell(),
        );
        let from = block as u64 * self.block_len();
        let trials = self.block_len().min(self.plan.volume_years - from);
        trials * self.cells[cell].1.pgs
    }

    /// Whether `b` holds sums a run of its block could give: a merge
    /// takes no count from a partial file on trust.
    pub fn check_block(&self, b: &BlockResult) -> Result<(), String> {
        let from = (b.index % self.blocks_per_cell()) as u64 * self.block_len();
        let trials = self.block_len().min(self.plan.volume_years - from);
        b.sums
            .check(trials)
            .map_err(|e| format!("block {}: {e}", b.index))
    }

    /// Runs block `index`.
    pub fn block(&self, index: usize) -> BlockResult {
        let per = self.blocks_per_cell();
        let (cell, block) = (index / per, index % per);
        let m = &self.cells[cell].1;
        let from = block as u64 * self.block_len();
        let to = (from + self.block_len()).min(self.plan.volume_years);
        let mut sums = Sums::default();
        for trial in from..to {
            let mut rng = ChaCha8Rng::seed_from_u64(self.plan.seed);
            rng.set_stream(trial);
            volume_year(m, &mut rng, &mut sums);
        }
        BlockResult { index, sums }
    }

    /// Sums blocks (given in index order) into the study's result.
    pub fn result(&self, blocks: &[BlockResult]) -> DurabilityResult {
        result(&self.plan, &self.cells, blocks)
    }

    /// The cells' models, for the summary.
    pub fn models(&self) -> impl Iterator<Item = &Model> {
        self.cells.iter().map(|(_, m)| m)
    }
}

/// One volume-year into `sums`.
fn volume_year(m: &Model, rng: &mut ChaCha8Rng, sums: &mut Sums) {
    let az = AzYear::draw(m, rng);
    let pgs = m.pgs as f64;
    let mut write_lost = 0u64;
    let mut read_lost = 0u64;
    let mut data_lost = 0.0;
    let mut write_min = 0.0;
    let mut read_min = 0.0;
    let mut spans: Vec<(f64, f64)> = Vec::new();
    let mut scratch = Scratch::default();
    for _ in 0..m.pgs {
        let (plain, tilted): (PgYear, _) =
            pg::simulate(m, &az, m.importance_sampling, rng, &mut scratch);
        write_lost += u64::from(!plain.write_down.is_empty());
        read_lost += u64::from(plain.read_lost);
        write_min += plain.write_down_s() / 60.0;
        read_min += plain.read_down_s / 60.0;
        if m.importance_sampling {
            if let Some(t) = tilted.filter(|t| t.data_lost) {
                data_lost += t.weight;
            }
        } else if plain.data_lost {
            data_lost += 1.0;
        }
        spans.extend(plain.write_down);
    }
    sums.pg_write_lost.add(write_lost as f64 / pgs);
    sums.pg_read_lost.add(read_lost as f64 / pgs);
    sums.pg_data_lost.add(data_lost / pgs);
    sums.pg_write_down_min.add(write_min / pgs);
    sums.pg_read_down_min.add(read_min / pgs);
    sums.volume_write_lost
        .add(f64::from(u8::from(write_lost > 0)));
    sums.volume_read_lost
        .add(f64::from(u8::from(read_lost > 0)));
    sums.volume_pgs_lost.add(data_lost);
    sums.volume_write_down_min.add(union_s(&mut spans) / 60.0);
}

/// The length of the union of spans.
fn union_s(spans: &mut [(f64, f64)]) -> f64 {
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut total = 0.0;
    let mut cur: Option<(f64, f64)> = None;
    for &(a, b) in spans.iter() {
        cur = match cur {
            Some((s, e)) if a <= e => Some((s, e.max(b))),
            Some((s, e)) => {
                total += e - s;
                Some((a, b))
            }
            None => Some((a, b)),
        };
    }
    total + cur.map_or(0.0, |(s, e)| e - s)
}

/// A probability or an amount with its interval, per PG-year or per
/// volume-year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// What it is.
    pub measure: String,
    /// The estimate; when nothing was seen, 0 with the rule-of-three
    /// upper end.
    #[serde(flatten)]
    pub estimate: Estimate,
    /// Trials (volume-years) in which it was seen.
    pub seen_in: u64,
    /// (Σx)²/Σx² over trials: how many trials carry the estimate. Far
    /// below `seen_in`, a few heavily weighted trials decide it, and the
    /// interval is not to be trusted.
    pub effective_trials: f64,
}

impl Figure {
    /// The figure as people read it, with its interval: `none seen` with
    /// its bound, and a warning when the weights degenerated.
    pub fn text(&self) -> String {
        let e = &self.estimate;
        let g = |x: Option<f64>| x.map_or_else(|| "?".to_owned(), |x| format!("{x:.2e}"));
        let unit = if self.measure.starts_with("minutes") {
            " min"
        } else {
            ""
        };
        let mut shown = match e.value {
            Some(v) if v == 0.0 && e.high.is_some() => format!("none seen (≤ {}{unit})", g(e.high)),
            Some(0.0) => "none seen".to_owned(),
            _ => format!("{}{unit} [{}, {}]", g(e.value), g(e.low), g(e.high)),
        };
        if self.degenerate() {
            shown += &format!(
                " (UNRELIABLE: {:.1} effective trials of {} seen; the importance weights degenerated)",
                self.effective_trials, self.seen_in
            );
        }
        shown
    }

    /// Whether importance weights degenerated: the estimate rests on
    /// fewer than ten trials' worth of weight although more were seen.
    pub fn degenerate(&self) -> bool {
        self.seen_in >= 10 && self.effective_trials < 10.0
    }
}

/// One cell's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellResult {
    /// The cell's settings, as `PATH=VALUE`.
    pub settings: Vec<String>,
    /// PGs per volume.
    pub pgs: u64,
    /// Copies, write and read quorum.
    pub quorum: (u32, u32, u32),
    /// Seconds to copy one segment.
    pub copy_s: f64,
    /// Volume-years simulated.
    pub volume_years: u64,
    /// PG-years simulated (per pass).
    pub pg_years: u64,
    /// Whether data loss was estimated with failure biasing.
    pub importance_sampling: bool,
    /// Per PG-year.
    pub per_pg_year: Vec<Figure>,
    /// Per volume-year.
    pub per_volume_year: Vec<Figure>,
    /// The sums, for merging and checking.
    pub sums: Sums,
}

/// `durability.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DurabilityResult {
    /// Layout version.
    pub format: u32,
    /// The plan.
    pub plan: Plan,
    /// Confidence level of every interval.
    pub confidence: f64,
    /// One per cell, in grid order.
    pub cells: Vec<CellResult>,
}

/// A figure from its tally. Probabilities with nothing seen keep the
/// proportion's upper bound (over volume-years, so it holds however the
/// PGs of a volume are correlated); amounts (minutes) with nothing seen
/// have none.
fn figure(measure: &str, t: &Tally) -> Figure {
    let mut estimate = t.mean();
    if measure.starts_with("minutes") && t.hits == 0 {
        estimate.high = None;
        estimate.high_unbounded = true;
    }
    Figure {
        measure: measure.to_owned(),
        estimate,
        seen_in: t.hits,
        effective_trials: t.effective_hits(),
    }
}

/// The names of the per-PG-year figures, in order.
pub const PG_FIGURES: [&str; 5] = [
    "write availability lost",
    "read availability lost",
    "data lost",
    "minutes without writes",
    "minutes without reads",
];

/// The names of the per-volume-year figures, in order.
pub const VOLUME_FIGURES: [&str; 4] = [
    "write availability lost",
    "read availability lost",
    "PGs losing data (≥ chance of any loss)",
    "minutes without writes",
];

fn result(plan: &Plan, cells: &[(Cell, Model)], blocks: &[BlockResult]) -> DurabilityResult {
    let per = plan.blocks_per_cell(cells.len());
    let cells = cells
        .iter()
        .enumerate()
        .map(|(ci, (cell, m))| {
            let mut sums = Sums::default();
            for b in &blocks[ci * per..(ci + 1) * per] {
                sums.merge(&b.sums);
            }
            CellResult {
                settings: cell.0.iter().map(|(p, v)| format!("{p}={v}")).collect(),
                pgs: m.pgs,
                quorum: (m.copies, m.write_quorum, m.read_quorum),
                copy_s: m.copy_s,
                volume_years: plan.volume_years,
                pg_years: plan.volume_years * m.pgs,
                importance_sampling: m.importance_sampling,
                per_pg_year: PG_FIGURES
                    .iter()
                    .zip([
                        &sums.pg_write_lost,
                        &sums.pg_read_lost,
                        &sums.pg_data_lost,
                        &sums.pg_write_down_min,
                        &sums.pg_read_down_min,
                    ])
                    .map(|(n, t)| figure(n, t))
                    .collect(),
                per_volume_year: VOLUME_FIGURES
                    .iter()
                    .zip([
                        &sums.volume_write_lost,
                        &sums.volume_read_lost,
                        &sums.volume_pgs_lost,
                        &sums.volume_write_down_min,
                    ])
                    .map(|(n, t)| figure(n, t))
                    .collect(),
                sums,
            }
        })
        .collect();
    DurabilityResult {
        format: FORMAT,
        plan: plan.clone(),
        confidence: CONFIDENCE,
        cells,
    }
}

/// `durability.json` text.
pub fn result_json(r: &DurabilityResult) -> String {
    let mut s = serde_json::to_string_pretty(r).expect("a durability result serializes");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn union_of_overlapping_spans() {
        let mut s = vec![(5.0, 7.0), (0.0, 2.0), (1.0, 3.0), (7.0, 8.0)];
        assert_eq!(union_s(&mut s), 6.0);
    }
}
