//! The scenario format's JSON Schema (`aurora-sim schema`), which editors
//! use to check and complete scenario files, says what the reader does:
//! every shipped scenario meets it, and what it refuses the reader
//! refuses.

use std::path::Path;

use aurora_sim::scenario::reference::json_schema;
use aurora_sim::Scenario;
use aurora_sim_bench::repo;
use serde_json::Value;

fn validator() -> jsonschema::Validator {
    jsonschema::draft202012::new(&json_schema())
        .expect("the schema is a valid draft 2020-12 schema")
}

fn as_json(yaml: &str) -> Value {
    serde_saphyr::from_str(yaml).expect("YAML")
}

#[test]
fn every_shipped_scenario_meets_the_schema() {
    let v = validator();
    let mut count = 0;
    for entry in std::fs::read_dir(repo("scenarios")).expect("scenarios/") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("read");
        let errors: Vec<String> = v
            .iter_errors(&as_json(&text))
            .map(|e| format!("{e} at {}", e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
        count += 1;
    }
    assert!(count >= 27, "{count} scenarios");
}

#[test]
fn what_the_schema_refuses_the_reader_refuses() {
    let v = validator();
    let base = "name: t\nduration: 1m\n";
    for bad in [
        "storage:\n  volume_gb: 100\n",
        "storage:\n  volume_gib: 200000\n",
        "storage:\n  copies: 0\n",
        "dns:\n  ttl: 30\n",
        "dns:\n  ttl: 5 seconds\n",
        "faults:\n  - writer_krash: { at: 10s }\n",
        "faults:\n  - az_outage: { at: 10s }\n",
        "faults:\n  - packet_loss: { at: 10s, rate: 1.0 }\n",
        "workload:\n  page_kib: 12\n",
        "workload:\n  access: { zipf: 11 }\n",
        "clients:\n  - { name: app, dns_cache: always }\n",
        "instances:\n  - { name: w, az: a, role: primary }\n",
    ] {
        let yaml = format!("{base}{bad}");
        assert!(!v.is_valid(&as_json(&yaml)), "the schema accepts {bad:?}");
        assert!(
            Scenario::parse(&yaml, Path::new("t.yaml")).is_err(),
            "the reader accepts {bad:?}"
        );
    }
    for good in [
        "dns:\n  ttl: 0\n",
        "dns:\n  empty_answers: 1.5s\n",
        "clients:\n  - { name: app, dns_cache: forever }\n",
        "clients:\n  - { name: app, dns_cache: 30s }\n",
        "workload:\n  access: uniform\n",
        "faults:\n  - packet_loss: { at: 10s, rate: 0.999 }\n",
    ] {
        let yaml = format!("{base}{good}");
        assert!(v.is_valid(&as_json(&yaml)), "the schema refuses {good:?}");
        Scenario::parse(&yaml, Path::new("t.yaml")).unwrap_or_else(|e| panic!("{good:?}: {e}"));
    }
}
