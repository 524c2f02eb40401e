//! Real clusters and experiments as scenarios: the JSON that `aws rds
//! describe-db-clusters` and `aws rds describe-db-instances` print becomes
//! a scenario's AZs and instances (class, tier, role), and an AWS FIS
//! experiment template (as `aws fis get-experiment-template` prints it, or
//! as `create-experiment-template` takes it) becomes its faults. What has
//! no counterpart in the format is said, not guessed: each such thing is
//! a [`Imported::notes`] line, and a comment at the top of the scenario.
//!
//! ```
//! use aurora_sim::scenario::import::{import, Sources};
//!
//! let clusters = r#"{"DBClusters": [{"DBClusterIdentifier": "prod",
//!   "Engine": "aurora-postgresql", "EngineVersion": "15.4",
//!   "AvailabilityZones": ["us-east-1a", "us-east-1b", "us-east-1c"],
//!   "DBClusterMembers": [
//!     {"DBInstanceIdentifier": "prod-1", "IsClusterWriter": true, "PromotionTier": 1},
//!     {"DBInstanceIdentifier": "prod-2", "IsClusterWriter": false, "PromotionTier": 0}]}]}"#;
//! let imported = import(&Sources { clusters, ..Sources::default() }).unwrap();
//! assert!(imported.yaml.contains("name: prod-2, az: us-east-1b, tier: 0"));
//! ```

use std::fmt::Write;
use std::path::Path;

use serde_json::Value;

use super::print::scalar;
use super::Scenario;
use crate::error::{InputError, Location};
use crate::model::compute::class::{HalfAcus, InstanceClass, SERVERLESS};
use crate::sim::SimDuration;

/// The JSON documents an import reads, with the file names errors give.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sources<'a> {
    /// `aws rds describe-db-clusters` output.
    pub clusters: &'a str,
    /// Its file, for messages.
    pub clusters_file: Option<&'a Path>,
    /// `aws rds describe-db-instances` output: each member's class and AZ.
    pub instances: Option<&'a str>,
    /// Its file.
    pub instances_file: Option<&'a Path>,
    /// An AWS FIS experiment template.
    pub fis: Option<&'a str>,
    /// Its file.
    pub fis_file: Option<&'a Path>,
    /// Which cluster of several (its `DBClusterIdentifier`); the only one
    /// when absent.
    pub cluster: Option<&'a str>,
}

/// A scenario made from real descriptions.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The scenario file: commented, valid, ready to run.
    pub yaml: String,
    /// What could not be mapped, or was filled in, one line each.
    pub notes: Vec<String>,
}

/// When the first FIS action starts when the template says nothing:
/// after a minute of steady state to compare with.
const FIRST_ACTION_S: f64 = 60.0;

/// How long a run goes on after the last action ends: a failover and the
/// clients' return fit in it.
const AFTER_LAST_S: f64 = 180.0;

