//! The generated parts of the documents match what they are generated
//! from: the README's results table from `results/` and its example from
//! running the binary, the references from the vocabularies declared in
//! the code (events, the scenario format, the charts).
//! `UPDATE_DOCS=1 cargo test --test integration docs` rewrites them.

use std::fmt::Write as _;

use aurora_sim::metrics::units::percent;
use aurora_sim::metrics::Summary;

use crate::{aurora, repo};

/// Replaces what lies between `<!-- NAME:begin -->` and `<!-- NAME:end -->`
/// in `text` with `body`.
fn splice(text: &str, name: &str, body: &str) -> String {
    let (begin, end) = (
        format!("<!-- {name}:begin -->\n"),
        format!("<!-- {name}:end -->"),
    );
    let a = text.find(&begin).expect("begin marker") + begin.len();
    let b = text.find(&end).expect("end marker");
    format!("{}{body}{}", &text[..a], &text[b..])
}

/// Checks the part `name` of the document at `path` against `body`, or
/// rewrites it when `UPDATE_DOCS` is set.
fn check_part(path: &str, name: &str, body: &str) {
    let text = std::fs::read_to_string(repo(path)).expect("the document");
    check_file(path, &splice(&text, name, body));
}

/// Checks a generated file against `body`, or writes it when
/// `UPDATE_DOCS` is set.
fn check_file(path: &str, body: &str) {
    let path = repo(path);
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, body).expect("write");
    } else {
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == body,
            "{} is stale: run `UPDATE_DOCS=1 cargo test --test integration docs`",
            path.display()
        );
    }
}

/// `docs/trace.md`, from the one event vocabulary.
fn trace_reference() -> String {
    use aurora_sim::model::Kind;
    let mut t = String::from(
        "# The event trace\n\n<!-- Generated from src/model/event.rs by tests/docs.rs; do not edit. -->\n\n\
         `aurora-sim run --trace` writes `events.jsonl` beside the summary: one JSON\n\
         object per event, in the order the engine handled them, as\n\
         `{\"t_ns\":60001000000,\"event\":\"batch\",\"seg\":3,\"last\":120}`. `t_ns` is\n\
         the simulated time in nanoseconds and `event` the kind; the other members\n\
         are the kind's two operands, named below (a kind with fewer has fewer).\n\
         `--trace-kinds batch,quorum` writes only those kinds and `--trace-from 60s\n\
         --trace-to 90s` only that window; the summary's `trace_digest` covers\n\
         every event either way.\n\n\
         | event | operands | what it is |\n|---|---|---|\n",
    );
    for &k in Kind::ALL {
        let ops: Vec<String> = k
            .operands()
            .iter()
            .filter(|o| !o.is_empty())
            .map(|o| format!("`{o}`"))
            .collect();
        let _ = writeln!(
            t,
            "| `{}` | {} | {} |",
            k.name(),
            if ops.is_empty() {
                "–".to_owned()
            } else {
                ops.join(", ")
            },
            k.doc().replace('|', "\\|")
        );
    }
    t
}

#[test]
fn the_trace_reference_is_generated_from_the_event_vocabulary() {
    check_file("docs/trace.md", &trace_reference());
}

/// A table of charts: file, size, when each is drawn and what it shows,
/// one row per `(stem, size rule, condition, description)`.
fn chart_table(rows: impl Iterator<Item = (&'static str, String, &'static str, String)>) -> String {
    let mut t = String::from("| file | size (pixels) | drawn when | shows |\n|---|---|---|---|\n");
    for (stem, size, when, doc) in rows {
        let _ = writeln!(
            t,
            "| `{stem}` | {size} | {when} | {} |",
            doc.replace('|', "\\|")
        );
    }
    t
}

