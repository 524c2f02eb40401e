//! What a run will hold in memory, estimated from its configuration before
//! it starts, so that a scenario too big for the machine is refused with
//! the setting to change instead of dying of a failed allocation an hour in.
//!
//! Only what grows with a setting is counted; the rest of a run (the event
//! queue, histograms, the instances) stays within a few tens of MiB for
//! every accepted scenario. Each term is an upper bound of its structure:
//! page maps are dense vectors that grow to the highest page written, and
//! a long enough run writes every page of its working set; the redo not
//! yet durable is what a write stall lets pile up, up to the LSN
//! allocation limit. A healthy run needs less: the estimate says what a
//! run may come to hold, so that one that would not fit is refused.

use std::mem::size_of;

use crate::metrics::{timeline_rows, TimelineRow};

use super::client::{Client, Gap, GAP_MIN};
use super::compute::cache::BufferCache;
use super::compute::writer::{Commit, Origin};
use super::config::{Config, FaultKind};
use super::storage::lsn::{Lsn, Record};
use super::storage::segment::Segment;
use crate::vocab::ERROR_KINDS;

/// The setting a term grows with, named as the scenario file writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Knob {
    /// `workload.working_set_gib`.
    WorkingSet,
    /// `metrics.bin` (over `duration`).
    TimelineBin,
    /// `storage.volume_gib`.
    Volume,
    /// `clients`.
    Clients,
    /// `workload.group_commit_interval` (with `commits_per_s`).
    GroupCommit,
    /// `storage.lsn_allocation_limit` (with the offered rates).
    LsnAllocationLimit,
    /// `instances` (their classes' buffer caches).
    Instances,
    /// `workload.open_loop.commits_per_s` (beyond what the smallest class carries).
    CommitRate,
    /// `global.ship_interval` (over `duration`).
    ShipInterval,
    /// How long a region fault holds a secondary region back, in a
    /// scenario that promotes a region.
    RegionFaults,
}

impl Knob {
    /// The dotted path of the setting.
    pub fn path(self) -> &'static str {
        match self {
            Knob::WorkingSet => "workload.working_set_gib",
            Knob::TimelineBin => "metrics.bin",
            Knob::Volume => "storage.volume_gib",
            Knob::Clients => "clients",
            Knob::GroupCommit => "workload.group_commit_interval",
            Knob::LsnAllocationLimit => "storage.lsn_allocation_limit",
            Knob::Instances => "instances",
            Knob::CommitRate => "workload.open_loop.commits_per_s",
            Knob::ShipInterval => "global.ship_interval",
            Knob::RegionFaults => "faults (a secondary region's outage, partition or slowdown)",
        }
    }
}

/// One structure that grows with a setting.
#[derive(Clone, Debug, PartialEq)]
pub struct Need {
    /// What it holds and why it is that big.
    pub what: String,
    /// The setting to lower.
    pub knob: Knob,
    /// Its size at most, in bytes.
    pub bytes: u64,
}

/// What the replication server keeps per send a region lacks: the point
/// (an LSN, two instants, two counts) and the acknowledgements seen.
const SEND_BYTES: u64 = 64;

