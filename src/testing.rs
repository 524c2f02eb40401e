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
use std::ops::Range;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use crate::check::{heal_bound, Invariant};
use crate::metrics::InvariantResult;
use crate::model::config::{Cut, Fault, FaultKind, InstanceClass, LossScope, RegionId, Topology};
use crate::scenario::print::Names;
use crate::sim::{SimDuration, SimTime};
use crate::vocab::ids::{AzId, InstanceId, NodeId};
use crate::{Outcome, Scenario, Simulation};

/// AZ names of generated clusters (the default topology's).
const AZS: [&str; 3] = ["a", "b", "c"];
/// Storage nodes per AZ: with 2 PGs of 6 copies, every node holds a
/// segment of every PG, so every node crash hits every PG.
const NODES_PER_AZ: u32 = 2;
/// Instance classes readers are drawn from.
const CLASSES: [&str; 3] = ["db.r6g.large", "db.r6g.2xlarge", "db.r6g.4xlarge"];
/// Simulated length of a case: a failover (about 13 s) and its aftermath
/// fit after the last fault.
const DURATION_S: u64 = 40;
/// Simulated length of a global-database case: its region faults end
/// by 60 s.
const GLOBAL_DURATION_S: u64 = 60;

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
    /// Faults in schedule order, as the case's scenario holds them: AZ ids
    /// index a, b, c; node `i` of AZ `z` is `z * 2 + i`; instance 0 is the
    /// writer `w`, then the readers `r1`, `r2`, ….
    pub faults: Vec<Fault>,
    /// Simulated seconds.
    pub duration_s: u64,
    /// The heal-then-progress ending: once the last fault is over, the
    /// cluster must be whole again within this (`max_heal_time`).
    pub heal_within: Option<SimDuration>,
    /// A global database: its secondary regions (named [`REGIONS`] after
    /// the primary), and the RPO guard in seconds; `None`: one region.
    pub global: Option<(usize, Option<u64>)>,
    /// A blue/green deployment's green writer `g` (AZ, class), the last
    /// instance; `None`: no green environment.
    pub green: Option<(usize, &'static str)>,
}

