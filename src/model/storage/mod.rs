//! Aurora's storage: a volume of protection groups, each replicated six
//! ways, kept durable by quorum writes of redo records ("the log is the
//! database", [P17] §3).

pub mod lsn;
pub mod page;
pub mod quorum;
pub mod recovery;
pub mod segment;
pub mod volume;
