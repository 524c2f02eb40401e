//! Failover liveness: while some instance of the cluster (not a global
//! database's secondary region's) could take over — its host up,
//! its database running or starting, reachable from the control plane,
//! and reaching a write quorum of healthy copies of every PG (see
//! [`super::healthy_write_quorum`]) — a writer is open again
//! within a bound that follows from the scenario's own settings: the
//! misses that detect a failed writer (or a failed promotion target), one
//! selection wait, the stall after which a recovery cut off from storage
//! gives up, two of the longer of a promotion and a restart (a fault in
//! the middle of one shows only once it is over, and another follows),
//! and two recovery probe rounds. Every fault starting or ending restarts the
//! window, since each may legitimately begin a new attempt. A scenario that
//! plans an operating-system update adds the update's time: a writer
//! updated in place (no reader to take over) is starting for that long,
//! and its update is the plan, not a stuck failover. So is a global
//! database's switchover waiting for every region to be synchronised.

use crate::model::compute::instance::{instance_endpoint, Process};
use crate::model::compute::recovery;
use crate::model::config::{Config, FaultKind};
use crate::model::network::Endpoint;
use crate::model::{Kind, Seen, World};
use crate::sim::{SimDuration, SimTime};
use crate::vocab::ids::InstanceId;

/// Recovery's probe rounds allowed for in the bound: a probe lost to a
/// gray failure is resent after the recovery's one-second retry.
const RECOVERY_SLACK: SimDuration = SimDuration::from_secs(2);

/// The longest a process start of any instance can take, every step's
/// draw at its largest (storage recovery aside), on any class it runs on
/// (a class change's included).
fn longest_start(cfg: &Config) -> SimDuration {
    let steps = &cfg.control.start;
    (0..cfg.instances.len())
        .flat_map(|i| cfg.classes_of(i))
        .map(|spec| steps.longest(&spec))
        .max()
        .unwrap_or(SimDuration::ZERO)
}

/// How long a writer may stay closed while some instance could take
/// over, under these settings (see the module's doc for the terms).
pub(super) fn bound(cfg: &Config) -> SimDuration {
    let c = &cfg.control;
    let updates = cfg.faults.iter().any(|f| f.kind == FaultKind::OsUpdate);
    c.health_check_interval * (u64::from(c.failure_threshold) + 2)
        + recovery::STALL
        + longest_start(cfg) * 2
        + RECOVERY_SLACK
        + if updates {
            c.os_update_time
        } else {
            SimDuration::ZERO
        }
}

#[derive(Clone)]
pub(super) struct FailoverLiveness {
    bound: SimDuration,
    /// Since when no writer has been open while some instance could take
    /// over, with no fault in between.
    since: Option<SimTime>,
}

impl FailoverLiveness {
    pub(super) fn new(cfg: &Config) -> Self {
        FailoverLiveness {
            bound: bound(cfg),
            since: None,
        }
    }

    #[inline]
    pub(super) fn after(&mut self, world: &World, now: SimTime, event: Seen) -> Option<String> {
        // Shown health ticks and faults only (`Checks` filters).
        if event.kind != Kind::HealthTick {
            self.since = None;
            return None;
        }
        // A switchover waiting to synchronise stops the writer by plan.
        if world.writer_open() || world.switching() || !someone_could_take_over(world) {
            self.since = None;
            return None;
        }
        let since = *self.since.get_or_insert(now);
        if now.since(since) <= self.bound {
            return None;
        }
        // One report per episode.
        self.since = Some(now);
        Some(format!(
            "no writer open for {:.3} s since {:.3} s while an instance could take over (bound {:.3} s)",
            now.since(since).as_secs_f64(),
            since.as_secs_f64(),
            self.bound.as_secs_f64()
        ))
    }
}

/// Whether some instance's host is up with its database running or
/// starting, reachable from the control plane, and reaching a write
/// quorum of every PG.
fn someone_could_take_over(world: &World) -> bool {
    let net = world.network();
    world.instances().iter().enumerate().any(|(i, inst)| {
        let at = instance_endpoint(world.instances(), InstanceId::from_index(i));
        // A secondary region's instance is no candidate until its region
        // is promoted, nor one outside the cluster of a blue/green
        // deployment.
        inst.role.in_cluster()
            && inst.host_up()
            && inst.process != Process::Stopped
            && net.reachable(Endpoint::Control, at)
            && !net.gray(at)
            && super::healthy_write_quorum(world, at)
    })
}