/// Region names of generated global databases: the primary, then the
/// secondaries; region faults index it.
pub const REGIONS: [&str; 3] = ["home", "near", "far"];

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
    /// A case of the default quorum and a 5 s TTL that clients honour,
    /// [`DURATION_S`] long: the swarm's and the global database's.
    fn default_quorum(
        seed: u64,
        writer_az: usize,
        readers: Vec<(usize, u8, &'static str)>,
        faults: Vec<Fault>,
    ) -> Case {
        Case {
            seed,
            quorum: (4, 3),
            writer_az,
            readers,
            ttl_s: 5,
            dns_cache_s: None,
            faults,
            duration_s: DURATION_S,
            heal_within: None,
            global: None,
            green: None,
        }
    }

    /// The case as a scenario file named `name`. Besides what was drawn,
    /// the cluster is small so that hundreds of cases run in seconds: a
    /// 20 GiB volume (2 PGs) on 2 storage nodes per AZ, so that every
    /// node crash hits every PG; 200 commits/s; and a replacement
    /// instance provisioned in exactly 20 s rather than the default's
    /// minutes, so that a cluster left without readers recovers within
    /// the run.
    pub fn yaml(&self, name: &str) -> String {
        let instances = self.instance_names();
        let (w, r) = self.quorum;
        let mut y = String::new();
        let _ = writeln!(y, "name: {name}");
        let _ = writeln!(y, "description: A generated case (aurora_sim::testing).");
        let _ = writeln!(y, "seed: {}", self.seed);
        let _ = writeln!(y, "duration: {}s", self.duration_s);
        let _ = writeln!(y, "topology: {{ storage_nodes_per_az: {NODES_PER_AZ} }}");
        let _ = write!(
            y,
            "storage: {{ volume_gib: 20, write_quorum: {w}, read_quorum: {r}"
        );
        if crate::vocab::quorum::Quorum::new(6, w, r).is_err() {
            y.push_str(", unsafe_quorum: true");
        }
        y.push_str(" }\nworkload: { open_loop: { commits_per_s: 200, reads_per_s: 50 } }\n");
        y.push_str("control_plane: { provision_time: 20s, provision_sigma: 0 }\n");
        let _ = writeln!(y, "dns: {{ ttl: {}s }}", self.ttl_s);
        y.push_str("instances:\n");
        let _ = writeln!(
            y,
            "  - {{ name: {}, az: {}, role: writer }}",
            instances[0], AZS[self.writer_az]
        );
        for (name, (az, tier, class)) in instances[1..].iter().zip(&self.readers) {
            let _ = writeln!(
                y,
                "  - {{ name: {name}, az: {}, tier: {tier}, class: {class} }}",
                az_name(*az)
            );
        }
        if let Some((az, class)) = self.green {
            let _ = writeln!(
                y,
                "  - {{ name: g, az: {}, class: {class}, role: writer, environment: green }}",
                AZS[az]
            );
        }
        let _ = write!(y, "clients:\n  - {{ name: app, count: 2, read_timeout: 2s");
        if let Some(c) = self.dns_cache_s {
            let _ = write!(y, ", dns_cache: {c}s");
        }
        y.push_str(" }\n");
        let regions = self.global.map_or(1, |(secondaries, _)| 1 + secondaries);
        let topology = Topology {
            azs: (0..AZS.len() * regions).map(az_name).collect(),
            azs_per_region: AZS.len(),
            nodes_per_az: NODES_PER_AZ,
        };
        let mut names = Names::new(&topology, instances.iter().map(String::as_str));
        if let Some((secondaries, rpo)) = self.global {
            let _ = write!(y, "global:\n  primary: {}\n  secondaries:\n", REGIONS[0]);
            for (k, name) in REGIONS[1..=secondaries].iter().enumerate() {
                let _ = writeln!(y, "    - {{ name: {name}, rtt: {}ms }}", 40 + 40 * k);
            }
            if let Some(rpo) = rpo {
                let _ = writeln!(y, "  rpo: {rpo}s");
            }
            names = names.with_regions(REGIONS[..=secondaries].iter().copied());
        }
        y.push_str(&names.faults(&self.faults));
        if let Some(bound) = self.heal_within {
            let ms = bound.as_nanos().div_ceil(1_000_000);
            let _ = writeln!(y, "expect: {{ max_heal_time: {ms}ms }}");
        }
        y
    }

    /// The case as a validated scenario.
    pub fn scenario(&self, name: &str) -> Scenario {
        Scenario::parse(&self.yaml(name), Path::new(&format!("{name}.yaml")))
            .unwrap_or_else(|e| panic!("a generated case is a valid scenario: {e}"))
    }

    /// Instance names by [`InstanceId`]: the writer, the readers, then
    /// the green writer if there is one.
    fn instance_names(&self) -> Vec<String> {
        let readers = (1..=self.readers.len()).map(|i| format!("r{i}"));
        let green = self.green.map(|_| "g".to_owned());
        std::iter::once("w".to_owned())
            .chain(readers)
            .chain(green)
            .collect()
    }
}

/// The name of AZ `z`: the primary region's as [`AZS`] has them, then a
/// secondary region's, by the region's name (`eu-west-1a`).
fn az_name(z: usize) -> String {
    match z / AZS.len() {
        0 => AZS[z].to_owned(),
        r => format!("{}{}", REGIONS[r], AZS[z % AZS.len()]),
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
                    faults.sort_by_key(|f| f.at);
                    Case {
                        seed,
                        quorum,
                        writer_az,
                        readers: readers.clone(),
                        ttl_s,
                        dns_cache_s,
                        faults,
                        duration_s: DURATION_S,
                        heal_within: None,
                        global: None,
                        green: None,
                    }
                })
            },
        )
}

/// Whole seconds in `range`.
fn secs(range: Range<u64>) -> impl Strategy<Value = SimDuration> + Clone {
    range.prop_map(SimDuration::from_secs)
}

