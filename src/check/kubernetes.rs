//! Just enough of Kubernetes manifests for the deploy rules: which tracked YAML files hold
//! Kubernetes objects, and for each workload (Deployment, StatefulSet, DaemonSet, Job, CronJob,
//! Pod) its containers with the settings the rules judge, each with the line it starts on.
//!
//! Manifests are judged as written, one document at a time: a kustomize overlay's patches or a
//! Helm chart's values are not applied. Helm templates (`{{ ... }}` inside) are not YAML until
//! rendered, so they are listed as manifests but not parsed into workloads.

use yaml_rust2::{Yaml, YamlLoader};

use crate::check::project::Project;

/// A tracked file that holds Kubernetes objects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub path: String,
    /// `Kind/name` of each object, in order.
    pub objects: Vec<String>,
}

/// One container of a workload, with what the rules look at.
#[derive(Debug, Clone)]
pub struct Container {
    /// `Deployment/api container api`.
    pub label: String,
    pub file: String,
    /// The line of the workload's `kind:` (1-based).
    pub line: u32,
    /// An init container runs to completion: no probes.
    pub init: bool,
    /// In a Job or CronJob: it runs to completion too.
    pub batch: bool,
    container: Yaml,
    pod: Yaml,
}

/// Whether a path may hold Kubernetes manifests (YAML outside CI and compose files).
fn is_candidate(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    (lower.ends_with(".yaml") || lower.ends_with(".yml"))
        && !lower.starts_with(".github/")
        && !lower.starts_with(".gitlab")
        && !name.starts_with("docker-compose")
        && !name.starts_with("compose.")
        && !lower.split('/').any(|d| d == "node_modules")
}

fn is_helm_template(text: &str) -> bool {
    text.contains("{{")
}

/// The Kubernetes manifests of the project: kustomizations, Helm charts and plain objects.
pub fn manifests(project: &Project) -> Vec<Manifest> {
    let mut out = Vec::new();
    for path in project.paths().filter(|p| is_candidate(p)) {
        let Some(text) = project.read(path) else {
            continue;
        };
        // Cheap filter before parsing: every object names its apiVersion and kind.
        if !text.contains("apiVersion") || !text.contains("kind") {
            continue;
        }
        let name = path.rsplit('/').next().unwrap_or(path);
        if is_helm_template(&text) {
            if path.split('/').any(|d| d == "templates") {
                out.push(Manifest {
                    path: path.to_string(),
                    objects: vec!["Helm template".to_string()],
                });
            }
            continue;
        }
        let Ok(docs) = YamlLoader::load_from_str(&text) else {
            continue;
        };
        let objects: Vec<String> = docs
            .iter()
            .filter_map(|d| {
                let kind = d["kind"].as_str()?;
                d["apiVersion"].as_str()?;
                let name = d["metadata"]["name"].as_str().unwrap_or("");
                Some(format!("{kind}/{name}"))
            })
            .collect();
        let chart = name.eq_ignore_ascii_case("Chart.yaml") && text.contains("apiVersion");
        if !objects.is_empty() {
            out.push(Manifest {
                path: path.to_string(),
                objects,
            });
        } else if chart {
            out.push(Manifest {
                path: path.to_string(),
                objects: vec!["Helm chart".to_string()],
            });
        }
    }
    out
}

/// The pod spec of a workload document.
fn pod_spec(doc: &Yaml) -> Option<(&str, &Yaml)> {
    let kind = doc["kind"].as_str()?;
    let spec = &doc["spec"];
    let pod = match kind {
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" => {
            &spec["template"]["spec"]
        }
        "CronJob" => &spec["jobTemplate"]["spec"]["template"]["spec"],
        "Pod" => spec,
        _ => return None,
    };
    (!pod.is_badvalue()).then_some((kind, pod))
}

/// Every container of every workload in the project's manifests.
pub fn containers(project: &Project, manifests: &[Manifest]) -> Vec<Container> {
    let mut out = Vec::new();
    for manifest in manifests {
        let text = project.read(&manifest.path).unwrap_or_default();
        let Ok(docs) = YamlLoader::load_from_str(&text) else {
            continue;
        };
        let kind_lines: Vec<u32> = text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.starts_with("kind:"))
            .map(|(i, _)| i as u32 + 1)
            .collect();
        let mut kinds_seen = 0;
        for doc in &docs {
            let has_kind = doc["kind"].as_str().is_some();
            let line = kind_lines.get(kinds_seen).copied().unwrap_or(1);
            if has_kind {
                kinds_seen += 1;
            }
            let Some((kind, pod)) = pod_spec(doc) else {
                continue;
            };
            let name = doc["metadata"]["name"].as_str().unwrap_or("?");
            let batch = matches!(kind, "Job" | "CronJob");
            for (key, init) in [("containers", false), ("initContainers", true)] {
                for container in pod[key].as_vec().into_iter().flatten() {
                    out.push(Container {
                        label: format!(
                            "{kind}/{name} {}container {}",
                            if init { "init " } else { "" },
                            container["name"].as_str().unwrap_or("?")
                        ),
                        file: manifest.path.clone(),
                        line,
                        init,
                        batch,
                        container: container.clone(),
                        pod: pod.clone(),
                    });
                }
            }
        }
    }
    out
}

impl Container {
    /// A securityContext field, the container's own or else the pod's (for fields both hold).
    fn effective(&self, field: &str) -> &Yaml {
        let own = &self.container["securityContext"][field];
        if own.is_badvalue() || own.is_null() {
            &self.pod["securityContext"][field]
        } else {
            own
        }
    }

