//! The readers every section shares: a value as the parser typed it
//! ([`Scalar`]), read into a setting's meaning and range; `settings!`,
//! which declares each range-checked setting's reader and schema from one
//! [`Limit`]; and the defaults of the fields that keep their location.

use std::fmt;

use schemars::{json_schema, Schema, SchemaGenerator};
use serde::de::{self, IntoDeserializer};
use serde::{Deserialize, Deserializer};
use serde_saphyr::{Location, Spanned};

use crate::scenario::defaults::{self as d, Limit};
use crate::sim::time::{ParseDurationError, DURATION_FORMAT};
use crate::sim::SimDuration;

fn unknown<T>(value: T) -> Spanned<T> {
    Spanned::new(value, Location::UNKNOWN, Location::UNKNOWN)
}

pub(super) fn spanned_azs() -> Spanned<Vec<String>> {
    unknown(d::azs())
}
pub(super) fn spanned_volume() -> Spanned<u64> {
    unknown(d::volume_gib())
}
pub(super) fn spanned_segment() -> Spanned<u64> {
    unknown(d::segment_gib())
}
pub(super) fn spanned_copies() -> Spanned<u32> {
    unknown(d::copies())
}
pub(super) fn spanned_write_quorum() -> Spanned<u32> {
    unknown(d::write_quorum())
}
pub(super) fn spanned_read_quorum() -> Spanned<u32> {
    unknown(d::read_quorum())
}
pub(super) fn spanned_working_set() -> Spanned<f64> {
    unknown(d::working_set_gib())
}
pub(super) fn spanned_min_readers() -> Spanned<u32> {
    unknown(d::min_readers())
}
pub(super) fn spanned_class() -> Spanned<String> {
    unknown(d::instance_class())
}
pub(super) fn spanned_nodes_per_az() -> Spanned<u32> {
    unknown(d::storage_nodes_per_az())
}
pub(super) fn spanned_lal() -> Spanned<u64> {
    unknown(d::lsn_allocation_limit())
}
pub(super) fn spanned_client_count() -> Spanned<u32> {
    unknown(d::client_count())
}
pub(super) fn spanned_records() -> Spanned<u32> {
    unknown(d::records_per_commit())
}
pub(super) fn spanned_bin() -> Spanned<SimDuration> {
    unknown(d::bin())
}

/// One YAML value as the parser typed it, before a setting gives it a
/// meaning and a range. Reading every number this way, rather than as the
/// setting's Rust type, lets a value beyond that type (`tier: 256`) get the
/// setting's own message instead of the parser's "invalid u8".
pub(crate) enum Scalar {
    /// An integer; YAML integers beyond `u64` arrive as [`Scalar::Real`].
    Whole(i128),
    /// A floating-point number (never NaN or infinite: the parser refuses
    /// those).
    Real(f64),
    /// Any other scalar text, such as `30s`.
    Text(String),
    /// `true` or `false`.
    Bool(bool),
    /// An empty value or `~`.
    Null,
    /// A list or a mapping where one value belongs.
    Collection(&'static str),
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> de::Visitor<'de> for Visitor {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a single value")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar::Whole(v.into()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar::Whole(v.into()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar::Real(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar::Text(v.to_owned()))
            }
            fn visit_unit<E>(self) -> Result<Scalar, E> {
                Ok(Scalar::Null)
            }
            fn visit_none<E>(self) -> Result<Scalar, E> {
                Ok(Scalar::Null)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<Scalar, A::Error> {
                Ok(Scalar::Collection("a list"))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, _: A) -> Result<Scalar, A::Error> {
                Ok(Scalar::Collection("a mapping"))
            }
        }
        d.deserialize_any(Visitor)
    }
}

impl fmt::Display for Scalar {
    /// The value as a message quotes it after "found".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::Whole(n) => write!(f, "{n}"),
            // Debug keeps the fraction (`2.0`, `1e300`) that says the
            // value was written as a real number.
            Scalar::Real(x) => write!(f, "{x:?}"),
            Scalar::Text(t) => write!(f, "{t:?}"),
            Scalar::Bool(b) => write!(f, "{b}"),
            Scalar::Null => f.write_str("nothing"),
            Scalar::Collection(what) => f.write_str(what),
        }
    }
}

