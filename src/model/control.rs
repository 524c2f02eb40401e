//! The control plane: it watches the writer, declares it failed, picks a
//! reader, promotes it, and keeps the endpoints' DNS records current.
//!
//! Every step is a mechanism with its own time, so that a failover's RTO
//! splits into phases that each come from something simulated:
//!
//! * **detection**: from the fault to the `failure_threshold`-th missed
//!   health check (a probe is a message; a dead or cut-off writer does not
//!   answer);
//! * **selection**: the control plane probes the readers and waits for
//!   their answers (or one check interval), then picks the lowest tier, the
//!   largest size, and a deterministic tie-break (\[UG\] Fault tolerance);
//! * **promotion**: the chosen reader restarts as writer — its process
//!   stops, the engine starts and sets up a buffer pool the size of its
//!   class, each a draw from the instance's own stream — or, with no
//!   reader, a replacement is created (`provision_time`);
//! * **recovery**: the new writer's storage recovery
//!   ([`super::compute::recovery`]),
//!   then it rebuilds its in-memory state and opens for connections (two
//!   more draws);
//! * **DNS**: the cluster record's change reaches the authoritative servers.
//!
//! It reads the instances and the volume ([`Sight`]) and changes neither:
//! a promotion, a restart, an abandoned replacement and the endpoint's
//! record are [`Order`]s, and the instances report each step of a
//! promotion back the same way (its process started, it recovered, it
//! opened).

use std::cmp::Reverse;

use rand::Rng;

use super::compute::instance::{instance_endpoint, Boot, Instance, Role};
use super::config::{Config, Environment, FaultKind, RegionId, TieBreak};
use super::context::Ctx;
use super::event::Event;
use super::network::Endpoint;
use super::order::{Maintenance, Order};
use super::storage::volume::Volume;
use crate::sim::rng::reseed;
use crate::sim::{SimDuration, SimRng, SimTime};
use crate::vocab::ids::{AzId, InstanceId};

/// What the control plane reads of the cluster: the instances (their
/// roles, tiers, classes and hosts) and storage's volume (whether a target
/// reaches it). It changes neither: it orders ([`Order`]).
#[derive(Clone, Copy)]
pub(crate) struct Sight<'a> {
    /// DB instances, in scenario order.
    pub instances: &'a [Instance],
    /// Storage's nodes, segments and protection groups.
    pub volume: &'a Volume,
}

impl Sight<'_> {
    fn end(&self, inst: InstanceId) -> Endpoint {
        instance_endpoint(self.instances, inst)
    }

    /// Whether `inst` reaches a read quorum of every PG.
    fn reaches_storage(&self, cx: &Ctx, inst: InstanceId) -> bool {
        self.volume.reaches_read_quorum(cx.net(), self.end(inst))
    }
}

/// A health check is a TCP exchange: a probe or answer lost on the way is
/// retransmitted after the retransmission timeout, doubling each time.
/// 200 ms is Linux's floor (`TCP_RTO_MIN` in include/net/tcp.h), which
/// applies on any link with a round trip of a few milliseconds.
const PROBE_RTO: SimDuration = SimDuration::from_millis(200);

/// Why a failover happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// The writer missed `failure_threshold` health checks.
    HealthCheck,
    /// An operator asked (`FailoverDBCluster`, FIS).
    Manual,
    /// A reboot of the writer with failover.
    Reboot,
    /// A rolling operating-system update hands the writer to the first
    /// reader updated.
    OsUpdate,
    /// A reader whose class changed with `promote` becomes the writer.
    ClassChange,
    /// The writer's I/O watchdog: it answers health checks but cannot
    /// make its writes durable, while a reader can.
    StorageWatchdog,
    /// A global database's failover promoted another region.
    GlobalFailover,
    /// A global database's switchover promoted another region.
    GlobalSwitchover,
    /// A blue/green deployment's switchover made the green environment
    /// the cluster.
    BlueGreenSwitchover,
}

impl Reason {
    /// The summary word.
    pub fn name(self) -> &'static str {
        match self {
            Reason::HealthCheck => "health_check",
            Reason::Manual => "manual",
            Reason::Reboot => "reboot_with_failover",
            Reason::OsUpdate => "os_update",
            Reason::ClassChange => "class_change",
            Reason::StorageWatchdog => "storage_watchdog",
            Reason::GlobalFailover => "global_failover",
            Reason::GlobalSwitchover => "global_switchover",
            Reason::BlueGreenSwitchover => "blue_green_switchover",
        }
    }
}

/// One failover, as the control plane lived it.
#[derive(Clone, Debug)]
pub struct FailoverRecord {
    /// The writer that failed or was replaced.
    pub from: InstanceId,
    /// The instance promoted (the same one when it was re-created).
    pub to: Option<InstanceId>,
    /// Why.
    pub reason: Reason,
    /// When the writer stopped serving (the fault, or the request).
    pub started: SimTime,
    /// When the failure was declared.
    pub declared: SimTime,
    /// A switchover: when every region was synchronised and the region
    /// promoted, or when the green environment had caught up.
    pub synchronised: Option<SimTime>,
    /// When the attempt in progress began: `declared` (or `synchronised`),
    /// or when an earlier attempt's target failed.
    pub attempt_began: SimTime,
    /// Earlier attempts whose target failed: (target, began, failed).
    pub failed_attempts: Vec<(InstanceId, SimTime, SimTime)>,
    /// When the target was chosen.
    pub selected: Option<SimTime>,
    /// When the process the target was running had stopped and its
    /// engine began to start.
    pub stopped: Option<SimTime>,
    /// When the target's process was up as writer.
    pub promoted: Option<SimTime>,
    /// When its storage recovery finished.
    pub recovered: Option<SimTime>,
    /// When it had rebuilt its in-memory state after recovery.
    pub rebuilt: Option<SimTime>,
    /// When recovery finished and writes were accepted.
    pub writable: Option<SimTime>,
    /// When the cluster endpoint pointed at the new writer.
    pub dns_visible: Option<SimTime>,
    /// Whether a replacement instance had to be created.
    pub provisioned: bool,
    /// Each reader the last selection asked, in the order asked, and what
    /// it answered: the grounds of the choice, including any reader of a
    /// lower tier that was passed over.
    pub candidates: Vec<(InstanceId, Answer)>,
}

