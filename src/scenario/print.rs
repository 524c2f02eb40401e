//! Validated faults back to scenario YAML: the inverse of what validation
//! does to the `faults:` section, so that a fault schedule built in code (a
//! property test's generated case) becomes a scenario file that replays it.
//!
//! Reading a printed fault back gives an equal [`Fault`]: ids become the
//! names the file uses, times print as exact integers of the largest unit
//! that divides them ([`SimDuration`](crate::sim::SimDuration)'s
//! `Display`), and factors and rates in Rust's shortest form that parses
//! back to the same `f64`.
//!
//! ```
//! use aurora_sim::scenario::print::Names;
//! use aurora_sim::Scenario;
//! use std::path::Path;
//!
//! let yaml = "name: t\nduration: 1m\nfaults:\n  - slow_node: { at: 3s, node: a-4, factor: 20, duration: 30s }\n";
//! let sc = Scenario::parse(yaml, Path::new("t.yaml")).unwrap();
//! assert_eq!(
//!     Names::of(&sc).fault(&sc.config().faults[0]),
//!     "slow_node: { at: 3s, node: a-4, factor: 20, duration: 30s }"
//! );
//! ```

use std::fmt::Write;

use crate::model::config::{Cut, Fault, FaultKind, LossScope, RegionId, Topology};
use crate::scenario::Scenario;
use crate::sim::SimTime;
use crate::vocab::ids::{AzId, InstanceId, NodeId};

/// What a scenario file calls the AZs, storage nodes and instances that
/// faults refer to by id.
#[derive(Debug, Clone)]
pub struct Names<'a> {
    topology: &'a Topology,
    instances: Vec<&'a str>,
    /// A global database's regions, the primary first.
    regions: Vec<&'a str>,
}

impl<'a> Names<'a> {
    /// The AZ and node names of `topology`, and instance names in the order
    /// of the `instances:` list (an [`InstanceId`] is a position in it).
    pub fn new(topology: &'a Topology, instances: impl IntoIterator<Item = &'a str>) -> Self {
        Names {
            topology,
            instances: instances.into_iter().collect(),
            regions: Vec::new(),
        }
    }

    /// The same names with a global database's regions, the primary
    /// first (a [`RegionId`] is a position in it).
    pub fn with_regions(mut self, regions: impl IntoIterator<Item = &'a str>) -> Self {
        self.regions = regions.into_iter().collect();
        self
    }

    /// The names a validated scenario uses.
    pub fn of(sc: &'a Scenario) -> Self {
        let names = Names::new(
            &sc.config.topology,
            sc.config.instances.iter().map(|i| i.name.as_str()),
        );
        match &sc.config.global {
            Some(g) => names.with_regions(
                std::iter::once(g.primary.as_str())
                    .chain(g.secondaries.iter().map(|r| r.name.as_str())),
            ),
            None => names,
        }
    }

