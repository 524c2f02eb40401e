//! The Aurora world: storage nodes and their segments, the DB instances and
//! the control plane, DNS, application clients, and the network between
//! them, driven by one event queue.
//!
//! Every actor keeps its state and its handlers in its own module, as
//! methods on its own type, and acts only through a `Ctx` (the context)
//! (timers, network sends, measurements, notes). This module holds the
//! arenas, builds them from a validated scenario, runs the loop and routes
//! each event to the actor that handles it. Randomness comes from named
//! streams: the workload, the network, gossip peer choice, the control
//! plane, DNS, one stream per storage node's disk and one per client.

pub(crate) mod answer;
pub(crate) mod autoscaling;
pub(crate) mod client;
pub(crate) mod compute;
pub mod config;
pub(crate) mod context;
pub(crate) mod control;
pub(crate) mod dns;
pub(crate) mod event;
pub(crate) mod faults;
pub(crate) mod footprint;
pub(crate) mod global;
pub(crate) mod network;
pub(crate) mod note;
pub(crate) mod order;
pub(crate) mod pool;
pub(crate) mod proxy;
mod routes;
pub(crate) mod storage;
mod tcp;
pub(crate) mod workload;

use autoscaling::ReplicaAutoScaling;
use context::Ctx;
pub(crate) use event::Event;
pub use event::{Kind, Seen};
pub use note::Note;
pub use storage::lsn::Lsn;

use crate::metrics::{self, Recorder};
use crate::model::config::{Config, GlobalConfig, RegionId};
use crate::sim::memory::Ceiling;
use crate::sim::{Engine, RngFactory, SimDuration, SimTime, StreamId, Trace};
use crate::vocab::ids::{ClientId, InstanceId};
use answer::{Ask, Caller, Callers};
use client::{Client, ClientEnv};
use compute::inbox;
use compute::instance::{ccm_partner, Instance};
use compute::recovery::Recovery;
use compute::server::Server;
use compute::writer::{Writer, Writers};
use compute::{Compute, Surroundings};
use control::{ControlPlane, Sight};
use dns::Dns;
use event::Asker;
use faults::Faults;
use global::{Global, PrimaryPoint};
use network::Network;
use order::Order;
use pool::Pool;
use proxy::Proxy;
use storage::fleet::Storage;
use storage::lsn::LsnPoints;
use workload::Workload;

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

/// How often, in events, a run compares what it holds with its memory
/// ceiling: a few microseconds of work between checks, during which no
/// run grows by more than a few MiB.
const MEMORY_CHECK_EVERY: u64 = 1024;

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
    pub const REPLICATION: u64 = 8;
    pub const AUTOSCALING: u64 = 9;
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
        .map(|i| Server::new(i.capacity(), page_bytes, pages))
        .collect();
    servers[writer.index()].cache.fill(wl.popularity.hottest());
    if let Some(r) = ccm_partner(cfg, instances, writer) {
        let hot = servers[writer.index()].cache.clone();
        servers[r.index()].cache.fill_from(&hot);
    }
    servers
}

/// The simulated cluster and its clock.
#[derive(Debug, Clone)]
pub struct World {
    engine: Engine<Event>,
    cfg: Config,
    net: Network,
    rec: Recorder,
    notes: Vec<note::Note>,
    trace: Trace,
    /// Orders given by the event being handled, not yet carried out.
    orders: Vec<Order>,
    /// Storage nodes, segments, protection groups.
    storage: Storage,
    /// The background workload.
    workload: Workload,
    /// DB instances, their machines, the writers they run.
    compute: Compute,
    control: ControlPlane,
    dns: Dns,
    /// A global database's replication to its secondary regions.
    global: Option<Global>,
    /// Application clients.
    clients: Vec<Client>,
    /// Where each client is and whether it reads.
    callers: Callers,
    /// Their connection pools.
    pools: Vec<Pool>,
    /// RDS Proxy (without nodes when the scenario has none).
    proxy: Proxy,
    /// Aurora Replicas auto scaling, when a policy is attached.
    autoscaling: Option<ReplicaAutoScaling>,
    /// Each server's busy time at the start of the current bin.
    cpu_at_bin_start: Vec<SimDuration>,
    faults: Faults,
    end: SimTime,
    bin_start: SimTime,
}

impl World {
    /// Builds the world a validated scenario describes, at time zero,
    /// with its first events scheduled.
    pub(crate) fn new(cfg: &Config, trace: Trace) -> Self {
        let mut world = World::unstarted(cfg, trace);
        world.schedule_start();
        world
    }

    /// The world of `cfg` with every stream moved to `seed` before
    /// anything is drawn: it must run as the world built with `seed`.
    #[cfg(test)]
    pub(crate) fn reseeded_at_start(cfg: &Config, seed: u64) -> Self {
        let mut world = World::unstarted(cfg, Trace::default());
        world.reseed(seed);
        world.schedule_start();
        world
    }

    /// The events still pending, as text: a draw whose event falls after
    /// the end of a run still shows there.
    #[cfg(test)]
    pub(crate) fn pending_events(&self) -> String {
        format!("{:?}", self.engine)
    }

