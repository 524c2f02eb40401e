//! The validation suite: each published figure about Aurora beside what
//! the model gives under the figure's own conditions.
//!
//! An item (one YAML file in `validation/`) names a figure, its source and
//! a short quote, the conditions it was measured or claimed under, and a
//! scenario that reproduces them. The suite runs the scenario over seeds
//! (with a fault instant spread over a window, where the item asks),
//! reads one measure from each run's summary, and judges a quantile of
//! it, with its 95 % interval, against the published bound. Whether the
//! figure set a default (`fit`) or is only compared against (`check`) is
//! stated per item and kept apart in every output: a fitted figure cannot
//! also vouch for the model.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::stats::{order_statistic_ranks, quantile, sorted, Estimate};
use crate::error::InputError;
use crate::scenario::document::Document;
use crate::sim::SimDuration;
use crate::{Scenario, Simulation};

/// Version of `validation.json`.
pub const FORMAT: u32 = 1;

/// The most seeds one item may ask for.
const MAX_SEEDS: u64 = 10_000;

/// Whether a figure set a default or is only compared against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Use {
    /// The figure set a default: agreement is by construction, and the
    /// row only shows that the fit still holds.
    Fit,
    /// The figure was not used to set anything: agreement is evidence.
    Check,
}

impl Use {
    /// The word the table prints.
    pub fn label(self) -> &'static str {
        match self {
            Use::Fit => "fit",
            Use::Check => "check",
        }
    }
}

/// A fault instant drawn per seed, uniformly over a window, so that no
/// verdict rests on where one instant falls among the model's periodic
/// work.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spread {
    /// The field the instant is written to (`faults.0.writer_crash.at`).
    pub path: String,
    /// The window's start, as a duration (`50s`).
    pub from: String,
    /// The window's end.
    pub to: String,
}

/// The published bound, in the measure's unit; `at_least` and `at_most`
/// together make a range.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claim {
    /// The quantile judged is at least this.
    #[serde(default)]
    pub at_least: Option<f64>,
    /// The quantile judged is at most this.
    #[serde(default)]
    pub at_most: Option<f64>,
}

/// One item of the suite, as its file says it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// The figure in a few words.
    pub figure: String,
    /// Where it is published.
    pub source: String,
    /// A short quote of it.
    pub quote: String,
    /// The conditions it was measured or claimed under, and how the
    /// scenario reproduces them.
    pub conditions: String,
    /// The figure as the table shows it (`often < 30 s`).
    pub published: String,
    /// Fit or check.
    #[serde(rename = "use")]
    pub used: Use,
    /// The scenario, relative to the item's file.
    pub scenario: PathBuf,
    /// Settings applied to the scenario (`PATH=VALUE`), as `run --set`.
    #[serde(default)]
    pub set: Vec<String>,
    /// With settings here, the item compares: the measure is the
    /// reduction `1 − q(set) / q(against)` of the quantile, each side's
    /// taken over its own runs (the same seeds and fault instants).
    #[serde(default)]
    pub against: Option<Vec<String>>,
    /// A fault instant spread over a window.
    #[serde(default)]
    pub spread: Option<Spread>,
    /// Seeds in the full suite (1 to this).
    pub seeds: u64,
    /// Seeds in the short form `cargo test` runs.
    #[serde(default = "one")]
    pub quick_seeds: u64,
    /// The measure: a path into `summary.json` (`rto/0/total_s`).
    pub measure: String,
    /// Its unit, as printed after a value.
    #[serde(default)]
    pub unit: String,
    /// The quantile of the runs' values that is judged.
    #[serde(default = "median")]
    pub quantile: f64,
    /// The published bound.
    pub claim: Claim,
    /// How the figure was read, and for a miss, why the model misses.
    #[serde(default)]
    pub note: String,
}

fn one() -> u64 {
    1
}

fn median() -> f64 {
    0.5
}

/// An item ready to run: its file, its scenario as a document, and each
/// variant's settings.
pub struct Loaded {
    /// The item's file.
    pub file: PathBuf,
    /// The item.
    pub item: Item,
    scenario_file: PathBuf,
    doc: Document,
    spread: Option<(String, SimDuration, SimDuration)>,
}

