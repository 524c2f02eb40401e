//! The event trace: a running digest of every processed event, and an
//! optional JSON-lines sink.
//!
//! The digest lets anyone check that two runs processed the same events in
//! the same order without storing the trace. It is specified here, not taken
//! from `std`'s hasher (whose algorithm may change): for every 64-bit word
//! `w` fed in, `h = (h.rotate_left(5) ^ w) * 0x517c_c1b7_2722_0a95`
//! (wrapping), starting from `h = 0xcbf2_9ce4_8422_2325`. Each event feeds its
//! time in nanoseconds, then the words the model chooses to describe it.

use std::io::{self, Write};

use super::time::SimTime;

const DIGEST_SEED: u64 = 0xcbf2_9ce4_8422_2325;
const DIGEST_MUL: u64 = 0x517c_c1b7_2722_0a95;

/// A running digest of a word stream (see the module docs for the function).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Digest(u64);

impl Default for Digest {
    fn default() -> Self {
        Digest(DIGEST_SEED)
    }
}

impl Digest {
    /// Feeds one word.
    #[inline]
    pub fn feed(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(DIGEST_MUL);
    }

    /// The digest as 16 hex digits.
    pub fn hex(&self) -> String {
        format!("{:016x}", self.0)
    }
}

/// Which events a trace's sink is given: some kinds (by code), in a window
/// of time. The digest is fed every event whatever the filter, so a
/// filtered run's digest is the unfiltered run's.
#[derive(Clone, Debug)]
pub struct TraceFilter {
    /// Codes written; `None` writes every kind.
    kinds: Option<Vec<u8>>,
    from: SimTime,
    to: SimTime,
}

impl Default for TraceFilter {
    fn default() -> Self {
        TraceFilter {
            kinds: None,
            from: SimTime::ZERO,
            to: SimTime::from_nanos(u64::MAX),
        }
    }
}

impl TraceFilter {
    /// Writes only events whose code is among `codes`.
    pub fn kinds(mut self, codes: impl IntoIterator<Item = u8>) -> Self {
        let mut codes: Vec<u8> = codes.into_iter().collect();
        codes.sort_unstable();
        codes.dedup();
        self.kinds = Some(codes);
        self
    }

    /// Writes only events from `from` to `to`, both included.
    pub fn window(mut self, from: SimTime, to: SimTime) -> Self {
        (self.from, self.to) = (from, to);
        self
    }

    /// Whether an event of `code` at `time` is written.
    #[inline]
    pub fn admits(&self, time: SimTime, code: u8) -> bool {
        time >= self.from
            && time <= self.to
            && self
                .kinds
                .as_ref()
                .is_none_or(|k| k.binary_search(&code).is_ok())
    }
}

/// Where processed events go: always into the digest, and into a JSON-lines
/// writer when one is attached. Lines are written as events happen and never
/// held in memory.
#[derive(Default)]
pub struct Trace {
    digest: Digest,
    sink: Option<Box<dyn Write>>,
    filter: TraceFilter,
    error: Option<io::Error>,
}

/// A copy digests on from where the original stands, but writes to no
/// sink: one sink cannot take two runs' lines. Only runs forked from a
/// common prefix are copied, and they stream no trace.
impl Clone for Trace {
    fn clone(&self) -> Self {
        Trace {
            digest: self.digest,
            sink: None,
            filter: self.filter.clone(),
            error: None,
        }
    }
}

impl std::fmt::Debug for Trace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Trace")
            .field("digest", &self.digest)
            .field("sink", &self.sink.is_some())
            .finish()
    }
}

impl Trace {
    /// A trace that writes one JSON object to `sink` for each event
    /// `filter` admits.
    pub fn with_filtered_sink(sink: Box<dyn Write>, filter: TraceFilter) -> Self {
        Trace {
            sink: Some(sink),
            filter,
            ..Trace::default()
        }
    }

    /// Whether an event of `code` at `time` goes to the sink.
    #[inline]
    pub fn writes(&self, time: SimTime, code: u8) -> bool {
        self.sink.is_some() && self.filter.admits(time, code)
    }

    /// Feeds one event: its time and its describing words.
    #[inline]
    pub fn event(&mut self, time: SimTime, words: &[u64]) {
        self.digest.feed(time.as_nanos());
        for &w in words {
            self.digest.feed(w);
        }
    }

    /// Writes one line to the sink (the caller formats it as JSON).
    pub fn line(&mut self, args: std::fmt::Arguments<'_>) {
        if let (Some(sink), None) = (self.sink.as_mut(), self.error.as_ref()) {
            if let Err(e) = sink.write_fmt(args).and_then(|()| sink.write_all(b"\n")) {
                self.error = Some(e);
            }
        }
    }

    /// The digest of everything fed so far.
    pub fn digest(&self) -> Digest {
        self.digest
    }

    /// Flushes the sink and reports the first write error, if any.
    pub fn finish(&mut self) -> io::Result<()> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        match self.sink.as_mut() {
            Some(sink) => sink.flush(),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_depends_on_order() {
        let mut a = Digest::default();
        a.feed(1);
        a.feed(2);
        let mut b = Digest::default();
        b.feed(2);
        b.feed(1);
        assert_ne!(a, b);
    }

    #[test]
    fn digest_known_answer() {
        let mut d = Digest::default();
        d.feed(0);
        assert_eq!(
            d.hex(),
            format!(
                "{:016x}",
                DIGEST_SEED.rotate_left(5).wrapping_mul(DIGEST_MUL)
            )
        );
    }
}
