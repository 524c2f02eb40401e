//! Failover as users rely on it: the RTO phases add up, the control plane
//! picks the reader the documentation says it picks, the volume epoch
//! fences an old writer, and clients behave as their settings say.

use aurora_sim::metrics::Summary;
use proptest::prelude::*;

use crate::{parse, run, shipped_outcome, shipped_with};

/// A small cluster with a writer in AZ a, `readers` (YAML lines), clients
/// and faults; short and light so that many runs stay cheap.
fn cluster(readers: &str, clients: &str, faults: &str, seed: u64) -> aurora_sim::Scenario {
    cluster_with(readers, clients, faults, seed, "")
}

/// The same cluster with more top-level YAML (`extra`, whole lines).
fn cluster_with(
    readers: &str,
    clients: &str,
    faults: &str,
    seed: u64,
    extra: &str,
) -> aurora_sim::Scenario {
    let clients = if clients.is_empty() {
        "clients: []\n".to_owned()
    } else {
        format!("clients:\n{clients}")
    };
    parse(&format!(
        "name: t\nseed: {seed}\nduration: 40s\nstorage: {{ volume_gib: 30 }}\nworkload: {{ open_loop: {{ commits_per_s: 300, reads_per_s: 100 }} }}\ninstances:\n  - {{ name: w, az: a, role: writer }}\n{readers}{clients}{extra}faults:\n{faults}"
    ))
}

const APP: &str = "  - { name: app, count: 3, az: b, read_timeout: 2s, connect_timeout: 1s }\n";

fn only_failover(s: &Summary) -> &aurora_sim::metrics::Rto {
    assert_eq!(s.rto.len(), 1, "one failover: {:#?}", s.failovers);
    &s.rto[0]
}

#[test]
fn rto_phases_add_up_to_the_total() {
    for name in ["writer-crash", "fis-failover", "tier-selection"] {
        let s = &shipped_outcome(name).summary;
        let r = only_failover(s);
        let sum = r.cluster_s();
        let total = r.total_s.expect("finished");
        assert!((sum - total).abs() < 1e-6, "{name}: {sum} vs {total}");
        let c = r.client_observed_s.as_ref().expect("clients measured");
        assert!(c.max >= c.p50);
    }
}

#[test]
fn each_phase_follows_its_knob() {
    let faults = "  - writer_crash: { at: 10s }\n";
    let readers = "  - { name: r, az: b }\n";
    let fast = cluster_with(
        readers,
        APP,
        faults,
        1,
        "control_plane: { engine_start: { median: 4s, sigma: 0 } }\ndns: { update_delay: 2s, update_sigma: 0 }\n",
    );
    let base = run(&fast).summary;
    let slower = cluster_with(
        readers,
        APP,
        faults,
        1,
        "control_plane: { failure_threshold: 6, engine_start: { median: 8s, sigma: 0 } }\ndns: { update_delay: 5s, update_sigma: 0 }\n",
    );
    let slow = run(&slower).summary;
    let (a, b) = (only_failover(&base), only_failover(&slow));
    // Three more missed one-second checks, 4 s more engine start, 3 s
    // more DNS.
    assert!(
        (b.detection_s - a.detection_s - 3.0).abs() < 1e-3,
        "{a:?} {b:?}"
    );
    assert!((b.promotion_s - a.promotion_s - 4.0).abs() < 1e-3);
    assert!((b.dns_s - a.dns_s - 3.0).abs() < 1e-3);
    let storage = b.steps.storage_recovery_s.expect("recovered");
    assert!(
        storage < 0.1,
        "storage recovery is a few round trips: {storage}"
    );
}

#[test]
fn promotion_steps_are_draws_that_vary_by_seed_and_add_up_to_their_phases() {
    // Early enough that every seed's DNS change lands within the 40 s.
    let faults = "  - writer_crash: { at: 5s }
";
    let readers = "  - { name: r, az: b }
";
    let mut totals: Vec<f64> = (1..=6)
        .map(|seed| {
            let s = run(&cluster(readers, "", faults, seed)).summary;
            let r = only_failover(&s);
            let st = &r.steps;
            let promotion = st.stop_s.unwrap() + st.engine_start_s.unwrap();
            assert!((promotion - r.promotion_s).abs() < 1e-6, "{r:?}");
            let recovery =
                st.storage_recovery_s.unwrap() + st.rebuild_s.unwrap() + st.open_s.unwrap();
            assert!((recovery - r.recovery_s).abs() < 1e-6, "{r:?}");
            r.total_s.unwrap()
        })
        .collect();
    totals.sort_by(f64::total_cmp);
    totals.dedup_by(|a, b| (*a - *b).abs() < 0.05);
    assert!(totals.len() >= 5, "RTO varies with the seed: {totals:?}");
}

#[test]
fn a_larger_class_starts_slower_by_its_buffer_pool() {
    let faults = "  - writer_crash: { at: 10s }
";
    let engine = |class: &str| {
        let readers = format!(
            "  - {{ name: r, az: b, class: {class} }}
"
        );
        let s = run(&cluster(&readers, "", faults, 3)).summary;
        only_failover(&s).steps.engine_start_s.unwrap()
    };
    // The same draws; 384 GiB against 12 GiB of pool at 25 GiB/s.
    let (small, big) = (engine("db.r6g.large"), engine("db.r6g.16xlarge"));
    assert!((big - small - 14.88).abs() < 0.01, "{small} {big}");
}

