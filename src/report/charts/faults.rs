//! Faults in words, as the notes above a time chart and the report's
//! fault timeline name them.

use crate::metrics::FaultSummary;

/// A fault, in words: `writer_crash` is "writer crash", `a|c` "AZs a
/// and c". `writer` names the writer when the fault hit it.
pub(in crate::report) fn fault_words(f: &FaultSummary, writer: Option<&str>) -> String {
    let t = f.target.as_str();
    let who = writer.map_or(String::new(), |w| format!(" ({w})"));
    match f.kind.as_str() {
        "storage_node_crash" => format!("storage node {t} crash"),
        "az_outage" => format!("AZ {t} outage"),
        "network_partition" => match t.split_once('|') {
            Some((a, b)) => format!("AZs {a} and {b} partitioned"),
            None => match t.split_once(" from ") {
                Some((who, from)) => format!("{who} cut off from {from}"),
                None => format!("{t} cut off"),
            },
        },
        "slow_node" => format!("{t} slow"),
        "packet_loss" => format!("packet loss {t}"),
        "writer_crash" => format!("writer crash{who}"),
        "instance_crash" => format!("{t} crash"),
        "instance_reboot" => format!("{t} reboot"),
        "failover" if t.is_empty() => format!("failover{who}"),
        "failover" => format!("failover to {t}"),
        other => format!("{} {t}", other.replace('_', " "))
            .trim_end()
            .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_are_named_in_words() {
        let f = |kind: &str, target: &str| FaultSummary {
            at_s: 1.0,
            until_s: None,
            kind: kind.to_owned(),
            target: target.to_owned(),
            refused: None,
        };
        assert_eq!(
            fault_words(&f("writer_crash", ""), Some("w1")),
            "writer crash (w1)"
        );
        assert_eq!(
            fault_words(&f("network_partition", "a|c"), None),
            "AZs a and c partitioned"
        );
        assert_eq!(fault_words(&f("az_outage", "c"), None), "AZ c outage");
        assert_eq!(
            fault_words(&f("network_partition", "w from storage"), None),
            "w cut off from storage"
        );
        assert_eq!(fault_words(&f("failover", ""), None), "failover");
    }
}
