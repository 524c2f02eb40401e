//! What other actors ask of the compute side, as read-only queries named
//! for what they answer: where storage's answers go ([`Routes`]), and how
//! an instance is reached ([`Reach`]: its host's end and address, its
//! class). Storage, DNS and the proxy depend on these traits, not on the
//! instances that answer them, so they import no compute actor.

use super::compute::class::InstanceClass;
use super::network::Endpoint;
use crate::vocab::ids::InstanceId;

/// Which network end is the writer of an epoch, and where an instance is.
pub(crate) trait Routes {
    /// The network end of an instance: its host, in its current AZ.
    fn instance(&self, inst: InstanceId) -> Endpoint;

    /// The instance end of the writer of `epoch`, if that writer is known.
    fn writer_of_epoch(&self, epoch: u32) -> Option<Endpoint>;

    /// The instance end of the newest epoch's writer.
    fn current_writer(&self) -> Endpoint;

    /// Whether the newest epoch's writer process runs.
    fn current_writer_alive(&self) -> bool;
}

/// How an instance is reached now.
pub(crate) trait Reach {
    /// The network end of `inst`: its host, in its current AZ.
    fn endpoint(&self, inst: InstanceId) -> Endpoint;

    /// The address of `inst`'s current host: a replacement host gets a new
    /// one, so a client holding an old answer reaches nothing.
    fn address(&self, inst: InstanceId) -> u32;

    /// `inst`'s class: what its connections may number.
    fn class(&self, inst: InstanceId) -> &InstanceClass;
}
