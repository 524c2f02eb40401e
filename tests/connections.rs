//! The connection layer as architects rely on it: what a connection costs
//! the database, a storm of reconnects after a failover against a proxy
//! that absorbs it, client pools, and topology-aware drivers.

use aurora_sim::metrics::{Storm, Summary};
use aurora_sim::Outcome;

use crate::{parse, run, shipped_with};

/// `connection-storm` (1,000 clients, writer crash at 60 s) cut to 100 s,
/// with the group's connection set to `connection`.
/// The connection-storm scenario with the DNS change at a fixed 2 s, so
/// that the clients, their backoff not yet spread out, come back in one
/// wave.
fn storm_with(connection: &str) -> Summary {
    let sc = shipped_with(
        "connection-storm",
        &[
            ("duration", "100s"),
            ("clients.0.connection", connection),
            ("dns.update_delay", "2s"),
            ("dns.update_sigma", "0"),
        ],
    );
    run(&sc).summary
}

fn storm_of(s: &Summary) -> &Storm {
    s.rto[0].storm.as_ref().expect("the new writer opened")
}

#[test]
fn a_storm_of_unpooled_clients_slows_the_new_writer_and_a_proxy_spares_it() {
    let direct = storm_with("direct");
    let proxy = storm_with("proxy");
    let (d, p) = (storm_of(&direct), storm_of(&proxy));
    // Every direct client reconnects to the new writer: 1,000 connections
    // at 5 ms of CPU each. The proxy opens a few, spread out.
    assert!(d.connections_accepted >= 1000, "{d:?}");
    assert!((d.connect_cpu_s - 5.0).abs() < 0.5, "{d:?}");
    assert!(
        p.connections_accepted * 10 < d.connections_accepted,
        "{p:?}"
    );
    // The storm shows in the writer's busiest second and in its commits'
    // tail; the proxy's replayed requests do not come close.
    assert!(d.cpu_peak > p.cpu_peak + 0.1, "{d:?} {p:?}");
    let level = d.commit_p99_before_ms.expect("a level");
    let (dp, pp) = (d.commit_p99_peak_ms.unwrap(), p.commit_p99_peak_ms.unwrap());
    assert!(
        dp > 3.0 * level && dp > 2.0 * pp,
        "p99 {dp} vs {pp}, level {level}"
    );
    // Both saw the failover; the proxy's clients never waited for DNS or
    // a TTL, so they are back sooner and together, where direct clients
    // straggle behind their caches and backoff.
    let (dc, pc) = (
        direct.rto[0].client_observed_s.as_ref().unwrap(),
        proxy.rto[0].client_observed_s.as_ref().unwrap(),
    );
    assert_eq!((dc.unrecovered, pc.unrecovered), (0, 0));
    assert!(pc.p50.unwrap() < dc.p50.unwrap(), "{pc:?} vs {dc:?}");
    assert!(pc.max.unwrap() < dc.max.unwrap() - 5.0, "{pc:?} vs {dc:?}");
}

#[test]
fn a_proxy_pinning_every_session_brings_the_storm_back_throttled() {
    let pinned = {
        let sc = shipped_with(
            "connection-storm",
            &[
                ("duration", "100s"),
                ("clients.0.connection", "proxy"),
                ("proxy.pinned", "1.0"),
            ],
        );
        run(&sc).summary
    };
    let shared = storm_with("proxy");
    let (a, b) = (storm_of(&pinned), storm_of(&shared));
    // A pinned session holds a database connection of its own, so the
    // proxy needs one per client again, at its 20 a second per node.
    assert!(
        a.connections_accepted > 10 * b.connections_accepted,
        "{a:?} {b:?}"
    );
    assert!(a.connections_accepted <= 20 * 31 + 20, "{a:?}");
}

/// A small cluster, writer in a and tier-0 reader in b, run for
/// `duration` with the client groups given (YAML list items) and `rest`:
/// further sections and the faults.
fn two_instances(duration: &str, clients: &str, rest: &str) -> Outcome {
    run(&parse(&format!(
        "name: t\nseed: 3\nduration: {duration}\nstorage: {{ volume_gib: 30 }}\n\
         workload: {{ open_loop: {{ commits_per_s: 300, reads_per_s: 100 }} }}\n\
         instances:\n  - {{ name: w, az: a, role: writer }}\n  - {{ name: r, az: b, tier: 0 }}\n\
         clients:\n{clients}{rest}"
    )))
}

