//! The storage fleet as an actor: storage nodes with their disks, and the
//! handlers of everything a segment receives — batches, gossip, page
//! reads, recovery probes — and its background timers.
//!
//! A segment answers the writer of the epoch it serves; which instance
//! that is comes from a [`Routes`] query. A segment on a node that is down hears
//! nothing.

use std::rc::Rc;

use rand::Rng;

use super::device::{occupancy, NodeIo};
use super::lsn::{Batch, Lsn};
use super::page::DistinctPages;
use super::recovery::Truncation;
use super::segment::{Accept, Gap, GossipPayload};
use super::volume::Volume;
use crate::metrics::NodeUse;
use crate::model::config::{Config, RegionId, StorageConfig, Topology};
use crate::model::context::Ctx;
use crate::model::event::{AckInFlight, Event, ReadAnswer, ReadAsk, RecoveryReply};
use crate::model::network::Endpoint;
use crate::model::routes::Routes;
use crate::sim::dist::LogNormal;
use crate::sim::rng::reseed;
use crate::sim::{SimDuration, SimRng, SimTime};
use crate::vocab::ids::{InstanceId, NodeId, SegmentId};

/// The storage nodes, their segments and disks.
#[derive(Clone, Debug)]
pub struct Storage {
    /// Nodes, segments and protection groups.
    pub volume: Volume,
    /// Truncations recorded by recoveries, oldest first.
    pub truncations: Vec<Truncation>,
    /// Each node's disk and NIC.
    pub io: Vec<NodeIo>,
    /// Each node's disk, NIC-in and NIC-out busy time at the last bin.
    sampled: Vec<[SimDuration; 3]>,
    sampled_at: SimTime,
    /// Acknowledgements sent by the event being handled, for the world to
    /// hand to the writers they answer.
    pub acks: Vec<AckInFlight>,
    /// The distinct pages one materialization pass writes.
    touched: DistinctPages,
    disk: LogNormal,
    disks: Vec<SimRng>,
    gossip_rng: SimRng,
    /// How long a segment waits for the answer to its gossip pull before
    /// it asks again: a gossip interval, and never less than the slowest
    /// answer the settings allow. A segment keeps one pull out at a time,
    /// so a short interval cannot pile up answers — each a copy of the
    /// whole gap — faster than they arrive.
    pull_patience: SimDuration,
}

impl Storage {
    /// Moves its nodes' disk streams and its gossip stream to root seed
    /// `seed`, for a run forked from a prefix it shares with other seeds'
    /// runs.
    pub(crate) fn reseed(&mut self, seed: u64) {
        for rng in self.disks.iter_mut().chain([&mut self.gossip_rng]) {
            reseed(rng, seed);
        }
    }

    /// Each storage node's load over the run so far (disk and NIC busy
    /// time as a share of `now`) and the repair bytes it moved, named as
    /// `topology` names nodes: the primary region's, and a secondary
    /// region's once a promotion placed segments there.
    pub fn node_loads(&self, topology: &Topology, now: SimTime) -> Vec<NodeUse> {
        let run = now.as_secs_f64().max(1e-9);
        let share = |d: SimDuration| (d.as_secs_f64() / run).min(1.0);
        self.io
            .iter()
            .enumerate()
            .filter(|&(n, _)| {
                let node = NodeId::from_index(n);
                topology.region_of_node(node) == RegionId::PRIMARY
                    || !self.volume.nodes[n].segments.is_empty()
            })
            .map(|(n, io)| NodeUse {
                node: topology.node_name(NodeId::from_index(n)),
                disk_busy: share(io.disk.served_by(now)),
                nic_in_busy: share(io.nic_in.served_by(now)),
                nic_out_busy: share(io.nic_out.served_by(now)),
                repair_in_bytes: io.repair_in,
                repair_out_bytes: io.repair_out,
            })
            .collect()
    }

