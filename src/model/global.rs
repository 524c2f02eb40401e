//! Aurora Global Database: storage-level replication from the primary
//! region to each secondary region's volume, and the RPO guard.
//!
//! \[UG\] (aurora-global-database) describes the mechanism: the primary's
//! storage ships redo through a replication server to a replication agent
//! in each secondary region, which writes it to that region's storage (six
//! copies over three AZs), with no engine in the path and without holding
//! up the primary's commits. Here the replication server wakes every
//! `ship_interval` and sends each secondary everything the primary's
//! storage made durable since its last send (up to the VDL): one message
//! per region, serialized on the region's link at its bandwidth, crossing
//! it with a lognormal delay around half the round trip, in order. The
//! agent then writes it to the region's six copies, two in its own AZ and
//! four across AZs, each a hop and a persist drawn from the scenario's
//! network and disk settings; it is stored once four of the six hold it.
//! Lag is what comes out: the crossing, the link's queue, the batching,
//! the region's quorum write, and whatever a fault does to them.
//!
//! A cut link loses what is in flight on it; the server sends it again,
//! with everything since, once the link heals, at the link's bandwidth.
//!
//! **RPO lag**, sampled at each send and each store, is zero while a
//! region holds everything the primary's storage made durable; else how
//! long ago the primary had made durable the point the region holds: how
//! far back promoting that region now would recover to. The **acknowledged work at risk** is the span from the
//! acknowledgement of the oldest acknowledged commit the region lacks to
//! the newest acknowledgement: what the application was told is committed
//! and would lose. They differ while the guard holds commits, which are
//! durable but not acknowledged. \[UG\] (Managing RPOs for
//! Aurora PostgreSQL-based global databases): with `rds.global_db_rpo` set,
//! commits on the primary complete only while at least one secondary's
//! RPO lag is below it; the guard here holds the writer's durable commits
//! unacknowledged from the send or store that finds none within it until
//! one is again, and then acknowledges them.

use std::collections::VecDeque;

use super::context::Ctx;
use super::event::Event;
use super::order::Order;
use super::storage::lsn::Lsn;
use crate::metrics::Exposure;
use crate::model::config::{Config, GlobalConfig, RegionId};
use crate::sim::{LogNormal, SimDuration, SimRng, SimTime};

/// What the replication server had sent by one send: a point of the
/// primary's log and what is known of the commits up to it.
#[derive(Clone, Copy, Debug)]
struct Shipped {
    /// Everything up to here was durable on the primary.
    upto: Lsn,
    /// When the primary's VDL reached it.
    durable_at: SimTime,
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
    /// What it carries, bits per second.
    bits_per_s: f64,
    /// Cut by a partition.
    cut: bool,
    /// The region is dark.
    dark: bool,
    /// A slow-down factor (1: healthy): the link carries that many times
    /// less.
    slowness: f64,
    /// Bumped at every cut: what was in flight before is lost.
    generation: u32,
    /// When the link has sent everything queued on it.
    free_at: SimTime,
    /// When the last shipment sent is stored: shipments are stored in
    /// the order sent.
    stored_by: SimTime,
    /// The highest point sent since the last cut.
    sent: Lsn,
    /// The highest point the region holds, and its shipment.
    stored: Shipped,
}

