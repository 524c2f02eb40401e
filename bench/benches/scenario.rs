//! The full model on the shipped baselines (about 5,000 commits/s of 3
//! records each, 1 GiB working set, 100 GiB volume), shortened to 60
//! simulated seconds per iteration: `baseline-open-loop`, the load
//! arriving at the writer as the SimPy anchor offers it, and `baseline`,
//! the same load from 50 closed-loop clients, whose requests and answers
//! are events of their own. Each is reported twice: as simulated commits
//! per wall-clock second and as model events per second.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use aurora_sim::{Scenario, ScenarioBuilder, Simulation};
use aurora_sim_bench::repo;

fn shipped(name: &str) -> Scenario {
    let path = repo(&format!("scenarios/{name}.yaml"));
    ScenarioBuilder::load(&path)
        .expect("the scenario reads")
        .set("duration", "60s")
        .build()
        .expect("the scenario is valid")
}

fn scenario(c: &mut Criterion) {
    for name in ["baseline-open-loop", "baseline"] {
        let sc = shipped(name);
        let probe = Simulation::new(&sc).run().expect("runs");
        let commits = probe.summary.commits.acknowledged;
        let events = probe.summary.events_processed;
        let mut g = c.benchmark_group(format!("{}_60s", name.replace('-', "_")));
        g.sample_size(10);
        g.throughput(Throughput::Elements(commits));
        g.bench_function("commits", |b| {
            b.iter(|| Simulation::new(&sc).run().expect("runs"))
        });
        g.throughput(Throughput::Elements(events));
        g.bench_function("events", |b| {
            b.iter(|| Simulation::new(&sc).run().expect("runs"))
        });
        g.finish();
    }
}

criterion_group!(benches, scenario);
criterion_main!(benches);
