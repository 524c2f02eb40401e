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
//! * [`class`], [`server`], [`cache`]: what an instance class gives — its
//!   CPU capacity and its buffer cache.

pub mod cache;
pub mod class;
pub mod control;
pub mod recovery;
pub mod replica;
pub mod server;

use hdrhistogram::Histogram;

use super::client::{answer_client, Caller, Client, ClientEnv};
use super::context::Ctx;
use super::dns::Dns;
use super::event::{Answer, Asker, Event};
use super::network::Endpoint;
use super::pool::Pool;
use super::proxy::Proxy;
use super::routes::{Reach, Routes};
use super::storage::fleet::Storage;
use super::workload::Workload;
use super::writer::{Writer, WriterEnv, Writers};
use crate::model::config::{Config, InstanceConfig, StartSteps};
use crate::sim::{SimDuration, SimRng, SimTime};
use crate::vocab::ids::{AzId, ClientId, InstanceId};
use crate::vocab::ClientError;
use class::InstanceClass;
use control::ControlPlane;
use recovery::Recovery;
use server::Server;

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
    /// Its class (as written) and what the class gives.
    pub class: String,
    /// vCPUs and memory of its class.
    pub spec: InstanceClass,
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
    pub replica: replica::Replica,
    /// Its host's address: a replacement host gets a new one.
    pub address: u32,
    /// Connections open to its current process.
    pub connections: u32,
}

