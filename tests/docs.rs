//! The README's generated parts match what they are generated from: the
//! results table from `results/`, the example from running the binary.
//! `UPDATE_DOCS=1 cargo test --test integration docs` rewrites them.

use std::fmt::Write as _;

use aurora_sim::metrics::units::percent;
use aurora_sim::metrics::{ClientObserved, Summary};

use crate::{aurora, repo};

/// Replaces what lies between `<!-- NAME:begin -->` and `<!-- NAME:end -->`
/// in `text` with `body`.
fn splice(text: &str, name: &str, body: &str) -> String {
    let (begin, end) = (format!("<!-- {name}:begin -->\n"), format!("<!-- {name}:end -->"));
    let a = text.find(&begin).expect("begin marker") + begin.len();
    let b = text.find(&end).expect("end marker");
    format!("{}{body}{}", &text[..a], &text[b..])
}

/// Checks the README's part `name` against `body`, or rewrites it when
/// `UPDATE_DOCS` is set.
fn check_part(name: &str, body: &str) {
    let path = repo("README.md");
    let text = std::fs::read_to_string(&path).expect("README");
    let want = splice(&text, name, body);
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, want).expect("write README");
    } else {
        assert!(
            want == text,
            "the README's {name} part is stale: run `UPDATE_DOCS=1 cargo test --test integration docs`"
        );
    }
}

/// One row per shipped scenario, from its `results/<name>/summary.json`.
fn results_table() -> String {
    let mut names: Vec<String> = std::fs::read_dir(repo("scenarios"))
        .expect("scenarios/")
        .filter_map(|e| {
            let p = e.ok()?.path();
            (p.extension()? == "yaml").then(|| p.file_stem()?.to_str().map(str::to_owned))?
        })
        .collect();
    names.sort();
    let mut t = String::from(
        "| scenario | invariants | commits lost | unavailable at end | write availability | longest write outage | failover | cluster RTO | slowest client |\n|---|---|---|---|---|---|---|---|---|\n",
    );
    for name in names {
        let json = std::fs::read_to_string(repo(&format!("results/{name}/summary.json")))
            .unwrap_or_else(|e| panic!("results/{name}/summary.json: {e}; regenerate results/"));
        let s: Summary = serde_json::from_str(&json).expect("a summary");
        let held = s.invariants.iter().filter(|i| i.held).count();
        let failovers: Vec<String> = s
            .failovers
            .iter()
            .map(|f| {
                let to = f.to.as_deref().unwrap_or("none");
                if f.provisioned {
                    format!("{} re-created ({})", f.from, f.reason)
                } else {
                    format!("{} → {to} ({})", f.from, f.reason)
                }
            })
            .collect();
        let rto: Vec<String> = s
            .rto
            .iter()
            .map(|r| r.total_s.map_or("unfinished".to_owned(), |t| format!("{t:.1} s")))
            .collect();
        let clients: Vec<String> = s
            .rto
            .iter()
            .map(|r| {
                r.client_observed_s
                    .as_ref()
                    .map_or("–".to_owned(), |c| ClientObserved::show(c.max))
            })
            .collect();
        let or_dash = |v: Vec<String>| if v.is_empty() { "–".to_owned() } else { v.join("; ") };
        let _ = writeln!(
            t,
            "| [`{name}`](results/{name}/) | {held} of {} held | {} | {} | {} | {} | {} | {} | {} |",
            s.invariants.len(),
            s.commits.lost,
            s.commits.unavailable_at_end,
            percent(s.write_availability),
            if s.write_stalls.is_empty() {
                "none".to_owned()
            } else {
                format!("{:.1} s", s.longest_write_stall_s())
            },
            or_dash(failovers),
            or_dash(rto),
            or_dash(clients),
        );
    }
    t
}

#[test]
fn the_readme_results_table_is_generated_from_results() {
    check_part("results", &results_table());
}

#[test]
fn the_readme_example_is_what_the_binary_prints() {
    let dir = tempfile::tempdir().expect("tempdir");
    let scenario = repo("scenarios/az-plus-one.yaml");
    let o = aurora(
        &["run", scenario.to_str().expect("utf-8"), "--charts", "--out", "out"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(0));
    check_part("example", &String::from_utf8(o.stdout).expect("utf-8"));
}
