//! `report`: one self-contained HTML page from results directories.

use std::fs;
use std::path::{Path, PathBuf};

use super::{bad_input, bad_output, write_atomically, ExitStatus};
use crate::metrics::units::count;
use crate::report::{self, Results};

/// Builds the page at `out` from the runs and studies in `dirs`; a file
/// already at `out` is replaced only if it is a report.
pub(super) fn report(dirs: &[PathBuf], out: &Path) -> ExitStatus {
    let mut runs = Vec::new();
    let mut studies = Vec::new();
    for dir in dirs {
        match report::Study::load(dir) {
            Some(Ok(s)) => studies.push(s),
            Some(Err(e)) => return bad_input(&e),
            None => match Results::load(dir) {
                Ok(r) => runs.push(r),
                Err(e) => {
                    return match offer_runs(dir) {
                        Some(offer) => bad_output(&offer),
                        None if dir.is_dir() && !dir.join("summary.json").exists() => bad_output(&format!(
                            "{} holds no results: report takes directories that run, sweep or durability wrote (with summary.json, sweep.json or durability.json in them)",
                            crate::error::shown(dir)
                        )),
                        None => bad_input(&e),
                    }
                }
            },
        }
    }
    // A file already there is replaced only if it is a report.
    if let Ok(old) = fs::read(out) {
        if !old.starts_with(b"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>aurora-sim: ") {
            say!(
                "error: {} exists and is not a report aurora-sim wrote; choose another --out",
                crate::error::shown(out)
            );
            return ExitStatus::BadInput;
        }
    }
    let page = report::page_with_studies(&runs, &studies);
    let written = write_atomically(out, page.as_bytes());
    if let Err(e) = written {
        say!("error: cannot write {}: {e}", crate::error::shown(out));
        return ExitStatus::BadInput;
    }
    println!(
        "wrote {} ({}, {})",
        crate::error::shown(out),
        count(runs.len(), "run", "runs"),
        count(studies.len(), "study", "studies")
    );
    ExitStatus::Passed
}

/// For a directory that holds no results but whose subdirectories do
/// (`report out` after `run --out out`), the command that reports them.
fn offer_runs(dir: &Path) -> Option<String> {
    if dir.join("summary.json").exists() {
        return None;
    }
    let mut runs: Vec<PathBuf> = fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.join("summary.json").is_file()
                || p.join("sweep.json").is_file()
                || p.join("durability.json").is_file()
        })
        .collect();
    runs.sort();
    if runs.is_empty() {
        return None;
    }
    let list: Vec<String> = runs
        .iter()
        .map(|p| crate::error::shown(p).to_string())
        .collect();
    Some(format!(
        "{} holds no results of its own, but {} of its subdirectories do; report them with\n  aurora-sim report {}",
        crate::error::shown(dir),
        runs.len(),
        list.join(" ")
    ))
}
