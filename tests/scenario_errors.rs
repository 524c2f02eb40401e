//! Bad input is rejected with file, line, column and what was expected.

use aurora_sim::Scenario;

use crate::repo;

/// Loads a fixture from `tests/data` and returns its error message.
fn error_of(fixture: &str) -> String {
    let path = repo(&format!("tests/data/{fixture}"));
    match Scenario::load(&path) {
        Ok(_) => panic!("{fixture} was accepted"),
        Err(e) => e.to_string(),
    }
}

fn assert_error(fixture: &str, line_col: &str, needle: &str) {
    let msg = error_of(fixture);
    let at = format!("tests/data/{fixture}:{line_col}: ");
    assert!(msg.contains(&at), "expected location {at:?} in {msg:?}");
    assert!(msg.contains(needle), "expected {needle:?} in {msg:?}");
}

#[test]
fn unknown_field_names_the_field_and_the_one_it_likely_meant() {
    assert_error(
        "unknown-field.yaml",
        "4:3",
        "unknown field `volume_gb`; did you mean `volume_gib`?",
    );
}

#[test]
fn wrong_type_points_at_the_value() {
    assert_error(
        "wrong-type.yaml",
        "4:31",
        "expected a commit rate per second from 0 to 1000000, found \"lots\"",
    );
}

#[test]
fn bad_duration_says_what_a_duration_looks_like() {
    assert_error(
        "bad-duration.yaml",
        "2:11",
        "expected a duration such as \"250ms\"",
    );
}

#[test]
fn fault_naming_a_missing_az_lists_the_real_ones() {
    assert_error(
        "unknown-az.yaml",
        "4:31",
        "no AZ named \"d\"; the topology has a, b, c",
    );
}

#[test]
fn fault_naming_a_missing_node_explains_node_names() {
    assert_error(
        "unknown-node.yaml",
        "6:13",
        "no storage node named \"b-17\"",
    );
}

#[test]
fn unsafe_quorum_names_the_rule_it_breaks() {
    assert_error(
        "bad-quorum.yaml",
        "4:17",
        "read quorum 3 + write quorum 3 must exceed the 6 copies",
    );
}

#[test]
fn absurd_volume_states_the_limit() {
    assert_error(
        "absurd-volume.yaml",
        "4:15",
        "expected a volume in GiB from 1 to 131072, found 200000",
    );
}

#[test]
fn fault_after_the_end_is_rejected() {
    assert_error("late-fault.yaml", "4:22", "not before the end of the run");
}

#[test]
fn unknown_fault_kind_lists_the_vocabulary() {
    assert_error(
        "unknown-fault.yaml",
        "4:5",
        "unknown variant `meteor_strike`",
    );
}

#[test]
fn loss_rate_out_of_range() {
    assert_error(
        "bad-loss.yaml",
        "4:35",
        "expected a loss probability from 0 to below 1, found 1.5",
    );
}

#[test]
fn writes_that_can_conflict_are_rejected() {
    let yaml = "name: x\nduration: 1m\nstorage:\n  write_quorum: 3\n  read_quorum: 4\n";
    let e = Scenario::parse(yaml, std::path::Path::new("inline.yaml")).unwrap_err();
    assert!(e.to_string().contains("two conflicting writes"), "{e}");
}

#[test]
fn an_allocation_limit_below_one_commit_is_rejected() {
    let yaml = "name: x\nduration: 1m\nstorage: { lsn_allocation_limit: 2 }\n";
    let e = Scenario::parse(yaml, std::path::Path::new("inline.yaml")).unwrap_err();
    assert!(e.to_string().contains("no commit could ever start"), "{e}");
}

#[test]
fn a_timeline_of_billions_of_rows_is_rejected() {
    let yaml = "name: x\nduration: 30d\n";
    assert!(
        Scenario::parse(yaml, std::path::Path::new("a.yaml")).is_err(),
        "no day unit"
    );
    let yaml = "name: x\nduration: 720h\nmetrics: { bin: 1us }\n";
    let e = Scenario::parse(yaml, std::path::Path::new("inline.yaml")).unwrap_err();
    assert!(e.to_string().contains("timeline rows"), "{e}");
}

mod never_panics {
    use proptest::prelude::*;

    const VALID: &str = "name: p\nduration: 1m\ntopology: { azs: [a, b, c], storage_nodes_per_az: 4 }\nstorage: { volume_gib: 30, write_quorum: 4 }\nworkload: { open_loop: { commits_per_s: 10 } }\nfaults:\n  - az_outage: { at: 10s, az: b, duration: 5s }\nexpect: { max_lost_commits: 0 }\n";

