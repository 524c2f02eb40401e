//! The load, and the pages it touches.
//!
//! Load comes from clients' closed loops (`super::client`), each
//! request a transaction; a scenario may add open-loop load: every
//! group-commit interval a Poisson number of commits and page reads
//! arrives at the writer (`writer::on_group_commit` asks for them),
//! whatever the database does. While the application wants to write and
//! no writer is open, the interval counts as unavailable for writes.
//!
//! The working set is `pages` pages spread evenly over the volume: page `i`
//! of the working set is volume page `i · stride`. Each PG therefore holds a
//! contiguous run of working-set pages, and within a PG they are numbered
//! densely from 0. Pages outside the working set are never written, so they
//! need no number, and every page map in the model can be a plain vector.

use rand::Rng;
use rand_distr::{Distribution, Poisson, Zipf};

use crate::model::config::{Access, Config};
use crate::sim::rng::reseed;
use crate::sim::{SimDuration, SimRng, SimTime};
use crate::vocab::ids::PgId;

/// The application's load.
#[derive(Clone, Debug)]
pub struct Workload {
    /// Where its pages live.
    pub working_set: WorkingSet,
    /// Which pages it uses how often.
    pub popularity: Popularity,
    /// Its own random stream: arrivals, pages, read targets.
    pub rng: SimRng,
    /// Commits that arrived at an open writer, or open-loop while none
    /// was: each is then acknowledged, refused, abandoned or waiting.
    pub arrived: u64,
    /// Commits that arrived open-loop.
    pub open_loop: u64,
    /// [`Config::wants_writes`], asked every tick.
    wants_writes: bool,
    commits_per_tick: Option<Poisson<f64>>,
    reads_per_tick: Option<Poisson<f64>>,
}

impl Workload {
    /// Moves its random stream to root seed `seed`, for a run forked from a
    /// prefix it shares with other seeds' runs.
    pub(crate) fn reseed(&mut self, seed: u64) {
        reseed(&mut self.rng, seed);
    }

    /// The workload a scenario describes.
    pub fn new(cfg: &Config, rng: SimRng) -> Self {
        let wl = &cfg.workload;
        let tick = wl.group_commit_interval.as_secs_f64();
        let per_tick = |rate: f64| Poisson::new(rate * tick).ok();
        Workload {
            working_set: WorkingSet::new(wl.working_set_pages, wl.pages_per_pg, cfg.storage.pgs),
            popularity: Popularity::new(wl.access, wl.working_set_pages),
            rng,
            arrived: 0,
            open_loop: 0,
            wants_writes: cfg.wants_writes(),
            commits_per_tick: per_tick(wl.commits_per_s),
            reads_per_tick: per_tick(wl.reads_per_s),
        }
    }

    /// The commits arriving open-loop in one group-commit interval, a
    /// Poisson draw (none when the scenario sets no rate).
    pub(crate) fn offer_commits(&mut self) -> u64 {
        let Some(per_tick) = self.commits_per_tick else {
            return 0;
        };
        let n = per_tick.sample(&mut self.rng) as u64;
        self.arrived += n;
        self.open_loop += n;
        n
    }

    /// Whether the application asks for commits, so that a time without
    /// an open writer is a time writes are unavailable.
    pub(crate) fn wants_writes(&self) -> bool {
        self.wants_writes
    }

    /// When one commit offered in the interval ending `now` arrived:
    /// uniformly over it.
    pub(crate) fn arrival(&mut self, now: SimTime, interval: SimDuration) -> SimTime {
        let back = self.rng.random_range(0..interval.as_nanos().max(1));
        SimTime::from_nanos(now.as_nanos().saturating_sub(back))
    }

    /// Whether the scenario offers page reads.
    pub(crate) fn offers_reads(&self) -> bool {
        self.reads_per_tick.is_some()
    }

    /// The page reads arriving open-loop in one interval, a Poisson draw
    /// (none when the scenario sets no rate).
    pub(crate) fn offer_reads(&mut self) -> u64 {
        self.reads_per_tick
            .map_or(0, |per_tick| per_tick.sample(&mut self.rng) as u64)
    }
}

/// How often the workload uses each working-set page: every page alike,
/// or by a Zipf law over popularity ranks. Rank `k` is page
/// `k · step mod pages` with `step` coprime to the page count, so the
/// popular pages spread over every PG instead of crowding the first.
#[derive(Clone, Debug)]
pub enum Popularity {
    /// Every page alike.
    Uniform(u64),
    /// Rank `k` (from 1) with weight `1/k^s`.
    Zipf {
        /// The rank distribution.
        ranks: Zipf<f64>,
        /// Pages in the working set.
        pages: u64,
        /// Rank-to-page step, coprime to `pages`.
        step: u64,
    },
}

