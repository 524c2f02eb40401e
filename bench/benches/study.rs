//! Studies: runs per second of the shipped `writer-crash` in a sweep, and
//! PG-years per second of the durability study, each on one thread and on
//! two, so the README can say how they scale with cores; and a sweep's
//! runs made whole beside runs sharing their prefix.

use std::hint::black_box;

use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};
use rayon::prelude::*;

use aurora_sim::study::durability::Study;
use aurora_sim::study::grid::{Grid, Seeds};
use aurora_sim::study::sweep::Sweep;
use aurora_sim_bench::shipped;

/// Benches `work` over `0..items` on a pool of one thread and on one of
/// two, so the README can say how a study scales with cores.
fn on_one_and_two_threads(
    g: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    items: usize,
    work: impl Fn(usize) + Sync,
) {
    for threads in [1, 2] {
        let pool = pool(threads);
        g.bench_function(format!("{name}_{threads}_threads"), |b| {
            b.iter(|| pool.install(|| (0..items).into_par_iter().for_each(&work)))
        });
    }
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a pool starts")
}

/// A sweep of the shipped `writer-crash` over `seeds`, as written.
fn writer_crash(seeds: &str) -> Sweep {
    let (path, text) = shipped("scenarios/writer-crash.yaml");
    let seeds: Seeds = seeds.parse().expect("seeds");
    Sweep::new(
        &path,
        &text,
        Grid::new(vec![]).expect("grid"),
        Some(seeds),
        u64::MAX,
    )
    .expect("writer-crash is valid")
}

fn sweep(c: &mut Criterion) {
    let sweep = writer_crash("1..2");
    let mut g = c.benchmark_group("sweep_writer_crash");
    g.sample_size(10);
    g.throughput(Throughput::Elements(sweep.runs() as u64));
    on_one_and_two_threads(&mut g, "runs", sweep.runs(), |i| {
        black_box(sweep.run(i));
    });
    g.finish();
}

/// Six seeds of `writer-crash` on two threads, with each run simulated
/// whole and with the runs sharing their first 60 s (`--common-prefix`).
/// A sweep is made afresh for each iteration, so that each thread
/// simulates the prefix once per iteration, as one sweep does.
fn common_prefix(c: &mut Criterion) {
    let made = |prefix: Option<u64>| {
        let sweep = writer_crash("1..6");
        match prefix {
            Some(seed) => sweep.common_prefix(seed).expect("a fault to fork at"),
            None => sweep,
        }
    };
    let mut g = c.benchmark_group("sweep_writer_crash_6_seeds");
    g.sample_size(10);
    g.throughput(Throughput::Elements(6));
    let pool = pool(2);
    for (name, prefix) in [("whole_runs", None), ("common_prefix", Some(1))] {
        g.bench_function(name, |b| {
            b.iter_batched(
                || made(prefix),
                |sweep| pool.install(|| (0..6).into_par_iter().map(|i| sweep.run(i)).count()),
                criterion::BatchSize::PerIteration,
            )
        });
    }
    g.finish();
}

fn durability(c: &mut Criterion) {
    let (path, text) = shipped("studies/quorum-az-outage.yaml");
    // 256 volume-years of the 4/6 cell: four blocks, so two threads
    // share them evenly.
    let text = text.replace("volume_years: 2000", "volume_years: 256");
    let set = vec!["quorum=4/6".parse().expect("setting")];
    let study = Study::new(&path, &text, set).expect("the study is valid");
    let pg_years: u64 = (0..study.blocks()).map(|i| study.pg_years(i)).sum();
    let mut g = c.benchmark_group("durability_quorum_az_outage");
    g.sample_size(10);
    g.throughput(Throughput::Elements(pg_years));
    on_one_and_two_threads(&mut g, "pg_years", study.blocks(), |i| {
        black_box(study.block(i));
    });
    g.finish();
}

criterion_group!(benches, durability, sweep, common_prefix);
criterion_main!(benches);