    /// The volume a scenario describes; `disk_stream(n)` is node `n`'s
    /// disk stream.
    pub fn new(cfg: &Config, disk_stream: &dyn Fn(u64) -> SimRng, gossip_rng: SimRng) -> Self {
        let volume = Volume::new(
            cfg.storage.pgs,
            (cfg.topology.azs_per_region, cfg.topology.azs.len()),
            cfg.topology.nodes_per_az,
            cfg.storage.quorum,
        );
        let disks = (0..volume.nodes.len() as u64).map(disk_stream).collect();
        Storage {
            io: vec![NodeIo::new(cfg.storage.disk_gbps, cfg.storage.node_gbps); volume.nodes.len()],
            sampled: vec![[SimDuration::ZERO; 3]; volume.nodes.len()],
            sampled_at: SimTime::ZERO,
            acks: Vec::new(),
            touched: DistinctPages::default(),
            volume,
            truncations: Vec::new(),
            disk: LogNormal::new(cfg.storage.disk_latency, cfg.storage.disk_jitter),
            disks,
            gossip_rng,
            pull_patience: cfg.storage.gossip_interval.max(cfg.slowest_round_trip()),
        }
    }

    /// The busiest node's disk and NIC since the last call, as fractions
    /// of the time since then (a timeline bin).
    pub(crate) fn node_use(&mut self, now: SimTime) -> (f64, f64) {
        let (mut disk, mut nic) = (SimDuration::ZERO, SimDuration::ZERO);
        for (io, last) in self.io.iter().zip(&mut self.sampled) {
            let served = [
                io.disk.served_by(now),
                io.nic_in.served_by(now),
                io.nic_out.served_by(now),
            ];
            let used = [0, 1, 2].map(|i| served[i].saturating_sub(last[i]));
            disk = disk.max(used[0]);
            nic = nic.max(used[1]).max(used[2]);
            *last = served;
        }
        let span = now.since(self.sampled_at).as_secs_f64();
        self.sampled_at = now;
        let share = |d: SimDuration| {
            if span > 0.0 {
                (d.as_secs_f64() / span).min(1.0)
            } else {
                0.0
            }
        };
        (share(disk), share(nic))
    }

    fn up(&self, seg: SegmentId) -> bool {
        self.volume.node_of(seg).up
    }

    /// The time node `n`'s disk spends on `ops` operations moving `bytes`,
    /// and its NIC on moving them, slowed by a gray failure.
    pub(crate) fn costs(
        &self,
        st: &StorageConfig,
        n: usize,
        bytes: u64,
        ops: u64,
    ) -> (SimDuration, SimDuration) {
        let slow = self.volume.nodes[n].slowness.max(1.0);
        (
            occupancy(bytes, ops, st.disk_gbps, Some(st.disk_iops), slow),
            occupancy(bytes, 0, st.node_gbps, None, slow),
        )
    }

    /// Puts one foreground operation moving `bytes` on node `node`'s
    /// disk at `at`; returns when its turn starts and ends (the device
    /// latency, [`Storage::disk_time`], comes on top).
    fn disk_turn(
        &mut self,
        cfg: &Config,
        node: usize,
        at: SimTime,
        bytes: u64,
    ) -> (SimTime, SimTime) {
        let (occ, _) = self.costs(&cfg.storage, node, bytes, 1);
        let end = self.io[node].disk.foreground(at, occ);
        (SimTime::from_nanos(end.as_nanos() - occ.as_nanos()), end)
    }

    /// Draws a disk service time for node `node`.
    fn disk_time(&mut self, node: usize) -> SimDuration {
        let slow = self.volume.nodes[node].slowness;
        let d = self.disk.sample(&mut self.disks[node]);
        if slow > 1.0 {
            d.mul_f64(slow)
        } else {
            d
        }
    }