#[test]
fn selection_prefers_tier_then_size_then_name() {
    let faults = "  - writer_crash: { at: 10s }\n";
    let promoted = |readers: &str| {
        let sc = cluster_with(
            readers,
            "",
            faults,
            1,
            "control_plane: { tie_break: name }\n",
        );
        let s = run(&sc).summary;
        s.failovers[0].to.clone().expect("promoted")
    };
    let by_tier = "  - { name: r1, az: b, tier: 2, class: db.r6g.16xlarge }\n  - { name: r2, az: c, tier: 1 }\n";
    assert_eq!(promoted(by_tier), "r2");
    let by_size = "  - { name: r1, az: b, class: db.r6g.large }\n  - { name: r2, az: c, class: db.r6g.2xlarge }\n";
    assert_eq!(promoted(by_size), "r2");
    let by_name = "  - { name: r2, az: b }\n  - { name: r1, az: c }\n";
    assert_eq!(promoted(by_name), "r1");
}

#[test]
fn the_default_tie_break_is_seeded_repeatable_and_varies_with_the_seed() {
    let readers = "  - { name: r1, az: b }\n  - { name: r2, az: c }\n";
    let faults = "  - writer_crash: { at: 5s }\n";
    let chosen = |seed| {
        let sc = cluster(readers, "", faults, seed);
        run(&sc).summary.failovers[0].to.clone().expect("promoted")
    };
    let picks: Vec<String> = (1..=8).map(chosen).collect();
    assert_eq!(picks, (1..=8).map(chosen).collect::<Vec<_>>());
    assert!(picks.iter().any(|p| p == "r1") && picks.iter().any(|p| p == "r2"));
}

#[test]
fn without_a_reader_a_replacement_is_created() {
    let fixed = [("control_plane.provision_sigma", "0")];
    let s = run(&shipped_with("single-instance", &fixed)).summary;
    let f = &s.failovers[0];
    assert!(f.provisioned);
    let r = only_failover(&s);
    assert!((r.promotion_s - 256.0).abs() < 1e-3, "provisioning: {r:?}");
    assert_eq!(s.commits.lost, 0);
}

#[test]
fn the_epoch_fences_a_partitioned_writer() {
    let s = &shipped_outcome("writer-partitioned").summary;
    assert_eq!(s.storage.epoch, 2);
    assert!(s.storage.stale_epoch_refusals > 0);
    assert_eq!(s.commits.split_brain, 0);
    assert_eq!(s.commits.lost, 0);
    assert_eq!(s.reads.wrong, 0);
}

#[test]
#[ignore = "long tier: cargo test -- --ignored"]
fn client_errors_come_from_their_causes() {
    let crash = &shipped_outcome("writer-crash").summary;
    assert!(crash.client_errors.timeout > 0, "a dead host times out");
    assert_eq!(crash.hung_clients, 0, "every client has a read timeout");
    let fis = &shipped_outcome("fis-failover").summary;
    assert!(
        fis.client_errors.dns_empty > 0,
        "empty answers while switching"
    );
    let jvm = &shipped_outcome("jvm-dns-cache").summary;
    assert!(
        jvm.client_errors.read_only > 0,
        "a stale cache reaches a reader"
    );
    let hang = &shipped_outcome("client-without-read-timeout").summary;
    assert_eq!(hang.hung_clients, 4, "the four clients without a timeout");
    let r = only_failover(hang);
    assert_eq!(r.client_observed_s.as_ref().unwrap().unrecovered, 4);
}

#[test]
fn a_long_dns_cache_stretches_client_rto_but_not_cluster_rto() {
    let faults = "  - failover: { at: 5s }\n";
    let readers = "  - { name: r, az: b }\n";
    let client = |cache: &str| {
        format!(
            "  - {{ name: app, count: 3, az: b, read_timeout: 2s, connect_timeout: 1s{cache} }}\n"
        )
    };
    // The record changes 2 s after the new writer opens, well inside the
    // 30 s a JVM caches the old answer.
    let quick_dns = "dns: { update_delay: 2s, update_sigma: 0 }\n";
    let with = |cache| cluster_with(readers, &client(cache), faults, 1, quick_dns);
    let ttl = run(&with("")).summary;
    let jvm = run(&with(", dns_cache: 30s")).summary;
    let (a, b) = (only_failover(&ttl), only_failover(&jvm));
    assert_eq!(a.total_s, b.total_s);
    assert!(
        b.client_observed_s
            .as_ref()
            .and_then(|c| c.max)
            .expect("recovered")
            > a.client_observed_s
                .as_ref()
                .and_then(|c| c.max)
                .expect("recovered")
                + 5.0,
        "{a:?} {b:?}"
    );
}