/// Turns the descriptions into a scenario.
pub fn import(src: &Sources) -> Result<Imported, InputError> {
    let file = |f: Option<&Path>, default: &str| {
        f.map_or_else(|| Path::new(default).to_owned(), Path::to_owned)
    };
    let clusters_file = file(src.clusters_file, "describe-db-clusters.json");
    let clusters = parse(src.clusters, &clusters_file)?;
    let mut notes = Vec::new();
    let cluster = pick_cluster(&clusters, src.cluster, &clusters_file)?;
    let name = text(cluster, "DBClusterIdentifier").unwrap_or("imported-cluster");
    let engine_name = text(cluster, "Engine").unwrap_or("");
    if !engine_name.is_empty() && !engine_name.starts_with("aurora") {
        return Err(InputError::about_file(
            &clusters_file,
            format!(
                "cluster {name:?} runs {engine_name:?}, not Aurora: the simulator models Aurora's storage and failover only"
            ),
        ));
    }
    if let Some(mode) = text(cluster, "EngineMode").filter(|m| *m != "provisioned") {
        notes.push(format!(
            "engine mode {} is not modelled; the cluster is simulated as provisioned",
            plain(mode)
        ));
    }
    let instances = match src.instances {
        Some(doc) => {
            let f = file(src.instances_file, "describe-db-instances.json");
            let v = parse(doc, &f)?;
            if !v.get("DBInstances").is_some_and(Value::is_array) {
                return Err(InputError::about_file(
                    &f,
                    "expected the output of `aws rds describe-db-instances` (an object with DBInstances)".to_owned(),
                ));
            }
            Some(v)
        }
        None => None,
    };
    let azs: Vec<String> = texts(cluster, "AvailabilityZones")
        .map(str::to_owned)
        .collect();
    let range = serverless_range(cluster, &mut notes);
    let mut members = members(
        cluster,
        instances.as_ref(),
        &azs,
        range.is_some(),
        &mut notes,
    );
    if members.is_empty() {
        return Err(InputError::about_file(
            &clusters_file,
            format!("cluster {name:?} lists no DBClusterMembers to simulate"),
        ));
    }
    let azs = storage_azs(azs, &mut members, &mut notes);
    let faults = match src.fis {
        Some(doc) => {
            let fis_file = file(src.fis_file, "experiment-template.json");
            let template = parse(doc, &fis_file)?;
            let template = template.get("experimentTemplate").unwrap_or(&template);
            if !template.get("actions").is_some_and(Value::is_object) {
                return Err(InputError::about_file(
                    &fis_file,
                    "expected an FIS experiment template (an object with actions, as `aws fis get-experiment-template` prints it)".to_owned(),
                ));
            }
            let arn = text(cluster, "DBClusterArn");
            fis_faults(template, (name, arn), &members, &mut notes)
        }
        None => Vec::new(),
    };
    for (key, what) in [
        ("GlobalClusterIdentifier", "its global database"),
        ("CustomEndpoints", "its custom endpoints"),
    ] {
        if cluster
            .get(key)
            .is_some_and(|v| !v.is_null() && v != &Value::Array(vec![]))
        {
            notes.push(format!("{what} ({key}) is not imported"));
        }
    }
    notes.push(
        "clients are not part of the description: 50 clients on the cluster endpoint, in the writer's AZ, stand in for the application; set your own".to_owned(),
    );
    let engine = [text(cluster, "Engine"), text(cluster, "EngineVersion")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let range = range.filter(|_| {
        members
            .iter()
            .any(|m| m.class.as_deref() == Some(SERVERLESS))
    });
    let yaml = scenario_text(name, &engine, &azs, (&members, range), &faults, &notes);
    // What is written must run: check it as any scenario is checked.
    Scenario::parse(&yaml, Path::new(&format!("{name}.yaml"))).map_err(|e| {
        let why = e.to_string();
        let why = why
            .split_once(": ")
            .map_or(why.as_str(), |w| w.1)
            .to_owned();
        InputError::about_file(
            &clusters_file,
            format!("cluster {name:?} cannot be simulated as described: {why}"),
        )
    })?;
    Ok(Imported { yaml, notes })
}

/// The three AZs the volume's copies live in ([P17] §2.1: two in each of
/// three): the cluster's first three, then its members', then `a`, `b`,
/// `c` to make three. A member in another AZ is placed in one of them,
/// and a note says so.
fn storage_azs(
    listed: Vec<String>,
    members: &mut [Member],
    notes: &mut Vec<String>,
) -> Vec<String> {
    let mut azs: Vec<String> = Vec::new();
    for az in listed
        .into_iter()
        .chain(members.iter().map(|m| m.az.clone()))
    {
        if azs.len() < 3 && !az.trim().is_empty() && !azs.contains(&az) {
            azs.push(az);
        }
    }
    let own = azs.len();
    for d in ["a", "b", "c"] {
        if azs.len() < 3 && !azs.iter().any(|z| z == d) {
            azs.push(d.to_owned());
        }
    }
    if own < 3 {
        notes.push(format!(
            "the cluster names {own} AZ(s); Aurora keeps its copies in three, so the scenario adds {}",
            azs[own..].join(", ")
        ));
    }
    for (k, m) in members.iter_mut().enumerate() {
        if !azs.contains(&m.az) {
            let to = azs[k % azs.len()].clone();
            notes.push(format!(
                "{}: in {}, beyond the three AZs the volume lives in ({}); placed in {to}",
                m.name,
                m.az,
                azs.join(", ")
            ));
            m.az = to;
        }
    }
    azs
}

/// Text from the input as it may stand in a comment or a folded line:
/// control characters (a line break would start a YAML key) as spaces.
fn plain(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// A JSON document, or where it stops being one.
fn parse(doc: &str, file: &Path) -> Result<Value, InputError> {
    let doc = doc.strip_prefix('\u{feff}').unwrap_or(doc);
    serde_json::from_str(doc).map_err(|e| InputError::Scenario {
        location: Location {
            file: file.to_owned(),
            line: e.line() as u64,
            column: e.column() as u64,
        },
        message: format!("not the JSON the AWS CLI prints: {e}"),
    })
}

fn text<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key).and_then(Value::as_str)
}

