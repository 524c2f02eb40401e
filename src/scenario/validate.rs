//! From a parsed [`ScenarioFile`] to a runnable [`Scenario`]: names become
//! ids, and every check that relates two fields happens here, with the
//! location of the offending value. One function per section of the file;
//! [`validate`] composes them in the order the file reads.

use std::borrow::Cow;
use std::path::Path;

use serde_saphyr::budget::BudgetBreach;
use serde_saphyr::{
    Localizer, MessageFormatter, RenderOptions, SnippetMode, Spanned, UserMessageFormatter,
};

use super::defaults as d;
use super::expect::ExpectSpec;
use super::schema::{
    AccessSpec, AutoScalingSpec, ClientSpec, ConnectionSpec, ConsistencySpec, ControlPlaneSpec,
    CustomEndpointSpec, CustomEndpointType, DnsSpec, EndpointSpec, EngineSpec, EnvironmentSpec,
    FaultSpec, GlobalSpec, InstanceSpec, MetricsSpec, NetworkSpec, ProxySpec, RoleSpec,
    ScalingMetricSpec, ScenarioFile, ServerlessSpec, StepSpec, StorageSpec, TopologySpec,
    WorkloadSpec,
};
use crate::error::{closest, did_you_mean, InputError, Location};
use crate::model::compute::class::{InstanceClass, SERVERLESS};
use crate::model::config::{
    Access, AutoScalingConfig, ClientConfig, Config, Connection, Consistency, ControlConfig,
    CustomEndpoint, Cut, DnsConfig, DriverConfig, EngineConfig, Environment, Fault, FaultKind,
    GlobalConfig, HalfAcus, InstanceConfig, LossScope, Members, MetricsConfig, NetworkConfig,
    PoolConfig, ProxyConfig, RegionConfig, RegionId, ScalingMetric, ServerlessConfig, StartSteps,
    StorageConfig, Topology, WorkloadConfig,
};
use crate::model::footprint::{self, Knob, Need};
use crate::sim::{LogNormal, SimDuration, SimTime};
use crate::vocab::ids::{AzId, InstanceId, NodeId};
use crate::vocab::quorum::{Quorum, QuorumError};

/// A validated scenario: the configuration a world is built from, and
/// the expectations its run is judged by. Its parts can be read but not
/// changed: every way to make one ([`Scenario::parse`],
/// [`ScenarioBuilder`](super::ScenarioBuilder)) validates, so an id always
/// names an instance or node that exists and every fault falls inside
/// the run.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub(crate) config: Config,
    pub(crate) expect: ExpectSpec,
    pub(crate) footprint: Footprint,
}

impl Scenario {
    /// What to simulate.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The expectations its run is judged by.
    pub fn expect(&self) -> &ExpectSpec {
        &self.expect
    }

    /// What its run will hold in memory.
    pub fn footprint(&self) -> &Footprint {
        &self.footprint
    }

    /// The same scenario with another root seed: any seed is valid.
    pub fn with_seed(mut self, seed: u64) -> Scenario {
        self.config.seed = seed;
        self
    }
}

/// What a run will hold in memory, each term with the place in the file
/// that sets what it grows with (see `model::footprint`).
#[derive(Debug, Clone)]
pub struct Footprint {
    needs: Vec<(Need, Location)>,
}

impl Footprint {
    /// The estimate, in bytes.
    pub fn bytes(&self) -> u64 {
        self.needs.iter().map(|(n, _)| n.bytes).sum()
    }

    /// The most a run of this scenario may hold before it is stopped:
    /// twice its estimate, and 256 MiB (`CEILING_SLACK`) for what grows with no
    /// setting. A run past it holds something its estimate does not
    /// count, and stops cleanly rather than grow until an allocation
    /// fails.
    pub fn ceiling(&self) -> (u64, String) {
        let bytes = self.bytes().saturating_mul(2).saturating_add(CEILING_SLACK);
        let why = format!(
            "twice its estimate of {} MiB, and {} MiB beside",
            self.bytes().div_ceil(1 << 20),
            CEILING_SLACK >> 20
        );
        (bytes, why)
    }

    /// Refuses a run that would need more than `limit` bytes (`source`
    /// says where the limit comes from), at the setting of its largest term.
    pub fn within(&self, limit: u64, source: &str) -> Result<(), InputError> {
        let total = self.bytes();
        let Some((largest, location)) = self.needs.first().filter(|_| total > limit) else {
            return Ok(());
        };
        Err(InputError::Scenario {
            location: location.clone(),
            message: format!(
                "this run may come to hold about {} in memory, more than {} ({source}); the most is {}, {}: lower {}",
                gib(total),
                gib(limit),
                gib(largest.bytes),
                largest.what,
                largest.knob.path()
            ),
        })
    }
}

/// What a run holds beyond the terms of its estimate: the event queue,
/// histograms, instances and the like. Modelling choice: the shipped
/// scenarios hold a few tens of MiB of it; 256 MiB leaves room for the
/// busiest valid ones.
pub const CEILING_SLACK: u64 = 256 << 20;

/// Bytes in GiB, as a person reads them.
fn gib(bytes: u64) -> String {
    format!("{:.2} GiB", bytes as f64 / (1u64 << 30) as f64)
}

/// The encoding of text in wider units than bytes, as Windows tools
/// write it (PowerShell's `>` writes UTF-16): by its byte-order mark, or
/// by the zero bytes beside each ASCII character.
fn wide_encoding(bytes: &[u8]) -> Option<&'static str> {
    let head = &bytes[..bytes.len().min(64)];
    let zero = |k: usize, of: usize| {
        let slots: Vec<u8> = head.iter().skip(k).step_by(of).copied().collect();
        !slots.is_empty() && slots.iter().all(|&b| b == 0)
    };
    if head.starts_with(&[0xff, 0xfe, 0, 0]) || head.starts_with(&[0, 0, 0xfe, 0xff]) {
        Some("UTF-32")
    } else if head.starts_with(&[0xff, 0xfe]) || head.starts_with(&[0xfe, 0xff]) {
        Some("UTF-16")
    } else if head.len() >= 8
        && (zero(1, 4) && zero(2, 4) && zero(3, 4) || zero(0, 4) && zero(1, 4) && zero(2, 4))
    {
        Some("UTF-32")
    } else if head.len() >= 4 && (zero(1, 2) || zero(0, 2)) {
        Some("UTF-16")
    } else {
        None
    }
}

/// The text of an input file (`what`: what it must be, in words), or a
/// located error: UTF-16 text, with how to convert it, or the first byte
/// that is not UTF-8 (YAML and JSON are Unicode text; a parser cannot
/// point into bytes it never read).
pub(crate) fn text_of(bytes: Vec<u8>, file: &Path, what: &str) -> Result<String, InputError> {
    let at = |line, column, message: String| InputError::Scenario {
        location: Location {
            file: file.to_owned(),
            line,
            column,
        },
        message,
    };
    if let Some(encoding) = wide_encoding(&bytes) {
        return Err(at(
            1,
            1,
            format!(
                "{encoding} text: {what}, UTF-8 encoded; save it as UTF-8 \
                 (PowerShell: `Out-File -Encoding utf8`; elsewhere `iconv -f {encoding} -t UTF-8`)"
            ),
        ));
    }
    if let Some(nul) = bytes.iter().position(|&b| b == 0) {
        let before = String::from_utf8_lossy(&bytes[..nul]);
        let line = before.matches('\n').count() as u64 + 1;
        let start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[start..].chars().count() as u64 + 1;
        return Err(at(
            line,
            column,
            format!("a NUL byte: not text; {what}, UTF-8 encoded"),
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        // The prefix is valid UTF-8 by definition of `valid_up_to`.
        let before = std::str::from_utf8(good).unwrap_or_default();
        let line = before.matches('\n').count() as u64 + 1;
        let start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[start..].chars().count() as u64 + 1;
        at(
            line,
            column,
            format!("not UTF-8 text: {what}, UTF-8 encoded"),
        )
    })
}

/// Turns a serde-saphyr error into a located input error, in the words of
/// [`PlainWords`].
pub(crate) fn syntax_error(e: &serde_saphyr::Error, file: &Path) -> InputError {
    let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
    InputError::Scenario {
        location: Location {
            file: file.to_owned(),
            line,
            column,
        },
        message: in_plain_words(e),
    }
}

/// A YAML error's message, without its location, in the words of a
/// scenario's author (see [`PlainWords`]): for a file's error and for a
/// value given to `--set` or the builder alike.
pub(crate) fn in_plain_words(e: &serde_saphyr::Error) -> String {
    let mut options = RenderOptions::new(&PlainWords);
    options.snippets = SnippetMode::Off;
    e.render_with_options(options)
}

/// serde-saphyr's messages in the words of a scenario's author. Its default
/// texts advise the programmer (`set DuplicateKeyPolicy in Options`, `use
/// Option<String>`), its user texts still name Rust types and its limits by
/// their Debug form; the rest of its user texts are plain already.
struct PlainWords;

impl Localizer for PlainWords {
    /// The location is printed once, as `file:line:column`, by
    /// [`InputError`]; the message carries none.
    fn attach_location<'a>(&self, base: Cow<'a, str>, _: serde_saphyr::Location) -> Cow<'a, str> {
        base
    }
}