    /// A batch of redo records reaches a segment.
    pub(crate) fn on_batch(
        &mut self,
        cx: &mut Ctx,
        hosts: &impl Routes,
        seg: SegmentId,
        batch: Rc<Batch>,
    ) {
        if !self.up(seg) {
            return;
        }
        let epoch = batch.epoch;
        self.adopt_truncations(seg, epoch);
        // The batch's bytes come in through the node's NIC first.
        let st = &cx.cfg.storage;
        let bytes = batch.records.len() as u64 * u64::from(st.record_bytes);
        let node = self.volume.segments[seg.index()].node.index();
        let (_, link) = self.costs(st, node, bytes, 0);
        let at = self.io[node].nic_in.foreground(cx.now(), link);
        match self.volume.segments[seg.index()].receive(batch) {
            Accept::StaleEpoch => {
                // Tell the sender its epoch is over ([P18]: fencing).
                cx.rec.stale_epoch_refusals += 1;
                if let Some(to) = hosts.writer_of_epoch(epoch) {
                    let now = cx.now();
                    cx.send(now, self.volume.endpoint(seg), to, Event::Fenced { epoch });
                }
            }
            Accept::Gap => self.arm_gossip(cx, seg),
            Accept::Duplicate(_) | Accept::Appended(_) => {
                self.persist_and_ack(cx, hosts, seg, at, bytes);
            }
        }
    }

    /// Persists what the segment holds (one disk write of `bytes`, from
    /// `at`) and acknowledges its SCL once done. A duplicate (a resend the
    /// segment already holds) needs no disk write: it is acknowledged once
    /// the persists already under way complete.
    pub(crate) fn persist_and_ack(
        &mut self,
        cx: &mut Ctx,
        hosts: &impl Routes,
        seg: SegmentId,
        at: SimTime,
        bytes: u64,
    ) {
        let s = &mut self.volume.segments[seg.index()];
        let done = if let Some(done) = s.join_queued_persist(at) {
            // Its last write is still queued behind others on the node's
            // disk: these records go with it (a log append writes what
            // has arrived when its turn comes).
            done
        } else if s.needs_persist() {
            let node = self.volume.segments[seg.index()].node.index();
            let (start, end) = self.disk_turn(cx.cfg, node, at, bytes);
            let service = self.disk_time(node);
            self.volume.segments[seg.index()].persist(start, end, service)
        } else {
            self.volume.segments[seg.index()].persisted_by(at)
        };
        let s = &self.volume.segments[seg.index()];
        // The ack goes to the writer of the segment's epoch.
        let (scl, epoch, pg, node) = (s.scl(), s.epochs().serving, s.pg, s.node);
        if s.has_log() {
            self.arm_materialize(cx, seg);
        }
        let incarnation = self.volume.nodes[node.index()].incarnation;
        let Some(to) = hosts.writer_of_epoch(epoch) else {
            return;
        };
        if let Some(at) = cx.arrival(done, self.volume.endpoint(seg), to) {
            self.acks.push(AckInFlight {
                epoch,
                pg,
                at,
                seg,
                node,
                scl,
                incarnation,
            });
        }
    }

    /// Schedules the segment's next background materialization, unless one
    /// is already pending.
    #[inline]
    fn arm_materialize(&mut self, cx: &mut Ctx, seg: SegmentId) {
        let s = &mut self.volume.segments[seg.index()];
        if !s.materialize_armed {
            s.materialize_armed = true;
            cx.after(
                cx.cfg.storage.materialize_interval,
                Event::Materialize { seg },
            );
        }
    }

    /// Arms the gossip timer a gossip interval from now, or when the pull
    /// that is out runs out of patience if that is later.
    fn arm_gossip(&mut self, cx: &mut Ctx, seg: SegmentId) {
        let s = &mut self.volume.segments[seg.index()];
        if s.hydrated && !s.gossip_armed {
            s.gossip_armed = true;
            let now = cx.now();
            let patience = s.pull_out.map_or(now, |at| at + self.pull_patience);
            let at = (now + cx.cfg.storage.gossip_interval).max(patience);
            cx.after(at.since(now), Event::GossipTimer { seg });
        }
    }

