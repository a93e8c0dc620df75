//! Kubernetes rules: manifests are tracked (plain objects, a kustomization or a Helm chart), and
//! every container they run is locked down (non-root, read-only root filesystem, no privilege
//! escalation, no capabilities, seccomp), probed and given resources. A repository that is not
//! a service (no image, no compose file, no health or metrics route) has nothing to deploy.

use crate::check::kubernetes::{self, Container, Manifest};
use crate::check::project::Project;
use crate::check::rule::{Evidence, Outcome};
use crate::check::scan::HitKind;

const NO_MANIFESTS: &str = "no Kubernetes workloads to look in (see deploy.kubernetes)";

/// Why the project looks like a service, if it does: what a cluster would run.
pub(super) fn service_evidence(project: &Project) -> Option<Evidence> {
    let image = project
        .first_named(|n| n == "Dockerfile" || n == "Containerfile" || n.ends_with(".Dockerfile"));
    if let Some(path) = image {
        return Some(Evidence::file(path, "builds a container image"));
    }
    project
        .scan
        .of(HitKind::HealthRoute)
        .chain(project.scan.of(HitKind::MetricsRoute))
        .find(|h| !h.fixture)
        .map(|h| Evidence::at(&h.path, h.line, h.note.clone()))
}

pub fn present(project: &Project) -> Outcome {
    let manifests = kubernetes::manifests(project);
    if let Some(first) = manifests.first() {
        let objects: usize = manifests.iter().map(|m| m.objects.len()).sum();
        return Outcome::pass(
            format!(
                "{objects} Kubernetes object{} in {} file{}",
                if objects == 1 { "" } else { "s" },
                manifests.len(),
                if manifests.len() == 1 { "" } else { "s" }
            ),
            vec![Evidence::file(&first.path, first.objects.join(", "))],
        );
    }
    match service_evidence(project) {
        Some(why) => Outcome::fail(
            "the service has no Kubernetes manifests",
            vec![
                why,
                Evidence::note(
                    "looked for YAML files with apiVersion and kind (plain manifests, kustomization.yaml) and Helm charts",
                ),
            ],
        ),
        None => Outcome::not_applicable(
            "not a service: no container image, health or metrics route to deploy",
            vec![Evidence::note(
                "looked for a Dockerfile and for /healthz or /metrics routes",
            )],
        ),
    }
}

/// The containers of the project's workloads, or the outcome when there are none to judge.
fn judged(project: &Project) -> Result<(Vec<Manifest>, Vec<Container>), Outcome> {
    let manifests = kubernetes::manifests(project);
    let containers = kubernetes::containers(project, &manifests);
    if containers.is_empty() {
        if manifests
            .iter()
            .any(|m| m.objects.iter().any(|o| o.starts_with("Helm")))
        {
            return Err(Outcome::skip(
                "the workloads are Helm templates, which are only YAML once rendered: check `helm template` output",
            ));
        }
        return Err(Outcome::skip(NO_MANIFESTS));
    }
    Ok((manifests, containers))
}

/// Passes when no container has a gap, else fails with one evidence line per container.
fn every_container(
    project: &Project,
    gaps: fn(&Container) -> Vec<&'static str>,
    what: &str,
) -> Outcome {
    let (_, containers) = match judged(project) {
        Ok(found) => found,
        Err(outcome) => return outcome,
    };
    let failing: Vec<Evidence> = containers
        .iter()
        .filter_map(|c| {
            let missing = gaps(c);
            (!missing.is_empty()).then(|| {
                Evidence::at(
                    &c.file,
                    c.line,
                    format!("{}: needs {}", c.label, missing.join(", ")),
                )
            })
        })
        .collect();
    if failing.is_empty() {
        let first = &containers[0];
        Outcome::pass(
            format!(
                "all {} container{} {what}",
                containers.len(),
                if containers.len() == 1 { "" } else { "s" }
            ),
            vec![Evidence::at(&first.file, first.line, first.label.clone())],
        )
    } else {
        Outcome::fail(
            format!(
                "{} of {} containers lack what they need",
                failing.len(),
                containers.len()
            ),
            failing,
        )
    }
}

pub fn security_context(project: &Project) -> Outcome {
    every_container(
        project,
        Container::security_gaps,
        "run non-root with a read-only root filesystem, no privilege escalation, no capabilities and seccomp",
    )
}

pub fn probes(project: &Project) -> Outcome {
    every_container(
        project,
        Container::missing_probes,
        "that keep running have liveness and readiness probes",
    )
}

pub fn resources(project: &Project) -> Outcome {
    every_container(
        project,
        Container::missing_resources,
        "request CPU and memory and limit memory",
    )
}
