//! One protection group through a year of failures and repairs.
//!
//! Copies sit in AZs, evenly. A copy's node may fail for good (the copy's
//! data is gone), or go away for a while and come back with it; a whole AZ
//! may go dark, taking its copies out of reach but destroying none. A
//! destroyed copy is re-created `repair_after_s` after its loss, from any
//! copy in reach, in the same AZ (or, with `prefer_same_az`, in the AZ
//! holding the fewest copies while its own is dark), taking `copy_s`.
//!
//! What is measured:
//! - writes are possible while at least the write quorum of copies is in
//!   reach, reads (in the quorum sense crash recovery needs) while the
//!   read quorum is;
//! - data is lost when fewer copies than the read quorum still hold it:
//!   from then on no read quorum is guaranteed to meet every write quorum
//!   (\[P17\] §2.1: V_r + V_w > V), so an acknowledged write may be gone.
//!   The group stops there, unavailable for the rest of the year.
//!
//! With exponential failures the simulation can be tilted towards loss
//! (failure biasing): while a copy is destroyed, each surviving copy
//! fails at a rate that makes one more loss before the repair about as
//! likely as not, and the year's outcome is weighted by its likelihood
//! ratio. The estimate stays unbiased; it sees losses a plain simulation
//! would need far more years to meet.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp1, StandardNormal};

use super::config::{Model, RepairTime, YEAR_S};
use crate::model::config::Placement;

/// Failure biasing aims at a further loss during a repair window with
/// this probability: 1 − e^(−ln 2) = ½.
const BIAS_TARGET: f64 = std::f64::consts::LN_2;

/// The AZ outages of one year, shared by every PG of a volume.
#[derive(Debug, Clone, Default)]
pub struct AzYear {
    /// `(time, az, dark)`: the AZ goes dark or comes back, in time order.
    changes: Vec<(f64, u32, bool)>,
}

impl AzYear {
    /// Draws each AZ's outages: a Poisson process of starts with
    /// lognormal lengths; an outage starting during another extends it.
    pub fn draw(m: &Model, rng: &mut ChaCha8Rng) -> AzYear {
        let mut changes = Vec::new();
        if m.az_outages_per_year > 0.0 {
            for az in 0..m.azs {
                let mut t = 0.0;
                let mut dark_until = f64::NEG_INFINITY;
                loop {
                    t += exp(rng) / m.az_outages_per_year * YEAR_S;
                    if t >= YEAR_S {
                        break;
                    }
                    let until = t + lognormal(m.az_outage, rng);
                    if t <= dark_until {
                        dark_until = dark_until.max(until);
                        if let Some(last) = changes.last_mut() {
                            *last = (dark_until, az, false);
                        }
                    } else {
                        changes.push((t, az, true));
                        changes.push((until, az, false));
                        dark_until = until;
                    }
                }
            }
        }
        changes.retain(|c| c.0 < YEAR_S);
        changes.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        AzYear { changes }
    }
}

/// What one PG-year did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PgYear {
    /// Spans with writes impossible, seconds from the start of the year.
    pub write_down: Vec<(f64, f64)>,
    /// Seconds with reads impossible.
    pub read_down_s: f64,
    /// Whether reads were impossible at some point.
    pub read_lost: bool,
    /// Whether data was lost.
    pub data_lost: bool,
    /// The likelihood ratio of the year (1 without biasing).
    pub weight: f64,
}

impl PgYear {
    /// Seconds with writes impossible.
    pub fn write_down_s(&self) -> f64 {
        self.write_down.iter().map(|(a, b)| b - a).sum()
    }
}

#[derive(Debug, Clone, Copy)]
struct Copy {
    az: u32,
    /// Holds the PG's data.
    data: bool,
    /// Out of reach until then (a transient outage).
    back_at: f64,
    /// A destroyed copy's repair may start then.
    repair_from: f64,
    /// When its running repair completes (infinite: not running).
    repaired_at: f64,
    /// When its node fails for good (Weibull lives only).
    dies_at: f64,
}