impl FailoverRecord {
    /// The record as it stood at `end`: an instant the control plane had
    /// scheduled beyond it (a DNS change still propagating, a recovery
    /// still running) had not come.
    pub fn as_of(&self, end: SimTime) -> FailoverRecord {
        let by_end = |t: Option<SimTime>| t.filter(|t| *t <= end);
        FailoverRecord {
            selected: by_end(self.selected),
            stopped: by_end(self.stopped),
            promoted: by_end(self.promoted),
            recovered: by_end(self.recovered),
            rebuilt: by_end(self.rebuilt),
            writable: by_end(self.writable),
            dns_visible: by_end(self.dns_visible),
            ..self.clone()
        }
    }
}

/// What a reader answered a failover's selection probe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// No answer within the wait (down, cut off, or too busy to answer in
    /// time).
    Silent,
    /// It answered, but was not serving reads (starting or restarting).
    NotServing,
    /// It answered, but reaches no write quorum of some PG, and the
    /// failover (the storage watchdog's) takes only one that can write.
    CannotWrite,
    /// It could take over.
    Eligible,
}

impl Answer {
    /// The name summaries use.
    pub fn name(self) -> &'static str {
        match self {
            Answer::Silent => "silent",
            Answer::NotServing => "not_serving",
            Answer::CannotWrite => "cannot_write",
            Answer::Eligible => "eligible",
        }
    }
}

/// What the control plane is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Health-checking the writer.
    Watching,
    /// Waiting for candidate readers to answer probe `seq`.
    Selecting,
    /// Waiting for the new writer to start and recover.
    Promoting,
    /// A switchover stopped the writer: waiting for a global database to
    /// promote another region, or for a blue/green deployment's green
    /// environment to catch up.
    Synchronising,
}

/// Control-plane state.
#[derive(Clone, Debug)]
pub struct ControlPlane {
    /// The instance the control plane has made the writer.
    pub writer: InstanceId,
    phase: Phase,
    probe: u32,
    /// When the writer's current probe went out.
    probe_sent: SimTime,
    answered: bool,
    misses: u32,
    /// Whether the writer's last answer said it can write.
    writes: bool,
    /// Consecutive checks the writer answered but could not write.
    io_misses: u32,
    /// No storage-watchdog failover is tried again before this: the last
    /// found no reader that could write either.
    quiet_until: SimTime,
    /// Storage-watchdog failovers given up because no reader could write.
    pub watchdog_declined: u32,
    /// Requested failovers the cluster refused: the fault, and why.
    pub refused: Vec<(u32, String)>,
    /// The writer restarts in place by plan (a reboot, a plain patch, an
    /// update without a reader, a class change's move): a requested
    /// failover is refused until it is open again, as while a failover is
    /// in progress.
    restarting_in_place: bool,
    /// Readers that answered the selection probe, and whether each can
    /// write.
    candidates: Vec<InstanceId>,
    can_write: Vec<bool>,
    /// Readers the selection probe asked.
    asked: Vec<InstanceId>,
    /// When the writer stopped serving, if it has.
    pub impaired_at: Option<SimTime>,
    /// When the writer's writes last made progress, as its I/O watchdog
    /// last reported (none while they progress).
    stalled_since: Option<SimTime>,
    /// The failover in progress.
    pub current: Option<FailoverRecord>,
    /// Failovers completed (and the one in progress, at the end of a run).
    pub failovers: Vec<FailoverRecord>,
    /// A rolling operating-system update under way.
    rolling: Option<Rolling>,
    /// A blue/green switchover waiting for green to catch up: its fault
    /// and the green writer.
    switchover: Option<(u32, InstanceId)>,
    /// The region whose cluster it runs: the primary's, until a global
    /// database promotes another.
    region: RegionId,
    rng: SimRng,
}

/// A rolling operating-system update (Aurora MySQL 2.11 release notes:
/// "all of the reader instances apply the operating system upgrade first.
/// When the operating system upgrade on the first reader instance is
/// finished, a failover occurs and the previous writer instance is
/// upgraded").
#[derive(Debug, Clone)]
struct Rolling {
    /// The update's fault.
    fault: u32,
    /// The writer when it began, updated last.
    writer: InstanceId,
    /// The readers updated first.
    readers: Vec<InstanceId>,
    /// Whether the failover to the first reader back has begun.
    failed_over: bool,
}

impl ControlPlane {
    /// Moves its random stream to root seed `seed`, for a run forked from a
    /// prefix it shares with other seeds' runs.
    pub(crate) fn reseed(&mut self, seed: u64) {
        reseed(&mut self.rng, seed);
    }

    /// A control plane watching `writer`.
    pub fn new(writer: InstanceId, rng: SimRng) -> Self {
        ControlPlane {
            writer,
            phase: Phase::Watching,
            probe: 0,
            probe_sent: SimTime::ZERO,
            answered: true,
            misses: 0,
            writes: true,
            io_misses: 0,
            quiet_until: SimTime::ZERO,
            watchdog_declined: 0,
            refused: Vec::new(),
            restarting_in_place: false,
            candidates: Vec::new(),
            can_write: Vec::new(),
            asked: Vec::new(),
            impaired_at: None,
            stalled_since: None,
            current: None,
            failovers: Vec::new(),
            rolling: None,
            switchover: None,
            region: RegionId::PRIMARY,
            rng,
        }
    }

    /// When, within the first of its periods of `interval`, the control
    /// plane checks the writer first: a uniform draw, so that a fault at a
    /// given time finds the schedule at a different point in each run, as
    /// a real fault finds the control plane's.
    pub fn first_check(&mut self, interval: SimDuration) -> SimDuration {
        SimDuration::from_nanos(self.rng.random_range(0..interval.as_nanos().max(1)))
    }

    /// Notes that the writer stopped serving now, unless it already had.
    pub fn impaired(&mut self, now: SimTime) {
        self.impaired_at.get_or_insert(now);
    }

