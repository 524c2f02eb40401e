//! Slices of a study for many machines. Every run of a sweep and every
//! block of trials of a durability study is a pure function of its plan
//! and its index, so shard `K/N` computes the indices `i` with
//! `i mod N = K − 1` and writes them as a partial result; merging the `N`
//! partials gives exactly, byte for byte, what one unsharded run writes.
//!
//! Schedulers number their tasks: a Kubernetes Indexed Job sets
//! `JOB_COMPLETION_INDEX` (0-based), a Slurm job array
//! `SLURM_ARRAY_TASK_ID`; `deploy/` turns those into `--shard`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The most shards a study is cut into.
pub const MAX_SHARDS: u32 = 100_000;

/// Shard `k` of `n`, 1-based. A partial file's header is read through
/// [`Shard::new`], so it is held to the same range as `--shard`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ShardFields")]
pub struct Shard {
    /// Which slice, 1 to `n`.
    pub k: u32,
    /// How many slices.
    pub n: u32,
}

/// A shard header as written, before its range is checked.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ShardFields {
    k: u32,
    n: u32,
}

impl TryFrom<ShardFields> for Shard {
    type Error = String;

    fn try_from(f: ShardFields) -> Result<Shard, String> {
        Shard::new(f.k, f.n)
    }
}

impl Shard {
    /// The whole study.
    pub const ALL: Shard = Shard { k: 1, n: 1 };

    /// Shard `k` of `n`, if `1 ≤ k ≤ n ≤` [`MAX_SHARDS`].
    pub fn new(k: u32, n: u32) -> Result<Shard, String> {
        if k == 0 || k > n || n > MAX_SHARDS {
            return Err(format!(
                "shard {k}/{n}: expected K/N with 1 ≤ K ≤ N ≤ {MAX_SHARDS}"
            ));
        }
        Ok(Shard { k, n })
    }

    /// The indices below `total` that belong to this shard. Interleaving
    /// spreads every cell over every shard, so shards take about as long.
    pub fn slice(self, total: usize) -> impl Iterator<Item = usize> {
        (self.k as usize - 1..total).step_by(self.n as usize)
    }

    /// Whether this is the whole study.
    pub fn is_all(self) -> bool {
        self.n == 1
    }

    /// The partial file's name for a study named `name`.
    pub fn file_name(self, name: &str) -> String {
        format!("{name}.part-{}-of-{}.json", self.k, self.n)
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || {
            format!(
                "{s:?}: expected K/N with 1 ≤ K ≤ N ≤ {MAX_SHARDS}, for example 3/8 (shard 3 of 8)"
            )
        };
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let k: u32 = k.trim().parse().map_err(|_| bad())?;
        let n: u32 = n.trim().parse().map_err(|_| bad())?;
        Shard::new(k, n).map_err(|_| bad())
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

/// A partial result: one shard's share of a study.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Partial<T> {
    /// Layout version.
    pub format: u32,
    /// `sweep` or `durability`.
    pub study: String,
    /// Which shard.
    pub shard: Shard,
    /// The shard's results, with the plan they belong to.
    pub result: T,
}

/// Checks that `shards` are each of `1..=N` exactly once, for one `N`.
pub fn check_complete(shards: &[Shard]) -> Result<(), String> {
    let Some(n) = shards.first().map(|s| s.n) else {
        return Err("no partial results given".to_owned());
    };
    if let Some(other) = shards.iter().find(|s| s.n != n) {
        return Err(format!(
            "shard {other} is of a {}-way split, shard {} of a {n}-way one",
            other.n, shards[0]
        ));
    }
    // Shards built in code skip the header's check.
    if let Some(s) = shards.iter().find(|s| Shard::new(s.k, s.n).is_err()) {
        return Err(format!(
            "shard {s} is out of range: expected 1 ≤ K ≤ N ≤ {MAX_SHARDS}"
        ));
    }
    let mut seen = vec![false; n as usize];
    for s in shards {
        if std::mem::replace(&mut seen[s.k as usize - 1], true) {
            return Err(format!("shard {s} is given twice"));
        }
    }
    let missing: Vec<String> = (1..=n)
        .filter(|k| !seen[*k as usize - 1])
        .map(|k| format!("{k}/{n}"))
        .collect();
    if !missing.is_empty() {
        return Err(format!("missing shard(s) {}", missing.join(", ")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_indices() {
        let mut all: Vec<usize> = (1..=4).flat_map(|k| Shard { k, n: 4 }.slice(10)).collect();
        all.sort_unstable();
        assert_eq!(all, (0..10).collect::<Vec<_>>());
        assert_eq!("3/8".parse::<Shard>().unwrap(), Shard { k: 3, n: 8 });
        for bad in ["0/4", "5/4", "4", "a/b", "1/100001"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_merge_needs_every_shard_once() {
        let s = |k, n| Shard { k, n };
        assert!(check_complete(&[s(2, 2), s(1, 2)]).is_ok());
        assert!(check_complete(&[s(1, 2)])
            .unwrap_err()
            .contains("missing shard(s) 2/2"));
        assert!(check_complete(&[s(1, 2), s(1, 2)])
            .unwrap_err()
            .contains("twice"));
        assert!(check_complete(&[s(1, 2), s(1, 3)]).is_err());
        for (k, n) in [(0, 2), (3, 2), (0, 0)] {
            assert!(check_complete(&[s(k, n)]).is_err(), "{k}/{n}");
        }
    }
}
