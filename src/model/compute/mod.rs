//! DB instances and the control plane that keeps one of them the writer.
//!
//! An instance is a host (which crashes, or is lost with its AZ) running a
//! database process (which restarts: on a reboot, a promotion, or when a
//! fenced writer steps down). Clients hold connections to a process; a
//! process that exits while its host survives resets them, a host that
//! dies leaves them waiting on their own timeouts ([UG], [KC]).
//!
//! * [`control`]: health checks, failure declaration, target selection,
//!   promotion, provisioning, manual failover and reboots.
//! * [`recovery`]: the new writer's storage recovery — a read quorum of
//!   every PG, the recovered VDL, truncation, a new volume epoch.
//! * [`replica`]: the redo stream to readers and their measured lag.

pub mod control;
pub mod recovery;
pub mod replica;

use hdrhistogram::Histogram;

use super::ids::AzId;
use crate::scenario::InstanceConfig;
use crate::sim::SimTime;

/// What an instance's database process is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Process {
    /// Serving: as the writer (once recovered) or as a reader.
    Running,
    /// Starting: refuses connections until it is up.
    Starting,
    /// Not running: the host is down, or no replacement exists yet.
    Stopped,
}

/// An instance's role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Takes writes (if the control plane made it the writer, and it has
    /// recovered the volume).
    Writer,
    /// Applies the redo stream and serves reads.
    Reader,
}

/// One DB instance.
#[derive(Debug)]
pub struct Instance {
    /// Identifier, from the scenario.
    pub name: String,
    /// Current AZ (a replacement may be created elsewhere).
    pub az: AzId,
    /// Relative size of its class.
    pub size: u32,
    /// Promotion tier.
    pub tier: u8,
    /// Role of its process.
    pub role: Role,
    /// Its process.
    pub process: Process,
    /// Bumped at every process start: a connection belongs to one.
    pub incarnation: u32,
    /// Faults holding its host down (crash, AZ outage); up when zero.
    pub host_faults: u32,
    /// Whether a replacement is being provisioned for it.
    pub replacing: bool,
    /// Fenced by a failover until its process is up again: it sends
    /// nothing to clients ([UG]: "hard-fenced").
    pub fenced: bool,
    /// Replica lag samples, microseconds.
    pub lag: Histogram<u64>,
    /// Largest lag seen in the current timeline bin, microseconds.
    pub lag_bin_max: u64,
    /// When its process last started, for lag sampled before the stream
    /// reached it.
    pub started: SimTime,
}

impl Instance {
    /// An instance as the scenario describes it, running.
    pub fn new(cfg: &InstanceConfig) -> Self {
        Instance {
            name: cfg.name.clone(),
            az: cfg.az,
            size: cfg.size,
            tier: cfg.tier,
            role: if cfg.writer {
                Role::Writer
            } else {
                Role::Reader
            },
            process: Process::Running,
            incarnation: 1,
            host_faults: 0,
            replacing: false,
            fenced: false,
            lag: Histogram::new_with_bounds(1, 86_400_000_000, 3).expect("valid bounds"),
            lag_bin_max: 0,
            started: SimTime::ZERO,
        }
    }

    /// Whether its process serves requests.
    pub fn running(&self) -> bool {
        self.process == Process::Running
    }

    /// Whether its host is up (the process may still be starting).
    pub fn host_up(&self) -> bool {
        self.host_faults == 0 && !self.replacing
    }

    /// Whether clients get any answer from it at all.
    pub fn answers_clients(&self) -> bool {
        self.host_up() && !self.fenced
    }

    /// Whether it is a running reader.
    pub fn serving_reads(&self) -> bool {
        self.running() && self.role == Role::Reader
    }
}
