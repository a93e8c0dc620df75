//! Third-party validators run on a pristine generated tree (before `setup` adds venvs or
//! node_modules): actionlint, zizmor (workflow security, nothing at medium or above) and the
//! GitHub workflow schema, the dependabot, GitLab CI and compose
//! schemas, `docker-compose config`, promtool, hadolint, openapi-spec-validator, shellcheck,
//! yamllint, plus JSON syntax and a structural check of Grafana dashboards (no offline linter
//! exists for those).
//!
//! `scripts/install-validators` installs the tools, pinned, into one venv; they are looked up on
//! PATH first, then there. Each failing tool adds a failure naming the tool and the file, with the
//! tool's own output, so a broken template file is found by name.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::e2e::process::find_on_path;
use crate::e2e::report::{Report, tail};

/// Every tool the validators need.
pub const TOOLS: &[&str] = &[
    "actionlint",
    "check-jsonschema",
    "docker-compose",
    "promtool",
    "hadolint",
    "openapi-spec-validator",
    "shellcheck",
    "yamllint",
    "zizmor",
    "kustomize",
    "kubernetes-validate",
];

/// Where `scripts/install-validators` puts its venv's binaries.
pub fn venv_bin() -> PathBuf {
    let dir = std::env::var_os("FOLIO_VALIDATORS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
                .join(".cache/folio-validators")
        });
    dir.join("venv/bin")
}

pub fn find_tool(tool: &str) -> Option<PathBuf> {
    find_on_path(tool).or_else(|| Some(venv_bin().join(tool)).filter(|p| p.is_file()))
}

/// A YAML file as JSON, read with the validators venv's Python (PyYAML comes with yamllint).
pub fn yaml_to_json(file: &Path) -> Result<Value, String> {
    let python = venv_bin().join("python");
    let script = "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))";
    let out = Command::new(&python)
        .args(["-c", script])
        .arg(file)
        .output()
        .map_err(|e| format!("{}: {e}", python.display()))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())
}

/// The tools that cannot be found.
pub fn missing_tools() -> Vec<&'static str> {
    TOOLS
        .iter()
        .copied()
        .filter(|t| find_tool(t).is_none())
        .collect()
}

/// The files of a tree, relative, skipping dependency and build folders.
fn files(root: &Path) -> Vec<PathBuf> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                if !matches!(
                    name.as_str(),
                    ".git"
                        | "node_modules"
                        | ".venv"
                        | "venv"
                        | "target"
                        | "build"
                        | "dist"
                        | "__pycache__"
                ) {
                    walk(root, &path, out);
                }
            } else if let Ok(rel) = path.strip_prefix(root) {
                out.push(rel.to_path_buf());
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out.sort();
    out
}

fn ext(path: &Path) -> &str {
    path.extension().and_then(|e| e.to_str()).unwrap_or("")
}

/// Runs one tool in `root`; on failure adds `validators: <tool> <file>` with its output.
fn run_tool(root: &Path, report: &mut Report, tool: &str, args: &[&str], file: &Path) {
    run_tool_on(root, report, tool, args, &[file]);
}

/// Runs one tool on several files at once (one start-up instead of one per file).
fn run_tool_on(root: &Path, report: &mut Report, tool: &str, args: &[&str], files: &[&Path]) {
    let named = files
        .iter()
        .map(|f| f.display().to_string())
        .collect::<Vec<_>>()
        .join(" ");
    let Some(exe) = find_tool(tool) else {
        report.fail(
            format!("validators: {tool} not found"),
            "run scripts/install-validators",
        );
        return;
    };
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![venv_bin()];
    dirs.extend(std::env::split_paths(&path));
    let out = Command::new(&exe)
        .args(args)
        .args(files)
        .current_dir(root)
        .env("PATH", std::env::join_paths(dirs).unwrap_or(path))
        .env("NO_COLOR", "1")
        .output();
    match out {
        Ok(out) if out.status.success() => {}
        Ok(out) => {
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            report.fail(
                format!("validators: {tool} {named} ({})", args.join(" ")),
                tail(text.trim(), 30),
            );
        }
        Err(e) => report.fail(
            format!("validators: {tool} {named}"),
            format!("could not run {}: {e}", exe.display()),
        ),
    }
}

