//! Planned events. Engine patches: a plain patch restarts every instance
//! and resets its connections; zero-downtime patching holds requests on
//! open connections through an engine restart, and falls back to a plain
//! restart when transactions in flight cannot finish. Rolling
//! operating-system updates. Class changes: the instance serves while its
//! new host is made, then moves there; a reader changed with `promote`
//! becomes the writer by a failover.

use aurora_sim::metrics::{PatchedInstance, Summary};

use crate::{parse, run};

/// A writer in AZ a and a reader in AZ b, three clients on the cluster
/// endpoint and one on the reader endpoint, an open-loop load at the
/// writer too, and `faults`.
fn cluster(faults: &str) -> aurora_sim::Scenario {
    parse(&format!(
        "name: t\nseed: 3\nduration: 40s\nstorage: {{ volume_gib: 30 }}\n\
         workload: {{ open_loop: {{ commits_per_s: 300, reads_per_s: 100 }} }}\n\
         instances:\n  - {{ name: w, az: a, role: writer }}\n  - {{ name: r, az: b }}\n\
         clients:\n  - {{ name: app, count: 3, az: b, read_timeout: 10s, connect_timeout: 1s }}\n  \
         - {{ name: rep, count: 1, az: c, endpoint: reader, read_timeout: 10s }}\n\
         faults:\n{faults}"
    ))
}

fn part<'a>(s: &'a Summary, name: &str) -> &'a PatchedInstance {
    s.maintenance[0]
        .instances
        .iter()
        .find(|i| i.name == name)
        .unwrap_or_else(|| panic!("{name} in {:#?}", s.maintenance))
}

/// The slowest client of `group` back after the first patch, seconds.
fn slowest(s: &Summary, group: &str) -> f64 {
    let g = s.maintenance[0].clients.iter().find(|g| g.group == group);
    let observed = g.and_then(|g| g.observed.as_ref()).expect("measured");
    observed.max.expect("every client back")
}

#[test]
fn zero_downtime_patching_keeps_every_connection_through_the_engine_restart() {
    let s = run(&cluster(
        "  - engine_patch: { at: 10s, zero_downtime: true }\n",
    ))
    .summary;
    assert!(s.failovers.is_empty(), "{:#?}", s.failovers);
    assert_eq!(s.storage.epoch, 1, "no recovery: the writer kept its epoch");
    assert_eq!(
        s.client_errors.counts().iter().sum::<u64>(),
        0,
        "{:?}",
        s.client_errors
    );
    for name in ["w", "r"] {
        let p = part(&s, name);
        assert_eq!(p.outcome, "connections_kept", "{p:?}");
        let held = p.held_s.expect("held");
        // The engine's start, its buffer pool and its opening.
        assert!((1.0..20.0).contains(&held), "{p:?}");
        assert_eq!(p.unavailable_s, None);
    }
    // Clients waited while their requests were held, and not much longer.
    let held = part(&s, "w").held_s.unwrap();
    let app = slowest(&s, "app");
    assert!(
        app > 0.5 * held && app < held + 1.0,
        "app {app} held {held}"
    );
    let rep = slowest(&s, "rep");
    assert!(rep < part(&s, "r").held_s.unwrap() + 1.0, "rep {rep}");
    // Open-loop commits offered during the pause waited and went on.
    assert_eq!(s.commits.lost, 0);
    assert!(s.commits.acknowledged as f64 > 0.99 * s.commits.arrived as f64);
}

#[test]
fn a_plain_patch_restarts_every_instance_and_resets_its_connections() {
    let s = run(&cluster(
        "  - engine_patch: { at: 10s, zero_downtime: false }\n",
    ))
    .summary;
    assert!(
        s.failovers.is_empty(),
        "the control plane waits: {:#?}",
        s.failovers
    );
    assert_eq!(
        s.storage.epoch, 2,
        "the restarted writer recovered the volume"
    );
    assert!(s.client_errors.reset > 0, "{:?}", s.client_errors);
    for name in ["w", "r"] {
        let p = part(&s, name);
        assert_eq!(p.outcome, "restarted", "{p:?}");
        let back = p.unavailable_s.expect("back");
        assert!(back > 1.0 && back < 30.0, "{p:?}");
    }
    // Writes were down from the patch until the writer opened.
    let writer_back = part(&s, "w").unavailable_s.unwrap();
    let outage = s.longest_write_outage_s();
    assert!(
        (outage - writer_back).abs() < 0.5,
        "{outage} vs {writer_back}"
    );
    // Its clients came back after the writer did.
    assert!(slowest(&s, "app") >= writer_back);
    assert_eq!(s.commits.lost, 0);
}

