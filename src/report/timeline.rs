//! `timeline.csv` read back, column by column: the data behind every chart.
//!
//! Charts are drawn from this file and `summary.json` only, whether right
//! after a run or later by `aurora-sim report`, so what a chart shows is
//! exactly what a user can replot from the CSV.

use std::path::Path;

use crate::error::{InputError, Location};
use crate::metrics::TimelineRow;

/// One timeline: bin start times and named columns of optional values
/// (an empty cell is `None`).
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    t_s: Vec<f64>,
    columns: Vec<(String, Vec<Option<f64>>)>,
    /// The open writer's name per bin (`None`: no writer was open).
    writer: Vec<Option<String>>,
}

impl Timeline {
    /// Parses `timeline.csv` text; `file` names it in errors.
    pub fn parse(text: &str, file: &Path) -> Result<Timeline, InputError> {
        let at = |line: u64, column: u64, message: String| InputError::Scenario {
            location: Location {
                file: file.to_path_buf(),
                line,
                column,
            },
            message,
        };
        let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
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
        let mut t_s = Vec::new();
        let mut writer = Vec::new();
        let writer_at = header
            .iter()
            .position(|name| name == TimelineRow::WRITER_COLUMN);
        let mut columns: Vec<(String, Vec<Option<f64>>)> = header
            .iter()
            .enumerate()
            .skip(1)
            .filter(|&(i, _)| Some(i) != writer_at)
            .map(|(_, name)| (name.to_owned(), Vec::new()))
            .collect();
        for record in reader.records() {
            let record = record.map_err(|e| {
                let line = e.position().map_or(0, |p| p.line());
                at(line, 1, e.to_string())
            })?;
            let line = record.position().map_or(0, |p| p.line());
            if let Some(i) = writer_at {
                writer.push(record.get(i).filter(|w| !w.is_empty()).map(str::to_owned));
            }
            let mut cells = record
                .iter()
                .enumerate()
                .filter(|&(i, _)| Some(i) != writer_at)
                .map(|(i, cell)| {
                    if cell.is_empty() {
                        return Ok(None);
                    }
                    cell.parse::<f64>()
                        .ok()
                        .filter(|v| v.is_finite() && v.abs() <= super::PLAUSIBLE)
                        .map(Some)
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
                        })
                });
            let t = cells.next().transpose()?.flatten();
            t_s.push(t.ok_or_else(|| at(line, 1, "a row without t_s".into()))?);
            for (column, cell) in columns.iter_mut().zip(cells) {
                column.1.push(cell?);
            }
        }
        Ok(Timeline {
            t_s,
            columns,
            writer,
        })
    }

    /// The open writer's name in each bin (`None`: no writer was open);
    /// empty when the file has no writer column.
    pub fn writer(&self) -> &[Option<String>] {
        &self.writer
    }

    /// Bin start times, seconds.
    pub fn t_s(&self) -> &[f64] {
        &self.t_s
    }

    /// Width of a bin, seconds (1 when there are fewer than two rows).
    pub fn bin_s(&self) -> f64 {
        match self.t_s.as_slice() {
            [a, b, ..] => b - a,
            _ => 1.0,
        }
    }

    /// The end of the last bin, seconds.
    pub fn end_s(&self) -> f64 {
        self.t_s.last().map_or(0.0, |t| t + self.bin_s())
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
}