    proptest! {
        /// Any edit of a valid file parses or fails with a located
        /// message; it never panics.
        #[test]
        fn mutated_scenarios_parse_or_fail_cleanly(
            at in 0usize..VALID.len(),
            cut in 0usize..8,
            insert in "[ -~\n]{0,8}",
        ) {
            let mut text = VALID.to_owned();
            let end = (at + cut).min(text.len());
            text.replace_range(at..end, &insert);
            if let Err(e) = aurora_sim::Scenario::parse(&text, std::path::Path::new("fuzz.yaml")) {
                let at = e.location().expect("a scenario error");
                prop_assert!(at.line >= 1 && at.column >= 1, "{e} in\n{text}");
            }
        }
    }
}

#[test]
fn fault_naming_a_missing_instance_lists_the_cluster() {
    assert_error(
        "unknown-instance.yaml",
        "7:34",
        "no instance named \"reader-9\"; the cluster has writer-1, reader-1",
    );
}

#[test]
fn a_cluster_has_exactly_one_writer() {
    assert_error(
        "two-writers.yaml",
        "4:3",
        "expected exactly one instance with `role: writer`",
    );
}

#[test]
fn promotion_tiers_run_from_0_to_15() {
    assert_error(
        "bad-tier.yaml",
        "4:44",
        "expected a promotion tier from 0 to 15, found 16",
    );
}

/// Parses inline scenario text and returns its error.
fn inline_error(yaml: &str) -> aurora_sim::InputError {
    match Scenario::parse(yaml, std::path::Path::new("inline.yaml")) {
        Ok(_) => panic!("accepted:\n{yaml}"),
        Err(e) => e,
    }
}

/// Asserts that `yaml` is refused at the first `value` on 1-based line
/// `line`, with a message containing `needle`.
fn assert_refused_at(yaml: &str, line: usize, value: &str, needle: &str) {
    let e = inline_error(yaml);
    let text = yaml.lines().nth(line - 1).expect("the line exists");
    let column = text.find(value).expect("the value is on the line") + 1;
    let at = e.location().expect("a scenario error");
    assert_eq!(
        (at.line, at.column),
        (line as u64, column as u64),
        "location of {e} in\n{yaml}"
    );
    assert!(e.to_string().contains(needle), "expected {needle:?} in {e}");
}

#[test]
fn an_allocation_limit_that_could_overflow_lsns_is_rejected() {
    assert_error(
        "lal-overflow.yaml",
        "3:34",
        "expected an LSN allocation limit from 1 to 1000000000, found 18446744073709551615",
    );
}