    /// The writer restarts in place by plan from now: it is out, and a
    /// requested failover waits until it is open again.
    fn restarts_in_place(&mut self, now: SimTime) {
        self.impaired(now);
        self.restarting_in_place = true;
    }

    /// The host of `inst` came back while a replacement was provisioned
    /// for it: it restarts there instead, and nothing new is created.
    pub fn replacement_abandoned(&mut self, inst: InstanceId) {
        if let Some(r) = self.current.as_mut().filter(|_| inst == self.writer) {
            r.provisioned = false;
        }
    }

    /// The run ends: a failover still in progress is reported as it stands.
    pub fn finish(&mut self) {
        if let Some(r) = self.current.take() {
            self.failovers.push(r);
        }
    }
}

impl ControlPlane {
    /// The health-check timer: count a miss if the last probe went
    /// unanswered, declare failure at the threshold, else probe again.
    pub(crate) fn on_health_tick(&mut self, cx: &mut Ctx, s: Sight) {
        let (interval, threshold) = (
            cx.cfg.control.health_check_interval,
            cx.cfg.control.failure_threshold,
        );
        cx.after(interval, Event::HealthTick);
        let cp = &mut *self;
        match cp.phase {
            // Selection ends on its own timer; a switchover on the global
            // database's, or on the green environment catching up.
            Phase::Selecting | Phase::Synchronising => return,
            // A replacement being created has no host to ask yet. The
            // readers are asked instead: one running again (it was down,
            // or out of reach when the failover chose) is minutes sooner
            // than the replacement.
            Phase::Promoting if s.instances[cp.writer.index()].replacing.is_some() => {
                let readers = readers_but(s, cp.writer);
                if !readers.is_empty() {
                    cp.probe = cp.probe.wrapping_add(1);
                }
                let (now, seq) = (cx.now(), cp.probe);
                for inst in readers {
                    let to = s.end(inst);
                    cx.send(now, Endpoint::Control, to, Event::HealthProbe { inst, seq });
                }
                return;
            }
            Phase::Watching | Phase::Promoting => {}
        }
        if !cp.answered && cx.now() < cp.probe_sent + patience(cx.cfg) {
            return;
        }
        if cp.answered {
            cp.misses = 0;
            // While quiet after a declined watchdog failover, the writer's
            // answers start a new count only once the quiet is over.
            let quiet = cx.now() < cp.quiet_until;
            cp.io_misses = if cp.writes || quiet {
                0
            } else {
                cp.io_misses + 1
            };
        } else {
            cp.misses += 1;
        }
        if cp.misses >= threshold {
            return match cp.phase {
                Phase::Promoting => self.attempt_failed(cx, s),
                _ => self.declare_failure(cx, s, Reason::HealthCheck, None),
            };
        }
        if cp.phase == Phase::Watching && cp.io_misses >= threshold && cx.now() >= cp.quiet_until {
            return self.declare_failure(cx, s, Reason::StorageWatchdog, None);
        }
        cp.probe = cp.probe.wrapping_add(1);
        cp.probe_sent = cx.now();
        cp.answered = false;
        cp.writes = true;
        let (probe, writer) = (cp.probe, cp.writer);
        let now = cx.now();
        let to = s.end(writer);
        let event = Event::HealthProbe {
            inst: writer,
            seq: probe,
        };
        cx.send(now, Endpoint::Control, to, event);
        arm_resend(cx, probe, 0);
    }

    /// A probe's retransmission timer: what has not answered is asked
    /// again, with the timeout doubled, while the round lasts.
    pub(crate) fn on_health_resend(&mut self, cx: &mut Ctx, s: Sight, seq: u32, attempt: u32) {
        let cp = &*self;
        if seq != cp.probe {
            return;
        }
        let unanswered: Vec<InstanceId> = match cp.phase {
            Phase::Selecting => cp
                .asked
                .iter()
                .copied()
                .filter(|i| !cp.candidates.contains(i))
                .collect(),
            Phase::Watching | Phase::Promoting
                if !cp.answered && s.instances[cp.writer.index()].replacing.is_none() =>
            {
                vec![cp.writer]
            }
            _ => Vec::new(),
        };
        if unanswered.is_empty() {
            return;
        }
        let now = cx.now();
        for inst in unanswered {
            let to = s.end(inst);
            cx.send(now, Endpoint::Control, to, Event::HealthProbe { inst, seq });
        }
        arm_resend(cx, seq, attempt + 1);
    }

    /// A probe's answer reaches the control plane.
    pub(crate) fn on_health_reply(
        &mut self,
        cx: &mut Ctx,
        s: Sight,
        inst: InstanceId,
        seq: u32,
        (writes, stalled_since): (bool, Option<SimTime>),
    ) {
        let cp = &mut *self;
        // Any answer from the writer proves it alive, however late: a
        // check interval shorter than the round trip (a slow link) is not
        // a failure. Other answers belong to the probe round they answer.
        let current = seq == cp.probe;
        match cp.phase {
            Phase::Watching | Phase::Promoting if inst == cp.writer => {
                cp.answered = true;
                cp.writes = writes;
                cp.stalled_since = stalled_since;
            }
            _ if !current => {}
            // A reader answers while a replacement is being created: the
            // creation is abandoned and the failover goes on with another
            // attempt.
            Phase::Promoting
                if s.instances[cp.writer.index()].replacing.is_some()
                    && s.instances[inst.index()].serving_reads() =>
            {
                // (The replacement's instance has no host yet, so what the
                // next attempt reads of it is the same before the order is
                // carried out as after.)
                cx.order(Order::AbandonReplacement { inst: cp.writer });
                self.attempt_failed(cx, s);
            }
            Phase::Selecting if !cp.candidates.contains(&inst) => {
                cp.candidates.push(inst);
                cp.can_write.push(writes);
                if cp.candidates.len() == cp.asked.len() {
                    self.finish_selection(cx, s);
                }
            }
            _ => {}
        }
    }

    /// Declares the writer failed (or starts a requested failover) and
    /// probes the candidates: `target` alone when named, else every reader.
    fn declare_failure(
        &mut self,
        cx: &mut Ctx,
        s: Sight,
        reason: Reason,
        target: Option<InstanceId>,
    ) {
        self.open_record(cx.now(), reason);
        self.select(cx, s, target);
    }

