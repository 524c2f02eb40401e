//! Property testing against the simulator: proptest strategies for random
//! clusters and fault schedules, and a check that turns a failing case into
//! a scenario file `aurora-sim run` replays (enabled by the `proptest`
//! feature).
//!
//! ```
//! use aurora_sim::testing::{cases, check_invariants, Shape};
//! use proptest::prelude::*;
//! use proptest::test_runner::{Config, TestRunner};
//!
//! let mut runner = TestRunner::new(Config { cases: 2, ..Config::default() });
//! runner
//!     .run(&cases(Shape::default()), |case| {
//!         let outcome = check_invariants(&case, "doc")?;
//!         prop_assert!(outcome.summary.commits.acknowledged > 0);
//!         Ok(())
//!     })
//!     .unwrap();
//! ```

use std::fmt::Write;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use crate::check::{Invariant, InvariantResult};
use crate::{Outcome, Scenario, Simulation};

/// AZ names of generated clusters.
const AZS: [&str; 3] = ["a", "b", "c"];
/// Instance classes readers are drawn from.
const CLASSES: [&str; 3] = ["db.r6g.large", "db.r6g.2xlarge", "db.r6g.4xlarge"];
/// Simulated length of a case: a failover (about 13 s) and its aftermath
/// fit after the last fault.
const DURATION_S: u64 = 40;

/// One generated case: a cluster and a fault schedule. Its [`Case::yaml`]
/// is a scenario file that replays it exactly.
#[derive(Debug, Clone)]
pub struct Case {
    /// Root seed.
    pub seed: u64,
    /// Write and read quorum over 6 copies.
    pub quorum: (u32, u32),
    /// AZ of the writer (index into a, b, c).
    pub writer_az: usize,
    /// Readers: AZ, promotion tier, class.
    pub readers: Vec<(usize, u8, &'static str)>,
    /// DNS TTL, seconds.
    pub ttl_s: u64,
    /// The clients' own DNS cache, seconds (`None`: honour the TTL).
    pub dns_cache_s: Option<u64>,
    /// Faults, in schedule order.
    pub faults: Vec<Fault>,
}

/// A generated fault; times and durations in whole seconds.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Storage node `<az>-<n>` crashes; it returns after the duration.
    NodeCrash(u64, usize, u32, Option<u64>),
    /// An AZ goes down; it returns after the duration.
    AzOutage(u64, usize, Option<u64>),
    /// Two AZs cannot reach each other for the duration.
    Partition(u64, usize, usize, u64),
    /// An instance (0 the writer, then the readers) is cut off.
    InstancePartition(u64, usize, u64),
    /// Whoever is the writer crashes; its host returns after the duration.
    WriterCrash(u64, Option<u64>),
    /// An instance reboots, with failover or not.
    Reboot(u64, usize, bool),
    /// A manual failover, to a reader or to the control plane's choice.
    Failover(u64, Option<usize>),
    /// A node is slower by a factor for the duration.
    SlowNode(u64, usize, u32, u32, u64),
    /// Messages to and from an AZ are lost at a rate for the duration.
    PacketLoss(u64, usize, f64, u64),
}

/// What the strategy may generate.
#[derive(Debug, Clone)]
pub struct Shape {
    /// Quorum configurations (write, read) over 6 copies to draw from.
    pub quorums: Vec<(u32, u32)>,
    /// Most readers (0–15).
    pub max_readers: usize,
    /// Most faults.
    pub max_faults: usize,
    /// Storage faults only (nodes, AZs, partitions): no instance faults.
    pub storage_only: bool,
}

impl Default for Shape {
    /// Every quorum configuration that keeps both rules, up to 15 readers,
    /// up to 6 faults of every kind.
    fn default() -> Self {
        Shape {
            quorums: vec![(4, 3), (4, 4), (5, 2), (5, 3), (6, 1)],
            max_readers: 15,
            max_faults: 6,
            storage_only: false,
        }
    }
}

