//! The `clients:` and `proxy:` sections: application clients, the
//! endpoint each uses, its DNS cache, and how its requests reach the
//! database (directly, through a pool, RDS Proxy or a topology-aware
//! driver).

use std::fmt;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::de;
use serde::{Deserialize, Deserializer, Serialize};
use serde_saphyr::Spanned;

use super::instances::StepSpec;
use super::settings::{
    client_count, health_check_interval, opening_rate, optional_client_count, optional_period,
    percent, period, pool_size, queue_length, read, reconnect_interval, share,
    spanned_client_count, threshold, InSchema, Scalar,
};
use crate::model::config::CacheSpec;
use crate::scenario::defaults as d;
use crate::sim::SimDuration;

/// Which endpoint a client uses, and so what it asks: `cluster`,
/// `reader`, or the name of one of the scenario's custom `endpoints`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EndpointSpec {
    /// The cluster (writer) endpoint: each request is a commit.
    #[default]
    Cluster,
    /// The reader endpoint: each request is a read on a replica.
    Reader,
    /// A custom endpoint, by name: each request is a read on one of its
    /// members.
    #[serde(untagged)]
    Custom(String),
}

impl<'de> Deserialize<'de> for EndpointSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Ok(match name.trim() {
            "cluster" => EndpointSpec::Cluster,
            "reader" => EndpointSpec::Reader,
            custom => EndpointSpec::Custom(custom.to_owned()),
        })
    }
}

impl JsonSchema for EndpointSpec {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Endpoint".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "`cluster`, `reader`, or the name of a custom endpoint",
            "type": "string"
        })
    }
}

/// A custom endpoint (`CreateDBClusterEndpoint`): a DNS name for a chosen
/// set of the cluster's instances.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomEndpointSpec {
    /// Its name, which client groups give as their `endpoint`.
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// `reader` (its members while they are readers) or `any` (its members
    /// whatever their role, the writer included), as
    /// `CreateDBClusterEndpoint` requires one.
    #[serde(rename = "type")]
    pub kind: CustomEndpointType,
    /// The instances it is for (`StaticMembers`).
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub static_members: Option<Spanned<Vec<Spanned<String>>>>,
    /// Every instance but these (`ExcludedMembers`).
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub excluded_members: Option<Spanned<Vec<Spanned<String>>>>,
}

/// A custom endpoint's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CustomEndpointType {
    /// Its members while they are readers.
    Reader,
    /// Its members whatever their role.
    Any,
}

impl<'de> Deserialize<'de> for CacheSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        read(d, |s| match s {
            Scalar::Text(t) if t.trim() == "forever" => Ok(CacheSpec::Forever),
            s => s
                .duration(&d::DURATION)
                .map(CacheSpec::For)
                .map_err(|e| format!("{e}; a DNS cache may also be `forever`")),
        })
    }
}

/// A group of identical application clients, each a request loop.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientSpec {
    /// Group name; clients are `<name>-1` … `<name>-N`.
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// How many clients.
    #[serde(
        default = "spanned_client_count",
        deserialize_with = "client_count::read"
    )]
    #[schemars(schema_with = "client_count::schema")]
    pub count: Spanned<u32>,
    /// Endpoint used.
    #[serde(default)]
    pub endpoint: EndpointSpec,
    /// AZ the application runs in. Default: the first AZ.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub az: Option<Spanned<String>>,
    /// The client's own DNS cache; absent: it honours the record TTL.
    #[serde(default)]
    pub dns_cache: Option<CacheSpec>,
    /// Wait for a connection before giving up.
    #[serde(default = "d::connect_timeout", deserialize_with = "period::read")]
    #[schemars(schema_with = "period::schema")]
    pub connect_timeout: SimDuration,
    /// Wait for an answer before giving up; absent: wait forever.
    #[serde(default, deserialize_with = "optional_period::read")]
    #[schemars(schema_with = "optional_period::schema")]
    pub read_timeout: Option<SimDuration>,
    /// Pause between one answer and the next request.
    #[serde(default = "d::think_time", deserialize_with = "period::read")]
    #[schemars(schema_with = "period::schema")]
    pub think_time: SimDuration,
    /// First retry delay; doubles on each consecutive error.
    #[serde(default = "d::backoff_base", deserialize_with = "period::read")]
    #[schemars(schema_with = "period::schema")]
    pub backoff_base: SimDuration,
    /// Longest retry delay.
    #[serde(default = "d::backoff_max", deserialize_with = "period::read")]
    #[schemars(schema_with = "period::schema")]
    pub backoff_max: SimDuration,
    /// How requests reach the database.
    #[serde(default)]
    pub connection: ConnectionSpec,
    /// Write forwarding from a secondary region's reader: each request is
    /// a write the reader forwards to the writer, then a read at this
    /// consistency (`aurora_replica_read_consistency`). Absent: the group
    /// only reads (reader endpoint) or only commits (cluster endpoint).
    #[serde(default)]
    pub forward_writes: Option<ConsistencySpec>,
}