impl<T: PartialOrd + fmt::Display> Limit<T> {
    /// "expected a promotion tier from 0 to 15, found 256".
    fn refuse(&self, found: &Scalar) -> String {
        let upto = if self.max_excluded { "to below" } else { "to" };
        format!(
            "expected {} from {} {upto} {}, found {found}",
            self.what, self.min, self.max
        )
    }
}

/// A span as a message names a limit: `720h (30 days)`.
fn spelled(d: SimDuration) -> String {
    const DAY: u64 = 86_400_000_000_000;
    let ns = d.as_nanos();
    if ns >= 2 * DAY && ns.is_multiple_of(DAY) {
        format!("{d} ({} days)", ns / DAY)
    } else {
        d.to_string()
    }
}

impl Scalar {
    /// An integer in `limit`.
    pub(crate) fn whole<T>(self, limit: &Limit<T>) -> Result<T, String>
    where
        T: TryFrom<i128> + PartialOrd + fmt::Display,
    {
        match &self {
            Scalar::Whole(n) => T::try_from(*n).ok().filter(|v| limit.admits(v)),
            _ => None,
        }
        .ok_or_else(|| limit.refuse(&self))
    }

    /// A number in `limit`; integers are read as reals.
    pub(crate) fn real(self, limit: &Limit<f64>) -> Result<f64, String> {
        match self {
            Scalar::Whole(n) => Some(n as f64),
            Scalar::Real(x) => Some(x),
            _ => None,
        }
        .filter(|v| limit.admits(v))
        .ok_or_else(|| limit.refuse(&self))
    }

    /// A duration in `limit`. Text is read by [`SimDuration::parse`], and
    /// an integer by [`SimDuration`]'s own deserializer, which tells a bare
    /// `30` to add a unit.
    pub(crate) fn duration(self, limit: &Limit<SimDuration>) -> Result<SimDuration, String> {
        let too_long = |written: &str| {
            format!(
                "too long: {} is at most {}, found {written}",
                limit.what,
                spelled(limit.max)
            )
        };
        let (value, written) = match self {
            Scalar::Text(t) => match SimDuration::parse(&t) {
                Ok(v) => (v, t.trim().to_owned()),
                Err(ParseDurationError::TooLong(_)) => return Err(too_long(t.trim())),
                Err(e) => return Err(e.to_string()),
            },
            Scalar::Whole(n) => {
                let own = match u64::try_from(n) {
                    Ok(u) => SimDuration::deserialize(u.into_deserializer()),
                    // Negative, so it came from an `i64`.
                    Err(_) => SimDuration::deserialize((n as i64).into_deserializer()),
                };
                (
                    own.map_err(|e: de::value::Error| e.to_string())?,
                    n.to_string(),
                )
            }
            other => return Err(format!("expected {DURATION_FORMAT}, found {other}")),
        };
        if value > limit.max {
            Err(too_long(&written))
        } else if value < limit.min && limit.min == SimDuration::from_nanos(1) {
            Err(format!(
                "too short: {} is longer than 0s, found {written}",
                limit.what
            ))
        } else if value < limit.min {
            Err(format!(
                "too short: {} is at least {}, found {written}",
                limit.what, limit.min
            ))
        } else {
            Ok(value)
        }
    }
}

/// Reads one value and gives it meaning with `f`, whose error becomes the
/// message at the value's location.
pub(crate) fn read<'de, D, T>(
    d: D,
    f: impl FnOnce(Scalar) -> Result<T, String>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    f(Scalar::deserialize(d)?).map_err(de::Error::custom)
}

/// As [`read`], keeping the value's location for checks in validation.
fn read_spanned<'de, D, T>(
    d: D,
    f: impl FnOnce(Scalar) -> Result<T, String>,
) -> Result<Spanned<T>, D::Error>
where
    D: Deserializer<'de>,
{
    let s = Spanned::<Scalar>::deserialize(d)?;
    let value = f(s.value).map_err(de::Error::custom)?;
    Ok(Spanned::new(value, s.referenced, s.defined))
}

