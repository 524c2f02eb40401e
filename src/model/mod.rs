//! The Aurora world: storage nodes and their segments, the DB instances and
//! the control plane, DNS, application clients, and the network between
//! them, driven by one event queue.
//!
//! Every actor keeps its state and its handlers in its own module, as
//! methods on its own type, and acts only through a [`context::Ctx`]
//! (timers, network sends, measurements, notes). This module holds the
//! arenas, builds them from a validated scenario, runs the loop and routes
//! each [`Event`] to the actor that handles it. Randomness comes from named
//! streams: the workload, the network, gossip peer choice, the control
//! plane, DNS, one stream per storage node's disk and one per client.

pub mod client;
pub mod compute;
pub mod config;
pub(crate) mod context;
pub mod dns;
pub mod event;
pub mod faults;
pub mod footprint;
pub mod network;
pub mod note;
pub mod pool;
pub mod proxy;
mod repair;
mod routes;
pub mod storage;
mod tcp;
pub mod workload;
pub mod writer;

use context::Ctx;
pub use event::{Event, Kind, ReadAnswer, ReadAsk, RecoveryReply, Seen};
pub use note::Note;

use crate::metrics::{self, Recorder};
use crate::model::config::Config;
use crate::sim::{Engine, RngFactory, SimDuration, SimTime, StreamId, Trace};
use crate::vocab::ids::{ClientId, InstanceId};
use client::{Caller, Client};
use compute::control::ControlPlane;
use compute::recovery::Recovery;
use compute::server::Server;
use compute::{ccm_partner, Fleet, Hosts, Instance};
use dns::Dns;
use event::Asker;
use faults::Faults;
use network::Network;
use pool::Pool;
use proxy::Proxy;
use storage::fleet::Storage;
use storage::lsn::LsnPoints;
use workload::Workload;
use writer::{Writer, Writers};

/// Watches a run without changing it: shown the world after every event,
/// with what the event was (its kind and named operands). The facts the
/// event's handlers stated are in [`World::notes`].
pub trait Observer {
    /// Called after `event` was handled at `now`.
    fn after(&mut self, world: &World, now: SimTime, event: Seen);
}

/// Observes nothing.
impl Observer for () {
    #[inline]
    fn after(&mut self, _: &World, _: SimTime, _: Seen) {}
}

/// Two observers, shown every event in turn.
impl<A: Observer, B: Observer> Observer for (&mut A, &mut B) {
    #[inline]
    fn after(&mut self, world: &World, now: SimTime, event: Seen) {
        self.0.after(world, now, event);
        self.1.after(world, now, event);
    }
}

/// Most events one simulated instant may hold: far above any burst the
/// model makes (a 128 TiB volume's recovery probes 78,648 segments at
/// once), so only a loop that never lets time advance reaches it.
pub const MAX_EVENTS_AT_ONE_INSTANT: u64 = 10_000_000;

/// The default event budget of a run: about ten minutes of wall-clock
/// time at this model's speed, several times the one-hour `baseline`.
pub const DEFAULT_MAX_EVENTS: u64 = 2_000_000_000;

/// Random stream numbers. Node disks use `DISK_BASE + node id`, clients
/// `CLIENT_BASE + client id`.
mod streams {
    pub const WORKLOAD: u64 = 1;
    pub const NETWORK: u64 = 2;
    pub const GOSSIP: u64 = 3;
    pub const CONTROL: u64 = 4;
    pub const DNS: u64 = 5;
    pub const APP_NETWORK: u64 = 6;
    pub const PROXY: u64 = 7;
    pub const DISK_BASE: u64 = 1 << 32;
    pub const CLIENT_BASE: u64 = 2 << 32;
    pub const INSTANCE_BASE: u64 = 3 << 32;
}

/// Every instance's machine at the start. A run begins in steady state:
/// the writer has served the workload long enough to hold its most used
/// pages, and so has a reader that cluster cache management keeps warm.
/// Other readers start with empty caches that their own reads fill.
fn warm_servers(
    cfg: &Config,
    instances: &[Instance],
    writer: InstanceId,
    wl: &Workload,
) -> Vec<Server> {
    let page_bytes = u64::from(cfg.workload.page_kib) << 10;
    let pages = cfg.workload.working_set_pages;
    let mut servers: Vec<Server> = instances
        .iter()
        .map(|i| Server::new(i.spec, page_bytes, pages))
        .collect();
    servers[writer.index()].cache.fill(wl.popularity.hottest());
    if let Some(r) = ccm_partner(cfg, instances, writer) {
        let hot = servers[writer.index()].cache.clone();
        servers[r.index()].cache.fill_from(&hot);
    }
    servers
}

