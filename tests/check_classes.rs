//! `folio check` on small hand-made repositories, one test per class of wrong verdict that
//! issue 17 found on real repositories. Each test holds the case that used to be judged wrong
//! (and now is right) beside its look-alike that must still be judged the other way, e.g.
//! `bash scripts/test.sh` runs the tests but `mvn package -DskipTests` does not.

use std::path::{Path, PathBuf};
use std::process::Output;

use git2::{IndexAddOption, Repository, Signature};
use serde_json::Value;

use crate::support::{Sandbox, stderr, stdout};

/// A small Python service that passes the language rules, to which each test adds its case.
const BASE: &[(&str, &str)] = &[
    (
        "pyproject.toml",
        "[project]\nname = \"svc\"\nversion = \"0.1.0\"\ndependencies = [\"fastapi\"]\n[dependency-groups]\ndev = [\"pytest\"]\n",
    ),
    ("app.py", "from fastapi import FastAPI\napp = FastAPI()\n"),
    (
        "tests/test_app.py",
        "def test_ok():\n    assert 1 + 1 == 2\n",
    ),
];

/// Creates repository `name` with `files` (on top of [`BASE`] when `base`), one commit.
pub fn repo(sandbox: &Sandbox, name: &str, base: bool, files: &[(&str, &str)]) -> PathBuf {
    let dir = sandbox.work().join(name);
    Repository::init(&dir).unwrap();
    let all = if base { BASE } else { &[][..] };
    for (path, text) in all.iter().chain(files) {
        write(&dir, path, text);
    }
    commit(&dir, &format!("Start the {name} service"));
    dir
}

pub fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// `git add -A` and commit.
pub fn commit(dir: &Path, message: &str) {
    let repo = Repository::open(dir).unwrap();
    let mut index = repo.index().unwrap();
    index.add_all(["."], IndexAddOption::DEFAULT, None).unwrap();
    index.update_all(["."], None).unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = Signature::now("Test", "test@example.org").unwrap();
    let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    let parents: Vec<_> = parent.iter().collect();
    repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)
        .unwrap();
}

pub fn run(sandbox: &Sandbox, dir: &Path, args: &[&str]) -> Output {
    let mut all = vec!["check", dir.to_str().unwrap()];
    all.extend_from_slice(args);
    sandbox.folio(&all).output().unwrap()
}

pub fn report(sandbox: &Sandbox, dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let out = run(sandbox, dir, &all);
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", stdout(&out), stderr(&out)))
}

pub fn rule<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no rule {id}"))
}

/// The status of `id` in a fresh repository of `files`.
fn status(files: &[(&str, &str)], base: bool, id: &str) -> (String, Value) {
    let sandbox = Sandbox::new();
    let dir = repo(&sandbox, "svc", base, files);
    let r = report(&sandbox, &dir, &[]);
    let found = rule(&r, id).clone();
    (found["status"].as_str().unwrap().to_string(), found)
}

fn assert_status(case: &str, files: &[(&str, &str)], id: &str, expected: &str) {
    let (got, found) = status(files, true, id);
    assert_eq!(got, expected, "{case}: {id} {found:#}");
}

const WORKFLOW: &str = ".github/workflows/ci.yml";

fn workflow(steps: &str) -> String {
    format!(
        "name: CI\non: [push]\njobs:\n  test:\n    name: test\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n{steps}"
    )
}

