//! Properties over random fault schedules within AZ+1: no acknowledged
//! commit is lost, every read returns the committed page, and the model's
//! own LSN assertions (VDL ≤ VCL, no allocation past VDL + LAL) hold.

use proptest::prelude::*;

use crate::{parse, run};

/// A fault schedule that never takes more than one AZ plus one node of
/// another AZ down at once: within Aurora's design point.
fn schedule() -> impl Strategy<Value = String> {
    let az_outage = (0u32..3, 1u32..8, 1u32..10).prop_map(|(az, at, dur)| {
        format!(
            "  - az_outage: {{ at: {at}s, az: {}, duration: {dur}s }}\n",
            ["a", "b", "c"][az as usize]
        )
    });
    let node_crash =
        (1u32..=4, 1u32..10, proptest::option::of(1u32..6)).prop_map(|(n, at, rec)| {
            let recover = rec.map_or(String::new(), |r| format!(", recover_after: {r}s"));
            format!("  - storage_node_crash: {{ at: {at}s, node: a-{n}{recover} }}\n")
        });
    let gray = (1u32..=4, 1u32..10, 0.0f64..0.3).prop_map(|(n, at, rate)| {
        format!("  - packet_loss: {{ at: {at}s, node: b-{n}, rate: {rate:.3}, duration: 3s }}\n  - slow_node: {{ at: {at}s, node: b-{n}, factor: 20, duration: 2s }}\n")
    });
    (
        proptest::option::of(az_outage),
        proptest::option::of(node_crash),
        gray,
    )
        .prop_map(|(a, n, g)| {
            // An AZ outage of AZ a plus a crash in AZ a is still AZ+0.
            format!("{}{}{}", a.unwrap_or_default(), n.unwrap_or_default(), g)
        })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(24),
        ..ProptestConfig::default()
    })]

    #[test]
    fn no_acknowledged_commit_is_lost_within_az_plus_one(faults in schedule(), seed in 0u64..1000) {
        let yaml = format!(
            "name: prop\nseed: {seed}\nduration: 15s\nstorage: {{ volume_gib: 40, repair_after: 4s }}\nworkload: {{ commits_per_s: 400, reads_per_s: 200 }}\nfaults:\n{faults}"
        );
        let o = run(&parse(&yaml));
        let s = &o.summary;
        prop_assert_eq!(s.commits.lost, 0, "lost commits in\n{}", yaml);
        prop_assert_eq!(s.reads.wrong, 0, "wrong reads in\n{}", yaml);
        prop_assert!(s.storage.vdl <= s.storage.vcl);
        prop_assert!(s.commits.acknowledged > 0, "no commit at all in\n{}", yaml);
    }
}

#[test]
fn a_broken_quorum_can_lose_acknowledged_commits() {
    // With 2-of-6 writes, a commit can be durable on AZ a alone; lose AZ a
    // for good and recovery cannot find it. The quorum rules exist for this.
    use aurora_sim::model::storage::quorum::Quorum;
    let mut sc = parse(
        "name: broken\nduration: 6s\nstorage: { volume_gib: 20 }\nworkload: { commits_per_s: 500 }\nfaults:\n  - network_partition: { at: 1s, between: [a, b] }\n  - network_partition: { at: 1s, between: [a, c] }\n  - az_outage: { at: 3s, az: a }\n",
    );
    sc.storage.quorum = Quorum::unchecked(6, 2, 2);
    let o = run(&sc);
    assert!(
        o.summary.commits.lost > 0,
        "a 2/6 write quorum should lose commits here"
    );
}
