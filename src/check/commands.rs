//! Does a command run the tests? The knowledge behind `ci.runs-tests`, kept apart from the CI
//! file formats so the CI rule and its look-alikes can be tested on single lines.
//!
//! A CI step rarely says `pytest` itself: it calls `make test`, `npm run test`, `just test`, or
//! `bash scripts/test.sh`. So a command counts when it runs a test runner directly (`pytest`,
//! `go test`, `mvn verify`, `flask test`, `manage.py test`, `playwright test`, ...), or when it
//! calls something inside the repository (a Makefile or justfile target, a package.json script,
//! a script file) whose body does, followed a bounded number of levels. Build commands that skip
//! the tests (`mvn package -DskipTests`, `gradlew build -x test`) do not count, and neither does
//! anything that is only a job or step *name*.

use std::sync::OnceLock;

use regex::Regex;

use crate::check::project::Project;

/// How deep calls are followed: CI line -> target/script/npm script -> one more (a `test`
/// script that calls `test:unit`, a Make target that calls `$(MAKE) unit`).
const MAX_DEPTH: u8 = 2;

/// What a command was found to run: the command, and the chain through the repository's files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestRun {
    /// `Makefile:22 go test ./...` style hops, outermost first; empty for a direct runner.
    pub via: Vec<String>,
}

fn direct() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(concat!(
            r"(?:^|[\s/:;&|'`(\x22=])(?:",
            r"pytest\b|py\.test\b|tox\b|nox\b|python3?(?:\.\d+)? -m (?:pytest|unittest|django test)\b|",
            r"manage\.py\s+test\b|django-admin\s+test\b|flask\s+test\b|hatch\s+(?:test|run\s+test)\b|",
            r"(?:npx|bunx|pnpm\s+exec|pnpm\s+dlx|yarn\s+dlx)?\s*playwright\s+test\b|cypress\s+run\b|",
            r"vitest\b|jest\b|mocha\b|ava\b|karma\s+start\b|(?:node|tsx|ts-node|bun|deno)(?:\s+--?[\w-]+(?:[= ][\w./@:-]+)?)*?\s+--test\b|nps\s+(?:\S+\s+)*test\b|deno\s+test\b|bun\s+test\b|tap\s+\S+\.(?:js|ts)\b|",
            r"go\s+test\b|gotestsum\b|ginkgo\b|richgo\s+test\b|",
            r"cargo\s+(?:test|nextest|tarpaulin|llvm-cov)\b|",
            r"(?:\./)?mvnw?(?:\.cmd)?\s.*\b(?:test|verify|install|package|deploy|integration-test)\b|",
            r"(?:\./)?gradlew?(?:\.bat)?\s.*\b(?:test|check|build|integrationTest)\b|",
            r"sbt\s.*\btest\b|lein\s+test\b|dotnet\s+test\b|mix\s+test\b|rspec\b|rails\s+test\b|phpunit\b|",
            r"(?:nx|turbo)(?:\s+\S+)*\s+(?:-t\s+|--target[= ]|--targets[= ])?test\b",
            r")"
        ))
        .expect("valid regex")
    })
}

/// Options that make a build skip its tests.
fn skips_tests(command: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"-DskipTests\b|-Dmaven\.test\.skip=true|(?:^|\s)(?:-x|--exclude-task)[\s=]+:?(?:test|check)\b|-DskipITs\b.*-DskipTests")
            .expect("valid regex")
    })
    .is_match(command)
}

/// YAML keys whose value is a label for people, never a command.
fn is_label(line: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^\s*(?:-\s*)?(?:name|stage|stages|needs|description|displayName|id|if|label|title|when|group|extends|on|environment|job|jobs|dependencies|workflow)\s*:")
            .expect("valid regex")
    })
    .is_match(line)
}

/// Whether `command` (one line of a CI file, a recipe or a script) runs tests, followed through
/// the repository's Makefile targets, package.json scripts and script files.
pub fn runs_tests(project: &Project, command: &str) -> Option<TestRun> {
    runs_tests_at(project, command, 0)
}