    /// The gossip timer: a segment with a gap asks a random peer, unless
    /// its last pull is still within its patience.
    pub(crate) fn on_gossip_timer(&mut self, cx: &mut Ctx, seg: SegmentId) {
        let now = cx.now();
        self.volume.segments[seg.index()].gossip_armed = false;
        let up = self.up(seg);
        let s = &self.volume.segments[seg.index()];
        if !up || !s.has_gap() {
            return;
        }
        if s.pull_out.is_some_and(|at| now < at + self.pull_patience) {
            self.arm_gossip(cx, seg);
            return;
        }
        let pg = self.volume.segments[seg.index()].pg;
        let peers: Vec<SegmentId> = self.volume.pgs[pg.index()]
            .members
            .iter()
            .copied()
            .filter(|&p| p != seg)
            .collect();
        if let Some(&peer) = peers.get(self.gossip_rng.random_range(0..peers.len().max(1))) {
            let s = &self.volume.segments[seg.index()];
            let pull = Event::GossipPull {
                to: peer,
                from: seg,
                since: s.scl(),
                gaps: s.gaps().into(),
                epoch: s.epochs().truncated,
            };
            self.volume.segments[seg.index()].pull_out = Some(now);
            cx.send(
                now,
                self.volume.endpoint(seg),
                self.volume.endpoint(peer),
                pull,
            );
        }
        self.arm_gossip(cx, seg);
    }

    /// A peer at SCL `since` asks for the records of its gaps.
    pub(crate) fn on_gossip_pull(
        &mut self,
        cx: &mut Ctx,
        to: SegmentId,
        from: SegmentId,
        since: Lsn,
        gaps: &[Gap],
        epoch: u32,
    ) {
        if !self.up(to) {
            return;
        }
        self.adopt_truncations(to, epoch);
        let now = cx.now();
        let peer = &mut self.volume.segments[to.index()];
        peer.heard_need(from, since, now);
        if peer.still_answering(from, now) {
            return;
        }
        let Some(payload) = peer.gossip_for(since, gaps) else {
            return;
        };
        let cut = peer.epochs().truncated;
        // The peer reads what it sends and sends it. Gossip is background
        // work in [P17] §3.3, but the records that fill a gap may be what
        // holds a PG's durability back: they go ahead of repair copies and
        // page writes, which could otherwise starve them. A snapshot (the
        // peer's pages) is a bulk copy, and stays in the background.
        let st = &cx.cfg.storage;
        let page_bytes = u64::from(cx.cfg.workload.page_kib) << 10;
        let bytes = payload.bytes(u64::from(st.record_bytes), page_bytes);
        let urgent = matches!(payload, GossipPayload::Records(_));
        let node = peer.node.index();
        let (disk, link) = self.costs(st, node, bytes, 1);
        let io = &mut self.io[node];
        let sent = if urgent {
            let read = io.disk.foreground(cx.now(), disk);
            io.nic_out.foreground(read, link)
        } else {
            let read = io.disk.background(cx.now(), disk);
            io.nic_out.background(read, link)
        };
        self.volume.segments[to.index()].answers(from, sent);
        let push = Event::GossipPush {
            to: from,
            payload: Box::new(payload),
            cut,
        };
        cx.send(
            sent,
            self.volume.endpoint(to),
            self.volume.endpoint(from),
            push,
        );
    }

    /// A peer's records arrive.
    pub(crate) fn on_gossip_push(
        &mut self,
        cx: &mut Ctx,
        hosts: &impl Routes,
        to: SegmentId,
        payload: GossipPayload,
        cut: u32,
    ) {
        self.volume.segments[to.index()].pull_out = None;
        // Records from a peer that has not applied a truncation this
        // segment has may be ones that truncation removed.
        if !self.up(to) || self.volume.segments[to.index()].epochs().truncated > cut {
            return;
        }
        // The peer's records follow the truncations it applied: apply them
        // here first, or records they removed would stay below the new
        // ones and be read as committed.
        self.adopt_truncations(to, cut);
        let page_bytes = u64::from(cx.cfg.workload.page_kib) << 10;
        let bytes = payload.bytes(u64::from(cx.cfg.storage.record_bytes), page_bytes);
        if self.volume.segments[to.index()].merge(payload).is_some() {
            cx.rec.gossip_fills += 1;
            let now = cx.now();
            self.persist_and_ack(cx, hosts, to, now, bytes);
        }
    }

