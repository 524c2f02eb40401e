//! Aurora Global Database: storage-level replication from the primary
//! region to each secondary region's volume, and the RPO guard.
//!
//! \[UG\] (aurora-global-database) describes the mechanism: the primary's
//! storage ships redo through a replication server to a replication agent
//! in each secondary region, which writes it to that region's storage (six
//! copies over three AZs), with no engine in the path and without holding
//! up the primary's commits. Here the replication server wakes every
//! `ship_interval` and sends each secondary everything the primary's
//! storage made durable since its last send (up to the VDL), once the
//! link has sent what it already had: one message per region, serialized
//! on the region's link at its bandwidth, crossing it with a lognormal
//! delay around half the round trip, in order. The agent then writes it to
//! the region's copies (the primary's layout: two in its own AZ, four
//! across AZs), each a hop and a persist drawn from the scenario's network
//! and disk settings; it is stored once a write quorum holds it. Lag is
//! what comes out: the wait for the next send, the link's queue, the
//! crossing, the region's quorum write, and whatever a fault does to them.
//!
//! A cut link or a dark region loses what is in flight; the server sends
//! it again, with everything since, once the link is back, at its
//! bandwidth. Faults on a region nest: it is cut, or dark, until the last
//! fault that cuts or darkens it ends, and a narrowed link carries the
//! least any fault in force leaves it.
//!
//! What a send covers is timed from the earliest its oldest redo can have
//! become durable (the previous send, or when the VDL reached the point
//! before it), so every lag below errs long, by at most one send interval:
//!
//! - **replication lag**, per stored message: from then to its storage;
//! - **RPO lag**, sampled at each send and store: how long the oldest redo
//!   the primary made durable that the region lacks has been durable (zero
//!   when it lacks none): how far back promoting that region now would
//!   recover to;
//! - **acknowledged work at risk**: from the acknowledgement of the oldest
//!   acknowledged commit the region lacks to the newest acknowledgement,
//!   acknowledgements timed at the sends and stores around them: what the
//!   application was told is committed and would lose. It differs from
//!   RPO lag while the guard holds commits, which are durable but not
//!   acknowledged.
//!
//! \[UG\] (Managing RPOs for Aurora PostgreSQL-based global databases):
//! with `rds.global_db_rpo` set, commits on the primary complete only
//! while at least one secondary's RPO lag is below it; the guard here
//! holds the writer's durable commits unacknowledged from the send or
//! store that finds none within it until one is again, and then
//! acknowledges them.

use std::collections::VecDeque;

use super::context::Ctx;
use super::event::Event;
use super::order::Order;
use super::storage::lsn::Lsn;
use crate::metrics::Exposure;
use crate::model::config::{Config, GlobalConfig, RegionId};
use crate::sim::{LogNormal, SimDuration, SimRng, SimTime};

/// What the primary's storage had made durable by one send: a point of
/// its log, and what is known of the redo and the commits up to it.
#[derive(Clone, Copy, Debug)]
struct Shipped {
    /// Everything up to here was durable on the primary.
    upto: Lsn,
    /// When the primary's VDL reached `upto`.
    reached: SimTime,
    /// The earliest the redo after the previous point can have become
    /// durable: the previous send, or when the VDL reached the previous
    /// point if later.
    from: SimTime,
    /// Records made durable up to here, counted (LSNs skip the ranges a
    /// recovery truncated).
    records: u64,
    /// Commits at or below it that the primary acknowledged, or holds
    /// under the RPO guard and will acknowledge, in log order.
    acked: u64,
}

/// The replication link to one secondary region, and what the region
/// holds.
#[derive(Debug)]
struct Link {
    /// One crossing.
    crossing: LogNormal,
    /// What it carries when healthy, bits per second.
    bits_per_s: f64,
    /// Partitions in force.
    cuts: u32,
    /// Outages of the region in force.
    outages: u32,
    /// Slow-down factors in force.
    slowdowns: Vec<f64>,
    /// Bumped whenever what is in flight is lost.
    generation: u32,
    /// When the link has sent everything queued on it.
    free_at: SimTime,
    /// When the last message sent is stored: messages are stored in the
    /// order sent.
    stored_by: SimTime,
    /// The highest point sent since what was in flight was last lost.
    sent: Shipped,
    /// The highest point the region holds.
    stored: Shipped,
}

