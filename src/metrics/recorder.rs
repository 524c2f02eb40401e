//! The recorder: counters, latency histograms, stall intervals and the
//! per-bin timeline, fed by the model as events happen.
//!
//! **Unavailability** is measured, not inferred from faults: a commit (or
//! read) that waits longer than the stall threshold marks the time between
//! its arrival plus the threshold and its completion as unavailable. The
//! union of those intervals is the unavailable time.

use std::fmt::Write as _;

use super::redundancy::Redundancy;
use super::replication::Replication;
use hdrhistogram::Histogram;

use crate::sim::{SimDuration, SimTime};
use crate::vocab::{ClientError, ERROR_KINDS};

/// One row of `timeline.csv`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TimelineRow {
    /// Start of the bin, seconds.
    pub t_s: f64,
    /// Commits acknowledged in the bin.
    pub commits: u64,
    /// Storage reads completed in the bin.
    pub reads: u64,
    /// Median commit latency of commits acknowledged in the bin, ms
    /// (`None`: no commit was acknowledged).
    pub commit_p50_ms: Option<f64>,
    /// 99th-percentile commit latency in the bin, ms.
    pub commit_p99_ms: Option<f64>,
    /// PGs with fewer live copies than a write quorum at the end of the
    /// bin: storage health, whoever can reach the copies.
    pub pgs_below_write_quorum: u32,
    /// PGs with fewer live copies than a read quorum at the end of the bin.
    pub pgs_below_read_quorum: u32,
    /// PGs of which the running writer reaches fewer live copies than a
    /// write quorum at the end of the bin (0 with no writer running): the
    /// writer's reach, which a partition cuts while storage is healthy.
    pub pgs_out_of_writer_reach: u32,
    /// Segments being re-created at the end of the bin.
    pub segments_repairing: u32,
    /// Commits offered but not yet acknowledged at the end of the bin.
    pub commits_waiting: u64,
    /// VDL at the end of the bin.
    pub vdl: u64,
    /// Largest lag of each instance in the bin, ms, in instance order
    /// (`None`: it received no stream as a reader).
    pub replica_lag_ms: Vec<Option<f64>>,
    /// Index of the open writer instance at the end of the bin, if any;
    /// the CSV names it.
    pub writer: Option<u8>,
    /// Client requests that failed in the bin.
    pub client_errors: u64,
    /// Client requests that failed in the bin, per client group, by kind
    /// in [`ClientError::ALL`] order.
    pub group_errors: Vec<[u32; ERROR_KINDS]>,
    /// Client requests that succeeded in the bin, per client group.
    pub group_ok: Vec<u32>,
    /// PGs at full copy count at the end of the bin.
    pub pgs_at_full_copies: u32,
    /// Busiest storage node's disk in the bin, fraction of its time.
    pub busiest_disk: f64,
    /// Busiest storage node's NIC (either direction) in the bin.
    pub busiest_nic: f64,
    /// Each instance's CPU utilisation in the bin, in instance order.
    pub cpu_util: Vec<f64>,
    /// Connections open to each instance at the end of the bin.
    pub connections: Vec<u32>,
    /// Connections each instance accepted in the bin.
    pub connects: Vec<u32>,
    /// Largest RPO lag of each secondary region in the bin, ms, in the
    /// order written (`None`: not sampled).
    pub region_rpo_lag_ms: Vec<Option<f64>>,
    /// Capacity of each Aurora Serverless v2 instance at the end of the
    /// bin, ACUs, in instance order (0 while paused).
    pub acu: Vec<f64>,
}

impl TimelineRow {
    /// The columns every timeline has, before one per instance.
    const FIXED_COLUMNS: &'static str = "t_s,commits_per_s,reads_per_s,commit_p50_ms,commit_p99_ms,pgs_below_write_quorum,pgs_below_read_quorum,pgs_out_of_writer_reach,segments_repairing,commits_waiting,vdl,replica_lag_max_ms,writer,client_errors,pgs_at_full_copies,busiest_disk_util,busiest_nic_util";