    /// A failover's record opens now, for `reason`.
    fn open_record(&mut self, now: SimTime, reason: Reason) {
        let from = self.writer;
        self.restarting_in_place = false;
        // Detection starts when the writer stopped being useful, whatever
        // noticed it: the fault that stopped it, or, for its I/O watchdog,
        // when its writes last made progress.
        let stopped_writing = match reason {
            Reason::StorageWatchdog => self.stalled_since,
            _ => None,
        };
        self.current = Some(FailoverRecord {
            from,
            to: None,
            reason,
            started: [self.impaired_at, stopped_writing]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(now),
            declared: now,
            synchronised: None,
            attempt_began: now,
            failed_attempts: Vec::new(),
            selected: None,
            stopped: None,
            promoted: None,
            recovered: None,
            rebuilt: None,
            writable: None,
            dns_visible: None,
            provisioned: false,
            candidates: Vec::new(),
        });
    }

    /// Why the cluster cannot take part in a promotion of its global
    /// database now, if it cannot: a switchover stops a writer that
    /// serves, so not while a failover or a restart in place is under
    /// way; a failover goes ahead whatever the cluster is doing.
    pub(crate) fn region_refusal(&self, switchover: bool) -> Option<&'static str> {
        if !switchover {
            None
        } else if self.phase != Phase::Watching {
            Some("a failover was in progress")
        } else if self.restarting_in_place {
            Some("the writer was restarting in place")
        } else {
            None
        }
    }

    /// A global database switchover begins: the writer is told to stop
    /// (the primary becomes read-only), and nothing is promoted until the
    /// global database has synchronised every region.
    pub(crate) fn begin_switchover(&mut self, cx: &mut Ctx, s: Sight) {
        let now = cx.now();
        self.impaired(now);
        self.open_record(now, Reason::GlobalSwitchover);
        self.phase = Phase::Synchronising;
        let from = self.writer;
        cx.send(
            now,
            Endpoint::Control,
            s.end(from),
            Event::Demote { inst: from },
        );
    }

    /// A blue/green switchover, if its guardrails pass (\[UG\] Switching
    /// a blue/green deployment: the green environment replicates, within
    /// the timeout of caught up; no failover or restart under way): the
    /// write outage starts, and the instances stop writes and drop
    /// connections on both environments until green has caught up.
    fn begin_blue_green(
        &mut self,
        cx: &mut Ctx,
        s: Sight,
        fault: u32,
        timeout: SimDuration,
    ) -> Result<(), String> {
        if self.phase != Phase::Watching {
            return Err("a failover was in progress".to_owned());
        }
        if self.restarting_in_place {
            return Err("the writer was restarting in place".to_owned());
        }
        if self.rolling.is_some() {
            return Err("an operating-system update was rolling".to_owned());
        }
        if self.region != RegionId::PRIMARY {
            return Err(
                "another region is the primary now; the green environment is in the first primary's"
                    .to_owned(),
            );
        }
        if !s.instances[self.writer.index()].running() {
            return Err("blue's writer was not running".to_owned());
        }
        let green = (0..s.instances.len())
            .map(InstanceId::from_index)
            .find(|i| {
                cx.cfg.instances[i.index()].environment == Environment::GreenWriter
                    && s.instances[i.index()].role == Role::Green
            })
            .ok_or("there was no green environment (it already switched over)")?;
        let g = &s.instances[green.index()];
        if !g.running() {
            return Err("the green writer was not running: replication unhealthy".to_owned());
        }
        let lag = g.replica.lag;
        if lag > timeout {
            return Err(format!(
                "the green writer was {:.1} s behind, beyond the switchover timeout",
                lag.as_secs_f64()
            ));
        }
        let now = cx.now();
        self.impaired(now);
        self.open_record(now, Reason::BlueGreenSwitchover);
        self.phase = Phase::Synchronising;
        self.switchover = Some((fault, green));
        cx.order(Order::StopForSwitchover {
            green,
            until: now + timeout,
        });
        Ok(())
    }

    /// The green environment has caught up: its writer takes over the
    /// volume where blue left it, without a restart.
    fn green_caught_up(&mut self, cx: &mut Ctx) {
        let Some((_, green)) = self.switchover.take() else {
            return;
        };
        let now = cx.now();
        self.phase = Phase::Promoting;
        self.answered = true;
        self.misses = 0;
        self.io_misses = 0;
        self.writer = green;
        if let Some(r) = self.current.as_mut() {
            r.synchronised = Some(now);
            r.attempt_began = now;
            r.selected = Some(now);
            r.to = Some(green);
        }
        cx.order(Order::TakeOver { inst: green });
    }

    /// The switchover is rolled back (`why`): nothing changed, the control
    /// plane watches blue's writer again (and fails it over if it stopped),
    /// and the fault is reported as rolled back.
    fn roll_back(&mut self, cx: &Ctx, why: &str) {
        let Some((fault, _)) = self.switchover.take() else {
            return;
        };
        self.current = None;
        self.phase = Phase::Watching;
        self.impaired_at = None;
        self.refused.push((
            fault,
            format!("rolled back at {:.1} s: {why}", cx.now().as_secs_f64()),
        ));
    }

    /// `region` is the primary from now: its readers are the candidates,
    /// and one becomes the writer (a headless region's writer is created
    /// there). An unplanned failover is timed from when the writer
    /// stopped serving: the region's outage, if that was it.
    pub(crate) fn region_promoted(
        &mut self,
        cx: &mut Ctx,
        s: Sight,
        (region, switchover): (RegionId, bool),
    ) {
        self.region = region;
        // A global failover takes over from a blue/green switchover under
        // way, which is rolled back.
        if let Some((fault, _)) = self.switchover.take() {
            self.current = None;
            self.phase = Phase::Watching;
            let why = format!(
                "rolled back at {:.1} s: a global failover promoted {}",
                cx.now().as_secs_f64(),
                cx.cfg
                    .global
                    .as_ref()
                    .map_or("another region", |g| g.region_name(region))
            );
            self.refused.push((fault, why));
        }
        if self.phase == Phase::Synchronising {
            // A switchover synchronised, or a failover took over from one
            // that could not.
            if let Some(r) = self.current.as_mut() {
                if switchover {
                    r.synchronised = Some(cx.now());
                } else {
                    r.reason = Reason::GlobalFailover;
                }
                r.attempt_began = cx.now();
            }
            self.select(cx, s, None);
        } else {
            self.impaired(cx.now());
            self.declare_failure(cx, s, Reason::GlobalFailover, None);
        }
    }

    /// The target of the attempt in progress stopped answering before it
    /// was writable (its host failed, or it never came up): the failover
    /// goes on with another attempt, probing the readers afresh.
    fn attempt_failed(&mut self, cx: &mut Ctx, s: Sight) {
        let now = cx.now();
        let target = self.writer;
        let record = self.current.as_mut().expect("failover in progress");
        record
            .failed_attempts
            .push((target, record.attempt_began, now));
        record.attempt_began = now;
        record.selected = None;
        record.promoted = None;
        record.recovered = None;
        record.rebuilt = None;
        record.provisioned = false;
        self.select(cx, s, None);
    }

    /// Tells the writer it is replacing to stop, then probes the
    /// candidates: `target` alone when named, else every reader.
    fn select(&mut self, cx: &mut Ctx, s: Sight, target: Option<InstanceId>) {
        let now = cx.now();
        let from = self.writer;
        // The old writer must stop writing: tell it (a cut-off or dead one
        // will not hear; the volume epoch fences it regardless). One that
        // still runs but cannot write is told only once a reader that can
        // has been found.
        if !self.storage_failover() {
            let to = s.end(from);
            cx.send(now, Endpoint::Control, to, Event::Demote { inst: from });
        }
        let candidates: Vec<InstanceId> = match target {
            Some(t) => vec![t],
            None => readers_but(s, from),
        };
        let cp = &mut *self;
        cp.phase = Phase::Selecting;
        cp.probe = cp.probe.wrapping_add(1);
        cp.candidates.clear();
        cp.can_write.clear();
        cp.asked = candidates;
        let seq = cp.probe;
        if cp.asked.is_empty() {
            return self.finish_selection(cx, s);
        }
        for &inst in &cp.asked {
            let to = s.end(inst);
            cx.send(now, Endpoint::Control, to, Event::HealthProbe { inst, seq });
        }
        arm_resend(cx, seq, 0);
        cx.after(patience(cx.cfg), Event::SelectionDone { seq });
    }

    /// Whether the failover in progress is the storage watchdog's: it
    /// keeps the writer unless a reader can write.
    fn storage_failover(&self) -> bool {
        self.current
            .as_ref()
            .is_some_and(|r| r.reason == Reason::StorageWatchdog)
    }

    /// No reader can write either (storage itself is short of a write
    /// quorum, not the writer's path to it): promoting one would only move
    /// the outage. The writer stays, and the watchdog is not acted on
    /// again for one watchdog period.
    fn decline_storage_failover(&mut self, cx: &Ctx) {
        self.current = None;
        self.phase = Phase::Watching;
        self.answered = true;
        self.misses = 0;
        self.io_misses = 0;
        self.quiet_until = cx.now() + cx.cfg.control.io_watchdog;
        self.watchdog_declined += 1;
    }

    /// The selection probe's wait is over.
    pub(crate) fn on_selection_done(&mut self, cx: &mut Ctx, s: Sight, seq: u32) {
        if self.phase == Phase::Selecting && self.probe == seq {
            self.finish_selection(cx, s);
        }
    }

    /// Picks the target among readers that answered: lowest tier, then
    /// largest size, then by name or a seeded draw. With none, the failed
    /// writer is re-created (or restarted, if its host is still up).
    fn finish_selection(&mut self, cx: &mut Ctx, s: Sight) {
        let now = cx.now();
        let instances = s.instances;
        let storage = self.storage_failover();
        let answers: Vec<(InstanceId, Answer)> = self
            .asked
            .iter()
            .map(|&i| {
                let answer = match self.candidates.iter().position(|&c| c == i) {
                    None => Answer::Silent,
                    Some(_) if !instances[i.index()].serving_reads() => Answer::NotServing,
                    Some(k) if storage && !self.can_write[k] => Answer::CannotWrite,
                    Some(_) => Answer::Eligible,
                };
                (i, answer)
            })
            .collect();
        let mut ranked: Vec<InstanceId> = answers
            .iter()
            .filter(|(_, a)| *a == Answer::Eligible)
            .map(|&(i, _)| i)
            .collect();
        let key = |i: &InstanceId| {
            let inst = &instances[i.index()];
            (inst.tier, Reverse(inst.capacity()))
        };
        ranked.sort_by(|a, b| {
            key(a)
                .cmp(&key(b))
                .then_with(|| instances[a.index()].name.cmp(&instances[b.index()].name))
        });
        let tied = ranked
            .iter()
            .take_while(|i| key(i) == key(&ranked[0]))
            .count();
        let chosen = match (ranked.is_empty(), cx.cfg.control.tie_break) {
            (true, _) => None,
            (false, TieBreak::Name) => Some(ranked[0]),
            (false, TieBreak::Random) => Some(ranked[self.rng.random_range(0..tied)]),
        };
        // Declined only before any target was tried: once the writer has
        // been told to step down, the failover goes on like any other.
        let first = self
            .current
            .as_ref()
            .is_some_and(|r| r.failed_attempts.is_empty());
        if storage && chosen.is_none() && first {
            return self.decline_storage_failover(cx);
        }
        self.phase = Phase::Promoting;
        // The target is watched from now on: its misses start afresh.
        self.answered = true;
        self.misses = 0;
        self.io_misses = 0;
        let old = self.writer;
        if storage && first {
            let to = s.end(old);
            cx.send(now, Endpoint::Control, to, Event::Demote { inst: old });
        }
        let (target, boot, replace_in) = match chosen {
            Some(t) => (t, Boot::Restart, None),
            None => match replacement_az(cx, s, old, self.region) {
                Some(az) => (
                    old,
                    Boot::Provision(cx.cfg.control.provision_time.sample(&mut self.rng)),
                    Some(az),
                ),
                None => (old, Boot::Restart, None),
            },
        };
        self.writer = target;
        if target != old && s.instances[old.index()].role == Role::Writer {
            // Until it hears, the old writer still thinks it writes; the
            // control plane already counts it out.
            self.impaired(now);
        }
        cx.order(Order::Promote {
            inst: target,
            boot,
            replace_in,
        });
        let record = self.current.as_mut().expect("failover in progress");
        record.candidates = answers;
        record.selected = Some(now);
        record.provisioned = matches!(boot, Boot::Provision(_));
        record.to = Some(target);
        if !cx.cfg.engine.read_availability {
            restart_readers(cx, s, target);
        }
    }

    /// Whether `inst`, its process up, comes up as the writer: the
    /// instance the control plane names, unless it is still choosing (then
    /// the instance it names is the writer being replaced, and back from a
    /// restart it is a reader).
    pub fn promotes(&self, inst: InstanceId) -> bool {
        inst == self.writer && !matches!(self.phase, Phase::Selecting | Phase::Synchronising)
    }

    /// Whether a demotion order reaching `inst` leaves it the writer: it
    /// is the writer the control plane wants now.
    pub fn keeps(&self, inst: InstanceId) -> bool {
        self.phase == Phase::Watching && inst == self.writer
    }

    /// Carries out an order given to the control plane.
    pub(crate) fn carry_out(&mut self, cx: &mut Ctx, s: Sight, order: Order) {
        let now = cx.now();
        match order {
            Order::Impaired { inst } if inst == self.writer => self.impaired(now),
            // The writer's partition is over before any failover began: it
            // serves again, and a later failover is timed from its own
            // fault, not from the partition.
            Order::Reconnected { inst }
                if inst == self.writer
                    && self.phase == Phase::Watching
                    && self.current.is_none() =>
            {
                self.impaired_at = None;
            }
            Order::ReplacementAbandoned { inst } => self.replacement_abandoned(inst),
            Order::TargetStarting { inst, stopped } => {
                if let Some(r) = self.current.as_mut().filter(|r| r.to == Some(inst)) {
                    r.stopped = Some(stopped);
                }
            }
            Order::Promoted { inst } => {
                if let Some(r) = self.current.as_mut().filter(|_| inst == self.writer) {
                    r.promoted = Some(now);
                }
            }
            Order::Recovered {
                inst,
                done,
                rebuilt,
            } => {
                if let Some(r) = self.current.as_mut().filter(|_| inst == self.writer) {
                    r.recovered = Some(done);
                    r.rebuilt = Some(rebuilt);
                }
            }
            Order::WriterOpened { inst } => self.writer_opened(cx, s, inst),
            Order::ClusterVisible { at } => {
                if let Some(r) = self.failovers.last_mut() {
                    r.dns_visible = Some(at);
                }
            }
            Order::Reboot { inst, failover } => self.reboot(cx, s, inst, failover),
            // A blue/green switchover changes which instances are the
            // cluster: planned work on them waits for it to be over.
            Order::PatchCluster { fault, .. }
            | Order::UpdateCluster { fault }
            | Order::ChangeClass { fault, .. }
                if self.switchover.is_some() =>
            {
                let why = "a blue/green switchover was in progress";
                self.refused.push((fault, why.to_owned()));
            }
            Order::PatchCluster {
                fault,
                zero_downtime,
            } => self.patch(cx, s, fault, zero_downtime),
            Order::UpdateCluster { fault } => self.update_os(cx, s, fault),
            Order::Done { inst, fault } => self.done(cx, s, inst, fault),
            Order::ChangeClass { fault, inst } => self.change_class(cx, s, fault, inst),
            Order::Failover { fault, target } => {
                if let Err(why) = self.manual_failover(cx, s, Reason::Manual, target) {
                    self.refused.push((fault, why.to_owned()));
                }
            }
            Order::BlueGreenSwitchover { fault, timeout } => {
                if let Err(why) = self.begin_blue_green(cx, s, fault, timeout) {
                    self.refused.push((fault, why));
                }
            }
            Order::GreenCaughtUp => self.green_caught_up(cx),
            Order::SwitchoverRolledBack { why } => self.roll_back(cx, why),
            _ => {}
        }
    }

    /// The newest writer, on `opened`, is open: point the cluster endpoint
    /// at it and close the failover's record.
    fn writer_opened(&mut self, cx: &mut Ctx, s: Sight, opened: InstanceId) {
        let now = cx.now();
        // (The writer restarting in place opens while the control plane
        // watches; a promotion target while it promotes.)
        if self.phase == Phase::Selecting || opened != self.writer {
            // A target the control plane gave up on (it was unreachable)
            // finished its recovery after all: it is not the writer the
            // control plane wants, so it is told to step down, and the
            // failover's record and the endpoint wait for the real target.
            let to = s.end(opened);
            cx.send(now, Endpoint::Control, to, Event::Demote { inst: opened });
            return;
        }
        let cp = &mut *self;
        cp.phase = Phase::Watching;
        cp.answered = true;
        cp.misses = 0;
        cp.writes = true;
        cp.io_misses = 0;
        cp.impaired_at = None;
        cp.stalled_since = None;
        cp.restarting_in_place = false;
        // The failover's record closes; the endpoint's change, visible
        // once DNS has it, is its last step.
        let report = cp.current.take().map(|mut r| {
            r.writable = Some(now);
            cp.failovers.push(r);
        });
        let report = report.is_some();
        // A rolling update's new writer is open: the old one's turn.
        if let Some(plan) = self
            .rolling
            .take_if(|p| p.failed_over && p.writer != opened)
        {
            cx.order(Order::Maintain {
                inst: plan.writer,
                fault: plan.fault,
                action: Maintenance::UpdateOs,
            });
        }
        cx.order(Order::ClusterEndpoint {
            writer: opened,
            report,
        });
        cx.order(Order::QuorumHealth);
        // A rolling update whose hand-over was refused while the writer
        // restarted in place hands over now.
        if self.rolling.as_ref().is_some_and(|p| !p.failed_over) {
            self.hand_over_roll(cx, s);
        }
    }

    /// A reboot: the writer without failover restarts in place while the
    /// control plane waits; with failover it hands over first.
    fn reboot(&mut self, cx: &mut Ctx, s: Sight, inst: InstanceId, failover: bool) {
        let now = cx.now();
        if inst != self.writer {
            if s.instances[inst.index()].host_up() {
                cx.order(Order::Restart { inst });
            }
            return;
        }
        self.impaired(now);
        if failover {
            // With no target named, only a failover in progress refuses
            // it, and then that failover restarts the writer anyway.
            let _ = self.manual_failover(cx, s, Reason::Reboot, None);
        } else if self.phase == Phase::Watching {
            // The host stays up and answers health checks while the
            // database restarts: no failover unless the host fails.
            self.restarts_in_place(now);
            cx.order(Order::Restart { inst });
            if !cx.cfg.engine.read_availability {
                restart_readers(cx, s, inst);
            }
        }
    }

    /// A planned engine patch: every instance is patched at once (\[UG\]
    /// Database engine updates for Amazon Aurora MySQL: "applied to all
    /// instances in a DB cluster at the same time"). With zero-downtime
    /// patching each running instance looks for a quiet point to restart
    /// its engine under its connections; without, every running process
    /// restarts, the writer in place while the control plane waits, as
    /// for a reboot. An instance not running is left as it is, and so is
    /// the writer a failover under way is making: each is reported so.
    fn patch(&mut self, cx: &mut Ctx, s: Sight, fault: u32, zero_downtime: bool) {
        let cluster = (0..s.instances.len())
            .map(InstanceId::from_index)
            .filter(|i| s.instances[i.index()].role.in_cluster());
        for inst in cluster {
            let i = &s.instances[inst.index()];
            let writer = inst == self.writer;
            let action = if !i.running() || !i.host_up() {
                Maintenance::Skip("not running")
            } else if writer && self.phase != Phase::Watching {
                Maintenance::Skip("a failover was making it the writer")
            } else {
                if writer && !zero_downtime {
                    self.restarts_in_place(cx.now());
                }
                Maintenance::Patch { zero_downtime }
            };
            cx.order(Order::Maintain {
                inst,
                fault,
                action,
            });
        }
    }

    /// A planned operating-system update, rolling: every serving reader
    /// is updated at once while the writer waits; the first back hands
    /// the writer's role on by a failover ([`Reason::OsUpdate`], choosing
    /// by tier among the readers serving then), and the old writer is
    /// updated once the new one is open. Without a serving reader the
    /// writer is updated in place while the control plane waits, as for
    /// a reboot. Like a requested failover, it is refused while a
    /// failover or another rolling update is under way.
    fn update_os(&mut self, cx: &mut Ctx, s: Sight, fault: u32) {
        let refusal = if self.rolling.is_some() {
            Some("an operating-system update was already rolling")
        } else if self.phase != Phase::Watching {
            Some("a failover was in progress")
        } else {
            None
        };
        if let Some(why) = refusal {
            self.refused.push((fault, why.to_owned()));
            return;
        }
        let writer = self.writer;
        let mut readers = Vec::new();
        for r in readers_but(s, writer) {
            let i = &s.instances[r.index()];
            let action = if i.serving_reads() && i.host_up() {
                readers.push(r);
                Maintenance::UpdateOs
            } else {
                Maintenance::Skip("not serving")
            };
            cx.order(Order::Maintain {
                inst: r,
                fault,
                action,
            });
        }
        let action = if readers.is_empty() {
            self.restarts_in_place(cx.now());
            Maintenance::UpdateOs
        } else {
            self.rolling = Some(Rolling {
                fault,
                writer,
                readers,
                failed_over: false,
            });
            Maintenance::Wait
        };
        cx.order(Order::Maintain {
            inst: writer,
            fault,
            action,
        });
    }

    /// `inst` serves again after its part in planned event `fault`: a
    /// rolling update may hand the writer's role on; a reader whose class
    /// changed with `promote` becomes the writer by a requested failover,
    /// refused (and reported so) as any requested failover is.
    fn done(&mut self, cx: &mut Ctx, s: Sight, inst: InstanceId, fault: u32) {
        match cx.cfg.faults[fault as usize].kind {
            FaultKind::OsUpdate => self.updated(cx, s, inst),
            FaultKind::ClassChange { promote: true, .. } => {
                if let Err(why) = self.manual_failover(cx, s, Reason::ClassChange, Some(inst)) {
                    let name = &s.instances[inst.index()].name;
                    let at = cx.now().as_secs_f64();
                    self.refused.push((
                        fault,
                        format!("at {at:.1} s, once {name} served on its new class: {why}"),
                    ));
                }
            }
            _ => {}
        }
    }

    /// A planned change of `inst`'s class. As for any instance
    /// modification (AWS knowledge center, rds-performance-impact: "a new Amazon EC2 host
    /// is created with the updated instance class", then "the existing
    /// host's database will be shut down"), a new host is created while
    /// the instance keeps serving. Its creation is drawn as a
    /// replacement's (`provision_time`): the published times are for
    /// creating an instance, none for a class change's host. The move
    /// follows when it is ready ([`ControlPlane::on_host_ready`]).
    fn change_class(&mut self, cx: &mut Ctx, s: Sight, fault: u32, inst: InstanceId) {
        let i = &s.instances[inst.index()];
        let FaultKind::ClassChange { class, .. } = &cx.cfg.faults[fault as usize].kind else {
            return;
        };
        let action = if !i.running() || !i.host_up() {
            Maintenance::Skip("not running")
        } else if *class == i.class {
            // A modification to the class it has changes nothing.
            Maintenance::Skip("already of that class")
        } else {
            let took = cx.cfg.control.provision_time.sample(&mut self.rng);
            cx.after(took, Event::HostReady { fault });
            Maintenance::Wait
        };
        cx.order(Order::Maintain {
            inst,
            fault,
            action,
        });
    }

    /// The new host of class change `fault` is ready: the instance's
    /// database moves there. The writer moves in place while the control
    /// plane waits, as for a reboot without failover; its outage starts
    /// now. An instance not running then, or a writer a failover is
    /// replacing, is left as it is.
    pub(crate) fn on_host_ready(&mut self, cx: &mut Ctx, s: Sight, fault: u32) {
        let FaultKind::ClassChange { inst, .. } = cx.cfg.faults[fault as usize].kind else {
            return;
        };
        let i = &s.instances[inst.index()];
        let action = if !i.running() || !i.host_up() {
            Maintenance::Skip("not running when its new host was ready")
        } else if inst == self.writer && self.phase != Phase::Watching {
            Maintenance::Skip("a failover was under way when its new host was ready")
        } else {
            if inst == self.writer {
                self.restarts_in_place(cx.now());
                if !cx.cfg.engine.read_availability {
                    restart_readers(cx, s, inst);
                }
            }
            Maintenance::Move
        };
        cx.order(Order::Maintain {
            inst,
            fault,
            action,
        });
    }

    /// `inst` is back after its operating-system update: when it is the
    /// first reader of a rolling update back, the writer's role is handed
    /// on by a failover, which chooses among the readers serving by tier
    /// as any failover does. While no serving reader reaches storage the
    /// writer keeps its role (a planned event does not restart a healthy
    /// writer in place), and the next reader back tries again.
    fn updated(&mut self, cx: &mut Ctx, s: Sight, inst: InstanceId) {
        let Some(plan) = &self.rolling else {
            return;
        };
        if plan.failed_over || !plan.readers.contains(&inst) {
            return;
        }
        self.hand_over_roll(cx, s);
    }

    /// A rolling update hands the writer's role on, if a serving reader
    /// reaches storage and no failover or restart in place is under way.
    fn hand_over_roll(&mut self, cx: &mut Ctx, s: Sight) {
        let can_take_over = readers_but(s, self.writer)
            .into_iter()
            .any(|r| s.instances[r.index()].serving_reads() && s.reaches_storage(cx, r));
        if !can_take_over {
            return;
        }
        if self.manual_failover(cx, s, Reason::OsUpdate, None).is_ok() {
            if let Some(plan) = &mut self.rolling {
                plan.failed_over = true;
            }
        }
    }

    /// A requested failover: no detection; the writer stops at once. Like
    /// `FailoverDBCluster`, it is refused (with why) while a failover is
    /// in progress, to the instance that already is the writer, and to a
    /// target that is not available as a reader (down, restarting, or cut
    /// off from storage: it would not answer the selection as healthy).
    fn manual_failover(
        &mut self,
        cx: &mut Ctx,
        s: Sight,
        reason: Reason,
        target: Option<InstanceId>,
    ) -> Result<(), &'static str> {
        if self.phase != Phase::Watching {
            return Err("a failover was already in progress");
        }
        if self.restarting_in_place {
            return Err("the writer was restarting in place");
        }
        if target == Some(self.writer) {
            return Err("the target already is the writer");
        }
        if let Some(t) = target {
            match s.instances[t.index()].role {
                Role::Secondary => return Err("the target is a secondary region's instance; a global failover or switchover promotes a region"),
                Role::Green | Role::Retired => return Err("the target is not in the cluster; a blue/green switchover makes the green environment the cluster"),
                Role::Absent => return Err("the target does not exist: replica auto scaling has not created it"),
                Role::Writer | Role::Reader => {}
            }
            if !s.instances[t.index()].serving_reads() {
                return Err("the target was not available");
            }
            if !s.reaches_storage(cx, t) {
                return Err("the target reached no read quorum of some PG");
            }
        }
        self.impaired(cx.now());
        self.declare_failure(cx, s, reason, target);
        Ok(())
    }
}