impl Link {
    /// Whether the server can reach the region.
    fn open(&self) -> bool {
        self.cuts == 0 && self.outages == 0
    }

    /// The slow-down in force: the largest.
    fn slowness(&self) -> f64 {
        self.slowdowns.iter().copied().fold(1.0, f64::max)
    }

    /// What is in flight is lost: the server sends everything the region
    /// has not stored again, from `now`.
    fn restart(&mut self, now: SimTime) {
        self.generation += 1;
        self.sent = self.stored;
        self.free_at = now;
        self.stored_by = now;
    }
}

/// The primary's replication server and what each secondary holds.
#[derive(Debug)]
pub(crate) struct Global {
    links: Vec<Link>,
    rng: SimRng,
    /// Every send's point, oldest first, from the oldest some region
    /// lacks.
    ledger: VecDeque<Shipped>,
    /// Outages of the primary region in force: nothing is sent.
    primary_outages: u32,
    /// The RPO guard holds commits.
    held: bool,
    /// Commits acknowledged as each judgement found them, with the
    /// previous judgement's time (the earliest the newly counted ones can
    /// have been acknowledged): oldest first, from the oldest some region
    /// lacks.
    acks: VecDeque<(u64, SimTime)>,
    /// When the newest acknowledgement was seen.
    newest_ack: SimTime,
    /// When the last judgement was made.
    judged_at: SimTime,
    /// When the last send was.
    sent_at: SimTime,
    draws: Draws,
}

/// The secondary region's own links and disks: the scenario's.
#[derive(Debug)]
struct Draws {
    same_az: LogNormal,
    cross_az: LogNormal,
    persist: LogNormal,
}

impl Global {
    /// The replication of `cfg`'s regions, drawing from `rng`.
    pub fn new(cfg: &Config, g: &GlobalConfig, rng: SimRng) -> Self {
        let start = Shipped {
            upto: Lsn(0),
            reached: SimTime::ZERO,
            from: SimTime::ZERO,
            records: 0,
            acked: 0,
        };
        let net = &cfg.network;
        Global {
            links: g
                .secondaries
                .iter()
                .map(|r| Link {
                    crossing: LogNormal::new(r.rtt / 2, r.jitter),
                    bits_per_s: r.bandwidth_gbps * 1e9,
                    cuts: 0,
                    outages: 0,
                    slowdowns: Vec::new(),
                    generation: 0,
                    free_at: SimTime::ZERO,
                    stored_by: SimTime::ZERO,
                    sent: start,
                    stored: start,
                })
                .collect(),
            rng,
            ledger: VecDeque::from([start]),
            primary_outages: 0,
            held: false,
            acks: VecDeque::new(),
            newest_ack: SimTime::ZERO,
            judged_at: SimTime::ZERO,
            sent_at: SimTime::ZERO,
            draws: Draws {
                same_az: LogNormal::new(net.same_az_latency, net.jitter),
                cross_az: LogNormal::new(net.cross_az_latency, net.jitter),
                persist: LogNormal::new(cfg.storage.disk_latency, cfg.storage.disk_jitter),
            },
        }
    }

    /// The replication server's send. `primary` is what the primary's
    /// storage holds: its VDL, when it was reached, the records made
    /// durable in all, and the commits at or below the VDL acknowledged
    /// or held for acknowledgement.
    pub(crate) fn on_tick(&mut self, cx: &mut Ctx, primary: PrimaryPoint) {
        let g = cx
            .cfg
            .global
            .as_ref()
            .expect("ticks only with a global database");
        cx.after(g.ship_interval, Event::ReplicationTick);
        let now = cx.now();
        // While the primary is dark nothing is sent, and nothing is seen of
        // it: redo found durable when it is back may have become durable
        // since the last send before it went dark.
        if self.primary_outages > 0 {
            return;
        }
        let previous = std::mem::replace(&mut self.sent_at, now);
        let newest = *self.ledger.back().expect("the ledger keeps its newest");
        if primary.vdl > newest.upto {
            self.ledger.push_back(Shipped {
                upto: primary.vdl,
                reached: primary.at,
                from: previous.max(newest.reached),
                records: primary.records.max(newest.records),
                acked: primary.acked.max(newest.acked),
            });
        }
        for r in 0..self.links.len() {
            self.send(cx, r);
        }
        self.judge(cx);
    }