#[test]
fn the_chart_tables_are_generated_from_the_chart_declarations() {
    use aurora_sim::report::charts::{Chart, StudyChart};
    let runs = Chart::ALL
        .into_iter()
        .map(|c| (c.stem(), c.size_rule(), c.applies_when(), c.doc()));
    check_part("docs/charts.md", "charts", &chart_table(runs));
    let studies = StudyChart::ALL
        .into_iter()
        .map(|c| (c.stem(), c.size_rule(), c.applies_when(), c.doc()));
    check_part("docs/charts.md", "study-charts", &chart_table(studies));
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
            .map(|r| {
                r.total_s
                    .map_or("unfinished".to_owned(), |t| format!("{t:.1} s"))
            })
            .collect();
        let clients: Vec<String> = s
            .rto
            .iter()
            .map(|r| {
                r.client_observed_s.as_ref().map_or("–".to_owned(), |c| {
                    c.max.map_or("never".to_owned(), |t| format!("{t:.1} s"))
                })
            })
            .collect();
        let or_dash = |v: Vec<String>| {
            if v.is_empty() {
                "–".to_owned()
            } else {
                v.join("; ")
            }
        };
        let _ = writeln!(
            t,
            "| [`{name}`](results/{name}/) | {held} of {} held | {} | {} | {} | {} | {} | {} | {} |",
            s.invariants.len(),
            s.commits.lost,
            s.commits.unavailable_at_end,
            percent(s.write_availability),
            if s.write_outages.is_empty() {
                "none".to_owned()
            } else {
                format!("{:.1} s", s.longest_write_outage_s())
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
    check_part("README.md", "results", &results_table());
}

#[test]
fn the_readme_example_is_what_the_binary_prints() {
    let dir = tempfile::tempdir().expect("tempdir");
    let scenario = repo("scenarios/az-plus-one.yaml");
    let o = aurora(
        &[
            "run",
            scenario.to_str().expect("utf-8"),
            "--charts",
            "--out",
            "out",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(0));
    check_part(
        "README.md",
        "example",
        &String::from_utf8(o.stdout).expect("utf-8"),
    );
}

#[test]
fn the_scenario_reference_and_schema_are_generated_from_the_format() {
    use aurora_sim::scenario::reference;
    check_part("docs/scenario.md", "reference", &reference::markdown());
    let schema = serde_json::to_string_pretty(&reference::json_schema()).expect("JSON");
    check_file("docs/scenario.schema.json", &format!("{schema}\n"));
}

#[test]
fn the_annotated_file_in_the_scenario_docs_is_a_valid_scenario() {
    let text = std::fs::read_to_string(repo("docs/scenario.md")).expect("docs/scenario.md");
    let start = text.find("```yaml\nname:").expect("the annotated file") + "```yaml\n".len();
    let len = text[start..].find("```\n").expect("its end");
    aurora_sim::Scenario::parse(
        &text[start..start + len],
        std::path::Path::new("docs/scenario.md"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn the_validation_page_is_generated_from_the_suite_results() {
    let text = std::fs::read_to_string(repo("results/validation/validation.json"))
        .expect("results/validation/validation.json");
    let result: aurora_sim::study::validation::ValidationResult =
        serde_json::from_str(&text).expect("it reads");
    check_part("docs/validation.md", "validation", &result.markdown());
}

/// Every `aurora-sim …` command shown in the README, in docs/ and in the
/// commands' own `--help`, as written, with where it was found. A command
/// continued over lines with `\` is one; a shell comment, a pipe or a
/// redirection ends it.
fn documented_commands() -> Vec<(String, String)> {
    let mut texts: Vec<(String, String)> = vec![(
        "README.md".to_owned(),
        std::fs::read_to_string(repo("README.md")).expect("README.md"),
    )];
    let mut docs: Vec<_> = std::fs::read_dir(repo("docs"))
        .expect("docs/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    for p in docs {
        let name = format!("docs/{}", p.file_name().expect("name").to_string_lossy());
        texts.push((name, std::fs::read_to_string(&p).expect("doc")));
    }
    let dir = tempfile::tempdir().expect("tempdir");
    for cmd in SUBCOMMANDS {
        let o = aurora(&[cmd, "--help"], dir.path());
        assert_eq!(o.status.code(), Some(0), "{cmd} --help");
        texts.push((
            format!("aurora-sim {cmd} --help"),
            String::from_utf8(o.stdout).expect("utf-8"),
        ));
    }
    let mut found = Vec::new();
    for (place, text) in texts {
        let joined = text.replace("\\\n", " ");
        for line in joined.lines() {
            let mut rest = line;
            while let Some(at) = rest.find("aurora-sim ") {
                let cmd = &rest[at..];
                let end = cmd
                    .find(['`', '|', '>', '#', ')', ';'])
                    .unwrap_or(cmd.len());
                let cmd = cmd[..end].trim();
                found.push((place.clone(), cmd.to_owned()));
                rest = &rest[at + "aurora-sim ".len()..];
            }
        }
    }
    found
}

/// The binary's commands.
const SUBCOMMANDS: [&str; 13] = [
    "run",
    "sweep",
    "durability",
    "validation",
    "merge",
    "report",
    "validate",
    "completions",
    "schema",
    "explain",
    "man",
    "init",
    "import",
];

/// A command line split as a POSIX shell splits it: on blanks, with
/// single and double quotes grouping.
fn shell_words(cmd: &str) -> Vec<String> {
    let (mut words, mut word, mut quote, mut open) = (Vec::new(), String::new(), None, false);
    for c in cmd.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                open = true;
            }
            (None, c) if c.is_whitespace() => {
                if open || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                open = false;
            }
            (None, c) => word.push(c),
        }
    }
    if open || !word.is_empty() {
        words.push(word);
    }
    words
}

/// A word that stands for something the reader fills in: `SCENARIO`,
/// `[TOPIC]`, `DIR...`, `PATH=VALUE`, `K/N`.
fn placeholder(word: &str) -> bool {
    let letters: String = word.chars().filter(|c| c.is_ascii_alphabetic()).collect();
    word.contains('[')
        || word.contains("...")
        || word.contains('…')
        || (!letters.is_empty() && letters.chars().all(|c| c.is_ascii_uppercase()))
}

#[test]
fn every_documented_command_is_one_the_binary_takes() {
    use aurora_sim::cli::Cli;
    use clap::Parser;
    let commands = documented_commands();
    let mut checked = 0;
    let mut wrong = Vec::new();
    for (place, cmd) in &commands {
        let words = shell_words(cmd);
        // Prose that mentions the tool ("aurora-sim alone …") or a
        // command by name ("only `aurora-sim validate` checks") is not an
        // invocation; a template with placeholders is checked by its parts.
        let named = words
            .get(1)
            .is_some_and(|w| SUBCOMMANDS.contains(&w.as_str()));
        if !named || words.len() < 3 || words.iter().any(|w| placeholder(w)) {
            continue;
        }
        if Cli::try_parse_from(&words).is_err() {
            wrong.push(format!("{place}: `{cmd}` is refused"));
            continue;
        }
        // What it reads exists (what it writes, under out/, results/ or
        // target/, need not).
        let mut after_out = false;
        for w in &words[2..] {
            let input = (w.ends_with(".yaml") || w.ends_with(".json") || w.contains('/'))
                && !after_out
                && !w.starts_with('-')
                && !["out/", "results/", "target/"]
                    .iter()
                    .any(|p| w.starts_with(p));
            if input && !repo(w).exists() {
                wrong.push(format!("{place}: `{cmd}` reads {w}, which does not exist"));
            }
            after_out = w == "--out";
        }
        checked += 1;
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(
        checked >= 15,
        "only {checked} documented commands checked: {commands:?}"
    );
}