impl MessageFormatter for PlainWords {
    fn localizer(&self) -> &dyn Localizer {
        self
    }

    fn format_message<'a>(&self, err: &'a serde_saphyr::Error) -> Cow<'a, str> {
        use serde_saphyr::Error as E;
        match err {
            E::DuplicateMappingKey { key: Some(k), .. } => format!("duplicate key `{k}`").into(),
            E::DuplicateMappingKey { key: None, .. } => "duplicate key".into(),
            E::MultipleDocuments { .. } => {
                "a scenario holds one YAML document; a second one starts here".into()
            }
            E::NullIntoString { .. } => "expected a string, found nothing".into(),
            E::Unexpected { expected, .. } => format!("expected {}", in_words(expected)).into(),
            E::InvalidScalar { ty, .. } => format!("expected {}", in_words(ty)).into(),
            E::NonFiniteFloat { value, .. } => {
                format!("expected a finite number, found {value}").into()
            }
            E::SerdeInvalidType {
                unexpected,
                expected,
                ..
            }
            | E::SerdeInvalidValue {
                unexpected,
                expected,
                ..
            } => format!("expected {expected}, found {unexpected}").into(),
            E::SerdeUnknownField {
                field, expected, ..
            } if expected.contains(&"open_loop")
                && matches!(field.as_str(), "commits_per_s" | "reads_per_s") =>
            {
                format!(
                    "unknown field `{field}`: a rate that arrives whatever the database does is `workload.open_loop.{field}`; load otherwise comes from `clients`"
                )
                .into()
            }
            E::Budget { breach, .. } => format!(
                "the file is too large or too deeply nested for a scenario: {}",
                breach_in_words(breach)
            )
            .into(),
            _ => likely_typo(err).map_or_else(|| UserMessageFormatter.format_message(err), Cow::Owned),
        }
    }
}

/// An unknown field or value named with the one it likely meant, rather
/// than the whole list: "unknown field `max_rot`; did you mean `max_rto`?".
fn likely_typo(err: &serde_saphyr::Error) -> Option<String> {
    use serde_saphyr::Error as E;
    let (what, name, expected) = match err {
        E::SerdeUnknownField {
            field, expected, ..
        } => ("field", field, expected),
        E::SerdeUnknownVariant {
            variant, expected, ..
        } => ("value", variant, expected),
        _ => return None,
    };
    let meant = closest(name, expected.iter().copied())?;
    Some(format!("unknown {what} `{name}`; did you mean `{meant}`?"))
}

/// What the parser expected, named as the file writes it rather than as a
/// Rust type or a parser event.
fn in_words(expected: &str) -> Cow<'static, str> {
    let whole = |min: i128, max: i128| format!("a whole number from {min} to {max}").into();
    match expected {
        "string scalar" => "a string".into(),
        "scalar" => "a single value".into(),
        "sequence start" => "a list".into(),
        "mapping start" => "a mapping".into(),
        "floating point" => "a number".into(),
        "boolean" => "true or false".into(),
        "u8" => whole(0, u8::MAX.into()),
        "u16" => whole(0, u16::MAX.into()),
        "u32" => whole(0, u32::MAX.into()),
        "u64" => whole(0, u64::MAX.into()),
        "i8" => whole(i8::MIN.into(), i8::MAX.into()),
        "i16" => whole(i16::MIN.into(), i16::MAX.into()),
        "i32" => whole(i32::MIN.into(), i32::MAX.into()),
        "i64" => whole(i64::MIN.into(), i64::MAX.into()),
        other => other.to_owned().into(),
    }
}

/// Which of the parser's safety limits a file broke, in words.
fn breach_in_words(breach: &BudgetBreach) -> String {
    match breach {
        BudgetBreach::Nodes { nodes } => format!("more than {} values", nodes.saturating_sub(1)),
        BudgetBreach::Events { events } => {
            format!("more than {} parser events", events.saturating_sub(1))
        }
        BudgetBreach::Depth { depth } => format!("nested {depth} levels deep"),
        BudgetBreach::Documents { documents } => format!("{documents} documents"),
        BudgetBreach::Aliases { aliases } => format!("{aliases} aliases"),
        BudgetBreach::Anchors { anchors } => format!("{anchors} anchors"),
        BudgetBreach::ScalarBytes { total_scalar_bytes } => {
            format!("{total_scalar_bytes} bytes of text in values")
        }
        BudgetBreach::InputBytes { input_bytes } => format!("{input_bytes} bytes"),
        _ => "too many values, aliases or levels".into(),
    }
}

/// Where errors are reported.
struct Ctx<'a> {
    file: &'a Path,
}

impl Ctx<'_> {
    /// An error at `span`'s value.
    fn at<T>(&self, span: &Spanned<T>, message: impl Into<String>) -> InputError {
        self.at_first(&[span.referenced], message)
    }

    /// An error about a relation between settings, at the first of
    /// `candidates` the file writes (a default has no location). The
    /// defaults satisfy every relation, so some candidate is written
    /// whenever one fails; the top of the file stands in otherwise.
    fn at_first(
        &self,
        candidates: &[serde_saphyr::Location],
        message: impl Into<String>,
    ) -> InputError {
        InputError::Scenario {
            location: self.location(candidates),
            message: message.into(),
        }
    }

    /// The first of `candidates` the file writes, or the top of the file.
    fn location(&self, candidates: &[serde_saphyr::Location]) -> Location {
        let (line, column) = candidates
            .iter()
            .find(|l| **l != serde_saphyr::Location::UNKNOWN)
            .map_or((1, 1), |l| (l.line(), l.column()));
        Location {
            file: self.file.to_owned(),
            line,
            column,
        }
    }
}

/// Names to ids: the lookups faults, clients and instances make, each
/// failing at the name's location with the names that do exist.
struct Resolver<'a> {
    cx: &'a Ctx<'a>,
    topology: &'a Topology,
    instances: &'a [InstanceConfig],
    global: Option<&'a GlobalConfig>,
}

impl Resolver<'_> {
    /// A region of the global database, by name.
    fn region_id(&self, s: &Spanned<String>) -> Result<RegionId, InputError> {
        let named = s.value.trim();
        let Some(g) = self.global else {
            return Err(self.cx.at(
                s,
                format!(
                    "region {:?} named, but the scenario has no `global:` section; a region fault needs a global database",
                    s.value
                ),
            ));
        };
        if named == g.primary {
            return Ok(RegionId::PRIMARY);
        }
        g.secondaries
            .iter()
            .position(|r| r.name == named)
            .map(|k| RegionId(k as u8 + 1))
            .ok_or_else(|| {
                let mut all = vec![g.primary.as_str()];
                all.extend(g.secondaries.iter().map(|r| r.name.as_str()));
                self.cx.at(
                    s,
                    format!(
                        "no region named {:?}; the global database has {}{}",
                        s.value,
                        all.join(", "),
                        did_you_mean(&s.value, all.iter().copied())
                    ),
                )
            })
    }

    fn az_id(&self, s: &Spanned<String>) -> Result<AzId, InputError> {
        let azs = &self.topology.azs;
        azs.iter()
            .position(|a| *a == s.value)
            .map(AzId::from_index)
            .ok_or_else(|| {
                self.cx.at(
                    s,
                    format!(
                        "no AZ named {:?}; the topology has {}{}",
                        s.value,
                        azs.join(", "),
                        did_you_mean(&s.value, azs.iter().map(String::as_str))
                    ),
                )
            })
    }

    fn instance_id(&self, s: &Spanned<String>) -> Result<InstanceId, InputError> {
        let found = self.instances.iter().position(|i| i.name == s.value);
        if found.is_some_and(|k| self.instances[k].autoscaled) {
            return Err(self.cx.at(
                s,
                format!(
                    "{:?} is a reader replica auto scaling may add during the run: faults and endpoints name the instances the scenario lists",
                    s.value
                ),
            ));
        }
        found.map(InstanceId::from_index).ok_or_else(|| {
            let names: Vec<&str> = self
                .instances
                .iter()
                .filter(|i| !i.autoscaled)
                .map(|i| i.name.as_str())
                .collect();
            self.cx.at(
                s,
                format!(
                    "no instance named {:?}; the cluster has {}{}",
                    s.value,
                    names.join(", "),
                    did_you_mean(&s.value, names.iter().copied())
                ),
            )
        })
    }

    /// A node named `<az>-<n>`, spelled one way only: `n` in plain decimal
    /// without sign or leading zeros, so that `a-01` cannot be a second
    /// name for `a-1`.
    fn node_id(&self, s: &Spanned<String>) -> Result<NodeId, InputError> {
        let t = self.topology;
        let bad = || {
            self.cx.at(
                s,
                format!(
                    "no storage node named {:?}; nodes are named <az>-<n> with n from 1 to {} (e.g. {}-1)",
                    s.value, t.nodes_per_az, t.azs[0]
                ),
            )
        };
        let (az, n) = s.value.rsplit_once('-').ok_or_else(bad)?;
        let z = t.azs.iter().position(|a| a == az).ok_or_else(bad)?;
        if n.is_empty() || n.starts_with('0') || !n.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        match n.parse::<u32>() {
            Ok(n) if n <= t.nodes_per_az => Ok(NodeId(z as u32 * t.nodes_per_az + n - 1)),
            _ => Err(bad()),
        }
    }
}

