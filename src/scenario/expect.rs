//! The `expect:` section: every expectation a scenario may state, declared
//! once. Each row of [`expectations!`] names the YAML field (its doc
//! comment is what the schema, `explain` and docs/scenario.md say of it),
//! how it compares (at most, at least, exactly) and how a run's summary
//! is measured and worded against it. The field, its reader, its schema
//! and its verdict all come from that one row, in the order verdicts are
//! listed in `summary.json`.

use std::fmt::Display;

use schemars::JsonSchema;
use serde::Deserialize;

use super::schema::{optional_commit_rate, optional_duration, optional_fraction};
use crate::metrics::units::{ms, percent};
use crate::metrics::{Expectation, GlobalSummary, Summary};
use crate::sim::SimDuration;

/// How a measured value is held to the bound a scenario states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// The measure may not exceed the bound (`max_…`).
    AtMost,
    /// The measure may not fall below the bound (`min_…`).
    AtLeast,
    /// The measure equals the bound (a name without a prefix).
    Exactly,
}

impl Comparison {
    /// How a verdict states the bound: "allowed at most 50s".
    pub fn words(self) -> &'static str {
        match self {
            Comparison::AtMost => "allowed at most",
            Comparison::AtLeast => "expected at least",
            Comparison::Exactly => "expected",
        }
    }

    /// Whether `got` meets `bound`.
    fn holds<V: PartialOrd>(self, got: &V, bound: &V) -> bool {
        match self {
            Comparison::AtMost => got <= bound,
            Comparison::AtLeast => got >= bound,
            Comparison::Exactly => got == bound,
        }
    }

    /// A verdict on a measured value: "`said`, allowed at most `shown`".
    fn judge<V: PartialOrd>(self, got: V, bound: V, said: String, shown: impl Display) -> Verdict {
        self.judge_some(Some(got), bound, said, shown)
    }

    /// As [`Comparison::judge`], for a measure that may not exist (no
    /// failover, nobody measured): that fails, and `said` tells why.
    fn judge_some<V: PartialOrd>(
        self,
        got: Option<V>,
        bound: V,
        said: String,
        shown: impl Display,
    ) -> Verdict {
        let passed = got.is_some_and(|g| self.holds(&g, &bound));
        (passed, format!("{said}, {} {shown}", self.words()))
    }
}

/// Whether an expectation held, and the line that says what was measured.
type Verdict = (bool, String);

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

/// A bound on a latency clients saw. Without a client request there is
/// nothing to judge: the bound fails rather than passing on a latency
/// nobody measured.
fn client_latency(c: Comparison, max: SimDuration, got: Option<f64>, what: &str) -> Verdict {
    match got {
        None => (false, "no client made a request".to_owned()),
        Some(got) => c.judge(got, max.as_millis_f64(), format!("{what} {}", ms(got)), max),
    }
}

/// The slowest return of throughput and p99 over every failover, and how
/// to say it. Performance that never came back ranks above every time; a
/// failover with no clean level before it to come back to cannot be
/// judged.
fn recovered_performance(s: &Summary) -> (Option<f64>, String) {
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
    let said = format!("slowest return of throughput and p99 {shown}");
    (perf.filter(|_| judged), said)
}