    /// The world at time zero before anything is scheduled or drawn.
    fn unstarted(cfg: &Config, trace: Trace) -> Self {
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
            .map(|(i, c)| {
                let secondary = cfg.topology.region_of(c.az) != RegionId::PRIMARY;
                Instance::new(c, secondary, stream(streams::INSTANCE_BASE + i as u64))
            })
            .collect();
        for i in &mut instances {
            let none = vec![storage::lsn::Lsn(0); cfg.storage.pgs as usize];
            i.replica = compute::instance::Replica::at(0, storage::lsn::Lsn(0), none);
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
        if cfg.promotes_regions() {
            // Nothing is stored anywhere yet: the log is kept from the start.
            writer.retain_above(storage::lsn::Lsn(0));
        }
        let net = Network::new(
            cfg.network.clone(),
            (stream(streams::NETWORK), stream(streams::APP_NETWORK)),
            (&cfg.topology, cfg.global.as_ref()),
            volume.nodes.len(),
            instances.len(),
        );
        let mut clients = Vec::new();
        let mut pools = 0;
        let faults_over = cfg.faults_over();
        for (g, group) in cfg.clients.iter().enumerate() {
            let per_pool = match &group.connection {
                config::Connection::Pool(p) => Some(p.clients_per_pool),
                _ => None,
            };
            for k in 0..group.count {
                let rng = stream(streams::CLIENT_BASE + clients.len() as u64);
                let pool = per_pool.map(|n| pools + (k / n) as usize);
                clients.push(Client::new(g, group, pool, faults_over, rng));
            }
            if let Some(n) = per_pool {
                pools += group.count.div_ceil(n) as usize;
            }
        }
        let pools = (0..pools).map(|_| Pool::default()).collect();
        let ask = |g: &config::ClientConfig| match (g.forward, g.reader) {
            (Some(consistency), _) => Ask::Forward(consistency),
            (None, true) => Ask::Read,
            (None, false) => Ask::Commit,
        };
        let callers = Callers::new(
            clients
                .iter()
                .map(|c| (c.endpoint(), ask(&cfg.clients[c.group]), c.group)),
        );
        let proxy = Proxy::new(
            cfg.proxy.as_ref(),
            clients.len(),
            first,
            stream(streams::PROXY),
        );
        let readers = (0..cfg.topology.regions())
            .map(|r| compute::reader_endpoint(&cfg, &instances, RegionId(r as u8)))
            .collect();
        let custom = (cfg.endpoints.iter())
            .map(|e| compute::custom_endpoint(e, &instances))
            .collect();
        let dns = Dns::new(first, (readers, custom), stream(streams::DNS));
        let workload = Workload::new(&cfg, stream(streams::WORKLOAD));
        let servers = warm_servers(&cfg, &instances, first, &workload);
        World {
            engine: Engine::new(),
            end: SimTime::ZERO + cfg.duration,
            bin_start: SimTime::ZERO,
            workload,
            rec: Recorder::new(
                cfg.metrics.bin,
                cfg.metrics.stall_threshold,
                cfg.duration,
                cfg.storage.pgs as usize,
                cfg.storage.quorum.copies(),
                cfg.clients.len(),
                (
                    cfg.instances.len(),
                    (
                        cfg.global.as_ref().map_or(0, GlobalConfig::regions),
                        cfg.measured_regions()
                            .iter()
                            .map(|r| r.0 as usize)
                            .collect(),
                    ),
                ),
            ),
            control: ControlPlane::new(first, stream(streams::CONTROL)),
            global: cfg
                .global
                .as_ref()
                .map(|g| Global::new(&cfg, g, stream(streams::REPLICATION))),
            dns,
            clients,
            pools,
            proxy,
            autoscaling: cfg.auto_scaling.as_ref().map(|_| {
                ReplicaAutoScaling::new(cfg.instances.len(), stream(streams::AUTOSCALING))
            }),
            cpu_at_bin_start: vec![SimDuration::ZERO; cfg.instances.len()],
            faults: Faults::new(cfg.faults.len()),
            compute: Compute {
                instances,
                servers,
                writers: Writers::new(writer),
                recovery: None,
                patches: compute::patch::Patches::new(cfg.instances.len()),
                region: RegionId::PRIMARY,
                region_points: vec![Lsn(0); cfg.topology.regions()],
                switchover: None,
                switched: false,
                warm: None,
                green_applied: SimTime::ZERO,
                held: Vec::new(),
            },
            callers,
            net,
            notes: Vec::new(),
            orders: Vec::new(),
            storage,
            trace,
            cfg,
        }
    }

    fn schedule_start(&mut self) {
        let cfg = &self.cfg;
        self.engine.at(SimTime::ZERO, Event::GroupCommit);
        self.engine
            .after(cfg.workload.write_retry_interval, Event::Maintenance);
        self.engine.after(cfg.metrics.bin, Event::BinEnd);
        // The control plane checks the writer from early on, at a point of
        // its schedule drawn for the run: no fault lands at the same point
        // of every run's schedule.
        let first_check = self.control.first_check(cfg.control.health_check_interval);
        self.engine
            .at(SimTime::ZERO + first_check, Event::HealthTick);
        if let Some(p) = &cfg.proxy {
            self.engine.after(p.health_check_interval, Event::ProxyTick);
        }
        if let Some(g) = &cfg.global {
            self.engine.after(g.ship_interval, Event::ReplicationTick);
        }
        if let (Some(s), true) = (
            &cfg.serverless,
            cfg.instances.iter().any(|i| i.acu.is_some()),
        ) {
            self.engine.after(s.interval, Event::ScaleTick);
        }
        if cfg.auto_scaling.is_some() {
            self.engine
                .after(autoscaling::PERIOD, Event::AutoScalingTick);
        }
        // Clients start spread over their first think time.
        for (c, client) in self.clients.iter_mut().enumerate() {
            let start = client.start_delay(cfg.clients[client.group].think_time);
            let (client, seq) = (ClientId::from_index(c), 0);
            self.engine.after(start, Event::ClientTimer { client, seq });
        }
        self.faults.schedule(&mut self.engine, &cfg.faults);
    }

    /// Handles events, showing `observer` the world after each, until the
    /// scenario's end or, with `until`, until the next event is due at or
    /// after it (where a run leaves a prefix it shares with other seeds'
    /// runs). Returns why it stopped early, if it did: more than
    /// `max_events` events, more than [`MAX_EVENTS_AT_ONE_INSTANT`] at one
    /// simulated instant (a loop that never lets time advance), or, with a
    /// memory `ceiling`, more held than the ceiling, naming the setting its
    /// estimate says grows most.
    pub(crate) fn advance(
        &mut self,
        observer: &mut impl Observer,
        max_events: u64,
        ceiling: Option<&mut Ceiling>,
        until: Option<SimTime>,
    ) -> Option<String> {
        let mut stopped = None;
        let (mut instant, mut at_instant) = (SimTime::ZERO, 0u64);
        let mut ceiling = ceiling;
        // The last instant an event may be handled at.
        let last = until.map_or(self.end, |t| {
            self.end
                .min(SimTime::from_nanos(t.as_nanos().saturating_sub(1)))
        });
        loop {
            if self.engine.processed().is_multiple_of(MEMORY_CHECK_EVERY) {
                if let Some(held) = ceiling.as_mut().and_then(|c| c.passed()) {
                    let (limit, why) = ceiling.as_ref().expect("checked").limit();
                    stopped = Some(self.outgrown(held, limit, why));
                    break;
                }
            }
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
            let Some(ev) = self.engine.next(last) else {
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
            let here = self.engine.place();
            self.compute.settle_wakes(&self.storage.volume, here);
            let quorum_may_change = inbox::may_change_quorum(seen.kind);
            if quorum_may_change {
                self.compute.settle_acks(&self.storage.volume, here);
            }
            self.dispatch(ev);
            self.carry_out_orders();
            self.deliver_acks(quorum_may_change);
            observer.after(self, now, seen);
            if at_instant >= MAX_EVENTS_AT_ONE_INSTANT {
                stopped = Some(format!(
                    "{MAX_EVENTS_AT_ONE_INSTANT} events at {:.6} s without time advancing",
                    now.as_secs_f64()
                ));
                break;
            }
        }
        // The wake-ups without an event that come before the next event,
        // or the end, are settled as they would have been.
        let end = (SimTime::from_nanos(last.as_nanos() + 1), 0);
        let before = self.engine.next_place().map_or(end, |p| p.min(end));
        self.compute.settle_wakes(&self.storage.volume, before);
        stopped
    }

    /// Moves every random stream to root seed `seed`, each component's
    /// to the start of its stream of that seed: a run forked from a prefix
    /// it shares with other seeds' runs continues on its own draws.
    pub(crate) fn reseed(&mut self, seed: u64) {
        self.cfg.seed = seed;
        self.storage.reseed(seed);
        self.net.reseed(seed);
        self.workload.reseed(seed);
        for i in &mut self.compute.instances {
            crate::sim::rng::reseed(&mut i.rng, seed);
        }
        self.control.reseed(seed);
        self.dns.reseed(seed);
        if let Some(g) = &mut self.global {
            g.reseed(seed);
        }
        for c in &mut self.clients {
            c.reseed(seed);
        }
        self.proxy.reseed(seed);
        if let Some(a) = &mut self.autoscaling {
            a.reseed(seed);
        }
    }

    /// Runs to the end of the scenario, as [`World::advance`] does, and
    /// closes the run's books.
    pub(crate) fn run(
        &mut self,
        observer: &mut impl Observer,
        max_events: u64,
        ceiling: Option<&mut Ceiling>,
    ) -> Option<String> {
        let stopped = self.advance(observer, max_events, ceiling, None);
        self.finish(stopped)
    }

    /// Closes the run's books at its end, or where it `stopped` early.
    pub(crate) fn finish(&mut self, stopped: Option<String>) -> Option<String> {
        if stopped.is_some() {
            // Every figure covers the time simulated, not the rest.
            self.end = self.engine.now();
        }
        self.notes.clear();
        self.engine.advance_to(self.end);
        if self.end > self.bin_start {
            self.close_bin();
        }
        let w = &self.compute.writers.current;
        let (c, r) = (w.oldest_waiting_commit(), w.oldest_waiting_read());
        self.rec.unfinished(self.end, c, r);
        self.control.finish();
        stopped
    }

    /// Why a run that outgrew its memory ceiling stopped, and what to
    /// change.
    fn outgrown(&self, held: u64, limit: u64, why: &str) -> String {
        let mib = |b: u64| b.div_ceil(1 << 20);
        let largest = footprint::footprint(&self.cfg)
            .into_iter()
            .next()
            .map(|n| {
                format!(
                    "; the largest term of its estimate is {}: lower {}",
                    n.what,
                    n.knob.path()
                )
            })
            .unwrap_or_default();
        format!(
            "it came to hold {} MiB at {:.3} s of {:.3} s, more than its ceiling of {} MiB ({why}), with {} events pending{largest}",
            mib(held),
            self.engine.now().as_secs_f64(),
            self.end.as_secs_f64(),
            mib(limit),
            self.engine.pending(),
        )
    }

    /// Routes one event to the actor that handles it, with what that actor
    /// may read of the others.
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
            orders,
            storage,
            workload: wl,
            compute,
            control,
            dns,
            clients,
            callers,
            pools,
            proxy,
            faults,
            global,
            autoscaling,
            ..
        } = self;
        let cx = &mut Ctx::new(cfg, engine, net, rec, notes, orders);
        let volume = &storage.volume;
        let around = Surroundings { volume, callers };
        let sight = Sight {
            instances: &compute.instances,
            volume,
        };
        // Where an instance's answer goes: the client, or the proxy node
        // that holds the connection.
        let reply_to = |cx: &Ctx, asker: Asker| match asker {
            Asker::Client(c) => callers.end(c),
            Asker::Backend(_) | Asker::Monitor => proxy.end_of(cx, asker),
        };
        match ev {
            Event::GroupCommit => compute.on_group_commit(cx, wl, around),
            Event::Maintenance => {
                let healthy = control.impaired_at.is_none();
                compute.on_maintenance(cx, around, healthy);
            }
            Event::BinEnd => unreachable!("handled above"),
            Event::Batch { seg, batch } => storage.on_batch(cx, &compute.hosts(), seg, batch),
            Event::Quorum { epoch, pg } => {
                compute.with_writer(epoch, around, |w, env| w.on_quorum(cx, env, wl, pg));
            }
            Event::ReadRequest { ask } => storage.on_read_request(cx, &compute.hosts(), *ask),
            Event::ReadReply { answer } => match answer.reader {
                Some(inst) => compute.on_replica_read_reply(cx, wl, around, inst, *answer),
                None => {
                    compute.with_writer(answer.epoch, around, |w, env| {
                        w.on_read_reply(cx, env, wl, *answer)
                    });
                }
            },
            Event::GossipTimer { seg } => storage.on_gossip_timer(cx, seg),
            Event::GossipPull {
                to,
                from,
                since,
                gaps,
                epoch,
            } => storage.on_gossip_pull(cx, to, from, since, &gaps, epoch),
            Event::GossipPush { to, payload, cut } => {
                storage.on_gossip_push(cx, &compute.hosts(), to, *payload, cut);
            }
            Event::Materialize { seg } => storage.on_materialize(cx, seg),
            Event::FaultStart { id, fault } => faults.apply(
                cx,
                (&compute.instances, volume),
                control.writer,
                (id, &fault),
                true,
            ),
            Event::FaultEnd { id, fault } => faults.apply(
                cx,
                (&compute.instances, volume),
                control.writer,
                (id, &fault),
                false,
            ),
            Event::RepairCheck { node, incarnation } => {
                storage.on_repair_check(cx, &compute.hosts(), node, incarnation)
            }
            Event::RepairChunk { pg, membership } | Event::RepairDone { pg, membership } => {
                storage.on_repair_chunk(cx, &compute.hosts(), pg, membership)
            }
            Event::HealthTick => control.on_health_tick(cx, sight),
            Event::HealthProbe { inst, seq } => compute.on_health_probe(cx, volume, inst, seq),
            Event::HealthReply {
                inst,
                seq,
                writes,
                stalled_since,
            } => control.on_health_reply(cx, sight, inst, seq, (writes, stalled_since)),
            Event::SelectionDone { seq } => control.on_selection_done(cx, sight, seq),
            Event::HostReady { fault } => control.on_host_ready(cx, sight, fault),
            Event::ReplicationTick => {
                let (vdl, at, acked) = compute.writers.primary_point(cx.rec.commits_acked);
                let primary = PrimaryPoint {
                    vdl,
                    at,
                    records: cx.rec.records_durable,
                    acked,
                    epoch: compute.writers.last_recovered().epoch,
                    writing: compute.writers.current.open,
                };
                let global = global.as_mut().expect("ticks only with a global database");
                global.on_tick(cx, primary);
                if let Some(floor) = global.retained_floor() {
                    compute.writers.current.retain_above(floor);
                }
            }
            Event::RegionStored {
                region,
                link,
                upto,
                since,
            } => {
                let global = global.as_mut().expect("stored only with a global database");
                if let Some(stored) = global.on_stored(cx, (region, link), (upto, since)) {
                    compute.region_stored(cx, (wl, around), RegionId(region), stored);
                }
            }
            Event::RegionRead {
                node,
                inst,
                read,
                attempt,
            } => storage.on_region_read(cx, &compute.hosts(), node, (inst, read, attempt)),
            Event::RegionReadReply {
                inst,
                read,
                attempt,
            } => compute.on_region_read_reply(cx, callers, inst, (read, attempt)),
            Event::SwitchoverLook => compute.on_switchover_look(cx),
            Event::ScaleTick => compute.on_scale_tick(cx),
            Event::AutoScalingTick => {
                let open = compute.hosts().current_writer_open();
                if let Some(a) = autoscaling.as_mut() {
                    a.on_tick(cx, (&compute.instances, &compute.servers), open);
                }
            }
            Event::Resumed { inst, incarnation } => compute.on_resumed(cx, inst, incarnation),
            Event::GlobalPointAsk {
                writer,
                inst,
                client: c,
                seq,
            } => compute.on_global_point_ask(cx, writer, (inst, c, seq)),
            Event::GlobalPoint {
                inst,
                client: c,
                seq,
                vdl,
            } => compute.on_global_point(cx, (wl, around), (inst, c, seq), vdl),
            Event::ForwardedAnswer {
                inst,
                client: c,
                seq,
                answer,
                commit,
            } => {
                let who = (inst, c, seq);
                compute.on_forwarded_answer(cx, (wl, around), who, (answer, commit));
            }
            Event::HealthResend { seq, attempt } => {
                control.on_health_resend(cx, sight, seq, attempt)
            }
            Event::Demote { inst } => {
                if !control.keeps(inst) {
                    compute.step_down(cx, inst);
                }
            }
            Event::InstanceUp { inst, incarnation } => {
                let promoted = control.promotes(inst);
                compute.on_instance_up(cx, around, (inst, incarnation), promoted);
                if let Some(a) = autoscaling.as_mut() {
                    if compute.instances[inst.index()].serving_reads() {
                        a.serving(inst, cx.now());
                    }
                }
            }
            Event::WriterOpen { epoch } => compute.on_writer_open(cx, epoch),
            Event::Patch { inst, incarnation } => {
                compute.on_patch(cx, wl, around, (inst, incarnation));
            }
            Event::RecoveryProbe { seg, epoch } => {
                storage.on_recovery_probe(cx, &compute.hosts(), seg, epoch);
            }
            Event::RecoveryReply { reply } => {
                let storage = (volume, &storage.truncations[..]);
                compute.recovery_step(cx, storage, |cx, w| Recovery::on_reply(cx, w, *reply));
            }
            Event::RecoveryRetry { epoch } => {
                let storage = (volume, &storage.truncations[..]);
                compute.recovery_step(cx, storage, |cx, w| Recovery::on_retry(cx, w, epoch));
            }
            Event::Fenced { epoch } => compute.on_fenced(cx, epoch),
            Event::RedoStream { inst, redo } => compute.on_redo(cx, wl, inst, &redo),
            Event::ClientTimer { client: c, seq } => {
                let (cl, mut env) = client(clients, pools, &compute.instances, c);
                cl.on_timer(cx, c, &mut env, seq);
            }
            Event::DnsQuery { client: c, seq } => {
                let end = callers.end(c);
                let custom = cx.cfg.clients[callers.group(c)].custom;
                let asker = (c, end, callers.ask(c) != Ask::Commit, custom);
                let region = cx.cfg.topology.region_of(clients[c.index()].az());
                let regions = (region, compute.region);
                dns.on_query(cx, asker, regions, &compute.instances[..], seq)
            }
            Event::DnsAnswer {
                client: c,
                seq,
                host,
            } => {
                let (cl, mut env) = client(clients, pools, &compute.instances, c);
                cl.on_dns_answer(cx, c, &mut env, seq, host);
            }
            Event::Connect {
                asker,
                seq,
                inst,
                address,
            } => {
                let to = reply_to(cx, asker);
                compute.on_connect(cx, (asker, to), seq, inst, address);
            }
            Event::Connected {
                asker,
                seq,
                inst,
                accepted,
            } => match asker {
                Asker::Client(c) => {
                    let (cl, mut env) = client(clients, pools, &compute.instances, c);
                    cl.on_connected(cx, c, &mut env, seq, inst, accepted);
                }
                Asker::Backend(slot) => {
                    let instances = &compute.instances[..];
                    proxy.on_connected(cx, instances, (slot, seq), inst, accepted);
                }
                Asker::Monitor => {}
            },
            Event::Request {
                client: c,
                seq,
                inst,
                incarnation,
                via,
            } => {
                let caller = Caller {
                    client: c,
                    seq,
                    via,
                };
                compute.on_request(cx, wl, around, caller, (inst, incarnation));
            }
            Event::Response {
                client: c,
                seq,
                answer,
            } => {
                let (cl, mut env) = client(clients, pools, &compute.instances, c);
                cl.on_response(cx, c, &mut env, seq, answer);
            }
            Event::Disconnect { inst, incarnation } => compute.on_disconnect(inst, incarnation),
            Event::Ping {
                client: c,
                seq,
                inst,
                incarnation,
            } => compute.on_ping(cx, callers, Caller::direct(c, seq), inst, incarnation),
            Event::PoolReady { client: c, seq } => {
                let (cl, mut env) = client(clients, pools, &compute.instances, c);
                cl.on_pool_ready(cx, c, &mut env, seq);
            }
            Event::TopologyQuery { asker, seq, inst } => {
                let to = reply_to(cx, asker);
                compute.on_topology_query(cx, volume, (asker, to), seq, inst);
            }
            Event::Topology {
                asker,
                seq,
                inst,
                writer,
            } => match asker {
                Asker::Client(c) => {
                    let (cl, mut env) = client(clients, pools, &compute.instances, c);
                    cl.on_topology(cx, c, &mut env, seq, writer);
                }
                Asker::Monitor => proxy.on_topology(cx, &compute.instances[..], seq, inst, writer),
                Asker::Backend(_) => {}
            },
            Event::ProxyRequest {
                client: c,
                seq,
                node,
                from,
            } => proxy.on_request(cx, &compute.instances[..], c, seq, (node, from)),
            Event::BackendResponse {
                slot,
                client: c,
                seq,
                answer,
            } => proxy.on_backend_response(cx, &compute.instances[..], slot, (c, seq), answer),
            Event::ProxyTick => proxy.on_tick(cx, &compute.instances[..]),
            Event::ProxyBorrowTimeout { client: c, seq } => proxy.on_borrow_timeout(cx, c, seq),
            Event::CloseRetransmit {
                from,
                inst,
                incarnation,
                attempt,
            } => tcp::send_close(
                cx,
                &compute.instances[..],
                from,
                (inst, incarnation),
                attempt,
            ),
        }
    }

