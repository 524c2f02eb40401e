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
        "name: chart-demo\nduration: 40s\nstorage: { volume_gib: 20 }\nworkload: { open_loop: { commits_per_s: 300 } }\n\
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

/// Writes every chart that applies and checks each is a drawing of its
/// documented size, as PNG and as SVG.
fn assert_all_charts_render(r: &Results) -> Vec<Chart> {
    let dir = tempfile::tempdir().expect("tempdir");
    let written = charts::write_all(r, dir.path()).expect("charts written");
    let applied: Vec<Chart> = Chart::ALL.into_iter().filter(|c| c.applies(r)).collect();
    assert_eq!(written.len(), 2 * applied.len(), "{written:?}");
    for &chart in &applied {
        let (w, h) = chart.size(r);
        // The size docs/charts.md states: a fixed one exactly.
        let rule = chart.size_rule();
        assert!(
            rule.starts_with(&format!("{w} × ")),
            "{}: {rule}",
            chart.stem()
        );
        if !rule.contains('(') {
            assert_eq!(rule, format!("{w} × {h}"), "{}", chart.stem());
        }
        // Anti-aliased text and lines give a drawn chart many colours.
        assert_drawn_png(
            &dir.path().join(format!("{}.png", chart.stem())),
            (w, h),
            20,
        );
        let svg = std::fs::read_to_string(dir.path().join(format!("{}.svg", chart.stem())))
            .expect("svg written");
        let head = format!("<svg width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\"");
        assert!(svg.starts_with(&head), "{}", &svg[..80]);
        assert!(svg.trim_end().ends_with("</svg>"));
        assert!(
            svg.contains(&r.summary.scenario),
            "the title names the scenario"
        );
        assert!(
            !svg.contains("font-family=\"sans-serif\""),
            "SVG text names the embedded face"
        );
    }
    applied
}