/// Every numeric field has a range the model can honour; a value outside
/// it, or beyond the field's integer type, is refused where it is written.
#[test]
fn every_numeric_field_refuses_values_outside_its_range() {
    let cases = [
        (
            "seed: 18446744073709551616",
            "18446744073709551616",
            "expected a whole number from 0 to 18446744073709551615",
        ),
        (
            "topology: { storage_nodes_per_az: 10001 }",
            "10001",
            "expected a number of storage nodes per AZ from 1 to 10000, found 10001",
        ),
        (
            "storage: { volume_gib: 18446744073709551616 }",
            "18446744073709551616",
            "expected a volume in GiB from 1 to 131072",
        ),
        (
            "storage: { segment_gib: 1025 }",
            "1025",
            "expected a protection-group size in GiB from 1 to 1024, found 1025",
        ),
        (
            "storage: { copies: 4294967296 }",
            "4294967296",
            "expected a number of copies from 1 to 30, found 4294967296",
        ),
        (
            "storage: { write_quorum: -1 }",
            "-1",
            "expected a write quorum from 1 to 30, found -1",
        ),
        (
            "storage: { read_quorum: 31 }",
            "31",
            "expected a read quorum from 1 to 30, found 31",
        ),
        (
            "storage: { disk_jitter: 2.5 }",
            "2.5",
            "expected a lognormal sigma from 0 to 2, found 2.5",
        ),
        (
            "storage: { repair_gbps: 1e-300 }",
            "1e-300",
            "expected a bandwidth in Gb/s from 0.01 to 1000",
        ),
        (
            "storage: { batches_in_flight: 0 }",
            "0",
            "expected a number of batches in flight from 1 to 1024, found 0",
        ),
        (
            "storage: { disk_iops: 1e9 }",
            "1e9",
            "expected a number of disk operations per second from 100 to 100000000",
        ),
        (
            "storage: { node_gbps: 0 }",
            "0",
            "expected a bandwidth in Gb/s from 0.01 to 1000",
        ),
        (
            "storage: { record_bytes: 2000000 }",
            "2000000",
            "expected a record size in bytes from 1 to 1048576, found 2000000",
        ),
        (
            "storage: { disk_latency: 11s }",
            "11s",
            "too long: a latency is at most 10s, found 11s",
        ),
        (
            "storage: { gossip_interval: 0s }",
            "0s",
            "too short: a period is at least 1us, found 0s",
        ),
        (
            "storage: { repair_after: 721h }",
            "721h",
            "too long: a duration is at most 720h (30 days), found 721h",
        ),
        (
            "network: { jitter: -0.5 }",
            "-0.5",
            "expected a lognormal sigma from 0 to 2, found -0.5",
        ),
        (
            "network: { same_az_latency: 0s }",
            "0s",
            "too short: a latency is longer than 0s, found 0s",
        ),
        (
            "workload: { open_loop: { commits_per_s: 1e7 } }",
            "1e7",
            "expected a commit rate per second from 0 to 1000000, found 10000000.0",
        ),
        (
            "workload: { commits_per_s: 100 }",
            "commits_per_s",
            "unknown field `commits_per_s`: a rate that arrives whatever the database does is `workload.open_loop.commits_per_s`; load otherwise comes from `clients`",
        ),
        (
            "workload: { open_loop: { reads_per_s: -1 } }",
            "-1",
            "expected a read rate per second from 0 to 1000000, found -1",
        ),
        (
            "workload: { records_per_commit: 1001 }",
            "1001",
            "expected a number of records per commit from 1 to 1000, found 1001",
        ),
        (
            "workload: { page_kib: 12 }",
            "12",
            "expected a page size of 4, 8, 16, 32 or 64 KiB, found 12",
        ),
        (
            "workload: { working_set_gib: 1e300 }",
            "1e300",
            "expected a working set in GiB from 0 to 131072",
        ),
        (
            "control_plane: { failure_threshold: 101 }",
            "101",
            "expected a number of missed health checks from 1 to 100, found 101",
        ),
        (
            "control_plane: { engine_start: { median: 1000h, sigma: 0 } }",
            "1000h",
            "too long: a duration is at most 720h (30 days), found 1000h",
        ),
        (
            "dns: { ttl: 1e400s }",
            "1e400s",
            "too long: a duration is at most 720h (30 days), found 1e400s",
        ),
        (
            "clients: [{ name: c, count: 1001 }]",
            "1001",
            "expected a number of clients in a group from 1 to 1000, found 1001",
        ),
        (
            "clients: [{ name: c, dns_cache: 1000h }]",
            "1000h",
            "too long: a duration is at most 720h (30 days), found 1000h",
        ),
        (
            "workload: { group_commit_interval: 2s }",
            "2s",
            "too long: a group-commit interval is at most 1s, found 2s",
        ),
        (
            "metrics: { bin: 2h }",
            "2h",
            "too long: a period is at most 1h, found 2h",
        ),
        (
            "faults: [slow_node: { at: 1s, node: a-1, factor: 1e7 }]",
            "1e7",
            "expected a slow-down factor from 1 to 1000000, found 10000000.0",
        ),
        (
            "faults: [packet_loss: { at: 1s, rate: 1 }]",
            "1 }",
            "expected a loss probability from 0 to below 1, found 1",
        ),
        (
            "faults: [az_outage: { at: 100000h, az: a }]",
            "100000h",
            "too long: a duration is at most 720h (30 days), found 100000h",
        ),
        (
            "expect: { min_write_availability: 1.5 }",
            "1.5",
            "expected an availability fraction from 0 to 1, found 1.5",
        ),
        (
            "expect: { min_commits_per_s: 1e7 }",
            "1e7",
            "expected a commit rate per second from 0 to 1000000",
        ),
        (
            "expect: { max_lost_commits: -1 }",
            "-1",
            "expected a whole number from 0 to 18446744073709551615",
        ),
        (
            "expect: { failovers: 4294967296 }",
            "4294967296",
            "expected a whole number from 0 to 4294967295",
        ),
    ];
    for (line, value, needle) in cases {
        let yaml = format!("name: x\nduration: 1m\n{line}\n");
        assert_refused_at(&yaml, 3, value, needle);
    }
    assert_refused_at(
        "name: x\nduration: 1m\ninstances:\n  - { name: w, az: a, role: writer, tier: 1.5 }\n",
        4,
        "1.5",
        "expected a promotion tier from 0 to 15, found 1.5",
    );
}

