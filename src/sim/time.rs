//! Simulated time.
//!
//! Time is an integer count of nanoseconds since the start of a run. Integers
//! keep runs exact and portable: no floating-point rounding can make two
//! machines disagree about which event comes first.

use std::fmt;
use std::ops::{Add, AddAssign, Div, Mul, Sub};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An instant of simulated time, in nanoseconds since the run started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(u64);

/// A span of simulated time, in nanoseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimDuration(u64);

impl SimTime {
    /// The start of every run.
    pub const ZERO: SimTime = SimTime(0);

    /// Later than any instant a run reaches: "never", where an instant is
    /// kept as a bound.
    pub const MAX: SimTime = SimTime(u64::MAX);

    /// An instant `ns` nanoseconds after the start.
    pub const fn from_nanos(ns: u64) -> Self {
        SimTime(ns)
    }

    /// Nanoseconds since the start.
    pub const fn as_nanos(self) -> u64 {
        self.0
    }

    /// Seconds since the start, for reports.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e9
    }

    /// Time elapsed since `earlier`; zero if `earlier` is in the future.
    pub fn since(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }
}

impl SimDuration {
    /// No time at all.
    pub const ZERO: SimDuration = SimDuration(0);

    /// A span of `ns` nanoseconds.
    pub const fn from_nanos(ns: u64) -> Self {
        SimDuration(ns)
    }

    /// A span of `us` microseconds.
    pub const fn from_micros(us: u64) -> Self {
        SimDuration(us * 1_000)
    }

    /// A span of `ms` milliseconds.
    pub const fn from_millis(ms: u64) -> Self {
        SimDuration(ms * 1_000_000)
    }

    /// A span of `s` seconds.
    pub const fn from_secs(s: u64) -> Self {
        SimDuration(s * 1_000_000_000)
    }

    /// A span of `s` seconds, rounded to the nearest nanosecond; negative and
    /// non-finite inputs become zero.
    pub fn from_secs_f64(s: f64) -> Self {
        if s.is_finite() && s > 0.0 {
            // `+ 0.5` then truncation rounds a positive value to nearest;
            // `f64::round` compiles to a slow software routine on baseline
            // x86-64, and this sits on the hot path of every latency draw.
            SimDuration((s * 1e9 + 0.5) as u64)
        } else {
            SimDuration::ZERO
        }
    }

    /// Length in nanoseconds.
    pub const fn as_nanos(self) -> u64 {
        self.0
    }

    /// Length in seconds, for reports.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e9
    }

    /// Length in milliseconds, for reports.
    pub fn as_millis_f64(self) -> f64 {
        self.0 as f64 / 1e6
    }

    /// Whether the span is empty.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// The span less `d`, or zero if `d` is longer.
    pub fn saturating_sub(self, d: SimDuration) -> Self {
        SimDuration(self.0.saturating_sub(d.0))
    }

    /// Scales the span by a non-negative factor (slow nodes, jitter).
    pub fn mul_f64(self, factor: f64) -> Self {
        let ns = self.0 as f64 * factor;
        if ns.is_finite() && ns > 0.0 {
            SimDuration((ns + 0.5) as u64)
        } else {
            SimDuration::ZERO
        }
    }
}

impl Add<SimDuration> for SimTime {
    type Output = SimTime;
    fn add(self, d: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }
}

impl AddAssign<SimDuration> for SimTime {
    fn add_assign(&mut self, d: SimDuration) {
        self.0 = self.0.saturating_add(d.0);
    }
}

impl Add for SimDuration {
    type Output = SimDuration;
    fn add(self, d: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_add(d.0))
    }
}

impl AddAssign for SimDuration {
    fn add_assign(&mut self, d: SimDuration) {
        self.0 = self.0.saturating_add(d.0);
    }
}

impl Mul<u64> for SimDuration {
    type Output = SimDuration;
    fn mul(self, k: u64) -> SimDuration {
        SimDuration(self.0.saturating_mul(k))
    }
}

impl Div<u64> for SimDuration {
    type Output = SimDuration;
    /// Divides the span, rounding down (a divisor of 0 counts as 1).
    fn div(self, k: u64) -> SimDuration {
        SimDuration(self.0 / k.max(1))
    }
}

impl Sub for SimTime {
    type Output = SimDuration;
    fn sub(self, earlier: SimTime) -> SimDuration {
        self.since(earlier)
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.3}s", self.as_secs_f64())
    }
}

impl fmt::Display for SimDuration {
    /// Prints the shortest exact form that [`SimDuration::parse`] reads back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [(&str, u64); 6] = [
            ("h", 3_600_000_000_000),
            ("m", 60_000_000_000),
            ("s", 1_000_000_000),
            ("ms", 1_000_000),
            ("us", 1_000),
            ("ns", 1),
        ];
        if self.0 == 0 {
            return f.write_str("0s");
        }
        let (unit, size) = UNITS
            .iter()
            .find(|(_, size)| self.0.is_multiple_of(*size))
            .copied()
            .unwrap_or(("ns", 1));
        write!(f, "{}{}", self.0 / size, unit)
    }
}

/// How a duration is written, as messages describe it.
pub const DURATION_FORMAT: &str = "a duration such as \"250ms\", \"30s\", \"10m\" or \"1h\"";

/// Why a duration string could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseDurationError {
    /// Not a number followed by a unit.
    #[error("expected {format}, found {0:?}", format = DURATION_FORMAT)]
    Format(String),
    /// A number and a unit, but longer than [`SimDuration::LONGEST`]; kept
    /// apart so that a reader can name the limit of the setting instead of
    /// describing the format.
    #[error("too long: at most {longest} (365 days), found {0:?}", longest = SimDuration::LONGEST)]
    TooLong(String),
}

