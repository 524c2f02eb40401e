//! Statistics of a study's runs, each with a 95 % confidence interval.
//!
//! - Quantiles use the distribution-free interval from order statistics:
//!   the ranks whose binomial coverage of the true quantile is at least
//!   95 %. It needs no resampling and is honest at the tail: with too few
//!   runs to bound a p99 from above, the upper end is `None` rather than
//!   the largest value seen, which is all a bootstrap could offer there.
//! - The mean uses a percentile bootstrap on a seeded ChaCha stream, so
//!   the interval is the same on every machine.
//! - A probability estimated from a weighted count (the durability
//!   study's importance sampling) uses the normal interval of the mean
//!   weight, and the rule of three when nothing was seen.
//!
//! A value of `None` in a sample is an outcome that never happened in the
//! run (a client that never recovered): it sorts above every number, so a
//! quantile that falls among such runs is itself `None`, "never".

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// The confidence level of every interval.
pub const CONFIDENCE: f64 = 0.95;
/// Standard-normal quantile for a two-sided 95 % interval.
const Z95: f64 = 1.959_963_984_540_054;
/// Bootstrap resamples for the mean: enough that the interval's ends move
/// by well under a tenth of its width between seeds of the resampling.
const BOOTSTRAP_RESAMPLES: usize = 2_000;

/// An estimate and its interval. A `None` end is "never" unless its
/// `unbounded` flag says the sample is too small to put that end
/// anywhere.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// The point estimate.
    pub value: Option<f64>,
    /// Lower end of the 95 % interval.
    pub low: Option<f64>,
    /// Upper end of the 95 % interval.
    pub high: Option<f64>,
    /// The sample does not bound the interval from below.
    pub low_unbounded: bool,
    /// The sample does not bound the interval from above.
    pub high_unbounded: bool,
}

impl Estimate {
    /// No estimate at all (no trials).
    pub const NONE: Estimate = Estimate {
        value: None,
        low: None,
        high: None,
        low_unbounded: true,
        high_unbounded: true,
    };

    /// A value with an interval bounded at both ends.
    pub(crate) fn bounded(value: f64, low: f64, high: f64) -> Estimate {
        Estimate {
            value: Some(value),
            low: Some(low),
            high: Some(high),
            low_unbounded: false,
            high_unbounded: false,
        }
    }
}

/// What a sample of one measure says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Distribution {
    /// Runs in which the measure applied.
    pub runs: usize,
    /// Of those, runs where it never happened (`None`).
    pub never: usize,
    /// Median.
    pub median: Estimate,
    /// 90th percentile.
    pub p90: Estimate,
    /// 99th percentile.
    pub p99: Estimate,
    /// Mean, only when every run has a value.
    pub mean: Option<Estimate>,
    /// Smallest value.
    pub min: Option<f64>,
    /// Largest value; `None` when any run never got there.
    pub max: Option<f64>,
}

impl Distribution {
    /// Summarizes `sample`; `stream` seeds the bootstrap, so two measures
    /// do not share resamples.
    pub fn of(sample: &[Option<f64>], stream: u64) -> Option<Distribution> {
        if sample.is_empty() {
            return None;
        }
        let sorted = sorted(sample);
        let values: Vec<f64> = sorted.iter().flatten().copied().collect();
        let never = sorted.len() - values.len();
        Some(Distribution {
            runs: sorted.len(),
            never,
            median: quantile(&sorted, 0.5),
            p90: quantile(&sorted, 0.9),
            p99: quantile(&sorted, 0.99),
            mean: (never == 0).then(|| bootstrap_mean(&values, stream)),
            min: sorted.first().copied().flatten(),
            max: sorted.last().copied().flatten(),
        })
    }
}