#[test]
fn zero_downtime_patching_falls_back_when_transactions_cannot_finish() {
    let faults = "  - network_partition: { at: 9s, instance: w, from: storage, duration: 10s }\n  \
                  - engine_patch: { at: 10s, zero_downtime: true }\n";
    let s = run(&cluster(faults)).summary;
    let w = part(&s, "w");
    assert_eq!(w.outcome, "fell_back", "{w:?}");
    // It restarted after its 5 s wait and opened once storage was back.
    let back = w.unavailable_s.expect("back");
    assert!(back >= 9.0, "{w:?}");
    assert!(
        s.client_errors.reset > 0,
        "the fallback restart resets connections"
    );
    // The reader had nothing in flight: its patch kept its connections.
    assert_eq!(part(&s, "r").outcome, "connections_kept");
    assert_eq!(s.commits.lost, 0);
    assert!(s.invariants.iter().all(|i| i.held), "{:#?}", s.invariants);
}

#[test]
fn a_promotion_overtakes_a_patch_under_way() {
    let faults = "  - writer_crash: { at: 10s }\n  \
                  - engine_patch: { at: 12s, zero_downtime: true }\n";
    let s = run(&cluster(faults)).summary;
    assert_eq!(s.failovers.len(), 1, "{:#?}", s.failovers);
    assert_eq!(s.failovers[0].to.as_deref(), Some("r"));
    // The dead writer is left as it is, and says so; the reader's patch,
    // still looking for its quiet point, gives way to its promotion.
    let w = part(&s, "w");
    assert_eq!(
        (w.outcome.as_str(), w.why.as_deref()),
        ("skipped", Some("not running"))
    );
    assert_eq!(part(&s, "r").outcome, "overtaken");
    assert!(
        s.warnings.iter().any(|l| l.contains("did not reach w")),
        "{:?}",
        s.warnings
    );
    assert!(s.invariants.iter().all(|i| i.held), "{:#?}", s.invariants);
    assert_eq!(s.commits.lost, 0);
}

/// A writer, `readers` and three clients, with an operating-system
/// update at 10 s that takes 30 s, so that a rolling update fits in a
/// short run.
fn updating(readers: &str) -> aurora_sim::Scenario {
    updating_for(readers, "30s", "100s")
}

/// The same with an update taking `update`, in a run of `duration`.
fn updating_for(readers: &str, update: &str, duration: &str) -> aurora_sim::Scenario {
    parse(&format!(
        "name: t\nseed: 5\nduration: {duration}\nstorage: {{ volume_gib: 30 }}\n\
         control_plane: {{ os_update_time: {update} }}\n\
         instances:\n  - {{ name: w, az: a, role: writer }}\n{readers}\
         clients:\n  - {{ name: app, count: 3, az: b, read_timeout: 5s, connect_timeout: 1s }}\n\
         faults:\n  - os_update: {{ at: 10s }}\n"
    ))
}

