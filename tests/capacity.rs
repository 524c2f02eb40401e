//! Capacity that moves. Aurora Serverless v2: capacity follows the load
//! within the cluster's range, readers in tiers 0 and 1 follow the
//! writer and tier-2 readers their own load, a promoted reader's capacity
//! decides how fast throughput comes back, idle instances pause and a
//! connection resumes them. Aurora Replicas auto scaling adds readers
//! after its alarm's datapoints and their creation time, and removes only
//! its own. Misuse of either is refused at its place in the file.

use aurora_sim::metrics::{CapacitySummary, Summary};

use crate::{parse, run};

/// A Serverless v2 cluster of `range`, a writer and the readers listed,
/// `clients` and `faults`, for `duration`.
fn serverless(range: &str, readers: &str, clients: &str, faults: &str, duration: &str) -> Summary {
    run(&parse(&format!(
        "name: t\nseed: 5\nduration: {duration}\nstorage: {{ volume_gib: 20 }}\n\
         workload: {{ working_set_gib: 1, reads_per_transaction: 1 }}\n\
         serverless: {range}\n\
         instances:\n  - {{ name: w, az: a, class: db.serverless, role: writer, tier: 1, acu: 8 }}\n{readers}\
         clients:\n{clients}faults:\n{faults}"
    )))
    .summary
}

/// 30 connections in AZ b committing as fast as they can.
const LOAD: &str =
    "  - { name: app, count: 30, az: b, think_time: 5ms, connect_timeout: 2s, read_timeout: 5s }\n";

fn capacity<'a>(s: &'a Summary, name: &str) -> &'a CapacitySummary {
    let sv = s.serverless.as_ref().expect("a serverless section");
    sv.instances
        .iter()
        .find(|i| i.name == name)
        .unwrap_or_else(|| panic!("{name} in {sv:#?}"))
}

#[test]
fn capacity_follows_the_load_and_tier_1_readers_follow_the_writer_but_tier_2_readers_do_not() {
    let readers = "  - { name: r1, az: b, class: db.serverless, tier: 1 }\n  \
                   - { name: r2, az: c, class: db.serverless, tier: 2 }\n";
    let s = serverless(
        "{ min_acu: 0.5, max_acu: 64 }",
        readers,
        LOAD,
        "  []\n",
        "40s",
    );
    let (w, r1, r2) = (capacity(&s, "w"), capacity(&s, "r1"), capacity(&s, "r2"));
    assert!(w.end_acu > 8.0, "the load needs more than 8 ACU: {w:?}");
    assert!(
        r1.end_acu >= w.end_acu,
        "tier 1 follows the writer: {r1:?} {w:?}"
    );
    assert!(r2.end_acu <= 1.0, "tier 2 stays at its own load: {r2:?}");
    // The same load under an 8 ACU ceiling: capped where it started, its
    // processors saturated, fewer commits.
    let capped = serverless(
        "{ min_acu: 0.5, max_acu: 8 }",
        readers,
        LOAD,
        "  []\n",
        "40s",
    );
    assert_eq!(
        capacity(&capped, "w").peak_acu,
        8.0,
        "{:?}",
        capacity(&capped, "w")
    );
    assert_eq!(
        capacity(&capped, "w").end_acu,
        8.0,
        "{:?}",
        capacity(&capped, "w")
    );
    assert!(
        capped.commits.per_s < s.commits.per_s * 0.8,
        "{} against {}",
        capped.commits.per_s,
        s.commits.per_s
    );
}

