//! A global database: what its secondary regions hold, how far behind
//! they are, and the RPO guard.

use aurora_sim::metrics::GlobalSummary;

use crate::{parse, run};

/// A busy primary with one secondary region 55 ms away, for `duration`,
/// with `extra` appended (faults, an RPO guard).
fn global(duration: &str, rpo: Option<&str>, faults: &str) -> GlobalSummary {
    let rpo = rpo.map_or(String::new(), |r| format!("  rpo: {r}\n"));
    let yaml = format!(
        "name: g\nduration: {duration}\nworkload: {{ records_per_commit: 3, working_set_gib: 1 }}\n\
         instances:\n  - {{ name: w, az: a, role: writer, tier: 1 }}\n  - {{ name: r, az: b, tier: 0 }}\n\
         clients:\n  - {{ name: app, count: 50, az: a, think_time: 7ms, read_timeout: 5s }}\n\
         global:\n  primary: home\n  secondaries:\n    - {{ name: away, rtt: 55ms }}\n{rpo}{faults}"
    );
    run(&parse(&yaml))
        .summary
        .global
        .expect("a global database")
}

#[test]
fn a_healthy_region_lags_by_its_crossing_and_a_send() {
    let g = global("30s", None, "");
    let lag = g.regions[0].replication_lag_ms.as_ref().expect("stored");
    // Half the round trip at least, and within a send interval, a persist
    // and the jitter of it.
    assert!(lag.p50 > 27.5 && lag.p50 < 27.5 + 10.0 + 10.0, "{lag:?}");
    assert!(g.guard_holds.is_empty() && g.guard_held_s == 0.0);
}

#[test]
fn a_failover_ships_the_redo_it_made_not_the_lsns_it_skipped() {
    // A recovery truncates a range of LSNs the size of the allocation
    // limit; the link carries only the records written.
    let quiet = global("60s", None, "");
    let crash = global("60s", None, "faults:\n  - writer_crash: { at: 20s }\n");
    let (a, b) = (quiet.regions[0].shipped_mib, crash.regions[0].shipped_mib);
    assert!(b < a * 1.1, "{b} MiB with a failover against {a} without");
    assert!(
        crash.regions[0]
            .replication_lag_ms
            .as_ref()
            .expect("stored")
            .max
            < 1000.0
    );
}

#[test]
fn the_guard_stops_writes_to_keep_acknowledged_work_at_risk_within_the_rpo() {
    let cut = "faults:\n  - region_partition: { at: 10s, region: away, duration: 40s }\n";
    let unguarded = global("70s", None, cut);
    assert!(
        unguarded.at_risk_max_ms > 35_000.0,
        "{}",
        unguarded.at_risk_max_ms
    );
    assert!(unguarded.guard_holds.is_empty());
    let guarded = global("70s", Some("20s"), cut);
    // It holds from about 30 s until the link heals and the region has
    // caught up, and not again.
    assert_eq!(guarded.guard_holds.len(), 1, "{:?}", guarded.guard_holds);
    let hold = &guarded.guard_holds[0];
    assert!(
        (hold.from_s - 30.0).abs() < 0.1 && (hold.to_s - 50.0).abs() < 1.0,
        "{hold:?}"
    );
    let send = 10.0;
    assert!(
        guarded.at_risk_max_ms <= 20_000.0 + send,
        "{}",
        guarded.at_risk_max_ms
    );
}

#[test]
fn faults_on_one_region_nest() {
    // A short cut inside a long one does not heal the link when it ends.
    let nested = "faults:\n  - region_partition: { at: 10s, region: away, duration: 40s }\n  - region_partition: { at: 15s, region: away, duration: 5s }\n";
    let g = global("70s", Some("20s"), nested);
    assert_eq!(g.guard_holds.len(), 1, "{:?}", g.guard_holds);
    assert!(
        g.regions[0].rpo_lag_max_ms > 39_000.0,
        "{}",
        g.regions[0].rpo_lag_max_ms
    );
}

