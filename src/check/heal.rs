//! How long a cluster may take to be whole again once its last fault is
//! over, from its own settings: the bound a heal-then-progress test holds
//! a run's `max_heal_time` to (the ending TigerBeetle's simulator gives
//! every case: heal everything, then require progress).

use crate::model::config::{CacheSpec, Config, Connection};
use crate::sim::SimDuration;

/// The longest a cluster may take, after its last fault is over, to have
/// writes back for good, every PG at full copy count, and every client
/// succeeding again; `None` when some client group's settings promise no
/// recovery (it waits forever for an answer, or caches DNS for good).
///
/// - Writes: a failover's own bound (the misses that detect a failed
///   writer, a selection wait, the recovery stall, two starts, recovery
///   probes), then the quorum liveness bound for the commits the new
///   writer takes over.
/// - Clients, after writes: every timer a request can wait on, once each:
///   the DNS change (update delay, empty answers, then the TTL or the
///   client's own cache), a connect, a request, the longest backoff, a
///   think time, and the group's pool, proxy or driver timers.
/// - Copies: one segment copied at the repair rate. A copy that comes
///   back with its node is whole at once; one being re-created finishes.
pub fn heal_bound(cfg: &Config) -> Option<SimDuration> {
    let writes = super::failover::bound(cfg) + super::liveness::BOUND + cfg.slowest_round_trip();
    let mut clients = SimDuration::ZERO;
    for g in &cfg.clients {
        clients = clients.max(client_bound(cfg, g)?);
    }
    let s = &cfg.storage;
    let gbps = s
        .repair_gbps
        .unwrap_or(s.node_gbps)
        .min(s.node_gbps)
        .min(s.disk_gbps);
    let copy = SimDuration::from_secs_f64(s.segment_gib as f64 * 8.0 * 1.073_741_824 / gbps);
    Some((writes + clients).max(copy))
}

/// The longest one client of group `g` may take to succeed once writes
/// are back; `None` if its settings promise no recovery.
fn client_bound(cfg: &Config, g: &crate::model::config::ClientConfig) -> Option<SimDuration> {
    let dns = &cfg.dns;
    let cached = match g.dns_cache {
        None => dns.ttl,
        Some(CacheSpec::For(d)) => d,
        Some(CacheSpec::Forever) => return None,
    };
    let timers = match &g.connection {
        Connection::Direct => SimDuration::ZERO,
        Connection::Pool(p) => p.acquire_timeout + p.validation_timeout,
        Connection::Proxy => cfg.proxy.as_ref().map_or(SimDuration::ZERO, |p| {
            p.health_check_interval * (u64::from(p.failure_threshold) + 1) + p.borrow_timeout
        }),
        Connection::Driver(d) => {
            d.topology_refresh + d.writer_reconnect_interval + d.failover_timeout
        }
    };
    Some(
        dns.update_delay.max()
            + dns.empty_answers
            + cached
            + g.connect_timeout
            + g.read_timeout?
            + g.backoff_max
            + g.think_time
            + timers,
    )
}
