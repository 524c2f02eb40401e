//! The redo stream from the writer to its readers ([P17] §4.2.4).
//!
//! Whenever VDL has moved, the writer's group-commit tick sends each
//! running reader the new VDL with the time it was reached. A reader
//! applies it on arrival (to cached pages only, so the cost is the
//! network), and its replica lag is measured as arrival minus that time.

use super::{instance_endpoint, Instance};
use crate::model::context::Ctx;
use crate::model::event::Event;
use crate::model::network::Endpoint;
use crate::model::writer::Writer;
use crate::sim::SimTime;
use crate::vocab::ids::InstanceId;

impl Writer {
    /// Streams a moved VDL to every running reader.
    pub(crate) fn stream_to_readers(&mut self, cx: &mut Ctx, instances: &[Instance]) {
        if self.vdl_at <= self.streamed_at {
            return;
        }
        let vdl_at = self.vdl_at;
        self.streamed_at = vdl_at;
        let now = cx.now();
        let from = instance_endpoint(instances, self.instance);
        for (i, reader) in instances.iter().enumerate() {
            if reader.serving_reads() {
                let inst = InstanceId::from_index(i);
                let to = Endpoint::Instance(inst, reader.az);
                cx.send(now, from, to, Event::RedoStream { inst, vdl_at });
            }
        }
    }
}

impl Instance {
    /// The redo stream reaches this reader: the writer's VDL as of `vdl_at`.
    pub(crate) fn on_redo(&mut self, now: SimTime, vdl_at: SimTime) {
        if !self.serving_reads() || vdl_at < self.started {
            return;
        }
        let us = (now.since(vdl_at).as_nanos() / 1_000).max(1);
        self.lag.saturating_record(us);
        self.lag_bin_max = self.lag_bin_max.max(us);
    }
}