/// Validates every file of a generated tree that some validator understands (or only the files
/// listed in `only`). `required` lists files the tree must hold, so that an absent file is
/// reported instead of silently left unchecked.
pub fn validate(root: &Path, required: &[&str], only: Option<&[&str]>, report: &mut Report) {
    let files: Vec<PathBuf> = files(root)
        .into_iter()
        .filter(|f| only.is_none_or(|o| o.iter().any(|x| f == Path::new(x))))
        .collect();
    for want in required {
        if !root.join(want).is_file() {
            report.fail(
                format!("validators: missing {want}"),
                format!("{} has no {want}", root.display()),
            );
        }
    }
    for file in &files {
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let dir = file.parent().unwrap_or(Path::new(""));
        let text = std::fs::read_to_string(root.join(file)).unwrap_or_default();
        let is_yaml = matches!(ext(file), "yml" | "yaml");
        if is_yaml && dir == Path::new(".github/workflows") {
            run_tool(root, report, "actionlint", &["-oneline"], file);
            // Offline: no GitHub API look-ups (impostor commits, known-vulnerable actions), so
            // the result depends on the file alone. Low and informational findings are advice.
            run_tool(
                root,
                report,
                "zizmor",
                &["--offline", "--no-progress", "--min-severity", "medium"],
                file,
            );
            run_tool(
                root,
                report,
                "check-jsonschema",
                &["--builtin-schema", "vendor.github-workflows"],
                file,
            );
        }
        if file == Path::new(".github/dependabot.yml")
            || file == Path::new(".github/dependabot.yaml")
        {
            run_tool(
                root,
                report,
                "zizmor",
                &["--offline", "--no-progress", "--min-severity", "medium"],
                file,
            );
            run_tool(
                root,
                report,
                "check-jsonschema",
                &["--builtin-schema", "vendor.dependabot"],
                file,
            );
        }
        if file == Path::new(".gitlab-ci.yml") {
            run_tool(
                root,
                report,
                "check-jsonschema",
                &["--builtin-schema", "vendor.gitlab-ci"],
                file,
            );
        }
        if dir == Path::new("")
            && matches!(
                name,
                "docker-compose.yml" | "docker-compose.yaml" | "compose.yml" | "compose.yaml"
            )
        {
            run_tool(
                root,
                report,
                "check-jsonschema",
                &["--builtin-schema", "vendor.compose-spec"],
                file,
            );
            run_tool(
                root,
                report,
                "docker-compose",
                &["config", "-q", "-f"],
                file,
            );
        }
        if is_yaml && dir.starts_with("monitoring/prometheus") {
            if matches!(name, "prometheus.yml" | "prometheus.yaml") {
                run_tool(root, report, "promtool", &["check", "config"], file);
            } else if text.contains("groups:") {
                run_tool(root, report, "promtool", &["check", "rules"], file);
            } else if text.contains("rule_files:") && text.contains("tests:") {
                // Alert unit tests: run from their folder, which their rule_files are relative to.
                let folder = root.join(dir);
                let name = Path::new(name);
                run_tool(&folder, report, "promtool", &["test", "rules"], name);
            }
        }
        if name == "Dockerfile" || name.starts_with("Dockerfile.") || name.ends_with(".Dockerfile")
        {
            run_tool(
                root,
                report,
                "hadolint",
                &["--failure-threshold", "warning"],
                file,
            );
        }
        if dir == Path::new("") && matches!(name, "openapi.yaml" | "openapi.yml" | "openapi.json") {
            run_tool(root, report, "openapi-spec-validator", &[], file);
        }
        let shebang = text.lines().next().unwrap_or("");
        if ext(file) == "sh"
            || (ext(file).is_empty() && shebang.starts_with("#!") && shebang.contains("sh"))
        {
            run_tool(root, report, "shellcheck", &["-S", "warning"], file);
        }
        if ext(file) == "json" {
            match serde_json::from_str::<Value>(&text) {
                Err(e) => report.fail(
                    format!("validators: invalid JSON {}", file.display()),
                    e.to_string(),
                ),
                Ok(doc) if dir.starts_with("monitoring/grafana") && doc.get("panels").is_some() => {
                    for problem in dashboard_problems(&doc) {
                        report.fail(
                            format!("validators: grafana dashboard {}", file.display()),
                            problem,
                        );
                    }
                }
                Ok(_) => {}
            }
        }
    }
    let yaml: Vec<&Path> = files
        .iter()
        .filter(|f| matches!(ext(f), "yml" | "yaml"))
        .map(PathBuf::as_path)
        .collect();
    if !yaml.is_empty() {
        run_tool_on(root, report, "yamllint", &["-d", "relaxed"], &yaml);
    }
    if only.is_some() {
        return;
    }
    let dashboards = files
        .iter()
        .filter(|f| f.starts_with("monitoring/grafana") && ext(f) == "json")
        .count();
    if dashboards == 0 {
        report.fail(
            "validators: missing Grafana dashboard",
            "no monitoring/grafana/**/*.json in the tree",
        );
    }
}