#[test]
fn a_region_never_reached_fails_max_lag_by_how_far_behind_it_is() {
    let yaml = "name: g\nduration: 20s\nworkload: { open_loop: { commits_per_s: 200 } }\n\
        global: { primary: home, secondaries: [{ name: away }] }\n\
        faults:\n  - region_partition: { at: 0s, region: away }\nexpect: { max_lag: 1s }\n";
    let s = run(&parse(yaml)).summary;
    let g = s.global.as_ref().expect("global");
    assert!(g.regions[0].replication_lag_ms.is_none());
    assert!(g.regions[0].behind_at_end_ms > 19_000.0);
    assert!(!s.expectations[0].passed, "{:?}", s.expectations);
}

/// Two regions with a reader in the secondary and an application in each,
/// for 90 s, with `faults`.
fn promoted(faults: &str) -> aurora_sim::Outcome {
    let yaml = format!(
        "name: p\nduration: 90s\nworkload: {{ records_per_commit: 3, working_set_gib: 1 }}\n\
         instances:\n  - {{ name: w, az: a, role: writer, tier: 1 }}\n  - {{ name: r, az: b, tier: 0 }}\n  \
         - {{ name: away-r, az: awayb, tier: 0 }}\n\
         clients:\n  - {{ name: home-app, count: 30, az: a, think_time: 7ms, read_timeout: 5s }}\n  \
         - {{ name: away-app, count: 10, az: awayb, think_time: 20ms, read_timeout: 5s }}\n\
         global:\n  primary: home\n  secondaries:\n    - {{ name: away, rtt: 55ms }}\n\
         faults:\n{faults}"
    );
    run(&parse(&yaml))
}

/// Why each refused fault was refused, in order.
fn refusals(s: &aurora_sim::metrics::Summary) -> Vec<&str> {
    s.faults
        .iter()
        .filter_map(|f| f.refused.as_deref())
        .collect()
}

/// Every invariant held.
fn held(s: &aurora_sim::metrics::Summary) {
    for i in &s.invariants {
        assert!(i.held, "{}: {:?}", i.name, i.first);
    }
}

#[test]
fn a_failover_loses_what_the_region_lacked_and_counts_it_apart() {
    let out = promoted(
        "  - region_outage: { at: 20s, region: home }\n  - global_failover: { at: 40s, region: away }\n",
    );
    let s = &out.summary;
    held(s);
    let g = s.global.as_ref().expect("global");
    let p = &g.promotions[0];
    assert_eq!((p.kind.as_str(), p.promoted_s), ("failover", Some(40.0)));
    // The commits acknowledged in the last crossing and send before the
    // outage: some, and the same as the checker counted, apart.
    assert!(p.commits_lost > 0 && p.commits_lost < 1_000, "{p:?}");
    assert_eq!(s.commits.lost_to_rpo, Some(p.commits_lost));
    assert_eq!(s.commits.lost, 0);
    assert!(p.rpo_s > 0.0 && p.rpo_s < 0.2, "{p:?}");
    // The failover is timed from the outage: detection is the decision.
    let f = &s.failovers[0];
    assert_eq!(
        (f.reason.as_str(), f.to.as_deref()),
        ("global_failover", Some("away-r"))
    );
    let rto = &s.rto[0];
    assert!((rto.detection_s - 20.0).abs() < 1e-9, "{rto:?}");
    assert!(rto.total_s.expect("finished") < 50.0, "{rto:?}");
    // Writes come back in the promoted region: its application commits
    // once the writer there is open.
    let after: u64 = out.timeline.iter().skip(80).map(|r| r.commits).sum();
    assert!(after > 1_000, "{after} commits in the last bins");
}

#[test]
fn a_switchover_synchronises_every_region_and_loses_nothing() {
    let s = &promoted("  - global_switchover: { at: 30s, region: away }\n").summary;
    held(s);
    let g = s.global.as_ref().expect("global");
    let p = &g.promotions[0];
    assert_eq!(
        (p.kind.as_str(), p.commits_lost, p.rpo_s),
        ("switchover", 0, 0.0)
    );
    assert_eq!(s.commits.lost_to_rpo, None);
    let rto = &s.rto[0];
    // The writer stopped, its last redo crossed to the region and was
    // stored there: about one crossing and a send.
    let sync = rto.synchronise_s.expect("a switchover synchronises");
    assert!(sync > 0.0 && sync < 0.2, "{rto:?}");
    assert_eq!(s.failovers[0].to.as_deref(), Some("away-r"));
    // The old primary became a secondary: measured, and caught up.
    let home = g
        .regions
        .iter()
        .find(|r| r.name == "home")
        .expect("measured");
    assert!(home.replication_lag_ms.is_some(), "{home:?}");
}

