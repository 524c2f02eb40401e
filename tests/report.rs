//! Charts and the HTML report: every chart renders as a real image of the
//! documented size, the page is self-contained, bad result directories
//! are refused, and a real browser renders the page.

use std::path::Path;
use std::process::Command;

use aurora_sim::report::charts::{self, Chart};
use aurora_sim::report::{self, Results};

use aurora_sim::Outcome;

use crate::{aurora, parse, run, text};

/// A run with a failover, a reader that keeps streaming, clients and a
/// storage fault, so that every chart has something to draw.
fn demo() -> Outcome {
    run(&parse(
        "name: chart-demo\nduration: 40s\nstorage: { volume_gib: 20 }\nworkload: { commits_per_s: 300 }\n\
         instances:\n  - { name: w, az: a, role: writer }\n  - { name: r1, az: b, tier: 0 }\n  - { name: r2, az: c }\n\
         clients:\n  - { name: app, count: 2, az: b, read_timeout: 2s }\n\
         faults:\n  - storage_node_crash: { at: 5s, node: c-1, recover_after: 10s }\n  - writer_crash: { at: 10s }\n",
    ))
}

fn failover_results() -> Results {
    Results::from_outcome(&demo())
}

/// Decodes a PNG and checks it has the size and enough distinct colours
/// to be a drawing rather than a blank canvas.
fn assert_drawn_png(path: &Path, size: (u32, u32), min_colours: usize) {
    let img = image::open(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .to_rgb8();
    assert_eq!(img.dimensions(), size, "{}", path.display());
    let mut colours: Vec<[u8; 3]> = img.pixels().map(|p| p.0).collect();
    colours.sort_unstable();
    colours.dedup();
    assert!(
        colours.len() >= min_colours,
        "{} has only {} colours",
        path.display(),
        colours.len()
    );
}

#[test]
fn every_chart_renders_as_png_and_svg_of_the_documented_size() {
    let r = failover_results();
    let dir = tempfile::tempdir().expect("tempdir");
    let written = charts::write_all(&r, dir.path()).expect("charts written");
    assert_eq!(written.len(), 2 * Chart::ALL.len(), "{written:?}");
    for chart in Chart::ALL {
        assert!(chart.applies(&r), "{chart:?}");
        // Anti-aliased text and lines give a drawn chart many colours.
        assert_drawn_png(
            &dir.path().join(format!("{}.png", chart.stem())),
            charts::SIZE,
            20,
        );
        let svg = std::fs::read_to_string(dir.path().join(format!("{}.svg", chart.stem())))
            .expect("svg written");
        assert!(
            svg.starts_with("<svg width=\"1200\" height=\"500\" viewBox=\"0 0 1200 500\""),
            "{}",
            &svg[..80]
        );
        assert!(svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains("chart-demo"), "the title names the scenario");
    }
    let throughput = Chart::Throughput.svg(&r);
    for label in [
        "commits/s",
        "simulated time (s)",
        "detection (failover)",
        "DNS (failover)",
        "writer_crash",
        "storage_node_crash c-1",
    ] {
        assert!(throughput.contains(label), "throughput chart lacks {label}");
    }
    let lag = Chart::ReplicaLag.svg(&r);
    assert!(
        lag.contains("r1") && lag.contains("r2"),
        "one line per reader"
    );
    let rto = Chart::Rto.svg(&r);
    assert!(rto.contains("w → r1 at 10 s"), "bar labelled by failover");
}

#[test]
fn charts_that_have_nothing_to_show_are_left_out() {
    let sc = parse("name: quiet\nduration: 3s\nstorage: { volume_gib: 20 }\nworkload: { commits_per_s: 100 }\n");
    let r = Results::from_outcome(&run(&sc));
    assert!(!Chart::Rto.applies(&r), "no failover");
    assert!(!Chart::ReplicaLag.applies(&r), "no reader");
    assert!(Chart::Throughput.applies(&r) && Chart::Quorum.applies(&r));
}

#[test]
fn charts_are_drawn_from_the_files_and_are_deterministic() {
    let o = demo();
    let a = Results::from_outcome(&o);
    assert_eq!(
        Chart::Throughput.svg(&a),
        Chart::Throughput.svg(&failover_results())
    );
    // Loading the written files gives the same charts as the run itself.
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("summary.json"), o.summary_json()).unwrap();
    std::fs::write(dir.path().join("timeline.csv"), o.timeline_csv()).unwrap();
    let loaded = Results::load(dir.path()).expect("results load");
    assert_eq!(Chart::Latency.svg(&loaded), Chart::Latency.svg(&a));
    assert_eq!(Chart::Rto.svg(&loaded), Chart::Rto.svg(&a));
}