    /// One fault as the one-key map of a `faults:` entry, e.g.
    /// `slow_node: { at: 3s, node: a-4, factor: 20, duration: 30s }`.
    ///
    /// Every fault the parser produces reads back as itself. A fault the
    /// format cannot express, a duration on an instant `instance_reboot` or
    /// `failover`, still prints its duration, which the parser refuses as
    /// an unknown field: such a fault fails to read back rather than reading
    /// back as a different one.
    pub fn fault(&self, f: &Fault) -> String {
        let mut fields = vec![("at", (f.at - SimTime::ZERO).to_string())];
        let mut field = |key, value| fields.push((key, value));
        // The key of its duration: crashes name when the host or node
        // comes back, the other faults how long they last.
        let lasting = match &f.kind {
            FaultKind::NodeCrash(n) => {
                field("node", self.node(*n));
                "recover_after"
            }
            FaultKind::AzOutage(z) => {
                field("az", self.az(*z));
                "duration"
            }
            FaultKind::PartitionAzs(a, b) => {
                field("between", format!("[{}, {}]", self.az(*a), self.az(*b)));
                "duration"
            }
            FaultKind::IsolateNode(n) => {
                field("node", self.node(*n));
                "duration"
            }
            FaultKind::SlowNode(n, factor) => {
                field("node", self.node(*n));
                field("factor", factor.to_string());
                "duration"
            }
            FaultKind::PacketLoss(scope, rate) => {
                match scope {
                    LossScope::All => {}
                    LossScope::Az(z) => field("az", self.az(*z)),
                    LossScope::Node(n) => field("node", self.node(*n)),
                    LossScope::Instance(i) => field("instance", self.instance(*i)),
                }
                field("rate", rate.to_string());
                "duration"
            }
            FaultKind::IsolateInstance(i, cut) => {
                field("instance", self.instance(*i));
                match cut {
                    Cut::Everything => {}
                    Cut::Storage => field("from", "storage".to_owned()),
                    Cut::ControlPlane => field("from", "control_plane".to_owned()),
                }
                "duration"
            }
            FaultKind::SlowInstance(i, factor) => {
                field("instance", self.instance(*i));
                field("factor", factor.to_string());
                "duration"
            }
            FaultKind::WriterCrash => "recover_after",
            FaultKind::InstanceCrash(i) => {
                field("instance", self.instance(*i));
                "recover_after"
            }
            FaultKind::InstanceReboot(i, failover) => {
                field("instance", self.instance(*i));
                if *failover {
                    field("failover", "true".to_owned());
                }
                // Instant: the parser knows no `duration` here.
                "duration"
            }
            FaultKind::Failover(target) => {
                if let Some(t) = target {
                    field("target", self.instance(*t));
                }
                // Instant, as above.
                "duration"
            }
            FaultKind::OsUpdate => {
                // Instant, as above.
                "duration"
            }
            FaultKind::BlueGreenSwitchover { timeout } => {
                field("timeout", timeout.to_string());
                // Instant, as above.
                "duration"
            }
            FaultKind::EnginePatch(zdp) => {
                if !*zdp {
                    field("zero_downtime", "false".to_owned());
                }
                // Instant, as above.
                "duration"
            }
            FaultKind::RegionOutage(r) | FaultKind::RegionPartition(r) => {
                field("region", self.region(*r));
                "duration"
            }
            FaultKind::RegionPromotion { region, .. } => {
                field("region", self.region(*region));
                // Instant, as above.
                "duration"
            }
            FaultKind::RegionSlowdown(r, factor) => {
                field("region", self.region(*r));
                field("factor", factor.to_string());
                "duration"
            }
            FaultKind::ClassChange {
                inst,
                class,
                promote,
                ..
            } => {
                field("instance", self.instance(*inst));
                field("class", class.clone());
                if *promote {
                    field("promote", "true".to_owned());
                }
                // Instant, as above.
                "duration"
            }
        };
        if let Some(d) = f.duration {
            fields.push((lasting, d.to_string()));
        }
        let fields: Vec<String> = fields.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        format!("{}: {{ {} }}", f.kind.name().key(), fields.join(", "))
    }

    /// A `faults:` section, one entry per line; nothing without faults.
    pub fn faults(&self, faults: &[Fault]) -> String {
        if faults.is_empty() {
            return String::new();
        }
        let mut y = String::from("faults:\n");
        for f in faults {
            let _ = writeln!(y, "  - {}", self.fault(f));
        }
        y
    }

    fn az(&self, z: AzId) -> String {
        scalar(&self.topology.azs[z.index()])
    }

    fn node(&self, n: NodeId) -> String {
        scalar(&self.topology.node_name(n))
    }

    fn instance(&self, i: InstanceId) -> String {
        scalar(self.instances[i.index()])
    }

    fn region(&self, r: RegionId) -> String {
        scalar(self.regions[r.0 as usize])
    }
}

/// Words YAML reads as something other than a string (null, booleans) in
/// some schema; compared ignoring case.
const NOT_STRINGS: [&str; 9] = ["null", "true", "false", "yes", "no", "on", "off", "y", "n"];

