//! The validation suite: every item runs and reads its measure, a fitted
//! figure's default still gives it, and a malformed item is refused with
//! its place.

use rayon::prelude::*;

use aurora_sim::study::validation::{Suite, Use, Verdict};

use crate::{aurora, repo, text};

#[test]
#[ignore = "long tier: cargo test -- --ignored"]
fn the_short_form_runs_every_item_and_no_fit_comes_undone() {
    let suite = Suite::load(&repo("validation"), true).expect("the suite loads");
    let files = std::fs::read_dir(repo("validation"))
        .expect("validation/ lists")
        .filter(|e| {
            e.as_ref()
                .expect("entry")
                .path()
                .extension()
                .is_some_and(|x| x == "yaml")
        })
        .count();
    assert!(files >= 15, "at least 15 published figures: {files}");
    assert_eq!(suite.items.len(), files);
    let summaries: Vec<_> = (0..suite.runs())
        .into_par_iter()
        .map(|i| suite.run(i))
        .collect();
    // A measure that names nothing in any summary fails the judging.
    let result = suite.judge(&summaries).expect("every measure is measured");
    // A seed or two cannot close a fit's interval; its estimate must still
    // land within twice the figure it was fitted to (a broken fit, as a
    // DNS update of 2 s or a tenth of the link, lands far outside).
    let undone: Vec<_> = result
        .items
        .iter()
        .filter(|j| j.used == Use::Fit)
        .filter(|j| j.verdict == Verdict::Miss || !j.estimate_near_claim(2.0))
        .map(|j| (&j.file, j.simulated()))
        .collect();
    assert!(undone.is_empty(), "fits no longer met: {undone:?}");
    assert!(result.items.iter().any(|j| j.used == Use::Check));
}

#[test]
fn the_committed_suite_results_cover_every_item() {
    let text = std::fs::read_to_string(repo("results/validation/validation.json"))
        .expect("results/validation/validation.json");
    let result: aurora_sim::study::validation::ValidationResult =
        serde_json::from_str(&text).expect("it reads");
    assert!(!result.quick, "the committed results are the full suite");
    let suite = Suite::load(&repo("validation"), false).expect("the suite loads");
    let files: Vec<String> = suite
        .items
        .iter()
        .map(|l| l.file.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let judged: Vec<&String> = result.items.iter().map(|j| &j.file).collect();
    assert_eq!(
        judged,
        files.iter().collect::<Vec<_>>(),
        "run `aurora-sim validation --out results`"
    );
    for j in &result.items {
        let seeds = suite
            .items
            .iter()
            .find(|l| l.file.ends_with(&j.file))
            .map(|l| l.item.seeds)
            .unwrap();
        assert!(j.runs as u64 <= seeds && j.runs > 0, "{}", j.file);
    }
}

#[test]
fn a_malformed_item_is_refused_with_its_place_and_nothing_is_written() {
    let (dir, items) = suite_with(
        "bad.yaml",
        "figure: x\nsource: y\nquote: z\nconditions: c\npublished: p\nuse: fitted\n",
    );
    let o = aurora(&["validation", "items", "--out", "out"], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("bad.yaml:6:"), "{}", text(&o));
    assert!(!dir.path().join("out").exists());
    std::fs::write(
        items.join("bad.yaml"),
        "figure: x\nsource: y\nquote: z\nconditions: c\npublished: p\nuse: check\nscenario: none.yaml\nseeds: 5\nmeasure: rto/0/total_s\nclaim: {}\n",
    )
    .unwrap();
    let o = aurora(&["validation", "items", "--out", "out"], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("the claim bounds nothing"),
        "{}",
        text(&o)
    );
}

#[test]
fn a_suite_run_again_replaces_its_own_results() {
    let (dir, _) = suite_with(
        "quick.yaml",
        "figure: commits go on\nsource: s\nquote: q\nconditions: c\npublished: p\nuse: check\nscenario: ../quick-scenario.yaml\nseeds: 6\nquick_seeds: 6\nmeasure: commits/per_s\nquantile: 0.5\nclaim: { at_least: 1 }\n",
    );
    std::fs::write(
        dir.path().join("quick-scenario.yaml"),
        "name: q\nduration: 2s\nclients:\n  - { name: app, count: 2, think_time: 10ms }\n",
    )
    .unwrap();
    for _ in 0..2 {
        let o = aurora(&["validation", "items", "--out", "out"], dir.path());
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    }
    assert!(dir.path().join("out/validation/validation.md").is_file());
}

/// A suite directory `items/` in a fresh temporary directory, holding one
/// item; the directory and the `items/` path come back.
fn suite_with(item: &str, yaml: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let items = dir.path().join("items");
    std::fs::create_dir(&items).expect("items/");
    std::fs::write(items.join(item), yaml).expect("item written");
    (dir, items)
}
