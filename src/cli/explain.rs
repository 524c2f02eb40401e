//! `explain`: the scenario format described, section by section or
//! setting by setting.

use super::{bad_output, print_bytes, ExitStatus};

/// Prints the format's sections and fault kinds, or each setting under
/// `topic` with its range, default and the default's source.
pub(super) fn explain(topic: Option<&str>) -> ExitStatus {
    match crate::scenario::reference::explain(topic) {
        Ok(text) => print_bytes(text.as_bytes()),
        Err(e) => bad_output(&e),
    }
}
