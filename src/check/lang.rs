//! Which languages a repository is written in, and which libraries its manifests declare.
//!
//! A language counts when its manifest is tracked at the top or one or two folders down
//! (`pyproject.toml`, `package.json`, `go.mod`, `pom.xml`/`build.gradle`, `Cargo.toml`).
//! Dependencies are read from those manifests with just enough parsing to get names and the line
//! they sit on, which is the evidence the rules print. Other languages are only recognised by
//! file extension, so the report can say plainly which rules it could not judge for them.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::check::repo::Snapshot;

/// The languages whose conventions `folio check` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Language {
    #[serde(rename = "python")]
    Python,
    #[serde(rename = "typescript")]
    TypeScript,
    #[serde(rename = "go")]
    Go,
    #[serde(rename = "java")]
    Java,
    #[serde(rename = "rust")]
    Rust,
}

impl Language {
    pub fn name(self) -> &'static str {
        match self {
            Language::Python => "Python",
            Language::TypeScript => "TypeScript/JavaScript",
            Language::Go => "Go",
            Language::Java => "Java",
            Language::Rust => "Rust",
        }
    }

    /// The manifest files that mark a project of this language.
    fn is_manifest(self, file_name: &str) -> bool {
        match self {
            Language::Python => {
                matches!(
                    file_name,
                    "pyproject.toml" | "setup.py" | "setup.cfg" | "Pipfile"
                ) || is_requirements(file_name)
            }
            Language::TypeScript => file_name == "package.json",
            Language::Go => file_name == "go.mod",
            Language::Java => {
                matches!(file_name, "pom.xml" | "build.gradle" | "build.gradle.kts")
            }
            Language::Rust => file_name == "Cargo.toml",
        }
    }

    /// File extensions of this language's source code.
    pub fn is_source(self, path: &str) -> bool {
        let ext = path.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        match self {
            Language::Python => ext == "py",
            Language::TypeScript => {
                matches!(
                    ext,
                    "ts" | "tsx" | "mts" | "cts" | "js" | "jsx" | "mjs" | "cjs"
                )
            }
            Language::Go => ext == "go",
            Language::Java => matches!(ext, "java" | "kt" | "kts" | "scala" | "groovy"),
            Language::Rust => ext == "rs",
        }
    }
}

const ALL: [Language; 5] = [
    Language::Python,
    Language::TypeScript,
    Language::Go,
    Language::Java,
    Language::Rust,
];

/// Folders whose manifests are someone else's project, not this one.
const FOREIGN_DIRS: &[&str] = &[
    "node_modules",
    "vendor",
    "third_party",
    "examples",
    "fixtures",
    "testdata",
];

/// Languages by extension that folio cannot judge, so it can name them.
const OTHER_LANGUAGES: &[(&str, &str)] = &[
    ("rb", "Ruby"),
    ("php", "PHP"),
    ("cs", "C#"),
    ("fs", "F#"),
    ("ex", "Elixir"),
    ("exs", "Elixir"),
    ("erl", "Erlang"),
    ("swift", "Swift"),
    ("dart", "Dart"),
    ("hs", "Haskell"),
    ("clj", "Clojure"),
    ("c", "C"),
    ("cpp", "C++"),
    ("cc", "C++"),
    ("pl", "Perl"),
    ("lua", "Lua"),
    ("zig", "Zig"),
    ("nim", "Nim"),
    ("cr", "Crystal"),
    ("r", "R"),
];

pub fn is_requirements(file_name: &str) -> bool {
    file_name.starts_with("requirements") && file_name.ends_with(".txt")
}

/// A declared dependency and where it is declared.
#[derive(Debug, Clone)]
pub struct Dependency {
    pub name: String,
    pub file: String,
    pub line: u32,
}

/// What the repository is written in and what it depends on.
#[derive(Debug, Default)]
pub struct Languages {
    /// Judged languages with their manifest paths, shallowest first.
    pub manifests: BTreeMap<Language, Vec<String>>,
    /// Languages present (by extension) that folio cannot judge.
    pub not_judged: Vec<&'static str>,
    dependencies: Vec<(Language, Dependency)>,
}

