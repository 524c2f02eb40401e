//! A storage node's resources: its disk and the two directions of its NIC.
//!
//! Each is a [`Device`]: one queue served at a fixed rate (a fluid model,
//! like the instances' processors), shared by two classes of work.
//! Foreground work — persisting a batch, reading a page, the bytes of a
//! batch arriving, the records a gossip answer fills a gap with — never
//! waits for background work queued behind it,
//! only for the end of the background piece in service
//! ([`PIECE_BYTES`]): non-preemptive priority. Background work — repair
//! copies, gossip snapshots, materialization — takes what the foreground
//! leaves,
//! and is pushed back by the foreground work that cuts in. A repair storm
//! therefore delays a persist by at most one piece, and a node with more
//! work than its disk can carry queues it all.
//!
//! Modelling choice: when background work is placed its end is fixed (a
//! repair chunk's landing is scheduled then); foreground work that cuts
//! in later pushes back the queue behind it but not that event, so a
//! chunk may land early by the foreground time that interleaved with it.

use crate::sim::{SimDuration, SimTime};

/// One disk, or one direction of a NIC.
#[derive(Clone, Debug)]
pub struct Device {
    /// The piece background work is served in: foreground work waits for
    /// the end of the piece in service, not the whole queue.
    quantum: SimDuration,
    /// When the foreground work given so far is done.
    fg_free: SimTime,
    /// When the current stretch of background work began and ends.
    bg_from: SimTime,
    bg_free: SimTime,
    /// All work ever given, busy time.
    given: SimDuration,
}

impl Device {
    /// An idle device whose background work is served in pieces of
    /// `quantum`.
    pub fn new(quantum: SimDuration) -> Self {
        Device {
            quantum: quantum.max(SimDuration::from_nanos(1)),
            fg_free: SimTime::ZERO,
            bg_from: SimTime::ZERO,
            bg_free: SimTime::ZERO,
            given: SimDuration::ZERO,
        }
    }

    /// Foreground work of `occupancy` offered at `now`; returns when it
    /// has been served. Background work in service finishes its piece
    /// first, and what is left of it waits for this.
    pub fn foreground(&mut self, now: SimTime, occupancy: SimDuration) -> SimTime {
        let mut start = now;
        if self.bg_from <= now && now < self.bg_free {
            let into = now.since(self.bg_from).as_nanos();
            let q = self.quantum.as_nanos();
            let piece_end = self.bg_from + SimDuration::from_nanos(into.div_ceil(q) * q);
            start = piece_end.min(self.bg_free);
            self.bg_free += occupancy;
        }
        let start = start.max(self.fg_free);
        self.fg_free = start + occupancy;
        self.given += occupancy;
        self.fg_free
    }

    /// When background work offered at `now` could start.
    pub fn background_ready(&self, now: SimTime) -> SimTime {
        now.max(self.fg_free).max(self.bg_free)
    }

    /// Places background work of `occupancy` starting at `start` (at or
    /// after [`Device::background_ready`]); returns when it ends.
    pub fn background_at(&mut self, start: SimTime, occupancy: SimDuration) -> SimTime {
        if start > self.bg_free {
            self.bg_from = start;
        }
        self.bg_free = start + occupancy;
        self.given += occupancy;
        self.bg_free
    }

    /// Background work of `occupancy` offered at `now`; returns when it
    /// ends.
    pub fn background(&mut self, now: SimTime, occupancy: SimDuration) -> SimTime {
        let start = self.background_ready(now);
        self.background_at(start, occupancy)
    }

    /// Busy time served by `now`: everything given, less what is still
    /// queued (the device is busy without a break from `now` until its
    /// queue drains, so that part is still to be served).
    pub fn served_by(&self, now: SimTime) -> SimDuration {
        let drains = self.fg_free.max(self.bg_free);
        self.given.saturating_sub(drains.since(now.min(drains)))
    }

    /// A crash: the queued work is gone.
    pub fn reset(&mut self, now: SimTime) {
        let served = self.served_by(now);
        *self = Device {
            given: served,
            ..Device::new(self.quantum)
        };
    }
}