/// The strings in `v`'s array `key` (none if it has none).
fn texts<'v>(v: &'v Value, key: &str) -> impl Iterator<Item = &'v str> {
    v.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
}

/// The cluster asked for, or the only one.
fn pick_cluster<'v>(
    doc: &'v Value,
    id: Option<&str>,
    file: &Path,
) -> Result<&'v Value, InputError> {
    let all = doc
        .get("DBClusters")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            InputError::about_file(
                file,
                "expected the output of `aws rds describe-db-clusters` (an object with DBClusters)"
                    .to_owned(),
            )
        })?;
    let ids: Vec<&str> = all
        .iter()
        .filter_map(|c| text(c, "DBClusterIdentifier"))
        .collect();
    match id {
        Some(id) => all
            .iter()
            .find(|c| text(c, "DBClusterIdentifier") == Some(id))
            .ok_or_else(|| {
                InputError::about_file(
                    file,
                    format!("no cluster {id:?}; the file has {}", ids.join(", ")),
                )
            }),
        None => match all.as_slice() {
            [one] => Ok(one),
            [] => Err(InputError::about_file(
                file,
                "DBClusters is empty".to_owned(),
            )),
            _ => Err(InputError::about_file(
                file,
                format!(
                    "the file has {} clusters ({}); name one with --cluster",
                    all.len(),
                    ids.join(", ")
                ),
            )),
        },
    }
}

/// The cluster's Aurora Serverless v2 capacity range
/// (`ServerlessV2ScalingConfiguration`), if it has one the format can
/// hold: half steps from 0 to 256 ACU, a maximum of at least 1.
fn serverless_range(cluster: &Value, notes: &mut Vec<String>) -> Option<(f64, f64)> {
    let c = cluster
        .get("ServerlessV2ScalingConfiguration")
        .filter(|v| !v.is_null())?;
    let acu = |key: &str| c.get(key).and_then(Value::as_f64);
    let limit = super::defaults::ACU;
    let half = |v: f64| HalfAcus::of(v).is_some() && (limit.min..=limit.max).contains(&v);
    match (acu("MinCapacity"), acu("MaxCapacity")) {
        (Some(min), Some(max)) if half(min) && half(max) && max >= 1.0 && min <= max => {
            Some((min, max))
        }
        _ => {
            notes.push(
                "its ServerlessV2ScalingConfiguration is not a range of half ACUs from 0 to 256 (a maximum of at least 1); db.serverless instances take the default class".to_owned(),
            );
            None
        }
    }
}

/// One instance of the cluster, as the scenario writes it.
#[derive(Debug, Clone)]
struct Member {
    name: String,
    az: String,
    class: Option<String>,
    tier: u8,
    writer: bool,
}