#[test]
fn a_rolling_os_update_updates_the_readers_then_fails_over_to_the_first_back() {
    let readers = "  - { name: r1, az: b, tier: 0 }\n  - { name: r2, az: c, tier: 1 }\n";
    let s = run(&updating(readers)).summary;
    let m = &s.maintenance[0];
    assert_eq!(m.kind, "os_update");
    // Both readers at once, each down for its update and a restart.
    for r in ["r1", "r2"] {
        let p = part(&s, r);
        assert_eq!((p.outcome.as_str(), p.from_s), ("updated", 0.0), "{p:?}");
        let back = p.unavailable_s.expect("back");
        assert!((30.0..45.0).contains(&back), "{p:?}");
    }
    // Then one failover, to the first reader back, and the old writer's
    // update once the new writer is open.
    assert_eq!(s.failovers.len(), 1, "{:#?}", s.failovers);
    let f = &s.failovers[0];
    assert_eq!(f.reason, "os_update");
    let first = ["r1", "r2"]
        .into_iter()
        .min_by(|a, b| {
            let t = |n| part(&s, n).unavailable_s.unwrap();
            t(*a).total_cmp(&t(*b))
        })
        .unwrap();
    assert_eq!(f.to.as_deref(), Some(first));
    let w = part(&s, "w");
    assert_eq!(w.outcome, "updated");
    assert!(w.from_s > part(&s, first).unavailable_s.unwrap(), "{w:?}");
    // Writes stopped only for the failover.
    assert_eq!(s.write_outages.len(), 1, "{:?}", s.write_outages);
    assert!(s.longest_write_outage_s() < 15.0, "{:?}", s.write_outages);
    assert_eq!(s.commits.lost, 0);
    assert!(s.invariants.iter().all(|i| i.held), "{:#?}", s.invariants);
}

#[test]
fn without_a_reader_the_os_update_takes_the_writer_down_in_place() {
    // An update longer than any failover's bound is the plan, not a stuck
    // failover: every invariant holds.
    let s = run(&updating_for("", "2m", "200s")).summary;
    assert!(s.invariants.iter().all(|i| i.held), "{:#?}", s.invariants);
    let s = run(&updating("")).summary;
    assert!(
        s.failovers.is_empty(),
        "the control plane waits: {:#?}",
        s.failovers
    );
    let w = part(&s, "w");
    assert_eq!(w.outcome, "updated");
    let back = w.unavailable_s.expect("back");
    assert!((30.0..45.0).contains(&back), "{w:?}");
    let outage = s.longest_write_outage_s();
    assert!((outage - back).abs() < 0.5, "{outage} vs {back}");
    assert_eq!(s.commits.lost, 0);
}

#[test]
fn a_second_rolling_update_is_refused_and_a_client_never_back_is_never() {
    let readers = "  - { name: r1, az: b, tier: 0 }\n";
    let mut yaml = format!(
        "name: t\nseed: 5\nduration: 100s\nstorage: {{ volume_gib: 30 }}\n\
         control_plane: {{ os_update_time: 30s }}\n\
         instances:\n  - {{ name: w, az: a, role: writer }}\n{readers}\
         clients:\n  - {{ name: app, count: 2, az: b, read_timeout: 5s, dns_cache: forever }}\n\
         faults:\n  - os_update: {{ at: 10s }}\n  - os_update: {{ at: 20s }}\n"
    );
    yaml.push_str("expect:\n  max_maintenance_downtime: 30s\n");
    let o = run(&parse(&yaml));
    let s = &o.summary;
    assert_eq!(
        s.faults[1].refused.as_deref(),
        Some("an operating-system update was already rolling")
    );
    assert!(s.maintenance[1].instances.is_empty() && s.maintenance[1].clients.is_empty());
    // Clients that cache DNS for ever stay with the old writer: never back.
    let app = s.maintenance[0].clients[0]
        .observed
        .as_ref()
        .expect("measured");
    assert_eq!((app.max, app.unrecovered), (None, 2), "{app:?}");
    assert!(!s.expectations[0].passed, "{:?}", s.expectations);
}

/// A small writer under a closed-loop load that saturates its two vCPUs,
/// two readers, new hosts created in `provision` exactly, and `faults`
/// (and what follows them).
fn resizing(provision: &str, faults: &str) -> aurora_sim::Outcome {
    run(&parse(&format!(
        "name: t\nseed: 5\nduration: 90s\nstorage: {{ volume_gib: 30 }}\n\
         control_plane: {{ provision_time: {provision}, provision_sigma: 0 }}\n\
         instances:\n  - {{ name: w, az: a, class: db.r6g.large, role: writer }}\n  \
         - {{ name: r1, az: b, class: db.r6g.large, tier: 0 }}\n  \
         - {{ name: r2, az: c, class: db.r6g.large, tier: 1 }}\n\
         clients:\n  - {{ name: app, count: 48, az: b, think_time: 5ms, read_timeout: 5s, connect_timeout: 1s }}\n\
         faults:\n{faults}"
    )))
}

