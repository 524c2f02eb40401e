//! Quorum liveness: while every PG has a write quorum of healthy segments
//! the writer can reach, and the writer is open, a commit that has its
//! LSNs sees the writer make progress — its VDL advance — within its bound
//! (of taking its LSNs, of those conditions starting to hold, or of the
//! last advance): [`BOUND`] beyond the slowest a commit's own path can be
//! under the scenario's settings, and the time one node's disk or NIC
//! takes to write everything a writer may have in flight (its LSN
//! allocation limit of records, or what the run offers if less). Progress, not latency: under a load
//! storage cannot keep up with, queues grow and commits wait longer than
//! any bound, but the VDL keeps moving; a PG that stops taking records
//! freezes it, since the VDL is the volume's. Time a commit spends queued
//! for the writer's CPU or for pages from storage is the instance's
//! capacity, not storage's liveness.
//! A segment is healthy when it is live and no gray failure touches it or
//! the writer: a node slowed ten-thousandfold is live, but promises nothing.
//!
//! Whether every PG has a reachable write quorum is worked out here, from
//! the storage membership and the network, when a fault, a repair or a new
//! writer may have changed it.

use crate::model::compute::instance::instance_endpoint;
use crate::model::config::Config;
use crate::model::{Kind, Seen, World};
use crate::sim::{SimDuration, SimTime};
use crate::vocab::ids::InstanceId;

/// How long a commit may wait while quorums are live, beyond its own
/// path. Modelling choice: far above any latency of a healthy cluster
/// (milliseconds) and below the outages the scenarios study.
pub const BOUND: SimDuration = SimDuration::from_secs(10);

#[derive(Clone)]
pub(super) struct Liveness {
    /// [`BOUND`] plus the slowest a commit's own path can be under the
    /// settings: a round trip to storage and a persist, each at the
    /// largest value its draw can take, and the time one node takes to
    /// write all a writer may have in flight, so that a slow disk or link
    /// the scenario asks for, or a load it cannot keep up with, is not
    /// taken for a stall.
    bound: SimDuration,
    since: Option<SimTime>,
    /// The writer (instance, epoch) the reach below was computed for.
    writer: Option<(InstanceId, u32)>,
    /// Whether every PG has a write quorum the writer reaches, if known.
    quorums: Option<bool>,
}

impl Liveness {
    pub(super) fn new(cfg: &Config) -> Liveness {
        Liveness {
            bound: BOUND + cfg.slowest_round_trip() + cfg.longest_drain(),
            since: None,
            writer: None,
            quorums: None,
        }
    }

    #[inline]
    pub(super) fn after(&mut self, world: &World, now: SimTime, event: Seen) -> Option<String> {
        if matches!(
            event.kind,
            Kind::FaultStart | Kind::FaultEnd | Kind::RepairCheck | Kind::RepairDone
        ) {
            self.quorums = None;
        }
        if event.kind != Kind::GroupCommit {
            return None;
        }
        let w = world.current_writer();
        if self.writer != Some((w.instance, w.epoch)) {
            self.writer = Some((w.instance, w.epoch));
            self.quorums = None;
        }
        let live = world.writer_open()
            && *self
                .quorums
                .get_or_insert_with(|| every_pg_reachable(world));
        if !live {
            self.since = None;
            return None;
        }
        let since = *self.since.get_or_insert(now);
        let oldest = w.oldest_allocated_commit()?;
        let from = oldest.max(since).max(w.vdl_at);
        if now.since(from) <= self.bound {
            return None;
        }
        // One report per episode: the window starts again.
        self.since = Some(now);
        Some(format!(
            "a commit that took its LSNs at {:.3} s is unacknowledged, and the VDL has not moved for {:.3} s, with every PG at write quorum and {} open",
            oldest.as_secs_f64(),
            now.since(from).as_secs_f64(),
            world.instances()[w.instance.index()].name
        ))
    }
}

/// Whether every PG has a write quorum of healthy segments the current
/// writer's instance can reach.
fn every_pg_reachable(world: &World) -> bool {
    let inst = world.current_writer().instance;
    let writer = instance_endpoint(world.instances(), inst);
    super::healthy_write_quorum(world, writer)
}