/// Time a device of `gbps` and `iops` (`None`: a link, which has no
/// per-operation cost) spends on `ops` operations moving `bytes`, slowed
/// by `slowness` (a gray failure).
pub fn occupancy(bytes: u64, ops: u64, gbps: f64, iops: Option<f64>, slowness: f64) -> SimDuration {
    let per_op = iops.map_or(0.0, |iops| ops as f64 / iops);
    SimDuration::from_secs_f64((bytes as f64 * 8.0 / (gbps * 1e9) + per_op) * slowness)
}

/// A storage node's disk and NIC, and the repair bytes it moved.
#[derive(Clone, Debug)]
pub struct NodeIo {
    /// Its disk.
    pub disk: Device,
    /// Bytes arriving.
    pub nic_in: Device,
    /// Bytes leaving.
    pub nic_out: Device,
    /// Bytes repair copied onto it.
    pub repair_in: u64,
    /// Bytes repair copied from it.
    pub repair_out: u64,
}

/// The piece background work is served in: 1 MiB, a repair chunk.
/// Modelling choice: a persist arriving behind background work waits for
/// at most this much of it (about a millisecond on the default disk).
pub const PIECE_BYTES: u64 = 1 << 20;

impl NodeIo {
    /// An idle node with a disk of `disk_gbps` and a NIC of `nic_gbps`.
    pub fn new(disk_gbps: f64, nic_gbps: f64) -> Self {
        let piece = |gbps| occupancy(PIECE_BYTES, 0, gbps, None, 1.0);
        NodeIo {
            disk: Device::new(piece(disk_gbps)),
            nic_in: Device::new(piece(nic_gbps)),
            nic_out: Device::new(piece(nic_gbps)),
            repair_in: 0,
            repair_out: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> SimDuration {
        SimDuration::from_millis(n)
    }

    #[test]
    fn foreground_waits_only_for_the_background_piece_in_service() {
        let t0 = SimTime::ZERO;
        let mut d = Device::new(ms(10));
        // Three background jobs of 10 ms queue back to back.
        let ends: Vec<_> = (0..3).map(|_| d.background(t0, ms(10))).collect();
        assert_eq!(ends, vec![t0 + ms(10), t0 + ms(20), t0 + ms(30)]);
        // Foreground at 25 ms waits for the piece in service, to 30 ms.
        assert_eq!(d.foreground(t0 + ms(25), ms(1)), t0 + ms(31));
        // One long job is served in pieces: foreground waits for the end
        // of the current one, and pushes the rest back.
        let mut d = Device::new(ms(1));
        assert_eq!(d.background(t0, ms(100)), t0 + ms(100));
        let at = t0 + SimDuration::from_micros(10_500);
        assert_eq!(d.foreground(at, ms(2)), t0 + ms(13));
        assert_eq!(d.background_ready(at), t0 + ms(102));
    }

    #[test]
    fn foreground_queues_behind_foreground() {
        let t0 = SimTime::ZERO;
        let mut d = Device::new(ms(1));
        for i in 1..=4 {
            assert_eq!(d.foreground(t0, ms(2)), t0 + ms(2 * i));
        }
        // Idle time is not banked.
        assert_eq!(d.foreground(t0 + ms(100), ms(2)), t0 + ms(102));
    }

    #[test]
    fn served_time_counts_only_what_is_done() {
        let t0 = SimTime::ZERO;
        let mut d = Device::new(ms(1));
        d.background(t0, ms(30));
        assert_eq!(d.served_by(t0 + ms(10)), ms(10));
        assert_eq!(d.served_by(t0 + ms(50)), ms(30));
        d.reset(t0 + ms(10));
        assert_eq!(d.served_by(t0 + ms(50)), ms(10));
    }

    #[test]
    fn occupancy_is_bytes_over_bandwidth_plus_operations_over_iops() {
        // 1 GB at 8 Gb/s is one second; 1000 ops at 1000 IOPS another.
        let d = occupancy(1_000_000_000, 1000, 8.0, Some(1000.0), 1.0);
        assert_eq!(d, SimDuration::from_secs(2));
        // A link has no per-operation cost; a slow node takes longer.
        let l = occupancy(1_250_000_000, 1000, 10.0, None, 3.0);
        assert_eq!(l, SimDuration::from_secs(3));
    }
}
