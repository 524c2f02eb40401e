//! What a study varies: scenario fields addressed by their dotted YAML
//! path (`dns.ttl`, `faults.0.writer_crash.at`), each with a list of
//! values, and the seeds every combination runs with.
//!
//! A setting is applied to the scenario as a YAML document, before
//! validation, so a varied value goes through exactly the checks a value
//! written in the file does: its type, its range, and every rule that
//! relates it to another field.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The most runs (cells × seeds) one study may ask for: far more than any
/// study needs, and few enough that its rows fit in memory.
pub const MAX_RUNS: usize = 1_000_000;

/// The most cells a grid may have: each is validated before anything
/// runs, and a grid beyond this is a typo rather than a study.
pub const MAX_CELLS: usize = 10_000;

/// One `PATH=V1,V2,…`: a field and the values it takes in turn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setting {
    /// The field's dotted path, as in the YAML file; list entries are
    /// named by their index.
    pub path: String,
    /// Each value as written: a YAML scalar or flow collection.
    pub values: Vec<String>,
}

impl FromStr for Setting {
    type Err = String;

    fn from_str(s: &str) -> Result<Setting, String> {
        let Some((path, values)) = s.split_once('=') else {
            return Err(format!(
                "{s:?}: expected PATH=VALUE[,VALUE…], for example dns.ttl=1s,5s,30s"
            ));
        };
        let path = path.trim();
        if path
            .split('.')
            .nth(crate::scenario::document::MAX_PATH_PARTS)
            .is_some()
        {
            return Err(format!(
                "{:?}: a field path has at most {} parts; no field lies deeper",
                path.chars().take(40).collect::<String>(),
                crate::scenario::document::MAX_PATH_PARTS
            ));
        }
        if path.is_empty() || path.split('.').any(str::is_empty) {
            return Err(format!(
                "{s:?}: {path:?} is not a field path; name a field by its sections, as dns.ttl"
            ));
        }
        if let Some(bad) = path
            .split('.')
            .find(|p| p.parse::<usize>().is_ok_and(|n| n.to_string() != *p))
        {
            return Err(format!(
                "{s:?}: list index {bad:?}: write it as a plain number, as 0 or 12"
            ));
        }
        if path == "seed" || path == "name" {
            return Err(format!(
                "{s:?}: {path} is not varied with a setting: seeds are given by --seeds, and a study keeps its scenario's name"
            ));
        }
        let values = split_values(values);
        if values.iter().any(String::is_empty) {
            return Err(format!("{s:?}: a value is empty"));
        }
        Ok(Setting {
            path: path.to_owned(),
            values,
        })
    }
}

impl fmt::Display for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.path, self.values.join(","))
    }
}

/// Splits on commas outside brackets and braces, so a flow list such as
/// `[a, b]` stays one value.
fn split_values(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut cur = String::new();
    for ch in s.chars() {
        match ch {
            '[' | '{' => depth += 1,
            ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(cur.trim().to_owned());
                cur.clear();
                continue;
            }
            _ => {}
        }
        cur.push(ch);
    }
    out.push(cur.trim().to_owned());
    out
}

/// The seeds each cell runs with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Seeds(pub Vec<u64>);

impl FromStr for Seeds {
    type Err = String;

    /// `A..B` (both ends included: `1..200` is 200 seeds), a list
    /// `1,7,9`, or one seed.
    fn from_str(s: &str) -> Result<Seeds, String> {
        let number = |t: &str| {
            t.trim()
                .parse::<u64>()
                .map_err(|_| format!("{t:?} is not a seed (a whole number 0 to {})", u64::MAX))
        };
        if let Some((a, b)) = s.split_once("..") {
            let (a, b) = (number(a)?, number(b.trim_start_matches('='))?);
            if b < a {
                return Err(format!("{s:?}: the range is empty ({b} is below {a})"));
            }
            if b - a >= MAX_RUNS as u64 {
                return Err(format!(
                    "{s:?}: {} seeds; a study runs at most {MAX_RUNS}",
                    u128::from(b - a) + 1
                ));
            }
            return Ok(Seeds((a..=b).collect()));
        }
        let seeds = s.split(',').map(number).collect::<Result<Vec<_>, _>>()?;
        if let Some((i, dup)) = seeds
            .iter()
            .enumerate()
            .find(|(i, x)| seeds[..*i].contains(x))
        {
            return Err(format!(
                "{s:?}: seed {dup} is given twice (at {i}); each seed runs once"
            ));
        }
        Ok(Seeds(seeds))
    }
}