#[test]
fn a_tier_beyond_a_byte_names_the_tier_range() {
    assert_error(
        "tier-beyond-u8.yaml",
        "4:44",
        "expected a promotion tier from 0 to 15, found 256",
    );
}

#[test]
fn durations_beyond_what_the_format_reads_are_too_long() {
    for value in ["100000h", "1e400s", "745h"] {
        let yaml = format!("name: x\nduration: {value}\n");
        assert_refused_at(
            &yaml,
            2,
            value,
            &format!("too long: a run is at most 720h (30 days), found {value}"),
        );
    }
    assert_refused_at(
        "name: x\nduration: 0s\n",
        2,
        "0s",
        "too short: a run is longer than 0s, found 0s",
    );
}

#[test]
fn names_that_are_not_plain_directory_names_are_refused() {
    assert_error(
        "parent-dir-name.yaml",
        "1:7",
        "\"..\" names a directory itself",
    );
    let long = "n".repeat(101);
    for (name, needle) in [
        (".", "\".\" names a directory itself"),
        ("...", "\"...\" names a directory itself"),
        ("a/b", "found \"a/b\""),
        ("'a\\b'", "found \"a\\\\b\""),
        (long.as_str(), "at most 100 characters"),
        // Hidden, and where runs stage their results.
        (".aurora-sim-run-x", "does not start with '.'"),
    ] {
        let yaml = format!("name: {name}\nduration: 1m\n");
        assert_refused_at(&yaml, 1, name, needle);
    }
    assert!(Scenario::parse(
        &format!("name: {}\nduration: 1m\n", "n".repeat(100)),
        std::path::Path::new("inline.yaml")
    )
    .is_ok());
    assert_refused_at(
        "name: x\nduration: 1m\ninstances:\n  - { name: '..', az: a, role: writer }\n",
        4,
        "'..'",
        "\"..\" names a directory itself",
    );
}

#[test]
fn node_names_are_canonical() {
    assert_error(
        "noncanonical-node.yaml",
        "4:42",
        "no storage node named \"a-01\"",
    );
    for node in ["a-+1", "a-1.0", "a-0x1", "a- 1", "a-4294967297"] {
        let yaml = format!(
            "name: x\nduration: 1m\nfaults:\n  - storage_node_crash: {{ at: 1s, node: '{node}' }}\n"
        );
        assert_refused_at(&yaml, 4, &format!("'{node}'"), "no storage node named");
    }
}

#[test]
fn library_words_never_reach_the_user() {
    assert_error("duplicate-key.yaml", "3:1", "duplicate key `duration`");
    assert_error(
        "two-documents.yaml",
        "4:1",
        "a scenario holds one YAML document",
    );
    for (yaml, line, value, needle) in [
        (
            "name:\nduration: 1m\n",
            1,
            ":",
            "expected a string, found nothing",
        ),
        ("name: [a]\nduration: 1m\n", 1, "[a]", "expected a string"),
        (
            "name: x\nduration: 1m\nclients: [{ name: c, az: { b: 1 } }]\n",
            3,
            "{ b",
            "expected a string",
        ),
    ] {
        assert_refused_at(yaml, line, value, needle);
    }
    let mut many = String::from("name: x\nduration: 1m\nfaults:\n");
    for i in 0..60_000 {
        many.push_str(&format!("  - writer_crash: {{ at: {i}ms }}\n"));
    }
    let e = inline_error(&many).to_string();
    assert!(e.contains("the file is too large"), "{e}");
    for internal in [
        "DuplicateKeyPolicy",
        "from_str_multiple",
        "Option<",
        "SimDuration(",
        "budget",
        "Nodes {",
        "invalid u",
        "scalar",
    ] {
        for text in [
            error_of("duplicate-key.yaml"),
            error_of("two-documents.yaml"),
            error_of("tier-beyond-u8.yaml"),
            inline_error("name:\nduration: 1m\n").to_string(),
            inline_error("name: [a]\nduration: 1m\n").to_string(),
            inline_error("name: x\nduration: 3h\nmetrics: { bin: 2h }\n").to_string(),
            inline_error("name: x\nduration: 1m\nseed: -1\n").to_string(),
            e.clone(),
        ] {
            assert!(!text.contains(internal), "{internal:?} in {text}");
        }
    }
}

#[test]
fn text_that_is_not_utf8_is_located() {
    assert_error("not-utf8.yaml", "1:8", "not UTF-8 text");
}

