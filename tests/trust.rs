//! Right under compound faults and end-of-run states: each test is a
//! finding that once came out wrong, named for what a user relies on.

use aurora_sim::Simulation;

use crate::{parse, run, shipped_outcome, shipped_with};

#[test]
fn an_outage_still_in_force_at_the_end_makes_commits_unavailable_not_lost() {
    // AZs b and c go down for a minute at 5 s; the run ends at 10 s with
    // only AZ a's two copies of each PG up, below the read quorum of 3.
    // Every disk is intact: nothing is destroyed.
    let s = run(&parse(
        "name: t\nduration: 10s\nstorage: { volume_gib: 20 }\nworkload: { open_loop: { commits_per_s: 500 } }\nfaults:\n  - az_outage: { at: 5s, az: b, duration: 60s }\n  - az_outage: { at: 5s, az: c, duration: 60s }\n",
    ))
    .summary;
    assert!(s.commits.acknowledged > 1_000);
    assert_eq!(s.commits.lost, 0, "no copy was destroyed");
    assert_eq!(
        s.commits.unavailable_at_end, s.commits.acknowledged,
        "every acknowledged commit waits for AZ b or c to return"
    );
    let durability = &s.invariants[0];
    assert!(durability.held, "{durability:?}");
}

#[test]
fn a_permanent_loss_beyond_the_quorum_is_lost_not_unavailable() {
    // AZ b and AZ c are lost for good: 2 of 6 copies survive, fewer than
    // the read quorum, so recovery can prove nothing: the commits are
    // destroyed (and the invariant does not apply beyond AZ+1).
    let s = run(&parse(
        "name: t\nduration: 10s\nstorage: { volume_gib: 20 }\nworkload: { open_loop: { commits_per_s: 500 } }\nfaults:\n  - az_outage: { at: 5s, az: b }\n  - az_outage: { at: 5s, az: c }\n",
    ))
    .summary;
    assert_eq!(s.commits.lost, s.commits.acknowledged);
    assert_eq!(s.commits.unavailable_at_end, 0);
    assert!(s.invariants[0].not_applicable.is_some());
    // An invariant not checked is not counted as held.
    let n = s.invariants.len();
    assert_eq!(
        s.invariants_in_words(),
        format!("{} of {n} invariants held, 1 not applicable", n - 1)
    );
}

/// The writer's host dies at 30 s; at 36 s, while the tier-0 reader is
/// being promoted, that reader's host dies too. A healthy tier-1 reader
/// exists, so a second attempt promotes it within the same failover.
const FAILURE_DURING_FAILOVER: &str = "name: t
duration: 90s
storage: { volume_gib: 20 }
workload: { open_loop: { commits_per_s: 200 } }
instances:
  - { name: w, az: a, role: writer }
  - { name: r0, az: b, tier: 0 }
  - { name: r1, az: c, tier: 1 }
faults:
  - writer_crash: { at: 30s }
  - instance_crash: { at: 36s, instance: r0 }
";

#[test]
fn a_failure_during_a_failover_gets_a_second_attempt() {
    let s = run(&parse(FAILURE_DURING_FAILOVER)).summary;
    assert_eq!(s.failovers.len(), 1, "one episode: {:?}", s.failovers);
    assert_eq!(s.failovers[0].to.as_deref(), Some("r1"));
    let rto = &s.rto[0];
    assert_eq!(rto.attempts.len(), 1, "the failed attempt is listed");
    assert_eq!(rto.attempts[0].to.as_deref(), Some("r0"));
    let total = rto.total_s.expect("writes came back");
    let phases = rto.detection_s
        + rto.failed_attempts_s
        + rto.selection_s
        + rto.promotion_s
        + rto.recovery_s
        + rto.dns_s;
    assert!((total - phases).abs() < 1e-9, "{rto:?}");
    // Detection (3 s), the failed attempt until its misses are counted,
    // then selection and promotion (8 s) again; DNS follows.
    let writable = total - rto.dns_s;
    assert!(writable > 13.0 && writable < 28.0, "{rto:?}");
    assert!(rto.failed_attempts_s >= 6.0, "{rto:?}");
    assert_eq!(s.commits.lost, 0);
    assert!(s.write_availability > 0.5);
}

#[test]
fn clients_that_never_come_back_read_as_never_and_fail_any_maximum() {
    let sc = crate::shipped_with(
        "client-without-read-timeout",
        &[("expect", "{ max_client_rto: 1h }")],
    );
    let s = run(&sc).summary;
    let c = s.rto[0]
        .client_observed_s
        .as_ref()
        .expect("clients measured");
    // The four clients without a read timeout hang on the dead writer,
    // including any whose last answer was already in flight at the crash.
    assert_eq!(s.hung_clients, 4);
    assert_eq!(c.unrecovered, 4, "{c:?}");
    assert_eq!(c.max, None, "never is not a number");
    let e = &s.expectations[0];
    assert!(!e.passed, "{e:?}");
    assert!(e.detail.contains("never"), "{}", e.detail);
}

#[test]
fn heavy_network_jitter_never_returns_a_page_state_that_was_not_committed() {
    // A lognormal sigma of 2 delays some messages by orders of magnitude:
    // a read's first attempt can arrive after it was retried, answered,
    // and its slot reused by a new read, at a segment that has folded its
    // pages past the old read point. Neither may pass for an answer.
    for seed in 1..=3 {
        let s = run(&parse(&format!(
            "name: t\nseed: {seed}\nduration: 30s\nnetwork: {{ jitter: 2 }}\nstorage: {{ disk_jitter: 2 }}\ninstances: [{{ name: w, az: a, role: writer, class: db.t3.medium }}]\nworkload: {{ open_loop: {{ commits_per_s: 1000, reads_per_s: 2000 }}, working_set_gib: 8, access: uniform }}\n"
        )))
        .summary;
        assert!(s.reads.correct > 20_000, "{:?}", s.reads);
        assert_eq!(s.reads.wrong, 0, "seed {seed}: {:?}", s.reads);
        assert!(s.invariants.iter().all(|i| i.held), "{:?}", s.invariants);
    }
}