/// Commits a second over `span` of the run.
fn commit_rate(o: &aurora_sim::Outcome, span: std::ops::Range<f64>) -> f64 {
    let rows: Vec<_> = (o.timeline.iter())
        .filter(|r| span.contains(&r.t_s))
        .collect();
    rows.iter().map(|r| r.commits).sum::<u64>() as f64 / rows.len() as f64
}

#[test]
fn a_writer_changing_class_in_place_serves_while_its_host_is_made_then_restarts_on_it() {
    let o = resizing(
        "8s",
        "  - class_change: { at: 10s, instance: w, class: db.r6g.4xlarge }\n",
    );
    let s = &o.summary;
    assert!(s.failovers.is_empty(), "{:#?}", s.failovers);
    let m = &s.maintenance[0];
    assert_eq!(
        (m.kind.as_str(), m.class.as_deref()),
        ("class_change", Some("db.r6g.4xlarge"))
    );
    let p = part(s, "w");
    assert_eq!(p.outcome, "moved", "{p:?}");
    // The move waits for the new host; the writer serves until then.
    assert!((p.from_s - 8.0).abs() < 1e-6, "{p:?}");
    let down = p.unavailable_s.expect("open again");
    // Stop, engine start, buffer pool, recovery, rebuild and opening.
    assert!((2.0..30.0).contains(&down), "{p:?}");
    assert!(
        s.longest_write_outage_s() > 0.5 * down,
        "{:?}",
        s.longest_write_outage_s()
    );
    // While the host is made, the small writer commits as before; once
    // on eight times the vCPUs it commits far more.
    let (before, making, after) = (
        commit_rate(&o, 2.0..10.0),
        commit_rate(&o, 10.0..18.0),
        commit_rate(&o, 45.0..60.0),
    );
    assert!(
        (making - before).abs() < 0.1 * before,
        "{before} then {making}"
    );
    assert!(after > 1.5 * before, "{before}/s before, {after}/s after");
    // The move reset the writer's connections.
    assert!(s.client_errors.counts().iter().sum::<u64>() > 0);
    assert_eq!(s.commits.lost, 0);
}

#[test]
fn a_reader_changed_with_promote_becomes_the_writer_by_a_failover_once_it_serves() {
    let o = resizing(
        "8s",
        "  - class_change: { at: 10s, instance: r1, class: db.r6g.4xlarge, promote: true }\n",
    );
    let s = &o.summary;
    let p = part(s, "r1");
    assert_eq!(p.outcome, "moved", "{p:?}");
    let back = 10.0 + p.from_s + p.unavailable_s.expect("serving again");
    assert_eq!(s.failovers.len(), 1, "{:#?}", s.failovers);
    let f = &s.failovers[0];
    assert_eq!(
        (f.reason.as_str(), f.to.as_deref()),
        ("class_change", Some("r1"))
    );
    // Asked for the moment the reader serves on its new class.
    assert!(
        (f.at_s - back).abs() < 1e-3,
        "failover at {} s, r1 back at {back} s",
        f.at_s
    );
    // Writes were down for the failover only, and the new writer, eight
    // times the old one's vCPUs, commits far more.
    assert!(
        s.longest_write_outage_s() < 20.0,
        "{:?}",
        s.longest_write_outage_s()
    );
    let (before, after) = (commit_rate(&o, 2.0..10.0), commit_rate(&o, 75.0..90.0));
    assert!(after > 1.5 * before, "{before}/s before, {after}/s after");
    assert_eq!(s.commits.lost, 0);
}