/// The whole suite.
pub struct Suite {
    /// Its items, in file-name order.
    pub items: Vec<Loaded>,
    /// Whether it is the short form.
    pub quick: bool,
    /// Each distinct run: items that ask for the same scenario, settings
    /// and seed share one run.
    runs: Vec<RunId>,
    /// For each item, each variant and each seed, its run's index.
    index: Vec<[Vec<usize>; 2]>,
}

/// One run of the suite: the first item that asks for it, a variant (0:
/// its own settings, 1: `against`), a seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RunId {
    item: usize,
    variant: usize,
    seed: u64,
}

impl Suite {
    /// Reads every `*.yaml` in `dir` and checks each item and every
    /// variant of its scenario before anything runs.
    pub fn load(dir: &Path, quick: bool) -> Result<Suite, InputError> {
        let io = |path: &Path, source| InputError::Io {
            path: path.to_owned(),
            source,
        };
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| io(dir, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "yaml") && p.is_file())
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(InputError::about_file(
                dir,
                "holds no validation item (*.yaml)".to_owned(),
            ));
        }
        let items: Vec<Loaded> = files
            .into_iter()
            .map(|file| {
                let text = std::fs::read_to_string(&file).map_err(|e| io(&file, e))?;
                Loaded::new(file, &text)
            })
            .collect::<Result<_, _>>()?;
        let mut runs = Vec::new();
        let mut index = Vec::new();
        let mut seen = BTreeMap::new();
        for (i, l) in items.iter().enumerate() {
            let mut mine: [Vec<usize>; 2] = Default::default();
            let variants = if l.item.against.is_some() { 2 } else { 1 };
            let seeds = if quick {
                l.item.quick_seeds
            } else {
                l.item.seeds
            };
            for (variant, list) in mine.iter_mut().enumerate().take(variants) {
                for seed in 1..=seeds {
                    let key = (l.scenario_file.clone(), l.settings(variant, seed)?, seed);
                    let at = *seen.entry(key).or_insert_with(|| {
                        runs.push(RunId {
                            item: i,
                            variant,
                            seed,
                        });
                        runs.len() - 1
                    });
                    list.push(at);
                }
            }
            index.push(mine);
        }
        Ok(Suite {
            items,
            quick,
            runs,
            index,
        })
    }

    /// How many distinct runs the suite makes.
    pub fn runs(&self) -> usize {
        self.runs.len()
    }

    /// Runs run `i` (of [`Suite::runs`]) and returns its summary as JSON,
    /// for each item to read its measure from.
    pub fn run(&self, i: usize) -> serde_json::Value {
        let id = self.runs[i];
        let sc = self.items[id.item]
            .scenario(id.variant, id.seed)
            .expect("every variant was validated when the suite was loaded");
        let (ceiling, why) = sc.footprint.ceiling();
        let outcome = Simulation::new(&sc)
            .memory_ceiling(ceiling, why)
            .run()
            .expect("a run without a trace sink cannot fail to write");
        serde_json::to_value(&outcome.summary).expect("a summary serializes")
    }

    /// Judges every item from the runs' summaries, given in run order.
    /// Fails, naming the item, when its measure is not a number (or
    /// `null`, "never") in some run, or is in no run's summary at all: a
    /// typo in the item, or a summary whose layout moved.
    pub fn judge(&self, summaries: &[serde_json::Value]) -> Result<ValidationResult, String> {
        let mut items = Vec::new();
        for (l, index) in self.items.iter().zip(&self.index) {
            let pointer = format!("/{}", l.item.measure);
            let name = crate::error::shown(&l.file);
            // A value per run where the measure applies (a run without a
            // failover has no `rto/0`), `None` for `null`, "never".
            let sample = |variant: usize| -> Result<Vec<Option<f64>>, String> {
                let mut out = Vec::new();
                for &r in &index[variant] {
                    match summaries[r].pointer(&pointer) {
                        None => {}
                        Some(serde_json::Value::Null) => out.push(None),
                        Some(v) => out.push(Some(v.as_f64().ok_or_else(|| {
                            format!("{name}: measure {} is {v}, not a number", l.item.measure)
                        })?)),
                    }
                }
                if out.is_empty() {
                    return Err(format!(
                        "{name}: measure {} names nothing in any run's summary.json",
                        l.item.measure
                    ));
                }
                Ok(out)
            };
            let own = sample(0)?;
            let against = match l.item.against {
                Some(_) => Some(sample(1)?),
                None => None,
            };
            items.push(l.judge(index[0].len(), &own, against));
        }
        Ok(ValidationResult {
            format: FORMAT,
            quick: self.quick,
            items,
        })
    }
}