#[test]
fn class_1_ci_runs_the_tests_through_scripts_targets_and_other_ci_systems() {
    let script_step = workflow("      - run: bash scripts/test.sh\n");
    let make_step = workflow("      - name: Tests\n        run: make tests\n");
    let rs_step =
        workflow("      - uses: actions-rs/cargo@v1\n        with:\n          command: test\n");
    let circle = "version: 2.1\njobs:\n  build:\n    steps:\n      - run:\n          name: run tests\n          command: flask test\n";
    let pass: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "script",
            vec![
                (WORKFLOW, &script_step),
                (
                    "scripts/test.sh",
                    "#!/bin/sh\nset -e\npython -m pytest -q\n",
                ),
            ],
        ),
        (
            "make target with a variable",
            vec![
                (WORKFLOW, &make_step),
                (
                    "Makefile",
                    "PY ?= python3\ntests: ## run them\n\t$(PY) -m pytest\n",
                ),
            ],
        ),
        ("actions-rs", vec![(WORKFLOW, &rs_step)]),
        (
            "circleci flask test",
            vec![(".circleci/config.yml", circle)],
        ),
        (
            "travis",
            vec![(
                ".travis.yml",
                "language: python\nscript:\n  - python manage.py test\n",
            )],
        ),
        (
            "gitlab npm script",
            vec![
                (
                    ".gitlab-ci.yml",
                    "test:\n  script:\n    - npm ci\n    - \"npm run test:unit\"\n",
                ),
                (
                    "package.json",
                    "{\"scripts\": {\"test:unit\": \"vitest run\"}}\n",
                ),
            ],
        ),
    ];
    for (case, files) in &pass {
        assert_status(case, files, "ci.runs-tests", "pass");
    }
    let lint_job = workflow("      - name: go test\n        run: npm run lint\n");
    let skip_tests = workflow("      - run: mvn -B package -DskipTests\n");
    let gradle_skip = workflow("      - run: ./gradlew build -x test\n");
    let make_lint = workflow("      - run: make test\n");
    let fail: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("skipTests", vec![(WORKFLOW, &skip_tests)]),
        ("gradle -x test", vec![(WORKFLOW, &gradle_skip)]),
        (
            "a lint-only job named test",
            vec![
                (WORKFLOW, &lint_job),
                ("package.json", "{\"scripts\": {\"lint\": \"eslint .\"}}\n"),
            ],
        ),
        (
            "a make target that only lints",
            vec![
                (WORKFLOW, &make_lint),
                ("Makefile", "test:\n\truff check .\n"),
            ],
        ),
        (
            "a commented-out test step",
            vec![
                (
                    ".travis.yml",
                    "script:\n#  - go test -v ./...\n  - bash ./scripts/gofmt.sh\n",
                ),
                ("scripts/gofmt.sh", "gofmt -l .\n"),
            ],
        ),
    ];
    for (case, files) in &fail {
        assert_status(case, files, "ci.runs-tests", "fail");
    }
}

#[test]
fn class_2_health_routes_by_many_names_from_application_code() {
    for route in [
        "@app.get(\"/health-check\")",
        "@app.get(\"/healthcheck\")",
        "@app.get(\"/api/v1/health\")",
        "@app.get(\"/livez\")",
        "@app.get(\"/_health\")",
    ] {
        let code = format!(
            "from fastapi import FastAPI\napp = FastAPI()\n{route}\ndef h():\n    return {{}}\n"
        );
        assert_status(
            route,
            &[("app.py", &code)],
            "monitoring.health-endpoint",
            "pass",
        );
    }
    let nest = [
        (
            "package.json",
            "{\"dependencies\": {\"@nestjs/core\": \"10\"}, \"scripts\": {\"test\": \"jest\"}}",
        ),
        (
            "src/health.controller.ts",
            "@Controller('health')\nexport class HealthController {}\n",
        ),
    ];
    assert_status("nest", &nest, "monitoring.health-endpoint", "pass");
    // A test that calls /healthz is not the application serving it.
    let only_test = [(
        "tests/test_health.py",
        "def test_health(client):\n    assert client.get(\"/healthz\").status_code == 200\n",
    )];
    assert_status(
        "route only in a test",
        &only_test,
        "monitoring.health-endpoint",
        "fail",
    );
}

#[test]
fn class_3_the_dockerfile_that_builds_the_service_is_judged() {
    let multi = "FROM python:3.12 AS build\nRUN pip wheel .\nFROM python:3.12-slim\nUSER app\nCMD [\"app\"]\n";
    let files = [
        (
            ".devcontainer/Dockerfile",
            "FROM mcr.microsoft.com/devcontainers/python\n",
        ),
        ("frontend/Dockerfile", "FROM node:20\n"),
        ("backend/Dockerfile", multi),
        (
            "compose.yaml",
            "services:\n  backend:\n    build:\n      context: ./backend\n    healthcheck:\n      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost/healthz\"]\n  web:\n    build: ./frontend\n",
        ),
    ];
    assert_status("compose build", &files, "deploy.multi-stage", "pass");
    assert_status("compose healthcheck", &files, "deploy.healthcheck", "pass");
    // Only a dev container's Dockerfile: the service has none.
    let dev_only = [(
        ".devcontainer/Dockerfile",
        "FROM mcr.microsoft.com/devcontainers/python\n",
    )];
    assert_status("dev container only", &dev_only, "deploy.dockerfile", "fail");
    // A compose healthcheck on another service (the database) does not count for the app.
    let db_only = [
        ("Dockerfile", multi),
        (
            "compose.yaml",
            "services:\n  app:\n    build: .\n  db:\n    image: postgres\n    healthcheck:\n      test: pg_isready\n",
        ),
    ];
    assert_status(
        "database healthcheck",
        &db_only,
        "deploy.healthcheck",
        "fail",
    );
}

