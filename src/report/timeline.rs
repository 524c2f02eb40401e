//! `timeline.csv` read back, column by column: the data behind every chart.
//!
//! Charts are drawn from this file and `summary.json` only, whether right
//! after a run or later by `aurora-sim report`, so what a chart shows is
//! exactly what a user can replot from the CSV.

use std::io::{BufRead, Read};
use std::path::Path;

use crate::error::{InputError, Location};
use crate::metrics::TimelineRow;

/// Rows of a timeline drawn at most: a longer one is cut into this many
/// buckets of consecutive rows, each kept as two rows, its columns'
/// smallest and largest values, so that a chart a few thousand pixels
/// wide still shows every dip and spike, and a report over a
/// ten-million-row file holds a few megabytes.
pub const MAX_BUCKETS: usize = 4_000;

/// The longest line of `timeline.csv` read: a row names every instance
/// and client group once, a few kilobytes at the most a scenario allows.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// One timeline: bin start times and named columns of optional values
/// (an empty cell is `None`).
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    t_s: Vec<f64>,
    columns: Vec<(String, Vec<Option<f64>>)>,
    /// The open writer's name per bin (`None`: no writer was open).
    writer: Vec<Option<String>>,
    /// Every row at which the writer column changes, with its new value:
    /// exact however the rows are bucketed.
    writer_changes: Vec<(f64, Option<String>)>,
    /// Width of a bin of the file, seconds.
    bin: f64,
    /// End of the file's last bin, seconds.
    end: f64,
}

impl Timeline {
    /// Parses `timeline.csv` text; `file` names it in errors.
    pub fn parse(text: &str, file: &Path) -> Result<Timeline, InputError> {
        let rows = text.lines().count().saturating_sub(1);
        Timeline::read(text.as_bytes(), rows, file)
    }

    /// Reads `timeline.csv` from `path`, streaming: one pass counts its
    /// rows, the next keeps at most `MAX_BUCKETS` (4,000) buckets of them.
    pub fn load(path: &Path) -> Result<Timeline, InputError> {
        let io = |source| InputError::Io {
            path: path.to_path_buf(),
            source,
        };
        let refuse = |line, message: String| InputError::Scenario {
            location: Location {
                file: path.to_path_buf(),
                line,
                column: 0,
            },
            message,
        };
        super::regular_file_size(path)?;
        let open = || {
            std::fs::File::open(path)
                .map(std::io::BufReader::new)
                .map_err(io)
        };
        // Count the rows without holding a line: a run's lines are a few
        // hundred bytes, so a far longer one is not a run's file.
        let (mut reader, mut lines, mut line_bytes) = (open()?, 0u64, 0usize);
        loop {
            let chunk = reader.fill_buf().map_err(io)?;
            if chunk.is_empty() {
                break;
            }
            let n = chunk.len();
            for &b in chunk {
                line_bytes += 1;
                if b == b'\n' {
                    (lines, line_bytes) = (lines + 1, 0);
                } else if line_bytes > MAX_LINE_BYTES {
                    let message = format!(
                        "a line longer than {MAX_LINE_BYTES} bytes: not a timeline.csv a run wrote"
                    );
                    return Err(refuse(lines + 1, message));
                }
            }
            reader.consume(n);
        }
        let rows = (lines + u64::from(line_bytes > 0)).saturating_sub(1);
        Timeline::read(open()?, rows as usize, path)
    }