/// The unit of page and volume arithmetic.
const KIB_PER_GIB: u64 = 1024 * 1024;

/// Why `name` cannot name a scenario, an instance or a client group
/// (`what`), if it cannot. The scenario's name becomes a directory under
/// the output directory, so it must be one plain path component there on
/// every system: no separators, not `.` or `..` (nor `...`, which Windows
/// strips of its trailing dots), and short; instance and client names share the rule, as
/// they always shared its characters.
pub(crate) fn name_problem(name: &str, what: &str) -> Option<String> {
    let chars = name.chars().count();
    if chars > d::MAX_NAME_CHARS {
        Some(format!(
            "expected {what} of at most {} characters, found {chars}",
            d::MAX_NAME_CHARS
        ))
    } else if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
    {
        Some(format!(
            "expected {what} of letters, digits, '-', '_' or '.', found {name:?}"
        ))
    } else if name.chars().all(|c| c == '.') {
        Some(format!(
            "{name:?} names a directory itself or its parent; {what} needs a letter, digit, '-' or '_'"
        ))
    } else if name.starts_with('.') {
        // A hidden directory; and `.aurora-sim-run-…` is where runs stage.
        Some(format!(
            "expected {what} that does not start with '.', found {name:?}"
        ))
    } else {
        None
    }
}

/// Checks `name` (written at `span`) with [`name_problem`].
fn checked_name(
    name: &str,
    span: &Spanned<String>,
    what: &str,
    cx: &Ctx,
) -> Result<String, InputError> {
    match name_problem(name, what) {
        Some(problem) => Err(cx.at(span, problem)),
        None => Ok(name.to_owned()),
    }
}

/// Validates a parsed file section by section, in the order it reads; the
/// first problem found is the error.
pub(super) fn validate(raw: ScenarioFile, file: &Path) -> Result<Scenario, InputError> {
    let cx = Ctx { file };
    let name = checked_name(raw.name.value.trim(), &raw.name, "a scenario name", &cx)?;
    let global = raw.global.as_ref().map(|g| global(g, &cx)).transpose()?;
    let topology = topology(&raw.topology, raw.global.as_ref(), &cx)?;
    let no_instances = Resolver {
        cx: &cx,
        topology: &topology,
        instances: &[],
        global: None,
    };
    let serverless = raw
        .serverless
        .as_ref()
        .map(|s| serverless(s, &cx))
        .transpose()?;
    let mut instances = instances(raw.instances.as_ref(), serverless.as_ref(), &no_instances)?;
    let auto_scaling = raw
        .replica_auto_scaling
        .as_ref()
        .map(|a| auto_scaling(a, &mut instances, &no_instances))
        .transpose()?;
    let names = Resolver {
        cx: &cx,
        topology: &topology,
        instances: &instances,
        global: global.as_ref(),
    };
    let endpoints = custom_endpoints(&raw.endpoints, &names)?;
    let clients = clients(&raw.clients, &names, &endpoints)?;
    let proxy = raw.proxy.as_ref().map(|p| proxy(p, &names)).transpose()?;
    if proxy.is_none() {
        if let Some(c) = raw
            .clients
            .iter()
            .find(|c| c.connection == ConnectionSpec::Proxy)
        {
            return Err(cx.at(
                &c.name,
                format!(
                    "client group {:?} connects through the proxy, but the scenario has no `proxy:` section; add one (`proxy: {{}}` takes every default)",
                    c.name.value
                ),
            ));
        }
    }
    let storage = storage(&raw.storage, &raw.topology, &topology, &cx)?;
    let workload = workload(&raw.workload, &raw.storage, &storage, &cx)?;
    let metrics = metrics(&raw.metrics, &raw.duration, &cx)?;
    let faults = faults(&raw.faults, &raw.duration, &names)?;
    paused_starts(&raw, (&proxy, &global, &workload), &cx)?;
    let config = Config {
        name,
        description: raw.description.trim().to_owned(),
        seed: raw.seed,
        duration: raw.duration.value,
        topology,
        instances,
        control: control(&raw.control_plane),
        dns: dns(&raw.dns),
        clients,
        endpoints,
        proxy,
        storage,
        network: network(&raw.network),
        workload,
        engine: engine(&raw.engine),
        metrics,
        faults,
        global,
        serverless,
        auto_scaling,
    };
    let knob = |k: Knob| {
        let span = match k {
            Knob::WorkingSet => raw.workload.working_set_gib.referenced,
            Knob::TimelineBin => raw.metrics.bin.referenced,
            Knob::Volume => raw.storage.volume_gib.referenced,
            Knob::Clients => raw
                .clients
                .first()
                .map_or(serde_saphyr::Location::UNKNOWN, |c| c.name.referenced),
            Knob::GroupCommit | Knob::CommitRate => serde_saphyr::Location::UNKNOWN,
            Knob::Instances => raw
                .instances
                .as_ref()
                .map_or(serde_saphyr::Location::UNKNOWN, |i| i.referenced),
            Knob::LsnAllocationLimit => raw.storage.lsn_allocation_limit.referenced,
            Knob::ShipInterval | Knob::RegionFaults => raw
                .global
                .as_ref()
                .map_or(serde_saphyr::Location::UNKNOWN, |g| g.primary.referenced),
        };
        cx.location(&[span])
    };
    let footprint = Footprint {
        needs: footprint::footprint(&config)
            .into_iter()
            .map(|n| {
                let at = knob(n.knob);
                (n, at)
            })
            .collect(),
    };
    footprint.within(d::MAX_RUN_MEMORY, "the most any run may hold")?;
    Ok(Scenario {
        config,
        expect: raw.expect,
        footprint,
    })
}

/// The AZs of every region: the primary's as `topology:` names them, then
/// each secondary's, as many, named as its `azs:` lists them or by the
/// region's name and the primary's AZ name.
fn topology(
    raw: &TopologySpec,
    global: Option<&GlobalSpec>,
    cx: &Ctx,
) -> Result<Topology, InputError> {
    let mut topology = primary_topology(raw, cx)?;
    let per_region = topology.azs_per_region;
    for r in global.map_or(&[][..], |g| &g.secondaries.value) {
        let names: Vec<String> = match &r.azs {
            Some(azs) if azs.value.len() != per_region => {
                return Err(cx.at(
                    azs,
                    format!(
                        "expected {per_region} AZ names, as many as the primary region has, found {}",
                        azs.value.len()
                    ),
                ));
            }
            Some(azs) => azs.value.clone(),
            None => topology.azs[..per_region]
                .iter()
                .map(|az| format!("{}{az}", r.name.value.trim()))
                .collect(),
        };
        for az in names {
            if az.is_empty() || topology.azs.contains(&az) {
                let at = r.azs.as_ref().map_or(r.name.referenced, |a| a.referenced);
                return Err(cx.at_first(
                    &[at],
                    format!("AZ names must be distinct and non-empty across regions, found {az:?} twice or empty; name the region's AZs with `azs:`"),
                ));
            }
            topology.azs.push(az);
        }
    }
    Ok(topology)
}

