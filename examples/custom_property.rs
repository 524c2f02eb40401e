//! A property of your own, over random clusters and fault schedules: copy
//! this into your test suite (with `aurora-sim = { features = ["proptest"] }`
//! among your dev-dependencies).
//!
//! Run it with `cargo run --example custom_property --features proptest`;
//! `PROPTEST_CASES=1000` runs more cases. A failing case is written as a
//! scenario under `target/counterexamples/` and the message says how to
//! replay it with `aurora-sim run`.

use aurora_sim::testing::{cases, check_invariants, Shape};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

fn main() {
    // Within AZ+1 (at most one storage fault at a time here), with the
    // default 4/6 quorum, the cluster never loses more than a few seconds
    // of writes to storage faults alone.
    let shape = Shape {
        quorums: vec![(4, 3)],
        max_readers: 2,
        max_faults: 1,
        storage_only: true,
    };
    let mut runner = TestRunner::new(Config {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(32),
        // A program, not a test: no source file to keep regressions beside.
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&cases(shape), |case| {
        // Every built-in invariant first; a violation fails with a replay
        // command.
        let outcome = check_invariants(&case, "my-property")?;
        // Then your own property, on the summary.
        let s = &outcome.summary;
        prop_assert_eq!(s.commits.lost, 0);
        prop_assert!(
            s.longest_write_outage_s() < 30.0,
            "writes stalled {:.1} s under a single storage fault",
            s.longest_write_outage_s()
        );
        Ok(())
    });
    match result {
        Ok(()) => println!("property held"),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
