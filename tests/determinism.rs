//! Same scenario and seed ⇒ byte-identical summary, timeline and trace.

use aurora_sim::Simulation;

use crate::{run, shipped_with};

fn short_outage() -> aurora_sim::Scenario {
    shipped_with("az-plus-one", &[("duration", "100s")])
}

#[test]
fn same_seed_gives_identical_bytes() {
    let sc = short_outage();
    let (a, b) = (run(&sc), run(&sc));
    assert_eq!(a.summary_json(), b.summary_json());
    assert_eq!(a.timeline_csv(), b.timeline_csv());
    assert_eq!(a.summary.trace_digest.len(), 16);
}

#[test]
fn a_different_seed_gives_a_different_run() {
    let sc = short_outage();
    let other = sc.clone().with_seed(sc.config().seed + 1);
    let (a, b) = (run(&sc), run(&other));
    assert_ne!(a.summary.trace_digest, b.summary.trace_digest);
    assert_ne!(a.timeline_csv(), b.timeline_csv());
}

#[test]
fn the_streamed_trace_is_identical_too() {
    let sc = shipped_with(
        "storage-node-crash",
        &[("duration", "2s"), ("faults.0.storage_node_crash.at", "1s")],
    );
    let trace = |sc: &aurora_sim::Scenario| {
        let file = tempfile::NamedTempFile::new().expect("temp file");
        let sink = Box::new(std::io::BufWriter::new(file.reopen().expect("reopen")));
        let o = Simulation::with_trace(sc, sink)
            .run()
            .expect("trace written");
        let text = std::fs::read_to_string(file.path()).expect("read trace");
        (o.summary.trace_digest, text)
    };
    let (d1, t1) = trace(&sc);
    let (d2, t2) = trace(&sc);
    assert_eq!(d1, d2);
    assert_eq!(t1, t2);
    // Each line names the event and its operands.
    let mut lines = t1.lines();
    assert_eq!(
        lines.next(),
        Some("{\"t_ns\":0,\"event\":\"group_commit\"}")
    );
    assert!(
        t1.lines()
            .any(|l| l.contains("\"event\":\"batch\",\"seg\":") && l.contains(",\"last\":")),
        "a batch names its segment and last LSN"
    );
    assert_eq!(t1.lines().count() as u64, run(&sc).summary.events_processed);
}

/// A writer crash at 5 s, to 25 s: the common prefix is its first 5 s.
fn early_crash() -> aurora_sim::Scenario {
    shipped_with(
        "writer-crash",
        &[("duration", "25s"), ("faults.0.writer_crash.at", "5s")],
    )
}

#[test]
fn a_run_continued_from_a_shared_prefix_is_the_run_made_alone() {
    let sc = early_crash();
    let prefix = Simulation::new(&sc)
        .common_prefix(1)
        .expect("a fault to fork at")
        .run_prefix();
    let mut timelines = Vec::new();
    for seed in [2, 3] {
        let forked = prefix.continue_on(seed);
        let alone = Simulation::new(&sc.clone().with_seed(seed))
            .common_prefix(1)
            .expect("a fault to fork at")
            .run()
            .expect("no sink");
        assert_eq!(forked.summary_json(), alone.summary_json());
        assert_eq!(forked.timeline_csv(), alone.timeline_csv());
        let p = forked.summary.common_prefix.expect("recorded");
        assert_eq!((p.seed, p.until_s, forked.summary.seed), (1, 5.0, seed));
        timelines.push(forked.timeline);
    }
    // The runs agree on every bin before the fork and part after it.
    let split = |t: &[aurora_sim::metrics::TimelineRow]| {
        let i = t.iter().position(|r| r.t_s >= 5.0).expect("bins after 5 s");
        (format!("{:?}", &t[..i]), format!("{:?}", &t[i..]))
    };
    let (a, b) = (split(&timelines[0]), split(&timelines[1]));
    assert_eq!(a.0, b.0);
    assert_ne!(a.1, b.1);
    // A run made without the prefix is another run.
    let plain = run(&sc.clone().with_seed(2));
    assert_ne!(
        plain.summary.trace_digest,
        prefix.continue_on(2).summary.trace_digest
    );
}

#[test]
fn a_common_prefix_needs_a_fault_after_the_start() {
    let none = shipped_with("baseline", &[("duration", "1s")]);
    assert_eq!(
        Simulation::new(&none).common_prefix(1).err(),
        Some(aurora_sim::NoPrefix::NoFault)
    );
    let at_start = shipped_with(
        "writer-crash",
        &[("duration", "5s"), ("faults.0.writer_crash.at", "0s")],
    );
    assert_eq!(
        Simulation::new(&at_start).common_prefix(1).err(),
        Some(aurora_sim::NoPrefix::FaultAtStart)
    );
}
