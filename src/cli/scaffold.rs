//! `init` and `import`: scenario files made for the user, printed, or
//! written to a new file (never over one).

use std::path::{Path, PathBuf};

use super::{bad_input, bad_output, print_bytes, write_new, ExitStatus};
use crate::error::InputError;
use crate::scenario::import::{import as import_scenario, Sources};
use crate::scenario::read_input;
use crate::scenario::scaffold::scaffold;
use crate::Scenario;

/// Where a made scenario goes: standard output (no path, or `-`), or a
/// file that does not exist yet.
fn emit(text: &str, out: Option<&Path>) -> ExitStatus {
    let Some(path) = out.filter(|p| p.as_os_str() != "-") else {
        return print_bytes(text.as_bytes());
    };
    let exists = || {
        bad_output(&format!(
            "{} exists; nothing written (choose another path, or remove it first)",
            crate::error::shown(path)
        ))
    };
    // A link, even one pointing nowhere, is something there.
    if path.symlink_metadata().is_ok() {
        return exists();
    }
    match write_new(path, text.as_bytes()) {
        Ok(()) => {
            say!("wrote {}", crate::error::shown(path));
            ExitStatus::Passed
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => exists(),
        Err(e) => bad_output(&format!("cannot write {}: {e}", crate::error::shown(path))),
    }
}

/// `aurora-sim init NAME`: a commented scenario to start from.
pub(super) fn init(name: &str, out: Option<&Path>) -> ExitStatus {
    // The name must be one a scenario may have: said as validation says it.
    if let Some(why) = crate::scenario::scaffold::name_problem(name) {
        return bad_output(&format!("cannot name a scenario {name:?}: {why}"));
    }
    let text = scaffold(name);
    debug_assert!(Scenario::parse(&text, Path::new("init.yaml")).is_ok());
    emit(&text, out)
}

/// The files `import` reads.
pub(super) struct ImportFiles {
    pub clusters: PathBuf,
    pub instances: Option<PathBuf>,
    pub fis: Option<PathBuf>,
    pub cluster: Option<String>,
}

/// What `import` reads, in words.
const JSON: &str = "the AWS CLI's output and FIS templates are JSON";

/// `aurora-sim import`: a scenario from `describe-db-clusters`,
/// `describe-db-instances` and an FIS template; any one of them may be
/// `-`, standard input.
pub(super) fn import(files: &ImportFiles, out: Option<&Path>) -> ExitStatus {
    let paths = [
        Some(&files.clusters),
        files.instances.as_ref(),
        files.fis.as_ref(),
    ];
    if paths
        .iter()
        .flatten()
        .filter(|p| p.as_os_str() == "-")
        .count()
        > 1
    {
        return bad_output(
            "only one of --clusters, --instances and --fis can be - (standard input)",
        );
    }
    let read = |path: &Path| read_input(path, JSON);
    let texts = (|| {
        let clusters = read(&files.clusters)?;
        let instances = files.instances.as_deref().map(read).transpose()?;
        let fis = files.fis.as_deref().map(read).transpose()?;
        Ok::<_, InputError>((clusters, instances, fis))
    })();
    let (clusters, instances, fis) = match texts {
        Ok(t) => t,
        Err(e) => return bad_input(&e),
    };
    let sources = Sources {
        clusters: &clusters.0,
        clusters_file: Some(&clusters.1),
        instances: instances.as_ref().map(|i| i.0.as_str()),
        instances_file: instances.as_ref().map(|i| i.1.as_path()),
        fis: fis.as_ref().map(|f| f.0.as_str()),
        fis_file: fis.as_ref().map(|f| f.1.as_path()),
        cluster: files.cluster.as_deref(),
    };
    match import_scenario(&sources) {
        Ok(imported) => {
            for n in &imported.notes {
                say!("note: {n}");
            }
            emit(&imported.yaml, out)
        }
        Err(e) => bad_input(&e),
    }
}