/// The cluster's members, with their class and AZ from the instances'
/// description where it has them.
fn members(
    cluster: &Value,
    instances: Option<&Value>,
    azs: &[String],
    serverless: bool,
    notes: &mut Vec<String>,
) -> Vec<Member> {
    let described = |id: &str| {
        instances?
            .get("DBInstances")?
            .as_array()?
            .iter()
            .find(|i| text(i, "DBInstanceIdentifier") == Some(id))
    };
    let list = cluster
        .get("DBClusterMembers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut out = Vec::new();
    let mut writers = 0;
    for (k, m) in list.iter().enumerate() {
        let Some(id) = text(m, "DBInstanceIdentifier") else {
            notes.push(format!(
                "member {k} has no DBInstanceIdentifier and is left out"
            ));
            continue;
        };
        let described = described(id);
        let tier = match m
            .get("PromotionTier")
            .or_else(|| described.and_then(|d| d.get("PromotionTier")))
        {
            None => 1,
            Some(t) => match t.as_u64() {
                Some(t) if t <= 15 => t as u8,
                _ => {
                    notes.push(format!(
                        "{id}: PromotionTier {t} is not a tier from 0 to 15; tier 1, Aurora's default, stands in"
                    ));
                    1
                }
            },
        };
        let claims = m
            .get("IsClusterWriter")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if claims && writers > 0 {
            notes.push(format!(
                "{id}: a second member marked IsClusterWriter; a cluster has one writer, so it is a reader here"
            ));
        }
        let writer = claims && writers == 0;
        writers += usize::from(writer);
        let az = described
            .and_then(|d| text(d, "AvailabilityZone"))
            .map(str::to_owned)
            .unwrap_or_else(|| {
                let az = azs
                    .get(k % azs.len().max(1))
                    .cloned()
                    .unwrap_or_else(|| "a".to_owned());
                notes.push(format!(
                    "{id}: no AvailabilityZone described; placed in {az}"
                ));
                az
            });
        let class = match described.and_then(|d| text(d, "DBInstanceClass")) {
            Some(c) if InstanceClass::parse(c).is_some() => Some(c.to_owned()),
            Some(SERVERLESS) if serverless => Some(SERVERLESS.to_owned()),
            Some(c) => {
                notes.push(format!(
                    "{id}: class {c} is not in the simulator's table{}; the default class ({}) stands in",
                    if c == SERVERLESS {
                        " without the cluster's ServerlessV2ScalingConfiguration"
                    } else {
                        ""
                    },
                    super::defaults::instance_class()
                ));
                None
            }
            None => {
                if instances.is_some() {
                    notes.push(format!(
                        "{id}: not in the instances' description; the default class stands in"
                    ));
                }
                None
            }
        };
        out.push(Member {
            name: id.to_owned(),
            az,
            class,
            tier,
            writer,
        });
    }
    if instances.is_none() && !out.is_empty() {
        notes.push("no describe-db-instances output given: every instance has the default class and its AZ is guessed".to_owned());
    }
    if writers == 0 {
        if let Some(first) = out.first_mut() {
            notes.push(format!(
                "no member is the writer (IsClusterWriter); {} is taken as it",
                first.name
            ));
            first.writer = true;
        }
    }
    out
}

/// One FIS action, resolved to when it starts and how long it lasts.
struct Action<'v> {
    name: &'v str,
    id: &'v str,
    params: Option<&'v Value>,
    targets: Option<&'v Value>,
    after: Vec<&'v str>,
    duration_s: f64,
}

/// The resources an action's target names, as identifiers (the ARN's
/// last part), after its selection mode; notes what it cannot resolve.
fn targeted(
    a: &Action,
    key: &str,
    all: Option<&serde_json::Map<String, Value>>,
    notes: &mut Vec<String>,
) -> Vec<String> {
    let Some(t) = a.targets.and_then(|t| text(t, key)) else {
        return Vec::new();
    };
    let Some(target) = all.and_then(|all| all.get(t)) else {
        notes.push(format!(
            "{}: target {t:?} is not in the template's targets",
            plain(a.name)
        ));
        return Vec::new();
    };
    let by_tags = target.get("resourceTags").is_some()
        || target
            .get("filters")
            .is_some_and(|f| f != &Value::Array(vec![]));
    if by_tags && target.get("resourceArns").is_none() {
        notes.push(format!(
            "{}: target {t:?} selects by tags or filters, which need the live account to resolve; not mapped",
            plain(a.name)
        ));
        return Vec::new();
    }
    let ids: Vec<String> = texts(target, "resourceArns")
        .filter_map(|arn| arn.rsplit(':').next())
        .map(str::to_owned)
        .collect();
    let mode = text(target, "selectionMode").unwrap_or("ALL");
    let keep = |n: usize| -> usize {
        let inside = |s: &str, p: &str| {
            s.strip_prefix(p)?
                .strip_suffix(')')?
                .trim()
                .parse::<f64>()
                .ok()
        };
        match mode {
            "ALL" => n,
            m => match (inside(m, "COUNT("), inside(m, "PERCENT(")) {
                (Some(c), _) => (c.max(0.0) as usize).min(n),
                (_, Some(p)) => ((p.clamp(0.0, 100.0) / 100.0 * n as f64).ceil() as usize).min(n),
                _ => n,
            },
        }
    };
    let k = keep(ids.len());
    if k < ids.len() {
        notes.push(format!(
            "{}: selection mode {} picks {k} of {} resources at random; the first {k} listed are taken",
            plain(a.name),
            plain(mode),
            ids.len()
        ));
    }
    ids.into_iter().take(k).collect()
}