#[test]
fn a_returning_old_primary_is_fenced_and_comes_back_read_only() {
    let out = promoted(
        "  - region_outage: { at: 20s, region: home, duration: 30s }\n  \
         - global_failover: { at: 30s, region: away }\n",
    );
    let s = &out.summary;
    held(s);
    assert_eq!(s.commits.split_brain, 0);
    // One failover, to the promoted region; the old writer's return
    // starts none, and the writer stays where it was promoted (instance 2)
    // to the end, the old primary's instances serving nothing.
    assert_eq!(s.failovers.len(), 1, "{:?}", s.failovers);
    assert_eq!(s.failovers[0].to.as_deref(), Some("away-r"));
    assert!(out.timeline[60..].iter().all(|r| r.writer == Some(2)));
    let last = out.timeline.last().expect("rows");
    assert_eq!(&last.connections[..2], &[0, 0], "{:?}", last.connections);
}

#[test]
fn a_headless_region_has_its_writer_created_there() {
    let yaml = "name: h\nduration: 4m\nworkload: { records_per_commit: 3, working_set_gib: 1 }\n\
         control_plane: { provision_time: 60s, provision_sigma: 0 }\n\
         instances:\n  - { name: w, az: a, role: writer }\n\
         clients:\n  - { name: away-app, count: 10, az: awaya, think_time: 20ms, read_timeout: 5s }\n\
         global:\n  primary: home\n  secondaries:\n    - { name: away, rtt: 55ms }\n\
         faults:\n  - region_outage: { at: 20s, region: home }\n  - global_failover: { at: 30s, region: away }\n";
    let s = &run(&parse(yaml)).summary;
    held(s);
    let f = &s.failovers[0];
    assert!(f.provisioned, "{f:?}");
    assert_eq!(f.az.as_deref(), Some("awaya"));
    // Creating the writer is most of it.
    let rto = &s.rto[0];
    assert!(
        rto.promotion_s >= 60.0 && rto.total_s.expect("finished") < 120.0,
        "{rto:?}"
    );
}

#[test]
fn promotions_that_cannot_go_ahead_are_refused_with_why() {
    let s = &promoted(
        "  - global_failover: { at: 10s, region: home }\n  \
         - region_outage: { at: 20s, region: away, duration: 10s }\n  \
         - global_failover: { at: 25s, region: away }\n  \
         - region_partition: { at: 40s, region: away, duration: 10s }\n  \
         - global_switchover: { at: 45s, region: away }\n",
    )
    .summary;
    held(s);
    let refused = refusals(s);
    assert_eq!(
        refused,
        [
            "the region already was the primary",
            "the region was dark",
            "a switchover needs every region up and reachable; a global failover promotes without them"
        ]
    );
    assert!(s.global.as_ref().expect("global").promotions.is_empty());
}

#[test]
fn a_region_short_of_a_write_quorum_stores_nothing_and_is_not_switched_to() {
    // Two of `away`'s three AZs go down, with four of its six copies: it
    // stores nothing more, so its RPO lag grows, and a switchover, which
    // needs every region to take writes, is refused.
    let s = &promoted(
        "  - az_outage: { at: 10s, az: awaya }\n  - az_outage: { at: 12s, az: awayc }\n  \
         - global_switchover: { at: 30s, region: away }\n",
    )
    .summary;
    held(s);
    let refused = refusals(s);
    assert_eq!(
        refused,
        ["a switchover needs a write quorum of every region's copies; a global failover promotes without them"]
    );
    let away = &s.global.as_ref().expect("global").regions[0];
    assert!(away.behind_at_end_ms > 60_000.0, "{away:?}");
}

