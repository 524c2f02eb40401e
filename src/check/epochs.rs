//! At most one writer per volume epoch, and no split brain: every writer
//! takes a new epoch, recovery fences the old one through the storage, and
//! no commit a superseded writer acknowledges lies above the VDL its
//! successor recovered (one storage would not keep). The checker learns of
//! recoveries and acknowledgements from the model's notes and counts split
//! brain itself.

use crate::model::storage::lsn::Lsn;
use crate::model::{Kind, Note, Seen, World};
use crate::vocab::ids::InstanceId;

#[derive(Default)]
pub(super) struct Epochs {
    owners: Vec<Option<(InstanceId, u32)>>,
    /// By epoch: the VDL of the recovery that superseded it.
    superseded: Vec<Option<Lsn>>,
    /// Commits acknowledged above their successor's recovered VDL.
    pub split_brain: u64,
}

impl Epochs {
    #[inline]
    pub(super) fn after(&mut self, world: &World, event: Seen) -> Option<String> {
        for &note in world.notes() {
            match note {
                Note::Recovered { epoch, vdl, .. } => {
                    let e = epoch as usize;
                    if self.superseded.len() <= e {
                        self.superseded.resize(e + 1, None);
                    }
                    for s in &mut self.superseded[..e] {
                        s.get_or_insert(vdl);
                    }
                }
                Note::Acknowledged { epoch, lsn } => {
                    let above = self
                        .superseded
                        .get(epoch as usize)
                        .copied()
                        .flatten()
                        .is_some_and(|vdl| lsn > vdl);
                    if above {
                        self.split_brain += 1;
                        return Some(format!(
                            "a superseded writer acknowledged a commit above its successor's VDL ({} so far)",
                            self.split_brain
                        ));
                    }
                }
                _ => {}
            }
        }
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
