//! A scenario (or study) file as a YAML tree, before validation: what a
//! `--set PATH=VALUE` and the [`ScenarioBuilder`](super::ScenarioBuilder)
//! change, so that a value put in from the command line or from code goes
//! through exactly the checks a value written in the file does.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::{InputError, Location};

/// The most parts a field path may have: the deepest field of a scenario
/// is five down (`faults.0.network_partition.between.1`); a longer path
/// names nothing, and a tree that deep would only cost time and stack.
pub const MAX_PATH_PARTS: usize = 16;

/// A YAML document as a tree settings are applied to.
#[derive(Debug, Clone)]
pub struct Document {
    tree: Value,
    file: PathBuf,
}

/// `dns.ttl=5s control_plane.health_check_interval=2s`, or `as written`
/// when nothing is changed.
pub fn label(settings: &[(String, String)]) -> String {
    if settings.is_empty() {
        return "as written".to_owned();
    }
    let parts: Vec<String> = settings.iter().map(|(p, v)| format!("{p}={v}")).collect();
    parts.join(" ")
}

impl Document {
    /// Reads YAML text; `file` names it in messages. Syntax errors come
    /// with their line and column.
    pub fn parse(text: &str, file: &Path) -> Result<Document, InputError> {
        let tree: Value =
            serde_saphyr::from_str(text).map_err(|e| super::syntax_error(&e, file))?;
        if !tree.is_object() {
            return Err(InputError::Scenario {
                location: Location {
                    file: file.to_owned(),
                    line: 1,
                    column: 1,
                },
                message: "expected a mapping of fields".to_owned(),
            });
        }
        Ok(Document {
            tree,
            file: file.to_owned(),
        })
    }

    /// An empty document, for a scenario built from code; `file` names it
    /// in messages.
    pub(crate) fn empty(file: &Path) -> Document {
        Document {
            tree: Value::Object(Map::new()),
            file: file.to_owned(),
        }
    }

    /// The file the document came from, or what names it.
    pub(crate) fn file(&self) -> &Path {
        &self.file
    }

    /// The document with each `(path, value)` put in, as text any YAML
    /// reader takes (JSON is YAML).
    pub fn with(&self, settings: &[(String, String)]) -> Result<String, InputError> {
        let mut doc = self.clone();
        for (path, raw) in settings {
            doc.set(path, raw)
                .map_err(|why| self.error(path, raw, why))?;
        }
        Ok(serde_json::to_string(&doc.tree).expect("a YAML tree serializes"))
    }

    /// Validates the document with the settings put in, by `parse` (a
    /// scenario's or a study's). Its errors name the settings: the text
    /// checked is not the file's, so its lines would mislead.
    pub fn validate<T>(
        &self,
        settings: &[(String, String)],
        parse: impl FnOnce(&str) -> Result<T, InputError>,
    ) -> Result<T, InputError> {
        let text = self.with(settings)?;
        parse(&text).map_err(|e| match e {
            InputError::Scenario { message, .. } if !settings.is_empty() => {
                self.error_in(&label(settings), message)
            }
            other => other,
        })
    }

    /// Puts the YAML value `raw` at `path`, creating the sections on the
    /// way; a list entry must exist.
    pub(crate) fn set(&mut self, path: &str, raw: &str) -> Result<(), String> {
        let value = yaml_value(raw)?;
        let (parent, last) = self.parent(path)?;
        match parent {
            Value::Object(fields) => {
                fields.insert(last.to_owned(), value);
            }
            Value::Array(items) => *entry(items, parent_path(path), last)? = value,
            _ => unreachable!("parent() returns sections and lists"),
        }
        Ok(())
    }

    /// Appends the YAML value `raw` to the list at `path`, creating it
    /// when it is absent.
    pub(crate) fn push(&mut self, path: &str, raw: &str) -> Result<(), String> {
        let value = yaml_value(raw)?;
        let (parent, last) = self.parent(path)?;
        let list = match parent {
            Value::Object(fields) => fields
                .entry(last.to_owned())
                .or_insert_with(|| Value::Array(Vec::new())),
            Value::Array(items) => entry(items, parent_path(path), last)?,
            _ => unreachable!("parent() returns sections and lists"),
        };
        if list.is_null() {
            *list = Value::Array(Vec::new());
        }
        match list {
            Value::Array(items) => {
                items.push(value);
                Ok(())
            }
            _ => Err(format!("{path} is not a list")),
        }
    }

