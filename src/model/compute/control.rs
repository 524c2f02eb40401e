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
//!   largest size, and a deterministic tie-break ([UG] Fault tolerance);
//! * **promotion**: the chosen reader restarts as writer (`promotion_time`),
//!   or, with no reader, a replacement is created (`provision_time`);
//! * **recovery**: the new writer's storage recovery (`super::recovery`);
//! * **DNS**: the cluster record's change reaches the authoritative servers.

use std::cmp::Reverse;

use rand::Rng;

use super::{Process, Role};
use crate::model::ids::{AzId, InstanceId};
use crate::model::network::Endpoint;
use crate::model::{Event, World};
use crate::scenario::TieBreak;
use crate::sim::{SimDuration, SimRng, SimTime};

/// Why a failover happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// The writer missed `failure_threshold` health checks.
    HealthCheck,
    /// An operator asked (`FailoverDBCluster`, FIS).
    Manual,
    /// A reboot of the writer with failover.
    Reboot,
}

impl Reason {
    /// The summary word.
    pub fn name(self) -> &'static str {
        match self {
            Reason::HealthCheck => "health_check",
            Reason::Manual => "manual",
            Reason::Reboot => "reboot_with_failover",
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
    /// When the target was chosen.
    pub selected: Option<SimTime>,
    /// When the target's process was up as writer.
    pub promoted: Option<SimTime>,
    /// When recovery finished and writes were accepted.
    pub writable: Option<SimTime>,
    /// When the cluster endpoint pointed at the new writer.
    pub dns_visible: Option<SimTime>,
    /// Whether a replacement instance had to be created.
    pub provisioned: bool,
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
}

/// Control-plane state.
#[derive(Debug)]
pub struct ControlPlane {
    /// The instance the control plane has made the writer.
    pub writer: InstanceId,
    phase: Phase,
    probe: u32,
    answered: bool,
    misses: u32,
    /// Readers that answered the selection probe.
    candidates: Vec<InstanceId>,
    probed: usize,
    /// A reboot without failover is in progress: do not fail over.
    pub rebooting: bool,
    /// When the writer stopped serving, if it has.
    pub impaired_at: Option<SimTime>,
    /// The failover in progress.
    pub current: Option<FailoverRecord>,
    /// Failovers completed (and the one in progress, at the end of a run).
    pub failovers: Vec<FailoverRecord>,
    rng: SimRng,
}

impl ControlPlane {
    /// A control plane watching `writer`.
    pub fn new(writer: InstanceId, rng: SimRng) -> Self {
        ControlPlane {
            writer,
            phase: Phase::Watching,
            probe: 0,
            answered: true,
            misses: 0,
            candidates: Vec::new(),
            probed: 0,
            rebooting: false,
            impaired_at: None,
            current: None,
            failovers: Vec::new(),
            rng,
        }
    }

    /// Notes that the writer stopped serving now, unless it already had.
    pub fn impaired(&mut self, now: SimTime) {
        self.impaired_at.get_or_insert(now);
    }

    /// The run ends: a failover still in progress is reported as it stands.
    pub fn finish(&mut self) {
        if let Some(r) = self.current.take() {
            self.failovers.push(r);
        }
    }
}

impl World {
    /// The network end of an instance.
    pub(crate) fn instance_endpoint(&self, inst: InstanceId) -> Endpoint {
        Endpoint::Instance(inst, self.instances[inst.index()].az)
    }

    /// The health-check timer: count a miss if the last probe went
    /// unanswered, declare failure at the threshold, else probe again.
    pub(crate) fn on_health_tick(&mut self) {
        let (interval, threshold) = (
            self.scenario.control.health_check_interval,
            self.scenario.control.failure_threshold,
        );
        self.engine.after(interval, Event::HealthTick);
        let cp = &mut self.control;
        if cp.phase != Phase::Watching || cp.rebooting {
            return;
        }
        if cp.answered {
            cp.misses = 0;
        } else {
            cp.misses += 1;
        }
        if cp.misses >= threshold {
            return self.declare_failure(Reason::HealthCheck, None);
        }
        cp.probe = cp.probe.wrapping_add(1);
        cp.answered = false;
        let (probe, writer) = (cp.probe, cp.writer);
        let now = self.engine.now();
        let to = self.instance_endpoint(writer);
        let event = Event::HealthProbe {
            inst: writer,
            seq: probe,
        };
        self.send(now, Endpoint::Control, to, event);
    }

    /// A probe reaches an instance: a running database answers.
    pub(crate) fn on_health_probe(&mut self, inst: InstanceId, seq: u32) {
        if !self.instances[inst.index()].running() {
            return;
        }
        let now = self.engine.now();
        let from = self.instance_endpoint(inst);
        self.send(
            now,
            from,
            Endpoint::Control,
            Event::HealthReply { inst, seq },
        );
    }

    pub(crate) fn on_health_reply(&mut self, inst: InstanceId, seq: u32) {
        let cp = &mut self.control;
        if seq != cp.probe {
            return;
        }
        match cp.phase {
            Phase::Watching if inst == cp.writer => cp.answered = true,
            Phase::Selecting if !cp.candidates.contains(&inst) => {
                cp.candidates.push(inst);
                if cp.candidates.len() == cp.probed {
                    self.finish_selection();
                }
            }
            _ => {}
        }
    }

