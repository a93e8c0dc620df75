//! Monitoring rules: metrics are exposed, Prometheus is configured to scrape them, and a health
//! endpoint exists for orchestrators and load balancers.

use crate::check::lang::Language;
use crate::check::project::Project;
use crate::check::rule::{Evidence, Outcome};
use crate::check::scan::HitKind;

const METRICS: &[(Language, &[&str])] = &[
    (
        Language::Python,
        &[
            "prometheus-client",
            "prometheus-fastapi-instrumentator",
            "starlette-exporter",
            "django-prometheus",
            "opentelemetry-exporter-prometheus",
            "opentelemetry-sdk",
            "prometheus-flask-exporter",
            "aioprometheus",
            "django-prometheus",
            "statsd",
        ],
    ),
    (
        Language::TypeScript,
        &[
            "prom-client",
            "fastify-metrics",
            "express-prom-bundle",
            "@opentelemetry/exporter-prometheus",
            "@opentelemetry/sdk-node",
            "@willsoto/nestjs-prometheus",
            "express-prometheus-middleware",
            "prometheus-api-metrics",
            "@opentelemetry/sdk-metrics",
        ],
    ),
    (
        Language::Go,
        &[
            "github.com/prometheus/client_golang",
            "go.opentelemetry.io/otel/exporters/prometheus",
            "github.com/VictoriaMetrics/metrics",
            "github.com/zsais/go-gin-prometheus",
            "github.com/penglongli/gin-metrics",
            "go.opentelemetry.io/otel/sdk/metric",
            "github.com/ansrivas/fiberprometheus",
            "github.com/labstack/echo-contrib",
        ],
    ),
    (
        Language::Java,
        &[
            "micrometer-registry-prometheus",
            "micrometer-registry-prometheus-simpleclient",
            "simpleclient",
            "prometheus-metrics-core",
            "opentelemetry-exporter-prometheus",
        ],
    ),
    (
        Language::Rust,
        &[
            "metrics-exporter-prometheus",
            "prometheus",
            "prometheus-client",
            "axum-prometheus",
            "opentelemetry-prometheus",
            "autometrics",
        ],
    ),
];

/// Libraries that serve a health endpoint themselves.
const HEALTH_LIBRARIES: &[(Language, &[&str])] = &[
    (
        Language::Java,
        &[
            "spring-boot-starter-actuator",
            "quarkus-smallrye-health",
            "micronaut-management",
        ],
    ),
    (
        Language::Python,
        &[
            "django-health-check",
            "fastapi-health",
            "flask-healthz",
            "py-healthcheck",
        ],
    ),
    (
        Language::TypeScript,
        &[
            "@nestjs/terminus",
            "@godaddy/terminus",
            "express-healthcheck",
            "fastify-healthcheck",
            "@fastify/under-pressure",
        ],
    ),
    (
        Language::Go,
        &[
            "github.com/heptiolabs/healthcheck",
            "github.com/hellofresh/health-go",
            "github.com/alexliesenfeld/health",
            "github.com/InVisionApp/go-health",
        ],
    ),
];

pub fn metrics(project: &Project) -> Outcome {
    if let Some(skip) = super::unjudged(project) {
        return skip;
    }
    if let Some(pass) = super::declared_dependency(project, METRICS, "is declared") {
        return pass;
    }
    if let Some(hit) = project.scan.of(HitKind::MetricsRoute).next() {
        return Outcome::pass(
            "a /metrics route is served",
            vec![Evidence::at(&hit.path, hit.line, hit.note.clone())],
        );
    }
    Outcome::fail(
        "no metrics library is declared and no /metrics route was found",
        vec![Evidence::note(
            "looked for Prometheus/OpenTelemetry clients among the dependencies and a \"/metrics\" route in the source",
        )],
    )
}

pub fn prometheus_config(project: &Project) -> Outcome {
    // A Grafana datasource is often called prometheus.yml too: only a file with scrape
    // configurations is a Prometheus configuration.
    let candidates = project.named(|n| {
        let lower = n.to_ascii_lowercase();
        lower.starts_with("prometheus") && (lower.ends_with(".yml") || lower.ends_with(".yaml"))
    });
    for path in candidates {
        let text = project.read(path).unwrap_or_default();
        if let Some(i) = text
            .lines()
            .position(|l| l.trim_start().starts_with("scrape_configs:"))
        {
            return Outcome::pass(
                format!("{path} configures Prometheus"),
                vec![Evidence::at(path, i as u32 + 1, "scrape_configs")],
            );
        }
    }
    Outcome::fail(
        "no Prometheus configuration is tracked",
        vec![Evidence::note(
            "looked for a prometheus.yml (or .yaml) with scrape_configs",
        )],
    )
}

pub fn health_endpoint(project: &Project) -> Outcome {
    if let Some(skip) = super::unjudged(project) {
        return skip;
    }
    if let Some(hit) = project.scan.of(HitKind::HealthRoute).next() {
        return Outcome::pass(
            "a health route is served",
            vec![Evidence::at(&hit.path, hit.line, hit.note.clone())],
        );
    }
    if let Some(d) = project.languages.declares_any(HEALTH_LIBRARIES) {
        return Outcome::pass(
            format!("{} serves a health endpoint", d.name),
            vec![Evidence::at(
                &d.file,
                d.line,
                format!("declares {}", d.name),
            )],
        );
    }
    Outcome::fail(
        "no health route was found in the source",
        vec![Evidence::note(
            "looked for \"/healthz\", \"/health\", \"/readyz\", \"/livez\" or \"/ping\" routes, and Spring Boot Actuator",
        )],
    )
}
