//! Quorum intersection: read + write > copies, so every read quorum holds
//! every durable record, and 2 · write > copies, so two conflicting writes
//! cannot both succeed (\[P17\] §2.1). Config validation refuses a
//! configuration that breaks them unless it sets `unsafe_quorum`.

use crate::model::World;

/// The rule the run's quorums break, if any.
pub(super) fn broken_rule(world: &World) -> Option<String> {
    let q = &world.volume().quorum;
    q.broken_rule().map(|e| {
        format!(
            "{}/{} writes and {}/{} reads: {e}",
            q.write(),
            q.copies(),
            q.read(),
            q.copies()
        )
    })
}