impl Languages {
    pub fn detect(snapshot: &Snapshot) -> Self {
        let mut manifests: BTreeMap<Language, Vec<String>> = BTreeMap::new();
        let mut others: BTreeMap<&'static str, usize> = BTreeMap::new();
        let mut source_counts: BTreeMap<Language, usize> = BTreeMap::new();
        for file in &snapshot.files {
            let path = file.path.as_str();
            let depth = path.matches('/').count();
            let name = path.rsplit('/').next().unwrap_or(path);
            let foreign = path.split('/').any(|c| FOREIGN_DIRS.contains(&c));
            if depth <= 2 && !foreign {
                for lang in ALL {
                    if lang.is_manifest(name) {
                        manifests.entry(lang).or_default().push(path.to_string());
                    }
                }
            }
            let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
            if let Some(ext) = ext {
                if let Some((_, lang)) = OTHER_LANGUAGES.iter().find(|(e, _)| *e == ext) {
                    *others.entry(lang).or_default() += 1;
                }
                for lang in ALL {
                    if lang.is_source(name) {
                        *source_counts.entry(lang).or_default() += 1;
                    }
                }
            }
        }
        // A package.json next to a Python or Java project is usually tooling (a linter, a
        // docs site); it makes TypeScript a language only when there is code to go with it.
        if manifests.contains_key(&Language::TypeScript)
            && manifests.len() > 1
            && source_counts
                .get(&Language::TypeScript)
                .copied()
                .unwrap_or(0)
                == 0
        {
            manifests.remove(&Language::TypeScript);
        }
        for list in manifests.values_mut() {
            list.sort_by_key(|p| (p.matches('/').count(), p.clone()));
        }
        let mut not_judged: Vec<(&'static str, usize)> = others.into_iter().collect();
        not_judged.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let mut langs = Languages {
            manifests,
            not_judged: not_judged.into_iter().map(|(name, _)| name).collect(),
            dependencies: Vec::new(),
        };
        langs.read_dependencies(snapshot);
        langs.drop_front_ends();
        langs
    }

    /// A package.json of a browser front end (React, Vue, Angular, Svelte, no server framework)
    /// beside a back end in another language is not the service: its rules would judge the
    /// wrong project. It is dropped when another language remains.
    fn drop_front_ends(&mut self) {
        const UI: &[&str] = &[
            "react",
            "vue",
            "@angular/core",
            "svelte",
            "preact",
            "solid-js",
            "react-scripts",
            "vite",
        ];
        const SERVER: &[&str] = &[
            "express",
            "fastify",
            "@nestjs/core",
            "koa",
            "hono",
            "@hapi/hapi",
            "next",
            "nuxt",
            "@remix-run/node",
            "@sveltejs/kit",
            "elysia",
            "restify",
            "apollo-server",
            "@apollo/server",
        ];
        if self.manifests.len() < 2 {
            return;
        }
        let Some(paths) = self.manifests.get(&Language::TypeScript).cloned() else {
            return;
        };
        let declares = |path: &str, names: &[&str]| {
            self.dependencies.iter().any(|(l, d)| {
                *l == Language::TypeScript && d.file == path && names.contains(&d.name.as_str())
            })
        };
        let front: Vec<String> = paths
            .iter()
            .filter(|p| declares(p, UI) && !declares(p, SERVER))
            .cloned()
            .collect();
        if front.len() == paths.len() {
            self.manifests.remove(&Language::TypeScript);
            self.dependencies
                .retain(|(l, d)| !(*l == Language::TypeScript && front.contains(&d.file)));
        }
    }

    pub fn judged(&self) -> impl Iterator<Item = Language> + '_ {
        self.manifests.keys().copied()
    }

    pub fn has(&self, lang: Language) -> bool {
        self.manifests.contains_key(&lang)
    }

    pub fn is_empty(&self) -> bool {
        self.manifests.is_empty()
    }

