//! Planned events as one instance lives them: an engine patch, an
//! operating-system update and a class change.
//!
//! An operating-system update stops the process (its connections reset),
//! keeps the host down for the update, which loses its memory and the
//! buffer cache with it, and starts the database again; which instance
//! goes when is the control plane's rolling plan.
//!
//! A class change waits while its new host is created, the instance
//! serving meanwhile; then its process stops and starts on the new host:
//! the class's CPUs and memory, an empty cache, a new address.
//!
//! Without zero-downtime patching an instance's process restarts like a
//! reboot: its connections reset, and it serves again once its engine is
//! up (a writer once it has recovered and opened).
//!
//! Zero-downtime patching (ZDP, \[UG\] Using zero-downtime patching) tries
//! "on a best-effort basis, to preserve client connections": the engine
//! stops starting transactions, holding each new request on its
//! connection, and waits for the transactions in flight to finish; at that
//! quiet point it restarts under the open connections and the held
//! requests go on. If transactions are still in flight when its wait runs
//! out, "patching reverts to the standard behavior": a plain restart. Of
//! the conditions the guide lists, the one modelled is transactions that
//! do not finish (a commit waiting on a storage quorum, a read on a slow
//! copy); the workload has no long queries, temporary tables, locks or
//! pending parameter changes.
//!
//! The engine's restart under open connections is its start, its buffer
//! pool and its opening, drawn as for any restart, without the stop (no
//! connection closes) and without storage recovery or a rebuild (it shut
//! down cleanly with nothing in flight): the writer keeps its epoch and
//! its durable points, which a recovery would find unchanged. A reader
//! paused this way keeps taking the redo stream as it arrives, so its lag
//! during the pause is not measured as the restart would make it.

use super::instance::Instance;
use crate::model::answer::Caller;
use crate::model::config::StartSteps;
use crate::sim::{SimDuration, SimTime};
use crate::vocab::ids::InstanceId;

/// How often a quiescing engine looks for its quiet point. Modelling
/// choice: a millisecond is finer than any commit's round to storage, so
/// the quiet point is found within a millisecond of the last transaction
/// finishing.
pub const LOOK_EVERY: SimDuration = SimDuration::from_millis(1);

/// Zero-downtime patching under way on an instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Zdp {
    /// New transactions wait on their connections while those in flight
    /// finish; at `until` it gives up and restarts plainly.
    Quiescing { until: SimTime },
    /// The engine restarts under the open connections.
    Restarting,
}

/// How one instance's patch went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatchOutcome {
    /// Zero-downtime patching restarted the engine under open connections,
    /// holding new requests from the patch until `resumed`.
    Kept { resumed: SimTime },
    /// No quiet point came before the wait ran out: a plain restart.
    FellBack,
    /// A plain restart, asked for.
    Restarted,
    /// An operating-system update: the host rebooted and the database
    /// restarted.
    Updated,
    /// A class change: the database moved to a new host of the class.
    Moved,
    /// Something else (a crash, a failover, another restart) overtook the
    /// patch before it finished.
    Overtaken,
    /// The event left it as it was, for this reason.
    Skipped(&'static str),
    /// It waits for its turn: a rolling update's writer for the failover
    /// that hands its role on, a class change for its new host.
    Waiting,
    /// Zero-downtime patching is still looking for its quiet point or
    /// restarting the engine.
    Underway,
}

impl PatchOutcome {
    /// Whether the instance's process restarted for the event, so that
    /// its part ends when it serves again.
    pub fn restarts(self) -> bool {
        matches!(
            self,
            PatchOutcome::Restarted
                | PatchOutcome::Updated
                | PatchOutcome::Moved
                | PatchOutcome::FellBack
        )
    }
}

/// Planned engine patches on the instances.
#[derive(Clone, Debug)]
pub struct Patches {
    /// Zero-downtime patching under way on each instance, if it is.
    zdp: Vec<Option<Zdp>>,
    /// The requests it holds on each instance's connections, with when
    /// each arrived.
    held: Vec<Vec<(Caller, SimTime)>>,
    /// Each instance's part in every patch, in order.
    pub records: Vec<PatchRecord>,
}

impl Patches {
    /// No patch yet on any of `instances` instances.
    pub fn new(instances: usize) -> Self {
        Patches {
            zdp: vec![None; instances],
            held: vec![Vec::new(); instances],
            records: Vec::new(),
        }
    }
}

/// One instance's part in a planned engine patch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PatchRecord {
    /// The instance.
    pub inst: InstanceId,
    /// The planned event (its index among the scenario's faults).
    pub fault: u32,
    /// When the patch reached it.
    pub asked: SimTime,
    /// What happened.
    pub outcome: PatchOutcome,
    /// When it served again after a restart (a writer: once open for
    /// writes); `None` while it has not, or when it kept serving.
    pub back: Option<SimTime>,
}

impl PatchRecord {
    /// Whether this record waits for its instance to serve again.
    fn awaits(&self, inst: InstanceId) -> bool {
        self.inst == inst && self.back.is_none() && self.outcome.restarts()
    }
}

