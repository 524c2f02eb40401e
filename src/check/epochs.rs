//! At most one writer per volume epoch, and no split brain: every writer
//! takes a new epoch, recovery fences the old one through the storage, and
//! a commit a superseded writer acknowledges above the VDL its successor
//! recovered (one storage would not keep) is counted by the model and
//! reported here.

use crate::model::ids::InstanceId;
use crate::model::{kind, World};

/// Event kinds after which the set of writers can have changed: selection,
/// demotion, an instance starting, recovery, fencing.
const WRITER_CHANGES: std::ops::RangeInclusive<u64> = kind::SELECTION_DONE..=kind::FENCED;

#[derive(Default)]
pub(super) struct Epochs {
    /// The writer (instance, process incarnation) of each epoch seen.
    owners: Vec<Option<(InstanceId, u32)>>,
    split_brain: u64,
}

impl Epochs {
    #[inline]
    pub(super) fn after(&mut self, world: &World, event: [u64; 3]) -> Option<String> {
        if world.rec.split_brain_commits > self.split_brain {
            self.split_brain = world.rec.split_brain_commits;
            return Some(format!(
                "a superseded writer acknowledged a commit above its successor's VDL ({} so far)",
                self.split_brain
            ));
        }
        if !WRITER_CHANGES.contains(&event[0]) {
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
                    let name = |i: InstanceId| world.instances[i.index()].name.clone();
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
