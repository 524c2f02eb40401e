//! The kinds of fault a scenario can inject, declared once: each kind's key
//! (what `faults:` entries and `summary.json` call it) and how charts and
//! the report say it in words. The scenario format's enum, validation,
//! printing back to YAML, the model's actions and the property-test
//! strategies each match on these kinds exhaustively, so a kind added here
//! and missing from any of them does not compile.

/// Declares the fault kinds: `Variant "key"`.
macro_rules! fault_kinds {
    ($($(#[doc = $doc:literal])* $variant:ident $key:literal;)*) => {
        /// A kind of fault, as a scenario file names it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum FaultName {
            $($(#[doc = $doc])* $variant,)*
        }

        impl FaultName {
            /// Every kind, in declaration order.
            pub const ALL: &'static [FaultName] = &[$(FaultName::$variant),*];

            /// The key of a `faults:` entry and of `summary.json`'s `kind`.
            pub fn key(self) -> &'static str {
                match self { $(FaultName::$variant => $key,)* }
            }
        }
    };
}

fault_kinds! {
    /// A storage node crashes.
    StorageNodeCrash "storage_node_crash";
    /// An AZ goes down.
    AzOutage "az_outage";
    /// Messages are dropped between AZs, or to and from a node or an
    /// instance.
    NetworkPartition "network_partition";
    /// A node's or an instance's disk and links slow down.
    SlowNode "slow_node";
    /// A share of messages is lost.
    PacketLoss "packet_loss";
    /// Whoever is the writer crashes.
    WriterCrash "writer_crash";
    /// A named instance crashes.
    InstanceCrash "instance_crash";
    /// A named instance reboots.
    InstanceReboot "instance_reboot";
    /// A manual failover.
    Failover "failover";
    /// A planned engine patch of every instance at once, with or without
    /// zero-downtime patching.
    EnginePatch "engine_patch";
    /// A planned operating-system update, rolling: the readers, a
    /// failover to the first one back, then the old writer.
    OsUpdate "os_update";
    /// A planned change of one instance's class: a new host of the class
    /// is created, then the database moves to it.
    ClassChange "class_change";
    /// A whole region goes dark: the primary's AZs, or a secondary's
    /// storage and link.
    RegionOutage "region_outage";
    /// A region is cut off from every other.
    RegionPartition "region_partition";
    /// A region's replication link slows down.
    RegionSlowdown "region_slowdown";
    /// A secondary region is promoted at once, with what it holds.
    GlobalFailover "global_failover";
    /// A secondary region is promoted once every region is synchronised.
    GlobalSwitchover "global_switchover";
    /// A blue/green deployment's green environment becomes production.
    BlueGreenSwitchover "blue_green_switchover";
}

impl FaultName {
    /// Whether a fault of this kind is an action at an instant (a reboot,
    /// a failover, a planned event: what follows is the cluster's own
    /// doing), which takes no duration.
    pub fn instant(self) -> bool {
        matches!(
            self,
            FaultName::InstanceReboot
                | FaultName::Failover
                | FaultName::EnginePatch
                | FaultName::OsUpdate
                | FaultName::ClassChange
                | FaultName::GlobalFailover
                | FaultName::GlobalSwitchover
                | FaultName::BlueGreenSwitchover
        )
    }

    /// The kind whose key is `key`, if any.
    pub fn from_key(key: &str) -> Option<FaultName> {
        FaultName::ALL.iter().copied().find(|k| k.key() == key)
    }

    /// A fault of this kind in words, given what it hits as the summary
    /// writes it (`c`, `b-2`, `a|c`, `w from storage`) and, where the
    /// fault hit the writer, the writer's name: `writer_crash` is "writer
    /// crash (w1)", `a|c` "AZs a and c partitioned".
    pub fn words(self, target: &str, writer: Option<&str>) -> String {
        let t = target;
        let who = writer.map_or(String::new(), |w| format!(" ({w})"));
        match self {
            FaultName::StorageNodeCrash => format!("storage node {t} crash"),
            FaultName::AzOutage => format!("AZ {t} outage"),
            FaultName::NetworkPartition => match t.split_once('|') {
                Some((a, b)) => format!("AZs {a} and {b} partitioned"),
                None => match t.split_once(" from ") {
                    Some((who, from)) => format!("{who} cut off from {from}"),
                    None => format!("{t} cut off"),
                },
            },
            FaultName::SlowNode => format!("{t} slow"),
            FaultName::PacketLoss => format!("packet loss {t}"),
            FaultName::WriterCrash => format!("writer crash{who}"),
            FaultName::InstanceCrash => format!("{t} crash"),
            FaultName::InstanceReboot => format!("{t} reboot"),
            FaultName::Failover if t.is_empty() => format!("failover{who}"),
            FaultName::Failover => format!("failover to {t}"),
            FaultName::EnginePatch if t.is_empty() => "engine patch".to_owned(),
            FaultName::EnginePatch => format!("engine patch ({t})"),
            FaultName::OsUpdate => "OS update".to_owned(),
            FaultName::ClassChange => format!("class change of {t}"),
            FaultName::RegionOutage => format!("region {t} outage"),
            FaultName::RegionPartition => format!("region {t} cut off"),
            FaultName::RegionSlowdown => format!("link to region {t} slow"),
            FaultName::GlobalFailover => format!("global failover to {t}"),
            FaultName::GlobalSwitchover => format!("global switchover to {t}"),
            FaultName::BlueGreenSwitchover => "blue/green switchover".to_owned(),
        }
    }
}

/// A fault in words from the key and target a summary holds; a key this
/// version does not know (a summary written by another) is spelled out.
pub fn fault_words(key: &str, target: &str, writer: Option<&str>) -> String {
    match FaultName::from_key(key) {
        Some(kind) => kind.words(target, writer),
        None => format!("{} {target}", key.replace('_', " "))
            .trim_end()
            .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_are_named_in_words() {
        assert_eq!(
            fault_words("writer_crash", "", Some("w1")),
            "writer crash (w1)"
        );
        assert_eq!(
            fault_words("network_partition", "a|c", None),
            "AZs a and c partitioned"
        );
        assert_eq!(fault_words("az_outage", "c", None), "AZ c outage");
        assert_eq!(
            fault_words("network_partition", "w from storage", None),
            "w cut off from storage"
        );
        assert_eq!(fault_words("failover", "", None), "failover");
        assert_eq!(fault_words("brownout", "b-1", None), "brownout b-1");
    }

    #[test]
    fn keys_are_distinct_and_read_back() {
        for &k in FaultName::ALL {
            assert_eq!(FaultName::from_key(k.key()), Some(k));
        }
    }
}
