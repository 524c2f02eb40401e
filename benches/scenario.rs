//! The full model on the shipped `baseline` scenario (5,000 commits/s,
//! 3 records each, 1 GiB working set, 100 GiB volume), shortened to 60
//! simulated seconds per iteration. Reported twice: as simulated commits
//! per wall-clock second and as model events per second.

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use aurora_sim::{Scenario, ScenarioBuilder, Simulation};

fn baseline() -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.yaml");
    ScenarioBuilder::load(&path)
        .expect("baseline reads")
        .set("duration", "60s")
        .build()
        .expect("baseline is valid")
}

fn scenario(c: &mut Criterion) {
    let sc = baseline();
    let probe = Simulation::new(&sc).run().expect("runs");
    let commits = probe.summary.commits.acknowledged;
    let events = probe.summary.events_processed;
    let mut g = c.benchmark_group("baseline_60s");
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

criterion_group!(benches, scenario);
criterion_main!(benches);
