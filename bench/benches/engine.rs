//! The bare event queue: events per second in a hold model (pop the
//! earliest, push one a random distance into the future), at 1,000 and
//! 100,000 pending events, for the engine's queue (a timing wheel in
//! front of a four-ary heap); beside it, `std`'s `BinaryHeap` of the same
//! `(time, seq)` keys carrying a 4-byte payload inline (no slab: the
//! engine's events are 40 bytes, and a heap moves its entries at every
//! level), and the `priority-queue` crate.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use priority_queue::PriorityQueue;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

use aurora_sim::sim::{EventQueue, SimTime};

const OPS: u64 = 1_000_000;

fn hold_event_queue(pending: usize) -> u64 {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut q = EventQueue::new();
    for i in 0..pending {
        q.push(
            SimTime::from_nanos(rng.random_range(0..1_000_000)),
            i as u32,
        );
    }
    let mut sum = 0u64;
    for _ in 0..OPS {
        let (t, e) = q.pop().expect("hold model never empties");
        sum = sum.wrapping_add(e as u64);
        q.push(
            SimTime::from_nanos(t.as_nanos() + rng.random_range(1..1_000_000)),
            e,
        );
    }
    sum
}

fn hold_std_binary_heap(pending: usize) -> u64 {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut q = BinaryHeap::new();
    let mut seq = 0u64;
    for i in 0..pending {
        q.push(Reverse((rng.random_range(0..1_000_000u64), seq, i as u32)));
        seq += 1;
    }
    let mut sum = 0u64;
    for _ in 0..OPS {
        let Reverse((t, _, e)) = q.pop().expect("hold model never empties");
        sum = sum.wrapping_add(u64::from(e));
        q.push(Reverse((t + rng.random_range(1..1_000_000), seq, e)));
        seq += 1;
    }
    sum
}

fn hold_priority_queue(pending: usize) -> u64 {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut q = PriorityQueue::new();
    let mut seq = 0u64;
    for i in 0..pending {
        q.push(
            i as u32 as u64 | (seq << 32),
            Reverse((rng.random_range(0..1_000_000u64), seq)),
        );
        seq += 1;
    }
    let mut sum = 0u64;
    for _ in 0..OPS {
        let (item, Reverse((t, _))) = q.pop().expect("hold model never empties");
        let e = item & 0xffff_ffff;
        sum = sum.wrapping_add(e);
        q.push(
            e | (seq << 32),
            Reverse((t + rng.random_range(1..1_000_000), seq)),
        );
        seq += 1;
    }
    sum
}

fn queue(c: &mut Criterion) {
    let mut g = c.benchmark_group("event_queue");
    g.throughput(Throughput::Elements(OPS));
    g.sample_size(10);
    for pending in [1_000usize, 100_000] {
        g.bench_with_input(
            BenchmarkId::new("event_queue", pending),
            &pending,
            |b, &p| b.iter(|| hold_event_queue(p)),
        );
        g.bench_with_input(
            BenchmarkId::new("std_binary_heap_inline", pending),
            &pending,
            |b, &p| b.iter(|| hold_std_binary_heap(p)),
        );
        g.bench_with_input(
            BenchmarkId::new("priority_queue", pending),
            &pending,
            |b, &p| b.iter(|| hold_priority_queue(p)),
        );
    }
    g.finish();
}

criterion_group!(benches, queue);
criterion_main!(benches);