/// As [`read`], for a setting that may be absent.
fn read_optional<'de, D, T>(
    d: D,
    f: impl FnOnce(Scalar) -> Result<T, String>,
) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
{
    read(d, f).map(Some)
}

/// Declares each range-checked setting as a module holding the function
/// serde reads it with (`read`) and the one that describes it in the JSON
/// Schema (`schema`), both from one [`Limit`], so the range a file is held
/// to and the range an editor shows cannot part.
macro_rules! settings {
    ($($name:ident: $out:ty = $how:ident($kind:ident, $limit:ident);)*) => {$(
        pub(crate) mod $name {
            use super::*;
            pub(crate) fn read<'de, D: Deserializer<'de>>(d: D) -> Result<$out, D::Error> {
                super::$how(d, |s| s.$kind(&d::$limit))
            }
            pub(crate) fn schema(_: &mut SchemaGenerator) -> Schema {
                d::$limit.schema()
            }
        }
    )*};
}

settings! {
    run_length: Spanned<SimDuration> = read_spanned(duration, RUN);
    at: Spanned<SimDuration> = read_spanned(duration, DURATION);
    duration: SimDuration = read(duration, DURATION);
    optional_duration: Option<SimDuration> = read_optional(duration, DURATION);
    period: SimDuration = read(duration, PERIOD);
    spanned_period: Spanned<SimDuration> = read_spanned(duration, PERIOD);
    optional_period: Option<SimDuration> = read_optional(duration, PERIOD);
    health_check_interval: SimDuration = read(duration, HEALTH_CHECK_INTERVAL);
    group_commit_interval: SimDuration = read(duration, GROUP_COMMIT_INTERVAL);
    latency: SimDuration = read(duration, LATENCY);
    io_watchdog: SimDuration = read(duration, IO_WATCHDOG);
    cpu_cost: SimDuration = read(duration, CPU_COST);
    tier: u8 = read(whole, PROMOTION_TIER);
    threshold: u32 = read(whole, FAILURE_THRESHOLD);
    client_count: Spanned<u32> = read_spanned(whole, CLIENTS_PER_GROUP);
    nodes_per_az: Spanned<u32> = read_spanned(whole, STORAGE_NODES_PER_AZ);
    volume: Spanned<u64> = read_spanned(whole, VOLUME_GIB);
    segment: Spanned<u64> = read_spanned(whole, SEGMENT_GIB);
    copies: Spanned<u32> = read_spanned(whole, COPIES);
    write_quorum: Spanned<u32> = read_spanned(whole, WRITE_QUORUM);
    read_quorum: Spanned<u32> = read_spanned(whole, READ_QUORUM);
    lsn_allocation_limit: Spanned<u64> = read_spanned(whole, LSN_ALLOCATION_LIMIT);
    records: Spanned<u32> = read_spanned(whole, RECORDS_PER_COMMIT);
    transaction_reads: u32 = read(whole, READS_PER_TRANSACTION);
    batches_in_flight: u32 = read(whole, BATCHES_IN_FLIGHT);
    record_bytes: u32 = read(whole, RECORD_BYTES);
    jitter: f64 = read(real, JITTER);
    bandwidth: f64 = read(real, BANDWIDTH_GBPS);
    optional_bandwidth: Option<f64> = read_optional(real, BANDWIDTH_GBPS);
    disk_iops: f64 = read(real, DISK_IOPS);
    commit_rate: f64 = read(real, COMMITS_PER_S);
    optional_commit_rate: Option<f64> = read_optional(real, COMMITS_PER_S);
    read_rate: f64 = read(real, READS_PER_S);
    working_set: Spanned<f64> = read_spanned(real, WORKING_SET_GIB);
    zipf_exponent: f64 = read(real, ZIPF_EXPONENT);
    buffer_pool_rate: f64 = read(real, BUFFER_POOL_RATE);
    slowdown: f64 = read(real, SLOWDOWN);
    loss_rate: f64 = read(real, LOSS_RATE);
    optional_fraction: Option<f64> = read_optional(real, FRACTION);
    optional_max_connections: Option<u32> = read_optional(whole, MAX_CONNECTIONS);
    pool_size: u32 = read(whole, POOL_SIZE);
    optional_client_count: Option<u32> = read_optional(whole, CLIENTS_PER_GROUP);
    percent: u32 = read(whole, PERCENT);
    queue_length: u32 = read(whole, QUEUE_LENGTH);
    opening_rate: u32 = read(whole, OPENING_RATE);
    reconnect_interval: SimDuration = read(duration, RECONNECT_INTERVAL);
    share: f64 = read(real, SHARE);
    global_rpo: Option<SimDuration> = read_optional(duration, GLOBAL_RPO);
    ship_interval: SimDuration = read(duration, SHIP_INTERVAL);
    acu: Spanned<f64> = read_spanned(real, ACU);
    scaling_interval: SimDuration = read(duration, SCALING_INTERVAL);
    auto_pause: u32 = read(whole, SECONDS_UNTIL_AUTO_PAUSE);
    growth: f64 = read(real, SCALING_RATE);
    utilisation: f64 = read(real, UTILISATION);
    replica_count: Spanned<u32> = read_spanned(whole, REPLICA_COUNT);
    scaling_target: Spanned<f64> = read_spanned(real, SCALING_TARGET);
}

