//! DB instance classes: what a class name such as `db.r6g.2xlarge` gives an
//! instance — vCPUs, memory, and from them its CPU capacity and buffer
//! cache.
//!
//! The table is the Aurora-supported part of \[UG\] "Hardware specifications
//! for DB instance classes": the burstable `db.t3` and `db.t4g` (medium and
//! large) and the memory-optimised `db.r5`, `db.r6g`, `db.r7g` and `db.x2g`
//! from large to 16xlarge. Each size doubles the one before in both vCPUs
//! and memory, so a family is its `large` row and a ratio.

/// A family: its name and the memory of its 2-vCPU `large` size, GiB.
struct Family {
    name: &'static str,
    /// Memory of a 2-vCPU instance: 16 GiB for `db.r*`, 32 GiB for
    /// `db.x2g`; the burstable families are listed by size instead.
    large_gib: u32,
    /// Sizes the family offers, smallest first.
    sizes: &'static [&'static str],
}

const MEMORY_OPTIMISED: &[&str] = &[
    "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge",
];

const FAMILIES: &[Family] = &[
    Family {
        name: "r5",
        large_gib: 16,
        sizes: MEMORY_OPTIMISED,
    },
    Family {
        name: "r6g",
        large_gib: 16,
        sizes: MEMORY_OPTIMISED,
    },
    Family {
        name: "r7g",
        large_gib: 16,
        sizes: MEMORY_OPTIMISED,
    },
    Family {
        name: "x2g",
        large_gib: 32,
        sizes: MEMORY_OPTIMISED,
    },
];

/// The burstable classes: 2 vCPUs, 4 GiB (medium) or 8 GiB (large).
const BURSTABLE: &[&str] = &["t3", "t4g"];

/// The share of memory the buffer cache takes: about three quarters,
/// seeds/003 (Buffer Pool Size: "typically 3/4 of memory").
pub const CACHE_SHARE: f64 = 0.75;

/// What an instance class gives an instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InstanceClass {
    /// vCPUs.
    pub vcpus: u32,
    /// Memory, GiB.
    pub memory_gib: u32,
}

impl InstanceClass {
    /// The class a name such as `db.r6g.2xlarge` names, if the table has it.
    pub fn parse(name: &str) -> Option<InstanceClass> {
        let (family, size) = name.strip_prefix("db.")?.split_once('.')?;
        if BURSTABLE.contains(&family) {
            let memory_gib = match size {
                "medium" => 4,
                "large" => 8,
                _ => return None,
            };
            return Some(InstanceClass {
                vcpus: 2,
                memory_gib,
            });
        }
        let f = FAMILIES.iter().find(|f| f.name == family)?;
        f.sizes.contains(&size).then_some(())?;
        let vcpus = match size {
            "large" => 2,
            "xlarge" => 4,
            _ => 4 * size.strip_suffix("xlarge")?.parse::<u32>().ok()?,
        };
        Some(InstanceClass {
            vcpus,
            memory_gib: f.large_gib * vcpus / 2,
        })
    }

    /// Every class name the table knows, for messages.
    pub fn families() -> String {
        let mut names: Vec<String> = BURSTABLE
            .iter()
            .map(|f| format!("db.{f}.medium/large"))
            .collect();
        names.extend(
            FAMILIES
                .iter()
                .map(|f| format!("db.{}.large…16xlarge", f.name)),
        );
        names.join(", ")
    }

    /// The default `max_connections` of the class: \[UG\] "Maximum
    /// connections to an Aurora MySQL DB instance" lists 90 for 4 GiB
    /// (`db.t3.medium`, `db.t4g.medium`), 135 for 8 GiB, then 1,000 for
    /// 16 GiB (`large`) and 1,000 more at each doubling of memory, up to
    /// 6,000 for `12xlarge` and `16xlarge` (7,000 for the 768 GiB
    /// `24xlarge`): a thousand per doubling above 8 GiB, rounded up.
    /// Aurora PostgreSQL derives it differently
    /// (`LEAST(DBInstanceClassMemory/9531392, 5000)`); `engine.max_connections`
    /// sets another value.
    pub fn max_connections(&self) -> u32 {
        match self.memory_gib {
            0..=4 => 90,
            5..=8 => 135,
            m => 1000 * (m.div_ceil(8)).next_power_of_two().ilog2(),
        }
    }

    /// Buffer-cache capacity in pages of `page_bytes`.
    pub fn cache_pages(&self, page_bytes: u64) -> u64 {
        cache_pages(self.memory_gib, page_bytes)
    }

    /// What the machine gives now: a class gives its own for as long as
    /// the instance runs on it.
    pub fn capacity(&self) -> Capacity {
        Capacity {
            cpu_eighths: 8 * self.vcpus,
            memory_gib: self.memory_gib,
        }
    }
}

/// Buffer-cache capacity of `memory_gib` in pages of `page_bytes`.
fn cache_pages(memory_gib: u32, page_bytes: u64) -> u64 {
    let bytes = memory_gib as f64 * (1u64 << 30) as f64 * CACHE_SHARE;
    (bytes / page_bytes as f64) as u64
}

/// The instance class of an Aurora Serverless v2 instance (\[UG\]
/// "Requirements and limitations for Aurora Serverless v2": its
/// `--db-instance-class` is always `db.serverless`).
pub const SERVERLESS: &str = "db.serverless";

