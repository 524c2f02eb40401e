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
//! assert!(imported.yaml.contains("name: prod-2, az: us-east-1a"));
//! ```

use std::fmt::Write;
use std::path::Path;

use serde_json::Value;

use super::print::scalar;
use super::Scenario;
use crate::error::{InputError, Location};
use crate::model::compute::class::InstanceClass;
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
    let instances = match src.instances {
        Some(doc) => Some(parse(
            doc,
            &file(src.instances_file, "describe-db-instances.json"),
        )?),
        None => None,
    };
    let azs: Vec<String> = cluster
        .get("AvailabilityZones")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let members = members(cluster, instances.as_ref(), &azs, &mut notes);
    if members.is_empty() {
        return Err(InputError::about_file(
            &clusters_file,
            format!("cluster {name:?} lists no DBClusterMembers to simulate"),
        ));
    }
    let mut azs = azs;
    for m in &members {
        if !azs.contains(&m.az) {
            azs.push(m.az.clone());
        }
    }
    if azs.len() < 3 {
        notes.push(format!(
            "the cluster names {} AZ(s); Aurora keeps its six copies in three, so the scenario uses the default AZs a, b, c beside them",
            azs.len()
        ));
    }
    let faults = match src.fis {
        Some(doc) => {
            let fis_file = file(src.fis_file, "experiment-template.json");
            fis_faults(&parse(doc, &fis_file)?, &members, &mut notes)
        }
        None => Vec::new(),
    };
    for (key, what) in [
        ("GlobalClusterIdentifier", "its global database"),
        ("CustomEndpoints", "its custom endpoints"),
        (
            "ServerlessV2ScalingConfiguration",
            "its Serverless v2 scaling",
        ),
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
    let yaml = scenario_text(name, &engine, &azs, &members, &faults, &notes);
    // What is written must run: check it as any scenario is checked.
    Scenario::parse(&yaml, Path::new(&format!("{name}.yaml"))).map_err(|e| {
        InputError::about_file(
            &clusters_file,
            format!("the imported scenario is not valid ({e}); please report this"),
        )
    })?;
    Ok(Imported { yaml, notes })
}