    /// The manifests of `lang` with the given file name, shallowest first.
    pub fn manifests_named<'a>(
        &'a self,
        lang: Language,
        name: &'a str,
    ) -> impl Iterator<Item = &'a str> + 'a {
        self.manifests
            .get(&lang)
            .into_iter()
            .flatten()
            .filter(move |p| p.rsplit('/').next() == Some(name))
            .map(String::as_str)
    }

    /// The first declared dependency of `lang` among `names` (compared as the ecosystem does).
    pub fn dependency(&self, lang: Language, names: &[&str]) -> Option<&Dependency> {
        self.dependencies
            .iter()
            .filter(|(l, _)| *l == lang)
            .map(|(_, d)| d)
            .find(|d| names.iter().any(|n| same_package(lang, &d.name, n)))
    }

    /// The first declared dependency of `lang` whose name satisfies `pred`.
    pub fn dependency_where(
        &self,
        lang: Language,
        pred: impl Fn(&str) -> bool,
    ) -> Option<&Dependency> {
        self.dependencies
            .iter()
            .filter(|(l, _)| *l == lang)
            .map(|(_, d)| d)
            .find(|d| pred(&d.name))
    }

    /// Whether any language declares one of `names` (each compared as its ecosystem does).
    pub fn declares_any(&self, table: &[(Language, &[&str])]) -> Option<&Dependency> {
        table
            .iter()
            .find_map(|(lang, names)| self.dependency(*lang, names))
    }

    /// Why a language-aware rule could not judge this repository.
    pub fn unjudged_reason(&self) -> String {
        let known = "Python, TypeScript/JavaScript, Go, Java or Rust";
        match self.not_judged.first() {
            Some(other) => format!(
                "no {known} project found (no pyproject.toml, package.json, go.mod, pom.xml, build.gradle or Cargo.toml); folio check cannot judge this for {other}"
            ),
            None => format!(
                "no {known} project found (no pyproject.toml, package.json, go.mod, pom.xml, build.gradle or Cargo.toml)"
            ),
        }
    }

    fn read_dependencies(&mut self, snapshot: &Snapshot) {
        let manifests: Vec<(Language, String)> = self
            .manifests
            .iter()
            .flat_map(|(lang, paths)| paths.iter().map(move |p| (*lang, p.clone())))
            .collect();
        for (lang, path) in manifests {
            let Some(text) = snapshot.read(&path) else {
                continue;
            };
            let name = path.rsplit('/').next().unwrap_or(&path);
            let found = match (lang, name) {
                (Language::TypeScript, _) => package_json(&text),
                (Language::Go, _) => go_mod(&text),
                (Language::Java, "pom.xml") => maven(&text),
                (Language::Java, _) => gradle(&text),
                (Language::Rust, _) => cargo_toml(&text),
                (Language::Python, n) if is_requirements(n) => requirements(&text),
                (Language::Python, _) => python_manifest(&text),
            };
            for (name, line) in found {
                self.dependencies.push((
                    lang,
                    Dependency {
                        name,
                        file: path.clone(),
                        line,
                    },
                ));
            }
        }
    }
}

/// Package names compare the way the ecosystem compares them: PyPI ignores case and `-_.`,
/// a Go module matches its major-version subpaths (`.../jwt` matches `.../jwt/v5`).
fn same_package(lang: Language, declared: &str, wanted: &str) -> bool {
    match lang {
        Language::Python => normalize_python(declared) == normalize_python(wanted),
        Language::Go => {
            declared == wanted
                || declared
                    .strip_prefix(wanted)
                    .is_some_and(|rest| rest.starts_with('/'))
        }
        _ => declared.eq_ignore_ascii_case(wanted),
    }
}

fn normalize_python(name: &str) -> String {
    name.to_ascii_lowercase().replace(['_', '.'], "-")
}

fn line_of(text: &str, needle: &str) -> u32 {
    text.lines()
        .position(|l| l.contains(needle))
        .map(|i| i as u32 + 1)
        .unwrap_or(1)
}

/// The name at the start of a PEP 508 requirement (`argon2-cffi[extra]>=1; marker`).
fn requirement_name(spec: &str) -> Option<&str> {
    let spec = spec.trim();
    let end = spec
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(spec.len());
    (end > 0).then(|| &spec[..end])
}

fn requirements(text: &str) -> Vec<(String, u32)> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| {
            let t = l.trim_start();
            !t.is_empty() && !t.starts_with('#') && !t.starts_with('-')
        })
        .filter_map(|(i, l)| requirement_name(l).map(|n| (n.to_string(), i as u32 + 1)))
        .collect()
}

