//! Dependency rules: a lockfile pins the whole dependency tree, so CI, the Docker build and a
//! reviewer's machine install the same versions.

use crate::check::lang::{Language, is_requirements};
use crate::check::project::{Project, file_name};
use crate::check::rule::{Evidence, Outcome};

pub fn lockfile(project: &Project) -> Outcome {
    if let Some(skip) = super::unjudged(project) {
        return skip;
    }
    let mut evidence = Vec::new();
    let mut missing = Vec::new();
    let mut skipped = Vec::new();
    for lang in project.languages.judged() {
        match lock_of(project, lang) {
            Lock::Found(e) => evidence.push(e),
            Lock::Missing(e) => missing.push((lang, e)),
            Lock::NotApplicable(why) => skipped.push(why),
        }
    }
    if !missing.is_empty() {
        let names: Vec<&str> = missing.iter().map(|(l, _)| l.name()).collect();
        return Outcome::fail(
            format!("no lockfile for {}", names.join(", ")),
            missing.into_iter().map(|(_, e)| e).collect(),
        );
    }
    if evidence.is_empty() {
        return Outcome::skip(skipped.join("; "));
    }
    Outcome::pass("dependencies are locked", evidence)
}

enum Lock {
    Found(Evidence),
    Missing(Evidence),
    NotApplicable(String),
}

fn lock_of(project: &Project, lang: Language) -> Lock {
    let lockfiles: &[&str] = match lang {
        Language::Python => &[
            "uv.lock",
            "poetry.lock",
            "Pipfile.lock",
            "pdm.lock",
            "requirements.lock",
            "pylock.toml",
        ],
        Language::TypeScript => &[
            "package-lock.json",
            "npm-shrinkwrap.json",
            "yarn.lock",
            "pnpm-lock.yaml",
            "bun.lockb",
            "bun.lock",
        ],
        Language::Go => &["go.sum"],
        Language::Java => &["gradle.lockfile"],
        Language::Rust => &["Cargo.lock"],
    };
    if let Some(path) = project.first_named(|n| {
        lockfiles.contains(&n)
            || (lang == Language::Python && n.starts_with("requirements") && n.contains("lock"))
    }) {
        return Lock::Found(Evidence::file(path, "lockfile"));
    }
    let manifest = project
        .languages
        .manifests
        .get(&lang)
        .and_then(|m| m.first())
        .cloned()
        .unwrap_or_default();
    match lang {
        // A requirements file that pins every line with == is a lockfile by another name.
        Language::Python => {
            for path in project.named(is_requirements) {
                if fully_pinned(&project.read(path).unwrap_or_default()) {
                    return Lock::Found(Evidence::file(
                        path,
                        "every requirement is pinned with ==",
                    ));
                }
            }
            Lock::Missing(Evidence::file(
                manifest,
                "no uv.lock, poetry.lock, requirements.lock or fully pinned requirements.txt",
            ))
        }
        Language::Go => {
            let text = project.read(&manifest).unwrap_or_default();
            if text.lines().any(|l| l.trim_start().starts_with("require")) {
                Lock::Missing(Evidence::file(
                    manifest,
                    "go.mod requires modules but go.sum is not tracked",
                ))
            } else {
                Lock::NotApplicable("the Go module has no dependencies".into())
            }
        }
        // Maven and Gradle have no lockfile by default, but resolve exact versions the same way
        // every time; only version ranges and dynamic versions (`1.+`, `latest.release`) float.
        Language::Java => {
            let text = project.read(&manifest).unwrap_or_default();
            let floating = text.lines().position(|l| {
                let l = l.trim();
                if file_name(&manifest) == "pom.xml" {
                    l.starts_with("<version>[") || l.starts_with("<version>(")
                } else {
                    l.contains(".+") || l.contains(":+") || l.contains("latest.")
                }
            });
            match floating {
                Some(i) => Lock::Missing(Evidence::at(
                    manifest,
                    i as u32 + 1,
                    "a floating version; pin it or enable dependency locking",
                )),
                None => Lock::Found(Evidence::file(
                    manifest,
                    "exact versions only (no ranges or dynamic versions)",
                )),
            }
        }
        Language::TypeScript => Lock::Missing(Evidence::file(
            manifest,
            "no package-lock.json, yarn.lock or pnpm-lock.yaml",
        )),
        Language::Rust => Lock::Missing(Evidence::file(
            manifest,
            "Cargo.lock is not tracked; commit it for an application",
        )),
    }
}

fn fully_pinned(text: &str) -> bool {
    let reqs: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with('-'))
        .collect();
    !reqs.is_empty()
        && reqs
            .iter()
            .all(|l| l.contains("==") || l.contains("--hash"))
}
