//! `validate`: scenario files checked without running them.

use std::path::PathBuf;

use super::{bad_input, print_bytes, ExitStatus};
use crate::Scenario;

/// Checks each file, printing a line for each that is valid and the error
/// of each that is not.
pub(super) fn validate(scenarios: &[PathBuf]) -> ExitStatus {
    let mut outcome = ExitStatus::Passed;
    for path in scenarios {
        match Scenario::load(path) {
            Ok(sc) => {
                let line = format!(
                    "{}: ok ({}; may hold up to about {} MiB of memory)\n",
                    crate::error::shown(path),
                    sc.config.name,
                    sc.footprint.bytes().div_ceil(1 << 20)
                );
                if print_bytes(line.as_bytes()) != ExitStatus::Passed {
                    return ExitStatus::BadInput;
                }
            }
            Err(e) => outcome = bad_input(&e),
        }
    }
    outcome
}
