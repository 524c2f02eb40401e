//! Fuzzing without a nightly toolchain (`cargo fuzz` needs one): proptest
//! feeds the scenario loader arbitrary bytes and mutations of every shipped
//! scenario, runs briefly whatever it accepts, and feeds `report`'s readers
//! arbitrary and mutated files. Nothing may panic or hang; every refusal
//! is located. 64 cases each in `cargo test`; `FUZZ_CASES=100000` runs a
//! long campaign.

use aurora_sim::report::Results;
use aurora_sim::{Scenario, Simulation};
use proptest::prelude::*;

fn cases() -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(64)
}

/// Every shipped scenario's text.
fn shipped_texts() -> Vec<String> {
    let mut paths: Vec<_> = std::fs::read_dir(crate::repo("scenarios"))
        .expect("scenarios/")
        .map(|e| e.expect("entry").path())
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("readable"))
        .collect()
}

/// One edit of `text`: bytes from `at` (a fraction of its length) for
/// `cut` bytes replaced by `insert`, kept on a character boundary.
fn mutate(text: &str, at: f64, cut: usize, insert: &str) -> String {
    let mut at = ((text.len() as f64) * at) as usize;
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let mut end = (at + cut).min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    let mut out = text.to_owned();
    out.replace_range(at..end, insert);
    out
}

/// Loads `bytes` as a scenario file; a refusal must carry a location.
fn load(bytes: &[u8]) -> Result<Option<Scenario>, TestCaseError> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("fuzz.yaml");
    std::fs::write(&path, bytes).expect("write");
    match Scenario::load(&path) {
        Ok(sc) => Ok(Some(sc)),
        Err(e) => {
            let at = e.location().expect("a scenario error");
            prop_assert!(at.line >= 1 && at.column >= 1, "{e}");
            Ok(None)
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_are_refused_with_a_location(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        load(&bytes)?;
    }

    #[test]
    fn mutated_shipped_scenarios_load_or_fail_cleanly_and_run(
        which in any::<prop::sample::Index>(),
        at in 0.0..1.0f64,
        cut in 0usize..12,
        insert in "[ -~\n]{0,12}",
    ) {
        let texts = shipped_texts();
        let text = mutate(which.get::<String>(&texts), at, cut, &insert);
        if let Some(sc) = load(text.as_bytes())? {
            // Whatever is accepted runs; an event budget keeps the
            // campaign fast.
            let o = Simulation::new(&sc).max_events(2_000_000).run().expect("no sink");
            prop_assert!(o.summary.simulated_s > 0.0);
        }
    }

    #[test]
    fn report_readers_refuse_what_no_run_wrote(
        summary in prop::collection::vec(any::<u8>(), 0..256),
        at in 0.0..1.0f64,
        cut in 0usize..12,
        insert in "[ -~\n]{0,12}",
    ) {
        let dir = tempfile::tempdir().expect("temp dir");
        // Arbitrary bytes as summary.json, and a good summary beside a
        // mutated timeline.
        std::fs::write(dir.path().join("summary.json"), &summary).expect("write");
        std::fs::write(dir.path().join("timeline.csv"), "t_s\n0.000\n").expect("write");
        prop_assert!(Results::load(dir.path()).is_err());
        let good = crate::repo("results/writer-crash");
        let timeline = std::fs::read_to_string(good.join("timeline.csv")).expect("timeline");
        std::fs::copy(good.join("summary.json"), dir.path().join("summary.json")).expect("copy");
        std::fs::write(dir.path().join("timeline.csv"), mutate(&timeline, at, cut, &insert)).expect("write");
        if let Ok(r) = Results::load(dir.path()) {
            // What loads also draws.
            let _ = aurora_sim::report::page(&[r]);
        }
    }
}