/// pyproject.toml, setup.cfg, setup.py and Pipfile: every quoted or listed requirement.
fn python_manifest(text: &str) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    if let Ok(table) = text.parse::<toml::Table>() {
        let mut specs: Vec<String> = Vec::new();
        let mut push_array = |v: Option<&toml::Value>| {
            for item in v.and_then(|v| v.as_array()).into_iter().flatten() {
                if let Some(s) = item.as_str() {
                    specs.push(s.to_string());
                }
            }
        };
        let project = table.get("project");
        push_array(project.and_then(|p| p.get("dependencies")));
        for group in [
            project.and_then(|p| p.get("optional-dependencies")),
            table.get("dependency-groups"),
        ]
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_table())
        {
            for deps in group.values() {
                push_array(Some(deps));
            }
        }
        for spec in &specs {
            if let Some(name) = requirement_name(spec) {
                out.push((name.to_string(), line_of(text, spec)));
            }
        }
        // Poetry and Pipfile: dependencies are table keys.
        let poetry = table.get("tool").and_then(|t| t.get("poetry"));
        let mut tables: Vec<&toml::Table> = Vec::new();
        for key in ["dependencies", "dev-dependencies"] {
            if let Some(t) = poetry.and_then(|p| p.get(key)).and_then(|v| v.as_table()) {
                tables.push(t);
            }
        }
        if let Some(groups) = poetry
            .and_then(|p| p.get("group"))
            .and_then(|v| v.as_table())
        {
            for group in groups.values() {
                if let Some(t) = group.get("dependencies").and_then(|v| v.as_table()) {
                    tables.push(t);
                }
            }
        }
        for key in ["packages", "dev-packages"] {
            if let Some(t) = table.get(key).and_then(|v| v.as_table()) {
                tables.push(t);
            }
        }
        for t in tables {
            for name in t.keys() {
                out.push((name.clone(), line_of(text, name)));
            }
        }
        return out;
    }
    // setup.py / setup.cfg: quoted requirement strings, or indented lines under install_requires.
    let quoted = regex::Regex::new(
        r#"["']([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(?:[<>=!~;]|["'])"#,
    )
    .expect("valid regex");
    for (i, line) in text.lines().enumerate() {
        for cap in quoted.captures_iter(line) {
            out.push((cap[1].to_string(), i as u32 + 1));
        }
        let t = line.trim();
        if line.starts_with([' ', '\t']) && !t.contains('=') || t.contains("==") {
            if let Some(name) = requirement_name(t) {
                out.push((name.to_string(), i as u32 + 1));
            }
        }
    }
    out
}

fn package_json(text: &str) -> Vec<(String, u32)> {
    let Ok(json) = serde_json::from_str::<serde_json::Value>(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for key in [
        "dependencies",
        "devDependencies",
        "peerDependencies",
        "optionalDependencies",
    ] {
        if let Some(deps) = json.get(key).and_then(|v| v.as_object()) {
            for name in deps.keys() {
                out.push((name.clone(), line_of(text, &format!("\"{name}\""))));
            }
        }
    }
    out
}

fn go_mod(text: &str) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    let mut in_block = false;
    for (i, line) in text.lines().enumerate() {
        // An `// indirect` requirement is a dependency's dependency, not one the module declares.
        if line.contains("// indirect") {
            continue;
        }
        let t = line.split("//").next().unwrap_or("").trim();
        let spec = if in_block {
            if t == ")" {
                in_block = false;
                continue;
            }
            t
        } else if let Some(rest) = t.strip_prefix("require") {
            let rest = rest.trim();
            if rest == "(" {
                in_block = true;
                continue;
            }
            rest
        } else {
            continue;
        };
        if let Some(module) = spec.split_whitespace().next() {
            out.push((module.to_string(), i as u32 + 1));
        }
    }
    out
}