    /// The section or list that holds the last part of `path`, and that
    /// part.
    fn parent<'p>(&mut self, path: &'p str) -> Result<(&mut Value, &'p str), String> {
        let parts: Vec<&str> = path.split('.').take(MAX_PATH_PARTS + 1).collect();
        if parts.len() > MAX_PATH_PARTS {
            return Err(format!(
                "a field path has at most {MAX_PATH_PARTS} parts; no field lies deeper"
            ));
        }
        let (last, sections) = parts.split_last().expect("split yields a part");
        let mut cur = &mut self.tree;
        for (i, part) in sections.iter().enumerate() {
            if cur.is_null() {
                *cur = Value::Object(Map::new());
            }
            let here = parts[..i].join(".");
            cur = match cur {
                Value::Object(fields) => fields
                    .entry((*part).to_owned())
                    .or_insert_with(|| Value::Object(Map::new())),
                Value::Array(items) => entry(items, &here, part)?,
                _ => return Err(format!("{here} is a value, not a section with fields")),
            };
        }
        if cur.is_null() {
            *cur = Value::Object(Map::new());
        }
        if !(cur.is_object() || cur.is_array()) {
            return Err(format!(
                "{} is a value, not a section with fields",
                parent_path(path)
            ));
        }
        Ok((cur, last))
    }

    /// The document as indented JSON text, and the field path each of its
    /// lines belongs to: a scenario built in code has no file, so its
    /// errors are told by path.
    pub(crate) fn render(&self) -> (String, Vec<String>) {
        let mut out = Rendered::default();
        out.value(&self.tree, "", 0);
        out.text.push('\n');
        (out.text, out.paths)
    }

    /// An error in one setting, named by its `PATH=VALUE`.
    pub fn error(&self, path: &str, raw: &str, message: String) -> InputError {
        self.error_in(&format!("{path}={raw}"), message)
    }

    /// An error in the scenario as the settings `what` changed it: the
    /// file is named, but no line, since the text checked is not the
    /// file's.
    pub fn error_in(&self, what: &str, message: String) -> InputError {
        InputError::Scenario {
            location: Location {
                file: self.file.clone(),
                line: 0,
                column: 0,
            },
            message: format!("with --set {}: {message}", what.replace('\n', "\\n")),
        }
    }
}

fn yaml_value(raw: &str) -> Result<Value, String> {
    serde_saphyr::from_str(raw).map_err(|e| {
        let at = e.location().map_or(String::new(), |l| {
            format!(" (line {}, column {} of it)", l.line(), l.column())
        });
        format!(
            "not a YAML value{at}: {}",
            super::validate::in_plain_words(&e)
        )
    })
}

fn parent_path(path: &str) -> &str {
    path.rsplit_once('.').map_or("", |(p, _)| p)
}

/// Entry `part` of the list at `here`, which must exist.
fn entry<'v>(items: &'v mut [Value], here: &str, part: &str) -> Result<&'v mut Value, String> {
    let n = items.len();
    let Ok(index) = part.parse::<usize>() else {
        return Err(format!(
            "{here} is a list; name an entry by its index, 0 to {}",
            n.saturating_sub(1)
        ));
    };
    items
        .get_mut(index)
        .ok_or_else(|| format!("{here} has {n} entries; there is no entry {index}"))
}

/// JSON text written line by line with the path of each line.
#[derive(Default)]
struct Rendered {
    text: String,
    paths: Vec<String>,
}

impl Rendered {
    fn line(&mut self, path: &str, indent: usize, text: &str) {
        if !self.paths.is_empty() {
            self.text.push('\n');
        }
        self.text.push_str(&"  ".repeat(indent));
        self.text.push_str(text);
        self.paths.push(path.to_owned());
    }