#[test]
fn a_promoted_tier_2_reader_scales_up_after_the_failover_and_its_record_says_how_long() {
    let crash = "  - writer_crash: { at: 30s }\n";
    let tier = |t: u8| format!("  - {{ name: r, az: b, class: db.serverless, tier: {t} }}\n");
    let following = serverless(
        "{ min_acu: 0.5, max_acu: 64 }",
        &tier(1),
        LOAD,
        crash,
        "90s",
    );
    let alone = serverless(
        "{ min_acu: 0.5, max_acu: 64 }",
        &tier(2),
        LOAD,
        crash,
        "90s",
    );
    let record = |s: &Summary| s.rto[0].capacity.expect("a capacity record");
    let (f, a) = (record(&following), record(&alone));
    assert_eq!(f.promoted_acu_before, f.writer_acu, "{f:?}");
    assert_eq!(f.capacity_back_s, Some(0.0), "{f:?}");
    assert!(a.promoted_acu_before.expect("serverless") <= 1.0, "{a:?}");
    assert_eq!(
        a.promoted_acu_writable, a.promoted_acu_before,
        "held while promoted: {a:?}"
    );
    let back = a.capacity_back_s.expect("back within the run");
    assert!(back > 5.0, "it had to scale up: {a:?}");
    // The clients pay for it: the small new writer's commits queue.
    let peak = |s: &Summary| s.rto[0].storm.as_ref().expect("opened").commit_p99_peak_ms;
    assert!(
        peak(&alone) > peak(&following),
        "{:?} {:?}",
        peak(&alone),
        peak(&following)
    );
}

#[test]
fn an_idle_reader_pauses_alone_and_a_paused_cluster_resumes_for_a_connection() {
    let readers = "  - { name: r1, az: b, class: db.serverless, tier: 1 }\n  \
                   - { name: r2, az: c, class: db.serverless, tier: 2 }\n";
    let few = "  - { name: app, count: 2, az: b, think_time: 50ms, connect_timeout: 30s, read_timeout: 5s }\n";
    let s = serverless(
        "{ min_acu: 0, max_acu: 16 }",
        readers,
        few,
        "  []\n",
        "360s",
    );
    // r2 has no connection for 300 s: it pauses; the writer's group has
    // the clients' connections and does not.
    let r2 = capacity(&s, "r2");
    assert_eq!((r2.pauses, r2.end_acu), (1, 0.0), "{r2:?}");
    assert!((59.0..=61.0).contains(&r2.paused_s), "{r2:?}");
    for name in ["w", "r1"] {
        assert_eq!(capacity(&s, name).pauses, 0, "{:?}", capacity(&s, name));
    }
    // Everything paused at the start: the first connection waits for the
    // writer's group (the writer and its tier-1 reader) to resume, about
    // 15 s; the tier-2 reader nobody asks for stays paused.
    let paused = "  - { name: r1, az: b, class: db.serverless, tier: 1, acu: 0 }\n  \
                  - { name: r2, az: c, class: db.serverless, tier: 2, acu: 0 }\n";
    let yaml = |writer_acu: &str| {
        format!(
            "name: t\nseed: 5\nduration: 40s\nstorage: {{ volume_gib: 20 }}\n\
             serverless: {{ min_acu: 0, max_acu: 16 }}\n\
             instances:\n  - {{ name: w, az: a, class: db.serverless, role: writer, tier: 1, acu: {writer_acu} }}\n{paused}\
             clients:\n{few}"
        )
    };
    let s = run(&parse(&yaml("0"))).summary;
    let w = capacity(&s, "w");
    assert_eq!((w.start_acu, w.resumes), (0.0, 1), "{w:?}");
    assert!((10.0..=20.0).contains(&w.paused_s), "{w:?}");
    assert_eq!(capacity(&s, "r1").resumes, 1, "{:?}", capacity(&s, "r1"));
    assert_eq!(capacity(&s, "r2").resumes, 0, "{:?}", capacity(&s, "r2"));
    assert!(s.commits.acknowledged > 0);
    assert_eq!(s.commits.lost, 0);
    assert_eq!(s.hung_clients, 0);
    // A reboot of a paused tier-1 reader resumes the writer's group with
    // it, never the reader alone.
    let rebooted = format!(
        "name: t\nseed: 5\nduration: 40s\nstorage: {{ volume_gib: 20 }}\n\
         serverless: {{ min_acu: 0, max_acu: 16 }}\n\
         instances:\n  - {{ name: w, az: a, class: db.serverless, role: writer, tier: 1, acu: 0 }}\n{paused}\
         faults:\n  - instance_reboot: {{ at: 5s, instance: r1 }}\n"
    );
    let s = run(&parse(&rebooted)).summary;
    let (w, r1) = (capacity(&s, "w"), capacity(&s, "r1"));
    assert!(w.resumes == 1 && r1.resumes == 1, "{w:?} {r1:?}");
    assert_eq!(capacity(&s, "r2").resumes, 0);
}