impl SimDuration {
    /// The longest span [`SimDuration::parse`] reads. A year is far beyond
    /// any scenario, so anything longer is a typo; and an instant plus such
    /// a span stays centuries below the overflow of `u64` nanoseconds.
    pub const LONGEST: SimDuration = SimDuration::from_secs(365 * 86_400);

    /// Reads `"250ms"`, `"30s"`, `"1.5s"`, `"2e3ms"`, `"10m"`, `"1h"`,
    /// `"500us"`, `"20ns"` or `"0"`. A unit is required for anything but
    /// zero, so that a bare `30` can never silently mean 30 ns.
    pub fn parse(text: &str) -> Result<Self, ParseDurationError> {
        let err = || ParseDurationError::Format(text.to_owned());
        let s = text.trim();
        if s == "0" {
            return Ok(SimDuration::ZERO);
        }
        let mantissa = s
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(err)?;
        // An exponent belongs to the number, so that `1e400s` reads as the
        // huge span it is rather than as an unknown unit `e400s`.
        let exponent = s[mantissa..]
            .strip_prefix(['e', 'E'])
            .map(|rest| rest.strip_prefix(['+', '-']).unwrap_or(rest))
            .map_or(0, |digits| {
                let n = digits
                    .find(|c: char| !c.is_ascii_digit())
                    .unwrap_or(digits.len());
                if n == 0 {
                    0
                } else {
                    s.len() - mantissa - digits.len() + n
                }
            });
        let (number, unit) = s.split_at(mantissa + exponent);
        let unit_ns: f64 = match unit.trim() {
            "ns" => 1.0,
            "us" | "µs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" | "min" => 60e9,
            "h" => 3600e9,
            _ => return Err(err()),
        };
        if mantissa == 0 || number.matches('.').count() > 1 {
            return Err(err());
        }
        let value: f64 = number.parse().map_err(|_| err())?;
        let ns = (value * unit_ns).round();
        if !ns.is_finite() || ns > SimDuration::LONGEST.0 as f64 {
            return Err(ParseDurationError::TooLong(text.to_owned()));
        }
        Ok(SimDuration(ns as u64))
    }
}

impl Serialize for SimDuration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SimDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = SimDuration;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(DURATION_FORMAT)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<SimDuration, E> {
                SimDuration::parse(v).map_err(E::custom)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<SimDuration, E> {
                if v == 0 {
                    Ok(SimDuration::ZERO)
                } else {
                    Err(E::custom(format!(
                        "a duration needs a unit: write \"{v}s\" or \"{v}ms\", not {v}"
                    )))
                }
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<SimDuration, E> {
                if v < 0 {
                    Err(E::custom(format!(
                        "a duration cannot be negative, found {v}"
                    )))
                } else {
                    self.visit_u64(v as u64)
                }
            }
        }
        d.deserialize_any(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_unit() {
        assert_eq!(
            SimDuration::parse("250ms"),
            Ok(SimDuration::from_millis(250))
        );
        assert_eq!(SimDuration::parse("30s"), Ok(SimDuration::from_secs(30)));
        assert_eq!(
            SimDuration::parse("1.5s"),
            Ok(SimDuration::from_millis(1500))
        );
        assert_eq!(SimDuration::parse("10m"), Ok(SimDuration::from_secs(600)));
        assert_eq!(SimDuration::parse("1h"), Ok(SimDuration::from_secs(3600)));
        assert_eq!(
            SimDuration::parse("500us"),
            Ok(SimDuration::from_micros(500))
        );
        assert_eq!(SimDuration::parse("0"), Ok(SimDuration::ZERO));
    }

    #[test]
    fn rejects_nonsense() {
        for bad in [
            "10 parsecs",
            "30",
            "s",
            "1..2s",
            "-5s",
            "",
            "e3s",
            "1es",
            "1e+s",
            ".e3s",
        ] {
            assert!(
                matches!(SimDuration::parse(bad), Err(ParseDurationError::Format(_))),
                "{bad:?} was accepted"
            );
        }
    }

    #[test]
    fn reads_an_exponent() {
        assert_eq!(SimDuration::parse("2e3ms"), Ok(SimDuration::from_secs(2)));
        assert_eq!(
            SimDuration::parse("1.5E+1s"),
            Ok(SimDuration::from_secs(15))
        );
        assert_eq!(
            SimDuration::parse("5e-1s"),
            Ok(SimDuration::from_millis(500))
        );
    }

    #[test]
    fn spans_beyond_a_year_are_too_long_not_malformed() {
        assert_eq!(SimDuration::parse("8760h"), Ok(SimDuration::LONGEST));
        for long in ["8761h", "100000h", "1e400s", "1e300h"] {
            assert_eq!(
                SimDuration::parse(long),
                Err(ParseDurationError::TooLong(long.to_owned()))
            );
        }
        assert_eq!(
            SimDuration::parse("100000h").unwrap_err().to_string(),
            "too long: at most 8760h (365 days), found \"100000h\""
        );
    }

    #[test]
    fn display_round_trips() {
        for d in [
            SimDuration::ZERO,
            SimDuration::from_millis(250),
            SimDuration::from_secs(90),
            SimDuration::from_nanos(1_234_567),
        ] {
            assert_eq!(SimDuration::parse(&d.to_string()), Ok(d));
        }
    }
}