    /// Parses `rows` rows of `timeline.csv` from `text`; `file` names it
    /// in errors.
    pub fn read(text: impl Read, rows: usize, file: &Path) -> Result<Timeline, InputError> {
        let at = |line: u64, column: u64, message: String| InputError::Scenario {
            location: Location {
                file: file.to_path_buf(),
                line,
                column,
            },
            message,
        };
        let mut reader = csv::ReaderBuilder::new().from_reader(text);
        let header = reader
            .headers()
            .map_err(|e| at(1, 1, e.to_string()))?
            .clone();
        if header.get(0) != Some("t_s") {
            return Err(at(
                1,
                1,
                "expected a timeline.csv header starting with t_s".into(),
            ));
        }
        let writer_at = header
            .iter()
            .position(|name| name == TimelineRow::WRITER_COLUMN);
        let names: Vec<String> = header
            .iter()
            .enumerate()
            .skip(1)
            .filter(|&(i, _)| Some(i) != writer_at)
            .map(|(_, name)| name.to_owned())
            .collect();
        let mut kept = Buckets::new(names.len(), rows.div_ceil(MAX_BUCKETS).max(1));
        let mut values = Vec::with_capacity(names.len());
        let mut before: Option<f64> = None;
        for record in reader.records() {
            let record = record.map_err(|e| {
                let line = e.position().map_or(0, |p| p.line());
                at(line, 1, e.to_string())
            })?;
            let line = record.position().map_or(0, |p| p.line());
            let writer = writer_at.and_then(|i| record.get(i).filter(|w| !w.is_empty()));
            values.clear();
            for (i, cell) in record.iter().enumerate() {
                if Some(i) == writer_at {
                    continue;
                }
                if cell.is_empty() {
                    values.push(None);
                    continue;
                }
                let v = cell
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite() && v.abs() <= super::PLAUSIBLE)
                    .ok_or_else(|| {
                        at(
                            line,
                            i as u64 + 1,
                            format!(
                                "expected a number of at most {:e} in column {}, found {cell:?}",
                                super::PLAUSIBLE,
                                &header[i]
                            ),
                        )
                    })?;
                values.push(Some(v));
            }
            let t = values
                .first()
                .copied()
                .flatten()
                .ok_or_else(|| at(line, 1, "a row without t_s".into()))?;
            if let Some(b) = before.filter(|&b| t <= b) {
                return Err(at(
                    line,
                    1,
                    format!(
                        "t_s {t} does not follow the row before ({b}): bins start later row by row"
                    ),
                ));
            }
            before = Some(t);
            values.resize(names.len() + 1, None);
            kept.push(t, &values[1..], writer);
        }
        Ok(kept.into_timeline(names, writer_at.is_some()))
    }

    /// The open writer's name in each bin (`None`: no writer was open);
    /// empty when the file has no writer column.
    pub fn writer(&self) -> &[Option<String>] {
        &self.writer
    }

    /// The writer the file names in the last bin that ended before `t_s`
    /// (`None`: none was open, or the file names none), exact however
    /// the rows were bucketed.
    pub fn writer_before(&self, t_s: f64) -> Option<&str> {
        let bin = self.bin;
        let i = self
            .writer_changes
            .iter()
            .rposition(|&(start, _)| start + bin < t_s)?;
        self.writer_changes[i].1.as_deref()
    }

    /// Bin start times, seconds.
    pub fn t_s(&self) -> &[f64] {
        &self.t_s
    }

    /// Width of a bin of the file, seconds (1 when it has fewer than two
    /// rows).
    pub fn bin_s(&self) -> f64 {
        self.bin
    }

    /// The end of the file's last bin, seconds.
    pub fn end_s(&self) -> f64 {
        self.end
    }

    /// A column by name.
    pub fn column(&self, name: &str) -> Option<&[Option<f64>]> {
        self.columns
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }

    /// `(t, value)` points of a column, skipping empty cells.
    pub fn points(&self, name: &str) -> Vec<(f64, f64)> {
        self.column(name).map_or_else(Vec::new, |values| {
            self.t_s
                .iter()
                .zip(values)
                .filter_map(|(&t, v)| v.map(|v| (t, v)))
                .collect()
        })
    }

    /// Each instance that served as a reader, with its per-bin lag column.
    pub fn replica_lags(&self) -> impl Iterator<Item = (&str, &[Option<f64>])> {
        self.per_instance(TimelineRow::LAG_COLUMN)
    }

    /// Requests of client group `group` that succeeded in each bin (`None`
    /// for a file written before the column existed).
    pub fn group_ok(&self, group: &str) -> Option<&[Option<f64>]> {
        self.column(&format!("{}{group}", TimelineRow::GROUP_OK_COLUMN))
    }

    /// Each secondary region of a global database, with its per-bin RPO
    /// lag column.
    pub fn region_lags(&self) -> impl Iterator<Item = (&str, &[Option<f64>])> {
        self.per_instance(TimelineRow::RPO_LAG_COLUMN)
    }

    /// Each Aurora Serverless v2 instance's capacity in ACUs, by instance
    /// name.
    pub fn capacities(&self) -> impl Iterator<Item = (&str, &[Option<f64>])> {
        self.per_instance(TimelineRow::ACU_COLUMN)
    }

    /// Each instance's CPU utilisation, by instance name, for the
    /// instances that were ever busy.
    pub fn cpu(&self) -> impl Iterator<Item = (&str, &[Option<f64>])> {
        self.per_instance(TimelineRow::CPU_COLUMN)
            .filter(|(_, v)| v.iter().flatten().any(|&u| u > 0.0))
    }

    /// The per-instance columns named `<prefix><instance>` that hold a
    /// value, by instance name.
    fn per_instance(&self, prefix: &'static str) -> impl Iterator<Item = (&str, &[Option<f64>])> {
        self.columns.iter().filter_map(move |(name, values)| {
            let inst = name.strip_prefix(prefix)?;
            values
                .iter()
                .any(Option::is_some)
                .then_some((inst, values.as_slice()))
        })
    }
}

