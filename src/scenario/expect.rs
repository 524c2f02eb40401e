//! Judging a run against its scenario's `expect:` section.

use super::schema::ExpectSpec;
use crate::metrics::units::{ms, percent};
use crate::metrics::{Expectation, Summary};
use crate::sim::SimDuration;

fn check(name: &str, passed: bool, detail: String) -> Expectation {
    Expectation {
        name: name.to_owned(),
        passed,
        detail,
    }
}

/// A measured RTO for a message: seconds, or why there is none.
fn seconds(s: &Summary, rto: Option<f64>) -> String {
    match rto {
        None if s.rto.is_empty() => "none (no failover)".into(),
        None => "none (no client of the cluster endpoint was measured)".into(),
        Some(s) if s.is_infinite() => "never (unfinished at the end of the run)".into(),
        Some(s) => format!("{s:.3}s"),
    }
}

fn longest_stall(s: &Summary) -> SimDuration {
    SimDuration::from_secs_f64(s.longest_write_outage_s())
}

/// Evaluates every expectation given, in a fixed order.
pub fn evaluate(e: &ExpectSpec, s: &Summary) -> Vec<Expectation> {
    let mut out = Vec::new();
    if let Some(max) = e.max_lost_commits {
        let got = s.commits.lost;
        out.push(check(
            "max_lost_commits",
            got <= max,
            format!("lost {got}, allowed at most {max}"),
        ));
    }
    if let Some(max) = e.max_wrong_reads {
        let got = s.reads.wrong;
        out.push(check(
            "max_wrong_reads",
            got <= max,
            format!("{got} wrong reads, allowed at most {max}"),
        ));
    }
    if let Some(min) = e.min_write_availability {
        let got = s.write_availability;
        out.push(check(
            "min_write_availability",
            got >= min,
            format!(
                "write availability {}, expected at least {}",
                percent(got),
                percent(min)
            ),
        ));
    }
    if let Some(max) = e.max_write_availability {
        let got = s.write_availability;
        out.push(check(
            "max_write_availability",
            got <= max,
            format!(
                "write availability {}, expected at most {}",
                percent(got),
                percent(max)
            ),
        ));
    }
    if let Some(min) = e.min_read_availability {
        let got = s.read_availability;
        out.push(check(
            "min_read_availability",
            got >= min,
            format!(
                "read availability {} ({}), expected at least {}",
                percent(got),
                match s.reads.latency_ms {
                    Some(_) => format!("{} reads reached storage", s.reads.correct + s.reads.wrong),
                    None => "no read reached storage: all were served from the buffer cache".into(),
                },
                percent(min)
            ),
        ));
    }
    if let Some(max) = e.max_write_outage {
        let got = longest_stall(s);
        out.push(check(
            "max_write_outage",
            got <= max,
            format!(
                "longest write outage {:.3}s, allowed at most {max}",
                got.as_secs_f64()
            ),
        ));
    }
    if let Some(min) = e.min_write_outage {
        let got = longest_stall(s);
        out.push(check(
            "min_write_outage",
            got >= min,
            format!(
                "longest write outage {:.3}s, expected at least {min}",
                got.as_secs_f64()
            ),
        ));
    }
    if let Some(min) = e.min_commits_per_s {
        let got = s.commits.per_s;
        out.push(check(
            "min_commits_per_s",
            got >= min,
            format!("{got:.1} commits/s, expected at least {min}"),
        ));
    }
    if let Some(max) = e.max_commit_p99 {
        let got = s.commit_latency_ms.p99;
        out.push(check(
            "max_commit_p99",
            got <= max.as_millis_f64(),
            format!("p99 commit latency {}, allowed at most {max}", ms(got)),
        ));
    }
    if let Some(max) = e.max_commits_not_acknowledged {
        let c = &s.commits;
        let got = c.refused + c.abandoned;
        out.push(check(
            "max_commits_not_acknowledged",
            got <= max,
            format!(
                "{} refused and {} abandoned with no writer open, allowed at most {max}",
                c.refused, c.abandoned
            ),
        ));
    }
    if let Some(max) = e.max_commits_unavailable_at_end {
        let got = s.commits.unavailable_at_end;
        out.push(check(
            "max_commits_unavailable_at_end",
            got <= max,
            format!("{got} acknowledged commits unavailable at the end, allowed at most {max}"),
        ));
    }
    // Without a client request there is nothing to judge: a maximum on
    // it fails rather than passing on a latency nobody measured.
    let client_check = |name: &str, max: SimDuration, got: Option<f64>, what: &str| match got {
        None => check(name, false, "no client made a request".to_owned()),
        Some(got) => check(
            name,
            got <= max.as_millis_f64(),
            format!("{what} {}, allowed at most {max}", ms(got)),
        ),
    };
    let clients = s.client_latency_ms.as_ref();
    if let Some(max) = e.max_client_p99 {
        let what = "p99 latency clients saw with retries";
        out.push(client_check(
            "max_client_p99",
            max,
            clients.map(|l| l.p99),
            what,
        ));
    }
    if let Some(max) = e.max_client_latency {
        let what = "the longest a client waited, with retries (a request unanswered at the end counts its wait so far),";
        out.push(client_check(
            "max_client_latency",
            max,
            clients.map(|l| l.max),
            what,
        ));
    }
    let below_w = s.pgs_below_write_quorum_max;
    let below_r = s.pgs_below_read_quorum_max;
    if let Some(max) = e.max_pgs_below_write_quorum {
        out.push(check(
            "max_pgs_below_write_quorum",
            below_w <= max,
            format!("peak {below_w} PGs below write quorum, allowed at most {max}"),
        ));
    }
    if let Some(min) = e.min_pgs_below_write_quorum {
        out.push(check(
            "min_pgs_below_write_quorum",
            below_w >= min,
            format!("peak {below_w} PGs below write quorum, expected at least {min}"),
        ));
    }
    if let Some(max) = e.max_pgs_below_read_quorum {
        out.push(check(
            "max_pgs_below_read_quorum",
            below_r <= max,
            format!("peak {below_r} PGs below read quorum, allowed at most {max}"),
        ));
    }
    if let Some(min) = e.min_pgs_below_read_quorum {
        out.push(check(
            "min_pgs_below_read_quorum",
            below_r >= min,
            format!("peak {below_r} PGs below read quorum, expected at least {min}"),
        ));
    }
    if let Some(n) = e.failovers {
        let got = s.failovers.len() as u32;
        out.push(check(
            "failovers",
            got == n,
            format!("{got} failover(s), expected {n}"),
        ));
    }
    if let Some(names) = &e.promoted {
        let got: Vec<String> = s
            .failovers
            .iter()
            .map(|f| f.to.clone().unwrap_or_else(|| "(none)".into()))
            .collect();
        out.push(check(
            "promoted",
            &got == names,
            format!(
                "promoted [{}], expected [{}]",
                got.join(", "),
                names.join(", ")
            ),
        ));
    }
    let secs = |d: SimDuration| d.as_secs_f64();
    if let Some(max) = e.max_rto {
        let got = s.longest_rto_s();
        out.push(check(
            "max_rto",
            got.is_some_and(|g| g <= secs(max)),
            format!(
                "longest cluster RTO {}, allowed at most {max}",
                seconds(s, got)
            ),
        ));
    }
    if let Some(min) = e.min_rto {
        let got = s.longest_rto_s();
        out.push(check(
            "min_rto",
            got.is_some_and(|g| g >= secs(min)),
            format!(
                "longest cluster RTO {}, expected at least {min}",
                seconds(s, got)
            ),
        ));
    }
    if let Some(max) = e.max_client_rto {
        let got = s.longest_client_rto_s();
        out.push(check(
            "max_client_rto",
            got.is_some_and(|g| g <= secs(max)),
            format!(
                "slowest client RTO {}, allowed at most {max}",
                seconds(s, got)
            ),
        ));
    }
    if let Some(min) = e.min_client_rto {
        let got = s.longest_client_rto_s();
        out.push(check(
            "min_client_rto",
            got.is_some_and(|g| g >= secs(min)),
            format!(
                "slowest client RTO {}, expected at least {min}",
                seconds(s, got)
            ),
        ));
    }
    if let Some(max) = e.max_hung_clients {
        let got = s.hung_clients;
        out.push(check(
            "max_hung_clients",
            got <= max,
            format!("{got} hung client(s), allowed at most {max}"),
        ));
    }
    if let Some(min) = e.min_hung_clients {
        let got = s.hung_clients;
        out.push(check(
            "min_hung_clients",
            got >= min,
            format!("{got} hung client(s), expected at least {min}"),
        ));
    }
    if let Some(max) = e.max_split_brain_commits {
        let got = s.commits.split_brain;
        out.push(check(
            "max_split_brain_commits",
            got <= max,
            format!("{got} split-brain commit(s), allowed at most {max}"),
        ));
    }
    if let Some(min) = e.min_stale_epoch_refusals {
        let got = s.storage.stale_epoch_refusals;
        out.push(check(
            "min_stale_epoch_refusals",
            got >= min,
            format!("{got} batch(es) refused for a stale epoch, expected at least {min}"),
        ));
    }
    if let Some(max) = e.max_replica_lag_p99 {
        let worst = s.replica_lag_ms.values().map(|l| l.p99).fold(0.0, f64::max);
        out.push(check(
            "max_replica_lag_p99",
            worst <= max.as_millis_f64(),
            format!(
                "worst reader's p99 replica lag {}, allowed at most {max}",
                ms(worst)
            ),
        ));
    }
    // Performance that never came back ranks above every time; a failover
    // with no clean level before it to come back to cannot be judged.
    let judged = !s.rto.is_empty() && s.rto.iter().all(|r| r.commits_per_s_before.is_some());
    let perf = s
        .rto
        .iter()
        .map(|r| r.recovered_performance_s.unwrap_or(f64::INFINITY))
        .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))));
    let shown = if judged {
        seconds(s, perf)
    } else if s.rto.is_empty() {
        "none (no failover)".into()
    } else {
        "n/a (a failover had no clean 30 s before it to compare with)".into()
    };
    if let Some(max) = e.max_recovered_performance {
        out.push(check(
            "max_recovered_performance",
            judged && perf.is_some_and(|g| g <= secs(max)),
            format!("slowest return of throughput and p99 {shown}, allowed at most {max}"),
        ));
    }
    if let Some(min) = e.min_recovered_performance {
        out.push(check(
            "min_recovered_performance",
            judged && perf.is_some_and(|g| g >= secs(min)),
            format!("slowest return of throughput and p99 {shown}, expected at least {min}"),
        ));
    }
    if let Some(max) = e.max_commits_per_s_after_failover {
        let after: Vec<f64> = s.rto.iter().filter_map(|r| r.commits_per_s_after).collect();
        let got = after.iter().copied().fold(f64::NAN, f64::max);
        out.push(check(
            "max_commits_per_s_after_failover",
            !after.is_empty() && after.len() == s.rto.len() && got <= max,
            if after.is_empty() {
                "no failover's new writer was writable for 30 s".to_owned()
            } else {
                format!("{got:.1} commits/s after failover, allowed at most {max}")
            },
        ));
    }
    if let Some(min) = e.min_lag_restarts {
        let got = s.storage.lag_restarts;
        out.push(check(
            "min_lag_restarts",
            got >= min,
            format!("{got} reader(s) restarted for lag, expected at least {min}"),
        ));
    }
    if let Some(min) = e.min_client_errors {
        let c = &s.client_errors;
        let got = c.timeout + c.refused + c.reset + c.read_only + c.dns_empty;
        out.push(check(
            "min_client_errors",
            got >= min,
            format!("{got} client request(s) failed, expected at least {min}"),
        ));
    }
    if let Some(min) = e.min_watchdog_failovers_declined {
        let got = s.storage.watchdog_failovers_declined;
        out.push(check(
            "min_watchdog_failovers_declined",
            got >= min,
            format!("{got} storage-watchdog failover(s) declined, expected at least {min}"),
        ));
    }
    if let Some(min) = e.min_segments_repaired {
        let got = s.storage.segments_repaired;
        out.push(check(
            "min_segments_repaired",
            got >= min,
            format!("{got} segments repaired, expected at least {min}"),
        ));
    }
    if let Some(min) = e.min_repairs_rolled_back {
        let got = s.storage.repairs_rolled_back;
        out.push(check(
            "min_repairs_rolled_back",
            got >= min,
            format!("{got} membership change(s) rolled back, expected at least {min}"),
        ));
    }
    let r = &s.redundancy;
    let short = || r.longest();
    if let Some(max) = e.max_time_short_of_copies {
        let held =
            r.pgs_short_at_end == 0 && r.longest_short_s.is_none_or(|l| l <= max.as_secs_f64());
        out.push(check(
            "max_time_short_of_copies",
            held,
            format!("{}, allowed at most {max} and back by the end", short()),
        ));
    }
    if let Some(min) = e.min_time_short_of_copies {
        let held = r.longest_short_s.is_some_and(|l| l >= min.as_secs_f64());
        out.push(check(
            "min_time_short_of_copies",
            held,
            format!("{}, expected at least {min}", short()),
        ));
    }
    out
}