/// One fault over a cluster with `readers` readers. The draws keep the
/// integer types and order they have always had, so that the seeds kept in
/// regression files still generate the cases they were saved for.
fn fault(readers: usize, storage_only: bool) -> BoxedStrategy<Fault> {
    let at = secs(1..26).prop_map(|s| SimTime::ZERO + s);
    // Crashes and AZ outages may be for good; the other faults always end.
    let lasting = prop::option::of(secs(1..20));
    let ending = secs(1..20).prop_map(Some);
    let az = (0..AZS.len()).prop_map(AzId::from_index);
    let node =
        (0..AZS.len(), 0..NODES_PER_AZ).prop_map(|(z, i)| NodeId(z as u32 * NODES_PER_AZ + i));
    let crash = node.clone().prop_map(FaultKind::NodeCrash);
    let outage = az.clone().prop_map(FaultKind::AzOutage);
    let pair = (0..AZS.len(), 1..AZS.len()).prop_map(|(a, k)| {
        FaultKind::PartitionAzs(AzId::from_index(a), AzId::from_index((a + k) % AZS.len()))
    });
    let slow = (node, 2..50u32).prop_map(|(n, f)| FaultKind::SlowNode(n, f64::from(f)));
    let loss = (az, prop::sample::select(vec![0.01, 0.1, 0.3]))
        .prop_map(|(z, rate)| FaultKind::PacketLoss(LossScope::Az(z), rate));
    let build = |(at, kind, duration)| Fault { at, kind, duration };
    let storage = prop_oneof![
        (at.clone(), crash, lasting.clone()).prop_map(build),
        (at.clone(), outage, lasting.clone()).prop_map(build),
        (at.clone(), pair, ending.clone()).prop_map(build),
        (at.clone(), slow, ending.clone()).prop_map(build),
        (at.clone(), loss, ending.clone()).prop_map(build),
    ];
    if storage_only {
        return storage.boxed();
    }
    let instance = (0..=readers).prop_map(InstanceId::from_index);
    let reboot = (instance.clone(), any::<bool>())
        .prop_map(|(i, failover)| FaultKind::InstanceReboot(i, failover));
    let target = prop::option::of((1..=readers.max(1)).prop_map(InstanceId::from_index))
        .prop_map(move |t| FaultKind::Failover(t.filter(|_| readers > 0)));
    prop_oneof![
        5 => storage,
        1 => (
            at.clone(),
            instance.prop_map(|i| FaultKind::IsolateInstance(i, Cut::Everything)),
            ending
        )
            .prop_map(build),
        1 => (at.clone(), Just(FaultKind::WriterCrash), lasting).prop_map(build),
        1 => (at.clone(), reboot, Just(None)).prop_map(build),
        1 => (at.clone(), target, Just(None)).prop_map(build),
        1 => (at.clone(), any::<bool>().prop_map(FaultKind::EnginePatch), Just(None)).prop_map(build),
        1 => (at.clone(), Just(FaultKind::OsUpdate), Just(None)).prop_map(build),
        1 => (at, class_change(readers), Just(None)).prop_map(build),
    ]
    .boxed()
}

/// A class change of any instance to one of [`CLASSES`], promoted or
/// not.
fn class_change(readers: usize) -> impl Strategy<Value = FaultKind> {
    let instance = (0..=readers).prop_map(InstanceId::from_index);
    (instance, prop::sample::select(&CLASSES[..]), any::<bool>()).prop_map(
        |(inst, class, promote)| FaultKind::ClassChange {
            inst,
            class: class.to_owned(),
            spec: InstanceClass::parse(class).expect("a class in the table"),
            promote,
        },
    )
}

