//! The redo stream from the writer to its readers, and what readers do
//! with it (\[P17\] §4.2.4).
//!
//! Whenever VDL has moved, the writer's group-commit tick sends each
//! running reader the records VDL passed since its last shipment. VDL is a
//! consistency point, so a shipment holds whole mini-transactions, and a
//! reader applies it atomically: a record whose page is in the reader's
//! buffer cache costs CPU (`apply_per_record`), one whose page is not is
//! skipped (the page will be read from storage, at the reader's read
//! point, when it is needed). The apply runs on the reader's CPU queue, so
//! replica lag — when the apply finishes, less when the writer's VDL
//! reached that point — grows with the writer's load, and a small reader
//! falls behind a big writer. A reader whose lag passes `max_replica_lag`
//! restarts, as Aurora MySQL restarts a reader that falls too far behind.
//!
//! Reads through the reader endpoint are served by the reader at its read
//! point (the VDL it has received): from its cache after the CPU of a
//! read, or from one storage segment that holds every record of the PG up
//! to that point, after which the page is cached. A reader's answer can
//! therefore be stale by its lag, never inconsistent.

use std::rc::Rc;

use super::instance::{instance_endpoint, Instance, ReplicaRead, Role};
use super::server::Server;
use super::writer::Writer;
use crate::model::answer::{answer_client_at, Caller, Callers};
use crate::model::config::Environment;
use crate::model::context::Ctx;
use crate::model::event::{Answer, Event, ReadAnswer, ReadAsk, Redo};
use crate::model::network::Endpoint;
use crate::model::storage::lsn::Lsn;
use crate::model::storage::segment::ReadResult;
use crate::model::storage::volume::{placement, Volume};
use crate::model::workload::Workload;
use crate::sim::SimTime;
use crate::vocab::ids::{ClientId, InstanceId, NodeId, SegmentId};

impl Writer {
    /// Streams what VDL passed since the last shipment to every running
    /// reader, and to a blue/green deployment's green writer, which
    /// replicates it.
    pub(crate) fn stream_to_readers(&mut self, cx: &mut Ctx, instances: &[Instance]) {
        if self.redo.is_empty() {
            return;
        }
        // A running green writer replicates the cluster's writes.
        let green = |k: usize| cx.cfg.instances[k].environment == Environment::GreenWriter;
        let follows = |k: usize, i: &Instance| {
            i.serving_reads() || (i.running() && i.role == Role::Green && green(k))
        };
        // With no one to send to, the records are dropped where they
        // are, keeping the buffer for the next tick.
        if !instances.iter().enumerate().any(|(k, i)| follows(k, i)) {
            self.redo.clear();
            return;
        }
        let redo = Rc::new(Redo {
            epoch: self.epoch,
            vdl: self.points.vdl(),
            vdl_at: self.vdl_at,
            records: std::mem::take(&mut self.redo),
        });
        let now = cx.now();
        let from = instance_endpoint(instances, self.instance);
        for (i, reader) in instances.iter().enumerate() {
            if follows(i, reader) {
                let inst = InstanceId::from_index(i);
                let to = Endpoint::Instance(inst, reader.az);
                let redo = redo.clone();
                cx.send(now, from, to, Event::RedoStream { inst, redo });
            }
        }
    }
}

/// One instance as a reader: its stream state, its machine, and the
/// writer running on it, if it is the writer (the reader endpoint's answer
/// when no reader runs).
pub(crate) struct Reader<'a> {
    /// Which instance.
    pub inst: InstanceId,
    /// The instance.
    pub instance: &'a mut Instance,
    /// Its machine.
    pub server: &'a mut Server,
    /// The writer running on it, if one is.
    pub writer: Option<&'a Writer>,
}

