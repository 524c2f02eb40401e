//! Typed parts of a scenario, for [`ScenarioBuilder`]: AZs, instance
//! classes, instances, client groups and faults as Rust values, so that a
//! library user gets types and completion instead of YAML strings.
//!
//! Each part is a plain serde value that writes the entry a scenario file
//! would hold, and the builder validates it exactly as a file is
//! validated: a part cannot make a scenario a file could not, and an
//! error names the field by its path (`faults.0`, `instances.1.tier`).
//!
//! ```
//! use aurora_sim::scenario::parts::{Az, Clients, Fault, Instance, R6g};
//! use aurora_sim::sim::SimDuration;
//! use aurora_sim::{ScenarioBuilder, Simulation};
//!
//! let s = SimDuration::from_secs;
//! let scenario = ScenarioBuilder::new("typed", "30s")
//!     .instance(Instance::writer("w", Az::A).class(R6g::X2large))
//!     .instance(Instance::reader("r1", Az::B).class(R6g::X2large).tier(0))
//!     .clients(Clients::new("app", 4).az(Az::B).read_timeout(s(2)))
//!     .fault(Fault::AzOutage { at: s(5), az: Az::A, duration: None })
//!     .build()
//!     .expect("a valid scenario");
//! let summary = Simulation::new(&scenario).run().unwrap().summary;
//! assert_eq!(summary.failovers[0].to.as_deref(), Some("r1"));
//!
//! // What a file would refuse, a part is refused for, by its path.
//! let e = ScenarioBuilder::new("bad", "30s")
//!     .fault(Fault::AzOutage { at: s(5), az: Az::named("d"), duration: None })
//!     .build()
//!     .unwrap_err();
//! assert!(e.to_string().contains("faults.0"), "{e}");
//! ```
//!
//! [`ScenarioBuilder`]: super::ScenarioBuilder

use std::borrow::Cow;

use serde::Serialize;

use crate::model::config::Cut;
use crate::sim::SimDuration;
use crate::vocab::fault::FaultName;

/// An availability zone, by the name the topology gives it; the default
/// topology's are [`Az::A`], [`Az::B`] and [`Az::C`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Az(Cow<'static, str>);

impl Az {
    /// The default topology's first AZ.
    pub const A: Az = Az(Cow::Borrowed("a"));
    /// The default topology's second AZ.
    pub const B: Az = Az(Cow::Borrowed("b"));
    /// The default topology's third AZ.
    pub const C: Az = Az(Cow::Borrowed("c"));

    /// The AZ a topology names `name` (`topology.azs`).
    pub fn named(name: impl Into<String>) -> Az {
        Az(Cow::Owned(name.into()))
    }

    /// The AZ's name.
    pub fn name(&self) -> &str {
        &self.0
    }
}

/// A DB instance class, as its name (`db.r6g.2xlarge`). Built from a
/// family's size ([`R6g::X2large`]) or, for a class this build does not
/// list, by name; validation checks it against the class table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Class(Cow<'static, str>);

impl Class {
    /// The class named `name`, e.g. `db.r6g.2xlarge`.
    pub fn named(name: impl Into<String>) -> Class {
        Class(Cow::Owned(name.into()))
    }

    /// The class's name.
    pub fn name(&self) -> &str {
        &self.0
    }
}

