//! `folio pack init|lint|test`: author and test a template pack.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::cli::{PackArgs, PackCommand, PackInitArgs, PackLintArgs, PackTestArgs};
use crate::context::Context;
use crate::error::{Error, ExitStatus, Result};
use crate::pack::{self, lint};
use crate::project::generate::{self, GitPolicy, Options};
use crate::template::registry::registry;

pub fn run(args: PackArgs, ctx: &Context) -> Result<ExitStatus> {
    match args.command {
        PackCommand::Init(args) => init(args, ctx),
        PackCommand::Lint(args) => lint_pack(args, ctx),
        PackCommand::Test(args) => test_pack(args, ctx),
    }
}

fn init(args: PackInitArgs, ctx: &Context) -> Result<ExitStatus> {
    let dir = ctx.cwd.join(&args.dir);
    if dir.exists()
        && std::fs::read_dir(&dir)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        return Err(Error::TargetNotEmpty { path: dir });
    }
    let builtin = registry()?;
    let stack = builtin.find(&args.extends)?;
    let id = pack_id(&dir);
    let files = [
        (
            "folio-pack.toml".to_string(),
            init_manifest(&id, &stack.manifest.id),
        ),
        (
            "files/ASSIGNMENT.md.hbs".to_string(),
            INIT_ASSIGNMENT.to_string(),
        ),
        ("README.md".to_string(), INIT_README.replace("PACK_ID", &id)),
    ];
    for (path, text) in &files {
        let file = dir.join(path);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io("create", parent, e))?;
        }
        std::fs::write(&file, text).map_err(|e| Error::io("write", &file, e))?;
    }
    ctx.printer.status(
        "Created",
        &format!(
            "the pack {id} (extends {}) in {}",
            stack.manifest.id,
            args.dir.display()
        ),
    );
    ctx.printer.note(&format!(
        "\nNext steps:\n  folio pack lint {0}\n  folio pack test {0}\n  folio new my-project --template {0}",
        args.dir.display()
    ));
    Ok(ExitStatus::Success)
}

/// A pack id from a folder name: lower-case, `-` for anything else.
fn pack_id(dir: &Path) -> String {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let slug = crate::template::helpers::slug(&name);
    if slug.chars().next().is_some_and(|c| c.is_ascii_lowercase()) {
        slug
    } else {
        format!("pack-{slug}").trim_end_matches('-').to_string()
    }
}

fn init_manifest(id: &str, stack: &str) -> String {
    format!(
        r#"# A folio template pack: data only, nothing in it runs while generating.
# See docs/packs.md in folio's repository for every key.
id = "{id}"
description = "An assignment on top of folio's {stack} stack"
version = "0.1.0"
folio = ">={major}.{minor}"
extends = "{stack}"

# Output paths of the stack to leave out, e.g. remove = ["docs/LEARNING.md"].
remove = []

[[variables]]
name = "cohort"
type = "string"
prompt = "Which cohort is this for?"
default = "2026-spring"
pattern = "[0-9]{{4}}-[a-z]+"
"#,
        major = env!("CARGO_PKG_VERSION_MAJOR"),
        minor = env!("CARGO_PKG_VERSION_MINOR"),
    )
}

const INIT_ASSIGNMENT: &str = "# Assignment for {{name}} ({{pack.cohort}})\n\n\
Welcome{{#if student}}, {{student}}{{/if}}! This file comes from your course's template pack.\n\n\
## Tasks\n\n- [ ] TODO: describe the first task.\n- [ ] TODO: describe how it is graded.\n";

const INIT_README: &str = "# PACK_ID: a folio template pack\n\n\
This folder is a template pack for folio: `folio new NAME --template PATH` generates the stack\n\
named in `folio-pack.toml` with the files of `files/` on top (added or replaced by output path).\n\n\
- `folio-pack.toml`: id, version, the stack it extends, variables (`{{pack.NAME}}` in templates).\n\
- `files/`: the overlay. A `.hbs` file is rendered with Handlebars (strict: an unknown variable\n  is an error); any other file is copied as it is. Paths may use `{{snake name}}` and friends.\n\
- `partials/NAME.hbs` (optional): partials for `{{> NAME}}`.\n\n\
Check it with `folio pack lint .` (every combination renders and parses) and `folio pack test .`\n\
(each combination generated and audited by `folio check`; `--run` also runs its tests).\n\
Release a new version by raising `version`; students get it with `folio update --template PACK`.\n\
This README is for pack authors and is not copied into projects.\n";

fn lint_pack(args: PackLintArgs, ctx: &Context) -> Result<ExitStatus> {
    let pack = pack::load(&args.pack, &ctx.cwd)?;
    let builtin = registry()?;
    let prepared = pack::render::prepare(&pack, builtin)?;
    let (combinations, truncated) = lint::combinations(&pack, &prepared);
    let mut problems = Vec::new();
    for combination in &combinations {
        match lint::render_one(&pack, &prepared, combination) {
            Ok(tree) => {
                for problem in lint::parse_problems(&tree) {
                    problems.push(format!("[{}] {problem}", combination.label()));
                }
            }
            Err(e) => problems.push(format!("[{}] {e}", combination.label())),
        }
    }
    problems.dedup();
    if truncated {
        ctx.printer.warn(&format!(
            "the pack has more than {} combinations; the first {} were rendered",
            lint::MAX_COMBINATIONS,
            lint::MAX_COMBINATIONS
        ));
    }
    if problems.is_empty() {
        ctx.printer.status(
            "Linted",
            &format!(
                "{} {}: {} combinations render and parse",
                pack.manifest.id,
                pack.manifest.version,
                combinations.len()
            ),
        );
        return Ok(ExitStatus::Success);
    }
    for problem in &problems {
        ctx.printer.out(problem)?;
    }
    Err(Error::PackLint {
        pack: pack.manifest.id.clone(),
        problems: problems.len(),
    })
}