impl Reader<'_> {
    /// Its network end.
    fn end(&self) -> Endpoint {
        Endpoint::Instance(self.inst, self.instance.az)
    }

    /// A shipment reaches the reader: it applies the records on cached
    /// pages, and its lag is measured when the apply is done. Returns
    /// whether the lag is past `max_replica_lag`, so that it restarts.
    pub(crate) fn on_redo(self, cx: &mut Ctx, wl: &Workload, redo: &Redo) -> bool {
        let now = cx.now();
        let i = self.instance;
        // A deposed writer's late shipments are not followed.
        if !i.serving_reads()
            || redo.vdl_at < i.started
            || redo.epoch < i.replica.epoch
            || redo.vdl <= i.replica.vdl
        {
            return false;
        }
        let server = self.server;
        let ws = wl.working_set;
        let mut cached = 0;
        for r in &redo.records {
            cached += u64::from(server.cache.holds(ws.index(r.pg, r.page)));
            if let Some(last) = i.replica.last.get_mut(r.pg.index()) {
                *last = (*last).max(r.lsn);
            }
        }
        i.replica.epoch = redo.epoch;
        i.replica.vdl = redo.vdl;
        // A paused Aurora Serverless v2 reader holds no pages to apply
        // to and reads nothing: it keeps its place in the stream only.
        if i.paused() {
            return false;
        }
        let done = server.run(now, cx.cfg.engine.apply_per_record * cached);
        let lag = done.since(redo.vdl_at);
        let us = (lag.as_nanos() / 1_000).max(1);
        i.lag.saturating_record(us);
        i.lag_bin_max = i.lag_bin_max.max(us);
        if lag > cx.cfg.engine.max_replica_lag {
            cx.rec.lag_restarts += 1;
            return true;
        }
        false
    }

    /// A read through the reader endpoint reaches the instance: served
    /// from its cache, or from storage at its read point.
    pub(crate) fn serve_read(
        mut self,
        cx: &mut Ctx,
        (wl, volume, callers): (&mut Workload, &Volume, &Callers),
        c: ClientId,
        seq: u32,
    ) {
        let now = cx.now();
        // A writer still recovering or rebuilding (clients may hold its
        // address from when it was a reader) serves nothing yet.
        if self.writer.is_some_and(|w| !w.open) {
            let refused = Answer::Failed(crate::vocab::ClientError::Refused);
            let caller = Caller::direct(c, seq);
            return answer_client_at(cx, now, self.end(), callers, caller, refused);
        }
        let page = wl.popularity.draw(&mut wl.rng);
        let done = self.server.run(now, cx.cfg.engine.cpu_per_read);
        if self.server.cache.touch(page) {
            let caller = Caller::direct(c, seq);
            return answer_client_at(cx, done, self.end(), callers, caller, Answer::Ok);
        }
        let r = &mut self.instance.replica;
        let read = ReplicaRead {
            seq,
            page,
            attempt: r.next_attempt,
            tries: 0,
        };
        r.next_attempt = r.next_attempt.wrapping_add(1);
        r.reads.insert(c, read);
        if self.instance.role == Role::Secondary {
            self.send_region_read(cx, wl, volume, c, done);
        } else {
            self.send_read(cx, (wl, volume, callers), c, done);
        }
    }

    /// Sends client `c`'s read, as a secondary region's reader, to a copy
    /// of the page's PG in its region, its own AZ's first. The region's
    /// copies hold everything it stored, its read point included.
    fn send_region_read(
        &mut self,
        cx: &mut Ctx,
        wl: &Workload,
        volume: &Volume,
        c: ClientId,
        at: SimTime,
    ) {
        let from = self.end();
        let (inst, home) = (self.inst, self.instance.az);
        let r = &mut self.instance.replica;
        let Some(read) = r.reads.get_mut(&c) else {
            return;
        };
        let (pg, _) = wl.working_set.locate(read.page);
        let topology = &cx.cfg.topology;
        let per_region = topology.azs_per_region;
        let first = topology.region_of(home).0 as usize * per_region;
        let per_az = volume.quorum.copies() as usize / per_region;
        let mut nodes: Vec<NodeId> = placement(
            pg.index(),
            first..first + per_region,
            per_az,
            topology.nodes_per_az,
        )
        .collect();
        nodes.sort_by_key(|&n| volume.nodes[n.index()].az != home);
        let Some(&node) = nodes.get(read.tries as usize) else {
            r.reads.remove(&c);
            return;
        };
        read.tries += 1;
        let ask = Event::RegionRead {
            node,
            inst,
            read: c.0,
            attempt: read.attempt,
        };
        let to = Endpoint::Node(node, volume.nodes[node.index()].az);
        cx.send(at, from, to, ask);
    }

    /// Sends client `c`'s read to the next segment of its PG, this AZ's
    /// first; after every member has been tried the read is dropped and
    /// the client's own timeout takes over.
    fn send_read(
        &mut self,
        cx: &mut Ctx,
        (wl, volume, callers): (&Workload, &Volume, &Callers),
        c: ClientId,
        at: SimTime,
    ) {
        let from = self.end();
        let (inst, writer) = (self.inst, self.writer);
        let home = self.instance.az;
        let r = &mut self.instance.replica;
        let Some(read) = r.reads.get_mut(&c) else {
            return;
        };
        let (pg, page) = wl.working_set.locate(read.page);
        // The writer reads at its own VDL.
        let (epoch, point, need) = match writer {
            Some(w) => (w.epoch, w.points.vdl(), w.points.last_record_below_vdl(pg)),
            None => (
                r.epoch,
                r.vdl,
                r.last.get(pg.index()).copied().unwrap_or(Lsn(0)),
            ),
        };
        let mut members: Vec<SegmentId> = volume.pgs[pg.index()]
            .members
            .iter()
            .copied()
            .filter(|&s| volume.segments[s.index()].hydrated)
            .collect();
        members.sort_by_key(|&s| volume.node_of(s).az != home);
        let Some(&seg) = members.get(read.tries as usize) else {
            let read = r.reads.remove(&c).expect("looked up above");
            // A blue instance a switchover retired reads the data as blue
            // left it; the model keeps no volume of blue's apart from the
            // one green took over, so once no copy holds that point any
            // more, the read fails rather than being served (a
            // simplification). Another reader's read is dropped, and the
            // client's own timeout takes over.
            if self.instance.role == Role::Retired {
                let failed = Answer::Failed(crate::vocab::ClientError::Reset);
                let caller = Caller::direct(c, read.seq);
                answer_client_at(cx, at, from, callers, caller, failed);
            }
            return;
        };
        read.tries += 1;
        let ask = ReadAsk {
            seg,
            epoch,
            read: c.0,
            attempt: read.attempt,
            page,
            point,
            need,
            reader: Some(inst),
        };
        cx.send(
            at,
            from,
            volume.endpoint(seg),
            Event::ReadRequest { ask: Box::new(ask) },
        );
    }

    /// A segment answered the reader's read: the page enters its cache and
    /// the client has its answer; a segment behind the read point sends
    /// the read to the next one.
    pub(crate) fn on_read_reply(
        mut self,
        cx: &mut Ctx,
        (wl, volume, callers): (&Workload, &Volume, &Callers),
        answer: ReadAnswer,
    ) {
        let c = ClientId(answer.read);
        let i = &mut *self.instance;
        let Some(read) = i.replica.reads.get(&c).copied() else {
            return;
        };
        if read.attempt != answer.attempt || !i.running() {
            return;
        }
        match answer.result {
            ReadResult::Page(_) => self.on_page(cx, callers, c, read.attempt),
            ReadResult::Incomplete => self.send_read(cx, (wl, volume, callers), c, cx.now()),
        }
    }

    /// The page of client `c`'s read `attempt` arrived from storage: it
    /// enters the cache and the client has its answer.
    pub(crate) fn on_page(self, cx: &mut Ctx, callers: &Callers, c: ClientId, attempt: u32) {
        let i = self.instance;
        let Some(read) = i.replica.reads.get(&c).copied() else {
            return;
        };
        if read.attempt != attempt || !i.running() {
            return;
        }
        i.replica.reads.remove(&c);
        self.server.cache.insert(read.page);
        let caller = Caller::direct(c, read.seq);
        let end = Endpoint::Instance(self.inst, i.az);
        answer_client_at(cx, cx.now(), end, callers, caller, Answer::Ok);
    }
}