impl Loaded {
    fn new(file: PathBuf, text: &str) -> Result<Loaded, InputError> {
        let item: Item =
            serde_saphyr::from_str(text).map_err(|e| crate::scenario::syntax_error(&e, &file))?;
        let bad = |m: String| InputError::about_file(&file, m);
        if !(0.0..=1.0).contains(&item.quantile) || item.quantile == 0.0 {
            return Err(bad(format!(
                "quantile {} is not a quantile; give one above 0 and at most 1",
                item.quantile
            )));
        }
        if [item.claim.at_least, item.claim.at_most]
            .into_iter()
            .flatten()
            .any(|x| !x.is_finite())
        {
            return Err(bad("the claim's bounds must be finite numbers".to_owned()));
        }
        if item.against.as_ref().is_some_and(|a| *a == item.set) {
            return Err(bad(
                "against holds the same settings as set: the comparison would compare a run with itself"
                    .to_owned(),
            ));
        }
        if item.quick_seeds > item.seeds {
            return Err(bad(format!(
                "quick_seeds ({}) is more than seeds ({}): the short form runs fewer",
                item.quick_seeds, item.seeds
            )));
        }
        if item.claim.at_least.is_none() && item.claim.at_most.is_none() {
            return Err(bad(
                "the claim bounds nothing; give at_least, at_most or both".to_owned(),
            ));
        }
        if let Claim {
            at_least: Some(lo),
            at_most: Some(hi),
        } = item.claim
        {
            if lo > hi {
                return Err(bad(format!(
                    "the claim's at_least {lo} is above its at_most {hi}"
                )));
            }
        }
        for seeds in [item.seeds, item.quick_seeds] {
            if !(1..=MAX_SEEDS).contains(&seeds) {
                return Err(bad(format!("{seeds} seeds; an item runs 1 to {MAX_SEEDS}")));
            }
        }
        // The full suite judges on the interval: seeds too few to close it
        // on both sides could never pass or miss.
        let needed = seeds_to_bound(item.quantile);
        if (item.seeds as usize) < needed {
            return Err(bad(format!(
                "{} seeds cannot bound the {} quantile's 95 % interval on both sides; give at least {needed}",
                item.seeds, item.quantile
            )));
        }
        if item.measure.is_empty() || item.measure.starts_with('/') {
            return Err(bad(format!(
                "measure {:?}: name a path into summary.json without a leading slash, as rto/0/total_s",
                item.measure
            )));
        }
        let spread = match &item.spread {
            None => None,
            Some(s) => {
                let at =
                    |t: &str| SimDuration::parse(t).map_err(|e| bad(format!("spread: {t:?}: {e}")));
                let (from, to) = (at(&s.from)?, at(&s.to)?);
                if to <= from {
                    return Err(bad(format!(
                        "spread: the window {} to {} is empty",
                        s.from, s.to
                    )));
                }
                Some((s.path.clone(), from, to))
            }
        };
        let scenario_file = file.parent().unwrap_or(Path::new(".")).join(&item.scenario);
        let text = std::fs::read_to_string(&scenario_file).map_err(|source| {
            let e = InputError::Io {
                path: scenario_file.clone(),
                source,
            };
            in_item(&file, e)
        })?;
        let doc = Document::parse(&text, &scenario_file).map_err(|e| in_item(&file, e))?;
        let loaded = Loaded {
            file,
            item,
            scenario_file,
            doc,
            spread,
        };
        // Every variant at both ends of the spread window, so that no seed's
        // instant can fail validation once the suite runs.
        let variants = if loaded.item.against.is_some() { 2 } else { 1 };
        for variant in 0..variants {
            for end in [Window::First, Window::Last] {
                let settings = loaded.settings_at(variant, end)?;
                loaded
                    .doc
                    .validate(&settings, |text| {
                        Scenario::parse(text, &loaded.scenario_file)
                    })
                    .map_err(|e| in_item(&loaded.file, e))?;
            }
        }
        Ok(loaded)
    }

