//! Storage that costs something: repair copies move real bytes through
//! node disks and NICs under the membership protocol, and the writer's
//! pipeline keeps commit latency independent of the volume's PG count.

use aurora_sim::metrics::Summary;

use crate::{parse, run};

fn summary(yaml: &str) -> Summary {
    let s = run(&parse(yaml)).summary;
    assert!(s.invariants.iter().all(|i| i.held), "{:?}", s.invariants);
    s
}

/// Seconds of copying behind the longest time a PG was short of copies:
/// the stretch less the `repair_after` wait before the copy started.
fn copy_s(s: &Summary, repair_after_s: f64) -> f64 {
    assert_eq!(
        s.redundancy.longest_restored,
        Some(true),
        "{:?}",
        s.redundancy
    );
    s.redundancy.longest_short_s.expect("a PG was short") - repair_after_s
}

#[test]
fn many_segments_from_one_node_take_longer_to_restore_than_two_bounded_by_the_disks() {
    // 16 nodes per AZ: b-2 holds 2 segments of a 100 GiB volume, 26 of a
    // 2 TiB one.
    let lose = |gib: u32| {
        summary(&format!(
            "name: t\nduration: 150s\nstorage: {{ volume_gib: {gib}, repair_after: 5s }}\nworkload: {{ open_loop: {{ commits_per_s: 500 }} }}\nfaults:\n  - storage_node_crash: {{ at: 5s, node: b-2 }}\n"
        ))
    };
    let (two, many) = (lose(100), lose(2048));
    assert_eq!(two.storage.segments_repaired, 2);
    assert_eq!(many.storage.segments_repaired, 26);
    let (t2, t26) = (copy_s(&two, 5.0), copy_s(&many, 5.0));
    // One 10 GiB copy at the disk's 8 Gb/s takes 10.7 s at least.
    let one = 10.0 * (1u64 << 30) as f64 * 8.0 / 8e9;
    assert!(t2 >= one && t2 < 2.0 * one, "two copies took {t2} s");
    // The busiest source serves several copies one after another: the
    // storm is bounded by its disk, never faster than its bytes allow.
    let busiest = many
        .storage_nodes
        .iter()
        .map(|n| n.repair_out_bytes)
        .max()
        .expect("nodes");
    let bound = busiest as f64 * 8.0 / 8e9;
    assert!(
        t26 >= bound,
        "26 copies took {t26} s, below the disk bound {bound} s"
    );
    assert!(t26 > 3.0 * t2, "26 copies {t26} s against 2 copies {t2} s");
    let copied: u64 = many.storage_nodes.iter().map(|n| n.repair_in_bytes).sum();
    assert_eq!(copied, 26 * (10u64 << 30));
}

#[test]
fn a_change_rolls_back_when_the_old_node_returns_mid_copy() {
    // The copy takes about 11 s; b-2 is back 6 s after it starts.
    let s = summary(
        "name: t\nduration: 40s\nstorage: { volume_gib: 100, repair_after: 2s }\nworkload: { open_loop: { commits_per_s: 500 } }\nfaults:\n  - storage_node_crash: { at: 5s, node: b-2, recover_after: 8s }\n",
    );
    assert_eq!(s.storage.repairs_rolled_back, 2, "{:?}", s.storage);
    assert_eq!(s.storage.segments_repaired, 0);
    // The old copies are members again, caught up by gossip.
    assert_eq!(s.storage.segments, 60);
    assert_eq!(s.redundancy.pgs_short_at_end, 0);
    assert_eq!(s.redundancy.longest_short_s, Some(8.0));
}

#[test]
fn a_change_onto_a_node_that_fails_rolls_back_and_starts_again_later() {
    // Four nodes per AZ: b-2's replacements can only go to b-1, b-3 or
    // b-4, and b-3 and b-4 fail for 20 s while the copies run.
    let s = summary(
        "name: t\nduration: 80s\ntopology: { storage_nodes_per_az: 4 }\nstorage: { volume_gib: 100, repair_after: 2s }\nworkload: { open_loop: { commits_per_s: 500 } }\nfaults:\n  - storage_node_crash: { at: 5s, node: b-2 }\n  - storage_node_crash: { at: 10s, node: b-3, recover_after: 20s }\n  - storage_node_crash: { at: 10s, node: b-4, recover_after: 20s }\n",
    );
    assert!(s.storage.repairs_rolled_back >= 1, "{:?}", s.storage);
    assert_eq!(s.redundancy.pgs_short_at_end, 0, "{:?}", s.redundancy);
}

#[test]
fn placement_decides_whether_copies_return_while_an_az_is_down() {
    let yaml = |placement: &str| {
        format!(
            "name: t\nduration: 120s\nstorage: {{ volume_gib: 100, repair_after: 10s, repair_placement: {placement} }}\nworkload: {{ open_loop: {{ commits_per_s: 500 }} }}\nfaults:\n  - az_outage: {{ at: 5s, az: c }}\n"
        )
    };
    // In the lost copies' AZ only: nothing can be placed, every PG stays
    // short, and the summary says it was never restored.
    let same = summary(&yaml("same_az"));
    assert_eq!(same.storage.segments_repaired, 0);
    assert_eq!(same.redundancy.pgs_short_at_end, 10);
    assert_eq!(same.redundancy.longest_restored, Some(false));
    // Elsewhere when the AZ is down: six copies again, three in one AZ.
    let other = summary(&yaml("prefer_same_az"));
    assert_eq!(other.storage.segments_repaired, 20);
    assert_eq!(other.redundancy.pgs_short_at_end, 0);
}