    /// The prefix of the per-instance lag columns: `replica_lag_ms.<name>`.
    pub const LAG_COLUMN: &'static str = "replica_lag_ms.";

    /// The prefix of the per-instance CPU columns: `cpu_util.<name>`.
    pub const CPU_COLUMN: &'static str = "cpu_util.";

    /// The prefix of the per-instance open-connection columns:
    /// `connections.<name>`.
    pub const CONNECTIONS_COLUMN: &'static str = "connections.";

    /// The prefix of the per-group success columns: `client_ok.<group>`.
    pub const GROUP_OK_COLUMN: &'static str = "client_ok.";

    /// The prefix of the per-group error columns:
    /// `client_errors.<group>.<kind>`, one per [`ClientError::ALL`] kind.
    pub const GROUP_ERRORS_COLUMN: &'static str = "client_errors.";

    /// The prefix of the per-region RPO-lag columns of a global database:
    /// `rpo_lag_ms.<region>`.
    pub const RPO_LAG_COLUMN: &'static str = "rpo_lag_ms.";

    /// The prefix of the per-instance capacity columns of Aurora
    /// Serverless v2 instances: `acu.<name>`.
    pub const ACU_COLUMN: &'static str = "acu.";

    /// The column naming the open writer: text, not a number.
    pub const WRITER_COLUMN: &'static str = "writer";

    /// The CSV header matching [`TimelineRow::csv`] for these instances,
    /// client groups, secondary regions and Aurora Serverless v2
    /// instances.
    pub fn csv_header<S: AsRef<str>>(
        instances: &[S],
        groups: &[S],
        regions: &[S],
        serverless: &[S],
    ) -> String {
        let mut h = String::from(Self::FIXED_COLUMNS);
        for prefix in [Self::LAG_COLUMN, Self::CPU_COLUMN, Self::CONNECTIONS_COLUMN] {
            for name in instances {
                h.push(',');
                h.push_str(prefix);
                h.push_str(name.as_ref());
            }
        }
        for group in groups {
            for kind in ClientError::ALL {
                h.push(',');
                h.push_str(Self::GROUP_ERRORS_COLUMN);
                h.push_str(group.as_ref());
                h.push('.');
                h.push_str(kind.name());
            }
        }
        for group in groups {
            h.push(',');
            h.push_str(Self::GROUP_OK_COLUMN);
            h.push_str(group.as_ref());
        }
        for region in regions {
            h.push(',');
            h.push_str(Self::RPO_LAG_COLUMN);
            h.push_str(region.as_ref());
        }
        for name in serverless {
            h.push(',');
            h.push_str(Self::ACU_COLUMN);
            h.push_str(name.as_ref());
        }
        h
    }

    /// Largest replica lag any reader saw in the bin, ms (0 with none).
    pub fn replica_lag_max_ms(&self) -> f64 {
        self.replica_lag_ms
            .iter()
            .flatten()
            .copied()
            .fold(0.0, f64::max)
    }

    /// The row as CSV, rates per second of a bin of width `bin`; the
    /// writer is named from `instances`.
    pub fn csv<S: AsRef<str>>(&self, bin: SimDuration, instances: &[S]) -> String {
        let per_s = 1.0 / bin.as_secs_f64();
        let mut line = format!(
            "{:.3},{:.1},{:.1},{},{},{},{},{},{},{},{},{:.3},{},{},{},{:.3},{:.3}",
            self.t_s,
            self.commits as f64 * per_s,
            self.reads as f64 * per_s,
            ms(self.commit_p50_ms),
            ms(self.commit_p99_ms),
            self.pgs_below_write_quorum,
            self.pgs_below_read_quorum,
            self.pgs_out_of_writer_reach,
            self.segments_repairing,
            self.commits_waiting,
            self.vdl,
            self.replica_lag_max_ms(),
            self.writer
                .and_then(|w| instances.get(w as usize))
                .map_or("", |w| w.as_ref()),
            self.client_errors,
            self.pgs_at_full_copies,
            self.busiest_disk,
            self.busiest_nic
        );
        for &lag in &self.replica_lag_ms {
            line.push(',');
            line.push_str(&ms(lag));
        }
        for &cpu in &self.cpu_util {
            let _ = write!(line, ",{cpu:.3}");
        }
        for &n in &self.connections {
            let _ = write!(line, ",{n}");
        }
        for errors in &self.group_errors {
            for n in errors {
                line.push(',');
                line.push_str(&n.to_string());
            }
        }
        for n in &self.group_ok {
            let _ = write!(line, ",{n}");
        }
        for &lag in &self.region_rpo_lag_ms {
            line.push(',');
            line.push_str(&ms(lag));
        }
        for &acu in &self.acu {
            let _ = write!(line, ",{acu:.1}");
        }
        line
    }
}