#[test]
fn a_provisioned_instance_keeps_the_writer_from_pausing() {
    let quiet = |reader: &str| {
        serverless(
            "{ min_acu: 0, max_acu: 16 }",
            reader,
            "  []\n",
            "  []\n",
            "330s",
        )
    };
    let all = quiet("  - { name: r, az: b, class: db.serverless, tier: 1 }\n");
    assert_eq!(capacity(&all, "w").pauses, 1, "{:?}", capacity(&all, "w"));
    assert_eq!(capacity(&all, "r").pauses, 1, "{:?}", capacity(&all, "r"));
    let mixed = quiet("  - { name: r, az: b, class: db.r6g.large, tier: 1 }\n");
    assert_eq!(
        capacity(&mixed, "w").pauses,
        0,
        "{:?}",
        capacity(&mixed, "w")
    );
}

#[test]
fn a_restart_refuses_the_connections_waiting_for_a_resume_and_a_dead_host_has_no_capacity() {
    // A paused tier-2 reader rebooted while connections wait for it to
    // resume: they are refused, and their clients retry, not hang.
    let s = run(&parse(
        "name: t\nseed: 2\nduration: 60s\nstorage: { volume_gib: 20 }\n\
         serverless: { min_acu: 0, max_acu: 16 }\n\
         instances:\n  - { name: w, az: a, class: db.serverless, role: writer, acu: 2 }\n  \
         - { name: r2, az: c, class: db.serverless, tier: 2, acu: 0 }\n\
         clients:\n  - { name: app, count: 2, az: b, think_time: 10ms }\n  \
         - { name: rd, count: 5, az: b, endpoint: reader, think_time: 10ms, connect_timeout: 1h }\n\
         faults:\n  - instance_reboot: { at: 5s, instance: r2 }\n",
    ))
    .summary;
    let rd = s.client_groups.iter().find(|g| g.name == "rd").expect("rd");
    assert!(rd.errors.refused > 0, "{rd:?}");
    assert!(rd.requests_ok > 0, "{rd:?}");
    assert_eq!(s.hung_clients, 0);
    // A writer whose host dies for good has no capacity from then on, and
    // bills none.
    let crash = "  - writer_crash: { at: 20s }\n";
    let readers = "  - { name: r, az: b, class: db.serverless, tier: 1 }\n";
    let s = serverless("{ min_acu: 0.5, max_acu: 64 }", readers, LOAD, crash, "60s");
    let w = capacity(&s, "w");
    assert_eq!(w.end_acu, 0.0, "{w:?}");
    assert!(w.mean_acu < w.peak_acu / 2.0, "{w:?}");
}

#[test]
fn the_readers_replica_auto_scaling_has_not_added_do_not_keep_the_cluster_from_healing() {
    let s = run(&parse(
        "name: t\nseed: 2\nduration: 90s\nstorage: { volume_gib: 20 }\n\
         instances:\n  - { name: w, az: a, class: db.r6g.large, role: writer }\n  \
         - { name: r, az: b, class: db.r6g.large, tier: 1 }\n\
         replica_auto_scaling: { metric: cpu, target: 60, max_readers: 3 }\n\
         clients:\n  - { name: app, count: 2, az: a, think_time: 50ms, read_timeout: 5s }\n\
         faults:\n  - instance_reboot: { at: 30s, instance: r }\n\
         expect: { max_heal_time: 1m }\n",
    ))
    .summary;
    assert!(
        s.expectations.iter().all(|e| e.passed),
        "{:#?}",
        s.expectations
    );
    assert!(s.healing.instances_back_s.is_some(), "{:?}", s.healing);
}

