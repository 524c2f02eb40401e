//! Benchmarks of aurora-sim (`cargo bench -p aurora-sim-bench`), and the
//! conformance checks whose dependencies take too long to build for the
//! everyday `cargo test` (`cargo test -p aurora-sim-bench`): criterion
//! and a JSON Schema validator together compile for longer than the
//! simulator's own tests run. This library only finds the shipped files
//! they read.

use std::path::{Path, PathBuf};

/// A path in the aurora-sim repository.
pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

/// A shipped file's path and text.
pub fn shipped(path: &str) -> (PathBuf, String) {
    let path = repo(path);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (path, text)
}
