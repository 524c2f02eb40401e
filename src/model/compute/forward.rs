//! A global database's secondary clusters: their readers follow their
//! region's storage, and forward writes to the primary's writer.
//!
//! A secondary region's reader learns its read point when its region's
//! replication agent stores a shipment (\[UG\] aurora-global-database: the
//! agent writes redo to the region's storage, from which the secondary
//! cluster's instances read); its replica lag is the region's, from the
//! primary's storage making the redo durable. The cost of applying the
//! redo to its cache is not modelled there (a simplification: the
//! cross-region shipment, not the apply, is what its lag is made of).
//!
//! **Write forwarding** (\[UG\] Using write forwarding in an Aurora global
//! database): a reader of a secondary cluster that forwards writes sends a
//! session's write to the primary's writer over the cross-region link,
//! which commits it as any other and acknowledges it back to the reader,
//! with the commit's LSN. The session's next read
//! then waits, by its `aurora_replica_read_consistency`:
//!
//! - `eventual`: for nothing; it may miss the session's own write;
//! - `session`: until the reader has applied the write;
//! - `global`: until the reader has applied everything the writer had
//!   committed when the read began: the reader asks the writer for its
//!   VDL (a round trip between the regions) and waits for that point.
//!
//! Here a forwarding session's request is one such transaction: a write,
//! then a read at the reader.

use super::instance::{instance_endpoint, Forwarded, ReadWait, Role};
use super::{Compute, Surroundings};
use crate::model::answer::{answer_client, Caller, Callers};
use crate::model::config::{Consistency, RegionId};
use crate::model::context::Ctx;
use crate::model::event::{Answer, Event, Via};
use crate::model::storage::lsn::Lsn;
use crate::model::workload::Workload;
use crate::sim::SimTime;
use crate::vocab::ids::{ClientId, InstanceId};
use crate::vocab::ClientError;

impl Compute {
    /// A forwarding session's transaction reaches secondary reader `inst`:
    /// its write goes to the primary's writer, on the connection the
    /// reader keeps to it.
    pub(super) fn forward(
        &mut self,
        cx: &mut Ctx,
        caller: Caller,
        inst: InstanceId,
        consistency: Consistency,
    ) {
        let now = cx.now();
        let writer = self.writers.current.instance;
        let from = instance_endpoint(&self.instances, inst);
        let to = instance_endpoint(&self.instances, writer);
        let incarnation = self.instances[writer.index()].incarnation;
        let i = &mut self.instances[inst.index()];
        let forwarded = Forwarded {
            seq: caller.seq,
            consistency,
            sent: now,
            to: writer,
            waiting: None,
        };
        i.replica.forwarded.insert(caller.client, forwarded);
        let request = Event::Request {
            client: caller.client,
            seq: caller.seq,
            inst: writer,
            incarnation,
            via: Some(Via::Forwarder { inst, az: i.az }),
        };
        cx.send(now, from, to, request);
    }

    /// The writer's answer to a write `inst` forwarded: a failure goes on
    /// to the client; a commit starts the session's read, at once or once
    /// the reader's read point reaches what its consistency asks for.
    pub fn on_forwarded_answer(
        &mut self,
        cx: &mut Ctx,
        (wl, around): (&mut Workload, Surroundings),
        (inst, client, seq): (InstanceId, ClientId, u32),
        (answer, commit): (Answer, Lsn),
    ) {
        let now = cx.now();
        let i = &mut self.instances[inst.index()];
        if !i.running() {
            return;
        }
        let Some(f) = i
            .replica
            .forwarded
            .get_mut(&client)
            .filter(|f| f.seq == seq)
        else {
            return;
        };
        if let Answer::Failed(_) = answer {
            i.replica.forwarded.remove(&client);
            let from = instance_endpoint(&self.instances, inst);
            return answer_client(
                cx,
                from,
                around.callers,
                Caller::direct(client, seq),
                answer,
            );
        }
        let group = around.callers.group(client);
        cx.rec.replication.forwarded(group, now.since(f.sent));
        let until = match f.consistency {
            Consistency::Eventual => Some(Lsn(0)),
            Consistency::Session => Some(commit),
            // Not known until the writer says.
            Consistency::Global => None,
        };
        f.waiting = Some(ReadWait {
            until,
            commit,
            since: now,
        });
        match until {
            Some(until) if until <= i.replica.vdl => {
                self.read_after_write(cx, (wl, around), inst, client);
            }
            Some(_) => {}
            None => {
                let writer = f.to;
                let from = instance_endpoint(&self.instances, inst);
                let to = instance_endpoint(&self.instances, writer);
                let ask = Event::GlobalPointAsk {
                    writer,
                    inst,
                    client,
                    seq,
                };
                cx.send(now, from, to, ask);
            }
        }
    }