/// Global-database cases: a cluster of the default quorum with up to
/// three readers in any region, one or two secondary regions, the RPO
/// guard at 20 s or none, and up to six faults: any of [`cases`]' kinds,
/// a region's outage (the primary's or a secondary's), its link cut, or
/// its link a hundred to a hundred thousand times narrower, for up to
/// 34 s, so that a secondary may fall further behind than the guard
/// allows; and a global failover or switchover to any region (one that is
/// the primary then, or dark, is refused). Every region fault ends, so
/// the primary comes back within the run (60 s).
pub fn global_cases() -> impl Strategy<Value = Case> {
    (1..=2usize)
        .prop_flat_map(|secondaries| {
            let azs = AZS.len() * (1 + secondaries);
            let readers =
                prop::collection::vec((0..azs, 0..16u8, prop::sample::select(&CLASSES[..])), 0..=3);
            (
                any::<u64>(),
                0..AZS.len(),
                readers,
                Just(secondaries),
                prop::option::of(Just(20u64)),
            )
        })
        .prop_flat_map(|(seed, writer_az, readers, secondaries, rpo)| {
            let at = secs(1..26).prop_map(|s| SimTime::ZERO + s);
            let region = (0..=secondaries as u8).prop_map(RegionId);
            let secondary = (1..=secondaries as u8).prop_map(RegionId);
            let kind = prop_oneof![
                region.clone().prop_map(FaultKind::RegionOutage),
                secondary.clone().prop_map(FaultKind::RegionPartition),
                (secondary, prop::sample::select(vec![100.0, 1e3, 1e5]))
                    .prop_map(|(r, f)| FaultKind::RegionSlowdown(r, f)),
            ];
            let regional = (at.clone(), kind, secs(1..35).prop_map(Some))
                .prop_map(|(at, kind, duration)| Fault { at, kind, duration });
            let promotion =
                (at, region, any::<bool>()).prop_map(|(at, region, switchover)| Fault {
                    at,
                    kind: FaultKind::RegionPromotion { region, switchover },
                    duration: None,
                });
            let any = prop_oneof![
                2 => regional,
                1 => promotion,
                1 => fault(readers.len(), false)
            ];
            prop::collection::vec(any, 0..=6).prop_map(move |mut faults| {
                faults.sort_by_key(|f| f.at);
                Case {
                    duration_s: GLOBAL_DURATION_S,
                    global: Some((secondaries, rpo)),
                    ..Case::default_quorum(seed, writer_az, readers.clone(), faults)
                }
            })
        })
}

