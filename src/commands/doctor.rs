//! `folio doctor [--stack S] [--db D] [--format json]`: which toolchains this machine has for each
//! stack, from the tools the manifests name ([`crate::doctor`] probes them), and git's identity.
//!
//! Exit 0 when the chosen stack can run (without --stack: when at least one can), 1 when not: the
//! same "it found problems" code as `folio check`, so a script can gate on it. A missing git
//! identity is a warning, not a failure: folio commits without one, but says so.

use serde::Serialize;

use crate::answers::Db;
use crate::cli::{DoctorArgs, ListFormat};
use crate::context::Context;
use crate::doctor::{Probe, Prober, Status};
use crate::error::{Error, ExitStatus, Result};
use crate::template::registry::{Stack, registry};

#[derive(Serialize)]
struct Report {
    folio_version: &'static str,
    db: Db,
    /// Whether the chosen stack (or at least one, without --stack) can run.
    ready: bool,
    stacks: Vec<StackReport>,
    git: GitIdentity,
}

#[derive(Serialize)]
struct StackReport {
    id: String,
    language: String,
    /// Every required tool is there at a version the manifest accepts.
    ready: bool,
    tools: Vec<Probe>,
}

/// git's `user.name` and `user.email`, which every first commit and LICENSE take.
#[derive(Serialize)]
pub struct GitIdentity {
    pub name: Option<String>,
    pub email: Option<String>,
}

impl GitIdentity {
    pub fn configured() -> GitIdentity {
        GitIdentity {
            name: crate::git::configured_user_name(),
            email: crate::git::configured_user_email(),
        }
    }

    pub fn is_complete(&self) -> bool {
        self.name.is_some() && self.email.is_some()
    }

    /// What is missing, and the commands that set it.
    pub fn advice(&self) -> Option<String> {
        let mut missing = Vec::new();
        let mut fix = Vec::new();
        if self.name.is_none() {
            missing.push("user.name");
            fix.push("git config --global user.name \"Your Name\"");
        }
        if self.email.is_none() {
            missing.push("user.email");
            fix.push("git config --global user.email you@example.org");
        }
        (!missing.is_empty()).then(|| {
            format!(
                "git has no {} configured, so a first commit would be authored `folio <folio@localhost>` unless you pass --author \"Name <email>\"; set it once with `{}`",
                missing.join(" or "),
                fix.join("` and `")
            )
        })
    }
}

pub fn run(args: DoctorArgs, ctx: &Context) -> Result<ExitStatus> {
    let registry = registry()?;
    let chosen: Vec<&Stack> = match &args.stack {
        Some(name) => vec![registry.find(name)?],
        None => registry.stacks.iter().collect(),
    };
    let db = args.db.unwrap_or(Db::Sqlite);
    if let [stack] = chosen.as_slice()
        && !stack.supports(db)
    {
        return Err(Error::UnsupportedDatabase {
            stack: stack.manifest.id.clone(),
            db: db.id().into(),
            supported: stack
                .manifest
                .databases
                .iter()
                .map(|d| d.id().to_string())
                .collect(),
        });
    }
    let mut prober = Prober::default();
    let stacks: Vec<StackReport> = chosen
        .iter()
        .map(|stack| {
            let tools: Vec<Probe> = stack
                .manifest
                .requires
                .tools
                .iter()
                .map(|tool| prober.probe(tool, db))
                .collect();
            StackReport {
                id: stack.manifest.id.clone(),
                language: stack.manifest.language.clone(),
                ready: tools.iter().all(|p| !p.required || p.is_ok()),
                tools,
            }
        })
        .collect();
    let report = Report {
        folio_version: crate::version::VERSION,
        db,
        ready: stacks.iter().any(|s| s.ready),
        stacks,
        git: GitIdentity::configured(),
    };
    match args.format {
        ListFormat::Json => {
            let text = serde_json::to_string_pretty(&report).map_err(|e| Error::Template {
                template: "doctor".into(),
                message: e.to_string(),
            })?;
            ctx.printer.out(&text)?;
        }
        ListFormat::Text => print_text(&report, ctx)?,
    }
    Ok(if report.ready {
        ExitStatus::Success
    } else {
        ExitStatus::CheckFailed
    })
}

fn print_text(report: &Report, ctx: &Context) -> Result<()> {
    let out = |line: String| ctx.printer.out(&line);
    for stack in &report.stacks {
        out(format!(
            "{} ({}): {}",
            stack.id,
            stack.language,
            if stack.ready { "ready" } else { "NOT ready" }
        ))?;
        for probe in &stack.tools {
            let wanted = match &probe.min {
                Some(min) => format!("{} {min}+", probe.name),
                None => probe.name.clone(),
            };
            let label = match (&probe.status, probe.required) {
                (Status::Ok, _) => "ok",
                (_, true) => "MISSING",
                (_, false) => "optional",
            };
            let found = match (&probe.status, &probe.found, &probe.path) {
                (Status::Missing, _, _) => format!("`{}` is not on PATH", probe.program),
                (Status::TooOld, Some(v), _) => format!("{v} is too old"),
                (Status::NotWorking, _, _) => format!(
                    "`{}` {}",
                    probe.program,
                    probe.problem.as_deref().unwrap_or("does not work")
                ),
                (_, Some(v), Some(path)) => format!("{v} ({})", path.display()),
                (_, _, Some(path)) => path.display().to_string(),
                _ => String::new(),
            };
            out(format!("  {label:<9}{wanted:<24} {found}"))?;
            if !probe.is_ok() {
                if let Some(purpose) = &probe.purpose {
                    let when = if probe.required {
                        format!("needed with --db {}", report.db.id())
                    } else {
                        "needed with --db postgres".into()
                    };
                    out(format!("           {when}: {purpose}"))?;
                }
                out(format!("           install: {}", probe.install))?;
            }
        }
        out(String::new())?;
    }
    let git = &report.git;
    match (&git.name, &git.email, git.advice()) {
        (Some(name), Some(email), _) => out(format!("git identity: {name} <{email}>"))?,
        (_, _, Some(advice)) => {
            out("git identity: not configured".into())?;
            out(format!("  {advice}"))?;
        }
        _ => {}
    }
    let ready: Vec<&str> = report
        .stacks
        .iter()
        .filter(|s| s.ready)
        .map(|s| s.id.as_str())
        .collect();
    out(String::new())?;
    if ready.is_empty() {
        out(format!(
            "No stack can run here with --db {}: install what is marked MISSING above.",
            report.db.id()
        ))
    } else if report.stacks.len() == 1 {
        out(format!(
            "Ready: `folio new NAME --stack {} --db {}` will set up, test and run here.",
            ready[0],
            report.db.id()
        ))
    } else {
        out(format!(
            "Ready here (with --db {}): {}.",
            report.db.id(),
            ready.join(", ")
        ))
    }
}
