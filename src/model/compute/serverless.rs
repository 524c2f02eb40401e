//! Aurora Serverless v2 capacity as the instances live it (\[UG\] How
//! Aurora Serverless v2 works; Performance and scaling for Aurora
//! Serverless v2; Scaling to Zero ACUs with automatic pause and resume).
//!
//! Every scaling interval each `db.serverless` instance looks at the CPU
//! time its machine was given since the last look — its load, whether or
//! not the processors kept up — and sizes its capacity for it at the
//! target utilisation. Its capacity moves towards that size by at most a
//! share of itself a second (at least half an ACU a step up), so "the
//! larger the current capacity, the larger the scaling increment"; down,
//! slower. Readers in promotion tiers 0 and 1 never fall below the
//! writer's capacity ("the minimum capacity is defined by the current
//! writer capacity"; for a provisioned writer, "the ACU equivalent of the
//! writer's memory size"); readers in tiers 2 to 15 follow their own load
//! and may be small when promoted. Capacity holds while a process is
//! stopped or starting: a promoted reader begins as the writer at the
//! capacity it had as a reader. The machine takes each new capacity at
//! once: its processors from that instant, its buffer cache grown or, by
//! CLOCK, shrunk.
//!
//! With a minimum of 0 ACU an instance without user connections for
//! `seconds_until_auto_pause` pauses: its capacity and cache go. The
//! writer pauses together with the readers in tiers 0 and 1, and only
//! once every other reader has paused, and not while the cluster has a
//! provisioned instance, an RDS Proxy, open-loop load at the writer, or
//! is part of a global database; readers in tiers 2 to 15 pause on their
//! own. A connection to a paused instance waits while it resumes (a draw
//! around 15 s), and a reader resuming resumes the writer's group too. A
//! resumed instance starts small and scales up from there.
//!
//! Not modelled: memory pressure as a reason to scale (capacity follows
//! the processors' load; the cache follows capacity), the moves to
//! another host that rare scaling events make, and the longer "deeper
//! sleep" after a pause of a day (set `resume_time` for that).

use super::instance::{HeldConnect, Role};
use super::Compute;
use crate::model::config::{HalfAcus, ServerlessConfig};
use crate::model::context::Ctx;
use crate::model::event::Event;
use crate::model::routes::Routes;
use crate::sim::SimTime;
use crate::vocab::ids::InstanceId;
use crate::vocab::ClientError;

/// The capacity a resumed instance starts at: 2 ACUs, as in \[UG\] Scaling
/// to Zero ACUs's worked example ("resumed at a capacity of 2.0 ACUs";
/// "it begins with a relatively small capacity and scales up from
/// there"), within the cluster's range.
const RESUMED: HalfAcus = HalfAcus(4);

/// ACUs per vCPU: an ACU is a quarter of a vCPU
/// ([`HalfAcus::capacity`]).
const ACU_PER_VCPU: f64 = 4.0;

impl Compute {
    /// Each Aurora Serverless v2 instance's capacity is set anew from its
    /// load, and idle instances pause.
    pub fn on_scale_tick(&mut self, cx: &mut Ctx) {
        let Some(range) = cx.cfg.serverless.as_ref() else {
            return;
        };
        let now = cx.now();
        // The writer first: readers in tiers 0 and 1 scale at least as
        // high as it now is.
        let writer = self.writers.current.instance;
        self.scale(cx, range, writer, HalfAcus(0), now);
        let floor = self.writer_floor();
        for k in (0..self.instances.len()).map(InstanceId::from_index) {
            if k != writer {
                let i = &self.instances[k.index()];
                let follows = i.role == Role::Reader && i.tier <= 1;
                self.scale(cx, range, k, if follows { floor } else { HalfAcus(0) }, now);
            }
        }
        if range.min == HalfAcus(0) {
            self.keep_group_up(cx);
            self.look_for_pauses(cx, range, now);
        }
        cx.after(range.interval, Event::ScaleTick);
    }

    /// Each Aurora Serverless v2 instance's capacity now, ACUs, in
    /// instance order.
    pub fn capacities(&self) -> Vec<f64> {
        self.instances
            .iter()
            .filter_map(|i| i.serverless.map(|s| s.acu.acu()))
            .collect()
    }

    /// The capacity readers in tiers 0 and 1 keep at least: the writer's,
    /// or for a provisioned writer the ACUs of its memory. A writer whose
    /// host has gone counts with the capacity it had, and so do they: they
    /// are ready to take over its load.
    fn writer_floor(&self) -> HalfAcus {
        let w = &self.instances[self.writers.current.instance.index()];
        match w.serverless {
            Some(s) if s.paused => HalfAcus(0),
            Some(s) => s.acu.max(HalfAcus::covering(s.level)),
            // An ACU is 2 GiB: a half ACU per GiB.
            None => HalfAcus(w.spec.memory_gib),
        }
    }

