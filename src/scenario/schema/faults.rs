//! The `faults:` section: each injected fault, by kind.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_saphyr::Spanned;

use super::settings::{at, loss_rate, optional_duration, period, slowdown};
use crate::model::config::Cut;
use crate::scenario::defaults as d;
use crate::sim::SimDuration;

/// One injected fault. Written as a one-key map naming the kind:
///
/// ```yaml
/// faults:
///   - storage_node_crash: { at: 30s, node: b-3 }
///   - az_outage: { at: 1m, az: c, duration: 2m }
/// ```
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum FaultSpec {
    /// A storage node stops; its in-memory (unpersisted) records are lost.
    StorageNodeCrash {
        /// When it crashes.
        #[serde(deserialize_with = "at::read")]
        #[schemars(schema_with = "at::schema")]
        at: Spanned<SimDuration>,
        /// Which node, e.g. `b-3`.
        #[schemars(with = "String")]
        node: Spanned<String>,
        /// When given, the node restarts with its persisted data after this long.
        #[serde(default, deserialize_with = "optional_duration::read")]
        #[schemars(schema_with = "optional_duration::schema")]
        recover_after: Option<SimDuration>,
    },
    /// Every storage node and link of an AZ is down.
    AzOutage {
        /// When the AZ goes down.
        #[serde(deserialize_with = "at::read")]
        #[schemars(schema_with = "at::schema")]
        at: Spanned<SimDuration>,
        /// Which AZ.
        #[schemars(with = "String")]
        az: Spanned<String>,
        /// How long; forever when absent.
        #[serde(default, deserialize_with = "optional_duration::read")]
        #[schemars(schema_with = "optional_duration::schema")]
        duration: Option<SimDuration>,
    },
    /// Messages are dropped: between two AZs (`between`), to and from one
    /// storage node (`node`), or between a DB instance and storage or the
    /// control plane (`instance`, with `from`). Exactly one of the three.
    NetworkPartition {
        /// When the partition starts.
        #[serde(deserialize_with = "at::read")]
        #[schemars(schema_with = "at::schema")]
        at: Spanned<SimDuration>,
        /// Two AZs that can no longer talk.
        #[serde(default)]
        #[schemars(with = "Option<Vec<String>>")]
        between: Option<Spanned<Vec<String>>>,
        /// A node cut off from everything.
        #[serde(default)]
        #[schemars(with = "Option<String>")]
        node: Option<Spanned<String>>,
        /// A DB instance cut off (its clients still reach it).
        #[serde(default)]
        #[schemars(with = "Option<String>")]
        instance: Option<Spanned<String>>,
        /// What the instance is cut off from: `everything` (storage and
        /// the control plane, the default), `storage` or `control_plane`.
        #[serde(default)]
        #[schemars(with = "Option<Cut>")]
        from: Option<Spanned<Cut>>,
        /// How long; forever when absent.
        #[serde(default, deserialize_with = "optional_duration::read")]
        #[schemars(schema_with = "optional_duration::schema")]
        duration: Option<SimDuration>,
    },
    /// Whichever instance is the writer at that moment crashes.
    WriterCrash {
        /// When it crashes.
        #[serde(deserialize_with = "at::read")]
        #[schemars(schema_with = "at::schema")]
        at: Spanned<SimDuration>,
        /// When given, its host comes back after this long and the instance
        /// restarts (as a reader, if another took over meanwhile).
        #[serde(default, deserialize_with = "optional_duration::read")]
        #[schemars(schema_with = "optional_duration::schema")]
        recover_after: Option<SimDuration>,
    },
    /// A named instance crashes.
    InstanceCrash {
        /// When it crashes.
        #[serde(deserialize_with = "at::read")]
        #[schemars(schema_with = "at::schema")]
        at: Spanned<SimDuration>,
        /// Which instance.
        #[schemars(with = "String")]
        instance: Spanned<String>,
        /// When given, its host comes back after this long.
        #[serde(default, deserialize_with = "optional_duration::read")]
        #[schemars(schema_with = "optional_duration::schema")]
        recover_after: Option<SimDuration>,
    },
    /// A named instance reboots; a writer rebooted with `failover: true`
    /// hands over to a reader first.
    InstanceReboot {
        /// When the reboot is asked for.
        #[serde(deserialize_with = "at::read")]
        #[schemars(schema_with = "at::schema")]
        at: Spanned<SimDuration>,
        /// Which instance.
        #[schemars(with = "String")]
        instance: Spanned<String>,
        /// Fail over to a reader instead of waiting for the writer.
        #[serde(default)]
        failover: bool,
    },
    /// A blue/green deployment's switchover
    /// (`SwitchoverBlueGreenDeployment`): once the guardrails pass, writes
    /// stop and connections drop on both environments, the green writer
    /// catches up with blue's last write, then the green environment takes
    /// the cluster's endpoints (renamed through DNS) and takes writes; it
    /// is rolled back if that takes longer than `timeout`.
    BlueGreenSwitchover {
        /// When it is asked for.
        #[serde(deserialize_with = "at::read")]
        #[schemars(schema_with = "at::schema")]
        at: Spanned<SimDuration>,
        /// The switchover timeout (`SwitchoverTimeout`), 30 s to 1 h.
        #[serde(default = "d::switchover_timeout", deserialize_with = "period::read")]
        #[schemars(schema_with = "period::schema")]
        timeout: SimDuration,
    },
    /// A manual failover (`FailoverDBCluster`, the FIS action
    /// `aws:rds:failover-db-cluster`).
    Failover {
        /// When it is asked for.
        #[serde(deserialize_with = "at::read")]
        #[schemars(schema_with = "at::schema")]
        at: Spanned<SimDuration>,
        /// The reader to promote; absent: the control plane chooses.
        #[serde(default)]
        #[schemars(with = "Option<String>")]
        target: Option<Spanned<String>>,
    },
    /// A planned engine patch: every instance's engine is patched at once
    /// (\[UG\] Database engine updates for Amazon Aurora MySQL). Without
    /// `zero_downtime` every database process restarts and its connections
    /// reset; with it each instance first waits for a quiet point, holding
    /// new transactions on their connections, then restarts its engine
    /// under them, and falls back to a plain restart if no quiet point
    /// comes in time.
    EnginePatch {
        /// When the patch starts.
        #[serde(deserialize_with = "at::read")]
        #[schemars(schema_with = "at::schema")]
        at: Spanned<SimDuration>,
        /// Zero-downtime patching (ZDP): keep client connections open;
        /// `false` for a patch ZDP does not apply to (an operating-system
        /// patch, a major version upgrade).
        #[serde(default = "d::zero_downtime")]
        zero_downtime: bool,
    },
    /// A planned operating-system update of every instance, rolling as
    /// Aurora applies one (Aurora MySQL 2.11 release notes): every reader
    /// is updated first; once the first is back, a failover makes it the
    /// writer and the old writer is updated. A cluster without a reader
    /// updates its writer in place.
    OsUpdate {
        /// When the update starts.
        #[serde(deserialize_with = "at::read")]
        #[schemars(schema_with = "at::schema")]
        at: Spanned<SimDuration>,
    },
    /// A planned change of one instance's class (`ModifyDBInstance`). A
    /// new host of the class is created while the instance keeps serving
    /// (`control_plane.provision_time`); then its database stops, moves
    /// there with a cold cache and a new address, and starts: a writer in
    /// place, recovering while the control plane waits, as for a reboot.
    /// A reader changed with `promote: true` then becomes the writer by a
    /// requested failover, which is how a writer is scaled up with writes
    /// down only for a failover.
    ClassChange {
        /// When the change is asked for.
        #[serde(deserialize_with = "at::read")]
        #[schemars(schema_with = "at::schema")]
        at: Spanned<SimDuration>,
        /// Which instance.
        #[schemars(with = "String")]
        instance: Spanned<String>,
        /// Its new class, e.g. `db.r6g.4xlarge`.
        #[schemars(with = "String")]
        class: Spanned<String>,
        /// Once it serves on its new class, a reader becomes the writer by
        /// a requested failover.
        #[serde(default)]
        promote: bool,
    },
    /// A gray failure: a storage node's disk and links (`node`), or a DB
    /// instance's links (`instance`), become `factor` times slower. Exactly
    /// one of the two.
    SlowNode {
        /// When it slows down.
        #[serde(deserialize_with = "at::read")]
        #[schemars(schema_with = "at::schema")]
        at: Spanned<SimDuration>,
        /// Which node.
        #[serde(default)]
        #[schemars(with = "Option<String>")]
        node: Option<Spanned<String>>,
        /// Or which DB instance.
        #[serde(default)]
        #[schemars(with = "Option<String>")]
        instance: Option<Spanned<String>>,
        /// Slow-down factor, at least 1.
        #[serde(deserialize_with = "slowdown::read")]
        #[schemars(schema_with = "slowdown::schema")]
        factor: f64,
        /// How long; forever when absent.
        #[serde(default, deserialize_with = "optional_duration::read")]
        #[schemars(schema_with = "optional_duration::schema")]
        duration: Option<SimDuration>,
    },
    /// A gray failure: a fraction `rate` of the messages to and from one
    /// storage node (`node`), one AZ (`az`) or one DB instance (`instance`)
    /// is lost; of every message when none of them is named.
    PacketLoss {
        /// When loss starts.
        #[serde(deserialize_with = "at::read")]
        #[schemars(schema_with = "at::schema")]
        at: Spanned<SimDuration>,
        /// Only this node's messages.
        #[serde(default)]
        #[schemars(with = "Option<String>")]
        node: Option<Spanned<String>>,
        /// Only this AZ's messages.
        #[serde(default)]
        #[schemars(with = "Option<String>")]
        az: Option<Spanned<String>>,
        /// Only this DB instance's messages.
        #[serde(default)]
        #[schemars(with = "Option<String>")]
        instance: Option<Spanned<String>>,
        /// Probability that one message is lost, in [0, 1).
        #[serde(deserialize_with = "loss_rate::read")]
        #[schemars(schema_with = "loss_rate::schema")]
        rate: f64,
        /// How long; forever when absent.
        #[serde(default, deserialize_with = "optional_duration::read")]
        #[schemars(schema_with = "optional_duration::schema")]
        duration: Option<SimDuration>,
    },
    /// A whole region goes dark (a global database's): its AZs with every
    /// storage node, instance and client in them, and its storage's part
    /// in the replication.
    RegionOutage(RegionSpan),
    /// A region is cut off from every other region: every message
    /// between its AZs and theirs is dropped, replication to it (or, for
    /// the primary, from it) included; what was in flight is sent again
    /// once it heals.
    RegionPartition(RegionSpan),
    /// An unplanned global database failover (`FailoverGlobalCluster`
    /// with `AllowDataLoss`): the named secondary region becomes the
    /// primary at once with what its storage holds; what the primary
    /// acknowledged beyond that is lost (the RPO). One of its readers is
    /// promoted (a headless region first has a writer created), the global
    /// writer endpoint follows, and the old primary's instances are
    /// fenced: if its region returns, they come back read-only.
    GlobalFailover(PromotionSpec),
    /// A global database switchover (`SwitchoverGlobalCluster`, once
    /// "managed planned failover"): the primary stops taking writes, every
    /// secondary is synchronised, then the named region is promoted with
    /// nothing lost and the old primary becomes a secondary.
    GlobalSwitchover(PromotionSpec),
    /// A region's replication link carries `factor` times less
    /// (congestion, a degraded path): a secondary's link from the primary,
    /// or, for the primary, every link from it; a crossing takes as long
    /// as before.
    RegionSlowdown {
        /// When it slows down.
        #[serde(deserialize_with = "at::read")]
        #[schemars(schema_with = "at::schema")]
        at: Spanned<SimDuration>,
        /// Which region.
        #[schemars(with = "String")]
        region: Spanned<String>,
        /// Slow-down factor, at least 1.
        #[serde(deserialize_with = "slowdown::read")]
        #[schemars(schema_with = "slowdown::schema")]
        factor: f64,
        /// How long; forever when absent.
        #[serde(default, deserialize_with = "optional_duration::read")]
        #[schemars(schema_with = "optional_duration::schema")]
        duration: Option<SimDuration>,
    },
}

/// When a global database's promotion is asked for, and of which region.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PromotionSpec {
    /// When it is asked for.
    #[serde(deserialize_with = "at::read")]
    #[schemars(schema_with = "at::schema")]
    pub at: Spanned<SimDuration>,
    /// The secondary region to promote, as `global:` names it.
    #[schemars(with = "String")]
    pub region: Spanned<String>,
}

/// When a region fault starts, which region it strikes and for how long:
/// a `region_outage` or a `region_partition`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionSpan {
    /// When it starts.
    #[serde(deserialize_with = "at::read")]
    #[schemars(schema_with = "at::schema")]
    pub at: Spanned<SimDuration>,
    /// Which region, as `global:` names it.
    #[schemars(with = "String")]
    pub region: Spanned<String>,
    /// How long; forever when absent.
    #[serde(default, deserialize_with = "optional_duration::read")]
    #[schemars(schema_with = "optional_duration::schema")]
    pub duration: Option<SimDuration>,
}
