//! Where `run` writes. `OUT/<name>/` belongs to one run at a time and is
//! replaced whole: every file is written into a hidden staging directory
//! beside it, which is swapped into place in one step once complete. A
//! reader therefore sees the old results or the new ones, never a mix; a
//! run that dies leaves only its staging directory, which the next run
//! into `OUT` removes if it can prove a run staged it (it holds the
//! staging marker and nothing but files a run writes); and a directory
//! holding anything `run` does not write is refused rather than replaced.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::report::charts::{Chart, StudyChart};

/// The prefix of staging directories; nothing else in `OUT` is removed.
const STAGING_PREFIX: &str = ".aurora-sim-run-";

/// The file a run writes first into its staging directory and removes
/// last before publishing it: a directory with the prefix but without
/// this file was not staged by a run, so it is never removed.
const STAGING_MARKER: &str = ".aurora-sim-staging";

/// Staging directories of runs in progress, removed if the process is
/// interrupted (Ctrl-C, SIGTERM) before they are published.
static STAGED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Removes what interrupted runs had staged, then exits as interrupted
/// processes do (128 + SIGINT).
pub fn clean_up_on_interrupt() {
    // A second installation (tests calling `execute` twice) is harmless.
    let _ = ctrlc::set_handler(|| {
        let staged = STAGED.lock().unwrap_or_else(|e| e.into_inner());
        for dir in staged.iter() {
            let _ = fs::remove_dir_all(dir);
        }
        say!("interrupted: the runs still in progress wrote nothing");
        std::process::exit(130);
    });
}

/// Every file name a run may write into its directory.
fn is_ours(name: &str) -> bool {
    let stems = Chart::ALL
        .iter()
        .map(|c| c.stem())
        .chain(StudyChart::ALL.iter().map(|c| c.stem()));
    matches!(
        name,
        "summary.json"
            | "timeline.csv"
            | "events.jsonl"
            | "sweep.csv"
            | "sweep.json"
            | "durability.json"
            | "validation.json"
            | "validation.md"
    ) || stems
        .into_iter()
        .any(|stem| name == format!("{stem}.png") || name == format!("{stem}.svg"))
}

/// Whether `dir` is what a killed run left: it holds the staging marker
/// and otherwise only plain files of the names a run writes.
fn staged_by_a_run(dir: &Path) -> bool {
    let Ok(entries) = fs::read_dir(dir) else {
        return false;
    };
    let mut marked = false;
    for entry in entries {
        let Ok(entry) = entry else { return false };
        if !entry.file_type().is_ok_and(|t| t.is_file()) {
            return false;
        }
        match entry.file_name().to_str() {
            Some(STAGING_MARKER) => marked = true,
            Some(name) if is_ours(name) => {}
            _ => return false,
        }
    }
    marked
}

/// `OUT`, held for the whole command: an advisory lock on the directory
/// keeps a second `aurora-sim run` from writing into it at the same time.
#[derive(Debug)]
pub struct OutRoot {
    dir: PathBuf,
    _lock: File,
}