impl Patches {
    /// Zero-downtime patching's state on `inst`.
    pub fn zdp(&self, inst: InstanceId) -> Option<Zdp> {
        self.zdp[inst.index()]
    }

    /// Zero-downtime patching begins on `inst`, looking for a quiet point
    /// until `until`; `false` if it already runs there.
    pub fn begin(&mut self, inst: InstanceId, fault: u32, now: SimTime, until: SimTime) -> bool {
        if self.zdp[inst.index()].is_some() {
            return false;
        }
        self.zdp[inst.index()] = Some(Zdp::Quiescing { until });
        self.records.push(PatchRecord {
            inst,
            fault,
            asked: now,
            outcome: PatchOutcome::Underway,
            back: None,
        });
        true
    }

    /// Planned event `fault` reaches `inst` at `now`, which restarts
    /// (`outcome` says how: a plain restart, an operating-system update, a
    /// move to a new host), waits or is skipped. An instance that waited
    /// has its record taken up again.
    pub fn reached(&mut self, inst: InstanceId, fault: u32, now: SimTime, outcome: PatchOutcome) {
        let waited = (self.records.iter_mut())
            .find(|r| r.inst == inst && r.fault == fault && r.outcome == PatchOutcome::Waiting);
        match waited {
            Some(r) => {
                r.asked = now;
                r.outcome = outcome;
            }
            None => self.records.push(PatchRecord {
                inst,
                fault,
                asked: now,
                outcome,
                back: None,
            }),
        }
    }

    /// The quiet point came: the engine restarts under open connections.
    pub fn restarting(&mut self, inst: InstanceId) {
        self.zdp[inst.index()] = Some(Zdp::Restarting);
    }

    /// No quiet point came in time: `inst` restarts plainly. Its held
    /// requests go with the old process's connections, which the restart
    /// resets.
    pub fn fell_back(&mut self, inst: InstanceId) {
        self.end(inst);
        if let Some(r) = self.open_record(inst) {
            r.outcome = PatchOutcome::FellBack;
        }
    }

    /// The engine is back under its open connections at `now`: returns
    /// the requests held, in the order they came.
    pub fn resumed(&mut self, inst: InstanceId, now: SimTime) -> Vec<(Caller, SimTime)> {
        if let Some(r) = self.open_record(inst) {
            r.outcome = PatchOutcome::Kept { resumed: now };
        }
        self.end(inst)
    }

    /// Holds a request that reached `inst` at `now` while zero-downtime
    /// patching holds new work; `false` if it does not.
    pub fn hold(&mut self, inst: InstanceId, caller: Caller, now: SimTime) -> bool {
        if self.zdp[inst.index()].is_none() {
            return false;
        }
        self.held[inst.index()].push((caller, now));
        true
    }

    /// `inst`'s process restarted or its host went: a patch under way
    /// there is over, its held requests gone with the old process's
    /// connections (a restart resets them; a lost host leaves them to
    /// their timeouts). Returns whether one was under way.
    pub fn overtaken(&mut self, inst: InstanceId) -> bool {
        if self.zdp[inst.index()].is_none() {
            return false;
        }
        self.end(inst);
        if let Some(r) = self.open_record(inst) {
            r.outcome = PatchOutcome::Overtaken;
        }
        true
    }

    /// `inst`'s host failed: a planned event's restart of it that had not
    /// served again is overtaken by the crash.
    pub fn host_lost(&mut self, inst: InstanceId) {
        for r in self.records.iter_mut().filter(|r| r.awaits(inst)) {
            r.outcome = PatchOutcome::Overtaken;
        }
    }

    /// `inst` serves again at `now`: a restart for a planned event before
    /// it is done; returns that record, if there was one.
    pub fn back(&mut self, inst: InstanceId, now: SimTime) -> Option<PatchRecord> {
        let r = (self.records.iter_mut().rev()).find(|r| r.awaits(inst))?;
        r.back = Some(now);
        Some(*r)
    }

    /// Ends zero-downtime patching on `inst`; returns what it held.
    fn end(&mut self, inst: InstanceId) -> Vec<(Caller, SimTime)> {
        self.zdp[inst.index()] = None;
        std::mem::take(&mut self.held[inst.index()])
    }

    /// The newest record of `inst` still under way.
    fn open_record(&mut self, inst: InstanceId) -> Option<&mut PatchRecord> {
        (self.records.iter_mut().rev())
            .find(|r| r.inst == inst && r.outcome == PatchOutcome::Underway)
    }
}

/// The engine's restart under open connections: its start, its buffer
/// pool and its opening, drawn from the instance's stream as for any
/// restart, without a stop or a recovery.
pub fn engine_restart(steps: &StartSteps, i: &mut Instance) -> SimDuration {
    steps.engine_start.sample(&mut i.rng)
        + steps.buffer_pool(&i.spec)
        + steps.open.sample(&mut i.rng)
}