    /// The settings of `variant` for `seed`: the item's or `against`, and
    /// the seed's fault instant.
    fn settings(&self, variant: usize, seed: u64) -> Result<Vec<(String, String)>, InputError> {
        self.settings_at(variant, Window::Seed(seed))
    }

    /// The settings of `variant` with the fault instant at a seed's draw
    /// or at an end of the window.
    fn settings_at(&self, variant: usize, at: Window) -> Result<Vec<(String, String)>, InputError> {
        let list = match variant {
            0 => &self.item.set,
            _ => self.item.against.as_ref().unwrap_or(&self.item.set),
        };
        let mut out = Vec::new();
        for s in list {
            let Some((path, value)) = s.split_once('=') else {
                return Err(InputError::about_file(
                    &self.file,
                    format!("{s:?}: expected PATH=VALUE, as dns.ttl=30s"),
                ));
            };
            out.push((path.trim().to_owned(), value.trim().to_owned()));
        }
        if let Some((path, from, to)) = &self.spread {
            let at = match at {
                Window::First => from.as_nanos(),
                Window::Last => to.as_nanos() - 1,
                // Each seed's instant comes from its own ChaCha stream, so
                // an item's runs are the same on every machine and in any
                // order.
                Window::Seed(seed) => {
                    let mut rng = ChaCha8Rng::seed_from_u64(seed);
                    rng.set_stream(SPREAD_STREAM);
                    rng.random_range(from.as_nanos()..to.as_nanos())
                }
            };
            out.push((path.clone(), format!("{}us", at / 1_000)));
        }
        Ok(out)
    }

    fn scenario(&self, variant: usize, seed: u64) -> Result<Scenario, InputError> {
        let settings = self.settings(variant, seed)?;
        let mut sc = self
            .doc
            .validate(&settings, |text| Scenario::parse(text, &self.scenario_file))
            .map_err(|e| in_item(&self.file, e))?;
        sc.config.seed = seed;
        Ok(sc)
    }

    /// The item judged from `seeds` runs, of which `own` are those its
    /// measure applied in, and the baseline's for a comparison.
    fn judge(
        &self,
        seeds: usize,
        own: &[Option<f64>],
        against: Option<Vec<Option<f64>>>,
    ) -> Judged {
        let it = &self.item;
        let q = |sample: &[Option<f64>]| -> Estimate {
            if sample.is_empty() {
                Estimate::NONE
            } else {
                quantile(&sorted(sample), it.quantile)
            }
        };
        let mine = q(own);
        let mut remark = String::new();
        let (estimate, baseline, mut verdict) = match &against {
            None => (mine, None, judged(&mine, it.claim)),
            Some(base) => {
                let b = q(base);
                let r = reduction(&mine, &b);
                let v = match (mine.value, b.value) {
                    // The item's side never got there where the baseline
                    // did: no reduction at all, whatever the claim.
                    (None, Some(_)) => {
                        remark = "this side never got there; the baseline did".to_owned();
                        Verdict::Miss
                    }
                    (_, Some(b)) if b <= 0.0 => {
                        remark = "undefined: the baseline is 0".to_owned();
                        Verdict::Unsure
                    }
                    _ => judged(&r, it.claim),
                };
                (r, Some(b), v)
            }
        };
        // A fit is judged for consistency with the figure it was fitted
        // to: it sits on the bound by construction, so an interval that
        // reaches across the bound, closed on both sides, is the fit
        // holding.
        if it.used == Use::Fit
            && verdict == Verdict::Unsure
            && remark.is_empty()
            && !estimate.low_unbounded
            && !estimate.high_unbounded
        {
            verdict = Verdict::Pass;
        }
        Judged {
            file: self
                .file
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default(),
            figure: it.figure.clone(),
            source: it.source.clone(),
            quote: it.quote.clone(),
            conditions: it.conditions.clone(),
            published: it.published.clone(),
            used: it.used,
            measure: it.measure.clone(),
            unit: it.unit.clone(),
            quantile: it.quantile,
            claim: it.claim,
            seeds,
            runs: own.len(),
            never: own.iter().filter(|v| v.is_none()).count(),
            estimate,
            baseline,
            verdict,
            remark,
            note: it.note.clone(),
        }
    }
}