impl OutRoot {
    /// Creates `out` if needed, takes its lock, and removes the staging
    /// directories that killed runs left in it.
    pub fn open(out: &Path) -> Result<OutRoot, String> {
        let shown = crate::error::shown(out);
        if out.exists() && !out.is_dir() {
            return Err(format!(
                "--out {shown} is a file; it must name a directory (results go to {shown}/<scenario name>/)"
            ));
        }
        fs::create_dir_all(out).map_err(|e| format!("cannot create --out {shown}: {e}"))?;
        let lock = File::open(out).map_err(|e| format!("cannot open --out {shown}: {e}"))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                return Err(format!(
                "another aurora-sim run is writing to {shown}; wait for it or choose another --out"
            ))
            }
            Err(fs::TryLockError::Error(e)) => {
                return Err(format!("cannot lock --out {shown}: {e}"))
            }
        }
        let entries = fs::read_dir(out).map_err(|e| format!("cannot read --out {shown}: {e}"))?;
        for entry in entries.flatten() {
            let name = entry.file_name();
            let prefixed = name.to_str().is_some_and(|n| n.starts_with(STAGING_PREFIX));
            // `file_type` does not follow links: a link is never entered.
            if prefixed
                && entry.file_type().is_ok_and(|t| t.is_dir())
                && staged_by_a_run(&entry.path())
            {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
        Ok(OutRoot {
            dir: out.to_owned(),
            _lock: lock,
        })
    }

    /// Where the results of the scenario `name` go.
    pub fn target(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Whether `OUT/<name>` may be replaced: absent, or a directory of
    /// nothing but files a run writes. Checked before anything runs.
    pub fn check_replaceable(&self, name: &str) -> Result<(), String> {
        let target = self.target(name);
        let shown = crate::error::shown(&target);
        let Ok(meta) = fs::symlink_metadata(&target) else {
            return Ok(());
        };
        if meta.file_type().is_symlink() {
            return Err(format!(
                "{shown} is a symbolic link; results directories are replaced whole, so choose another --out"
            ));
        }
        if !meta.is_dir() {
            return Err(format!(
                "{shown} is a file, not a results directory; remove it or choose another --out"
            ));
        }
        let entries = fs::read_dir(&target).map_err(|e| format!("cannot read {shown}: {e}"))?;
        // Ours are plain files of our names; a directory or link of the
        // same name is somebody else's.
        let mut foreign: Vec<String> = entries
            .flatten()
            .filter(|e| {
                let name = e.file_name();
                let plain = e.file_type().is_ok_and(|t| t.is_file());
                !(plain && name.to_str().is_some_and(is_ours))
            })
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        if foreign.is_empty() {
            return Ok(());
        }
        foreign.sort();
        Err(format!(
            "{shown} holds files aurora-sim does not write ({}); a run replaces its directory whole, so move them or choose another --out",
            foreign.join(", ")
        ))
    }

    /// A fresh staging directory for the results of `name`, marked as a
    /// run's own before anything else is written into it.
    pub fn stage(&self, name: &str) -> std::io::Result<Staged> {
        let dir = tempfile::Builder::new()
            .prefix(&format!("{STAGING_PREFIX}{name}-"))
            .tempdir_in(&self.dir)?;
        fs::write(
            dir.path().join(STAGING_MARKER),
            format!("results of {name}\n"),
        )?;
        STAGED
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(dir.path().to_owned());
        Ok(Staged {
            dir,
            target: self.target(name),
        })
    }
}

/// A results directory being written; dropped unpublished, it is removed.
#[derive(Debug)]
pub struct Staged {
    dir: tempfile::TempDir,
    target: PathBuf,
}

impl Staged {
    /// Where to write the files.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Puts the staged directory in place of the target in one step and
    /// removes what it replaced.
    pub fn publish(self) -> std::io::Result<()> {
        let staged = self.dir.path().to_owned();
        // Unmarked, a directory a crash leaves between here and the swap
        // is kept: a run removes only what it can prove it staged.
        let result = fs::remove_file(staged.join(STAGING_MARKER))
            .and_then(|()| swap_into_place(&staged, &self.target));
        // After a swap the staging path holds the old results; either way
        // the temporary directory's removal takes what is left there.
        drop(self.dir);
        STAGED
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|d| d != &staged);
        result
    }
}

/// Moves `staged` to `target`. A missing target is a plain rename; an
/// existing one is exchanged atomically where the system can, so `target`
/// always names a complete directory.
fn swap_into_place(staged: &Path, target: &Path) -> std::io::Result<()> {
    if fs::symlink_metadata(target).is_err() {
        return fs::rename(staged, target);
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{renameat_with, RenameFlags, CWD};
        match renameat_with(CWD, staged, CWD, target, RenameFlags::EXCHANGE) {
            Ok(()) => return Ok(()),
            // Filesystems without the exchange fall through to two renames.
            Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let old = staged.with_extension("old");
    fs::rename(target, &old)?;
    fs::rename(staged, target)?;
    // The staging path is free again: park the old results there, where
    // the staging directory's removal finds them.
    fs::rename(&old, staged)
}