impl Instance {
    /// An instance as the scenario describes it, running.
    pub fn new(cfg: &InstanceConfig, rng: SimRng) -> Self {
        Instance {
            name: cfg.name.clone(),
            az: cfg.az,
            class: cfg.class.clone(),
            spec: cfg.spec,
            tier: cfg.tier,
            role: if cfg.writer {
                Role::Writer
            } else {
                Role::Reader
            },
            process: Process::Running,
            incarnation: 1,
            host_faults: 0,
            replacing: None,
            fenced: false,
            lag: Histogram::new_with_bounds(1, 86_400_000_000, 3).expect("valid bounds"),
            lag_bin_max: 0,
            started: SimTime::ZERO,
            rng,
            replica: replica::Replica::default(),
            address: 1,
            connections: 0,
        }
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
    fn new_incarnation(&mut self) {
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

/// The reader cluster cache management keeps warm for `writer`, if it is
/// on and applies: the only tier-0 reader, of the writer's own class
/// ([UG] cluster cache management; otherwise it is inactive).
pub fn ccm_partner(cfg: &Config, instances: &[Instance], writer: InstanceId) -> Option<InstanceId> {
    if !cfg.engine.cluster_cache_management {
        return None;
    }
    let mut tier0 = (0..instances.len())
        .map(InstanceId::from_index)
        .filter(|&i| i != writer && instances[i.index()].tier == 0);
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
    fn new(steps: &StartSteps, i: &mut Instance) -> Self {
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

/// Where the writers are: a read-only view for routing messages to the
/// writer of an epoch.
#[derive(Clone, Copy)]
pub(crate) struct Hosts<'a> {
    writers: &'a Writers,
    instances: &'a [Instance],
}

impl<'a> Hosts<'a> {
    /// A view of the writers and the instances they run on.
    pub fn new(writers: &'a Writers, instances: &'a [Instance]) -> Self {
        Hosts { writers, instances }
    }

    /// Whether the newest epoch's writer runs and takes commits.
    pub fn current_writer_open(&self) -> bool {
        self.writers.current.open && self.current_writer_alive()
    }
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

impl Routes for Hosts<'_> {
    #[inline]
    fn instance(&self, inst: InstanceId) -> Endpoint {
        instance_endpoint(self.instances, inst)
    }

    #[inline]
    fn writer_of_epoch(&self, epoch: u32) -> Option<Endpoint> {
        self.writers
            .iter()
            .find(|w| w.epoch == epoch)
            .map(|w| self.instance(w.instance))
    }

    #[inline]
    fn current_writer(&self) -> Endpoint {
        self.instance(self.writers.current.instance)
    }

    #[inline]
    fn current_writer_alive(&self) -> bool {
        self.writers.current.alive(self.instances)
    }
}

/// The compute side as one event touches it: instances and the writers
/// they run, the recovery in progress, the DNS records, the clients
/// connected to them, and the storage they write to. Instance life-cycle
/// steps (a process starts or stops, a host fails) reach all of these.
pub(crate) struct Fleet<'a> {
    /// DB instances, in scenario order.
    pub instances: &'a mut [Instance],
    /// The writers of every epoch that may still act.
    pub writers: &'a mut Writers,
    /// The newest writer's recovery, while it runs.
    pub recovery: &'a mut Option<Recovery>,
    /// The endpoints' records.
    pub dns: &'a mut Dns,
    /// Every instance's machine: CPU and buffer cache.
    pub servers: &'a mut [Server],
    /// Application clients.
    pub clients: &'a mut [Client],
    /// Their pools.
    pub pools: &'a mut [Pool],
    /// RDS Proxy (without nodes when the scenario has none).
    pub proxy: &'a mut Proxy,
    /// Storage.
    pub storage: &'a mut Storage,
}

impl Fleet<'_> {
    /// The routing view.
    pub fn hosts(&self) -> Hosts<'_> {
        Hosts::new(self.writers, self.instances)
    }

    /// The storage actor and the routing view it answers through.
    pub fn storage_hosts(&mut self) -> (&mut Storage, Hosts<'_>) {
        (self.storage, Hosts::new(self.writers, self.instances))
    }

    /// One client and what its handlers use.
    pub fn client(&mut self, c: ClientId) -> (&mut Client, ClientEnv<'_, [Instance]>) {
        let env = ClientEnv {
            instances: self.instances,
            pools: self.pools,
        };
        (&mut self.clients[c.index()], env)
    }

    /// Runs `f` on the writer of `epoch`, if its process still runs.
    pub fn with_writer<R>(
        &mut self,
        epoch: u32,
        f: impl FnOnce(&mut Writer, &mut WriterEnv) -> R,
    ) -> Option<R> {
        let w = self.writers.running_mut(epoch, self.instances)?;
        let mut env = WriterEnv {
            volume: &self.storage.volume,
            instances: self.instances,
            clients: self.clients,
            servers: self.servers,
        };
        Some(f(w, &mut env))
    }

    /// Records quorum health as the current writer sees storage.
    pub fn record_quorum_health(&self, cx: &mut Ctx) {
        self.storage.record_quorum_health(cx, &self.hosts());
    }

    /// Whether `inst` reaches a read quorum of every PG: what it needs to
    /// serve reads, and to recover the volume as a writer.
    pub fn reaches_storage(&self, cx: &Ctx, inst: InstanceId) -> bool {
        let at = self.hosts().instance(inst);
        self.storage.volume.reaches_read_quorum(cx.net(), at)
    }

    /// A health probe reaches an instance: its host agent answers while
    /// the host is up and the database process runs or is starting, so a
    /// restart is not a failure but a dead host or a stopped process is.
    /// A database that cannot do its job does not answer as healthy: a
    /// running reader that reaches no read quorum of some PG (it could
    /// neither serve reads nor recover the volume if promoted), and a
    /// writer whose recovery has stalled with storage out of its reach.
    /// An answer says whether the instance can write: a writer's I/O
    /// watchdog (no PG owing records longer than `io_watchdog` without
    /// progress), a reader's reach to a write quorum of every PG.
    pub fn on_health_probe(&self, cx: &mut Ctx, inst: InstanceId, seq: u32) {
        let i = &self.instances[inst.index()];
        if !i.host_up() || i.process == Process::Stopped {
            return;
        }
        let now = cx.now();
        let at = self.hosts().instance(inst);
        let writes = match i.role {
            Role::Reader => self.storage.volume.reaches_write_quorum(cx.net(), at),
            Role::Writer => !self
                .writers
                .writer_on(inst, self.instances)
                .is_some_and(|w| w.io_stuck(now, cx.cfg.control.io_watchdog)),
        };
        let cut_off = match i.role {
            Role::Reader => i.running() && !self.reaches_storage(cx, inst),
            // Slow storage is waited for; storage out of reach is not.
            Role::Writer => {
                self.recovery
                    .as_ref()
                    .is_some_and(|r| self.writers.current.instance == inst && r.stalled(now))
                    && !self.reaches_storage(cx, inst)
            }
        };
        if cut_off {
            return;
        }
        // The answer waits its turn behind the work the processors have
        // queued: a saturated instance answers late, or too late.
        let at = self.servers[inst.index()].idle_at(now);
        let from = self.hosts().instance(inst);
        cx.send(
            at,
            from,
            Endpoint::Control,
            Event::HealthReply { inst, seq, writes },
        );
    }

    /// A connection attempt reaches an instance: a running database
    /// accepts, once its processors have done the work of a new
    /// connection (`cpu_per_connect`: a TLS handshake, authentication, a
    /// session), unless it holds `max_connections` already; a host without
    /// one refuses, a dead host says nothing, and nothing answers at the
    /// address of a host that was replaced.
    pub fn on_connect(
        &mut self,
        cx: &mut Ctx,
        asker: Asker,
        seq: u32,
        inst: InstanceId,
        address: u32,
    ) {
        let now = cx.now();
        let i = &mut self.instances[inst.index()];
        if !i.answers_clients() || i.address != address {
            return;
        }
        let (at, accepted) = if !i.running() {
            (now, Err(ClientError::Refused))
        } else if i.connections >= cx.cfg.engine.max_connections(&i.spec) {
            (now, Err(ClientError::TooManyConnections))
        } else {
            i.connections += 1;
            cx.rec.connections_accepted(inst.index());
            let done = self.servers[inst.index()].run(now, cx.cfg.engine.cpu_per_connect);
            (done, Ok(i.incarnation))
        };
        let reply = Event::Connected {
            asker,
            seq,
            inst,
            accepted,
        };
        let to = match asker {
            Asker::Client(c) => self.clients[c.index()].endpoint(),
            Asker::Backend(_) | Asker::Monitor => self.proxy_node_of(cx, asker),
        };
        cx.send(at, self.hosts().instance(inst), to, reply);
    }

    /// The proxy node a backend connection or the monitor speaks from.
    fn proxy_node_of(&self, cx: &Ctx, asker: Asker) -> Endpoint {
        let azs = cx.cfg.proxy.as_ref().map_or(&[][..], |p| &p.azs[..]);
        let node = match asker {
            Asker::Backend(slot) => self.proxy.node_of(slot),
            _ => azs.iter().copied().find(|&z| cx.net().az_up(z)),
        };
        Endpoint::Proxy(node.or(azs.first().copied()).unwrap_or_default())
    }

    /// A connection is closed.
    pub fn on_disconnect(&mut self, inst: InstanceId, incarnation: u32) {
        let i = &mut self.instances[inst.index()];
        if i.incarnation == incarnation {
            i.connections = i.connections.saturating_sub(1);
        }
    }

    /// A pool checks a connection: a running process it belongs to
    /// answers, once its processors get to it.
    pub fn on_ping(&self, cx: &mut Ctx, c: ClientId, seq: u32, inst: InstanceId, incarnation: u32) {
        let i = &self.instances[inst.index()];
        if !i.answers_clients() {
            return;
        }
        let answer = if i.running() && i.incarnation == incarnation {
            Answer::Ok
        } else {
            Answer::Failed(ClientError::Reset)
        };
        let at = self.servers[inst.index()].idle_at(cx.now());
        let client = &self.clients[c.index()];
        let from = self.hosts().instance(inst);
        super::client::answer_client_at(cx, at, from, client, Caller::direct(c, seq), answer);
    }

    /// Who is the writer, as a running instance that reaches storage
    /// reads it from the volume's metadata (`aurora_replica_status`,
    /// `information_schema.replica_host_status`): the newest epoch's
    /// writer once it is open for writes, else none.
    pub fn on_topology_query(&self, cx: &mut Ctx, asker: Asker, seq: u32, inst: InstanceId) {
        let i = &self.instances[inst.index()];
        if !i.answers_clients() || !i.running() || !self.reaches_storage(cx, inst) {
            return;
        }
        let hosts = self.hosts();
        let writer = hosts
            .current_writer_open()
            .then_some(self.writers.current.instance);
        let reply = Event::Topology {
            asker,
            seq,
            inst,
            writer,
        };
        let to = match asker {
            Asker::Client(c) => self.clients[c.index()].endpoint(),
            Asker::Backend(_) | Asker::Monitor => self.proxy_node_of(cx, asker),
        };
        let at = self.servers[inst.index()].idle_at(cx.now());
        cx.send(at, hosts.instance(inst), to, reply);
    }

    /// A request reaches an instance: a reader answers reads, the writer
    /// (or a deposed one that does not know yet) takes commits, and the
    /// answer comes when VDL passes them.
    pub fn on_request(
        &mut self,
        cx: &mut Ctx,
        wl: &mut Workload,
        caller: Caller,
        inst: InstanceId,
        incarnation: u32,
    ) {
        let i = &self.instances[inst.index()];
        if !i.answers_clients() {
            return;
        }
        let c = caller.client;
        let answer = if !i.running() || i.incarnation != incarnation {
            Answer::Failed(ClientError::Reset)
        } else if cx.cfg.clients[self.clients[c.index()].group].reader {
            return self.serve_read(cx, wl, c, caller.seq, inst);
        } else if let Some(epoch) = self.writers.running_on(inst, self.instances) {
            self.with_writer(epoch, |w, env| w.take_commit(cx, env, wl, caller));
            return;
        } else {
            Answer::Failed(ClientError::ReadOnly)
        };
        let from = self.hosts().instance(inst);
        answer_client(cx, from, &self.clients[c.index()], caller, answer);
    }

    /// Storage refused a batch of `epoch`: its writer steps down.
    pub fn on_fenced(&mut self, cx: &mut Ctx, epoch: u32) {
        let stale = self
            .writers
            .deposed
            .iter()
            .find(|w| w.epoch == epoch && w.alive(self.instances))
            .map(|w| w.instance);
        if let Some(inst) = stale {
            self.step_down(cx, inst);
        }
    }

    /// Starts `inst`'s database process. A process that was running
    /// exits first: a restart resets its connections, but a writer fenced
    /// by failover goes silent ([UG]: the old primary is hard-fenced; its
    /// clients hear nothing and wait on their timeouts). Returns the times
    /// drawn for its steps.
    pub fn start_process(
        &mut self,
        cx: &mut Ctx,
        inst: InstanceId,
        boot: Boot,
        fenced: bool,
    ) -> StartDraw {
        if self.instances[inst.index()].process == Process::Running && !fenced {
            self.reset_connections(cx, inst);
        }
        self.servers[inst.index()].restart(cx.now());
        let i = &mut self.instances[inst.index()];
        let draw = match boot {
            Boot::Restart => StartDraw::new(&cx.cfg.control.start, i),
            Boot::Provision(d) => StartDraw {
                stop: SimDuration::ZERO,
                engine: d,
            },
        };
        i.fenced = fenced;
        i.process = Process::Starting;
        i.new_incarnation();
        let incarnation = i.incarnation;
        cx.after(draw.total(), Event::InstanceUp { inst, incarnation });
        if self.writers.current.instance == inst {
            self.close_writer(cx);
        }
        self.refresh_reader_dns(cx);
        draw
    }

    /// The current writer's process is gone or restarting, and with it any
    /// recovery it was running.
    pub fn close_writer(&mut self, cx: &mut Ctx) {
        self.writers.current.close(cx);
        *self.recovery = None;
    }

    /// Points the reader endpoint at every running reader.
    pub fn refresh_reader_dns(&mut self, cx: &mut Ctx) {
        let readers: Vec<InstanceId> = (0..self.instances.len())
            .map(InstanceId::from_index)
            .filter(|i| self.instances[i.index()].serving_reads())
            .collect();
        self.dns.reader.set(cx.now(), readers, &cx.cfg.dns);
    }

    /// An old writer learns it has been replaced (the control plane's
    /// order, or storage refusing its epoch): it restarts as a reader.
    pub fn step_down(&mut self, cx: &mut Ctx, inst: InstanceId) {
        let i = &self.instances[inst.index()];
        if i.role != Role::Writer || !i.running() {
            return;
        }
        self.instances[inst.index()].role = Role::Reader;
        self.start_process(cx, inst, Boot::Restart, true);
    }

    /// An instance's host fails (`down`) or one reason for that ends.
    pub fn host_fault(
        &mut self,
        cx: &mut Ctx,
        control: &mut ControlPlane,
        inst: InstanceId,
        down: bool,
    ) {
        let now = cx.now();
        let i = &mut self.instances[inst.index()];
        if down {
            i.host_faults += 1;
            if i.host_faults == 1 && i.process != Process::Stopped {
                i.stop();
                self.servers[inst.index()].lose_host(now);
                if inst == control.writer {
                    control.impaired(now);
                }
                if self.writers.current.instance == inst {
                    self.close_writer(cx);
                }
                self.refresh_reader_dns(cx);
            }
        } else {
            i.host_faults = i.host_faults.saturating_sub(1);
            if i.host_faults > 0 {
                return;
            }
            // Its own host is back before a new one: a restart there is
            // minutes sooner, so the replacement is abandoned.
            if i.replacing.take().is_some() {
                control.replacement_abandoned(inst);
                self.start_process(cx, inst, Boot::Restart, false);
            } else if i.process == Process::Stopped {
                self.start_process(cx, inst, Boot::Restart, false);
            }
        }
    }

    /// Resets every connection to `inst`: its database process exited
    /// while the host stayed up, so waiting clients hear of it at once.
    fn reset_connections(&mut self, cx: &mut Ctx, inst: InstanceId) {
        let from = self.hosts().instance(inst);
        for (c, cl) in self.clients.iter().enumerate() {
            if cl.waits_on(inst) {
                let caller = Caller::direct(ClientId::from_index(c), cl.seq());
                answer_client(cx, from, cl, caller, Answer::Failed(ClientError::Reset));
            }
        }
        self.proxy.reset(cx, self.instances, inst);
    }
}
