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
//! **Promotion.** A secondary region becomes the primary by a failover
//! (\[UG\] `FailoverGlobalCluster` with `AllowDataLoss`: at once, with the
//! redo its storage holds; what the primary acknowledged beyond it is the
//! RPO) or a switchover (`SwitchoverGlobalCluster`: the primary stops
//! taking writes, every secondary is synchronised, and nothing is lost).
//! The promoted region's storage becomes the volume and one of its
//! instances the writer (the world carries out [`Order::RegionPromoted`]);
//! the server then ships from it, over each link's own round trip, to
//! every other region, the old primary included. A region's copy lacking
//! some of the promotion point, or holding more (the old primary's
//! unshipped tail), is taken to be resynchronised to that point (a
//! modelling simplification: the lack is at most one send, and the tail
//! is fenced and discarded).
//!
//! The primary's storage keeps its log until every reachable secondary
//! stores it (the [`Global::floor`] the writer's materialization waits
//! for), so a region promoted holds a copy of the log the primary kept:
//! pages materialized no further than its stored point.
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
use crate::metrics::{Exposure, Promotion};
use crate::model::config::{Config, GlobalConfig, RegionId};
use crate::sim::rng::reseed;
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
#[derive(Clone, Debug)]
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
    /// The link from region `from` to region `to`, which holds `start`.
    fn new(g: &GlobalConfig, (from, to): (RegionId, RegionId), start: Shipped) -> Self {
        let (rtt, jitter, gbps) = g.between(from, to);
        Link {
            crossing: LogNormal::new(rtt / 2, jitter),
            bits_per_s: gbps * 1e9,
            cuts: 0,
            outages: 0,
            slowdowns: Vec::new(),
            generation: 0,
            free_at: SimTime::ZERO,
            stored_by: SimTime::ZERO,
            sent: start,
            stored: start,
        }
    }

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
#[derive(Clone, Debug)]
pub(crate) struct Global {
    /// By region: the link from the primary to it (the primary's own is
    /// unused, but counts the outages of its region).
    links: Vec<Link>,
    /// The region whose storage is the volume.
    primary: RegionId,
    rng: SimRng,
    /// Every send's point, oldest first, from the oldest some region
    /// lacks.
    ledger: VecDeque<Shipped>,
    /// The primary's point last read.
    latest: PrimaryPoint,
    /// Points of writers of this epoch or older are the old primary's
    /// after a promotion, and are not shipped.
    stale_epoch: u32,
    /// A switchover waiting for every region to be synchronised.
    switching: Option<RegionId>,
    /// An old primary a failover left dark: out of the global database
    /// (the RPO guard counts on it no more) until its region is back.
    detached: Option<usize>,
    /// Whether the primary keeps its log for the secondaries: a scenario
    /// that may promote one.
    keeps_log: bool,
    /// The highest floor the primary's log was kept above: pages may be
    /// materialized up to it, so a region storing less (back from dark,
    /// and catching up) cannot be promoted until it has caught up.
    high_water: Lsn,
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
#[derive(Clone, Debug)]
struct Draws {
    same_az: LogNormal,
    cross_az: LogNormal,
    persist: LogNormal,
}

impl Global {
    /// Moves its random stream to root seed `seed`, for a run forked from a
    /// prefix it shares with other seeds' runs.
    pub(crate) fn reseed(&mut self, seed: u64) {
        reseed(&mut self.rng, seed);
    }

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
            links: (0..g.regions() as u8)
                .map(|r| Link::new(g, (RegionId::PRIMARY, RegionId(r)), start))
                .collect(),
            primary: RegionId::PRIMARY,
            rng,
            ledger: VecDeque::from([start]),
            latest: PrimaryPoint {
                vdl: Lsn(0),
                at: SimTime::ZERO,
                records: 0,
                acked: 0,
                epoch: 0,
                writing: true,
            },
            stale_epoch: 0,
            switching: None,
            detached: None,
            keeps_log: cfg.promotes_regions(),
            high_water: Lsn(0),
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
        // since the last send before it went dark. After a promotion, the
        // old primary's writer is not the new primary's.
        if self.primary_dark() || primary.epoch <= self.stale_epoch {
            return;
        }
        self.latest = primary;
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
        for r in self.secondaries() {
            self.send(cx, r);
        }
        self.judge(cx);
        self.synchronised(cx);
    }

    /// The secondary regions, by index.
    fn secondaries(&self) -> impl Iterator<Item = usize> + use<> {
        let primary = self.primary.0 as usize;
        (0..self.links.len()).filter(move |&r| r != primary)
    }