/// Checks that relate two settings point at one of them, as written.
#[test]
fn relations_between_settings_point_at_a_value() {
    assert_refused_at(
        "name: x\nduration: 1m\ntopology: { storage_nodes_per_az: 1 }\n",
        3,
        "1 }",
        "2 copies per AZ need at least 2 storage nodes per AZ",
    );
    assert_refused_at(
        "name: x\nduration: 1m\nstorage: { copies: 9 }\ntopology: { storage_nodes_per_az: 2 }\n",
        3,
        "9",
        "3 copies per AZ need at least 3 storage nodes per AZ",
    );
    assert_refused_at(
        "name: x\nduration: 1m\nstorage: { lsn_allocation_limit: 2 }\nworkload: { records_per_commit: 5 }\n",
        3,
        "2 }",
        "no commit could ever start",
    );
    assert_refused_at(
        "name: x\nduration: 720h\nmetrics: { bin: 1us }\n",
        3,
        "1us",
        "timeline rows",
    );
}

#[test]
fn clients_are_bounded_in_total() {
    let mut yaml = String::from("name: x\nduration: 1m\nclients:\n");
    for i in 0..11 {
        yaml.push_str(&format!("  - {{ name: c{i}, count: 1000 }}\n"));
    }
    assert_refused_at(
        &yaml,
        14,
        "1000",
        "at most 10000 clients in all groups together, found 11000",
    );
    let ten_thousand = yaml.lines().take(13).collect::<Vec<_>>().join("\n");
    assert!(Scenario::parse(&ten_thousand, std::path::Path::new("inline.yaml")).is_ok());
}

/// Extreme values in every numeric field are refused with a location, or
/// accepted and then simulated without a panic or an overflow.
#[test]
fn extreme_values_are_refused_where_written_or_run_cleanly() {
    const FIELDS: &[&str] = &[
        "seed: $",
        "duration: $",
        "topology: { storage_nodes_per_az: $ }",
        "storage: { volume_gib: $ }",
        "storage: { segment_gib: $ }",
        "storage: { copies: $ }",
        "storage: { write_quorum: $ }",
        "storage: { read_quorum: $ }",
        "storage: { disk_latency: $ }",
        "storage: { disk_jitter: $ }",
        "storage: { lsn_allocation_limit: $ }",
        "storage: { gossip_interval: $ }",
        "storage: { materialize_interval: $ }",
        "storage: { repair_after: $ }",
        "storage: { repair_gbps: $ }",
        "storage: { batches_in_flight: $ }",
        "storage: { record_bytes: $ }",
        "storage: { node_gbps: $ }",
        "storage: { disk_gbps: $ }",
        "storage: { disk_iops: $ }",
        "instances: [{ name: w, az: a, role: writer, tier: $ }]",
        "control_plane: { health_check_interval: $ }",
        "control_plane: { failure_threshold: $ }",
        "control_plane: { process_stop: { median: $, sigma: 0.5 } }",
        "control_plane: { engine_start: { median: 1s, sigma: $ } }",
        "control_plane: { buffer_pool_gib_per_s: $ }",
        "control_plane: { io_watchdog: $ }",
        "engine: { cpu_per_record: $ }",
        "engine: { cpu_per_read: $ }",
        "engine: { apply_per_record: $ }",
        "engine: { max_replica_lag: $ }",
        "workload: { access: { zipf: $ } }",
        "control_plane: { provision_time: $ }",
        "dns: { ttl: $ }",
        "dns: { update_delay: $ }",
        "dns: { empty_answers: $ }",
        "clients: [{ name: c, count: $ }]",
        "clients: [{ name: c, dns_cache: $ }]",
        "clients: [{ name: c, connect_timeout: $ }]",
        "clients: [{ name: c, read_timeout: $ }]",
        "clients: [{ name: c, think_time: $ }]",
        "clients: [{ name: c, backoff_base: $, backoff_max: $ }]",
        "network: { same_az_latency: $ }",
        "network: { cross_az_latency: $ }",
        "network: { jitter: $ }",
        "workload: { open_loop: { commits_per_s: $ } }",
        "workload: { records_per_commit: $ }",
        "workload: { working_set_gib: $ }",
        "workload: { page_kib: $ }",
        "workload: { open_loop: { reads_per_s: $ } }",
        "workload: { group_commit_interval: $ }",
        "workload: { storage_read_timeout: $ }",
        "workload: { write_retry_interval: $ }",
        "metrics: { bin: $ }",
        "metrics: { stall_threshold: $ }",
        "faults: [storage_node_crash: { at: $, node: a-1, recover_after: $ }]",
        "faults: [az_outage: { at: 1ms, az: b, duration: $ }]",
        "faults: [slow_node: { at: 1ms, node: a-1, factor: $, duration: $ }]",
        "faults: [packet_loss: { at: 1ms, rate: $ }]",
        "expect: { max_lost_commits: $, failovers: $, min_write_availability: $, max_rto: $ }",
        "expect: { max_time_short_of_copies: $, min_repairs_rolled_back: $ }",
    ];
    const EXTREMES: &[&str] = &[
        "0",
        "-1",
        "1",
        "0.5",
        "-0.0",
        "1e-308",
        "4294967296",
        "9223372036854775808",
        "18446744073709551615",
        "18446744073709551616",
        "1e308",
        "1e400",
        ".inf",
        ".nan",
        "0s",
        "1ns",
        "1us",
        "10s",
        "1h",
        "720h",
        "100000h",
        "1e400s",
        "1e-400s",
        "forever",
        "~",
        "[]",
        "{}",
        "x",
    ];
    for field in FIELDS {
        for value in EXTREMES {
            let yaml = format!(
                "name: x\nduration: 10ms\nworkload: {{ open_loop: {{ commits_per_s: 100 }} }}\n{}\n",
                field.replace('$', value)
            )
            .replacen("workload: { open_loop: { commits_per_s: 100 } }\nworkload", "workload", 1)
            .replacen("duration: 10ms\nduration", "duration", 1);
            match Scenario::parse(&yaml, std::path::Path::new("inline.yaml")) {
                Err(e) => {
                    let at = e.location().expect("a scenario error");
                    assert!(at.line >= 1 && at.column >= 1, "{e} in\n{yaml}");
                }
                Ok(sc) if sc.config().duration.as_secs_f64() <= 1.0 => {
                    crate::run(&sc);
                }
                Ok(_) => {}
            }
        }
    }
}