#[test]
fn a_reader_back_during_a_replacement_takes_over() {
    // Found by the swarm: both instances are in AZ a; a manual failover
    // starts and AZ a goes down 2 ms later, so the failover can only
    // create a replacement (20 s). AZ a is back at 10 s and both instances
    // restart as readers at 16 s: promoting one is sooner than waiting for
    // the replacement.
    let s = run(&parse(
        "name: t\nduration: 60s\nstorage: { volume_gib: 20 }\nworkload: { open_loop: { commits_per_s: 200 } }\ncontrol_plane: { provision_time: 20s, provision_sigma: 0 }\ninstances:\n  - { name: w, az: a, role: writer }\n  - { name: r1, az: a, tier: 0 }\nfaults:\n  - failover: { at: 5s }\n  - az_outage: { at: 5002ms, az: a, duration: 5s }\n",
    ))
    .summary;
    let rto = &s.rto[0];
    assert!(rto.total_s.expect("finished") - rto.dns_s < 23.0, "{rto:?}");
    assert!(!s.failovers[0].provisioned, "{:?}", s.failovers[0]);
    assert!(s.invariants.iter().all(|i| i.held), "{:?}", s.invariants);
}

#[test]
fn a_failover_to_the_writer_is_refused_and_a_restart_is_not_a_replacement() {
    let to_self = run(&parse(
        "name: t\nduration: 20s\nstorage: { volume_gib: 20 }\nworkload: { open_loop: { commits_per_s: 200 } }\ninstances:\n  - { name: w, az: a, role: writer }\n  - { name: r, az: b }\nfaults:\n  - failover: { at: 5s, target: w }\n",
    ))
    .summary;
    assert!(to_self.failovers.is_empty(), "{:?}", to_self.failovers);
    assert_eq!(to_self.write_availability, 1.0);
    // Without a reader, a manual failover restarts the writer in place:
    // its host is up, so nothing is created.
    let restart = run(&parse(
        "name: t\nduration: 30s\nstorage: { volume_gib: 20 }\nworkload: { open_loop: { commits_per_s: 200 } }\nfaults:\n  - failover: { at: 5s }\n",
    ))
    .summary;
    assert_eq!(restart.failovers.len(), 1);
    assert!(
        !restart.failovers[0].provisioned,
        "{:?}",
        restart.failovers[0]
    );
}

#[test]
fn the_workload_never_offers_more_than_its_rate() {
    // A one-second group commit (the longest accepted) over a 3 s run: the
    // tick at time zero once brought a whole interval of arrivals from
    // before the start.
    let s = run(&parse(
        "name: t\nduration: 3s\nstorage: { volume_gib: 20 }\nworkload: { open_loop: { commits_per_s: 100000 }, group_commit_interval: 1s }\n",
    ))
    .summary;
    assert!(s.commits.offered <= 303_000, "{:?}", s.commits);
    assert!(s.commits.per_s <= 100_000.0, "{:?}", s.commits);
    let s = run(&parse(
        "name: t\nduration: 10s\nstorage: { volume_gib: 20 }\nworkload: { open_loop: { commits_per_s: 500 } }\n",
    ))
    .summary;
    assert!(
        (s.commits.offered as f64 - 5_000.0).abs() < 300.0,
        "{:?}",
        s.commits
    );
}

/// Reduced by delta-debugging from random input: tiny quorums, a slow
/// disk, repair after a millisecond and health checks every millisecond.
const MEMBERSHIP_CHURN: &str = "name: t
duration: 30s
topology: { azs: [a, b], storage_nodes_per_az: 2 }
storage: { copies: 2, write_quorum: 2, read_quorum: 1, disk_latency: 1s, repair_after: 1ms }
control_plane: { health_check_interval: 100ms }
clients:
  - { name: app, count: 1 }
faults:
";

#[test]
fn tables_sized_before_a_membership_change_are_never_indexed_past_their_end() {
    for faults in [
        "  - storage_node_crash: { at: 2734ms, node: b-1 }\n",
        "  - slow_node: { at: 902ms, node: b-2, factor: 20, duration: 5s }\n  - storage_node_crash: { at: 2734ms, node: b-1 }\n",
    ] {
        let s = run(&parse(&format!("{MEMBERSHIP_CHURN}{faults}"))).summary;
        assert!(s.storage.segments_repaired > 0, "{faults}");
    }
    // A promotion whose recovery waits for a read quorum of PG 0 (AZ c
    // down, and PG 0's copies in AZ b) while PG 1 is repaired: segments
    // answer the recovering writer and a repair adds a segment before the
    // recovery ends. Once an index out of bounds in the writer's points.
    let s = run(&parse(
        "name: t\nduration: 60s\ntopology: { storage_nodes_per_az: 4 }\nstorage: { volume_gib: 20, repair_after: 1s }\nworkload: { open_loop: { commits_per_s: 200 } }\ninstances:\n  - { name: w, az: a, role: writer }\n  - { name: r, az: a, tier: 0 }\nfaults:\n  - writer_crash: { at: 5s }\n  - storage_node_crash: { at: 10s, node: b-2, recover_after: 30s }\n  - storage_node_crash: { at: 10s, node: b-3, recover_after: 30s }\n  - az_outage: { at: 10s, az: c, duration: 30s }\n  - storage_node_crash: { at: 10s, node: b-1 }\n",
    ))
    .summary;
    assert!(s.storage.segments_repaired > 0, "{:?}", s.storage);
}

#[test]
fn repair_waits_for_a_read_quorum_and_never_spins() {
    // AZ a is down for a while and nodes b-2 and b-3 (PG 0's copies in
    // AZ b) are lost: PG 0 falls to 2 of 6 live copies, below the read
    // quorum; repair must
    // wait until AZ a returns rather than rebuild from a copy nothing can
    // prove complete, and with `repair_after: 0s` it must not loop at one
    // instant.
    let s = run(&parse(
        "name: t\nduration: 60s\ntopology: { storage_nodes_per_az: 4 }\nstorage: { volume_gib: 20, repair_after: 0s }\nworkload: { open_loop: { commits_per_s: 200 } }\nfaults:\n  - az_outage: { at: 2s, az: a, duration: 20s }\n  - storage_node_crash: { at: 3s, node: b-2 }\n  - storage_node_crash: { at: 3s, node: b-3 }\n",
    ))
    .summary;
    assert!(s.storage.repairs_waiting_for_quorum > 10, "{:?}", s.storage);
    assert_eq!(s.storage.segments_repaired, 2, "after AZ a returns");
    assert_eq!(s.commits.lost, 0);
    assert!(s.invariants.iter().all(|i| i.held), "{:?}", s.invariants);
}