/// Declares the instance-class families: one enum per family, each size a
/// variant that names its class.
macro_rules! families {
    ($($(#[doc = $doc:literal])* $family:ident $key:literal { $($size:ident $skey:literal),* })*) => {
        $(
            $(#[doc = $doc])*
            #[derive(Clone, Copy, Debug, PartialEq, Eq)]
            #[allow(missing_docs)]
            pub enum $family { $($size),* }

            impl From<$family> for Class {
                fn from(size: $family) -> Class {
                    Class(Cow::Borrowed(match size { $($family::$size => concat!("db.", $key, ".", $skey)),* }))
                }
            }
        )*

        impl Class {
            /// Every class the families list, smallest of each first.
            pub const ALL: &'static [Class] = &[$($(Class(Cow::Borrowed(concat!("db.", $key, ".", $skey)))),*),*];
        }
    };
}

families! {
    /// Burstable `db.t3`.
    T3 "t3" { Medium "medium", Large "large" }
    /// Burstable Graviton `db.t4g`.
    T4g "t4g" { Medium "medium", Large "large" }
    /// Memory-optimised `db.r5`.
    R5 "r5" {
        Large "large", Xlarge "xlarge", X2large "2xlarge", X4large "4xlarge",
        X8large "8xlarge", X12large "12xlarge", X16large "16xlarge"
    }
    /// Memory-optimised Graviton2 `db.r6g`.
    R6g "r6g" {
        Large "large", Xlarge "xlarge", X2large "2xlarge", X4large "4xlarge",
        X8large "8xlarge", X12large "12xlarge", X16large "16xlarge"
    }
    /// Memory-optimised Graviton3 `db.r7g`.
    R7g "r7g" {
        Large "large", Xlarge "xlarge", X2large "2xlarge", X4large "4xlarge",
        X8large "8xlarge", X12large "12xlarge", X16large "16xlarge"
    }
    /// Memory-optimised, twice the memory per vCPU, `db.x2g`.
    X2g "x2g" {
        Large "large", Xlarge "xlarge", X2large "2xlarge", X4large "4xlarge",
        X8large "8xlarge", X12large "12xlarge", X16large "16xlarge"
    }
}

/// An instance's role when the run starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Role {
    Writer,
    Reader,
}

/// One DB instance (an `instances:` entry).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Instance {
    name: String,
    az: Az,
    role: Role,
    #[serde(skip_serializing_if = "Option::is_none")]
    class: Option<Class>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tier: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    environment: Option<Environment>,
}

/// The environment of a blue/green deployment an instance belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Environment {
    Green,
}

impl Instance {
    /// The writer, named `name`, in `az`.
    pub fn writer(name: impl Into<String>, az: Az) -> Instance {
        Instance::new(name.into(), az, Role::Writer)
    }

    /// A reader, named `name`, in `az`: a failover target.
    pub fn reader(name: impl Into<String>, az: Az) -> Instance {
        Instance::new(name.into(), az, Role::Reader)
    }

    fn new(name: String, az: Az, role: Role) -> Instance {
        Instance {
            name,
            az,
            role,
            class: None,
            tier: None,
            environment: None,
        }
    }

    /// In a blue/green deployment's green environment, which follows the
    /// cluster until a `blue_green_switchover` (a green `writer` is the
    /// green environment's writer).
    pub fn green(mut self) -> Instance {
        self.environment = Some(Environment::Green);
        self
    }

    /// Its instance class; failover prefers larger ones.
    pub fn class(mut self, class: impl Into<Class>) -> Instance {
        self.class = Some(class.into());
        self
    }

    /// Its promotion tier, 0 (first choice) to 15.
    pub fn tier(mut self, tier: u8) -> Instance {
        self.tier = Some(tier);
        self
    }
}

/// The endpoint a client group uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    /// The cluster (writer) endpoint: each request is a commit.
    Cluster,
    /// The reader endpoint: each request is a read on a replica.
    Reader,
}

/// A group of identical application clients (a `clients:` entry). The
/// fields not set here (connection pools, a proxy, the driver, backoff)
/// are set on the builder by path, `clients.0.connection`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Clients {
    name: String,
    count: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    endpoint: Option<Endpoint>,
    #[serde(skip_serializing_if = "Option::is_none")]
    az: Option<Az>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dns_cache: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    read_timeout: Option<SimDuration>,
}

impl Clients {
    /// `count` clients named `<name>-1` … `<name>-N`.
    pub fn new(name: impl Into<String>, count: u32) -> Clients {
        Clients {
            name: name.into(),
            count,
            endpoint: None,
            az: None,
            dns_cache: None,
            read_timeout: None,
        }
    }