#[test]
fn a_run_that_would_not_fit_in_memory_is_refused_at_the_setting_to_lower() {
    // 16 TiB of 16 KiB pages, 4 bytes each, held by six copies and the
    // checker: 28 GiB.
    assert_error(
        "too-much-memory.yaml",
        "4:30",
        "this run may come to hold about 28.29 GiB in memory, more than 16.00 GiB (the most any run may hold); \
         the most is 28.00 GiB, page contents: 1073741824 working-set pages in each of 6 copies and in the \
         durability checker's record: lower workload.working_set_gib",
    );
    // The estimate follows the settings: a thousandth of the working set
    // is a thousandth of the page contents.
    let sc = Scenario::parse(
        "name: fits\nduration: 10s\nstorage: { volume_gib: 131072 }\nworkload: { working_set_gib: 8 }\n",
        std::path::Path::new("fits.yaml"),
    )
    .expect("fits");
    let pages = 8u64 << 16; // 8 GiB of 16 KiB pages
    assert!(sc.footprint().bytes() >= pages * 7 * 4);
    assert!(sc.footprint().bytes() < pages * 7 * 4 + (64 << 20));
}

#[test]
fn a_health_check_shorter_than_a_few_round_trips_is_refused() {
    // Every answer would miss its check: a healthy writer failed over
    // every millisecond, and no reader ever answered a selection in time.
    assert_refused_at(
        "name: x\nduration: 1m\ncontrol_plane: { health_check_interval: 1ms }\n",
        3,
        "1ms",
        "too short: a health-check interval is at least 100ms, found 1ms",
    );
}

#[test]
fn the_memory_bound_counts_the_redo_a_write_stall_piles_up() {
    // Two AZs down under a LAL of 10^9: a million records a second pile
    // up for the whole run (2.7 GB measured at its peak over 30 s).
    let stall = |duration: &str| {
        Scenario::parse(
            &format!("name: s\nduration: {duration}\nstorage: {{ lsn_allocation_limit: 1000000000 }}\nworkload: {{ open_loop: {{ commits_per_s: 10000 }}, records_per_commit: 100 }}\n"),
            std::path::Path::new("s.yaml"),
        )
    };
    let bytes = stall("30s").expect("fits").footprint().bytes();
    assert!(bytes > 30_000_000 * 6 * 16, "{bytes}");
    // An hour of it cannot fit: refused at the limit to lower.
    let e = stall("1h").expect_err("too much").to_string();
    assert!(e.contains("lower storage.lsn_allocation_limit"), "{e}");
}