/// Rows kept as they are read: each bucket of `per` consecutive rows
/// becomes one row when `per` is 1, else two, at its start and its
/// middle, with each column's smallest and largest value.
struct Buckets {
    per: usize,
    t_s: Vec<f64>,
    columns: Vec<Vec<Option<f64>>>,
    writer: Vec<Option<String>>,
    writer_changes: Vec<(f64, Option<String>)>,
    /// The bucket being filled: its rows so far, first time, first
    /// writer and the last unlike it, and each column's least and
    /// greatest value.
    filling: usize,
    first_t: f64,
    writers: (Option<String>, Option<Option<String>>),
    low: Vec<Option<f64>>,
    high: Vec<Option<f64>>,
    /// The file's first two times and its last, for the bin and the end.
    times: (Option<f64>, Option<f64>, f64),
}

impl Buckets {
    fn new(columns: usize, per: usize) -> Buckets {
        Buckets {
            per,
            t_s: Vec::new(),
            columns: vec![Vec::new(); columns],
            writer: Vec::new(),
            writer_changes: Vec::new(),
            filling: 0,
            first_t: 0.0,
            writers: (None, None),
            low: vec![None; columns],
            high: vec![None; columns],
            times: (None, None, 0.0),
        }
    }

    fn push(&mut self, t: f64, values: &[Option<f64>], writer: Option<&str>) {
        match self.times {
            (None, ..) => self.times.0 = Some(t),
            (Some(_), None, _) => self.times.1 = Some(t),
            _ => {}
        }
        self.times.2 = t;
        if self
            .writer_changes
            .last()
            .is_none_or(|c| c.1.as_deref() != writer)
        {
            self.writer_changes.push((t, writer.map(str::to_owned)));
        }
        if self.per == 1 {
            self.t_s.push(t);
            for (column, v) in self.columns.iter_mut().zip(values) {
                column.push(*v);
            }
            self.writer.push(writer.map(str::to_owned));
            return;
        }
        if self.filling == 0 {
            self.first_t = t;
            self.writers = (writer.map(str::to_owned), None);
            self.low.fill(None);
            self.high.fill(None);
        }
        // The second row names the last writer unlike the first, so that
        // a change inside the bucket shows.
        if writer != self.writers.0.as_deref() {
            self.writers.1 = Some(writer.map(str::to_owned));
        }
        for ((low, high), v) in self.low.iter_mut().zip(&mut self.high).zip(values) {
            if let Some(v) = *v {
                *low = Some(low.map_or(v, |l| l.min(v)));
                *high = Some(high.map_or(v, |h| h.max(v)));
            }
        }
        self.filling += 1;
        if self.filling == self.per {
            self.close();
        }
    }

    /// Keeps the bucket being filled as its two rows.
    fn close(&mut self) {
        if self.filling == 0 {
            return;
        }
        let bin = self.bin();
        let middle = self.first_t + bin * (self.filling / 2) as f64;
        self.t_s.extend([self.first_t, middle]);
        for ((column, low), high) in self.columns.iter_mut().zip(&self.low).zip(&self.high) {
            column.extend([*low, *high]);
        }
        let (first, other) = std::mem::take(&mut self.writers);
        let second = other.unwrap_or_else(|| first.clone());
        self.writer.extend([first, second]);
        self.filling = 0;
    }