/// What a read after a forwarded write waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsistencySpec {
    /// Nothing: the read may miss the session's own write.
    Eventual,
    /// The session's own forwarded writes.
    Session,
    /// Everything the writer had committed when the read began.
    Global,
}

/// A `proxy:` key that is present: its settings, or every default when it
/// is left empty.
pub(super) fn proxy_section<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<ProxySpec>, D::Error> {
    match Option::<ProxySpec>::deserialize(d)? {
        Some(spec) => Ok(Some(spec)),
        None => {
            let empty =
                de::value::MapDeserializer::<_, D::Error>::new(std::iter::empty::<(&str, &str)>());
            ProxySpec::deserialize(empty).map(Some)
        }
    }
}

/// How a client group's requests reach the database: `direct`, `proxy`,
/// `{ pool: {…} }` or `{ driver: {…} }`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionSpec {
    /// Each client holds its own connection, found through DNS.
    #[default]
    Direct,
    /// Clients share connection pools.
    Pool(PoolSpec),
    /// Through RDS Proxy (the scenario's `proxy`).
    Proxy,
    /// A topology-aware driver (the AWS wrappers' failover plugin).
    Driver(DriverSpec),
}

/// The ways to connect, as written.
const CONNECTIONS: &[&str] = &["direct", "proxy", "pool", "driver"];

/// Read by hand, so that each mistake is told what to write instead.
impl<'de> Deserialize<'de> for ConnectionSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ConnectionVisitor)
    }
}

struct ConnectionVisitor;

impl<'de> de::Visitor<'de> for ConnectionVisitor {
    type Value = ConnectionSpec;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("`direct`, `proxy`, `{ pool: {…} }` or `{ driver: {…} }`")
    }

    fn visit_str<E: de::Error>(self, way: &str) -> Result<ConnectionSpec, E> {
        match way {
            "direct" => Ok(ConnectionSpec::Direct),
            "proxy" => Ok(ConnectionSpec::Proxy),
            "pool" | "driver" => Err(E::custom(format!(
                "`{way}` takes settings: write `connection: {{ {way}: {{}} }}` for its defaults"
            ))),
            other => Err(E::unknown_variant(other, CONNECTIONS)),
        }
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<ConnectionSpec, A::Error> {
        let Some(way) = map.next_key::<String>()? else {
            return Err(de::Error::custom(NO_CONNECTION));
        };
        let spec = match way.as_str() {
            "pool" => ConnectionSpec::Pool(map.next_value()?),
            "driver" => ConnectionSpec::Driver(map.next_value()?),
            "direct" | "proxy" => {
                return Err(de::Error::custom(format!(
                    "`{way}` takes no settings: write `connection: {way}`"
                )))
            }
            other => return Err(de::Error::unknown_variant(other, CONNECTIONS)),
        };
        match map.next_key::<String>()? {
            Some(second) if !CONNECTIONS.contains(&second.as_str()) => {
                Err(de::Error::unknown_variant(&second, CONNECTIONS))
            }
            Some(second) => Err(de::Error::custom(format!(
                "one way to connect, found a second: `{second}` after `{way}`"
            ))),
            None => Ok(spec),
        }
    }

    fn visit_unit<E: de::Error>(self) -> Result<ConnectionSpec, E> {
        Err(E::custom(NO_CONNECTION))
    }

    fn visit_none<E: de::Error>(self) -> Result<ConnectionSpec, E> {
        Err(E::custom(NO_CONNECTION))
    }
}

/// What an empty or null `connection:` is told.
const NO_CONNECTION: &str =
    "no way to connect given: write `direct`, `proxy`, `{ pool: {…} }` or `{ driver: {…} }`";

