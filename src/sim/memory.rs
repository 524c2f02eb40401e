//! What a run holds in memory, counted as it runs. A run's estimate is
//! made before it starts; this counts what its thread actually holds, so
//! a run that outgrows its bound stops cleanly, saying so, instead of
//! dying of a failed allocation.
//!
//! [`CountingAllocator`] wraps the system allocator and keeps, per thread,
//! the bytes that thread allocated and has not freed. A run uses one
//! thread from start to end (no thread inside one simulation), so the
//! count on that thread is what the run holds, and it is the same on
//! every rerun of the same build: a stop it causes is deterministic. A
//! program opts in by installing it:
//!
//! ```no_run
//! #[global_allocator]
//! static ALLOC: aurora_sim::sim::memory::CountingAllocator =
//!     aurora_sim::sim::memory::CountingAllocator;
//! # fn main() {}
//! ```
//!
//! Without it, [`held`] is `None` and no run stops for memory.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};

/// The system allocator, counting each thread's live bytes.
#[derive(Debug, Clone, Copy)]
pub struct CountingAllocator;

static INSTALLED: AtomicBool = AtomicBool::new(false);

thread_local! {
    // Const-initialized and without a destructor, so the allocator may
    // touch it at any point of a thread's life.
    static LIVE: Cell<i64> = const { Cell::new(0) };
}

fn count(delta: i64) {
    // During a thread's teardown the slot may be gone; nothing is counted.
    let _ = LIVE.try_with(|live| live.set(live.get().wrapping_add(delta)));
}

// SAFETY: every call is forwarded unchanged to `System`; the counting
// touches only a thread-local integer and never allocates.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        INSTALLED.store(true, Ordering::Relaxed);
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            count(layout.size() as i64);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        count(-(layout.size() as i64));
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        INSTALLED.store(true, Ordering::Relaxed);
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            count(layout.size() as i64);
        }
        p
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            count(new_size as i64 - layout.size() as i64);
        }
        p
    }
}

/// Bytes this thread has allocated and not freed (memory it freed that
/// another thread allocated counts against it), if the counting
/// allocator is installed.
pub fn held() -> Option<i64> {
    INSTALLED
        .load(Ordering::Relaxed)
        .then(|| LIVE.with(Cell::get))
}

/// A ceiling on what one run may come to hold beyond what its thread held
/// when it started.
#[derive(Clone, Debug)]
pub(crate) struct Ceiling {
    start: i64,
    limit: u64,
    why: String,
    peak: i64,
}

impl Ceiling {
    /// From now, at most `limit` bytes more; `why` says where the limit
    /// comes from.
    pub(crate) fn from_now(limit: u64, why: String) -> Option<Ceiling> {
        let start = held()?;
        Some(Ceiling {
            start,
            limit,
            why,
            peak: 0,
        })
    }

    /// The limit, in bytes, and where it comes from.
    pub(crate) fn limit(&self) -> (u64, &str) {
        (self.limit, &self.why)
    }

    /// What the run holds now, if it is past its ceiling.
    pub(crate) fn passed(&mut self) -> Option<u64> {
        let now = held()?.saturating_sub(self.start);
        self.peak = self.peak.max(now);
        (now > 0 && now as u64 > self.limit).then_some(now as u64)
    }

    /// The most the run held at any check.
    pub(crate) fn peak(&self) -> u64 {
        self.peak.max(0) as u64
    }
}