    /// Whether the primary's replication server reaches region `r`:
    /// neither is partitioned away, and `r` is not dark.
    fn reaches(&self, r: usize) -> bool {
        self.links[r].open() && self.links[self.primary.0 as usize].cuts == 0
    }

    /// Whether a switchover is waiting for every region to be
    /// synchronised: the writer is stopped by plan.
    pub(crate) fn switching(&self) -> bool {
        self.switching.is_some()
    }

    /// Whether the primary's region is dark.
    fn primary_dark(&self) -> bool {
        self.links[self.primary.0 as usize].outages > 0
    }

    /// The oldest point every reachable secondary stores: the primary's
    /// storage keeps its log above it. `None` without one.
    pub(crate) fn floor(&self) -> Option<Lsn> {
        self.secondaries()
            .map(|r| &self.links[r])
            .filter(|l| l.outages == 0)
            .map(|l| l.stored.upto)
            .min()
    }

    /// In a scenario that promotes a region, the floor the primary's log
    /// is kept above now ([`Global::floor`]), noted as the highest handed
    /// out; with no reachable secondary, the last one (the log is kept for
    /// them all). `None`: the log is not kept.
    pub(crate) fn retained_floor(&mut self) -> Option<Lsn> {
        if !self.keeps_log {
            return None;
        }
        if let Some(f) = self.floor() {
            self.high_water = self.high_water.max(f);
        }
        Some(self.high_water)
    }

