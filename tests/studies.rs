//! Sweeps, the durability study, shards and merging, through the binary.

use std::path::Path;
use std::process::Command;

use crate::{aurora, text};

/// A short failover under light load: a run takes a fraction of a second.
const SCENARIO: &str = "\
name: short-failover
seed: 1
duration: 45s
storage: { volume_gib: 20 }
workload: { open_loop: { commits_per_s: 200 } }
instances:
  - { name: writer-1, az: a, role: writer, tier: 1 }
  - { name: reader-1, az: b, tier: 0 }
clients:
  - { name: app, count: 3, az: b, read_timeout: 5s, connect_timeout: 2s }
faults:
  - writer_crash: { at: 5s }
expect:
  max_lost_commits: 0
";

/// A durability study of a few seconds.
const STUDY: &str = "\
name: small-study
volume_years: 300
volume_gib: 640
vary: [\"quorum=4/6,2/3\"]
";

fn files(dir: &Path) -> (tempfile::TempDir, String, String) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let _ = dir;
    let s = tmp.path().join("s.yaml");
    let d = tmp.path().join("d.yaml");
    std::fs::write(&s, SCENARIO).expect("write");
    std::fs::write(&d, STUDY).expect("write");
    (
        tmp,
        s.to_string_lossy().into_owned(),
        d.to_string_lossy().into_owned(),
    )
}

fn read(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{}: {e}", dir.join(name).display()))
}

/// deploy/local.sh: N shards as processes with a Kubernetes Indexed
/// Job's environment, then `merge`.
fn local_shards(n: &str, args: &[&str], cwd: &Path) -> std::process::Output {
    Command::new("sh")
        .arg(crate::repo("deploy/local.sh"))
        .arg(n)
        .args(args)
        .env("AURORA_SIM", env!("CARGO_BIN_EXE_aurora-sim"))
        .current_dir(cwd)
        .output()
        .expect("sh runs")
}

#[test]
fn a_sweep_in_four_shards_merges_to_the_unsharded_bytes() {
    let (tmp, s, _) = files(Path::new("."));
    let args = ["sweep", &s, "--seeds", "1..6", "--set", "dns.ttl=1s,30s"];
    let whole = aurora(
        &[&args[..], &["--out", "whole", "-j", "2"]].concat(),
        tmp.path(),
    );
    assert!(whole.status.success(), "{}", text(&whole));
    let sharded = local_shards(
        "4",
        &[&args[..], &["--out", "sharded"]].concat(),
        tmp.path(),
    );
    assert!(sharded.status.success(), "{}", text(&sharded));
    let (a, b) = (
        tmp.path().join("whole/short-failover-sweep"),
        tmp.path().join("sharded/short-failover-sweep"),
    );
    for f in [
        "sweep.csv",
        "sweep.json",
        "distribution.svg",
        "distribution.png",
    ] {
        assert!(read(&a, f) == read(&b, f), "{f} differs");
    }
    // One thread gives the same bytes as two.
    let one = aurora(
        &[&args[..], &["--out", "one", "-j", "1"]].concat(),
        tmp.path(),
    );
    assert!(one.status.success());
    let c = tmp.path().join("one/short-failover-sweep");
    assert!(read(&a, "sweep.csv") == read(&c, "sweep.csv"));
    // 12 runs: the header and a row each, and every invariant held.
    let csv = String::from_utf8(read(&a, "sweep.csv")).unwrap();
    assert_eq!(csv.lines().count(), 13);
    assert!(text(&whole).contains("every invariant held in every run"));
}