/// Swarm cases ([TigerBeetle's VOPR] and FoundationDB's simulation
/// style): a random cluster of the default quorum with one to four
/// readers, a first fault that starts a failover (the writer's host dies,
/// is cut off, reboots with failover, an operator fails over, or a
/// blue/green deployment switches over to a green writer of a random
/// class, which may be too small to catch up in time), and a
/// second fault aimed at a random instant inside the failover it causes
/// (an instance crashes — possibly the target being promoted — or an AZ
/// goes down for a while, a reader reboots, or an engine patch starts,
/// with or without zero-downtime patching), plus up to two gray
/// failures anywhere, and maybe a fault that flaps (on and off, every
/// half second to six seconds, far faster than a failover ends) on an
/// instance, a node, an AZ or the link between two AZs.
///
/// Every fault ends, and every case has the heal-then-progress ending:
/// once the last fault is over, the cluster must be whole again (writes
/// back, every PG at full copies, every client succeeding) within
/// [`heal_bound`] of its settings, stated as the case's `max_heal_time`.
/// A flapping fault can keep restarting the liveness invariants' windows;
/// the ending is where a failover it froze shows.
///
/// [TigerBeetle's VOPR]: https://github.com/tigerbeetle/tigerbeetle/blob/main/docs/internals/vopr.md
pub fn swarm() -> impl Strategy<Value = Case> {
    let readers = prop::collection::vec(
        (0..3usize, 0..4u8, prop::sample::select(&CLASSES[..])),
        1..=4,
    );
    let green = (0..3usize, prop::sample::select(&CLASSES[..]));
    (any::<u64>(), 0..3usize, readers, green).prop_flat_map(|(seed, writer_az, readers, green)| {
        let n = readers.len();
        let writer = Just(InstanceId::from_index(0));
        let first_at = secs(5..11).prop_map(|s| SimTime::ZERO + s);
        let switchover =
            secs(30..60).prop_map(|timeout| FaultKind::BlueGreenSwitchover { timeout });
        let first = prop_oneof![
            secs(5..30).prop_map(|back| (FaultKind::WriterCrash, Some(back))),
            Just((FaultKind::Failover(None), None)),
            switchover.prop_map(|kind| (kind, None)),
            writer.prop_map(|w| (FaultKind::InstanceReboot(w, true), None)),
            (writer, secs(5..30))
                .prop_map(|(w, d)| (FaultKind::IsolateInstance(w, Cut::Everything), Some(d))),
        ];
        let instance = (0..=n).prop_map(InstanceId::from_index);
        let reader = (1..=n).prop_map(InstanceId::from_index);
        let second = prop_oneof![
            3 => (instance.clone(), secs(5..30))
                .prop_map(|(i, back)| (FaultKind::InstanceCrash(i), Some(back))),
            1 => ((0..AZS.len()).prop_map(AzId::from_index), secs(5..20))
                .prop_map(|(z, d)| (FaultKind::AzOutage(z), Some(d))),
            1 => reader.prop_map(|r| (FaultKind::InstanceReboot(r, false), None)),
            1 => any::<bool>().prop_map(|zdp| (FaultKind::EnginePatch(zdp), None)),
        ];
        // Inside the failover: detection takes 3 s, promotion 8 s more.
        let inside = (0..20_000u64).prop_map(SimDuration::from_millis);
        let node =
            (0..AZS.len(), 0..NODES_PER_AZ).prop_map(|(z, i)| NodeId(z as u32 * NODES_PER_AZ + i));
        let gray_kind = prop_oneof![
            (node.clone(), 2..10u32).prop_map(|(n, f)| FaultKind::SlowNode(n, f64::from(f))),
            (0..AZS.len())
                .prop_map(|z| FaultKind::PacketLoss(LossScope::Az(AzId::from_index(z)), 0.01)),
        ];
        let gray = (secs(1..40), gray_kind, secs(1..10)).prop_map(|(at, kind, d)| Fault {
            at: SimTime::ZERO + at,
            kind,
            duration: Some(d),
        });
        (
            first_at,
            first,
            inside,
            second,
            prop::collection::vec(gray, 0..=2),
            prop::option::of(flapping(instance, node)),
        )
            .prop_map(
                move |(at, (kind, back), delta, (second, after), grays, flaps)| {
                    let switches = matches!(kind, FaultKind::BlueGreenSwitchover { .. });
                    let second_at = at + delta;
                    let mut faults = vec![
                        Fault {
                            at,
                            kind,
                            duration: back,
                        },
                        Fault {
                            at: second_at,
                            kind: second,
                            duration: after,
                        },
                    ];
                    faults.extend(grays);
                    faults.extend(flaps.into_iter().flatten());
                    faults.sort_by_key(|f| f.at);
                    Case {
                        green: switches.then_some(green),
                        ..Case::default_quorum(seed, writer_az, readers.clone(), faults)
                    }
                    .with_ending()
                },
            )
    })
}

/// A fault that flaps: `count` times, every `period`, on for part of it,
/// on one instance (cut off), one node (crashed), one AZ (packet loss) or
/// between two AZs (partitioned).
fn flapping(
    instance: impl Strategy<Value = InstanceId> + 'static,
    node: impl Strategy<Value = NodeId> + 'static,
) -> impl Strategy<Value = Vec<Fault>> {
    let az = (0..AZS.len()).prop_map(AzId::from_index);
    let kind = prop_oneof![
        instance.prop_map(|i| FaultKind::IsolateInstance(i, Cut::Everything)),
        node.prop_map(FaultKind::NodeCrash),
        az.prop_map(|z| FaultKind::PacketLoss(LossScope::Az(z), 0.3)),
        (0..AZS.len(), 1..AZS.len()).prop_map(|(a, k)| {
            FaultKind::PartitionAzs(AzId::from_index(a), AzId::from_index((a + k) % AZS.len()))
        }),
    ];
    (kind, 1..30u64, 500..6_000u64, 10..90u64, 3..12u64).prop_map(
        |(kind, start_s, period_ms, on_percent, count)| {
            let period = SimDuration::from_millis(period_ms);
            let on = SimDuration::from_millis(period_ms * on_percent / 100);
            (0..count)
                .map(|k| Fault {
                    at: SimTime::ZERO + SimDuration::from_secs(start_s) + period * k,
                    kind: kind.clone(),
                    duration: Some(on),
                })
                .collect()
        },
    )
}

