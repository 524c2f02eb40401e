//! Facts the model states while it handles an event, for observers.
//!
//! A note says what an actor did — a writer's VDL passed a record, it
//! acknowledged a commit, a read came back with some content, a recovery
//! reached a VDL — never whether that was right. The checkers in `check/`
//! keep their own evidence from these notes (which page states were
//! committed, which commits were acknowledged in which epoch) and judge
//! against it, so a bug in the model cannot hide its own evidence.

use super::storage::lsn::Lsn;
use crate::vocab::ids::PgId;

/// One fact, in the order it happened within the event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Note {
    /// The VDL of the writer of `epoch` passed a record of `page` of
    /// `pg` — as it moved, or when a recovery settled a superseded
    /// writer's records at or below the VDL it recovered.
    Passed {
        /// The writer's epoch.
        epoch: u32,
        /// The record's LSN.
        lsn: Lsn,
        /// Its protection group.
        pg: PgId,
        /// The page within the PG.
        page: u32,
    },
    /// The writer of `epoch` acknowledged the commit ending at `lsn`: its
    /// VDL had reached it.
    Acknowledged {
        /// The writer's epoch.
        epoch: u32,
        /// The commit record's LSN.
        lsn: Lsn,
    },
    /// The writer of `epoch` began a page read in slot `read` at its VDL.
    ReadIssued {
        /// The writer's epoch.
        epoch: u32,
        /// The read's slot.
        read: u32,
        /// The page's protection group.
        pg: PgId,
        /// The page within the PG.
        page: u32,
    },
    /// A read of the writer of `epoch` completed with a page's content.
    ReadAnswered {
        /// The writer's epoch.
        epoch: u32,
        /// The read's slot.
        read: u32,
        /// The content the segment returned.
        content: u64,
    },
    /// The recovery that opens `epoch` reached `vdl`; nothing strictly
    /// between `vdl` and `resume` exists from then on.
    Recovered {
        /// The epoch it opens.
        epoch: u32,
        /// The recovered VDL.
        vdl: Lsn,
        /// Where allocation resumes.
        resume: Lsn,
    },
    /// A global database promoted another region with the log up to
    /// `upto`: by a failover that may lose what the primary acknowledged
    /// beyond it (`allow_loss`), or by a switchover that may not.
    RegionPromoted {
        /// The promotion point.
        upto: Lsn,
        /// A failover, whose loss is its RPO, not a violation.
        allow_loss: bool,
    },
}