#[test]
fn a_failover_takes_over_from_a_switchover_that_cannot_synchronise() {
    // The link to `away` narrows a millionfold just before a switchover to
    // it: the writer stops and the region never catches up; the
    // switchover waits (the planned wait breaks no invariant) until a
    // failover promotes the region with what it holds.
    let s = &promoted(
        "  - region_slowdown: { at: 20s, region: away, factor: 1000000 }\n  \
         - global_switchover: { at: 25s, region: away }\n  \
         - global_failover: { at: 60s, region: away }\n",
    )
    .summary;
    held(s);
    let kinds: Vec<(&str, Option<f64>)> = s
        .global
        .as_ref()
        .expect("global")
        .promotions
        .iter()
        .map(|p| (p.kind.as_str(), p.promoted_s))
        .collect();
    assert_eq!(kinds, [("switchover", None), ("failover", Some(60.0))]);
    assert_eq!(s.failovers.len(), 1);
    assert_eq!(s.failovers[0].reason, "global_failover");
    // Nothing acknowledged after the writer stopped: what the failover
    // gave up was acknowledged before it, and is counted.
    assert!(
        s.commits.lost_to_rpo.is_some_and(|n| n > 0),
        "{:?}",
        s.commits
    );
}

#[test]
fn a_partitioned_region_is_cut_off_from_clients_too() {
    // `away` is cut off from every other region: its application can no
    // longer reach the writer at home, while the home application can.
    let out = promoted("  - region_partition: { at: 20s, region: away, duration: 30s }\n");
    held(&out.summary);
    let ok = |group: usize| -> u64 {
        out.timeline[25..45]
            .iter()
            .map(|r| u64::from(r.group_ok[group]))
            .sum()
    };
    assert!(ok(0) > 1_000 && ok(1) == 0, "home {} away {}", ok(0), ok(1));
}

#[test]
fn a_failover_ends_the_guards_hold_and_gives_up_what_it_held() {
    // The guard holds the primary's commits once `away`, narrowed a
    // millionfold, is 20 s behind; a failover to it then gives up the
    // held commits with the rest (never acknowledged: no split brain),
    // and the promoted writer takes commits without inheriting the hold.
    let yaml = "name: h\nduration: 70s\nworkload: { records_per_commit: 3, working_set_gib: 1 }\n\
         instances:\n  - { name: w, az: a, role: writer }\n  - { name: away-r, az: awaya, tier: 0 }\n\
         clients:\n  - { name: away-app, count: 10, az: awaya, think_time: 20ms, read_timeout: 5s }\n\
         global:\n  primary: home\n  secondaries:\n    - { name: away, rtt: 55ms }\n  rpo: 20s\n\
         faults:\n  - region_slowdown: { at: 5s, region: away, factor: 1000000 }\n  \
         - global_failover: { at: 40s, region: away }\n";
    let out = run(&parse(yaml));
    let s = &out.summary;
    held(s);
    assert_eq!(s.commits.split_brain, 0);
    let g = s.global.as_ref().expect("global");
    assert!(
        !g.guard_holds.is_empty() && g.guard_holds.iter().all(|h| h.to_s <= 40.0),
        "{:?}",
        g.guard_holds
    );
    let after: u64 = out.timeline[55..].iter().map(|r| r.commits).sum();
    assert!(after > 1_000, "{after} commits after the failover");
}

/// A primary and a secondary `away` 55 ms off that forwards writes, with
/// a forwarding group of each consistency and a group that only reads
/// there, for 20 s.
fn forwarding(faults: &str) -> aurora_sim::metrics::Summary {
    let yaml = format!(
        "name: f\nduration: 20s\nworkload: {{ records_per_commit: 3, working_set_gib: 1 }}\n\
         instances:\n  - {{ name: w, az: a, role: writer }}\n  - {{ name: away-r, az: awayb }}\n\
         clients:\n  - {{ name: home-app, count: 30, az: a, think_time: 7ms, read_timeout: 5s }}\n  \
         - {{ name: eventual, count: 5, az: awayb, endpoint: reader, forward_writes: eventual, think_time: 20ms, read_timeout: 5s }}\n  \
         - {{ name: session, count: 5, az: awayb, endpoint: reader, forward_writes: session, think_time: 20ms, read_timeout: 5s }}\n  \
         - {{ name: global, count: 5, az: awayb, endpoint: reader, forward_writes: global, think_time: 20ms, read_timeout: 5s }}\n  \
         - {{ name: reads, count: 5, az: awayb, endpoint: reader, think_time: 20ms, read_timeout: 5s }}\n\
         global:\n  primary: home\n  secondaries:\n    - {{ name: away, rtt: 55ms, write_forwarding: true }}\n\
         {faults}"
    );
    run(&parse(&yaml)).summary
}

