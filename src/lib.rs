//! # aurora-sim
//!
//! A deterministic discrete-event simulator of the Amazon Aurora storage
//! architecture: a volume cut into 10 GiB protection groups, six segments
//! per PG over three AZs, 4/6 write and 3/6 read quorums, redo-log shipping
//! with SCL, PGCL, VCL and VDL bookkeeping, gossip, page materialization and
//! segment repair; on top, a writer and up to 15 readers, a control plane
//! that detects failure and promotes, DNS endpoints with TTLs, and
//! application clients with timeouts, retries and DNS caches. Scenarios
//! inject storage-node, AZ, instance and network faults; every number in
//! the summary, a failover's RTO phase by phase included, is measured in
//! the simulation.
//!
//! The same scenario and seed give byte-identical results on any machine.
//!
//! ```
//! use aurora_sim::{Scenario, Simulation};
//! use std::path::Path;
//!
//! let yaml = r#"
//! name: doc-example
//! duration: 5s
//! storage: { volume_gib: 20 }
//! workload: { open_loop: { commits_per_s: 500 } }
//! faults:
//!   - az_outage: { at: 1s, az: c }
//! expect:
//!   max_lost_commits: 0
//!   min_write_availability: 1.0
//! "#;
//! let scenario = Scenario::parse(yaml, Path::new("doc.yaml")).unwrap();
//! let outcome = Simulation::new(&scenario).run().unwrap();
//! assert_eq!(outcome.summary.commits.lost, 0);
//! assert!(outcome.summary.commits.acknowledged > 2_000);
//! assert!(outcome.passed());
//!
//! // The same cluster with a reader: the writer's host dies.
//! let yaml = r#"
//! name: doc-failover
//! duration: 45s
//! storage: { volume_gib: 20 }
//! workload: { open_loop: { commits_per_s: 200 } }
//! instances:
//!   - { name: w, az: a, role: writer }
//!   - { name: r, az: b, tier: 0 }
//! faults:
//!   - writer_crash: { at: 5s }
//! "#;
//! let scenario = Scenario::parse(yaml, Path::new("doc.yaml")).unwrap();
//! let s = Simulation::new(&scenario).run().unwrap().summary;
//! assert_eq!(s.failovers[0].to.as_deref(), Some("r"));
//! let rto = &s.rto[0];
//! assert!((rto.total_s.unwrap() - rto.cluster_s()).abs() < 1e-9);
//! assert_eq!(s.commits.lost, 0);
//! ```
//!
//! Layers, from the bottom: [`sim`] (engine: time, queue, random streams,
//! trace; knows nothing of Aurora), [`model`] (the Aurora world),
//! [`scenario`] (YAML in, validated [`Scenario`] out), [`metrics`]
//! (recorder and summary), and [`Simulation`] which ties them together.

#![deny(missing_docs)]

pub mod check;
#[cfg(feature = "cli")]
pub mod cli;
pub mod error;
pub mod metrics;
pub mod model;
#[cfg(feature = "charts")]
pub mod report;
mod run;
pub mod scenario;
pub mod sim;
pub mod study;
#[cfg(feature = "proptest")]
pub mod testing;
pub mod vocab;

pub use error::InputError;
pub use run::{NoPrefix, Outcome, Prefix, Simulation};
pub use scenario::{Scenario, ScenarioBuilder};