/// Everything measured during a run.
#[derive(Clone, Debug)]
pub struct Recorder {
    bin: SimDuration,
    threshold: SimDuration,
    /// Commit latency of every acknowledged commit, microseconds.
    pub commit_latency: Histogram<u64>,
    bin_latency: Histogram<u64>,
    /// Storage read latency, microseconds.
    pub read_latency: Histogram<u64>,
    /// Commits acknowledged.
    pub commits_acked: u64,
    /// Redo records the newest writer's VDL has passed, over every epoch.
    pub records_durable: u64,
    /// Background commits refused because no writer was open.
    pub commits_refused: u64,
    /// Commits a writer held when its process went away, never answered.
    pub commits_abandoned: u64,
    /// Client requests from the first attempt to success, microseconds.
    pub client_latency: Histogram<u64>,
    /// Read attempts retried on another segment.
    pub read_retries: u64,
    /// Readers restarted for lagging beyond the limit.
    pub lag_restarts: u32,
    /// Page uses a writer's buffer cache served.
    pub cache_hits: u64,
    /// Requests clients on the cluster endpoint sent, each a commit (a
    /// retry is another): the load they offered.
    pub write_requests: u64,
    /// Page uses it sent to storage (workload reads and pages commits
    /// needed).
    pub cache_misses: u64,
    /// Batches refused by storage for carrying an old epoch.
    pub stale_epoch_refusals: u64,
    /// Gaps filled by gossip.
    pub gossip_fills: u64,
    /// Records resent by the writer after a PG made no progress.
    pub records_resent: u64,
    /// Segments re-created and hydrated by repair.
    pub segments_repaired: u32,
    /// Segments being re-created now.
    pub segments_repairing: u32,
    /// Repair checks that found the PG below read quorum, and waited.
    pub repairs_waiting_for_quorum: u64,
    /// Membership changes rolled back: the old segment's node returned,
    /// or the new one's failed, before the copy was done.
    pub repairs_rolled_back: u32,
    /// Time each PG spent at each copy count.
    pub redundancy: Redundancy,
    /// PGs below write quorum now, and the peak.
    pub pgs_below_write: (u32, u32),
    /// PGs below read quorum now, and the peak.
    pub pgs_below_read: (u32, u32),
    /// PGs out of the running writer's write-quorum reach now, and the peak.
    pub pgs_out_of_writer_reach: (u32, u32),
    /// PGs that held VCL back while commits were stalled.
    pub vcl_blockers: std::collections::BTreeSet<u32>,
    /// Storage recoveries completed by a starting writer.
    pub recoveries: u32,
    /// Client errors by kind, in [`ClientError::ALL`] order.
    pub client_errors: [u64; ERROR_KINDS],
    /// Client errors per client group, by kind.
    pub group_errors: Vec<[u64; ERROR_KINDS]>,
    /// Connections each instance accepted over the run.
    pub connects: Vec<u64>,
    /// Driver failovers that ended connected to a writer.
    pub driver_failovers: u64,
    /// A global database's replication to its secondary regions.
    pub replication: Replication,
    write_stalls: Vec<(SimTime, SimTime)>,
    read_stalls: Vec<(SimTime, SimTime)>,
    rows: Vec<TimelineRow>,
    row: TimelineRow,
}

