//! Builds a scenario from code, runs it, and prints what its clients saw.
//! Needs no default feature:
//! `cargo run --example from_code --no-default-features`.

use aurora_sim::{ScenarioBuilder, Simulation};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let scenario = ScenarioBuilder::new("from-code", "60s")
        .set("workload.commits_per_s", 500)
        .push("instances", "{ name: writer, az: a, role: writer }")
        .push("instances", "{ name: reader, az: b, tier: 0 }")
        .push(
            "clients",
            "{ name: app, count: 8, az: b, read_timeout: 5s }",
        )
        .push(
            "clients",
            "{ name: jvm, count: 8, az: b, read_timeout: 5s, dns_cache: 30s }",
        )
        .push("faults", "writer_crash: { at: 20s }")
        .set("expect.max_lost_commits", 0)
        .build()?;
    let outcome = Simulation::new(&scenario).run()?;
    let s = &outcome.summary;
    for v in &s.invariants {
        println!("{:<62} {}", v.name, if v.held { "held" } else { "BROKEN" });
    }
    for (r, f) in s.rto.iter().zip(&s.failovers) {
        let total = r
            .total_s
            .map_or("unfinished".to_owned(), |t| format!("{t:.2} s"));
        println!(
            "failover {} -> {}: cluster RTO {total}",
            f.from,
            f.to.as_deref().unwrap_or("none")
        );
    }
    for g in &s.client_groups {
        for c in &g.client_observed_s {
            let show = |v: Option<f64>| v.map_or("never".to_owned(), |v| format!("{v:.2} s"));
            println!(
                "  {:<4} saw p50 {}, worst {}",
                g.name,
                show(c.p50),
                show(c.max)
            );
        }
    }
    let bad = ScenarioBuilder::new("bad", "30s")
        .push("faults", "writer_crash: { at: 45s }")
        .build()
        .unwrap_err();
    println!("refused: {bad}");
    std::process::exit(if outcome.passed() { 0 } else { 1 });
}