/// Simulates one PG for a year. `biased` turns failure biasing on.
pub fn simulate(m: &Model, az: &AzYear, biased: bool, rng: &mut ChaCha8Rng) -> PgYear {
    let weibull = m.failure_shape != 1.0;
    let scale = weibull_scale(m);
    let life = |rng: &mut ChaCha8Rng, from: f64| {
        if weibull && m.failures_per_year > 0.0 {
            from + scale * exp(rng).powf(1.0 / m.failure_shape)
        } else {
            f64::INFINITY
        }
    };
    let mut copies: Vec<Copy> = (0..m.copies)
        .map(|i| Copy {
            az: i % m.azs,
            data: true,
            back_at: 0.0,
            repair_from: f64::INFINITY,
            repaired_at: f64::INFINITY,
            dies_at: life(rng, 0.0),
        })
        .collect();
    let lambda = m.failures_per_year / YEAR_S;
    let tau = m.transients_per_year / YEAR_S;
    let window = m.repair_after_s + m.copy_s;
    let mut dark = vec![false; m.azs as usize];
    let mut next_az = 0;
    let mut out = PgYear {
        weight: 1.0,
        ..PgYear::default()
    };
    let mut ln_weight = 0.0;
    let mut write_since: Option<f64> = None;
    let mut read_since: Option<f64> = None;
    let mut t = 0.0;
    loop {
        let next = next_scheduled(az, next_az, &copies, t);
        // Memoryless failures race the schedule.
        let holders = copies.iter().filter(|c| c.data).count() as f64;
        let reachable = copies.iter().filter(|c| in_reach(c, t, &dark)).count() as f64;
        let degraded = holders < f64::from(m.copies);
        let lambda_b = if biased && lambda > 0.0 && degraded && holders > 0.0 {
            lambda.max(BIAS_TARGET / (holders * window))
        } else {
            lambda
        };
        let perm = if weibull { 0.0 } else { holders * lambda_b };
        let total = perm + reachable * tau;
        let dt = if total > 0.0 {
            exp(rng) / total
        } else {
            f64::INFINITY
        };
        let fail_at = t + dt;
        let now = fail_at.min(next);
        if !weibull {
            ln_weight -= holders * (lambda - lambda_b) * (now - t);
        }
        t = now;
        if t >= YEAR_S {
            break;
        }
        if fail_at < next {
            if rng.random::<f64>() * total < perm {
                ln_weight += (lambda / lambda_b).ln();
                let i = pick(&copies, rng, |c| c.data);
                destroy(&mut copies[i], t, m);
            } else {
                let i = pick(&copies, rng, |c| in_reach(c, t, &dark));
                copies[i].back_at = t + lognormal(m.transient, rng);
            }
        } else {
            while let Some(&(at, z, goes_dark)) = az.changes.get(next_az) {
                if at > t {
                    break;
                }
                dark[z as usize] = goes_dark;
                if goes_dark {
                    // A copy being made in a dark AZ starts over later.
                    for c in copies.iter_mut().filter(|c| c.az == z && !c.data) {
                        c.repaired_at = f64::INFINITY;
                    }
                }
                next_az += 1;
            }
            for c in copies.iter_mut() {
                if !c.data && c.repaired_at <= t {
                    *c = Copy {
                        data: true,
                        repair_from: f64::INFINITY,
                        repaired_at: f64::INFINITY,
                        dies_at: life(rng, t),
                        ..*c
                    };
                } else if c.data && c.dies_at <= t {
                    destroy(c, t, m);
                }
            }
        }
        start_repairs(&mut copies, t, &dark, m, rng);
        let holders = copies.iter().filter(|c| c.data).count() as u32;
        if holders < m.read_quorum {
            out.data_lost = true;
            break;
        }
        let reachable = copies.iter().filter(|c| in_reach(c, t, &dark)).count() as u32;
        let down = (reachable < m.write_quorum, reachable < m.read_quorum);
        track_quorums(&mut out, (&mut write_since, &mut read_since), down, t);
    }
    close_year(&mut out, write_since, read_since, t.min(YEAR_S));
    out.weight = ln_weight.exp();
    out
}

/// Follows the write and read quorums at `t`: `down` says which are lost
/// now, `since` when each was lost, if it is.
fn track_quorums(
    out: &mut PgYear,
    (write_since, read_since): (&mut Option<f64>, &mut Option<f64>),
    (write_down, read_down): (bool, bool),
    t: f64,
) {
    track(write_since, write_down, t, &mut out.write_down);
    let mut read_spans = Vec::new();
    track(read_since, read_down, t, &mut read_spans);
    out.read_lost |= read_since.is_some() || !read_spans.is_empty();
    out.read_down_s += read_spans.iter().map(|(a, b)| b - a).sum::<f64>();
}

/// Closes the quorums still lost when the year (or the group, at `end`)
/// ends: after a loss the group is down for the rest of the year.
fn close_year(out: &mut PgYear, write_since: Option<f64>, read_since: Option<f64>, end: f64) {
    let lost = out.data_lost;
    let close = |since: Option<f64>| since.or(lost.then_some(end));
    if let Some(s) = close(write_since) {
        out.write_down.push((s, YEAR_S));
    }
    if let Some(s) = close(read_since) {
        out.read_down_s += YEAR_S - s;
        out.read_lost = true;
    }
}