    /// Declares the writer failed (or starts a requested failover) and
    /// probes the candidates: `target` alone when named, else every reader.
    pub(crate) fn declare_failure(&mut self, reason: Reason, target: Option<InstanceId>) {
        let now = self.engine.now();
        let from = self.control.writer;
        self.control.current = Some(FailoverRecord {
            from,
            to: None,
            reason,
            started: self.control.impaired_at.unwrap_or(now),
            declared: now,
            selected: None,
            promoted: None,
            writable: None,
            dns_visible: None,
            provisioned: false,
        });
        // The old writer must stop writing: tell it (a cut-off or dead one
        // will not hear; the volume epoch fences it regardless).
        let to = self.instance_endpoint(from);
        self.send(now, Endpoint::Control, to, Event::Demote { inst: from });
        let candidates: Vec<InstanceId> = match target {
            Some(t) => vec![t],
            None => (0..self.instances.len())
                .map(InstanceId::from_index)
                .filter(|&i| i != from && self.instances[i.index()].role == Role::Reader)
                .collect(),
        };
        let cp = &mut self.control;
        cp.phase = Phase::Selecting;
        cp.probe = cp.probe.wrapping_add(1);
        cp.candidates.clear();
        cp.probed = candidates.len();
        let seq = cp.probe;
        if candidates.is_empty() {
            return self.finish_selection();
        }
        for inst in candidates {
            let to = self.instance_endpoint(inst);
            self.send(now, Endpoint::Control, to, Event::HealthProbe { inst, seq });
        }
        let wait = self.scenario.control.health_check_interval;
        self.engine.after(wait, Event::SelectionDone { seq });
    }

    pub(crate) fn on_selection_done(&mut self, seq: u32) {
        if self.control.phase == Phase::Selecting && self.control.probe == seq {
            self.finish_selection();
        }
    }

    /// Picks the target among readers that answered: lowest tier, then
    /// largest size, then by name or a seeded draw. With none, the failed
    /// writer is re-created (or restarted, if its host is still up).
    fn finish_selection(&mut self) {
        let now = self.engine.now();
        let mut ranked: Vec<InstanceId> = self
            .control
            .candidates
            .iter()
            .copied()
            .filter(|&i| self.instances[i.index()].serving_reads())
            .collect();
        let key = |i: &InstanceId| {
            let inst = &self.instances[i.index()];
            (inst.tier, Reverse(inst.size))
        };
        ranked.sort_by(|a, b| {
            key(a).cmp(&key(b)).then_with(|| {
                self.instances[a.index()]
                    .name
                    .cmp(&self.instances[b.index()].name)
            })
        });
        let tied = ranked
            .iter()
            .take_while(|i| key(i) == key(&ranked[0]))
            .count();
        let chosen = match (ranked.is_empty(), self.scenario.control.tie_break) {
            (true, _) => None,
            (false, TieBreak::Name) => Some(ranked[0]),
            (false, TieBreak::Random) => Some(ranked[self.control.rng.random_range(0..tied)]),
        };
        self.control.phase = Phase::Promoting;
        let old = self.control.writer;
        let (target, delay) = match chosen {
            Some(t) => (t, self.scenario.control.promotion_time),
            None => (old, self.replace_instance(old)),
        };
        let record = self.control.current.as_mut().expect("failover in progress");
        record.selected = Some(now);
        record.provisioned = chosen.is_none();
        record.to = Some(target);
        self.control.writer = target;
        let inst = &mut self.instances[target.index()];
        inst.role = Role::Writer;
        if target != old && self.instances[old.index()].role == Role::Writer {
            // Until it hears, the old writer still thinks it writes; the
            // control plane already counts it out.
            self.control.impaired(now);
        }
        self.start_process(target, delay, false);
    }

    /// Gets a replacement for `inst` under way and returns how long it
    /// takes: a restart if its host is up, else a new instance in its AZ
    /// or, if that AZ is down, the first AZ that is up ([UG]: "in the same
    /// AZ, on a best-effort basis").
    fn replace_instance(&mut self, inst: InstanceId) -> SimDuration {
        let cfg = &self.scenario.control;
        if self.instances[inst.index()].host_up() {
            return cfg.restart_time;
        }
        let home = self.instances[inst.index()].az;
        let up = |az: AzId| self.net.az_up(az);
        let az = if up(home) {
            home
        } else {
            (0..self.scenario.topology.azs.len())
                .map(|z| AzId(z as u8))
                .find(|&z| up(z))
                .unwrap_or(home)
        };
        let i = &mut self.instances[inst.index()];
        i.az = az;
        i.replacing = true;
        cfg.provision_time
    }