#[test]
fn a_report_over_absurd_numbers_refuses_them_and_never_spins() {
    use crate::{aurora, run_file, text};
    let (dir, o) = run_file("name: r\nduration: 5s\nstorage: { volume_gib: 20 }\n", &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let run = dir.path().join("out/r");
    let summary = std::fs::read_to_string(run.join("summary.json")).expect("summary");
    let timeline = std::fs::read_to_string(run.join("timeline.csv")).expect("timeline");
    let p99 = summary.find("\"p99\": ").expect("a p99") + "\"p99\": ".len();
    let end = p99 + summary[p99..].find(',').expect("value ends");
    for (file, text_of) in [
        (
            "summary.json",
            format!("{}1e308{}", &summary[..p99], &summary[end..]),
        ),
        (
            "timeline.csv",
            timeline.replacen("\n0.000,", "\n0.000,inf", 1),
        ),
    ] {
        let bad = dir.path().join(format!("bad-{file}"));
        std::fs::create_dir_all(&bad).expect("dir");
        for f in ["summary.json", "timeline.csv"] {
            std::fs::copy(run.join(f), bad.join(f)).expect("copy");
        }
        std::fs::write(bad.join(file), &text_of).expect("write");
        let o = aurora(
            &["report", bad.to_str().expect("utf-8"), "--out", "p.html"],
            dir.path(),
        );
        assert_eq!(o.status.code(), Some(2), "{file}: {}", text(&o));
        assert!(text(&o).contains(&format!("{file}:")), "{}", text(&o));
        assert!(!dir.path().join("p.html").exists());
    }
}

#[test]
fn a_report_over_a_long_timeline_streams_it_into_a_page_of_bounded_size() {
    // 400,000 rows (40 MB) of a timeline: read in two streaming passes,
    // kept as min/max buckets, drawn into a page of a few hundred KB.
    use crate::{aurora, run_file, text};
    use std::io::Write;
    let (dir, o) = run_file("name: r\nduration: 5s\nstorage: { volume_gib: 20 }\n", &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let run = dir.path().join("out/r");
    let timeline = std::fs::read_to_string(run.join("timeline.csv")).expect("timeline");
    let (header, rows) = timeline.split_once('\n').expect("a header");
    let row = rows.lines().nth(1).expect("a row");
    let rest = row.split_once(',').expect("columns").1;
    let mut f =
        std::io::BufWriter::new(std::fs::File::create(run.join("timeline.csv")).expect("csv"));
    writeln!(f, "{header}").expect("write");
    for i in 0..400_000u32 {
        writeln!(f, "{}.{:03},{rest}", i / 1000, i % 1000).expect("write");
    }
    drop(f);
    let o = aurora(
        &["report", run.to_str().expect("utf-8"), "--out", "p.html"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let page = std::fs::metadata(dir.path().join("p.html"))
        .expect("page")
        .len();
    assert!(page < 4 << 20, "a {page}-byte page");
}

#[test]
fn healing_waits_for_clients_instances_and_a_writer_even_without_commits() {
    // Cut off from the control plane for 4 s, the writer serves on until
    // the failover stops it at about 20 s; its clients' first successes
    // after the cut heals are not their return, which comes after the
    // failover.
    let cut = run(&parse(
        "name: cp\nduration: 60s\ninstances:\n  - { name: w, az: a, role: writer }\n  - { name: r1, az: b, tier: 0 }\nclients:\n  - { name: direct, count: 3, az: b, read_timeout: 2s }\nfaults:\n  - network_partition: { at: 10s, instance: w, from: control_plane, duration: 4s }\n",
    ))
    .summary;
    let clients = cut.healing.clients_back_s.expect("clients back");
    assert!(clients > 10.0, "{:?}", cut.healing);
    // A large reader restarting for 20 s after its host returns: the
    // cluster is not whole while it does.
    let reader = run(&parse(
        "name: rc\nduration: 60s\ninstances:\n  - { name: w, az: a, role: writer }\n  - { name: r1, az: b, tier: 0, class: db.r6g.16xlarge }\nfaults:\n  - instance_crash: { at: 10s, instance: r1, recover_after: 2s }\n",
    ))
    .summary;
    let up = reader.healing.instances_back_s.expect("instances back");
    assert!(up > 15.0, "{:?}", reader.healing);
    // With no commits offered, writes are back when a writer opens, not
    // at once.
    let idle = run(&parse(
        "name: nc\nduration: 60s\nworkload: { open_loop: { commits_per_s: 0, reads_per_s: 0 } }\nfaults:\n  - writer_crash: { at: 10s, recover_after: 5s }\n",
    ))
    .summary;
    let writes = idle.healing.writes_back_s.expect("a writer opened");
    assert!(writes > 3.0, "{:?}", idle.healing);
}

#[cfg(unix)]
#[test]
fn a_report_refuses_a_device_or_pipe_in_place_of_a_runs_files() {
    use aurora_sim::report::Results;
    let dir = tempfile::tempdir().expect("tempdir");
    let o = run(&parse("name: r\nduration: 2s\n"));
    std::fs::write(dir.path().join("summary.json"), o.summary_json()).expect("summary");
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("timeline.csv")).expect("symlink");
    let e = Results::load(dir.path()).expect_err("/dev/zero is not a timeline");
    assert!(e.to_string().contains("not a regular file"), "{e}");
}

#[test]
fn the_report_leads_with_invariant_verdicts() {
    use aurora_sim::report::{page, Results};
    let broken = run(&parse(
        "name: broken\nduration: 6s\nstorage: { volume_gib: 20, write_quorum: 2, read_quorum: 2, unsafe_quorum: true }\nworkload: { open_loop: { commits_per_s: 500 } }\nfaults:\n  - network_partition: { at: 1s, between: [a, b] }\n  - network_partition: { at: 1s, between: [a, c] }\n  - az_outage: { at: 3s, az: a }\n",
    ));
    assert!(!broken.invariants_held());
    let fine = run(&parse(
        "name: fine\nduration: 3s\nstorage: { volume_gib: 20 }\n",
    ));
    let page = page(&[Results::from_outcome(&broken), Results::from_outcome(&fine)]);
    let alarm = page
        .find("<span class=\"fail\">invariant violated: ")
        .expect("a violation is named in red");
    let comparison = page
        .find("<h2 id=\"comparison\">Comparison</h2>")
        .expect("comparison");
    assert!(
        alarm < comparison,
        "the verdict comes before everything else"
    );
    assert!(
        page.contains("<td>invariants</td>"),
        "the comparison has a row"
    );
    assert!(page.contains("-invariants\">Invariants</h3>"));
    assert!(page.contains("all 6 invariants held"));
}

#[test]
fn quorum_health_counts_live_copies_and_the_writers_reach_apart() {
    // The writer is cut off from storage for a minute; every node is up.
    let s = &shipped_outcome("writer-partitioned").summary;
    assert_eq!(s.pgs_below_write_quorum_max, 0, "storage is healthy");
    assert_eq!(s.pgs_below_read_quorum_max, 0);
    assert_eq!(
        s.pgs_out_of_writer_reach_max, s.storage.pgs,
        "the cut-off writer reaches no PG's quorum"
    );
}

#[test]
fn an_outage_shows_in_what_was_refused_and_what_clients_waited() {
    let s = &shipped_outcome("writer-crash").summary;
    // Acknowledged commits alone look healthy through an 11 s outage…
    assert!(s.commit_latency_ms.p99 < 10.0, "{:?}", s.commit_latency_ms);
    // …so the outage the application's demand met, and what clients
    // waited and failed, are shown.
    assert!(
        s.write_outages.first().is_some_and(|o| o.duration_s > 5.0),
        "{:?}",
        s.write_outages
    );
    assert!(s.client_errors.total() > 50, "{:?}", s.client_errors);
    assert!(
        s.client_latency_ms
            .as_ref()
            .is_some_and(|l| l.max > 10_000.0),
        "{:?}",
        s.client_latency_ms
    );
    assert_eq!(s.write_outages.len(), 1, "one outage, not split by a blip");
}

#[test]
fn expectations_judge_what_was_refused_unavailable_and_what_clients_waited() {
    let sc = crate::shipped_with(
        "writer-crash",
        &[(
            "expect",
            "{ max_commit_p99: 10ms, max_commits_not_acknowledged: 0, max_commits_unavailable_at_end: 0, max_client_p99: 1s, max_client_latency: 1s }",
        )],
    );
    let s = run(&sc).summary;
    let verdict = |name: &str| {
        s.expectations
            .iter()
            .find(|e| e.name == name)
            .unwrap_or_else(|| panic!("{name} judged"))
    };
    assert!(
        verdict("max_commit_p99").passed,
        "acknowledged commits look fine"
    );
    let refused = verdict("max_commits_not_acknowledged");
    assert!(!refused.passed, "{refused:?}");
    assert!(
        refused
            .detail
            .contains(" abandoned by a writer that went away"),
        "{refused:?}"
    );
    assert!(verdict("max_commits_unavailable_at_end").passed);
    assert!(
        verdict("max_client_p99").passed,
        "few requests met the outage"
    );
    let longest = verdict("max_client_latency");
    assert!(
        !longest.passed,
        "clients waited out the outage: {longest:?}"
    );
}

#[test]
fn a_target_given_up_on_never_becomes_the_writer_behind_the_control_planes_back() {
    // Found in review: reader-1 is cut off while being promoted, its
    // attempt is given up, reader-2 is chosen; then reader-1's partition
    // heals and its recovery completes. It must step down, and the record
    // must name the writer that actually opened, with phases that add up.
    // The partition starts just before reader-1's engine is up: found
    // from the same run without it (the draws are the same).
    let yaml = |partition: &str| {
        format!("name: t\nduration: 60s\nstorage: {{ volume_gib: 20 }}\nworkload: {{ open_loop: {{ commits_per_s: 200 }} }}\ninstances:\n  - {{ name: writer-1, az: a, class: db.r6g.2xlarge, tier: 1, role: writer }}\n  - {{ name: reader-1, az: b, class: db.r6g.2xlarge, tier: 0 }}\n  - {{ name: reader-2, az: c, class: db.r6g.2xlarge, tier: 1 }}\nfaults:\n  - writer_crash: {{ at: 10s }}\n{partition}")
    };
    let probe = run(&parse(&yaml(""))).summary;
    let r = &probe.rto[0];
    let up = probe.failovers[0].at_s + r.detection_s + r.selection_s + r.promotion_s;
    let s = run(&parse(&yaml(&format!(
        "  - network_partition: {{ at: {}ms, instance: reader-1, duration: 5s }}\n",
        (up * 1000.0) as u64 - 100
    ))))
    .summary;
    assert_eq!(s.failovers.len(), 1);
    assert_eq!(s.failovers[0].to.as_deref(), Some("reader-2"));
    let rto = &s.rto[0];
    let total = rto.total_s.expect("finished");
    assert!((total - rto.cluster_s()).abs() < 1e-6, "{rto:?}");
    assert!(rto.failed_attempts_s > 0.0, "{rto:?}");
    assert!(s.invariants.iter().all(|i| i.held), "{:?}", s.invariants);
}

#[test]
fn a_reader_out_of_reach_only_while_the_failover_chose_still_takes_over() {
    // Found in review: the only reader is cut off for 3 s just as the
    // failover probes it, so a replacement is started; once the reader
    // answers again it is promoted instead of waiting minutes.
    let s = run(&parse(
        "name: t\nduration: 60s\nstorage: { volume_gib: 20 }\nworkload: { open_loop: { commits_per_s: 200 } }\ninstances:\n  - { name: writer-1, az: a, role: writer }\n  - { name: reader-1, az: b, tier: 0 }\nfaults:\n  - writer_crash: { at: 10s }\n  - network_partition: { at: 12s, instance: reader-1, duration: 3s }\n",
    ))
    .summary;
    assert_eq!(s.failovers[0].to.as_deref(), Some("reader-1"));
    assert!(!s.failovers[0].provisioned);
    let writable = s.rto[0].total_s.expect("finished") - s.rto[0].dns_s;
    assert!(writable < 18.0, "{:?}", s.rto[0]);
    assert!(s.invariants.iter().all(|i| i.held), "{:?}", s.invariants);
}

#[test]
fn a_run_stopped_early_reports_only_the_time_it_simulated() {
    let sc = parse("name: t\nduration: 10s\nworkload: { open_loop: { commits_per_s: 5000, reads_per_s: 1000 } }\nstorage: { volume_gib: 20 }\n");
    let o = aurora_sim::Simulation::new(&sc)
        .max_events(50_000)
        .run()
        .expect("no sink");
    let s = &o.summary;
    assert!(s.stopped_early.is_some());
    assert_eq!(s.events_processed, 50_000, "the budget is exact");
    assert!(s.simulated_s < 10.0, "{}", s.simulated_s);
    assert!(
        s.write_outages.is_empty(),
        "the unsimulated rest is no outage: {:?}",
        s.write_outages
    );
    assert!(
        (s.commits.per_s - 5_000.0).abs() < 500.0,
        "rates over the time simulated: {}",
        s.commits.per_s
    );
    assert!(!o.passed());
}

/// The cluster of the compound-fault tests below: a writer in AZ a, a
/// tier-0 reader in b and a tier-1 reader in c, with `extra` appended.
fn three_az_cluster(name: &str, duration: &str, faults: &str) -> aurora_sim::Scenario {
    parse(&format!(
        "name: {name}\nduration: {duration}\nstorage: {{ volume_gib: 20 }}\nworkload: {{ open_loop: {{ commits_per_s: 200 }} }}\ninstances:\n  - {{ name: writer-1, az: a, class: db.r6g.2xlarge, tier: 1, role: writer }}\n  - {{ name: reader-b, az: b, class: db.r6g.2xlarge, tier: 0 }}\n  - {{ name: reader-c, az: c, class: db.r6g.2xlarge, tier: 1 }}\nclients:\n  - {{ name: app, count: 4, az: c, read_timeout: 5s, connect_timeout: 2s }}\nfaults:\n{faults}"
    ))
}

fn all_held(s: &aurora_sim::metrics::Summary) {
    let broken: Vec<&str> = s
        .invariants
        .iter()
        .filter(|i| !i.held)
        .map(|i| i.name.as_str())
        .collect();
    assert!(broken.is_empty(), "violated: {broken:?}");
}

#[test]
fn a_reader_cut_off_from_storage_is_not_promoted() {
    // AZ b is cut off from a and c, so reader-b (tier 0) reaches two
    // copies of each PG; promoted, its recovery waited forever while it
    // answered every health check. It is passed over for reader-c.
    let s = run(&three_az_cluster(
        "cut-off",
        "60s",
        "  - network_partition: { at: 5s, between: [a, b] }\n  - network_partition: { at: 5s, between: [b, c] }\n  - writer_crash: { at: 10s }\n",
    ))
    .summary;
    assert_eq!(s.failovers.len(), 1);
    assert_eq!(s.failovers[0].to.as_deref(), Some("reader-c"));
    let writable = s.rto[0].total_s.map(|t| t - s.rto[0].dns_s);
    assert!(writable.is_some_and(|t| t < 18.0), "{:?}", s.rto[0]);
    all_held(&s);
}

#[test]
fn a_recovery_that_loses_storage_gives_up_and_another_instance_takes_over() {
    // reader-b is chosen, then AZ b is cut off from a and c while it is
    // promoted: its recovery reaches no read quorum, stalls, and the
    // attempt is given up for reader-c.
    let s = run(&three_az_cluster(
        "lost-storage",
        "60s",
        "  - writer_crash: { at: 10s }\n  - network_partition: { at: 15s, between: [a, b] }\n  - network_partition: { at: 15s, between: [b, c] }\n",
    ))
    .summary;
    assert_eq!(s.failovers.len(), 1, "{:?}", s.failovers);
    assert_eq!(s.failovers[0].to.as_deref(), Some("reader-c"));
    let rto = &s.rto[0];
    assert_eq!(rto.attempts.len(), 1, "{rto:?}");
    assert_eq!(rto.attempts[0].to.as_deref(), Some("reader-b"));
    assert!(rto.total_s.is_some(), "{rto:?}");
    all_held(&s);
}

#[test]
fn slow_links_and_lost_probes_are_not_a_failed_writer() {
    // A round trip longer than the check interval: every answer arrived
    // after the next check and was ignored, so healthy writers failed
    // over again and again.
    let slow = run(&parse(
        "name: slow\nduration: 30s\nstorage: { volume_gib: 20 }\nworkload: { open_loop: { commits_per_s: 200 } }\nnetwork: { cross_az_latency: 600ms }\ninstances:\n  - { name: w, az: a, role: writer }\n  - { name: r, az: b }\n",
    ))
    .summary;
    assert!(slow.failovers.is_empty(), "{:?}", slow.failovers);
    // Loss of one packet in five: a probe lost is sent again, as TCP
    // would, so three checks in a row do not fail by chance.
    let lossy = run(&three_az_cluster(
        "lossy",
        "120s",
        "  - packet_loss: { at: 5s, rate: 0.2 }\n",
    ))
    .summary;
    assert!(lossy.failovers.is_empty(), "{:?}", lossy.failovers);
}

#[test]
fn a_slow_disk_the_scenario_asks_for_is_not_a_stall() {
    // Every persist takes about 10 s: a commit's own path, not a stall.
    let s = run(&parse(
        "name: t\nduration: 60s\nstorage: { volume_gib: 20, disk_latency: 10s }\nworkload: { open_loop: { commits_per_s: 50 } }\n",
    ))
    .summary;
    all_held(&s);
    assert!(s.commits.acknowledged > 1_000, "{:?}", s.commits);
}

#[test]
fn a_load_storage_cannot_keep_up_with_is_a_queue_not_a_stall() {
    // A writer that can offer 50,000 commits/s over disks that write
    // 20 Mb/s: the queues grow, batches grow with them, and the VDL moves
    // in jumps over ten seconds apart. Quorum liveness promises progress
    // at the pace the settings allow, not latency.
    let s = run(&parse(
        "name: t\nduration: 30s\nstorage: { volume_gib: 10, disk_gbps: 0.02 }\nworkload: { open_loop: { commits_per_s: 50000 } }\ninstances:\n  - { name: w, az: a, role: writer, class: db.r6g.16xlarge }\n",
    ))
    .summary;
    assert!(
        s.commit_latency_ms.p99 > 10_000.0,
        "{:?}",
        s.commit_latency_ms
    );
    all_held(&s);
}

#[test]
fn a_raised_allocation_limit_does_not_stretch_the_liveness_bound_past_the_load() {
    // What may be in flight is what the run offers, when that is less
    // than the limit: a billion-LSN limit at 500 commits/s for 45 s
    // allows no longer a drain than the default limit does.
    let drain = |lal: &str| {
        parse(&format!(
            "name: t\nduration: 45s\nstorage: {{ volume_gib: 20{lal} }}\nworkload: {{ open_loop: {{ commits_per_s: 500 }} }}\n"
        ))
        .config()
        .longest_drain()
    };
    assert_eq!(drain(", lsn_allocation_limit: 1000000000"), drain(""));
    assert!(drain("").as_secs_f64() < 0.1, "{:?}", drain(""));
}

#[test]
fn a_copy_slowed_ten_thousandfold_promises_no_commit_latency() {
    // Three of six nodes answer in 10 s: every write quorum needs one of
    // them. The cluster is live but slow, which quorum liveness does not
    // promise against.
    let s = run(&parse(
        "name: slow\nduration: 40s\ntopology: { storage_nodes_per_az: 2 }\nstorage: { volume_gib: 20 }\nworkload: { open_loop: { commits_per_s: 100 } }\nfaults:\n  - slow_node: { at: 5s, node: a-1, factor: 10000 }\n  - slow_node: { at: 5s, node: b-1, factor: 10000 }\n  - slow_node: { at: 5s, node: c-1, factor: 10000 }\n",
    ))
    .summary;
    // The commits before the fault are fast; those after wait seconds for
    // the slow copies' disks (each operation there holds the disk for a
    // tenth of a second), and few of them are acknowledged at all.
    assert!(
        s.commit_latency_ms.p99 > 5_000.0,
        "{:?}",
        s.commit_latency_ms
    );
    all_held(&s);
}

#[test]
fn a_replacement_is_not_brought_up_in_an_az_that_is_down() {
    // The only instance's host dies; its replacement is created in AZ a,
    // which goes down before it is ready. It used to come up inside the
    // dead AZ and fail every few seconds; now it waits for the AZ (or a
    // replacement elsewhere, here 8 minutes away) and opens once a is back
    // at 660 s.
    let s = run(&parse(
        "name: t\nduration: 12m\nstorage: { volume_gib: 20 }\nworkload: { open_loop: { commits_per_s: 100 } }\ncontrol_plane: { provision_time: 8m, provision_sigma: 0 }\ninstances:\n  - { name: w, az: a, role: writer }\nfaults:\n  - writer_crash: { at: 10s }\n  - az_outage: { at: 60s, az: a, duration: 10m }\n",
    ))
    .summary;
    let rto = &s.rto[0];
    assert!(rto.attempts.len() <= 1, "{rto:?}");
    let total = rto.total_s.expect("open again");
    assert!((650.0..670.0).contains(&total), "{rto:?}");
    all_held(&s);
}

#[test]
fn an_instance_whose_host_returns_restarts_there_instead_of_waiting_for_a_replacement() {
    let s = run(&parse(
        "name: t\nduration: 10m\nstorage: { volume_gib: 20 }\nworkload: { open_loop: { commits_per_s: 100 } }\ninstances:\n  - { name: w, az: a, role: writer }\nfaults:\n  - writer_crash: { at: 10s, recover_after: 30s }\n",
    ))
    .summary;
    assert_eq!(s.failovers.len(), 1);
    assert!(!s.failovers[0].provisioned, "{:?}", s.failovers[0]);
    let total = s.rto[0].total_s.expect("open again");
    // Back at 40 s, then a restart: not the 480 s of a new instance.
    assert!(total < 60.0, "{:?}", s.rto[0]);
}

#[test]
fn a_requested_failover_to_an_unavailable_target_is_refused_and_says_why() {
    let s = run(&three_az_cluster(
        "t",
        "30s",
        "  - failover: { at: 10s, target: reader-c }\n  - instance_crash: { at: 9s, instance: reader-c }\n",
    ))
    .summary;
    assert!(s.failovers.is_empty(), "{:?}", s.failovers);
    assert_eq!(s.write_availability, 1.0);
    assert_eq!(
        s.faults[0].refused.as_deref(),
        Some("the target was not available")
    );
    assert_eq!(s.faults[1].refused, None);
}

#[test]
fn a_writer_lost_at_the_start_is_detected_and_timed_like_any_other() {
    let s = run(&three_az_cluster(
        "t",
        "60s",
        "  - writer_crash: { at: 0s }\n",
    ))
    .summary;
    let rto = &s.rto[0];
    // The control plane checks from within its first second: three missed
    // checks after the first.
    assert!((3.0..4.0).contains(&rto.detection_s), "{rto:?}");
    // Clients that never wrote before the fault waited for their first
    // success: they are measured, not "no failover".
    let c = rto.client_observed_s.as_ref().expect("clients measured");
    assert_eq!(c.clients, 4, "{c:?}");
    assert!(c.max.is_some_and(|m| m > rto.total_s.unwrap()), "{c:?}");
}

#[test]
fn losses_repaired_one_at_a_time_stay_within_the_durability_premise() {
    // PG 0 sits on a-1, a-2, b-2, b-3, c-3, c-4. Four of them are lost for
    // good, 20 s apart, and each is re-created before the next: the PG
    // never has more than one copy missing, so durability is judged (it
    // was "not applicable", from the starting layout alone).
    let s = run(&parse(
        "name: t\nduration: 100s\ntopology: { storage_nodes_per_az: 4 }\nstorage: { volume_gib: 10, repair_after: 1s }\nworkload: { open_loop: { commits_per_s: 200 } }\nfaults:\n  - storage_node_crash: { at: 5s, node: a-1 }\n  - storage_node_crash: { at: 25s, node: a-2 }\n  - storage_node_crash: { at: 45s, node: b-2 }\n  - storage_node_crash: { at: 65s, node: b-3 }\n",
    ))
    .summary;
    assert!(s.storage.segments_repaired >= 3, "{:?}", s.storage);
    let durability = &s.invariants[0];
    assert_eq!(durability.not_applicable, None, "{durability:?}");
    assert!(durability.held);
    // Four lost at once are beyond it, from the moment the fourth goes.
    let s = run(&parse(
        "name: t\nduration: 20s\ntopology: { storage_nodes_per_az: 4 }\nstorage: { volume_gib: 10 }\nworkload: { open_loop: { commits_per_s: 200 } }\nfaults:\n  - storage_node_crash: { at: 5s, node: a-1 }\n  - storage_node_crash: { at: 5s, node: a-2 }\n  - storage_node_crash: { at: 5s, node: b-2 }\n  - storage_node_crash: { at: 6s, node: b-3 }\n",
    ))
    .summary;
    let why = s.invariants[0]
        .not_applicable
        .as_deref()
        .expect("beyond AZ+1");
    assert!(
        why.starts_with("from 6.000 s PG 0 has lost 4 of 6"),
        "{why}"
    );
}

#[test]
fn commits_a_deposed_writer_still_holds_are_abandoned_and_judged() {
    // The partitioned writer keeps taking commits its successor's epoch
    // will never let it acknowledge: abandoned, not "waiting".
    let sc = crate::shipped_with(
        "writer-partitioned",
        &[("expect", "{ max_commits_not_acknowledged: 100 }")],
    );
    let s = run(&sc).summary;
    let c = &s.commits;
    // Its clients, whose 30 s DNS cache still names it, keep sending a
    // transaction per 5 s timeout each.
    assert!(c.abandoned > 100, "{c:?}");
    assert!(c.waiting_at_end < 1_000, "{c:?}");
    assert_eq!(
        c.arrived,
        c.acknowledged + c.refused + c.abandoned + c.waiting_at_end
    );
    assert!(!s.expectations[0].passed, "{:?}", s.expectations[0]);
}

#[test]
fn client_latency_counts_hung_requests_and_needs_a_client() {
    // Clients without a read timeout hang on the dead writer to the end:
    // their wait so far is part of what clients saw.
    let sc = crate::shipped_with(
        "client-without-read-timeout",
        &[("expect", "{ max_client_latency: 20s }")],
    );
    let s = run(&sc).summary;
    assert!(s.hung_clients > 0);
    assert!(
        s.client_latency_ms
            .as_ref()
            .is_some_and(|l| l.max > 60_000.0),
        "{:?}",
        s.client_latency_ms
    );
    assert!(!s.expectations[0].passed, "{:?}", s.expectations[0]);
    // No client, nothing to judge: a maximum fails rather than passing.
    let s = run(&parse(
        "name: t\nduration: 5s\nstorage: { volume_gib: 20 }\nworkload: { open_loop: { commits_per_s: 100 } }\nexpect: { max_client_p99: 1us }\n",
    ))
    .summary;
    let e = &s.expectations[0];
    assert!(!e.passed && e.detail == "no client made a request", "{e:?}");
}

#[test]
fn a_requested_failover_to_a_target_cut_off_from_storage_is_refused() {
    let s = run(&three_az_cluster(
        "t",
        "30s",
        "  - network_partition: { at: 5s, between: [a, b] }\n  - network_partition: { at: 5s, between: [b, c] }\n  - failover: { at: 10s, target: reader-b }\n",
    ))
    .summary;
    assert!(s.failovers.is_empty(), "{:?}", s.failovers);
    assert_eq!(
        s.faults[2].refused.as_deref(),
        Some("the target reached no read quorum of some PG")
    );
}

/// Found in review, reduced by delta-debugging (tests/data): the demoted
/// writer, back from a zero-time restart while the control plane still
/// chose, came up as the writer it still named, recovered, opened and was
/// demoted again every few milliseconds, and the churn of recoveries lost
/// acknowledged commits and returned uncommitted pages.
#[test]
fn a_writer_restarting_during_a_selection_comes_back_a_reader() {
    let sc =
        aurora_sim::Scenario::load(&crate::repo("tests/data/failover-churn.yaml")).expect("valid");
    let s = run(&sc).summary;
    all_held(&s);
    assert_eq!(s.failovers.len(), 1, "{:?}", s.failovers);
    assert_eq!(s.failovers[0].to.as_deref(), Some("rb"));
}

/// Found by the swarm (tests/data): a recovery whose read quorum of
/// answers reaches a lower VDL than an earlier recovery established waits
/// for the copies that hold the rest instead of truncating what the
/// earlier one declared committed.
#[test]
fn a_recovery_never_comes_back_below_what_an_earlier_one_established() {
    let sc = aurora_sim::Scenario::load(&crate::repo("tests/data/recovery-below-established.yaml"))
        .expect("valid");
    let s = run(&sc).summary;
    all_held(&s);
    assert_eq!(s.commits.lost, 0);
    assert_eq!(s.storage.recoveries, 2);
}

/// Found by the property test (tests/data): a recovery whose answers
/// reach the VDL an earlier one established, but not a PG's last record
/// below it, waits for the copies that hold that record instead of
/// serving the page without it.
#[test]
fn a_recovery_waits_for_every_pg_tail_an_earlier_one_established() {
    let sc = aurora_sim::Scenario::load(&crate::repo("tests/data/recovery-short-of-a-tail.yaml"))
        .expect("valid");
    let s = run(&sc).summary;
    all_held(&s);
    assert_eq!(s.reads.wrong, 0);
    assert_eq!(s.storage.recoveries, 2);
}

/// Found by the swarm (tests/data): a read of the new epoch that reaches
/// a segment before any of that epoch's batches makes it apply the
/// truncation first, instead of folding a superseded record in.
#[test]
fn a_read_makes_a_segment_apply_a_truncation_it_has_not_seen() {
    let sc =
        aurora_sim::Scenario::load(&crate::repo("tests/data/read-after-unseen-truncation.yaml"))
            .expect("valid");
    let s = run(&sc).summary;
    all_held(&s);
    assert_eq!(s.reads.wrong, 0);
    assert!(s.reads.correct > 5_000, "{:?}", s.reads);
}

#[test]
fn availability_counts_only_the_time_beyond_the_threshold() {
    // One-second group commits: the first commits of each tick wait just
    // past the 1 s threshold. The blips are one outage by count, but the
    // time between them was available.
    let s = run(&parse(
        "name: t\nduration: 10s\nstorage: { volume_gib: 20 }\nworkload: { open_loop: { commits_per_s: 5000 }, group_commit_interval: 1s }\n",
    ))
    .summary;
    assert!(
        s.commit_latency_ms.max > 1_000.0,
        "{:?}",
        s.commit_latency_ms
    );
    assert!(s.write_availability > 0.99, "{}", s.write_availability);
}

#[test]
fn what_was_not_measured_is_null_not_zero() {
    // No clients and a working set inside the buffer cache: no client
    // latency and no storage read latency, not zeros.
    let s = run(&parse(
        "name: t\nduration: 20s\nworkload:\n  open_loop: { commits_per_s: 100 }\n",
    ))
    .summary;
    assert_eq!(s.client_latency_ms, None);
    assert_eq!(s.reads.latency_ms, None);
    let json = serde_json::to_value(&s).expect("JSON");
    assert!(json["client_latency_ms"].is_null());
    assert!(json["reads"]["latency_ms"].is_null());
    // A read availability over no storage read says so.
    let s = run(&parse(
        "name: t\nduration: 20s\nworkload:\n  open_loop: { commits_per_s: 100 }\nexpect:\n  min_read_availability: 0.99\n",
    ))
    .summary;
    let e = &s.expectations[0];
    assert!(e.detail.contains("no read reached storage"), "{e:?}");
}

#[test]
fn fast_gossip_does_not_crowd_out_the_progress_it_fills() {
    // gray-failure with gossip five times faster than the default: the
    // lossy copy of PGs 1 and 9 falls behind while the other copies carry
    // the quorum; once the partition makes it part of every write quorum
    // it must catch up. Gossip that sent a lagging copy every record above
    // its SCL (or a copy of every page, once peers had folded those
    // records away) filled its disk faster than it could write, and writes
    // stopped for 20 s.
    for gossip in ["20ms", "1ms"] {
        let o = run(&shipped_with(
            "gray-failure",
            &[("storage.gossip_interval", gossip), ("duration", "100s")],
        ));
        let longest = o.summary.longest_write_outage_s();
        assert!(longest < 1.0, "gossip {gossip}: a {longest} s write outage");
        all_held(&o.summary);
    }
}

#[test]
fn gossip_many_times_a_millisecond_stays_within_the_runs_memory_ceiling() {
    // A copy back from an AZ outage asks for its gap every microsecond;
    // each answer is a copy of every page. Unanswered pulls once piled up
    // gigabytes of answers within seconds.
    let sc = parse(
        "name: t\nduration: 2s\nstorage: { gossip_interval: 1us }\nfaults:\n  - az_outage: { az: c, at: 0s, duration: 1.88s }\n",
    );
    let (ceiling, why) = sc.footprint().ceiling();
    let o = Simulation::new(&sc)
        .memory_ceiling(ceiling, why)
        .run()
        .expect("no trace sink");
    assert_eq!(o.summary.stopped_early, None);
    let peak = o.peak_memory.expect("the counting allocator is installed");
    assert!(peak < ceiling, "{peak} of {ceiling}");
    all_held(&o.summary);
}

#[test]
fn a_run_past_its_memory_ceiling_stops_cleanly_and_names_the_setting() {
    let o = Simulation::new(&crate::shipped("writer-crash"))
        .memory_ceiling(1 << 20, "a test's 1 MiB")
        .run()
        .expect("no trace sink");
    let why = o.summary.stopped_early.as_deref().expect("stopped");
    assert!(
        why.contains("more than its ceiling of 1 MiB (a test's 1 MiB)") && why.contains(": lower "),
        "{why}"
    );
    assert!(o.summary.simulated_s < 1.0, "{}", o.summary.simulated_s);
    assert!(!o.passed());
}

#[test]
fn a_watchdog_failovers_rto_starts_when_writes_stopped() {
    // The writer (AZ a) loses AZs b and c at 30 s: it reaches two copies
    // of each PG, no write quorum, while still answering health checks.
    // Its I/O watchdog reports after 10 s without progress; the failover
    // then starts. Detection is the watchdog's wait, not zero.
    let s = run(&parse(
        "name: t\nduration: 70s\nworkload: { open_loop: { commits_per_s: 5000, reads_per_s: 1000 } }\ninstances:\n  - { name: w, az: a, role: writer }\n  - { name: r, az: b, tier: 0 }\nfaults:\n  - network_partition: { at: 30s, between: [a, b], duration: 60s }\n  - network_partition: { at: 30s, between: [a, c], duration: 60s }\n",
    ))
    .summary;
    assert_eq!(s.failovers.len(), 1);
    let (f, rto) = (&s.failovers[0], &s.rto[0]);
    assert_eq!(f.reason, "storage_watchdog");
    assert!((30.0..30.1).contains(&f.at_s), "started at {} s", f.at_s);
    assert!(rto.detection_s >= 10.0, "detection {} s", rto.detection_s);
    // The outage it reports covers the outage writes saw.
    let (outage, total) = (s.longest_write_outage_s(), rto.total_s.expect("finished"));
    assert!(total >= outage, "RTO {total} s, outage {outage} s");
    // The level before is the load before the stall, not inside it.
    let before = rto.commits_per_s_before.expect("30 s before");
    assert!(before > 4_900.0, "{before} commits/s before");
    all_held(&s);
}

#[test]
fn a_network_slower_than_the_check_interval_fails_no_healthy_writer() {
    // Links of 1 s and 2 s (accepted by validation): a probe's answer
    // takes longer than the 1 s check interval. The writer is healthy; it
    // was once declared failed at 3 s and "failed over" to itself, and the
    // requested failover at 60 s then went to the writer too.
    let s = run(&parse(
        "name: t\nduration: 90s\nnetwork: { same_az_latency: 1s, cross_az_latency: 2s }\ninstances:\n  - { name: w, az: a, role: writer }\n  - { name: r, az: b, tier: 0 }\nfaults:\n  - failover: { at: 60s, target: r }\n",
    ))
    .summary;
    let failovers: Vec<(&str, &str, Option<&str>)> = s
        .failovers
        .iter()
        .map(|f| (f.reason.as_str(), f.from.as_str(), f.to.as_deref()))
        .collect();
    assert_eq!(failovers, [("manual", "w", Some("r"))]);
    all_held(&s);
}

#[test]
fn a_failover_says_what_each_reader_answered_and_why_it_chose() {
    // tier-selection: the tier-0 reader sits in the AZ that fails with the
    // writer, so it cannot answer; a tier-1 reader is promoted.
    let s = &shipped_outcome("tier-selection").summary;
    let f = &s.failovers[0];
    let answers: Vec<(&str, u8, &str)> = f
        .candidates
        .iter()
        .map(|c| (c.instance.as_str(), c.tier, c.answer.as_str()))
        .collect();
    assert!(answers.contains(&("reader-a", 0, "silent")), "{answers:?}");
    assert_eq!(
        answers.iter().filter(|a| a.2 == "eligible").count(),
        2,
        "{answers:?}"
    );
    assert!(
        f.choice.starts_with("lowest tier (1)")
            && f.choice.ends_with("passed over: reader-a (tier 0, silent)"),
        "{}",
        f.choice
    );
}