/// [`two_instances`] for 50 s with `extra` sections and a writer crash at
/// 10 s.
fn small(clients: &str, extra: &str) -> Summary {
    let faults = format!("{extra}faults:\n  - writer_crash: {{ at: 10s }}\n");
    two_instances("50s", clients, &faults).summary
}

#[test]
fn a_driver_finds_the_new_writer_where_a_dns_cache_never_lets_go() {
    let group = |connection: &str| {
        format!(
            "  - {{ name: app, count: 4, az: b, read_timeout: 2s, connect_timeout: 1s, dns_cache: forever, connection: {connection} }}\n"
        )
    };
    let direct = small(&group("direct"), "");
    let driver = small(&group("{ driver: {} }"), "");
    let seen = |s: &Summary| s.rto[0].client_observed_s.clone().unwrap();
    assert_eq!(
        seen(&direct).unrecovered,
        4,
        "a forever cache keeps the dead writer"
    );
    let d = seen(&driver);
    assert_eq!(d.unrecovered, 0, "{d:?}");
    // Back within one reconnect interval (2 s) of the new writer opening,
    // with no DNS in the way.
    let r = &driver.rto[0];
    let writable = r.total_s.unwrap() - r.dns_s;
    assert!(
        d.max.unwrap() < writable + 2.0 + 2.5,
        "{d:?} vs writable {writable}"
    );
}

#[test]
fn a_driver_gives_up_after_its_failover_timeout() {
    // The only reader is in a dead AZ: no writer appears, and after its
    // 5 s failover timeout the driver falls back to DNS and its backoff.
    let s = two_instances(
        "40s",
        "  - { name: app, count: 2, az: c, read_timeout: 2s, connection: { driver: { failover_timeout: 5s } } }\n",
        "faults:\n  - writer_crash: { at: 10s }\n  - az_outage: { at: 9s, az: b }\n",
    )
    .summary;
    let g = &s.client_groups[0];
    assert!(g.errors.timeout >= 4, "{:?}", g.errors);
    assert_eq!(s.rto[0].client_observed_s.as_ref().unwrap().unrecovered, 2);
}

#[test]
fn the_stale_dns_guard_moves_a_driver_off_the_old_writer() {
    // A manual failover leaves the old writer up as a reader, and the
    // cluster record lags 40 s. Clients that start after the failover
    // reach the old writer through DNS: read-only answers until the
    // record moves, unless the guard reads the topology.
    let run_with = |guard: bool| {
        small_manual(&format!(
            "  - {{ name: app, count: 4, az: b, think_time: 15s, read_timeout: 2s, connection: {{ driver: {{ stale_dns_guard: {guard} }} }} }}\n"
        ))
    };
    let (guarded, unguarded) = (run_with(true), run_with(false));
    let ro = |s: &Summary| s.client_groups[0].errors.read_only;
    let (u, g) = (ro(&unguarded), ro(&guarded));
    // Guarded: the first request's answer is read-only, and the topology
    // asked alongside it moves the driver; about one error per client.
    assert!(g <= 2 * 4 && u > 3 * g, "{u} unguarded vs {g} guarded");
}

fn small_manual(clients: &str) -> Summary {
    let rest = "dns: { update_delay: 40s }\nfaults:\n  - failover: { at: 5s }\n";
    two_instances("80s", clients, rest).summary
}

#[test]
fn a_pool_bounds_the_connections_and_its_borrowers_time_out() {
    // 20 clients, two pools of 3: the new writer takes at most 6
    // connections. Without a read timeout the requests on the dead writer
    // hang, so the borrowers behind them give up on the pool.
    let s = small(
        "  - { name: app, count: 20, az: b, connect_timeout: 1s, connection: { pool: { size: 3, clients_per_pool: 10, acquire_timeout: 500ms } } }\n",
        "",
    );
    let storm = s.rto[0].storm.as_ref().unwrap();
    assert!(storm.connections_accepted <= 6, "{storm:?}");
    assert!(
        s.client_groups[0].errors.pool_timeout > 0,
        "{:?}",
        s.client_groups[0].errors
    );
    // A pool of one connection per client behaves as direct clients do.
    let one = small(
        "  - { name: app, count: 4, az: b, read_timeout: 2s, connect_timeout: 1s, connection: { pool: { size: 1, clients_per_pool: 1 } } }\n",
        "",
    );
    assert_eq!(
        one.rto[0].client_observed_s.as_ref().unwrap().unrecovered,
        0
    );
    assert_eq!(one.client_groups[0].errors.pool_timeout, 0);
}

