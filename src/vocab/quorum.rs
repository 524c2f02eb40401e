//! Quorum arithmetic.
//!
//! A PG of `V` copies accepts a write once `V_w` copies hold it and recovery
//! reads `V_r` copies. The two rules from \[P17\] §2.1:
//!
//! * `V_r + V_w > V`: every read quorum meets every write quorum, so recovery
//!   sees each durable record;
//! * `2·V_w > V`: two write quorums always meet, so two writes cannot both
//!   succeed on disjoint copies.
//!
//! Aurora uses `V = 6, V_w = 4, V_r = 3`; a classic three-AZ design uses
//! `3 / 2 / 2`.

/// Copies and quorum sizes that satisfy both rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quorum {
    copies: u32,
    write: u32,
    read: u32,
}

/// Why a quorum configuration is unsafe.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuorumError {
    /// A quorum larger than the copies, or empty.
    #[error("quorum sizes must be between 1 and the {copies} copies, found write {write} and read {read}")]
    OutOfRange {
        /// Copies.
        copies: u32,
        /// Write quorum.
        write: u32,
        /// Read quorum.
        read: u32,
    },
    /// A read might miss the latest write.
    #[error("read quorum {read} + write quorum {write} must exceed the {copies} copies, or a read can miss the latest write")]
    ReadMissesWrite {
        /// Copies.
        copies: u32,
        /// Write quorum.
        write: u32,
        /// Read quorum.
        read: u32,
    },
    /// Two writes might both succeed on disjoint copies.
    #[error("2 x write quorum {write} must exceed the {copies} copies, or two conflicting writes can both succeed")]
    WritesConflict {
        /// Copies.
        copies: u32,
        /// Write quorum.
        write: u32,
    },
}

impl Quorum {
    /// Aurora's 4-of-6 writes and 3-of-6 reads (\[P17\] §2.1).
    pub const AURORA: Quorum = Quorum {
        copies: 6,
        write: 4,
        read: 3,
    };

    /// Checks both quorum rules.
    pub fn new(copies: u32, write: u32, read: u32) -> Result<Quorum, QuorumError> {
        if write == 0 || read == 0 || write > copies || read > copies {
            return Err(QuorumError::OutOfRange {
                copies,
                write,
                read,
            });
        }
        if read + write <= copies {
            return Err(QuorumError::ReadMissesWrite {
                copies,
                write,
                read,
            });
        }
        if 2 * write <= copies {
            return Err(QuorumError::WritesConflict { copies, write });
        }
        Ok(Quorum {
            copies,
            write,
            read,
        })
    }

    /// A configuration that may break the rules, to show what they protect
    /// against: tests, and scenarios that set `unsafe_quorum`.
    pub fn unchecked(copies: u32, write: u32, read: u32) -> Quorum {
        Quorum {
            copies,
            write,
            read,
        }
    }

    /// Copies per PG.
    pub fn copies(&self) -> u32 {
        self.copies
    }

    /// The rule this configuration breaks, if any.
    pub fn broken_rule(&self) -> Option<QuorumError> {
        Quorum::new(self.copies, self.write, self.read).err()
    }

    /// Write quorum size.
    pub fn write(&self) -> u32 {
        self.write
    }

    /// Read quorum size.
    pub fn read(&self) -> u32 {
        self.read
    }

    /// The highest LSN that at least a write quorum of these copies holds,
    /// given each copy's SCL: the `V_w`-th largest. A record at or below it
    /// is durable.
    pub fn durable_lsn<L: Ord + Copy>(&self, scls: &mut [L]) -> L {
        assert!(
            scls.len() == self.copies as usize,
            "a quorum set has {} members, the PG has {} copies",
            scls.len(),
            self.copies
        );
        scls.sort_unstable_by(|a, b| b.cmp(a));
        scls[self.write as usize - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aurora_and_classic_quorums_are_valid() {
        assert_eq!(Quorum::new(6, 4, 3), Ok(Quorum::AURORA));
        assert!(Quorum::new(3, 2, 2).is_ok());
    }

    #[test]
    fn unsafe_quorums_are_rejected_with_the_rule_they_break() {
        assert!(matches!(
            Quorum::new(6, 3, 3),
            Err(QuorumError::ReadMissesWrite { .. })
        ));
        assert!(matches!(
            Quorum::new(6, 3, 4),
            Err(QuorumError::WritesConflict { .. })
        ));
        assert!(matches!(
            Quorum::new(6, 7, 3),
            Err(QuorumError::OutOfRange { .. })
        ));
        assert!(matches!(
            Quorum::new(6, 4, 0),
            Err(QuorumError::OutOfRange { .. })
        ));
    }

    #[test]
    fn durable_lsn_is_the_fourth_highest_of_six() {
        let mut scls = [9, 3, 7, 5, 1, 8];
        assert_eq!(Quorum::AURORA.durable_lsn(&mut scls), 5);
        // Two copies down (SCL stuck at 0): the other four decide.
        let mut scls = [9, 0, 7, 0, 6, 8];
        assert_eq!(Quorum::AURORA.durable_lsn(&mut scls), 6);
        // Three down: nothing new is durable.
        let mut scls = [9, 0, 7, 0, 0, 8];
        assert_eq!(Quorum::AURORA.durable_lsn(&mut scls), 0);
    }
}