    /// Whether `region` could be promoted now, by a switchover or a
    /// failover: the reason it cannot, if not.
    pub(crate) fn refusal(
        &self,
        cx: &Ctx,
        region: RegionId,
        switchover: bool,
    ) -> Option<&'static str> {
        let r = region.0 as usize;
        let quorum = cx.cfg.storage.quorum.write() as usize;
        if region == self.primary {
            Some("the region already was the primary")
        } else if switchover && self.switching.is_some() {
            // A failover may take over from a switchover that cannot
            // synchronise; another switchover may not.
            Some("a switchover was already under way")
        } else if self.links[r].outages > 0 {
            Some("the region was dark")
        } else if self.links[r].stored.upto < self.high_water {
            Some("the region was still catching up after being dark or left out")
        } else if switchover
            && (self.primary_dark() || self.secondaries().any(|k| !self.reaches(k)))
        {
            Some("a switchover needs every region up and reachable; a global failover promotes without them")
        } else if switchover && self.secondaries().any(|k| live_copies(cx, k) < quorum) {
            Some("a switchover needs a write quorum of every region's copies; a global failover promotes without them")
        } else {
            None
        }
    }

    /// A promotion of `region` that the control plane accepted goes ahead:
    /// a failover at once, a switchover once every region is synchronised
    /// (the control plane has stopped the writer).
    pub(crate) fn begin(&mut self, cx: &mut Ctx, fault: u32, region: RegionId, switchover: bool) {
        cx.rec.replication.promotions.push(Promotion {
            fault,
            region: region.0 as usize,
            from: self.primary.0 as usize,
            switchover,
            requested: cx.now(),
            promoted: None,
            commits_lost: 0,
            rpo: SimDuration::ZERO,
        });
        if switchover {
            self.switching = Some(region);
            self.synchronised(cx);
        } else {
            self.switching = None;
            let upto = self.links[region.0 as usize].stored;
            self.promote(cx, (region, false), upto);
        }
    }

    /// A switchover goes on once the writer has stopped, its last redo was
    /// sent, and every secondary stores it.
    fn synchronised(&mut self, cx: &mut Ctx) {
        let Some(region) = self.switching else {
            return;
        };
        let newest = *self.ledger.back().expect("the ledger keeps its newest");
        let done = !self.latest.writing
            && newest.upto >= self.latest.vdl
            && self
                .secondaries()
                .all(|r| self.links[r].stored.upto >= newest.upto);
        if done {
            self.switching = None;
            self.promote(cx, (region, true), newest);
        }
    }

    /// `region` becomes the primary with the log up to `upto`: what it
    /// lacked of the acknowledged commits is lost, the links run from it,
    /// and every other region holds that point.
    fn promote(&mut self, cx: &mut Ctx, (region, switchover): (RegionId, bool), upto: Shipped) {
        let now = cx.now();
        let r = region.0 as usize;
        let acked = cx.rec.commits_acked;
        self.judge(cx);
        let rpo = self.at_risk(r, acked);
        if let Some(p) = cx.rec.replication.promotions.last_mut() {
            p.promoted = Some(now);
            p.commits_lost = acked.saturating_sub(upto.acked);
            p.rpo = rpo;
        }
        let g = cx
            .cfg
            .global
            .as_ref()
            .expect("promoted with a global database");
        let base = Shipped {
            upto: upto.upto,
            reached: now,
            from: now,
            records: self.latest.records,
            acked,
        };
        let old = self.primary.0 as usize;
        if !switchover && self.links[old].outages > 0 {
            self.detached = Some(old);
        }
        self.primary = region;
        self.stale_epoch = self.latest.epoch;
        // Every link now runs from the new primary, holding the promotion
        // point; the faults in force on it stay, and what was in flight is
        // lost.
        for (k, link) in self.links.iter_mut().enumerate() {
            *link = Link {
                cuts: link.cuts,
                outages: link.outages,
                slowdowns: std::mem::take(&mut link.slowdowns),
                generation: link.generation,
                ..Link::new(g, (region, RegionId(k as u8)), base)
            };
            link.restart(now);
        }
        self.ledger = VecDeque::from([base]);
        self.acks.clear();
        self.newest_ack = now;
        self.sent_at = now;
        // The guard's hold ends with the old primary: the commits it held
        // stay held with its writer, never acknowledged (the instances'
        // side keeps them held, and no later writer inherits the hold).
        if self.held {
            self.held = false;
            cx.rec.replication.hold(now, false);
        }
        cx.order(Order::RegionPromoted {
            region,
            upto: upto.upto,
            switchover,
        });
    }

    /// Sends region `r` everything it was not yet sent, if the link is
    /// open and done with what it had.
    fn send(&mut self, cx: &mut Ctx, r: usize) {
        let now = cx.now();
        let point = *self.ledger.back().expect("the ledger keeps its newest");
        if !self.reaches(r) {
            return;
        }
        let link = &self.links[r];
        if point.upto <= link.sent.upto || link.free_at > now {
            return;
        }
        let oldest = self.first_after(link.sent.upto);
        let bytes =
            (point.records - link.sent.records) as f64 * f64::from(cx.cfg.storage.record_bytes);
        // The region's own narrowing, or the primary's, which narrows
        // every link from it.
        let slowness = link
            .slowness()
            .max(self.links[self.primary.0 as usize].slowness());
        let on_wire = bytes * 8.0 * slowness / link.bits_per_s;
        let crossing = link.crossing.sample(&mut self.rng);
        // A region short of a write quorum of its copies stores nothing:
        // the server waits until it has one again.
        let live = live_copies(cx, r);
        let Some(write) = quorum_write(&mut self.rng, &self.draws, (cx.cfg, live), bytes) else {
            return;
        };
        let link = &mut self.links[r];
        link.free_at = now + SimDuration::from_secs_f64(on_wire);
        link.stored_by = link.stored_by.max(link.free_at + crossing + write);
        link.sent = point;
        cx.rec.replication.regions[r].bytes_sent += bytes as u64;
        cx.after(
            link.stored_by.since(now),
            Event::RegionStored {
                region: r as u8,
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
    /// was lost since it left. Returns what the region now stores, and
    /// when the primary's VDL reached it.
    pub(crate) fn on_stored(
        &mut self,
        cx: &mut Ctx,
        (region, generation): (u8, u32),
        (upto, since): (Lsn, SimTime),
    ) -> Option<(Lsn, SimTime)> {
        let r = region as usize;
        let link = &self.links[r];
        if link.generation != generation
            || !self.reaches(r)
            || upto <= link.stored.upto
            || r == self.primary.0 as usize
        {
            return None;
        }
        // The region lost its write quorum while this was on its way: it
        // is sent again, with what follows, once the region has one.
        if live_copies(cx, r) < cx.cfg.storage.quorum.write() as usize {
            self.links[r].restart(cx.now());
            return None;
        }
        let shipped = *self
            .ledger
            .get(self.ledger.partition_point(|s| s.upto < upto))
            .filter(|s| s.upto == upto)
            .expect("the ledger keeps every point a region lacks");
        self.links[r].stored = shipped;
        cx.rec.replication.stored(r, cx.now().since(since));
        let oldest = self
            .secondaries()
            .map(|k| self.links[k].stored)
            .min_by_key(|s| s.upto);
        if let Some(oldest) = oldest {
            while self.ledger.len() > 1 && self.ledger[0].upto < oldest.upto {
                self.ledger.pop_front();
            }
            while self.acks.len() > 1 && self.acks[0].0 <= oldest.acked {
                self.acks.pop_front();
            }
        }
        self.judge(cx);
        self.synchronised(cx);
        Some((shipped.upto, shipped.reached))
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
        let mut counted = false;
        for r in self.secondaries() {
            let (lag, span) = (self.rpo_lag(r, now), self.at_risk(r, acked));
            cx.rec.replication.rpo_lag(r, lag, span);
            if self.detached == Some(r) {
                continue;
            }
            counted = true;
            within |= rpo.is_some_and(|rpo| lag < rpo);
            best = Some(best.map_or(span, |b| b.min(span)));
        }
        if let Some(best) = best {
            cx.rec.replication.best_at_risk(best);
        }
        let held = rpo.is_some() && counted && !within && !self.primary_dark();
        if held != self.held {
            self.held = held;
            cx.rec.replication.hold(now, held);
            cx.order(Order::CommitsHeld { held });
        }
    }

    /// A region goes dark (`dark`) or comes back. The primary's going dark
    /// is when each secondary's exposure is taken.
    pub(crate) fn set_dark(&mut self, cx: &mut Ctx, region: RegionId, dark: bool) {
        let r = region.0 as usize;
        if region == self.primary {
            if dark && !self.primary_dark() {
                self.judge(cx);
                let (now, acked) = (cx.now(), cx.rec.commits_acked);
                for k in self.secondaries() {
                    let exposure = Exposure {
                        at: now,
                        region: k,
                        commits: acked.saturating_sub(self.links[k].stored.acked),
                        rpo: self.rpo_lag(k, now),
                        span: self.at_risk(k, acked),
                    };
                    cx.rec.replication.exposures.push(exposure);
                }
            }
            nest(&mut self.links[r].outages, dark);
        } else {
            let link = &mut self.links[r];
            nest(&mut link.outages, dark);
            if dark {
                link.restart(cx.now());
            } else if link.outages == 0 && self.detached == Some(r) {
                // The old primary is back: it rejoins as a secondary.
                self.detached = None;
            }
        }
        self.judge(cx);
    }

    /// A region is partitioned from every other, or heals: the link to
    /// it is cut, or, for the primary's, every link.
    pub(crate) fn set_cut(&mut self, cx: &mut Ctx, region: RegionId, cut: bool) {
        let r = region.0 as usize;
        nest(&mut self.links[r].cuts, cut);
        if cut {
            let now = cx.now();
            if region == self.primary {
                self.links.iter_mut().for_each(|l| l.restart(now));
            } else {
                self.links[r].restart(now);
            }
        }
        self.judge(cx);
    }

    /// A fault narrows a region's link `factor` times (`on`), or ends (the
    /// primary's: every link from it); a crossing takes as long as before.
    /// What the link was sending goes again at the rate now in force, with
    /// everything since.
    pub(crate) fn set_slowness(&mut self, cx: &mut Ctx, region: RegionId, factor: f64, on: bool) {
        let r = region.0 as usize;
        let link = &mut self.links[r];
        if on {
            link.slowdowns.push(factor);
        } else if let Some(k) = link.slowdowns.iter().position(|&f| f == factor) {
            link.slowdowns.swap_remove(k);
        }
        let now = cx.now();
        if region == self.primary {
            self.links.iter_mut().for_each(|l| l.restart(now));
        } else {
            self.links[r].restart(now);
        }
    }
}

/// What the replication server reads of the primary: its VDL, when it
/// was reached, the records made durable in all, the commits at or below
/// the VDL acknowledged or held for acknowledgement, the epoch of the
/// writer that reached it, and whether a writer takes writes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PrimaryPoint {
    pub vdl: Lsn,
    pub at: SimTime,
    pub records: u64,
    pub acked: u64,
    pub epoch: u32,
    pub writing: bool,
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
/// Only the copies in the region's AZs that are up (`live` of them) take
/// part; with fewer than a write quorum, the region stores nothing.
fn quorum_write(
    rng: &mut SimRng,
    draws: &Draws,
    (cfg, live): (&Config, usize),
    bytes: f64,
) -> Option<SimDuration> {
    let q = &cfg.storage.quorum;
    if live < q.write() as usize {
        return None;
    }
    let transfer = SimDuration::from_secs_f64(bytes * 8.0 / (cfg.storage.disk_gbps * 1e9));
    let local = q.copies() as usize / cfg.topology.azs_per_region;
    let mut copies: Vec<SimDuration> = (0..live)
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
    Some(copies[q.write() as usize - 1])
}

/// The copies of region `r`'s volume in its AZs that are up.
fn live_copies(cx: &Ctx, r: usize) -> usize {
    let topology = &cx.cfg.topology;
    let per_az = cx.cfg.storage.quorum.copies() as usize / topology.azs_per_region;
    topology
        .region_azs(RegionId(r as u8))
        .filter(|&z| cx.net().az_up(z))
        .count()
        * per_az
}
