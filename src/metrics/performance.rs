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

/// Throughput counts as back when at least 90 % of its level before the
/// fault, p99 when at most 110 % of it (the definition the tool's users
/// asked for), or within the spread the bins before the fault had
/// themselves, if that is wider: a bin no worse than the worst of the
/// 30 s before is back, so noise the cluster had before the fault cannot
/// keep it from being back after. More throughput than before is not a
/// shortfall: clients that now share the new writer's AZ commit faster.
const BAND: f64 = 0.10;

/// ... and stay back for 5 s: one good bin between bad ones is noise.
/// Modelling choice.
const HOLD: SimDuration = SimDuration::from_secs(5);

/// The commit rate and p99 a failover's performance is judged against,
/// and how far they strayed before it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Level {
    /// Mean commits per second.
    pub commits_per_s: f64,
    /// Mean of the bins' p99 commit latency, ms.
    pub p99_ms: f64,
    /// The fewest commits per second of any bin.
    pub lowest_per_s: f64,
    /// The highest p99 of any bin, ms.
    pub highest_p99_ms: f64,
}

impl Level {
    /// The least commits per second that count as back.
    fn floor_per_s(&self) -> f64 {
        ((1.0 - BAND) * self.commits_per_s).min(self.lowest_per_s)
    }

    /// The highest p99 that counts as back, ms.
    fn ceiling_p99_ms(&self) -> f64 {
        ((1.0 + BAND) * self.p99_ms).max(self.highest_p99_ms)
    }
}

/// One failover, as its performance is judged.
#[derive(Clone, Copy, Debug)]
pub struct Judged {
    /// When the writer stopped serving.
    pub started: SimTime,
    /// When the new writer was writable, if it was.
    pub writable: Option<SimTime>,
}

/// A window before a fault with a bin below this share of its mean rate,
/// or a p99 above its inverse times the mean p99, held a disruption of its
/// own (an outage, a stall): its spread says nothing about noise, and it
/// is no level to come back to. Modelling choice: Poisson arrivals at the
/// rates simulated stray a few per cent from bin to bin, not by half.
const CLEAN: f64 = 0.5;

/// The level in the [`BEFORE`] before `started`: `None` when the run had
/// not lasted that long, no commit was acknowledged then, an earlier
/// failover (from its start until its writer was writable) overlaps the
/// window, or a bin of the window strays beyond [`CLEAN`], so that there
/// is no clean level to come back to.
pub fn level_before(
    rows: &[TimelineRow],
    bin: SimDuration,
    started: SimTime,
    earlier: &[Judged],
) -> Option<Level> {
    let from = started.as_nanos().checked_sub(BEFORE.as_nanos())?;
    let from = SimTime::from_nanos(from);
    let overlaps = earlier
        .iter()
        .any(|e| e.started < started && e.writable.is_none_or(|w| w > from));
    if overlaps {
        return None;
    }
    let (t0, width) = (from.as_secs_f64(), bin.as_secs_f64());
    let end = started.as_secs_f64();
    let inside: Vec<&TimelineRow> = rows
        .iter()
        .filter(|r| r.t_s >= t0 - 1e-9 && r.t_s + width <= end + 1e-9)
        .collect();
    let p99s: Vec<f64> = inside.iter().filter_map(|r| r.commit_p99_ms).collect();
    let commits: u64 = inside.iter().map(|r| r.commits).sum();
    if inside.is_empty() || p99s.is_empty() || commits == 0 {
        return None;
    }
    let level = Level {
        commits_per_s: commits as f64 / inside.len() as f64 / width,
        p99_ms: p99s.iter().sum::<f64>() / p99s.len() as f64,
        lowest_per_s: inside.iter().map(|r| r.commits).min().unwrap_or(0) as f64 / width,
        highest_p99_ms: p99s.iter().copied().fold(0.0, f64::max),
    };
    let clean = level.lowest_per_s >= CLEAN * level.commits_per_s
        && level.highest_p99_ms <= level.p99_ms / CLEAN;
    clean.then_some(level)
}