/// A JSON document, or where it stops being one.
fn parse(doc: &str, file: &Path) -> Result<Value, InputError> {
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
        let tier = m
            .get("PromotionTier")
            .or_else(|| described.and_then(|d| d.get("PromotionTier")))
            .and_then(Value::as_u64)
            .unwrap_or(1)
            .min(15) as u8;
        let writer = m
            .get("IsClusterWriter")
            .and_then(Value::as_bool)
            .unwrap_or(false)
            && writers == 0;
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
            Some(c) => {
                notes.push(format!(
                    "{id}: class {c} is not in the simulator's table (Serverless v2 is not modelled); the default class stands in"
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

/// The template's actions as faults (`kind: { fields }` entries), in the
/// order they start; what does not map is noted.
fn fis_faults(doc: &Value, members: &[Member], notes: &mut Vec<String>) -> Vec<(f64, String)> {
    let doc = doc.get("experimentTemplate").unwrap_or(doc);
    let Some(actions) = doc.get("actions").and_then(Value::as_object) else {
        notes.push("the FIS template has no actions".to_owned());
        return Vec::new();
    };
    let list: Vec<Action> = actions
        .iter()
        .map(|(name, a)| {
            let params = a.get("parameters");
            let duration_s = params
                .and_then(|p| text(p, "duration"))
                .and_then(iso_duration_s)
                .unwrap_or(0.0);
            Action {
                name,
                id: text(a, "actionId").unwrap_or(""),
                params,
                targets: a.get("targets"),
                after: a
                    .get("startAfter")
                    .and_then(Value::as_array)
                    .map(|v| v.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default(),
                duration_s,
            }
        })
        .collect();
    let starts = start_times(&list, notes);
    let target_resources = doc.get("targets").and_then(Value::as_object);
    let mut faults = Vec::new();
    for (a, &at) in list.iter().zip(&starts) {
        let resources = |key: &str| -> Vec<String> {
            let Some(t) = a.targets.and_then(|t| text(t, key)) else {
                return Vec::new();
            };
            target_resources
                .and_then(|all| all.get(t))
                .and_then(|t| t.get("resourceArns"))
                .and_then(Value::as_array)
                .map(|arns| {
                    arns.iter()
                        .filter_map(Value::as_str)
                        .filter_map(|arn| arn.rsplit(':').next())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default()
        };
        match a.id {
            "aws:rds:failover-db-cluster" => {
                faults.push((at, format!("failover: {{ at: {} }}", secs(at))))
            }
            "aws:rds:reboot-db-instances" => {
                let failover = a
                    .params
                    .and_then(|p| p.get("forceFailover"))
                    .is_some_and(|f| f.as_str() == Some("true") || f.as_bool() == Some(true));
                let named = resources("DBInstances");
                let hit: Vec<&Member> =
                    members.iter().filter(|m| named.contains(&m.name)).collect();
                if hit.is_empty() {
                    notes.push(format!(
                        "{}: reboots no instance of this cluster (targets {named:?})",
                        a.name
                    ));
                }
                for m in hit {
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
                let azs = subnet_azs(a, target_resources);
                if azs.is_empty() {
                    notes.push(format!(
                        "{}: the subnets' AZs are not in the template (add a filter on AvailabilityZone); not mapped",
                        a.name
                    ));
                }
                let hit: Vec<&Member> = members.iter().filter(|m| azs.contains(&m.az)).collect();
                if !azs.is_empty() {
                    notes.push(format!(
                        "{}: a subnet's connectivity cut is modelled as its instances cut off from storage and the control plane; their clients still reach them, and storage nodes (outside your subnets) are untouched",
                        a.name
                    ));
                }
                for m in hit {
                    faults.push((
                        at,
                        format!(
                            "network_partition: {{ at: {}, instance: {}, duration: {} }}",
                            secs(at),
                            scalar(&m.name),
                            secs(a.duration_s.max(1.0))
                        ),
                    ));
                }
            }
            "aws:fis:wait" => {}
            other => notes.push(format!(
                "{}: action {other} has no counterpart in the scenario format; not mapped",
                a.name
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
/// ended (FIS's order), the first at [`FIRST_ACTION_S`].
fn start_times(list: &[Action], notes: &mut Vec<String>) -> Vec<f64> {
    let mut start: Vec<Option<f64>> = vec![None; list.len()];
    // Each pass settles at least one action unless the rest wait on a
    // cycle or on a name that does not exist.
    for _ in 0..=list.len() {
        for i in 0..list.len() {
            if start[i].is_some() {
                continue;
            }
            let mut at = FIRST_ACTION_S;
            let mut ready = true;
            for dep in &list[i].after {
                match list
                    .iter()
                    .position(|a| a.name == *dep)
                    .map(|j| (j, start[j]))
                {
                    Some((j, Some(s))) => at = at.max(s + list[j].duration_s),
                    Some((_, None)) => ready = false,
                    None => {}
                }
            }
            if ready {
                start[i] = Some(at);
            }
        }
    }
    start
        .into_iter()
        .zip(list)
        .map(|(s, a)| {
            s.unwrap_or_else(|| {
                notes.push(format!(
                    "{}: its startAfter chain never starts; placed at the first action's time",
                    a.name
                ));
                FIRST_ACTION_S
            })
        })
        .collect()
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
        .filter_map(|f| f.get("values").and_then(Value::as_array))
        .flatten()
        .filter_map(Value::as_str)
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
    members: &[Member],
    faults: &[(f64, String)],
    notes: &[String],
) -> String {
    let mut y = String::from("# Imported by `aurora-sim import`. Not mapped, or filled in:\n");
    for n in notes {
        let _ = writeln!(y, "#   - {n}");
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
        "description: >\n  Imported from cluster {name}{}: {} as described{}.",
        if engine.is_empty() {
            String::new()
        } else {
            format!(" ({engine})")
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
    let mut zones: Vec<String> = azs.to_vec();
    for d in ["a", "b", "c"] {
        if zones.len() >= 3 {
            break;
        }
        if !zones.iter().any(|z| z == d) {
            zones.push(d.to_owned());
        }
    }
    let list: Vec<String> = zones.iter().map(|z| scalar(z)).collect();
    let _ = writeln!(y, "topology:\n  azs: [{}]", list.join(", "));
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