    /// A reader's question reaches the writer: a running writer answers
    /// with its VDL.
    pub fn on_global_point_ask(
        &self,
        cx: &mut Ctx,
        writer: InstanceId,
        (inst, client, seq): (InstanceId, ClientId, u32),
    ) {
        let Some(w) = self.writers.writer_on(writer, &self.instances) else {
            return;
        };
        let answer = Event::GlobalPoint {
            inst,
            client,
            seq,
            vdl: w.points.vdl(),
        };
        let from = instance_endpoint(&self.instances, writer);
        let to = instance_endpoint(&self.instances, inst);
        cx.send(cx.now(), from, to, answer);
    }

    /// The writer's VDL reaches the reader whose read at `global`
    /// consistency waits for it.
    pub fn on_global_point(
        &mut self,
        cx: &mut Ctx,
        (wl, around): (&mut Workload, Surroundings),
        (inst, client, seq): (InstanceId, ClientId, u32),
        vdl: Lsn,
    ) {
        let i = &mut self.instances[inst.index()];
        if !i.running() {
            return;
        }
        let Some(w) = i
            .replica
            .forwarded
            .get_mut(&client)
            .filter(|f| f.seq == seq)
            .and_then(|f| f.waiting.as_mut())
        else {
            return;
        };
        w.until = Some(vdl);
        if vdl <= i.replica.vdl {
            self.read_after_write(cx, (wl, around), inst, client);
        }
    }

    /// The forwarding connections to `writer` dropped (its process exited,
    /// or a switchover dropped them), or with `None` every one (a region
    /// promotion moved the primary): the transactions whose write was
    /// forwarded there, or whose read waits for a point of the old
    /// primary's log, fail with a reset.
    pub fn fail_forwarded(&mut self, cx: &mut Ctx, callers: &Callers, writer: Option<InstanceId>) {
        for k in 0..self.instances.len() {
            let inst = InstanceId::from_index(k);
            let from = instance_endpoint(&self.instances, inst);
            let forwarded = &mut self.instances[k].replica.forwarded;
            let failed: Vec<(ClientId, u32)> = forwarded
                .iter()
                .filter(|(_, f)| writer.is_none_or(|w| f.to == w && f.waiting.is_none()))
                .map(|(&c, f)| (c, f.seq))
                .collect();
            for (c, seq) in failed {
                forwarded.remove(&c);
                let reset = Answer::Failed(ClientError::Reset);
                answer_client(cx, from, callers, Caller::direct(c, seq), reset);
            }
        }
    }

    /// Secondary region `region` stored everything up to `upto`, which the
    /// primary had made durable at `reached`: its running readers read at
    /// that point from now, and the reads waiting for it begin.
    pub fn region_stored(
        &mut self,
        cx: &mut Ctx,
        (wl, around): (&mut Workload, Surroundings),
        region: RegionId,
        (upto, reached): (Lsn, SimTime),
    ) {
        let now = cx.now();
        let point = &mut self.region_points[region.0 as usize];
        *point = (*point).max(upto);
        for k in 0..self.instances.len() {
            let i = &mut self.instances[k];
            if i.role != Role::Secondary
                || !i.running()
                || cx.cfg.topology.region_of(i.az) != region
                || upto <= i.replica.vdl
            {
                continue;
            }
            i.replica.vdl = upto;
            let us = (now.since(reached).as_nanos() / 1_000).max(1);
            i.lag.saturating_record(us);
            i.lag_bin_max = i.lag_bin_max.max(us);
            if i.replica.forwarded.is_empty() {
                continue;
            }
            let ready: Vec<ClientId> = i
                .replica
                .forwarded
                .iter()
                .filter(|(_, f)| {
                    f.waiting
                        .is_some_and(|w| w.until.is_some_and(|u| u <= upto))
                })
                .map(|(&c, _)| c)
                .collect();
            for c in ready {
                self.read_after_write(cx, (wl, around), InstanceId::from_index(k), c);
            }
        }
    }

    /// Client `c`'s read after its forwarded write begins on `inst`.
    fn read_after_write(
        &mut self,
        cx: &mut Ctx,
        (wl, around): (&mut Workload, Surroundings),
        inst: InstanceId,
        c: ClientId,
    ) {
        let i = &mut self.instances[inst.index()];
        let Some(f) = i.replica.forwarded.remove(&c) else {
            return;
        };
        let wait = f.waiting.expect("only an acknowledged write's read begins");
        let missed = i.replica.vdl < wait.commit;
        let group = around.callers.group(c);
        // A client that gave up on the transaction has closed its
        // session: the read is not made.
        let now = cx.now();
        if (cx.cfg.clients[group].read_timeout).is_some_and(|t| now.since(f.sent) > t) {
            return;
        }
        let waited = now.since(wait.since);
        cx.rec.replication.read_after_write(group, waited, missed);
        let load = (wl, around.volume, around.callers);
        self.reader(inst).serve_read(cx, load, c, f.seq);
    }
}