/// The values of every setting, combined: the cells of the study.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grid {
    /// The settings, in the order given; the first varies slowest.
    pub settings: Vec<Setting>,
}

/// One combination of values: entry `i` is a value of setting `i`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell(pub Vec<(String, String)>);

impl Cell {
    /// `dns.ttl=5s control_plane.health_check_interval=2s`, or
    /// `as written` for the scenario unchanged.
    pub fn label(&self) -> String {
        crate::scenario::document::label(&self.0)
    }
}

impl Grid {
    /// Checks that no field is set twice.
    pub fn new(settings: Vec<Setting>) -> Result<Grid, String> {
        for (i, s) in settings.iter().enumerate() {
            if let Some(other) = settings[..i]
                .iter()
                .find(|o| o.path == s.path || nested(&o.path, &s.path) || nested(&s.path, &o.path))
            {
                return Err(format!("{} and {} set the same field", other.path, s.path));
            }
        }
        Ok(Grid { settings })
    }

    /// How many cells the grid has.
    pub fn len(&self) -> usize {
        self.settings
            .iter()
            .try_fold(1usize, |n, s| n.checked_mul(s.values.len()))
            .unwrap_or(usize::MAX)
    }

    /// Whether the grid has no cell (never: an empty grid has one, the
    /// scenario as written).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every cell, the last setting varying fastest.
    pub fn cells(&self) -> Vec<Cell> {
        let mut cells = vec![Cell(Vec::new())];
        for s in &self.settings {
            cells = cells
                .into_iter()
                .flat_map(|c| {
                    s.values.iter().map(move |v| {
                        let mut next = c.0.clone();
                        next.push((s.path.clone(), v.clone()));
                        Cell(next)
                    })
                })
                .collect();
        }
        cells
    }
}

/// Whether `inner` lies inside `outer` (`dns.ttl` inside `dns`).
fn nested(outer: &str, inner: &str) -> bool {
    inner
        .strip_prefix(outer)
        .is_some_and(|rest| rest.starts_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_setting_is_a_path_and_values() {
        let s: Setting = "dns.ttl=1s, 5s,30s".parse().unwrap();
        assert_eq!(s.path, "dns.ttl");
        assert_eq!(s.values, ["1s", "5s", "30s"]);
        let s: Setting = "faults.0.az_outage.azs=[a, b],[c]".parse().unwrap();
        assert_eq!(s.values, ["[a, b]", "[c]"]);
        assert!("dns.ttl".parse::<Setting>().is_err());
        assert!("dns..ttl=1s".parse::<Setting>().is_err());
        assert!("seed=1,2".parse::<Setting>().is_err());
        assert!("dns.ttl=1s,".parse::<Setting>().is_err());
    }

    #[test]
    fn seeds_are_a_closed_range_or_a_list() {
        assert_eq!("1..200".parse::<Seeds>().unwrap().0.len(), 200);
        assert_eq!("3,1,2".parse::<Seeds>().unwrap().0, [3, 1, 2]);
        assert!("5..4".parse::<Seeds>().is_err());
        assert!("1,1".parse::<Seeds>().is_err());
        assert!("0..18446744073709551615".parse::<Seeds>().is_err());
        assert!("x".parse::<Seeds>().is_err());
    }

    #[test]
    fn cells_vary_the_last_setting_fastest() {
        let g = Grid::new(vec!["a.x=1,2".parse().unwrap(), "b=p,q,r".parse().unwrap()]).unwrap();
        let cells = g.cells();
        assert_eq!(g.len(), 6);
        assert_eq!(cells[1].label(), "a.x=1 b=q");
        assert_eq!(cells[3].label(), "a.x=2 b=p");
        assert!(Grid::new(vec!["dns=1".parse().unwrap(), "dns.ttl=2".parse().unwrap()]).is_err());
        assert_eq!(Grid::new(vec![]).unwrap().cells()[0].label(), "as written");
    }
}