#[test]
fn a_class_change_skips_an_instance_down_and_waits_for_a_host_not_ready() {
    // r1's host is down when its change is asked for; w's new host is not
    // ready before the run ends.
    let o = resizing(
        "10m",
        "  - instance_crash: { at: 5s, instance: r1 }\n  \
         - class_change: { at: 10s, instance: r1, class: db.r6g.xlarge }\n  \
         - class_change: { at: 10s, instance: w, class: db.r6g.xlarge }\n",
    );
    let s = &o.summary;
    let skipped = &s.maintenance[0].instances[0];
    assert_eq!(
        (skipped.outcome.as_str(), skipped.why.as_deref()),
        ("skipped", Some("not running")),
        "{skipped:?}"
    );
    let waiting = &s.maintenance[1].instances[0];
    assert_eq!(waiting.outcome, "waiting", "{waiting:?}");
    assert!(
        s.longest_write_outage_s() < 1.0,
        "{:?}",
        s.longest_write_outage_s()
    );
    assert!(
        s.warnings.iter().any(|w| w.contains("class_change")
            && w.contains("waiting")
            && w.contains("old class")),
        "{:?}",
        s.warnings
    );
}

#[test]
fn a_move_to_a_large_class_is_a_start_the_liveness_bound_allows() {
    // Its buffer pool at 4 GiB/s: a db.x2g.16xlarge's takes minutes to
    // set up, far longer than any class the cluster starts with.
    let s = run(&parse(
        "name: t\nseed: 1\nduration: 300s\nstorage: { volume_gib: 30 }\n\
         control_plane: { provision_time: 20s, provision_sigma: 0, buffer_pool_gib_per_s: 4 }\n\
         instances:\n  - { name: w, az: a, class: db.r6g.large, role: writer }\n  \
         - { name: r, az: b, class: db.r6g.large, tier: 0 }\n\
         clients:\n  - { name: app, count: 8, az: b, think_time: 5ms }\n\
         faults:\n  - class_change: { at: 10s, instance: w, class: db.x2g.16xlarge }\n",
    ))
    .summary;
    assert!(
        s.longest_write_outage_s() > 100.0,
        "{}",
        s.longest_write_outage_s()
    );
    assert!(s.invariants.iter().all(|i| i.held), "{:#?}", s.invariants);
}

#[test]
fn a_failover_waits_for_a_writer_moving_in_place_and_a_refusal_says_when() {
    let o = resizing(
        "0s",
        "  - class_change: { at: 5s, instance: r1, class: db.r6g.4xlarge, promote: true }\n  \
         - class_change: { at: 5s, instance: w, class: db.r6g.4xlarge }\n",
    );
    let s = &o.summary;
    // Both move at once; r1 is back while w still starts, so the promote
    // is refused rather than deposing a writer halfway through its move.
    assert!(s.failovers.is_empty(), "{:#?}", s.failovers);
    let refused = s.faults[0].refused.as_deref().expect("refused");
    assert!(
        refused.contains("once r1 served on its new class")
            && refused.contains("restarting in place"),
        "{refused}"
    );
    assert!(!refused.starts_with("at 5.0 s"), "{refused}");
    let w = &s.maintenance[1].instances[0];
    assert_eq!(w.outcome, "moved", "{w:?}");
    let down = w.unavailable_s.expect("open again");
    assert!(
        (s.longest_write_outage_s() - down).abs() < 1.0,
        "{} against {down}",
        s.longest_write_outage_s()
    );
}

#[test]
fn a_change_to_its_own_class_or_cut_short_by_a_crash_is_said_so() {
    let o = resizing(
        "5s",
        "  - class_change: { at: 5s, instance: r2, class: db.r6g.large }\n  \
         - class_change: { at: 5s, instance: r1, class: db.r6g.xlarge }\n  \
         - instance_crash: { at: 11s, instance: r1 }\n",
    );
    let s = &o.summary;
    let same = &s.maintenance[0].instances[0];
    assert_eq!(
        (same.outcome.as_str(), same.why.as_deref()),
        ("skipped", Some("already of that class")),
        "{same:?}"
    );
    // r1 moved at 10 s and crashed before it served again.
    let cut = &s.maintenance[1].instances[0];
    assert_eq!(cut.outcome, "overtaken", "{cut:?}");
    assert!(
        s.warnings
            .iter()
            .any(|w| w.contains("r1") && w.contains("overtaken")),
        "{:?}",
        s.warnings
    );
}