    /// The endpoint they use; default: the cluster endpoint.
    pub fn endpoint(mut self, endpoint: Endpoint) -> Clients {
        self.endpoint = Some(endpoint);
        self
    }

    /// The AZ they run in; default: the first AZ.
    pub fn az(mut self, az: Az) -> Clients {
        self.az = Some(az);
        self
    }

    /// Their own DNS cache keeps an answer this long, whatever its TTL.
    pub fn dns_cache(mut self, ttl: SimDuration) -> Clients {
        self.dns_cache = Some(ttl.to_string());
        self
    }

    /// Their DNS cache keeps the first answer for good (a JVM's default
    /// with a security manager).
    pub fn dns_cache_forever(mut self) -> Clients {
        self.dns_cache = Some("forever".to_owned());
        self
    }

    /// How long a request may wait for its answer before they give up.
    pub fn read_timeout(mut self, timeout: SimDuration) -> Clients {
        self.read_timeout = Some(timeout);
        self
    }
}

/// One injected fault (a `faults:` entry), field for field as the file
/// writes it; `docs/scenario.md` says what each field means. Times are
/// from the start of the run; a fault without a `duration` lasts.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum Fault {
    /// A storage node (`b-3`) crashes; with `recover_after`, it restarts
    /// with its persisted data.
    StorageNodeCrash {
        at: SimDuration,
        node: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        recover_after: Option<SimDuration>,
    },
    /// Every storage node and link of an AZ is down.
    AzOutage {
        at: SimDuration,
        az: Az,
        #[serde(skip_serializing_if = "Option::is_none")]
        duration: Option<SimDuration>,
    },
    /// Messages are dropped between two AZs (`between`), to and from one
    /// storage node (`node`), or between an instance and storage or the
    /// control plane (`instance`, with `from`): exactly one of the three.
    NetworkPartition {
        at: SimDuration,
        #[serde(skip_serializing_if = "Option::is_none")]
        between: Option<[Az; 2]>,
        #[serde(skip_serializing_if = "Option::is_none")]
        node: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        instance: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        from: Option<Cut>,
        #[serde(skip_serializing_if = "Option::is_none")]
        duration: Option<SimDuration>,
    },
    /// A storage node's disk and links (`node`), or an instance's links
    /// (`instance`), become `factor` times slower: exactly one of the two.
    SlowNode {
        at: SimDuration,
        #[serde(skip_serializing_if = "Option::is_none")]
        node: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        instance: Option<String>,
        #[serde(serialize_with = "number")]
        factor: f64,
        #[serde(skip_serializing_if = "Option::is_none")]
        duration: Option<SimDuration>,
    },
    /// A share `rate` of the messages of one node, AZ or instance (or of
    /// every message, when none is named) is lost.
    PacketLoss {
        at: SimDuration,
        #[serde(skip_serializing_if = "Option::is_none")]
        node: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        az: Option<Az>,
        #[serde(skip_serializing_if = "Option::is_none")]
        instance: Option<String>,
        #[serde(serialize_with = "number")]
        rate: f64,
        #[serde(skip_serializing_if = "Option::is_none")]
        duration: Option<SimDuration>,
    },
    /// Whichever instance is the writer then crashes; with
    /// `recover_after`, its host returns.
    WriterCrash {
        at: SimDuration,
        #[serde(skip_serializing_if = "Option::is_none")]
        recover_after: Option<SimDuration>,
    },
    /// A named instance crashes; with `recover_after`, its host returns.
    InstanceCrash {
        at: SimDuration,
        instance: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        recover_after: Option<SimDuration>,
    },
    /// A named instance reboots; a writer rebooted with `failover` hands
    /// over to a reader first.
    InstanceReboot {
        at: SimDuration,
        instance: String,
        failover: bool,
    },
    /// A manual failover, to `target` or to the reader the control plane
    /// chooses.
    Failover {
        at: SimDuration,
        #[serde(skip_serializing_if = "Option::is_none")]
        target: Option<String>,
    },
    /// A planned engine patch of every instance, with zero-downtime
    /// patching if `zero_downtime`.
    EnginePatch {
        at: SimDuration,
        zero_downtime: bool,
    },
    /// A planned operating-system update, rolling.
    OsUpdate { at: SimDuration },
    /// A blue/green deployment's switchover, rolled back after `timeout`
    /// (absent: 300 s).
    BlueGreenSwitchover {
        at: SimDuration,
        #[serde(skip_serializing_if = "Option::is_none")]
        timeout: Option<SimDuration>,
    },
    /// A planned change of an instance's class; with `promote`, a reader
    /// then becomes the writer by a requested failover.
    ClassChange {
        at: SimDuration,
        instance: String,
        class: Class,
        promote: bool,
    },
    /// A region of the global database goes dark: the primary's AZs, or a
    /// secondary's storage and link.
    RegionOutage {
        at: SimDuration,
        region: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        duration: Option<SimDuration>,
    },
    /// The replication link to a secondary region drops every message.
    RegionPartition {
        at: SimDuration,
        region: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        duration: Option<SimDuration>,
    },
    /// The replication link to a secondary region carries `factor` times
    /// less.
    RegionSlowdown {
        at: SimDuration,
        region: String,
        #[serde(serialize_with = "number")]
        factor: f64,
        #[serde(skip_serializing_if = "Option::is_none")]
        duration: Option<SimDuration>,
    },
    /// A global database fails over to `region` with what it holds.
    GlobalFailover { at: SimDuration, region: String },
    /// A global database switches over to `region`, losing nothing.
    GlobalSwitchover { at: SimDuration, region: String },
}