/// A name as a YAML scalar that reads back as the same string: plain when
/// that is safe, else double-quoted. AZ names may be any string, and a
/// plain `null`, `1` or `a, b` would read back as something else; in the
/// optional `az` of a `packet_loss`, `null` would even mean no AZ at all.
pub(crate) fn scalar(name: &str) -> String {
    let plain = name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !NOT_STRINGS.iter().any(|w| name.eq_ignore_ascii_case(w));
    if plain {
        return name.to_owned();
    }
    // Escaping all but printable ASCII keeps clear of the characters YAML
    // forbids or folds (controls, line separators, a byte-order mark).
    let mut quoted = String::from("\"");
    for c in name.chars() {
        match c {
            '"' | '\\' => {
                quoted.push('\\');
                quoted.push(c);
            }
            ' '..='~' => quoted.push(c),
            _ => {
                let _ = write!(quoted, "\\U{:08x}", u32::from(c));
            }
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use proptest::prelude::*;

    use super::*;
    use crate::model::config::InstanceClass;
    use crate::sim::SimDuration;

    /// Three AZs of four nodes, and three instances: every id a fault can
    /// name, and a run as long as the format allows (30 days), so `at` and
    /// durations range over every value the parser accepts.
    const BASE: &str = "name: t\nduration: 720h\nmetrics: { bin: 1m }\n\
        topology: { storage_nodes_per_az: 4 }\n\
        instances:\n  - { name: w, az: a, role: writer }\n  - { name: r1, az: b }\n  - { name: r2, az: c }\n";
    const MONTH_NS: u64 = 30 * 86_400 * 1_000_000_000;

    fn parse(yaml: &str) -> Result<Scenario, crate::InputError> {
        Scenario::parse(yaml, Path::new("t.yaml"))
    }

    fn class_change(inst: InstanceId, promote: bool) -> FaultKind {
        let class = "db.r6g.4xlarge";
        FaultKind::ClassChange {
            inst,
            class: class.to_owned(),
            spec: InstanceClass::parse(class).expect("a class in the table"),
            promote,
        }
    }

    /// Any fault of any kind over [`BASE`]'s ids, at any nanosecond.
    fn any_fault() -> impl Strategy<Value = Fault> {
        let az = (0..3u8).prop_map(AzId);
        let node = (0..12u32).prop_map(NodeId);
        let instance = (0..3usize).prop_map(InstanceId::from_index);
        let factor = prop_oneof![Just(1.0), Just(1e6), 1.0..1e6];
        let rate = prop_oneof![Just(0.0), 0.0..1.0];
        let scope = prop_oneof![
            Just(LossScope::All),
            az.clone().prop_map(LossScope::Az),
            node.clone().prop_map(LossScope::Node),
            instance.clone().prop_map(LossScope::Instance),
        ];
        let kind = prop_oneof![
            node.clone().prop_map(FaultKind::NodeCrash),
            az.clone().prop_map(FaultKind::AzOutage),
            (0..3u8, 1..3u8).prop_map(|(a, k)| FaultKind::PartitionAzs(AzId(a), AzId((a + k) % 3))),
            node.clone().prop_map(FaultKind::IsolateNode),
            (node, factor).prop_map(|(n, f)| FaultKind::SlowNode(n, f)),
            (scope, rate).prop_map(|(s, r)| FaultKind::PacketLoss(s, r)),
            (
                instance.clone(),
                prop_oneof![
                    Just(Cut::Everything),
                    Just(Cut::Storage),
                    Just(Cut::ControlPlane)
                ]
            )
                .prop_map(|(i, c)| FaultKind::IsolateInstance(i, c)),
            (instance.clone(), 1.0..1e6).prop_map(|(i, f)| FaultKind::SlowInstance(i, f)),
            Just(FaultKind::WriterCrash),
            instance.clone().prop_map(FaultKind::InstanceCrash),
            (instance.clone(), any::<bool>()).prop_map(|(i, f)| FaultKind::InstanceReboot(i, f)),
            prop::option::of(instance.clone()).prop_map(FaultKind::Failover),
            any::<bool>().prop_map(FaultKind::EnginePatch),
            Just(FaultKind::OsUpdate),
            (instance, any::<bool>()).prop_map(|(inst, promote)| class_change(inst, promote)),
        ];
        let lasting = prop::option::of((0..=MONTH_NS).prop_map(SimDuration::from_nanos));
        (0..MONTH_NS, kind, lasting).prop_map(|(at, kind, duration)| {
            let instant = kind.instant();
            Fault {
                at: SimTime::from_nanos(at),
                kind,
                duration: duration.filter(|_| !instant),
            }
        })
    }

    proptest! {
        #[test]
        fn every_fault_reads_back_as_itself(faults in prop::collection::vec(any_fault(), 1..12)) {
            let base = parse(BASE).expect("base scenario");
            let yaml = format!("{BASE}{}", Names::of(&base).faults(&faults));
            let read = parse(&yaml).map_err(|e| TestCaseError::fail(format!("{e}\n{yaml}")))?;
            prop_assert_eq!(read.config.faults, faults, "{}", yaml);
        }
    }

    #[test]
    fn each_kind_prints_as_the_scenario_writes_it() {
        let base = parse(BASE).expect("base scenario");
        let names = Names::of(&base);
        let s = SimDuration::from_secs;
        let fault = |at: u64, kind, duration: Option<SimDuration>| Fault {
            at: SimTime::ZERO + s(at),
            kind,
            duration,
        };
        let cases = [
            (
                fault(30, FaultKind::NodeCrash(NodeId(5)), Some(s(45))),
                "storage_node_crash: { at: 30s, node: b-2, recover_after: 45s }",
            ),
            (
                fault(60, FaultKind::AzOutage(AzId(2)), None),
                "az_outage: { at: 1m, az: c }",
            ),
            (
                fault(1, FaultKind::PartitionAzs(AzId(0), AzId(2)), Some(s(90))),
                "network_partition: { at: 1s, between: [a, c], duration: 90s }",
            ),
            (
                fault(1, FaultKind::IsolateNode(NodeId(11)), None),
                "network_partition: { at: 1s, node: c-4 }",
            ),
            (
                fault(
                    1,
                    FaultKind::IsolateInstance(InstanceId(0), Cut::Everything),
                    Some(s(1)),
                ),
                "network_partition: { at: 1s, instance: w, duration: 1s }",
            ),
            (
                fault(
                    1,
                    FaultKind::PacketLoss(LossScope::All, 0.25),
                    Some(SimDuration::from_nanos(1_500)),
                ),
                "packet_loss: { at: 1s, rate: 0.25, duration: 1500ns }",
            ),
            (
                fault(
                    1,
                    FaultKind::PacketLoss(LossScope::Node(NodeId(3)), 0.1),
                    None,
                ),
                "packet_loss: { at: 1s, node: a-4, rate: 0.1 }",
            ),
            (
                fault(1, FaultKind::PacketLoss(LossScope::Az(AzId(1)), 0.0), None),
                "packet_loss: { at: 1s, az: b, rate: 0 }",
            ),
            (
                fault(
                    2,
                    FaultKind::WriterCrash,
                    Some(SimDuration::from_millis(2_500)),
                ),
                "writer_crash: { at: 2s, recover_after: 2500ms }",
            ),
            (
                fault(2, FaultKind::InstanceCrash(InstanceId(2)), None),
                "instance_crash: { at: 2s, instance: r2 }",
            ),
            (
                fault(2, FaultKind::InstanceReboot(InstanceId(1), true), None),
                "instance_reboot: { at: 2s, instance: r1, failover: true }",
            ),
            (
                fault(2, FaultKind::InstanceReboot(InstanceId(1), false), None),
                "instance_reboot: { at: 2s, instance: r1 }",
            ),
            (
                fault(2, FaultKind::Failover(None), None),
                "failover: { at: 2s }",
            ),
            (
                fault(2, FaultKind::Failover(Some(InstanceId(2))), None),
                "failover: { at: 2s, target: r2 }",
            ),
            (
                fault(2, FaultKind::EnginePatch(true), None),
                "engine_patch: { at: 2s }",
            ),
            (
                fault(2, FaultKind::EnginePatch(false), None),
                "engine_patch: { at: 2s, zero_downtime: false }",
            ),
            (fault(2, FaultKind::OsUpdate, None), "os_update: { at: 2s }"),
            (
                fault(2, class_change(InstanceId(0), false), None),
                "class_change: { at: 2s, instance: w, class: db.r6g.4xlarge }",
            ),
            (
                fault(2, class_change(InstanceId(1), true), None),
                "class_change: { at: 2s, instance: r1, class: db.r6g.4xlarge, promote: true }",
            ),
        ];
        for (f, line) in &cases {
            assert_eq!(names.fault(f), *line);
        }
        let faults: Vec<Fault> = cases.into_iter().map(|(f, _)| f).collect();
        let read = parse(&format!("{BASE}{}", names.faults(&faults))).expect("reads back");
        assert_eq!(read.config.faults, faults);
    }

    #[test]
    fn names_yaml_would_misread_are_quoted() {
        // Six AZs named what YAML would read as a null, a boolean, a
        // number, two names, an escape and an accented letter.
        let yaml = "name: t\nduration: 1m\n\
            topology: { azs: [\"null\", \"yes\", \"1\", \"a, b\", \"q\\\"\\\\z\", \"zon\u{e9}\"], storage_nodes_per_az: 1 }\n\
            storage: { copies: 6, write_quorum: 4, read_quorum: 3 }\n\
            instances:\n  - { name: \"true\", az: \"null\", role: writer }\n  - { name: \"7\", az: \"1\" }\n";
        let base = parse(yaml).expect("base scenario");
        let names = Names::of(&base);
        let at = SimTime::ZERO + SimDuration::from_secs(1);
        let mut faults = Vec::new();
        for z in 0..6u8 {
            faults.push(Fault {
                at,
                kind: FaultKind::PacketLoss(LossScope::Az(AzId(z)), 0.5),
                duration: None,
            });
            faults.push(Fault {
                at,
                kind: FaultKind::NodeCrash(NodeId(u32::from(z))),
                duration: None,
            });
        }
        for i in 0..2 {
            faults.push(Fault {
                at,
                kind: FaultKind::InstanceCrash(InstanceId(i)),
                duration: None,
            });
        }
        assert_eq!(
            names.fault(&faults[0]),
            "packet_loss: { at: 1s, az: \"null\", rate: 0.5 }"
        );
        assert_eq!(
            names.fault(&faults[11]),
            "storage_node_crash: { at: 1s, node: \"zon\\U000000e9-1\" }"
        );
        let printed = format!("{yaml}{}", names.faults(&faults));
        let read = parse(&printed).unwrap_or_else(|e| panic!("{e}\n{printed}"));
        assert_eq!(read.config.faults, faults);
    }

    #[test]
    fn an_instant_fault_with_a_duration_is_refused_not_changed() {
        let base = parse(BASE).expect("base scenario");
        let names = Names::of(&base);
        for kind in [
            FaultKind::InstanceReboot(InstanceId(1), false),
            FaultKind::Failover(None),
            FaultKind::EnginePatch(true),
            FaultKind::OsUpdate,
        ] {
            let f = Fault {
                at: SimTime::ZERO + SimDuration::from_secs(1),
                kind,
                duration: Some(SimDuration::from_secs(5)),
            };
            let yaml = format!("{BASE}{}", names.faults(&[f]));
            let err = parse(&yaml).expect_err("a duration on an instant fault");
            assert!(err.to_string().contains("duration"), "{err}");
        }
    }
}
