//! Seeded random streams.
//!
//! One root seed fans out to independent ChaCha8 streams, one per component
//! ([`StreamId`]). A stream is the root key with ChaCha's 64-bit stream
//! number set to the component's id, so deriving one costs a key copy and a
//! new draw in one component never shifts the draws of another. There is no
//! path to OS entropy: a run without a seed uses the documented default.
//!
//! `rand_chacha` is pinned to an exact version in `Cargo.toml` because the
//! byte-identity of results depends on its output; the known-answer test
//! below fails if that output ever changes.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The generator every component draws from.
pub type SimRng = ChaCha8Rng;

/// Names one independent random stream; the model assigns the numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StreamId(pub u64);

/// Derives per-component streams from one root seed.
#[derive(Clone, Copy, Debug)]
pub struct RngFactory {
    seed: u64,
}

impl RngFactory {
    /// A factory for the run with this root seed.
    pub fn new(seed: u64) -> Self {
        RngFactory { seed }
    }

    /// The stream for one component. Equal ids give equal streams.
    pub fn stream(&self, id: StreamId) -> SimRng {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        rng.set_stream(id.0);
        rng
    }
}

/// Moves `rng` to root seed `seed`: the same component's stream of that
/// seed, from its start. A run forked from a prefix it shares with other
/// seeds' runs continues on its own seed's streams this way.
pub fn reseed(rng: &mut SimRng, seed: u64) {
    *rng = RngFactory::new(seed).stream(StreamId(rng.get_stream()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngCore;

    #[test]
    fn known_answer_for_seed_one() {
        let mut rng = RngFactory::new(1).stream(StreamId(0));
        let first: Vec<u64> = (0..3).map(|_| rng.next_u64()).collect();
        assert_eq!(first, KNOWN_SEED_1_STREAM_0);
    }

    #[test]
    fn streams_are_independent_and_repeatable() {
        let f = RngFactory::new(7);
        let a1 = f.stream(StreamId(1)).next_u64();
        let a2 = f.stream(StreamId(1)).next_u64();
        let b = f.stream(StreamId(2)).next_u64();
        assert_eq!(a1, a2);
        assert_ne!(a1, b);
        assert_ne!(a1, RngFactory::new(8).stream(StreamId(1)).next_u64());
        let mut moved = f.stream(StreamId(2));
        moved.next_u64();
        reseed(&mut moved, 8);
        assert_eq!(moved, RngFactory::new(8).stream(StreamId(2)));
    }

    const KNOWN_SEED_1_STREAM_0: [u64; 3] = [
        7_424_550_030_962_593_201,
        1_482_817_706_323_250_795,
        11_004_592_982_271_133_285,
    ];
}