#[test]
fn client_groups_are_distinct_and_few() {
    let err = |yaml: &str| {
        Scenario::parse(yaml, std::path::Path::new("g.yaml"))
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        err("name: g\nduration: 5s\nclients:\n  - { name: app }\n  - { name: app }\n"),
        "g.yaml:5:13: client group names must be distinct, found \"app\" twice"
    );
    let many: String = (0..65).map(|i| format!("  - {{ name: g{i} }}\n")).collect();
    let e = err(&format!("name: g\nduration: 5s\nclients:\n{many}"));
    assert!(
        e.starts_with("g.yaml:68:13: at most 64 client groups"),
        "{e}"
    );
}

#[test]
fn a_field_path_deeper_than_any_field_is_refused_quickly() {
    let deep = vec!["a"; 60_000].join(".");
    let e = aurora_sim::ScenarioBuilder::new("d", "5s")
        .set(&deep, 1)
        .build()
        .unwrap_err()
        .to_string();
    assert!(e.contains("at most 16 parts"), "{}", &e[..200.min(e.len())]);
    assert!(format!("{deep}=1")
        .parse::<aurora_sim::study::grid::Setting>()
        .unwrap_err()
        .contains("at most 16 parts"));
}

#[test]
fn a_set_value_gets_the_words_a_file_gets() {
    for (value, needle) in [
        (
            "dns={ttl: 1s, ttl: 2s}",
            "(line 1, column 11 of it): duplicate key `ttl`",
        ),
        ("dns=a\n---\nb", "a scenario holds one YAML document"),
    ] {
        let err = aurora_sim::ScenarioBuilder::new("t", "1m")
            .set(
                value.split_once('=').unwrap().0,
                value.split_once('=').unwrap().1,
            )
            .build()
            .expect_err("refused")
            .to_string();
        assert!(err.contains(needle), "{value:?}: {err}");
        for programmer in ["Options", "from_str", "Policy"] {
            assert!(!err.contains(programmer), "{value:?}: {err}");
        }
    }
}

#[test]
fn expectations_under_their_former_names_are_still_read() {
    let sc = crate::parse(
        "name: t\nduration: 10s\nexpect:\n  lost_commits: 0\n  wrong_reads: 0\n  split_brain_commits: 0\n  max_write_unavailable: 5s\n  min_write_unavailable: 0s\n",
    );
    let e = sc.expect();
    assert_eq!(e.max_lost_commits, Some(0));
    assert_eq!(e.max_wrong_reads, Some(0));
    assert_eq!(e.max_split_brain_commits, Some(0));
    assert!(e.max_write_outage.is_some() && e.min_write_outage.is_some());
    // Both spellings of one expectation is one too many.
    let err = aurora_sim::Scenario::parse(
        "name: t\nduration: 10s\nexpect:\n  lost_commits: 0\n  max_lost_commits: 0\n",
        std::path::Path::new("t.yaml"),
    )
    .expect_err("refused")
    .to_string();
    assert!(err.contains("duplicate"), "{err}");
}

