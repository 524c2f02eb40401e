//! Every shipped scenario meets its own expectations, and tells the story
//! its description promises.

use aurora_sim::scenario::print::Names;

use crate::{parse, repo, run, shipped, shipped_outcome, shipped_with};

fn assert_passes(o: &aurora_sim::Outcome) {
    let failed: Vec<_> = o
        .summary
        .expectations
        .iter()
        .filter(|e| !e.passed)
        .collect();
    assert!(failed.is_empty(), "failed expectations: {failed:#?}");
    assert!(
        !o.summary.expectations.is_empty(),
        "a shipped scenario checks something"
    );
}

/// Runs a shipped scenario and checks it meets its own expectations.
fn run_passing(name: &str) -> aurora_sim::Outcome {
    let o = run(&shipped(name));
    assert_passes(&o);
    o
}

#[test]
fn baseline_commits_at_the_offered_rate_with_low_latency() {
    // The shipped hour is the benchmark; two minutes tell the same story.
    let sc = shipped_with("baseline", &[("duration", "120s")]);
    let o = run(&sc);
    assert_passes(&o);
    let s = &o.summary;
    assert!(
        (s.commits.per_s - 5000.0).abs() < 100.0,
        "{} commits/s",
        s.commits.per_s
    );
    assert!(s.commit_latency_ms.p50 > 1.0 && s.commit_latency_ms.p50 < 8.0);
    assert_eq!(s.reads.wrong, 0);
    assert!(s.write_outages.is_empty());
    // Closed-loop: what was asked for was carried.
    assert!(
        s.commits.offered_per_s - s.commits.per_s < 1.0,
        "{:?}",
        s.commits
    );
}

#[test]
fn the_open_loop_baseline_carries_its_arrival_rate() {
    let sc = shipped_with("baseline-open-loop", &[("duration", "120s")]);
    let o = run(&sc);
    assert_passes(&o);
    let s = &o.summary;
    assert!(
        (s.commits.offered_per_s - 5000.0).abs() < 100.0,
        "{:?}",
        s.commits
    );
    assert!(
        (s.commits.per_s - s.commits.offered_per_s).abs() < 10.0,
        "{:?}",
        s.commits
    );
}

#[test]
fn a_closed_loop_shows_a_smaller_writer_as_fewer_commits_at_bounded_latency() {
    // The same 50 clients against a writer of 2 vCPUs: throughput falls to
    // what its CPU carries, and each client's wait stays bounded (Little's
    // law: 50 requests in flight at most), where an open-loop load would
    // queue without end.
    let small = |load: &str| {
        shipped_with(
            "baseline",
            &[
                ("duration", "30s"),
                (
                    "instances",
                    "[{ name: w, az: a, role: writer, class: db.r6g.large }]",
                ),
                ("workload", load),
            ],
        )
    };
    let closed = run(&small("{ records_per_commit: 3, working_set_gib: 1 }")).summary;
    let open = run(&small(
        "{ records_per_commit: 3, working_set_gib: 1, open_loop: { commits_per_s: 5000 } }",
    ))
    .summary;
    assert!(closed.commits.per_s < 4_000.0, "{:?}", closed.commits);
    assert!(
        closed.commit_latency_ms.p99 < 20.0,
        "{:?}",
        closed.commit_latency_ms
    );
    assert!(
        open.commit_latency_ms.p50 > 1_000.0,
        "{:?}",
        open.commit_latency_ms
    );
}

#[test]
fn storage_node_crash_is_absorbed_and_repaired() {
    let o = run_passing("storage-node-crash");
    assert_eq!(o.summary.storage.segments_repaired, 2);
    assert_eq!(o.summary.pgs_below_write_quorum_max, 0);
}

#[test]
fn az_outage_keeps_writes_and_reads_going() {
    let o = run_passing("az-outage");
    assert_eq!(o.summary.write_availability, 1.0);
    assert_eq!(o.summary.commits.lost, 0);
}

#[test]
#[ignore = "long tier: cargo test -- --ignored"]
fn az_plus_one_stalls_the_whole_volume_but_loses_nothing() {
    let o = run_passing("az-plus-one");
    let s = &o.summary;
    // Two PGs lost write quorum, yet commits stopped everywhere: throughput
    // fell to zero in the timeline while those PGs were below quorum.
    assert_eq!(s.pgs_below_write_quorum_max, 2);
    assert!(!s.write_outage_blocking_pgs.is_empty());
    assert!(s
        .write_outage_blocking_pgs
        .iter()
        .all(|pg| [0, 8].contains(pg)));
    let stalled_bins = o
        .timeline
        .iter()
        .filter(|r| r.pgs_below_write_quorum == 2 && r.commits == 0)
        .count();
    assert!(
        stalled_bins >= 40,
        "{stalled_bins} bins with no commit at all"
    );
    assert_eq!(s.commits.lost, 0);
    assert_eq!(s.reads.wrong, 0);
    assert!(s.read_availability > 0.99);
}