/// Where in its window a spread fault falls.
#[derive(Clone, Copy)]
enum Window {
    /// At the window's start.
    First,
    /// At its last microsecond.
    Last,
    /// At a seed's draw.
    Seed(u64),
}

/// An error in an item's scenario, with the item named: several items
/// share one scenario.
fn in_item(item: &Path, e: InputError) -> InputError {
    let of = |m: String| format!("{m} (for validation item {})", crate::error::shown(item));
    match e {
        InputError::Scenario { location, message } => InputError::Scenario {
            location,
            message: of(message),
        },
        InputError::Io { path, source } => InputError::about_file(&path, of(source.to_string())),
    }
}

/// The fewest runs whose order statistics bound the `q` quantile's 95 %
/// interval on both sides.
pub fn seeds_to_bound(q: f64) -> usize {
    (1..=MAX_SEEDS as usize)
        .find(|&n| {
            let (low, high) = order_statistic_ranks(n, q);
            low.is_some() && high.is_some()
        })
        .unwrap_or(MAX_SEEDS as usize)
}

/// The ChaCha stream of the fault instants an item spreads.
const SPREAD_STREAM: u64 = 0x7370_7265_6164;

/// `1 − a / b`, the reduction from the baseline's quantile `b` to this
/// side's `a`, with an interval from the ends of both. Each end is a 95 %
/// interval's, so together they cover the reduction with at least 90 %.
fn reduction(a: &Estimate, b: &Estimate) -> Estimate {
    // A baseline that never got there, against this side's value, is a
    // whole reduction.
    let r = |x: Option<f64>, y: Option<f64>| match (x, y) {
        (Some(x), Some(y)) if y > 0.0 => Some(1.0 - x / y),
        (Some(_), None) => Some(1.0),
        _ => None,
    };
    let low = r(a.high, b.low);
    let high = r(a.low, b.high);
    Estimate {
        value: r(a.value, b.value),
        low,
        high,
        low_unbounded: low.is_none(),
        high_unbounded: high.is_none(),
    }
}

/// How a figure compares, judged on the quantile's 95 % interval rather
/// than on its estimate alone, so that a handful of seeds cannot pass or
/// fail a figure by luck.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The whole interval meets the published bound.
    Pass,
    /// The interval reaches across the bound (or is not bounded on that
    /// side): more seeds would tell.
    Unsure,
    /// The whole interval misses the bound.
    Miss,
}

impl Verdict {
    /// The word the table prints.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Unsure => "unsure",
            Verdict::Miss => "miss",
        }
    }
}

/// Judges an estimate against a claim. "Never" is above every bound; an
/// end the sample does not bound decides nothing.
pub fn judged(e: &Estimate, claim: Claim) -> Verdict {
    // An end of the interval as a value, "never" above every number;
    // `None` where the sample does not bound it.
    let end = |v: Option<f64>, unbounded: bool| (!unbounded).then_some(v.unwrap_or(f64::INFINITY));
    let (low, high) = (end(e.low, e.low_unbounded), end(e.high, e.high_unbounded));
    let mut verdict = Verdict::Pass;
    if let Some(floor) = claim.at_least {
        match (low, high) {
            (_, Some(h)) if h < floor => return Verdict::Miss,
            (Some(l), _) if l >= floor => {}
            _ => verdict = Verdict::Unsure,
        }
    }
    if let Some(ceiling) = claim.at_most {
        match (low, high) {
            (Some(l), _) if l > ceiling => return Verdict::Miss,
            (_, Some(h)) if h <= ceiling => {}
            _ => verdict = Verdict::Unsure,
        }
    }
    verdict
}