/// A CSV cell of milliseconds: empty when there is no value.
fn ms(v: Option<f64>) -> String {
    v.map_or(String::new(), |v| format!("{v:.3}"))
}

pub(super) fn histogram() -> Histogram<u64> {
    // 1 µs to 1 day at 3 significant digits.
    Histogram::new_with_bounds(1, 86_400_000_000, 3).expect("valid histogram bounds")
}

/// Rows the timeline of a run of `duration` holds: one per bin begun.
pub fn timeline_rows(duration: SimDuration, bin: SimDuration) -> u64 {
    duration.as_nanos() / bin.as_nanos().max(1) + 1
}

pub(super) fn micros(d: SimDuration) -> u64 {
    (d.as_nanos() / 1_000).clamp(1, 86_400_000_000)
}

impl Recorder {
    /// A recorder binning a run of `duration` by `bin` and counting waits
    /// beyond `threshold`, over `pgs` PGs of `copies` copies each and
    /// `groups` client groups. The timeline's rows are allocated at once:
    /// a vector grown by doubling would hold up to twice what it needs.
    pub fn new(
        bin: SimDuration,
        threshold: SimDuration,
        duration: SimDuration,
        pgs: usize,
        copies: u32,
        groups: usize,
        (instances, regions): (usize, (usize, Vec<usize>)),
    ) -> Self {
        let rows = timeline_rows(duration, bin);
        Recorder {
            redundancy: Redundancy::new(pgs, copies),
            repairs_rolled_back: 0,
            bin,
            threshold,
            commit_latency: histogram(),
            bin_latency: histogram(),
            read_latency: histogram(),
            commits_acked: 0,
            records_durable: 0,
            commits_refused: 0,
            commits_abandoned: 0,
            client_latency: histogram(),
            read_retries: 0,
            cache_hits: 0,
            write_requests: 0,
            lag_restarts: 0,
            cache_misses: 0,
            stale_epoch_refusals: 0,
            gossip_fills: 0,
            records_resent: 0,
            segments_repaired: 0,
            segments_repairing: 0,
            repairs_waiting_for_quorum: 0,
            pgs_below_write: (0, 0),
            pgs_below_read: (0, 0),
            pgs_out_of_writer_reach: (0, 0),
            vcl_blockers: Default::default(),
            recoveries: 0,
            client_errors: [0; ERROR_KINDS],
            group_errors: vec![[0; ERROR_KINDS]; groups],
            connects: vec![0; instances],
            driver_failovers: 0,
            replication: Replication::new(regions.0, regions.1),
            write_stalls: Vec::new(),
            read_stalls: Vec::new(),
            rows: Vec::with_capacity(rows as usize),
            row: TimelineRow {
                group_errors: vec![[0; ERROR_KINDS]; groups],
                group_ok: vec![0; groups],
                connects: vec![0; instances],
                ..TimelineRow::default()
            },
        }
    }

    /// Instance `inst` accepted a connection.
    pub fn connections_accepted(&mut self, inst: usize) {
        self.connects[inst] += 1;
        self.row.connects[inst] += 1;
    }

    /// Timeline bin width.
    pub fn bin(&self) -> SimDuration {
        self.bin
    }

    /// The stall threshold.
    pub fn threshold(&self) -> SimDuration {
        self.threshold
    }

    /// A commit that arrived at `arrived` was acknowledged `now`.
    #[inline]
    pub fn commit(&mut self, now: SimTime, arrived: SimTime) {
        let latency = now.since(arrived);
        let us = micros(latency);
        self.commit_latency.saturating_record(us);
        self.bin_latency.saturating_record(us);
        self.commits_acked += 1;
        self.row.commits += 1;
        if latency > self.threshold {
            push_stall(&mut self.write_stalls, arrived + self.threshold, now);
        }
    }

    /// A read that was issued at `issued` completed `now`.
    pub fn read(&mut self, now: SimTime, issued: SimTime) {
        let latency = now.since(issued);
        self.read_latency.saturating_record(micros(latency));
        self.row.reads += 1;
        if latency > self.threshold {
            push_stall(&mut self.read_stalls, issued + self.threshold, now);
        }
    }