fn primary_topology(raw: &TopologySpec, cx: &Ctx) -> Result<Topology, InputError> {
    let azs = &raw.azs.value;
    if azs.is_empty() || azs.len() > d::MAX_AZS {
        return Err(cx.at(
            &raw.azs,
            format!("expected between 1 and {} AZ names", d::MAX_AZS),
        ));
    }
    // AZ names are free text (the printer quotes what YAML would misread);
    // they only need to tell the AZs apart.
    for (i, az) in azs.iter().enumerate() {
        if az.is_empty() || azs[..i].contains(az) {
            return Err(cx.at(
                &raw.azs,
                format!("AZ names must be distinct and non-empty, found {az:?} twice or empty"),
            ));
        }
    }
    Ok(Topology {
        azs: azs.clone(),
        azs_per_region: azs.len(),
        nodes_per_az: raw.storage_nodes_per_az.value,
    })
}

/// What the instance class `class` names gives, or an error at it.
fn class_spec(class: &Spanned<String>, cx: &Ctx) -> Result<InstanceClass, InputError> {
    InstanceClass::parse(&class.value).ok_or_else(|| {
        cx.at(
            class,
            format!(
                "expected an instance class Aurora offers ({}), found {:?}",
                InstanceClass::families(),
                class.value
            ),
        )
    })
}

/// An instance starting paused in a cluster that keeps it from pausing:
/// RDS Proxy holds connections open, a global database's primary and its
/// secondaries do not pause, and open-loop load is work at the writer
/// (\[UG\] Scaling to Zero ACUs with automatic pause and resume).
fn paused_starts(
    raw: &ScenarioFile,
    (proxy, global, workload): (&Option<ProxyConfig>, &Option<GlobalConfig>, &WorkloadConfig),
    cx: &Ctx,
) -> Result<(), InputError> {
    // Open-loop load is work at the writer: it keeps only the writer's
    // group up, and a reader of another tier may still have paused.
    let (why, only_writer_group) = if proxy.is_some() {
        (
            "RDS Proxy holds its connections open, so no instance pauses",
            false,
        )
    } else if global.is_some() {
        ("a global database's instances do not pause", false)
    } else if workload.commits_per_s > 0.0 || workload.reads_per_s > 0.0 {
        ("the open-loop load keeps the writer busy", true)
    } else {
        return Ok(());
    };
    let in_group = |i: &&InstanceSpec| i.role == RoleSpec::Writer || i.tier <= 1;
    let list = raw.instances.iter().flat_map(|l| l.value.iter());
    let mut paused = list
        .filter(|i| !only_writer_group || in_group(i))
        .filter_map(|i| i.acu.as_ref());
    match paused.find(|a| a.value == 0.0) {
        Some(at) => Err(cx.at(
            at,
            format!("an instance cannot start paused (`acu: 0`): {why}"),
        )),
        None => Ok(()),
    }
}

/// Why instance `k` may not start paused, if it may not: an instance pauses
/// only where it could have paused (\[UG\] Scaling to Zero ACUs: the
/// writer with the readers in tiers 0 and 1, once every other reader has
/// paused, never beside a provisioned instance; a green environment's
/// instances follow blue's writer). The scenario's other sections are
/// checked where they are read.
fn paused_start_refused(instances: &[InstanceConfig], k: usize) -> Option<String> {
    let paused = |i: &InstanceConfig| i.acu == Some(HalfAcus(0));
    let group = |i: &InstanceConfig| i.writer || i.tier <= 1;
    let blue = |i: &&InstanceConfig| i.environment == Environment::Blue;
    let i = &instances[k];
    if i.environment != Environment::Blue {
        return Some("a green environment's instances follow the cluster's writer by replication and do not pause".into());
    }
    let cluster: Vec<&InstanceConfig> = instances.iter().filter(blue).collect();
    if cluster.iter().any(|c| group(c) && paused(c)) {
        if let Some(c) = cluster.iter().find(|c| group(c) && !paused(c)) {
            return Some(format!(
                "the writer and the readers in tiers 0 and 1 pause together, and {:?} does not start paused",
                c.name
            ));
        }
        if let Some(c) = cluster.iter().find(|c| !group(c) && !paused(c)) {
            return Some(format!(
                "the writer pauses only once every other reader has, and {:?} does not start paused",
                c.name
            ));
        }
    }
    None
}

/// A capacity in ACUs as half ACUs, if it is a whole number of them.
fn half_acus(acu: &Spanned<f64>, cx: &Ctx) -> Result<HalfAcus, InputError> {
    HalfAcus::of(acu.value).ok_or_else(|| {
        cx.at(
            acu,
            format!(
                "expected a capacity in steps of 0.5 ACU, found {}",
                acu.value
            ),
        )
    })
}

/// The Aurora Serverless v2 range: half steps, a maximum of at least 1
/// ACU (\[UG\] "Use a value of 1 or higher for the maximum capacity"), a
/// minimum no higher.
fn serverless(raw: &ServerlessSpec, cx: &Ctx) -> Result<ServerlessConfig, InputError> {
    let (min, max) = (half_acus(&raw.min_acu, cx)?, half_acus(&raw.max_acu, cx)?);
    if max < HalfAcus(2) {
        return Err(cx.at(
            &raw.max_acu,
            format!(
                "expected a maximum capacity of at least 1 ACU, found {}",
                raw.max_acu.value
            ),
        ));
    }
    if min > max {
        return Err(cx.at(
            &raw.min_acu,
            format!(
                "the minimum capacity ({} ACU) is above the maximum ({} ACU)",
                raw.min_acu.value, raw.max_acu.value
            ),
        ));
    }
    Ok(ServerlessConfig {
        min,
        max,
        auto_pause: SimDuration::from_secs(u64::from(raw.seconds_until_auto_pause)),
        resume: LogNormal::new(raw.resume_time, raw.resume_sigma),
        interval: raw.scaling_interval,
        target_utilisation: raw.target_utilisation,
        up_per_s: raw.scale_up_per_s,
        down_per_s: raw.scale_down_per_s,
    })
}

/// What an instance's class gives: a provisioned class's table row, or
/// for `db.serverless` its capacity at the cluster's maximum and its
/// starting capacity.
fn instance_capacity(
    i: &InstanceSpec,
    serverless: Option<&ServerlessConfig>,
    cx: &Ctx,
) -> Result<(InstanceClass, Option<HalfAcus>), InputError> {
    if i.class.value != SERVERLESS {
        if let Some(acu) = &i.acu {
            return Err(cx.at(
                acu,
                format!(
                    "`acu` is the starting capacity of a `{SERVERLESS}` instance; {:?} is a {}",
                    i.name.value, i.class.value
                ),
            ));
        }
        return Ok((class_spec(&i.class, cx)?, None));
    }
    let Some(range) = serverless else {
        return Err(cx.at(
            &i.class,
            format!(
                "a `{SERVERLESS}` instance scales within the cluster's capacity range: add a `serverless:` section (`serverless: {{ min_acu: 0.5, max_acu: 16 }}`)"
            ),
        ));
    };
    let start = match &i.acu {
        None => range.least_running(),
        Some(acu) => {
            let start = half_acus(acu, cx)?;
            let paused = start == HalfAcus(0) && range.min == HalfAcus(0);
            if !paused && (start < range.least_running() || start > range.max) {
                return Err(cx.at(
                    acu,
                    format!(
                        "expected a starting capacity within the cluster's range, {} to {} ACU{}, found {}",
                        range.least_running().acu(),
                        range.max.acu(),
                        if range.min == HalfAcus(0) { " (or 0: paused)" } else { "" },
                        acu.value
                    ),
                ));
            }
            start
        }
    };
    Ok((range.max.as_class(), Some(start)))
}

/// The name of the `n`th reader replica auto scaling creates (from 1):
/// Aurora's own prefix, \[UG\] ("`application-autoscaling-`").
fn autoscaled_name(n: usize) -> String {
    format!("application-autoscaling-{n}")
}

