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
