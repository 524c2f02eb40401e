//! Failover performance, not only failover time: how long after a fault
//! the writer's commit throughput and tail latency are back where they
//! were before it. A new writer that opens with a cold buffer cache, or on
//! a smaller class, is writable long before it performs.

use super::TimelineRow;
use crate::sim::{SimDuration, SimTime};

/// The level before the fault is the mean of the timeline bins in the 30 s
/// before it. Modelling choice: long enough to average out the Poisson
/// arrivals of a busy writer, short enough to be the level just before.
const BEFORE: SimDuration = SimDuration::from_secs(30);

/// Throughput and p99 count as back when within 10 % of their level
/// before the fault (the definition the tool's users asked for).
const BAND: f64 = 0.10;

/// ... and stay back for 5 s: one good bin between bad ones is noise.
/// Modelling choice.
const HOLD: SimDuration = SimDuration::from_secs(5);

/// Seconds from `started` to the first bin, at or after `writable`, that
/// begins [`HOLD`] of bins whose commit throughput is within [`BAND`] of
/// the level before the fault and whose p99 commit latency is at most
/// `1 + BAND` times it. `None`: not back by the end of the run, no
/// writable writer, or no level to come back to (no commits before it).
pub fn recovered_performance(
    rows: &[TimelineRow],
    bin: SimDuration,
    started: SimTime,
    writable: Option<SimTime>,
) -> Option<f64> {
    let writable = writable?.as_secs_f64();
    let (t0, width) = (started.as_secs_f64(), bin.as_secs_f64());
    let before: Vec<&TimelineRow> = rows
        .iter()
        .filter(|r| r.t_s + width <= t0 && r.t_s >= t0 - BEFORE.as_secs_f64())
        .collect();
    let p99s: Vec<f64> = before.iter().filter_map(|r| r.commit_p99_ms).collect();
    if before.is_empty() || p99s.is_empty() {
        return None;
    }
    let rate = before.iter().map(|r| r.commits as f64).sum::<f64>() / before.len() as f64;
    let p99 = p99s.iter().sum::<f64>() / p99s.len() as f64;
    if rate <= 0.0 {
        return None;
    }
    let back = |r: &TimelineRow| {
        (r.commits as f64 - rate).abs() <= BAND * rate
            && r.commit_p99_ms.is_some_and(|l| l <= (1.0 + BAND) * p99)
    };
    let hold = (HOLD.as_nanos().div_ceil(bin.as_nanos().max(1)) as usize).max(1);
    let first = rows.iter().position(|r| r.t_s >= writable)?;
    (first..rows.len())
        .find(|&i| i + hold <= rows.len() && rows[i..i + hold].iter().all(back))
        .map(|i| rows[i].t_s - t0)
}

/// Mean commits per second over the bins that lie wholly in the
/// [`BEFORE`]-long window starting at `from` (`None`: no such bin).
pub fn commit_rate(rows: &[TimelineRow], bin: SimDuration, from: SimTime) -> Option<f64> {
    let (t0, width) = (from.as_secs_f64(), bin.as_secs_f64());
    let end = t0 + BEFORE.as_secs_f64();
    let inside: Vec<u64> = rows
        .iter()
        .filter(|r| r.t_s >= t0 && r.t_s + width <= end + 1e-9)
        .map(|r| r.commits)
        .collect();
    (!inside.is_empty()).then(|| inside.iter().sum::<u64>() as f64 / inside.len() as f64 / width)
}

/// The commit rate in the [`BEFORE`] before `started`, and in as long
/// after `writable`.
pub fn rates_around(
    rows: &[TimelineRow],
    bin: SimDuration,
    started: SimTime,
    writable: Option<SimTime>,
) -> (Option<f64>, Option<f64>) {
    let before = SimTime::from_nanos(started.as_nanos().saturating_sub(BEFORE.as_nanos()));
    let before = (started.as_nanos() >= BEFORE.as_nanos())
        .then(|| commit_rate(rows, bin, before))
        .flatten();
    (before, writable.and_then(|w| commit_rate(rows, bin, w)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(t: f64, commits: u64, p99: f64) -> TimelineRow {
        TimelineRow {
            t_s: t,
            commits,
            commit_p99_ms: Some(p99),
            ..TimelineRow::default()
        }
    }

    #[test]
    fn back_is_the_first_bin_of_a_lasting_return_to_the_level_before() {
        let s = SimDuration::from_secs(1);
        let mut rows: Vec<TimelineRow> = (0..40).map(|t| row(t as f64, 1000, 5.0)).collect();
        // Down 40–50 s, open at 50 s, slow (p99 8 ms) until 60 s, one good
        // bin at 55 s, back from 60 s.
        rows.extend((40..50).map(|t| row(t as f64, 0, 0.0)));
        rows.extend((50..60).map(|t| row(t as f64, 1000, if t == 55 { 5.0 } else { 8.0 })));
        rows.extend((60..80).map(|t| row(t as f64, 1000, 5.2)));
        let at = |t: u64| SimTime::ZERO + SimDuration::from_secs(t);
        assert_eq!(
            recovered_performance(&rows, s, at(40), Some(at(50))),
            Some(20.0)
        );
        // Never back: the run ends first.
        assert_eq!(
            recovered_performance(&rows[..63], s, at(40), Some(at(50))),
            None
        );
        // Throughput below the band is not back either.
        let mut low = rows.clone();
        for r in &mut low[60..] {
            r.commits = 500;
        }
        assert_eq!(recovered_performance(&low, s, at(40), Some(at(50))), None);
        assert_eq!(recovered_performance(&rows, s, at(40), None), None);
        let (before, after) = rates_around(&low, s, at(40), Some(at(60)));
        assert_eq!((before, after), (Some(1000.0), Some(500.0)));
    }
}
