//! `folio check --format sarif` and `--format gitlab`: the SARIF log validates against the
//! official SARIF 2.1.0 JSON schema (vendored in tests/schemas/), with stable rule ids,
//! partial fingerprints and rule help; the GitLab report has the Code Quality shape GitLab
//! documents (description, check_name, fingerprint, severity, location.path/lines.begin).

use std::path::Path;

use serde_json::Value;

use crate::check_classes::{repo, run};
use crate::support::{Sandbox, stdout};

fn failing_repo(sandbox: &Sandbox) -> std::path::PathBuf {
    let key = format!("k = \"{}{}\"\n", "AKIA", "Q3EGRY5NL7ZXW2PT");
    repo(
        sandbox,
        "svc",
        true,
        &[
            ("keys.py", &key),
            ("dir with space/a b#c.py", "x = 1\n"),
            ("Dockerfile", "FROM python\n"),
        ],
    )
}

fn json(sandbox: &Sandbox, dir: &Path, format: &str) -> Value {
    let out = run(sandbox, dir, &["--format", format]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(&out)))
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/sarif-schema-2.1.0.json"),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(
        schema["id"],
        "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    );
    let validator = jsonschema::validator_for(&schema).unwrap();
    let sandbox = Sandbox::new();
    let dir = failing_repo(&sandbox);
    let log = json(&sandbox, &dir, "sarif");
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // The validator is not vacuous: a log with a wrong level fails it.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&broken));

    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.len() >= 28);
    for r in rules {
        assert!(
            r["helpUri"].as_str().unwrap().starts_with("https://"),
            "{r}"
        );
        assert!(!r["help"]["text"].as_str().unwrap().is_empty());
        assert!(!r["shortDescription"]["text"].as_str().unwrap().is_empty());
    }
    let results = run["results"].as_array().unwrap();
    let keys = results
        .iter()
        .find(|r| r["ruleId"] == "security.no-cloud-keys")
        .expect("the key is a result");
    assert_eq!(keys["level"], "error");
    assert_eq!(
        rules[keys["ruleIndex"].as_u64().unwrap() as usize]["id"],
        "security.no-cloud-keys"
    );
    assert_eq!(
        keys["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "keys.py"
    );
    assert_eq!(
        keys["locations"][0]["physicalLocation"]["region"]["startLine"],
        1
    );
    for r in results {
        assert!(
            r["partialFingerprints"]["folioFinding/v1"]
                .as_str()
                .unwrap()
                .len()
                == 40
        );
    }
    // Fingerprints are stable: the same findings after an unrelated edit keep them.
    let again = json(&sandbox, &dir, "sarif");
    assert_eq!(run["results"], again["runs"][0]["results"]);
}

#[test]
fn gitlab_code_quality_has_the_documented_shape() {
    let sandbox = Sandbox::new();
    let dir = failing_repo(&sandbox);
    let issues = json(&sandbox, &dir, "gitlab");
    let issues = issues.as_array().expect("an array of issues");
    assert!(!issues.is_empty());
    let mut fingerprints = std::collections::BTreeSet::new();
    for i in issues {
        for key in ["description", "check_name", "fingerprint", "severity"] {
            assert!(i[key].as_str().is_some_and(|s| !s.is_empty()), "{key}: {i}");
        }
        assert!(
            ["info", "minor", "major", "critical", "blocker"]
                .contains(&i["severity"].as_str().unwrap()),
            "{i}"
        );
        assert!(i["location"]["path"].as_str().is_some(), "{i}");
        assert!(
            i["location"]["lines"]["begin"].as_u64().unwrap() >= 1,
            "{i}"
        );
        assert!(
            fingerprints.insert(i["fingerprint"].as_str().unwrap().to_string()),
            "unique: {i}"
        );
    }
    let keys = issues
        .iter()
        .find(|i| i["check_name"] == "security.no-cloud-keys")
        .unwrap();
    assert_eq!(keys["severity"], "critical");
    assert_eq!(keys["location"]["path"], "keys.py");
    assert_eq!(issues[0]["severity"], "critical", "most important first");
}