/// The simulated cluster and its clock.
#[derive(Debug)]
pub struct World {
    engine: Engine<Event>,
    cfg: Config,
    net: Network,
    rec: Recorder,
    notes: Vec<note::Note>,
    trace: Trace,
    /// Storage nodes, segments, protection groups.
    storage: Storage,
    /// The writer of each epoch that may still act.
    writers: Writers,
    /// The recovery of the newest writer, while it runs.
    recovery: Option<Recovery>,
    /// The background workload.
    workload: Workload,
    /// DB instances, in scenario order.
    instances: Vec<Instance>,
    /// Their machines: CPU and buffer cache.
    servers: Vec<Server>,
    control: ControlPlane,
    dns: Dns,
    /// Application clients.
    clients: Vec<Client>,
    /// Their connection pools.
    pools: Vec<Pool>,
    /// RDS Proxy (without nodes when the scenario has none).
    proxy: Proxy,
    /// Each server's busy time at the start of the current bin.
    cpu_at_bin_start: Vec<SimDuration>,
    faults: Faults,
    end: SimTime,
    bin_start: SimTime,
}

impl World {
    /// Builds the world a validated scenario describes, at time zero.
    pub fn new(cfg: &Config, trace: Trace) -> Self {
        let cfg = cfg.clone();
        let rngs = RngFactory::new(cfg.seed);
        let stream = |n: u64| rngs.stream(StreamId(n));
        let storage = Storage::new(
            &cfg,
            &|node| stream(streams::DISK_BASE + node),
            stream(streams::GOSSIP),
        );
        let mut instances: Vec<Instance> = cfg
            .instances
            .iter()
            .enumerate()
            .map(|(i, c)| Instance::new(c, stream(streams::INSTANCE_BASE + i as u64)))
            .collect();
        for i in &mut instances {
            let none = vec![storage::lsn::Lsn(0); cfg.storage.pgs as usize];
            i.replica = compute::replica::Replica::at(0, storage::lsn::Lsn(0), none);
        }
        let first = InstanceId::from_index(
            cfg.instances
                .iter()
                .position(|i| i.writer)
                .expect("validated: one writer"),
        );
        let volume = &storage.volume;
        let points = LsnPoints::new(cfg.storage.pgs, cfg.storage.lsn_allocation_limit);
        let mut writer = Writer::new(first, 1, 1, points, volume.pgs.len(), volume.segments.len());
        writer.open = true;
        let net = Network::new(
            cfg.network.clone(),
            (stream(streams::NETWORK), stream(streams::APP_NETWORK)),
            cfg.topology.azs.len(),
            volume.nodes.len(),
            instances.len(),
        );
        let mut clients = Vec::new();
        let mut pools = 0;
        for (g, group) in cfg.clients.iter().enumerate() {
            let per_pool = match &group.connection {
                config::Connection::Pool(p) => Some(p.clients_per_pool),
                _ => None,
            };
            for k in 0..group.count {
                let rng = stream(streams::CLIENT_BASE + clients.len() as u64);
                let pool = per_pool.map(|n| pools + (k / n) as usize);
                clients.push(Client::new(g, group, pool, rng));
            }
            if let Some(n) = per_pool {
                pools += group.count.div_ceil(n) as usize;
            }
        }
        let pools = (0..pools).map(|_| Pool::default()).collect();
        let proxy = Proxy::new(
            cfg.proxy.as_ref(),
            clients.len(),
            first,
            stream(streams::PROXY),
        );
        let readers = (0..instances.len())
            .map(InstanceId::from_index)
            .filter(|i| instances[i.index()].serving_reads())
            .collect();
        let dns = Dns::new(first, readers, stream(streams::DNS));
        let workload = Workload::new(&cfg, stream(streams::WORKLOAD));
        let servers = warm_servers(&cfg, &instances, first, &workload);
        let mut world = World {
            engine: Engine::new(),
            end: SimTime::ZERO + cfg.duration,
            bin_start: SimTime::ZERO,
            workload,
            servers,
            rec: Recorder::new(
                cfg.metrics.bin,
                cfg.metrics.stall_threshold,
                cfg.duration,
                cfg.storage.pgs as usize,
                cfg.storage.quorum.copies(),
                cfg.clients.len(),
                cfg.instances.len(),
            ),
            control: ControlPlane::new(first, stream(streams::CONTROL)),
            dns,
            clients,
            pools,
            proxy,
            cpu_at_bin_start: vec![SimDuration::ZERO; cfg.instances.len()],
            faults: Faults::new(cfg.faults.len()),
            instances,
            net,
            notes: Vec::new(),
            storage,
            writers: Writers::new(writer),
            recovery: None,
            trace,
            cfg,
        };
        world.schedule_start();
        world
    }