#[test]
fn two_az_outage_stops_commits_and_loses_nothing() {
    let o = run_passing("two-az-outage");
    let s = &o.summary;
    assert_eq!(s.pgs_below_read_quorum_max, 10);
    assert_eq!(s.write_outages.len(), 1);
    // Commits resume once the AZs return: the last bins run at full rate.
    let last = o.timeline.last().expect("bins");
    assert!(
        last.commits > 4_000,
        "{} commits in the last bin",
        last.commits
    );
    assert_eq!(s.commits.lost, 0);
}

#[test]
fn every_shipped_scenario_is_valid() {
    let dir = crate::repo("scenarios");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).expect("scenarios dir") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "yaml") {
            aurora_sim::Scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
            n += 1;
        }
    }
    assert!(n >= 5);
}

#[test]
fn gray_failures_are_hidden_by_the_quorum_until_a_partition_joins_them() {
    let o = run_passing("gray-failure");
    let p50 = |from: f64, to: f64| -> Vec<f64> {
        o.timeline
            .iter()
            .filter(|r| r.t_s >= from && r.t_s < to)
            .filter_map(|r| r.commit_p50_ms)
            .collect()
    };
    // A slow node and a lossy node alone: latency as healthy as before.
    assert!(
        p50(31.0, 90.0).iter().all(|&ms| ms < 10.0),
        "{:?}",
        p50(31.0, 90.0)
    );
    // Add a partition, and the bad copies are in every quorum of their PGs.
    assert!(
        p50(91.0, 150.0).iter().all(|&ms| ms > 50.0),
        "{:?}",
        p50(91.0, 150.0)
    );
    // Heal, and it is over.
    assert!(p50(160.0, 240.0).iter().all(|&ms| ms < 10.0));
    assert!(o.summary.storage.gossip_fills > 0);
}

#[test]
#[ignore = "long tier: cargo test -- --ignored"]
fn six_copies_keep_a_read_quorum_through_az_plus_one_where_three_do_not() {
    let classic = run_passing("classic-quorum-az-plus-one");
    assert_eq!(classic.summary.pgs_below_read_quorum_max, 1);
    let aurora = shipped_outcome("az-plus-one");
    assert_eq!(aurora.summary.pgs_below_read_quorum_max, 0);
    // Both stall the whole volume for the same window.
    let longest = |o: &aurora_sim::Outcome| o.summary.write_outages[0].duration_s;
    assert!((longest(&classic) - longest(aurora)).abs() < 1.0);
}

#[test]
#[ignore = "long tier: cargo test -- --ignored"]
fn failover_scenarios_meet_their_expectations() {
    for name in [
        "writer-crash",
        "fis-failover",
        "client-without-read-timeout",
        "jvm-dns-cache",
        "tier-selection",
        "single-instance",
        "az-outage-writer-az",
        "writer-partitioned",
    ] {
        let o = run_passing(name);
        assert_eq!(o.summary.commits.lost, 0, "{name}");
    }
}

#[test]
fn every_shipped_fault_prints_back_as_itself() {
    let mut printed = 0;
    for entry in std::fs::read_dir(repo("scenarios")).expect("scenarios/") {
        let path = entry.expect("directory entry").path();
        let text = std::fs::read_to_string(&path).expect("readable");
        let sc = parse(&text);
        // The file with its `faults:` section, up to the next top-level
        // key, replaced by the printed faults.
        let lines: Vec<&str> = text.lines().collect();
        let Some(start) = lines.iter().position(|l| l.starts_with("faults:")) else {
            continue;
        };
        let end = start
            + 1
            + lines[start + 1..]
                .iter()
                .take_while(|l| l.is_empty() || l.starts_with([' ', '-']))
                .count();
        let rewritten = format!(
            "{}\n{}{}\n",
            lines[..start].join("\n"),
            Names::of(&sc).faults(&sc.config().faults),
            lines[end..].join("\n")
        );
        assert_eq!(
            parse(&rewritten).config().faults,
            sc.config().faults,
            "{}",
            path.display()
        );
        printed += sc.config().faults.len();
    }
    assert!(printed > 10, "only {printed} shipped faults");
}