/// What the new writer carried in the [`BEFORE`] after it opened: the
/// clients reconnecting to it (a connection storm when they all come at
/// once), its CPU, and the commit latency they saw. The bins counted are
/// those that start within the window, the first being the one the writer
/// opened in. `None`: it never opened.
pub fn storm(
    rows: &[TimelineRow],
    bin: SimDuration,
    inst: usize,
    writable: Option<SimTime>,
    cpu_per_connect: SimDuration,
    level: Option<Level>,
) -> Option<Storm> {
    let w = writable?.as_secs_f64();
    let width = bin.as_secs_f64();
    let first = (w / width).floor() * width;
    let inside: Vec<&TimelineRow> = rows
        .iter()
        .filter(|r| r.t_s >= first - 1e-9 && r.t_s < w + BEFORE.as_secs_f64())
        .collect();
    let connections_accepted: u64 = inside
        .iter()
        .map(|r| u64::from(r.connects.get(inst).copied().unwrap_or(0)))
        .sum();
    let cpu: Vec<f64> = inside
        .iter()
        .filter_map(|r| r.cpu_util.get(inst).copied())
        .collect();
    Some(Storm {
        window_s: inside.len() as f64 * width,
        connections_accepted,
        connect_cpu_s: cpu_per_connect.as_secs_f64() * connections_accepted as f64,
        cpu_peak: cpu.iter().copied().fold(0.0, f64::max),
        cpu_mean: if cpu.is_empty() {
            0.0
        } else {
            cpu.iter().sum::<f64>() / cpu.len() as f64
        },
        commit_p99_peak_ms: inside
            .iter()
            .filter_map(|r| r.commit_p99_ms)
            .reduce(f64::max),
        commit_p99_before_ms: level.map(|l| l.p99_ms),
    })
}

/// The new writer's load after it opened (`storm`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Storm {
    /// Seconds of timeline counted: 30 s and the part of the bin the
    /// writer opened in.
    pub window_s: f64,
    /// Connections the new writer accepted in the window.
    pub connections_accepted: u64,
    /// CPU-seconds those connections cost it.
    pub connect_cpu_s: f64,
    /// Its busiest bin's CPU utilisation (0 to 1).
    pub cpu_peak: f64,
    /// Its mean CPU utilisation over the window.
    pub cpu_mean: f64,
    /// The worst bin's p99 commit latency, ms (`null`: nothing committed).
    pub commit_p99_peak_ms: Option<f64>,
    /// The bins' mean p99 in the 30 s before the fault, to compare with
    /// (`null`: no clean level before it).
    pub commit_p99_before_ms: Option<f64>,
}

/// Mean commits per second in the [`BEFORE`] after `writable`: `None` if
/// the run ended first.
pub fn rate_after(
    rows: &[TimelineRow],
    bin: SimDuration,
    writable: Option<SimTime>,
    end: SimTime,
) -> Option<f64> {
    let w = writable?;
    if end.since(w) < BEFORE {
        return None;
    }
    let (t0, width) = (w.as_secs_f64(), bin.as_secs_f64());
    let until = t0 + BEFORE.as_secs_f64();
    let inside: Vec<u64> = rows
        .iter()
        .filter(|r| r.t_s >= t0 && r.t_s + width <= until + 1e-9)
        .map(|r| r.commits)
        .collect();
    (!inside.is_empty()).then(|| inside.iter().sum::<u64>() as f64 / inside.len() as f64 / width)
}

/// Seconds from `started` to the first bin, at or after `writable`, that
/// begins [`HOLD`] of bins whose commit throughput and p99 commit latency
/// are back within `level`'s band ([`BAND`]).
/// `None`: not back by the end of the run, or no writable writer.
pub fn recovered_performance(
    rows: &[TimelineRow],
    bin: SimDuration,
    level: Level,
    started: SimTime,
    writable: Option<SimTime>,
) -> Option<f64> {
    let writable = writable?.as_secs_f64();
    let (t0, width) = (started.as_secs_f64(), bin.as_secs_f64());
    let (floor, ceiling) = (level.floor_per_s() * width, level.ceiling_p99_ms());
    let back = |r: &TimelineRow| {
        r.commits as f64 >= floor && r.commit_p99_ms.is_some_and(|l| l <= ceiling)
    };
    let hold = (HOLD.as_nanos().div_ceil(bin.as_nanos().max(1)) as usize).max(1);
    let first = rows.iter().position(|r| r.t_s >= writable)?;
    (first..rows.len())
        .find(|&i| i + hold <= rows.len() && rows[i..i + hold].iter().all(back))
        .map(|i| rows[i].t_s - t0)
}