#[test]
fn a_change_unfinished_at_the_end_measures_no_downtime() {
    let o = resizing(
        "10m",
        "  - class_change: { at: 10s, instance: w, class: db.r6g.xlarge }\n\
         expect:\n  max_maintenance_downtime: 1s\n",
    );
    let s = &o.summary;
    assert!(
        s.maintenance[0].clients.is_empty(),
        "{:?}",
        s.maintenance[0].clients
    );
    let e = &s.expectations[0];
    assert!(!e.passed && e.detail.contains("had not finished"), "{e:?}");
}

/// A blue cluster (writer and reader) under a closed-loop load through
/// DNS and through the topology-aware driver, a green environment whose
/// writer is of `green_class`, and a switchover at `at` with `extra`
/// settings or faults after it.
fn blue_green(green_class: &str, at: &str, extra: &str) -> Summary {
    run(&parse(&format!(
        "name: bg\nseed: 2\nduration: 120s\nworkload: {{ records_per_commit: 3, working_set_gib: 1 }}\n\
         instances:\n  - {{ name: blue-w, az: a, class: db.r6g.2xlarge, role: writer }}\n  \
         - {{ name: blue-r, az: b, class: db.r6g.2xlarge }}\n  \
         - {{ name: green-w, az: a, class: {green_class}, role: writer, environment: green }}\n  \
         - {{ name: green-r, az: b, class: db.r6g.2xlarge, environment: green }}\n\
         clients:\n  - {{ name: dns, count: 20, az: b, think_time: 7ms, read_timeout: 5s }}\n  \
         - {{ name: driver, count: 20, az: c, think_time: 7ms, read_timeout: 5s, connection: {{ driver: {{}} }} }}\n\
         faults:\n  - blue_green_switchover: {{ at: {at}{extra} }}\n"
    )))
    .summary
}

#[test]
fn a_blue_green_switchover_hands_the_volume_to_green_without_a_restart() {
    let s = blue_green("db.r6g.2xlarge", "30s", "");
    for i in &s.invariants {
        assert!(i.held, "{}: {:?}", i.name, i.first);
    }
    assert_eq!(s.commits.lost, 0);
    let f = &s.failovers[0];
    assert_eq!(f.reason, "blue_green_switchover");
    assert_eq!(f.to.as_deref(), Some("green-w"));
    let r = &s.rto[0];
    // Green kept up: the switchover waited for little beyond its last
    // shipment, and green's engine neither restarted nor rebuilt.
    assert!(r.synchronise_s.expect("waited") < 0.1, "{r:?}");
    assert_eq!(
        (r.steps.stop_s, r.steps.engine_start_s),
        (Some(0.0), Some(0.0))
    );
    assert_eq!((r.steps.rebuild_s, r.steps.open_s), (Some(0.0), Some(0.0)));
    assert!(s.write_outages[0].duration_s < 1.0, "{:?}", s.write_outages);
    // The endpoint's rename reaches DNS clients late; the driver asks
    // the instances and goes to green's writer at once.
    let seen = |g: &str| {
        let group = s.client_groups.iter().find(|c| c.name == g).expect("group");
        group.client_observed_s[0].p50.expect("back")
    };
    assert!(seen("driver") < 5.0 && seen("dns") > seen("driver") + 5.0);
    assert!(seen("dns") <= r.total_s.expect("finished") + 6.0);
    // No client is left waiting on blue, which stays up outside the
    // cluster; the summary says which instances were green's.
    assert_eq!(s.hung_clients, 0);
    let green: Vec<&str> = (s.topology.instances.iter())
        .filter(|i| i.environment.as_deref() == Some("green"))
        .map(|i| i.name.as_str())
        .collect();
    assert_eq!(green, ["green-w", "green-r"]);
}