/// The template's actions as faults (`kind: { fields }` entries), in the
/// order they start; what does not map is noted. `(name, arn)` is the
/// cluster's.
fn fis_faults(
    doc: &Value,
    (cluster, arn): (&str, Option<&str>),
    members: &[Member],
    notes: &mut Vec<String>,
) -> Vec<(f64, String)> {
    let actions = doc
        .get("actions")
        .and_then(Value::as_object)
        .expect("checked: actions");
    let list: Vec<Action> = actions
        .iter()
        .map(|(name, a)| {
            let params = a.get("parameters");
            let id = text(a, "actionId").unwrap_or("");
            let duration = params.and_then(|p| p.get("duration"));
            let duration_s = match duration {
                None => {
                    if matches!(id, "aws:fis:wait" | "aws:network:disrupt-connectivity") {
                        notes.push(format!("{}: no duration given; it takes none here", plain(name)));
                    }
                    0.0
                }
                Some(d) => d.as_str().and_then(iso_duration_s).unwrap_or_else(|| {
                    notes.push(format!(
                        "{}: duration {d} is not an ISO 8601 duration of hours, minutes and seconds (PT5M); it takes none here",
                        plain(name)
                    ));
                    0.0
                }),
            };
            let after = match a.get("startAfter") {
                None => Vec::new(),
                Some(Value::Array(v)) => v.iter().filter_map(Value::as_str).collect(),
                Some(other) => {
                    notes.push(format!("{}: startAfter {other} is not a list of action names; ignored", plain(name)));
                    Vec::new()
                }
            };
            Action {
                name,
                id,
                params,
                targets: a.get("targets"),
                after,
                duration_s,
            }
        })
        .collect();
    let starts = start_times(&list, notes);
    let target_resources = doc.get("targets").and_then(Value::as_object);
    let ours = |id: &str| members.iter().find(|m| m.name.eq_ignore_ascii_case(id));
    let mut faults = Vec::new();
    for (a, &at) in list.iter().zip(&starts) {
        let name = plain(a.name);
        match a.id {
            "aws:rds:failover-db-cluster" => {
                let named = targeted(a, "Clusters", target_resources, notes);
                let this = |t: &String| {
                    t.eq_ignore_ascii_case(cluster)
                        || arn.is_some_and(|arn| arn.rsplit(':').next() == Some(t.as_str()))
                };
                if named.iter().any(this) {
                    faults.push((at, format!("failover: {{ at: {} }}", secs(at))));
                } else {
                    notes.push(format!(
                        "{name}: fails over {named:?}, not this cluster; not mapped"
                    ));
                }
            }
            "aws:rds:reboot-db-instances" => {
                let failover = a
                    .params
                    .and_then(|p| p.get("forceFailover"))
                    .is_some_and(|f| f.as_str() == Some("true") || f.as_bool() == Some(true));
                let named = targeted(a, "DBInstances", target_resources, notes);
                let others: Vec<&String> = named.iter().filter(|n| ours(n).is_none()).collect();
                if !others.is_empty() {
                    notes.push(format!(
                        "{name}: {others:?} are not instances of this cluster; not rebooted"
                    ));
                }
                for m in named.iter().filter_map(|n| ours(n)) {
                    let failover = if failover { ", failover: true" } else { "" };
                    faults.push((
                        at,
                        format!(
                            "instance_reboot: {{ at: {}, instance: {}{failover} }}",
                            secs(at),
                            scalar(&m.name)
                        ),
                    ));
                }
            }
            "aws:network:disrupt-connectivity" => {
                let scope = a.params.and_then(|p| text(p, "scope")).unwrap_or("all");
                if scope != "all" {
                    notes.push(format!("{name}: scope {} cuts only some traffic, which the scenario format cannot say; not mapped", plain(scope)));
                    continue;
                }
                let azs = subnet_azs(a, target_resources);
                if azs.is_empty() {
                    notes.push(format!(
                        "{name}: the subnets' AZs are not in the template (add a filter on AvailabilityZone); not mapped"
                    ));
                    continue;
                }
                let hit: Vec<&Member> = members.iter().filter(|m| azs.contains(&m.az)).collect();
                if hit.is_empty() {
                    notes.push(format!(
                        "{name}: no instance of this cluster is in {azs:?}; nothing to cut"
                    ));
                    continue;
                }
                notes.push(format!(
                    "{name}: a subnet's connectivity cut is modelled as its instances cut off from storage and the control plane; their clients still reach them, and storage nodes (outside your subnets) are untouched"
                ));
                for m in hit {
                    faults.push((
                        at,
                        format!(
                            "network_partition: {{ at: {}, instance: {}, duration: {} }}",
                            secs(at),
                            scalar(&m.name),
                            secs(a.duration_s.max(0.001))
                        ),
                    ));
                }
            }
            "aws:fis:wait" => {}
            other => notes.push(format!(
                "{name}: action {} has no counterpart in the scenario format; not mapped",
                plain(other)
            )),
        }
    }
    if doc
        .get("stopConditions")
        .and_then(Value::as_array)
        .is_some_and(|s| s.iter().any(|c| text(c, "source") != Some("none")))
    {
        notes.push(
            "the template's stop conditions (CloudWatch alarms) are not simulated".to_owned(),
        );
    }
    faults.sort_by(|a, b| a.0.total_cmp(&b.0));
    faults
}