    fn schedule_start(&mut self) {
        let cfg = &self.cfg;
        self.engine.at(SimTime::ZERO, Event::GroupCommit);
        self.engine
            .after(cfg.workload.write_retry_interval, Event::Maintenance);
        self.engine.after(cfg.metrics.bin, Event::BinEnd);
        // The control plane checks the writer from the start.
        self.engine.at(SimTime::ZERO, Event::HealthTick);
        if let Some(p) = &cfg.proxy {
            self.engine.after(p.health_check_interval, Event::ProxyTick);
        }
        // Clients start spread over their first think time.
        for (c, client) in self.clients.iter_mut().enumerate() {
            let start = client.start_delay(cfg.clients[client.group].think_time);
            let (client, seq) = (ClientId::from_index(c), 0);
            self.engine.after(start, Event::ClientTimer { client, seq });
        }
        self.faults.schedule(&mut self.engine, &cfg.faults);
    }

    /// Runs to the end of the scenario, showing `observer` the world after
    /// every event.
    /// Stops early, saying why, if the run would take more than
    /// `max_events` events or more than [`MAX_EVENTS_AT_ONE_INSTANT`] at
    /// one simulated instant (a loop that never lets time advance).
    pub fn run(&mut self, observer: &mut impl Observer, max_events: u64) -> Option<String> {
        let mut stopped = None;
        let (mut instant, mut at_instant) = (SimTime::ZERO, 0u64);
        loop {
            if self.engine.processed() >= max_events {
                if self.engine.next_due(self.end).is_some() {
                    stopped = Some(format!(
                        "the event budget of {max_events} was spent at {:.3} s of {:.3} s (raise it with --max-events)",
                        self.engine.now().as_secs_f64(),
                        self.end.as_secs_f64()
                    ));
                }
                break;
            }
            let Some(ev) = self.engine.next(self.end) else {
                break;
            };
            let now = self.engine.now();
            if now == instant {
                at_instant += 1;
            } else {
                (instant, at_instant) = (now, 1);
            }
            let seen = ev.seen();
            self.trace.event(now, &seen.words());
            if self.trace.writes(now, seen.kind as u8) {
                self.trace.line(format_args!(
                    "{{\"t_ns\":{},\"event\":\"{}\"{}}}",
                    now.as_nanos(),
                    seen.kind.name(),
                    seen.json_operands()
                ));
            }
            self.notes.clear();
            self.dispatch(ev);
            observer.after(self, now, seen);
            if at_instant >= MAX_EVENTS_AT_ONE_INSTANT {
                stopped = Some(format!(
                    "{MAX_EVENTS_AT_ONE_INSTANT} events at {:.6} s without time advancing",
                    now.as_secs_f64()
                ));
                break;
            }
        }
        if stopped.is_some() {
            // Every figure covers the time simulated, not the rest.
            self.end = self.engine.now();
        }
        self.notes.clear();
        self.engine.advance_to(self.end);
        if self.end > self.bin_start {
            self.close_bin();
        }
        let w = &self.writers.current;
        let (c, r) = (w.oldest_waiting_commit(), w.oldest_waiting_read());
        self.rec.unfinished(self.end, c, r);
        self.control.finish();
        stopped
    }