    /// Sends region `r` everything it was not yet sent, if the link is
    /// open and done with what it had.
    fn send(&mut self, cx: &mut Ctx, r: usize) {
        let now = cx.now();
        let point = *self.ledger.back().expect("the ledger keeps its newest");
        let link = &self.links[r];
        if !link.open() || point.upto <= link.sent.upto || link.free_at > now {
            return;
        }
        let oldest = self.first_after(link.sent.upto);
        let bytes =
            (point.records - link.sent.records) as f64 * f64::from(cx.cfg.storage.record_bytes);
        let on_wire = bytes * 8.0 * link.slowness() / link.bits_per_s;
        let crossing = link.crossing.sample(&mut self.rng);
        let write = quorum_write(&mut self.rng, &self.draws, cx.cfg, bytes);
        let link = &mut self.links[r];
        link.free_at = now + SimDuration::from_secs_f64(on_wire);
        link.stored_by = link.stored_by.max(link.free_at + crossing + write);
        link.sent = point;
        cx.rec.replication.regions[r].bytes_sent += bytes as u64;
        cx.after(
            link.stored_by.since(now),
            Event::RegionStored {
                region: r as u8 + 1,
                link: link.generation,
                upto: point.upto,
                since: oldest.from,
            },
        );
    }

    /// The first send's point beyond `upto`: the oldest redo a region
    /// holding `upto` lacks.
    fn first_after(&self, upto: Lsn) -> Shipped {
        // The ledger is in log order: a halving search, not a scan, since
        // it grows with a region cut off.
        let i = self.ledger.partition_point(|s| s.upto <= upto);
        *self
            .ledger
            .get(i)
            .unwrap_or_else(|| self.ledger.back().expect("the ledger keeps its newest"))
    }

    /// A message to `region` is stored there, unless what was in flight
    /// was lost since it left.
    pub(crate) fn on_stored(
        &mut self,
        cx: &mut Ctx,
        (region, generation): (u8, u32),
        (upto, since): (Lsn, SimTime),
    ) {
        let r = region as usize - 1;
        let link = &self.links[r];
        if link.generation != generation || !link.open() || upto <= link.stored.upto {
            return;
        }
        let shipped = *self
            .ledger
            .get(self.ledger.partition_point(|s| s.upto < upto))
            .filter(|s| s.upto == upto)
            .expect("the ledger keeps every point a region lacks");
        self.links[r].stored = shipped;
        cx.rec.replication.stored(r, cx.now().since(since));
        let oldest = self.links.iter().map(|l| l.stored).min_by_key(|s| s.upto);
        if let Some(oldest) = oldest {
            while self.ledger.len() > 1 && self.ledger[0].upto < oldest.upto {
                self.ledger.pop_front();
            }
            while self.acks.len() > 1 && self.acks[0].0 <= oldest.acked {
                self.acks.pop_front();
            }
        }
        self.judge(cx);
    }

    /// Region `r`'s RPO lag at `now`.
    fn rpo_lag(&self, r: usize, now: SimTime) -> SimDuration {
        let stored = self.links[r].stored.upto;
        let newest = self.ledger.back().expect("the ledger keeps its newest");
        if newest.upto > stored {
            now.since(self.first_after(stored).from)
        } else {
            SimDuration::ZERO
        }
    }

    /// The acknowledged work region `r` lacks, in time (zero when it lacks
    /// none).
    fn at_risk(&self, r: usize, acked: u64) -> SimDuration {
        let held = self.links[r].stored.acked;
        if acked <= held {
            return SimDuration::ZERO;
        }
        self.acks
            .get(self.acks.partition_point(|a| a.0 <= held))
            .map_or(SimDuration::ZERO, |a| self.newest_ack.since(a.1))
    }