/// The cluster as the primary of an Aurora Global Database (the
/// `global:` section), for [`ScenarioBuilder::global`](super::ScenarioBuilder::global).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Global {
    primary: String,
    secondaries: Vec<Region>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rpo: Option<SimDuration>,
}

impl Global {
    /// A global database whose primary region is `primary`, with one
    /// secondary region.
    pub fn new(primary: impl Into<String>, secondary: Region) -> Global {
        Global {
            primary: primary.into(),
            secondaries: vec![secondary],
            rpo: None,
        }
    }

    /// Another secondary region.
    pub fn secondary(mut self, region: Region) -> Global {
        self.secondaries.push(region);
        self
    }

    /// The RPO guard (`rds.global_db_rpo`).
    pub fn rpo(mut self, rpo: SimDuration) -> Global {
        self.rpo = Some(rpo);
        self
    }
}

/// A secondary region of a [`Global`] database.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Region {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    rtt: Option<SimDuration>,
}

impl Region {
    /// The region named `name`, at the default round trip.
    pub fn new(name: impl Into<String>) -> Region {
        Region {
            name: name.into(),
            rtt: None,
        }
    }

    /// Its median round trip from the primary.
    pub fn rtt(mut self, rtt: SimDuration) -> Region {
        self.rtt = Some(rtt);
        self
    }
}

/// A number as the file writes it: JSON has no NaN or infinity, so those
/// are written as YAML spells them, for the reader to refuse by name.
fn number<S: serde::Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    match v {
        v if v.is_finite() => s.serialize_f64(*v),
        v if v.is_nan() => s.serialize_str(".nan"),
        v if *v > 0.0 => s.serialize_str(".inf"),
        _ => s.serialize_str("-.inf"),
    }
}