/// Each action's start: after every action it names in `startAfter` has
/// ended (FIS's order), the first at [`FIRST_ACTION_S`]. Each action is
/// settled once, after those it waits for.
fn start_times(list: &[Action], notes: &mut Vec<String>) -> Vec<f64> {
    let index: std::collections::BTreeMap<&str, usize> =
        list.iter().enumerate().map(|(i, a)| (a.name, i)).collect();
    for a in list {
        for dep in &a.after {
            if !index.contains_key(dep) {
                notes.push(format!(
                    "{}: starts after {:?}, which is not an action of the template; ignored",
                    plain(a.name),
                    plain(dep)
                ));
            }
        }
    }
    // Depth-first, without recursion: 0 unvisited, 1 on the path, 2 done.
    let mut state = vec![0u8; list.len()];
    let mut start = vec![FIRST_ACTION_S; list.len()];
    for root in 0..list.len() {
        let mut stack = vec![(root, 0usize)];
        while let Some((i, next)) = stack.pop() {
            if next == 0 {
                if state[i] == 2 {
                    continue;
                }
                state[i] = 1;
            }
            let deps: Vec<usize> = list[i]
                .after
                .iter()
                .filter_map(|d| index.get(d).copied())
                .collect();
            if let Some(&j) = deps.get(next) {
                stack.push((i, next + 1));
                match state[j] {
                    0 => stack.push((j, 0)),
                    1 => notes.push(format!(
                        "{}: its startAfter chain loops back to {}; that link is ignored",
                        plain(list[i].name),
                        plain(list[j].name)
                    )),
                    _ => {}
                }
                continue;
            }
            start[i] = deps
                .iter()
                .filter(|&&j| state[j] == 2)
                .map(|&j| start[j] + list[j].duration_s)
                .fold(FIRST_ACTION_S, f64::max);
            state[i] = 2;
        }
    }
    start
}