    /// Background commits offered while no writer was open: the whole
    /// interval they arrived in was unavailable for writes.
    pub fn refused_writes(&mut self, now: SimTime, interval: SimDuration, commits: u64) {
        self.commits_refused += commits;
        push_stall(&mut self.write_stalls, now, now + interval);
    }

    /// A writer's process went away holding `commits` it never answered.
    pub fn abandoned(&mut self, commits: u64) {
        self.commits_abandoned += commits;
    }

    /// A request of a client of group `group` succeeded `latency` after
    /// its first attempt, retries and backoff included.
    pub fn client_request(&mut self, group: usize, latency: SimDuration) {
        self.client_latency.saturating_record(micros(latency));
        self.row.group_ok[group] += 1;
    }

    /// The latency clients saw, with each request still unanswered at the
    /// end counted at its wait so far: a hung request waited at least
    /// that long, and leaving it out would hide the worst of them.
    pub fn client_latency_at_end(
        &self,
        pending: impl IntoIterator<Item = SimDuration>,
    ) -> Histogram<u64> {
        let mut h = self.client_latency.clone();
        for wait in pending {
            h.saturating_record(micros(wait));
        }
        h
    }

    /// Background reads offered while no writer was open.
    pub fn refused_reads(&mut self, now: SimTime, interval: SimDuration) {
        push_stall(&mut self.read_stalls, now, now + interval);
    }

    /// A request of a client of group `group` failed.
    pub fn client_error(&mut self, group: usize, e: ClientError) {
        let i = ClientError::ALL
            .iter()
            .position(|&k| k == e)
            .expect("listed");
        self.client_errors[i] += 1;
        self.group_errors[group][i] += 1;
        self.row.client_errors += 1;
        self.row.group_errors[group][i] += 1;
    }

    /// Work still waiting when the run ends (or when the writer holding it
    /// goes away) counts as unavailable until then.
    pub fn unfinished(
        &mut self,
        end: SimTime,
        oldest_commit: Option<SimTime>,
        oldest_read: Option<SimTime>,
    ) {
        if let Some(t) = oldest_commit {
            if end.since(t) > self.threshold {
                push_stall(&mut self.write_stalls, t + self.threshold, end);
            }
        }
        if let Some(t) = oldest_read {
            if end.since(t) > self.threshold {
                push_stall(&mut self.read_stalls, t + self.threshold, end);
            }
        }
    }

    /// Sets the PGs currently below write and read quorum (live copies),
    /// and those out of the running writer's write-quorum reach.
    /// Sets the busiest node's disk and NIC use for the bin being closed.
    pub fn node_use(&mut self, disk: f64, nic: f64) {
        self.row.busiest_disk = disk;
        self.row.busiest_nic = nic;
    }

    /// Records how many PGs are below their write and read quorums and
    /// out of the writer's reach now, keeping each count's peak.
    pub fn quorum_health(&mut self, below_write: u32, below_read: u32, out_of_reach: u32) {
        let peak = |now: u32, (_, max): (u32, u32)| (now, max.max(now));
        self.pgs_below_write = peak(below_write, self.pgs_below_write);
        self.pgs_below_read = peak(below_read, self.pgs_below_read);
        self.pgs_out_of_writer_reach = peak(out_of_reach, self.pgs_out_of_writer_reach);
    }

