//! The e2e run: for each selected stack × database, four phases, then a summary table.
//!
//! 1. `validators`: generate pristine trees (GitHub CI, and GitLab CI for `.gitlab-ci.yml`) and
//!    run the third-party validators on them.
//! 2. `setup`: generate the working tree and run the stack's `setup` command.
//! 3. `tests`: the stack's `test` command (`TEST_DATABASE_URL` set to a fresh database for postgres).
//! 4. `contract`: the stack's `run` command on a free port, `/healthz` polled until it answers,
//!    the contract suite, and the whole process group stopped whatever happened.
//! 5. `schemathesis`: a fresh server, property-based tests of its served OpenAPI document with
//!    every check and a valid bearer token (see `schemathesis`).
//! 6. `probes`: servers started on purpose wrongly (production without a strong JWT_SECRET) or
//!    with a low per-IP limit (see `startup`).
//!
//! Everything a stack needs is in its manifest (via `folio list --format json`); there is no
//! per-stack code. Selection and behaviour come from the environment (see `Settings`).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::e2e::contract::{self, Target};
use crate::e2e::http::{Client, Request, free_port};
use crate::e2e::kubernetes;
use crate::e2e::postgres::{self, Database};
use crate::e2e::process::{self, Group, on_path};
use crate::e2e::project::{self, Stack};
use crate::e2e::report::{Report, tail};
use crate::e2e::summary::{Phase, Row, Status};
use crate::e2e::validators;

/// The `JWT_SECRET` every server is started with, so the suite can forge tokens.
pub const JWT_SECRET: &str = "folio-e2e-jwt-secret-0123456789abcdef";
pub const JWT_TTL_SECONDS: i64 = 900;

/// What to run, from the environment.
pub struct Settings {
    /// `FOLIO_E2E_STACKS=python-fastapi,go` (ids, aliases or languages); all when unset.
    pub stacks: Option<Vec<String>>,
    /// `FOLIO_E2E_DBS=sqlite,postgres`; each stack's databases when unset.
    pub dbs: Option<Vec<String>>,
    /// `FOLIO_E2E_PHASES=validators,setup,tests,e2e,contract,schemathesis,probes` (each from
    /// tests on implies setup; `e2e` is the project's own `make e2e`).
    pub phases: Vec<String>,
    /// `FOLIO_E2E_REQUIRE_ALL=1`: a skipped stack (missing toolchain, PostgreSQL or validators)
    /// fails the run instead.
    pub require_all: bool,
    /// `FOLIO_E2E_KEEP=1`: keep generated trees and databases for a look afterwards.
    pub keep: bool,
    /// `FOLIO_E2E_START_TIMEOUT` seconds to wait for `/healthz` (default 180).
    pub start_timeout: Duration,
    /// `FOLIO_E2E_STEP_TIMEOUT` seconds for setup and for tests (default 1800).
    pub step_timeout: Duration,
    /// `FOLIO_E2E_JOBS=none|webhooks`: the `--jobs` of every generated project (each stack's
    /// default when unset); rows are labelled with it.
    pub jobs: Option<String>,
}

fn list_var(name: &str) -> Option<Vec<String>> {
    let value = std::env::var(name).ok()?;
    let items: Vec<String> = value
        .split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect();
    (!items.is_empty()).then_some(items)
}

fn secs_var(name: &str, default: u64) -> Duration {
    Duration::from_secs(
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default),
    )
}

impl Settings {
    pub fn from_env() -> Settings {
        let flag = |n: &str| std::env::var(n).is_ok_and(|v| !v.is_empty() && v != "0");
        Settings {
            stacks: list_var("FOLIO_E2E_STACKS"),
            dbs: list_var("FOLIO_E2E_DBS"),
            phases: list_var("FOLIO_E2E_PHASES").unwrap_or_else(|| {
                [
                    "validators",
                    "setup",
                    "tests",
                    "e2e",
                    "contract",
                    "schemathesis",
                    "probes",
                ]
                .map(String::from)
                .to_vec()
            }),
            require_all: flag("FOLIO_E2E_REQUIRE_ALL"),
            keep: flag("FOLIO_E2E_KEEP"),
            start_timeout: secs_var("FOLIO_E2E_START_TIMEOUT", 180),
            step_timeout: secs_var("FOLIO_E2E_STEP_TIMEOUT", 1800),
            jobs: std::env::var("FOLIO_E2E_JOBS")
                .ok()
                .filter(|v| !v.trim().is_empty()),
        }
    }