    /// Routes one event to the actor that handles it.
    fn dispatch(&mut self, ev: Event) {
        if let Event::BinEnd = ev {
            self.engine.after(self.cfg.metrics.bin, Event::BinEnd);
            return self.close_bin();
        }
        let World {
            engine,
            cfg,
            net,
            rec,
            notes,
            storage,
            writers,
            recovery,
            workload,
            instances,
            servers,
            control,
            dns,
            clients,
            pools,
            proxy,
            faults,
            ..
        } = self;
        let cx = &mut Ctx::new(cfg, engine, net, rec, notes);
        let f = &mut Fleet {
            instances,
            writers,
            recovery,
            dns,
            servers,
            clients,
            pools,
            proxy,
            storage,
        };
        match ev {
            Event::GroupCommit => writer::on_group_commit(cx, f, workload),
            Event::Maintenance => writer::on_maintenance(cx, f, control),
            Event::BinEnd => unreachable!("handled above"),
            Event::Batch { seg, batch } => {
                let (storage, hosts) = f.storage_hosts();
                storage.on_batch(cx, &hosts, seg, batch);
            }
            Event::Ack {
                seg,
                scl,
                incarnation,
                epoch,
            } => {
                f.with_writer(epoch, |w, env| {
                    w.on_ack(cx, env, workload, seg, scl, incarnation)
                });
            }
            Event::ReadRequest { ask } => {
                let (storage, hosts) = f.storage_hosts();
                storage.on_read_request(cx, &hosts, *ask);
            }
            Event::ReadReply { answer } => match answer.reader {
                Some(inst) => f.on_replica_read_reply(cx, workload, inst, *answer),
                None => {
                    f.with_writer(answer.epoch, |w, env| {
                        w.on_read_reply(cx, env, workload, *answer)
                    });
                }
            },
            Event::GossipTimer { seg } => f.storage.on_gossip_timer(cx, seg),
            Event::GossipPull {
                to,
                from,
                since,
                epoch,
            } => f.storage.on_gossip_pull(cx, to, from, since, epoch),
            Event::GossipPush { to, payload, cut } => {
                let (storage, hosts) = f.storage_hosts();
                storage.on_gossip_push(cx, &hosts, to, *payload, cut);
            }
            Event::Materialize { seg } => f.storage.on_materialize(cx, seg),
            Event::FaultStart { id, fault } => faults.apply(cx, f, control, id, &fault, true),
            Event::FaultEnd { id, fault } => faults.apply(cx, f, control, id, &fault, false),
            Event::RepairCheck { node, incarnation } => {
                f.storage
                    .on_repair_check(cx, f.writers, f.instances, node, incarnation)
            }
            Event::RepairChunk { pg, membership } | Event::RepairDone { pg, membership } => f
                .storage
                .on_repair_chunk(cx, f.writers, f.instances, pg, membership),
            Event::HealthTick => control.on_health_tick(cx, f),
            Event::HealthProbe { inst, seq } => f.on_health_probe(cx, inst, seq),
            Event::HealthReply { inst, seq, writes } => {
                control.on_health_reply(cx, f, inst, seq, writes)
            }
            Event::SelectionDone { seq } => control.on_selection_done(cx, f, seq),
            Event::HealthResend { seq, attempt } => control.on_health_resend(cx, f, seq, attempt),
            Event::Demote { inst } => control.on_demote(cx, f, inst),
            Event::InstanceUp { inst, incarnation } => {
                control.on_instance_up(cx, f, inst, incarnation)
            }
            Event::WriterOpen { epoch } => control.on_writer_open(cx, f, epoch),
            Event::RecoveryProbe { seg, epoch } => {
                let (storage, hosts) = f.storage_hosts();
                storage.on_recovery_probe(cx, &hosts, seg, epoch);
            }
            Event::RecoveryReply { reply } => Recovery::on_reply(cx, f, control, *reply),
            Event::RecoveryRetry { epoch } => Recovery::on_retry(cx, f, control, epoch),
            Event::Fenced { epoch } => f.on_fenced(cx, epoch),
            Event::RedoStream { inst, redo } => f.on_redo(cx, workload, inst, &redo),
            Event::ClientTimer { client, seq } => {
                let (c, mut env) = f.client(client);
                c.on_timer(cx, client, &mut env, seq);
            }
            Event::DnsQuery { client, seq } => {
                let c = &f.clients[client.index()];
                let asker = (client, c.endpoint(), cx.cfg.clients[c.group].reader);
                f.dns.on_query(cx, asker, &*f.instances, seq)
            }
            Event::DnsAnswer { client, seq, host } => {
                let (c, mut env) = f.client(client);
                c.on_dns_answer(cx, client, &mut env, seq, host);
            }
            Event::Connect {
                asker,
                seq,
                inst,
                address,
            } => f.on_connect(cx, asker, seq, inst, address),
            Event::Connected {
                asker,
                seq,
                inst,
                accepted,
            } => match asker {
                Asker::Client(client) => {
                    let (c, mut env) = f.client(client);
                    c.on_connected(cx, client, &mut env, seq, inst, accepted);
                }
                Asker::Backend(slot) => {
                    f.proxy
                        .on_connected(cx, f.instances, (slot, seq), inst, accepted)
                }
                Asker::Monitor => {}
            },
            Event::Request {
                client,
                seq,
                inst,
                incarnation,
                via,
            } => {
                let caller = Caller { client, seq, via };
                f.on_request(cx, workload, caller, inst, incarnation)
            }
            Event::Response {
                client,
                seq,
                answer,
            } => {
                let (c, mut env) = f.client(client);
                c.on_response(cx, client, &mut env, seq, answer);
            }
            Event::Disconnect { inst, incarnation } => f.on_disconnect(inst, incarnation),
            Event::Ping {
                client,
                seq,
                inst,
                incarnation,
            } => f.on_ping(cx, client, seq, inst, incarnation),
            Event::PoolReady { client, seq } => {
                let (c, mut env) = f.client(client);
                c.on_pool_ready(cx, client, &mut env, seq);
            }
            Event::TopologyQuery { asker, seq, inst } => f.on_topology_query(cx, asker, seq, inst),
            Event::Topology {
                asker,
                seq,
                inst,
                writer,
            } => match asker {
                Asker::Client(client) => {
                    let (c, mut env) = f.client(client);
                    c.on_topology(cx, client, &mut env, seq, writer);
                }
                Asker::Monitor => f.proxy.on_topology(cx, f.instances, seq, inst, writer),
                Asker::Backend(_) => {}
            },
            Event::ProxyRequest {
                client,
                seq,
                node,
                from,
            } => f
                .proxy
                .on_request(cx, f.instances, client, seq, (node, from)),
            Event::BackendResponse {
                slot,
                client,
                seq,
                answer,
            } => f
                .proxy
                .on_backend_response(cx, f.instances, slot, (client, seq), answer),
            Event::ProxyTick => f.proxy.on_tick(cx, f.instances),
            Event::ProxyBorrowTimeout { client, seq } => f.proxy.on_borrow_timeout(cx, client, seq),
            Event::CloseRetransmit {
                from,
                inst,
                incarnation,
                attempt,
            } => tcp::send_close(cx, &*f.instances, from, (inst, incarnation), attempt),
        }
    }

