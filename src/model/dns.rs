//! The endpoints' DNS records: what a lookup returns, and when.
//!
//! The control plane changes a record; the change reaches the authoritative
//! servers after a delay drawn for each change (`update_delay`, its median,
//! and `update_sigma`), optionally after a window of empty answers
//! (seeds/001: "DNS lookups during failover may come up empty for a few
//! seconds"). Every answer carries the TTL ([KC]: 5 s); how long a client
//! keeps it is the client's business (`model::client`).

use rand::Rng;

use super::context::Ctx;
use super::event::Event;
use super::network::Endpoint;
use super::routes::Reach;
use crate::model::config::{DnsConfig, RegionId};
use crate::sim::rng::reseed;
use crate::sim::{SimDuration, SimRng, SimTime};
use crate::vocab::ids::{ClientId, InstanceId};

/// One record's history of values, by the time each became visible.
#[derive(Clone, Debug, Default)]
pub struct Record {
    changes: Vec<(SimTime, Vec<InstanceId>)>,
    latest: Vec<InstanceId>,
}

impl Record {
    /// A record that has pointed at `hosts` since time zero.
    pub fn new(hosts: Vec<InstanceId>) -> Self {
        Record {
            changes: vec![(SimTime::ZERO, hosts.clone())],
            latest: hosts,
        }
    }

    /// What the record was last set to, visible yet or not.
    pub fn latest(&self) -> &[InstanceId] {
        &self.latest
    }

    /// What the authoritative servers answer at `t`.
    pub fn at(&self, t: SimTime) -> &[InstanceId] {
        let i = self.changes.partition_point(|c| c.0 <= t);
        self.changes[i.saturating_sub(1)].1.as_slice()
    }

    /// The control plane asks for `hosts` at `now`, a change that takes
    /// `delay` to reach the authoritative servers; returns when the new
    /// value is visible, or `None` if the record already says so.
    pub fn set(
        &mut self,
        now: SimTime,
        hosts: Vec<InstanceId>,
        delay: SimDuration,
        cfg: &DnsConfig,
    ) -> Option<SimTime> {
        if hosts == self.latest {
            return None;
        }
        let start = now + delay;
        let visible = start + cfg.empty_answers;
        if visible > start {
            self.insert(start, Vec::new());
        }
        self.insert(visible, hosts.clone());
        self.latest = hosts;
        Some(visible)
    }

    fn insert(&mut self, t: SimTime, hosts: Vec<InstanceId>) {
        // A later change supersedes anything scheduled after it.
        let keep = self.changes.partition_point(|c| c.0 < t);
        self.changes.truncate(keep.max(1));
        self.changes.push((t, hosts));
    }
}

/// The cluster (writer) endpoint and each region's reader endpoint.
#[derive(Clone, Debug)]
pub struct Dns {
    /// The cluster endpoint: the writer (a global database's writer
    /// endpoint, which follows the primary from region to region).
    pub cluster: Record,
    /// By region: its cluster's reader endpoint, every running reader of
    /// the primary's cluster in the primary region, and each secondary
    /// cluster's own elsewhere.
    pub readers: Vec<Record>,
    /// The custom endpoints, in the scenario's order.
    pub custom: Vec<Record>,
    /// Picks one of several hosts for an answer.
    rng: SimRng,
}

impl Dns {
    /// Moves its random stream to root seed `seed`, for a run forked from a
    /// prefix it shares with other seeds' runs.
    pub(crate) fn reseed(&mut self, seed: u64) {
        reseed(&mut self.rng, seed);
    }

    /// The records at time zero: the cluster endpoint names `writer`, each
    /// region's reader endpoint the instances serving reads there.
    pub fn new(
        writer: InstanceId,
        (readers, custom): (Vec<Vec<InstanceId>>, Vec<Vec<InstanceId>>),
        rng: SimRng,
    ) -> Self {
        Dns {
            cluster: Record::new(vec![writer]),
            readers: readers.into_iter().map(Record::new).collect(),
            custom: custom.into_iter().map(Record::new).collect(),
            rng,
        }
    }

    /// How long the next change takes to reach the authoritative servers:
    /// a draw, since Route 53's propagation varies from change to change.
    pub fn update_delay(&mut self, cfg: &DnsConfig) -> SimDuration {
        cfg.update_delay.sample(&mut self.rng)
    }

    /// A lookup of its region's reader endpoint (`reader`), of a custom
    /// endpoint or of the cluster endpoint arrives from client `id` at
    /// `from`, in `region` (`primary` is the primary's): the answer is
    /// what the record says now, with the address of the host it names. A
    /// custom endpoint with no member to name answers empty.
    pub(crate) fn on_query(
        &mut self,
        cx: &mut Ctx,
        (id, from, reader, custom): (ClientId, Endpoint, bool, Option<usize>),
        (region, primary): (RegionId, RegionId),
        addresses: &(impl Reach + ?Sized),
        seq: u32,
    ) {
        let now = cx.now();
        let readers = self.readers[region.0 as usize].at(now);
        let hosts = if let Some(k) = custom {
            self.custom[k].at(now)
        } else if !reader {
            self.cluster.at(now)
        } else if readers.is_empty() && region == primary {
            // The reader endpoint of a cluster without readers resolves to
            // the writer ([UG] Endpoints); a secondary cluster without
            // readers has no instance to name.
            self.cluster.at(now)
        } else {
            readers
        };
        let host = match hosts.len() {
            0 => None,
            1 => Some(hosts[0]),
            n => Some(hosts[self.rng.random_range(0..n)]),
        }
        .map(|h| (h, addresses.address(h)));
        let answer = Event::DnsAnswer {
            client: id,
            seq,
            host,
        };
        cx.send(now, Endpoint::Control, from, answer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::dist::LogNormal;

    fn secs(s: u64) -> SimTime {
        SimTime::ZERO + SimDuration::from_secs(s)
    }

    #[test]
    fn a_change_is_visible_after_the_delay_and_the_empty_window() {
        let cfg = DnsConfig {
            ttl: SimDuration::from_secs(5),
            update_delay: LogNormal::new(SimDuration::from_secs(2), 0.0),
            empty_answers: SimDuration::from_secs(3),
        };
        let two = SimDuration::from_secs(2);
        let mut r = Record::new(vec![InstanceId(0)]);
        let to_one = r.set(secs(10), vec![InstanceId(1)], two, &cfg);
        assert_eq!(to_one, Some(secs(15)));
        assert_eq!(r.at(secs(11)), &[InstanceId(0)]);
        assert!(r.at(secs(12)).is_empty());
        assert_eq!(r.at(secs(15)), &[InstanceId(1)]);
        assert_eq!(r.set(secs(20), vec![InstanceId(1)], two, &cfg), None);
    }
}