#[test]
fn a_forwarded_write_pays_the_round_trip_and_its_session_reads_it_back() {
    let s = forwarding("");
    held(&s);
    let g = s.global.as_ref().expect("a global database");
    let by = |c: &str| {
        g.forwarding
            .iter()
            .find(|f| f.consistency == c)
            .unwrap_or_else(|| panic!("{c}: {:?}", g.forwarding))
    };
    for c in ["eventual", "session", "global"] {
        let f = by(c);
        let write = f.write_ms.as_ref().expect("acknowledged");
        // The round trip and a commit; never less than the round trip.
        assert!(
            write.p50 > 50.0 && write.p50 < 55.0 + 15.0,
            "{c}: {write:?}"
        );
        assert!(f.writes > 500 && f.reads + 5 >= f.writes, "{f:?}");
    }
    // Only eventual reads run before the region has the write: most do,
    // since the acknowledgement comes back faster than the redo.
    let eventual = by("eventual");
    assert!(
        eventual.reads_missing_own_write * 2 > eventual.reads,
        "{eventual:?}"
    );
    assert!(eventual.read_wait_ms.as_ref().expect("read").max < 0.01);
    for c in ["session", "global"] {
        assert_eq!(by(c).reads_missing_own_write, 0, "{:?}", by(c));
    }
    // A session read waits for the rest of its write's replication; a
    // global one first asks the writer where it stands, a round trip.
    let session = by("session").read_wait_ms.as_ref().expect("read");
    assert!(session.p99 > 1.0 && session.p99 < 50.0, "{session:?}");
    let global = by("global").read_wait_ms.as_ref().expect("read");
    assert!(
        global.p50 > 50.0 && global.p50 < session.p50 + 80.0,
        "{global:?}"
    );
}

#[test]
fn a_secondary_region_serves_its_own_reads_at_what_it_stored() {
    let s = forwarding("");
    // Its reader's lag is the region's: at least half the round trip.
    let lag = &s.replica_lag_ms["away-r"];
    assert!(lag.p50 > 27.5 && lag.p50 < 60.0, "{lag:?}");
    // Reads are answered in the region: a 20 ms think time and a local
    // read, not a round trip to the primary's readers.
    let reads = s
        .client_groups
        .iter()
        .find(|g| g.name == "reads")
        .expect("group");
    assert!(reads.requests_ok > 5 * 20 * 40, "{}", reads.requests_ok);
}

#[test]
fn session_reads_wait_for_a_region_that_falls_behind() {
    let slow =
        "faults:\n  - region_slowdown: { at: 5s, region: away, factor: 1000, duration: 5s }\n";
    let s = forwarding(slow);
    held(&s);
    let g = s.global.as_ref().expect("a global database");
    let wait = |c: &str| {
        let f = g
            .forwarding
            .iter()
            .find(|f| f.consistency == c)
            .expect("group");
        f.read_wait_ms.as_ref().expect("read").max
    };
    assert!(wait("session") > 1000.0, "{}", wait("session"));
    assert!(wait("eventual") < 0.01);
}

#[test]
fn write_forwarding_is_refused_where_aurora_does_not_forward() {
    let yaml = |region: &str, client: &str| {
        format!(
            "name: f\nduration: 5s\ninstances:\n  - {{ name: w, az: a, role: writer }}\n\
             clients:\n  - {{ name: c, count: 1, {client} }}\n\
             global:\n  primary: home\n  secondaries:\n    - {{ name: away{region} }}\n"
        )
    };
    let cases = [
        (
            "",
            "az: awaya, endpoint: reader, forward_writes: session",
            "add `write_forwarding: true`",
        ),
        (
            ", write_forwarding: true",
            "az: a, endpoint: reader, forward_writes: session",
            "from the primary region",
        ),
        (
            ", write_forwarding: true",
            "az: awaya, forward_writes: global",
            "give it `endpoint: reader`",
        ),
    ];
    for (region, client, needle) in cases {
        let e = aurora_sim::Scenario::parse(&yaml(region, client), std::path::Path::new("f.yaml"))
            .expect_err(client)
            .to_string();
        assert!(e.contains("f.yaml:6:") && e.contains(needle), "{e}");
    }
}