    /// Closes the timeline bin that ends now.
    fn close_bin(&mut self) {
        let hosts = Hosts::new(&self.writers, &self.instances);
        let waiting = self.writers.current.waiting();
        let vdl = self.writers.last_points().vdl().0;
        let writer = hosts
            .current_writer_open()
            .then_some(self.writers.current.instance.0);
        let lag: Vec<u64> = self
            .instances
            .iter_mut()
            .map(|i| std::mem::take(&mut i.lag_bin_max))
            .collect();
        let (disk, nic) = self.storage.node_use(self.engine.now());
        self.rec.node_use(disk, nic);
        let now = self.engine.now();
        let width = now.since(self.bin_start).as_secs_f64();
        let cpu = self
            .servers
            .iter()
            .zip(&mut self.cpu_at_bin_start)
            .map(|(s, at_start)| {
                let busy = s.busy_through(now);
                let used = busy.saturating_sub(*at_start);
                *at_start = busy;
                if width > 0.0 {
                    used.as_secs_f64() / width
                } else {
                    0.0
                }
            })
            .collect();
        let connections = self.instances.iter().map(|i| i.connections).collect();
        self.rec.close_bin(
            self.bin_start,
            waiting,
            vdl,
            &lag,
            writer,
            (cpu, connections),
        );
        self.bin_start = self.engine.now();
    }

    // ----- a read-only view for observers ---------------------------------

