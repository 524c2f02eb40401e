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
fn unknown_field_names_the_field_and_the_valid_ones() {
    assert_error(
        "unknown-field.yaml",
        "4:3",
        "unknown field `volume_gb`, expected one of volume_gib",
    );
}

#[test]
fn wrong_type_points_at_the_value() {
    assert_error("wrong-type.yaml", "4:18", "floating point");
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
    assert_error("absurd-volume.yaml", "4:15", "128 TiB");
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
    assert_error("bad-loss.yaml", "4:35", "loss probability in [0, 1)");
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

    const VALID: &str = "name: p\nduration: 1m\ntopology: { azs: [a, b, c], storage_nodes_per_az: 4 }\nstorage: { volume_gib: 30, write_quorum: 4 }\nworkload: { commits_per_s: 10 }\nfaults:\n  - az_outage: { at: 10s, az: b, duration: 5s }\nexpect: { lost_commits: 0 }\n";

    proptest! {
        /// Any edit of a valid file parses or fails with a message; it
        /// never panics.
        #[test]
        fn mutated_scenarios_parse_or_fail_cleanly(
            at in 0usize..VALID.len(),
            cut in 0usize..8,
            insert in "[ -~\n]{0,8}",
        ) {
            let mut text = VALID.to_owned();
            let end = (at + cut).min(text.len());
            text.replace_range(at..end, &insert);
            let _ = aurora_sim::Scenario::parse(&text, std::path::Path::new("fuzz.yaml"));
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
