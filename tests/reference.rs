//! The scenario format's reference (`aurora-sim schema`, `explain`) says
//! what the reader does: every range the schema states is the range the
//! reader holds a value to. That every shipped scenario meets the schema,
//! and that what the schema refuses the reader refuses, is checked with a
//! JSON Schema validator in `bench/tests/schema.rs`.

use aurora_sim::scenario::reference::{entries, json_schema};
use aurora_sim::ScenarioBuilder;
use serde_json::Value;

use crate::{aurora, repo};

/// A value just past `max`, written as a file would.
fn beyond(kind: &str, max: &str) -> String {
    if kind.starts_with("duration") {
        let d = aurora_sim::sim::SimDuration::parse(max).expect("a duration maximum");
        format!("{}ns", d.as_nanos() + 1)
    } else if kind.starts_with("integer") {
        (max.parse::<u64>().expect("an integer maximum") + 1).to_string()
    } else {
        (max.parse::<f64>().expect("a number maximum") * 1.5).to_string()
    }
}

#[test]
fn every_range_the_reference_states_is_the_one_the_reader_enforces() {
    let mut checked = 0;
    for e in entries() {
        // Settings of the sections every file has; list entries need a
        // whole entry around them and share their readers with these.
        let Some((_, range)) = e.kind.split_once(", ") else {
            continue;
        };
        let Some((min, max)) = range.split_once(" to ") else {
            continue;
        };
        if e.kind.contains('`')
            || e.path.contains('[')
            || e.path.starts_with("expect.")
            || !e.path.contains('.')
        {
            continue;
        }
        // `720h (30 days)`, `below 1`.
        let max = max.split(" (").next().expect("a maximum");
        let set = |value: &str| {
            ScenarioBuilder::new("t", "1m")
                .set(&e.path, value)
                .build()
                .err()
                .map(|err| err.to_string())
                .unwrap_or_default()
        };
        let refusal = |msg: &str| {
            msg.contains("from ") || msg.contains("too long") || msg.contains("too short")
        };
        if !max.starts_with("below") {
            let at_max = set(max);
            assert!(
                !refusal(&at_max),
                "{} = {max} (its maximum) is refused: {at_max}",
                e.path
            );
        }
        let at_min = set(min);
        assert!(
            !refusal(&at_min),
            "{} = {min} (its minimum) is refused: {at_min}",
            e.path
        );
        let max = max.trim_start_matches("below ");
        let past = beyond(&e.kind, max);
        let over = set(&past);
        assert!(
            refusal(&over),
            "{} = {past} (past its maximum {max}) is accepted: {over:?}",
            e.path
        );
        checked += 1;
    }
    assert!(checked > 40, "only {checked} ranges checked");
}

#[test]
fn explain_tells_a_setting_its_default_and_source() {
    let o = aurora(&["explain", "dns.ttl"], &repo("."));
    assert!(o.status.success());
    let out = String::from_utf8(o.stdout).expect("utf-8");
    assert!(
        out.starts_with("dns.ttl — duration, 0s to 720h (30 days); default 5s"),
        "{out}"
    );
    assert!(out.contains("[KC]"), "{out}");

    let o = aurora(&["explain", "faults.0.az_outage"], &repo("."));
    let out = String::from_utf8(o.stdout).expect("utf-8");
    assert!(
        out.contains("faults[].az_outage.az — text, required"),
        "{out}"
    );

    let o = aurora(&["explain"], &repo("."));
    let out = String::from_utf8(o.stdout).expect("utf-8");
    for fault in ["storage_node_crash", "az_outage", "packet_loss", "failover"] {
        assert!(
            out.contains(&format!("  {fault} ")),
            "{fault} missing from {out}"
        );
    }
}

#[test]
fn explain_of_an_unknown_topic_is_refused_with_the_near_ones() {
    let o = aurora(&["explain", "dns.tll"], &repo("."));
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8(o.stderr).expect("utf-8");
    assert!(
        err.contains("no setting, section or fault kind is named \"dns.tll\""),
        "{err}"
    );
    // A topic that names nothing is not the overview.
    for topic in [".", "...", " "] {
        let o = aurora(&["explain", topic], &repo("."));
        assert_eq!(o.status.code(), Some(2), "{topic:?}");
        assert!(o.stdout.is_empty(), "{topic:?}");
    }
    let o = aurora(&["explain", "volume"], &repo("."));
    let err = String::from_utf8(o.stderr).expect("utf-8");
    assert!(err.contains("storage.volume_gib"), "{err}");
}

#[test]
fn the_schema_command_prints_the_schema() {
    let o = aurora(&["schema"], &repo("."));
    assert!(o.status.success());
    let printed: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(printed, json_schema());
    assert_eq!(
        printed["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
}
