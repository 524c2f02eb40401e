//! A planned engine patch as one instance lives it.
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

use super::instance::Role;
use super::Compute;
use crate::model::answer::Caller;
use crate::model::context::Ctx;
use crate::model::event::Event;
use crate::sim::{SimDuration, SimTime};
use crate::vocab::ids::InstanceId;

/// How often a quiescing engine looks for its quiet point. Modelling
/// choice: a millisecond is finer than any commit's round to storage, so
/// the quiet point is found within a millisecond of the last transaction
/// finishing.
const LOOK_EVERY: SimDuration = SimDuration::from_millis(1);

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
    /// No quiet point came before the wait ran out at `at`: a plain restart.
    FellBack { at: SimTime },
    /// A plain restart, asked for.
    Restarted,
    /// Something else (a crash, a failover, another restart) overtook the
    /// patch before it finished.
    Overtaken,
    /// Zero-downtime patching is still looking for its quiet point or
    /// restarting the engine.
    Underway,
}

/// One instance's part in a planned engine patch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PatchRecord {
    /// The instance.
    pub inst: InstanceId,
    /// When the patch reached it.
    pub asked: SimTime,
    /// What happened.
    pub outcome: PatchOutcome,
    /// When it served again after a restart (a writer: once open for
    /// writes); `None` while it has not, or when it kept serving.
    pub back: Option<SimTime>,
    /// The process the restart started, whose coming up is `back`.
    incarnation: u32,
}

impl PatchRecord {
    /// Whether this record waits for its instance to serve again.
    fn awaits(&self, inst: InstanceId) -> bool {
        self.inst == inst
            && self.back.is_none()
            && matches!(
                self.outcome,
                PatchOutcome::Restarted | PatchOutcome::FellBack { .. }
            )
    }
}

impl Compute {
    /// The control plane's order: `inst` is patched, with zero-downtime
    /// patching or by a plain restart.
    pub fn patch(&mut self, cx: &mut Ctx, inst: InstanceId, zero_downtime: bool) {
        if zero_downtime {
            self.quiesce(cx, inst);
        } else {
            self.patch_restart(cx, inst);
        }
    }

    /// Zero-downtime patching begins on `inst`.
    fn quiesce(&mut self, cx: &mut Ctx, inst: InstanceId) {
        let now = cx.now();
        let i = &mut self.instances[inst.index()];
        if !i.running() || i.zdp.is_some() {
            return;
        }
        i.zdp = Some(Zdp::Quiescing {
            until: now + cx.cfg.engine.zdp_quiet_wait,
        });
        let incarnation = i.incarnation;
        self.patches.push(PatchRecord {
            inst,
            asked: now,
            outcome: PatchOutcome::Underway,
            back: None,
            incarnation,
        });
        self.pause_writer(inst, true);
        self.look_for_quiet(cx, inst);
    }

    /// `inst` restarts for a patch.
    fn patch_restart(&mut self, cx: &mut Ctx, inst: InstanceId) {
        self.restart(cx, inst);
        let i = &self.instances[inst.index()];
        self.patches.push(PatchRecord {
            inst,
            asked: cx.now(),
            outcome: PatchOutcome::Restarted,
            back: None,
            incarnation: i.incarnation,
        });
    }

    /// A quiescing instance looks again for its quiet point.
    pub fn on_patch_check(&mut self, cx: &mut Ctx, inst: InstanceId, incarnation: u32) {
        let i = &self.instances[inst.index()];
        if i.incarnation == incarnation && matches!(i.zdp, Some(Zdp::Quiescing { .. })) {
            self.look_for_quiet(cx, inst);
        }
    }