    pub fn wants(&self, phase: &str) -> bool {
        self.phases.iter().any(|p| p == phase)
            || (phase == "setup"
                && ["tests", "e2e", "contract", "schemathesis", "probes"]
                    .iter()
                    .any(|p| self.wants(p)))
    }
}

/// The environment every project command gets on top of the harness's own (scrubbed) one.
pub fn base_env() -> Vec<(String, String)> {
    let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
    let target = std::env::var("FOLIO_E2E_CARGO_TARGET_DIR")
        .unwrap_or_else(|_| format!("{home}/.cache/folio-e2e/cargo-target"));
    vec![
        ("CARGO_TARGET_DIR".into(), target),
        ("CI".into(), "true".into()),
    ]
}

/// Where a combination's logs go: `target/tmp/e2e/<stack>-<db>/`.
pub fn log_dir(label: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("e2e")
        .join(label.replace('/', "-"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the e2e log folder");
    dir
}

/// A temporary folder for generated trees, kept with `FOLIO_E2E_KEEP=1`.
pub fn scratch(keep: bool) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::Builder::new()
        .prefix("folio-e2e-")
        .tempdir()
        .expect("create a temporary folder");
    let path = dir.path().to_path_buf();
    if keep {
        println!("e2e: keeping {}", path.display());
    }
    (dir, path)
}

/// Runs the selected combinations, prints the summary, and fails when anything failed.
pub fn run_all() {
    let settings = Settings::from_env();
    let stacks = match project::stacks() {
        Ok(s) => s,
        Err(e) => panic!("e2e: cannot list the stacks: {e}"),
    };
    if let Some(names) = &settings.stacks {
        for name in names {
            assert!(
                stacks.iter().any(|s| s.is_named(name)),
                "e2e: FOLIO_E2E_STACKS names {name:?}, which no stack is (folio list)"
            );
        }
    }
    let selected: Vec<&Stack> = stacks
        .iter()
        .filter(|s| {
            settings
                .stacks
                .as_ref()
                .is_none_or(|n| n.iter().any(|n| s.is_named(n)))
        })
        .collect();
    let mut rows = Vec::new();
    for stack in selected {
        for db in &stack.databases {
            if settings.dbs.as_ref().is_some_and(|d| !d.contains(db)) {
                continue;
            }
            rows.push(run_one(stack, db, &settings));
        }
    }
    assert!(
        !rows.is_empty(),
        "e2e: nothing selected (FOLIO_E2E_STACKS / FOLIO_E2E_DBS)"
    );
    let text = crate::e2e::summary::render(&rows, settings.require_all);
    println!("{text}");
    let failed = rows
        .iter()
        .filter(|r| r.failed(settings.require_all))
        .count();
    assert!(
        failed == 0,
        "e2e: {failed} of {} stack × database combinations failed (summary above)",
        rows.len()
    );
}

/// All the phases for one stack × database.
pub fn run_one(stack: &Stack, db: &str, settings: &Settings) -> Row {
    let label = match &settings.jobs {
        Some(jobs) => format!("{}/{db}/jobs-{jobs}", stack.id),
        None => format!("{}/{db}", stack.id),
    };
    let mut row = Row::new(&label);
    let started = Instant::now();
    let missing: Vec<&String> = stack.requires.iter().filter(|t| !on_path(t)).collect();
    if !missing.is_empty() {
        let names: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
        row.skip_all(format!(
            "missing tools: {} (install them, or pick other stacks with FOLIO_E2E_STACKS)",
            names.join(", ")
        ));
        println!("e2e {label}: SKIPPED: {}", row.skip_reason());
        return row;
    }
    if db == "postgres"
        && let Err(why) = postgres::available()
    {
        row.skip_all(why);
        println!("e2e {label}: SKIPPED: {}", row.skip_reason());
        return row;
    }
    let logs = log_dir(&label);
    let (_scratch, dir) = scratch(settings.keep);
    let mut report = Report::new(&label);

    if settings.wants("validators") {
        println!("e2e {label}: validators ...");
        row.set(
            Phase::Validators,
            phase_validators(stack, db, &dir, &mut report),
        );
    }
    if settings.wants("setup") {
        println!("e2e {label}: generate + setup ...");
        let (status, tree) = phase_setup(stack, db, &dir, &logs, settings, &mut report);
        row.set(Phase::Setup, status);
        if let Some(tree) = tree {
            if settings.wants("tests") {
                println!("e2e {label}: tests ...");
                row.set(
                    Phase::Tests,
                    phase_tests(stack, db, &tree, &logs, settings, &mut report),
                );
            }
            if settings.wants("e2e") {
                println!("e2e {label}: the project's own e2e tests ...");
                row.set(
                    Phase::OwnE2e,
                    phase_own_e2e(stack, db, &tree, &logs, settings, &mut report),
                );
            }
            if settings.wants("contract") {
                println!("e2e {label}: contract ...");
                row.set(
                    Phase::Contract,
                    phase_contract(stack, db, &tree, &logs, settings, &mut report),
                );
            }
            if settings.wants("schemathesis") {
                println!("e2e {label}: schemathesis ...");
                row.set(
                    Phase::Schemathesis,
                    crate::e2e::schemathesis::phase(stack, db, &tree, &logs, settings, &mut report),
                );
            }
            if settings.wants("probes") {
                println!("e2e {label}: probes ...");
                row.set(
                    Phase::Probes,
                    crate::e2e::startup::phase(stack, db, &tree, &logs, settings, &mut report),
                );
            }
        }
    }
    if settings.keep {
        let _ = _scratch.keep();
    }
    row.total = started.elapsed();
    row.report = report;
    println!(
        "e2e {label}: done in {:.0} s ({} failures)",
        row.total.as_secs_f64(),
        row.report.failures.len()
    );
    row
}

pub fn phase_validators(stack: &Stack, db: &str, dir: &Path, report: &mut Report) -> Status {
    let missing = validators::missing_tools();
    if !missing.is_empty() {
        return Status::Skip(format!(
            "validators not installed: {} (run scripts/install-validators)",
            missing.join(", ")
        ));
    }
    let start = Instant::now();
    let before = report.failures.len();
    let required = [
        ".github/workflows/ci.yml",
        ".github/dependabot.yml",
        "Dockerfile",
        "docker-compose.yml",
        "openapi.yaml",
        "monitoring/prometheus/prometheus.yml",
        "deploy/k8s/base/kustomization.yaml",
        ".github/workflows/release.yml",
    ];
    // Both background-jobs variants: `--jobs webhooks` adds the worker (compose, Kubernetes),
    // its alerts and panels; `--jobs none` must stay valid without them.
    for jobs in ["webhooks", "none"] {
        let extra = ["--jobs", jobs];
        let parent = dir.join(format!("pristine-github-{jobs}"));
        match project::generate_with(&stack.id, db, "github", &extra, &parent) {
            Ok(github) => {
                validators::validate(&github, &required, None, report);
                kubernetes::validate(&github, report);
            }
            Err(e) => report.fail(
                format!("validators: generate with --ci github --jobs {jobs}"),
                e,
            ),
        }
    }
    match project::generate_with(
        &stack.id,
        db,
        "gitlab",
        &["--jobs", "webhooks"],
        &dir.join("pristine-gitlab"),
    ) {
        Ok(gitlab) => {
            validators::validate(
                &gitlab,
                &[".gitlab-ci.yml"],
                Some(&[".gitlab-ci.yml"]),
                report,
            );
            // The prod overlay names the GitLab registry here.
            kubernetes::validate(&gitlab, report);
        }
        Err(e) => report.fail("validators: generate with --ci gitlab", e),
    }
    if report.failures.len() == before {
        Status::Ok(start.elapsed())
    } else {
        Status::Fail(start.elapsed())
    }
}

fn phase_setup(
    stack: &Stack,
    db: &str,
    dir: &Path,
    logs: &Path,
    settings: &Settings,
    report: &mut Report,
) -> (Status, Option<PathBuf>) {
    let jobs: Vec<&str> = match &settings.jobs {
        Some(jobs) => vec!["--jobs", jobs],
        None => Vec::new(),
    };
    let tree = match project::generate_with(&stack.id, db, "github", &jobs, &dir.join("work")) {
        Ok(t) => t,
        Err(e) => {
            report.fail("generate", e.clone());
            return (Status::Fail(Duration::ZERO), None);
        }
    };
    let outcome = process::run(
        &stack.commands.setup,
        &tree,
        &base_env(),
        &logs.join("setup.log"),
        settings.step_timeout,
    );
    if outcome.ok {
        (Status::Ok(outcome.elapsed), Some(tree))
    } else {
        report.fail("setup", outcome.describe(&stack.commands.setup));
        (Status::Fail(outcome.elapsed), None)
    }
}

/// A fresh PostgreSQL database `<stack>_<purpose>` for a postgres row, none for sqlite; it is
/// dropped with the value.
pub fn database_for(stack: &Stack, db: &str, purpose: &str) -> Result<Option<Database>, String> {
    if db != "postgres" {
        return Ok(None);
    }
    Database::create(&format!("{}_{purpose}", stack.id)).map(Some)
}

fn phase_tests(
    stack: &Stack,
    db: &str,
    tree: &Path,
    logs: &Path,
    settings: &Settings,
    report: &mut Report,
) -> Status {
    let step = OwnStep {
        name: "tests",
        purpose: "test",
        log: "test.log",
        what: "the project's own tests fail",
    };
    run_own_step(
        &step,
        &stack.commands.test,
        stack,
        db,
        tree,
        logs,
        settings,
        report,
    )
}

/// The project's own end-to-end tests (the manifest's `e2e` command): they start the server
/// themselves on a free port with a fresh database (`TEST_DATABASE_URL` for postgres).
fn phase_own_e2e(
    stack: &Stack,
    db: &str,
    tree: &Path,
    logs: &Path,
    settings: &Settings,
    report: &mut Report,
) -> Status {
    let Some(command) = &stack.commands.e2e else {
        report.fail(
            "e2e: the stack's manifest names no `e2e` command",
            "docs/contract.md asks every project for `make e2e`; add `e2e = \"make e2e\"` to [commands]",
        );
        return Status::Fail(Duration::ZERO);
    };
    let step = OwnStep {
        name: "e2e",
        purpose: "e2e",
        log: "own-e2e.log",
        what: "the project's own end-to-end tests fail",
    };
    run_own_step(&step, command, stack, db, tree, logs, settings, report)
}

/// One of the project's own test commands, as the phases name it.
struct OwnStep {
    /// The phase, for messages.
    name: &'static str,
    /// The fresh database's suffix (`<stack>_<purpose>`).
    purpose: &'static str,
    log: &'static str,
    what: &'static str,
}

/// Runs `command` in the tree with `TEST_DATABASE_URL` at a fresh database for postgres.
#[allow(clippy::too_many_arguments)]
fn run_own_step(
    step: &OwnStep,
    command: &str,
    stack: &Stack,
    db: &str,
    tree: &Path,
    logs: &Path,
    settings: &Settings,
    report: &mut Report,
) -> Status {
    let mut env = base_env();
    let database = match database_for(stack, db, step.purpose) {
        Ok(database) => database,
        Err(e) => {
            report.fail(format!("{}: create the database", step.name), e);
            return Status::Fail(Duration::ZERO);
        }
    };
    if let Some(d) = &database {
        env.push(("TEST_DATABASE_URL".into(), d.url.clone()));
    }
    let outcome = process::run(
        command,
        tree,
        &env,
        &logs.join(step.log),
        settings.step_timeout,
    );
    if outcome.ok {
        Status::Ok(outcome.elapsed)
    } else {
        report.fail(
            format!("{}: {}", step.name, step.what),
            outcome.describe(command),
        );
        Status::Fail(outcome.elapsed)
    }
}

/// Starts the server, runs the contract suite against it, stops it.
pub fn phase_contract(
    stack: &Stack,
    db: &str,
    tree: &Path,
    logs: &Path,
    settings: &Settings,
    report: &mut Report,
) -> Status {
    let start = Instant::now();
    let before = report.failures.len();
    let database = match database_for(stack, db, "app") {
        Ok(database) => database,
        Err(e) => {
            report.fail("contract: create the database", e);
            return Status::Fail(start.elapsed());
        }
    };
    let port = free_port();
    let env = server_env(port, database.as_ref(), &[]);
    let log = logs.join("server.log");
    let mut server = match start_server(stack, tree, &env, &log, settings.start_timeout) {
        Ok(server) => server,
        Err(why) => {
            report.fail("contract: the server did not become healthy", why);
            return Status::Fail(start.elapsed());
        }
    };
    let client = Client::new(([127, 0, 0, 1], port).into());
    let outage = |down: bool| database.as_ref().map_or(Ok(()), |d| d.set_outage(down));
    let committed_openapi = validators::yaml_to_json(&tree.join("openapi.yaml")).ok();
    let target = Target {
        committed_openapi,
        client,
        jwt_secret: JWT_SECRET,
        jwt_ttl_seconds: JWT_TTL_SECONDS,
        log_file: Some(&log),
        outage: if database.is_some() {
            Some(&outage)
        } else {
            None
        },
    };
    contract::run(&target, report);
    if let Some(status) = server.exited() {
        report.fail(
            "contract: the server exited during the checks",
            format!("exit: {status}; see {}", log.display()),
        );
    }
    drop(server);
    let found = report.failures.len() - before;
    if found == 0 {
        Status::Ok(start.elapsed())
    } else {
        Status::Fail(start.elapsed())
    }
}

/// The environment a server is started with: the harness's JWT secret (so the suite can forge
/// tokens), development mode, migrations on start, the database when there is one, and no
/// per-IP limit on register and login (the suite registers many users from 127.0.0.1; the limit
/// is probed on a server of its own). `extra` comes last, so it wins.
pub fn server_env(
    port: u16,
    database: Option<&Database>,
    extra: &[(&str, &str)],
) -> Vec<(String, String)> {
    let mut env = base_env();
    env.extend(
        [
            ("PORT", port.to_string()),
            ("JWT_SECRET", JWT_SECRET.to_string()),
            ("JWT_TTL_SECONDS", JWT_TTL_SECONDS.to_string()),
            ("APP_ENV", "development".to_string()),
            ("MIGRATE_ON_START", "true".to_string()),
            ("LOG_LEVEL", "info".to_string()),
            ("AUTH_RATE_LIMIT_PER_IP", "0".to_string()),
            // Webhooks (projects without the feature ignore these): the suite's receiver listens
            // on 127.0.0.1, and retries must come fast enough to be watched.
            ("WEBHOOK_ALLOW_LOOPBACK", "true".to_string()),
            ("WEBHOOK_BACKOFF_BASE_MS", "200".to_string()),
            ("WEBHOOK_BACKOFF_MAX_MS", "2000".to_string()),
            ("WEBHOOK_TIMEOUT_SECONDS", "3".to_string()),
            ("JOBS_POLL_INTERVAL_MS", "200".to_string()),
        ]
        .map(|(k, v)| (k.to_string(), v)),
    );
    if let Some(d) = database {
        env.push(("DATABASE_URL".into(), d.url.clone()));
    }
    for (k, v) in extra {
        env.retain(|(name, _)| name != k);
        env.push((k.to_string(), v.to_string()));
    }
    // Production refuses to start with the loopback exception (docs/contract.md): the probes of
    // production start-up ask for it explicitly when they want it.
    let production = env
        .iter()
        .any(|(k, v)| k == "APP_ENV" && v.eq_ignore_ascii_case("production"));
    if production && !extra.iter().any(|(k, _)| *k == "WEBHOOK_ALLOW_LOOPBACK") {
        env.retain(|(k, _)| k != "WEBHOOK_ALLOW_LOOPBACK");
    }
    env
}

/// Spawns the stack's `run` command with `env`, output appended to `log`.
pub fn spawn_server(
    stack: &Stack,
    tree: &Path,
    env: &[(String, String)],
    log: &Path,
) -> Result<Group, String> {
    let cmd = process::command(&stack.commands.run, tree, env, log)
        .map_err(|e| format!("open the server log {}: {e}", log.display()))?;
    Group::spawn(cmd).map_err(|e| format!("start `{}`: {e}", stack.commands.run))
}

/// Spawns the server and waits until `/healthz` answers 200; on failure the message holds the
/// end of the server's log.
pub fn start_server(
    stack: &Stack,
    tree: &Path,
    env: &[(String, String)],
    log: &Path,
    timeout: Duration,
) -> Result<Group, String> {
    let mut server = spawn_server(stack, tree, env, log)?;
    let port: u16 = env
        .iter()
        .rev()
        .find(|(k, _)| k == "PORT")
        .and_then(|(_, v)| v.parse().ok())
        .ok_or("no PORT in the server's environment")?;
    let client = Client::new(([127, 0, 0, 1], port).into());
    wait_healthy(&client, &mut server, timeout).map_err(|why| {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        format!(
            "`{}` with PORT={port}: {why}\nlast lines of {}:\n{}",
            stack.commands.run,
            log.display(),
            tail(&text, 40)
        )
    })?;
    Ok(server)
}

/// Polls `/healthz` until it is 200; fails fast when the server process exits.
pub fn wait_healthy(client: &Client, server: &mut Group, timeout: Duration) -> Result<(), String> {
    let start = Instant::now();
    let quick = client.with_timeout(Duration::from_secs(5));
    let mut last;
    loop {
        if let Some(status) = server.exited() {
            return Err(format!(
                "the server process exited ({status}) before /healthz answered"
            ));
        }
        match quick.send(&Request::get("/healthz")) {
            Ok(resp) if resp.status == 200 => return Ok(()),
            Ok(resp) => last = format!("last answer: {resp}"),
            Err(e) => last = e,
        }
        if start.elapsed() > timeout {
            return Err(format!(
                "/healthz not 200 after {} s ({last})",
                timeout.as_secs()
            ));
        }
        std::thread::sleep(Duration::from_millis(300));
    }
}
