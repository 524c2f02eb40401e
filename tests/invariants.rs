//! Random clusters and fault schedules keep every invariant; schedules
//! within AZ+1 lose no acknowledged commit; a broken quorum configuration
//! loses commits, and is caught, shrunk and written as a scenario that
//! replays the loss.

use std::ops::Range;
use std::process::Command;

use aurora_sim::check::Invariant;
use aurora_sim::model::config::{Cut, Fault, FaultKind, LossScope};
use aurora_sim::scenario::defaults;
use aurora_sim::scenario::print::Names;
use aurora_sim::sim::{SimDuration, SimTime};
use aurora_sim::testing::{
    cases, check, check_invariants, counterexample_dir, global_cases, swarm, Case, Shape,
};
use aurora_sim::vocab::ids::{AzId, NodeId};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestError, TestRunner};

use crate::{parse, run};

/// Cases per property: `PROPTEST_CASES` for long runs, else `default`.
fn case_count(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

proptest! {
    #![proptest_config(Config {
        cases: case_count(128),
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("regressions"))),
        ..Config::default()
    })]

    /// Any cluster shape and fault schedule: no lost acknowledged commit
    /// within AZ+1, one writer per epoch, LSN order, liveness, intersection.
    #[test]
    fn random_fault_schedules_keep_every_invariant(case in cases(Shape::default())) {
        let outcome = check_invariants(&case, "random-faults")?;
        prop_assert_eq!(outcome.summary.commits.split_brain, 0);
    }
}

proptest! {
    #![proptest_config(Config {
        cases: case_count(48),
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("regressions"))),
        ..Config::default()
    })]

    /// A global database under region outages, cut and narrowed links and
    /// in-region faults keeps every invariant; every secondary holds no
    /// more than the primary made durable, and with the RPO guard the
    /// best-placed secondary never lacks more than the RPO of acknowledged
    /// work (give or take one send).
    #[test]
    fn region_faults_keep_every_invariant_and_the_guard_bounds_the_work_at_risk(
        case in global_cases()
    ) {
        let outcome = check_invariants(&case, "global")?;
        let g = outcome.summary.global.as_ref().expect("a global database");
        let send = defaults::ship_interval().as_millis_f64();
        if let Some((_, Some(rpo))) = case.global {
            let bound = rpo as f64 * 1e3 + send;
            prop_assert!(g.at_risk_max_ms <= bound, "{} > {}", g.at_risk_max_ms, bound);
        }
        for e in &g.exposures {
            prop_assert!(e.commits <= outcome.summary.commits.acknowledged);
            prop_assert!(e.at_risk_s <= e.rpo_s + send / 1e3, "{:?}", e);
        }
    }
}

/// The cluster of the AZ+1 property, on the default topology: a 40 GiB
/// volume (4 PGs) under 400 commits/s and 200 reads/s for 15 s, with
/// repair starting after 4 s so that it runs within the test.
const AZ_PLUS_ONE: &str = "name: az-plus-one\nduration: 15s\nstorage: { volume_gib: 40, repair_after: 4s }\nworkload: { open_loop: { commits_per_s: 400, reads_per_s: 200 } }\n";

/// Whole seconds after the start, from `range`.
fn instants(range: Range<u64>) -> impl Strategy<Value = SimTime> {
    range.prop_map(|s| SimTime::ZERO + SimDuration::from_secs(s))
}