/// Declares every expectation: its doc comment and serde attributes, its
/// name and bound type, its comparison, and the verdict it gives a
/// summary. From these follow [`ExpectSpec`] (the YAML section and its
/// schema), [`EXPECTATIONS`] and [`evaluate`].
macro_rules! expectations {
    ($(
        $(#[$attr:meta])*
        $name:ident: $ty:ty, $cmp:ident => |$bound:ident, $s:ident, $c:ident| $verdict:expr;
    )*) => {
        /// What the run must show. Every field is optional; each one given becomes
        /// a named expectation in `summary.json`. A bound says which it is
        /// (`max_…` at most, `min_…` at least); a name without one (`failovers`,
        /// `promoted`) must match exactly. The names an earlier format used
        /// (`lost_commits`, `wrong_reads`, `split_brain_commits`,
        /// `max_write_unavailable`, `min_write_unavailable`) are still read.
        #[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub struct ExpectSpec {
            $(
                $(#[$attr])*
                #[serde(default)]
                pub $name: Option<$ty>,
            )*
        }

        /// Every expectation's name and comparison, in verdict order: what
        /// the tests hold the reference and the verdicts to.
        #[cfg(test)]
        pub const EXPECTATIONS: &[(&str, Comparison)] =
            &[$((stringify!($name), Comparison::$cmp)),*];

        /// Evaluates every expectation given, in the order declared.
        pub fn evaluate(e: &ExpectSpec, s: &Summary) -> Vec<Expectation> {
            let mut out = Vec::new();
            $(
                if let Some($bound) = &e.$name {
                    let ($s, $c) = (s, Comparison::$cmp);
                    let (passed, detail): Verdict = $verdict;
                    out.push(Expectation {
                        name: stringify!($name).to_owned(),
                        passed,
                        detail,
                    });
                }
            )*
            out
        }
    };
}

expectations! {
    /// At most this many acknowledged commits lost.
    #[serde(alias = "lost_commits")]
    max_lost_commits: u64, AtMost => |max, s, c| {
        let got = s.commits.lost;
        c.judge(got, *max, format!("lost {got}"), max)
    };
    /// At most this many reads returning a page state other than the
    /// committed one.
    #[serde(alias = "wrong_reads")]
    max_wrong_reads: u64, AtMost => |max, s, c| {
        let got = s.reads.wrong;
        c.judge(got, *max, format!("{got} wrong reads"), max)
    };
    /// Write availability at least this fraction.
    #[serde(deserialize_with = "optional_fraction::read")]
    #[schemars(schema_with = "optional_fraction::schema")]
    min_write_availability: f64, AtLeast => |min, s, c| {
        let got = s.write_availability;
        c.judge(got, *min, format!("write availability {}", percent(got)), percent(*min))
    };
    /// Write availability at most this fraction (a scenario that must stall).
    #[serde(deserialize_with = "optional_fraction::read")]
    #[schemars(schema_with = "optional_fraction::schema")]
    max_write_availability: f64, AtMost => |max, s, _c| {
        // A scenario that must stall expects, rather than allows, so little.
        let got = s.write_availability;
        let said = format!(
            "write availability {}, expected at most {}",
            percent(got),
            percent(*max)
        );
        (got <= *max, said)
    };
    /// Read availability at least this fraction.
    #[serde(deserialize_with = "optional_fraction::read")]
    #[schemars(schema_with = "optional_fraction::schema")]
    min_read_availability: f64, AtLeast => |min, s, c| {
        let got = s.read_availability;
        let reached = match s.reads.latency_ms {
            Some(_) => format!("{} reads reached storage", s.reads.correct + s.reads.wrong),
            None => "no read reached storage: all were served from the buffer cache".into(),
        };
        let said = format!("read availability {} ({reached})", percent(got));
        c.judge(got, *min, said, percent(*min))
    };
    /// Longest write outage at most this long.
    #[serde(alias = "max_write_unavailable", deserialize_with = "optional_duration::read")]
    #[schemars(schema_with = "optional_duration::schema")]
    max_write_outage: SimDuration, AtMost => |max, s, c| {
        let got = longest_stall(s);
        let said = format!("longest write outage {:.3}s", got.as_secs_f64());
        c.judge(got, *max, said, max)
    };
    /// Longest write outage at least this long.
    #[serde(alias = "min_write_unavailable", deserialize_with = "optional_duration::read")]
    #[schemars(schema_with = "optional_duration::schema")]
    min_write_outage: SimDuration, AtLeast => |min, s, c| {
        let got = longest_stall(s);
        let said = format!("longest write outage {:.3}s", got.as_secs_f64());
        c.judge(got, *min, said, min)
    };
    /// Mean acknowledged commits per second at least this.
    #[serde(deserialize_with = "optional_commit_rate::read")]
    #[schemars(schema_with = "optional_commit_rate::schema")]
    min_commits_per_s: f64, AtLeast => |min, s, c| {
        let got = s.commits.per_s;
        c.judge(got, *min, format!("{got:.1} commits/s"), min)
    };
    /// p99 commit latency at most this.
    #[serde(deserialize_with = "optional_duration::read")]
    #[schemars(schema_with = "optional_duration::schema")]
    max_commit_p99: SimDuration, AtMost => |max, s, c| {
        let got = s.commit_latency_ms.p99;
        let said = format!("p99 commit latency {}", ms(got));
        c.judge(got, max.as_millis_f64(), said, max)
    };
    /// At most this many commits refused with no writer open, or
    /// abandoned by a writer that went away or was deposed (what the
    /// latency of acknowledged commits leaves out).
    max_commits_not_acknowledged: u64, AtMost => |max, s, c| {
        let n = &s.commits;
        let said = format!(
            "{} refused with no writer open and {} abandoned by a writer that went away or was deposed",
            n.refused, n.abandoned
        );
        c.judge(n.refused + n.abandoned, *max, said, max)
    };
    /// At most this many acknowledged commits unavailable at the end (their
    /// copies down or out of reach, not destroyed).
    max_commits_unavailable_at_end: u64, AtMost => |max, s, c| {
        let got = s.commits.unavailable_at_end;
        let said = format!("{got} acknowledged commits unavailable at the end");
        c.judge(got, *max, said, max)
    };
    /// p99 latency clients saw, retries included, at most this.
    #[serde(deserialize_with = "optional_duration::read")]
    #[schemars(schema_with = "optional_duration::schema")]
    max_client_p99: SimDuration, AtMost => |max, s, c| {
        let got = s.client_latency_ms.as_ref().map(|l| l.p99);
        client_latency(c, *max, got, "p99 latency clients saw with retries")
    };
    /// The longest a client waited for a request, retries included, at
    /// most this (an outage is a small fraction of requests; the p99 of a
    /// short run can miss it).
    #[serde(deserialize_with = "optional_duration::read")]
    #[schemars(schema_with = "optional_duration::schema")]
    max_client_latency: SimDuration, AtMost => |max, s, c| {
        let got = s.client_latency_ms.as_ref().map(|l| l.max);
        let what = "the longest a client waited, with retries (a request unanswered at the end counts its wait so far),";
        client_latency(c, *max, got, what)
    };
    /// Peak PGs below write quorum at most this.
    max_pgs_below_write_quorum: u32, AtMost => |max, s, c| {
        let got = s.pgs_below_write_quorum_max;
        c.judge(got, *max, format!("peak {got} PGs below write quorum"), max)
    };
    /// Peak PGs below write quorum at least this.
    min_pgs_below_write_quorum: u32, AtLeast => |min, s, c| {
        let got = s.pgs_below_write_quorum_max;
        c.judge(got, *min, format!("peak {got} PGs below write quorum"), min)
    };
    /// Peak PGs below read quorum at most this.
    max_pgs_below_read_quorum: u32, AtMost => |max, s, c| {
        let got = s.pgs_below_read_quorum_max;
        c.judge(got, *max, format!("peak {got} PGs below read quorum"), max)
    };
    /// Peak PGs below read quorum at least this.
    min_pgs_below_read_quorum: u32, AtLeast => |min, s, c| {
        let got = s.pgs_below_read_quorum_max;
        c.judge(got, *min, format!("peak {got} PGs below read quorum"), min)
    };
    /// Exactly this many failovers.
    failovers: u32, Exactly => |n, s, c| {
        let got = s.failovers.len() as u32;
        c.judge(got, *n, format!("{got} failover(s)"), n)
    };
    /// The instances promoted, in order.
    promoted: Vec<String>, Exactly => |names, s, c| {
        let got: Vec<String> = s
            .failovers
            .iter()
            .map(|f| f.to.clone().unwrap_or_else(|| "(none)".into()))
            .collect();
        let said = format!("promoted [{}]", got.join(", "));
        c.judge(got, names.clone(), said, format!("[{}]", names.join(", ")))
    };
    /// Every failover's cluster RTO (fault to writable through a fresh
    /// DNS lookup) at most this long.
    #[serde(deserialize_with = "optional_duration::read")]
    #[schemars(schema_with = "optional_duration::schema")]
    max_rto: SimDuration, AtMost => |max, s, c| {
        let got = s.longest_rto_s();
        let said = format!("longest cluster RTO {}", seconds(s, got));
        c.judge_some(got, max.as_secs_f64(), said, max)
    };
    /// Every region promotion's RTO (a global database's failover or
    /// switchover: from the fault, or the request, to the promoted
    /// region's writer reached through a fresh DNS lookup) at most this
    /// long.
    #[serde(deserialize_with = "optional_duration::read")]
    #[schemars(schema_with = "optional_duration::schema")]
    max_region_rto: SimDuration, AtMost => |max, s, c| {
        let got = s.longest_region_rto_s();
        let said = format!("longest region RTO {}", seconds(s, got));
        c.judge_some(got, max.as_secs_f64(), said, max)
    };
    /// Some region promotion's RTO at least this long.
    #[serde(deserialize_with = "optional_duration::read")]
    #[schemars(schema_with = "optional_duration::schema")]
    min_region_rto: SimDuration, AtLeast => |min, s, c| {
        let got = s.longest_region_rto_s();
        let said = format!("longest region RTO {}", seconds(s, got));
        c.judge_some(got, min.as_secs_f64(), said, min)
    };
    /// Some failover's cluster RTO at least this long.
    #[serde(deserialize_with = "optional_duration::read")]
    #[schemars(schema_with = "optional_duration::schema")]
    min_rto: SimDuration, AtLeast => |min, s, c| {
        let got = s.longest_rto_s();
        let said = format!("longest cluster RTO {}", seconds(s, got));
        c.judge_some(got, min.as_secs_f64(), said, min)
    };
    /// The slowest client's observed RTO at most this long, in every
    /// failover.
    #[serde(deserialize_with = "optional_duration::read")]
    #[schemars(schema_with = "optional_duration::schema")]
    max_client_rto: SimDuration, AtMost => |max, s, c| {
        let got = s.longest_client_rto_s();
        let said = format!("slowest client RTO {}", seconds(s, got));
        c.judge_some(got, max.as_secs_f64(), said, max)
    };
    /// The slowest client's observed RTO at least this long, in some
    /// failover.
    #[serde(deserialize_with = "optional_duration::read")]
    #[schemars(schema_with = "optional_duration::schema")]
    min_client_rto: SimDuration, AtLeast => |min, s, c| {
        let got = s.longest_client_rto_s();
        let said = format!("slowest client RTO {}", seconds(s, got));
        c.judge_some(got, min.as_secs_f64(), said, min)
    };
    /// The slowest client back within this after every planned event
    /// (an engine patch, an operating-system update; clients of every
    /// endpoint).
    #[serde(deserialize_with = "optional_duration::read")]
    #[schemars(schema_with = "optional_duration::schema")]
    max_maintenance_downtime: SimDuration, AtMost => |max, s, c| {
        let unfinished = (s.maintenance.iter().flat_map(|m| &m.instances))
            .any(|i| matches!(i.outcome.as_str(), "waiting" | "underway"));
        let got = s.longest_maintenance_downtime_s().filter(|_| !unfinished);
        let said = match got {
            None if unfinished => "not measured: a planned event had not finished by the end".into(),
            None if s.maintenance.is_empty() => "none (no planned event)".into(),
            None => "none (no client was measured)".into(),
            Some(v) if v.is_infinite() => "slowest client after a planned event: never back".into(),
            Some(v) => format!("slowest client back {v:.3}s after a planned event"),
        };
        c.judge_some(got, max.as_secs_f64(), said, max)
    };
    /// Once the last fault is over, the cluster whole again within this:
    /// writes back for good, every PG at full copy count, and every client
    /// with a success sent after the faults were over. A scenario whose
    /// fault lasts for good, or whose run ends first, fails it.
    #[serde(deserialize_with = "optional_duration::read")]
    #[schemars(schema_with = "optional_duration::schema")]
    max_heal_time: SimDuration, AtMost => |max, s, c| {
        c.judge_some(s.healing.whole_s(), max.as_secs_f64(), s.healing_in_words(), max)
    };
    /// At most this many clients left hanging at the end.
    max_hung_clients: u32, AtMost => |max, s, c| {
        let got = s.hung_clients;
        c.judge(got, *max, format!("{got} hung client(s)"), max)
    };
    /// At least this many clients left hanging at the end.
    min_hung_clients: u32, AtLeast => |min, s, c| {
        let got = s.hung_clients;
        c.judge(got, *min, format!("{got} hung client(s)"), min)
    };
    /// At most this many commits acknowledged by a writer whose epoch had
    /// been superseded (split brain; must be 0).
    #[serde(alias = "split_brain_commits")]
    max_split_brain_commits: u64, AtMost => |max, s, c| {
        let got = s.commits.split_brain;
        c.judge(got, *max, format!("{got} split-brain commit(s)"), max)
    };
    /// At least this many batches refused for a stale epoch (fencing seen
    /// at work).
    min_stale_epoch_refusals: u64, AtLeast => |min, s, c| {
        let got = s.storage.stale_epoch_refusals;
        let said = format!("{got} batch(es) refused for a stale epoch");
        c.judge(got, *min, said, min)
    };
    /// Every reader's p99 replica lag at most this.
    #[serde(deserialize_with = "optional_duration::read")]
    #[schemars(schema_with = "optional_duration::schema")]
    max_replica_lag_p99: SimDuration, AtMost => |max, s, c| {
        let worst = s.replica_lag_ms.values().map(|l| l.p99).fold(0.0, f64::max);
        let said = format!("worst reader's p99 replica lag {}", ms(worst));
        c.judge(worst, max.as_millis_f64(), said, max)
    };
    /// Every failover's performance (commit throughput and p99 within
    /// 10 % of their level before the fault, or within their spread
    /// then if wider) back within this of the fault; a failover whose performance never came back fails.
    #[serde(deserialize_with = "optional_duration::read")]
    #[schemars(schema_with = "optional_duration::schema")]
    max_recovered_performance: SimDuration, AtMost => |max, s, c| {
        let (got, said) = recovered_performance(s);
        c.judge_some(got, max.as_secs_f64(), said, max)
    };
    /// Some failover's performance took at least this long to come back
    /// (or never did).
    #[serde(deserialize_with = "optional_duration::read")]
    #[schemars(schema_with = "optional_duration::schema")]
    min_recovered_performance: SimDuration, AtLeast => |min, s, c| {
        let (got, said) = recovered_performance(s);
        c.judge_some(got, min.as_secs_f64(), said, min)
    };
    /// Every failover's new writer committed at most this many commits
    /// per second in the 30 s after it was writable.
    #[serde(deserialize_with = "optional_commit_rate::read")]
    #[schemars(schema_with = "optional_commit_rate::schema")]
    max_commits_per_s_after_failover: f64, AtMost => |max, s, c| {
        let after: Vec<f64> = s.rto.iter().filter_map(|r| r.commits_per_s_after).collect();
        let got = after.iter().copied().fold(f64::NAN, f64::max);
        if after.is_empty() {
            (false, "no failover's new writer was writable for 30 s".to_owned())
        } else {
            let every = (after.len() == s.rto.len()).then_some(got);
            c.judge_some(every, *max, format!("{got:.1} commits/s after failover"), max)
        }
    };
    /// Readers restarted for lagging beyond `max_replica_lag`, at least.
    min_lag_restarts: u32, AtLeast => |min, s, c| {
        let got = s.storage.lag_restarts;
        c.judge(got, *min, format!("{got} reader(s) restarted for lag"), min)
    };
    /// Client requests that failed (every kind of error), at least.
    min_client_errors: u64, AtLeast => |min, s, c| {
        let e = &s.client_errors;
        let got = e.timeout + e.refused + e.reset + e.read_only + e.dns_empty;
        c.judge(got, *min, format!("{got} client request(s) failed"), min)
    };
    /// Storage-watchdog failovers declined (no reader could write), at
    /// least.
    min_watchdog_failovers_declined: u32, AtLeast => |min, s, c| {
        let got = s.storage.watchdog_failovers_declined;
        let said = format!("{got} storage-watchdog failover(s) declined");
        c.judge(got, *min, said, min)
    };
    /// Segments re-created by repair at least this many.
    min_segments_repaired: u32, AtLeast => |min, s, c| {
        let got = s.storage.segments_repaired;
        c.judge(got, *min, format!("{got} segments repaired"), min)
    };
    /// Membership changes rolled back at least this many.
    min_repairs_rolled_back: u32, AtLeast => |min, s, c| {
        let got = s.storage.repairs_rolled_back;
        c.judge(got, *min, format!("{got} membership change(s) rolled back"), min)
    };
    /// The longest time a PG spent short of full copies at most this, and
    /// every PG back to full copies by the end.
    #[serde(deserialize_with = "optional_duration::read")]
    #[schemars(schema_with = "optional_duration::schema")]
    max_time_short_of_copies: SimDuration, AtMost => |max, s, c| {
        let r = &s.redundancy;
        let held =
            r.pgs_short_at_end == 0 && r.longest_short_s.is_none_or(|l| l <= max.as_secs_f64());
        (held, format!("{}, {} {max} and back by the end", r.longest(), c.words()))
    };
    /// The longest time a PG spent short of full copies at least this.
    #[serde(deserialize_with = "optional_duration::read")]
    #[schemars(schema_with = "optional_duration::schema")]
    min_time_short_of_copies: SimDuration, AtLeast => |min, s, c| {
        let r = &s.redundancy;
        c.judge_some(r.longest_short_s, min.as_secs_f64(), r.longest(), min)
    };
    /// Every secondary region's replication lag (from the primary's
    /// storage making redo durable to a write quorum of the region's
    /// copies holding it) at most this, for every message stored, and for
    /// redo still not stored at the end of the run.
    #[serde(deserialize_with = "optional_duration::read")]
    #[schemars(schema_with = "optional_duration::schema")]
    max_lag: SimDuration, AtMost => |max, s, c| {
        global(s, |g| {
            let worst = g
                .regions
                .iter()
                .map(|r| {
                    let stored = r.replication_lag_ms.as_ref().map_or(0.0, |l| l.max);
                    stored.max(r.behind_at_end_ms)
                })
                .fold(0.0, f64::max);
            c.judge(worst, max.as_millis_f64(), format!("worst replication lag {}", ms(worst)), max)
        })
    };
    /// Every secondary region's RPO lag (how long the oldest redo the
    /// primary made durable that the region lacked had been durable) at
    /// most this, all run.
    #[serde(deserialize_with = "optional_duration::read")]
    #[schemars(schema_with = "optional_duration::schema")]
    max_rpo_lag: SimDuration, AtMost => |max, s, c| {
        global(s, |g| {
            let worst = g.regions.iter().map(|r| r.rpo_lag_max_ms).fold(0.0, f64::max);
            c.judge(worst, max.as_millis_f64(), format!("worst RPO lag {}", ms(worst)), max)
        })
    };
    /// The acknowledged work the best-placed secondary region lacked at
    /// once (from the oldest acknowledged commit it lacked to the newest
    /// acknowledged), at most this, all run: what the RPO guard bounds.
    #[serde(deserialize_with = "optional_duration::read")]
    #[schemars(schema_with = "optional_duration::schema")]
    max_at_risk: SimDuration, AtMost => |max, s, c| {
        global(s, |g| {
            let said = format!("at most {} of acknowledged work at risk", ms(g.at_risk_max_ms));
            c.judge(g.at_risk_max_ms, max.as_millis_f64(), said, max)
        })
    };
    /// The RPO in acknowledged work at most this: of every region
    /// promotion the run made, what the promoted region lacked; without
    /// one, at every primary-region outage, what the secondary that
    /// lacked least lacked then (what promoting the best region would
    /// lose of what the application was told is committed).
    #[serde(deserialize_with = "optional_duration::read")]
    #[schemars(schema_with = "optional_duration::schema")]
    max_rpo: SimDuration, AtMost => |max, s, c| {
        global(s, |g| match g.best_rpo_s() {
            None => (false, "none (no region promoted, and the primary region never went dark)".to_owned()),
            Some(got) => {
                let said = format!("RPO {got:.3}s of acknowledged work");
                c.judge(got, max.as_secs_f64(), said, max)
            }
        })
    };
    /// The RPO guard (`global.rpo`) held the primary's commits for at
    /// least this long in all.
    #[serde(deserialize_with = "optional_duration::read")]
    #[schemars(schema_with = "optional_duration::schema")]
    min_guard_held: SimDuration, AtLeast => |min, s, c| {
        global(s, |g| match g.rpo_guard_s {
            None => (false, "none (the scenario sets no `global.rpo`)".to_owned()),
            Some(_) => {
                let said = format!("the RPO guard held commits {:.3}s", g.guard_held_s);
                c.judge(g.guard_held_s, min.as_secs_f64(), said, min)
            }
        })
    };
}

/// A global-database expectation's verdict, `judge` given the run's
/// global database; a cluster in one region fails it as not measured.
fn global(s: &Summary, judge: impl FnOnce(&GlobalSummary) -> Verdict) -> Verdict {
    match &s.global {
        None => (
            false,
            "none (the scenario has no `global:` section)".to_owned(),
        ),
        Some(g) => judge(g),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A bound's prefix says its comparison: `max_` at most, `min_` at
    /// least, none exactly.
    #[test]
    fn every_name_says_its_comparison() {
        for &(name, c) in EXPECTATIONS {
            let said = if name.starts_with("max_") {
                Comparison::AtMost
            } else if name.starts_with("min_") {
                Comparison::AtLeast
            } else {
                Comparison::Exactly
            };
            assert_eq!(c, said, "{name}");
        }
    }

    /// A scenario that must stall is told what it expected; one that must
    /// stay up what it allowed or expected, each in its own words.
    #[test]
    fn availability_bounds_say_what_they_expect() {
        let s: Summary =
            serde_json::from_str(include_str!("../../results/az-plus-one/summary.json"))
                .expect("a shipped summary reads");
        let e = ExpectSpec {
            max_write_availability: Some(0.99),
            min_write_availability: Some(0.5),
            max_lost_commits: Some(0),
            ..ExpectSpec::default()
        };
        let details: Vec<(String, bool, String)> = evaluate(&e, &s)
            .into_iter()
            .map(|x| (x.name, x.passed, x.detail))
            .collect();
        let line = |n: &str, p: bool, d: &str| (n.to_owned(), p, d.to_owned());
        assert_eq!(
            details,
            [
                line("max_lost_commits", true, "lost 0, allowed at most 0"),
                line(
                    "min_write_availability",
                    true,
                    "write availability 85.3321 %, expected at least 50.0000 %"
                ),
                line(
                    "max_write_availability",
                    true,
                    "write availability 85.3321 %, expected at most 99.0000 %"
                ),
            ]
        );
    }
}