    /// Samples every region's RPO lag and acknowledged work at risk, and
    /// holds or releases commits by the guard.
    fn judge(&mut self, cx: &mut Ctx) {
        let now = cx.now();
        let acked = cx.rec.commits_acked;
        let previous = std::mem::replace(&mut self.judged_at, now);
        if self.acks.back().is_none_or(|a| acked > a.0) {
            self.acks.push_back((acked, previous));
            self.newest_ack = now;
        }
        let mut within = false;
        let rpo = cx.cfg.global.as_ref().and_then(|g| g.rpo);
        let mut best: Option<SimDuration> = None;
        for r in 0..self.links.len() {
            let (lag, span) = (self.rpo_lag(r, now), self.at_risk(r, acked));
            cx.rec.replication.rpo_lag(r, lag, span);
            within |= rpo.is_some_and(|rpo| lag < rpo);
            best = Some(best.map_or(span, |b| b.min(span)));
        }
        if let Some(best) = best {
            cx.rec.replication.best_at_risk(best);
        }
        let held = rpo.is_some() && !within && self.primary_outages == 0;
        if held != self.held {
            self.held = held;
            cx.rec.replication.hold(now, held);
            cx.order(Order::CommitsHeld { held });
        }
    }

    /// A region goes dark (`dark`) or comes back. The primary's going dark
    /// is when each secondary's exposure is taken.
    pub(crate) fn set_dark(&mut self, cx: &mut Ctx, region: RegionId, dark: bool) {
        match region.secondary() {
            None => {
                if dark && self.primary_outages == 0 {
                    self.judge(cx);
                    let (now, acked) = (cx.now(), cx.rec.commits_acked);
                    for r in 0..self.links.len() {
                        let exposure = Exposure {
                            at: now,
                            region: r,
                            commits: acked.saturating_sub(self.links[r].stored.acked),
                            rpo: self.rpo_lag(r, now),
                            span: self.at_risk(r, acked),
                        };
                        cx.rec.replication.exposures.push(exposure);
                    }
                }
                nest(&mut self.primary_outages, dark);
            }
            Some(r) => {
                let link = &mut self.links[r];
                nest(&mut link.outages, dark);
                if dark {
                    link.restart(cx.now());
                }
            }
        }
        self.judge(cx);
    }

    /// The link to a secondary is cut, or heals.
    pub(crate) fn set_cut(&mut self, cx: &mut Ctx, region: RegionId, cut: bool) {
        let r = region.secondary().expect("validated: a secondary");
        let link = &mut self.links[r];
        nest(&mut link.cuts, cut);
        if cut {
            link.restart(cx.now());
        }
        self.judge(cx);
    }

    /// A fault narrows the link to a secondary `factor` times (`on`), or
    /// ends; a crossing takes as long as before. What the link was sending
    /// goes again at the rate now in force, with everything since.
    pub(crate) fn set_slowness(&mut self, cx: &mut Ctx, region: RegionId, factor: f64, on: bool) {
        let r = region.secondary().expect("validated: a secondary");
        let link = &mut self.links[r];
        if on {
            link.slowdowns.push(factor);
        } else if let Some(k) = link.slowdowns.iter().position(|&f| f == factor) {
            link.slowdowns.swap_remove(k);
        }
        link.restart(cx.now());
    }
}

/// What the replication server reads of the primary: its VDL, when it
/// was reached, the records made durable in all, and the commits at or
/// below the VDL acknowledged or held for acknowledgement.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PrimaryPoint {
    pub vdl: Lsn,
    pub at: SimTime,
    pub records: u64,
    pub acked: u64,
}

/// One more fault in force (`on`), or one fewer.
fn nest(count: &mut u32, on: bool) {
    if on {
        *count += 1;
    } else {
        *count = count.saturating_sub(1);
    }
}

/// How long the region's agent takes to have a write quorum of the
/// region's copies hold `bytes`: each copy a hop (those in the agent's AZ
/// over the same-AZ link, the others across AZs), the bytes through the
/// disk and a persist; the write quorum's slowest member decides. The
/// region's volume has the primary's layout and quorum.
fn quorum_write(rng: &mut SimRng, draws: &Draws, cfg: &Config, bytes: f64) -> SimDuration {
    let q = &cfg.storage.quorum;
    let transfer = SimDuration::from_secs_f64(bytes * 8.0 / (cfg.storage.disk_gbps * 1e9));
    let local = q.copies() as usize / cfg.topology.azs.len();
    let mut copies: Vec<SimDuration> = (0..q.copies() as usize)
        .map(|i| {
            let hop = if i < local {
                &draws.same_az
            } else {
                &draws.cross_az
            };
            hop.sample(rng) + transfer + draws.persist.sample(rng)
        })
        .collect();
    copies.sort_unstable();
    copies[q.write() as usize - 1]
}
