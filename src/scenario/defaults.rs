//! Every default of the scenario format, each with its source.
//!
//! `[P17]`: Verbitski et al., SIGMOD 2017. `[UG]`: the Amazon Aurora User
//! Guide. Both are summarised, with section numbers, in the project's
//! reference notes (`aurora-facts.md`). Where no published figure exists the
//! comment says "modelling choice" and why the value is reasonable; those are
//! the knobs a design review should vary.

use crate::sim::SimDuration;

/// The seed used when a scenario names none, so that every run is
/// reproducible without asking.
pub fn seed() -> u64 {
    1
}

/// Three Availability Zones: [P17] §2.1 (two copies in each of three AZs).
pub fn azs() -> Vec<String> {
    vec!["a".into(), "b".into(), "c".into()]
}

/// Storage nodes per AZ. Modelling choice: the fleet size is not published;
/// 16 nodes per AZ makes one node hold segments of several PGs of a 100 GiB
/// volume, so a node crash touches several PGs as [P17] §2.1 describes.
pub fn storage_nodes_per_az() -> u32 {
    16
}

/// Volume size. Modelling choice: 100 GiB, ten protection groups.
pub fn volume_gib() -> u64 {
    100
}

/// Protection-group (segment) size: 10 GB, [P17] §2.2.
pub fn segment_gib() -> u64 {
    10
}

/// Copies of each PG: six, two per AZ, [P17] §2.1.
pub fn copies() -> u32 {
    6
}

/// Write quorum: 4 of 6, [P17] §2.1.
pub fn write_quorum() -> u32 {
    4
}

/// Read quorum: 3 of 6, [P17] §2.1.
pub fn read_quorum() -> u32 {
    3
}

/// Median time for a storage node to persist a batch. Modelling choice: a
/// local NVMe write is a few hundred microseconds; [P17] §3.3 puts only
/// receive and persist on the foreground path.
pub fn disk_latency() -> SimDuration {
    SimDuration::from_micros(400)
}

/// Lognormal sigma of disk latency. Modelling choice (mild tail).
pub fn disk_jitter() -> f64 {
    0.3
}

/// LSN allocation limit: 10 million, [P17] §4.2.1.
pub fn lsn_allocation_limit() -> u64 {
    10_000_000
}

/// How long a segment waits after seeing a gap before it asks a peer by
/// gossip. Modelling choice: gossip is background work, [P17] §3.3; 100 ms
/// is long enough for reordered batches to arrive on their own.
pub fn gossip_interval() -> SimDuration {
    SimDuration::from_millis(100)
}

/// How often a segment coalesces its log into pages. Modelling choice:
/// background work, [P17] §3.3.
pub fn materialize_interval() -> SimDuration {
    SimDuration::from_millis(100)
}

/// How long a storage node may be unreachable before its segments are
/// re-created elsewhere. Modelling choice: [P17] §2.2 gives the repair time,
/// not the detection time; a minute avoids repairing through a reboot.
pub fn repair_after() -> SimDuration {
    SimDuration::from_secs(60)
}

/// Segment repair bandwidth: 10 Gbps, [P17] §2.2 ("a 10GB segment can be
/// repaired in 10 seconds on a 10Gbps network link").
pub fn repair_gbps() -> f64 {
    10.0
}

/// Median one-way latency inside an AZ. Modelling choice: no figure in the
/// references; a quarter of a millisecond is typical inside one data centre.
pub fn same_az_latency() -> SimDuration {
    SimDuration::from_micros(250)
}

/// Median one-way latency between AZs. Modelling choice: AWS describes
/// inter-AZ latency as low single-digit milliseconds; 0.75 ms one way.
pub fn cross_az_latency() -> SimDuration {
    SimDuration::from_micros(750)
}

/// Lognormal sigma of network latency. Modelling choice (mild tail).
pub fn network_jitter() -> f64 {
    0.2
}

/// Commit rate. Modelling choice: a busy OLTP writer.
pub fn commits_per_s() -> f64 {
    5_000.0
}

/// Redo records per commit: a small transaction (two row changes and the
/// commit record). Modelling choice.
pub fn records_per_commit() -> u32 {
    3
}

/// Pages the workload touches, spread over the whole volume. Modelling
/// choice.
pub fn working_set_gib() -> f64 {
    1.0
}

/// Page size: 16 KiB, InnoDB's default page size (MySQL reference manual,
/// `innodb_page_size`); the reference notes give no Aurora figure.
pub fn page_kib() -> u32 {
    16
}