/// `sample` in order, "never" (`None`) after every number.
pub fn sorted(sample: &[Option<f64>]) -> Vec<Option<f64>> {
    let mut out = sample.to_vec();
    out.sort_by(|a, b| match (a, b) {
        (Some(x), Some(y)) => x.total_cmp(y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    out
}

/// The `q` quantile of a sorted sample (nearest rank, so it is a value
/// some run had) and its order-statistic interval.
pub fn quantile(sorted: &[Option<f64>], q: f64) -> Estimate {
    let n = sorted.len();
    let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
    let (low, high) = order_statistic_ranks(n, q);
    Estimate {
        value: sorted[rank - 1],
        low: low.and_then(|r| sorted[r - 1]),
        high: high.and_then(|r| sorted[r - 1]),
        low_unbounded: low.is_none(),
        high_unbounded: high.is_none(),
    }
}

/// The 1-based ranks `(l, u)` with `P(X(l) ≤ ξq ≤ X(u)) ≥ 95 %` for `n`
/// draws, each end as close to the quantile as that allows: the number
/// of draws below `ξq` is Binomial(n, q). `None` where no rank within the
/// sample gives the coverage (the interval is open at that end).
pub fn order_statistic_ranks(n: usize, q: f64) -> (Option<usize>, Option<usize>) {
    let tail = (1.0 - CONFIDENCE) / 2.0;
    // cdf[k] = P(B ≤ k).
    let mut cdf = Vec::with_capacity(n + 1);
    let mut acc = 0.0;
    for k in 0..=n {
        acc += binomial_pmf(n, k, q);
        cdf.push(acc.min(1.0));
    }
    // X(l) ≤ ξq unless fewer than l draws fall below it: P(B ≤ l-1) ≤ tail.
    let low = (1..=n).rev().find(|&l| cdf[l - 1] <= tail);
    // X(u) ≥ ξq unless at least u draws fall below: P(B ≥ u) ≤ tail.
    let high = (1..=n).find(|&u| 1.0 - cdf[u - 1] <= tail);
    (low, high)
}

fn binomial_pmf(n: usize, k: usize, p: f64) -> f64 {
    if p <= 0.0 {
        return if k == 0 { 1.0 } else { 0.0 };
    }
    if p >= 1.0 {
        return if k == n { 1.0 } else { 0.0 };
    }
    let ln = ln_choose(n, k) + k as f64 * p.ln() + (n - k) as f64 * (1.0 - p).ln();
    ln.exp()
}

fn ln_choose(n: usize, k: usize) -> f64 {
    let k = k.min(n - k);
    (0..k).map(|i| ((n - i) as f64 / (i + 1) as f64).ln()).sum()
}

/// The mean with a percentile-bootstrap interval.
fn bootstrap_mean(values: &[f64], stream: u64) -> Estimate {
    let n = values.len();
    let mean = values.iter().sum::<f64>() / n as f64;
    let mut rng = ChaCha8Rng::seed_from_u64(stream);
    let mut means: Vec<f64> = (0..BOOTSTRAP_RESAMPLES)
        .map(|_| (0..n).map(|_| values[rng.random_range(0..n)]).sum::<f64>() / n as f64)
        .collect();
    means.sort_by(f64::total_cmp);
    let tail = (1.0 - CONFIDENCE) / 2.0;
    let at =
        |p: f64| means[((p * BOOTSTRAP_RESAMPLES as f64) as usize).min(BOOTSTRAP_RESAMPLES - 1)];
    Estimate::bounded(mean, at(tail), at(1.0 - tail))
}

/// Running sums of a weighted indicator or amount over trials, for the
/// mean per trial and its normal interval. Trials are added in a fixed
/// order, so the same trials give the same bits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    /// Trials.
    pub trials: u64,
    /// Trials with a non-zero value.
    pub hits: u64,
    /// Sum of the values.
    pub sum: f64,
    /// Sum of their squares.
    pub sum_sq: f64,
}

impl Tally {
    /// Adds one trial's value.
    pub fn add(&mut self, x: f64) {
        self.trials += 1;
        if x != 0.0 {
            self.hits += 1;
        }
        self.sum += x;
        self.sum_sq += x * x;
    }

    /// Adds another tally's trials after this one's.
    pub fn merge(&mut self, other: &Tally) {
        self.trials += other.trials;
        self.hits += other.hits;
        self.sum += other.sum;
        self.sum_sq += other.sum_sq;
    }

    /// The mean per trial with its 95 % interval. Values that are all 0
    /// or 1 are a proportion: Wilson's interval, which stays inside
    /// [0, 1] and is not empty when every trial or none was a hit (then
    /// its upper end is about the rule of three's 3/n). Other values get
    /// the normal interval of their mean. One trial bounds nothing.
    pub fn mean(&self) -> Estimate {
        let n = self.trials as f64;
        if self.trials == 0 {
            return Estimate::NONE;
        }
        let mean = self.sum / n;
        if self.trials < 2 {
            return Estimate {
                value: Some(mean),
                ..Estimate::NONE
            };
        }
        let proportion = self.sum == self.sum_sq && self.sum == self.hits as f64;
        if proportion {
            let z2 = Z95 * Z95;
            let centre = (mean + z2 / (2.0 * n)) / (1.0 + z2 / n);
            let half = Z95 / (1.0 + z2 / n) * (mean * (1.0 - mean) / n + z2 / (4.0 * n * n)).sqrt();
            return Estimate::bounded(mean, (centre - half).max(0.0), (centre + half).min(1.0));
        }
        let var = ((self.sum_sq / n) - mean * mean).max(0.0) * n / (n - 1.0);
        let half = Z95 * (var / n).sqrt();
        Estimate::bounded(mean, (mean - half).max(0.0), mean + half)
    }

    /// The effective number of trials behind a weighted mean,
    /// (Σx)² / Σx²: near the number of hits when the weights are alike,
    /// near 1 when one trial carries the estimate.
    pub fn effective_hits(&self) -> f64 {
        if self.sum_sq > 0.0 {
            self.sum * self.sum / self.sum_sq
        } else {
            0.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_interval_of_a_hundred_runs_is_the_textbook_one() {
        // For n = 100 the 95 % interval of the median is X(40)..X(61).
        assert_eq!(order_statistic_ranks(100, 0.5), (Some(40), Some(61)));
        // Too few runs bound a p99 from above.
        assert_eq!(order_statistic_ranks(100, 0.99).1, None);
        assert_eq!(order_statistic_ranks(5, 0.5), (None, None));
    }

    #[test]
    fn never_sorts_last_and_is_never_averaged() {
        let mut sample: Vec<Option<f64>> = (1..=9).map(|i| Some(f64::from(i))).collect();
        sample.push(None);
        let d = Distribution::of(&sample, 1).unwrap();
        assert_eq!(d.median.value, Some(5.0));
        assert_eq!(d.p99.value, None);
        assert_eq!(d.max, None);
        assert_eq!(d.never, 1);
        assert!(d.mean.is_none());
    }

    #[test]
    fn the_bootstrap_interval_covers_the_mean_and_repeats() {
        let values: Vec<Option<f64>> = (0..50).map(|i| Some(f64::from(i % 7))).collect();
        let a = Distribution::of(&values, 3).unwrap().mean.unwrap();
        let b = Distribution::of(&values, 3).unwrap().mean.unwrap();
        assert_eq!(a, b);
        let (lo, m, hi) = (a.low.unwrap(), a.value.unwrap(), a.high.unwrap());
        assert!(lo < m && m < hi, "{lo} {m} {hi}");
    }

    #[test]
    fn a_proportion_gets_wilson_bounds_even_at_zero_and_one() {
        let mut t = Tally::default();
        for _ in 0..1000 {
            t.add(0.0);
        }
        // Wilson's upper end with no hit is z²/(n + z²): about 3.8/n.
        let high = t.mean().high.unwrap();
        assert!((high - 0.00383).abs() < 1e-4, "{high}");
        t.add(1.0);
        let m = t.mean();
        assert!(m.low.unwrap() < m.value.unwrap() && m.value.unwrap() < m.high.unwrap());
        let mut all = Tally::default();
        for _ in 0..10 {
            all.add(1.0);
        }
        let m = all.mean();
        assert!(m.low.unwrap() < 0.8 && m.high.unwrap() > 1.0 - 1e-12);
        let mut one = Tally::default();
        one.add(0.5);
        assert!(one.mean().low.is_none() && one.mean().high_unbounded);
    }
}