/// The error a scenario text gets, as the CLI prints it.
fn error_of_text(yaml: &str) -> String {
    match Scenario::parse(yaml, std::path::Path::new("t.yaml")) {
        Ok(_) => panic!("accepted:\n{yaml}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn connection_layer_mistakes_name_the_field_and_the_fix() {
    let base = "name: t\nduration: 10s\ninstances:\n  - { name: w, az: a, role: writer }\n";
    let cases = [
        (
            "clients:\n  - { name: app, connection: proxy }\n",
            "t.yaml:6:13: client group \"app\" connects through the proxy, but the scenario has no `proxy:` section",
        ),
        (
            "clients:\n  - { name: app, endpoint: reader, connection: proxy }\nproxy: {}\n",
            "a proxy or a topology-aware driver here stands in front of the writer only",
        ),
        (
            "proxy: { azs: [a, z] }\n",
            "t.yaml:5:19: ",
        ),
        (
            "proxy: { azs: [a, a] }\n",
            "the proxy has one node per AZ; \"a\" is listed twice",
        ),
        (
            "proxy: { pinned: 1.5 }\n",
            "expected a share of sessions from 0 to 1, found 1.5",
        ),
        (
            "clients:\n  - { name: app, connection: { pool: { size: 0 } } }\n",
            "expected a pool size from 1 to 16000, found 0",
        ),
        (
            "clients:\n  - { name: app, connection: { driver: { failover_timout: 5s } } }\n",
            "unknown field `failover_timout`",
        ),
        (
            "clients:\n  - { name: app, connection: pooled }\n",
            "unknown value `pooled`; did you mean `pool`?",
        ),
        (
            "engine: { max_connections: 20000 }\n",
            "expected a number of connections per instance from 1 to 16000, found 20000",
        ),
        (
            "clients:\n  - { name: app, connection: pool }\n",
            "`pool` takes settings: write `connection: { pool: {} }` for its defaults",
        ),
        (
            "clients:\n  - { name: app, connection: { direct: {} } }\n",
            "`direct` takes no settings: write `connection: direct`",
        ),
        (
            "clients:\n  - { name: app, connection: { pool: {}, driver: {} } }\n",
            "one way to connect, found a second: `driver` after `pool`",
        ),
        (
            "clients:\n  - { name: app, connection: {} }\n",
            "no way to connect given",
        ),
        (
            "clients:\n  - { name: app, connection: ~ }\n",
            "no way to connect given",
        ),
        (
            "clients:\n  - { name: app, connection: { pool: {}, extra: 1 } }\n",
            "unknown variant `extra`",
        ),
        (
            "proxy: { max_queued: 0 }\n",
            "expected a queue length from 1 to 1000000, found 0",
        ),
        (
            "proxy: { max_opening_per_s: 0 }\n",
            "expected a number of connections opened per second from 1 to 16000, found 0",
        ),
        (
            "clients:\n  - { name: app, connection: { driver: { writer_reconnect_interval: 1us } } }\n",
            "a reconnect interval is at least 10ms, found 1us",
        ),
    ];
    for (extra, needle) in cases {
        let msg = error_of_text(&format!("{base}{extra}"));
        assert!(
            msg.contains(needle),
            "{extra}: expected {needle:?} in {msg:?}"
        );
    }
}

#[test]
fn an_empty_proxy_section_takes_every_default() {
    let sc = Scenario::parse(
        "name: t\nduration: 10s\ninstances:\n  - { name: w, az: a, role: writer }\n\
         clients:\n  - { name: app, connection: proxy }\nproxy:\n",
        std::path::Path::new("inline.yaml"),
    );
    assert!(sc.is_ok(), "{:?}", sc.err().map(|e| e.to_string()));
}

#[test]
fn a_class_change_names_a_real_instance_and_a_class_aurora_offers() {
    let base = "name: t\nduration: 1m\ninstances:\n  - { name: w, az: a, role: writer }\n  - { name: r, az: b }\nfaults:\n";
    assert_refused_at(
        &format!("{base}  - class_change: {{ at: 5s, instance: r, class: db.r6g.huge }}\n"),
        7,
        "db.r6g.huge",
        "expected an instance class Aurora offers",
    );
    assert_refused_at(
        &format!("{base}  - class_change: {{ at: 5s, instance: r9, class: db.r6g.xlarge }}\n"),
        7,
        "r9",
        "r9",
    );
    assert_refused_at(
        &format!("{base}  - class_change: {{ at: 5s, instance: r, class: db.r6g.xlarge, duration: 5s }}\n"),
        7,
        "duration",
        "duration",
    );
}

#[test]
fn a_likely_typo_is_named_with_what_it_meant() {
    let base = "name: t\nduration: 1m\ninstances:\n  - { name: writer-1, az: a, role: writer }\n  - { name: reader-1, az: b }\n";
    for (tail, line, value, needle) in [
        (
            "expect:\n  max_rot: 5s\n",
            7,
            "max_rot",
            "unknown field `max_rot`; did you mean `max_rto`?",
        ),
        ("workloda: {}\n", 6, "workloda", "did you mean `workload`?"),
        (
            "faults:\n  - az_outag: { at: 1s, az: a }\n",
            7,
            "az_outag",
            "unknown value `az_outag`; did you mean `az_outage`?",
        ),
        (
            "faults:\n  - instance_crash: { at: 1s, instance: reader-l }\n",
            7,
            "reader-l",
            "did you mean `reader-1`?",
        ),
        (
            "faults:\n  - az_outage: { at: 1s, az: B }\n",
            7,
            "B",
            "did you mean `b`?",
        ),
    ] {
        assert_refused_at(&format!("{base}{tail}"), line, value, needle);
    }
    // Nothing near: the whole vocabulary, and no guess.
    let e = inline_error(&format!("{base}expect:\n  zzzzzzzzzzzz: 1\n"));
    assert!(
        e.to_string().contains("expected one of") && !e.to_string().contains("did you mean"),
        "{e}"
    );
}
