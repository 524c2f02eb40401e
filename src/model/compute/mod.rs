//! The DB instances: each a host (which crashes, or is lost with its AZ)
//! running a database process (which restarts: on a reboot, a promotion,
//! or when a fenced writer steps down), as a reader or as the writer.
//! Clients hold connections to a process; a process that exits while its
//! host survives resets them, a host that dies leaves them waiting on
//! their own timeouts (\[UG\], \[KC\]).
//!
//! [`Compute`] is the instances' arena and their handlers. It decides
//! nothing about failover: the control plane ([`super::control`]) orders a
//! promotion or a restart, and hears back through orders when a target's
//! process has started, recovered and opened.
//!
//! * [`instance`]: one instance as every actor may see it.
//! * [`writer`]: the writer's commit path, LSN bookkeeping and reads.
//! * [`inbox`]: the segments' acknowledgements on their way to a writer,
//!   and the one wake-up per PG that moves its PGCL.
//! * [`recovery`]: the new writer's storage recovery — a read quorum of
//!   every PG, the recovered VDL, truncation, a new volume epoch.
//! * [`replica`]: the redo stream to readers, their measured lag, and the
//!   reads they serve.
//! * [`forward`]: a global database's secondary readers, which follow
//!   their region's storage and forward writes to the primary's writer.
//! * [`bluegreen`]: a blue/green deployment's green environment, its
//!   writer following the cluster by replication, and the switchover.
//! * [`mod@patch`]: planned events on one instance — a plain restart, an
//!   operating-system update, or zero-downtime patching's quiet point and
//!   restart under open connections.
//! * [`class`], [`server`], [`cache`]: what an instance class gives — its
//!   CPU capacity and its buffer cache.
//! * [`serverless`]: Aurora Serverless v2 capacity following the load,
//!   the readers of tiers 0 and 1 following the writer, auto-pause and
//!   resume.

pub mod bluegreen;
pub mod cache;
pub mod class;
pub mod forward;
pub mod inbox;
pub mod instance;
pub mod patch;
pub mod recovery;
pub mod replica;
pub mod server;
pub mod serverless;
pub mod writer;

use super::answer::{answer_client, answer_client_at, Ask, Caller, Callers};
use super::context::Ctx;
use super::event::{AckInFlight, Answer, Asker, Event, ReadAnswer, Redo};
use super::network::Endpoint;
use super::order::{Maintenance, Order};
use super::routes::Routes;
use super::storage::lsn::Lsn;
use super::storage::recovery::Truncation;
use super::storage::volume::Volume;
use super::workload::Workload;
use crate::model::config::{Config, CustomEndpoint, FaultKind, RegionId};
use crate::sim::{Place, SimDuration, SimTime};
use crate::vocab::ids::{AzId, ClientId, InstanceId, PgId};
use crate::vocab::ClientError;
use instance::Replica;
use instance::{outside_production, Boot, HeldConnect, Instance, Process, Role, StartDraw};
use patch::{PatchOutcome, Zdp};
use recovery::{Recovery, Writing};
use replica::Reader;
use server::Server;
use writer::{Hosts, Writer, WriterEnv, Writers};

/// The instances, their machines, the writers they run and the newest
/// writer's recovery.
#[derive(Clone, Debug)]
pub(crate) struct Compute {
    /// DB instances, in scenario order.
    pub instances: Vec<Instance>,
    /// Every instance's machine: CPU and buffer cache.
    pub servers: Vec<Server>,
    /// The writers of every epoch that may still act.
    pub writers: Writers,
    /// The newest writer's recovery, while it runs.
    pub recovery: Option<Recovery>,
    /// Planned engine patches: zero-downtime patching's state on each
    /// instance and every instance's part in every patch.
    pub patches: patch::Patches,
    /// The region whose cluster writes: the primary's, until a global
    /// database promotes another.
    pub region: RegionId,
    /// By region: the point of the log its storage last stored, where a
    /// secondary reader starting there begins to read.
    pub region_points: Vec<Lsn>,
    /// A blue/green switchover under way.
    pub switchover: Option<Switchover>,
    /// Whether a blue/green switchover has made green the cluster.
    pub switched: bool,
    /// A green writer taking over, whose engine need not rebuild or open.
    pub warm: Option<InstanceId>,
    /// When the green writer will have applied what it received.
    pub green_applied: SimTime,
    /// Connections waiting for a paused instance to resume.
    pub held: Vec<(InstanceId, HeldConnect)>,
}

/// A switchover under way.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Switchover {
    /// When it is rolled back if green has not caught up.
    pub until: SimTime,
    /// The green writer.
    pub green: InstanceId,
}

/// What the instances read of the rest of the world: storage's volume
/// (which copies they reach) and where each client is.
#[derive(Clone, Copy)]
pub(crate) struct Surroundings<'a> {
    /// Storage's nodes, segments and protection groups.
    pub volume: &'a Volume,
    /// Each client's network end and whether it reads.
    pub callers: &'a Callers,
}

