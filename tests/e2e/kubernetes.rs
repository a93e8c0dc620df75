//! The Kubernetes manifests of a generated tree: every overlay under `deploy/k8s/overlays/` is
//! built with `kustomize build`, the output is checked against the Kubernetes API schemas with
//! `kubernetes-validate --strict` (no unknown field), and then against a small policy of our own
//! that no schema expresses: every container runs as a non-root user with a read-only root
//! filesystem, no privilege escalation, all capabilities dropped and the runtime's default
//! seccomp profile, with resource requests and limits, no service-account token, and every
//! long-running container has liveness and readiness probes.
//!
//! The policy is a pure function of the built documents ([`policy_problems`]), so its own unit
//! tests run with every `cargo test`.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::e2e::report::{Report, tail};
use crate::e2e::validators::{find_tool, venv_bin};

/// The pod-owning kinds and where their pod spec is.
fn pod_spec(doc: &Value) -> Option<&Value> {
    let spec = doc.get("spec")?;
    match doc.get("kind")?.as_str()? {
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" => {
            spec.get("template")?.get("spec")
        }
        "CronJob" => spec
            .get("jobTemplate")?
            .get("spec")?
            .get("template")?
            .get("spec"),
        "Pod" => Some(spec),
        _ => None,
    }
}

/// What in `docs` (the built manifests, one JSON value per document) breaks the policy.
pub fn policy_problems(docs: &[Value]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut workloads = 0;
    for doc in docs {
        let Some(pod) = pod_spec(doc) else { continue };
        workloads += 1;
        let kind = doc["kind"].as_str().unwrap_or("");
        let name = format!("{kind}/{}", doc["metadata"]["name"].as_str().unwrap_or("?"));
        let pod_sc = &pod["securityContext"];
        // The service never calls the Kubernetes API: a mounted token is only something to steal.
        if pod["automountServiceAccountToken"] != Value::Bool(false) {
            problems.push(format!(
                "{name}: automountServiceAccountToken should be false"
            ));
        }
        let long_running = !matches!(kind, "Job" | "CronJob");
        let containers = pod["containers"].as_array().into_iter().flatten();
        let init = pod["initContainers"].as_array().into_iter().flatten();
        for (container, is_init) in containers
            .map(|c| (c, false))
            .chain(init.map(|c| (c, true)))
        {
            let label = format!(
                "{name} container {}",
                container["name"].as_str().unwrap_or("?")
            );
            let sc = &container["securityContext"];
            // A container's setting wins over the pod's, for the fields both may hold.
            let effective = |field: &str| {
                if sc[field].is_null() {
                    &pod_sc[field]
                } else {
                    &sc[field]
                }
            };
            if effective("runAsNonRoot") != &Value::Bool(true) {
                problems.push(format!("{label}: runAsNonRoot should be true"));
            }
            match effective("runAsUser") {
                Value::Null => problems.push(format!(
                    "{label}: runAsUser should be set to the image's numeric user"
                )),
                Value::Number(n) if n.as_u64() == Some(0) => {
                    problems.push(format!("{label}: runAsUser is 0 (root)"))
                }
                _ => {}
            }
            if effective("seccompProfile")["type"] != "RuntimeDefault"
                && effective("seccompProfile")["type"] != "Localhost"
            {
                problems.push(format!(
                    "{label}: seccompProfile.type should be RuntimeDefault"
                ));
            }
            if sc["allowPrivilegeEscalation"] != Value::Bool(false) {
                problems.push(format!("{label}: allowPrivilegeEscalation should be false"));
            }
            if sc["readOnlyRootFilesystem"] != Value::Bool(true) {
                problems.push(format!("{label}: readOnlyRootFilesystem should be true"));
            }
            if sc["privileged"] == Value::Bool(true) {
                problems.push(format!("{label}: privileged"));
            }
            let drops_all = sc["capabilities"]["drop"]
                .as_array()
                .is_some_and(|d| d.iter().any(|c| c == "ALL"));
            if !drops_all {
                problems.push(format!("{label}: capabilities.drop should hold ALL"));
            }
            if sc["capabilities"]["add"]
                .as_array()
                .is_some_and(|a| !a.is_empty())
            {
                problems.push(format!("{label}: adds capabilities"));
            }
            for part in ["requests", "limits"] {
                for resource in ["cpu", "memory"] {
                    if container["resources"][part][resource].is_null() {
                        problems.push(format!("{label}: no resources.{part}.{resource}"));
                    }
                }
            }
            if long_running && !is_init {
                for probe in ["livenessProbe", "readinessProbe"] {
                    if container[probe].is_null() {
                        problems.push(format!("{label}: no {probe}"));
                    }
                }
            }
            let image = container["image"].as_str().unwrap_or("");
            if image.is_empty() || image.ends_with(":latest") {
                problems.push(format!(
                    "{label}: image {image:?} should name a tag or digest other than latest"
                ));
            }
        }
    }
    if workloads == 0 {
        problems.push("no Deployment, StatefulSet or Job in the built manifests".to_string());
    }
    problems
}