    /// The background materialization timer.
    pub(crate) fn on_materialize(&mut self, cx: &mut Ctx, seg: SegmentId) {
        let now = cx.now();
        let s = &mut self.volume.segments[seg.index()];
        s.materialize_armed = false;
        let node = s.node.index();
        if !self.volume.nodes[node].up {
            return;
        }
        // The pass writes each page it touched once, in the background.
        self.touched.start();
        // A lagging segment asks one peer at random per pull, so a given
        // peer hears from it about once in five pulls; one that has not
        // asked for twenty (a chance of 1 % at five peers) has caught up
        // or cannot ask.
        let held = self.pull_patience * 20;
        let heard_since = SimTime::ZERO + now.since(SimTime::ZERO).saturating_sub(held);
        s.materialize(now, heard_since, &mut self.touched);
        let more = s.can_materialize_more();
        let pages = self.touched.count();
        if pages > 0 {
            let bytes = pages * (u64::from(cx.cfg.workload.page_kib) << 10);
            let (occ, _) = self.costs(&cx.cfg.storage, node, bytes, pages);
            self.io[node].disk.background(now, occ);
        }
        if more {
            self.arm_materialize(cx, seg);
        }
    }

    /// A page read reaches a segment: it answers from its log after a
    /// disk read. A read carries its epoch like a batch does, so a
    /// segment that has seen no batch since a recovery first cuts the
    /// superseded records the read point would otherwise fold in.
    pub(crate) fn on_read_request(&mut self, cx: &mut Ctx, hosts: &impl Routes, ask: ReadAsk) {
        let ReadAsk {
            seg,
            epoch,
            read,
            attempt,
            page,
            point,
            need,
            reader,
        } = ask;
        if !self.up(seg) {
            return;
        }
        self.adopt_truncations(seg, epoch);
        let result = self.volume.segments[seg.index()].read(page, point, need);
        let page_bytes = u64::from(cx.cfg.workload.page_kib) << 10;
        let node = self.volume.segments[seg.index()].node.index();
        let (_, turn) = self.disk_turn(cx.cfg, node, cx.now(), page_bytes);
        let done = turn + self.disk_time(node);
        let reply = Event::ReadReply {
            answer: Box::new(ReadAnswer {
                epoch,
                read,
                attempt,
                seg,
                result,
                reader,
            }),
        };
        let to = match reader {
            Some(inst) => hosts.instance(inst),
            None => match hosts.writer_of_epoch(epoch) {
                Some(to) => to,
                None => return,
            },
        };
        cx.send(done, self.volume.endpoint(seg), to, reply);
    }

    /// A secondary region's reader asks `node`, a copy of its region's
    /// volume, for a page: it answers after a disk read, if it is up. The
    /// region's copies hold everything the region stored, so the page is
    /// there at the reader's read point.
    pub(crate) fn on_region_read(
        &mut self,
        cx: &mut Ctx,
        hosts: &impl Routes,
        node: NodeId,
        (inst, read, attempt): (InstanceId, u32, u32),
    ) {
        let n = node.index();
        if !self.volume.nodes[n].up {
            return;
        }
        let page_bytes = u64::from(cx.cfg.workload.page_kib) << 10;
        let (_, turn) = self.disk_turn(cx.cfg, n, cx.now(), page_bytes);
        let done = turn + self.disk_time(n);
        let reply = Event::RegionReadReply {
            inst,
            read,
            attempt,
        };
        let from = Endpoint::Node(node, self.volume.nodes[n].az);
        cx.send(done, from, hosts.instance(inst), reply);
    }

