//! What one actor asks of another within the event it is handling.
//!
//! Actors meet through events that cross the network and take time. Some
//! steps are one act in the real system, though: the control plane
//! promoting an instance, a process exiting and its connections being
//! reset, a fault taking a host down. A handler gives such a step as an
//! [`Order`] through [`Ctx::order`](super::context::Ctx::order), and the
//! world carries it out when the handler returns, before any other event:
//! orders in the order they were given, and the orders an order gives
//! before the next one. No other event can see the world between a handler
//! and its orders, so an order is as immediate as a call, without the
//! caller holding the actor it orders.

use super::compute::instance::Boot;
use super::storage::lsn::Lsn;
use super::storage::recovery::Truncation;
use crate::model::config::RegionId;
use crate::sim::{SimDuration, SimTime};
use crate::vocab::ids::{AzId, InstanceId, NodeId};

/// What a planned event has one instance do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Maintenance {
    /// Its engine is patched: with zero-downtime patching it looks for a
    /// quiet point to restart under its open connections; without, its
    /// process restarts.
    Patch { zero_downtime: bool },
    /// Its operating system is updated: its host reboots, and its
    /// database starts once the update is done.
    UpdateOs,
    /// It waits for its turn: a rolling update's writer for the failover
    /// that hands its role on, an instance changing class for its new
    /// host.
    Wait,
    /// Its database moves to the new host of the class the event names:
    /// the process stops, and starts there with a cold cache and a new
    /// address.
    Move,
    /// It is left as it is, for this reason.
    Skip(&'static str),
}

/// One order, named for what is asked, grouped by the actor that carries
/// it out.
#[derive(Clone, Debug)]
pub(crate) enum Order {
    // ----- to the instances -------------------------------------------
    /// The control plane makes `inst` the writer and starts its process
    /// (`boot`), first getting a new host under way in `replace_in` when
    /// its own is gone.
    Promote {
        inst: InstanceId,
        boot: Boot,
        replace_in: Option<AzId>,
    },
    /// `inst`'s database process restarts on its host.
    Restart { inst: InstanceId },
    /// Replica auto scaling creates reader `inst` in `az`: it starts
    /// after its creation time, `after`.
    AddReplica {
        inst: InstanceId,
        az: AzId,
        after: SimDuration,
    },
    /// Replica auto scaling deletes reader `inst`.
    RemoveReplica { inst: InstanceId },
    /// A blue/green switchover stops writes and drops connections on both
    /// environments, then waits for the green writer, `green`, to catch up
    /// with the last write until `until`.
    StopForSwitchover { green: InstanceId, until: SimTime },
    /// A blue/green switchover's green writer takes over the volume, its
    /// process running on: the blue environment leaves the cluster and
    /// the green one is the cluster from now.
    TakeOver { inst: InstanceId },
    /// Planned event `fault` reaches `inst`: what the control plane has
    /// it do.
    Maintain {
        inst: InstanceId,
        fault: u32,
        action: Maintenance,
    },
    /// The replacement host being created for `inst` is abandoned: it
    /// stays stopped.
    AbandonReplacement { inst: InstanceId },
    /// A fault takes `inst`'s host down, or one reason for that ends.
    HostFault { inst: InstanceId, down: bool },
    /// Repair added a segment: every writer that may still run keeps
    /// state for it.
    SegmentAdded,

    // ----- to the clients and the proxy -------------------------------
    /// `inst`'s process exited while its host stayed up: every connection
    /// to it is reset, and who waits on one hears of it at once.
    ConnectionsReset { inst: InstanceId },

    // ----- to DNS -----------------------------------------------------
    /// A region's reader endpoint's records: every running reader of its
    /// cluster.
    ReaderEndpoint {
        region: RegionId,
        readers: Vec<InstanceId>,
    },
    /// Custom endpoint `endpoint`'s record: its members that serve.
    CustomEndpoint {
        endpoint: usize,
        hosts: Vec<InstanceId>,
    },
    /// The cluster endpoint points at `writer`; with `report`, the control
    /// plane hears when the change is visible.
    ClusterEndpoint { writer: InstanceId, report: bool },