/// A fault schedule that never takes more than one AZ plus one node of
/// another AZ down at once, Aurora's design point: maybe an outage of any
/// AZ, maybe a crash of one of a-1 … a-4 (AZ+0 when the outage is of a),
/// and gray failures, packet loss then slowness, on one of b-1 … b-4. Loss
/// rates are whole thousandths, so that a counterexample reads easily.
fn az_plus_one() -> impl Strategy<Value = Vec<Fault>> {
    let s = SimDuration::from_secs;
    // Node b-1: the default topology's first node of the second AZ.
    let b1 = defaults::storage_nodes_per_az();
    let outage = (0..3u8, instants(1..8), 1..10u64).prop_map(move |(z, at, d)| Fault {
        at,
        kind: FaultKind::AzOutage(AzId(z)),
        duration: Some(s(d)),
    });
    let crash =
        (0..4u32, instants(1..10), proptest::option::of(1..6u64)).prop_map(move |(n, at, back)| {
            Fault {
                at,
                kind: FaultKind::NodeCrash(NodeId(n)),
                duration: back.map(s),
            }
        });
    let gray = (0..4u32, instants(1..10), 0..300u32).prop_map(move |(n, at, per_mille)| {
        let node = NodeId(b1 + n);
        [
            Fault {
                at,
                kind: FaultKind::PacketLoss(LossScope::Node(node), f64::from(per_mille) / 1000.0),
                duration: Some(s(3)),
            },
            Fault {
                at,
                kind: FaultKind::SlowNode(node, 20.0),
                duration: Some(s(2)),
            },
        ]
    });
    (
        proptest::option::of(outage),
        proptest::option::of(crash),
        gray,
    )
        .prop_map(|(outage, crash, gray)| outage.into_iter().chain(crash).chain(gray).collect())
}

proptest! {
    #![proptest_config(Config {
        cases: case_count(24),
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("regressions"))),
        ..Config::default()
    })]

    /// Within AZ+1 no acknowledged commit is lost, every read returns the
    /// committed page, and VDL never passes VCL.
    #[test]
    fn no_acknowledged_commit_is_lost_within_az_plus_one(faults in az_plus_one(), seed in 0u64..1000) {
        let cluster = format!("seed: {seed}\n{AZ_PLUS_ONE}");
        let yaml = format!("{cluster}{}", Names::of(&parse(&cluster)).faults(&faults));
        let o = run(&parse(&yaml));
        let s = &o.summary;
        prop_assert_eq!(s.commits.lost, 0, "lost commits in\n{}", yaml);
        prop_assert_eq!(s.reads.wrong, 0, "wrong reads in\n{}", yaml);
        prop_assert!(s.storage.vdl <= s.storage.vcl, "VDL above VCL in\n{}", yaml);
        prop_assert!(s.commits.acknowledged > 0, "no commit at all in\n{}", yaml);
    }
}

#[test]
fn a_broken_quorum_can_lose_acknowledged_commits() {
    // With 2-of-6 writes, a commit can be durable on AZ a alone: cut a off
    // from b and c, then lose a for good, and recovery cannot find it. The
    // quorum rules exist for this.
    let sc = parse(
        "name: broken\nduration: 6s\nstorage: { volume_gib: 20, write_quorum: 2, read_quorum: 2, unsafe_quorum: true }\n\
         workload: { open_loop: { commits_per_s: 500 } }\nfaults:\n\
         \x20 - network_partition: { at: 1s, between: [a, b] }\n\
         \x20 - network_partition: { at: 1s, between: [a, c] }\n\
         \x20 - az_outage: { at: 3s, az: a }\n",
    );
    let o = run(&sc);
    assert!(
        o.summary.commits.lost > 0,
        "a 2/6 write quorum should lose commits here"
    );
}

