//! One DB instance as every actor may see it: a host (which crashes, or is
//! lost with its AZ) running a database process (which restarts), with its
//! role, its promotion tier and class, and where it is reached. The
//! instances' own handlers are the compute side's ([`super`]); the control
//! plane, the fault schedule, storage repair and the connection layer read
//! these types and change them only through orders.

use std::collections::BTreeMap;

use hdrhistogram::Histogram;

use super::class::{Capacity, HalfAcus, InstanceClass};
use crate::model::config::{Config, Consistency, Environment, InstanceConfig, StartSteps};
use crate::model::event::Asker;
use crate::model::network::Endpoint;
use crate::model::routes::Reach;
use crate::model::storage::lsn::Lsn;
use crate::sim::{SimDuration, SimRng, SimTime};
use crate::vocab::ids::{AzId, ClientId, InstanceId};

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
    /// An instance of a secondary region of a global database: its own
    /// region's reader, outside the primary's cluster (no reads of the
    /// primary's, no part in its failovers) until its region is promoted.
    Secondary,
    /// An instance of a blue/green deployment's green environment: outside
    /// the cluster (its endpoints, failovers and planned events), its
    /// writer following the cluster's by replication, until a switchover
    /// makes the green environment the cluster.
    Green,
    /// An instance of the blue environment after a blue/green switchover:
    /// still running under its new name, outside the cluster, read-only.
    Retired,
    /// A reader replica auto scaling may add, while it does not exist:
    /// before the policy creates it, or after the policy removed it.
    Absent,
}

impl Role {
    /// Whether an instance of this role is part of the cluster: its
    /// writer or one of its readers.
    pub fn in_cluster(self) -> bool {
        matches!(self, Role::Writer | Role::Reader)
    }
}

/// One DB instance.
#[derive(Clone, Debug)]
pub struct Instance {
    /// Identifier, from the scenario.
    pub name: String,
    /// Current AZ (a replacement may be created elsewhere).
    pub az: AzId,
    /// Its class (as written) and what the class gives.
    pub class: String,
    /// vCPUs and memory of its class (of an Aurora Serverless v2
    /// instance: at the cluster's maximum capacity, which sets its
    /// `max_connections`, \[UG\] Performance and scaling for Aurora
    /// Serverless v2).
    pub spec: InstanceClass,
    /// An Aurora Serverless v2 instance's capacity and scaling; `None`
    /// for a provisioned class.
    pub serverless: Option<Scaling>,
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
    /// The AZ of the new host being provisioned for it, if one is; it
    /// keeps its old host's AZ until the new one is up.
    pub replacing: Option<AzId>,
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
    /// Its own random stream: the times of its process's start steps.
    pub rng: SimRng,
    /// As a reader: its read point and its reads from storage.
    pub replica: Replica,
    /// Its host's address: a replacement host gets a new one.
    pub address: u32,
    /// Connections open to its current process.
    pub connections: u32,
}

impl Instance {
    /// An instance as the scenario describes it, running; `secondary`: in
    /// a secondary region.
    pub fn new(cfg: &InstanceConfig, secondary: bool, rng: SimRng) -> Self {
        Instance {
            name: cfg.name.clone(),
            az: cfg.az,
            class: cfg.class.clone(),
            spec: cfg.spec,
            serverless: cfg.acu.map(Scaling::at),
            tier: cfg.tier,
            role: match (cfg.writer, secondary, cfg.environment) {
                _ if cfg.autoscaled => Role::Absent,
                (true, _, _) => Role::Writer,
                (false, _, Environment::GreenWriter | Environment::GreenReader) => Role::Green,
                (false, false, Environment::Blue) => Role::Reader,
                (false, true, Environment::Blue) => Role::Secondary,
            },
            process: if cfg.autoscaled {
                Process::Stopped
            } else {
                Process::Running
            },
            incarnation: 1,
            host_faults: 0,
            replacing: None,
            fenced: false,
            lag: Histogram::new_with_bounds(1, 86_400_000_000, 3).expect("valid bounds"),
            lag_bin_max: 0,
            started: SimTime::ZERO,
            rng,
            replica: Replica::default(),
            address: 1,
            connections: 0,
        }
    }

    /// What its machine gives now: its class's, or its current
    /// Aurora Serverless v2 capacity's.
    pub fn capacity(&self) -> Capacity {
        self.serverless
            .map_or(self.spec.capacity(), |s| s.acu.capacity())
    }