/// A replica auto scaling policy, and the readers it may create appended
/// to `instances`: one for each the policy's maximum allows beyond the
/// readers the scenario lists, with the writer's class and tier 15
/// (\[UG\]: "the new Aurora Replica is the same DB instance class as the
/// one used by the primary instance ... the promotion tier for new Aurora
/// Replicas is set to the last priority, which is 15 by default").
fn auto_scaling(
    raw: &AutoScalingSpec,
    instances: &mut Vec<InstanceConfig>,
    names: &Resolver,
) -> Result<AutoScalingConfig, InputError> {
    let cx = names.cx;
    let at = &raw.metric;
    if instances.iter().any(|i| i.acu.is_some()) {
        return Err(cx.at(
            at,
            format!("replica auto scaling beside `{SERVERLESS}` instances is not supported ([UG] Requirements and limitations for Aurora Serverless v2: create Serverless v2 readers in advance and leave them scaled down)"),
        ));
    }
    if instances.iter().any(|i| i.environment != Environment::Blue) {
        return Err(cx.at(
            at,
            "replica auto scaling beside a blue/green deployment is not modelled",
        ));
    }
    let metric = match raw.metric.value {
        ScalingMetricSpec::Cpu => ScalingMetric::Cpu,
        ScalingMetricSpec::Connections => ScalingMetric::Connections,
    };
    if metric == ScalingMetric::Cpu && raw.target.value > 100.0 {
        return Err(cx.at(
            &raw.target,
            format!(
                "a CPU target is a percentage, at most 100, found {}",
                raw.target.value
            ),
        ));
    }
    let (min, max) = (raw.min_readers.value, raw.max_readers.value);
    if min > max {
        return Err(cx.at(
            &raw.min_readers,
            format!("`min_readers` ({min}) is above `max_readers` ({max})"),
        ));
    }
    let primary = |i: &&InstanceConfig| names.topology.region_of(i.az) == RegionId::PRIMARY;
    let readers = instances
        .iter()
        .filter(primary)
        .filter(|i| !i.writer)
        .count();
    if readers == 0 && min == 0 {
        return Err(cx.at(
            at,
            "the cluster has no reader and `min_readers` is 0, so the policy has nothing to measure ([UG]: \"There must be at least one reader DB instance for Aurora Auto Scaling to work\"); list a reader or set `min_readers: 1`",
        ));
    }
    let slots = (max as usize).saturating_sub(readers);
    let in_primary = instances.iter().filter(primary).count();
    if in_primary + slots > d::MAX_INSTANCES {
        return Err(cx.at(
            &raw.max_readers,
            format!(
                "`max_readers: {max}` with {readers} readers listed: a cluster has at most {} readers",
                d::MAX_INSTANCES - 1
            ),
        ));
    }
    let writer = instances
        .iter()
        .find(|i| i.writer)
        .expect("one writer")
        .clone();
    for n in 1..=slots {
        let name = autoscaled_name(n);
        if instances.iter().any(|i| i.name == name) {
            return Err(cx.at(
                at,
                format!("{name:?} is the name replica auto scaling gives the readers it adds; rename the instance"),
            ));
        }
        instances.push(InstanceConfig {
            name,
            tier: 15,
            writer: false,
            autoscaled: true,
            ..writer.clone()
        });
    }
    Ok(AutoScalingConfig {
        metric,
        target: raw.target.value,
        min,
        max,
        out_cooldown: raw.scale_out_cooldown,
        in_cooldown: raw.scale_in_cooldown,
        disable_scale_in: raw.disable_scale_in,
    })
}

fn instances(
    raw: Option<&Spanned<Vec<InstanceSpec>>>,
    serverless: Option<&ServerlessConfig>,
    names: &Resolver,
) -> Result<Vec<InstanceConfig>, InputError> {
    let cx = names.cx;
    let Some(list) = raw else {
        let class = d::instance_class();
        return Ok(vec![InstanceConfig {
            name: "writer".into(),
            az: AzId(0),
            spec: InstanceClass::parse(&class).expect("the default class is in the table"),
            class,
            tier: d::promotion_tier(),
            writer: true,
            environment: Environment::Blue,
            acu: None,
            autoscaled: false,
        }]);
    };
    let regions = names.topology.regions();
    if list.value.is_empty() || list.value.len() > d::MAX_INSTANCES * regions {
        return Err(cx.at(
            list,
            format!(
                "expected one writer and at most {} readers{}, found {} instances",
                d::MAX_INSTANCES - 1,
                if regions > 1 { " in each region" } else { "" },
                list.value.len()
            ),
        ));
    }
    let mut out: Vec<InstanceConfig> = Vec::with_capacity(list.value.len());
    for i in &list.value {
        let name = checked_name(&i.name.value, &i.name, "an instance name", cx)?;
        if out.iter().any(|o| o.name == name) {
            return Err(cx.at(
                &i.name,
                format!("instance names must be distinct, found {name:?} twice"),
            ));
        }
        let (spec, acu) = instance_capacity(i, serverless, cx)?;
        let writer = i.role == RoleSpec::Writer;
        let environment = match (i.environment, writer) {
            (EnvironmentSpec::Blue, _) => Environment::Blue,
            (EnvironmentSpec::Green, true) => Environment::GreenWriter,
            (EnvironmentSpec::Green, false) => Environment::GreenReader,
        };
        out.push(InstanceConfig {
            name,
            az: names.az_id(&i.az)?,
            class: i.class.value.clone(),
            spec,
            tier: i.tier,
            writer: writer && environment == Environment::Blue,
            environment,
            acu,
            autoscaled: false,
        });
    }
    if out.iter().filter(|i| i.writer).count() != 1 {
        return Err(cx.at(list, "expected exactly one instance with `role: writer`"));
    }
    for (k, spec) in list.value.iter().enumerate() {
        let Some(at) = spec
            .acu
            .as_ref()
            .filter(|_| out[k].acu == Some(HalfAcus(0)))
        else {
            continue;
        };
        if let Some(why) = paused_start_refused(&out, k) {
            return Err(cx.at(
                at,
                format!("{:?} cannot start paused (`acu: 0`): {why}", out[k].name),
            ));
        }
    }
    let green = |e: Environment| out.iter().filter(|i| i.environment == e).count();
    if green(Environment::GreenWriter) > 1
        || (green(Environment::GreenReader) > 0 && green(Environment::GreenWriter) == 0)
    {
        return Err(cx.at(
            list,
            "a green environment has exactly one instance with `role: writer`, as a cluster does",
        ));
    }
    let t = names.topology;
    for (i, spec) in out.iter().zip(&list.value) {
        let region = t.region_of(i.az);
        if i.environment != Environment::Blue && region != RegionId::PRIMARY {
            return Err(cx.at(
                &spec.az,
                format!(
                    "a green environment is in the primary region's AZs ({}); {:?} is a secondary region's",
                    t.azs[..t.azs_per_region].join(", "),
                    spec.az.value
                ),
            ));
        }
        if i.writer && region != RegionId::PRIMARY {
            return Err(cx.at(
                &spec.az,
                format!(
                    "the writer must be in the primary region's AZs ({}); {:?} is a secondary region's",
                    t.azs[..t.azs_per_region].join(", "),
                    spec.az.value
                ),
            ));
        }
        let before = out.iter().take_while(|o| !std::ptr::eq(*o, i));
        if before.filter(|o| t.region_of(o.az) == region).count() >= d::MAX_INSTANCES {
            return Err(cx.at(
                &spec.az,
                format!(
                    "at most {} instances in one region's cluster",
                    d::MAX_INSTANCES
                ),
            ));
        }
    }
    Ok(out)
}

