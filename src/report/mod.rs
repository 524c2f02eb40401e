//! Charts and the one-page HTML report, drawn from a run's outputs.
//!
//! Everything here reads [`Results`]: a `summary.json` and a
//! `timeline.csv`, either just produced by a run or loaded back from a
//! results directory. Nothing is recomputed from the model, so a chart
//! shows what the files say.

pub mod charts;
mod html;
mod timeline;

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{InputError, Location};
use crate::metrics::Summary;
use crate::Outcome;

pub use html::page;
pub use timeline::Timeline;

/// One run's outputs.
#[derive(Debug, Clone)]
pub struct Results {
    /// Where they were read from (empty for a run's own outputs).
    pub dir: PathBuf,
    /// `summary.json`.
    pub summary: Summary,
    /// `timeline.csv`.
    pub timeline: Timeline,
}

impl Results {
    /// A run's outputs, read back from the text it writes.
    pub fn from_outcome(o: &Outcome) -> Results {
        Results {
            dir: PathBuf::new(),
            summary: o.summary.clone(),
            timeline: Timeline::parse(&o.timeline_csv(), Path::new("timeline.csv"))
                .expect("a run's own timeline parses"),
        }
    }

    /// Loads `summary.json` and `timeline.csv` from a results directory.
    pub fn load(dir: &Path) -> Result<Results, InputError> {
        let read = |name: &str| {
            let path = dir.join(name);
            fs::read_to_string(&path)
                .map(|text| (text, path.clone()))
                .map_err(|source| InputError::Io { path, source })
        };
        let (json, json_path) = read("summary.json")?;
        let summary = serde_json::from_str(&json).map_err(|e| {
            // serde_json appends " at line L column C"; the location says it.
            let what = e.to_string();
            let what = what.split(" at line ").next().unwrap_or_default();
            InputError::Scenario {
                location: Location {
                    file: json_path,
                    line: e.line() as u64,
                    column: e.column() as u64,
                },
                message: format!("not a summary.json of this version of aurora-sim: {what}"),
            }
        })?;
        let (csv, csv_path) = read("timeline.csv")?;
        Ok(Results {
            dir: dir.to_path_buf(),
            summary,
            timeline: Timeline::parse(&csv, &csv_path)?,
        })
    }
}
