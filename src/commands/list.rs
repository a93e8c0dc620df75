//! `folio list`: the stacks, the options of `folio new`, and what every project holds.
//!
//! The JSON form is for scripts (the e2e harness reads each stack's commands from it), so its
//! shape is stable: `folio_version`, `stacks[]` with id, language, aliases, summary, databases, jobs,
//! commands and requires, `options` and `checklist`.

use serde::Serialize;

use crate::cli::{ListArgs, ListFormat};
use crate::context::Context;
use crate::error::{Error, ExitStatus, Result};
use crate::template::manifest::Commands;
use crate::template::registry::registry;

/// What every generated project holds, by area (DESIGN section 3).
pub const CHECKLIST: &[(&str, &str)] = &[
    (
        "api",
        "REST API under /api/v1, OpenAPI 3 in openapi.yaml, served at /openapi.json",
    ),
    (
        "database",
        "migrations, indexes, DATABASE_URL; SQLite by default, PostgreSQL on request",
    ),
    (
        "auth",
        "register/login, argon2 hashes, short-lived JWT, owner-only tasks, rate-limited login",
    ),
    (
        "tests",
        "unit and integration tests that pass out of the box",
    ),
    (
        "ci",
        "GitHub Actions (lint, test, image build) and Dependabot, or GitLab CI",
    ),
    (
        "deploy",
        "multi-stage non-root Dockerfile with HEALTHCHECK, docker-compose.yml",
    ),
    (
        "monitoring",
        "/metrics, Prometheus config and alerts, Grafana dashboard, JSON logs, /healthz, /readyz",
    ),
    (
        "docs",
        "README, ADR, LICENSE, .editorconfig, .gitignore, .env.example",
    ),
    (
        "commands",
        "make setup | test | run | lint | fmt | migrate | docker-build",
    ),
    (
        "provenance",
        ".folio.toml, and a git repository on main with one commit",
    ),
];

#[derive(Serialize)]
struct ListJson<'a> {
    folio_version: &'a str,
    stacks: Vec<StackJson<'a>>,
    options: Vec<OptionJson<'a>>,
    checklist: Vec<ChecklistJson<'a>>,
}

#[derive(Serialize)]
struct StackJson<'a> {
    id: &'a str,
    language: &'a str,
    default_for_language: bool,
    aliases: &'a [String],
    summary: &'a str,
    databases: &'a [crate::answers::Db],
    /// `--jobs` choices, the default first.
    jobs: &'a [crate::answers::Jobs],
    commands: &'a Commands,
    /// The programs every project of the stack needs on PATH (read by tests/e2e).
    requires: Vec<String>,
    /// Every required tool with its minimum version, install hint and database condition.
    requirements: &'a [crate::template::manifest::Tool],
}

#[derive(Serialize)]
struct OptionJson<'a> {
    flag: &'a str,
    values: &'a [&'a str],
    default: &'a str,
}

#[derive(Serialize)]
struct ChecklistJson<'a> {
    area: &'a str,
    what: &'a str,
}

const OPTIONS: &[(&str, &[&str], &str)] = &[
    ("--db", &["sqlite", "postgres"], "sqlite"),
    ("--ci", &["github", "gitlab", "none"], "github"),
    ("--jobs", &["webhooks", "none"], "webhooks"),
    ("--license", &["mit", "apache-2.0", "bsd-3-clause"], "mit"),
    ("--vcs", &["git", "none"], "git"),
];