/// The custom endpoints: distinct names that are not the cluster's own,
/// and members that are instances of the cluster, listed one way.
fn custom_endpoints(
    raw: &[CustomEndpointSpec],
    names: &Resolver,
) -> Result<Vec<CustomEndpoint>, InputError> {
    let cx = names.cx;
    let mut out: Vec<CustomEndpoint> = Vec::with_capacity(raw.len());
    for e in raw {
        let name = checked_name(&e.name.value, &e.name, "an endpoint name", cx)?;
        if name.eq_ignore_ascii_case("cluster") || name.eq_ignore_ascii_case("reader") {
            return Err(cx.at(
                &e.name,
                format!(
                    "{name:?} is the cluster's own endpoint; give a custom endpoint another name"
                ),
            ));
        }
        if out.iter().any(|o| o.name == name) {
            return Err(cx.at(
                &e.name,
                format!("endpoint names must be distinct, found {name:?} twice"),
            ));
        }
        let list = |l: &Spanned<Vec<Spanned<String>>>| -> Result<Vec<InstanceId>, InputError> {
            if l.value.is_empty() && e.static_members.is_some() {
                return Err(cx.at(
                    l,
                    "a custom endpoint with no static member names no instance; list its members, or give excluded_members to name every instance but some",
                ));
            }
            let mut seen: Vec<&str> = Vec::new();
            l.value
                .iter()
                .map(|i| {
                    if seen.contains(&i.value.as_str()) {
                        return Err(cx.at(i, format!("{:?} is listed twice", i.value)));
                    }
                    seen.push(&i.value);
                    let id = names.instance_id(i)?;
                    let inst = &names.instances[id.index()];
                    if inst.environment != Environment::Blue
                        || names.topology.region_of(inst.az) != RegionId::PRIMARY
                    {
                        return Err(cx.at(
                            i,
                            format!("{:?} is not an instance of the cluster (a green environment's or a secondary region's); a custom endpoint lists the cluster's own", i.value),
                        ));
                    }
                    Ok(id)
                })
                .collect()
        };
        let members = match (&e.static_members, &e.excluded_members) {
            (Some(m), None) => Members::Static(list(m)?),
            (None, Some(m)) => Members::Excluded(list(m)?),
            (Some(m), Some(_)) => {
                return Err(cx.at(
                    m,
                    "a custom endpoint has static_members or excluded_members, not both",
                ));
            }
            (None, None) => Members::Excluded(Vec::new()),
        };
        if names
            .instances
            .iter()
            .any(|i| i.environment != Environment::Blue)
        {
            return Err(cx.at(
                &e.name,
                "custom endpoints together with a blue/green deployment are not modelled: which green instance takes a blue member's place at a switchover is not known here",
            ));
        }
        out.push(CustomEndpoint {
            name,
            any: e.kind == CustomEndpointType::Any,
            members,
        });
    }
    Ok(out)
}

fn clients(
    raw: &[ClientSpec],
    names: &Resolver,
    endpoints: &[CustomEndpoint],
) -> Result<Vec<ClientConfig>, InputError> {
    let cx = names.cx;
    let mut total = 0u64;
    let mut clients = Vec::with_capacity(raw.len());
    for (i, c) in raw.iter().enumerate() {
        let name = checked_name(&c.name.value, &c.name, "a client group name", cx)?;
        if i == d::MAX_CLIENT_GROUPS {
            return Err(cx.at(
                &c.name,
                format!(
                    "at most {} client groups (each is five timeline columns and a chart panel); give a group more clients with count",
                    d::MAX_CLIENT_GROUPS
                ),
            ));
        }
        if clients.iter().any(|o: &ClientConfig| o.name == name) {
            return Err(cx.at(
                &c.name,
                format!("client group names must be distinct, found {name:?} twice"),
            ));
        }
        total += u64::from(c.count.value);
        if total > d::MAX_CLIENTS {
            return Err(cx.at_first(
                &[c.count.referenced, c.name.referenced],
                format!(
                    "too many clients: at most {} clients in all groups together, found {total} by the end of group {name:?}",
                    d::MAX_CLIENTS
                ),
            ));
        }
        if c.backoff_max < c.backoff_base {
            return Err(cx.at(&c.name, "backoff_max must be at least backoff_base"));
        }
        let custom = match &c.endpoint {
            EndpointSpec::Custom(e) => match endpoints.iter().position(|o| &o.name == e) {
                Some(k) => Some(k),
                None => {
                    let known: Vec<&str> = endpoints.iter().map(|o| o.name.as_str()).collect();
                    return Err(cx.at(
                        &c.name,
                        format!(
                            "client group {name:?} uses endpoint {e:?}, which is neither `cluster`, `reader` nor a custom endpoint of the scenario's `endpoints`{}",
                            if known.is_empty() {
                                String::new()
                            } else {
                                format!(" ({})", known.join(", "))
                            }
                        ),
                    ));
                }
            },
            _ => None,
        };
        let reader = c.endpoint != EndpointSpec::Cluster;
        let connection = match &c.connection {
            ConnectionSpec::Direct => Connection::Direct,
            ConnectionSpec::Pool(p) => Connection::Pool(PoolConfig {
                size: p.size,
                clients_per_pool: p.clients_per_pool.unwrap_or(c.count.value),
                acquire_timeout: p.acquire_timeout,
                validate: p.validate,
                validation_timeout: p.validation_timeout,
                max_lifetime: p.max_lifetime,
            }),
            ConnectionSpec::Proxy | ConnectionSpec::Driver(_) if reader => {
                return Err(cx.at(
                    &c.name,
                    format!(
                        "client group {name:?} uses the {} endpoint; a proxy or a topology-aware driver here stands in front of the writer only (use `connection: direct` or a pool)",
                        match &c.endpoint {
                            EndpointSpec::Custom(e) => e.as_str(),
                            _ => "reader",
                        }
                    ),
                ));
            }
            ConnectionSpec::Proxy => Connection::Proxy,
            ConnectionSpec::Driver(dr) => Connection::Driver(DriverConfig {
                topology_refresh: dr.topology_refresh,
                writer_reconnect_interval: dr.writer_reconnect_interval,
                failover_timeout: dr.failover_timeout,
                stale_dns_guard: dr.stale_dns_guard,
            }),
        };
        let az =
            c.az.as_ref()
                .map(|az| names.az_id(az))
                .transpose()?
                .unwrap_or(AzId(0));
        let forward = c
            .forward_writes
            .map(|f| forwarding(c, f, az, names))
            .transpose()?;
        clients.push(ClientConfig {
            name,
            count: c.count.value,
            reader,
            az,
            dns_cache: c.dns_cache,
            connect_timeout: c.connect_timeout,
            read_timeout: c.read_timeout,
            think_time: c.think_time,
            backoff_base: c.backoff_base,
            backoff_max: c.backoff_max,
            connection,
            forward,
            custom,
        });
    }
    Ok(clients)
}

/// A group's write forwarding: a session on a secondary region's reader
/// endpoint, in a region whose cluster forwards writes, connecting
/// straight to it (RDS Proxy does not support session consistency there,
/// \[UG\], and a topology-aware driver goes to the writer).
fn forwarding(
    c: &ClientSpec,
    f: ConsistencySpec,
    az: AzId,
    names: &Resolver,
) -> Result<Consistency, InputError> {
    let cx = names.cx;
    let name = &c.name.value;
    if c.endpoint != EndpointSpec::Reader {
        return Err(cx.at(
            &c.name,
            format!("client group {name:?} forwards writes, which a secondary region's reader does: give it `endpoint: reader`"),
        ));
    }
    let region = names.topology.region_of(az);
    let Some(k) = region.secondary() else {
        return Err(cx.at(
            &c.name,
            format!("client group {name:?} forwards writes from the primary region; write forwarding is a secondary region's (put the group in one of its AZs)"),
        ));
    };
    let g = names
        .global
        .expect("a secondary region is a global database's");
    if !g.secondaries[k].write_forwarding {
        return Err(cx.at(
            &c.name,
            format!(
                "client group {name:?} forwards writes from {:?}, whose cluster does not forward them; add `write_forwarding: true` to that region",
                g.secondaries[k].name
            ),
        ));
    }
    Ok(match f {
        ConsistencySpec::Eventual => Consistency::Eventual,
        ConsistencySpec::Session => Consistency::Session,
        ConsistencySpec::Global => Consistency::Global,
    })
}

fn storage(
    st: &StorageSpec,
    raw_topology: &TopologySpec,
    topology: &Topology,
    cx: &Ctx,
) -> Result<StorageConfig, InputError> {
    let (volume, segment) = (st.volume_gib.value, st.segment_gib.value);
    if volume < segment {
        return Err(cx.at_first(
            &[st.volume_gib.referenced, st.segment_gib.referenced],
            format!("expected a volume of at least one PG ({segment} GiB), found {volume} GiB"),
        ));
    }
    let azs = topology.azs_per_region as u32;
    let copies = st.copies.value;
    if !copies.is_multiple_of(azs) {
        return Err(cx.at_first(
            &[st.copies.referenced, raw_topology.azs.referenced],
            format!("expected copies to be a multiple of the {azs} AZs, found {copies}"),
        ));
    }
    let per_az = copies / azs;
    if per_az > topology.nodes_per_az {
        return Err(cx.at_first(
            &[
                st.copies.referenced,
                raw_topology.storage_nodes_per_az.referenced,
                raw_topology.azs.referenced,
            ],
            format!(
                "{per_az} copies per AZ need at least {per_az} storage nodes per AZ, the topology has {}",
                topology.nodes_per_az
            ),
        ));
    }
    let (w, r) = (st.write_quorum.value, st.read_quorum.value);
    let checked = match Quorum::new(copies, w, r) {
        Err(e) if st.unsafe_quorum && !matches!(e, QuorumError::OutOfRange { .. }) => {
            Ok(Quorum::unchecked(copies, w, r))
        }
        checked => checked,
    };
    let quorum = checked.map_err(|e| {
        cx.at_first(
            &[
                st.write_quorum.referenced,
                st.read_quorum.referenced,
                st.copies.referenced,
                raw_topology.azs.referenced,
            ],
            e.to_string(),
        )
    })?;
    Ok(StorageConfig {
        volume_gib: volume,
        segment_gib: segment,
        pgs: volume.div_ceil(segment) as u32,
        quorum,
        disk_latency: st.disk_latency,
        disk_jitter: st.disk_jitter,
        lsn_allocation_limit: st.lsn_allocation_limit.value,
        gossip_interval: st.gossip_interval,
        materialize_interval: st.materialize_interval,
        repair_after: st.repair_after,
        repair_gbps: st.repair_gbps,
        repair_placement: st.repair_placement,
        batches_in_flight: st.batches_in_flight,
        record_bytes: st.record_bytes,
        node_gbps: st.node_gbps,
        disk_gbps: st.disk_gbps,
        disk_iops: st.disk_iops,
    })
}