    /// Restarts the engine under open connections if nothing is in
    /// flight; restarts plainly if the wait has run out; else looks again
    /// shortly.
    fn look_for_quiet(&mut self, cx: &mut Ctx, inst: InstanceId) {
        let now = cx.now();
        let i = &self.instances[inst.index()];
        let Some(Zdp::Quiescing { until }) = i.zdp else {
            return;
        };
        let incarnation = i.incarnation;
        if self.quiet(inst, now) {
            let i = &mut self.instances[inst.index()];
            let steps = &cx.cfg.control.start;
            let restart = steps.engine_start.sample(&mut i.rng)
                + steps.buffer_pool(&i.spec)
                + steps.open.sample(&mut i.rng);
            i.zdp = Some(Zdp::Restarting);
            cx.after(restart, Event::PatchResume { inst, incarnation });
        } else if now >= until {
            self.end_zdp(inst);
            self.restart(cx, inst);
            let incarnation = self.instances[inst.index()].incarnation;
            if let Some(r) = self.open_record(inst) {
                r.outcome = PatchOutcome::FellBack { at: now };
                r.incarnation = incarnation;
            }
        } else {
            cx.after(LOOK_EVERY, Event::PatchCheck { inst, incarnation });
        }
    }

    /// The engine is back under its open connections: the held requests
    /// go on, in the order they came.
    pub fn on_patch_resume(
        &mut self,
        cx: &mut Ctx,
        wl: &mut crate::model::workload::Workload,
        around: super::Surroundings,
        inst: InstanceId,
        incarnation: u32,
    ) {
        let i = &self.instances[inst.index()];
        if i.incarnation != incarnation || i.zdp != Some(Zdp::Restarting) {
            return;
        }
        let now = cx.now();
        if let Some(r) = self.open_record(inst) {
            r.outcome = PatchOutcome::Kept { resumed: now };
        }
        let held = self.end_zdp(inst);
        for caller in held {
            self.on_request(cx, wl, around, caller, (inst, incarnation));
        }
    }

    /// Holds a request that reached `inst` while zero-downtime patching
    /// holds new work; `false` if it does not.
    pub(super) fn hold(&mut self, inst: InstanceId, caller: Caller) -> bool {
        let i = &mut self.instances[inst.index()];
        if i.zdp.is_none() {
            return false;
        }
        i.held.push(caller);
        true
    }

    /// An instance's process restarted or its host went: a patch in
    /// progress there is over, its held requests gone with the old
    /// process's connections (the restart resets them; a lost host leaves
    /// them to their timeouts).
    pub(super) fn patch_overtaken(&mut self, inst: InstanceId) {
        if self.instances[inst.index()].zdp.is_some() {
            self.end_zdp(inst);
            if let Some(r) = self.open_record(inst) {
                r.outcome = PatchOutcome::Overtaken;
            }
        }
    }

    /// `inst` serves again (a reader up, a writer open): a patch restart
    /// waiting for that is done.
    pub(super) fn patched_back(&mut self, inst: InstanceId, now: SimTime) {
        let incarnation = self.instances[inst.index()].incarnation;
        if let Some(r) = self
            .patches
            .iter_mut()
            .rev()
            .find(|r| r.awaits(inst) && r.incarnation == incarnation)
        {
            r.back = Some(now);
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
            Role::Writer => self
                .writers
                .writer_on(inst, &self.instances)
                .is_none_or(|w| w.idle()),
            Role::Reader => i.replica.reads.is_empty(),
        }
    }

    /// Ends zero-downtime patching on `inst`; returns the requests it held.
    fn end_zdp(&mut self, inst: InstanceId) -> Vec<Caller> {
        let i = &mut self.instances[inst.index()];
        i.zdp = None;
        let held = std::mem::take(&mut i.held);
        self.pause_writer(inst, false);
        held
    }

    /// Stops or restarts the admission of new commits by the writer on
    /// `inst`, if it runs one.
    fn pause_writer(&mut self, inst: InstanceId, paused: bool) {
        if self.writers.current.instance == inst {
            self.writers.current.paused = paused;
        }
    }

    /// The newest record of `inst` still open.
    fn open_record(&mut self, inst: InstanceId) -> Option<&mut PatchRecord> {
        self.patches
            .iter_mut()
            .rev()
            .find(|r| r.inst == inst && r.outcome == PatchOutcome::Underway)
    }
}