/// An Aurora Serverless v2 instance's capacity through a failover, from
/// its `acu` timeline column: what the writer had when it failed, what
/// the instance promoted had then and when it became writable, and how
/// long after that its capacity was back within 10 % of the failed
/// writer's.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FailoverCapacity {
    /// The failed writer's capacity in the bin before the fault, ACUs
    /// (`null`: a provisioned class).
    pub writer_acu: Option<f64>,
    /// The promoted instance's capacity in the bin before the fault
    /// (`null`: a provisioned class).
    pub promoted_acu_before: Option<f64>,
    /// Its capacity in the bin it became writable (`null`: provisioned,
    /// or never writable).
    pub promoted_acu_writable: Option<f64>,
    /// Writable → its capacity back within 10 % of the failed writer's
    /// (the band throughput is judged back in), seconds, to the bin (0:
    /// already there; `null`: not by the end of the run, or either is
    /// provisioned).
    pub capacity_back_s: Option<f64>,
}

/// The capacity record of a failover from column `from` (the failed
/// writer's `acu` column, if it has one) to column `to`.
pub fn failover_capacity(
    rows: &[TimelineRow],
    bin: SimDuration,
    (from, to): (Option<usize>, Option<usize>),
    started: SimTime,
    writable: Option<SimTime>,
) -> FailoverCapacity {
    let width = bin.as_secs_f64();
    let t0 = started.as_secs_f64();
    // The last bin that ended before the fault's instant: a bin ending at
    // that instant may already show it.
    let before = rows.iter().rev().find(|r| r.t_s + width < t0 - 1e-9);
    let at = |r: Option<&TimelineRow>, col: Option<usize>| r.and_then(|r| r.acu.get(col?).copied());
    let writer_acu = at(before, from);
    let w = writable.map(SimTime::as_secs_f64);
    let first = w.and_then(|w| rows.iter().position(|r| r.t_s + width > w));
    let back = || {
        let (level, col, w, first) = (writer_acu?, to?, w?, first?);
        let back = |a: f64| a >= (1.0 - BAND) * level;
        let i = (first..rows.len()).find(|&i| rows[i].acu.get(col).is_some_and(|&a| back(a)))?;
        Some(if i == first {
            0.0
        } else {
            rows[i].t_s + width - w
        })
    };
    let capacity_back_s = back();
    FailoverCapacity {
        writer_acu,
        promoted_acu_before: at(before, to),
        promoted_acu_writable: at(first.map(|i| &rows[i]), to),
        capacity_back_s,
    }
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
        let level = level_before(&rows, s, at(40), &[]).expect("30 s before");
        assert_eq!(
            level,
            Level {
                commits_per_s: 1000.0,
                p99_ms: 5.0,
                lowest_per_s: 1000.0,
                highest_p99_ms: 5.0,
            }
        );
        let back =
            |rows: &[TimelineRow]| recovered_performance(rows, s, level, at(40), Some(at(50)));
        assert_eq!(back(&rows), Some(20.0));
        // Never back: the run ends first.
        assert_eq!(back(&rows[..63]), None);
        // Throughput below the band is not back either.
        let mut low = rows.clone();
        for r in &mut low[60..] {
            r.commits = 500;
        }
        assert_eq!(back(&low), None);
        assert_eq!(
            rate_after(&low, s, Some(at(50)), at(80)),
            Some(20_000.0 / 30.0)
        );
        // A p99 that strayed to 9 ms before the fault: 8 ms after it is
        // within that spread, so back from when the writer opened.
        let mut noisy = rows.clone();
        noisy[20].commit_p99_ms = Some(9.0);
        let level = level_before(&noisy, s, at(40), &[]).expect("30 s before");
        assert_eq!(level.highest_p99_ms, 9.0);
        assert_eq!(
            recovered_performance(&noisy, s, level, at(40), Some(at(50))),
            Some(10.0)
        );
        // A stall before the fault is no level to come back to: with it,
        // any throughput would count as back.
        let mut stalled = rows.clone();
        stalled[25].commits = 0;
        assert_eq!(level_before(&stalled, s, at(40), &[]), None);
        // The run ends before 30 s after: no rate after.
        assert_eq!(rate_after(&low, s, Some(at(60)), at(80)), None);
        // No level: too early in the run, or an earlier failover in the way.
        assert_eq!(level_before(&rows, s, at(20), &[]), None);
        let earlier = Judged {
            started: at(15),
            writable: Some(at(25)),
        };
        assert_eq!(level_before(&rows, s, at(40), &[earlier]), None);
        let long_ago = Judged {
            started: at(1),
            writable: Some(at(5)),
        };
        assert!(level_before(&rows, s, at(40), &[long_ago]).is_some());
    }
}