impl Compute {
    /// The routing view.
    pub fn hosts(&self) -> Hosts<'_> {
        Hosts::new(&self.writers, &self.instances)
    }

    /// Whether `inst` reaches a read quorum of every PG: what it needs to
    /// serve reads, and to recover the volume as a writer.
    fn reaches_storage(&self, cx: &Ctx, volume: &Volume, inst: InstanceId) -> bool {
        volume.reaches_read_quorum(cx.net(), self.hosts().instance(inst))
    }

    /// Runs `f` on the writer of `epoch`, if its process still runs.
    pub fn with_writer<R>(
        &mut self,
        epoch: u32,
        around: Surroundings,
        f: impl FnOnce(&mut Writer, &mut WriterEnv) -> R,
    ) -> Option<R> {
        let w = self.writers.running_mut(epoch, &self.instances)?;
        let mut env = WriterEnv {
            volume: around.volume,
            instances: &self.instances,
            callers: around.callers,
            servers: &mut self.servers,
        };
        Some(f(w, &mut env))
    }

    /// The RPO guard holds or releases commits: the newest writer's, and
    /// those of any writer that takes over while it holds.
    pub(crate) fn hold_commits(&mut self, cx: &mut Ctx, around: Surroundings, held: bool) {
        let env = WriterEnv {
            volume: around.volume,
            instances: &self.instances,
            callers: around.callers,
            servers: &mut self.servers,
        };
        self.writers.held = held;
        self.writers.current.hold_commits(cx, &env, held);
    }

    /// Hands each acknowledgement storage sent to the writer of its epoch,
    /// if that writer still runs.
    pub(crate) fn post_acks(&mut self, volume: &Volume, acks: &mut Vec<AckInFlight>) {
        for ack in acks.drain(..) {
            if let Some(w) = self.writers.running_mut(ack.epoch, &self.instances) {
                w.post_ack(volume, ack);
            }
        }
    }

    /// Every writer takes in the acknowledgements that arrive before
    /// `before` in the order of events.
    #[inline]
    pub(crate) fn settle_acks(&mut self, volume: &Volume, before: Place) {
        for w in self.writers.iter_mut() {
            w.settle_acks(volume, before);
        }
    }

    /// Every writer settles its wake-ups without an event placed before
    /// `before` (`inbox`).
    #[inline]
    pub(crate) fn settle_wakes(&mut self, volume: &Volume, before: Place) {
        // Called before every event: the current writer is looked at
        // without an iterator, and deposed writers are rare.
        let (instances, writers) = (&self.instances, &mut self.writers);
        writers.current.settle_wakes(volume, instances, before);
        for w in &mut writers.deposed {
            w.settle_wakes(volume, instances, before);
        }
    }

    /// Whether some writer may have wake-ups to queue as events.
    #[inline]
    pub(crate) fn rechecks(&self) -> bool {
        let w = &self.writers;
        w.current.recheck || w.deposed.iter().any(|d| d.recheck)
    }

    /// Every writer queues as events the wake-ups that may be news.
    pub(crate) fn promote_wakes(&mut self, cx: &mut Ctx) {
        for w in self.writers.iter_mut() {
            w.promote_wakes(cx);
        }
    }

    /// The quorum itself may have changed: every writer recomputes when
    /// an acknowledgement in flight will move a PGCL.
    pub(crate) fn rewake(&mut self, volume: &Volume) {
        for w in self.writers.iter_mut() {
            w.rewake(volume);
        }
    }

    /// The group-commit tick: the commits the workload offered in the
    /// interval arrive spread over it, the writer admits and ships them,
    /// the workload's reads are issued, and readers hear of a moved VDL.
    pub fn on_group_commit(&mut self, cx: &mut Ctx, wl: &mut Workload, around: Surroundings) {
        let now = cx.now();
        let interval = cx.cfg.workload.group_commit_interval;
        cx.after(interval, Event::GroupCommit);
        // A tick offers what arrived in the interval before it: at time
        // zero nothing has yet.
        if now == SimTime::ZERO {
            return;
        }
        let open = self.hosts().current_writer_open();
        let writer = &mut self.writers.current;
        let n = wl.offer_commits();
        if !open {
            if wl.wants_writes() {
                cx.rec.refused_writes(now, interval, n);
            }
            if wl.offers_reads() {
                cx.rec.refused_reads(now, interval);
            }
            return;
        }
        if self.switchover.is_some() {
            // A switchover has stopped new writes: what arrives is
            // refused, while what was admitted completes.
            if wl.wants_writes() {
                cx.rec.refused_writes(now, interval, n);
            }
        } else {
            for _ in 0..n {
                let arrival = wl.arrival(now, interval);
                writer.backlog.push_back((arrival, None));
            }
        }
        let paused = writer.paused;
        let env = &mut WriterEnv {
            volume: around.volume,
            instances: &self.instances,
            callers: around.callers,
            servers: &mut self.servers,
        };
        writer.admit_commits(cx, env, wl);
        if paused {
            // Zero-downtime patching holds new work: reads offered at the
            // writer find it restarting.
            if wl.offers_reads() {
                cx.rec.refused_reads(now, interval);
            }
        } else {
            for _ in 0..wl.offer_reads() {
                writer.issue_read(cx, env, wl);
            }
        }
        writer.ship(cx, env);
        writer.stream_to_readers(cx, env.instances);
    }

    /// The maintenance timer: housekeeping of every running writer, the
    /// current one and any deposed one that has not yet learned of its
    /// successor. `healthy`: the control plane sees no outage of the
    /// writer.
    pub fn on_maintenance(&mut self, cx: &mut Ctx, around: Surroundings, healthy: bool) {
        cx.after(cx.cfg.workload.write_retry_interval, Event::Maintenance);
        let epochs: Vec<u32> = self
            .writers
            .iter()
            .filter(|w| w.open)
            .map(|w| w.epoch)
            .collect();
        for epoch in epochs {
            self.with_writer(epoch, around, |w, env| w.maintenance(cx, env, healthy));
        }
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
    pub fn on_health_probe(&self, cx: &mut Ctx, volume: &Volume, inst: InstanceId, seq: u32) {
        let i = &self.instances[inst.index()];
        if !i.host_up() || i.process == Process::Stopped {
            return;
        }
        let now = cx.now();
        let at = self.hosts().instance(inst);
        let stalled_since = match i.role {
            Role::Reader | Role::Secondary | Role::Green | Role::Retired | Role::Absent => None,
            Role::Writer => self
                .writers
                .writer_on(inst, &self.instances)
                .and_then(|w| w.io_stalled_since(now, cx.cfg.control.io_watchdog)),
        };
        let writes = match i.role {
            Role::Reader | Role::Secondary | Role::Green | Role::Retired | Role::Absent => {
                volume.reaches_write_quorum(cx.net(), at)
            }
            Role::Writer => stalled_since.is_none(),
        };
        let cut_off = match i.role {
            Role::Reader | Role::Secondary | Role::Green | Role::Retired | Role::Absent => {
                i.running() && !self.reaches_storage(cx, volume, inst)
            }
            // Slow storage is waited for; storage out of reach is not.
            Role::Writer => {
                self.recovery
                    .as_ref()
                    .is_some_and(|r| self.writers.current.instance == inst && r.stalled(now))
                    && !self.reaches_storage(cx, volume, inst)
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
            Event::HealthReply {
                inst,
                seq,
                writes,
                stalled_since,
            },
        );
    }

    /// A connection attempt reaches an instance: a running database
    /// accepts, once its processors have done the work of a new
    /// connection (`cpu_per_connect`: a TLS handshake, authentication, a
    /// session), unless it holds `max_connections` already; a host without
    /// one refuses, a dead host says nothing, and nothing answers at the
    /// address of a host that was replaced. The answer goes to `reply_to`.
    pub fn on_connect(
        &mut self,
        cx: &mut Ctx,
        (asker, reply_to): (Asker, Endpoint),
        seq: u32,
        inst: InstanceId,
        address: u32,
    ) {
        let now = cx.now();
        let i = &mut self.instances[inst.index()];
        if !i.answers_clients() || i.address != address {
            return;
        }
        let held = HeldConnect {
            asker,
            reply_to,
            seq,
            address,
        };
        if self.hold_for_resume(cx, inst, held) {
            return;
        }
        let switching = self.switching(cx, inst);
        let i = &mut self.instances[inst.index()];
        let (at, accepted) = if !i.running() || switching {
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
        cx.send(at, self.hosts().instance(inst), reply_to, reply);
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
    pub fn on_ping(
        &self,
        cx: &mut Ctx,
        callers: &Callers,
        caller: Caller,
        inst: InstanceId,
        incarnation: u32,
    ) {
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
        let from = self.hosts().instance(inst);
        answer_client_at(cx, at, from, callers, caller, answer);
    }

    /// Who is the writer, as a running instance that reaches storage
    /// reads it from the volume's metadata (`aurora_replica_status`,
    /// `information_schema.replica_host_status`): the newest epoch's
    /// writer once it is open for writes, else none. The answer goes to
    /// `reply_to`.
    pub fn on_topology_query(
        &self,
        cx: &mut Ctx,
        volume: &Volume,
        (asker, reply_to): (Asker, Endpoint),
        seq: u32,
        inst: InstanceId,
    ) {
        let i = &self.instances[inst.index()];
        if !i.answers_clients()
            || !i.running()
            || matches!(i.role, Role::Secondary | Role::Green)
            || !self.reaches_storage(cx, volume, inst)
        {
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
        let at = self.servers[inst.index()].idle_at(cx.now());
        cx.send(at, hosts.instance(inst), reply_to, reply);
    }

    /// A request reaches an instance: a reader answers reads, the writer
    /// (or a deposed one that does not know yet) takes commits, and the
    /// answer comes when VDL passes them.
    pub fn on_request(
        &mut self,
        cx: &mut Ctx,
        wl: &mut Workload,
        around: Surroundings,
        caller: Caller,
        to: (InstanceId, u32),
    ) {
        let now = cx.now();
        self.take_request(cx, wl, around, caller, to, now);
    }

    /// A request that reached an instance at `arrived` (earlier than now
    /// if zero-downtime patching held it) is taken.
    fn take_request(
        &mut self,
        cx: &mut Ctx,
        wl: &mut Workload,
        around: Surroundings,
        caller: Caller,
        (inst, incarnation): (InstanceId, u32),
        arrived: SimTime,
    ) {
        let i = &self.instances[inst.index()];
        if !i.answers_clients() {
            return;
        }
        let c = caller.client;
        let answer = if !i.running() || i.incarnation != incarnation || self.switching(cx, inst) {
            Answer::Failed(ClientError::Reset)
        } else if self.patches.hold(inst, caller, arrived) {
            return;
        } else if around.callers.ask(c) == Ask::Read {
            let load = (wl, around.volume, around.callers);
            return self.reader(inst).serve_read(cx, load, c, caller.seq);
        } else if let (Ask::Forward(consistency), None, Role::Secondary) =
            (around.callers.ask(c), caller.via, i.role)
        {
            return self.forward(cx, caller, inst, consistency);
        } else if let Some(epoch) = self.writers.running_on(inst, &self.instances) {
            let commit = |w: &mut Writer, env: &mut WriterEnv| {
                w.take_commit(cx, env, wl, caller, arrived);
            };
            self.with_writer(epoch, around, commit);
            return;
        } else {
            Answer::Failed(ClientError::ReadOnly)
        };
        let from = self.hosts().instance(inst);
        answer_client(cx, from, around.callers, caller, answer);
    }

    /// `inst` as a reader: its stream state, its machine, and the writer
    /// running on it, if one is.
    fn reader(&mut self, inst: InstanceId) -> Reader<'_> {
        Reader {
            inst,
            writer: self.writers.writer_on(inst, &self.instances),
            instance: &mut self.instances[inst.index()],
            server: &mut self.servers[inst.index()],
        }
    }

    /// A shipment of the redo stream reaches a reader; one that has
    /// fallen too far behind restarts.
    pub fn on_redo(&mut self, cx: &mut Ctx, wl: &Workload, inst: InstanceId, redo: &Redo) {
        if self.instances[inst.index()].role == Role::Green {
            return self.green_apply(cx, inst, redo);
        }
        if self.reader(inst).on_redo(cx, wl, redo) {
            self.start_process(cx, inst, Boot::Restart, false);
        }
    }

    /// A segment answers a reader's storage read.
    pub fn on_replica_read_reply(
        &mut self,
        cx: &mut Ctx,
        wl: &Workload,
        around: Surroundings,
        inst: InstanceId,
        answer: ReadAnswer,
    ) {
        let load = (wl, around.volume, around.callers);
        self.reader(inst).on_read_reply(cx, load, answer);
    }

    /// A copy in its region answers a secondary reader's storage read.
    pub fn on_region_read_reply(
        &mut self,
        cx: &mut Ctx,
        callers: &Callers,
        inst: InstanceId,
        (read, attempt): (u32, u32),
    ) {
        self.reader(inst)
            .on_page(cx, callers, ClientId(read), attempt);
    }

    /// Storage refused a batch of `epoch`: its writer steps down.
    pub fn on_fenced(&mut self, cx: &mut Ctx, epoch: u32) {
        let stale = self
            .writers
            .deposed
            .iter()
            .find(|w| w.epoch == epoch && w.alive(&self.instances))
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
    fn start_process(
        &mut self,
        cx: &mut Ctx,
        inst: InstanceId,
        boot: Boot,
        fenced: bool,
    ) -> StartDraw {
        if self.instances[inst.index()].process == Process::Running && !fenced {
            cx.order(Order::ConnectionsReset { inst });
        }
        self.patch_overtaken(inst);
        self.servers[inst.index()].restart(cx.now());
        // A paused instance that starts resumes as it starts, and one whose
        // host was lost takes up its capacity again; connections that
        // waited for a resume belong to the process that was, and are
        // refused.
        let was_paused = self.instances[inst.index()].paused();
        self.unpause(cx, inst, cx.now());
        self.restore_capacity(cx, inst, cx.now());
        self.refuse_held(cx, inst);
        if was_paused {
            self.resume_group_with(cx, inst);
        }
        let i = &mut self.instances[inst.index()];
        let draw = match boot {
            Boot::Restart => StartDraw::new(&cx.cfg.control.start, i),
            Boot::Provision(d) => StartDraw {
                stop: SimDuration::ZERO,
                engine: d,
            },
            Boot::OsUpdate(d) => {
                let draw = StartDraw::new(&cx.cfg.control.start, i);
                StartDraw {
                    engine: draw.engine + d,
                    ..draw
                }
            }
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

    /// The control plane's order: `inst` becomes the writer and its
    /// process starts (on a new host in `replace_in`, if its own is gone).
    pub fn promote(
        &mut self,
        cx: &mut Ctx,
        inst: InstanceId,
        boot: Boot,
        replace_in: Option<AzId>,
    ) {
        let i = &mut self.instances[inst.index()];
        if replace_in.is_some() {
            i.replacing = replace_in;
        }
        i.role = Role::Writer;
        let draw = self.start_process(cx, inst, boot, false);
        let stopped = cx.now() + draw.stop;
        cx.order(Order::TargetStarting { inst, stopped });
    }

    /// `inst`'s host is gone: its memory, its queued work and, for an
    /// Aurora Serverless v2 instance, its capacity until a process runs
    /// again.
    fn lose_host(&mut self, inst: InstanceId, now: SimTime) {
        self.servers[inst.index()].lose_host(now);
        self.capacity_lost(inst, now);
    }

    /// The control plane's order: `inst`'s process restarts on its host.
    /// An instance that does not exist has no process to restart.
    pub fn restart(&mut self, cx: &mut Ctx, inst: InstanceId) {
        if self.instances[inst.index()].role != Role::Absent {
            self.start_process(cx, inst, Boot::Restart, false);
        }
    }

    /// Replica auto scaling's order: reader `inst` is created in `az`,
    /// of the writer's class now, and starts once its creation time
    /// `after` has passed.
    pub fn add_replica(&mut self, cx: &mut Ctx, inst: InstanceId, az: AzId, after: SimDuration) {
        let now = cx.now();
        let writer = &self.instances[self.writers.current.instance.index()];
        let (class, spec) = (writer.class.clone(), writer.spec);
        let i = &mut self.instances[inst.index()];
        if i.role != Role::Absent || i.process != Process::Stopped {
            return;
        }
        (i.class, i.spec, i.az) = (class, spec, az);
        i.address += 1;
        i.host_faults = u32::from(!cx.net().az_up(az));
        let pages = page_and_working_set(cx.cfg);
        self.servers[inst.index()].new_host(spec.capacity(), pages, now);
        self.start_process(cx, inst, Boot::Provision(after), false);
    }

    /// Replica auto scaling's order: reader `inst` is deleted. Its
    /// connections go with it.
    pub fn remove_replica(&mut self, cx: &mut Ctx, inst: InstanceId) {
        let now = cx.now();
        let i = &mut self.instances[inst.index()];
        if i.role == Role::Absent {
            return;
        }
        i.stop();
        i.role = Role::Absent;
        self.patch_overtaken(inst);
        self.lose_host(inst, now);
        self.refresh_reader_dns(cx);
        self.refresh_custom_dns(cx);
    }

    /// The control plane's order: planned event `fault` reaches `inst`.
    pub fn maintain(&mut self, cx: &mut Ctx, inst: InstanceId, fault: u32, action: Maintenance) {
        let now = cx.now();
        match action {
            Maintenance::Patch { zero_downtime } => self.patch(cx, inst, fault, zero_downtime),
            Maintenance::UpdateOs => self.update_os(cx, inst, fault),
            Maintenance::Move => self.move_host(cx, inst, fault),
            Maintenance::Wait => {
                (self.patches).reached(inst, fault, now, PatchOutcome::Waiting);
            }
            Maintenance::Skip(why) => {
                (self.patches).reached(inst, fault, now, PatchOutcome::Skipped(why));
            }
        }
    }

    /// `inst` is patched, with zero-downtime patching ([`mod@patch`]) or by a
    /// plain restart; a second zero-downtime patch while one is under way
    /// there leaves it to the first.
    fn patch(&mut self, cx: &mut Ctx, inst: InstanceId, fault: u32, zero_downtime: bool) {
        let now = cx.now();
        if !zero_downtime {
            (self.patches).reached(inst, fault, now, PatchOutcome::Restarted);
            self.restart(cx, inst);
            return;
        }
        let until = now + cx.cfg.engine.zdp_quiet_wait;
        if self.patches.begin(inst, fault, now, until) {
            self.pause_writer(inst, true);
            self.look_for_quiet(cx, inst, until);
        } else {
            let why = PatchOutcome::Skipped("a patch was already under way");
            self.patches.reached(inst, fault, now, why);
        }
    }

    /// `inst`'s operating system is updated. Its process stops (its
    /// connections reset), its host reboots (its memory, and the buffer
    /// cache with it, is gone) and its database starts once the update is
    /// done.
    fn update_os(&mut self, cx: &mut Ctx, inst: InstanceId, fault: u32) {
        let now = cx.now();
        (self.patches).reached(inst, fault, now, PatchOutcome::Updated);
        let update = cx.cfg.control.os_update_time;
        self.start_process(cx, inst, Boot::OsUpdate(update), false);
        self.lose_host(inst, now);
    }

    /// Zero-downtime patching's next step on `inst`, if it is still the
    /// process the step was for: a quiescing engine looks again for its
    /// quiet point; a restarted one takes the requests it held, in the
    /// order they came.
    pub fn on_patch(
        &mut self,
        cx: &mut Ctx,
        wl: &mut Workload,
        around: Surroundings,
        (inst, incarnation): (InstanceId, u32),
    ) {
        if self.instances[inst.index()].incarnation != incarnation {
            return;
        }
        match self.patches.zdp(inst) {
            Some(Zdp::Quiescing { until }) => self.look_for_quiet(cx, inst, until),
            Some(Zdp::Restarting) => {
                self.pause_writer(inst, false);
                for (caller, arrived) in self.patches.resumed(inst, cx.now()) {
                    self.take_request(cx, wl, around, caller, (inst, incarnation), arrived);
                }
            }
            None => {}
        }
    }

    /// `inst` serves again at `now`: the control plane hears when that
    /// ends its part in an operating-system update or a class change.
    fn planned_back(&mut self, cx: &mut Ctx, inst: InstanceId, now: SimTime) {
        let back = self.patches.back(inst, now);
        if let Some(r) =
            back.filter(|r| matches!(r.outcome, PatchOutcome::Updated | PatchOutcome::Moved))
        {
            cx.order(Order::Done {
                inst,
                fault: r.fault,
            });
        }
    }

    /// The database of `inst` moves to the new host of the class planned
    /// event `fault` names: its process stops and starts there, with the
    /// class's CPUs, memory and connection limit, an empty cache and a new
    /// address (AWS knowledge center, rds-performance-impact: "a new Amazon EC2 host is
    /// created … the existing host's database will be shut down … Your
    /// database is then restarted").
    fn move_host(&mut self, cx: &mut Ctx, inst: InstanceId, fault: u32) {
        let now = cx.now();
        let FaultKind::ClassChange { class, spec, .. } = &cx.cfg.faults[fault as usize].kind else {
            return;
        };
        (self.patches).reached(inst, fault, now, PatchOutcome::Moved);
        let i = &mut self.instances[inst.index()];
        i.class = class.clone();
        i.spec = *spec;
        i.address += 1;
        let pages = page_and_working_set(cx.cfg);
        (self.servers[inst.index()]).new_host(spec.capacity(), pages, now);
        self.start_process(cx, inst, Boot::Restart, false);
    }

    /// Restarts the engine under open connections if nothing is in
    /// flight; restarts plainly if the wait, until `until`, has run out;
    /// else looks again shortly.
    fn look_for_quiet(&mut self, cx: &mut Ctx, inst: InstanceId, until: SimTime) {
        let now = cx.now();
        let incarnation = self.instances[inst.index()].incarnation;
        let next = if self.quiet(inst, now) {
            let i = &mut self.instances[inst.index()];
            self.patches.restarting(inst);
            patch::engine_restart(&cx.cfg.control.start, i)
        } else if now >= until {
            self.pause_writer(inst, false);
            self.patches.fell_back(inst);
            self.restart(cx, inst);
            return;
        } else {
            patch::LOOK_EVERY
        };
        cx.after(next, Event::Patch { inst, incarnation });
    }

    /// A patch under way on `inst` gives way to a restart or a lost host.
    fn patch_overtaken(&mut self, inst: InstanceId) {
        if self.patches.overtaken(inst) {
            self.pause_writer(inst, false);
        }
    }

    /// Whether nothing is in flight on `inst` at `now`: its processors
    /// are through their queue and, as the writer, it has no transaction
    /// admitted and unanswered, or, as a reader, no read out to storage.
    fn quiet(&self, inst: InstanceId, now: SimTime) -> bool {
        let i = &self.instances[inst.index()];
        if !self.servers[inst.index()].free_before(now + SimDuration::from_nanos(1)) {
            return false;
        }
        match i.role {
            Role::Writer => {
                (self.writers.writer_on(inst, &self.instances)).is_none_or(Writer::idle)
            }
            Role::Reader | Role::Secondary | Role::Green | Role::Retired | Role::Absent => {
                i.replica.reads.is_empty()
            }
        }
    }

    /// Stops or resumes the admission of new commits by the newest writer,
    /// if it runs on `inst`.
    fn pause_writer(&mut self, inst: InstanceId, paused: bool) {
        if self.writers.current.instance == inst {
            self.writers.current.paused = paused;
        }
    }

    /// The control plane gave up the new host being created for `inst`.
    pub fn abandon_replacement(&mut self, inst: InstanceId) {
        let i = &mut self.instances[inst.index()];
        i.replacing = None;
        i.stop();
    }

    /// `region` is the primary from now: its instances are the cluster,
    /// reading from the volume's point `upto` (each PG's last record at or
    /// below it in `tails`) until the new writer's stream reaches them; the
    /// old primary's readers restart as its secondary cluster's. The
    /// writer is the control plane's to choose.
    pub fn region_promoted(&mut self, cx: &mut Ctx, region: RegionId, upto: Lsn, tails: &[Lsn]) {
        // The old primary's copies are resynchronised to the promotion
        // point (`model::global`); a blue/green switchover there is over.
        self.region_points[self.region.0 as usize] = upto;
        if self.switchover.take().is_some() {
            self.writers.current.paused = false;
        }
        self.region = region;
        // The RPO guard's hold ends with the old primary: the commits it
        // held there stay held (they are not the new primary's), and the
        // writer promoted does not inherit it.
        self.writers.held = false;
        for k in 0..self.instances.len() {
            let i = &mut self.instances[k];
            let here = cx.cfg.topology.region_of(i.az) == region;
            match i.role {
                Role::Secondary if here && i.running() => {
                    i.role = Role::Reader;
                    i.replica = Replica::at(0, upto, tails.to_vec());
                }
                Role::Reader if !here && i.running() => {
                    self.start_process(cx, InstanceId::from_index(k), Boot::Restart, false);
                }
                _ => {}
            }
        }
        self.refresh_reader_dns(cx);
    }

    /// Repair added a segment: every writer that may still run learns of
    /// it.
    pub fn segment_added(&mut self) {
        for w in self.writers.iter_mut() {
            w.inbox.segment_added();
            w.avoid_until.push(SimTime::ZERO);
        }
    }

    /// The current writer's process is gone or restarting, and with it any
    /// recovery it was running.
    fn close_writer(&mut self, cx: &mut Ctx) {
        self.writers.current.close(cx);
        self.recovery = None;
    }

    /// Points each region's reader endpoint at its cluster's running
    /// readers, and each custom endpoint at its members that serve.
    fn refresh_reader_dns(&self, cx: &mut Ctx) {
        for r in 0..cx.cfg.topology.regions() {
            let region = RegionId(r as u8);
            let readers = reader_endpoint(cx.cfg, &self.instances, region);
            cx.order(Order::ReaderEndpoint { region, readers });
        }
        self.refresh_custom_dns(cx);
    }

    /// Points each custom endpoint at its members that serve.
    fn refresh_custom_dns(&self, cx: &mut Ctx) {
        for (endpoint, e) in cx.cfg.endpoints.iter().enumerate() {
            let hosts = custom_endpoint(e, &self.instances);
            cx.order(Order::CustomEndpoint { endpoint, hosts });
        }
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
    pub fn host_fault(&mut self, cx: &mut Ctx, inst: InstanceId, down: bool) {
        let now = cx.now();
        let i = &mut self.instances[inst.index()];
        if down {
            i.host_faults += 1;
            if i.host_faults == 1 && i.process != Process::Stopped {
                i.stop();
                self.patch_overtaken(inst);
                self.patches.host_lost(inst);
                self.lose_host(inst, now);
                cx.order(Order::Impaired { inst });
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
                cx.order(Order::ReplacementAbandoned { inst });
                self.start_process(cx, inst, Boot::Restart, false);
            } else if i.process == Process::Stopped && i.role != Role::Absent {
                self.start_process(cx, inst, Boot::Restart, false);
            }
        }
    }

    /// A process finished starting: as the writer the control plane is
    /// promoting (`promoted`) it recovers the volume; otherwise it is a
    /// reader and joins the reader endpoint.
    pub fn on_instance_up(
        &mut self,
        cx: &mut Ctx,
        around: Surroundings,
        (inst, incarnation): (InstanceId, u32),
        promoted: bool,
    ) {
        let now = cx.now();
        let i = &mut self.instances[inst.index()];
        if i.incarnation != incarnation || i.process != Process::Starting {
            return;
        }
        if let Some(az) = i.replacing.take() {
            // A new host: the old one's faults are not its own, but an
            // outage of the AZ it was created in is.
            i.az = az;
            i.address += 1;
            i.host_faults = 0;
            self.servers[inst.index()].lose_host(now);
            if !cx.net().az_up(az) {
                i.host_faults = 1;
                i.stop();
                return;
            }
        }
        i.fenced = false;
        if i.host_faults > 0 {
            return;
        }
        i.process = Process::Running;
        i.started = now;
        if promoted {
            i.role = Role::Writer;
            cx.order(Order::Promoted { inst });
            Recovery::begin(cx, &mut self.writing(around.volume, &[]), inst);
        } else if outside_production(cx.cfg.instances[inst.index()].environment, self.switched) {
            // Green's instances before a switchover, blue's after.
            i.role = if self.switched {
                Role::Retired
            } else {
                Role::Green
            };
        } else if cx.cfg.topology.region_of(i.az) != self.region {
            // A secondary region's reader, or a fenced old primary's: it
            // reads at what its region's storage holds.
            i.role = Role::Secondary;
            let region = cx.cfg.topology.region_of(i.az);
            i.replica = Replica::at(0, self.region_points[region.0 as usize], Vec::new());
            self.refresh_reader_dns(cx);
        } else {
            i.role = Role::Reader;
            // A reader starts reading at the newest VDL storage has.
            let newest = self.writers.last_recovered();
            let points = &newest.points;
            let last = (0..around.volume.pgs.len())
                .map(|p| points.last_record_below_vdl(PgId::from_index(p)))
                .collect();
            self.instances[inst.index()].replica = Replica::at(newest.epoch, points.vdl(), last);
            self.refresh_reader_dns(cx);
            self.planned_back(cx, inst, now);
        }
    }

    /// What a recovery works with.
    fn writing<'a>(&'a mut self, volume: &'a Volume, truncations: &'a [Truncation]) -> Writing<'a> {
        Writing {
            writers: &mut self.writers,
            recovery: &mut self.recovery,
            instances: &self.instances,
            servers: &mut self.servers,
            volume,
            truncations,
        }
    }

    /// One step of the recovery in progress (a segment's answer, the
    /// retry timer); once storage recovery is done, the writer rebuilds
    /// and opens.
    pub fn recovery_step(
        &mut self,
        cx: &mut Ctx,
        (volume, truncations): (&Volume, &[Truncation]),
        step: impl FnOnce(&mut Ctx, &mut Writing) -> Option<SimTime>,
    ) {
        if let Some(done) = step(cx, &mut self.writing(volume, truncations)) {
            self.storage_recovered(cx, done);
        }
    }

    /// The writer's storage recovery finished at `done`: it rebuilds its
    /// in-memory state and opens for connections, each a draw from its
    /// instance's stream, and then takes writes.
    fn storage_recovered(&mut self, cx: &mut Ctx, done: SimTime) {
        let now = cx.now();
        let inst = self.writers.current.instance;
        let (rebuild, open) = self.rebuild_and_open(cx, inst);
        cx.order(Order::Recovered {
            inst,
            done,
            rebuilt: done + rebuild,
        });
        let epoch = self.writers.current.epoch;
        cx.after(
            done.since(now) + rebuild + open,
            Event::WriterOpen { epoch },
        );
    }

    /// A writer that recovered storage has rebuilt its state and opens,
    /// unless its process has gone meanwhile.
    pub fn on_writer_open(&mut self, cx: &mut Ctx, epoch: u32) {
        let alive = self.hosts().current_writer_alive();
        let w = &mut self.writers.current;
        if w.epoch != epoch || !alive || w.open || !w.points.recovered() {
            return;
        }
        w.open = true;
        w.opened = cx.now();
        w.vdl_at = cx.now();
        w.durable_at.fill(cx.now());
        let inst = w.instance;
        cx.order(Order::WriterOpened { inst });
        // A custom endpoint of type ANY names its member as the writer.
        self.refresh_custom_dns(cx);
        self.planned_back(cx, inst, cx.now());
    }
}

/// The size of a page, bytes, and the pages of the working set: what a
/// new host's cache is sized by.
fn page_and_working_set(cfg: &Config) -> (u64, u64) {
    (
        u64::from(cfg.workload.page_kib) << 10,
        cfg.workload.working_set_pages,
    )
}

/// What `region`'s reader endpoint names: the running readers of the
/// primary's cluster there, or of the secondary cluster there (whose
/// instances are [`Role::Secondary`] until it is promoted).
pub(crate) fn reader_endpoint(
    cfg: &Config,
    instances: &[Instance],
    region: RegionId,
) -> Vec<InstanceId> {
    (0..instances.len())
        .map(InstanceId::from_index)
        .filter(|i| {
            let i = &instances[i.index()];
            i.running()
                && cfg.topology.region_of(i.az) == region
                && matches!(i.role, Role::Reader | Role::Secondary)
        })
        .collect()
}

/// What custom endpoint `e` names: its running members that are readers
/// of the cluster, or with `ANY` also its writer.
pub(crate) fn custom_endpoint(e: &CustomEndpoint, instances: &[Instance]) -> Vec<InstanceId> {
    (0..instances.len())
        .map(InstanceId::from_index)
        .filter(|&k| {
            let i = &instances[k.index()];
            e.lists(k)
                && i.running()
                && (i.role == Role::Reader || (e.any && i.role == Role::Writer))
        })
        .collect()
}