    /// Closes the bin that started at `start`.
    pub fn close_bin(
        &mut self,
        start: SimTime,
        commits_waiting: u64,
        vdl: u64,
        replica_lag_us: &[u64],
        writer: Option<u8>,
        (cpu_util, connections, acu): (Vec<f64>, Vec<u32>, Vec<f64>),
    ) {
        let groups = self.group_errors.len();
        let mut row = std::mem::replace(
            &mut self.row,
            TimelineRow {
                group_errors: vec![[0; ERROR_KINDS]; groups],
                group_ok: vec![0; groups],
                connects: vec![0; self.connects.len()],
                ..TimelineRow::default()
            },
        );
        row.cpu_util = cpu_util;
        row.connections = connections;
        row.acu = acu;
        row.t_s = start.as_secs_f64();
        if !self.bin_latency.is_empty() {
            row.commit_p50_ms = Some(self.bin_latency.value_at_quantile(0.5) as f64 / 1e3);
            row.commit_p99_ms = Some(self.bin_latency.value_at_quantile(0.99) as f64 / 1e3);
        }
        self.bin_latency.reset();
        row.pgs_below_write_quorum = self.pgs_below_write.0;
        row.pgs_below_read_quorum = self.pgs_below_read.0;
        row.pgs_out_of_writer_reach = self.pgs_out_of_writer_reach.0;
        row.segments_repairing = self.segments_repairing;
        row.commits_waiting = commits_waiting;
        row.vdl = vdl;
        row.replica_lag_ms = replica_lag_us
            .iter()
            .map(|&us| (us > 0).then(|| us as f64 / 1e3))
            .collect();
        row.writer = writer;
        row.region_rpo_lag_ms = self.replication.close_bin();
        row.pgs_at_full_copies = self.redundancy.at_full();
        self.rows.push(row);
    }

    /// The timeline, taken out whole at the end of a run (a copy would
    /// hold it twice).
    pub fn rows(&self) -> &[TimelineRow] {
        &self.rows
    }

    /// The timeline, taken out of the recorder at the end of a run.
    pub fn take_rows(&mut self) -> Vec<TimelineRow> {
        std::mem::take(&mut self.rows)
    }

    /// Merged write-unavailable intervals.
    pub fn write_stalls(&self) -> Vec<(SimTime, SimTime)> {
        merge(&self.write_stalls, self.threshold)
    }

    /// Time writes were unavailable, seconds: the union of the waits
    /// beyond the threshold. Merging outages closer than the threshold
    /// tells how many there were; it does not make the blips between
    /// them unavailable.
    pub fn write_unavailable_s(&self) -> f64 {
        total_s(&merge(&self.write_stalls, SimDuration::ZERO))
    }

    /// Time reads were unavailable, seconds, the same way.
    pub fn read_unavailable_s(&self) -> f64 {
        total_s(&merge(&self.read_stalls, SimDuration::ZERO))
    }
}

fn total_s(intervals: &[(SimTime, SimTime)]) -> f64 {
    intervals
        .iter()
        .map(|&(s, e)| e.since(s).as_secs_f64())
        .sum()
}

fn push_stall(stalls: &mut Vec<(SimTime, SimTime)>, start: SimTime, end: SimTime) {
    if let Some(last) = stalls.last_mut() {
        if start <= last.1 && start >= last.0 {
            last.1 = last.1.max(end);
            return;
        }
    }
    stalls.push((start, end));
}

/// Sorts and merges intervals that overlap or lie closer than `gap`: a
/// blip shorter than the stall threshold between two stalls is one outage.
fn merge(intervals: &[(SimTime, SimTime)], gap: SimDuration) -> Vec<(SimTime, SimTime)> {
    let mut v = intervals.to_vec();
    v.sort();
    let mut out: Vec<(SimTime, SimTime)> = Vec::with_capacity(v.len());
    for (s, e) in v {
        match out.last_mut() {
            Some(last) if s < last.1 + gap => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: u64) -> SimTime {
        SimTime::ZERO + SimDuration::from_secs(s)
    }

    #[test]
    fn slow_commits_become_merged_stall_intervals() {
        let second = SimDuration::from_secs(1);
        let mut r = Recorder::new(
            second,
            second,
            SimDuration::from_secs(10),
            1,
            6,
            0,
            (0, (0, Vec::new())),
        );
        r.commit(t(2), t(1)); // exactly the threshold: no stall
        r.commit(t(10), t(2)); // unavailable 3..10
        r.commit(t(11), t(4)); // 5..11 overlaps
        r.commit(t(20), t(15)); // 16..20
        assert_eq!(r.write_stalls(), vec![(t(3), t(11)), (t(16), t(20))]);
        assert_eq!(r.commits_acked, 4);
    }
}