fn workload(
    wl: &WorkloadSpec,
    st: &StorageSpec,
    storage: &StorageConfig,
    cx: &Ctx,
) -> Result<WorkloadConfig, InputError> {
    let pages_per_pg = storage.segment_gib * KIB_PER_GIB / wl.page_kib as u64;
    let volume_pages = pages_per_pg * storage.pgs as u64;
    let ws = wl.working_set_gib.value;
    let working_set_pages = (ws * KIB_PER_GIB as f64 / wl.page_kib as f64).round() as u64;
    if working_set_pages == 0 || working_set_pages > volume_pages {
        return Err(cx.at_first(
            &[wl.working_set_gib.referenced, st.volume_gib.referenced],
            format!(
                "expected a working set larger than one page and at most the volume ({} GiB), found {ws}",
                storage.volume_gib
            ),
        ));
    }
    let (lal, records) = (st.lsn_allocation_limit.value, wl.records_per_commit.value);
    if lal < u64::from(records) {
        return Err(cx.at_first(
            &[
                st.lsn_allocation_limit.referenced,
                wl.records_per_commit.referenced,
            ],
            format!(
                "lsn_allocation_limit ({lal}) must fit at least one commit ({records} records), or no commit could ever start"
            ),
        ));
    }
    Ok(WorkloadConfig {
        commits_per_s: wl.open_loop.commits_per_s,
        reads_per_transaction: wl.reads_per_transaction,
        records_per_commit: records,
        working_set_pages,
        pages_per_pg,
        page_kib: wl.page_kib,
        reads_per_s: wl.open_loop.reads_per_s,
        group_commit_interval: wl.group_commit_interval,
        storage_read_timeout: wl.storage_read_timeout,
        write_retry_interval: wl.write_retry_interval,
        access: match wl.access {
            AccessSpec::Uniform => Access::Uniform,
            AccessSpec::Zipf(s) => Access::Zipf(s),
        },
    })
}

fn metrics(
    raw: &MetricsSpec,
    duration: &Spanned<SimDuration>,
    cx: &Ctx,
) -> Result<MetricsConfig, InputError> {
    let bin = raw.bin.value;
    let rows = duration.value.as_nanos() / bin.as_nanos();
    if rows > d::MAX_TIMELINE_ROWS {
        return Err(cx.at_first(
            &[raw.bin.referenced, duration.referenced],
            format!(
                "metrics.bin {bin} over a {} run makes {rows} timeline rows; at most {} are allowed",
                duration.value,
                d::MAX_TIMELINE_ROWS
            ),
        ));
    }
    Ok(MetricsConfig {
        bin,
        stall_threshold: raw.stall_threshold,
    })
}

fn faults(
    raw: &[FaultSpec],
    duration: &Spanned<SimDuration>,
    names: &Resolver,
) -> Result<Vec<Fault>, InputError> {
    // A green instance is the cluster's once a switchover has made it so.
    let switched_at = raw
        .iter()
        .filter_map(|f| match f {
            FaultSpec::BlueGreenSwitchover { at, .. } => Some(at.value),
            _ => None,
        })
        .min();
    raw.iter()
        .map(|f| {
            let (at, kind, lasting) = fault(f, names, switched_at)?;
            if at.value >= duration.value {
                return Err(names.cx.at(
                    at,
                    format!(
                        "fault at {} is not before the end of the run ({})",
                        at.value, duration.value
                    ),
                ));
            }
            Ok(Fault {
                at: SimTime::ZERO + at.value,
                kind,
                duration: lasting,
            })
        })
        .collect()
}

/// One fault's time (as written, for its location), kind and duration.
fn fault<'f>(
    f: &'f FaultSpec,
    names: &Resolver,
    switched_at: Option<SimDuration>,
) -> Result<(&'f Spanned<SimDuration>, FaultKind, Option<SimDuration>), InputError> {
    Ok(match f {
        FaultSpec::StorageNodeCrash {
            at,
            node,
            recover_after,
        } => (
            at,
            FaultKind::NodeCrash(names.node_id(node)?),
            *recover_after,
        ),
        FaultSpec::AzOutage { at, az, duration } => {
            (at, FaultKind::AzOutage(names.az_id(az)?), *duration)
        }
        FaultSpec::NetworkPartition {
            at,
            between,
            node,
            instance,
            from,
            duration,
        } => (
            at,
            partition(names, at, (between, node, instance), from)?,
            *duration,
        ),
        FaultSpec::WriterCrash { at, recover_after } => {
            (at, FaultKind::WriterCrash, *recover_after)
        }
        FaultSpec::InstanceCrash {
            at,
            instance,
            recover_after,
        } => (
            at,
            FaultKind::InstanceCrash(names.instance_id(instance)?),
            *recover_after,
        ),
        FaultSpec::InstanceReboot {
            at,
            instance,
            failover,
        } => (
            at,
            FaultKind::InstanceReboot(names.instance_id(instance)?, *failover),
            None,
        ),
        FaultSpec::Failover { at, target } => {
            let named = target.as_ref().map(|t| names.instance_id(t)).transpose()?;
            if let Some((t, spec)) = named.zip(target.as_ref()) {
                if names.instances[t.index()].environment != Environment::Blue
                    && switched_at.is_none_or(|s| at.value <= s)
                {
                    return Err(names.cx.at(
                        spec,
                        format!("{:?} is in the green environment; a failover goes to a reader of the production cluster (an earlier `blue_green_switchover` makes green production)", spec.value),
                    ));
                }
            }
            (at, FaultKind::Failover(named), None)
        }
        FaultSpec::BlueGreenSwitchover { at, timeout } => {
            let span = SimDuration::from_secs(30)..=SimDuration::from_secs(3600);
            if !span.contains(timeout) {
                return Err(names.cx.at(
                    at,
                    format!("a switchover timeout is from 30s to 1h ([UG] Switching a blue/green deployment), found {timeout}"),
                ));
            }
            if !names
                .instances
                .iter()
                .any(|i| i.environment == Environment::GreenWriter)
            {
                return Err(names.cx.at(
                    at,
                    "a blue/green switchover needs a green environment: give an instance `environment: green, role: writer` (and its readers `environment: green`)",
                ));
            }
            (
                at,
                FaultKind::BlueGreenSwitchover { timeout: *timeout },
                None,
            )
        }
        FaultSpec::EnginePatch { at, zero_downtime } => {
            (at, FaultKind::EnginePatch(*zero_downtime), None)
        }
        FaultSpec::OsUpdate { at } => (at, FaultKind::OsUpdate, None),
        FaultSpec::RegionOutage(r) => (
            &r.at,
            FaultKind::RegionOutage(names.region_id(&r.region)?),
            r.duration,
        ),
        FaultSpec::RegionPartition(r) => (
            &r.at,
            FaultKind::RegionPartition(names.region_id(&r.region)?),
            r.duration,
        ),
        FaultSpec::GlobalFailover(p) | FaultSpec::GlobalSwitchover(p) => {
            let switchover = matches!(f, FaultSpec::GlobalSwitchover(_));
            // Any region: a later promotion may bring the first primary
            // back; one that is the primary when it comes is refused then.
            let region = names.region_id(&p.region)?;
            (
                &p.at,
                FaultKind::RegionPromotion { region, switchover },
                None,
            )
        }
        FaultSpec::RegionSlowdown {
            at,
            region,
            factor,
            duration,
        } => (
            at,
            FaultKind::RegionSlowdown(names.region_id(region)?, *factor),
            *duration,
        ),
        FaultSpec::ClassChange {
            at,
            instance,
            class,
            promote,
        } => {
            let inst = names.instance_id(instance)?;
            if class.value == SERVERLESS || names.instances[inst.index()].acu.is_some() {
                return Err(names.cx.at(
                    class,
                    format!(
                        "a class change to or from `{SERVERLESS}` is not modelled: an Aurora Serverless v2 instance changes its capacity by itself"
                    ),
                ));
            }
            let kind = FaultKind::ClassChange {
                inst,
                class: class.value.clone(),
                spec: class_spec(class, names.cx)?,
                promote: *promote,
            };
            (at, kind, None)
        }
        FaultSpec::SlowNode {
            at,
            node,
            instance,
            factor,
            duration,
        } => {
            let kind = match (node, instance) {
                (Some(n), None) => FaultKind::SlowNode(names.node_id(n)?, *factor),
                (None, Some(i)) => FaultKind::SlowInstance(names.instance_id(i)?, *factor),
                _ => {
                    return Err(names.cx.at(
                        at,
                        "a slow_node names one `node: <node>` or `instance: <instance>`",
                    ))
                }
            };
            (at, kind, *duration)
        }
        FaultSpec::PacketLoss {
            at,
            node,
            az,
            instance,
            rate,
            duration,
        } => {
            let scope = match (node, az, instance) {
                (Some(n), None, None) => LossScope::Node(names.node_id(n)?),
                (None, Some(a), None) => LossScope::Az(names.az_id(a)?),
                (None, None, Some(i)) => LossScope::Instance(names.instance_id(i)?),
                (None, None, None) => LossScope::All,
                _ => {
                    return Err(names.cx.at(
                        at,
                        "packet_loss names at most one of a node, an AZ or an instance",
                    ))
                }
            };
            (at, FaultKind::PacketLoss(scope, *rate), *duration)
        }
    })
}

