//! `init` and `import`: scenario files made for the user, printed, or
//! written to a new file (never over one).

use std::path::{Path, PathBuf};

use super::{bad_input, bad_output, print_bytes, write_atomically, ExitStatus};
use crate::error::InputError;
use crate::scenario::import::{import as import_scenario, Sources};
use crate::scenario::scaffold::scaffold;
use crate::Scenario;

/// Where a made scenario goes: standard output, or a file that does not
/// exist yet.
fn emit(text: &str, out: Option<&Path>) -> ExitStatus {
    let Some(path) = out else {
        return print_bytes(text.as_bytes());
    };
    if path.exists() {
        return bad_output(&format!(
            "{} exists; nothing written (choose another path, or remove it first)",
            crate::error::shown(path)
        ));
    }
    match write_atomically(path, text.as_bytes()) {
        Ok(()) => {
            eprintln!("wrote {}", crate::error::shown(path));
            ExitStatus::Passed
        }
        Err(e) => bad_output(&format!("cannot write {}: {e}", crate::error::shown(path))),
    }
}

/// `aurora-sim init NAME`: a commented scenario to start from.
pub(super) fn init(name: &str, out: Option<&Path>) -> ExitStatus {
    let text = scaffold(name);
    // The name must make a valid scenario: say so as validation would.
    if let Err(e) = Scenario::parse(&text, Path::new(&format!("{name}.yaml"))) {
        let message = e.to_string();
        let why = message.split_once(": ").map_or(message.as_str(), |m| m.1);
        return bad_output(&format!("cannot name a scenario {name:?}: {why}"));
    }
    emit(&text, out)
}

/// The files `import` reads.
pub(super) struct ImportFiles {
    pub clusters: PathBuf,
    pub instances: Option<PathBuf>,
    pub fis: Option<PathBuf>,
    pub cluster: Option<String>,
}

/// `aurora-sim import`: a scenario from `describe-db-clusters`,
/// `describe-db-instances` and an FIS template.
pub(super) fn import(files: &ImportFiles, out: Option<&Path>) -> ExitStatus {
    let read = |path: &Path| {
        std::fs::read_to_string(path).map_err(|source| InputError::Io {
            path: path.to_owned(),
            source,
        })
    };
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
        clusters: &clusters,
        clusters_file: Some(&files.clusters),
        instances: instances.as_deref(),
        instances_file: files.instances.as_deref(),
        fis: fis.as_deref(),
        fis_file: files.fis.as_deref(),
        cluster: files.cluster.as_deref(),
    };
    match import_scenario(&sources) {
        Ok(imported) => {
            for n in &imported.notes {
                eprintln!("note: {n}");
            }
            emit(&imported.yaml, out)
        }
        Err(e) => bad_input(&e),
    }
}