#[test]
fn class_3_a_front_end_beside_the_service_is_not_judged_as_the_service() {
    let files = [
        (
            "ui/package.json",
            "{\"dependencies\": {\"react\": \"18\", \"vite\": \"5\"}}",
        ),
        ("ui/src/App.tsx", "export const App = () => null;\n"),
    ];
    let (s, r) = status(&files, true, "tests.present");
    assert_eq!(s, "pass", "{r:#}");
    // A Node server beside it is a second service, and is judged.
    let server = [
        (
            "api/package.json",
            "{\"dependencies\": {\"express\": \"4\"}}",
        ),
        ("api/src/server.ts", "export {};\n"),
    ];
    let (s, r) = status(&server, true, "tests.present");
    assert_eq!(s, "fail", "{r:#}");
}

#[test]
fn class_4_secrets_precision_and_recall() {
    let aws = format!("{}{}", "AKIA", "Q3EGRY5NL7ZXW2PT");
    // Precision: fixtures, documentation keys and code are notes or nothing, never failures.
    let fixture = format!("{{\"key\": \"{aws}\"}}\n");
    let (s, r) = status(
        &[("testdata/creds.json", &fixture)],
        true,
        "security.no-cloud-keys",
    );
    assert_eq!(s, "pass", "{r:#}");
    assert!(
        r["evidence"][0]["note"]
            .as_str()
            .unwrap()
            .contains("test fixture"),
        "{r:#}"
    );
    let go_test = format!("package x\nvar key = \"{aws}\"\n");
    assert_status(
        "_test.go",
        &[("x_test.go", &go_test)],
        "security.no-cloud-keys",
        "pass",
    );
    assert_status(
        "documented key",
        &[(
            "config.ini",
            "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
        )],
        "security.no-cloud-keys",
        "pass",
    );
    assert_status(
        "code identifiers",
        &[(
            "auth.py",
            "password_hasher = argon2.PasswordHasher2()\ntoken_source = oauth2.TokenSource2(cfg)\nsecret_keys = settings.SECRET_KEYS_V2.keys()\n",
        )],
        "security.no-high-entropy-secrets",
        "pass",
    );
    // Recall: what students leak.
    let atlas = format!(
        "MONGO_URL = \"mongodb+srv://ana:{}@cluster0.ab12c.mongodb.net/app\"\n",
        "Qw7rT9zLp2"
    );
    assert_status(
        "atlas URL",
        &[("db.py", &atlas)],
        "security.no-cloud-keys",
        "fail",
    );
    let sendgrid = format!(
        "SENDGRID_API_KEY = \"SG.{}.{}\"\n",
        "aB3".repeat(7) + "x",
        "Zy9".repeat(14) + "w"
    );
    assert_status(
        "sendgrid",
        &[("mail.py", &sendgrid)],
        "security.no-cloud-keys",
        "fail",
    );
    assert_status(
        "jwt secret with a value",
        &[("config/app.yml", "JWT_SECRET: k9Tz3Pq7Lm2wQ\n")],
        "security.no-high-entropy-secrets",
        "fail",
    );
    for env in [".envrc", ".env.production", "backend/.env.local"] {
        assert_status(
            env,
            &[(env, "export A=1\n")],
            "security.no-committed-env",
            "fail",
        );
    }
    for template in [".env.example", ".env.sample", "example.env"] {
        assert_status(
            template,
            &[(template, "A=\n")],
            "security.no-committed-env",
            "pass",
        );
    }
}

