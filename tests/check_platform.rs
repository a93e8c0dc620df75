//! `folio check`'s platform rules on hand-made repositories: Kubernetes manifests
//! (`deploy.kubernetes`, `deploy.kubernetes-security-context`, `deploy.kubernetes-probes`,
//! `deploy.kubernetes-resources`) and end-to-end tests run by CI (`tests.end-to-end`). Each test holds a case
//! that must pass beside its look-alikes that must not, and the case where the rule does not
//! apply (a repository that is not a service).

use crate::check_classes::{commit, repo, report, rule, write};
use crate::support::Sandbox;

const DOCKERFILE: (&str, &str) = (
    "Dockerfile",
    "FROM python:3.13-slim AS build\nFROM python:3.13-slim\nUSER 10001\nCMD [\"python\", \"app.py\"]\n",
);

/// A Deployment that passes every Kubernetes rule.
const HARDENED: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: api
          image: svc:1.0.0
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: [ALL]
          resources:
            requests: {cpu: 100m, memory: 128Mi}
            limits: {memory: 256Mi}
          livenessProbe:
            httpGet: {path: /healthz, port: 8080}
          readinessProbe:
            httpGet: {path: /readyz, port: 8080}
";

/// The statuses of `ids` for a repository of `files` on top of the small Python service.
fn statuses(files: &[(&str, &str)], ids: &[&str]) -> Vec<(String, serde_json::Value)> {
    let sandbox = Sandbox::new();
    let dir = repo(&sandbox, "svc", true, files);
    let r = report(&sandbox, &dir, &[]);
    ids.iter()
        .map(|id| {
            let found = rule(&r, id).clone();
            (found["status"].as_str().unwrap().to_string(), found)
        })
        .collect()
}

fn assert_statuses(case: &str, files: &[(&str, &str)], expected: &[(&str, &str)]) {
    let ids: Vec<&str> = expected.iter().map(|(id, _)| *id).collect();
    for ((id, want), (got, found)) in expected.iter().zip(statuses(files, &ids)) {
        assert_eq!(&got, want, "{case}: {id} {found:#}");
    }
}

const K8S: [&str; 4] = [
    "deploy.kubernetes",
    "deploy.kubernetes-security-context",
    "deploy.kubernetes-probes",
    "deploy.kubernetes-resources",
];

fn all(status: &'static str) -> Vec<(&'static str, &'static str)> {
    K8S.iter().map(|id| (*id, status)).collect()
}

#[test]
fn kubernetes_manifests_present_hardened_probed_and_resourced() {
    let deployment = ("deploy/k8s/base/deployment.yaml", HARDENED);
    assert_statuses("hardened", &[DOCKERFILE, deployment], &all("pass"));

    // A service with no manifests fails; a library (no image, no routes) is not judged.
    let mut missing = vec![("deploy.kubernetes", "fail")];
    missing.extend(K8S[1..].iter().map(|id| (*id, "skip")));
    assert_statuses("a service without manifests", &[DOCKERFILE], &missing);
    assert_statuses(
        "not a service",
        &[],
        &[("deploy.kubernetes", "not_applicable")],
    );

    // Each weakness fails its own rule only.
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "writable root filesystem",
            "readOnlyRootFilesystem: true",
            "readOnlyRootFilesystem: false",
            "deploy.kubernetes-security-context",
        ),
        (
            "runs as root",
            "runAsNonRoot: true\n        runAsUser: 10001",
            "runAsUser: 0",
            "deploy.kubernetes-security-context",
        ),
        (
            "keeps capabilities",
            "drop: [ALL]",
            "drop: [NET_RAW]",
            "deploy.kubernetes-security-context",
        ),
        (
            "no readiness probe",
            "          readinessProbe:\n            httpGet: {path: /readyz, port: 8080}\n",
            "",
            "deploy.kubernetes-probes",
        ),
        (
            "no memory limit",
            "            limits: {memory: 256Mi}\n",
            "",
            "deploy.kubernetes-resources",
        ),
    ];
    for (case, from, to, failing) in cases {
        assert!(HARDENED.contains(from), "{case}");
        let weakened = HARDENED.replace(from, to);
        let expected: Vec<(&str, &str)> = K8S
            .iter()
            .map(|id| (*id, if id == failing { "fail" } else { "pass" }))
            .collect();
        assert_statuses(
            case,
            &[DOCKERFILE, ("k8s/deployment.yaml", &weakened)],
            &expected,
        );
    }

    // The failure names the container, the file and what it lacks.
    let weakened = HARDENED.replace(
        "readOnlyRootFilesystem: true",
        "readOnlyRootFilesystem: false",
    );
    let found = statuses(
        &[DOCKERFILE, ("k8s/deployment.yaml", &weakened)],
        &["deploy.kubernetes-security-context"],
    );
    let evidence = &found[0].1["evidence"][0];
    assert_eq!(evidence["file"], "k8s/deployment.yaml");
    assert_eq!(evidence["line"], 2);
    let note = evidence["note"].as_str().unwrap();
    assert!(
        note.contains("Deployment/api container api") && note.contains("readOnlyRootFilesystem"),
        "{note}"
    );
}