/// The AZs a network action's subnets are in, from the target's filters.
fn subnet_azs(a: &Action, targets: Option<&serde_json::Map<String, Value>>) -> Vec<String> {
    let Some(t) = a.targets.and_then(|t| text(t, "Subnets")) else {
        return Vec::new();
    };
    targets
        .and_then(|all| all.get(t))
        .and_then(|t| t.get("filters"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|f| text(f, "path").is_some_and(|p| p.ends_with("AvailabilityZone")))
        .flat_map(|f| texts(f, "values"))
        .map(str::to_owned)
        .collect()
}

/// An ISO 8601 duration as FIS writes it (`PT5M`, `PT90S`, `PT1H30M`), in
/// seconds.
fn iso_duration_s(s: &str) -> Option<f64> {
    let rest = s.strip_prefix("PT")?;
    let mut total = 0.0;
    let mut number = String::new();
    for c in rest.chars() {
        match c {
            '0'..='9' | '.' => number.push(c),
            'H' | 'M' | 'S' => {
                let v: f64 = number.parse().ok()?;
                total += v * match c {
                    'H' => 3600.0,
                    'M' => 60.0,
                    _ => 1.0,
                };
                number.clear();
            }
            _ => return None,
        }
    }
    number.is_empty().then_some(total)
}

/// Seconds as a scenario duration, to the millisecond, in the largest
/// unit that divides it (`90s`, `4m`).
fn secs(s: f64) -> String {
    SimDuration::from_millis((s * 1e3).round() as u64).to_string()
}

/// The scenario file.
fn scenario_text(
    name: &str,
    engine: &str,
    azs: &[String],
    (members, serverless): (&[Member], Option<(f64, f64)>),
    faults: &[(f64, String)],
    notes: &[String],
) -> String {
    let mut y = String::from("# Imported by `aurora-sim import`. Not mapped, or filled in:\n");
    for n in notes {
        let _ = writeln!(y, "#   - {}", plain(n));
    }
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let _ = writeln!(y, "name: {}", scalar(&safe));
    let _ = writeln!(
        y,
        "description: >\n  Imported from cluster {}{}: {} as described{}.",
        plain(name),
        if engine.is_empty() {
            String::new()
        } else {
            format!(" ({})", plain(engine))
        },
        crate::metrics::units::count(members.len(), "instance", "instances"),
        if faults.is_empty() {
            ""
        } else {
            ", and the FIS experiment's actions as faults"
        }
    );
    let last = faults.iter().map(|f| f.0).fold(0.0, f64::max);
    let _ = writeln!(
        y,
        "duration: {}",
        secs((last + AFTER_LAST_S).max(AFTER_LAST_S))
    );
    let list: Vec<String> = azs.iter().map(|z| scalar(z)).collect();
    let _ = writeln!(y, "topology:\n  azs: [{}]", list.join(", "));
    if let Some((min, max)) = serverless {
        let _ = writeln!(y, "serverless: {{ min_acu: {min}, max_acu: {max} }}");
    }
    y.push_str("instances:\n");
    for m in members {
        let mut fields = vec![
            format!("name: {}", scalar(&m.name)),
            format!("az: {}", scalar(&m.az)),
        ];
        if let Some(c) = &m.class {
            fields.push(format!("class: {c}"));
        }
        fields.push(format!("tier: {}", m.tier));
        if m.writer {
            fields.push("role: writer".to_owned());
        }
        let _ = writeln!(y, "  - {{ {} }}", fields.join(", "));
    }
    let writer_az = members
        .iter()
        .find(|m| m.writer)
        .map_or("a", |m| m.az.as_str());
    let _ = writeln!(
        y,
        "clients:\n  - {{ name: app, count: 50, az: {}, think_time: 7ms, connect_timeout: 2s, read_timeout: 5s }}",
        scalar(writer_az)
    );
    if !faults.is_empty() {
        y.push_str("faults:\n");
        for (_, f) in faults {
            let _ = writeln!(y, "  - {f}");
        }
    }
    y.push_str("expect:\n  max_lost_commits: 0\n  max_split_brain_commits: 0\n");
    y
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLUSTER: &str = r#"{"DBClusters": [{"DBClusterIdentifier": "c1", "Engine": "aurora-mysql",
        "DBClusterArn": "arn:aws:rds:us-east-1:1:cluster:c1",
        "AvailabilityZones": ["x", "y", "z"],
        "DBClusterMembers": [
          {"DBInstanceIdentifier": "w", "IsClusterWriter": true},
          {"DBInstanceIdentifier": "r1", "IsClusterWriter": false},
          {"DBInstanceIdentifier": "r2", "IsClusterWriter": true}]}]}"#;

    fn with_fis(fis: &str) -> Imported {
        import(&Sources {
            clusters: CLUSTER,
            fis: Some(fis),
            ..Sources::default()
        })
        .expect("imports")
    }

    #[test]
    fn only_what_aims_at_this_cluster_is_mapped_and_the_rest_is_said() {
        let fis = r#"{"targets": {
            "other": {"resourceType": "aws:rds:cluster", "resourceArns": ["arn:aws:rds:us-east-1:1:cluster:c2"]},
            "mine": {"resourceType": "aws:rds:cluster", "resourceArns": ["arn:aws:rds:us-east-1:1:cluster:c1"]},
            "dbs": {"resourceType": "aws:rds:db", "selectionMode": "COUNT(1)",
                    "resourceArns": ["arn:aws:rds:us-east-1:1:db:R1", "arn:aws:rds:us-east-1:1:db:w"]}},
          "actions": {
            "a": {"actionId": "aws:rds:failover-db-cluster", "targets": {"Clusters": "other"}},
            "b": {"actionId": "aws:rds:failover-db-cluster", "targets": {"Clusters": "mine"}, "startAfter": ["wait"]},
            "wait": {"actionId": "aws:fis:wait", "parameters": {"duration": "PT90S"}},
            "c": {"actionId": "aws:rds:reboot-db-instances", "targets": {"DBInstances": "dbs"}, "startAfter": ["nope"]}}}"#;
        let i = with_fis(fis);
        assert!(i.yaml.contains("- failover: { at: 150s }"), "{}", i.yaml);
        assert_eq!(i.yaml.matches("failover:").count(), 1, "{}", i.yaml);
        // COUNT(1) takes the first listed; identifiers match in any case.
        assert!(
            i.yaml
                .contains("- instance_reboot: { at: 1m, instance: r1 }"),
            "{}",
            i.yaml
        );
        assert!(!i.yaml.contains("instance: w }"), "{}", i.yaml);
        for said in [
            "not this cluster",
            "COUNT(1)",
            "\"nope\"",
            "a second member marked IsClusterWriter",
        ] {
            assert!(
                i.notes.iter().any(|n| n.contains(said)),
                "{said}: {:?}",
                i.notes
            );
        }
    }

    #[test]
    fn text_from_the_input_cannot_add_a_key_to_the_scenario() {
        let fis = r#"{"actions": {"x\nseed: 42 #": {"actionId": "aws:ec2:stop-instances"}}}"#;
        let i = with_fis(fis);
        assert!(!i.yaml.lines().any(|l| l.starts_with("seed")), "{}", i.yaml);
    }

    #[test]
    fn a_cluster_that_is_not_aurora_is_refused() {
        let neptune = CLUSTER.replace("aurora-mysql", "neptune");
        let e = import(&Sources {
            clusters: &neptune,
            ..Sources::default()
        })
        .unwrap_err();
        assert!(e.to_string().contains("not Aurora"), "{e}");
    }

    #[test]
    fn fis_durations_read_as_seconds() {
        assert_eq!(iso_duration_s("PT5M"), Some(300.0));
        assert_eq!(iso_duration_s("PT1H30M"), Some(5400.0));
        assert_eq!(iso_duration_s("PT90S"), Some(90.0));
        assert_eq!(iso_duration_s("PT2.5S"), Some(2.5));
        assert_eq!(iso_duration_s("P1D"), None);
        assert_eq!(iso_duration_s("PT5"), None);
    }
}