    /// Hands the acknowledgements storage sent to their writers, and, after
    /// an event that may have changed the quorum itself
    /// (`quorum_may_change`), has every writer recompute its wake-ups;
    /// then every writer queues as events the wake-ups that may be news
    /// (`compute::inbox`).
    #[inline]
    fn deliver_acks(&mut self, quorum_may_change: bool) {
        let volume = &self.storage.volume;
        if !self.storage.acks.is_empty() {
            self.compute.post_acks(volume, &mut self.storage.acks);
        }
        if quorum_may_change {
            self.compute.rewake(volume);
        }
        if self.compute.rechecks() {
            let cx = &mut Ctx::new(
                &self.cfg,
                &mut self.engine,
                &mut self.net,
                &mut self.rec,
                &mut self.notes,
                &mut self.orders,
            );
            self.compute.promote_wakes(cx);
        }
    }

    /// Carries out the orders the last handler gave, in the order given;
    /// the orders an order gives are carried out before the next one, as
    /// a call would be.
    #[inline]
    fn carry_out_orders(&mut self) {
        if self.orders.is_empty() {
            return;
        }
        let mut pending = std::mem::take(&mut self.orders);
        pending.reverse();
        while let Some(order) = pending.pop() {
            self.carry_out(order);
            // What this order gave comes next, in the order given.
            pending.extend(self.orders.drain(..).rev());
        }
    }

