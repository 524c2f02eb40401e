//! Aurora Replicas auto scaling (\[UG\] Amazon Aurora Auto Scaling with
//! Aurora Replicas): an Application Auto Scaling target-tracking policy
//! on the cluster's reader count.
//!
//! Every minute, the alarms' period, the policy takes one datapoint: the
//! readers' average CPU utilisation (`RDSReaderAverageCPUUtilization`)
//! or open connections (`RDSReaderAverageDatabaseConnections`) over the
//! cluster's available readers, its writer excluded. Three datapoints in
//! a row above the target scale out, proportionally to the metric ("as
//! fast as it can"), to `ceil(readers × metric / target)`; fifteen in a
//! row more than 10 % below it scale in, one reader at a time and only a
//! reader the policy created ("Aurora Auto Scaling only removes Aurora
//! Replicas that it created"). Each direction waits out its cooldown
//! after an activity of its own kind, and scale-in also after a
//! scale-out. Below `min_readers` readers it adds what is missing at
//! once. It acts only while the cluster's writer is open ("only scales a
//! DB cluster if the DB cluster is in the available state").
//!
//! A reader it adds has the writer's class and tier 15, is created in
//! the AZ with the fewest of the cluster's instances (a modelling choice:
//! AWS does not say where), and takes a creation time drawn from
//! `control_plane.provision_time` before it starts and joins the reader
//! endpoint, its cache empty. The datapoint counts are those of the
//! alarms target tracking creates as seen in their consoles (3 of 3 and
//! 15 of 15, one-minute periods); AWS's guide does not state them.

use crate::model::compute::instance::{Instance, Process, Role};
use crate::model::compute::server::Server;
use crate::model::config::{RegionId, ScalingMetric};
use crate::model::context::Ctx;
use crate::model::event::Event;
use crate::model::order::Order;
use crate::sim::rng::reseed;
use crate::sim::{SimDuration, SimRng, SimTime};
use crate::vocab::ids::{AzId, InstanceId};

/// The alarms' period: one datapoint a minute.
pub const PERIOD: SimDuration = SimDuration::from_secs(60);

/// Datapoints above the target in a row that scale out.
const OUT_AFTER: u32 = 3;

/// Datapoints below [`IN_BELOW`] of the target in a row that scale in.
const IN_AFTER: u32 = 15;

/// The share of the target a datapoint must fall below to count towards
/// scaling in: "usually more than 10% lower" (Application Auto Scaling
/// User Guide, Target tracking scaling policies).
const IN_BELOW: f64 = 0.9;

/// One thing the policy did.
#[derive(Clone, Debug, PartialEq)]
pub struct Activity {
    /// When.
    pub at: SimTime,
    /// The reader added or removed.
    pub inst: InstanceId,
    /// Whether it added the reader (else removed it).
    pub added: bool,
    /// The datapoint that moved it, in the metric's unit (`None`: added
    /// to reach `min_readers`).
    pub metric: Option<f64>,
    /// An added reader: when it joined the reader endpoint.
    pub serving: Option<SimTime>,
}

/// The policy's state.
#[derive(Clone, Debug)]
pub(crate) struct ReplicaAutoScaling {
    rng: SimRng,
    /// Each instance's processors' busy time at the last datapoint.
    busy: Vec<SimDuration>,
    /// Datapoints in a row above the target.
    above: u32,
    /// Datapoints in a row below [`IN_BELOW`] of it.
    below: u32,
    /// When it last added readers.
    last_out: Option<SimTime>,
    /// When it last removed one.
    last_in: Option<SimTime>,
    /// Everything it did, in order.
    pub activities: Vec<Activity>,
    /// Each datapoint: when, and the metric (`None`: no reader to measure).
    pub datapoints: Vec<(SimTime, Option<f64>)>,
}

impl ReplicaAutoScaling {
    /// Moves its random stream to root seed `seed`, for a run forked from a
    /// prefix it shares with other seeds' runs.
    pub(crate) fn reseed(&mut self, seed: u64) {
        reseed(&mut self.rng, seed);
    }

    /// A policy over `instances`, drawing creation times from `rng`.
    pub fn new(instances: usize, rng: SimRng) -> Self {
        ReplicaAutoScaling {
            rng,
            busy: vec![SimDuration::ZERO; instances],
            above: 0,
            below: 0,
            last_out: None,
            last_in: None,
            activities: Vec::new(),
            datapoints: Vec::new(),
        }
    }

    /// Reader `inst`, which it added, has joined the reader endpoint.
    pub fn serving(&mut self, inst: InstanceId, now: SimTime) {
        let added = self
            .activities
            .iter_mut()
            .rev()
            .find(|a| a.inst == inst && a.added);
        if let Some(a) = added.filter(|a| a.serving.is_none()) {
            a.serving = Some(now);
        }
    }