#[test]
fn a_sweep_run_replays_with_run_and_set() {
    let (tmp, s, _) = files(Path::new("."));
    let o = aurora(
        &[
            "sweep",
            &s,
            "--seeds",
            "3",
            "--set",
            "dns.ttl=30s",
            "--out",
            "o",
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", text(&o));
    let csv = String::from_utf8(read(
        &tmp.path().join("o/short-failover-sweep"),
        "sweep.csv",
    ))
    .unwrap();
    let row = csv.lines().nth(1).unwrap().to_owned();
    let digest = row.split(',').nth(4).unwrap().to_owned();
    let r = aurora(
        &[
            "run",
            &s,
            "--seed",
            "3",
            "--set",
            "dns.ttl=30s",
            "--out",
            "r",
        ],
        tmp.path(),
    );
    assert!(r.status.success(), "{}", text(&r));
    assert!(
        text(&r).contains(&format!("trace {digest}")),
        "{} vs {row}",
        text(&r)
    );
}

#[test]
fn the_writer_crash_sweep_gives_rto_quantiles_with_intervals() {
    let (tmp, s, _) = files(Path::new("."));
    let o = aurora(&["sweep", &s, "--seeds", "1..20", "--out", "o"], tmp.path());
    assert!(o.status.success(), "{}", text(&o));
    let json: serde_json::Value = serde_json::from_slice(&read(
        &tmp.path().join("o/short-failover-sweep"),
        "sweep.json",
    ))
    .unwrap();
    let cell = &json["cells"][0];
    let rto = cell["measures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["measure"] == "rto_s")
        .unwrap();
    assert_eq!(rto["runs"], 20);
    let (lo, med, hi) = (
        rto["median"]["low"].as_f64().unwrap(),
        rto["median"]["value"].as_f64().unwrap(),
        rto["median"]["high"].as_f64().unwrap(),
    );
    assert!(lo <= med && med <= hi && lo < hi, "{lo} {med} {hi}");
    // Twenty runs cannot bound a p99 from above.
    assert!(rto["p99"]["high"].is_null());
    // The RTO varies with the seed: detection, selection and restarts
    // are draws.
    assert!(rto["min"].as_f64() < rto["max"].as_f64());
}

#[test]
fn a_durability_study_in_four_shards_merges_to_the_unsharded_bytes() {
    let (tmp, _, d) = files(Path::new("."));
    let whole = aurora(&["durability", &d, "--out", "whole"], tmp.path());
    assert!(whole.status.success(), "{}", text(&whole));
    let sharded = local_shards("4", &["durability", &d, "--out", "sharded"], tmp.path());
    assert!(sharded.status.success(), "{}", text(&sharded));
    let (a, b) = (
        tmp.path().join("whole/small-study"),
        tmp.path().join("sharded/small-study"),
    );
    for f in ["durability.json", "per-pg-year.svg", "per-volume-year.png"] {
        assert!(read(&a, f) == read(&b, f), "{f} differs");
    }
    // Three copies lose reads with an AZ and one more copy; six do not.
    let r: serde_json::Value = serde_json::from_slice(&read(&a, "durability.json")).unwrap();
    let read_lost = |cell: usize| {
        r["cells"][cell]["per_volume_year"][1]["value"]
            .as_f64()
            .unwrap()
    };
    assert!(
        read_lost(1) > read_lost(0),
        "{} {}",
        read_lost(0),
        read_lost(1)
    );
}

#[test]
fn a_merge_refuses_an_incomplete_or_mixed_set() {
    let (tmp, s, d) = files(Path::new("."));
    for k in ["1/3", "2/3"] {
        let o = aurora(&["durability", &d, "--shard", k, "--out", "p"], tmp.path());
        assert!(o.status.success(), "{}", text(&o));
    }
    let o = aurora(&["sweep", &s, "--shard", "1/3", "--out", "p"], tmp.path());
    assert!(o.status.success(), "{}", text(&o));
    let p = |f: &str| tmp.path().join("p").join(f).to_string_lossy().into_owned();
    let missing = aurora(
        &[
            "merge",
            &p("small-study.part-1-of-3.json"),
            &p("small-study.part-2-of-3.json"),
            "--out",
            "m",
        ],
        tmp.path(),
    );
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        text(&missing).contains("missing shard(s) 3/3"),
        "{}",
        text(&missing)
    );
    let mixed = aurora(
        &[
            "merge",
            &p("small-study.part-1-of-3.json"),
            &p("short-failover-sweep.part-1-of-3.json"),
            "--out",
            "m",
        ],
        tmp.path(),
    );
    assert_eq!(mixed.status.code(), Some(2));
    assert!(
        !tmp.path().join("m").exists(),
        "a refused merge creates nothing"
    );
    // A row moved to another cell is not that shard's run.
    let part = p("short-failover-sweep.part-1-of-3.json");
    let original = std::fs::read_to_string(&part).unwrap();
    let tampered = original.replacen("\"cell\":0", "\"cell\":1", 1);
    assert_ne!(original, tampered);
    std::fs::write(&part, tampered).unwrap();
    for k in ["2/3", "3/3"] {
        assert!(
            aurora(&["sweep", &s, "--shard", k, "--out", "p"], tmp.path())
                .status
                .success()
        );
    }
    let parts: Vec<String> = (1..=3)
        .map(|k| p(&format!("short-failover-sweep.part-{k}-of-3.json")))
        .collect();
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    let o = aurora(
        &[&["merge"][..], &parts, &["--out", "m"]].concat(),
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("a row claims run"), "{}", text(&o));
}

#[test]
fn a_shard_with_failed_runs_fails_as_the_whole_sweep_does_and_names_its_replay() {
    let (tmp, s, _) = files(Path::new("."));
    // Two failovers are expected of runs that have one: every run fails.
    let args = [
        "sweep",
        &s,
        "--seeds",
        "1..2",
        "--set",
        "expect.failovers=2",
        "--max-events",
        "1000000",
    ];
    let whole = aurora(&[&args[..], &["--out", "w"]].concat(), tmp.path());
    let shard = aurora(
        &[&args[..], &["--shard", "1/2", "--out", "p"]].concat(),
        tmp.path(),
    );
    assert_eq!(whole.status.code(), Some(1), "{}", text(&whole));
    assert_eq!(shard.status.code(), whole.status.code(), "{}", text(&shard));
    for o in [&whole, &shard] {
        assert!(
            text(o).contains("--seed 1 --set expect.failovers=2 --max-events 1000000"),
            "{}",
            text(o)
        );
    }
    // The shard's partial is written all the same, for the merge.
    assert!(tmp
        .path()
        .join("p/short-failover-sweep.part-1-of-2.json")
        .exists());
}

#[test]
fn a_merge_refuses_a_shard_header_out_of_range() {
    let (tmp, s, d) = files(Path::new("."));
    let made = [
        aurora(
            &["durability", &d, "--shard", "1/2", "--out", "p"],
            tmp.path(),
        ),
        aurora(&["sweep", &s, "--shard", "1/2", "--out", "p"], tmp.path()),
    ];
    assert!(made.iter().all(|o| o.status.success()));
    for name in [
        "small-study.part-1-of-2.json",
        "short-failover-sweep.part-1-of-2.json",
    ] {
        let part = tmp.path().join("p").join(name);
        let original = std::fs::read_to_string(&part).unwrap();
        for bad in [
            r#""shard":{"k":0,"n":2}"#,
            r#""shard":{"k":3,"n":2}"#,
            r#""shard":{"k":0,"n":0}"#,
        ] {
            let tampered = original.replacen(r#""shard":{"k":1,"n":2}"#, bad, 1);
            assert_ne!(original, tampered, "{name} holds its shard header");
            let file = tmp.path().join("p").join(format!("bad-{name}"));
            std::fs::write(&file, tampered).unwrap();
            let o = aurora(
                &["merge", &file.to_string_lossy(), "--out", "m"],
                tmp.path(),
            );
            assert_eq!(o.status.code(), Some(2), "{bad}: {}", text(&o));
            assert!(
                text(&o).contains("expected K/N with 1 ≤ K ≤ N") && text(&o).contains("bad-"),
                "{bad}: {}",
                text(&o)
            );
        }
    }
    assert!(
        !tmp.path().join("m").exists(),
        "a refused merge creates nothing"
    );
}

/// `text` with the number after the first `"key":` replaced by `value`.
fn with_number(text: &str, key: &str, value: &str) -> String {
    let at = text.find(&format!("\"{key}\":")).expect("the key") + key.len() + 3;
    let end = at + text[at..].find([',', '}']).expect("a number's end");
    format!("{}{value}{}", &text[..at], &text[end..])
}

#[test]
fn a_merge_refuses_durability_counts_no_run_could_give() {
    let (tmp, _, d) = files(Path::new("."));
    for k in ["1/2", "2/2"] {
        let o = aurora(&["durability", &d, "--shard", k, "--out", "p"], tmp.path());
        assert!(o.status.success(), "{}", text(&o));
    }
    let part = tmp.path().join("p/small-study.part-1-of-2.json");
    let other = tmp.path().join("p/small-study.part-2-of-2.json");
    let original = std::fs::read_to_string(&part).unwrap();
    let merge = || {
        aurora(
            &[
                "merge",
                &part.to_string_lossy(),
                &other.to_string_lossy(),
                "--out",
                "m",
            ],
            tmp.path(),
        )
    };
    for (key, value, says) in [
        ("hits", "100000", "hits in"),
        (
            "trials",
            "18446744073709551600",
            "trials, where the block has",
        ),
        ("sum", "-1.0", "not negative"),
    ] {
        std::fs::write(&part, with_number(&original, key, value)).unwrap();
        let o = merge();
        assert_eq!(o.status.code(), Some(2), "{key}: {}", text(&o));
        assert!(
            text(&o).contains(says) && text(&o).contains("part-1-of-2"),
            "{key}: {}",
            text(&o)
        );
    }
    assert!(
        !tmp.path().join("m").exists(),
        "a refused merge creates nothing"
    );
    // The untouched pair still merges.
    std::fs::write(&part, &original).unwrap();
    let o = merge();
    assert!(o.status.success(), "{}", text(&o));
}

#[test]
fn bad_settings_are_named_with_the_fields_near_them() {
    let (tmp, s, d) = files(Path::new("."));
    let cases: [(&[&str], &str); 10] = [
        (
            &["sweep", &s, "--set", "faults.+0.writer_crash.at=1s"],
            "write it as a plain number",
        ),
        (
            &["durability", &d, "--set", "volume_years=1,10"],
            "the sample size",
        ),
        (
            &["durability", &d, "--set", "segment_gib=1024"],
            "larger than volume_gib",
        ),
        (
            &["sweep", &s, "--set", "dns.tll=1s"],
            "--set dns.tll=1s: unknown field `tll`; did you mean `ttl`?",
        ),
        (&["sweep", &s, "--set", "dns.ttl=5x"], "--set dns.ttl=5x"),
        (
            &["sweep", &s, "--set", "faults.4.writer_crash.at=1s"],
            "faults has 1 entries",
        ),
        (&["sweep", &s, "--set", "seed=1,2"], "--seeds"),
        (&["sweep", &s, "--seeds", "9..1"], "the range is empty"),
        (&["sweep", &s, "--shard", "5/4"], "K/N"),
        (&["durability", &d, "--set", "quorum=3/6"], "more than half"),
    ];
    for (args, message) in cases {
        let o = aurora(&[args, &["--out", "o"]].concat(), tmp.path());
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        assert!(text(&o).contains(message), "{args:?}: {}", text(&o));
    }
    assert!(!tmp.path().join("o/short-failover-sweep").exists());
    let run = aurora(
        &["run", &s, "--set", "dns.ttl=1s,5s", "--out", "o"],
        tmp.path(),
    );
    assert_eq!(run.status.code(), Some(2));
    assert!(
        text(&run).contains("one value per setting"),
        "{}",
        text(&run)
    );
}

#[test]
fn report_shows_a_sweep_and_a_study() {
    let (tmp, s, d) = files(Path::new("."));
    assert!(
        aurora(&["sweep", &s, "--seeds", "1..3", "--out", "o"], tmp.path())
            .status
            .success()
    );
    assert!(aurora(&["durability", &d, "--out", "o"], tmp.path())
        .status
        .success());
    let o = aurora(
        &[
            "report",
            "o/short-failover-sweep",
            "o/small-study",
            "--out",
            "r.html",
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", text(&o));
    let page = std::fs::read_to_string(tmp.path().join("r.html")).unwrap();
    assert!(page.contains("Sweep of short-failover"));
    assert!(page.contains("every invariant held in every run"));
    // At a glance: measures as rows with their units, the one cell as a
    // column, counts as whole numbers; every measure in a folded block.
    assert!(
        page.contains("<th>median over the runs</th><th>as written</th>"),
        "{page}"
    );
    assert!(page.contains("<td>cluster RTO of the first failover (s)</td>"));
    assert!(
        page.contains("<td>acknowledged commits lost</td><td>0</td>"),
        "{page}"
    );
    assert!(page.contains("<summary>Every measure, cell by cell, with its intervals</summary>"));
    assert!(
        page.contains("worst commit p99 in its first 30 s (ms)"),
        "{page}"
    );
    assert!(!page.contains("first 30 s (s)"));
    assert!(page.contains("Durability: small-study"));
    // The sweep's distribution and clients charts, the study's two.
    assert_eq!(page.matches("<div class=\"chart\">").count(), 4);
    assert!(page.contains("what clients saw of the failover"));
    // A file that is not a report is not overwritten.
    let o = aurora(&["report", "o/small-study", "--out", "s.yaml"], tmp.path());
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&s).unwrap(), SCENARIO);
}

/// One Kubernetes manifest of deploy/kubernetes, as JSON.
fn manifest(name: &str) -> (String, serde_json::Value) {
    let path = crate::repo(&format!("deploy/kubernetes/{name}"));
    let text = std::fs::read_to_string(&path).expect("the manifest");
    let value = serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    (text, value)
}

/// The manifests, checked offline as far as their structure goes: one
/// object a file, so that the merge is applied only after the shards; an
/// image built here, not pulled; the shared volume provided, writable by
/// every pod at once; and the merge reading the parts the shards write.
#[test]
fn the_kubernetes_manifests_merge_after_the_shards_on_a_volume_they_share() {
    let (_, volume) = manifest("volume.yaml");
    assert_eq!(volume["kind"], "PersistentVolumeClaim");
    let claim = volume["metadata"]["name"].as_str().expect("a name");
    assert!(
        volume["spec"]["accessModes"]
            .as_array()
            .is_some_and(|m| m.iter().any(|a| a == "ReadWriteMany")),
        "{volume}"
    );
    let (sweep_text, sweep) = manifest("sweep-job.yaml");
    let (_, merge) = manifest("merge-job.yaml");
    for job in [&sweep, &merge] {
        assert_eq!(job["kind"], "Job", "{job}");
        let pod = &job["spec"]["template"]["spec"];
        assert_eq!(pod["restartPolicy"], "Never");
        for c in pod["containers"].as_array().expect("containers") {
            assert!(
                c["image"].as_str().is_some_and(|i| !i.ends_with(":latest")),
                "{c}"
            );
            assert!(
                matches!(
                    c["imagePullPolicy"].as_str(),
                    Some("IfNotPresent" | "Never")
                ),
                "{c}"
            );
        }
        assert_eq!(
            pod["volumes"][0]["persistentVolumeClaim"]["claimName"],
            claim
        );
    }
    let spec = &sweep["spec"];
    assert_eq!(spec["completionMode"], "Indexed");
    let shards = spec["completions"].as_u64().expect("completions");
    assert_eq!(spec["parallelism"].as_u64(), Some(shards));
    let env = &spec["template"]["spec"]["containers"][0]["env"];
    let count = shards.to_string();
    assert!(env
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["name"] == "SHARDS" && e["value"] == count.as_str()));
    let merge_args = merge["spec"]["template"]["spec"]["containers"][0]["args"][0]
        .as_str()
        .expect("the merge command");
    assert!(
        merge_args.contains(&format!("part-*-of-{shards}.json")),
        "{merge_args}"
    );
    // The order, as documented where the shards are.
    let wait = sweep_text.find("kubectl wait --for=condition=complete job/aurora-sim-sweep");
    let then = sweep_text.find("kubectl apply -f deploy/kubernetes/merge-job.yaml");
    assert!(wait.is_some() && wait < then, "{sweep_text}");
}

/// A grid whose values hold commas of their own (a pool's settings) and a
/// run too short for its failover to finish: the heat map has a row per
/// value, every cell drawn with its figure or "not reached", and equal
/// medians said once rather than all "longest".
#[test]
fn a_heat_map_draws_every_cell_of_a_grid_whose_values_hold_commas() {
    let (tmp, s, _) = files(Path::new("."));
    let o = aurora(
        &[
            "sweep",
            &s,
            "--seeds",
            "1..2",
            "--set",
            "clients.0.connection=direct,{pool: {size: 2, clients_per_pool: 2}}",
            "--set",
            "duration=10s,60s",
            "--out",
            "o",
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", text(&o));
    let svg = std::fs::read_to_string(tmp.path().join("o/short-failover-sweep/heatmap.svg"))
        .expect("a heat map");
    for label in ["direct", "pool: size: 2, clients_…"] {
        assert!(svg.contains(label), "{label}: {svg}");
    }
    assert!(
        !svg.contains("clients_per_pool: 2}}"),
        "a value cut at its comma"
    );
    // Two rows × two columns: a 10 s run ends before its failover, declared
    // about 4 s after the crash at 5 s, is done.
    let texts: Vec<&str> = svg
        .split("</text>")
        .filter_map(|t| t.rsplit_once('>').map(|(_, text)| text.trim()))
        .collect();
    let reached = texts
        .iter()
        .filter(|t| {
            t.strip_suffix(" s")
                .is_some_and(|n| n.parse::<f64>().is_ok())
        })
        .count();
    let not_reached = texts.iter().filter(|t| **t == "not reached").count();
    assert_eq!(reached + not_reached, 4, "{texts:?}");
    assert_eq!(not_reached, 2, "the 10 s runs: {texts:?}");
    // Two medians, one figure or another, and a legend without infinities.
    assert!(!texts.iter().any(|t| t.contains("inf")), "{texts:?}");
}

#[test]
fn a_study_with_json_prints_what_it_writes() {
    let (tmp, s, d) = files(Path::new("."));
    let o = aurora(
        &["sweep", &s, "--seeds", "1..2", "--out", "o", "--json"],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", text(&o));
    let written = read(&tmp.path().join("o/short-failover-sweep"), "sweep.json");
    assert_eq!(o.stdout, written, "stdout is sweep.json");
    let parsed: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(parsed["runs"], 2);
    let o = aurora(&["durability", &d, "--out", "o", "--json"], tmp.path());
    assert!(o.status.success(), "{}", text(&o));
    let written = read(&tmp.path().join("o/small-study"), "durability.json");
    assert_eq!(o.stdout, written, "stdout is durability.json");
}

#[test]
fn a_sweep_checks_each_cell_whole_not_each_value_alone() {
    // A 4 s run is too short for the file's crash at 5 s, but not for the
    // crash at 2 s the other setting puts beside it.
    let (tmp, s, _) = files(Path::new("."));
    let o = aurora(
        &[
            "sweep",
            &s,
            "--set",
            "duration=4s",
            "--set",
            "faults.0.writer_crash.at=2s",
            "--out",
            "o",
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", text(&o));
    // A cell that is invalid whole is still refused, naming why.
    let o = aurora(
        &["sweep", &s, "--set", "duration=4s,6s", "--out", "o2"],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("not before the end"), "{}", text(&o));
}

#[test]
fn a_common_prefix_sweep_replays_each_run_alone() {
    let (tmp, s, _) = files(Path::new("."));
    let args = ["sweep", &s, "--seeds", "1..4", "--common-prefix", "9"];
    let two = aurora(
        &[&args[..], &["--out", "two", "-j", "2"]].concat(),
        tmp.path(),
    );
    assert!(two.status.success(), "{}", text(&two));
    assert!(text(&two).contains("share its prefix up to the first fault (seed 9)"));
    let one = aurora(
        &[&args[..], &["--out", "one", "-j", "1"]].concat(),
        tmp.path(),
    );
    assert!(one.status.success(), "{}", text(&one));
    let dir = |o: &str| tmp.path().join(o).join("short-failover-sweep");
    assert!(read(&dir("two"), "sweep.csv") == read(&dir("one"), "sweep.csv"));
    let json: serde_json::Value = serde_json::from_slice(&read(&dir("two"), "sweep.json")).unwrap();
    assert_eq!(json["common_prefix"], 9);
    let csv = String::from_utf8(read(&dir("two"), "sweep.csv")).unwrap();
    let digests: Vec<&str> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(3).unwrap())
        .collect();
    assert_eq!(digests.len(), 4);
    assert!(digests
        .iter()
        .enumerate()
        .all(|(i, d)| !digests[..i].contains(d)));
    // Seed 3's run, made alone, is the sweep's.
    let r = aurora(
        &[
            "run",
            &s,
            "--seed",
            "3",
            "--common-prefix",
            "9",
            "--out",
            "r",
        ],
        tmp.path(),
    );
    assert!(r.status.success(), "{}", text(&r));
    assert!(
        text(&r).contains("(seed 3 from 5 s, seed 9 before)")
            && text(&r).contains(&format!("trace {}", digests[2])),
        "{}",
        text(&r)
    );
    // The plain sweep's runs are other runs.
    let plain = aurora(&["sweep", &s, "--seeds", "3", "--out", "plain"], tmp.path());
    let csv = String::from_utf8(read(&dir("plain"), "sweep.csv")).unwrap();
    assert!(plain.status.success() && !csv.contains(digests[2]));
}

#[test]
fn a_common_prefix_without_a_fault_to_fork_at_is_refused() {
    let (tmp, s, _) = files(Path::new("."));
    let calm = SCENARIO.replace("faults:\n  - writer_crash: { at: 5s }\n", "");
    std::fs::write(tmp.path().join("calm.yaml"), calm).unwrap();
    for args in [
        &[
            "sweep",
            "calm.yaml",
            "--seeds",
            "1..2",
            "--common-prefix",
            "1",
        ][..],
        &["run", "calm.yaml", "--common-prefix", "1"][..],
        &[
            "sweep",
            &s,
            "--set",
            "faults.0.writer_crash.at=0s,5s",
            "--common-prefix",
            "1",
        ][..],
    ] {
        let o = aurora(&[args, &["--out", "o"]].concat(), tmp.path());
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        assert!(
            text(&o).contains("--common-prefix: a common prefix ends at the first fault"),
            "{}",
            text(&o)
        );
        assert!(!tmp.path().join("o").exists(), "nothing is written");
    }
}