    /// Hands one order to the actor that carries it out.
    fn carry_out(&mut self, order: Order) {
        let World {
            engine,
            cfg,
            net,
            rec,
            notes,
            orders,
            storage,
            compute,
            control,
            dns,
            clients,
            callers,
            proxy,
            global,
            ..
        } = self;
        let cx = &mut Ctx::new(cfg, engine, net, rec, notes, orders);
        let global = global.as_mut();
        let global = || global.expect("region orders need a global database");
        match order {
            Order::RegionDark { region, dark } => global().set_dark(cx, region, dark),
            Order::RegionCut { region, cut } => global().set_cut(cx, region, cut),
            Order::RegionSlowness { region, factor, on } => {
                global().set_slowness(cx, region, factor, on);
            }
            Order::PromoteRegion {
                fault,
                region,
                switchover,
            } => {
                let global = global();
                let why = global
                    .refusal(cx, region, switchover)
                    .or_else(|| control.region_refusal(switchover));
                if let Some(why) = why {
                    control.refused.push((fault, why.to_owned()));
                    return;
                }
                if switchover {
                    let sight = Sight {
                        instances: &compute.instances,
                        volume: &storage.volume,
                    };
                    control.begin_switchover(cx, sight);
                }
                global.begin(cx, fault, region, switchover);
            }
            Order::RegionPromoted {
                region,
                upto,
                switchover,
            } => {
                // The new writer resumes beyond anything the old primary's
                // writers could have allocated.
                let resume = storage::recovery::resume_point(
                    compute.writers.last_points().vdl().max(upto),
                    &storage.truncations,
                    (
                        cx.cfg.storage.lsn_allocation_limit,
                        u64::from(cx.cfg.workload.records_per_commit),
                    ),
                );
                let fence = compute.writers.latest_epoch + 1;
                let added = storage.rehome(&cx.cfg.topology, (region, upto), (fence, resume));
                for _ in 0..added {
                    compute.segment_added();
                }
                let tails = &storage.truncations.last().expect("just recorded").tails;
                compute.fail_forwarded(cx, callers, None);
                compute.region_promoted(cx, region, upto, tails);
                cx.note(Note::RegionPromoted {
                    upto,
                    allow_loss: !switchover,
                });
                let sight = Sight {
                    instances: &compute.instances,
                    volume: &storage.volume,
                };
                control.region_promoted(cx, sight, (region, switchover));
            }
            Order::CommitsHeld { held } => {
                let around = Surroundings {
                    volume: &storage.volume,
                    callers,
                };
                compute.hold_commits(cx, around, held);
            }
            Order::Promote {
                inst,
                boot,
                replace_in,
            } => compute.promote(cx, inst, boot, replace_in),
            Order::Restart { inst } => compute.restart(cx, inst),
            Order::AddReplica { inst, az, after } => compute.add_replica(cx, inst, az, after),
            Order::RemoveReplica { inst } => compute.remove_replica(cx, inst),
            Order::StopForSwitchover { green, until } => {
                compute.stop_for_switchover(cx, green, until);
            }
            Order::TakeOver { inst } => compute.take_over(cx, &storage.volume, inst),
            Order::Maintain {
                inst,
                fault,
                action,
            } => compute.maintain(cx, inst, fault, action),
            Order::AbandonReplacement { inst } => compute.abandon_replacement(inst),
            Order::HostFault { inst, down } => compute.host_fault(cx, inst, down),
            Order::SegmentAdded => compute.segment_added(),
            Order::ConnectionsReset { inst } => {
                let instances = &compute.instances[..];
                client::reset_waiting(cx, (clients, callers), instances, inst);
                proxy.reset(cx, instances, inst);
                compute.fail_forwarded(cx, callers, Some(inst));
            }
            Order::ReaderEndpoint { region, readers } => {
                let delay = dns.update_delay(&cx.cfg.dns);
                let record = &mut dns.readers[region.0 as usize];
                record.set(cx.now(), readers, delay, &cx.cfg.dns);
            }
            Order::CustomEndpoint { endpoint, hosts } => {
                let record = &mut dns.custom[endpoint];
                // Only a change is drawn for, so that a scenario without
                // custom endpoints draws as it always did.
                if record.latest() != hosts.as_slice() {
                    let delay = dns.update_delay(&cx.cfg.dns);
                    dns.custom[endpoint].set(cx.now(), hosts, delay, &cx.cfg.dns);
                }
            }
            Order::ClusterEndpoint { writer, report } => {
                let now = cx.now();
                let delay = dns.update_delay(&cx.cfg.dns);
                let visible = dns.cluster.set(now, vec![writer], delay, &cx.cfg.dns);
                if report {
                    let at = visible.unwrap_or(now);
                    cx.order(Order::ClusterVisible { at });
                }
            }
            Order::NodeFault { node, down } => storage.node_down(cx, node, down),
            Order::NodeSlowness { node, factor } => {
                storage.volume.nodes[node.index()].slowness = factor;
            }
            Order::Truncate(t) => storage.truncations.push(t),
            Order::QuorumHealth => storage.record_quorum_health(cx, &compute.hosts()),
            order => {
                let sight = Sight {
                    instances: &compute.instances,
                    volume: &storage.volume,
                };
                control.carry_out(cx, sight, order);
            }
        }
    }

