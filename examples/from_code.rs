//! Builds a scenario from code, runs it, and prints what its clients saw.
//! Needs no default feature:
//! `cargo run --example from_code --no-default-features`.

use aurora_sim::scenario::parts::{Az, Clients, Fault, Instance, R6g};
use aurora_sim::sim::SimDuration;
use aurora_sim::{ScenarioBuilder, Simulation};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let secs = SimDuration::from_secs;
    let scenario = ScenarioBuilder::new("from-code", "60s")
        .instance(Instance::writer("writer", Az::A).class(R6g::X2large))
        .instance(
            Instance::reader("reader", Az::B)
                .class(R6g::X2large)
                .tier(0),
        )
        .clients(Clients::new("app", 8).az(Az::B).read_timeout(secs(5)))
        .clients(
            Clients::new("jvm", 8)
                .az(Az::B)
                .read_timeout(secs(5))
                .dns_cache(secs(30)),
        )
        .fault(Fault::WriterCrash {
            at: secs(20),
            recover_after: None,
        })
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
        .fault(Fault::WriterCrash {
            at: secs(45),
            recover_after: None,
        })
        .build()
        .unwrap_err();
    println!("refused: {bad}");
    std::process::exit(if outcome.passed() { 0 } else { 1 });
}