    // ----- to storage -------------------------------------------------
    /// A fault takes storage node `node` down (`down`) or brings it back.
    NodeFault { node: NodeId, down: bool },
    /// A fault slows storage node `node`'s disk by `factor`.
    NodeSlowness { node: NodeId, factor: f64 },
    /// A recovery's truncation of the volume, applied by each segment when
    /// it first sees the new epoch.
    Truncate(Truncation),
    /// Quorum health, as the current writer sees storage, is recorded.
    QuorumHealth,

    // ----- to the control plane ---------------------------------------
    /// `inst` stopped serving (its host failed, or it was cut off): if it
    /// is the writer, the outage starts now.
    Impaired { inst: InstanceId },
    /// The last partition cutting `inst` off has ended.
    Reconnected { inst: InstanceId },
    /// `inst`'s own host came back while a replacement was being created
    /// for it: it restarts there, and nothing new is created.
    ReplacementAbandoned { inst: InstanceId },
    /// The process `inst` was running has stopped (at `stopped`), and its
    /// engine is starting as the control plane's target.
    TargetStarting { inst: InstanceId, stopped: SimTime },
    /// `inst`'s process is up as the writer and begins recovery.
    Promoted { inst: InstanceId },
    /// `inst` finished storage recovery at `done` and will have rebuilt
    /// its in-memory state at `rebuilt`.
    Recovered {
        inst: InstanceId,
        done: SimTime,
        rebuilt: SimTime,
    },
    /// The newest writer, on `inst`, opened for writes.
    WriterOpened { inst: InstanceId },
    /// The cluster endpoint's new record is visible from `at`.
    ClusterVisible { at: SimTime },
    /// A reboot of `inst`, with or without failover.
    Reboot { inst: InstanceId, failover: bool },
    /// A planned engine patch of every instance, with zero-downtime
    /// patching or without.
    PatchCluster { fault: u32, zero_downtime: bool },
    /// A planned operating-system update of every instance, rolling.
    UpdateCluster { fault: u32 },
    /// `inst` serves again after its part in planned event `fault`.
    Done { inst: InstanceId, fault: u32 },
    /// A planned change of `inst`'s class (fault `fault`).
    ChangeClass { fault: u32, inst: InstanceId },
    /// A requested failover (fault `fault`), to `target` if named.
    Failover {
        fault: u32,
        target: Option<InstanceId>,
    },
    /// A blue/green switchover (fault `fault`) is asked for, to be rolled
    /// back after `timeout`.
    BlueGreenSwitchover { fault: u32, timeout: SimDuration },
    /// The green environment has everything blue wrote: it takes over.
    GreenCaughtUp,
    /// The switchover is rolled back, for this reason: blue takes writes
    /// again (if its writer runs) and green goes on following it.
    SwitchoverRolledBack { why: &'static str },
    // ----- to the global database -------------------------------------
    /// A region goes dark (`dark`) or comes back.
    RegionDark { region: RegionId, dark: bool },
    /// The link to a secondary region is cut (`cut`) or heals.
    RegionCut { region: RegionId, cut: bool },
    /// A fault narrowing the link to a secondary region `factor` times
    /// starts (`on`) or ends.
    RegionSlowness {
        region: RegionId,
        factor: f64,
        on: bool,
    },
    /// A promotion of `region` (fault `fault`) is asked for: a failover,
    /// or a switchover (`switchover`). The world asks the global database
    /// and the control plane whether it can go ahead.
    PromoteRegion {
        fault: u32,
        region: RegionId,
        switchover: bool,
    },
    // ----- from the global database to the writer ----------------------
    /// The RPO guard holds (`held`) or releases the writer's commits.
    CommitsHeld { held: bool },
    // ----- from the global database to storage, the instances and the
    // control plane ----------------------------------------------------
    /// `region` is the primary from now, with the log up to `upto`: its
    /// storage becomes the volume, its instances the cluster, and the
    /// control plane promotes one of them.
    RegionPromoted {
        region: RegionId,
        upto: Lsn,
        switchover: bool,
    },
}
