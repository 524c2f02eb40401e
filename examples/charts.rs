//! Runs a shipped scenario and draws its charts from code, as
//! `aurora-sim run --charts` does: PNG and SVG files into a directory.
//! `cargo run --release --example charts -- scenarios/jvm-dns-cache.yaml /tmp/charts`

use std::path::PathBuf;

use aurora_sim::report::{charts, Results};
use aurora_sim::{Scenario, Simulation};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args_os().skip(1);
    let scenario = PathBuf::from(args.next().ok_or("usage: charts SCENARIO.yaml OUT_DIR")?);
    let out = PathBuf::from(args.next().ok_or("usage: charts SCENARIO.yaml OUT_DIR")?);
    let outcome = Simulation::new(&Scenario::load(&scenario)?).run()?;
    std::fs::create_dir_all(&out)?;
    // Charts are drawn from what a run writes (summary and timeline), so
    // these are the charts `aurora-sim report` would draw from its files.
    let written = charts::write_all(&Results::from_outcome(&outcome), &out)?;
    println!("{}: {}", out.display(), written.join(", "));
    Ok(())
}