#[test]
fn the_page_is_self_contained_and_explains_the_run() {
    let r = failover_results();
    let page = report::page(std::slice::from_ref(&r));
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(!page.contains("<script"), "no JavaScript");
    for external in ["src=", "href=", "@import", "url("] {
        assert!(!page.contains(external), "external asset via {external}");
    }
    for part in [
        "<h2>chart-demo</h2>",
        "Topology",
        "<td>r1</td><td>reader</td><td>b</td>",
        "Faults",
        "<td>writer_crash</td>",
        "Failovers (RTO by phase, seconds)",
        "w → r1",
        "Charts",
    ] {
        assert!(page.contains(part), "page lacks {part}");
    }
    assert_eq!(page.matches("<svg ").count(), Chart::ALL.len());
}

#[test]
fn several_runs_are_compared_side_by_side() {
    let a = failover_results();
    let mut b = a.clone();
    b.summary.scenario = "other".into();
    let page = report::page(&[a, b]);
    assert!(page.contains("<h2>Comparison</h2>"));
    assert!(page.contains("<th>chart-demo</th><th>other</th>"));
    assert!(page.contains("RTO by phase, compared"));
    assert!(page.contains("chart-demo: w → r1") && page.contains("other: w → r1"));
}

#[test]
fn run_with_charts_then_report_from_the_command_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sc = dir.path().join("fo.yaml");
    std::fs::write(
        &sc,
        "name: fo\nduration: 20s\nstorage: { volume_gib: 20 }\nworkload: { commits_per_s: 200 }\n\
         instances:\n  - { name: w, az: a, role: writer }\n  - { name: r, az: b }\nfaults:\n  - writer_crash: { at: 3s }\n",
    )
    .unwrap();
    let o = aurora(&["run", "fo.yaml", "--charts", "--out", "res"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    for chart in Chart::ALL {
        for ext in ["png", "svg"] {
            let f = dir.path().join(format!("res/fo/{}.{ext}", chart.stem()));
            assert!(f.exists(), "{} missing", f.display());
        }
    }
    // A run without --charts removes charts that would now be stale.
    let o = aurora(&["run", "fo.yaml", "--out", "res"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(!dir.path().join("res/fo/throughput.png").exists());

    let o = aurora(&["report", "res/fo", "--out", "page.html"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let page = std::fs::read_to_string(dir.path().join("page.html")).expect("page written");
    assert!(page.contains("<h2>fo</h2>"));
}

#[test]
fn report_refuses_missing_or_foreign_results_with_exit_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = aurora(&["report", "nowhere", "--out", "page.html"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("nowhere/summary.json"), "{}", text(&o));
    std::fs::create_dir(dir.path().join("bad")).unwrap();
    std::fs::write(
        dir.path().join("bad/summary.json"),
        "{\n  \"scenario\": 3\n}\n",
    )
    .unwrap();
    let o = aurora(&["report", "bad", "--out", "page.html"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("bad/summary.json:2:15: not a summary.json of this version"),
        "{}",
        text(&o)
    );
    assert!(!dir.path().join("page.html").exists(), "nothing written");
}

#[test]
fn several_scenarios_run_in_one_command_each_into_its_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    for name in ["one", "two"] {
        std::fs::write(
            dir.path().join(format!("{name}.yaml")),
            format!("name: {name}\nduration: 2s\nstorage: {{ volume_gib: 20 }}\nworkload: {{ commits_per_s: 100 }}\n"),
        )
        .unwrap();
    }
    let o = aurora(&["run", "one.yaml", "two.yaml", "--out", "res"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = text(&o);
    let (one, two) = (out.find("one (seed 1)"), out.find("two (seed 1)"));
    assert!(one.is_some() && one < two, "printed in order: {out}");
    assert!(dir.path().join("res/one/summary.json").exists());
    assert!(dir.path().join("res/two/summary.json").exists());
    // One bad file: nothing runs, nothing is written.
    let bad = crate::repo("tests/data/unknown-node.yaml");
    let o = aurora(
        &["run", "one.yaml", bad.to_str().unwrap(), "--out", "fresh"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(!dir.path().join("fresh").exists());
}

/// Opens the page in headless Chromium and checks the screenshot is a
/// rendered page. Skipped, with a message, where Chromium is not installed.
#[test]
fn a_real_browser_renders_the_report() {
    let Some(chromium) = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
    else {
        eprintln!("skipped: no chromium on this machine (apt-get install chromium)");
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let page = dir.path().join("report.html");
    std::fs::write(&page, report::page(&[failover_results()])).unwrap();
    let shot = dir.path().join("shot.png");
    let o = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--window-size=1400,2400",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    assert!(shot.exists(), "no screenshot: {}", text(&o));
    // Text, tables and five charts: a rendered page has many colours.
    assert_drawn_png(&shot, (1400, 2400), 200);
}
