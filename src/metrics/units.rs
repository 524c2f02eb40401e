//! How measured values are written for people: one unit per kind of
//! value in every text output (the printed summary, expectation verdicts,
//! the report). Files keep plain numbers in the unit their key names
//! (`_s`, `_ms`, fractions for availability).

/// What a measure not reached within its run reads as: the run ended
/// before it happened, which is not "never".
pub const NOT_REACHED: &str = "not within the run";

/// A latency held in milliseconds: milliseconds below a second, seconds
/// from there (`4.18 ms`, `42.04 s`).
pub fn ms(ms: f64) -> String {
    if ms.abs() < 1000.0 {
        format!("{ms:.2} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}

/// A fraction of time as a percentage to four decimals (`99.9500 %`):
/// enough to tell a few seconds of an hour.
pub fn percent(fraction: f64) -> String {
    format!("{:.4} %", fraction * 100.0)
}

/// A share of capacity (CPU, a link) as a whole percentage (`93 %`).
pub fn share(fraction: f64) -> String {
    format!("{:.0} %", fraction * 100.0)
}

/// `n` things in words, singular or plural: "1 run", "0 studies".
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_has_one_unit() {
        assert_eq!(ms(4.1834), "4.18 ms");
        assert_eq!(ms(42041.34), "42.04 s");
        assert_eq!(percent(0.9995), "99.9500 %");
        assert_eq!(percent(1.0), "100.0000 %");
    }
}