    /// Closes the timeline bin that ends now.
    fn close_bin(&mut self) {
        let hosts = self.compute.hosts();
        let writers = &self.compute.writers;
        let waiting = writers.current.waiting();
        let vdl = writers.last_points().vdl().0;
        let writer = hosts
            .current_writer_open()
            .then_some(writers.current.instance.0);
        let lag: Vec<u64> = self
            .compute
            .instances
            .iter_mut()
            .map(|i| std::mem::take(&mut i.lag_bin_max))
            .collect();
        let (disk, nic) = self.storage.node_use(self.engine.now());
        self.rec.node_use(disk, nic);
        let now = self.engine.now();
        let width = now.since(self.bin_start).as_secs_f64();
        let cpu = self
            .compute
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
        let connections = self
            .compute
            .instances
            .iter()
            .map(|i| i.connections)
            .collect();
        self.rec.close_bin(
            self.bin_start,
            waiting,
            vdl,
            &lag,
            writer,
            (cpu, connections, self.compute.capacities()),
        );
        self.bin_start = self.engine.now();
    }

    // ----- a read-only view for observers ---------------------------------

    /// Whether a global database's switchover is waiting for every region
    /// to be synchronised, the writer stopped by plan.
    pub(crate) fn switching(&self) -> bool {
        self.global.as_ref().is_some_and(Global::switching)
    }

