//! The binary: exit codes 0/1/2, outputs written only on success.

use std::path::Path;
use std::process::Output;

use crate::{aurora, repo, run_file, text};

fn small_scenario(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("small.yaml");
    std::fs::write(
        &path,
        "name: small\nduration: 5s\nworkload: { open_loop: { commits_per_s: 200 } }\nfaults:\n  - storage_node_crash: { at: 1s, node: c-1 }\nexpect:\n  max_lost_commits: 0\n",
    )
    .expect("write scenario");
    path
}

/// Runs the small scenario in a fresh directory with extra arguments.
fn run_small(extra: &[&str]) -> (tempfile::TempDir, Output) {
    let dir = tempfile::tempdir().expect("tempdir");
    let sc = small_scenario(dir.path());
    let mut args = vec!["run", sc.to_str().expect("utf-8 path")];
    args.extend_from_slice(extra);
    let o = aurora(&args, dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    (dir, o)
}

#[test]
fn run_writes_summary_and_timeline_and_exits_0() {
    let (dir, o) = run_small(&["--out", "out"]);
    let summary =
        std::fs::read_to_string(dir.path().join("out/small/summary.json")).expect("summary");
    let json: serde_json::Value = serde_json::from_str(&summary).expect("valid JSON");
    for key in [
        "scenario",
        "seed",
        "simulated_s",
        "events_processed",
        "trace_digest",
        "write_availability",
        "read_availability",
        "pgs_below_write_quorum_max",
        "pgs_below_read_quorum_max",
        "expectations",
    ] {
        assert!(json.get(key).is_some(), "summary.json lacks {key}");
    }
    assert!(json["commits"]["acknowledged"].as_u64().unwrap() > 500);
    assert_eq!(json["commits"]["lost"], 0);
    assert!(json["commit_latency_ms"]["p99"].as_f64().is_some());
    let timeline =
        std::fs::read_to_string(dir.path().join("out/small/timeline.csv")).expect("timeline");
    assert_eq!(
        timeline.lines().count(),
        1 + 5,
        "header and one row per second"
    );
    assert!(text(&o).contains("pass      max_lost_commits"));
}

#[test]
fn seed_flag_changes_the_run_and_is_reported() {
    let (dir, _) = run_small(&["--seed", "42", "--out", "o"]);
    let summary = std::fs::read_to_string(dir.path().join("o/small/summary.json")).unwrap();
    assert!(summary.contains("\"seed\": 42"));
}

#[test]
fn failed_expectation_exits_1_and_names_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sc = repo("tests/data/failing-expectation.yaml");
    let o = aurora(&["run", sc.to_str().unwrap(), "--out", "out"], dir.path());
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("expectation failed: min_commits_per_s"),
        "{}",
        text(&o)
    );
    // Quiet, the failing expectation still says what was measured.
    let q = aurora(
        &["run", sc.to_str().unwrap(), "--out", "out", "-q"],
        dir.path(),
    );
    assert_eq!(q.status.code(), Some(1), "{}", text(&q));
    let line = text(&q);
    assert!(
        line.contains("expectation failed: min_commits_per_s (") && line.contains("at least"),
        "{line}"
    );
    assert!(
        dir.path().join("out/impossible/summary.json").exists(),
        "results are still written"
    );
}

#[test]
fn bad_input_exits_2_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sc = repo("tests/data/unknown-node.yaml");
    let o = aurora(&["run", sc.to_str().unwrap(), "--out", "out"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("unknown-node.yaml:6:13: no storage node named \"b-17\""),
        "{}",
        text(&o)
    );
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(
        left.is_empty(),
        "nothing may be written on bad input: {left:?}"
    );
}

#[test]
fn missing_file_exits_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = aurora(&["run", "nope.yaml"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("nope.yaml"));
}

