//! Just enough of a compose file for the deploy rules: each service's `build:` (context and
//! Dockerfile) and whether it declares a `healthcheck:`. Read by indentation, which is how
//! compose files are written; anchors and merge keys are not followed.

/// One service of a compose file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub name: String,
    /// The Dockerfile it builds, relative to the compose file's folder, when it builds one.
    pub dockerfile: Option<String>,
    /// The line of its `healthcheck:` (1-based), when it has one that is not disabled.
    pub healthcheck: Option<u32>,
}

pub fn services(text: &str) -> Vec<Service> {
    let lines: Vec<&str> = text.lines().collect();
    let indent = |l: &str| l.len() - l.trim_start().len();
    let Some(start) = lines.iter().position(|l| l.trim_end() == "services:") else {
        return Vec::new();
    };
    let mut out: Vec<Service> = Vec::new();
    let mut service_indent = None;
    let mut context: Option<String> = None;
    let mut dockerfile: Option<String> = None;
    let mut in_build = None;
    let flush =
        |out: &mut Vec<Service>, context: &mut Option<String>, dockerfile: &mut Option<String>| {
            if let Some(s) = out.last_mut() {
                if context.is_some() || dockerfile.is_some() {
                    let ctx = context.take().unwrap_or_else(|| ".".into());
                    let file = dockerfile.take().unwrap_or_else(|| "Dockerfile".into());
                    s.dockerfile = Some(normalize(&format!("{ctx}/{file}")));
                }
            }
        };
    for (i, raw) in lines.iter().enumerate().skip(start + 1) {
        let t = raw.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let n = indent(raw);
        if n == 0 {
            break;
        }
        let si = *service_indent.get_or_insert(n);
        if n == si {
            flush(&mut out, &mut context, &mut dockerfile);
            in_build = None;
            out.push(Service {
                name: t.trim_end_matches(':').to_string(),
                dockerfile: None,
                healthcheck: None,
            });
            continue;
        }
        let (key, value) = t
            .split_once(':')
            .map_or((t, ""), |(k, v)| (k.trim(), v.trim()));
        let value = value.trim_matches(['"', '\'']);
        if let Some(bi) = in_build {
            if n > bi {
                match key {
                    "context" => context = Some(value.to_string()),
                    "dockerfile" => dockerfile = Some(value.to_string()),
                    _ => {}
                }
                continue;
            }
            in_build = None;
        }
        match key {
            "build" if value.is_empty() => in_build = Some(n),
            "build" => context = Some(value.to_string()),
            "healthcheck" => {
                if let Some(s) = out.last_mut() {
                    s.healthcheck = Some(i as u32 + 1);
                }
            }
            "disable" if value == "true" => {
                if let Some(s) = out.last_mut() {
                    s.healthcheck = None;
                }
            }
            _ => {}
        }
    }
    flush(&mut out, &mut context, &mut dockerfile);
    out
}

/// `./backend/../api/Dockerfile` -> `api/Dockerfile`.
fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_and_healthchecks() {
        let text = "services:\n  db:\n    image: postgres\n    healthcheck:\n      test: [CMD, pg_isready]\n  backend:\n    build:\n      context: ./backend\n      dockerfile: Dockerfile.prod\n  web:\n    build: ./frontend\nvolumes:\n  x:\n";
        let s = services(text);
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].healthcheck, Some(4));
        assert_eq!(s[1].dockerfile.as_deref(), Some("backend/Dockerfile.prod"));
        assert_eq!(s[2].dockerfile.as_deref(), Some("frontend/Dockerfile"));
    }
}
