//! An observer of your own: it watches every event of a run from outside
//! the crate, through the typed event kinds, the facts the model notes and
//! a read-only view of the world, and never changes what it watches.
//!
//! This one measures, for a writer crash, when each volume epoch
//! acknowledged its first commit, and how many recovery probes storage
//! received on the way. Run it with
//! `cargo run --release --example observer -- scenarios/writer-crash.yaml`.

use std::collections::BTreeMap;
use std::path::Path;

use aurora_sim::model::{Kind, Note, Observer, Seen, World};
use aurora_sim::sim::SimTime;
use aurora_sim::{Scenario, Simulation};

/// First acknowledgement per epoch, and recovery probes delivered.
#[derive(Default)]
struct FirstCommits {
    first: BTreeMap<u32, SimTime>,
    probes: u64,
}

impl Observer for FirstCommits {
    fn after(&mut self, world: &World, now: SimTime, event: Seen) {
        if event.kind == Kind::RecoveryProbe {
            self.probes += 1;
        }
        for note in world.notes() {
            if let Note::Acknowledged { epoch, .. } = note {
                self.first.entry(*epoch).or_insert(now);
            }
        }
    }
}

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "scenarios/writer-crash.yaml".to_owned());
    let scenario = Scenario::load(Path::new(&path)).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(2);
    });
    let mut watch = FirstCommits::default();
    let outcome = Simulation::new(&scenario)
        .run_observed(&mut watch)
        .expect("no trace sink to fail");
    for (epoch, t) in &watch.first {
        println!(
            "epoch {epoch}: first commit acknowledged at {:.3} s",
            t.as_secs_f64()
        );
    }
    println!("{} recovery probes reached storage", watch.probes);
    println!("{} commits lost", outcome.summary.commits.lost);
}