#[test]
fn validate_checks_every_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = repo("scenarios/az-outage.yaml");
    let bad = repo("tests/data/bad-quorum.yaml");
    let o = aurora(&["validate", good.to_str().unwrap()], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = aurora(
        &["validate", good.to_str().unwrap(), bad.to_str().unwrap()],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("ok (az-outage; may hold up to about "),
        "{}",
        text(&o)
    );
}

#[test]
fn trace_flag_streams_events() {
    let (dir, o) = run_small(&["--out", "out", "--trace"]);
    // Its size is said before it is written, measured on the run's start.
    assert!(
        text(&o).contains("small: events.jsonl: the first 5s wrote "),
        "{}",
        text(&o)
    );
    let trace = std::fs::read_to_string(dir.path().join("out/small/events.jsonl")).expect("trace");
    let summary = std::fs::read_to_string(dir.path().join("out/small/summary.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&summary).unwrap();
    assert_eq!(
        trace.lines().count() as u64,
        json["events_processed"].as_u64().unwrap()
    );
}

#[test]
fn run_without_a_scenario_runs_the_shipped_default_and_leaves_the_shipped_results_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let shipped = dir.path().join("results/az-outage");
    std::fs::create_dir_all(&shipped).unwrap();
    std::fs::write(shipped.join("latency.png"), "a committed chart").unwrap();
    let o = aurora(&["run"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).starts_with("az-outage (seed 1)"), "{}", text(&o));
    assert!(dir.path().join("out/az-outage/summary.json").exists());
    assert!(dir.path().join("out/az-outage/timeline.csv").exists());
    let chart = std::fs::read_to_string(shipped.join("latency.png")).expect("still there");
    assert_eq!(chart, "a committed chart");
}

/// The files in a directory, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("readable")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_run_replaces_its_directory_whole_and_refuses_one_holding_other_files() {
    let (dir, _) = run_small(&["--out", "out", "--trace"]);
    let small = dir.path().join("out/small");
    assert_eq!(
        listing(&small),
        ["events.jsonl", "summary.json", "timeline.csv"]
    );
    // Without --trace the new directory has no trace: nothing stale stays.
    let sc = dir.path().join("small.yaml");
    let o = aurora(&["run", sc.to_str().unwrap(), "--out", "out"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(listing(&small), ["summary.json", "timeline.csv"]);
    assert_eq!(
        listing(&dir.path().join("out")),
        ["small"],
        "no staging left"
    );

    // A file the tool does not write is never deleted: the run is refused.
    std::fs::write(small.join("notes.txt"), "mine").unwrap();
    let before = std::fs::read(small.join("summary.json")).unwrap();
    let o = aurora(
        &["run", sc.to_str().unwrap(), "--out", "out", "--seed", "9"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("holds files aurora-sim does not write (notes.txt)"),
        "{}",
        text(&o)
    );
    assert_eq!(std::fs::read(small.join("summary.json")).unwrap(), before);
    assert_eq!(
        std::fs::read_to_string(small.join("notes.txt")).unwrap(),
        "mine"
    );

    // Our name is not enough: a directory called summary.json is not ours.
    std::fs::remove_file(small.join("notes.txt")).unwrap();
    std::fs::remove_file(small.join("summary.json")).unwrap();
    std::fs::create_dir(small.join("summary.json")).unwrap();
    std::fs::write(small.join("summary.json/keep.txt"), "mine").unwrap();
    let o = aurora(&["run", sc.to_str().unwrap(), "--out", "out"], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("(summary.json)"), "{}", text(&o));
    assert!(small.join("summary.json/keep.txt").exists());
}

#[test]
fn out_naming_a_file_or_a_linked_results_directory_is_refused_before_running() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sc = small_scenario(dir.path());
    let sc = sc.to_str().unwrap();
    std::fs::write(dir.path().join("taken"), "").unwrap();
    let o = aurora(&["run", sc, "--out", "taken"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("--out taken is a file"), "{}", text(&o));

    std::fs::create_dir(dir.path().join("out")).unwrap();
    std::fs::create_dir(dir.path().join("elsewhere")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("elsewhere"), dir.path().join("out/small")).unwrap();
    let o = aurora(&["run", sc, "--out", "out"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("out/small is a symbolic link"),
        "{}",
        text(&o)
    );
    assert!(
        text(&o).lines().all(|l| !l.starts_with("small (seed")),
        "nothing ran"
    );
    assert!(listing(&dir.path().join("elsewhere")).is_empty());
}

#[test]
fn a_second_run_into_an_out_in_use_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sc = small_scenario(dir.path());
    std::fs::create_dir(dir.path().join("out")).unwrap();
    // Another run holds the directory.
    let held = std::fs::File::open(dir.path().join("out")).unwrap();
    held.try_lock().expect("free at first");
    let o = aurora(&["run", sc.to_str().unwrap(), "--out", "out"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("another aurora-sim run is writing to out"),
        "{}",
        text(&o)
    );
    assert!(listing(&dir.path().join("out")).is_empty());
    drop(held);
    let o = aurora(&["run", sc.to_str().unwrap(), "--out", "out"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

#[test]
fn an_interrupted_run_leaves_nothing_and_a_killed_one_is_swept_by_the_next() {
    let dir = tempfile::tempdir().expect("tempdir");
    let long = dir.path().join("long.yaml");
    std::fs::write(
        &long,
        "name: long\nduration: 1h\nworkload: { open_loop: { commits_per_s: 5000 } }\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_aurora-sim"))
        .args(["run", long.to_str().unwrap(), "--out", "out", "--trace"])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("starts");
    // Wait for the run to stage its directory, then interrupt it.
    let staged = || out.exists() && !listing(&out).is_empty();
    for _ in 0..600 {
        if staged() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(staged(), "the run staged nothing");
    let interrupt = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(interrupt.success());
    let o = child.wait_with_output().expect("ends");
    assert_eq!(o.status.code(), Some(130), "{}", text(&o));
    assert!(listing(&out).is_empty(), "left behind: {:?}", listing(&out));

    // What a SIGKILL leaves (a marked staging directory) goes with the
    // next run; look-alikes it cannot prove a run staged stay.
    let killed = out.join(".aurora-sim-run-long-abc123");
    std::fs::create_dir(&killed).unwrap();
    std::fs::write(killed.join(".aurora-sim-staging"), "results of long\n").unwrap();
    std::fs::write(killed.join("events.jsonl"), "partial").unwrap();
    let unmarked = out.join(".aurora-sim-run-mine");
    std::fs::create_dir(&unmarked).unwrap();
    std::fs::write(unmarked.join("events.jsonl"), "a user's file").unwrap();
    let foreign = out.join(".aurora-sim-run-long-def456");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join(".aurora-sim-staging"), "").unwrap();
    std::fs::write(foreign.join("notes.txt"), "a user's file").unwrap();
    let small = small_scenario(dir.path());
    let o = aurora(
        &["run", small.to_str().unwrap(), "--out", "out"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(
        listing(&out),
        [
            ".aurora-sim-run-long-def456",
            ".aurora-sim-run-mine",
            "small"
        ]
    );
    assert_eq!(
        std::fs::read_to_string(unmarked.join("events.jsonl")).unwrap(),
        "a user's file"
    );
    assert!(foreign.join("notes.txt").exists());
    assert!(
        !out.join("small/.aurora-sim-staging").exists(),
        "the marker is not published"
    );
}

#[test]
fn a_failover_prints_its_rto_table_and_summary_keys() {
    let (dir, o) = run_file(
        "name: fo\nduration: 60s\nworkload: { open_loop: { commits_per_s: 200 } }\ninstances:\n  - { name: w, az: a, role: writer }\n  - { name: r, az: b }\nclients:\n  - { name: app, count: 2, az: b, read_timeout: 2s }\nfaults:\n  - writer_crash: { at: 5s }\nexpect:\n  promoted: [r]\n",
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = text(&o);
    assert!(
        out.contains("failover  w → r (tier 1, AZ b), health_check"),
        "{out}"
    );
    assert!(
        out.contains("detect  retries   select  promote  recover"),
        "{out}"
    );
    let summary = std::fs::read_to_string(dir.path().join("out/fo/summary.json")).expect("summary");
    let json: serde_json::Value = serde_json::from_str(&summary).expect("valid JSON");
    let rto = &json["rto"][0];
    for key in [
        "detection_s",
        "failed_attempts_s",
        "selection_s",
        "promotion_s",
        "recovery_s",
        "dns_s",
        "total_s",
    ] {
        assert!(rto[key].as_f64().is_some(), "rto lacks {key}");
    }
    assert!(rto["client_observed_s"]["p99"].as_f64().is_some());
    assert_eq!(json["failovers"][0]["to"], "r");
    assert!(json["replica_lag_ms"]["r"]["p99"].as_f64().is_some());
    assert!(json["client_errors"]["timeout"].as_u64().is_some());
    assert_eq!(json["hung_clients"], 0);
}

#[test]
fn an_event_budget_stops_a_run_and_fails_it() {
    let (_dir, o) = run_file(
        "name: b\nduration: 10s\nstorage: { volume_gib: 20 }\n",
        &["--max-events", "10000"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let out = text(&o);
    assert!(
        out.contains("FAIL      stopped early: the event budget of 10000"),
        "{out}"
    );
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[1].contains("stopped early") && lines[2].starts_with("  check"),
        "verdicts lead:\n{out}"
    );
}

#[test]
fn json_prints_each_summary_on_a_line_and_quiet_prints_nothing() {
    let (_dir, o) = run_small(&["--out", "out", "--json"]);
    let stdout = String::from_utf8(o.stdout).expect("utf-8");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    let s: aurora_sim::metrics::Summary = serde_json::from_str(lines[0]).expect("a summary");
    assert_eq!(s.scenario, "small");
    assert!(s.invariants.iter().all(|i| i.held));
    let (dir, o) = run_small(&["--out", "out", "-q", "-j", "1"]);
    assert!(o.stdout.is_empty(), "{}", text(&o));
    assert!(dir.path().join("out/small/summary.json").is_file());
}

#[test]
fn a_scenario_is_read_from_standard_input_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let piped = |input: &[u8]| crate::aurora_fed(&["run", "-", "--out", "out"], dir.path(), input);
    let o = piped(
        b"name: piped\nduration: 2s\nworkload: { open_loop: { commits_per_s: 100 } }\nbogus: 1\n",
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("<stdin>:4:1: unknown field `bogus`"),
        "{}",
        text(&o)
    );
    // Bytes that are not text are located as a file's are.
    let o = piped(b"name: piped\n\xff\n");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("<stdin>:2:1: not UTF-8"), "{}", text(&o));
    let o = aurora(&["run", "-", "-"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("read only once"), "{}", text(&o));
}

#[test]
fn completions_and_the_man_page_come_from_the_command_definitions() {
    let dir = tempfile::tempdir().expect("tempdir");
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let o = aurora(&["completions", shell], dir.path());
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        let script = String::from_utf8(o.stdout).expect("utf-8");
        assert!(
            script.contains("sweep") && script.contains("max-events"),
            "{shell}"
        );
    }
    let o = aurora(&["man"], dir.path());
    let page = String::from_utf8(o.stdout).expect("utf-8");
    assert!(page.contains(".TH aurora-sim 1"), "{page}");
    assert!(page.contains("durability"), "{page}");
    let o = aurora(&["man", "run"], dir.path());
    let page = String::from_utf8(o.stdout).expect("utf-8");
    assert!(page.contains(".TH aurora-sim-run 1"), "{page}");
    assert!(
        page.contains("max\\-events") && page.contains("trace\\-kinds"),
        "{page}"
    );
    let o = aurora(&["man", "nope"], dir.path());
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn report_of_a_parent_directory_offers_its_runs() {
    let (dir, _) = run_small(&["--out", "out"]);
    let o = aurora(&["report", "out", "--out", "r.html"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("aurora-sim report out/small"),
        "{}",
        text(&o)
    );
    assert!(!dir.path().join("r.html").exists());
}

#[test]
fn a_file_name_with_control_characters_is_printed_escaped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let name = "scenario\u{1b}[2J\u{7}.yaml";
    std::fs::write(dir.path().join(name), "name: x\nduration: 1s\nbogus: 1\n").unwrap();
    for args in [
        &["validate", name][..],
        &["run", name, "--out", "o"][..],
        &["validate", "missing\u{1b}]0;title\u{7}.yaml"][..],
    ] {
        let o = aurora(args, dir.path());
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        assert!(
            !o.stderr.contains(&0x1b) && !o.stderr.contains(&0x07),
            "{args:?}: {:?}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(text(&o).contains("\\u{1b}"), "{args:?}: {}", text(&o));
    }
}

#[test]
fn a_command_line_that_contradicts_itself_is_refused_before_anything_runs() {
    let (dir, _) = run_small(&["--out", "first"]);
    let sc = dir.path().join("small.yaml");
    let sc = sc.to_str().expect("utf-8");
    let cases: [(&[&str], &str); 3] = [
        (
            &["--set", "dns.ttl=5s", "--set", "dns.ttl=10s"],
            "dns.ttl and dns.ttl set the same field",
        ),
        (
            &["--set", "dns={ ttl: 5s }", "--set", "dns.ttl=10s"],
            "set the same field",
        ),
        (
            &["--trace", "--trace-from", "2s", "--trace-to", "1s"],
            "--trace-from 2s is later than --trace-to 1s",
        ),
    ];
    for (args, says) in cases {
        let o = aurora(
            &[&["run", sc, "--out", "refused"][..], args].concat(),
            dir.path(),
        );
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        assert!(text(&o).contains(says), "{args:?}: {}", text(&o));
    }
    assert!(
        !dir.path().join("refused").exists(),
        "a refused run writes nothing"
    );
}

#[test]
fn trace_filters_keep_the_named_kinds_in_the_window_and_the_digest() {
    let (dir, _) = run_small(&["--out", "all", "--trace"]);
    let read = |out: &str, file: &str| {
        std::fs::read_to_string(dir.path().join(format!("{out}/small/{file}"))).expect("file")
    };
    let sc = dir.path().join("small.yaml");
    let o = aurora(
        &[
            "run",
            sc.to_str().expect("utf-8"),
            "--out",
            "some",
            "--trace",
            "--trace-kinds",
            "batch,quorum",
            "--trace-from",
            "1s",
            "--trace-to",
            "2s",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let all = read("all", "events.jsonl");
    let some = read("some", "events.jsonl");
    let expected: Vec<&str> = all
        .lines()
        .filter(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("JSON");
            let t = v["t_ns"].as_u64().expect("t_ns");
            ["batch", "quorum"].contains(&v["event"].as_str().expect("event"))
                && (1_000_000_000..=2_000_000_000).contains(&t)
        })
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(some.lines().collect::<Vec<_>>(), expected);
    let digest = |out: &str| {
        let v: serde_json::Value = serde_json::from_str(&read(out, "summary.json")).unwrap();
        v["trace_digest"].clone()
    };
    assert_eq!(digest("all"), digest("some"));
    let o = aurora(
        &[
            "run",
            sc.to_str().unwrap(),
            "--trace",
            "--trace-kinds",
            "bogus",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("no event is named \"bogus\"; the events are group_commit, batch"),
        "{}",
        text(&o)
    );
}

#[test]
fn a_summary_that_cannot_be_printed_is_an_error() {
    let Ok(full) = std::fs::File::create("/dev/full") else {
        eprintln!("skipped: no /dev/full on this machine");
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_aurora-sim"))
        .args(["run", "-", "--out"])
        .arg(dir.path())
        .stdin(std::process::Stdio::piped())
        .stdout(full)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(b"name: t\nduration: 2s\n")?;
            child.wait_with_output()
        })
        .expect("runs");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("cannot write the summary"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn a_run_bigger_than_the_address_space_limit_leaves_is_refused_up_front() {
    // The machine has gigabytes free; `ulimit -v` leaves the process about
    // 400 MB, less than this scenario's estimate.
    let dir = tempfile::tempdir().expect("tempdir");
    let scenario = crate::repo("scenarios/two-az-outage.yaml");
    let o = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 400000 && exec \"$0\" run \"$1\" --set workload.open_loop.commits_per_s=5000 --out out")
        .arg(env!("CARGO_BIN_EXE_aurora-sim"))
        .arg(&scenario)
        .current_dir(dir.path())
        .output()
        .expect("sh runs");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("address-space limit (ulimit -v)"),
        "{}",
        text(&o)
    );
    assert!(!dir.path().join("out/two-az-outage").exists());
}

#[test]
fn a_load_that_saturates_an_instance_or_rides_on_the_workload_is_warned_of() {
    // The default 5,000 commits/s on two db.r6g.large (2 vCPUs): the
    // writer saturates before anything fails.
    let (dir, o) = run_file(
        "name: small\nduration: 10s\nworkload: { open_loop: { commits_per_s: 5000 } }\ninstances:\n  - { name: w, az: a, class: db.r6g.large, role: writer }\n  - { name: r, az: b, class: db.r6g.large }\nclients:\n  - { name: app, count: 20, az: b, read_timeout: 2s, think_time: 50ms }\n",
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = text(&o);
    assert!(
        out.contains("warning   w ran at 100 % of its 2 vCPUs in its median bin"),
        "{out}"
    );
    assert!(
        out.contains("20 client(s) on the cluster endpoint offer up to 400 commits/s on top of workload.open_loop.commits_per_s (5000/s, arriving"),
        "{out}"
    );
    let summary = std::fs::read_to_string(dir.path().join("out/small/summary.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&summary).unwrap();
    assert_eq!(json["warnings"].as_array().map(Vec::len), Some(2));
    // A cluster with room to spare says nothing.
    let (dir, o) = run_file(
        "name: roomy\nduration: 5s\nworkload: { open_loop: { commits_per_s: 500 } }\ninstances:\n  - { name: w, az: a, role: writer }\n",
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(!text(&o).contains("warning"), "{}", text(&o));
    let summary = std::fs::read_to_string(dir.path().join("out/roomy/summary.json")).unwrap();
    assert!(summary.contains("\"warnings\": []"), "{summary}");
    // Nor does a closed loop that fits; a run with no load at all is told.
    let (_, o) = run_file(
        "name: fits\nduration: 5s\nclients:\n  - { name: app, count: 50, think_time: 7ms }\n",
        &[],
    );
    assert!(!text(&o).contains("warning"), "{}", text(&o));
    let (_, o) = run_file("name: idle\nduration: 5s\n", &[]);
    assert!(
        text(&o).contains("warning   nothing asks for commits"),
        "{}",
        text(&o)
    );
}

#[test]
fn explain_and_trace_kinds_name_a_likely_typo() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (args, needle) in [
        (vec!["explain", "dns.tll"], "did you mean `dns.ttl`?"),
        (vec!["explain", "ttlx"], "did you mean `ttl`?"),
        (
            vec![
                "run",
                "-",
                "--trace",
                "--trace-kinds",
                "quorom",
                "--out",
                "o",
            ],
            "did you mean `quorum`?",
        ),
    ] {
        let o = aurora(&args, dir.path());
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        assert!(text(&o).contains(needle), "{args:?}: {}", text(&o));
    }
}

#[test]
fn verdicts_are_coloured_only_where_asked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sc = repo("tests/data/failing-expectation.yaml");
    let run = |env: &[(&str, &str)]| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_aurora-sim"));
        c.args(["run", sc.to_str().unwrap(), "--out", "out"])
            .current_dir(dir.path())
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE");
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().expect("runs")
    };
    let red_fail = "\u{1b}[1m\u{1b}[31mFAIL";
    // Not a terminal: plain, as tests and pipes read it.
    let plain = run(&[]);
    assert!(!text(&plain).contains('\u{1b}'), "{}", text(&plain));
    // Forced: FAIL in red on stdout, the failure in red on stderr.
    let forced = run(&[("CLICOLOR_FORCE", "1")]);
    assert!(String::from_utf8_lossy(&forced.stdout).contains(red_fail));
    assert!(String::from_utf8_lossy(&forced.stderr).contains("\u{1b}[31mexpectation failed"));
    // NO_COLOR wins.
    let none = run(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]);
    assert!(!text(&none).contains('\u{1b}'), "{}", text(&none));
}

#[test]
fn init_prints_a_commented_scenario_and_never_writes_over_a_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = aurora(&["init", "first"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let yaml = String::from_utf8(o.stdout.clone()).expect("utf-8");
    assert!(
        yaml.contains("name: first") && yaml.contains("# "),
        "{yaml}"
    );
    crate::parse(&yaml);
    // It runs, and meets the expectations it states.
    std::fs::write(dir.path().join("scaffold.yaml"), &yaml).expect("write");
    let o = aurora(&["run", "scaffold.yaml", "--out", "out", "-q"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let path = dir.path().join("first.yaml");
    std::fs::write(&path, "mine\n").expect("write");
    let o = aurora(&["init", "first", "--out", "first.yaml"], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("exists; nothing written"), "{}", text(&o));
    assert_eq!(std::fs::read_to_string(&path).expect("read"), "mine\n");
    let o = aurora(&["init", "bad name"], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("cannot name a scenario"), "{}", text(&o));
}

#[test]
fn import_turns_the_sample_cluster_and_fis_template_into_a_scenario_that_runs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sample = |f: &str| repo(&format!("examples/aws/{f}"));
    let (clusters, instances, fis) = (
        sample("describe-db-clusters.json"),
        sample("describe-db-instances.json"),
        sample("fis-experiment-template.json"),
    );
    let args = [
        "import",
        "--clusters",
        clusters.to_str().expect("utf-8"),
        "--instances",
        instances.to_str().expect("utf-8"),
        "--fis",
        fis.to_str().expect("utf-8"),
        "--out",
        "orders.yaml",
    ];
    let o = aurora(&args, dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let said = text(&o);
    // What could not be mapped is said, not dropped.
    for unmapped in [
        "db.serverless",
        "aws:ecs:stop-task",
        "stop conditions",
        "clients are not part",
    ] {
        assert!(said.contains(unmapped), "{unmapped}: {said}");
    }
    let yaml = std::fs::read_to_string(dir.path().join("orders.yaml")).expect("written");
    for mapped in [
        "name: orders-prod-1, az: us-east-1a, class: db.r6g.2xlarge, tier: 1, role: writer",
        "name: orders-prod-2, az: us-east-1b, class: db.r6g.2xlarge, tier: 0",
        "- failover: { at: 1m }",
        "- network_partition: { at: 3m, instance: orders-prod-2, duration: 1m }",
        "- instance_reboot: { at: 4m, instance: orders-prod-3 }",
    ] {
        assert!(yaml.contains(mapped), "{mapped}:\n{yaml}");
    }
    let o = aurora(&["run", "orders.yaml", "--out", "out", "-q"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // With the cluster's Serverless v2 range, its db.serverless member is
    // imported as one.
    let mut described: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&clusters).expect("read")).expect("json");
    described["DBClusters"][0]["ServerlessV2ScalingConfiguration"] =
        serde_json::json!({ "MinCapacity": 0.5, "MaxCapacity": 16.0 });
    let ranged = dir.path().join("ranged.json");
    std::fs::write(&ranged, described.to_string()).expect("write");
    let args = [
        "import",
        "--clusters",
        ranged.to_str().expect("utf-8"),
        "--instances",
        instances.to_str().expect("utf-8"),
        "--out",
        "ranged.yaml",
    ];
    let o = aurora(&args, dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let yaml = std::fs::read_to_string(dir.path().join("ranged.yaml")).expect("written");
    assert!(
        yaml.contains("serverless: { min_acu: 0.5, max_acu: 16 }"),
        "{yaml}"
    );
    assert!(yaml.contains("class: db.serverless"), "{yaml}");
}

#[test]
fn import_refuses_what_is_not_the_aws_clis_json_with_its_place() {
    let dir = tempfile::tempdir().expect("tempdir");
    let refused = |file: &str, json: &str, said: &str| {
        std::fs::write(dir.path().join(file), json).expect("write");
        let o = aurora(&["import", "--clusters", file], dir.path());
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        assert!(text(&o).contains(said), "{}", text(&o));
    };
    refused(
        "bad.json",
        "{\"DBClusters\": [\n  {\"x\": 1,}\n]}\n",
        "bad.json:2:11",
    );
    refused(
        "two.json",
        "{\"DBClusters\": [{\"DBClusterIdentifier\": \"a\"}, {\"DBClusterIdentifier\": \"b\"}]}",
        "name one with --cluster",
    );
    assert!(
        std::fs::read_dir(dir.path()).expect("dir").count() == 2,
        "nothing else written"
    );
}

#[test]
fn import_reads_one_file_from_standard_input_and_prints_with_out_dash() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clusters = std::fs::read(repo("examples/aws/describe-db-clusters.json")).expect("sample");
    let instances = repo("examples/aws/describe-db-instances.json");
    let import = |args: &[&str], input: &[u8]| crate::aurora_fed(args, dir.path(), input);
    let args = [
        "import",
        "--clusters",
        "-",
        "--instances",
        instances.to_str().expect("utf-8"),
        "--out",
        "-",
    ];
    let o = import(&args, &clusters);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let yaml = String::from_utf8(o.stdout).expect("utf-8");
    assert!(yaml.contains("role: writer"), "{yaml}");
    crate::parse(&yaml);
    assert!(!dir.path().join("-").exists(), "no file named -");
    // Two files cannot both be standard input.
    let o = import(&["import", "--clusters", "-", "--fis", "-"], &clusters);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("only one of"), "{}", text(&o));
    // What PowerShell's `>` writes, UTF-16 with its mark, is named as such.
    let utf16: Vec<u8> = [0xff, 0xfe]
        .into_iter()
        .chain(clusters.iter().flat_map(|&b| [b, 0]))
        .collect();
    let o = import(&["import", "--clusters", "-"], &utf16);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("<stdin>:1:1: UTF-16 text"),
        "{}",
        text(&o)
    );
    assert!(text(&o).contains("Out-File -Encoding utf8"), "{}", text(&o));
}

#[test]
fn a_utf16_scenario_is_named_as_such_with_how_to_convert_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Without a byte-order mark: a zero byte beside each character.
    let bytes: Vec<u8> = "name: t\nduration: 2s\n"
        .bytes()
        .flat_map(|b| [b, 0])
        .collect();
    std::fs::write(dir.path().join("t.yaml"), bytes).expect("write");
    let o = aurora(&["validate", "t.yaml"], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("t.yaml:1:1: UTF-16 text"), "{}", text(&o));
}

#[test]
fn a_standard_error_that_cannot_be_written_does_not_abort_the_command() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        return; // Not a system with a full device.
    };
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("bad.yaml"), "name: [\n").expect("write");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_aurora-sim"))
        .args(["validate", "bad.yaml"])
        .current_dir(dir.path())
        .stderr(full)
        .status()
        .expect("runs");
    assert_eq!(status.code(), Some(2), "bad input, not a panic");
}