/// What an instance's machine gives at one moment: processors (in eighths
/// of a vCPU, so that half an ACU is a whole number of them) and memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Capacity {
    /// vCPUs, in eighths.
    pub cpu_eighths: u32,
    /// Memory, GiB.
    pub memory_gib: u32,
}

impl Capacity {
    /// Buffer-cache capacity in pages of `page_bytes`.
    pub fn cache_pages(&self, page_bytes: u64) -> u64 {
        cache_pages(self.memory_gib, page_bytes)
    }
}

/// Aurora Serverless v2 capacity, counted in half ACUs: capacity moves
/// in steps of half an ACU (\[UG\] "Aurora Serverless v2 capacity": "in
/// increments of 0.5 ACU"), so every capacity is a whole number of them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HalfAcus(pub u32);

impl HalfAcus {
    /// The capacity of `acu` ACUs, if it is a whole number of half ACUs.
    pub fn of(acu: f64) -> Option<HalfAcus> {
        let half = acu * 2.0;
        (half.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&half))
            .then_some(HalfAcus(half as u32))
    }

    /// The least whole number of half ACUs that holds `acu` ACUs.
    pub fn covering(acu: f64) -> HalfAcus {
        HalfAcus((acu * 2.0).ceil() as u32)
    }

    /// In ACUs.
    pub fn acu(self) -> f64 {
        f64::from(self.0) / 2.0
    }

    /// What it gives. Each ACU is "approximately 2 gibibytes (GiB) of
    /// memory, corresponding CPU, and networking" (\[UG\] "How Aurora
    /// Serverless v2 works"); the CPU that corresponds is, as a modelling
    /// choice, the memory-optimised classes' proportion (16 GiB to 2 vCPUs
    /// in every `db.r*` size, the table above): a quarter of a vCPU per
    /// ACU, so 16 ACUs are the 4 vCPUs and 32 GiB of a `db.r6g.xlarge`.
    pub fn capacity(self) -> Capacity {
        Capacity {
            cpu_eighths: self.0,
            memory_gib: self.0,
        }
    }

    /// The provisioned class of the same size, rounded up to whole vCPUs:
    /// what the tables keyed by class (default `max_connections`, the
    /// memory a run is bounded by) read for an instance at this capacity.
    pub fn as_class(self) -> InstanceClass {
        InstanceClass {
            vcpus: self.0.div_ceil(8).max(1),
            memory_gib: self.0.max(1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_gives_the_published_vcpus_and_memory() {
        let c = |n| InstanceClass::parse(n).map(|c| (c.vcpus, c.memory_gib));
        assert_eq!(c("db.t3.medium"), Some((2, 4)));
        assert_eq!(c("db.t4g.large"), Some((2, 8)));
        assert_eq!(c("db.r6g.large"), Some((2, 16)));
        assert_eq!(c("db.r5.xlarge"), Some((4, 32)));
        assert_eq!(c("db.r6g.2xlarge"), Some((8, 64)));
        assert_eq!(c("db.r7g.12xlarge"), Some((48, 384)));
        assert_eq!(c("db.r6g.16xlarge"), Some((64, 512)));
        assert_eq!(c("db.x2g.16xlarge"), Some((64, 1024)));
        for bad in [
            "db.r6g.3xlarge",
            "db.t3.xlarge",
            "db.m5.large",
            "r6g.large",
            "db.r6g",
        ] {
            assert_eq!(c(bad), None, "{bad}");
        }
    }

    #[test]
    fn max_connections_follow_the_published_table() {
        let m = |n| InstanceClass::parse(n).unwrap().max_connections();
        let table = [
            ("db.t3.medium", 90),
            ("db.t4g.large", 135),
            ("db.r6g.large", 1000),
            ("db.r6g.xlarge", 2000),
            ("db.r6g.2xlarge", 3000),
            ("db.r5.4xlarge", 4000),
            ("db.r7g.8xlarge", 5000),
            ("db.r6g.12xlarge", 6000),
            ("db.r6g.16xlarge", 6000),
        ];
        for (class, max) in table {
            assert_eq!(m(class), max, "{class}");
        }
    }

    #[test]
    fn serverless_max_connections_follow_the_maximum_capacity_as_published() {
        // [UG] Performance and scaling for Aurora Serverless v2, the
        // default `max_connections` of Aurora MySQL by maximum ACUs.
        let table = [
            (1.0, 90),
            (4.0, 135),
            (8.0, 1000),
            (16.0, 2000),
            (32.0, 3000),
            (64.0, 4000),
            (128.0, 5000),
        ];
        for (max_acu, connections) in table {
            let class = HalfAcus::of(max_acu).unwrap().as_class();
            assert_eq!(class.max_connections(), connections, "{max_acu} ACU");
        }
        // An ACU is 2 GiB and a quarter of a vCPU: 16 ACUs are a
        // db.r6g.xlarge, as the guide's own example sizes them.
        let xlarge = InstanceClass::parse("db.r6g.xlarge").unwrap();
        assert_eq!(HalfAcus::of(16.0).unwrap().capacity(), xlarge.capacity());
        assert_eq!(HalfAcus::of(0.3), None);
    }

    #[test]
    fn the_cache_is_three_quarters_of_memory() {
        let c = InstanceClass::parse("db.r6g.large").unwrap();
        assert_eq!(c.cache_pages(16 << 10), 12 * 65_536);
    }
}