/// One item judged.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Judged {
    /// The item's file name.
    pub file: String,
    /// The figure in a few words.
    pub figure: String,
    /// Where it is published.
    pub source: String,
    /// A short quote.
    pub quote: String,
    /// Its conditions.
    pub conditions: String,
    /// The figure as published.
    pub published: String,
    /// Fit or check.
    #[serde(rename = "use")]
    pub used: Use,
    /// The path into `summary.json`.
    pub measure: String,
    /// Its unit.
    pub unit: String,
    /// The quantile judged.
    pub quantile: f64,
    /// The bound.
    pub claim: Claim,
    /// Runs made (one per seed).
    #[serde(default)]
    pub seeds: usize,
    /// Runs in which the measure applied.
    pub runs: usize,
    /// Of those, runs where it never happened.
    pub never: usize,
    /// The quantile (or, for a comparison, the reduction) with its 95 %
    /// interval.
    pub estimate: Estimate,
    /// For a comparison, the baseline's quantile.
    pub baseline: Option<Estimate>,
    /// The verdict.
    pub verdict: Verdict,
    /// Why a comparison has no number, when it has none.
    #[serde(default)]
    pub remark: String,
    /// How the figure was read; for a miss, why.
    pub note: String,
}

impl Judged {
    /// The simulated figure with its interval, in the item's unit.
    pub fn simulated(&self) -> String {
        let e = &self.estimate;
        let v = |x: Option<f64>, unbounded: bool| match (x, unbounded) {
            (_, true) => "not bounded".to_owned(),
            (None, false) => "never".to_owned(),
            (Some(x), false) => number(x, self.against()),
        };
        let unit = if self.against() { "" } else { &self.unit };
        let space = if unit.is_empty() { "" } else { " " };
        let value = match e.value {
            Some(x) => format!("{}{space}{unit}", number(x, self.against())),
            None if self.runs == 0 => "not measured".to_owned(),
            None => "never".to_owned(),
        };
        let mut text = format!(
            "{value} [{}, {}]",
            v(e.low, e.low_unbounded),
            v(e.high, e.high_unbounded)
        );
        if !self.remark.is_empty() {
            text.push_str(&format!(" ({})", self.remark));
        }
        text
    }

    /// Whether the estimate alone lies within the claim widened by
    /// `slack` (1.5: half as much again either way): what a handful of
    /// seeds can say of a fit, whose interval they cannot close.
    pub fn estimate_near_claim(&self, slack: f64) -> bool {
        let Some(v) = self.estimate.value else {
            return self.claim.at_most.is_none();
        };
        self.claim.at_least.is_none_or(|lo| v >= lo / slack)
            && self.claim.at_most.is_none_or(|hi| v <= hi * slack)
    }

    /// The runs counted, and the seeds run where the measure did not
    /// apply in all of them: `100`, or `97 of 100`.
    pub fn runs_text(&self) -> String {
        if self.runs == self.seeds || self.seeds == 0 {
            self.runs.to_string()
        } else {
            format!("{} of {}", self.runs, self.seeds)
        }
    }

    fn against(&self) -> bool {
        self.baseline.is_some()
    }

    /// "median", "p90" or "p42.5": the statistic judged.
    pub fn statistic(&self) -> String {
        let stat = if self.quantile == 0.5 {
            "median".to_owned()
        } else {
            let p = format!("{:.1}", self.quantile * 100.0);
            format!("p{}", p.trim_end_matches(".0"))
        };
        if self.against() {
            format!("reduction of the {stat}")
        } else {
            stat
        }
    }
}

/// A value as the table prints it: a reduction as a whole percentage,
/// else no decimals from 100 up, one from 10, two below.
fn number(x: f64, share: bool) -> String {
    if share {
        return format!("{:.0} %", x * 100.0);
    }
    let digits = if x.abs() >= 100.0 {
        0
    } else if x.abs() >= 10.0 {
        1
    } else {
        2
    };
    format!("{x:.digits$}")
}

/// What the suite found.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ValidationResult {
    /// [`FORMAT`].
    pub format: u32,
    /// Whether this is the short form (fewer seeds).
    pub quick: bool,
    /// Each item, in file-name order.
    pub items: Vec<Judged>,
}

impl ValidationResult {
    /// The fitted figures the model no longer reproduces: each a default
    /// whose fit has come undone.
    pub fn broken_fits(&self) -> Vec<&Judged> {
        self.items
            .iter()
            .filter(|j| j.used == Use::Fit && j.verdict == Verdict::Miss)
            .collect()
    }