#[test]
fn an_instance_refuses_connections_past_max_connections() {
    let s = small(
        "  - { name: app, count: 12, az: b, read_timeout: 2s, connect_timeout: 1s }\n",
        "engine: { max_connections: 5 }\n",
    );
    let e = &s.client_groups[0].errors;
    assert!(e.too_many_connections > 0, "{e:?}");
    // Only five ever write at a time, but all of them were served.
    assert!(s.client_requests_ok > 0);
    let storm = s.rto[0].storm.as_ref().unwrap();
    assert!(storm.connections_accepted >= 5, "{storm:?}");
}

#[test]
fn a_proxy_node_lost_with_its_az_moves_its_clients_to_another() {
    // The proxy has nodes in a and b only; clients in c use the node their
    // number picks. AZ a goes down (taking the writer and its node): the
    // clients on node a time out and move to b. Those on b time out too,
    // as the proxy holds their requests past the 2 s read timeout through
    // the failover, and stay: the next node up is their own, never a's.
    let s = two_instances(
        "60s",
        "  - { name: app, count: 6, az: c, read_timeout: 2s, connection: proxy }\n",
        "proxy: { azs: [a, b] }\nfaults:\n  - az_outage: { at: 10s, az: a }\n",
    )
    .summary;
    let r = &s.rto[0];
    let seen = r.client_observed_s.as_ref().unwrap();
    assert_eq!(seen.unrecovered, 0, "{seen:?}");
    assert!(s.client_groups[0].errors.timeout > 0);
    // Back within a read timeout of the writer opening, with no DNS wait.
    let writable = r.total_s.unwrap() - r.dns_s;
    assert!(
        seen.max.unwrap() < writable + 1.5,
        "{seen:?} vs writable {writable}"
    );
}

#[test]
fn the_connection_layer_is_deterministic() {
    let sc = shipped_with(
        "connection-storm",
        &[
            ("duration", "70s"),
            ("clients.0.count", "200"),
            ("clients.0.connection", "proxy"),
            ("proxy.pinned", "0.3"),
        ],
    );
    let (a, b) = (run(&sc).summary, run(&sc).summary);
    assert_eq!(a.trace_digest, b.trace_digest);
    assert_eq!(a.client_groups, b.client_groups);
}

/// The open connections to instance `i` in the run's last bin.
fn connections_at_end(o: &Outcome, i: usize) -> u32 {
    o.timeline.last().expect("a timeline").connections[i]
}

#[test]
fn requests_a_client_gave_up_on_do_not_hold_the_proxy() {
    // A 1 s read timeout against a 14 s failover: each client sends a new
    // request while its last one waits at the proxy. The abandoned ones
    // must not hold database connections or the clients' places.
    let sc = shipped_with(
        "connection-storm",
        &[
            ("duration", "150s"),
            ("clients.0.connection", "proxy"),
            ("clients.0.read_timeout", "1s"),
        ],
    );
    let o = run(&sc);
    let r = &o.summary.rto[0];
    let total = r.total_s.unwrap();
    // 1,000 clients at one request a second, less the failover.
    let expected = 1000.0 * 0.99 * (150.0 - total - 5.0);
    assert!(
        o.summary.client_requests_ok as f64 > expected,
        "{} ok, expected over {expected}",
        o.summary.client_requests_ok
    );
    assert!(connections_at_end(&o, 1) < 50, "{:?}", o.timeline.last());
}

#[test]
fn a_pinned_session_holds_one_database_connection() {
    let sc = shipped_with(
        "connection-storm",
        &[
            ("duration", "120s"),
            ("clients.0.count", "200"),
            ("clients.0.connection", "proxy"),
            ("proxy.pinned", "1.0"),
        ],
    );
    let o = run(&sc);
    assert_eq!(connections_at_end(&o, 1), 200);
    let seen = o.summary.rto[0].client_observed_s.as_ref().unwrap();
    assert_eq!(seen.unrecovered, 0, "{seen:?}");
}

