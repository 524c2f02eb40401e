//! What a global database's replication did: each secondary region's lag,
//! the RPO guard's holds, and what each region lacked when the primary
//! went dark.

use hdrhistogram::Histogram;

use crate::sim::{SimDuration, SimTime};

/// One secondary region's measures.
#[derive(Clone, Debug)]
pub struct RegionMeasures {
    /// Replication lag of each stored shipment: from the primary's storage
    /// making it durable to a write quorum of the region's copies holding
    /// it, microseconds.
    pub lag: Histogram<u64>,
    /// The largest RPO lag sampled: how long the oldest redo the primary
    /// made durable that the region lacked had been durable.
    pub rpo_lag_max: SimDuration,
    /// The largest span of acknowledged work the region lacked: from the
    /// oldest acknowledged commit it lacked to the newest acknowledged.
    pub at_risk_max: SimDuration,
    /// The RPO lag last sampled: how far behind the region was at the end.
    pub behind: SimDuration,
    /// The largest RPO lag in the current timeline bin.
    pub(super) bin_rpo_lag: Option<SimDuration>,
    /// Bytes the replication link carried.
    pub bytes_sent: u64,
}

/// A secondary region's promotion to primary: a failover or a switchover.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Promotion {
    /// The fault that asked for it.
    pub fault: u32,
    /// The region promoted (its id).
    pub region: usize,
    /// The primary it replaced (its id).
    pub from: usize,
    /// A switchover rather than a failover.
    pub switchover: bool,
    /// When it was asked for.
    pub requested: SimTime,
    /// When the region became the primary (a switchover: once every region
    /// was synchronised); `None` if it never did within the run.
    pub promoted: Option<SimTime>,
    /// Commits the old primary had acknowledged that the region lacked.
    pub commits_lost: u64,
    /// The acknowledged work it lacked, in time: the RPO.
    pub rpo: SimDuration,
}

/// What a region lacked when the primary region went dark: what promoting
/// it then would have lost.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Exposure {
    /// When the primary went dark.
    pub at: SimTime,
    /// The secondary region (its id: 0 the first primary).
    pub region: usize,
    /// Commits the primary had acknowledged that the region lacked.
    pub commits: u64,
    /// The age then of the oldest of them (zero when none).
    pub rpo: SimDuration,
    /// The span from the oldest of them to the newest acknowledged commit.
    pub span: SimDuration,
}

/// Every secondary region's measures, the RPO guard's holds and the
/// exposures.
#[derive(Clone, Debug, Default)]
pub struct Replication {
    /// By region id (0 the first primary, then the secondaries in the
    /// order written); a region is measured while it is a secondary.
    pub regions: Vec<RegionMeasures>,
    /// The regions the timeline has a column for, by id.
    pub measured: Vec<usize>,
    /// Every promotion asked for, in order.
    pub promotions: Vec<Promotion>,
    /// When the RPO guard held commits: from, and until (open while it
    /// still holds).
    pub holds: Vec<(SimTime, Option<SimTime>)>,
    /// What each region lacked at each primary-region outage.
    pub exposures: Vec<Exposure>,
    /// The most acknowledged work the best-placed region lacked at once:
    /// what the RPO guard bounds.
    pub best_at_risk_max: SimDuration,
    /// By client group: what its forwarded writes did, for a group that
    /// forwards any.
    pub forwarding: Vec<Option<Forwarding>>,
}

/// What one client group's forwarded writes did.
#[derive(Clone, Debug)]
pub struct Forwarding {
    /// From the reader forwarding a write to the writer's acknowledgement
    /// reaching it, microseconds.
    pub write: Histogram<u64>,
    /// From that acknowledgement to the read after it beginning: the wait
    /// its consistency asks for, microseconds.
    pub read_wait: Histogram<u64>,
    /// Reads that began before the reader had applied the write the same
    /// session had just forwarded.
    pub missed_own_write: u64,
}

impl Forwarding {
    fn new() -> Self {
        Forwarding {
            write: super::recorder::histogram(),
            read_wait: super::recorder::histogram(),
            missed_own_write: 0,
        }
    }
}

impl Replication {
    /// Measures for `regions` regions, with a timeline column for each
    /// of `measured`.
    pub fn new(regions: usize, measured: Vec<usize>) -> Self {
        Replication {
            measured,
            regions: (0..regions)
                .map(|_| RegionMeasures {
                    lag: super::recorder::histogram(),
                    rpo_lag_max: SimDuration::ZERO,
                    at_risk_max: SimDuration::ZERO,
                    behind: SimDuration::ZERO,
                    bin_rpo_lag: None,
                    bytes_sent: 0,
                })
                .collect(),
            ..Replication::default()
        }
    }

    /// A write forwarded for client group `group` was acknowledged to its
    /// reader `took` after the reader sent it.
    pub fn forwarded(&mut self, group: usize, took: SimDuration) {
        if self.forwarding.len() <= group {
            self.forwarding.resize_with(group + 1, || None);
        }
        let f = self.forwarding[group].get_or_insert_with(Forwarding::new);
        f.write.saturating_record(super::recorder::micros(took));
    }

    /// The read after group `group`'s forwarded write began after waiting
    /// `waited`; `missed` if it could not see that write.
    pub fn read_after_write(&mut self, group: usize, waited: SimDuration, missed: bool) {
        if let Some(Some(f)) = self.forwarding.get_mut(group) {
            f.read_wait
                .saturating_record(super::recorder::micros(waited));
            f.missed_own_write += u64::from(missed);
        }
    }

    /// A shipment to region `r` was stored `lag` after the primary made it
    /// durable.
    pub fn stored(&mut self, r: usize, lag: SimDuration) {
        let us = super::recorder::micros(lag);
        self.regions[r].lag.saturating_record(us);
    }

    /// Region `r`'s RPO lag and acknowledged work at risk, sampled.
    pub fn rpo_lag(&mut self, r: usize, lag: SimDuration, at_risk: SimDuration) {
        let m = &mut self.regions[r];
        m.rpo_lag_max = m.rpo_lag_max.max(lag);
        m.behind = lag;
        m.at_risk_max = m.at_risk_max.max(at_risk);
        m.bin_rpo_lag = Some(m.bin_rpo_lag.map_or(lag, |b| b.max(lag)));
    }

    /// The acknowledged work the best-placed region lacks now.
    pub fn best_at_risk(&mut self, span: SimDuration) {
        self.best_at_risk_max = self.best_at_risk_max.max(span);
    }

    /// The guard starts (`held`) or stops holding commits at `now`.
    pub fn hold(&mut self, now: SimTime, held: bool) {
        if held {
            self.holds.push((now, None));
        } else if let Some(h) = self.holds.last_mut().filter(|h| h.1.is_none()) {
            h.1 = Some(now);
        }
    }

    /// Time the guard held commits up to `end`, seconds.
    pub fn held_s(&self, end: SimTime) -> f64 {
        self.holds
            .iter()
            .map(|&(from, to)| to.unwrap_or(end).since(from).as_secs_f64())
            .fold(0.0, |a, b| a + b)
    }

    /// Each region's largest RPO lag in the bin now closing, ms, and a
    /// fresh bin.
    pub(super) fn close_bin(&mut self) -> Vec<Option<f64>> {
        let lags: Vec<Option<f64>> = self
            .regions
            .iter_mut()
            .map(|m| m.bin_rpo_lag.take().map(|d| d.as_secs_f64() * 1e3))
            .collect();
        self.measured.iter().map(|&r| lags[r]).collect()
    }
}