fn runs_tests_at(project: &Project, command: &str, depth: u8) -> Option<TestRun> {
    let code = strip_comment(command);
    if code.trim().is_empty() || is_label(code) {
        return None;
    }
    let code = code.trim();
    if direct().is_match(code) && !skips_tests(code) {
        return Some(TestRun { via: Vec::new() });
    }
    if depth >= MAX_DEPTH {
        return None;
    }
    for call in calls(code) {
        if let Some((hop, body)) = resolve(project, &call) {
            for (line_no, line) in body {
                if let Some(mut run) = runs_tests_at(project, &line, depth + 1) {
                    run.via
                        .insert(0, format!("{hop}:{line_no} {}", line.trim()));
                    return Some(run);
                }
            }
        }
    }
    None
}

/// A line without its shell or YAML comment.
fn strip_comment(line: &str) -> &str {
    if line.trim_start().starts_with('#') {
        return "";
    }
    match line.find(" #") {
        Some(i) => &line[..i],
        None => line,
    }
}

/// Something in the repository a command calls.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Call {
    /// `make [-C dir] target` (also `just`, `task`): the file names to look in, and the target.
    Target {
        files: &'static [&'static str],
        dir: Option<String>,
        target: String,
    },
    /// `npm run x`, `yarn x`, `pnpm -r x`, `bun run x`, and the arguments after it (which
    /// `npm start test` passes on to a task runner such as nps).
    Script(String, String),
    /// `bash scripts/test.sh`, `./scripts/test`, `python tools/run_tests.py`.
    File(String),
}

const MAKEFILES: &[&str] = &["Makefile", "makefile", "GNUmakefile"];
const JUSTFILES: &[&str] = &["justfile", "Justfile", ".justfile"];
const TASKFILES: &[&str] = &["Taskfile.yml", "Taskfile.yaml"];