#[test]
fn the_stale_dns_guard_does_not_slow_a_long_failover() {
    // An engine start of about 65 s outlasts nothing the guard should act
    // on: guarded and unguarded drivers come back together.
    let run_with = |guard: bool| {
        two_instances(
            "150s",
            &format!("  - {{ name: app, count: 4, az: b, read_timeout: 2s, connect_timeout: 1s, connection: {{ driver: {{ stale_dns_guard: {guard} }} }} }}\n"),
            "control_plane: { engine_start: { median: 65s, sigma: 0.1 } }\n\
             faults:\n  - writer_crash: { at: 10s }\n",
        )
        .summary
    };
    let seen = |s: &Summary| s.rto[0].client_observed_s.clone().unwrap();
    let (g, u) = (seen(&run_with(true)), seen(&run_with(false)));
    assert_eq!((g.unrecovered, u.unrecovered), (0, 0));
    assert!(
        g.max.unwrap() <= u.max.unwrap() + 0.5,
        "guarded {g:?} vs unguarded {u:?}"
    );
}

#[test]
fn a_close_lost_in_a_partition_is_sent_again() {
    // Clients in c lose the writer in a for 20 s: they time out and close,
    // and the partition drops the close. Retransmitted, it arrives after
    // the partition heals; the writer holds one connection per client,
    // not a half-open one besides.
    let o = two_instances(
        "90s",
        "  - { name: app, count: 50, az: c, read_timeout: 2s, connect_timeout: 1s }\n",
        "faults:\n  - network_partition: { at: 10s, between: [a, c], duration: 20s }\n",
    );
    assert!(o.summary.client_groups[0].errors.timeout > 50);
    let most = o.timeline.iter().map(|r| r.connections[0]).max().unwrap();
    assert!(
        most > 50,
        "the reconnects overlap the half-open ones: {most}"
    );
    assert_eq!(connections_at_end(&o, 0), 50);
}

#[test]
fn a_driver_gives_up_on_time_whatever_its_reconnect_interval() {
    // Rounds an hour apart: the 10 s failover timeout still ends the
    // driver's failover on time, and the clients fall back to DNS and
    // find the new writer when it opens.
    let s = small(
        "  - { name: app, count: 4, az: b, read_timeout: 2s, connect_timeout: 1s, connection: { driver: { writer_reconnect_interval: 1h, failover_timeout: 10s } } }\n",
        "dns: { update_delay: 2s, update_sigma: 0 }\n",
    );
    let seen = s.rto[0].client_observed_s.clone().unwrap();
    assert_eq!(seen.unrecovered, 0, "{seen:?}");
    assert!(
        seen.max.unwrap() < s.rto[0].total_s.unwrap() + 10.0,
        "{seen:?}"
    );
}

/// A writer and two readers, three custom endpoints and a client group on
/// each, for 60 s, with `faults`.
fn custom_endpoints(faults: &str) -> Summary {
    run(&parse(&format!(
        "name: ce\nseed: 4\nduration: 60s\nworkload: {{ records_per_commit: 3, working_set_gib: 1 }}\n\
         instances:\n  - {{ name: w, az: a, role: writer, tier: 1 }}\n  - {{ name: r1, az: b, tier: 0 }}\n  \
         - {{ name: r2, az: c, tier: 2 }}\n\
         endpoints:\n  - {{ name: only-r1, type: reader, static_members: [r1] }}\n  \
         - {{ name: r1-any, type: any, static_members: [r1] }}\n  \
         - {{ name: not-r1, type: reader, excluded_members: [r1] }}\n\
         clients:\n  - {{ name: app, count: 10, az: a, think_time: 7ms, read_timeout: 5s }}\n  \
         - {{ name: only, count: 5, az: b, endpoint: only-r1, think_time: 20ms, read_timeout: 2s }}\n  \
         - {{ name: any, count: 5, az: b, endpoint: r1-any, think_time: 20ms, read_timeout: 2s }}\n  \
         - {{ name: rest, count: 5, az: c, endpoint: not-r1, think_time: 20ms, read_timeout: 2s }}\n\
         faults:\n{faults}"
    )))
    .summary
}

fn group<'s>(s: &'s Summary, name: &str) -> &'s aurora_sim::metrics::GroupResult {
    s.client_groups
        .iter()
        .find(|g| g.name == name)
        .expect("group")
}