#[test]
fn kubernetes_jobs_need_no_probes_and_every_document_counts() {
    let job = HARDENED
        .replace("apiVersion: apps/v1\nkind: Deployment", "apiVersion: batch/v1\nkind: Job")
        .replace("  selector:\n    matchLabels: {app: api}\n", "")
        .replace(
            "          livenessProbe:\n            httpGet: {path: /healthz, port: 8080}\n          readinessProbe:\n            httpGet: {path: /readyz, port: 8080}\n",
            "",
        );
    assert_statuses(
        "a migration Job",
        &[DOCKERFILE, ("k8s/job.yaml", &job)],
        &all("pass"),
    );

    // A second document in the same file is judged too, with its own line.
    let weak_second = format!(
        "{HARDENED}---\n{}",
        HARDENED.replace("name: api\n", "name: worker\n").replace(
            "allowPrivilegeEscalation: false",
            "allowPrivilegeEscalation: true"
        )
    );
    let found = statuses(
        &[DOCKERFILE, ("k8s/all.yaml", &weak_second)],
        &["deploy.kubernetes-security-context"],
    );
    assert_eq!(found[0].0, "fail");
    let evidence = &found[0].1["evidence"][0];
    assert!(
        evidence["note"]
            .as_str()
            .unwrap()
            .contains("Deployment/worker"),
        "{evidence}"
    );
    assert_eq!(evidence["line"], 35);

    // Helm templates are manifests, but only YAML once rendered.
    let chart = [
        DOCKERFILE,
        (
            "chart/Chart.yaml",
            "apiVersion: v2\nname: svc\nversion: 0.1.0\n",
        ),
        (
            "chart/templates/deployment.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n",
        ),
    ];
    assert_statuses(
        "a Helm chart",
        &chart,
        &[
            ("deploy.kubernetes", "pass"),
            ("deploy.kubernetes-security-context", "skip"),
        ],
    );
}

const MAKEFILE_E2E: (&str, &str) = (
    "Makefile",
    ".PHONY: test e2e\ntest:\n\tpytest\n\ne2e: ## start the server and drive it over HTTP\n\tpytest tests/e2e\n",
);

#[test]
fn e2e_tests_exist_and_ci_runs_them() {
    let ci = |run: &str| {
        (
            ".github/workflows/ci.yml".to_string(),
            format!(
                "name: CI\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n      - name: e2e\n        run: {run}\n"
            ),
        )
    };
    let e2e_step = ci("make e2e");
    assert_statuses(
        "make e2e in CI",
        &[DOCKERFILE, MAKEFILE_E2E, (&e2e_step.0, &e2e_step.1)],
        &[("tests.end-to-end", "pass")],
    );
    let unit_only = ci("make lint");
    let (status, found) = statuses(
        &[DOCKERFILE, MAKEFILE_E2E, (&unit_only.0, &unit_only.1)],
        &["tests.end-to-end"],
    )
    .remove(0);
    assert_eq!(status, "fail");
    assert!(
        found["message"]
            .as_str()
            .unwrap()
            .contains("no CI step runs them"),
        "{found}"
    );
    assert_eq!(found["evidence"][0]["file"], "Makefile");
    assert_eq!(found["evidence"][0]["line"], 5);

    let package = (
        "package.json",
        "{\n  \"name\": \"svc\",\n  \"scripts\": {\n    \"test\": \"vitest run\",\n    \"test:e2e\": \"node --test test/e2e\"\n  }\n}\n",
    );
    let npm = ci("npm run test:e2e");
    assert_statuses(
        "an npm script in CI",
        &[DOCKERFILE, package, (&npm.0, &npm.1)],
        &[("tests.end-to-end", "pass")],
    );
    let gitlab = (
        ".gitlab-ci.yml",
        "stages: [test]\ne2e:\n  stage: test\n  script:\n    - make e2e\n",
    );
    assert_statuses(
        "GitLab runs make e2e",
        &[DOCKERFILE, MAKEFILE_E2E, gitlab],
        &[("tests.end-to-end", "pass")],
    );
    // A job merely named e2e, or an echo, runs nothing.
    let named = ci("echo e2e");
    assert_statuses(
        "a name is not a step",
        &[DOCKERFILE, (&named.0, &named.1)],
        &[("tests.end-to-end", "fail")],
    );
    assert_statuses(
        "not a service",
        &[],
        &[("tests.end-to-end", "not_applicable")],
    );
}

/// The fixture for a generated project once its stack has `make e2e` (issue 20): a fresh render
/// plus an e2e target and a CI step passes `tests.end-to-end` and scores 100 again.
#[test]
fn a_fresh_project_with_make_e2e_in_ci_scores_100() {
    let sandbox = Sandbox::new();
    let out = sandbox
        .folio(&[
            "new",
            "svc",
            "--yes",
            "--stack",
            "go-nethttp",
            "--db",
            "postgres",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let dir = sandbox.work().join("svc");
    let makefile = std::fs::read_to_string(dir.join("Makefile")).unwrap();
    if !makefile.lines().any(|l| l.starts_with("e2e:")) {
        write(
            &dir,
            "Makefile",
            &format!(
                "{makefile}\ne2e: ## the real server over HTTP\n\tgo test -tags e2e ./e2e/...\n"
            ),
        );
    }
    let ci = std::fs::read_to_string(dir.join(".github/workflows/ci.yml")).unwrap();
    if !ci.contains("make e2e") && !ci.contains("-tags e2e") {
        let step = "      - name: go test (race detector)\n";
        assert!(ci.contains(step), "the go CI changed: update this fixture");
        write(
            &dir,
            ".github/workflows/ci.yml",
            &ci.replacen(
                step,
                &format!("      - name: end-to-end\n        run: make e2e\n{step}"),
                1,
            ),
        );
    }
    commit(&dir, "Run the end-to-end tests in CI");
    let r = report(&sandbox, &dir, &[]);
    assert_eq!(
        rule(&r, "tests.end-to-end")["status"],
        "pass",
        "{:#}",
        rule(&r, "tests.end-to-end")
    );
    for id in K8S {
        assert_eq!(rule(&r, id)["status"], "pass", "{id}: {:#}", rule(&r, id));
    }
    assert_eq!(r["score"], 100, "{:#}", r["rules"]);
}