/// How long a pack's own setup or test command may run in `pack test --run`.
const STEP_TIMEOUT: Duration = Duration::from_secs(1800);

fn test_pack(args: PackTestArgs, ctx: &Context) -> Result<ExitStatus> {
    let pack = pack::load(&args.pack, &ctx.cwd)?;
    let builtin = registry()?;
    let prepared = pack::render::prepare(&pack, builtin)?;
    let (combinations, _) = lint::combinations(&pack, &prepared);
    let stack = prepared.stack();
    let work = tempfile::Builder::new()
        .prefix("folio-pack-test-")
        .tempdir()
        .map_err(|e| Error::io("make a temporary folder in", std::env::temp_dir(), e))?;
    let me = std::env::current_exe().map_err(|e| Error::io("find", "the folio binary", e))?;
    let mut rows = Vec::new();
    let mut failed = false;
    for (i, combination) in combinations.iter().enumerate() {
        let dir = work
            .path()
            .join(format!("c{i:03}"))
            .join(combination.answers.name.as_str());
        let tree = lint::render_one(&pack, &prepared, combination)?;
        let options = Options {
            force: false,
            git: GitPolicy::Always,
            identity: None,
            remote: None,
        };
        generate::write_as(
            &tree,
            &pack.manifest.id,
            &pack.manifest.version,
            &dir,
            &options,
        )?;
        // A project generated without CI cannot pass the CI rules; that is the choice, not the pack.
        let ignore: &[&str] = if combination.answers.ci == crate::answers::Ci::None {
            &["ci"]
        } else {
            &[]
        };
        let score = check_score(&me, &dir, ignore);
        // The project's own tests do not depend on the CI files: run them once per variable set.
        let run = args.run
            && combination.answers.db == stack.default_db()
            && combination.answers.ci == crate::answers::Ci::Github;
        let (setup, test) = if run {
            let setup = run_step(&stack.manifest.commands.setup, &dir);
            let test = if setup.0 {
                run_step(&stack.manifest.commands.test, &dir)
            } else {
                (false, "not run".into())
            };
            (Some(setup), Some(test))
        } else {
            (None, None)
        };
        let ok = score.as_ref().is_ok_and(|(_, passed)| *passed)
            && setup.as_ref().is_none_or(|s| s.0)
            && test.as_ref().is_none_or(|t| t.0);
        failed |= !ok;
        let row = format!(
            "{:<4} {:<52} check {:<12} {}",
            if ok { "ok" } else { "FAIL" },
            combination.label(),
            match &score {
                Ok((score, passed)) =>
                    format!("{score}/100{}", if *passed { "" } else { " failed" }),
                Err(e) => format!("error: {e}"),
            },
            match (&setup, &test) {
                (Some(s), Some(t)) => format!("setup {} test {}", s.1, t.1),
                _ => String::new(),
            }
        );
        ctx.printer.out(row.trim_end())?;
        rows.push(row);
    }
    if failed {
        let kept = work.keep();
        ctx.printer.note(&format!(
            "The projects and their logs are kept in {}.",
            kept.display()
        ));
        Ok(ExitStatus::CheckFailed)
    } else {
        ctx.printer.status(
            "Tested",
            &format!(
                "{} combinations of {} {}",
                rows.len(),
                pack.manifest.id,
                pack.manifest.version
            ),
        );
        Ok(ExitStatus::Success)
    }
}

/// `folio check DIR --format json`'s score and verdict, through this same folio binary.
fn check_score(me: &Path, dir: &Path, ignore: &[&str]) -> std::result::Result<(u64, bool), String> {
    let mut command = Command::new(me);
    command.args(["check", "--format", "json"]).arg(dir);
    for area in ignore {
        command.args(["--ignore", area]);
    }
    let out = command
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| e.to_string())?;
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .map_err(|_| crate::answers::one_line(&String::from_utf8_lossy(&out.stderr), 200))?;
    let score = json["score"].as_u64().ok_or("no score in the report")?;
    Ok((score, out.status.success()))
}

/// Runs a manifest command in its own process group; on timeout the whole group is killed.
fn run_step(script: &str, dir: &PathBuf) -> (bool, String) {
    use std::os::unix::process::CommandExt;
    let log = dir.join(".folio-pack-test.log");
    let Ok(file) = std::fs::File::create(&log) else {
        return (false, "no log".into());
    };
    let Ok(err) = file.try_clone() else {
        return (false, "no log".into());
    };
    let start = Instant::now();
    let mut child = match Command::new("sh")
        .args(["-c", script])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(file)
        .stderr(err)
        .process_group(0)
        .spawn()
    {
        Ok(child) => child,
        Err(e) => return (false, format!("could not start: {e}")),
    };
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                let secs = start.elapsed().as_secs();
                return if status.success() {
                    (true, format!("ok ({secs} s)"))
                } else {
                    (false, format!("failed ({status}; log {})", log.display()))
                };
            }
            Ok(None) if start.elapsed() > STEP_TIMEOUT => {
                let _ = Command::new("kill")
                    .arg("-KILL")
                    .arg(format!("-{}", child.id()))
                    .status();
                let _ = child.wait();
                return (false, "timed out".into());
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(100)),
            Err(e) => return (false, e.to_string()),
        }
    }
}