/// A writer and one db.r6g.large reader, whose read clients keep its CPU
/// busy, under a replica auto scaling policy of `policy`.
fn autoscaled(policy: &str, duration: &str) -> aurora_sim::Outcome {
    run(&parse(&format!(
        "name: t\nseed: 5\nduration: {duration}\nstorage: {{ volume_gib: 20 }}\n\
         workload: {{ working_set_gib: 1 }}\nengine: {{ cpu_per_read: 1ms }}\n\
         control_plane: {{ provision_time: 100s, provision_sigma: 0 }}\n\
         instances:\n  - {{ name: w, az: a, class: db.r6g.xlarge, role: writer }}\n  \
         - {{ name: r, az: b, class: db.r6g.large, tier: 1 }}\n\
         replica_auto_scaling: {policy}\n\
         clients:\n  - name: reads\n    count: 6\n    az: b\n    endpoint: reader\n    think_time: 5ms\n    \
         read_timeout: 5s\n    connection: {{ pool: {{ size: 6, max_lifetime: 30s }} }}\n"
    )))
}

#[test]
fn replica_auto_scaling_adds_readers_after_three_datapoints_and_their_creation_time() {
    let o = autoscaled("{ metric: cpu, target: 30, max_readers: 2 }", "400s");
    let s = &o.summary;
    let a = s.auto_scaling.as_ref().expect("a policy");
    assert_eq!(a.activities.len(), 1, "capped at 2 readers: {a:#?}");
    let add = &a.activities[0];
    assert_eq!(add.action, "add");
    assert_eq!(add.instance, "application-autoscaling-1");
    // Datapoints at 60, 120 and 180 s above the target: the third adds.
    assert_eq!(add.at_s, 180.0, "{add:?}");
    assert!(add.metric.expect("a datapoint") > 30.0, "{add:?}");
    let serving = add.serving_s.expect("created within the run");
    assert!(
        (280.0..=300.0).contains(&serving),
        "100 s to create, then its start: {add:?}"
    );
    let created = s
        .topology
        .instances
        .iter()
        .find(|i| i.name == add.instance)
        .expect("listed");
    assert!(created.autoscaled);
    assert_eq!(
        (created.class.as_str(), created.tier),
        ("db.r6g.xlarge", 15)
    );
    // It served reads once it was up, and none before.
    let k = s
        .topology
        .instances
        .iter()
        .position(|i| i.name == add.instance)
        .expect("listed");
    let busy = |from: f64, to: f64| {
        o.timeline
            .iter()
            .filter(|r| r.t_s >= from && r.t_s < to)
            .map(|r| r.cpu_util[k])
            .sum::<f64>()
    };
    assert_eq!(busy(0.0, serving), 0.0);
    assert!(busy(serving + 30.0, 400.0) > 0.0);
}

#[test]
fn replica_auto_scaling_removes_only_its_own_readers_after_fifteen_datapoints_below() {
    // One reader at about 45 % CPU against a target of 30 %: the policy
    // adds a second; the two then run near 23 %, more than 10 % below the
    // target, and fifteen datapoints later (its scale-out cooldown long
    // past) it removes the reader it added, never the listed one.
    let s = autoscaled("{ metric: cpu, target: 30, max_readers: 3 }", "1300s").summary;
    let a = s.auto_scaling.as_ref().expect("a policy");
    let actions: Vec<(&str, &str)> = a
        .activities
        .iter()
        .map(|x| (x.action.as_str(), x.instance.as_str()))
        .collect();
    assert_eq!(
        actions[..2],
        [
            ("add", "application-autoscaling-1"),
            ("remove", "application-autoscaling-1")
        ],
        "{a:#?}"
    );
    let (add, remove) = (&a.activities[0], &a.activities[1]);
    assert!(remove.metric.expect("a datapoint") < 27.0, "{remove:?}");
    // Fifteen datapoints below, counted from the first with both readers
    // serving.
    let serving = add.serving_s.expect("serving");
    assert!(remove.at_s >= serving + 15.0 * 60.0 - 60.0, "{a:#?}");
    // A minimum above the readers listed adds at the first datapoint.
    let s = autoscaled(
        "{ metric: connections, target: 100, min_readers: 2, max_readers: 3 }",
        "70s",
    )
    .summary;
    let a = s.auto_scaling.expect("a policy");
    assert_eq!(a.activities.len(), 1, "{a:#?}");
    assert_eq!((a.activities[0].at_s, a.activities[0].metric), (60.0, None));
}