impl Fault {
    /// The kind of fault, as the file and the summary name it.
    pub fn name(&self) -> FaultName {
        match self {
            Fault::StorageNodeCrash { .. } => FaultName::StorageNodeCrash,
            Fault::AzOutage { .. } => FaultName::AzOutage,
            Fault::NetworkPartition { .. } => FaultName::NetworkPartition,
            Fault::SlowNode { .. } => FaultName::SlowNode,
            Fault::PacketLoss { .. } => FaultName::PacketLoss,
            Fault::WriterCrash { .. } => FaultName::WriterCrash,
            Fault::InstanceCrash { .. } => FaultName::InstanceCrash,
            Fault::InstanceReboot { .. } => FaultName::InstanceReboot,
            Fault::Failover { .. } => FaultName::Failover,
            Fault::EnginePatch { .. } => FaultName::EnginePatch,
            Fault::OsUpdate { .. } => FaultName::OsUpdate,
            Fault::BlueGreenSwitchover { .. } => FaultName::BlueGreenSwitchover,
            Fault::ClassChange { .. } => FaultName::ClassChange,
            Fault::RegionOutage { .. } => FaultName::RegionOutage,
            Fault::RegionPartition { .. } => FaultName::RegionPartition,
            Fault::RegionSlowdown { .. } => FaultName::RegionSlowdown,
            Fault::GlobalFailover { .. } => FaultName::GlobalFailover,
            Fault::GlobalSwitchover { .. } => FaultName::GlobalSwitchover,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::compute::class::InstanceClass;
    use crate::{Scenario, ScenarioBuilder};
    use std::path::Path;

    const S: fn(u64) -> SimDuration = SimDuration::from_secs;

    /// A fault of every kind; a kind declared without a typed part does
    /// not compile here.
    fn example(kind: FaultName) -> Fault {
        match kind {
            FaultName::StorageNodeCrash => Fault::StorageNodeCrash {
                at: S(2),
                node: "b-3".into(),
                recover_after: Some(S(4)),
            },
            FaultName::AzOutage => Fault::AzOutage {
                at: S(2),
                az: Az::C,
                duration: Some(S(3)),
            },
            FaultName::NetworkPartition => Fault::NetworkPartition {
                at: S(2),
                between: None,
                node: None,
                instance: Some("r".into()),
                from: Some(Cut::Storage),
                duration: Some(S(1)),
            },
            FaultName::SlowNode => Fault::SlowNode {
                at: S(2),
                node: Some("a-1".into()),
                instance: None,
                factor: 5.0,
                duration: None,
            },
            FaultName::PacketLoss => Fault::PacketLoss {
                at: S(2),
                node: None,
                az: Some(Az::B),
                instance: None,
                rate: 0.01,
                duration: Some(S(2)),
            },
            FaultName::WriterCrash => Fault::WriterCrash {
                at: S(2),
                recover_after: None,
            },
            FaultName::InstanceCrash => Fault::InstanceCrash {
                at: S(2),
                instance: "r".into(),
                recover_after: Some(S(5)),
            },
            FaultName::InstanceReboot => Fault::InstanceReboot {
                at: S(2),
                instance: "w".into(),
                failover: true,
            },
            FaultName::Failover => Fault::Failover {
                at: S(2),
                target: Some("r".into()),
            },
            FaultName::EnginePatch => Fault::EnginePatch {
                at: S(2),
                zero_downtime: true,
            },
            FaultName::OsUpdate => Fault::OsUpdate { at: S(2) },
            FaultName::BlueGreenSwitchover => Fault::BlueGreenSwitchover {
                at: S(2),
                timeout: Some(S(60)),
            },
            FaultName::ClassChange => Fault::ClassChange {
                at: S(2),
                instance: "r".into(),
                class: R6g::X2large.into(),
                promote: true,
            },
            FaultName::RegionOutage => Fault::RegionOutage {
                at: S(2),
                region: "us-west-2".into(),
                duration: Some(S(3)),
            },
            FaultName::RegionPartition => Fault::RegionPartition {
                at: S(2),
                region: "us-west-2".into(),
                duration: None,
            },
            FaultName::RegionSlowdown => Fault::RegionSlowdown {
                at: S(2),
                region: "us-west-2".into(),
                factor: 100.0,
                duration: Some(S(4)),
            },
            FaultName::GlobalFailover => Fault::GlobalFailover {
                at: S(2),
                region: "us-west-2".into(),
            },
            FaultName::GlobalSwitchover => Fault::GlobalSwitchover {
                at: S(3),
                region: "us-west-2".into(),
            },
        }
    }

    fn cluster(name: &str) -> ScenarioBuilder {
        ScenarioBuilder::new(name, "10s")
            .instance(Instance::writer("w", Az::A))
            .instance(Instance::reader("r", Az::B).class(R6g::Xlarge).tier(1))
            .global(Global::new("us-east-1", Region::new("us-west-2")))
    }

    #[test]
    fn every_fault_kind_builds_the_fault_its_yaml_gives() {
        // A switchover needs a green environment to switch to.
        let cluster = |kind| match kind {
            FaultName::BlueGreenSwitchover => {
                cluster("typed").instance(Instance::writer("g", Az::A).green())
            }
            _ => cluster("typed"),
        };
        for &kind in FaultName::ALL {
            let fault = example(kind);
            assert_eq!(fault.name(), kind);
            let typed = cluster(kind).fault(fault).build().expect("valid");
            let entry = serde_json::to_string(&example(kind)).unwrap();
            let yaml = cluster(kind).push("faults", &entry).to_yaml();
            let text = Scenario::parse(&yaml, Path::new("t.yaml")).expect("valid");
            assert_eq!(typed.config().faults, text.config().faults, "{kind:?}");
        }
    }

    #[test]
    fn every_listed_class_is_in_the_class_table() {
        assert_eq!(Class::ALL.len(), 2 * 2 + 4 * 7);
        for c in Class::ALL {
            assert!(InstanceClass::parse(c.name()).is_some(), "{}", c.name());
        }
    }

    #[test]
    fn parts_write_what_a_file_would() {
        let sc = cluster("parts")
            .clients(
                Clients::new("app", 3)
                    .endpoint(Endpoint::Reader)
                    .az(Az::C)
                    .dns_cache(S(30))
                    .read_timeout(S(2)),
            )
            .build()
            .expect("valid");
        let file = "name: parts\nduration: 10s\ninstances:\n  - { name: w, az: a, role: writer }\n  - { name: r, az: b, role: reader, class: db.r6g.xlarge, tier: 1 }\nclients:\n  - { name: app, count: 3, endpoint: reader, az: c, dns_cache: 30s, read_timeout: 2s }\nglobal: { primary: us-east-1, secondaries: [{ name: us-west-2 }] }\n";
        let text = Scenario::parse(file, Path::new("t.yaml")).expect("valid");
        assert_eq!(format!("{:?}", sc.config()), format!("{:?}", text.config()));
    }

    #[test]
    fn a_part_a_file_would_refuse_is_refused_by_its_path() {
        let e = cluster("bad")
            .instance(Instance::reader("r2", Az::named("z")).tier(0))
            .build()
            .unwrap_err()
            .to_string();
        assert!(e.contains("instances.2") && e.contains("z"), "{e}");
        let e = cluster("bad")
            .instance(Instance::reader("r2", Az::B).tier(16))
            .build()
            .unwrap_err()
            .to_string();
        assert!(e.contains("instances.2.tier"), "{e}");
        let e = cluster("bad")
            .instance(Instance::reader("r2", Az::B).class(Class::named("db.r9.huge")))
            .build()
            .unwrap_err()
            .to_string();
        assert!(e.contains("instances.2.class"), "{e}");
        let e = cluster("bad")
            .fault(Fault::SlowNode {
                at: S(1),
                node: Some("a-1".into()),
                instance: None,
                factor: f64::NAN,
                duration: None,
            })
            .build()
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("faults.0.slow_node.factor") && e.contains("nan"),
            "{e}"
        );
    }
}