#[test]
fn commit_latency_does_not_depend_on_the_pg_count() {
    let p50 = |gib: u32, window: u32| {
        summary(&format!(
            "name: t\nduration: 5s\nworkload: {{ open_loop: {{ commits_per_s: 5000, reads_per_s: 1000 }} }}\nstorage: {{ volume_gib: {gib}, batches_in_flight: {window} }}\n"
        ))
        .commit_latency_ms
        .p50
    };
    let (few, many) = (p50(100, 8), p50(16384, 8));
    assert!(
        (few - many).abs() < 0.1,
        "10 PGs {few} ms, 1,639 PGs {many} ms"
    );
    // One batch at a time per PG makes the few-PG volume wait round trips.
    let serial = p50(100, 1);
    assert!(
        serial > few + 1.0,
        "window 1: {serial} ms, window 8: {few} ms"
    );
}

#[test]
fn a_slow_disk_is_masked_until_a_second_failure_puts_it_in_every_quorum() {
    let o = run(&crate::shipped("hot-node"));
    let s = &o.summary;
    let busiest = s
        .storage_nodes
        .iter()
        .max_by(|a, b| a.disk_busy.total_cmp(&b.disk_busy))
        .expect("nodes");
    assert_eq!(busiest.node, "b-2");
    assert!(busiest.disk_busy > 0.6, "{busiest:?}");
    let p50 = |from: f64, to: f64| {
        let bins: Vec<f64> = o
            .timeline
            .iter()
            .filter(|r| r.t_s >= from && r.t_s < to)
            .filter_map(|r| r.commit_p50_ms)
            .collect();
        bins.iter().sum::<f64>() / bins.len() as f64
    };
    let (healthy, slow, exposed) = (p50(5.0, 20.0), p50(25.0, 50.0), p50(52.0, 70.0));
    // Slow alone: within a tenth of a millisecond of healthy.
    assert!(
        slow - healthy < 0.2,
        "healthy {healthy} ms, b-2 slow {slow} ms"
    );
    // With AZ c down, b-2 is in every write quorum of its PGs.
    assert!(
        exposed > 10.0 * healthy,
        "healthy {healthy} ms, exposed {exposed} ms"
    );
    assert!(
        s.expectations.iter().all(|e| e.passed),
        "{:?}",
        s.expectations
    );
}

#[test]
fn an_expectation_on_time_short_of_copies_fails_when_copies_never_return() {
    let s = summary(
        "name: t\nduration: 60s\nstorage: { volume_gib: 100, repair_after: 10s }\nworkload: { open_loop: { commits_per_s: 500 } }\nfaults:\n  - az_outage: { at: 5s, az: c }\nexpect:\n  max_time_short_of_copies: 10m\n",
    );
    let e = &s.expectations[0];
    assert!(!e.passed, "{e:?}");
    assert!(e.detail.contains("not restored by the end"), "{}", e.detail);
}

#[test]
fn copies_placed_in_other_azs_never_leave_one_az_holding_what_its_loss_would_lose() {
    // AZ c down long enough for its copies to be re-created in a and b;
    // then AZ a is lost for good. No AZ took more than one copy over its
    // share, so b still holds a read quorum of every PG.
    let s = summary(
        "name: t\nduration: 5m\nstorage: { volume_gib: 100, repair_after: 10s, repair_placement: prefer_same_az }\nworkload: { open_loop: { commits_per_s: 500 } }\nfaults:\n  - az_outage: { at: 5s, az: c, duration: 2m }\n  - az_outage: { at: 4m, az: a }\n",
    );
    assert_eq!(s.storage.segments_repaired, 20);
    assert_eq!(s.commits.lost, 0, "{:?}", s.commits);
}

#[test]
fn a_copy_waits_while_a_partition_cuts_its_source_off_from_the_target() {
    // PG 0's copies in AZ b (b-2, b-3) are lost; the others are in AZs a
    // and c, which AZ b cannot reach for 40 s. The replacements in b are
    // reachable from the writer there, but nothing can be copied to them
    // until the partition heals.
    let s = summary(
        "name: t\nduration: 120s\nstorage: { volume_gib: 100, repair_after: 2s }\nworkload: { open_loop: { commits_per_s: 500 } }\ninstances:\n  - { name: w, az: b, role: writer }\nfaults:\n  - storage_node_crash: { at: 5s, node: b-2 }\n  - storage_node_crash: { at: 5s, node: b-3 }\n  - network_partition: { at: 6s, between: [a, b], duration: 40s }\n  - network_partition: { at: 6s, between: [b, c], duration: 40s }\n",
    );
    let longest = s.redundancy.longest_short_s.expect("short");
    assert!(
        longest > 41.0,
        "restored after {longest} s, inside the partition"
    );
    assert_eq!(s.redundancy.pgs_short_at_end, 0, "{:?}", s.redundancy);
}
