//! The redo stream from the writer to its readers ([P17] §4.2.4).
//!
//! Whenever VDL has moved, the writer's group-commit tick sends each
//! running reader the new VDL with the time it was reached. A reader
//! applies it on arrival (to cached pages only, so the cost is the
//! network), and its replica lag is measured as arrival minus that time.

use crate::model::ids::InstanceId;
use crate::model::{Event, World};
use crate::sim::SimTime;

impl World {
    /// Streams VDL to every running reader if it moved since the last send.
    pub(crate) fn stream_to_readers(&mut self) {
        if self.writer.vdl_at <= self.writer.streamed_at {
            return;
        }
        let at = self.writer.vdl_at;
        self.writer.streamed_at = at;
        let now = self.engine.now();
        let from = self.writer_endpoint();
        for i in 0..self.instances.len() {
            if self.instances[i].serving_reads() {
                let inst = InstanceId::from_index(i);
                let to = self.instance_endpoint(inst);
                self.send(now, from, to, Event::Replica { inst, at });
            }
        }
    }

    /// A reader receives the stream: its lag is how long ago VDL got there.
    pub(crate) fn on_replica(&mut self, inst: InstanceId, at: SimTime) {
        let now = self.engine.now();
        let i = &mut self.instances[inst.index()];
        if !i.serving_reads() || at < i.started {
            return;
        }
        let us = (now.since(at).as_nanos() / 1_000).max(1);
        i.lag.saturating_record(us);
        i.lag_bin_max = i.lag_bin_max.max(us);
    }
}
