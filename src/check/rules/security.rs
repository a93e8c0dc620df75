//! Security rules: nothing secret is tracked: no `.env`, no private keys, no cloud or service
//! keys, no random-looking values assigned to secret-sounding names.

use crate::check::project::{Project, file_name};
use crate::check::rule::{Evidence, Outcome};
use crate::check::scan::HitKind;
use crate::check::secrets::SecretKind;

/// Evidence lists stop here; the message still gives the total.
const MAX_EVIDENCE: usize = 20;

/// `.env` files meant to be committed: templates without real values.
fn is_env_template(name: &str) -> bool {
    [
        ".example",
        ".sample",
        ".template",
        ".dist",
        ".defaults",
        ".tmpl",
    ]
    .iter()
    .any(|s| name.ends_with(s))
}

pub fn no_committed_env(project: &Project) -> Outcome {
    let found: Vec<&str> = project
        .paths()
        .filter(|p| {
            let name = file_name(p);
            (name == ".env" || name.starts_with(".env.") || name.ends_with(".env"))
                && !is_env_template(name)
        })
        .collect();
    verdict(
        found
            .iter()
            .map(|p| Evidence::file(*p, "environment file with local settings and secrets"))
            .collect(),
        "no .env file is tracked",
        "tracked .env file",
    )
}

fn secret_hits(project: &Project, kind: SecretKind) -> Vec<Evidence> {
    project
        .scan
        .of(HitKind::Secret(kind))
        .map(|h| Evidence::at(&h.path, h.line, h.note.clone()))
        .collect()
}

pub fn no_private_keys(project: &Project) -> Outcome {
    let mut evidence = secret_hits(project, SecretKind::PrivateKey);
    for path in project.paths() {
        let name = file_name(path);
        let key_file = matches!(name, "id_rsa" | "id_dsa" | "id_ecdsa" | "id_ed25519")
            || name.ends_with(".p12")
            || name.ends_with(".pfx");
        if key_file {
            evidence.push(Evidence::file(path, "private key file"));
        }
    }
    verdict(evidence, "no private key is tracked", "private key")
}

pub fn no_cloud_keys(project: &Project) -> Outcome {
    verdict(
        secret_hits(project, SecretKind::CloudKey),
        format!(
            "no cloud or service key in {} files read",
            project.scan.files_read
        ),
        "access key",
    )
}

pub fn no_high_entropy_secrets(project: &Project) -> Outcome {
    verdict(
        secret_hits(project, SecretKind::HighEntropy),
        format!(
            "no random-looking secret in {} files read",
            project.scan.files_read
        ),
        "random-looking secret",
    )
}

/// Pass when nothing was found, else fail with the count and the first findings.
fn verdict(mut evidence: Vec<Evidence>, pass: impl Into<String>, what: &str) -> Outcome {
    if evidence.is_empty() {
        return Outcome::pass(pass, vec![]);
    }
    let count = evidence.len();
    evidence.truncate(MAX_EVIDENCE);
    Outcome::fail(
        format!("{count} {what}{} found", if count == 1 { "" } else { "s" }),
        evidence,
    )
}