    /// Writes `v` starting on the current line (already holding its key).
    fn value(&mut self, v: &Value, path: &str, indent: usize) {
        let join = |path: &str, part: &str| {
            if path.is_empty() {
                part.to_owned()
            } else {
                format!("{path}.{part}")
            }
        };
        let scalar = |v: &Value| serde_json::to_string(v).expect("a YAML tree serializes");
        match v {
            Value::Object(fields) if !fields.is_empty() => {
                self.append("{", path, indent);
                let n = fields.len();
                for (i, (k, v)) in fields.iter().enumerate() {
                    let p = join(path, k);
                    self.line(
                        &p,
                        indent + 1,
                        &format!("{}: ", scalar(&Value::from(k.as_str()))),
                    );
                    self.value(v, &p, indent + 1);
                    if i + 1 < n {
                        self.text.push(',');
                    }
                }
                self.line(path, indent, "}");
            }
            Value::Array(items) if !items.is_empty() => {
                self.append("[", path, indent);
                let n = items.len();
                for (i, v) in items.iter().enumerate() {
                    let p = join(path, &i.to_string());
                    self.line(&p, indent + 1, "");
                    self.value(v, &p, indent + 1);
                    if i + 1 < n {
                        self.text.push(',');
                    }
                }
                self.line(path, indent, "]");
            }
            other => self.append(&scalar(other), path, indent),
        }
    }

    /// Continues the current line, or starts the first one.
    fn append(&mut self, text: &str, path: &str, indent: usize) {
        if self.paths.is_empty() {
            self.line(path, indent, text);
        } else {
            self.text.push_str(text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|&(p, v)| (p.to_owned(), v.to_owned()))
            .collect()
    }

    #[test]
    fn values_go_in_at_their_path() {
        let doc = Document::parse(
            "name: x\nfaults:\n  - writer_crash: { at: 60s }\n",
            Path::new("x.yaml"),
        )
        .unwrap();
        let text = doc
            .with(&set(&[
                ("dns.ttl", "30s"),
                ("faults.0.writer_crash.at", "90s"),
            ]))
            .unwrap();
        assert_eq!(
            text,
            r#"{"dns":{"ttl":"30s"},"faults":[{"writer_crash":{"at":"90s"}}],"name":"x"}"#
        );
        let bad = |path: &str| doc.with(&set(&[(path, "1")])).unwrap_err().to_string();
        assert!(
            bad("faults.3.at").contains("faults has 1 entries"),
            "{}",
            bad("faults.3.at")
        );
        assert!(bad("faults.first").contains("name an entry by its index"));
        assert!(bad("name.first").contains("name is a value"));
    }

    #[test]
    fn entries_are_appended_to_lists_made_on_demand() {
        let mut doc = Document::empty(Path::new("built"));
        doc.push("faults", "writer_crash: { at: 5s }").unwrap();
        doc.push("faults", "az_outage: { at: 9s, az: c }").unwrap();
        doc.set("faults.1.az_outage.az", "b").unwrap();
        assert!(doc.push("faults.0.writer_crash.at", "1").is_err());
        let text = doc.with(&[]).unwrap();
        assert_eq!(
            text,
            r#"{"faults":[{"writer_crash":{"at":"5s"}},{"az_outage":{"at":"9s","az":"b"}}]}"#
        );
    }

    #[test]
    fn each_rendered_line_knows_its_path() {
        let mut doc = Document::empty(Path::new("built"));
        doc.set("name", "x").unwrap();
        doc.set("dns.ttl", "5s").unwrap();
        doc.push("faults", "{ writer_crash: { at: 1s } }").unwrap();
        let (text, paths) = doc.render();
        let tree: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(tree, doc.tree);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), paths.len());
        let at = |needle: &str| &paths[lines.iter().position(|l| l.contains(needle)).unwrap()];
        assert_eq!(at("\"ttl\""), "dns.ttl");
        assert_eq!(at("\"at\""), "faults.0.writer_crash.at");
        assert_eq!(at("\"name\""), "name");
    }
}
