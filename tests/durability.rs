//! The durability study against what can be computed exactly.

use std::path::Path;

use aurora_sim::study::durability::config::YEAR_S;
use aurora_sim::study::durability::{DurabilityResult, Study};

/// Runs every block of a study in order.
fn run(text: &str) -> DurabilityResult {
    let study = Study::new(Path::new("study.yaml"), text, Vec::new()).expect("valid study");
    let blocks: Vec<_> = (0..study.blocks()).map(|i| study.block(i)).collect();
    study.result(&blocks)
}

/// P(the birth–death chain of destroyed copies reaches `absorb_at` within
/// a year), starting with none destroyed: copies fail at `lambda` each,
/// each destroyed copy is repaired at `mu` (both per year). Computed by
/// uniformization.
fn absorbed_within_a_year(copies: u32, lambda: f64, mu: f64, absorb_at: usize) -> f64 {
    let n = absorb_at + 1;
    let mut q = vec![vec![0.0; n]; n];
    for k in 0..absorb_at {
        q[k][k + 1] = f64::from(copies - k as u32) * lambda;
        if k > 0 {
            q[k][k - 1] = k as f64 * mu;
        }
        q[k][k] = -(q[k].iter().sum::<f64>());
    }
    let rate = (0..n).map(|k| -q[k][k]).fold(0.0, f64::max);
    let p: Vec<Vec<f64>> = (0..n)
        .map(|i| {
            (0..n)
                .map(|j| f64::from(u8::from(i == j)) + q[i][j] / rate)
                .collect()
        })
        .collect();
    let mut v = vec![0.0; n];
    v[0] = 1.0;
    let mut term = (-rate).exp();
    let mut total = vec![0.0; n];
    for i in 0..5_000 {
        for k in 0..n {
            total[k] += term * v[k];
        }
        let next: Vec<f64> = (0..n)
            .map(|j| (0..n).map(|k| v[k] * p[k][j]).sum())
            .collect();
        v = next;
        term *= rate / f64::from(i + 1);
    }
    total[absorb_at]
}

/// A 1 TiB segment copied at 10 Mb/s takes about 1/36 year on average;
/// copies fail ten times less often than that: frequent enough that a
/// plain simulation meets losses.
fn markov_study(lambda: f64, volume_years: u64) -> String {
    format!(
        "name: markov\nvolume_years: {volume_years}\nvolume_gib: 1024\nsegment_gib: 1024\nquorum: 4/6\n\
         node: {{ failures_per_year: {lambda}, transients_per_year: 0 }}\n\
         repair: {{ after: 0s, gbps: 0.01, time: exponential }}\n\
         az_outage: {{ per_year: 0 }}\n"
    )
}

/// Whether an estimate is within four standard errors of the exact
/// value, the standard error read off its 95 % interval (1.96 of them
/// each side). The interval itself misses the truth in one run of twenty
/// by design, and a run's streams change with the way it draws; four
/// standard errors miss once in about 16,000 runs, and a bias beyond them
/// still fails.
fn within(figure: &aurora_sim::study::durability::Figure, exact: f64) -> bool {
    let (lo, hi) = (figure.estimate.low.unwrap(), figure.estimate.high.unwrap());
    let value = figure.estimate.value.unwrap();
    let se = |bound: f64| (bound - value).abs() / 1.96;
    let below = value - 4.0 * se(lo);
    let above = value + 4.0 * se(hi);
    below <= exact && exact <= above
}

#[test]
fn data_loss_and_write_loss_match_the_markov_chain() {
    // Failures common enough to count plainly (importance sampling does
    // not apply at six copies × 3.6 a year).
    let copy_s = 1024.0 * (1u64 << 30) as f64 * 8.0 / 0.01e9;
    let mu = YEAR_S / copy_s;
    let lambda = 3.6;
    let r = run(&markov_study(lambda, 40_000));
    let c = &r.cells[0];
    assert!(!c.importance_sampling);
    let loss = absorbed_within_a_year(6, lambda, mu, 4);
    let write = absorbed_within_a_year(6, lambda, mu, 3);
    assert!(
        within(&c.per_pg_year[2], loss),
        "data loss {:?}, exact {loss}",
        c.per_pg_year[2]
    );
    assert!(
        within(&c.per_pg_year[0], write),
        "write loss {:?}, exact {write}",
        c.per_pg_year[0]
    );
}

#[test]
fn importance_sampling_finds_a_loss_far_rarer_than_its_trials() {
    // Six copies × 0.15 a year: about one loss in a million PG-years,
    // which 40,000 plain PG-years would most likely never see.
    let copy_s = 1024.0 * (1u64 << 30) as f64 * 8.0 / 0.01e9;
    let mu = YEAR_S / copy_s;
    let lambda = 0.15;
    let exact = absorbed_within_a_year(6, lambda, mu, 4);
    assert!(exact < 1e-5, "{exact}");
    let r = run(&markov_study(lambda, 40_000));
    let c = &r.cells[0];
    assert!(c.importance_sampling);
    let data = &c.per_pg_year[2];
    assert!(!data.degenerate(), "{data:?}");
    assert!(
        within(data, exact),
        "data loss {:?}, exact {exact}",
        data.estimate
    );
}

#[test]
fn a_billion_volume_years_is_summed_in_longer_blocks_not_gigabytes() {
    // Rare failures keep the work small; the sample is huge. Blocks of
    // 64 volume-years would be 4.7 M block results (1.4 GB); the study
    // holds at most MAX_BLOCKS, and its blocks still cover every year.
    use aurora_sim::study::durability::MAX_BLOCKS;
    let text = "name: big\nvolume_years: 300000000\nvolume_gib: 10\nnode: { failures_per_year: 0.0001, transients_per_year: 0 }\naz_outage: { per_year: 0.0001 }\n";
    let study = Study::new(Path::new("big.yaml"), text, Vec::new()).expect("valid study");
    assert!(
        study.blocks() as u64 <= MAX_BLOCKS,
        "{} blocks",
        study.blocks()
    );
    let years: u64 = (0..study.blocks()).map(|i| study.pg_years(i)).sum();
    assert_eq!(years, 300_000_000, "every volume-year of the one-PG volume");
}

#[test]
fn a_study_whose_cells_together_are_too_much_work_is_refused_with_its_total() {
    // Each cell is just under the per-cell limit (7,000 volume-years of
    // 10,240 PGs); forty of them are not. Nor are forty cells of 350
    // million volume-years with no failure at all: trials cost too.
    let rates: Vec<String> = (1..=40).map(|k| format!("0.0{k:02}")).collect();
    let text = format!(
        "name: wide\nvolume_years: 7000\nvolume_gib: 10240\nsegment_gib: 1\nvary: [\"az_outage.per_year={}\"]\n",
        rates.join(",")
    );
    let e = Study::new(Path::new("wide.yaml"), &text, Vec::new())
        .err()
        .expect("refused");
    let said = e.to_string();
    assert!(said.contains("steps to simulate over 40 cells"), "{said}");
    assert!(
        said.contains("a study simulates at most 6.000e10"),
        "{said}"
    );
    assert!(!said.contains("--set"), "{said}");
    let idle = format!(
        "name: idle\nvolume_years: 350000000\nvolume_gib: 10\nnode: {{ failures_per_year: 0, transients_per_year: 0 }}\nvary: [\"az_outage.per_year=0,{}\"]\n",
        rates[1..].join(",")
    );
    let e = Study::new(Path::new("idle.yaml"), &idle, Vec::new())
        .err()
        .expect("refused");
    assert!(
        e.to_string().contains("steps to simulate over 40 cells"),
        "{e}"
    );
}