/// A client-side connection pool.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PoolSpec {
    /// Connections one pool holds at most.
    #[serde(default = "d::pool_size", deserialize_with = "pool_size::read")]
    #[schemars(schema_with = "pool_size::schema")]
    pub size: u32,
    /// Clients sharing one pool (one application process); absent: the
    /// whole group.
    #[serde(default, deserialize_with = "optional_client_count::read")]
    #[schemars(schema_with = "optional_client_count::schema")]
    pub clients_per_pool: Option<u32>,
    /// Longest a request waits to borrow a connection.
    #[serde(default = "d::acquire_timeout", deserialize_with = "period::read")]
    #[schemars(schema_with = "period::schema")]
    pub acquire_timeout: SimDuration,
    /// Check a borrowed connection before using it.
    #[serde(default = "d::validate")]
    pub validate: bool,
    /// Longest a check waits for its answer.
    #[serde(default = "d::validation_timeout", deserialize_with = "period::read")]
    #[schemars(schema_with = "period::schema")]
    pub validation_timeout: SimDuration,
    /// A connection older than this is closed when it is returned.
    #[serde(default = "d::max_lifetime", deserialize_with = "period::read")]
    #[schemars(schema_with = "period::schema")]
    pub max_lifetime: SimDuration,
}

/// A topology-aware driver's failover settings.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DriverSpec {
    /// How often it refreshes the topology while all is well
    /// (`failoverClusterTopologyRefreshRateMs`).
    #[serde(default = "d::topology_refresh", deserialize_with = "period::read")]
    #[schemars(schema_with = "period::schema")]
    pub topology_refresh: SimDuration,
    /// How often it asks again for the new writer during a failover
    /// (`failoverWriterReconnectIntervalMs`).
    #[serde(
        default = "d::writer_reconnect_interval",
        deserialize_with = "reconnect_interval::read"
    )]
    #[schemars(schema_with = "reconnect_interval::schema")]
    pub writer_reconnect_interval: SimDuration,
    /// How long it looks for the new writer before giving up
    /// (`failoverTimeoutMs`).
    #[serde(default = "d::failover_timeout", deserialize_with = "period::read")]
    #[schemars(schema_with = "period::schema")]
    pub failover_timeout: SimDuration,
    /// Ask the instance reached through DNS for the topology on each new
    /// connection and, told that another is the writer, move there before
    /// the next request (the wrapper's `auroraStaleDns` plugin).
    #[serde(default = "d::stale_dns_guard")]
    pub stale_dns_guard: bool,
}

/// RDS Proxy.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProxySpec {
    /// The AZs it has a node in; absent: every AZ.
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub azs: Option<Spanned<Vec<Spanned<String>>>>,
    /// Database connections it may open, percent of the writer's
    /// `max_connections` (`MaxConnectionsPercent`), split evenly over its
    /// nodes: how the proxy shares the limit among its nodes is not
    /// documented, and an even split never lets one node's idle
    /// connections starve another's clients (a modelling choice; clients
    /// all in one AZ get that node's share only).
    #[serde(
        default = "d::max_connections_percent",
        deserialize_with = "percent::read"
    )]
    #[schemars(schema_with = "percent::schema")]
    pub max_connections_percent: u32,
    /// Longest a request waits for a database connection
    /// (`ConnectionBorrowTimeout`).
    #[serde(default = "d::borrow_timeout", deserialize_with = "period::read")]
    #[schemars(schema_with = "period::schema")]
    pub borrow_timeout: SimDuration,
    /// Requests one node queues at most; more are shed.
    #[serde(default = "d::max_queued", deserialize_with = "queue_length::read")]
    #[schemars(schema_with = "queue_length::schema")]
    pub max_queued: u32,
    /// Connections one node opens a second at most.
    #[serde(
        default = "d::max_opening_per_s",
        deserialize_with = "opening_rate::read"
    )]
    #[schemars(schema_with = "opening_rate::schema")]
    pub max_opening_per_s: u32,
    /// Share of client sessions pinned to one database connection.
    #[serde(default, deserialize_with = "share::read")]
    #[schemars(schema_with = "share::schema")]
    pub pinned: f64,
    /// How often it asks the instances which is the writer.
    #[serde(
        default = "d::proxy_health_check_interval",
        deserialize_with = "health_check_interval::read"
    )]
    #[schemars(schema_with = "health_check_interval::schema")]
    pub health_check_interval: SimDuration,
    /// Checks in a row the writer may miss before it is taken as gone.
    #[serde(
        default = "d::proxy_failure_threshold",
        deserialize_with = "threshold::read"
    )]
    #[schemars(schema_with = "threshold::schema")]
    pub failure_threshold: u32,
    /// The proxy's own time per request.
    #[serde(default = "StepSpec::proxy_latency")]
    pub latency: StepSpec,
}

impl JsonSchema for CacheSpec {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "DnsCache".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "oneOf": [d::DURATION.schema(), { "const": "forever" }] })
    }
}