/// Builds and checks every overlay of `root`'s `deploy/k8s/`; a tree without one fails.
pub fn validate(root: &Path, report: &mut Report) {
    let overlays_dir = root.join("deploy/k8s/overlays");
    let mut overlays: Vec<String> = std::fs::read_dir(&overlays_dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().join("kustomization.yaml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    overlays.sort();
    for want in ["dev", "prod"] {
        if !overlays.iter().any(|o| o == want) {
            report.fail(
                format!("validators: kubernetes overlay {want}"),
                format!(
                    "{} has no {want}/kustomization.yaml",
                    overlays_dir.display()
                ),
            );
        }
    }
    for overlay in &overlays {
        let dir = format!("deploy/k8s/overlays/{overlay}");
        let Some(built) = run(root, report, "kustomize", &["build", &dir], None) else {
            continue;
        };
        run(
            root,
            report,
            "kubernetes-validate",
            &["--strict", "--quiet", "-"],
            Some(&built),
        );
        match yaml_documents(&built) {
            Ok(docs) => {
                for problem in policy_problems(&docs) {
                    report.fail(format!("validators: kubernetes policy {dir}"), problem);
                }
            }
            Err(e) => report.fail(format!("validators: kubernetes {dir} (parse)"), e),
        }
    }
}

/// Runs a tool in `root` with `stdin`; its stdout on success, else a failure in `report`.
fn run(
    root: &Path,
    report: &mut Report,
    tool: &str,
    args: &[&str],
    stdin: Option<&str>,
) -> Option<String> {
    let check = format!("validators: {tool} {}", args.join(" "));
    let Some(exe) = find_tool(tool) else {
        report.fail(
            format!("validators: {tool} not found"),
            "run scripts/install-validators",
        );
        return None;
    };
    let child = Command::new(&exe)
        .args(args)
        .current_dir(root)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            report.fail(check, format!("could not run {}: {e}", exe.display()));
            return None;
        }
    };
    if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
        let _ = pipe.write_all(text.as_bytes());
    }
    match child.wait_with_output() {
        Ok(out) if out.status.success() => Some(String::from_utf8_lossy(&out.stdout).into_owned()),
        Ok(out) => {
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            report.fail(check, tail(text.trim(), 30));
            None
        }
        Err(e) => {
            report.fail(check, e.to_string());
            None
        }
    }
}