    /// What the container's security settings lack, as short phrases.
    pub fn security_gaps(&self) -> Vec<&'static str> {
        let sc = &self.container["securityContext"];
        let mut gaps = Vec::new();
        // runAsNonRoot makes the kubelet refuse to start the container as root, whatever the
        // image says, so it is wanted even beside a non-zero runAsUser.
        let user = self.effective("runAsUser").as_i64();
        if self.effective("runAsNonRoot").as_bool() != Some(true) {
            gaps.push("runAsNonRoot: true");
        }
        if user == Some(0) {
            gaps.push("a non-root runAsUser");
        }
        if sc["allowPrivilegeEscalation"].as_bool() != Some(false) {
            gaps.push("allowPrivilegeEscalation: false");
        }
        if sc["readOnlyRootFilesystem"].as_bool() != Some(true) {
            gaps.push("readOnlyRootFilesystem: true");
        }
        let drops_all = sc["capabilities"]["drop"]
            .as_vec()
            .is_some_and(|d| d.iter().any(|c| c.as_str() == Some("ALL")));
        if !drops_all {
            gaps.push("capabilities.drop: [ALL]");
        }
        if sc["privileged"].as_bool() == Some(true) {
            gaps.push("no privileged: true");
        }
        if !matches!(
            self.effective("seccompProfile")["type"].as_str(),
            Some("RuntimeDefault" | "Localhost")
        ) {
            gaps.push("seccompProfile.type: RuntimeDefault");
        }
        gaps
    }

    /// The probes a long-running container lacks (none for init and batch containers).
    pub fn missing_probes(&self) -> Vec<&'static str> {
        if self.init || self.batch {
            return Vec::new();
        }
        ["livenessProbe", "readinessProbe"]
            .into_iter()
            .filter(|p| self.container[*p].is_badvalue())
            .collect()
    }

    /// The resource settings the container lacks: CPU and memory requests (what the scheduler
    /// places by) and a memory limit (what stops one leak from taking the node). A CPU limit is
    /// not required: it throttles, and many teams leave it out on purpose.
    pub fn missing_resources(&self) -> Vec<&'static str> {
        let resources = &self.container["resources"];
        [
            ("requests", "cpu", "requests.cpu"),
            ("requests", "memory", "requests.memory"),
            ("limits", "memory", "limits.memory"),
        ]
        .into_iter()
        .filter(|(part, what, _)| resources[*part][*what].is_badvalue())
        .map(|(_, _, name)| name)
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn container(yaml: &str) -> Container {
        let docs = YamlLoader::load_from_str(yaml).unwrap();
        let (kind, pod) = pod_spec(&docs[0]).unwrap();
        Container {
            label: "x".into(),
            file: "k.yaml".into(),
            line: 1,
            init: false,
            batch: kind == "Job",
            container: pod["containers"][0].clone(),
            pod: pod.clone(),
        }
    }

    const HARDENED: &str = "kind: Deployment
spec:
  template:
    spec:
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        seccompProfile: {type: RuntimeDefault}
      containers:
        - name: api
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {drop: [ALL]}
          resources:
            requests: {cpu: 100m, memory: 128Mi}
            limits: {memory: 256Mi}
          livenessProbe: {httpGet: {path: /healthz, port: 8080}}
          readinessProbe: {httpGet: {path: /readyz, port: 8080}}
";

    #[test]
    fn a_hardened_container_has_no_gaps() {
        let c = container(HARDENED);
        assert!(c.security_gaps().is_empty(), "{:?}", c.security_gaps());
        assert!(c.missing_probes().is_empty());
        assert!(c.missing_resources().is_empty());
    }

    #[test]
    fn each_gap_is_named() {
        let cases = [
            ("runAsNonRoot: true", "runAsNonRoot: false"),
            (
                "readOnlyRootFilesystem: true",
                "readOnlyRootFilesystem: false",
            ),
            (
                "allowPrivilegeEscalation: false",
                "allowPrivilegeEscalation: true",
            ),
            ("drop: [ALL]", "drop: [NET_RAW]"),
            ("type: RuntimeDefault", "type: Unconfined"),
        ];
        for (from, to) in cases {
            let c = container(&HARDENED.replace(from, to));
            assert!(!c.security_gaps().is_empty(), "{to}");
        }
        let root = container(&HARDENED.replace("runAsUser: 10001", "runAsUser: 0"));
        assert!(root.security_gaps().contains(&"a non-root runAsUser"));
        let c = container(&HARDENED.replace(
            "          readinessProbe: {httpGet: {path: /readyz, port: 8080}}\n",
            "",
        ));
        assert_eq!(c.missing_probes(), ["readinessProbe"]);
        let c = container(&HARDENED.replace("            limits: {memory: 256Mi}\n", ""));
        assert_eq!(c.missing_resources(), ["limits.memory"]);
    }

    #[test]
    fn a_job_needs_no_probes() {
        let c = container(&HARDENED.replace("kind: Deployment", "kind: Job").replace(
            "          livenessProbe: {httpGet: {path: /healthz, port: 8080}}\n",
            "",
        ));
        assert!(c.missing_probes().is_empty());
    }

    #[test]
    fn the_containers_setting_wins_over_the_pods() {
        let c = container(&HARDENED.replace(
            "            allowPrivilegeEscalation: false\n",
            "            allowPrivilegeEscalation: false\n            runAsNonRoot: false\n            runAsUser: 0\n",
        ));
        assert!(c.security_gaps().contains(&"runAsNonRoot: true"));
    }

    #[test]
    fn candidates_leave_out_ci_and_compose() {
        assert!(is_candidate("deploy/k8s/base/deployment.yaml"));
        assert!(is_candidate("k8s.yml"));
        assert!(!is_candidate(".github/workflows/ci.yml"));
        assert!(!is_candidate("docker-compose.yml"));
        assert!(!is_candidate("README.md"));
    }
}