/// Arms resend number `attempt` of probe `seq`. Resends fall at 1, 3, 7…
/// timeouts after the probe; one that would fall after the round's end
/// (the next check, or the end of selection) is not armed.
/// How long a probe's answer is waited for: a check interval, or a round
/// trip over the slowest link if that is longer. On a network slower than
/// the interval, a miss counted at every tick would fail a healthy writer
/// (over to itself, with no reader answering in time either).
fn patience(cfg: &Config) -> SimDuration {
    cfg.control.health_check_interval.max(cfg.slowest_leg() * 2)
}

fn arm_resend(cx: &mut Ctx, seq: u32, attempt: u32) {
    let wait = 1u64 << attempt.min(16);
    if PROBE_RTO * (2 * wait - 1) < cx.cfg.control.health_check_interval {
        cx.after(PROBE_RTO * wait, Event::HealthResend { seq, attempt });
    }
}

/// Every instance in the reader role but `inst`: the candidates a
/// failover asks.
fn readers_but(s: Sight, inst: InstanceId) -> Vec<InstanceId> {
    (0..s.instances.len())
        .map(InstanceId::from_index)
        .filter(|&i| i != inst && s.instances[i.index()].role == Role::Reader)
        .collect()
}

/// Without read availability (older engine versions), a writer failover
/// or reboot restarts every reader but the new writer (\[UG\] Rebooting an
/// Aurora cluster without read availability).
fn restart_readers(cx: &mut Ctx, s: Sight, writer: InstanceId) {
    for r in readers_but(s, writer) {
        if s.instances[r.index()].running() {
            cx.order(Order::Restart { inst: r });
        }
    }
}

/// Where a replacement for `inst` is created, if it needs one: none if
/// its host is up (it restarts there), else in its AZ or, if that AZ is
/// down, the first AZ that is up ([UG]: "in the same AZ, on a best-effort
/// basis"). The cluster is `region`'s: an instance of another region (the
/// old primary's writer, when a headless region is promoted) is created
/// anew in it.
fn replacement_az(cx: &Ctx, s: Sight, inst: InstanceId, region: RegionId) -> Option<AzId> {
    let topology = &cx.cfg.topology;
    let home = s.instances[inst.index()].az;
    let here = topology.region_of(home) == region;
    if here && s.instances[inst.index()].host_up() {
        return None;
    }
    let up = |az: AzId| cx.net().az_up(az);
    let az = if here && up(home) {
        home
    } else {
        let mut azs = topology.region_azs(region);
        let first = azs.next().expect("a region has AZs");
        std::iter::once(first)
            .chain(azs)
            .find(|&z| up(z))
            .unwrap_or(if here { home } else { first })
    };
    Some(az)
}