    /// Starts `inst`'s database process; it is up after `delay`. A process
    /// that was running exits first: a restart resets its connections, but
    /// a writer fenced by failover goes silent ([UG]: the old primary is
    /// hard-fenced; its clients hear nothing and wait on their timeouts).
    pub(crate) fn start_process(&mut self, inst: InstanceId, delay: SimDuration, fenced: bool) {
        if self.instances[inst.index()].process == Process::Running && !fenced {
            self.reset_connections(inst);
        }
        let i = &mut self.instances[inst.index()];
        i.fenced = fenced;
        i.process = Process::Starting;
        i.incarnation += 1;
        let incarnation = i.incarnation;
        self.engine
            .after(delay, Event::InstanceUp { inst, incarnation });
        if self.writer.instance == inst {
            self.close_writer();
        }
        self.refresh_reader_dns();
    }

    /// A process finished starting: the writer recovers the volume, a
    /// reader joins the reader endpoint.
    pub(crate) fn on_instance_up(&mut self, inst: InstanceId, incarnation: u32) {
        let now = self.engine.now();
        let i = &mut self.instances[inst.index()];
        if i.incarnation != incarnation || i.process != Process::Starting {
            return;
        }
        if i.replacing {
            // A new host: the old one's faults are not its own.
            i.replacing = false;
            i.host_faults = 0;
        }
        i.fenced = false;
        if i.host_faults > 0 {
            return;
        }
        i.process = Process::Running;
        i.started = now;
        if inst == self.control.writer {
            i.role = Role::Writer;
            if let Some(r) = self.control.current.as_mut() {
                r.promoted = Some(now);
            }
            self.start_recovery(inst);
        } else {
            i.role = Role::Reader;
            self.refresh_reader_dns();
        }
    }

    /// The new writer is open: point the cluster endpoint at it and close
    /// the failover's record.
    pub(crate) fn writer_opened(&mut self) {
        let now = self.engine.now();
        let writer = self.control.writer;
        let visible = self
            .dns
            .cluster
            .set(now, vec![writer], &self.scenario.dns)
            .unwrap_or(now);
        let cp = &mut self.control;
        cp.phase = Phase::Watching;
        cp.rebooting = false;
        cp.answered = true;
        cp.misses = 0;
        cp.impaired_at = None;
        if let Some(mut r) = cp.current.take() {
            r.writable = Some(now);
            r.dns_visible = Some(visible);
            cp.failovers.push(r);
        }
        self.update_quorum_health();
    }

    /// Points the reader endpoint at every running reader.
    pub(crate) fn refresh_reader_dns(&mut self) {
        let now = self.engine.now();
        let readers: Vec<InstanceId> = (0..self.instances.len())
            .map(InstanceId::from_index)
            .filter(|i| self.instances[i.index()].serving_reads())
            .collect();
        self.dns.reader.set(now, readers, &self.scenario.dns);
    }

    /// An old writer learns it has been replaced (the control plane's
    /// order, or storage refusing its epoch): it restarts as a reader.
    pub(crate) fn step_down(&mut self, inst: InstanceId) {
        let i = &self.instances[inst.index()];
        if i.role != Role::Writer || !i.running() {
            return;
        }
        self.instances[inst.index()].role = Role::Reader;
        let restart = self.scenario.control.restart_time;
        self.start_process(inst, restart, true);
    }

    /// The control plane's demotion order reaches an instance: unless it
    /// is the writer the control plane wants now, it steps down.
    pub(crate) fn on_demote(&mut self, inst: InstanceId) {
        if self.control.phase != Phase::Watching || inst != self.control.writer {
            self.step_down(inst);
        }
    }

    /// An instance's host fails (`down`) or one reason for that ends.
    pub(crate) fn host_fault(&mut self, inst: InstanceId, down: bool) {
        let now = self.engine.now();
        let i = &mut self.instances[inst.index()];
        if down {
            i.host_faults += 1;
            if i.host_faults == 1 && i.process != Process::Stopped {
                i.process = Process::Stopped;
                i.incarnation += 1;
                if inst == self.control.writer {
                    self.control.impaired(now);
                }
                if self.writer.instance == inst {
                    self.close_writer();
                }
                self.refresh_reader_dns();
            }
        } else {
            i.host_faults = i.host_faults.saturating_sub(1);
            if i.host_faults == 0 && i.process == Process::Stopped && !i.replacing {
                let restart = self.scenario.control.restart_time;
                self.start_process(inst, restart, false);
            }
        }
    }

    /// A reboot: the writer without failover restarts in place while the
    /// control plane waits; with failover it hands over first.
    pub(crate) fn reboot(&mut self, inst: InstanceId, failover: bool) {
        let now = self.engine.now();
        let restart = self.scenario.control.restart_time;
        if inst != self.control.writer {
            if self.instances[inst.index()].host_up() {
                self.start_process(inst, restart, false);
            }
            return;
        }
        self.control.impaired(now);
        if failover {
            self.manual_failover(Reason::Reboot, None);
        } else if self.control.phase == Phase::Watching {
            self.control.rebooting = true;
            self.start_process(inst, restart, false);
        }
    }

    /// A requested failover: no detection; the writer stops at once.
    pub(crate) fn manual_failover(&mut self, reason: Reason, target: Option<InstanceId>) {
        if self.control.phase != Phase::Watching {
            return;
        }
        let now = self.engine.now();
        self.control.impaired(now);
        self.declare_failure(reason, target);
    }
}
