//! Scenarios built from code. A builder writes the same YAML tree a file
//! holds, field by field, and [`ScenarioBuilder::build`] validates it
//! exactly as a file is validated: a Rust user cannot make a scenario a
//! file could not be.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::document::Document;
use super::parts::{Clients, Fault, Global, Instance};
use super::Scenario;
use crate::error::{InputError, Location};

/// A scenario under construction. Instances, client groups and faults can
/// be given as typed [parts](super::parts); any field can be named by its
/// dotted YAML path and given as a YAML value, as in the file
/// (`docs/scenario.md` lists them, as does `aurora-sim explain`):
///
/// ```
/// use aurora_sim::{ScenarioBuilder, Simulation};
///
/// let scenario = ScenarioBuilder::new("from-code", "30s")
///     .set("workload.open_loop.commits_per_s", 200)
///     .push("instances", "{ name: w, az: a, role: writer }")
///     .push("instances", "{ name: r, az: b, tier: 0 }")
///     .push("faults", "writer_crash: { at: 5s }")
///     .set("expect.failovers", 1)
///     .build()
///     .expect("a valid scenario");
/// let outcome = Simulation::new(&scenario).run().unwrap();
/// assert!(outcome.passed());
/// assert_eq!(outcome.summary.failovers[0].to.as_deref(), Some("r"));
///
/// // What a file would refuse, the builder refuses, naming the field.
/// let e = ScenarioBuilder::new("bad", "30s")
///     .push("faults", "writer_crash: { at: 45s }")
///     .build()
///     .unwrap_err();
/// assert!(e.to_string().contains("faults.0"), "{e}");
/// ```
#[derive(Debug)]
pub struct ScenarioBuilder {
    doc: Document,
    /// The first change that could not be made: reported by `build`, so
    /// that calls chain.
    error: Option<InputError>,
}

impl ScenarioBuilder {
    /// A scenario named `name` that simulates `duration` (as in the file:
    /// `90s`, `1h`), every other field at its default.
    pub fn new(name: &str, duration: &str) -> ScenarioBuilder {
        let file = PathBuf::from(format!("<scenario {name} built in code>"));
        let mut b = ScenarioBuilder {
            doc: Document::empty(&file),
            error: None,
        };
        b.apply("name", &yaml_string(name), Document::set);
        b.apply("duration", &yaml_string(duration), Document::set);
        b
    }

    /// Starts from scenario text, as `Scenario::parse` reads it; `file`
    /// names it in errors.
    pub fn from_yaml(text: &str, file: &Path) -> Result<ScenarioBuilder, InputError> {
        Ok(ScenarioBuilder {
            doc: Document::parse(text, file)?,
            error: None,
        })
    }

    /// Starts from a scenario file.
    pub fn load(path: &Path) -> Result<ScenarioBuilder, InputError> {
        ScenarioBuilder::from_yaml(&super::read_text(path)?, path)
    }

    /// Sets the field at `path` (`dns.ttl`, `faults.0.writer_crash.at`)
    /// to `value`, written as in the file: `5s`, `0.5`, `[a, b]`.
    pub fn set(mut self, path: &str, value: impl ToString) -> ScenarioBuilder {
        self.apply(path, &value.to_string(), Document::set);
        self
    }

    /// Appends `entry`, written as in the file, to the list at `path`
    /// (`faults`, `instances`, `clients`).
    pub fn push(mut self, path: &str, entry: &str) -> ScenarioBuilder {
        self.apply(path, entry, Document::push);
        self
    }

    /// Adds an instance (an `instances:` entry).
    pub fn instance(self, instance: Instance) -> ScenarioBuilder {
        self.part("instances", &instance)
    }

    /// Adds a group of clients (a `clients:` entry).
    pub fn clients(self, clients: Clients) -> ScenarioBuilder {
        self.part("clients", &clients)
    }

    /// Adds a fault (a `faults:` entry).
    pub fn fault(self, fault: Fault) -> ScenarioBuilder {
        self.part("faults", &fault)
    }

    /// Makes the cluster the primary of a global database (the `global:`
    /// section).
    pub fn global(mut self, global: Global) -> ScenarioBuilder {
        let entry = serde_json::to_string(&global).expect("a part serializes");
        self.apply("global", &entry, Document::set);
        self
    }

    /// Appends a typed part to the list at `path`, written as the file
    /// would write it.
    fn part(self, path: &str, part: &impl Serialize) -> ScenarioBuilder {
        let entry = serde_json::to_string(part).expect("a part serializes");
        self.push(path, &entry)
    }

    fn apply(
        &mut self,
        path: &str,
        raw: &str,
        f: fn(&mut Document, &str, &str) -> Result<(), String>,
    ) {
        if self.error.is_some() {
            return;
        }
        if let Err(why) = f(&mut self.doc, path, raw) {
            self.error = Some(located(&self.doc, path, why));
        }
    }

    /// The scenario as YAML (JSON is YAML): what `build` validates, and
    /// what a file holding the same scenario could say.
    pub fn to_yaml(&self) -> String {
        self.doc.render().0
    }

    /// Validates the scenario. An error names the field it is about by
    /// its path, as `--set` would.
    pub fn build(self) -> Result<Scenario, InputError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let (text, paths) = self.doc.render();
        let file = Path::new("");
        Scenario::parse(&text, file).map_err(|e| match e {
            InputError::Scenario { location, message } => {
                let path = (location.line as usize)
                    .checked_sub(1)
                    .and_then(|i| paths.get(i))
                    .map_or("", String::as_str);
                located(&self.doc, path, message)
            }
            other => other,
        })
    }
}

/// `s` as a YAML string scalar, whatever it holds.
fn yaml_string(s: &str) -> String {
    serde_json::to_string(s).expect("a string serializes")
}

/// An error about the field at `path` of the scenario being built.
fn located(doc: &Document, path: &str, message: String) -> InputError {
    InputError::Scenario {
        location: Location {
            file: doc.file().to_owned(),
            line: 0,
            column: 0,
        },
        message: if path.is_empty() {
            message
        } else {
            format!("at {path}: {message}")
        },
    }
}