    /// Whether it is an Aurora Serverless v2 instance paused at zero
    /// capacity.
    pub fn paused(&self) -> bool {
        self.serverless.is_some_and(|s| s.paused)
    }

    /// Whether its process serves requests.
    pub fn running(&self) -> bool {
        self.process == Process::Running
    }

    /// Its database process stops: connections to it and any start under
    /// way belong to the process that was.
    pub fn stop(&mut self) {
        self.process = Process::Stopped;
        self.new_incarnation();
    }

    /// A new process: the old one's connections are gone with it.
    pub(crate) fn new_incarnation(&mut self) {
        self.incarnation += 1;
        self.connections = 0;
    }

    /// Whether its host is up (the process may still be starting).
    pub fn host_up(&self) -> bool {
        self.host_faults == 0 && self.replacing.is_none()
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

/// An Aurora Serverless v2 instance's capacity, and what its scaling
/// keeps between looks at its load.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scaling {
    /// Its capacity now: zero while paused.
    pub acu: HalfAcus,
    /// Where its steps have brought it, ACUs: capacity moves in half
    /// ACUs, but a slow step is a fraction of one.
    pub level: f64,
    /// CPU time its machine had been given at the last look.
    pub seen: SimDuration,
    /// Paused at zero capacity.
    pub paused: bool,
    /// When a resume under way ends.
    pub resuming: Option<SimTime>,
    /// Since when it has had no user connections, while it runs.
    pub idle_since: SimTime,
    /// What it has used so far.
    pub used: CapacityUse,
}

/// What an Aurora Serverless v2 instance's capacity came to over a run.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CapacityUse {
    /// When its capacity last changed.
    pub since: SimTime,
    /// ACU-seconds before that.
    pub acu_s: f64,
    /// Seconds paused before that.
    pub paused_s: f64,
    /// Its highest capacity.
    pub peak: HalfAcus,
    /// Times it paused.
    pub pauses: u32,
    /// Times it resumed.
    pub resumes: u32,
}

impl Scaling {
    /// An instance starting at `acu` (zero: paused).
    pub fn at(acu: HalfAcus) -> Scaling {
        Scaling {
            acu,
            level: acu.acu(),
            seen: SimDuration::ZERO,
            paused: acu == HalfAcus(0),
            resuming: None,
            idle_since: SimTime::ZERO,
            used: CapacityUse {
                peak: acu,
                ..CapacityUse::default()
            },
        }
    }

    /// Its capacity becomes `acu` at `now`.
    pub fn set(&mut self, acu: HalfAcus, now: SimTime) {
        self.used = self.used_through(now);
        self.used.peak = self.used.peak.max(acu);
        self.acu = acu;
    }

    /// What it has used up to `now`.
    pub fn used_through(&self, now: SimTime) -> CapacityUse {
        let mut u = self.used;
        let span = now.since(u.since).as_secs_f64();
        u.acu_s += self.acu.acu() * span;
        if self.paused {
            u.paused_s += span;
        }
        u.since = now;
        u
    }
}

/// A connection waiting for a paused instance to resume.
#[derive(Clone, Copy, Debug)]
pub struct HeldConnect {
    /// Who asked.
    pub asker: Asker,
    /// Where the answer goes.
    pub reply_to: Endpoint,
    /// The asker's step.
    pub seq: u32,
    /// The address it asked at.
    pub address: u32,
}

/// The reader cluster cache management keeps warm for `writer`, if it is
/// on and applies: the only tier-0 reader, of the writer's own class
/// (\[UG\] cluster cache management; otherwise it is inactive).
pub fn ccm_partner(cfg: &Config, instances: &[Instance], writer: InstanceId) -> Option<InstanceId> {
    if !cfg.engine.cluster_cache_management {
        return None;
    }
    let mut tier0 = (0..instances.len())
        .map(InstanceId::from_index)
        .filter(|&i| {
            let other = &instances[i.index()];
            i != writer && other.tier == 0 && other.role.in_cluster()
        });
    let only = tier0.next()?;
    let same_class = instances[only.index()].class == instances[writer.index()].class;
    let serving = instances[only.index()].serving_reads();
    (tier0.next().is_none() && same_class && serving).then_some(only)
}