    /// With a global database: the oldest point of the log every
    /// reachable secondary stores.
    pub(crate) fn replication_floor(&self) -> Option<Lsn> {
        self.global.as_ref().and_then(Global::floor)
    }

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
    pub(crate) fn writers(&self) -> impl Iterator<Item = &Writer> {
        self.compute.writers.iter()
    }

    /// The writer of the newest epoch.
    pub(crate) fn current_writer(&self) -> &Writer {
        &self.compute.writers.current
    }

    /// Whether the newest epoch's writer runs and takes commits.
    pub fn writer_open(&self) -> bool {
        self.compute.hosts().current_writer_open()
    }

    /// Replica auto scaling's state, when a policy is attached.
    pub(crate) fn autoscaling(&self) -> Option<&ReplicaAutoScaling> {
        self.autoscaling.as_ref()
    }

    /// The DB instances, in scenario order.
    pub(crate) fn instances(&self) -> &[Instance] {
        &self.compute.instances
    }

    /// Storage: nodes, segments and protection groups.
    pub(crate) fn volume(&self) -> &storage::volume::Volume {
        &self.storage.volume
    }

    /// The network, to ask what is reachable.
    pub(crate) fn network(&self) -> &Network {
        &self.net
    }

    /// Why the cluster refused fault `id` (a requested failover), if it did.
    pub(crate) fn refused(&self, id: u32) -> Option<&str> {
        let refused = &self.control.refused;
        refused.iter().find(|r| r.0 == id).map(|r| r.1.as_str())
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
    /// Takes the trace, leaving one that digests and writes nowhere.
    pub(crate) fn take_trace(&mut self) -> Trace {
        std::mem::take(&mut self.trace)
    }

    pub(crate) fn finish_trace(&mut self) -> std::io::Result<()> {
        self.trace.finish()
    }

    /// The measurements the actors made.
    pub(crate) fn recorder(&self) -> &Recorder {
        &self.rec
    }

    /// The timeline's rows, taken out of the recorder (a long timeline is
    /// never held twice).
    pub(crate) fn take_timeline(&mut self) -> Vec<metrics::TimelineRow> {
        self.rec.take_rows()
    }

    /// Commits the application offered: open-loop arrivals, and the
    /// write requests clients sent.
    pub(crate) fn commits_offered(&self) -> u64 {
        self.workload.open_loop + self.rec.write_requests
    }

    /// Commits that arrived at an open writer, or open-loop while none
    /// was.
    pub(crate) fn commits_arrived(&self) -> u64 {
        self.workload.arrived
    }

    /// The LSN points of the newest writer that had any.
    pub(crate) fn last_points(&self) -> &LsnPoints {
        self.compute.writers.last_points()
    }

    /// The newest volume epoch.
    pub fn latest_epoch(&self) -> u32 {
        self.compute.writers.latest_epoch
    }

    /// The instance that is the writer of the newest epoch, by name, and
    /// that epoch. It may still be recovering: [`World::writer_open`] says
    /// whether it takes commits.
    pub fn writer(&self) -> (&str, u32) {
        let w = &self.compute.writers.current;
        (&self.config().instances[w.instance.index()].name, w.epoch)
    }

    /// Every failover, in the order they began, with the model's time for
    /// the end of each step.
    pub(crate) fn failovers(&self) -> &[control::FailoverRecord] {
        &self.control.failovers
    }

    /// Each instance's part in every planned engine patch, in order.
    pub(crate) fn patches(&self) -> &[compute::patch::PatchRecord] {
        &self.compute.patches.records
    }

    /// Storage-watchdog failovers the control plane declined (no reader
    /// could write).
    pub(crate) fn watchdog_failovers_declined(&self) -> u32 {
        self.control.watchdog_declined
    }

    /// The application clients, in scenario order.
    pub(crate) fn clients(&self) -> &[Client] {
        &self.clients
    }

    /// Each storage node's load over the run and the repair bytes it moved.
    pub(crate) fn node_loads(&self) -> Vec<metrics::NodeUse> {
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
        let points = self.compute.writers.last_points().clone();
        let records = u64::from(self.cfg.workload.records_per_commit);
        let now = self.engine.now();
        // A region promoted after the last recovery holds the log up to
        // its promotion point: that is what a recovery now must find.
        let epoch = self.compute.writers.last_recovered().epoch;
        let promoted = self
            .storage
            .truncations
            .last()
            .filter(|t| t.epoch > epoch)
            .cloned();
        let needed = |pg: crate::vocab::ids::PgId| match &promoted {
            Some(t) => t.tails[pg.index()],
            None => points.last_record_below_vdl(pg),
        };
        let vdl = promoted.as_ref().map_or(points.vdl(), |t| t.vdl);
        let volume = &mut self.storage.volume;
        let surviving = |v: &Volume, s: SegmentId| {
            let seg = &v.segments[s.index()];
            seg.hydrated && !lost[seg.node.index()]
        };
        let recoverable = recoverable_vdl(volume, (vdl, &needed), records, now, surviving);
        let available = recoverable_vdl(volume, (vdl, &needed), records, now, Volume::is_live);
        (recoverable, available)
    }
}

/// Client `c` and what its handlers use: the instances it reaches and
/// the pools.
fn client<'a>(
    clients: &'a mut [Client],
    pools: &'a mut [Pool],
    instances: &'a [Instance],
    c: ClientId,
) -> (&'a mut Client, ClientEnv<'a, [Instance]>) {
    (&mut clients[c.index()], ClientEnv { instances, pools })
}
