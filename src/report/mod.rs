//! Charts and the one-page HTML report, drawn from a run's outputs.
//!
//! Everything here reads [`Results`]: a `summary.json` and a
//! `timeline.csv`, either just produced by a run or loaded back from a
//! results directory. Nothing is recomputed from the model, so a chart
//! shows what the files say.

pub mod charts;
mod html;
mod study;
mod timeline;

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{InputError, Location};
use crate::metrics::Summary;
use crate::Outcome;

pub use html::{page, page_with_studies};
pub use study::Study;
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
            timeline: Timeline::read(
                o.timeline_csv_reader(),
                o.timeline.len(),
                Path::new("timeline.csv"),
            )
            .expect("a run's own timeline parses"),
        }
    }

    /// The writer open a bin before `t_s` seconds into the run, as the
    /// timeline names it (`None`: none was open, or the file names none):
    /// the instance a fault aimed at "the writer" hit.
    pub fn writer_at(&self, t_s: f64) -> Option<&str> {
        self.timeline.writer_before(t_s)
    }

    /// Loads `summary.json` and `timeline.csv` from a results directory.
    pub fn load(dir: &Path) -> Result<Results, InputError> {
        let read = |name: &str| {
            let path = dir.join(name);
            fs::read_to_string(&path)
                .map(|text| (text, path.clone()))
                .map_err(|source| InputError::Io { path, source })
        };
        let json_path = dir.join("summary.json");
        let size = regular_file_size(&json_path)?;
        if size > MAX_SUMMARY_BYTES {
            return Err(InputError::about_file(
                &json_path,
                format!(
                    "{size} bytes: not a summary.json of this version of aurora-sim, which writes at most {MAX_SUMMARY_BYTES}"
                ),
            ));
        }
        let (json, json_path) = read("summary.json")?;
        if let Some((line, column, token)) = implausible_number(&json) {
            return Err(InputError::Scenario {
                location: Location {
                    file: json_path,
                    line,
                    column,
                },
                message: format!(
                    "not a summary.json of this version of aurora-sim: {token} is beyond any value it writes (at most {PLAUSIBLE:e} in size)"
                ),
            });
        }
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
        Ok(Results {
            dir: dir.to_path_buf(),
            summary,
            timeline: Timeline::load(&dir.join("timeline.csv"))?,
        })
    }
}

/// The size of `path`, a file a run wrote: a device, pipe or directory in
/// its place is refused before it is read (a device reports no size, and
/// a pipe cannot be read twice).
fn regular_file_size(path: &Path) -> Result<u64, InputError> {
    let meta = fs::metadata(path).map_err(|source| InputError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    if !meta.is_file() {
        let message = "not a regular file: a run writes its files as regular files";
        return Err(InputError::about_file(path, message.into()));
    }
    Ok(meta.len())
}

/// The largest `summary.json` read: a run's is tens of kilobytes (its
/// lists grow with failovers, faults, instances and client groups, each
/// bounded by the scenario's limits), so a larger file was not written by
/// a run and is refused before it is read into memory.
pub const MAX_SUMMARY_BYTES: u64 = 64 << 20;

/// The largest magnitude any number in a run's files can have: above a
/// year in milliseconds and any count a run of the event budget makes, so
/// that larger values (or ones that are not finite) mark a file this tool
/// did not write, and never reach a chart's axis arithmetic.
pub const PLAUSIBLE: f64 = 1e15;

/// The first number in JSON `text` that is not finite or exceeds
/// [`PLAUSIBLE`] in magnitude, with its line and column (from 1).
fn implausible_number(text: &str) -> Option<(u64, u64, String)> {
    let (mut line, mut column) = (1u64, 0u64);
    let mut in_string = false;
    let mut escaped = false;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        column += 1;
        if c == '\n' {
            (line, column) = (line + 1, 0);
            continue;
        }
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '-' | '0'..='9' => {
                let start = (line, column);
                let mut end = i + c.len_utf8();
                while let Some(&(j, d)) = chars.peek() {
                    if !matches!(d, '0'..='9' | '.' | 'e' | 'E' | '+' | '-') {
                        break;
                    }
                    end = j + d.len_utf8();
                    column += 1;
                    chars.next();
                }
                let token = &text[i..end];
                let ok = token
                    .parse::<f64>()
                    .is_ok_and(|v| v.is_finite() && v.abs() <= PLAUSIBLE);
                if !ok {
                    return Some((start.0, start.1, token.to_owned()));
                }
            }
            _ => {}
        }
    }
    None
}