#[test]
fn every_chart_renders_as_png_and_svg_of_the_documented_size() {
    let r = failover_results();
    let applied = assert_all_charts_render(&r);
    assert!(!applied.contains(&Chart::Quorum), "no PG lost a quorum");
    assert!(applied.contains(&Chart::Clients), "the run has clients");
    let throughput = Chart::Throughput.svg(&r);
    for label in [
        "commits/s",
        "simulated time (s)",
        "detection (failover)",
        "DNS (failover)",
        "writer crash (w)",
        "storage node c-1 crash",
        "storage node c-1 crash ends",
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
    let (_, h) = Chart::Rto.size(&r);
    assert!(h < charts::SIZE.1 / 2, "one bar: a short chart, {h} px");
}

#[test]
fn every_chart_is_declared_with_its_own_file_and_what_it_shows() {
    use aurora_sim::report::charts::StudyChart;
    let runs: Vec<_> = Chart::ALL
        .into_iter()
        .map(|c| (c.stem(), c.doc(), c.applies_when(), c.size_rule()))
        .collect();
    let studies: Vec<_> = StudyChart::ALL
        .into_iter()
        .map(|c| (c.stem(), c.doc(), c.applies_when(), c.size_rule()))
        .collect();
    for set in [&runs, &studies] {
        for (i, (stem, doc, when, size)) in set.iter().enumerate() {
            assert!(
                !doc.is_empty() && !when.is_empty() && !size.is_empty(),
                "{stem}"
            );
            assert!(
                set[..i].iter().all(|other| other.0 != *stem),
                "two charts write {stem}"
            );
        }
    }
    assert_eq!(runs.len(), 11, "a run draws up to eleven charts");
}

/// Every shipped scenario's charts render: each run is cut short by an
/// event budget, which keeps this quick and also shows a run stopped
/// early still charts.
#[test]
fn every_chart_of_every_shipped_scenario_renders() {
    let mut paths: Vec<_> = std::fs::read_dir(crate::repo("scenarios"))
        .expect("scenarios/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    paths.sort();
    assert!(paths.len() > 20, "{paths:?}");
    for path in paths {
        let sc = aurora_sim::Scenario::load(&path).expect("shipped scenario is valid");
        let o = aurora_sim::Simulation::new(&sc)
            .max_events(300_000)
            .run()
            .expect("runs");
        assert_all_charts_render(&Results::from_outcome(&o));
    }
}

#[test]
fn the_client_chart_tells_the_dns_cache_story() {
    let r = Results::from_outcome(crate::shipped_outcome("jvm-dns-cache"));
    assert!(Chart::Clients.applies(&r));
    let svg = Chart::Clients.svg(&r);
    for part in [
        "ttl: 17 clients, direct to the cluster endpoint, DNS cache honours the TTL",
        "jvm-30s: 17 clients, direct to the cluster endpoint, DNS cached 30s",
        "jvm-forever: 17 clients, direct to the cluster endpoint, DNS cached forever",
        "17 of 17 never back",
        "read-only (not the writer)",
        "cluster writable",
    ] {
        assert!(svg.contains(part), "client chart lacks {part}");
    }
    let page = report::page(std::slice::from_ref(&r));
    for part in [
        "<h3 id=\"run-1-clients\">Clients</h3>",
        "<td><b>jvm-forever</b></td><td>17 × direct to the cluster endpoint, DNS cached forever</td>",
        "never / never (17 of 17 clients never wrote again)",
        "the writer (writer-1)",
    ] {
        assert!(page.contains(part), "page lacks {part}");
    }
}

#[test]
fn the_report_says_how_each_group_connects() {
    let sc = parse(
        "name: ways\nduration: 20s\nstorage: { volume_gib: 20 }\n\
         instances:\n  - { name: w, az: a, role: writer }\n  - { name: r, az: b }\n\
         clients:\n  - { name: direct, count: 2, az: b }\n  \
         - { name: proxied, count: 2, az: b, connection: proxy }\n  \
         - { name: pooled, count: 4, az: c, dns_cache: 30s, connection: { pool: { size: 2, clients_per_pool: 4 } } }\n  \
         - { name: driven, count: 2, az: c, connection: { driver: {} } }\n\
         proxy: {}\nfaults:\n  - failover: { at: 5s }\n",
    );
    let r = Results::from_outcome(&run(&sc));
    let svg = Chart::Clients.svg(&r);
    let page = report::page(std::slice::from_ref(&r));
    for part in [
        "direct: 2 clients, direct to the cluster endpoint, DNS cache honours the TTL",
        "proxied: 2 clients, through RDS Proxy",
        "pooled: 4 clients, pool of 2 per 4 clients on the cluster endpoint, DNS cached 30s",
        "driven: 2 clients, topology-aware driver on the cluster endpoint",
    ] {
        assert!(svg.contains(part), "client chart lacks {part}");
        let (name, how) = part.split_once(": ").expect("a heading");
        let row = format!(
            "<td><b>{name}</b></td><td>{}",
            how.replacen(" clients, ", " × ", 1)
        );
        assert!(page.contains(&row), "page lacks {row}");
    }
    assert!(
        page.contains("<th>how they connect</th>"),
        "topology lacks the connection column"
    );
}

#[test]
fn a_quiet_run_has_no_quorum_chart_and_a_replacement_is_not_a_promotion() {
    let quiet = parse("name: quiet\nduration: 3s\nstorage: { volume_gib: 20 }\nworkload: { open_loop: { commits_per_s: 100 } }\n");
    let r = Results::from_outcome(&run(&quiet));
    assert!(!Chart::Quorum.applies(&r), "nothing dropped below a quorum");
    let single = Results::from_outcome(&run(&crate::shipped("single-instance")));
    let rto = Chart::Rto.svg(&single);
    assert!(
        rto.contains("re-created at"),
        "bar says the writer was re-created"
    );
    assert!(
        rto.contains("\nprovisioning\n"),
        "its phase is provisioning"
    );
    assert!(!rto.contains("\npromotion\n"), "no reader was promoted");
    let page = report::page(std::slice::from_ref(&single));
    assert!(page.contains("(provisioning)") && page.contains("re-created"));
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
    for external in ["src=", "@import", "url("] {
        assert!(!page.contains(external), "external asset via {external}");
    }
    for link in page.split("href=\"").skip(1) {
        let id = link.split('"').next().unwrap_or_default();
        let target = id.strip_prefix('#').expect("links stay on the page");
        assert!(
            page.contains(&format!("id=\"{target}\"")),
            "link to a missing anchor #{target}"
        );
    }
    for part in [
        "<nav>",
        "<a href=\"#run-1\">chart-demo (seed 1)</a>",
        "<h2>chart-demo (seed 1)</h2>",
        "Topology",
        "<td>r1</td><td>reader</td><td>b</td>",
        "Faults",
        "<td>writer crash (w)</td><td>the writer (w)</td>",
        "Failovers (RTO by phase, seconds)",
        "w → r1",
        "<div class=\"scroll\"><table>",
        "@media print",
        "Charts",
    ] {
        assert!(page.contains(part), "page lacks {part}");
    }
    // Each chart twice: drawn wide and drawn narrow (or scrolled).
    let charts = Chart::ALL.into_iter().filter(|c| c.applies(&r)).count();
    assert_eq!(page.matches("<div class=\"chart\">").count(), charts);
    assert_eq!(page.matches("<svg ").count(), 2 * charts);
}

#[test]
fn several_runs_are_compared_side_by_side() {
    let a = failover_results();
    let mut b = a.clone();
    b.summary.scenario = "other".into();
    let mut c = a.clone();
    c.summary.seed = 7;
    let page = report::page(&[a, b, c]);
    assert!(page.contains("<h2 id=\"comparison\">Comparison</h2>"));
    assert!(page.contains(
        "<th>chart-demo (seed 1)</th><th>other (seed 1)</th><th>chart-demo (seed 7)</th>"
    ));
    assert!(page.contains("RTO by phase, compared"));
    assert!(
        page.contains("other: w → r1"),
        "a name of its own needs no seed"
    );
    assert!(
        page.contains("chart-demo seed 1: w → r1") && page.contains("chart-demo seed 7: w → r1"),
        "runs of one scenario are told apart by their seeds"
    );
    assert!(page.contains("<section class=\"run\" id=\"run-3\">"));
}

#[test]
fn run_with_charts_then_report_from_the_command_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sc = dir.path().join("fo.yaml");
    std::fs::write(
        &sc,
        "name: fo\nduration: 20s\nstorage: { volume_gib: 20 }\nworkload: { open_loop: { commits_per_s: 200 } }\n\
         instances:\n  - { name: w, az: a, role: writer }\n  - { name: r, az: b }\nfaults:\n  - writer_crash: { at: 3s }\n",
    )
    .unwrap();
    let o = aurora(&["run", "fo.yaml", "--charts", "--out", "res"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let written = Results::load(&dir.path().join("res/fo")).expect("results load");
    for chart in Chart::ALL {
        for ext in ["png", "svg"] {
            let f = dir.path().join(format!("res/fo/{}.{ext}", chart.stem()));
            assert_eq!(f.exists(), chart.applies(&written), "{}", f.display());
        }
    }
    // A run without --charts removes charts that would now be stale.
    let o = aurora(&["run", "fo.yaml", "--out", "res"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(!dir.path().join("res/fo/throughput.png").exists());

    let o = aurora(&["report", "res/fo", "--out", "page.html"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let page = std::fs::read_to_string(dir.path().join("page.html")).expect("page written");
    assert!(page.contains("<h2>fo (seed 1)</h2>"));
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
    // A directory that is there but holds no results says what report
    // takes, not that a file is missing.
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    let o = aurora(&["report", "empty", "--out", "page.html"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains(
            "empty holds no results: report takes directories that run, sweep or durability wrote"
        ),
        "{}",
        text(&o)
    );
}

#[test]
fn several_scenarios_run_in_one_command_each_into_its_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    for name in ["one", "two"] {
        std::fs::write(
            dir.path().join(format!("{name}.yaml")),
            format!("name: {name}\nduration: 2s\nstorage: {{ volume_gib: 20 }}\nworkload: {{ open_loop: {{ commits_per_s: 100 }} }}\n"),
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

/// The headless Chromium on this machine, if there is one.
fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

/// Runs `browser` headless at `width` px on `what` (a page and what to
/// do with it), with its profile in `dir`.
fn browse(browser: &str, dir: &Path, width: u32, what: &[String]) -> std::process::Output {
    Command::new(browser)
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
        ])
        .arg(format!("--window-size={width},2400"))
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .args(what)
        .output()
        .expect("chromium runs")
}

/// Opens the page in headless Chromium and checks the screenshot is a
/// rendered page. Skipped, with a message, where Chromium is not installed.
#[test]
fn a_real_browser_renders_the_report() {
    let Some(chromium) = chromium() else {
        eprintln!("skipped: no chromium on this machine (apt-get install chromium)");
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let page = dir.path().join("report.html");
    let html = report::page(&[failover_results()]);
    std::fs::write(&page, &html).unwrap();
    let browse = |width: u32, what: &[String]| browse(chromium, dir.path(), width, what);
    let shot = dir.path().join("shot.png");
    let o = browse(
        1400,
        &[
            format!("--screenshot={}", shot.display()),
            format!("file://{}", page.display()),
        ],
    );
    assert!(shot.exists(), "no screenshot: {}", text(&o));
    // Text, tables and charts: a rendered page has many colours.
    assert_drawn_png(&shot, (1400, 2400), 200);

    // At 800 px the page itself must not scroll sideways: wide tables
    // scroll inside their own boxes. A copy of the page measures itself
    // (the report has no script; only this copy does).
    let probe = dir.path().join("probe.html");
    let measure = "<script>document.body.setAttribute('data-scroll-width', \
                   document.documentElement.scrollWidth); \
                   document.body.setAttribute('data-failover-overflow', \
                   Math.max(0, ...Array.from(document.querySelectorAll('.failover .scroll')) \
                   .map(e => e.scrollWidth - e.clientWidth)))</script></body>";
    std::fs::write(&probe, html.replace("</body>", measure)).unwrap();
    let o = browse(
        800,
        &[
            "--dump-dom".to_owned(),
            format!("file://{}", probe.display()),
        ],
    );
    let dom = String::from_utf8_lossy(&o.stdout);
    // A number the probe wrote into the body's attribute `name`.
    let measured = |name: &str| -> u32 {
        dom.split(&format!("{name}=\""))
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .and_then(|w| w.parse().ok())
            .unwrap_or_else(|| panic!("no {name} measured: {}", text(&o)))
    };
    let width = measured("data-scroll-width");
    assert!(width <= 800, "the page is {width} px wide at 800 px");
    // Every column of a failover's tables shows, on screen and on paper.
    let overflow = measured("data-failover-overflow");
    assert_eq!(overflow, 0, "a failover table scrolls at 800 px");
    assert!(
        dom.contains("class=\"failover\""),
        "the page has a failover"
    );
}

#[test]
fn a_run_reads_in_a_reviews_order_as_its_contents_list_it() {
    let r = Results::from_outcome(crate::shipped_outcome("jvm-dns-cache"));
    let page = report::page(std::slice::from_ref(&r));
    let at = |part: &str| {
        page.find(&format!("<h3 id=\"run-1-{part}\""))
            .unwrap_or_else(|| panic!("no {part} section"))
    };
    let order = [
        "invariants",
        "expectations",
        "failovers",
        "clients",
        "measured",
        "topology",
        "faults",
        "charts",
    ];
    for pair in order.windows(2) {
        assert!(at(pair[0]) < at(pair[1]), "{} before {}", pair[0], pair[1]);
    }
    // The contents list the sections in the same order.
    let nav = |part: &str| {
        page.find(&format!("href=\"#run-1-{part}\""))
            .expect("listed")
    };
    for pair in order.windows(2) {
        assert!(
            nav(pair[0]) < nav(pair[1]),
            "contents: {} before {}",
            pair[0],
            pair[1]
        );
    }
}

/// Every chart of every shipped result as the report's page shows it, at
/// 800 and 1,400 px in a real browser: each chart shows one layout, its
/// smallest text is at least 9 px, no two texts overlap, no text is cut
/// off at its edge, and every colour its legend names is drawn in it.
#[test]
#[ignore = "long tier: cargo test -- --ignored"]
fn every_shipped_chart_reads_at_800_and_1400_px() {
    let Some(chromium) = chromium() else {
        eprintln!("skipped: no chromium on this machine (apt-get install chromium)");
        return;
    };
    // Every directory run, sweep or durability wrote under results/.
    fn results_in(dir: &Path, found: &mut Vec<String>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .expect("results/ reads")
            .map(|e| e.expect("an entry").path())
            .filter(|p| p.is_dir())
            .collect();
        entries.sort();
        for d in entries {
            if ["summary.json", "sweep.json", "durability.json"]
                .iter()
                .any(|f| d.join(f).exists())
            {
                found.push(d.display().to_string());
            } else {
                results_in(&d, found);
            }
        }
    }
    let mut dirs = Vec::new();
    results_in(&crate::repo("results"), &mut dirs);
    assert!(dirs.len() > 30, "only {} results found", dirs.len());
    let dir = tempfile::tempdir().expect("tempdir");
    let page = dir.path().join("all.html");
    let mut args: Vec<&str> = vec!["report"];
    args.extend(dirs.iter().map(String::as_str));
    args.extend(["--out", page.to_str().unwrap()]);
    let o = aurora(&args, dir.path());
    assert!(o.status.success(), "{}", text(&o));
    let html = std::fs::read_to_string(&page).unwrap();
    let charts = html.matches("<div class=\"chart\">").count();
    let probe = std::fs::read_to_string(crate::repo("tests/data/chart-probe.js")).unwrap();
    let probed = dir.path().join("probed.html");
    std::fs::write(
        &probed,
        html.replace("</body>", &format!("<script>{probe}</script></body>")),
    )
    .unwrap();
    for width in [800, 1400] {
        let o = browse(
            chromium,
            dir.path(),
            width,
            &[
                "--dump-dom".to_owned(),
                format!("file://{}", probed.display()),
            ],
        );
        let dom = String::from_utf8_lossy(&o.stdout);
        // The probe's element is the body's last.
        let measured = dom
            .rsplit_once("<pre id=\"probe-out\">")
            .and_then(|(_, rest)| rest.split("</pre>").next())
            .unwrap_or_else(|| panic!("nothing measured at {width} px: {}", text(&o)))
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&");
        let lines: Vec<serde_json::Value> = measured
            .lines()
            .map(|l| serde_json::from_str(l).expect("a probe line is JSON"))
            .collect();
        assert_eq!(lines.len(), charts, "charts shown at {width} px");
        let faults: Vec<String> = lines
            .iter()
            .filter(|c| {
                c["minpx"].as_f64().unwrap() < 9.0
                    || ["overlaps", "clipped", "undrawn"]
                        .iter()
                        .any(|k| !c[k].as_array().unwrap().is_empty())
            })
            .map(ToString::to_string)
            .collect();
        assert!(faults.is_empty(), "at {width} px:\n{}", faults.join("\n"));
    }
}