#[test]
fn a_broken_quorum_loses_commits_and_shrinks_to_a_replayable_scenario() {
    // 3/6 writes and 2/6 reads: 3 + 2 ≤ 6, so a read quorum can miss every
    // copy of an acknowledged write.
    let shape = Shape {
        quorums: vec![(3, 2)],
        max_readers: 3,
        max_faults: 4,
        storage_only: true,
    };
    let config = Config {
        cases: case_count(512),
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("regressions"))),
        source_file: Some(file!()),
        // Each try is a 40 s simulation; this bounds the shrink to seconds.
        max_shrink_iters: 300,
        ..Config::default()
    };
    let name = "broken-quorum";
    let result = TestRunner::new(config).run(&cases(shape), |case| {
        check(&case, name, &[Invariant::NoAcknowledgedCommitIsLost]).map(drop)
    });
    let Err(TestError::Fail(why, smallest)) = result else {
        panic!("the broken quorum was not caught: {result:?}");
    };
    assert!(
        why.message().contains("no acknowledged commit is lost"),
        "{why}"
    );
    assert!(why.message().contains("replay: aurora-sim run"), "{why}");
    // No single fault loses data under this quorum: it takes a partition
    // that leaves copies behind and then the loss of the copies ahead.
    assert!(smallest.faults.len() <= 2, "not shrunk: {smallest:?}");
    eprintln!(
        "smallest counterexample ({} faults):\n{}",
        smallest.faults.len(),
        smallest.yaml(name)
    );

    // The file is the smallest case, and the binary replays the loss.
    let path = counterexample_dir().join(format!("{name}.yaml"));
    let written = std::fs::read_to_string(&path).expect("counterexample written");
    assert_eq!(written, smallest.yaml(name));
    replay_fails(&path, "FAIL      no acknowledged commit is lost");
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("SWARM_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(24),
        ..ProptestConfig::default()
    })]

    /// Swarm: a second fault aimed inside the failover the first one
    /// causes (the target dies while it is promoted, an AZ goes down, a
    /// reader reboots), with gray failures around, keeps every invariant;
    /// above all, a writer is open again soon whenever some instance could
    /// take over. `SWARM_CASES=2000` runs a long swarm.
    #[test]
    fn swarm_second_faults_inside_a_failover_keep_every_invariant(case in swarm()) {
        let outcome = check_invariants(&case, "swarm")?;
        // And every commit offered is accounted for, exactly once.
        let c = &outcome.summary.commits;
        prop_assert_eq!(
            c.arrived,
            c.acknowledged + c.refused + c.abandoned + c.waiting_at_end,
            "{:?}",
            c
        );
    }
}

#[test]
fn the_heal_ending_fails_a_cluster_not_whole_in_time_and_replays_it() {
    // The writer is cut off for 10 s: a failover follows, and clients
    // wait for DNS. Held to a second after the cut heals, the ending
    // fails, names what was not back, and the file replays it.
    let s = SimDuration::from_secs;
    let case = Case {
        seed: 7,
        quorum: (4, 3),
        writer_az: 0,
        readers: vec![(1, 0, "db.r6g.large")],
        ttl_s: 5,
        dns_cache_s: None,
        faults: vec![Fault {
            at: SimTime::ZERO + s(5),
            kind: FaultKind::IsolateInstance(
                aurora_sim::vocab::ids::InstanceId::from_index(0),
                Cut::Everything,
            ),
            duration: Some(s(10)),
        }],
        duration_s: 60,
        heal_within: Some(s(1)),
        global: None,
        green: None,
    };
    let name = "heal-ending";
    let why = check_invariants(&case, name).expect_err("not whole a second after the heal");
    let said = why.to_string();
    assert!(
        said.contains("max_heal_time: after the faults were over at 15.000s"),
        "{said}"
    );
    assert!(said.contains("replay: aurora-sim run"), "{said}");
    let path = counterexample_dir().join(format!("{name}.yaml"));
    replay_fails(&path, "FAIL      max_heal_time");

    // Held to the bound its settings give, the same case heals in time.
    let whole = Case {
        heal_within: aurora_sim::check::heal_bound(case.scenario(name).config()),
        ..case
    };
    check_invariants(&whole, name).expect("whole again within its bound");
}

/// Runs the counterexample at `path` with the binary: it must exit 1 and
/// print `verdict`.
fn replay_fails(path: &std::path::Path, verdict: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = Command::new(env!("CARGO_BIN_EXE_aurora-sim"))
        .args(["run", path.to_str().expect("utf-8"), "--out"])
        .arg(dir.path())
        .output()
        .expect("binary runs");
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains(verdict), "{out}");
}
