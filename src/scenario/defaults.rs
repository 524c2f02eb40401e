//! Every default of the scenario format, each with its source, and every
//! numeric setting's range, each with its reason.
//!
//! `\[P17\]`: Verbitski et al., SIGMOD 2017. `\[UG\]`: the Amazon Aurora User
//! Guide. Both are summarised, with section numbers, in the project's
//! reference notes (`aurora-facts.md`). Where no published figure exists the
//! comment says "modelling choice" and why the value is reasonable; those are
//! the knobs a design review should vary.
//!
//! The ranges (see [`Limit`]) are what the model can honour: each keeps the
//! arithmetic it feeds (LSNs, `u64` nanoseconds, page numbers, ids) far from
//! overflow over the longest run, and refuses values that model nothing.
//! Settings without a limit here accept every value of their type: the seed
//! (any seed is a seed) and the counts of expectations (compared, never
//! computed with).

use crate::sim::SimDuration;

/// Defines each default as a function serde calls, and keeps its
/// documentation, which names its source, in [`SOURCES`] for the format's
/// reference (`aurora-sim explain`, `docs/scenario.md`).
macro_rules! defaults {
    ($($(#[doc = $doc:literal])* pub fn $name:ident() -> $ty:ty $body:block)*) => {
        $($(#[doc = $doc])* pub fn $name() -> $ty $body)*

        /// Each default function's name and its documentation: what the
        /// value is and where it comes from.
        pub const SOURCES: &[(&str, &str)] = &[$((stringify!($name), concat!($($doc, "\n"),*))),*];
    };
}

defaults! {
    /// The seed used when a scenario names none. Modelling choice: any
    /// fixed seed keeps every run reproducible without asking.
    pub fn seed() -> u64 {
        1
    }

    /// Three Availability Zones: \[P17\] §2.1 (two copies in each of three AZs).
    pub fn azs() -> Vec<String> {
        vec!["a".into(), "b".into(), "c".into()]
    }

    /// Storage nodes per AZ. Modelling choice: the fleet size is not published;
    /// with 16 nodes per AZ the 20 segments a 100 GiB volume places in each AZ
    /// put two PGs on some nodes, so a node crash touches one or two PGs.
    pub fn storage_nodes_per_az() -> u32 {
        16
    }

    /// Volume size. Modelling choice: 100 GiB, ten protection groups.
    pub fn volume_gib() -> u64 {
        100
    }

    /// Protection-group (segment) size: 10 GB, \[P17\] §2.2.
    pub fn segment_gib() -> u64 {
        10
    }

    /// Copies of each PG: six, two per AZ, \[P17\] §2.1.
    pub fn copies() -> u32 {
        6
    }

    /// Write quorum: 4 of 6, \[P17\] §2.1.
    pub fn write_quorum() -> u32 {
        4
    }

    /// Read quorum: 3 of 6, \[P17\] §2.1.
    pub fn read_quorum() -> u32 {
        3
    }

    /// Median time for a storage node to persist a batch. Modelling choice: a
    /// local NVMe write is a few hundred microseconds; \[P17\] §3.3 puts only
    /// receive and persist on the foreground path.
    pub fn disk_latency() -> SimDuration {
        SimDuration::from_micros(400)
    }

    /// Lognormal sigma of disk latency. Modelling choice (mild tail).
    pub fn disk_jitter() -> f64 {
        0.3
    }

    /// LSN allocation limit: 10 million, \[P17\] §4.2.1.
    pub fn lsn_allocation_limit() -> u64 {
        10_000_000
    }

    /// How long a segment waits after seeing a gap before it asks a peer by
    /// gossip. Modelling choice: gossip is background work, \[P17\] §3.3; 100 ms
    /// is long enough for reordered batches to arrive on their own.
    pub fn gossip_interval() -> SimDuration {
        SimDuration::from_millis(100)
    }

    /// How often a segment coalesces its log into pages. Modelling choice:
    /// background work, \[P17\] §3.3.
    pub fn materialize_interval() -> SimDuration {
        SimDuration::from_millis(100)
    }

    /// How long a storage node may be unreachable before its segments are
    /// re-created elsewhere. Modelling choice: \[P17\] §2.2 gives the repair time,
    /// not the detection time; a minute avoids repairing through a reboot.
    pub fn repair_after() -> SimDuration {
        SimDuration::from_secs(60)
    }

    /// A storage node's NIC: 10 Gb/s each way, \[P17\] §2.2 ("a 10GB segment
    /// can be repaired in 10 seconds on a 10Gbps network link").
    pub fn node_gbps() -> f64 {
        10.0
    }

    /// A storage node's disk bandwidth: 8 Gb/s (1 GB/s). Modelling choice:
    /// the references give no figure for storage nodes' disks; this is one
    /// local NVMe SSD's sequential write rate, a little under the NIC so that
    /// a repair is bounded by the disks it reads and writes.
    pub fn disk_gbps() -> f64 {
        8.0
    }

    /// A storage node's disk operations per second: 100,000. Modelling choice,
    /// as [`disk_gbps`]: a local NVMe SSD's small-write rate.
    pub fn disk_iops() -> f64 {
        100_000.0
    }

    /// Batches one PG may have in flight to its segments: 8. Modelling choice:
    /// \[P17\] §4.2.2 has the writer stream records asynchronously and segments
    /// order them by back-link, with no window given; 8 covers a cross-AZ
    /// round trip at a 1 ms group commit several times over, so the window
    /// binds only when storage falls behind.
    pub fn batches_in_flight() -> u32 {
        8
    }

    /// Bytes of one redo record: 200. Modelling choice: a row change's redo
    /// (page id, offset, the changed bytes and a header) is tens to a few
    /// hundred bytes; the references give no figure.
    pub fn record_bytes() -> u32 {
        200
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

    /// Page reads a transaction makes at the writer before its changes.
    /// Modelling choice: none, a transaction of writes alone like the
    /// SysBench write-only load of \[P17\] §6; set it to model reads
    /// inside transactions (SysBench's `oltp_read_write` makes 14 reads
    /// to 4 writes).
    pub fn reads_per_transaction() -> u32 {
        0
    }

    /// Group-commit interval: how often the writer admits the commits that
    /// arrived meanwhile and ships the records of every PG that has no batch in
    /// flight (\[P17\] §4.2.2, asynchronous group commit; PGs with a batch in
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

    /// Instance class of an instance that names none: db.r6g.2xlarge (8
    /// vCPUs, 64 GiB, \[UG\] Hardware specifications). Modelling choice: a
    /// mid-size memory-optimised class, the one most shipped scenarios use;
    /// it carries the default 5,000 commits/s at about half its CPU.
    pub fn instance_class() -> String {
        "db.r6g.2xlarge".into()
    }

    /// Promotion tier: 1, the API default (\[UG\] ModifyDBInstance).
    pub fn promotion_tier() -> u8 {
        1
    }

    /// Period of the writer's health check: 1 s. Modelling choice: AWS
    /// publishes neither the control plane's interval nor its threshold; a
    /// probe a second is the usual shape of a fast health check. With
    /// [`failure_threshold`] it detects a failure in 3–4 s (the first check
    /// falls at a drawn point of the first period, so a fault lands
    /// anywhere in the schedule). seeds/004's "detection under 10 s" is
    /// checked against (validation/detection-under-10s.yaml), not fitted.
    pub fn health_check_interval() -> SimDuration {
        SimDuration::from_secs(1)
    }

    /// Missed health checks before the writer is declared failed. Modelling
    /// choice (see [`health_check_interval`]).
    pub fn failure_threshold() -> u32 {
        3
    }

    /// A database process stopping: median 1 s, sigma 0.5. Modelling
    /// choice: no published figure. Aurora writes no pages back on the way
    /// down (only redo crosses the network, \[P17\] §3), so a stop is closing
    /// connections and exiting, a matter of a second or two.
    pub fn process_stop() -> (SimDuration, f64) {
        (SimDuration::from_secs(1), 0.5)
    }

    /// The engine starting, before its buffer pool: median 2.4 s, sigma
    /// 0.5. Fit to \[P17\] §4.3, crash recovery "generally under 10 seconds",
    /// read as nine restarts in ten: a crashed instance restarting in place
    /// runs this step, its buffer pool (the default class's 48 GiB, 1.9 s at
    /// [`buffer_pool_gib_per_s`]), storage recovery (milliseconds),
    /// [`rebuild`] and [`open`], and with those a median of 2.4 s puts the
    /// 90th percentile of the whole at 10 s. The sigma is a modelling choice:
    /// the paper gives no spread.
    pub fn engine_start() -> (SimDuration, f64) {
        (SimDuration::from_millis(2_400), 0.5)
    }

    /// Buffer pool set up per second: 25 GiB/s. Fit to MySQL bug #100383
    /// ("Improve InnoDB buffer pool initialization", 2020): with MySQL
    /// 8.0's parallel initialization, a buffer pool over 500 GB (466 GiB)
    /// with 8 instances takes over 20 s to set up, most of it creating
    /// each block's mutex and lock: about 23 GiB/s, which "over" makes an
    /// upper bound, rounded here to 25 (0.2 s less for the default class's
    /// 48 GiB). At 25 GiB/s a db.r6g.large's 12 GiB pool takes 0.5 s and a
    /// db.r6g.16xlarge's 384 GiB 15 s, which is why larger classes start
    /// slower. Aurora's engine may differ; no Aurora figure is published.
    pub fn buffer_pool_gib_per_s() -> f64 {
        25.0
    }

    /// A new writer rebuilding its in-memory state once storage is recovered
    /// (the transaction system, open transactions to undo, the data
    /// dictionary): median 2 s, sigma 0.5. Modelling choice: \[P17\] §4.3 has
    /// undo run in the background after the database opens, so this is
    /// seconds, not a replay.
    pub fn rebuild() -> (SimDuration, f64) {
        (SimDuration::from_secs(2), 0.5)
    }

    /// A started process opening for connections (listeners up, endpoint
    /// health reported): median 0.5 s, sigma 0.5. Modelling choice.
    pub fn open() -> (SimDuration, f64) {
        (SimDuration::from_millis(500), 0.5)
    }

    /// How long a PG may hold pending records without write progress before
    /// the writer's I/O watchdog counts it unhealthy: 10 s. Modelling choice:
    /// no published figure; it must outlast the write-retry resends of a slow
    /// or briefly partitioned PG (100 ms each) and a storage node's reboot,
    /// and stay well under the minute after which repair starts.
    pub fn io_watchdog() -> SimDuration {
        SimDuration::from_secs(10)
    }

    /// CPU time per redo-producing row change: 264 us. Fit to \[P17\]
    /// §6.1.1 (SysBench write-only on an r3.8xlarge, 32 vCPUs, about 121,000
    /// writes/s: 32 / 121,000 s per write); this figure is from the paper and
    /// not in the project's reference notes. A three-record commit costs
    /// 0.79 ms, so a 2-vCPU class carries about 2,500 commits/s and a 64-vCPU
    /// one about 80,000.
    pub fn cpu_per_record() -> SimDuration {
        SimDuration::from_micros(264)
    }

    /// CPU time per page read: 53 us. Fit to \[P17\] §6.1.1 in the same way
    /// (SysBench read-only, about 600,000 reads/s on 32 vCPUs).
    pub fn cpu_per_read() -> SimDuration {
        SimDuration::from_micros(53)
    }

    /// CPU time for a reader to apply one redo record to a cached page:
    /// 26 us, a tenth of executing the change. Modelling choice: applying a
    /// record skips parsing, planning, locking and undo, which make up most of
    /// a write's cost; readers apply only to cached pages (\[P17\] §4.2.4).
    pub fn apply_per_record() -> SimDuration {
        SimDuration::from_micros(26)
    }

    /// A reader whose lag exceeds this restarts: 60 s. Modelling choice:
    /// Aurora MySQL restarts a reader that falls too far behind the writer;
    /// the reference notes give no threshold.
    pub fn max_replica_lag() -> SimDuration {
        SimDuration::from_secs(60)
    }

    /// Engine patches use zero-downtime patching: true. \[UG\] Using
    /// zero-downtime patching: "ZDP is available for all supported Aurora
    /// MySQL versions and DB instance classes"; it does not apply to
    /// operating-system patches or major version upgrades, which a
    /// scenario writes as `zero_downtime: false`.
    pub fn zero_downtime() -> bool {
        true
    }

    /// A blue/green switchover's timeout: 300 s. \[UG\] Switching a
    /// blue/green deployment: "The default timeout period is 300 seconds
    /// (five minutes)", settable from 30 s to one hour.
    pub fn switchover_timeout() -> SimDuration {
        SimDuration::from_secs(300)
    }

    /// How long zero-downtime patching waits for a quiet point before it
    /// falls back to a plain restart: 5 s. Modelling choice: \[UG\] Using
    /// zero-downtime patching says only that patching "reverts to the
    /// standard behavior" when there is no suitable time window; 5 s is
    /// the pause an early release note gave for the whole of ZDP, so the
    /// wait is on the scale of what ZDP saves.
    pub fn zdp_quiet_wait() -> SimDuration {
        SimDuration::from_secs(5)
    }

    /// Readers keep serving through a writer failover or reboot: true, the
    /// behaviour of current engine versions (\[UG\] Rebooting an Aurora cluster
    /// with read availability: Aurora MySQL 2.10 and later, Aurora PostgreSQL
    /// 12.14, 13.10, 14.7, 15.2 and later).
    pub fn read_availability() -> bool {
        true
    }

    /// Zipf exponent of the workload's page popularity when `access` names
    /// none: 0.99, the YCSB default (`zipfian` request distribution,
    /// `ZIPFIAN_CONSTANT`). Modelling choice of a skewed OLTP workload.
    pub fn zipf_exponent() -> f64 {
        0.99
    }

    /// How long an instance's operating-system update keeps it down: 10
    /// minutes. Fit to \[UG\] Operating system updates for Aurora DB
    /// clusters: "Typically, the updates take about 10 minutes." No spread
    /// is published, so every update takes this long.
    pub fn os_update_time() -> SimDuration {
        SimDuration::from_secs(600)
    }

    /// How long an Aurora Serverless v2 instance goes without user
    /// connections before it pauses (with `min_acu: 0`): 300 s, the
    /// default of `SecondsUntilAutoPause` (\[UG\] Scaling to Zero ACUs with
    /// automatic pause and resume: "300 seconds (five minutes). That's the
    /// default if you don't specify an interval").
    pub fn seconds_until_auto_pause() -> u32 {
        300
    }

    /// Median time a paused Aurora Serverless v2 instance takes to resume:
    /// 15 s. Fit to \[UG\] Scaling to Zero ACUs with automatic pause and
    /// resume: "The time to resume is typically approximately 15 seconds
    /// if the instance was paused for less than 24 hours" (after a longer
    /// pause, "30 seconds or longer": set it for such a scenario).
    pub fn resume_time() -> SimDuration {
        SimDuration::from_secs(15)
    }

    /// Lognormal sigma of the resume time: 0.1. Modelling choice: "typically
    /// approximately" 15 s describes a narrow spread, and no other figure
    /// is published.
    pub fn resume_sigma() -> f64 {
        0.1
    }

    /// How often an Aurora Serverless v2 instance's capacity is set anew
    /// from its load: 1 s. Modelling choice after \[UG\] How Aurora
    /// Serverless v2 works, whose capacity "is measured every second".
    pub fn scaling_interval() -> SimDuration {
        SimDuration::from_secs(1)
    }

    /// The processor utilisation an Aurora Serverless v2 instance's
    /// capacity is sized for: 0.7. Modelling choice: AWS says only that
    /// an instance scales up "when the DB instance consistently uses a
    /// high proportion of its CPU capacity" (\[UG\] Performance and scaling
    /// for Aurora Serverless v2) and publishes no threshold; at 70 % a
    /// queue of processors still answers most work without waiting, and
    /// it is the figure a capacity planner would size a provisioned class
    /// for. Vary it in a review.
    pub fn target_utilisation() -> f64 {
        0.7
    }

    /// How much an Aurora Serverless v2 instance may grow in a second, as
    /// a share of its capacity (at least 0.5 ACU a step): 0.25, so that
    /// capacity can double in about three seconds. Modelling choice: \[UG\]
    /// How Aurora Serverless v2 works says only that "the larger the
    /// current capacity, the larger the scaling increment and thus the
    /// faster scaling can happen", which a rate proportional to capacity
    /// states; no rate is published, so vary this in a review.
    pub fn scale_up_per_s() -> f64 {
        0.25
    }

    /// How much an Aurora Serverless v2 instance may shrink in a second,
    /// as a share of its capacity: 0.005. Fit to AWS's blog
    /// "Understanding how ACU minimum and maximum range impacts scaling in
    /// Amazon Aurora Serverless v2" (2024), whose instance scaled down
    /// from its 10 ACU maximum to its 0.5 ACU minimum "gradually within
    /// approximately 10 minutes" (ln 20 / 600 s); its second test, 10 to 4
    /// ACU "within approximately 5 minutes", gives 0.003.
    pub fn scale_down_per_s() -> f64 {
        0.005
    }

    /// The fewest readers replica auto scaling keeps: 1. Fit to \[UG\]
    /// Amazon Aurora Auto Scaling with Aurora Replicas, where a policy
    /// needs a reader to measure ("There must be at least one reader DB
    /// instance for Aurora Auto Scaling to work").
    pub fn min_readers() -> u32 {
        1
    }

    /// Replica auto scaling's scale-out cooldown: 300 s, \[UG\] Amazon
    /// Aurora Auto Scaling with Aurora Replicas ("If you don't set the
    /// scale-in or scale-out cooldown period, the default for each is 300
    /// seconds").
    pub fn scale_out_cooldown() -> SimDuration {
        SimDuration::from_secs(300)
    }

    /// Replica auto scaling's scale-in cooldown: 300 s, \[UG\] Amazon Aurora
    /// Auto Scaling with Aurora Replicas, as the scale-out cooldown.
    pub fn scale_in_cooldown() -> SimDuration {
        SimDuration::from_secs(300)
    }

    /// Median time to create a replacement instance when no reader can be
    /// promoted: 256 s, with `control_plane.provision_sigma`. Fit to two
    /// \[UG\] figures together: Fault tolerance, a replacement "typically
    /// completes in under 10 minutes", read as nine in ten, and
    /// Aurora.CreateInstance, creating an instance can take "up to 20
    /// minutes", read as 99 in 100. A lognormal with its 90th percentile at
    /// 600 s and its 99th at 1,200 s has this median.
    pub fn provision_time() -> SimDuration {
        SimDuration::from_secs(256)
    }

    /// Lognormal sigma of the replacement's creation time: 0.66. Fit with
    /// `control_plane.provision_time`: ln 2 / (z(0.99) − z(0.9)), so that
    /// the 99th percentile is twice the 90th.
    pub fn provision_sigma() -> f64 {
        0.66
    }

    /// TTL of the endpoints' DNS answers: 5 s, \[KC\].
    pub fn dns_ttl() -> SimDuration {
        SimDuration::from_secs(5)
    }

    /// Median time for an endpoint change to reach the authoritative DNS
    /// servers: 17.3 s, with `dns.update_sigma`. Fit to the AWS Advanced
    /// JDBC Wrapper's failover configuration guide: "On the AWS DNS server,
    /// this change is updated usually between 15-20 seconds". The median
    /// is the geometric middle of 15 and 20 s.
    pub fn dns_update_delay() -> SimDuration {
        SimDuration::from_millis(17_320)
    }

    /// Lognormal sigma of the DNS update: 0.21. Fit with
    /// `dns.update_delay`: "usually" read as the middle half of updates,
    /// which a sigma of ln(20/15) / (2 · 0.674) puts between 15 and 20 s.
    pub fn dns_update_sigma() -> f64 {
        0.21
    }

    /// Window of empty answers while a record switches. Modelling choice:
    /// none by default; seeds/001 observed "a few seconds" of empty lookups for
    /// Aurora MySQL, which `fis-failover` sets to 3 s.
    pub fn dns_empty_answers() -> SimDuration {
        SimDuration::ZERO
    }

    /// Clients in a group that names no count. Modelling choice: one
    /// request loop, the smallest group.
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

    /// CPU time to accept a connection: 5 ms. Modelling choice: no AWS
    /// figure; the order of a TLS handshake, a SCRAM or caching_sha2
    /// authentication and a new session (a PostgreSQL backend fork, a
    /// MySQL thread), each a millisecond or more of server CPU. What it
    /// costs is what a connection storm costs the new writer, so the
    /// `connection-storm` study is the place to vary it.
    pub fn cpu_per_connect() -> SimDuration {
        SimDuration::from_millis(5)
    }

    /// Connections a pool holds at most: 10, HikariCP's
    /// `maximumPoolSize` default.
    pub fn pool_size() -> u32 {
        10
    }

    /// Longest wait to borrow a pooled connection: 30 s, HikariCP's
    /// `connectionTimeout` default.
    pub fn acquire_timeout() -> SimDuration {
        SimDuration::from_secs(30)
    }

    /// A borrowed connection is checked first: HikariCP checks one that
    /// has been idle (its `isValid` before lending, skipped only within
    /// half a second of its last use); this checks every borrow.
    pub fn validate() -> bool {
        true
    }

    /// Longest a check waits: 5 s, HikariCP's `validationTimeout` default.
    pub fn validation_timeout() -> SimDuration {
        SimDuration::from_secs(5)
    }

    /// A pooled connection's lifetime: 30 min, HikariCP's `maxLifetime`
    /// default.
    pub fn max_lifetime() -> SimDuration {
        SimDuration::from_secs(30 * 60)
    }

    /// Topology refresh of a driver: 5 s, the AWS Advanced JDBC Wrapper's
    /// `failoverClusterTopologyRefreshRateMs` default (failover plugin
    /// documentation).
    pub fn topology_refresh() -> SimDuration {
        SimDuration::from_secs(5)
    }

    /// A driver's interval between attempts to reach the new writer: 2 s,
    /// the wrapper's `failoverWriterReconnectIntervalMs` default.
    pub fn writer_reconnect_interval() -> SimDuration {
        SimDuration::from_secs(2)
    }

    /// How long a driver looks for the new writer: 60 s, the wrapper's
    /// `failoverTimeoutMs` default.
    pub fn failover_timeout() -> SimDuration {
        SimDuration::from_secs(60)
    }

    /// A driver's stale-DNS guard: on. Modelling choice: the wrapper's
    /// `auroraStaleDns` plugin is one to add to its plugin list; the
    /// comparison asks what a driver so configured does (set it off for a
    /// driver without it).
    pub fn stale_dns_guard() -> bool {
        true
    }

    /// Share of the writer's `max_connections` the proxy may open: 100 %,
    /// RDS Proxy's `MaxConnectionsPercent` default (\[UG\] RDS Proxy
    /// connection settings).
    pub fn max_connections_percent() -> u32 {
        100
    }

    /// Longest a request waits at the proxy for a database connection:
    /// 120 s, RDS Proxy's `ConnectionBorrowTimeout` default (\[UG\]).
    pub fn borrow_timeout() -> SimDuration {
        SimDuration::from_secs(120)
    }

    /// Requests one proxy node queues before it sheds: 10,000. Modelling
    /// choice: \[UG\] says the proxy queues and then sheds load past its
    /// limits but gives no figure; this is far above what 1,000 clients
    /// with one request each can queue, so the shipped scenarios never
    /// shed.
    pub fn max_queued() -> u32 {
        10_000
    }

    /// Connections one proxy node opens a second at most: 20. Modelling
    /// choice: \[UG\] says the proxy queues or throttles what it cannot
    /// serve at once rather than overwhelm the database, with no figure.
    /// Twenty a second costs a writer 0.1 s of CPU a second at the default
    /// `cpu_per_connect`, and twenty connections carry thousands of short
    /// transactions a second.
    pub fn max_opening_per_s() -> u32 {
        20
    }

    /// Median round trip between a global database's primary region and a
    /// secondary: 55 ms. Fit to a published ping between private addresses
    /// in us-east-1 and us-west-2 over the AWS backbone ("~55 ms
    /// consistently", dev.to, "AWS multi-region networking: what actually
    /// happens between regions"). Region pairs differ by tens of
    /// milliseconds (cloudping.co): set each secondary's own.
    pub fn region_rtt() -> SimDuration {
        SimDuration::from_millis(55)
    }

    /// Lognormal sigma of one crossing between regions: 0.1. Modelling
    /// choice: the same measurement found the round trip steady ("~55 ms
    /// consistently"), so the spread is small beside an AZ link's.
    pub fn region_jitter() -> f64 {
        0.1
    }

    /// What the replication link between two regions carries: 10 Gb/s.
    /// Modelling choice: AWS does not publish the replication servers'
    /// capacity; 10 Gb/s is several times the redo the shipped scenarios
    /// write, so only a slowdown or a catch-up makes it bind. A review
    /// should vary it.
    pub fn region_bandwidth_gbps() -> f64 {
        10.0
    }

    /// How often the primary's replication server sends what its storage
    /// made durable since its last send: 10 ms. Modelling choice: the
    /// batching of Aurora's storage-level replication is not published;
    /// sending several times per round trip keeps batching small beside the
    /// crossing, and the lag that results is checked, not fit, against
    /// \[UG\]'s "typically, less than 1 second".
    pub fn ship_interval() -> SimDuration {
        SimDuration::from_millis(10)
    }

    /// How often the proxy checks which instance is the writer: 1 s.
    /// Modelling choice: \[UG\] says the proxy monitors the instances itself
    /// and does not wait for DNS, with no interval published.
    pub fn proxy_health_check_interval() -> SimDuration {
        SimDuration::from_secs(1)
    }

    /// Checks the writer may miss before the proxy takes it as gone: 2.
    /// Modelling choice, as its interval.
    pub fn proxy_failure_threshold() -> u32 {
        2
    }

    /// The proxy's own time per request: median 1 ms, sigma 0.5.
    /// Modelling choice: one more hop inside the VPC and the proxy's own
    /// work; AWS publishes no figure, only that the proxy adds some.
    pub fn proxy_latency() -> (SimDuration, f64) {
        (SimDuration::from_millis(1), 0.5)
    }
}

/// The values a numeric setting accepts, and the words that name the
/// setting when a value falls outside them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limit<T> {
    /// The smallest value accepted.
    pub min: T,
    /// The largest value accepted, or with `max_excluded` the first value
    /// above the accepted ones.
    pub max: T,
    /// Whether `max` itself is refused (a probability must stay below 1).
    pub max_excluded: bool,
    /// What the setting holds, as in "expected a promotion tier from 0 to 15".
    pub what: &'static str,
}

impl<T: PartialOrd> Limit<T> {
    /// `min` to `max`, both included.
    pub(crate) const fn new(min: T, max: T, what: &'static str) -> Self {
        Limit {
            min,
            max,
            max_excluded: false,
            what,
        }
    }

    /// `min` included, up to but not including `max`.
    const fn below(min: T, max: T, what: &'static str) -> Self {
        Limit {
            min,
            max,
            max_excluded: true,
            what,
        }
    }

    /// Whether `v` lies in the range.
    pub fn admits(&self, v: &T) -> bool {
        *v >= self.min
            && if self.max_excluded {
                *v < self.max
            } else {
                *v <= self.max
            }
    }
}

/// Thirty days, the longest run.
const MONTH: SimDuration = SimDuration::from_secs(30 * 86_400);

/// A run lasts longer than nothing and at most 30 days. A month of
/// simulated time is far beyond any failover story; with every other span
/// also at most a month, an instant plus a span stays centuries below the
/// overflow of `u64` nanoseconds (584 years).
pub const RUN: Limit<SimDuration> = Limit::new(SimDuration::from_nanos(1), MONTH, "a run");

/// Delays, outage and recovery times, fault times and time expectations:
/// 0 to 30 days. Anything longer than the longest run never happens in it.
pub const DURATION: Limit<SimDuration> = Limit::new(SimDuration::ZERO, MONTH, "a duration");

/// Periods and timeouts (health checks, gossip, group commit, client
/// loops, timeline bins): 1 us to 1 h. A shorter period would have one
/// actor schedule over a million events per simulated second; a longer one
/// never fires in most runs, so it is a typo rather than a setting.
pub const PERIOD: Limit<SimDuration> = Limit::new(
    SimDuration::from_micros(1),
    SimDuration::from_secs(3600),
    "a period",
);

/// Health-check interval: 100 ms to 1 h. A check is a round trip from the
/// regional control plane (milliseconds, more under jitter or a slow
/// link), and selection waits one interval for readers to answer: below a
/// few round trips every check misses, so a healthy writer is failed over
/// again and again and no reader is ever chosen.
pub const HEALTH_CHECK_INTERVAL: Limit<SimDuration> = Limit::new(
    SimDuration::from_millis(100),
    SimDuration::from_secs(3600),
    "a health-check interval",
);

/// I/O watchdog: 1 s to 1 h. A healthy PG under load makes progress every
/// few milliseconds, but an idle one owes nothing only after its
/// maintenance pass (`write_retry_interval`, 100 ms by default) sees it;
/// below a second the watchdog fires on healthy storage and fails over a
/// cluster with no fault.
pub const IO_WATCHDOG: Limit<SimDuration> = Limit::new(
    SimDuration::from_secs(1),
    SimDuration::from_secs(3600),
    "an I/O watchdog period",
);

/// Group-commit interval: 1 us to 1 s. The commits and reads of one
/// interval arrive together at its tick, so the interval times the offered
/// rates is the work of one tick; at 1 s and the highest rates that is
/// already a million commits at once, and Aurora's group commit is a matter
/// of milliseconds (\[P17\] §4.2.2).
pub const GROUP_COMMIT_INTERVAL: Limit<SimDuration> = Limit::new(
    SimDuration::from_micros(1),
    SimDuration::from_secs(1),
    "a group-commit interval",
);

/// One-way link latencies and disk persists: longer than 0 s, so that an
/// effect always follows its cause in simulated time, and at most 10 s,
/// already a failed link rather than a slow one. Times the slow-down factor
/// (at most 10^6) a latency stays below 10^7 s, far inside `u64`
/// nanoseconds.
pub const LATENCY: Limit<SimDuration> = Limit::new(
    SimDuration::from_nanos(1),
    SimDuration::from_secs(10),
    "a latency",
);

/// Lognormal sigma of disk and link latency: 0 to 2. At 2 the p99 is
/// already about 100 times the median; a wider tail is no latency model.
pub const JITTER: Limit<f64> = Limit::new(0.0, 2.0, "a lognormal sigma");

/// Storage nodes per AZ: 1 to 10,000. Each node is an actor with a disk
/// and a NIC; 10,000 already spread the largest volume's segments thinly,
/// and node ids (`u32`) stay far from overflow over 16 AZs.
pub const STORAGE_NODES_PER_AZ: Limit<u32> =
    Limit::new(1, 10_000, "a number of storage nodes per AZ");

/// Volume size in GiB: 1 GiB to 128 TiB, the Aurora volume limit (\[UG\]).
pub const VOLUME_GIB: Limit<u64> = Limit::new(1, 128 * 1024, "a volume in GiB");

/// Protection-group size in GiB: 1 to 1024. The pages of one PG are
/// numbered densely in a `u32`; 1 TiB of 4 KiB pages (2^28) fits.
pub const SEGMENT_GIB: Limit<u64> = Limit::new(1, 1024, "a protection-group size in GiB");

/// Copies of each PG: 1 to 30, ten per AZ over three AZs. Each copy is a
/// segment on its own node and every write waits on a quorum of them; more
/// models no design (Aurora keeps six) and multiplies the segments of the
/// largest volume past millions.
pub const COPIES: Limit<u32> = Limit::new(1, 30, "a number of copies");

/// Write quorum: a number of copies, so within [`COPIES`]; validation then
/// holds it to the PG's own copies.
pub const WRITE_QUORUM: Limit<u32> = Limit::new(1, 30, "a write quorum");

/// Read quorum: as [`WRITE_QUORUM`].
pub const READ_QUORUM: Limit<u32> = Limit::new(1, 30, "a read quorum");

/// LSN allocation limit: 1 to 10^9, a hundred times the paper's 10 million.
/// Recovery resumes allocation LAL above VDL, so each failover moves LSNs
/// on by up to LAL; at 10^9, even 10^9 recoveries plus a month of the
/// fastest allocation (10^9 LSNs a second, see [`RECORDS_PER_COMMIT`])
/// stay below the `u64` limit of about 1.8 x 10^19.
pub const LSN_ALLOCATION_LIMIT: Limit<u64> =
    Limit::new(1, 1_000_000_000, "an LSN allocation limit");

/// Bandwidths in Gb/s (NIC, disk, a repair cap): 0.01 to 1000. At 10 Mb/s
/// a 10 GiB segment already takes over two hours to copy; 1 Tb/s is
/// beyond any NIC or disk.
pub const BANDWIDTH_GBPS: Limit<f64> = Limit::new(0.01, 1000.0, "a bandwidth in Gb/s");

/// Disk operations per second: 100 (a spinning disk) to 10^8, beyond any
/// device.
pub const DISK_IOPS: Limit<f64> = Limit::new(100.0, 1e8, "a number of disk operations per second");

/// Batches in flight per PG: 1 (one at a time, a round trip per batch) to
/// 1024. Each batch in flight is held until durable, so the window times
/// the PGs bounds the writer's memory for them.
pub const BATCHES_IN_FLIGHT: Limit<u32> = Limit::new(1, 1024, "a number of batches in flight");

/// Bytes of one redo record: 1 to 1 MiB, beyond any one row change.
pub const RECORD_BYTES: Limit<u32> = Limit::new(1, 1 << 20, "a record size in bytes");

/// Promotion tier: 0 to 15, the tiers RDS accepts (\[UG\] ModifyDBInstance).
pub const PROMOTION_TIER: Limit<u8> = Limit::new(0, 15, "a promotion tier");

/// Missed health checks before the writer is declared failed: 1 to 100.
/// A hundred missed checks at the default period already leave a dead
/// writer unnoticed for over a minute and a half; more detects nothing.
pub const FAILURE_THRESHOLD: Limit<u32> = Limit::new(1, 100, "a number of missed health checks");

/// Clients in one group: 1 to 1000; see [`MAX_CLIENTS`] for all groups.
pub const CLIENTS_PER_GROUP: Limit<u32> = Limit::new(1, 1000, "a number of clients in a group");

/// Clients in all groups together: at most 10,000. Each client is a
/// request loop with its own timers and DNS cache: 10,000 run a simulated
/// second in about a third of a second of wall time (10 s of the default
/// cluster took 3.4 s and 37 MB), while a million did not finish 10
/// simulated seconds in a minute.
pub const MAX_CLIENTS: u64 = 10_000;

/// Client groups: at most 64. Each group is five columns of every
/// timeline row and a panel of the client chart; a design review compares
/// a handful of client kinds, and a group holds up to 1,000 clients.
pub const MAX_CLIENT_GROUPS: usize = 64;

/// Commits offered per second: 0 to 10^6, beyond any single writer. With
/// [`RECORDS_PER_COMMIT`] this bounds LSN allocation to 10^9 a second.
pub const COMMITS_PER_S: Limit<f64> = Limit::new(0.0, 1e6, "a commit rate per second");

/// Page reads per second that go to storage: 0 to 10^6, as commits.
pub const READS_PER_S: Limit<f64> = Limit::new(0.0, 1e6, "a read rate per second");

/// Page reads per transaction: 0 to 1000, as records.
pub const READS_PER_TRANSACTION: Limit<u32> =
    Limit::new(0, 1000, "a number of page reads per transaction");

/// Redo records per commit: 1 to 1000, a large transaction. A commit's
/// records are allocated together, so they must also fit the LAL.
pub const RECORDS_PER_COMMIT: Limit<u32> = Limit::new(1, 1000, "a number of records per commit");

/// Working set in GiB: up to the largest volume; validation then holds it
/// to the scenario's volume and to at least one page.
pub const WORKING_SET_GIB: Limit<f64> = Limit::new(0.0, 131_072.0, "a working set in GiB");

/// Page sizes in KiB: the sizes InnoDB supports (MySQL reference manual,
/// `innodb_page_size`).
pub const PAGE_KIB: [u32; 5] = [4, 8, 16, 32, 64];

/// Slow-down factor of a gray failure: 1 (healthy) to 10^6, a node that is
/// for every purpose dead; see [`LATENCY`] for why the product still fits.
pub const SLOWDOWN: Limit<f64> = Limit::new(1.0, 1e6, "a slow-down factor");

/// Probability that one message is lost: from 0 up to but not including 1.
/// Certain loss is a partition, which `network_partition` says directly;
/// below 1, every retry has a chance.
pub const LOSS_RATE: Limit<f64> = Limit::below(0.0, 1.0, "a loss probability");

/// Zipf exponent of page popularity: 0 (uniform) to 10. Beyond 10 the
/// most popular page takes all but a thousandth of the accesses.
pub const ZIPF_EXPONENT: Limit<f64> = Limit::new(0.0, 10.0, "a Zipf exponent");

/// Buffer-pool set-up rate, GiB/s: 0.1 to 10,000. At 0.1 GiB/s the
/// largest pool takes over an hour; 10 TiB/s is beyond any memory.
pub const BUFFER_POOL_RATE: Limit<f64> =
    Limit::new(0.1, 10_000.0, "a buffer-pool set-up rate in GiB/s");

/// CPU costs: 0 to 1 s of CPU for one record or read; more is no
/// transaction model.
pub const CPU_COST: Limit<SimDuration> =
    Limit::new(SimDuration::ZERO, SimDuration::from_secs(1), "a CPU time");

/// Aurora Serverless v2 capacity, ACUs: 0 to 256, \[UG\] Requirements and
/// limitations for Aurora Serverless v2 ("from a minimum of 0 Aurora
/// capacity units (ACU) to a maximum of 256 ACUs, in increments of 0.5
/// ACU"); validation holds it to the half steps.
pub const ACU: Limit<f64> = Limit::new(0.0, 256.0, "a capacity in ACUs");

/// `SecondsUntilAutoPause`: 300 to 86,400, \[UG\] Scaling to Zero ACUs with
/// automatic pause and resume ("The minimum interval that you can set is
/// 300 seconds ... The maximum interval that you can set is 86,400
/// seconds").
pub const SECONDS_UNTIL_AUTO_PAUSE: Limit<u32> =
    Limit::new(300, 86_400, "a number of seconds until auto-pause");

/// How far capacity may move in a second, as a share of itself: 0.01 to
/// 100. Below 1 % an instance takes hours to double, which no published
/// account describes; 100 is already a hundredfold in one second.
pub const SCALING_RATE: Limit<f64> = Limit::new(0.01, 100.0, "a scaling rate per second");

/// How often Aurora Serverless v2 capacity is set anew: 10 ms to 1 min.
/// Each look is an event that walks every instance: more often than a
/// hundred times a second only multiplies events, and capacity that
/// looks less than once a minute does not follow a load.
pub const SCALING_INTERVAL: Limit<SimDuration> = Limit::new(
    SimDuration::from_millis(10),
    SimDuration::from_secs(60),
    "a scaling interval",
);

/// A processor utilisation capacity is sized for: 0.05 to 1.
pub const UTILISATION: Limit<f64> = Limit::new(0.05, 1.0, "a processor utilisation");

/// Aurora Replicas auto scaling keeps: 0 to 15, \[UG\] Amazon Aurora Auto
/// Scaling with Aurora Replicas ("must be set to 0–15").
pub const REPLICA_COUNT: Limit<u32> = Limit::new(0, 15, "a number of Aurora Replicas");

/// A target-tracking policy's target: average reader CPU in percent (1
/// to 100) or average connections per reader (1 to 16,000, the most an
/// instance accepts); validation holds a CPU target to 100.
pub const SCALING_TARGET: Limit<f64> = Limit::new(1.0, 16_000.0, "a scaling target");

/// `max_connections`: 1 to 16,000, the largest \[UG\] allows for Aurora
/// MySQL ("up to 16,000").
pub const MAX_CONNECTIONS: Limit<u32> =
    Limit::new(1, 16_000, "a number of connections per instance");

/// A pool's size: 1 to 16,000, no more than one instance accepts.
pub const POOL_SIZE: Limit<u32> = Limit::new(1, 16_000, "a pool size");

/// A percentage of connections: 1 to 100 (RDS Proxy's own range for
/// `MaxConnectionsPercent`).
pub const PERCENT: Limit<u32> = Limit::new(1, 100, "a percentage");

/// Requests a proxy node queues: 1 to 10^6. A request waits in the queue
/// while a connection opens for it, so a node without room for one could
/// never open any. Each is one entry in memory; a million is more than the
/// 10,000 clients a scenario may have could ever queue.
pub const QUEUE_LENGTH: Limit<u32> = Limit::new(1, 1_000_000, "a queue length");

/// Connections a proxy node opens a second: 1 to 16,000, the most one
/// instance accepts at all.
pub const OPENING_RATE: Limit<u32> =
    Limit::new(1, 16_000, "a number of connections opened per second");

/// A driver's writer-reconnect interval: 10 ms to 1 h. In a failover each
/// driver asks every instance each interval: at 10 ms, 10,000 drivers and
/// 16 instances are 16 million messages a simulated second. The wrappers'
/// default is 2 s.
pub const RECONNECT_INTERVAL: Limit<SimDuration> = Limit::new(
    SimDuration::from_millis(10),
    SimDuration::from_secs(3600),
    "a reconnect interval",
);

/// A share of sessions: 0 to 1.
pub const SHARE: Limit<f64> = Limit::new(0.0, 1.0, "a share of sessions");

/// An availability expectation is a fraction of the run.
pub const FRACTION: Limit<f64> = Limit::new(0.0, 1.0, "an availability fraction");

/// Longest scenario, instance or client name, in characters. The scenario
/// name is a directory name, and 100 characters stay far inside every file
/// system's limit (255 bytes) with room for the parent directories.
pub const MAX_NAME_CHARS: usize = 100;

/// AZs in a topology: 1 to 16. AZ ids are a byte, and no AWS Region has
/// more than six AZs.
pub const MAX_AZS: usize = 16;

/// Secondary regions of a global database: up to 10 (\[UG\]
/// aurora-global-database: "a primary DB cluster in one Region, and up to
/// 10 secondary DB clusters in different Regions"; pages from 2023 and
/// before say five).
pub const MAX_SECONDARY_REGIONS: usize = 10;

/// `rds.global_db_rpo`: from 20 s, the least \[UG\] (Managing RPOs for
/// Aurora PostgreSQL-based global databases) accepts, to 30 days. \[UG\]
/// accepts up to 2,147,483,647 s; no run is longer than 30 days, so a
/// larger value would act as 30 days does.
pub const GLOBAL_RPO: Limit<SimDuration> = Limit::new(
    SimDuration::from_secs(20),
    MONTH,
    "an RPO (rds.global_db_rpo)",
);

/// How often the replication server sends: 100 µs to 10 s. Below, one
/// event each would dwarf the model's; above, it is no longer a stream.
pub const SHIP_INTERVAL: Limit<SimDuration> = Limit::new(
    SimDuration::from_micros(100),
    SimDuration::from_secs(10),
    "a replication interval",
);

/// Instances: one writer and up to 15 readers (\[UG\]).
pub const MAX_INSTANCES: usize = 16;

/// The most memory any run may hold, whatever the machine: 16 GiB, a
/// modelling choice (a workstation's share for one run). The command line
/// also refuses a run that would not fit the memory the machine has free.
pub const MAX_RUN_MEMORY: u64 = 16 << 30;

/// Rows of `timeline.csv` (run length over bin width): at most 10^7. A
/// month of one-second bins is 2.6 million rows; more is a file no chart
/// or spreadsheet reads, held in memory until the run ends.
pub const MAX_TIMELINE_ROWS: u64 = 10_000_000;