fn maven(text: &str) -> Vec<(String, u32)> {
    let re = regex::Regex::new(r"<artifactId>\s*([^<\s]+)\s*</artifactId>").expect("valid regex");
    text.lines()
        .enumerate()
        .flat_map(|(i, l)| {
            re.captures_iter(l)
                .map(move |c| (c[1].to_string(), i as u32 + 1))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn gradle(text: &str) -> Vec<(String, u32)> {
    // "group:artifact:version" coordinates, and plugin ids.
    let coordinate =
        regex::Regex::new(r#"["']([\w.\-]+):([\w.\-]+)(?::[^"']*)?["']"#).expect("valid regex");
    let plugin = regex::Regex::new(r#"id\s*\(?\s*["']([\w.\-]+)["']"#).expect("valid regex");
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        for c in coordinate.captures_iter(line) {
            out.push((c[2].to_string(), i as u32 + 1));
        }
        for c in plugin.captures_iter(line) {
            out.push((c[1].to_string(), i as u32 + 1));
        }
    }
    out
}

fn cargo_toml(text: &str) -> Vec<(String, u32)> {
    let Ok(table) = text.parse::<toml::Table>() else {
        return Vec::new();
    };
    let mut tables: Vec<&toml::Table> = Vec::new();
    for key in ["dependencies", "dev-dependencies", "build-dependencies"] {
        if let Some(t) = table.get(key).and_then(|v| v.as_table()) {
            tables.push(t);
        }
    }
    if let Some(t) = table
        .get("workspace")
        .and_then(|w| w.get("dependencies"))
        .and_then(|v| v.as_table())
    {
        tables.push(t);
    }
    if let Some(targets) = table.get("target").and_then(|v| v.as_table()) {
        for target in targets.values() {
            for key in ["dependencies", "dev-dependencies"] {
                if let Some(t) = target.get(key).and_then(|v| v.as_table()) {
                    tables.push(t);
                }
            }
        }
    }
    let mut out = Vec::new();
    for t in tables {
        for (key, value) in t {
            // `jwt = { package = "jsonwebtoken" }` depends on jsonwebtoken.
            let name = value.get("package").and_then(|p| p.as_str()).unwrap_or(key);
            let line = text
                .lines()
                .position(|l| {
                    let l = l.trim_start();
                    l.starts_with(key.as_str()) || l.contains(&format!(".{key}]"))
                })
                .map(|i| i as u32 + 1)
                .unwrap_or(1);
            out.push((name.to_string(), line));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_names_compare_normalized() {
        assert!(same_package(Language::Python, "PyJWT", "pyjwt"));
        assert!(same_package(Language::Python, "argon2_cffi", "argon2-cffi"));
        assert!(same_package(
            Language::Go,
            "github.com/golang-jwt/jwt/v5",
            "github.com/golang-jwt/jwt"
        ));
        assert!(!same_package(
            Language::Go,
            "github.com/golang-jwt/jwtx",
            "github.com/golang-jwt/jwt"
        ));
    }

    #[test]
    fn pyproject_dependencies_have_lines() {
        let text = "[project]\nname = \"x\"\ndependencies = [\n  \"fastapi==0.1\",\n  \"argon2-cffi[x]>=2\",\n]\n[project.optional-dependencies]\ndev = [\"pytest==9\"]\n";
        let deps = python_manifest(text);
        assert!(deps.contains(&("argon2-cffi".to_string(), 5)), "{deps:?}");
        assert!(deps.contains(&("pytest".to_string(), 8)), "{deps:?}");
    }

    #[test]
    fn go_mod_requires() {
        let text = "module x\n\nrequire github.com/a/b v1\nrequire (\n\tgithub.com/c/d v2 // indirect\n)\n";
        assert_eq!(
            go_mod(text),
            vec![("github.com/a/b".to_string(), 3)],
            "an `// indirect` requirement is not declared by the module"
        );
    }

    #[test]
    fn gradle_coordinates_and_plugins() {
        let text = "plugins { id 'org.springframework.boot' version '3' }\ndependencies {\n implementation(\"io.jsonwebtoken:jjwt-api:0.12.6\")\n}\n";
        let deps = gradle(text);
        assert!(deps.contains(&("jjwt-api".to_string(), 3)), "{deps:?}");
        assert!(
            deps.contains(&("org.springframework.boot".to_string(), 1)),
            "{deps:?}"
        );
    }
}
