//! How much more memory this process may take before an allocation fails:
//! the least of what the machine has free, what the process's
//! address-space limit (`ulimit -v`) leaves, and what its control group's
//! limit (`memory.max`, or `memory.limit_in_bytes` under cgroup v1) leaves.
//! A run or study checked against only the first dies of a failed
//! allocation under the other two.

use std::fs;
use std::path::{Path, PathBuf};

/// Memory left to the process, and which limit leaves the least.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Headroom {
    /// Bytes that may still be taken.
    pub bytes: u64,
    /// The limit, in words for a message ("what this machine has free").
    pub what: &'static str,
    /// What each thread that runs a simulation takes from it before the
    /// run holds anything.
    pub per_thread: u64,
}

impl Headroom {
    /// One run's share when `runs` run at once, each on its own thread.
    pub fn share(self, runs: usize) -> Headroom {
        let runs = runs.max(1) as u64;
        Headroom {
            bytes: self.bytes.saturating_sub(self.per_thread * runs) / runs,
            ..self
        }
    }
}

/// The address space a new thread maps before it allocates anything:
/// glibc gives it a malloc arena of 64 MiB, reserved whole, and Rust a
/// stack of 2 MiB. Only an address-space limit counts reservations.
const THREAD_ADDRESS_SPACE: u64 = 66 << 20;

/// The tightest of the limits this process can read, if any.
pub fn headroom() -> Option<Headroom> {
    [
        machine_free(),
        address_space_left(),
        cgroup_left(Path::new("/proc/self/cgroup"), Path::new("/sys/fs/cgroup")),
    ]
    .into_iter()
    .flatten()
    .min_by_key(|h| h.bytes.saturating_sub(h.per_thread))
}

/// Linux's `MemAvailable`.
fn machine_free() -> Option<Headroom> {
    let info = fs::read_to_string("/proc/meminfo").ok()?;
    Some(Headroom {
        bytes: kib_field(&info, "MemAvailable:")?,
        what: "what this machine has free",
        per_thread: 0,
    })
}

/// The address-space limit less the address space already mapped.
fn address_space_left() -> Option<Headroom> {
    #[cfg(target_os = "linux")]
    {
        let limit = rustix::process::getrlimit(rustix::process::Resource::As).current?;
        let status = fs::read_to_string("/proc/self/status").ok()?;
        let mapped = kib_field(&status, "VmSize:").unwrap_or(0);
        Some(Headroom {
            bytes: limit.saturating_sub(mapped),
            what: "what the process's address-space limit (ulimit -v) leaves",
            per_thread: THREAD_ADDRESS_SPACE,
        })
    }
    #[cfg(not(target_os = "linux"))]
    None
}

/// A `Name:   1234 kB` line of a /proc file, in bytes.
fn kib_field(text: &str, name: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with(name))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib.saturating_mul(1024))
}

/// The least any control group above the process leaves: a limit may be
/// set on an ancestor, so each level from the process's own group up to
/// the mount's root is read. `cgroups` is `/proc/self/cgroup`, `mount`
/// where the hierarchy is mounted.
fn cgroup_left(cgroups: &Path, mount: &Path) -> Option<Headroom> {
    let listing = fs::read_to_string(cgroups).ok()?;
    listing
        .lines()
        .filter_map(|line| {
            // `hierarchy:controllers:path`; v2 is `0::path`, v1 names the
            // memory controller.
            let mut parts = line.splitn(3, ':');
            let (_, controllers, path) = (parts.next()?, parts.next()?, parts.next()?);
            let v2 = controllers.is_empty();
            let v1 = controllers.split(',').any(|c| c == "memory");
            let (root, max, current) = if v2 {
                (mount.to_owned(), "memory.max", "memory.current")
            } else if v1 {
                (
                    mount.join("memory"),
                    "memory.limit_in_bytes",
                    "memory.usage_in_bytes",
                )
            } else {
                return None;
            };
            levels(&root, path)
                .into_iter()
                .filter_map(|dir| {
                    let number =
                        |file| fs::read_to_string(dir.join(file)).ok()?.trim().parse().ok();
                    // "max" (no limit) does not parse; v1 writes a huge number.
                    let limit: u64 = number(max)?;
                    let used: u64 = number(current).unwrap_or(0);
                    Some(limit.saturating_sub(used))
                })
                .min()
        })
        .min()
        .map(|bytes| Headroom {
            bytes,
            what: "what the process's control group (memory.max) leaves",
            per_thread: 0,
        })
}

/// `root/a/b/c`, `root/a/b`, `root/a` and `root` for the group `/a/b/c`.
/// Inside a container the listed path may not exist below the mount (the
/// namespace's root is the mount); the levels that do not exist read as
/// no limit and the mount's root still counts.
fn levels(root: &Path, group: &str) -> Vec<PathBuf> {
    let mut dir = root.to_owned();
    let mut levels = vec![dir.clone()];
    for part in group.split('/').filter(|p| !p.is_empty() && *p != "..") {
        dir.push(part);
        levels.push(dir.clone());
    }
    levels
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(dir: &Path, path: &str, max: &str, current: &str) {
        let d = dir.join(path);
        fs::create_dir_all(&d).unwrap();
        fs::write(d.join("memory.max"), max).unwrap();
        fs::write(d.join("memory.current"), current).unwrap();
    }

    #[test]
    fn the_tightest_level_of_a_v2_hierarchy_counts() {
        let dir = tempfile::tempdir().unwrap();
        let mount = dir.path().join("cg");
        group(&mount, "", "max\n", "0\n");
        group(&mount, "app", "4294967296\n", "1073741824\n");
        group(&mount, "app/job", "max\n", "1073741824\n");
        let list = dir.path().join("cgroup");
        fs::write(&list, "0::/app/job\n").unwrap();
        let h = cgroup_left(&list, &mount).expect("a limit");
        assert_eq!(h.bytes, 3 << 30);
        assert!(h.what.contains("memory.max"));
    }

    #[test]
    fn a_v1_memory_controller_is_read_and_no_limit_is_none() {
        let dir = tempfile::tempdir().unwrap();
        let mount = dir.path().join("cg");
        let d = mount.join("memory/box");
        fs::create_dir_all(&d).unwrap();
        fs::write(d.join("memory.limit_in_bytes"), "2147483648\n").unwrap();
        fs::write(d.join("memory.usage_in_bytes"), "1073741824\n").unwrap();
        let list = dir.path().join("cgroup");
        fs::write(&list, "4:cpu,cpuacct:/box\n3:memory:/box\n").unwrap();
        assert_eq!(cgroup_left(&list, &mount).unwrap().bytes, 1 << 30);
        group(&mount, "free", "max\n", "5\n");
        fs::write(&list, "0::/free\n").unwrap();
        assert_eq!(cgroup_left(&list, &mount), None);
    }

    #[test]
    fn proc_fields_read_in_bytes() {
        let status = "Name:\tx\nVmSize:\t  2048 kB\n";
        assert_eq!(kib_field(status, "VmSize:"), Some(2 << 20));
        assert_eq!(kib_field(status, "VmRSS:"), None);
    }
}