#[test]
fn class_4_secrets_in_git_when_the_work_tree_file_is_gone() {
    let sandbox = Sandbox::new();
    let key = format!("token: {}{}\n", "ghp_", "a1B2".repeat(9));
    let dir = repo(&sandbox, "svc", true, &[("deploy/keys.yml", &key)]);
    std::fs::remove_file(dir.join("deploy/keys.yml")).unwrap();
    let r = report(&sandbox, &dir, &[]);
    assert_eq!(
        rule(&r, "security.no-cloud-keys")["status"],
        "fail",
        "{r:#}"
    );
    // A path that is not UTF-8 cannot be opened by its lossy name: the blob is read instead.
    use std::os::unix::ffi::OsStrExt;
    let dir = repo(&sandbox, "svc2", true, &[]);
    let name = std::ffi::OsStr::from_bytes(b"keys-\xff.yml");
    std::fs::write(dir.join(name), &key).unwrap();
    commit(&dir, "Add keys with a Latin-1 name");
    let r = report(&sandbox, &dir, &[]);
    let found = rule(&r, "security.no-cloud-keys");
    assert_eq!(found["status"], "fail", "{found:#}");
}

#[test]
fn class_5_framework_extensions_and_built_ins_count_as_declared() {
    let flask = [
        (
            "requirements.txt",
            "Flask==3.0\nFlask-Bcrypt==1.0\nflask-apispec==0.11\nprometheus-flask-exporter==0.23\npytest==8\n",
        ),
        ("app.py", "def login(password):\n    return password\n"),
    ];
    for (what, id) in [
        ("Flask-Bcrypt", "auth.password-hashing"),
        ("flask-apispec", "api.openapi"),
        ("prometheus-flask-exporter", "monitoring.metrics"),
    ] {
        let (s, r) = status(&flask, false, id);
        assert_eq!(s, "pass", "{what}: {r:#}");
        assert!(
            r.to_string().to_lowercase().contains(&what.to_lowercase()),
            "{what}: {r:#}"
        );
    }
    let nest = [
        (
            "package.json",
            "{\"dependencies\": {\"@willsoto/nestjs-prometheus\": \"6\"}, \"scripts\": {\"test\": \"jest\"}}",
        ),
        ("src/main.ts", "export const x = 1;\n"),
    ];
    let (s, _) = status(&nest, false, "monitoring.metrics");
    assert_eq!(s, "pass");
    let boot4 = [
        (
            "pom.xml",
            "<project><dependencies><dependency><artifactId>spring-boot-starter-webmvc-test</artifactId></dependency></dependencies></project>\n",
        ),
        ("src/test/java/AppTest.java", "class AppTest {}\n"),
    ];
    let (s, r) = status(&boot4, false, "tests.runner");
    assert_eq!(s, "pass", "{r:#}");
    let django = [
        ("requirements.txt", "Django==5.0\n"),
        ("manage.py", "import django\n"),
        ("blog/tests.py", "from django.test import TestCase\n"),
    ];
    for id in ["tests.present", "tests.runner"] {
        let (s, r) = status(&django, false, id);
        assert_eq!(s, "pass", "{id}: {r:#}");
    }
    // An `// indirect` requirement is not the project's own choice.
    let indirect = [
        (
            "go.mod",
            "module x\n\ngo 1.22\n\nrequire (\n\tgithub.com/golang-jwt/jwt/v5 v5.2.0 // indirect\n)\n",
        ),
        ("go.sum", "x\n"),
        ("main.go", "package main\nfunc login(password string) {}\n"),
        ("main_test.go", "package main\n"),
    ];
    let (s, r) = status(&indirect, false, "auth.tokens");
    assert_eq!(s, "fail", "{r:#}");
}