fn calls(code: &str) -> Vec<Call> {
    static RE: OnceLock<(Regex, Regex, Regex)> = OnceLock::new();
    let (runner, npm, file) = RE.get_or_init(|| {
        (
            Regex::new(r#"(?:^|[\s;&|("'`]|\$\()(make|\$\(MAKE\)|\$\{MAKE\}|just|task)((?:\s+-{1,2}[\w-]+(?:[= ]\S+)?)*)\s+([\w:.\-/]+)"#)
                .expect("valid regex"),
            Regex::new(r#"(?:^|[\s;&|("'`])(?:npm|pnpm|yarn|bun)((?:\s+-{1,2}[\w-]+(?:[= ][^\s-]\S*)?)*)(?:\s+(?:run|run-script|workspaces\s+run|-r|--recursive))?\s+([\w:.\-]+)((?:\s+[\w:.\-]+)*)"#)
                .expect("valid regex"),
            Regex::new(r#"(?:^|[\s;&|(="'`])((?:\./|\.\./)?(?:[\w.\-]+/)*[\w.\-]+\.(?:sh|bash|py)|(?:\./|\.\./)[\w.\-/]+|(?:[\w.\-]+/)+[\w.\-]+)(?:\s|$|;|&|\)|"|'|`)"#)
                .expect("valid regex"),
        )
    });
    let mut out = Vec::new();
    for c in runner.captures_iter(code) {
        let files = match &c[1] {
            "just" => JUSTFILES,
            "task" => TASKFILES,
            _ => MAKEFILES,
        };
        let opts = c.get(2).map_or("", |m| m.as_str());
        let dir = opts
            .split_whitespace()
            .collect::<Vec<_>>()
            .windows(2)
            .find(|w| w[0] == "-C" || w[0] == "--directory" || w[0] == "-f")
            .map(|w| w[1].trim_end_matches('/').to_string());
        out.push(Call::Target {
            files,
            dir,
            target: c[3].to_string(),
        });
    }
    for c in npm.captures_iter(code) {
        let script = &c[2];
        // `npm ci`, `yarn install` and friends install; they run nothing of the project's.
        if !matches!(
            script,
            "ci" | "install" | "i" | "add" | "exec" | "dlx" | "x" | "audit" | "publish" | "run"
        ) {
            let rest = c.get(3).map_or("", |m| m.as_str()).trim();
            out.push(Call::Script(script.to_string(), rest.to_string()));
        }
    }
    for c in file.captures_iter(code) {
        let path = c[1].trim_start_matches("./").to_string();
        if !path.starts_with("http") && !path.contains("//") {
            out.push(Call::File(path));
        }
    }
    out
}

/// The body a call leads to: where it is (`Makefile`), and its lines with their numbers.
fn resolve(project: &Project, call: &Call) -> Option<(String, Vec<(u32, String)>)> {
    match call {
        Call::Target { files, dir, target } => {
            let candidates: Vec<String> = match dir {
                Some(d) if files.iter().any(|f| d.ends_with(f)) => vec![d.clone()],
                Some(d) => files.iter().map(|f| format!("{d}/{f}")).collect(),
                None => files.iter().map(|f| f.to_string()).collect(),
            };
            for path in candidates {
                if let Some(text) = project.read(&path) {
                    let body = if files == &TASKFILES {
                        yaml_task(&text, target)
                    } else {
                        make_target(&text, target)
                    };
                    if let Some(body) = body {
                        return Some((path, body));
                    }
                }
            }
            None
        }
        Call::Script(name, rest) => {
            let mut manifests: Vec<&str> = project
                .paths()
                .filter(|p| {
                    (*p == "package.json" || p.ends_with("/package.json"))
                        && !p.split('/').any(|c| c == "node_modules")
                })
                .collect();
            manifests.sort_by_key(|p| p.matches('/').count());
            for path in manifests.into_iter().take(50) {
                let Some(text) = project.read(path) else {
                    continue;
                };
                let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
                    continue;
                };
                let Some(script) = json
                    .get("scripts")
                    .and_then(|s| s.get(name))
                    .and_then(|s| s.as_str())
                else {
                    continue;
                };
                if script.to_ascii_lowercase().contains("no test specified") {
                    continue;
                }
                let line = text
                    .lines()
                    .position(|l| l.contains(&format!("\"{name}\"")))
                    .map_or(1, |i| i as u32 + 1);
                let body = if rest.is_empty() {
                    script.to_string()
                } else {
                    format!("{script} {rest}")
                };
                return Some((path.to_string(), vec![(line, body)]));
            }
            None
        }
        Call::File(rel) => {
            let path = if project.has(rel) {
                rel.clone()
            } else {
                // A step that `cd`s into a service folder first: the shallowest tracked file
                // with that relative path.
                let suffix = format!("/{rel}");
                project.paths().find(|p| p.ends_with(&suffix))?.to_string()
            };
            let text = project.read(&path)?;
            let body = text
                .lines()
                .enumerate()
                .take(400)
                .map(|(i, l)| (i as u32 + 1, l.to_string()))
                .collect();
            Some((path, body))
        }
    }
}

/// Numbered lines of a recipe, script or package.json script.
type Body = Vec<(u32, String)>;

/// The recipe of `target` in a Makefile or justfile, `$(VAR)` references expanded from the
/// file's simple assignments, plus the recipes of its prerequisites (one level).
fn make_target(text: &str, target: &str) -> Option<Vec<(u32, String)>> {
    let lines: Vec<&str> = text.lines().collect();
    let vars = make_variables(&lines);
    let recipe = |name: &str| -> Option<(Body, Vec<String>)> {
        let start = lines.iter().position(|l| {
            let head = l.split(':').next().unwrap_or("");
            !l.starts_with(['\t', ' ', '#'])
                && l.contains(':')
                && !l.contains(":=")
                && head.split_whitespace().next() == Some(name)
        })?;
        let after = lines[start].split_once(':').map_or("", |(_, r)| r);
        let prereqs = after
            .split('#')
            .next()
            .unwrap_or("")
            .split_whitespace()
            .filter(|p| !p.starts_with('$'))
            .map(str::to_string)
            .collect();
        let mut body = Vec::new();
        for (i, l) in lines.iter().enumerate().skip(start + 1) {
            if l.trim().is_empty() {
                continue;
            }
            if !l.starts_with(['\t', ' ']) {
                break;
            }
            let cmd = l.trim().trim_start_matches(['@', '-', '+']).trim();
            body.push((i as u32 + 1, expand(cmd, &vars)));
        }
        Some((body, prereqs))
    };
    let (mut body, prereqs) = recipe(target)?;
    for p in prereqs.iter().take(10) {
        if let Some((more, _)) = recipe(p) {
            body.extend(more);
        }
    }
    Some(body)
}

fn make_variables(lines: &[&str]) -> Vec<(String, String)> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*(?:\?=|:=|::=|=)\s*(.*)$")
            .expect("valid regex")
    });
    let mut vars = vec![("MAKE".to_string(), "make".to_string())];
    for l in lines {
        if let Some(c) = re.captures(l) {
            vars.push((c[1].to_string(), c[2].trim().to_string()));
        }
    }
    vars
}