#[test]
fn capacity_settings_are_refused_where_they_are_wrong() {
    let yaml = |head: &str, instances: &str| {
        format!("name: t\nduration: 10s\n{head}instances:\n{instances}")
    };
    let writer = "  - { name: w, az: a, class: db.serverless, role: writer }\n";
    let cases = [
        ("", writer, "add a `serverless:` section"),
        (
            "serverless: { min_acu: 0.5, max_acu: 8 }\n",
            "  - { name: w, az: a, class: db.r6g.large, role: writer, acu: 2 }\n",
            "starting capacity of a `db.serverless` instance",
        ),
        (
            "serverless: { min_acu: 2, max_acu: 8 }\n",
            "  - { name: w, az: a, class: db.serverless, role: writer, acu: 1 }\n",
            "within the cluster's range, 2 to 8 ACU",
        ),
        (
            "serverless: { min_acu: 0.5, max_acu: 8 }\n",
            "  - { name: w, az: a, class: db.serverless, role: writer, acu: 0 }\n",
            "within the cluster's range",
        ),
        ("serverless: { min_acu: 0.3, max_acu: 8 }\n", writer, "steps of 0.5 ACU"),
        ("serverless: { min_acu: 0.5, max_acu: 0.5 }\n", writer, "at least 1 ACU"),
        ("serverless: { min_acu: 9, max_acu: 8 }\n", writer, "above the maximum"),
        ("serverless: { min_acu: 0.5, max_acu: 300 }\n", writer, "from 0 to 256"),
        (
            "serverless: { min_acu: 0, max_acu: 8, seconds_until_auto_pause: 60 }\n",
            writer,
            "from 300 to 86400",
        ),
        (
            "serverless: { min_acu: 0.5, max_acu: 8 }\nreplica_auto_scaling: { metric: cpu, target: 50, max_readers: 2 }\n",
            "  - { name: w, az: a, class: db.r6g.large, role: writer }\n  - { name: r, az: b, class: db.serverless }\n",
            "beside `db.serverless` instances is not supported",
        ),
        (
            "replica_auto_scaling: { metric: cpu, target: 150, max_readers: 2 }\n",
            "  - { name: w, az: a, role: writer }\n  - { name: r, az: b }\n",
            "at most 100",
        ),
        (
            "replica_auto_scaling: { metric: cpu, target: 50, min_readers: 3, max_readers: 2 }\n",
            "  - { name: w, az: a, role: writer }\n  - { name: r, az: b }\n",
            "above `max_readers`",
        ),
        (
            "replica_auto_scaling: { metric: cpu, target: 50, min_readers: 0, max_readers: 2 }\n",
            "  - { name: w, az: a, role: writer }\n",
            "nothing to measure",
        ),
        (
            "replica_auto_scaling: { metric: cpu, target: 50, max_readers: 2 }\n",
            "  - { name: w, az: a, role: writer }\n  - { name: application-autoscaling-1, az: b }\n",
            "rename the instance",
        ),
        (
            "replica_auto_scaling: { metric: cpu, target: 50, max_readers: 16 }\n",
            "  - { name: w, az: a, role: writer }\n  - { name: r, az: b }\n",
            "from 0 to 15",
        ),
        (
            "serverless: { min_acu: 0, max_acu: 8 }\n",
            "  - { name: w, az: a, class: db.serverless, role: writer, acu: 0 }\n  - { name: r, az: b, class: db.serverless, tier: 1, acu: 2 }\n",
            "pause together, and \"r\" does not start paused",
        ),
        (
            "serverless: { min_acu: 0, max_acu: 8 }\n",
            "  - { name: w, az: a, class: db.serverless, role: writer, acu: 0 }\n  - { name: r, az: b, class: db.r6g.large, tier: 2 }\n",
            "once every other reader has",
        ),
        (
            "serverless: { min_acu: 0, max_acu: 8 }\nworkload: { open_loop: { commits_per_s: 100 } }\n",
            "  - { name: w, az: a, class: db.serverless, role: writer, acu: 0 }\n",
            "open-loop load",
        ),

        (
            "serverless: { min_acu: 0, max_acu: 8 }\nproxy: {}\n",
            "  - { name: w, az: a, class: db.serverless, role: writer, acu: 0 }\n",
            "RDS Proxy",
        ),
        (
            "serverless: { min_acu: 0, max_acu: 8 }\n",
            "  - { name: w, az: a, class: db.serverless, role: writer }\n  - { name: g, az: b, class: db.serverless, role: writer, environment: green, acu: 0 }\n",
            "green environment",
        ),
        (
            // A cluster that may start paused does not vouch for green.
            "serverless: { min_acu: 0, max_acu: 8 }\n",
            "  - { name: w, az: a, class: db.serverless, role: writer, acu: 0 }\n  - { name: g, az: b, class: db.serverless, role: writer, environment: green, acu: 0 }\n",
            "green environment",
        ),
        (
            "replica_auto_scaling: { metric: cpu, target: 50, max_readers: 2 }\nfaults:\n  - instance_crash: { at: 5s, instance: application-autoscaling-1 }\n",
            "  - { name: w, az: a, role: writer }\n  - { name: r, az: b }\n",
            "a reader replica auto scaling may add during the run",
        ),
        (
            "replica_auto_scaling: { metric: memory, target: 50, max_readers: 2 }\n",
            "  - { name: w, az: a, role: writer }\n  - { name: r, az: b }\n",
            "cpu",
        ),
    ];
    for (head, instances, needle) in cases {
        let text = yaml(head, instances);
        let e = aurora_sim::Scenario::parse(&text, std::path::Path::new("cap.yaml"))
            .expect_err(needle)
            .to_string();
        assert!(
            e.starts_with("cap.yaml:") && e.contains(needle),
            "{needle:?} in {e}\n{text}"
        );
    }
    // Open-loop load keeps the writer's group up, not a tier-2 reader.
    let tier2 = yaml(
        "serverless: { min_acu: 0, max_acu: 8 }\nworkload: { open_loop: { commits_per_s: 100 } }\n",
        "  - { name: w, az: a, class: db.serverless, role: writer }\n  - { name: r, az: b, class: db.serverless, tier: 2, acu: 0 }\n",
    );
    assert!(aurora_sim::Scenario::parse(&tier2, std::path::Path::new("cap.yaml")).is_ok());
    // A class change to or from db.serverless.
    let change = "serverless: { min_acu: 0.5, max_acu: 8 }\n";
    let text = format!(
        "{}faults:\n  - class_change: {{ at: 2s, instance: w, class: db.r6g.large }}\n",
        yaml(change, writer)
    );
    let e = aurora_sim::Scenario::parse(&text, std::path::Path::new("cap.yaml"))
        .expect_err("a class change")
        .to_string();
    assert!(e.contains("not modelled"), "{e}");
}

