//! At most one writer per volume epoch: every writer takes a new epoch,
//! and recovery fences the old one through the storage. The other half of
//! the invariant, no split-brain commit, is judged from the durability
//! checker's ledger of acknowledged commits and recoveries.

use crate::model::{Kind, Seen, World};
use crate::vocab::ids::InstanceId;

#[derive(Clone, Default)]
pub(super) struct Epochs {
    owners: Vec<Option<(InstanceId, u32)>>,
}

impl Epochs {
    #[inline]
    pub(super) fn after(&mut self, world: &World, event: Seen) -> Option<String> {
        if !matches!(
            event.kind,
            Kind::SelectionDone
                | Kind::Demote
                | Kind::InstanceUp
                | Kind::RecoveryProbe
                | Kind::RecoveryReply
                | Kind::RecoveryRetry
                | Kind::Fenced
        ) {
            return None;
        }
        for w in world.writers() {
            let e = w.epoch as usize;
            if self.owners.len() <= e {
                self.owners.resize(e + 1, None);
            }
            let me = (w.instance, w.incarnation);
            match self.owners[e] {
                None => self.owners[e] = Some(me),
                Some(owner) if owner != me => {
                    let name = |i: InstanceId| world.instances()[i.index()].name.clone();
                    return Some(format!(
                        "epoch {e} has two writers: {} (process {}) and {} (process {})",
                        name(owner.0),
                        owner.1,
                        name(me.0),
                        me.1
                    ));
                }
                Some(_) => {}
            }
        }
        None
    }
}