/// The next scheduled event after `t`: an AZ change, a copy's return, a
/// repair's start or end, a Weibull life's end; the year's end if none.
fn next_scheduled(az: &AzYear, next_az: usize, copies: &[Copy], t: f64) -> f64 {
    let mut next = YEAR_S;
    if let Some(c) = az.changes.get(next_az) {
        next = next.min(c.0);
    }
    for c in copies {
        if c.back_at > t {
            next = next.min(c.back_at);
        }
        if !c.data {
            next = next.min(c.repaired_at);
            if c.repair_from > t {
                next = next.min(c.repair_from);
            }
        }
        next = next.min(c.dies_at);
    }
    next
}

/// Starts the repairs that can start at `t`: a lost copy whose repair
/// delay has passed, given a copy to copy from and a live AZ to copy into
/// (its own, or under `PreferSameAz` the live AZ with fewest copies).
fn start_repairs(copies: &mut [Copy], t: f64, dark: &[bool], m: &Model, rng: &mut ChaCha8Rng) {
    let source = copies.iter().any(|c| in_reach(c, t, dark));
    for i in 0..copies.len() {
        let c = copies[i];
        if c.data || c.repaired_at.is_finite() || c.repair_from > t || !source {
            continue;
        }
        let target = if !dark[c.az as usize] {
            Some(c.az)
        } else if m.placement == Placement::PreferSameAz {
            (0..m.azs)
                .filter(|z| !dark[*z as usize])
                .min_by_key(|z| copies.iter().filter(|o| o.az == *z).count())
        } else {
            None
        };
        if let Some(z) = target {
            let took = match m.repair_time {
                RepairTime::Fixed => m.copy_s,
                RepairTime::Exponential => exp(rng) * m.copy_s,
            };
            copies[i].az = z;
            copies[i].repaired_at = t + took;
        }
    }
}

/// Whether a copy holds the data and can be reached at `t`.
fn in_reach(c: &Copy, t: f64, dark: &[bool]) -> bool {
    c.data && c.back_at <= t && !dark[c.az as usize]
}

/// Records the start and end of a span in which `down` holds.
fn track(since: &mut Option<f64>, down: bool, t: f64, spans: &mut Vec<(f64, f64)>) {
    match (*since, down) {
        (None, true) => *since = Some(t),
        (Some(s), false) => {
            spans.push((s, t));
            *since = None;
        }
        _ => {}
    }
}

fn destroy(c: &mut Copy, t: f64, m: &Model) {
    c.data = false;
    c.back_at = 0.0;
    c.repair_from = t + m.repair_after_s;
    c.repaired_at = f64::INFINITY;
    c.dies_at = f64::INFINITY;
}

/// A uniformly chosen copy among those `eligible` (at least one is).
fn pick(copies: &[Copy], rng: &mut ChaCha8Rng, eligible: impl Fn(&Copy) -> bool) -> usize {
    let n = copies.iter().filter(|c| eligible(c)).count();
    let k = rng.random_range(0..n);
    copies
        .iter()
        .enumerate()
        .filter(|(_, c)| eligible(c))
        .nth(k)
        .map(|(i, _)| i)
        .expect("k is below the number of eligible copies")
}

/// The Weibull scale (seconds) whose mean life is one over the failure
/// rate.
fn weibull_scale(m: &Model) -> f64 {
    if m.failures_per_year <= 0.0 {
        return f64::INFINITY;
    }
    let mean = YEAR_S / m.failures_per_year;
    mean / gamma(1.0 + 1.0 / m.failure_shape)
}

/// Γ(x) for x in [1, 6] by the Lanczos approximation (g = 7, n = 9).
fn gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    (2.0 * std::f64::consts::PI).sqrt() * t.powf(x + 0.5) * (-t).exp() * a
}

fn exp(rng: &mut ChaCha8Rng) -> f64 {
    Exp1.sample(rng)
}

fn lognormal((median, sigma): (f64, f64), rng: &mut ChaCha8Rng) -> f64 {
    let z: f64 = StandardNormal.sample(rng);
    median * (sigma * z).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gamma_of_known_points() {
        assert!((gamma(1.0) - 1.0).abs() < 1e-12);
        assert!((gamma(1.5) - 0.886_226_925_452_758).abs() < 1e-12);
        assert!((gamma(5.0) - 24.0).abs() < 1e-9);
    }
}
