//! Reading the Prometheus text exposition format (version 0.0.4) that `/metrics` serves.
//!
//! Only what the contract checks need: `# TYPE` lines and samples with their labels. Counters are
//! compared as deltas between two scrapes, so requests made before (health polls, earlier checks)
//! never blur the count of the requests a check just made.

use std::collections::{BTreeMap, HashMap};

#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub value: f64,
}

#[derive(Clone, Debug, Default)]
pub struct Metrics {
    /// Metric family name → type (`counter`, `histogram`, ...).
    pub types: HashMap<String, String>,
    pub samples: Vec<Sample>,
}

impl Metrics {
    /// Parses the exposition text. Lines that are not valid samples are returned as errors so a
    /// check can report them (a server emitting garbage on /metrics is a failure too).
    pub fn parse(text: &str) -> Result<Metrics, String> {
        let mut metrics = Metrics::default();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            if let Some(rest) = line.strip_prefix('#') {
                let mut words = rest.split_whitespace();
                if words.next() == Some("TYPE")
                    && let (Some(name), Some(kind)) = (words.next(), words.next())
                {
                    metrics.types.insert(name.to_string(), kind.to_string());
                }
                continue;
            }
            let sample = parse_sample(line)
                .ok_or_else(|| format!("line {}: not a sample: {line}", number + 1))?;
            metrics.samples.push(sample);
        }
        Ok(metrics)
    }

    /// Samples called `name` whose labels include every `(key, value)` of `labels`.
    pub fn matching<'a>(
        &'a self,
        name: &'a str,
        labels: &'a [(&'a str, &'a str)],
    ) -> impl Iterator<Item = &'a Sample> + 'a {
        self.samples.iter().filter(move |s| {
            s.name == name
                && labels
                    .iter()
                    .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
    }

    /// The sum of the matching samples (0 when there are none).
    pub fn sum(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.matching(name, labels).map(|s| s.value).sum()
    }

    /// Every distinct value of `label` on samples called `name`.
    pub fn label_values(&self, name: &str, label: &str) -> Vec<String> {
        let mut values: Vec<String> = self
            .samples
            .iter()
            .filter(|s| s.name == name)
            .filter_map(|s| s.labels.get(label).cloned())
            .collect();
        values.sort();
        values.dedup();
        values
    }
}

fn parse_sample(line: &str) -> Option<Sample> {
    let name_end = line.find(|c: char| c == '{' || c.is_whitespace())?;
    let name = &line[..name_end];
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
    {
        return None;
    }
    let mut rest = &line[name_end..];
    let mut labels = BTreeMap::new();
    if let Some(after_brace) = rest.strip_prefix('{') {
        let (parsed, remaining) = parse_labels(after_brace)?;
        labels = parsed;
        rest = remaining;
    }
    let value_text = rest.split_whitespace().next()?;
    let value = match value_text {
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        "NaN" => f64::NAN,
        v => v.parse().ok()?,
    };
    Some(Sample {
        name: name.to_string(),
        labels,
        value,
    })
}

/// Parses `a="x",b="y\"z"}` and returns the labels and the text after `}`.
fn parse_labels(mut text: &str) -> Option<(BTreeMap<String, String>, &str)> {
    let mut labels = BTreeMap::new();
    loop {
        text = text.trim_start();
        if let Some(rest) = text.strip_prefix('}') {
            return Some((labels, rest));
        }
        let eq = text.find('=')?;
        let key = text[..eq].trim().to_string();
        text = text[eq + 1..].trim_start().strip_prefix('"')?;
        let mut value = String::new();
        let mut chars = text.char_indices();
        let end = loop {
            let (i, c) = chars.next()?;
            match c {
                '\\' => match chars.next()?.1 {
                    'n' => value.push('\n'),
                    other => value.push(other),
                },
                '"' => break i,
                c => value.push(c),
            }
        };
        labels.insert(key, value);
        text = text[end + 1..].trim_start();
        text = text.strip_prefix(',').unwrap_or(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"# HELP http_requests_total Total HTTP requests.
# TYPE http_requests_total counter
http_requests_total{method="GET",route="/api/v1/tasks/{id}",status="200"} 3.0
http_requests_total{method="GET",route="/api/v1/tasks/{id}",status="404"} 2
http_requests_total{method="GET",route="unmatched",status="404"} 1
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.005",method="GET",route="/healthz"} 4
http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/healthz"} 5
http_request_duration_seconds_sum{method="GET",route="/healthz"} 0.0123
http_request_duration_seconds_count{method="GET",route="/healthz"} 5 1700000000000
weird_label{a="quote\"d, comma}",b="back\\slash"} NaN
process_start_time_seconds 1.7e+09
"#;

    #[test]
    fn parses_types_samples_and_labels() {
        let m = Metrics::parse(SAMPLE).unwrap();
        assert_eq!(m.types["http_requests_total"], "counter");
        assert_eq!(m.types["http_request_duration_seconds"], "histogram");
        assert_eq!(
            m.sum("http_requests_total", &[("route", "/api/v1/tasks/{id}")]),
            5.0
        );
        assert_eq!(
            m.sum(
                "http_requests_total",
                &[("route", "/api/v1/tasks/{id}"), ("status", "404")]
            ),
            2.0
        );
        assert_eq!(
            m.sum(
                "http_request_duration_seconds_count",
                &[("route", "/healthz")]
            ),
            5.0
        );
        assert_eq!(m.sum("process_start_time_seconds", &[]), 1.7e9);
        let bucket = m
            .matching("http_request_duration_seconds_bucket", &[("le", "+Inf")])
            .next()
            .unwrap();
        assert_eq!(bucket.value, 5.0);
    }

    #[test]
    fn unescapes_label_values() {
        let m = Metrics::parse(SAMPLE).unwrap();
        let weird = m.matching("weird_label", &[]).next().unwrap();
        assert_eq!(weird.labels["a"], "quote\"d, comma}");
        assert_eq!(weird.labels["b"], "back\\slash");
        assert!(weird.value.is_nan());
    }

    #[test]
    fn lists_label_values() {
        let m = Metrics::parse(SAMPLE).unwrap();
        assert_eq!(
            m.label_values("http_requests_total", "route"),
            vec!["/api/v1/tasks/{id}", "unmatched"]
        );
    }

    #[test]
    fn rejects_garbage() {
        assert!(Metrics::parse("<html>oops</html>").is_err());
        assert!(Metrics::parse("m{a=\"unterminated} 1").is_err());
    }
}
