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