impl Case {
    /// The case as a scenario file named `name`. Besides what was drawn,
    /// the cluster is small so that hundreds of cases run in seconds: a
    /// 20 GiB volume (2 PGs) on 2 storage nodes per AZ, so that every
    /// node crash hits every PG; 200 commits/s; and a replacement
    /// instance provisioned in 20 s rather than the default 8 minutes,
    /// so that a cluster left without readers recovers within the run.
    pub fn yaml(&self, name: &str) -> String {
        let inst = |i: usize| {
            if i == 0 {
                "w".to_owned()
            } else {
                format!("r{i}")
            }
        };
        let (w, r) = self.quorum;
        let mut y = String::new();
        let _ = writeln!(y, "name: {name}");
        let _ = writeln!(y, "description: A generated case (aurora_sim::testing).");
        let _ = writeln!(y, "seed: {}", self.seed);
        let _ = writeln!(y, "duration: {DURATION_S}s");
        y.push_str("topology: { storage_nodes_per_az: 2 }\n");
        let _ = write!(
            y,
            "storage: {{ volume_gib: 20, write_quorum: {w}, read_quorum: {r}"
        );
        if crate::model::storage::quorum::Quorum::new(6, w, r).is_err() {
            y.push_str(", unsafe_quorum: true");
        }
        y.push_str(" }\nworkload: { commits_per_s: 200, reads_per_s: 50 }\n");
        y.push_str("control_plane: { provision_time: 20s }\n");
        let _ = writeln!(y, "dns: {{ ttl: {}s }}", self.ttl_s);
        y.push_str("instances:\n");
        let _ = writeln!(
            y,
            "  - {{ name: w, az: {}, role: writer }}",
            AZS[self.writer_az]
        );
        for (i, (az, tier, class)) in self.readers.iter().enumerate() {
            let _ = writeln!(
                y,
                "  - {{ name: r{}, az: {}, tier: {tier}, class: {class} }}",
                i + 1,
                AZS[*az]
            );
        }
        let _ = write!(y, "clients:\n  - {{ name: app, count: 2, read_timeout: 2s");
        if let Some(c) = self.dns_cache_s {
            let _ = write!(y, ", dns_cache: {c}s");
        }
        y.push_str(" }\n");
        if self.faults.is_empty() {
            return y;
        }
        y.push_str("faults:\n");
        let lasting =
            |d: Option<u64>, key: &str| d.map_or(String::new(), |d| format!(", {key}: {d}s"));
        for f in &self.faults {
            let line = match f {
                Fault::NodeCrash(at, az, n, back) => format!(
                    "storage_node_crash: {{ at: {at}s, node: {}-{n}{} }}",
                    AZS[*az],
                    lasting(*back, "recover_after")
                ),
                Fault::AzOutage(at, az, d) => {
                    format!(
                        "az_outage: {{ at: {at}s, az: {}{} }}",
                        AZS[*az],
                        lasting(*d, "duration")
                    )
                }
                Fault::Partition(at, a, b, d) => format!(
                    "network_partition: {{ at: {at}s, between: [{}, {}], duration: {d}s }}",
                    AZS[*a], AZS[*b]
                ),
                Fault::InstancePartition(at, i, d) => format!(
                    "network_partition: {{ at: {at}s, instance: {}, duration: {d}s }}",
                    inst(*i)
                ),
                Fault::WriterCrash(at, back) => {
                    format!(
                        "writer_crash: {{ at: {at}s{} }}",
                        lasting(*back, "recover_after")
                    )
                }
                Fault::Reboot(at, i, failover) => format!(
                    "instance_reboot: {{ at: {at}s, instance: {}, failover: {failover} }}",
                    inst(*i)
                ),
                Fault::Failover(at, target) => match target {
                    Some(t) => format!("failover: {{ at: {at}s, target: {} }}", inst(*t)),
                    None => format!("failover: {{ at: {at}s }}"),
                },
                Fault::SlowNode(at, az, n, factor, d) => format!(
                    "slow_node: {{ at: {at}s, node: {}-{n}, factor: {factor}, duration: {d}s }}",
                    AZS[*az]
                ),
                Fault::PacketLoss(at, az, rate, d) => format!(
                    "packet_loss: {{ at: {at}s, az: {}, rate: {rate}, duration: {d}s }}",
                    AZS[*az]
                ),
            };
            let _ = writeln!(y, "  - {line}");
        }
        y
    }

    /// The case as a validated scenario.
    pub fn scenario(&self, name: &str) -> Scenario {
        Scenario::parse(&self.yaml(name), Path::new(&format!("{name}.yaml")))
            .unwrap_or_else(|e| panic!("a generated case is a valid scenario: {e}"))
    }
}

/// Cases of the given shape. Faults fall on whole seconds in the first
/// 25 s, so that they overlap and recover, and a failover has time to end.
pub fn cases(shape: Shape) -> impl Strategy<Value = Case> {
    let readers = prop::collection::vec(
        (0..3usize, 0..16u8, prop::sample::select(&CLASSES[..])),
        0..=shape.max_readers.min(15),
    );
    (
        any::<u64>(),
        prop::sample::select(shape.quorums.clone()),
        0..3usize,
        readers,
        1..31u64,
        prop::option::of(prop::sample::select(vec![30u64, 300])),
    )
        .prop_flat_map(
            move |(seed, quorum, writer_az, readers, ttl_s, dns_cache_s)| {
                let fault = fault(readers.len(), shape.storage_only);
                prop::collection::vec(fault, 0..=shape.max_faults).prop_map(move |mut faults| {
                    faults.sort_by_key(Fault::at);
                    Case {
                        seed,
                        quorum,
                        writer_az,
                        readers: readers.clone(),
                        ttl_s,
                        dns_cache_s,
                        faults,
                    }
                })
            },
        )
}

