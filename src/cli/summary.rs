//! The text summary `run` prints of each run: verdicts first, then
//! commits, availability, storage, the failovers and what clients saw.

use std::io::Write;
use std::path::Path;

use crate::metrics::units::ms;
use crate::metrics::{units, ClientObserved};

/// The text summary of a run that wrote `names` into `out`.
pub(super) fn print_summary(w: &mut impl Write, o: &crate::Outcome, out: &Path, names: &[String]) {
    let s = &o.summary;
    let longest = s.longest_write_outage_s();
    let _ = writeln!(
        w,
        "{} ({}): {:.0} s simulated, {} events, trace {}",
        s.scenario,
        s.seeds(),
        s.simulated_s,
        s.events_processed,
        s.trace_digest
    );
    // The verdicts lead: whether the run can be trusted comes first.
    if let Some(why) = &s.stopped_early {
        let _ = writeln!(w, "  FAIL      stopped early: {why}");
    }
    print_invariants(w, s);
    for warning in &s.warnings {
        let _ = writeln!(w, "  warning   {warning}");
    }
    let _ = writeln!(
        w,
        "  commits   {} acknowledged ({:.1}/s of {:.1}/s offered), {} lost{}; latency p50 {}, p99 {}, max {}",
        s.commits.acknowledged,
        s.commits.per_s,
        s.commits.offered_per_s,
        s.commits.lost,
        {
            let c = &s.commits;
            let mut extra = String::new();
            if let Some(n) = c.lost_to_rpo {
                extra += &format!(", {n} given up by a global failover (its RPO)");
            }
            if c.unavailable_at_end > 0 {
                extra += &format!(
                    ", {} unavailable at the end (copies down, not destroyed)",
                    c.unavailable_at_end
                );
            }
            if c.refused + c.abandoned > 0 {
                extra += &format!(
                    ", {} refused with no writer open and {} abandoned by a writer that went away or was deposed",
                    c.refused, c.abandoned
                );
            }
            extra
        },
        units::ms(s.commit_latency_ms.p50),
        units::ms(s.commit_latency_ms.p99),
        units::ms(s.commit_latency_ms.max)
    );
    let _ = writeln!(
        w,
        "  writes    availability {}, {} outage(s), longest {:.3} s{}",
        units::percent(s.write_availability),
        s.write_outages.len(),
        longest,
        if s.write_outage_blocking_pgs.is_empty() {
            String::new()
        } else {
            format!(
                "; whole volume held back by PG(s) {:?}",
                s.write_outage_blocking_pgs
            )
        }
    );
    let from_storage = match &s.reads.latency_ms {
        Some(l) => format!(
            "{} correct, {} wrong, {} retried; p99 {}",
            s.reads.correct,
            s.reads.wrong,
            s.reads.retried,
            units::ms(l.p99)
        ),
        None => "none reached storage (all served from the buffer cache)".to_owned(),
    };
    let _ = writeln!(
        w,
        "  reads     availability {}; storage reads: {from_storage}",
        units::percent(s.read_availability),
    );
    let _ = writeln!(
        w,
        "  storage   peak {} of {} PGs below write quorum, {} below read quorum (live copies), {} out of the writer's reach; {} segments repaired, {} gossip fills",
        s.pgs_below_write_quorum_max,
        s.storage.pgs,
        s.pgs_below_read_quorum_max,
        s.pgs_out_of_writer_reach_max,
        s.storage.segments_repaired,
        s.storage.gossip_fills
    );
    let _ = writeln!(w, "  copies    {}", s.redundancy.describe(s.storage.pgs));
    if let Some(line) = s.repair_traffic() {
        let _ = writeln!(w, "  repair    {line}");
    }
    for f in s.faults.iter() {
        if let Some(why) = &f.refused {
            let _ = writeln!(w, "  refused   {} at {:.1} s: {why}", f.label(), f.at_s);
        }
    }
    print_failovers(w, s);
    print_capacity(w, s);
    print_maintenance(w, s);
    print_regions(w, s);
    if s.healing.faults_over_s.is_some() {
        let _ = writeln!(w, "  healed    {}", s.healing_in_words());
    }
    for e in &s.expectations {
        let mark = if e.passed { "pass" } else { "FAIL" };
        let _ = writeln!(w, "  {mark}      {}: {}", e.name, e.detail);
    }
    if let Some(peak) = o.peak_memory {
        let _ = writeln!(w, "  memory    held at most {} MiB", peak.div_ceil(1 << 20));
    }
    let _ = writeln!(
        w,
        "  wrote     {}: {}",
        crate::error::shown(out),
        names.join(", ")
    );
}