mod properties {
    //! Random Serverless v2 clusters, mixed with provisioned readers, under
    //! random fault schedules: every invariant holds, and capacity stays
    //! within the cluster's range (zero only while paused).

    use proptest::prelude::*;

    use crate::{parse, run};

    /// A fault at `at` seconds, by kind, on instance `i` or AZ `z`.
    fn fault(kind: u8, at: u64, i: usize, z: usize) -> String {
        let inst = if i == 0 {
            "w".to_owned()
        } else {
            format!("r{i}")
        };
        let az = ["a", "b", "c"][z];
        match kind {
            0 => format!("  - writer_crash: {{ at: {at}s, recover_after: 10s }}\n"),
            1 => format!(
                "  - instance_crash: {{ at: {at}s, instance: {inst}, recover_after: 8s }}\n"
            ),
            2 => format!("  - az_outage: {{ at: {at}s, az: {az}, duration: 6s }}\n"),
            3 => {
                format!("  - instance_reboot: {{ at: {at}s, instance: {inst}, failover: true }}\n")
            }
            _ => format!("  - failover: {{ at: {at}s }}\n"),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(24),
            ..ProptestConfig::default()
        })]

        #[test]
        fn serverless_clusters_keep_every_invariant_and_their_range(
            seed in 0u64..1_000_000,
            min_half in prop_oneof![Just(0u32), Just(1), Just(4)],
            readers in prop::collection::vec((0usize..3, 0u8..4, any::<bool>(), 0u32..9), 1..4),
            writer_start in 0u32..9,
            faults in prop::collection::vec((0u8..5, 5u64..30, 0usize..4, 0usize..3), 0..4),
            clients in 0u32..4,
        ) {
            let (min, max) = (f64::from(min_half) / 2.0, 16.0);
            // Everything paused at the start, or nothing: a cluster's
            // instances pause together, the writer last.
            let all_paused = min_half == 0 && writer_start == 0;
            let start = |half: u32| {
                if all_paused { 0.0 } else { f64::from(half.max(min_half).max(1)) / 2.0 }
            };
            let mut yaml = format!(
                "name: p\nseed: {seed}\nduration: 45s\ntopology: {{ storage_nodes_per_az: 2 }}\n\
                 storage: {{ volume_gib: 20 }}\n\
                 control_plane: {{ provision_time: 20s, provision_sigma: 0 }}\n\
                 serverless: {{ min_acu: {min}, max_acu: {max}, scale_up_per_s: 1 }}\ninstances:\n  \
                 - {{ name: w, az: a, class: db.serverless, role: writer, acu: {} }}\n",
                start(writer_start)
            );
            for (k, (az, tier, provisioned, half)) in readers.iter().enumerate() {
                let class = if *provisioned && !all_paused {
                    "db.r6g.large".to_owned()
                } else {
                    format!("db.serverless, acu: {}", start(*half))
                };
                yaml += &format!(
                    "  - {{ name: r{}, az: {}, tier: {tier}, class: {class} }}\n",
                    k + 1,
                    ["a", "b", "c"][*az]
                );
            }
            if clients > 0 {
                yaml += &format!(
                    "clients:\n  - {{ name: app, count: {clients}, think_time: 20ms, read_timeout: 2s, connect_timeout: 20s }}\n"
                );
            }
            let n = readers.len() + 1;
            let mut faults: Vec<_> = faults.into_iter().map(|(k, at, i, z)| (at, k, i % n, z)).collect();
            faults.sort();
            if !faults.is_empty() {
                yaml += "faults:\n";
                for (at, k, i, z) in faults {
                    yaml += &fault(k, at, i, z);
                }
            }
            let o = run(&parse(&yaml));
            for v in &o.summary.invariants {
                prop_assert!(v.held, "{} broken: {:?}\n{yaml}", v.name, v.first);
            }
            let sv = o.summary.serverless.as_ref().expect("serverless");
            for i in &sv.instances {
                prop_assert!(i.peak_acu <= max, "{i:?}\n{yaml}");
                prop_assert!(i.end_acu <= max, "{i:?}\n{yaml}");
                let paused_at_end = i.end_acu == 0.0;
                prop_assert!(paused_at_end || i.end_acu >= min.max(0.5), "{i:?}\n{yaml}");
                prop_assert!(!paused_at_end || min == 0.0, "{i:?}\n{yaml}");
            }
            for row in &o.timeline {
                for &acu in &row.acu {
                    prop_assert!(acu <= max && (acu == 0.0 || acu >= min.max(0.5)), "{acu}\n{yaml}");
                }
            }
        }
    }
}
