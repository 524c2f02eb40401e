//! Facts the model states while it handles an event, for observers.
//!
//! A note says what an actor did — a writer allocated a record or
//! acknowledged a commit, a read came back with some content, a recovery
//! reached a VDL — never whether that was right. The checkers in `check/`
//! keep their own evidence from these notes (which page states were
//! committed, which commits were acknowledged in which epoch) and judge
//! against it, so a bug in the model cannot hide its own evidence.

use super::storage::lsn::Lsn;

/// One fact, in the order it happened within the event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Note {
    /// The writer of `epoch` allocated a redo record for working-set page
    /// `page` (the last record of a commit when `commit_end`).
    Allocated {
        /// The writer's epoch.
        epoch: u32,
        /// The record's LSN.
        lsn: Lsn,
        /// The page, by its dense working-set index.
        page: u64,
        /// Whether it is the commit record (a consistency point).
        commit_end: bool,
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
        /// The page, by its dense working-set index.
        page: u64,
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
}