/// What is wrong with a Grafana dashboard's structure (empty when nothing).
pub fn dashboard_problems(doc: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let title = doc.get("title").and_then(Value::as_str);
    if title.is_none_or(|t| t.trim().is_empty()) {
        problems.push("`title` should be a non-empty string".to_string());
    }
    if !doc.get("schemaVersion").is_some_and(Value::is_u64) {
        problems.push("`schemaVersion` should be an integer".to_string());
    }
    let mut panels = Vec::new();
    collect_panels(doc.get("panels"), &mut panels);
    if panels.is_empty() {
        problems.push("`panels` should be a non-empty array".to_string());
    }
    let mut ids = Vec::new();
    for (i, panel) in panels.iter().enumerate() {
        let label = panel
            .get("title")
            .and_then(Value::as_str)
            .map_or(format!("panel #{i}"), |t| format!("panel {t:?}"));
        let kind = panel.get("type").and_then(Value::as_str);
        if kind.is_none_or(str::is_empty) {
            problems.push(format!("{label}: `type` should be a non-empty string"));
        }
        let grid = |k: &str| {
            panel
                .get("gridPos")
                .and_then(|g| g.get(k))
                .and_then(Value::as_u64)
        };
        match (grid("h"), grid("w"), grid("x"), grid("y")) {
            (Some(h), Some(w), Some(x), Some(_))
                if h >= 1 && (1..=24).contains(&w) && x + w <= 24 => {}
            _ => problems.push(format!(
                "{label}: `gridPos` should have integers h >= 1, 1 <= w, x + w <= 24, y (got {})",
                panel.get("gridPos").unwrap_or(&Value::Null)
            )),
        }
        if let Some(id) = panel.get("id").and_then(Value::as_u64) {
            if ids.contains(&id) {
                problems.push(format!("{label}: duplicate panel id {id}"));
            }
            ids.push(id);
        }
    }
    problems
}

fn collect_panels<'a>(panels: Option<&'a Value>, out: &mut Vec<&'a Value>) {
    for panel in panels.and_then(Value::as_array).into_iter().flatten() {
        out.push(panel);
        collect_panels(panel.get("panels"), out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_sound_dashboard_has_no_problems() {
        let doc = json!({"title": "todo-api", "schemaVersion": 39, "panels": [
            {"id": 1, "type": "timeseries", "title": "Requests", "gridPos": {"h": 8, "w": 12, "x": 0, "y": 0}},
            {"id": 2, "type": "row", "title": "More", "gridPos": {"h": 1, "w": 24, "x": 0, "y": 8}, "panels": [
                {"id": 3, "type": "stat", "gridPos": {"h": 4, "w": 6, "x": 18, "y": 9}}
            ]}
        ]});
        assert_eq!(dashboard_problems(&doc), Vec::<String>::new());
    }

    #[test]
    fn structural_problems_are_named() {
        let doc = json!({"schemaVersion": "39", "panels": [
            {"id": 1, "title": "No type", "gridPos": {"h": 8, "w": 12, "x": 0, "y": 0}},
            {"id": 1, "type": "stat", "title": "Too wide", "gridPos": {"h": 8, "w": 12, "x": 18, "y": 0}}
        ]});
        let problems = dashboard_problems(&doc).join("\n");
        assert!(problems.contains("`title`"), "{problems}");
        assert!(problems.contains("`schemaVersion`"), "{problems}");
        assert!(problems.contains("panel \"No type\": `type`"), "{problems}");
        assert!(
            problems.contains("panel \"Too wide\": `gridPos`"),
            "{problems}"
        );
        assert!(problems.contains("duplicate panel id 1"), "{problems}");
        assert!(
            dashboard_problems(&json!({"title": "t", "schemaVersion": 1, "panels": []}))
                .join("")
                .contains("non-empty array")
        );
    }
}
