//! Random clusters and fault schedules keep every invariant; a broken
//! quorum configuration is caught, shrunk and written as a scenario that
//! replays the loss.

use std::process::Command;

use aurora_sim::check::Invariant;
use aurora_sim::testing::{cases, check, check_invariants, counterexample_dir, Shape};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestError, TestRunner};

/// Cases per property: `PROPTEST_CASES` for long runs, else `default`.
fn case_count(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

proptest! {
    #![proptest_config(Config {
        cases: case_count(256),
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
    let dir = tempfile::tempdir().expect("tempdir");
    let o = Command::new(env!("CARGO_BIN_EXE_aurora-sim"))
        .args(["run", path.to_str().expect("utf-8"), "--out"])
        .arg(dir.path())
        .output()
        .expect("binary runs");
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("FAIL      no acknowledged commit is lost"),
        "{out}"
    );
}
