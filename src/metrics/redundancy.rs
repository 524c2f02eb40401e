//! How long each protection group spent short of copies.
//!
//! A PG's redundancy is its live copies (hydrated members on running
//! nodes): the margin it has before the next failure costs it a write
//! quorum. The storage layer reports every PG's count whenever a node,
//! partition or repair may have changed it; between reports it holds, so
//! time at each level is exact. \[P17\] §2.2 sizes segments at 10 GB so that
//! this time — the window of vulnerability — stays short.

use serde::{Deserialize, Serialize};

use crate::sim::{SimDuration, SimTime};

/// Per PG: its copy count now, since when, and time at each level.
#[derive(Clone, Debug)]
pub struct Redundancy {
    full: u32,
    level: Vec<u32>,
    since: Vec<SimTime>,
    /// When the PG last left full copy count, while it is short.
    short_since: Vec<Option<SimTime>>,
    /// Time at full, one short, two short, and fewer.
    time_at: Vec<[SimDuration; 4]>,
    /// Longest stretch short of full copies, per PG (closed stretches).
    longest: Vec<SimDuration>,
    /// PGs short of full copies now.
    short: u32,
    /// Since when every PG has been at full copy count, while all are.
    all_full_since: Option<SimTime>,
}

impl Redundancy {
    /// `pgs` PGs of `full` copies each, all at full count at time zero.
    pub fn new(pgs: usize, full: u32) -> Self {
        Redundancy {
            full,
            level: vec![full; pgs],
            since: vec![SimTime::ZERO; pgs],
            short_since: vec![None; pgs],
            time_at: vec![[SimDuration::ZERO; 4]; pgs],
            longest: vec![SimDuration::ZERO; pgs],
            short: 0,
            all_full_since: Some(SimTime::ZERO),
        }
    }

    fn bucket(&self, copies: u32) -> usize {
        (self.full.saturating_sub(copies) as usize).min(3)
    }

    /// PG `pg` has `copies` live copies from `now` on.
    pub fn observe(&mut self, now: SimTime, pg: usize, copies: u32) {
        let was = self.level[pg];
        if copies == was {
            return;
        }
        let b = self.bucket(was);
        self.time_at[pg][b] += now.since(self.since[pg]);
        self.level[pg] = copies;
        self.since[pg] = now;
        match (was >= self.full, copies >= self.full) {
            (true, false) => {
                self.short_since[pg] = Some(now);
                self.short += 1;
                self.all_full_since = None;
            }
            (false, true) => {
                self.short -= 1;
                if self.short == 0 {
                    self.all_full_since = Some(now);
                }
                let from = self.short_since[pg].take().expect("was short");
                self.longest[pg] = self.longest[pg].max(now.since(from));
            }
            _ => {}
        }
    }

    /// PGs at full copy count now.
    pub fn at_full(&self) -> u32 {
        self.level.len() as u32 - self.short
    }

    /// Since when every PG has been at full copy count; `None` while one
    /// is short.
    pub fn all_full_since(&self) -> Option<SimTime> {
        self.all_full_since
    }

    /// What the run showed, up to `end`.
    pub fn summary(&self, end: SimTime) -> RedundancySummary {
        let mut per_pg = Vec::new();
        let mut totals = [0.0; 4];
        let mut longest: Option<(f64, bool)> = None;
        for pg in 0..self.level.len() {
            let mut at = self.time_at[pg];
            at[self.bucket(self.level[pg])] += end.since(self.since[pg]);
            for (t, a) in totals.iter_mut().zip(at) {
                *t += a.as_secs_f64();
            }
            let open = self.short_since[pg].map(|s| end.since(s));
            let pg_longest = open.unwrap_or_default().max(self.longest[pg]);
            if pg_longest.is_zero() && open.is_none() {
                continue;
            }
            let restored = open.is_none();
            // Whether the longest stretch itself ended: an earlier, longer
            // one may have, while a shorter one is still open.
            let ended = open.is_none_or(|o| self.longest[pg] > o);
            let s = pg_longest.as_secs_f64();
            // The longest stretch; of equal ones, an open one (it is a
            // lower bound, and says more).
            if longest.is_none_or(|(l, e)| s > l || (s == l && e && !ended)) {
                longest = Some((s, ended));
            }
            per_pg.push(PgRedundancy {
                pg: pg as u32,
                full_s: at[0].as_secs_f64(),
                one_short_s: at[1].as_secs_f64(),
                two_short_s: at[2].as_secs_f64(),
                fewer_s: at[3].as_secs_f64(),
                longest_short_s: s,
                longest_ended: ended,
                restored,
            });
        }
        RedundancySummary {
            copies: self.full,
            pgs_short: per_pg.len() as u32,
            pgs_short_at_end: per_pg.iter().filter(|p| !p.restored).count() as u32,
            pg_seconds: [totals[0], totals[1], totals[2], totals[3]],
            longest_short_s: longest.map(|l| l.0),
            longest_restored: longest.map(|l| l.1),
            per_pg,
        }
    }
}