impl Link {
    /// What is in flight is lost: the server sends everything the region
    /// has not stored again, from `now`.
    fn restart(&mut self, now: SimTime) {
        self.generation += 1;
        self.sent = self.stored.upto;
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
    /// The primary region is dark: nothing is sent.
    primary_dark: bool,
    /// The RPO guard holds commits.
    held: bool,
    /// Commits acknowledged by each judgement that saw the count move,
    /// and when: oldest first, from the oldest some region lacks.
    acks: VecDeque<(u64, SimTime)>,
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
            durable_at: SimTime::ZERO,
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
                    cut: false,
                    dark: false,
                    slowness: 1.0,
                    generation: 0,
                    free_at: SimTime::ZERO,
                    stored_by: SimTime::ZERO,
                    sent: Lsn(0),
                    stored: start,
                })
                .collect(),
            rng,
            ledger: VecDeque::from([start]),
            primary_dark: false,
            held: false,
            acks: VecDeque::new(),
            draws: Draws {
                same_az: LogNormal::new(net.same_az_latency, net.jitter),
                cross_az: LogNormal::new(net.cross_az_latency, net.jitter),
                persist: LogNormal::new(cfg.storage.disk_latency, cfg.storage.disk_jitter),
            },
        }
    }

    /// The replication server's send. `vdl` is the primary's VDL, reached
    /// at `vdl_at`; `acked` the commits at or below it acknowledged or
    /// held for acknowledgement.
    pub(crate) fn on_tick(&mut self, cx: &mut Ctx, (vdl, vdl_at, acked): (Lsn, SimTime, u64)) {
        let g = cx
            .cfg
            .global
            .as_ref()
            .expect("ticks only with a global database");
        cx.after(g.ship_interval, Event::ReplicationTick);
        if self.primary_dark {
            return;
        }
        let newest = *self.ledger.back().expect("the ledger keeps its newest");
        if vdl > newest.upto {
            self.ledger.push_back(Shipped {
                upto: vdl,
                durable_at: vdl_at,
                acked: acked.max(newest.acked),
            });
        }
        let point = *self.ledger.back().expect("just kept");
        for r in 0..self.links.len() {
            self.send(cx, r, point);
        }
        self.judge(cx);
    }

    /// Sends region `r` everything from what it was last sent up to `point`.
    fn send(&mut self, cx: &mut Ctx, r: usize, point: Shipped) {
        let now = cx.now();
        let record_bytes = f64::from(cx.cfg.storage.record_bytes);
        let link = &mut self.links[r];
        // The server streams: what is made durable while the link is still
        // sending waits for it, and goes in the next message.
        if link.cut || link.dark || point.upto <= link.sent || link.free_at > now {
            return;
        }
        let bytes = (point.upto.0 - link.sent.0) as f64 * record_bytes;
        let depart = now.max(link.free_at);
        let on_wire = bytes * 8.0 * link.slowness / link.bits_per_s;
        link.free_at = depart + SimDuration::from_secs_f64(on_wire);
        let crossing = link.crossing.sample(&mut self.rng);
        let arrive = link.free_at + crossing;
        let write = quorum_write(&mut self.rng, &self.draws, cx.cfg, bytes);
        let link = &mut self.links[r];
        link.stored_by = link.stored_by.max(arrive + write);
        link.sent = point.upto;
        cx.rec.replication.regions[r].bytes_sent += bytes as u64;
        cx.after(
            link.stored_by.since(now),
            Event::RegionStored {
                region: r as u8 + 1,
                link: link.generation,
                upto: point.upto,
                durable_at: point.durable_at,
            },
        );
    }

    /// A shipment to `region` is stored there, unless the link was cut
    /// since it left or the region is dark.
    pub(crate) fn on_stored(
        &mut self,
        cx: &mut Ctx,
        (region, generation): (u8, u32),
        (upto, durable_at): (Lsn, SimTime),
    ) {
        let r = region as usize - 1;
        let link = &self.links[r];
        if link.generation != generation || link.dark || upto <= link.stored.upto {
            return;
        }
        let shipped = self
            .ledger
            .iter()
            .find(|s| s.upto == upto)
            .copied()
            .expect("the ledger keeps every point a region lacks");
        self.links[r].stored = shipped;
        cx.rec.replication.stored(r, cx.now().since(durable_at));
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

    /// Region `r`'s RPO lag now: when it lacks redo the primary made
    /// durable, how long ago the primary had made durable what it holds
    /// (it is current as of then, \[UG\] aurora_global_db_status's "RPO
    /// lag"); zero when it lacks nothing, as of the sends.
    fn rpo_lag(&self, r: usize, now: SimTime) -> SimDuration {
        let stored = self.links[r].stored;
        let newest = self.ledger.back().expect("the ledger keeps its newest");
        if newest.upto > stored.upto {
            now.since(stored.durable_at)
        } else {
            SimDuration::ZERO
        }
    }

    /// The acknowledged work region `r` lacks, in time: from the
    /// acknowledgement of the oldest acknowledged commit it lacks to the
    /// newest acknowledgement (zero when it lacks none). Acknowledgements
    /// are timed at the sends and stores that saw them.
    fn at_risk(&self, r: usize, acked: u64) -> SimDuration {
        let held = self.links[r].stored.acked;
        if acked <= held {
            return SimDuration::ZERO;
        }
        self.acks
            .iter()
            .find(|a| a.0 > held)
            .map_or(SimDuration::ZERO, |a| self.last_ack().since(a.1))
    }

    /// When the newest acknowledgement was seen.
    fn last_ack(&self) -> SimTime {
        self.acks.back().map_or(SimTime::ZERO, |a| a.1)
    }

    /// Samples every region's RPO lag and acknowledged work at risk, and
    /// holds or releases commits by the guard.
    fn judge(&mut self, cx: &mut Ctx) {
        let now = cx.now();
        let acked = cx.rec.commits_acked;
        if self.acks.back().is_none_or(|a| acked > a.0) {
            self.acks.push_back((acked, now));
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
        let held = rpo.is_some() && !within && !self.primary_dark;
        if held != self.held {
            self.held = held;
            cx.rec.replication.hold(now, held);
            cx.order(Order::CommitsHeld { held });
        }
    }

    /// A region goes dark or comes back. The primary's going dark is where
    /// each secondary's exposure is taken.
    pub(crate) fn set_dark(&mut self, cx: &mut Ctx, region: RegionId, dark: bool) {
        match region.secondary() {
            None => {
                if dark && !self.primary_dark {
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
                self.primary_dark = dark;
            }
            Some(r) => {
                let link = &mut self.links[r];
                link.dark = dark;
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
        link.cut = cut;
        if cut {
            link.restart(cx.now());
        }
        self.judge(cx);
    }

    /// The link to a secondary carries `factor` times less (1: healthy);
    /// a crossing takes as long as before. What it was sending goes again
    /// at the new rate, with everything since.
    pub(crate) fn set_slowness(&mut self, cx: &mut Ctx, region: RegionId, factor: f64) {
        let r = region.secondary().expect("validated: a secondary");
        let link = &mut self.links[r];
        link.slowness = factor;
        link.restart(cx.now());
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