#[test]
fn a_custom_endpoint_with_its_only_member_down_answers_empty_until_it_is_back() {
    // r2 is the only member of `not-r1` (r1 is excluded, and the writer
    // is no reader): while it is down the endpoint names nothing, and its
    // clients find no instance; the other endpoints are untouched.
    let s = custom_endpoints("  - instance_crash: { at: 20s, instance: r2, recover_after: 15s }\n");
    assert!(
        group(&s, "rest").errors.dns_empty > 0,
        "{:?}",
        group(&s, "rest").errors
    );
    for g in ["only", "any"] {
        assert_eq!(group(&s, g).errors.dns_empty, 0, "{g}");
    }
    // Back, it serves them again: they were served before and after.
    assert!(
        group(&s, "rest").requests_ok > 5 * 40,
        "{}",
        group(&s, "rest").requests_ok
    );
    assert_eq!(s.hung_clients, 0);
}

#[test]
fn a_promoted_member_leaves_a_reader_endpoint_and_stays_in_an_any_endpoint() {
    let s = custom_endpoints("  - writer_crash: { at: 20s }\n");
    assert_eq!(s.failovers[0].to.as_deref(), Some("r1"));
    let ce = &s.topology.custom_endpoints;
    assert_eq!(
        (ce[0].kind.as_str(), ce[1].kind.as_str()),
        ("READER", "ANY")
    );
    // The READER endpoint names nothing once its member writes: a client
    // that looks it up then finds no instance (one that reconnected on
    // the answer it had reads from the new writer). The ANY endpoint
    // names the new writer, and every client of it is back.
    assert!(
        group(&s, "only").errors.dns_empty > 0,
        "{:?}",
        group(&s, "only").errors
    );
    let any = group(&s, "any");
    assert_eq!(any.errors.dns_empty, 0);
    assert_eq!(any.client_observed_s[0].unrecovered, 0, "{any:?}");
    // `not-r1` never named r1, so its clients never lost their reader.
    let rest = &group(&s, "rest").client_observed_s[0];
    assert!(rest.max.is_some_and(|m| m < 1.0), "{rest:?}");
}

#[test]
fn custom_endpoints_are_checked_when_the_file_is_read() {
    let yaml = |endpoints: &str, endpoint: &str| {
        format!(
            "name: ce\nduration: 10s\ninstances:\n  - {{ name: w, az: a, role: writer }}\n  - {{ name: r, az: b }}\n\
             endpoints:\n{endpoints}clients:\n  - {{ name: c, count: 1, endpoint: {endpoint} }}\n"
        )
    };
    let ok = "  - { name: e, type: reader, static_members: [r] }\n";
    let cases = [
        (
            ok,
            "f",
            "neither `cluster`, `reader` nor a custom endpoint of the scenario's `endpoints` (e)",
        ),
        (
            "  - { name: reader, type: any }\n",
            "reader",
            "the cluster's own endpoint",
        ),
        (
            "  - { name: e, type: any, static_members: [r], excluded_members: [w] }\n",
            "e",
            "not both",
        ),
        (
            "  - { name: e, type: reader, static_members: [x] }\n",
            "e",
            "no instance named",
        ),
        (
            "  - { name: e, static_members: [r] }\n",
            "e",
            "missing field `type`",
        ),
        (
            "  - { name: e, type: any, static_members: [] }\n",
            "e",
            "no static member names no instance",
        ),
        (
            "  - { name: e, type: any, static_members: [r, r] }\n",
            "e",
            "\"r\" is listed twice",
        ),
        (
            "  - { name: Reader, type: any }\n",
            "e",
            "the cluster's own endpoint",
        ),
    ];
    for (endpoints, endpoint, needle) in cases {
        let e = aurora_sim::Scenario::parse(
            &yaml(endpoints, endpoint),
            std::path::Path::new("ce.yaml"),
        )
        .expect_err(needle)
        .to_string();
        assert!(e.starts_with("ce.yaml:") && e.contains(needle), "{e}");
    }
    let proxied = yaml(ok, "e, connection: proxy }\nproxy: {}\n#");
    let e = aurora_sim::Scenario::parse(&proxied, std::path::Path::new("ce.yaml"))
        .expect_err("a proxy in front of a custom endpoint")
        .to_string();
    assert!(e.contains("uses the e endpoint; a proxy"), "{e}");
}