#[test]
fn class_6_build_artifacts_and_gitignore_as_git_reads_it() {
    let ts = [
        ("package.json", "{\"scripts\": {\"test\": \"vitest\"}}"),
        ("package-lock.json", "{}"),
        ("src/index.ts", "export {};\n"),
        ("src/index.test.ts", "export {};\n"),
    ];
    let with = |extra: &[(&'static str, &'static str)]| -> Vec<(&'static str, &'static str)> {
        ts.iter().chain(extra).copied().collect()
    };
    for (case, artifact) in [
        ("dist", "dist/index.js"),
        ("coverage", "coverage/lcov.info"),
        ("DS_Store", ".DS_Store"),
        ("idea", ".idea/workspace.xml"),
        ("sqlite", "data/app.sqlite"),
    ] {
        let files = with(&[(artifact, "x"), (".gitignore", "node_modules/\n")]);
        let (s, r) = status(&files, false, "git.no-build-artifacts");
        assert_eq!(s, "fail", "{case}: {r:#}");
    }
    // `node_modules/*` ignores everything in it, as git reads it; .env is not required of a
    // project that reads none.
    let (s, r) = status(
        &with(&[(".gitignore", "node_modules/*\n")]),
        false,
        "git.gitignore",
    );
    assert_eq!(s, "pass", "{r:#}");
    // ...but it is as soon as the project has a .env template.
    let (s, r) = status(
        &with(&[
            (".gitignore", "node_modules/*\n"),
            (".env.example", "PORT=\n"),
        ]),
        false,
        "git.gitignore",
    );
    assert_eq!(s, "fail", "{r:#}");
    // A nested .gitignore beside the service's manifest counts.
    let nested = [
        (
            "backend/pyproject.toml",
            "[project]\nname = \"b\"\ndependencies = [\"pytest\"]\n",
        ),
        ("backend/tests/test_x.py", "def test_x(): pass\n"),
        ("backend/.gitignore", "__pycache__/\n"),
        (".gitignore", "*.log\n"),
    ];
    let (s, r) = status(&nested, false, "git.gitignore");
    assert_eq!(s, "pass", "{r:#}");
}

#[test]
fn class_7_readme_formats_sections_and_linked_pages() {
    let rst = "svc\n===\n\nRunning\n-------\n\nStart it.\n\nTesting\n-------\n\nRun them.\n";
    assert_status("rst", &[("README.rst", rst)], "docs.readme", "pass");
    let adoc = "= svc\n\n== Getting started\n\nStart it.\n\n== Tests\n\nRun them.\n";
    assert_status("asciidoc", &[("README.adoc", adoc)], "docs.readme", "pass");
    let django = "# svc\n\n```\npython manage.py runserver\npython manage.py test\n```\n";
    assert_status("manage.py", &[("README.md", django)], "docs.readme", "pass");
    let linked = [
        (
            "README.md",
            "# svc\n\n## Installation\n\nSee [the development guide](docs/development.md).\n",
        ),
        (
            "docs/development.md",
            "# Development\n\n```sh\nuv run pytest\n```\n",
        ),
    ];
    assert_status("linked page", &linked, "docs.readme", "pass");
    let prose = "# svc\n\n## Installation\n\n`pip install .`\n\nBuilt with Jest and love.\n";
    assert_status(
        "built with jest",
        &[("README.md", prose)],
        "docs.readme",
        "fail",
    );
    let missing_page = "# svc\n\n## Installation\n\nSee [the guide](docs/missing.md).\n";
    assert_status(
        "link to a missing page",
        &[("README.md", missing_page)],
        "docs.readme",
        "fail",
    );
}

#[test]
fn class_8_github_web_default_messages_are_not_informative() {
    let sandbox = Sandbox::new();
    let dir = repo(&sandbox, "svc", true, &[]);
    for (file, message) in [
        ("a.txt", "Add files via upload"),
        ("README.md", "Update README.md"),
        ("main.py", "Create main.py"),
    ] {
        write(&dir, file, message);
        commit(&dir, message);
    }
    let r = report(&sandbox, &dir, &[]);
    let found = rule(&r, "git.commit-messages");
    assert_eq!(found["status"], "fail", "{found:#}");
    // Real subjects that mention a file still say something.
    let dir = repo(&sandbox, "svc2", true, &[]);
    for (i, message) in [
        "Update README.md with the deploy steps",
        "Add pagination to GET /tasks",
        "Create the users table migration",
    ]
    .iter()
    .enumerate()
    {
        write(&dir, &format!("f{i}.txt"), message);
        commit(&dir, message);
    }
    let r = report(&sandbox, &dir, &[]);
    assert_eq!(rule(&r, "git.commit-messages")["status"], "pass");
}