/// Page reads that miss the writer's buffer cache and go to storage.
/// Modelling choice.
pub fn reads_per_s() -> f64 {
    1_000.0
}

/// Group-commit interval: how often the writer admits the commits that
/// arrived meanwhile and ships the records of every PG that has no batch in
/// flight ([P17] §4.2.2, asynchronous group commit; PGs with a batch in
/// flight ship when it becomes durable). Modelling choice: 1 ms.
pub fn group_commit_interval() -> SimDuration {
    SimDuration::from_millis(1)
}

/// How long the writer waits for a storage read before trying another
/// segment. Modelling choice.
pub fn storage_read_timeout() -> SimDuration {
    SimDuration::from_millis(100)
}

/// How long a PG may make no write progress before the writer resends its
/// unacknowledged records. Modelling choice.
pub fn write_retry_interval() -> SimDuration {
    SimDuration::from_millis(100)
}

/// Width of one row of `timeline.csv`. Modelling choice: one row per
/// simulated second resolves a failover's phases without bloating the file.
pub fn bin() -> SimDuration {
    SimDuration::from_secs(1)
}

/// A commit or read that waits longer than this counts the excess as
/// unavailability. Modelling choice: one second is far beyond normal
/// latency and well inside any application timeout.
pub fn stall_threshold() -> SimDuration {
    SimDuration::from_secs(1)
}

/// Instance class of an instance that names none. Modelling choice: the
/// smallest memory-optimised class; only the relative size matters, for
/// failover's preference of the largest reader ([UG] Fault tolerance).
pub fn instance_class() -> String {
    "db.r6g.large".into()
}

/// Promotion tier: 1, the API default ([UG] ModifyDBInstance).
pub fn promotion_tier() -> u8 {
    1
}

/// Period of the writer's health check. Modelling choice: with
/// [`failure_threshold`] it detects a failure in 3–4 s, inside seeds/004's
/// "detection under 10 s".
pub fn health_check_interval() -> SimDuration {
    SimDuration::from_secs(1)
}

/// Missed health checks before the writer is declared failed. Modelling
/// choice (see [`health_check_interval`]).
pub fn failure_threshold() -> u32 {
    3
}

/// Time for a reader to restart as the writer. Modelling choice: with the
/// default detection, recovery and DNS delay a failover completes in about
/// 15–20 s, inside [UG]'s "typically under 60 s, often under 30 s".
pub fn promotion_time() -> SimDuration {
    SimDuration::from_secs(8)
}

/// Time for an instance to restart in place. Modelling choice: shorter
/// than a failover, as [UG] (High availability) says a restart is.
pub fn restart_time() -> SimDuration {
    SimDuration::from_secs(6)
}

/// Time to create a replacement instance when no reader can be promoted:
/// [UG] Fault tolerance, "typically completes in under 10 minutes".
pub fn provision_time() -> SimDuration {
    SimDuration::from_secs(8 * 60)
}

/// TTL of the endpoints' DNS answers: 5 s, [KC].
pub fn dns_ttl() -> SimDuration {
    SimDuration::from_secs(5)
}

/// Time for an endpoint change to reach the authoritative DNS servers.
/// Modelling choice: no published figure; a couple of seconds.
pub fn dns_update_delay() -> SimDuration {
    SimDuration::from_secs(2)
}

/// Window of empty answers while a record switches. Modelling choice:
/// none by default; seeds/001 observed "a few seconds" of empty lookups for
/// Aurora MySQL, which `fis-failover` sets to 3 s.
pub fn dns_empty_answers() -> SimDuration {
    SimDuration::ZERO
}

/// Clients in a group that names no count: one request loop, the smallest
/// group.
pub fn client_count() -> u32 {
    1
}

/// Connect timeout: 10 s, the `connect_timeout` of the client
/// configuration in seeds/000.
pub fn connect_timeout() -> SimDuration {
    SimDuration::from_secs(10)
}

/// Pause between an answer and the next request. Modelling choice: an
/// interactive application, ten requests a second per client.
pub fn think_time() -> SimDuration {
    SimDuration::from_millis(100)
}

/// First retry delay. Modelling choice: 100 ms, doubling per error.
pub fn backoff_base() -> SimDuration {
    SimDuration::from_millis(100)
}

/// Longest retry delay. Modelling choice: 5 s, so a client retries at
/// least once per DNS TTL.
pub fn backoff_max() -> SimDuration {
    SimDuration::from_secs(5)
}