/// Aurora Serverless v2 capacity, one line per instance, and what
/// replica auto scaling did.
fn print_capacity(w: &mut impl Write, s: &crate::metrics::Summary) {
    if let Some(sv) = &s.serverless {
        for i in &sv.instances {
            let paused = if i.paused_s > 0.0 {
                format!(
                    "; paused {:.0} s in all ({}{} pause(s), {} resume(s))",
                    i.paused_s,
                    if i.start_acu == 0.0 {
                        "from the start, "
                    } else {
                        ""
                    },
                    i.pauses,
                    i.resumes
                )
            } else {
                String::new()
            };
            let _ = writeln!(
                w,
                "  capacity  {}: {} ACU at the start, {} at the end, peak {}, mean {:.1}; {:.2} ACU-hours{paused}",
                i.name, i.start_acu, i.end_acu, i.peak_acu, i.mean_acu, i.acu_hours
            );
        }
    }
    if let Some(a) = &s.auto_scaling {
        let unit = if a.metric == "cpu" {
            " %"
        } else {
            " connections"
        };
        let _ = writeln!(
            w,
            "  scaling   replica auto scaling on reader {} at {}{unit}, {} to {} readers: {}, peak datapoint {}",
            a.metric,
            a.target,
            a.min_readers,
            a.max_readers,
            units::count(a.activities.len(), "activity", "activities"),
            a.peak_metric.map_or("-".to_owned(), |m| format!("{m:.1}{unit}"))
        );
        for x in &a.activities {
            let _ = writeln!(
                w,
                "            {:.0} s: {} {} in AZ {}{}{}",
                x.at_s,
                x.action,
                x.instance,
                x.az,
                x.metric
                    .map_or(String::new(), |m| format!(" at {m:.1}{unit}")),
                match x.outcome() {
                    o if o.is_empty() => o,
                    o => format!(", {o}"),
                }
            );
        }
    }
}

/// A global database: one line per secondary region, one per hold of
/// the RPO guard, and what each region lacked when the primary went dark.
fn print_regions(w: &mut impl Write, s: &crate::metrics::Summary) {
    let Some(g) = &s.global else {
        return;
    };
    for r in &g.regions {
        let lag = match &r.replication_lag_ms {
            Some(l) => format!(
                "replication lag p50 {}, p99 {}, max {}",
                ms(l.p50),
                ms(l.p99),
                ms(l.max)
            ),
            None => "nothing stored".to_owned(),
        };
        let _ = writeln!(
            w,
            "  region    {} ({} round trip{}): {lag}; RPO lag at most {}, acknowledged work at risk at most {}",
            r.name,
            ms(r.rtt_ms),
            if r.name == g.primary {
                " from the region first promoted".to_owned()
            } else {
                format!(" from {}", g.primary)
            },
            ms(r.rpo_lag_max_ms),
            ms(r.at_risk_max_ms)
        );
    }
    if let Some(rpo) = g.rpo_guard_s {
        let _ = writeln!(
            w,
            "  rpo guard {rpo:.0} s: held commits {} time(s), {:.3} s in all; the best region lacked at most {} of acknowledged work",
            g.guard_holds.len(),
            g.guard_held_s,
            ms(g.at_risk_max_ms)
        );
    }
    for e in &g.exposures {
        let _ = writeln!(
            w,
            "  exposure  {} had not stored {} acknowledged commit(s) when the primary region went dark at {:.1} s (redo on its way may still land): RPO lag {:.3} s, {:.3} s of acknowledged work",
            e.region, e.commits, e.at_s, e.rpo_s, e.at_risk_s
        );
    }
    for p in &g.promotions {
        let outcome = match p.promoted_s {
            Some(t) if p.kind == "switchover" => format!(
                "every region synchronised and {} promoted at {t:.1} s; {} acknowledged commit(s) lost",
                p.region, p.commits_lost
            ),
            Some(t) => format!(
                "{} promoted at {t:.1} s with what it held: RPO {} acknowledged commit(s), {:.3} s of acknowledged work",
                p.region, p.commits_lost, p.rpo_s
            ),
            None => "not promoted within the run".to_owned(),
        };
        let _ = writeln!(
            w,
            "  promotion global {} from {} to {} asked at {:.1} s: {outcome}",
            p.kind, p.from, p.region, p.requested_s
        );
    }
    for f in &g.forwarding {
        let lag = |l: &Option<crate::metrics::Lag>| match l {
            Some(l) => format!("p50 {}, p99 {}, max {}", ms(l.p50), ms(l.p99), ms(l.max)),
            None => "none".to_owned(),
        };
        let _ = writeln!(
            w,
            "  forwarded {} from {} ({} consistency): {} write(s), {}; {} read(s) after them waited {}; {} missed their session's own write",
            f.group,
            f.region,
            f.consistency,
            f.writes,
            lag(&f.write_ms),
            f.reads,
            lag(&f.read_wait_ms),
            f.reads_missing_own_write
        );
    }
}

