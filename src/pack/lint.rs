//! `folio pack lint`: a pack renders for every combination it can be asked for, and what it
//! renders still parses.
//!
//! The combinations are every value of the pack's `choice` and `bool` variables (other variables
//! take their default) times the stack's databases times the CI choices. Each render is strict,
//! so an unknown variable is an error naming the file and line; every `.json`, `.yml`/`.yaml`
//! and `.toml` output must parse. The number of combinations is capped so a pack cannot make
//! lint run for ever.

use crate::answers::{Answers, Ci, License, ProjectName};
use crate::error::Result;
use crate::pack::load::Pack;
use crate::pack::render::{Prepared, render};
use crate::pack::vars::Values;
use crate::tree::Tree;

/// The most combinations lint renders; past it, the first ones are taken and that is said.
pub const MAX_COMBINATIONS: usize = 256;

/// One combination of answers lint tries.
#[derive(Debug, Clone)]
pub struct Combination {
    pub answers: Answers,
    pub values: Values,
}

impl Combination {
    /// `db=sqlite ci=github cohort=...`, for messages.
    pub fn label(&self) -> String {
        let mut parts = vec![
            format!("db={}", self.answers.db.id()),
            format!("ci={}", self.answers.ci.id()),
            format!("jobs={}", self.answers.jobs.id()),
        ];
        parts.extend(self.values.iter().map(|(k, v)| format!("{k}={v}")));
        parts.join(" ")
    }
}

/// Every combination, up to [`MAX_COMBINATIONS`]; `true` when some were left out.
pub fn combinations(pack: &Pack, prepared: &Prepared<'_>) -> (Vec<Combination>, bool) {
    let mut value_sets: Vec<Values> = vec![Values::new()];
    for var in &pack.manifest.variables {
        let choices = var.lint_values();
        if choices.is_empty() {
            continue; // a string without default: the fixed sample below
        }
        let mut next = Vec::new();
        for set in &value_sets {
            for value in &choices {
                let mut set = set.clone();
                set.insert(var.name.clone(), value.clone());
                next.push(set);
            }
        }
        value_sets = next;
        if value_sets.len() > MAX_COMBINATIONS {
            break;
        }
    }
    for set in &mut value_sets {
        for var in &pack.manifest.variables {
            set.entry(var.name.clone()).or_insert_with(|| sample(var));
        }
    }
    let stack = prepared.stack();
    let mut all = Vec::new();
    let options = stack.manifest.databases.iter().flat_map(|db| {
        stack
            .manifest
            .jobs
            .iter()
            .flat_map(move |jobs| [Ci::Github, Ci::Gitlab, Ci::None].map(|ci| (*db, *jobs, ci)))
    });
    for (db, jobs, ci) in options {
        for values in &value_sets {
            all.push(Combination {
                answers: Answers {
                    name: ProjectName::parse("lint-demo").expect("a valid name"),
                    db,
                    ci,
                    jobs,
                    author: "Pack Lint".into(),
                    description: "A project folio pack lint renders".into(),
                    license: License::Mit,
                    year: 2026,
                    student: "Ada Lovelace".into(),
                },
                values: values.clone(),
            });
        }
    }
    let truncated = all.len() > MAX_COMBINATIONS;
    all.truncate(MAX_COMBINATIONS);
    (all, truncated)
}

/// A stand-in answer for a variable lint cannot enumerate and that has no default.
fn sample(var: &crate::pack::manifest::Variable) -> toml::Value {
    use crate::pack::manifest::VariableKind;
    match var.kind {
        VariableKind::Integer => {
            let n = var.min.unwrap_or(0);
            toml::Value::Integer(var.max.map_or(n, |max| n.min(max)))
        }
        VariableKind::Bool => toml::Value::Boolean(false),
        _ => toml::Value::String("sample".into()),
    }
}

/// Renders one combination.
pub fn render_one(pack: &Pack, prepared: &Prepared<'_>, combination: &Combination) -> Result<Tree> {
    render(pack, prepared, &combination.answers, &combination.values)
}

/// Problems with the rendered files that must parse, as `path: why`.
pub fn parse_problems(tree: &Tree) -> Vec<String> {
    let mut problems = Vec::new();
    for (path, file) in tree.iter() {
        let lower = path.to_ascii_lowercase();
        let kind = if lower.ends_with(".json") {
            "JSON"
        } else if lower.ends_with(".yml") || lower.ends_with(".yaml") {
            "YAML"
        } else if lower.ends_with(".toml") {
            "TOML"
        } else {
            continue;
        };
        let Ok(text) = std::str::from_utf8(&file.contents) else {
            problems.push(format!("{path}: it is not UTF-8"));
            continue;
        };
        let result = match kind {
            "JSON" => serde_json::from_str::<serde_json::Value>(text)
                .map(|_| ())
                .map_err(|e| e.to_string()),
            "YAML" => yaml_rust2::YamlLoader::load_from_str(text)
                .map(|_| ())
                .map_err(|e| e.to_string()),
            _ => text
                .parse::<toml::Table>()
                .map(|_| ())
                .map_err(|e| crate::answers::one_line(&e.to_string(), 300)),
        };
        if let Err(why) = result {
            problems.push(format!("{path}: not valid {kind}: {why}"));
        }
    }
    problems
}