impl Fault {
    /// When it starts, seconds.
    pub fn at(&self) -> u64 {
        match *self {
            Fault::NodeCrash(at, ..)
            | Fault::AzOutage(at, ..)
            | Fault::Partition(at, ..)
            | Fault::InstancePartition(at, ..)
            | Fault::WriterCrash(at, ..)
            | Fault::Reboot(at, ..)
            | Fault::Failover(at, ..)
            | Fault::SlowNode(at, ..)
            | Fault::PacketLoss(at, ..) => at,
        }
    }
}

fn fault(readers: usize, storage_only: bool) -> BoxedStrategy<Fault> {
    let at = 1..26u64;
    let lasting = prop::option::of(1..20u64);
    let storage = prop_oneof![
        (at.clone(), 0..3usize, 1..3u32, lasting.clone())
            .prop_map(|(t, z, n, d)| Fault::NodeCrash(t, z, n, d)),
        (at.clone(), 0..3usize, lasting.clone()).prop_map(|(t, z, d)| Fault::AzOutage(t, z, d)),
        (at.clone(), 0..3usize, 1..3usize, 1..20u64).prop_map(|(t, a, k, d)| Fault::Partition(
            t,
            a,
            (a + k) % 3,
            d
        )),
        (at.clone(), 0..3usize, 1..3u32, 2..50u32, 1..20u64)
            .prop_map(|(t, z, n, f, d)| Fault::SlowNode(t, z, n, f, d)),
        (
            at.clone(),
            0..3usize,
            prop::sample::select(vec![0.01, 0.1, 0.3]),
            1..20u64
        )
            .prop_map(|(t, z, r, d)| Fault::PacketLoss(t, z, r, d)),
    ];
    if storage_only {
        return storage.boxed();
    }
    let instance = 0..=readers;
    let target = prop::option::of(1..=readers.max(1)).prop_map(move |t| t.filter(|_| readers > 0));
    prop_oneof![
        5 => storage,
        1 => (at.clone(), instance.clone(), 1..20u64).prop_map(|(t, i, d)| Fault::InstancePartition(t, i, d)),
        1 => (at.clone(), lasting).prop_map(|(t, d)| Fault::WriterCrash(t, d)),
        1 => (at.clone(), instance, any::<bool>()).prop_map(|(t, i, f)| Fault::Reboot(t, i, f)),
        1 => (at, target).prop_map(|(t, i)| Fault::Failover(t, i)),
    ]
    .boxed()
}

/// Where counterexamples are written: `$AURORA_SIM_COUNTEREXAMPLES`, or
/// `target/counterexamples`.
pub fn counterexample_dir() -> PathBuf {
    std::env::var_os("AURORA_SIM_COUNTEREXAMPLES")
        .map_or_else(|| PathBuf::from("target/counterexamples"), PathBuf::from)
}

/// Runs a case and fails if any invariant was violated; see [`check`].
pub fn check_invariants(case: &Case, name: &str) -> Result<Outcome, TestCaseError> {
    check(case, name, &Invariant::ALL)
}

/// Runs a case and fails if one of `invariants` was violated. A failing
/// case is written as `<counterexample_dir>/<name>.yaml`, a scenario that
/// replays it (`aurora-sim run` exits 1 naming the invariant). Proptest
/// calls this again for each smaller case it tries, so the file left is
/// the smallest failing case.
pub fn check(case: &Case, name: &str, invariants: &[Invariant]) -> Result<Outcome, TestCaseError> {
    let outcome = Simulation::new(&case.scenario(name))
        .run()
        .expect("no trace sink");
    let watched = |r: &&InvariantResult| invariants.iter().any(|i| i.sentence() == r.name);
    let Some(broken) = outcome.violations().find(watched).cloned() else {
        return Ok(outcome);
    };
    let dir = counterexample_dir();
    let path = dir.join(format!("{name}.yaml"));
    let written =
        std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, case.yaml(name)));
    let first = broken
        .first
        .as_ref()
        .expect("a violated invariant has a first violation");
    Err(TestCaseError::fail(format!(
        "{}: at {:.6} s: {}\n  replay: aurora-sim run {}{}",
        broken.name,
        first.at_s,
        first.detail,
        path.display(),
        written
            .err()
            .map_or(String::new(), |e| format!(" (could not be written: {e})"))
    )))
}
