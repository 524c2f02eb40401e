//! Quorum liveness: while every PG has a write quorum of live segments the
//! writer can reach, and the writer is open, a commit is acknowledged
//! within [`BOUND`] of arriving (or of those conditions starting to hold).

use crate::model::{kind, World};
use crate::sim::{SimDuration, SimTime};

/// How long a commit may wait while quorums are live. A write quorum
/// acknowledges within milliseconds; a PG that just regained its quorum
/// catches up through resends every `write_retry_interval` (100 ms) of at
/// most 4,096 records and through gossip, which takes seconds after a long
/// outage. Ten seconds is far beyond both and far below any failure.
pub const BOUND: SimDuration = SimDuration::from_secs(10);

#[derive(Default)]
pub(super) struct Liveness {
    /// Since when the conditions have held without a break.
    since: Option<SimTime>,
}

impl Liveness {
    #[inline]
    pub(super) fn after(&mut self, world: &World, now: SimTime, event: [u64; 3]) -> Option<String> {
        if event[0] != kind::TICK {
            return None;
        }
        let live = world.writer_alive() && world.writer.open && world.rec.pgs_below_write.0 == 0;
        if !live {
            self.since = None;
            return None;
        }
        let since = *self.since.get_or_insert(now);
        let oldest = world.writer.oldest_waiting_commit()?;
        let from = oldest.max(since);
        if now.since(from) <= BOUND {
            return None;
        }
        // One report per episode: the window starts again.
        self.since = Some(now);
        Some(format!(
            "a commit waiting since {:.3} s is unacknowledged after {:.3} s, with every PG at write quorum and {} open",
            oldest.as_secs_f64(),
            now.since(from).as_secs_f64(),
            world.instances[world.writer.instance.index()].name
        ))
    }
}