    /// `validation.json`.
    pub fn json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("a validation result serializes");
        s.push('\n');
        s
    }

    /// The table and the notes, as Markdown: checks first, then fits.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let count = |u: Use, v: Verdict| {
            self.items
                .iter()
                .filter(|j| j.used == u && j.verdict == v)
                .count()
        };
        for (u, what) in [
            (Use::Check, "checked against (not used to set anything)"),
            (
                Use::Fit,
                "used to set a default (agreement by construction)",
            ),
        ] {
            let n = self.items.iter().filter(|j| j.used == u).count();
            let _ = writeln!(
                out,
                "- {n} figures {what}: {} pass, {} unsure, {} miss",
                count(u, Verdict::Pass),
                count(u, Verdict::Unsure),
                count(u, Verdict::Miss)
            );
        }
        out.push('\n');
        out.push_str(
            "| figure | published | simulated (95 % interval) | runs | verdict | use | source |\n",
        );
        out.push_str("|---|---|---|---:|---|---|---|\n");
        let mut ordered: Vec<&Judged> =
            self.items.iter().filter(|j| j.used == Use::Check).collect();
        ordered.extend(self.items.iter().filter(|j| j.used == Use::Fit));
        for j in &ordered {
            let _ = writeln!(
                out,
                "| {} | {} | {}: {} | {} | **{}** | {} | {} |",
                cell(&j.figure),
                cell(&j.published),
                j.statistic(),
                cell(&j.simulated()),
                j.runs_text(),
                j.verdict.label(),
                j.used.label(),
                cell(&j.source)
            );
        }
        out.push_str("\n### Each figure\n");
        for j in &ordered {
            let _ = write!(
                out,
                "\n**{}** ({}, `{}`): {}, {}.\n\n> {}\n\n{} Measured: `{}`, the {} over {} runs{}.\n",
                j.figure,
                j.used.label(),
                j.file,
                j.verdict.label(),
                j.simulated(),
                j.quote,
                j.conditions,
                j.measure,
                j.statistic(),
                j.runs_text(),
                if j.never > 0 {
                    format!(" ({} never)", j.never)
                } else {
                    String::new()
                }
            );
            if !j.note.is_empty() {
                let _ = writeln!(out, "\n{}", j.note);
            }
        }
        out
    }
}

/// Text safe inside a Markdown table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn est(value: f64, low: f64, high: f64) -> Estimate {
        Estimate::bounded(value, low, high)
    }

    #[test]
    fn a_verdict_reads_the_interval_not_only_the_estimate() {
        let under_30 = Claim {
            at_least: None,
            at_most: Some(30.0),
        };
        assert_eq!(judged(&est(25.0, 22.0, 28.0), under_30), Verdict::Pass);
        assert_eq!(judged(&est(29.0, 26.0, 31.0), under_30), Verdict::Unsure);
        assert_eq!(judged(&est(31.0, 29.0, 35.0), under_30), Verdict::Unsure);
        assert_eq!(judged(&est(33.0, 31.0, 35.0), under_30), Verdict::Miss);
        let never = Estimate {
            value: None,
            low: None,
            high: None,
            low_unbounded: false,
            high_unbounded: false,
        };
        assert_eq!(judged(&never, under_30), Verdict::Miss);
        let at_least_an_hour = Claim {
            at_least: Some(3600.0),
            at_most: None,
        };
        assert_eq!(judged(&never, at_least_an_hour), Verdict::Pass);
        let open = Estimate {
            high: None,
            high_unbounded: true,
            ..est(20.0, 18.0, 0.0)
        };
        assert_eq!(judged(&open, under_30), Verdict::Unsure);
        assert_eq!(judged(&Estimate::NONE, under_30), Verdict::Unsure);
        let range = Claim {
            at_least: Some(15.0),
            at_most: Some(20.0),
        };
        assert_eq!(judged(&est(17.0, 16.0, 18.5), range), Verdict::Pass);
        assert_eq!(judged(&est(14.0, 13.0, 15.5), range), Verdict::Unsure);
        assert_eq!(judged(&est(13.0, 12.0, 14.5), range), Verdict::Miss);
    }

    #[test]
    fn a_reduction_is_taken_from_the_baseline_with_the_widest_interval() {
        let r = reduction(&est(10.0, 8.0, 12.0), &est(20.0, 16.0, 25.0));
        assert_eq!(r.value, Some(0.5));
        assert_eq!(r.low, Some(0.25));
        assert_eq!(r.high, Some(1.0 - 8.0 / 25.0));
    }
}