impl Case {
    /// The case with the heal-then-progress ending: it runs until its
    /// cluster's [`heal_bound`] after the last fault is over (and a second
    /// more), and expects to be whole again by then.
    fn with_ending(mut self) -> Case {
        // Long enough for the faults to be read; set to the ending below.
        self.duration_s = 600;
        let cfg = self.scenario("ending").config;
        let over = cfg.faults_over().expect("every swarm fault ends");
        let bound = heal_bound(&cfg).expect("swarm clients time out and honour the TTL");
        self.duration_s = (over + bound).as_secs_f64().ceil() as u64 + 1;
        self.heal_within = Some(bound);
        self
    }
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

/// Runs a case and fails if one of `invariants` was violated, or the
/// case's own expectation (its heal-then-progress ending) failed. A
/// failing case is written as `<counterexample_dir>/<name>.yaml`, a
/// scenario that replays it (`aurora-sim run` exits 1 naming the
/// invariant or expectation). Proptest calls this again for each smaller
/// case it tries, so the file left is the smallest failing case.
pub fn check(case: &Case, name: &str, invariants: &[Invariant]) -> Result<Outcome, TestCaseError> {
    let outcome = Simulation::new(&case.scenario(name))
        .run()
        .expect("no trace sink");
    let watched = |r: &&InvariantResult| invariants.iter().any(|i| i.sentence() == r.name);
    let broken = outcome.violations().find(watched);
    let failed = outcome.summary.expectations.iter().find(|e| !e.passed);
    let failure = match (broken, failed) {
        (Some(broken), _) => {
            let first = broken
                .first
                .as_ref()
                .expect("a violated invariant has a first violation");
            format!("{}: at {:.6} s: {}", broken.name, first.at_s, first.detail)
        }
        (None, Some(e)) => format!("{}: {}", e.name, e.detail),
        (None, None) => return Ok(outcome),
    };
    let dir = counterexample_dir();
    let path = dir.join(format!("{name}.yaml"));
    let written =
        std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, case.yaml(name)));
    Err(TestCaseError::fail(format!(
        "{failure}\n  replay: aurora-sim run {}{}",
        path.display(),
        written
            .err()
            .map_or(String::new(), |e| format!(" (could not be written: {e})"))
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest! {
        /// What a case's scenario runs is what the case holds: its faults
        /// survive the trip through YAML unchanged.
        #[test]
        fn a_case_reads_back_as_its_faults(case in cases(Shape::default())) {
            prop_assert_eq!(case.scenario("t").config.faults, case.faults);
        }
    }

    /// Every fault kind a scenario can name is drawn by some strategy: a
    /// kind added to the vocabulary without one fails here.
    #[test]
    fn every_fault_kind_is_drawn() {
        use crate::vocab::fault::FaultName;
        use proptest::strategy::ValueTree;
        use proptest::test_runner::TestRunner;
        let mut runner = TestRunner::deterministic();
        let mut drawn = std::collections::BTreeSet::new();
        let shape = Shape {
            max_readers: 3,
            ..Shape::default()
        };
        for _ in 0..2000 {
            let case = cases(shape.clone())
                .new_tree(&mut runner)
                .expect("a case")
                .current();
            let swarm = swarm().new_tree(&mut runner).expect("a case").current();
            let global = global_cases()
                .new_tree(&mut runner)
                .expect("a case")
                .current();
            for f in case
                .faults
                .iter()
                .chain(&swarm.faults)
                .chain(&global.faults)
            {
                drawn.insert(f.kind.name());
            }
        }
        let missing: Vec<_> = FaultName::ALL
            .iter()
            .filter(|k| !drawn.contains(k))
            .collect();
        assert!(missing.is_empty(), "no strategy draws {missing:?}");
    }
}