#[test]
fn a_green_writer_that_cannot_keep_up_holds_the_switchover_or_rolls_it_back() {
    // Two vCPUs re-executing what eight wrote fall behind by the second:
    // writes stay stopped until green has caught up.
    let slow = blue_green("db.r6g.large", "30s", "");
    let sync = slow.rto[0].synchronise_s.expect("waited");
    assert!(sync > 5.0, "{sync}");
    assert!(
        slow.write_outages[0].duration_s > sync,
        "{:?}",
        slow.write_outages
    );
    assert_eq!(slow.commits.lost, 0);
    // Later, it is behind by more than the shortest timeout: the
    // guardrail refuses to begin.
    let late = blue_green("db.r6g.large", "80s", ", timeout: 30s");
    let why = late.faults[0].refused.as_deref().expect("refused");
    assert!(
        why.contains("behind, beyond the switchover timeout"),
        "{why}"
    );
    assert!(late.failovers.is_empty() && late.write_outages.is_empty());
}

#[test]
fn a_switchover_is_rolled_back_when_either_writer_stops() {
    // Green's writer is lost as the switchover begins: it is rolled back
    // at once, and blue writes on.
    let crash = |who: &str, at: &str| {
        format!(" }}\n  - instance_crash: {{ at: {at}, instance: {who}, recover_after: 60s")
    };
    let s = blue_green("db.r6g.2xlarge", "30s", &crash("green-w", "30s"));
    let why = s.faults[0].refused.as_deref().expect("rolled back");
    assert!(
        why.starts_with("rolled back at 30.0 s: the green writer stopped"),
        "{why}"
    );
    assert!(s.failovers.is_empty(), "{:?}", s.failovers);
    assert!(
        s.write_outages.iter().all(|o| o.duration_s < 1.0),
        "{:?}",
        s.write_outages
    );
    // Blue's writer is lost during it: rolled back, and the control plane
    // fails blue over as for any crash.
    let s = blue_green("db.r6g.2xlarge", "30s", &crash("blue-w", "30.002s"));
    let why = s.faults[0].refused.as_deref().expect("rolled back");
    assert!(why.contains("blue's writer stopped"), "{why}");
    let f = &s.failovers[0];
    assert_eq!(
        (f.reason.as_str(), f.to.as_deref()),
        ("health_check", Some("blue-r"))
    );
    assert_eq!(s.commits.lost, 0);
    for i in &s.invariants {
        assert!(i.held, "{}: {:?}", i.name, i.first);
    }
}

#[test]
fn a_second_switchover_finds_no_green_environment() {
    let s = blue_green(
        "db.r6g.2xlarge",
        "30s",
        " }\n  - blue_green_switchover: { at: 60s",
    );
    assert_eq!(s.failovers.len(), 1);
    let why = s.faults[1].refused.as_deref().expect("refused");
    assert!(why.contains("no green environment"), "{why}");
}

#[test]
fn a_green_environment_is_checked_when_the_file_is_read() {
    let yaml = |instances: &str, faults: &str| {
        format!("name: bg\nduration: 10s\ninstances:\n  - {{ name: w, az: a, role: writer }}\n{instances}faults:\n{faults}")
    };
    let cases = [
        (
            "",
            "  - blue_green_switchover: { at: 2s }\n",
            "needs a green environment",
        ),
        (
            "  - { name: g, az: a, role: writer, environment: green }\n",
            "  - blue_green_switchover: { at: 2s, timeout: 10s }\n",
            "from 30s to 1h",
        ),
        (
            "  - { name: g, az: a, environment: green }\n",
            "  - writer_crash: { at: 2s }\n",
            "exactly one instance with `role: writer`",
        ),
        (
            "  - { name: g, az: a, role: writer, environment: green }\n",
            "  - failover: { at: 2s, target: g }\n",
            "green environment",
        ),
    ];
    for (instances, faults, needle) in cases {
        let e =
            aurora_sim::Scenario::parse(&yaml(instances, faults), std::path::Path::new("bg.yaml"))
                .expect_err(needle)
                .to_string();
        assert!(e.starts_with("bg.yaml:") && e.contains(needle), "{e}");
    }
}