    fn bin(&self) -> f64 {
        match self.times {
            (Some(a), Some(b), _) => b - a,
            _ => 1.0,
        }
    }

    fn into_timeline(mut self, names: Vec<String>, has_writer: bool) -> Timeline {
        self.close();
        let bin = self.bin();
        let end = self.times.0.map_or(0.0, |_| self.times.2 + bin);
        if !has_writer {
            self.writer.clear();
            self.writer_changes.clear();
        }
        Timeline {
            t_s: self.t_s,
            columns: names.into_iter().zip(self.columns).collect(),
            writer: self.writer,
            writer_changes: self.writer_changes,
            bin,
            end,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_columns_and_empty_cells() {
        let csv = "t_s,commits_per_s,writer,replica_lag_ms.r1,replica_lag_ms.w\n0.000,10.0,w,1.5,\n1.000,20.0,,,\n";
        let t = Timeline::parse(csv, Path::new("t.csv")).unwrap();
        assert_eq!(t.writer(), &[Some("w".to_owned()), None]);
        assert_eq!(t.t_s(), &[0.0, 1.0]);
        assert_eq!(t.bin_s(), 1.0);
        assert_eq!(t.end_s(), 2.0);
        assert_eq!(t.points("commits_per_s"), vec![(0.0, 10.0), (1.0, 20.0)]);
        let lags: Vec<_> = t.replica_lags().collect();
        assert_eq!(lags, vec![("r1", &[Some(1.5), None][..])]);
    }

    #[test]
    fn a_bad_cell_is_located() {
        let csv = "t_s,commits_per_s\n0.000,10.0\n1.000,ten\n";
        let e = Timeline::parse(csv, Path::new("t.csv")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.csv:3:2: expected a number of at most 1e15 in column commits_per_s, found \"ten\""
        );
        let e = Timeline::parse("t_s,x\n0.000,inf\n", Path::new("t.csv")).unwrap_err();
        assert!(e.to_string().starts_with("t.csv:2:2: "), "{e}");
    }

    #[test]
    fn a_long_timeline_keeps_every_dip_and_spike_in_bounded_rows() {
        let rows = 10 * MAX_BUCKETS + 7;
        let mut csv = String::from("t_s,commits_per_s,writer\n");
        for i in 0..rows {
            let (v, w) = match i {
                5_001 => ("0.0", ""),
                20_002 => ("900.0", "r1"),
                _ => ("100.0", "w"),
            };
            csv.push_str(&format!("{i}.000,{v},{w}\n"));
        }
        let t = Timeline::parse(&csv, Path::new("t.csv")).unwrap();
        assert!(
            t.t_s().len() <= 2 * MAX_BUCKETS + 2,
            "{} rows",
            t.t_s().len()
        );
        assert_eq!((t.bin_s(), t.end_s()), (1.0, rows as f64));
        let values: Vec<f64> = t.points("commits_per_s").iter().map(|p| p.1).collect();
        assert!(values.contains(&0.0) && values.contains(&900.0));
        assert!(t.writer().iter().any(|w| w.as_deref() == Some("r1")));
        assert!(t.writer().iter().any(Option::is_none));
    }

    #[test]
    fn the_writer_before_an_instant_is_exact_in_a_bucketed_timeline() {
        // w until 5,000 s, none for 3 s, then r1: buckets of 11 rows.
        let rows = 11 * MAX_BUCKETS;
        let mut csv = String::from("t_s,commits_per_s,writer\n");
        for i in 0..rows {
            let w = match i {
                ..5_000 => "w",
                5_000..5_003 => "",
                _ => "r1",
            };
            csv.push_str(&format!("{i}.000,1.0,{w}\n"));
        }
        let t = Timeline::parse(&csv, Path::new("t.csv")).unwrap();
        assert_eq!(t.writer_before(5_000.5), Some("w"));
        assert_eq!(t.writer_before(5_002.5), None);
        assert_eq!(t.writer_before(5_004.5), Some("r1"));
    }

    #[test]
    fn bins_that_do_not_move_forward_are_refused() {
        let e = Timeline::parse("t_s,x\n7.000,1\n7.000,2\n", Path::new("t.csv")).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("t.csv:3:1: t_s 7 does not follow"),
            "{e}"
        );
    }
}