/// How a process comes up.
#[derive(Clone, Copy, Debug)]
pub enum Boot {
    /// On its own host: the old process stops, the engine starts.
    Restart,
    /// On a new host being created, ready after this long.
    Provision(SimDuration),
    /// On its own host, once an operating-system update of this long is
    /// done: the old process stops, the host reboots, the engine starts.
    OsUpdate(SimDuration),
}

/// The times drawn for one process start, from the instance's own stream.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StartDraw {
    /// The running process stops (zero if none was running).
    pub stop: SimDuration,
    /// The engine starts and sets up its buffer pool (or a new host is
    /// created); a reader's opening for connections is included.
    pub engine: SimDuration,
}

impl StartDraw {
    /// Draws the steps of a restart of `i`: stop (if its process runs),
    /// engine start, buffer pool for its class, and for a reader the
    /// opening for connections (a writer opens after recovery).
    pub(crate) fn new(steps: &StartSteps, i: &mut Instance) -> Self {
        let stop = if i.process == Process::Running {
            steps.stop.sample(&mut i.rng)
        } else {
            SimDuration::ZERO
        };
        let mut engine = steps.engine_start.sample(&mut i.rng) + steps.buffer_pool(&i.spec);
        if i.role == Role::Reader {
            engine += steps.open.sample(&mut i.rng);
        }
        StartDraw { stop, engine }
    }

    /// Stop to up.
    pub fn total(&self) -> SimDuration {
        self.stop + self.engine
    }
}

/// The network end of instance `inst`: the host, in its current AZ.
pub fn instance_endpoint(instances: &[Instance], inst: InstanceId) -> Endpoint {
    Endpoint::Instance(inst, instances[inst.index()].az)
}

impl Reach for [Instance] {
    #[inline]
    fn endpoint(&self, inst: InstanceId) -> Endpoint {
        instance_endpoint(self, inst)
    }

    #[inline]
    fn address(&self, inst: InstanceId) -> u32 {
        self[inst.index()].address
    }

    #[inline]
    fn class(&self, inst: InstanceId) -> &InstanceClass {
        &self[inst.index()].spec
    }
}

/// A reader's side of the stream: its read point and its storage reads.
#[derive(Clone, Debug, Default)]
pub struct Replica {
    /// The epoch of the writer whose stream it follows: its storage reads
    /// carry it, so that a segment first applies that epoch's truncation.
    pub epoch: u32,
    /// The VDL it has received: its read point.
    pub vdl: Lsn,
    /// Its replica lag as last measured.
    pub lag: SimDuration,
    /// Per PG, the last record at or below that VDL: a segment can serve
    /// a read at the read point once its SCL reaches it.
    pub last: Vec<Lsn>,
    /// Storage reads in flight, one per client at most.
    pub(crate) reads: BTreeMap<ClientId, ReplicaRead>,
    /// Transactions whose writes it forwarded, one per client at most.
    pub(crate) forwarded: BTreeMap<ClientId, Forwarded>,
    /// The number the next read attempt takes.
    pub(crate) next_attempt: u32,
}

/// A client's read that went to storage.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ReplicaRead {
    pub seq: u32,
    pub page: u64,
    pub attempt: u32,
    pub tries: u32,
}

impl Replica {
    /// A reader's stream state at the points of the writer of `epoch`.
    pub fn at(epoch: u32, vdl: Lsn, last: Vec<Lsn>) -> Self {
        Replica {
            epoch,
            vdl,
            lag: SimDuration::ZERO,
            last,
            reads: BTreeMap::new(),
            forwarded: BTreeMap::new(),
            next_attempt: 1,
        }
    }
}

/// A session's transaction that a reader forwarded the write of.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Forwarded {
    /// The client's step.
    pub seq: u32,
    /// What its read waits for.
    pub consistency: Consistency,
    /// When the write left for the writer.
    pub sent: SimTime,
    /// The writer it went to.
    pub to: InstanceId,
    /// Once the write is acknowledged: its read's wait.
    pub waiting: Option<ReadWait>,
}

/// A read waiting for its consistency after its session's write.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ReadWait {
    /// The read point it needs; `None` until the writer has said it (a
    /// read at `global` consistency).
    pub until: Option<Lsn>,
    /// The session's write.
    pub commit: Lsn,
    /// When the write's acknowledgement arrived.
    pub since: SimTime,
}

/// Whether an instance of environment `env` is outside the cluster: a
/// green one before a switchover (`switched`), a blue one after.
pub fn outside_production(env: Environment, switched: bool) -> bool {
    (env == Environment::Blue) == switched
}