/// The terms of a run's memory, largest first.
pub fn footprint(c: &Config) -> Vec<Need> {
    let wl = &c.workload;
    let copies = u64::from(c.storage.quorum.copies());
    let segments = u64::from(c.storage.pgs) * copies;
    let rows = timeline_rows(c.duration, c.metrics.bin);
    let row = size_of::<TimelineRow>()
        + c.instances.len() * size_of::<Option<f64>>()
        + c.clients.len() * (size_of::<[u32; ERROR_KINDS]>() + size_of::<u32>());
    let clients: u64 = c.clients.iter().map(|g| u64::from(g.count)).sum();
    // A gap is at least GAP_MIN long, so a client keeps at most one per
    // GAP_MIN of the run.
    let gaps = c.duration.as_nanos() / GAP_MIN.as_nanos();
    let backlog = (wl.commits_per_s * wl.group_commit_interval.as_secs_f64()).ceil() as u64;
    // Records not yet durable and applied everywhere stay in the copies'
    // logs; the writer allocates at most the LAL of them beyond VDL, and
    // never more than the run offers. A healthy run holds a few
    // milliseconds' worth; a write stall fills the LAL. Batches are shared
    // (the copies' logs, resends and gossip answers hold slices of one
    // batch), so a record's bytes once per copy bound the record and every
    // handle to it: each copy has one gossip pull out, answered with its
    // gaps only.
    let in_flight = c.most_in_flight();
    // Every instance's buffer cache, at the largest of its classes (its
    // own and any a class change gives it).
    let page_bytes = u64::from(wl.page_kib) << 10;
    let caches: u64 = (0..c.instances.len())
        .map(|i| {
            c.classes_of(i)
                .map(|spec| {
                    BufferCache::footprint(spec.cache_pages(page_bytes), wl.working_set_pages)
                })
                .fold(0, u64::max)
        })
        .sum();
    // Commits offered beyond what the smallest class (any instance may
    // become the writer) executes queue for its CPU for the rest of the
    // run; the queue is a vector grown by doubling.
    let cost = c.engine.cpu_per_record.as_secs_f64() * f64::from(wl.records_per_commit);
    let carried = (0..c.instances.len())
        .flat_map(|i| c.classes_of(i))
        .map(|spec| f64::from(spec.vcpus) / cost.max(1e-12))
        .fold(f64::INFINITY, f64::min);
    let excess = ((wl.commits_per_s - carried).max(0.0) * c.duration.as_secs_f64()).ceil() as u64;
    let queued = 2 * excess * size_of::<(crate::sim::SimTime, Origin)>() as u64;
    let mut needs = vec![
        Need {
            what: format!(
                "the buffer caches of {} instances over {} working-set pages",
                c.instances.len(),
                wl.working_set_pages
            ),
            knob: Knob::Instances,
            bytes: caches,
        },
        Need {
            what: format!(
                "{excess} commits queued for a writer's CPU (offered beyond the {carried:.0} commits/s the smallest class carries)"
            ),
            knob: Knob::CommitRate,
            bytes: queued,
        },
        Need {
            what: format!(
                "page contents: {} working-set pages in each of {copies} copies and in the durability checker's record",
                wl.working_set_pages
            ),
            knob: Knob::WorkingSet,
            bytes: wl.working_set_pages * (copies + 1) * size_of::<u32>() as u64,
        },
        Need {
            what: format!("the timeline: {rows} rows of {row} bytes"),
            knob: Knob::TimelineBin,
            bytes: rows * row as u64,
        },

        Need {
            what: format!("{segments} segments ({} PGs × {copies} copies)", c.storage.pgs),
            knob: Knob::Volume,
            bytes: segments * size_of::<Segment>() as u64,
        },
        Need {
            what: format!(
                "{clients} clients, each keeping its gaps between successes (one per {} ms of the run at most)",
                GAP_MIN.as_millis_f64()
            ),
            knob: Knob::Clients,
            bytes: clients * (size_of::<Client>() as u64 + gaps * size_of::<Gap>() as u64),
        },
        Need {
            what: format!(
                "{in_flight} records waiting for durability in each of {copies} copies' logs, resends and gossip answers (a write stall fills the LSN allocation limit)"
            ),
            knob: Knob::LsnAllocationLimit,
            bytes: in_flight * copies * size_of::<Record>() as u64,
        },
        Need {
            what: format!("{backlog} commits waiting for one group commit"),
            knob: Knob::GroupCommit,
            bytes: backlog * size_of::<Commit>() as u64,
        },
    ];
    if let Some(g) = &c.global {
        // The replication server keeps each send's point, and the
        // acknowledgements seen at it, until every region holds it: a
        // region cut off for the whole run keeps one per send.
        let sends = c.duration.as_nanos() / g.ship_interval.as_nanos().max(1) + 1;
        needs.push(Need {
            what: format!(
                "{sends} replication sends a secondary region cut off all run would lack"
            ),
            knob: Knob::ShipInterval,
            bytes: sends * SEND_BYTES,
        });
    }
    if c.global.is_some() && c.promotes_regions() {
        // A scenario that promotes keeps the primary's log until every
        // reachable secondary stores it (`model::global`): a region cut
        // off, narrowed or dark for a while holds back that long of the
        // log in every copy, in the promoted region's copies of it, and
        // in the durability checker's tail. The load is bounded by what
        // is offered: open-loop commits, and each client's one commit per
        // think time at most.
        let per_s = wl.commits_per_s
            + c.clients
                .iter()
                .filter(|g| !g.reader)
                .map(|g| f64::from(g.count) / g.think_time.as_secs_f64().max(1e-3))
                .sum::<f64>();
        let end = crate::sim::SimTime::ZERO + c.duration;
        let behind = c
            .faults
            .iter()
            .filter(|f| match f.kind {
                FaultKind::RegionOutage(r) | FaultKind::RegionPartition(r) => {
                    r.secondary().is_some()
                }
                FaultKind::RegionSlowdown(..) => true,
                _ => false,
            })
            .map(|f| f.over().unwrap_or(end).min(end).since(f.at))
            .max()
            .unwrap_or_default()
            + crate::sim::SimDuration::from_secs(1);
        let records =
            (per_s * f64::from(wl.records_per_commit) * behind.as_secs_f64()).ceil() as u64;
        needs.push(Need {
            what: format!(
                "the primary's log kept for a secondary region {:.0} s behind: {records} records in each of {} copies and the durability checker's tail",
                behind.as_secs_f64(),
                2 * copies
            ),
            knob: Knob::RegionFaults,
            bytes: records
                * (2 * copies * size_of::<Record>() as u64 + size_of::<(Lsn, u64)>() as u64),
        });
    }
    needs.sort_by_key(|n| std::cmp::Reverse(n.bytes));
    needs
}