/// The three things a `network_partition` may name, as written.
type PartitionTargets<'a> = (
    &'a Option<Spanned<Vec<String>>>,
    &'a Option<Spanned<String>>,
    &'a Option<Spanned<String>>,
);

/// What a `network_partition` cuts: two AZs apart (`between`), a node
/// off, or an instance off from storage, the control plane or both.
/// Exactly one of the three; `from` only with an instance.
fn partition(
    names: &Resolver,
    at: &Spanned<SimDuration>,
    (between, node, instance): PartitionTargets,
    from: &Option<Spanned<Cut>>,
) -> Result<FaultKind, InputError> {
    if let (Some(f), None) = (from, instance) {
        return Err(names.cx.at(
            f,
            "`from` says what an `instance` is cut off from; name the instance",
        ));
    }
    Ok(match (between, node, instance) {
        (Some(pair), None, None) => {
            if pair.value.len() != 2 || pair.value[0] == pair.value[1] {
                return Err(names
                    .cx
                    .at(pair, "expected `between` to name two different AZs"));
            }
            let named = |i: usize| {
                Spanned::new(pair.value[i].clone(), pair.referenced, pair.defined)
            };
            FaultKind::PartitionAzs(names.az_id(&named(0))?, names.az_id(&named(1))?)
        }
        (None, Some(node), None) => FaultKind::IsolateNode(names.node_id(node)?),
        (None, None, Some(i)) => FaultKind::IsolateInstance(
            names.instance_id(i)?,
            from.as_ref().map_or(Cut::Everything, |f| f.value),
        ),
        _ => {
            return Err(names.cx.at(
                at,
                "a network_partition names one of `between: [az, az]`, `node: <node>` or `instance: <instance>`",
            ))
        }
    })
}

/// The global database: one to ten secondaries, every region named once.
fn global(raw: &GlobalSpec, cx: &Ctx) -> Result<GlobalConfig, InputError> {
    let primary = checked_name(raw.primary.value.trim(), &raw.primary, "a region name", cx)?;
    let list = &raw.secondaries;
    if list.value.is_empty() || list.value.len() > d::MAX_SECONDARY_REGIONS {
        return Err(cx.at(
            list,
            format!(
                "expected between 1 and {} secondary regions, found {}",
                d::MAX_SECONDARY_REGIONS,
                list.value.len()
            ),
        ));
    }
    let mut secondaries: Vec<RegionConfig> = Vec::with_capacity(list.value.len());
    for r in &list.value {
        let name = checked_name(r.name.value.trim(), &r.name, "a region name", cx)?;
        // Region names are case-insensitive (us-east-1 is US-EAST-1).
        let same = |other: &str| other.eq_ignore_ascii_case(&name);
        if same(&primary) || secondaries.iter().any(|s| same(&s.name)) {
            return Err(cx.at(
                &r.name,
                format!("region {name:?} is named twice; each region of a global database is a different one"),
            ));
        }
        secondaries.push(RegionConfig {
            name,
            rtt: r.rtt,
            jitter: r.jitter,
            bandwidth_gbps: r.bandwidth_gbps,
            write_forwarding: r.write_forwarding,
        });
    }
    Ok(GlobalConfig {
        primary,
        secondaries,
        rpo: raw.rpo,
        ship_interval: raw.ship_interval,
    })
}

fn control(raw: &ControlPlaneSpec) -> ControlConfig {
    ControlConfig {
        health_check_interval: raw.health_check_interval,
        failure_threshold: raw.failure_threshold,
        start: StartSteps {
            stop: step(raw.process_stop),
            engine_start: step(raw.engine_start),
            buffer_pool_gib_per_s: raw.buffer_pool_gib_per_s,
            rebuild: step(raw.rebuild),
            open: step(raw.open),
        },
        io_watchdog: raw.io_watchdog,
        provision_time: LogNormal::new(raw.provision_time, raw.provision_sigma),
        tie_break: raw.tie_break,
        os_update_time: raw.os_update_time,
    }
}

fn step(raw: StepSpec) -> LogNormal {
    LogNormal::new(raw.median, raw.sigma)
}

/// The proxy: its nodes' AZs must exist and be distinct.
fn proxy(raw: &ProxySpec, names: &Resolver) -> Result<ProxyConfig, InputError> {
    let azs = match &raw.azs {
        None => names.topology.region_azs(RegionId::PRIMARY).collect(),
        Some(list) => {
            if list.value.is_empty() {
                return Err(names.cx.at(list, "a proxy needs a node in at least one AZ"));
            }
            let mut azs: Vec<AzId> = Vec::new();
            for az in &list.value {
                let id = names.az_id(az)?;
                if azs.contains(&id) {
                    return Err(names.cx.at(
                        az,
                        format!(
                            "the proxy has one node per AZ; {:?} is listed twice",
                            az.value
                        ),
                    ));
                }
                let t = names.topology;
                if t.region_of(id) != RegionId::PRIMARY {
                    return Err(names.cx.at(
                        az,
                        format!(
                            "a proxy is in its cluster's region: name one of the primary region's AZs ({}), not {:?}",
                            t.azs[..t.azs_per_region].join(", "),
                            az.value
                        ),
                    ));
                }
                azs.push(id);
            }
            azs
        }
    };
    Ok(ProxyConfig {
        azs,
        max_connections_percent: raw.max_connections_percent,
        borrow_timeout: raw.borrow_timeout,
        max_queued: raw.max_queued,
        max_opening_per_s: raw.max_opening_per_s,
        pinned: raw.pinned,
        health_check_interval: raw.health_check_interval,
        failure_threshold: raw.failure_threshold,
        latency: step(raw.latency),
    })
}

fn engine(raw: &EngineSpec) -> EngineConfig {
    EngineConfig {
        cpu_per_record: raw.cpu_per_record,
        cpu_per_read: raw.cpu_per_read,
        apply_per_record: raw.apply_per_record,
        cluster_cache_management: raw.cluster_cache_management,
        read_availability: raw.read_availability,
        max_replica_lag: raw.max_replica_lag,
        cpu_per_connect: raw.cpu_per_connect,
        max_connections: raw.max_connections,
        zdp_quiet_wait: raw.zdp_quiet_wait,
    }
}

fn dns(raw: &DnsSpec) -> DnsConfig {
    DnsConfig {
        ttl: raw.ttl,
        update_delay: LogNormal::new(raw.update_delay, raw.update_sigma),
        empty_answers: raw.empty_answers,
    }
}

fn network(raw: &NetworkSpec) -> NetworkConfig {
    NetworkConfig {
        same_az_latency: raw.same_az_latency,
        cross_az_latency: raw.cross_az_latency,
        jitter: raw.jitter,
    }
}