    /// One minute's datapoint, and what the alarms make of it.
    /// `writer_open`: whether the cluster is available.
    pub fn on_tick(
        &mut self,
        cx: &mut Ctx,
        (instances, servers): (&[Instance], &[Server]),
        writer_open: bool,
    ) {
        let Some(policy) = cx.cfg.auto_scaling.as_ref() else {
            return;
        };
        cx.after(PERIOD, Event::AutoScalingTick);
        let now = cx.now();
        let primary = |i: &Instance| cx.cfg.topology.region_of(i.az) == RegionId::PRIMARY;
        let available: Vec<usize> = (0..instances.len())
            .filter(|&k| {
                let i = &instances[k];
                i.role == Role::Reader && i.running() && primary(i)
            })
            .collect();
        let mut busy = Vec::with_capacity(servers.len());
        for (k, s) in servers.iter().enumerate() {
            busy.push(s.busy_through(now).saturating_sub(self.busy[k]));
            self.busy[k] = s.busy_through(now);
        }
        let metric = (!available.is_empty()).then(|| {
            let sum: f64 = available
                .iter()
                .map(|&k| match policy.metric {
                    ScalingMetric::Cpu => 100.0 * busy[k].as_secs_f64() / PERIOD.as_secs_f64(),
                    ScalingMetric::Connections => f64::from(instances[k].connections),
                })
                .sum();
            sum / available.len() as f64
        });
        self.datapoints.push((now, metric));
        match metric {
            Some(m) if m > policy.target => (self.above, self.below) = (self.above + 1, 0),
            Some(m) if m < IN_BELOW * policy.target => {
                (self.above, self.below) = (0, self.below + 1)
            }
            _ => (self.above, self.below) = (0, 0),
        }
        if !writer_open {
            return;
        }
        // Its capacity: the cluster's readers, available or not (a reader
        // that failed is still an instance of the cluster), and those it
        // is creating.
        let counted = |i: &Instance| {
            primary(i)
                && (i.role == Role::Reader
                    || (i.role == Role::Absent && i.process != Process::Stopped))
        };
        let readers = instances.iter().filter(|i| counted(i)).count();
        let cooled =
            |last: Option<SimTime>, wait: SimDuration| last.is_none_or(|t| now.since(t) >= wait);
        let mut add = (policy.min as usize).saturating_sub(readers);
        let mut moved_by = None;
        if self.above >= OUT_AFTER && cooled(self.last_out, policy.out_cooldown) {
            let m = metric.expect("a datapoint above the target");
            let want = (readers as f64 * m / policy.target).ceil() as usize;
            let want = want.clamp(readers + 1, policy.max as usize);
            if want > readers {
                add = add.max(want - readers);
                moved_by = Some(m);
            }
        }
        if add > 0 {
            self.add(cx, instances, add, moved_by);
            return;
        }
        let scale_in = !policy.disable_scale_in
            && self.below >= IN_AFTER
            && readers > policy.min as usize
            && cooled(self.last_in, policy.in_cooldown)
            && cooled(self.last_out, policy.out_cooldown);
        if scale_in {
            // The newest reader it created that is serving.
            let mut created = self
                .activities
                .iter()
                .rev()
                .filter(|a| a.added)
                .map(|a| a.inst);
            if let Some(inst) = created.find(|k| instances[k.index()].role == Role::Reader) {
                cx.order(Order::RemoveReplica { inst });
                self.activities.push(Activity {
                    at: now,
                    inst,
                    added: false,
                    metric,
                    serving: None,
                });
                (self.last_in, self.below) = (Some(now), 0);
            }
        }
    }

    /// Creates `n` readers from the slots not in use, each in the AZ with
    /// the fewest of the cluster's instances.
    fn add(&mut self, cx: &mut Ctx, instances: &[Instance], n: usize, metric: Option<f64>) {
        let now = cx.now();
        let azs: Vec<AzId> = cx
            .cfg
            .topology
            .region_azs(RegionId::PRIMARY)
            .filter(|&az| cx.net().az_up(az))
            .collect();
        let mut count: Vec<usize> = azs
            .iter()
            .map(|&az| {
                instances
                    .iter()
                    .filter(|i| {
                        i.az == az && (i.role.in_cluster() || i.process != Process::Stopped)
                    })
                    .count()
            })
            .collect();
        let free = (0..instances.len())
            .map(InstanceId::from_index)
            .filter(|k| {
                let i = &instances[k.index()];
                i.role == Role::Absent && i.process == Process::Stopped
            })
            .take(n)
            .collect::<Vec<_>>();
        for inst in free {
            let Some(pick) = (0..azs.len()).min_by_key(|&a| (count[a], a)) else {
                return;
            };
            count[pick] += 1;
            let after = cx.cfg.control.provision_time.sample(&mut self.rng);
            cx.order(Order::AddReplica {
                inst,
                az: azs[pick],
                after,
            });
            self.activities.push(Activity {
                at: now,
                inst,
                added: true,
                metric,
                serving: None,
            });
            (self.last_out, self.above) = (Some(now), 0);
        }
    }
}