#[test]
fn class_9_policy_precedence_untracked_config_and_expiring_ignores() {
    let sandbox = Sandbox::new();
    let key = format!("k = \"{}{}\"\n", "AKIA", "Q3EGRY5NL7ZXW2PT");
    let config = "[check]\nignore = [\n  \"security\",\n  { rule = \"git.history\", reason = \"squashed on import\", until = 2000-01-01 },\n  { rule = \"deploy\", reason = \"runs on a PaaS\", until = 2999-12-31 },\n]\n";
    let dir = repo(
        &sandbox,
        "svc",
        true,
        &[("keys.py", &key), (".folio.toml", config)],
    );
    let r = report(&sandbox, &dir, &[]);
    let keys = rule(&r, "security.no-cloud-keys");
    assert_eq!(keys["status"], "skip");
    assert_eq!(keys["ignored"]["by"], "folio.toml", "{keys:#}");
    let deploy = rule(&r, "deploy.compose");
    assert_eq!(deploy["ignored"]["reason"], "runs on a PaaS");
    assert!(
        deploy["message"]
            .as_str()
            .unwrap()
            .contains("until 2999-12-31")
    );
    // The lapsed ignore does not silence git.history any more.
    let history = rule(&r, "git.history");
    assert_ne!(history["status"], "skip", "{history:#}");
    assert!(
        history["evidence"]
            .to_string()
            .contains("lapsed on 2000-01-01")
    );
    // What the command line requires, the file cannot silence.
    let r = report(&sandbox, &dir, &["--require", "security.no-cloud-keys"]);
    let keys = rule(&r, "security.no-cloud-keys");
    assert_eq!(keys["status"], "fail", "{keys:#}");
    assert_eq!(keys["level"], "required");
    // An untracked .folio.toml is not the repository's policy.
    let dir = repo(&sandbox, "svc2", true, &[("keys.py", &key)]);
    write(&dir, ".folio.toml", "[check]\nignore = [\"security\"]\n");
    let r = report(&sandbox, &dir, &[]);
    assert_eq!(rule(&r, "security.no-cloud-keys")["status"], "fail");
    // An ignore table without a reason is refused.
    write(
        &dir,
        ".folio.toml",
        "[check]\nignore = [{ rule = \"security\" }]\n",
    );
    commit(&dir, "Add a check policy without a reason");
    let out = run(&sandbox, &dir, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("needs a reason"), "{}", stderr(&out));
}

#[test]
fn class_10_not_applicable_is_not_failed() {
    // A read-only service: no users, no database.
    let sandbox = Sandbox::new();
    let dir = repo(&sandbox, "svc", true, &[]);
    let r = report(&sandbox, &dir, &[]);
    for id in [
        "auth.password-hashing",
        "auth.tokens",
        "database.migrations",
    ] {
        let found = rule(&r, id);
        assert_eq!(found["status"], "not_applicable", "{found:#}");
        assert!(!found["message"].as_str().unwrap().is_empty());
    }
    assert!(r["summary"]["not_applicable"].as_u64().unwrap() >= 3);
    // With login code the auth rules apply again, and fail without a library.
    let login = [("auth.py", "def login(email, password):\n    return email\n")];
    assert_status("login", &login, "auth.password-hashing", "fail");
    // GraphQL: a committed schema is the contract; without one OpenAPI does not apply.
    let sandbox = Sandbox::new();
    let dir = repo(
        &sandbox,
        "gql",
        false,
        &[
            ("requirements.txt", "strawberry-graphql==0.2\npytest==8\n"),
            ("tests/test_q.py", "def test_q(): pass\n"),
        ],
    );
    let r = report(&sandbox, &dir, &[]);
    assert_eq!(rule(&r, "api.openapi")["status"], "not_applicable");
    write(&dir, "schema.graphql", "type Query { hello: String }\n");
    commit(&dir, "Commit the GraphQL schema");
    let r = report(&sandbox, &dir, &[]);
    assert_eq!(rule(&r, "api.openapi")["status"], "pass");
}