/// Each planned event: one line for it, one per instance it reached and
/// one per client group.
fn print_maintenance(w: &mut impl Write, s: &crate::metrics::Summary) {
    for m in &s.maintenance {
        let _ = writeln!(w, "  planned   {} at {:.1} s", m.words(), m.at_s);
        for i in &m.instances {
            let mut what = i.outcome_words();
            if let Some(h) = i.held_s {
                what += &format!(", requests held {}", ClientObserved::show(Some(h)));
            }
            if i.restarted() {
                what += &match i.unavailable_s {
                    Some(b) => format!(": serving again after {}", ClientObserved::show(Some(b))),
                    None => ": not serving again by the end".to_owned(),
                };
            }
            let _ = writeln!(
                w,
                "            {:<12} at +{:.1} s, {what}",
                i.name, i.from_s
            );
        }
        for g in &m.clients {
            if let Some(c) = &g.observed {
                let _ = writeln!(
                    w,
                    "            {:<12} clients back after p50 {}, max {}",
                    g.group,
                    ClientObserved::show(c.p50),
                    ClientObserved::show(c.max)
                );
            }
        }
    }
}

/// One line when every invariant held; otherwise each violated one with
/// its first violation and the events that led to it.
fn print_invariants(w: &mut impl Write, s: &crate::metrics::Summary) {
    let _ = writeln!(w, "  check     {}", s.invariants_in_words());
    for i in &s.invariants {
        if let Some(why) = &i.not_applicable {
            let _ = writeln!(w, "  n/a       {}: {why}", i.name);
        }
        let Some(v) = i.first.as_ref().filter(|_| !i.held) else {
            continue;
        };
        let _ = writeln!(
            w,
            "  FAIL      {}: {} violation(s); first at {:.6} s: {}",
            i.name, i.violations, v.at_s, v.detail
        );
        for e in &v.events {
            let _ = writeln!(w, "              after {e}");
        }
    }
}

