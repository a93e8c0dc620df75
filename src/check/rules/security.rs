//! Security rules: nothing secret is tracked: no `.env`, no private keys, no cloud or service
//! keys, no random-looking values assigned to secret-sounding names.

use crate::check::project::{Project, file_name};
use crate::check::rule::{Evidence, Outcome};
use crate::check::scan::{HitKind, is_test_or_fixture};
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
        || ["example", "sample", "template"]
            .iter()
            .any(|w| name.starts_with(w) || name.contains(&format!(".{w}.")))
}

/// `.env`, `.env.local`, `.env.production`, `prod.env`, direnv's `.envrc`: files that hold a
/// machine's settings and secrets.
fn is_env_file(name: &str) -> bool {
    (name == ".env" || name.starts_with(".env.") || name.ends_with(".env") || name == ".envrc")
        && !is_env_template(name)
}

pub fn no_committed_env(project: &Project) -> Outcome {
    let (notes, found): (Vec<&str>, Vec<&str>) = project
        .paths()
        .filter(|p| is_env_file(file_name(p)))
        .partition(|p| is_test_or_fixture(p));
    verdict(
        found
            .iter()
            .map(|p| Evidence::file(*p, "environment file with local settings and secrets"))
            .collect(),
        notes
            .iter()
            .map(|p| {
                Evidence::file(
                    *p,
                    "environment file of a test fixture (a note, not a failure)",
                )
            })
            .collect(),
        "no .env file is tracked",
        "tracked .env file",
    )
}

/// Findings of `kind`: outside test fixtures (failures), and inside them (notes).
fn secret_hits(project: &Project, kind: SecretKind) -> (Vec<Evidence>, Vec<Evidence>) {
    let mut found = Vec::new();
    let mut notes = Vec::new();
    for h in project.scan.of(HitKind::Secret(kind)) {
        if h.fixture {
            notes.push(Evidence::at(
                &h.path,
                h.line,
                format!("{} (in a test fixture: a note, not a failure)", h.note),
            ));
        } else {
            found.push(Evidence::at(&h.path, h.line, h.note.clone()));
        }
    }
    (found, notes)
}

pub fn no_private_keys(project: &Project) -> Outcome {
    let (mut evidence, notes) = secret_hits(project, SecretKind::PrivateKey);
    for path in project.paths().filter(|p| !is_test_or_fixture(p)) {
        let name = file_name(path);
        let key_file = matches!(name, "id_rsa" | "id_dsa" | "id_ecdsa" | "id_ed25519")
            || name.ends_with(".p12")
            || name.ends_with(".pfx");
        if key_file {
            evidence.push(Evidence::file(path, "private key file"));
        }
    }
    verdict(evidence, notes, "no private key is tracked", "private key")
}

pub fn no_cloud_keys(project: &Project) -> Outcome {
    let (found, notes) = secret_hits(project, SecretKind::CloudKey);
    verdict(
        found,
        notes,
        format!(
            "no cloud or service key in {} files read",
            project.scan.files_read
        ),
        "access key",
    )
}

pub fn no_high_entropy_secrets(project: &Project) -> Outcome {
    let (found, notes) = secret_hits(project, SecretKind::HighEntropy);
    verdict(
        found,
        notes,
        format!(
            "no random-looking secret in {} files read",
            project.scan.files_read
        ),
        "random-looking secret",
    )
}

/// Pass when nothing was found outside test fixtures (fixture findings ride along as notes),
/// else fail with the count and the first findings.
fn verdict(
    mut evidence: Vec<Evidence>,
    mut notes: Vec<Evidence>,
    pass: impl Into<String>,
    what: &str,
) -> Outcome {
    if evidence.is_empty() {
        let mut message = pass.into();
        if !notes.is_empty() {
            message.push_str(&format!(
                " ({} in test fixtures, reported as notes)",
                notes.len()
            ));
        }
        notes.truncate(MAX_EVIDENCE);
        return Outcome::pass(message, notes);
    }
    let count = evidence.len();
    evidence.truncate(MAX_EVIDENCE);
    Outcome::fail(
        format!("{count} {what}{} found", if count == 1 { "" } else { "s" }),
        evidence,
    )
}