/// An optional capacity in ACUs, keeping its location.
pub(super) mod optional_acu {
    use super::*;
    pub(crate) fn read<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Spanned<f64>>, D::Error> {
        super::read_spanned(d, |s| s.real(&d::ACU)).map(Some)
    }
    pub(crate) fn schema(_: &mut SchemaGenerator) -> Schema {
        d::ACU.schema()
    }
}

/// The page size, one of the sizes InnoDB supports.
pub(super) mod page_size {
    use super::*;
    pub(crate) fn read<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
        super::read(d, |s| match s {
            Scalar::Whole(n) if d::PAGE_KIB.iter().any(|&k| i128::from(k) == n) => Ok(n as u32),
            other => Err(format!(
                "expected a page size of 4, 8, 16, 32 or 64 KiB, found {other}"
            )),
        })
    }
    pub(crate) fn schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "integer", "enum": d::PAGE_KIB })
    }
}

/// What the JSON Schema says of a value a [`Limit`] admits.
pub(super) trait InSchema {
    fn schema(&self) -> Schema;
}

macro_rules! whole_in_schema {
    ($($t:ty),*) => {$(
        impl InSchema for Limit<$t> {
            fn schema(&self) -> Schema {
                json_schema!({ "type": "integer", "minimum": self.min, "maximum": self.max })
            }
        }
    )*};
}
whole_in_schema!(u8, u32, u64);

impl InSchema for Limit<f64> {
    fn schema(&self) -> Schema {
        let top = if self.max_excluded {
            "exclusiveMaximum"
        } else {
            "maximum"
        };
        let mut schema = json_schema!({ "type": "number", "minimum": self.min });
        schema.insert(top.into(), self.max.into());
        schema
    }
}

impl InSchema for Limit<SimDuration> {
    /// A duration is text with a unit, or a bare 0. JSON Schema cannot
    /// compare spans, so the range is stated in `x-minimum`/`x-maximum`.
    fn schema(&self) -> Schema {
        let text = json_schema!({ "type": "string", "pattern": DURATION_PATTERN });
        let mut schema = if self.min == SimDuration::ZERO {
            json_schema!({ "oneOf": [text, { "const": 0 }] })
        } else {
            text
        };
        schema.insert("x-minimum".into(), self.min.to_string().into());
        schema.insert("x-maximum".into(), spelled(self.max).into());
        schema
    }
}

/// What [`SimDuration::parse`] reads: a number, an optional exponent and
/// a unit, or `0`.
const DURATION_PATTERN: &str =
    r"^\s*(0|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*(ns|us|µs|ms|s|m|min|h))\s*$";