    /// One instance's capacity, moved towards what its load asks, at
    /// least `floor`.
    fn scale(
        &mut self,
        cx: &mut Ctx,
        range: &ServerlessConfig,
        k: InstanceId,
        floor: HalfAcus,
        now: SimTime,
    ) {
        let i = &mut self.instances[k.index()];
        let Some(mut s) = i.serverless else {
            return;
        };
        let server = &mut self.servers[k.index()];
        let given = server.offered().saturating_sub(s.seen);
        s.seen = server.offered();
        if i.connections > 0 {
            s.idle_since = now;
        }
        // Capacity holds while the process is down or starting, and while
        // a writer recovers, rebuilds and opens: a promotion does not shed
        // the capacity the load will need.
        let opening = self.writers.current.instance == k && !self.writers.current.open;
        if !i.running() || s.paused || s.resuming.is_some() || opening {
            i.serverless = Some(s);
            return;
        }
        let dt = range.interval.as_secs_f64();
        let least = range.least_running().max(floor).min(range.max);
        let load = given.as_secs_f64() / dt * ACU_PER_VCPU / range.target_utilisation;
        let want = load.clamp(least.acu(), range.max.acu());
        s.level = if want > s.level {
            (s.level + (s.level * range.up_per_s * dt).max(0.5)).min(want)
        } else {
            (s.level * (1.0 - range.down_per_s * dt).max(0.0)).max(want)
        };
        let acu = HalfAcus::covering(s.level).clamp(least, range.max);
        if acu != s.acu {
            s.set(acu, now);
            server.resize(acu.capacity(), page_bytes(cx), now);
        }
        i.serverless = Some(s);
    }

    /// The writer and the readers in tiers 0 and 1 pause and resume
    /// together: while the writer runs unpaused, any of them paused
    /// resumes (a promotion can make a writer of a reader that was not
    /// paused with them).
    fn keep_group_up(&mut self, cx: &mut Ctx) {
        let w = &self.instances[self.writers.current.instance.index()];
        if w.role == Role::Writer && w.running() && !w.paused() {
            for g in self.writer_group() {
                self.resume(cx, g);
            }
        }
    }

    /// Instances idle for the auto-pause interval pause: readers in tiers
    /// 2 to 15 on their own, the writer with the readers in tiers 0 and 1
    /// once every other reader has paused.
    fn look_for_pauses(&mut self, cx: &mut Ctx, range: &ServerlessConfig, now: SimTime) {
        let idle = |i: &super::Instance| {
            i.serverless.is_some_and(|s| {
                !s.paused
                    && s.resuming.is_none()
                    && i.connections == 0
                    && now.since(s.idle_since) >= range.auto_pause
            })
        };
        // RDS Proxy holds connections open: no instance pauses.
        if cx.cfg.proxy.is_some() {
            return;
        }
        let mut alone = Vec::new();
        for (k, i) in self.instances.iter().enumerate() {
            if i.role == Role::Reader && i.tier >= 2 && i.running() && idle(i) {
                alone.push(InstanceId::from_index(k));
            }
        }
        for k in alone {
            self.pause(cx, k, now);
        }
        // The writer's group pauses once every other reader has paused (a
        // provisioned instance never does, so it keeps the group up).
        let cluster = || self.instances.iter().filter(|i| i.role.in_cluster());
        let group_idle = cluster().all(|i| {
            if in_writer_group(i) {
                i.running() && idle(i)
            } else {
                // Every other reader paused, or not running at all.
                i.paused() || !i.running()
            }
        });
        let open_loop = cx.cfg.workload.commits_per_s > 0.0 || cx.cfg.workload.reads_per_s > 0.0;
        let writer_open = self.hosts().current_writer_open();
        if group_idle && writer_open && !open_loop && cx.cfg.global.is_none() {
            for k in self.writer_group() {
                self.pause(cx, k, now);
            }
        }
    }

    /// `k` pauses: no capacity, no cache.
    fn pause(&mut self, cx: &mut Ctx, k: InstanceId, now: SimTime) {
        // The time before now counts as running: the capacity moves first.
        self.take_capacity(cx, k, HalfAcus(0), now);
        if let Some(s) = self.instances[k.index()].serverless.as_mut() {
            s.paused = true;
            s.used.pauses += 1;
        }
    }

    /// `k` takes capacity `acu` from `now`, its steps starting from there,
    /// and its machine with it.
    fn take_capacity(&mut self, cx: &Ctx, k: InstanceId, acu: HalfAcus, now: SimTime) {
        if let Some(s) = self.instances[k.index()].serverless.as_mut() {
            s.set(acu, now);
            s.level = acu.acu();
            self.servers[k.index()].resize(acu.capacity(), page_bytes(cx), now);
        }
    }

    /// The connections waiting for `k` to resume, taken from the queue.
    fn take_held(&mut self, k: InstanceId) -> Vec<HeldConnect> {
        let (waiting, rest): (Vec<_>, Vec<_>) = self.held.drain(..).partition(|(g, _)| *g == k);
        self.held = rest;
        waiting.into_iter().map(|(_, h)| h).collect()
    }