/// Every document of a multi-document YAML stream, as JSON (the validators venv's PyYAML).
fn yaml_documents(text: &str) -> Result<Vec<Value>, String> {
    let python = venv_bin().join("python");
    let script = "import json, sys, yaml; print(json.dumps([d for d in yaml.safe_load_all(sys.stdin) if d is not None]))";
    let mut child = Command::new(&python)
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{}: {e}", python.display()))?;
    if let Some(mut pipe) = child.stdin.take() {
        pipe.write_all(text.as_bytes()).map_err(|e| e.to_string())?;
    }
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn hardened() -> Value {
        json!({
            "kind": "Deployment",
            "metadata": {"name": "api"},
            "spec": {"template": {"spec": {
                "automountServiceAccountToken": false,
                "securityContext": {"runAsNonRoot": true, "runAsUser": 10001, "seccompProfile": {"type": "RuntimeDefault"}},
                "containers": [{
                    "name": "api",
                    "image": "todo-api:0.1.0",
                    "securityContext": {
                        "allowPrivilegeEscalation": false,
                        "readOnlyRootFilesystem": true,
                        "capabilities": {"drop": ["ALL"]}
                    },
                    "resources": {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"cpu": "1", "memory": "512Mi"}},
                    "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080}},
                    "readinessProbe": {"httpGet": {"path": "/readyz", "port": 8080}}
                }]
            }}}
        })
    }

    #[test]
    fn a_hardened_deployment_passes() {
        assert_eq!(policy_problems(&[hardened()]), Vec::<String>::new());
    }

    #[test]
    fn each_weakened_field_is_named() {
        type Weaken = fn(&mut Value);
        let cases: &[(&str, Weaken)] = &[
            ("runAsNonRoot", |d| {
                d["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] = json!(false)
            }),
            ("runAsUser is 0", |d| {
                d["spec"]["template"]["spec"]["containers"][0]["securityContext"]["runAsUser"] =
                    json!(0)
            }),
            ("seccompProfile", |d| {
                d["spec"]["template"]["spec"]["securityContext"]["seccompProfile"] =
                    json!({"type": "Unconfined"})
            }),
            ("allowPrivilegeEscalation", |d| {
                d["spec"]["template"]["spec"]["containers"][0]["securityContext"]
                    .as_object_mut()
                    .unwrap()
                    .remove("allowPrivilegeEscalation");
            }),
            ("readOnlyRootFilesystem", |d| {
                d["spec"]["template"]["spec"]["containers"][0]["securityContext"]["readOnlyRootFilesystem"] =
                    json!(false)
            }),
            ("capabilities.drop", |d| {
                d["spec"]["template"]["spec"]["containers"][0]["securityContext"]["capabilities"] =
                    json!({"drop": ["NET_RAW"]})
            }),
            ("resources.limits.memory", |d| {
                d["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]
                    .as_object_mut()
                    .unwrap()
                    .remove("memory");
            }),
            ("no readinessProbe", |d| {
                d["spec"]["template"]["spec"]["containers"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("readinessProbe");
            }),
            ("automountServiceAccountToken", |d| {
                d["spec"]["template"]["spec"]["automountServiceAccountToken"] = json!(true)
            }),
            ("latest", |d| {
                d["spec"]["template"]["spec"]["containers"][0]["image"] = json!("todo-api:latest")
            }),
        ];
        for (needle, weaken) in cases {
            let mut doc = hardened();
            weaken(&mut doc);
            let problems = policy_problems(&[doc]).join("\n");
            assert!(problems.contains(needle), "{needle}: {problems}");
        }
    }

    #[test]
    fn a_job_needs_no_probes_but_the_rest_of_the_policy() {
        let mut job = hardened();
        job["kind"] = json!("Job");
        let containers = &mut job["spec"]["template"]["spec"]["containers"][0];
        containers.as_object_mut().unwrap().remove("livenessProbe");
        containers.as_object_mut().unwrap().remove("readinessProbe");
        assert_eq!(policy_problems(&[job.clone()]), Vec::<String>::new());
        job["spec"]["template"]["spec"]["containers"][0]["securityContext"]["readOnlyRootFilesystem"] =
            json!(false);
        assert_eq!(policy_problems(&[job]).len(), 1);
    }

    #[test]
    fn manifests_without_workloads_fail() {
        let service = json!({"kind": "Service", "metadata": {"name": "api"}, "spec": {}});
        assert!(policy_problems(&[service])[0].contains("no Deployment"));
    }
}