impl Popularity {
    /// The popularity `access` describes over `pages` pages.
    pub fn new(access: Access, pages: u64) -> Self {
        match access {
            Access::Zipf(s) if s > 0.0 && pages > 1 => {
                let ranks = Zipf::new(pages as f64, s).expect("validated exponent");
                // The golden-ratio step spreads neighbours far apart.
                let mut step = ((pages as f64 * 0.618_033_988_75) as u64).max(1);
                while gcd(step, pages) != 1 {
                    step += 1;
                }
                Popularity::Zipf { ranks, pages, step }
            }
            _ => Popularity::Uniform(pages),
        }
    }

    /// One page use.
    #[inline]
    pub fn draw(&self, rng: &mut SimRng) -> u64 {
        match self {
            Popularity::Uniform(pages) => rng.random_range(0..*pages),
            Popularity::Zipf { ranks, pages, step } => {
                let rank = (ranks.sample(rng) as u64).clamp(1, *pages) - 1;
                page_of(rank, *pages, *step)
            }
        }
    }

    /// The pages from most to least used: what a cache that has served
    /// the workload for long holds first.
    pub fn hottest(&self) -> Box<dyn Iterator<Item = u64> + '_> {
        match *self {
            Popularity::Uniform(pages) => Box::new(0..pages),
            Popularity::Zipf { pages, step, .. } => {
                Box::new((0..pages).map(move |r| page_of(r, pages, step)))
            }
        }
    }
}

/// The page of popularity rank `rank` (from 0).
fn page_of(rank: u64, pages: u64, step: u64) -> u64 {
    ((rank as u128 * step as u128) % pages as u128) as u64
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// Where each working-set page lives.
#[derive(Clone, Copy, Debug)]
pub struct WorkingSet {
    stride: u64,
    pages_per_pg: u64,
}

impl WorkingSet {
    /// `pages` working-set pages over `pgs` PGs of `pages_per_pg` pages.
    pub fn new(pages: u64, pages_per_pg: u64, pgs: u32) -> Self {
        let volume_pages = pages_per_pg * pgs as u64;
        assert!(
            pages >= 1 && pages <= volume_pages,
            "working set must fit the volume"
        );
        WorkingSet {
            stride: volume_pages / pages,
            pages_per_pg,
        }
    }

    /// First working-set page in `pg`.
    fn first(&self, pg: u64) -> u64 {
        (pg * self.pages_per_pg).div_ceil(self.stride)
    }

    /// The PG of working-set page `i`, and its dense number within the PG.
    #[inline]
    pub fn locate(&self, i: u64) -> (PgId, u32) {
        let pg = i * self.stride / self.pages_per_pg;
        (PgId(pg as u32), (i - self.first(pg)) as u32)
    }

    /// The working-set index of dense page `page` of `pg`.
    #[inline]
    pub fn index(&self, pg: PgId, page: u32) -> u64 {
        self.first(pg.0 as u64) + page as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{RngFactory, StreamId};

    #[test]
    fn zipf_popularity_is_skewed_spread_and_a_bijection() {
        let pages = 10_000;
        let pop = Popularity::new(Access::Zipf(0.99), pages);
        let mut hot: Vec<u64> = pop.hottest().collect();
        assert_eq!(hot[0], 0);
        hot.sort_unstable();
        hot.dedup();
        assert_eq!(hot.len() as u64, pages, "every page has one rank");
        let mut rng = RngFactory::new(1).stream(StreamId(1));
        let top: std::collections::BTreeSet<u64> = pop.hottest().take(100).collect();
        let n = 100_000;
        let in_top = (0..n).filter(|_| top.contains(&pop.draw(&mut rng))).count();
        // The top 1 % of pages take about half the uses at s = 0.99.
        assert!(
            (0.45..0.6).contains(&(in_top as f64 / n as f64)),
            "{in_top}"
        );
        let uniform = Popularity::new(Access::Uniform, pages);
        let in_top = (0..n).filter(|_| uniform.draw(&mut rng) < 100).count();
        assert!(
            (0.008..0.012).contains(&(in_top as f64 / n as f64)),
            "{in_top}"
        );
    }

    #[test]
    fn locate_and_index_round_trip_and_spread_evenly() {
        for (pages, ppp, pgs) in [(65_536, 655_360, 10), (7, 100, 3), (300, 100, 3)] {
            let ws = WorkingSet::new(pages, ppp, pgs);
            let mut per_pg = vec![0u64; pgs as usize];
            for i in 0..pages {
                let (pg, page) = ws.locate(i);
                assert_eq!(ws.index(pg, page), i);
                assert_eq!(page as u64, per_pg[pg.index()], "dense numbering");
                per_pg[pg.index()] += 1;
            }
            let (min, max) = (per_pg.iter().min().unwrap(), per_pg.iter().max().unwrap());
            assert!(max - min <= 1, "{per_pg:?}");
        }
    }
}