pub fn run(args: ListArgs, ctx: &Context) -> Result<ExitStatus> {
    let registry = registry()?;
    if let Some(spec) = &args.template {
        return list_pack(spec, args.format, registry, ctx);
    }
    let text = match args.format {
        ListFormat::Json => {
            let list = ListJson {
                folio_version: crate::version::VERSION,
                stacks: registry
                    .stacks
                    .iter()
                    .map(|s| StackJson {
                        id: &s.manifest.id,
                        language: &s.manifest.language,
                        default_for_language: s.manifest.default_for_language,
                        aliases: &s.manifest.aliases,
                        summary: &s.manifest.summary,
                        databases: &s.manifest.databases,
                        jobs: &s.manifest.jobs,
                        commands: &s.manifest.commands,
                        requires: s.manifest.requires.programs(),
                        requirements: &s.manifest.requires.tools,
                    })
                    .collect(),
                options: OPTIONS
                    .iter()
                    .map(|(flag, values, default)| OptionJson {
                        flag,
                        values,
                        default,
                    })
                    .collect(),
                checklist: CHECKLIST
                    .iter()
                    .map(|(area, what)| ChecklistJson { area, what })
                    .collect(),
            };
            serde_json::to_string_pretty(&list).map_err(|e| Error::Template {
                template: "list".into(),
                message: e.to_string(),
            })?
        }
        ListFormat::Text => {
            let mut out = String::from(
                "Stacks (folio new NAME --stack ID, or the language for its default):\n",
            );
            for s in &registry.stacks {
                let m = &s.manifest;
                let mut names = vec![m.language.clone()];
                names.extend(m.aliases.iter().cloned());
                let selected_by = if m.default_for_language {
                    names.join(", ")
                } else {
                    m.aliases.join(", ")
                };
                out.push_str(&format!(
                    "  {:<20} {}\n  {:<20} also: {}; databases: {}; jobs: {}\n",
                    m.id,
                    m.summary,
                    "",
                    selected_by,
                    m.databases
                        .iter()
                        .map(|d| d.id())
                        .collect::<Vec<_>>()
                        .join(", "),
                    m.jobs.iter().map(|j| j.id()).collect::<Vec<_>>().join(", ")
                ));
            }
            out.push_str("\nOptions of folio new:\n");
            for (flag, values, default) in OPTIONS {
                out.push_str(&format!(
                    "  {flag:<10} {:<32} default: {default}\n",
                    values.join(" | ")
                ));
            }
            out.push_str("\nEvery project holds:\n");
            for (area, what) in CHECKLIST {
                out.push_str(&format!("  {area:<11} {what}\n"));
            }
            out.trim_end().to_string()
        }
    };
    ctx.printer.out(&text)?;
    Ok(ExitStatus::Success)
}

/// `folio list --template PACK`: what a pack adds and asks.
fn list_pack(
    spec: &str,
    format: ListFormat,
    registry: &'static crate::template::registry::Registry,
    ctx: &Context,
) -> Result<ExitStatus> {
    let pack = crate::pack::load(spec, &ctx.cwd)?;
    let prepared = crate::pack::render::prepare(&pack, registry)?;
    let stack = prepared.stack();
    let m = &pack.manifest;
    let text = match format {
        ListFormat::Json => {
            let json = serde_json::json!({
                "id": m.id,
                "version": m.version,
                "description": m.description,
                "folio": m.folio,
                "extends": m.extends,
                "stack": stack.manifest.id,
                "databases": stack.manifest.databases.iter().map(|d| d.id()).collect::<Vec<_>>(),
                "variables": m.variables,
                "files": pack.files.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(),
                "remove": m.remove,
                "sha256": pack.sha256,
            });
            serde_json::to_string_pretty(&json).map_err(|e| Error::Template {
                template: "list".into(),
                message: e.to_string(),
            })?
        }
        ListFormat::Text => {
            let mut out = format!(
                "{} {}: {}\n  stack: {}{}\n  databases: {}\n",
                m.id,
                m.version,
                m.description,
                stack.manifest.id,
                if m.extends.is_some() {
                    " (extended)"
                } else {
                    " (the pack's own)"
                },
                stack
                    .manifest
                    .databases
                    .iter()
                    .map(|d| d.id())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            if !m.variables.is_empty() {
                out.push_str("  variables (--var NAME=VALUE):\n");
                for v in &m.variables {
                    let default = v
                        .default
                        .as_ref()
                        .map(|d| format!(" [default: {d}]"))
                        .unwrap_or_default();
                    let choices = if v.choices.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", v.choices.join(", "))
                    };
                    let kind = match v.kind {
                        crate::pack::manifest::VariableKind::String => "string",
                        crate::pack::manifest::VariableKind::Bool => "bool",
                        crate::pack::manifest::VariableKind::Choice => "choice",
                        crate::pack::manifest::VariableKind::Integer => "integer",
                    };
                    out.push_str(&format!(
                        "    {:<16} {kind}{choices}: {}{default}\n",
                        v.name, v.prompt
                    ));
                }
            }
            out.push_str(&format!(
                "  files: {} (+{} removed)",
                pack.files.len(),
                m.remove.len()
            ));
            out
        }
    };
    ctx.printer.out(&text)?;
    Ok(ExitStatus::Success)
}