    /// A connection asks for paused (or resuming) instance `k`: it waits
    /// until `k` has resumed. The writer and the readers in tiers 0 and 1
    /// resume together, and a reader of another tier resuming resumes
    /// them too. Returns whether the connection waits.
    pub(super) fn hold_for_resume(
        &mut self,
        cx: &mut Ctx,
        k: InstanceId,
        held: HeldConnect,
    ) -> bool {
        let i = &self.instances[k.index()];
        if !i.paused() || !i.running() {
            return false;
        }
        self.held.push((k, held));
        self.resume(cx, k);
        self.resume_group_with(cx, k);
        true
    }

    /// `k` is resuming (or starting from a pause): if it is the writer or
    /// one of the cluster's readers, the writer's group resumes with it.
    pub(super) fn resume_group_with(&mut self, cx: &mut Ctx, k: InstanceId) {
        if matches!(self.instances[k.index()].role, Role::Reader | Role::Writer) {
            for g in self.writer_group() {
                self.resume(cx, g);
            }
        }
    }

    /// The writer and the readers in promotion tiers 0 and 1, which pause
    /// and resume together.
    fn writer_group(&self) -> Vec<InstanceId> {
        (0..self.instances.len())
            .map(InstanceId::from_index)
            .filter(|g| in_writer_group(&self.instances[g.index()]))
            .collect()
    }

    /// `k` begins to resume, unless it is already resuming or running.
    fn resume(&mut self, cx: &mut Ctx, k: InstanceId) {
        let Some(range) = cx.cfg.serverless.as_ref() else {
            return;
        };
        let i = &mut self.instances[k.index()];
        let Some(s) = i
            .serverless
            .as_mut()
            .filter(|s| s.paused && s.resuming.is_none())
        else {
            return;
        };
        let took = range.resume.sample(&mut i.rng);
        s.resuming = Some(cx.now() + took);
        let incarnation = i.incarnation;
        cx.after(
            took,
            Event::Resumed {
                inst: k,
                incarnation,
            },
        );
    }

    /// `k` has resumed: it runs at a small capacity, and the connections
    /// that waited for it are taken.
    pub fn on_resumed(&mut self, cx: &mut Ctx, k: InstanceId, incarnation: u32) {
        let now = cx.now();
        let i = &mut self.instances[k.index()];
        if i.incarnation != incarnation {
            return;
        }
        self.unpause(cx, k, now);
        for h in self.take_held(k) {
            self.on_connect(cx, (h.asker, h.reply_to), h.seq, k, h.address);
        }
    }

    /// The connections waiting for `k` to resume are refused: its process
    /// is going.
    pub(super) fn refuse_held(&mut self, cx: &mut Ctx, k: InstanceId) {
        let from = self.hosts().instance(k);
        for h in self.take_held(k) {
            let reply = Event::Connected {
                asker: h.asker,
                seq: h.seq,
                inst: k,
                accepted: Err(ClientError::Refused),
            };
            cx.send(cx.now(), from, h.reply_to, reply);
        }
    }

    /// `k`'s host is gone: it has no capacity (and bills none) until a
    /// process runs on it again, at the capacity it had.
    pub(super) fn capacity_lost(&mut self, k: InstanceId, now: SimTime) {
        if let Some(s) = self.instances[k.index()].serverless.as_mut() {
            s.set(HalfAcus(0), now);
        }
    }

    /// A process starts on `k`: an instance whose host was lost takes up
    /// the capacity it had, within the range.
    pub(super) fn restore_capacity(&mut self, cx: &Ctx, k: InstanceId, now: SimTime) {
        let Some(range) = cx.cfg.serverless.as_ref() else {
            return;
        };
        let Some(s) = self.instances[k.index()]
            .serverless
            .filter(|s| !s.paused && s.acu == HalfAcus(0))
        else {
            return;
        };
        let acu = HalfAcus::covering(s.level).clamp(range.least_running(), range.max);
        self.take_capacity(cx, k, acu, now);
    }

    /// `k` runs again at the capacity a resume starts at (a resume ended,
    /// or its process is starting anyway).
    pub(super) fn unpause(&mut self, cx: &Ctx, k: InstanceId, now: SimTime) {
        let Some(range) = cx.cfg.serverless.as_ref() else {
            return;
        };
        if !self.instances[k.index()].paused() {
            return;
        }
        // The pause's time counts as paused: the capacity moves first.
        self.take_capacity(cx, k, RESUMED.clamp(range.least_running(), range.max), now);
        if let Some(s) = self.instances[k.index()].serverless.as_mut() {
            s.used.resumes += 1;
            s.paused = false;
            s.resuming = None;
            s.idle_since = now;
        }
    }
}

/// Whether `i` is the writer or a reader in promotion tier 0 or 1.
fn in_writer_group(i: &super::Instance) -> bool {
    i.role == Role::Writer || (i.role == Role::Reader && i.tier <= 1)
}

/// The size of a page, bytes.
fn page_bytes(cx: &Ctx) -> u64 {
    u64::from(cx.cfg.workload.page_kib) << 10
}