fn expand(cmd: &str, vars: &[(String, String)]) -> String {
    let mut out = cmd.to_string();
    for (name, value) in vars {
        for form in [format!("$({name})"), format!("${{{name}}}")] {
            if out.contains(&form) {
                out = out.replace(&form, value);
            }
        }
    }
    out
}

/// The `cmds:` of a Taskfile task, as lines.
fn yaml_task(text: &str, target: &str) -> Option<Vec<(u32, String)>> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.trim_end() == format!("  {target}:") || l.trim() == format!("{target}:"))?;
    let indent = lines[start].len() - lines[start].trim_start().len();
    let body = lines
        .iter()
        .enumerate()
        .skip(start + 1)
        .take_while(|(_, l)| l.trim().is_empty() || l.len() - l.trim_start().len() > indent)
        .map(|(i, l)| (i as u32 + 1, l.trim().trim_start_matches("- ").to_string()))
        .collect();
    Some(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn direct_ok(cmd: &str) -> bool {
        let code = strip_comment(cmd);
        !is_label(code) && direct().is_match(code.trim()) && !skips_tests(code)
    }

    #[test]
    fn direct_runners_and_look_alikes() {
        for yes in [
            "run: pytest -q",
            "- flask test",
            "python manage.py test",
            "run: bunx playwright test",
            "  ./mvnw -B verify",
            "./gradlew build",
            "go test ./...",
            "cargo nextest run",
            "npx nx run-many -t test",
            "turbo run test",
            "sh 'mvn test'",
            "node --import tsx --test test/*.test.ts",
            "glob -c \"tsx --test\" \"./test/**/*.ts\"",
            "nps test",
        ] {
            assert!(direct_ok(yes), "{yes}");
        }
        for no in [
            "mvn package -DskipTests",
            "./gradlew build -x test",
            "name: go test",
            "- name: Run tests",
            "run: npm run lint",
            "# - go test -v ./...",
            "stage: test",
        ] {
            assert!(!direct_ok(no), "{no}");
        }
    }

    #[test]
    fn calls_into_the_repository() {
        assert!(calls("make -C backend test").contains(&Call::Target {
            files: MAKEFILES,
            dir: Some("backend".into()),
            target: "test".into()
        }));
        let script = |name: &str| Call::Script(name.into(), String::new());
        assert!(calls("pnpm -r test").contains(&script("test")));
        assert!(calls("npm run test:unit").contains(&script("test:unit")));
        assert!(calls("yarn test").contains(&script("test")));
        assert!(calls("npm start test").contains(&Call::Script("start".into(), "test".into())));
        assert!(
            calls("run: \"make test\"")
                .iter()
                .any(|c| matches!(c, Call::Target { target, .. } if target == "test"))
        );
        assert!(
            !calls("npm ci")
                .iter()
                .any(|c| matches!(c, Call::Script(..)))
        );
        assert!(calls("run: bash scripts/test.sh").contains(&Call::File("scripts/test.sh".into())));
        assert!(calls("poetry run ./scripts/test").contains(&Call::File("scripts/test".into())));
    }

    #[test]
    fn make_targets_expand_variables_and_prerequisites() {
        let mk = "GO ?= go\n.PHONY: test\ntest: unit ## all\n\t@echo testing\nunit:\n\t$(GO) test ./...\nlint:\n\tgolangci-lint run\n";
        let body = make_target(mk, "test").unwrap();
        assert!(body.iter().any(|(_, l)| l == "go test ./..."), "{body:?}");
        assert!(
            make_target(mk, "lint")
                .unwrap()
                .iter()
                .all(|(_, l)| !direct_ok(l))
        );
    }
}