#[test]
fn class_11_edges_submodules_monorepos_empty_and_bare_repositories() {
    let sandbox = Sandbox::new();
    // A service folder of a monorepo: the top LICENSE and CI count.
    let dir = repo(
        &sandbox,
        "mono",
        false,
        &[
            ("LICENSE", "MIT\n"),
            (".gitignore", "__pycache__/\n"),
            (
                WORKFLOW,
                &workflow("      - run: cd services/api && pytest\n"),
            ),
            ("services/api/pyproject.toml", BASE[0].1),
            ("services/api/tests/test_app.py", BASE[2].1),
        ],
    );
    let r = report(&sandbox, &dir.join("services/api"), &[]);
    for id in [
        "docs.license",
        "ci.present",
        "ci.runs-tests",
        "git.gitignore",
    ] {
        let found = rule(&r, id);
        assert_eq!(found["status"], "pass", "{id}: {found:#}");
    }
    assert_eq!(rule(&r, "docs.license")["evidence"][0]["file"], "LICENSE");
    // The service is a submodule: the report says so.
    let outer = repo(&sandbox, "outer", false, &[("README.md", "# outer\n")]);
    {
        let repo = Repository::open(&outer).unwrap();
        let mut index = repo.index().unwrap();
        let head = Repository::open(&dir)
            .unwrap()
            .head()
            .unwrap()
            .target()
            .unwrap();
        let entry = git2::IndexEntry {
            ctime: git2::IndexTime::new(0, 0),
            mtime: git2::IndexTime::new(0, 0),
            dev: 0,
            ino: 0,
            mode: 0o160000,
            uid: 0,
            gid: 0,
            file_size: 0,
            id: head,
            flags: 0,
            flags_extended: 0,
            path: b"backend".to_vec(),
        };
        index.add(&entry).unwrap();
        index.write().unwrap();
    }
    let r = report(&sandbox, &outer, &[]);
    let found = rule(&r, "tests.present");
    assert!(
        found["message"]
            .as_str()
            .unwrap()
            .contains("submodule backend"),
        "{found:#}"
    );
    // Empty, file, bare: each its own error, exit 2; --format json prints a JSON error object.
    let empty = sandbox.work().join("empty");
    Repository::init(&empty).unwrap();
    let out = run(&sandbox, &empty, &["--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    let error: Value = serde_json::from_slice(&out.stdout).expect("a JSON error object");
    assert!(
        error["error"].as_str().unwrap().contains("tracks no files"),
        "{error}"
    );
    let out = run(&sandbox, &dir.join("LICENSE"), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("it is a file"), "{}", stderr(&out));
    let bare = sandbox.work().join("bare.git");
    Repository::init_bare(&bare).unwrap();
    let out = run(&sandbox, &bare, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("bare repository"), "{}", stderr(&out));
}

#[test]
fn class_11_github_annotations_put_the_most_important_first() {
    let sandbox = Sandbox::new();
    // Many recommended failures, two required ones (no README, no LICENSE), one rule with
    // many files: the required ones come first, and every rule's first annotation comes
    // before any rule's second.
    let mut files: Vec<(String, String)> = (0..12)
        .map(|i| {
            (
                format!("lib/m{i}.py"),
                format!("api_key = \"Zm9vYmFyMTIzNDU2Nzg5MHF3ZXJ0{i}\"\n"),
            )
        })
        .collect();
    files.push(("app.py".into(), "def login(password): pass\n".into()));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let dir = repo(&sandbox, "svc", true, &refs);
    let out = run(&sandbox, &dir, &["--format", "github"]);
    let text = stdout(&out);
    let annotations: Vec<&str> = text.lines().filter(|l| l.starts_with("::")).collect();
    assert!(annotations.len() > 10, "{text}");
    let first_warning = annotations
        .iter()
        .position(|l| l.starts_with("::warning"))
        .unwrap();
    assert!(
        annotations[..first_warning]
            .iter()
            .all(|l| l.starts_with("::error"))
    );
    assert!(
        annotations[first_warning..]
            .iter()
            .all(|l| l.starts_with("::warning"))
    );
    let titles: Vec<&str> = annotations[..10]
        .iter()
        .map(|l| {
            l.split("title=")
                .nth(1)
                .unwrap()
                .split("::")
                .next()
                .unwrap()
        })
        .collect();
    let distinct: std::collections::BTreeSet<_> = titles.iter().collect();
    assert_eq!(
        distinct.len(),
        titles.len(),
        "ten different problems first: {titles:?}"
    );
}
