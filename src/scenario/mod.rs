//! Scenarios: the YAML format (`schema`), its documented defaults
//! (`defaults`), the validated form the simulator runs (`validate`), and
//! validated faults written back as YAML (`print`).
//!
//! A scenario is read in two steps, low to high: serde turns text into a
//! `schema::ScenarioFile` (syntax, field names, types, ranges), then
//! `validate` resolves names to ids and checks what relates two fields,
//! producing a [`Scenario`]: the model's [`Config`](crate::model::config::Config)
//! and the expectations. Only validation builds a `Config`.

mod builder;
pub mod defaults;
pub(crate) mod document;
pub(crate) mod expect;
pub mod import;
pub mod parts;
pub mod print;
pub mod reference;
pub mod scaffold;
pub(crate) mod schema;
mod validate;

pub use builder::ScenarioBuilder;
pub use expect::ExpectSpec;
pub(crate) use validate::{syntax_error, text_of};
pub use validate::{Footprint, Scenario};

use std::path::{Path, PathBuf};

use crate::error::InputError;

impl Scenario {
    /// Reads and validates a scenario file.
    pub fn load(path: &Path) -> Result<Scenario, InputError> {
        Scenario::parse(&read_text(path)?, path)
    }

    /// Validates scenario text; `file` names it in error messages.
    pub fn parse(text: &str, file: &Path) -> Result<Scenario, InputError> {
        let raw: schema::ScenarioFile =
            serde_saphyr::from_str(text).map_err(|e| validate::syntax_error(&e, file))?;
        validate::validate(raw, file)
    }
}

/// What a scenario or study file must be, in words.
pub(crate) const YAML: &str = "scenarios and studies are YAML files";

/// A scenario file's text, or an error located at its first byte that is
/// not UTF-8.
pub(crate) fn read_text(path: &Path) -> Result<String, InputError> {
    read_input(path, YAML).map(|(text, _)| text)
}

/// An input file's text (`what`: what it must be, in words) and the name
/// its errors give it: `-` is standard input, named `<stdin>`.
pub(crate) fn read_input(path: &Path, what: &str) -> Result<(String, PathBuf), InputError> {
    let (bytes, name) = if path.as_os_str() == "-" {
        let stdin = PathBuf::from("<stdin>");
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes).map_err(|source| {
            InputError::Io {
                path: stdin.clone(),
                source,
            }
        })?;
        (bytes, stdin)
    } else {
        let bytes = std::fs::read(path).map_err(|source| InputError::Io {
            path: path.to_owned(),
            source,
        })?;
        (bytes, path.to_owned())
    };
    Ok((text_of(bytes, &name, what)?, name))
}
