//! A blue/green deployment, as the instances live it (\[UG\] Using Amazon
//! Aurora Blue/Green Deployments; Switching a blue/green deployment).
//!
//! The green environment is a copy of the cluster that follows it by
//! logical replication: its writer receives the writer's redo stream as a
//! reader does, but re-executes every change (its own engine writes its
//! own volume), at `cpu_per_record` each on its processors, so its lag
//! grows with blue's write load and a small green writer falls behind.
//! Green's readers wait, outside the cluster.
//!
//! A switchover, once the control plane's guardrails pass, stops new
//! writes on blue's writer (what it admitted completes) and drops every
//! connection on both environments, refusing new ones. Every 10 ms it
//! looks whether green has applied blue's last write; once it has, green's
//! writer takes over where blue left off, its process running on, and the
//! control plane points the endpoints at the green environment (the
//! rename, through DNS). Blue's instances stay up under their new names,
//! outside the cluster and read-only. Past the timeout nothing changes:
//! blue takes writes again.
//!
//! The green volume is not modelled apart from blue's: a green writer
//! that has applied everything blue made durable holds the same data, so
//! its takeover is a recovery of the one volume under a new epoch (which
//! also fences blue's writer), without the rebuild and opening of an
//! engine start, since green's engine is up and current.

use super::instance::Role;
use super::{Compute, Replica, Switchover};
use crate::model::config::Environment;
use crate::model::context::Ctx;
use crate::model::event::{Event, Redo};
use crate::model::order::Order;
use crate::model::routes::Routes;
use crate::model::storage::volume::Volume;
use crate::sim::{SimDuration, SimTime};
use crate::vocab::ids::{InstanceId, PgId};

/// How often a switchover looks whether green has caught up. Modelling
/// choice: well under the DNS and connection steps that follow, so the
/// look adds little to the switchover.
const CATCH_UP_LOOK: SimDuration = SimDuration::from_millis(10);

impl Compute {
    /// A shipment of blue's redo stream reaches the green writer: it
    /// re-executes every change on its processors.
    pub(super) fn green_apply(&mut self, cx: &mut Ctx, inst: InstanceId, redo: &Redo) {
        let now = cx.now();
        let i = &mut self.instances[inst.index()];
        // A green writer back from a restart goes on from where its
        // replication stood.
        if !i.running() || redo.epoch < i.replica.epoch || redo.vdl <= i.replica.vdl {
            return;
        }
        let work = cx.cfg.engine.cpu_per_record * redo.records.len() as u64;
        let done = self.servers[inst.index()].run(now, work);
        i.replica.epoch = redo.epoch;
        i.replica.vdl = redo.vdl;
        let lag = done.since(redo.vdl_at);
        i.replica.lag = lag;
        let us = (lag.as_nanos() / 1_000).max(1);
        i.lag.saturating_record(us);
        i.lag_bin_max = i.lag_bin_max.max(us);
        self.green_applied = done;
    }

    /// The control plane's order: writes stop on blue's writer, and every
    /// connection on both environments drops; none is accepted until the
    /// switchover is over.
    pub fn stop_for_switchover(&mut self, cx: &mut Ctx, green: InstanceId, until: SimTime) {
        self.switchover = Some(Switchover { until, green });
        self.writers.current.paused = true;
        // The connections go (a request on one is reset, and whoever
        // waits on one hears so now); the processes, blue's writer with the
        // commits it admitted, run on.
        for k in 0..self.instances.len() {
            let i = &self.instances[k];
            if i.running() && cx.cfg.topology.region_of(i.az) == self.region {
                let inst = InstanceId::from_index(k);
                cx.order(Order::ConnectionsReset { inst });
            }
        }
        cx.after(CATCH_UP_LOOK, Event::SwitchoverLook);
    }

    /// Whether a switchover holds `inst`'s connections closed.
    pub(super) fn switching(&self, cx: &Ctx, inst: InstanceId) -> bool {
        self.switchover.is_some()
            && cx.cfg.topology.region_of(self.instances[inst.index()].az) == self.region
    }

    /// A look during a switchover: green has caught up once blue's writer
    /// has nothing in flight and green has applied its VDL; past the
    /// timeout, the switchover is rolled back.
    pub fn on_switchover_look(&mut self, cx: &mut Ctx) {
        let Some(s) = self.switchover else {
            return;
        };
        let now = cx.now();
        let blue = &self.writers.current;
        let green = &self.instances[s.green.index()];
        let caught_up = blue.idle()
            && green.running()
            && green.replica.vdl >= blue.points.vdl()
            && self.green_applied <= now;
        let why = if caught_up {
            return cx.order(Order::GreenCaughtUp);
        } else if !self.hosts().current_writer_alive() {
            // What blue's writer admitted will not complete: the
            // control plane's failover is the way out.
            "blue's writer stopped"
        } else if !green.running() {
            "the green writer stopped"
        } else if now >= s.until {
            "the green writer had not caught up within the switchover timeout"
        } else {
            return cx.after(CATCH_UP_LOOK, Event::SwitchoverLook);
        };
        self.switchover = None;
        self.writers.current.paused = false;
        cx.order(Order::SwitchoverRolledBack { why });
    }

    /// The control plane's order: the green writer takes over the volume
    /// with its process running on; blue's instances leave the cluster and
    /// green's readers join it at the point taken over.
    pub fn take_over(&mut self, cx: &mut Ctx, volume: &Volume, inst: InstanceId) {
        let now = cx.now();
        self.switchover = None;
        self.switched = true;
        let points = &self.writers.current.points;
        let (epoch, vdl) = (self.writers.current.epoch, points.vdl());
        let last: Vec<_> = (0..volume.pgs.len())
            .map(|p| points.last_record_below_vdl(PgId::from_index(p)))
            .collect();
        for k in 0..self.instances.len() {
            let env = cx.cfg.instances[k].environment;
            let i = &mut self.instances[k];
            match (env, i.role) {
                (Environment::Blue, Role::Writer | Role::Reader) => i.role = Role::Retired,
                (Environment::GreenReader, Role::Green) => {
                    i.role = Role::Reader;
                    i.replica = Replica::at(epoch, vdl, last.clone());
                }
                _ => {}
            }
        }
        self.instances[inst.index()].role = Role::Writer;
        self.warm = Some(inst);
        cx.order(Order::TargetStarting { inst, stopped: now });
        cx.order(Order::Promoted { inst });
        super::recovery::Recovery::begin(cx, &mut self.writing(volume, &[]), inst);
        // Blue's instances keep serving reads, of the data as blue left
        // it: their reads carry the new epoch, which the copies accept.
        let fresh = self.writers.current.epoch;
        for i in &mut self.instances {
            if i.role == Role::Retired {
                i.replica = Replica::at(fresh, vdl, last.clone());
            }
        }
        self.refresh_reader_dns(cx);
    }

    /// How long the writer that recovered on `inst` takes to rebuild its
    /// in-memory state and to open: nothing for a green writer taking
    /// over, whose engine runs and is current; else a draw of each from
    /// its instance's stream.
    pub(super) fn rebuild_and_open(
        &mut self,
        cx: &Ctx,
        inst: InstanceId,
    ) -> (SimDuration, SimDuration) {
        if self.warm.take() == Some(inst) {
            return (SimDuration::ZERO, SimDuration::ZERO);
        }
        let i = &mut self.instances[inst.index()];
        let steps = &cx.cfg.control.start;
        (
            steps.rebuild.sample(&mut i.rng),
            steps.open.sample(&mut i.rng),
        )
    }
}
