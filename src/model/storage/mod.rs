//! Aurora's storage: a volume of protection groups, each replicated six
//! ways, kept durable by quorum writes of redo records ("the log is the
//! database", \[P17\] §3).
//!
//! [`fleet::Storage`] is the actor: the storage nodes with their disks, and
//! the handlers of every message a segment receives. Repair, which
//! re-creates segments lost with a node, lives in `model::repair`.

pub mod device;
pub mod fleet;
pub mod lsn;
pub mod page;
mod promotion;
pub mod recovery;
mod repair;
pub mod segment;
pub mod volume;