/// What the clients saw (whenever there are clients), then the failovers
/// as a small table: one row per failover, one column per RTO phase, then
/// what the slowest and median clients saw.
fn print_failovers(w: &mut impl Write, s: &crate::metrics::Summary) {
    if s.failovers.is_empty() && s.topology.clients.is_empty() {
        return;
    }
    match &s.client_latency_ms {
        None => {
            let _ = writeln!(
                w,
                "  clients   none: the scenario has no clients, so no client measured the outage"
            );
        }
        Some(latency) => print_clients(w, s, latency),
    }
    for (f, r) in s.failovers.iter().zip(&s.rto) {
        let _ = writeln!(
            w,
            "  failover  {} → {}{}, {}, at {:.1} s{}",
            f.from,
            f.to.as_deref().unwrap_or("(none)"),
            match (f.tier, &f.az) {
                (Some(t), Some(az)) => format!(" (tier {t}, AZ {az})"),
                _ => String::new(),
            },
            f.reason,
            f.at_s,
            if f.provisioned {
                ", replacement created"
            } else {
                ""
            }
        );
        if !f.choice.is_empty() {
            let _ = writeln!(w, "            chosen: {}", f.choice);
        }
        let _ = writeln!(
            w,
            "            {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>9} | {:>11} {:>8}",
            "detect",
            "retries",
            "select",
            "promote",
            "recover",
            "dns",
            "total",
            "clients p50",
            "max"
        );
        let total = r
            .total_s
            .map_or("unfinished".into(), |t| format!("{t:.3}s"));
        let c = r.client_observed_s.as_ref();
        let clients = |v: fn(&ClientObserved) -> Option<f64>| {
            c.map_or("-".to_owned(), |c| ClientObserved::show(v(c)))
        };
        let _ = writeln!(
            w,
            "            {} {:>9} | {:>11} {:>8}",
            r.phases().map(|p| format!("{p:>7.3}s")).join(" "),
            total,
            clients(|c| c.p50),
            clients(|c| c.max)
        );
        if let Some(sync) = r.synchronise_s {
            let _ = writeln!(
                w,
                "            synchronise {sync:.3}s before selection: the switchover waited for {} (in the total)",
                r.synchronised_what(&f.reason)
            );
        }
        let st = &r.steps;
        let step = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{v:.3}s"));
        let _ = writeln!(
            w,
            "            steps: stop {}, engine start {}, storage recovery {}, rebuild {}, open {}",
            step(st.stop_s),
            step(st.engine_start_s),
            step(st.storage_recovery_s),
            step(st.rebuild_s),
            step(st.open_s)
        );
        let _ = writeln!(
            w,
            "            throughput and p99 back (within 10% of the level before, or its spread): {}",
            match (r.commits_per_s_before, r.recovered_performance_s) {
                (None, _) => "n/a (no clean 30 s before the fault to compare with)".to_owned(),
                (Some(_), None) => units::NOT_REACHED.to_owned(),
                (Some(_), Some(v)) => format!("{v:.1} s after the fault"),
            }
        );
        if let Some(c) = &r.capacity {
            let acu = |v: f64| format!("{v} ACU");
            let line = match (c.writer_acu, c.promoted_acu_before) {
                (Some(w), Some(p)) => format!(
                    "the writer had {}; the new writer {} before the fault, {} when writable; within 10 % of the writer's {}",
                    acu(w),
                    acu(p),
                    c.promoted_acu_writable.map_or("-".to_owned(), acu),
                    match c.capacity_back_s {
                        Some(0.0) => "at once".to_owned(),
                        Some(v) => format!("{v:.0} s after writable"),
                        None => units::NOT_REACHED.to_owned(),
                    }
                ),
                (Some(w), None) => format!(
                    "the writer had {}; the new writer is of a provisioned class",
                    acu(w)
                ),
                (None, p) => format!(
                    "the writer was of a provisioned class; the new writer had {} before the fault, {} when writable",
                    p.map_or("-".to_owned(), acu),
                    c.promoted_acu_writable.map_or("-".to_owned(), acu)
                ),
            };
            let _ = writeln!(w, "            capacity: {line}");
        }
        if let Some(st) = &r.storm {
            let _ = writeln!(
                w,
                "            new writer, first {:.0} s open: {} connections ({:.2} CPU-s), CPU peak {}, mean {}, commit p99 peak {}{}",
                st.window_s,
                st.connections_accepted,
                st.connect_cpu_s,
                units::share(st.cpu_peak),
                units::share(st.cpu_mean),
                st.commit_p99_peak_ms.map_or("-".to_owned(), units::ms),
                st.commit_p99_before_ms
                    .map_or(String::new(), |b| format!(" ({} before the fault)", units::ms(b)))
            );
        }
        for a in &r.attempts {
            let _ = writeln!(
                w,
                "            attempt to promote {} from {:.3} s failed at {:.3} s",
                a.to.as_deref().unwrap_or("(none)"),
                a.from_s,
                a.failed_s
            );
        }
    }
}

/// The clients' requests, latency and errors, in all and per group.
fn print_clients(
    w: &mut impl Write,
    s: &crate::metrics::Summary,
    latency: &crate::metrics::Latency,
) {
    let e = &s.client_errors;
    let _ = writeln!(
        w,
        "  clients   {} requests ok, p50 {}, p99 {} with retries; errors: {}; {} stuck in a request at the end",
        s.client_requests_ok,
        units::ms(latency.p50),
        units::ms(latency.p99),
        e.describe(),
        s.hung_clients
    );
    if s.client_groups.len() > 1 {
        for (g, spec) in s.client_groups.iter().zip(&s.topology.clients) {
            let e = &g.errors;
            let seen = g
                .client_observed_s
                .iter()
                .map(|c| {
                    format!(
                        "p50 {}, max {}",
                        ClientObserved::show(c.p50),
                        ClientObserved::show(c.max)
                    )
                })
                .collect::<Vec<_>>()
                .join("; ");
            let _ = writeln!(
                w,
                "    {:<12} {} × {}: {} ok; errors {}; {} stuck at the end{}",
                g.name,
                spec.count,
                spec.connects(),
                g.requests_ok,
                e.describe(),
                g.hung,
                if seen.is_empty() {
                    String::new()
                } else {
                    format!("; failover seen: {seen}")
                }
            );
        }
    }
}