/// `summary.json` `redundancy`: time PGs spent short of full copies.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RedundancySummary {
    /// Copies of a PG at full count.
    pub copies: u32,
    /// PGs that were ever short of full copies.
    pub pgs_short: u32,
    /// Of those, PGs still short at the end of the run.
    pub pgs_short_at_end: u32,
    /// PG-seconds at full count, one short, two short, and fewer.
    pub pg_seconds: [f64; 4],
    /// The longest time one PG spent short of full copies without a
    /// break, s (`null`: no PG was ever short). With
    /// `longest_restored: false` that PG was still short at the end, and
    /// the figure is a lower bound.
    pub longest_short_s: Option<f64>,
    /// Whether the stretch of `longest_short_s` ended: the PG got its
    /// copies back then (it may be short again at the end; see
    /// `pgs_short_at_end`).
    pub longest_restored: Option<bool>,
    /// Every PG that was ever short, in PG order.
    pub per_pg: Vec<PgRedundancy>,
}

impl RedundancySummary {
    /// The longest stretch in words: "never" is not a number.
    pub fn longest(&self) -> String {
        match (self.longest_short_s, self.longest_restored) {
            (Some(l), Some(true)) if self.pgs_short_at_end == 0 => {
                format!("longest time a PG was short of copies {l:.3} s")
            }
            (Some(l), Some(true)) => format!(
                "longest time a PG was short of copies {l:.3} s; {} PG(s) short again at the end",
                self.pgs_short_at_end
            ),
            (Some(l), _) => format!(
                "a PG short of copies for {l:.3} s and not restored by the end ({} PG(s) still short)",
                self.pgs_short_at_end
            ),
            _ => "no PG was ever short of copies".to_owned(),
        }
    }

    /// One line for the printout and the report.
    pub fn describe(&self, pgs: u32) -> String {
        if self.pgs_short == 0 {
            return format!("every PG kept its {} copies", self.copies);
        }
        let [_, one, two, fewer] = self.pg_seconds;
        format!(
            "{} of {pgs} PGs short of {} copies; {}; PG-seconds one short {one:.1}, two short {two:.1}, fewer {fewer:.1}",
            self.pgs_short, self.copies, self.longest()
        )
    }
}

/// One PG's time at each copy count.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PgRedundancy {
    /// PG number.
    pub pg: u32,
    /// Seconds at full copy count.
    pub full_s: f64,
    /// Seconds one copy short (5/6 by default).
    pub one_short_s: f64,
    /// Seconds two short (4/6: still a write quorum).
    pub two_short_s: f64,
    /// Seconds three or more short (below a write quorum by default).
    pub fewer_s: f64,
    /// Longest stretch short of full, s.
    pub longest_short_s: f64,
    /// Whether that stretch ended (`false`: it was still open at the end,
    /// and the figure is a lower bound).
    pub longest_ended: bool,
    /// Whether it was at full count at the end.
    pub restored: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: u64) -> SimTime {
        SimTime::ZERO + SimDuration::from_secs(s)
    }

    #[test]
    fn time_at_each_level_and_the_longest_stretch() {
        let mut r = Redundancy::new(2, 6);
        r.observe(t(10), 0, 5);
        r.observe(t(15), 0, 4);
        r.observe(t(20), 0, 6);
        r.observe(t(30), 1, 5);
        let s = r.summary(t(40));
        assert_eq!(s.pgs_short, 2);
        assert_eq!(s.pgs_short_at_end, 1);
        let p0 = &s.per_pg[0];
        assert_eq!(
            (p0.full_s, p0.one_short_s, p0.two_short_s),
            (30.0, 5.0, 5.0)
        );
        assert!(p0.restored && p0.longest_ended && p0.longest_short_s == 10.0);
        // PG 1 is still short: 10 s so far, as long as PG 0's stretch; the
        // open one is the one named.
        assert_eq!(s.longest_short_s, Some(10.0));
        assert_eq!(s.longest_restored, Some(false));
        assert_eq!(s.pg_seconds, [30.0 + 30.0, 5.0 + 10.0, 5.0, 0.0]);
        assert_eq!(r.at_full(), 1);
    }

    #[test]
    fn a_long_stretch_that_ended_is_not_called_open_by_a_shorter_open_one() {
        let mut r = Redundancy::new(1, 6);
        r.observe(t(10), 0, 5);
        r.observe(t(110), 0, 6);
        r.observe(t(170), 0, 5);
        let s = r.summary(t(180));
        assert_eq!(s.longest_short_s, Some(100.0));
        assert_eq!(s.longest_restored, Some(true));
        assert_eq!(s.pgs_short_at_end, 1);
        assert!(
            s.longest().contains("short again at the end"),
            "{}",
            s.longest()
        );
        assert!(!s.per_pg[0].restored && s.per_pg[0].longest_ended);
    }

    #[test]
    fn a_run_with_no_loss_reports_no_stretch() {
        let r = Redundancy::new(3, 6);
        let s = r.summary(t(5));
        assert_eq!((s.pgs_short, s.longest_short_s), (0, None));
        assert_eq!(s.pg_seconds[0], 15.0);
    }
}
