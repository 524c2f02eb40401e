//! `aurora-sim init`: a first scenario to edit, every section present and
//! commented, each value a default or a choice the comment explains.

/// Why `name` cannot name a scenario, if it cannot: the rule a file's
/// `name:` is held to.
pub fn name_problem(name: &str) -> Option<String> {
    super::validate::name_problem(name, "a scenario name")
}

/// A commented scenario named `name`: a writer and two readers over three
/// AZs, clients on the cluster endpoint, the writer's crash at 60 s, and
/// the expectations a design review usually asks of a failover, each
/// with the published figure it comes from.
pub fn scaffold(name: &str) -> String {
    let file = name;
    let name = super::print::scalar(name);
    format!(
        r#"# A scenario for aurora-sim. `aurora-sim explain <setting>` describes any
# setting below (its range, default and where the default comes from);
# `aurora-sim validate {file}.yaml` checks the file without running it.
name: {name}
description: >
  What this scenario shows, in a sentence or two: it heads the summary
  and the report.
seed: 1            # same seed, same bytes out; `sweep --seeds 1..100` varies it
duration: 3m       # simulated time

topology:
  azs: [a, b, c]   # six copies of every 10 GiB protection group, two per AZ

storage:
  volume_gib: 100  # ten protection groups

instances:         # one writer and up to 15 readers
  - {{ name: writer-1, az: a, class: db.r6g.2xlarge, tier: 1, role: writer }}
  - {{ name: reader-1, az: b, class: db.r6g.2xlarge, tier: 0 }}   # promoted first: lowest tier
  - {{ name: reader-2, az: c, class: db.r6g.2xlarge, tier: 1 }}

clients:           # the application: each client sends a transaction, thinks, sends the next
  - {{ name: app, count: 50, az: b, think_time: 7ms, connect_timeout: 2s, read_timeout: 5s }}
  # A group may use the reader endpoint, cache DNS past the TTL, or
  # connect through a pool, RDS Proxy or a topology-aware driver:
  # - {{ name: reports, count: 4, az: c, endpoint: reader, read_timeout: 5s }}
  # - {{ name: jvm, count: 10, dns_cache: forever }}

faults:            # `aurora-sim explain faults` lists every kind
  - writer_crash: {{ at: 60s }}
  # - az_outage: {{ at: 60s, az: a, duration: 2m }}
  # - failover: {{ at: 60s }}

expect:            # exit code 1 when one fails; `aurora-sim explain expect` lists them
  max_lost_commits: 0
  max_split_brain_commits: 0
  failovers: 1
  max_rto: 60s          # [UG] High availability: "typically restored in less than 60 seconds"
  max_client_rto: 60s   # [UG] fast failover: the endpoint change "up to 40-60 seconds" as clients see it
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;
    use std::path::Path;

    #[test]
    fn the_scaffold_is_a_valid_scenario_of_its_name() {
        let sc = Scenario::parse(&scaffold("first"), Path::new("first.yaml")).expect("valid");
        assert_eq!(sc.config().name, "first");
        assert_eq!(sc.config().instances.len(), 3);
    }
}