    /// Where the run ends: the scenario's duration, or where it stopped.
    pub fn end(&self) -> SimTime {
        self.end
    }

    /// What the handlers of the last event stated.
    pub fn notes(&self) -> &[Note] {
        &self.notes
    }

    /// The scenario the world was built from.
    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// Every writer that may still act: the newest epoch's first, then
    /// deposed ones, oldest first.
    pub fn writers(&self) -> impl Iterator<Item = &Writer> {
        self.writers.iter()
    }

    /// The writer of the newest epoch.
    pub fn current_writer(&self) -> &Writer {
        &self.writers.current
    }

    /// Whether the newest epoch's writer runs and takes commits.
    pub fn writer_open(&self) -> bool {
        Hosts::new(&self.writers, &self.instances).current_writer_open()
    }

    /// The DB instances, in scenario order.
    pub fn instances(&self) -> &[Instance] {
        &self.instances
    }

    /// Storage: nodes, segments and protection groups.
    pub fn volume(&self) -> &storage::volume::Volume {
        &self.storage.volume
    }

    /// The network, to ask what is reachable.
    pub fn network(&self) -> &Network {
        &self.net
    }

    /// The fault schedule's state: which requested failovers were refused.
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    // ----- what the run measured, for its summary --------------------------

    /// The simulated time reached.
    pub fn now(&self) -> SimTime {
        self.engine.now()
    }

    /// Events handled so far.
    pub fn events_processed(&self) -> u64 {
        self.engine.processed()
    }

    /// The running digest of every event handled, in hex.
    pub fn trace_digest(&self) -> String {
        self.trace.digest().hex()
    }

    /// Flushes the trace sink, if the run has one.
    pub(crate) fn finish_trace(&mut self) -> std::io::Result<()> {
        self.trace.finish()
    }

    /// The measurements the actors made.
    pub fn recorder(&self) -> &Recorder {
        &self.rec
    }

    /// The timeline's rows, taken out of the recorder (a long timeline is
    /// never held twice).
    pub(crate) fn take_timeline(&mut self) -> Vec<metrics::TimelineRow> {
        self.rec.take_rows()
    }

    /// Commits the background workload offered.
    pub fn commits_offered(&self) -> u64 {
        self.workload.offered
    }

    /// The LSN points of the newest writer that had any.
    pub fn last_points(&self) -> &LsnPoints {
        self.writers.last_points()
    }

    /// The newest volume epoch.
    pub fn latest_epoch(&self) -> u32 {
        self.writers.latest_epoch
    }

    /// Every failover, in the order they began, with the model's time for
    /// the end of each step.
    pub fn failovers(&self) -> &[compute::control::FailoverRecord] {
        &self.control.failovers
    }

    /// Storage-watchdog failovers the control plane declined (no reader
    /// could write).
    pub fn watchdog_failovers_declined(&self) -> u32 {
        self.control.watchdog_declined
    }

    /// The application clients, in scenario order.
    pub fn clients(&self) -> &[Client] {
        &self.clients
    }

    /// Each storage node's load over the run and the repair bytes it moved.
    pub fn node_loads(&self) -> Vec<metrics::NodeUse> {
        self.storage
            .node_loads(&self.cfg.topology, self.engine.now())
    }

    /// What a recovery now could rebuild: from the copies that survive
    /// (destroyed are only those on nodes lost for good), and from the
    /// copies running now. The checkers judge lost and unavailable
    /// commits against these.
    pub(crate) fn recoverable_now(&mut self) -> (storage::lsn::Lsn, storage::lsn::Lsn) {
        use crate::vocab::ids::SegmentId;
        use storage::recovery::recoverable_vdl;
        use storage::volume::Volume;
        let lost = faults::permanently_lost_nodes(&self.cfg);
        let points = self.writers.last_points().clone();
        let records = u64::from(self.cfg.workload.records_per_commit);
        let now = self.engine.now();
        let volume = &mut self.storage.volume;
        let surviving = |v: &Volume, s: SegmentId| {
            let seg = &v.segments[s.index()];
            seg.hydrated && !lost[seg.node.index()]
        };
        let recoverable = recoverable_vdl(volume, &points, records, now, surviving);
        let available = recoverable_vdl(volume, &points, records, now, Volume::is_live);
        (recoverable, available)
    }
}