    /// A recovery probe reaches a segment: it applies the truncations it
    /// has not yet seen, adopts the epoch, and answers once its log is on
    /// disk.
    pub(crate) fn on_recovery_probe(
        &mut self,
        cx: &mut Ctx,
        hosts: &impl Routes,
        seg: SegmentId,
        epoch: u32,
    ) {
        if !self.up(seg) || !self.volume.segments[seg.index()].hydrated {
            return;
        }
        self.adopt_truncations(seg, epoch);
        let now = cx.now();
        let s = &mut self.volume.segments[seg.index()];
        s.adopt_epoch(epoch);
        let done = s.persisted_by(now);
        let info = s.recovery_info(done);
        let incarnation = self.volume.node_of(seg).incarnation;
        let reply = Event::RecoveryReply {
            reply: Box::new(RecoveryReply {
                seg,
                epoch,
                incarnation,
                info,
            }),
        };
        let (from, to) = (self.volume.endpoint(seg), hosts.current_writer());
        cx.send(done, from, to, reply);
    }

    /// Applies to `seg` every truncation of an epoch up to `epoch` that it
    /// has not applied: it cuts at the lowest such truncation point, since
    /// everything it holds above that came from superseded writers.
    pub(crate) fn adopt_truncations(&mut self, seg: SegmentId, epoch: u32) {
        let s = &mut self.volume.segments[seg.index()];
        let cut = s.epochs().truncated;
        let unseen = self
            .truncations
            .iter()
            .filter(|t| t.epoch > cut && t.epoch <= epoch);
        let folded = unseen.fold(None, |acc: Option<(u32, Lsn)>, t| {
            Some(acc.map_or((t.epoch, t.vdl), |(n, a)| (n.max(t.epoch), a.min(t.vdl))))
        });
        if let Some((newest, above)) = folded {
            s.truncate(newest, above);
        }
    }

    /// A node goes down (losing its unpersisted records) or one reason for
    /// it being down ends. Faults nest: a node down for two reasons comes
    /// back only when both end.
    pub(crate) fn node_down(&mut self, cx: &mut Ctx, n: NodeId, down: bool) {
        let now = cx.now();
        let node = &mut self.volume.nodes[n.index()];
        if down {
            node.faults += 1;
            if node.up {
                node.up = false;
                node.incarnation += 1;
                node.down_since = now;
                let incarnation = node.incarnation;
                for &s in &node.segments {
                    self.volume.segments[s.index()].crash(now);
                }
                let io = &mut self.io[n.index()];
                io.disk.reset(now);
                io.nic_in.reset(now);
                io.nic_out.reset(now);
                self.on_node_lost(cx, n);
                cx.after(
                    cx.cfg.storage.repair_after,
                    Event::RepairCheck {
                        node: n,
                        incarnation,
                    },
                );
            }
        } else {
            node.faults = node.faults.saturating_sub(1);
            let back = !node.up && node.faults == 0;
            node.up = node.faults == 0;
            if back {
                self.on_node_back(cx, n);
            }
        }
    }

    /// Counts PGs whose live (running, hydrated) copies fall below the
    /// write and read quorum — storage health — and, apart from that, the
    /// PGs of which the running writer reaches fewer live copies than a
    /// write quorum: what a partition takes away while storage is healthy.
    pub(crate) fn record_quorum_health(&self, cx: &mut Ctx, hosts: &impl Routes) {
        let (w, r) = (self.volume.quorum.write(), self.volume.quorum.read());
        let (mut below_w, mut below_r, mut out_of_reach) = (0, 0, 0);
        let writer = hosts.current_writer_alive().then(|| hosts.current_writer());
        let now = cx.now();
        for (p, g) in self.volume.pgs.iter().enumerate() {
            let copies = self.volume.live_copies(g, cx.net(), None);
            cx.rec.redundancy.observe(now, p, copies);
            below_w += u32::from(copies < w);
            below_r += u32::from(copies < r);
            if writer.is_some() {
                out_of_reach += u32::from(self.volume.live_copies(g, cx.net(), writer) < w);
            }
        }
        cx.rec.quorum_health(below_w, below_r, out_of_reach);
    }
}