#[test]
fn a_reboot_without_failover_keeps_the_writer() {
    let faults = "  - instance_reboot: { at: 10s, instance: w }\n";
    let s = run(&cluster("  - { name: r, az: b }\n", APP, faults, 1)).summary;
    assert!(s.failovers.is_empty(), "{:#?}", s.failovers);
    assert_eq!(
        s.storage.epoch, 2,
        "the restarted writer recovered the volume"
    );
    assert!(s.client_errors.reset > 0, "the restart resets connections");
    assert_eq!(s.commits.lost, 0);
    let with = "  - instance_reboot: { at: 10s, instance: w, failover: true }\n";
    let s = run(&cluster("  - { name: r, az: b }\n", APP, with, 1)).summary;
    assert_eq!(s.failovers[0].reason, "reboot_with_failover");
    assert_eq!(s.failovers[0].to.as_deref(), Some("r"));
}

#[test]
fn readers_report_their_lag() {
    let s = &shipped_outcome("writer-crash").summary;
    for (name, lag) in &s.replica_lag_ms {
        assert!(
            lag.p50 > 0.0 && lag.p99 < 20.0,
            "{name}: {lag:?} ([P17]: under 20 ms)"
        );
    }
    assert!(s.replica_lag_ms.contains_key("reader-2"));
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(12),
        ..ProptestConfig::default()
    })]

    /// However long the writer is cut off from storage, and whenever, only
    /// one writer can commit: no acknowledged commit is lost and none is
    /// acknowledged by a fenced writer.
    #[test]
    fn a_partitioned_writer_never_makes_two_writers(
        at in 2u32..10,
        duration in proptest::option::of(1u32..25),
        seed in 0u64..1000,
    ) {
        let until = duration.map_or(String::new(), |d| format!(", duration: {d}s"));
        let faults = format!("  - network_partition: {{ at: {at}s, instance: w{until} }}\n");
        let sc = cluster("  - { name: r, az: b }\n", APP, &faults, seed);
        let s = run(&sc).summary;
        prop_assert_eq!(s.commits.split_brain, 0);
        prop_assert_eq!(s.commits.lost, 0);
        prop_assert_eq!(s.reads.wrong, 0);
        prop_assert!(s.storage.vdl <= s.storage.vcl);
    }
}

#[test]
fn a_second_failover_counts_its_clients_from_its_own_fault() {
    // The new writer dies at 26 s, before the clients (5 s TTL) are back
    // from the first failover: their outage runs across both. The first
    // failover counts it from their last success; the second from its
    // fault, not again from before the first.
    let s = run(&parse(
        "name: t\nseed: 3\nduration: 80s\nstorage: { volume_gib: 30 }\n\
         workload: { open_loop: { commits_per_s: 300, reads_per_s: 100 } }\n\
         instances:\n  - { name: w, az: a, role: writer }\n  - { name: r, az: b, tier: 0 }\n  - { name: r2, az: c, tier: 1 }\n\
         clients:\n  - { name: app, count: 4, az: b, read_timeout: 2s, connect_timeout: 1s }\n\
         faults:\n  - writer_crash: { at: 10s }\n  - writer_crash: { at: 26s }\n",
    ))
    .summary;
    assert_eq!(s.rto.len(), 2);
    let seen = |i: usize| s.rto[i].client_observed_s.clone().unwrap();
    let (first, second) = (seen(0), seen(1));
    assert_eq!((first.unrecovered, second.unrecovered), (0, 0));
    // The same clients back at the same moment: the second's figure is
    // short of the first's by about the 16 s between the faults.
    let apart = first.max.unwrap() - second.max.unwrap();
    assert!(apart > 10.0 && apart < 17.0, "{first:?} vs {second:?}");
}

/// A partition of the writer that heals before anything is declared is
/// over: a crash later is timed from the crash, not from the partition,
/// and a failover whose DNS change would land after the run's end is
/// unfinished.
#[test]
fn a_healed_partition_does_not_time_a_later_failover_and_the_end_cuts_a_failover_short() {
    let yaml = |duration: &str| {
        format!(
            "name: t\nseed: 1\nduration: {duration}\nstorage: {{ volume_gib: 30 }}\n\
             workload: {{ open_loop: {{ commits_per_s: 300 }} }}\n\
             instances:\n  - {{ name: w, az: a, role: writer }}\n  - {{ name: r, az: b, tier: 0 }}\n\
             clients:\n{APP}faults:\n\
             \x20 - network_partition: {{ at: 5s, instance: w, from: everything, duration: 2s }}\n\
             \x20 - writer_crash: {{ at: 12s }}\n"
        )
    };
    let s = run(&parse(&yaml("40s"))).summary;
    let f = only_failover(&s);
    assert_eq!(s.failovers[0].at_s, 12.0, "{:#?}", s.failovers);
    assert!(f.detection_s < 6.0, "detection {} s", f.detection_s);
    // The same crash with the run ending before the cluster endpoint has
    // moved: the failover is unfinished, not 20-odd seconds long.
    let s = run(&parse(&yaml("25s"))).summary;
    let f = only_failover(&s);
    assert!(
        f.total_s.is_none(),
        "finished at {:?} in a 25 s run",
        f.total_s
    );
}
