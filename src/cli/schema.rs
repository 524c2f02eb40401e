//! `schema`: the JSON Schema of the scenario format.

use super::{print_bytes, ExitStatus};

/// Prints the schema.
pub(super) fn schema() -> ExitStatus {
    let schema = crate::scenario::reference::json_schema();
    let text = serde_json::to_string_pretty(&schema).expect("a JSON value serializes");
    print_bytes(format!("{text}\n").as_bytes())
}
