//! API rules: the contract is written down as an OpenAPI document.

use crate::check::lang::Language;
use crate::check::project::{Project, file_name};
use crate::check::rule::{Evidence, Outcome};

/// Libraries that generate and serve an OpenAPI document from the code.
const GENERATORS: &[(Language, &[&str])] = &[
    (
        Language::Python,
        &[
            "fastapi",
            "drf-spectacular",
            "flask-smorest",
            "apispec",
            "litestar",
            "django-ninja",
            "connexion",
        ],
    ),
    (
        Language::TypeScript,
        &[
            "@fastify/swagger",
            "@nestjs/swagger",
            "swagger-jsdoc",
            "tsoa",
            "@hono/zod-openapi",
            "express-openapi-validator",
        ],
    ),
    (
        Language::Go,
        &[
            "github.com/swaggo/swag",
            "github.com/danielgtaylor/huma",
            "github.com/getkin/kin-openapi",
            "github.com/ogen-go/ogen",
            "github.com/oapi-codegen/oapi-codegen",
        ],
    ),
    (
        Language::Java,
        &[
            "springdoc-openapi-starter-webmvc-ui",
            "springdoc-openapi-starter-webmvc-api",
            "springdoc-openapi-ui",
            "springfox-boot-starter",
        ],
    ),
    (
        Language::Rust,
        &["utoipa", "aide", "poem-openapi", "okapi", "paperclip"],
    ),
];

pub fn openapi(project: &Project) -> Outcome {
    let docs = project.named(|name| {
        let lower = name.to_ascii_lowercase();
        (lower.starts_with("openapi") || lower.starts_with("swagger"))
            && (lower.ends_with(".yaml") || lower.ends_with(".yml") || lower.ends_with(".json"))
    });
    for path in docs {
        let Some(text) = project.read(path) else {
            continue;
        };
        let found = text.lines().position(|l| {
            let l = l.trim_start().trim_start_matches('"');
            l.starts_with("openapi") || l.starts_with("swagger")
        });
        if let Some(i) = found {
            return Outcome::pass(
                format!("{} is an OpenAPI document", file_name(path)),
                vec![Evidence::at(
                    path,
                    i as u32 + 1,
                    text.lines().nth(i).unwrap_or("").trim(),
                )],
            );
        }
    }
    if let Some(skip) = super::unjudged(project) {
        return Outcome::skip(format!(
            "no openapi.yaml or swagger.json is tracked, and {}",
            skip.message
        ));
    }
    if let Some(pass) =
        super::declared_dependency(project, GENERATORS, "generates the OpenAPI document")
    {
        return pass;
    }
    Outcome::fail(
        "no OpenAPI document is tracked and no library that generates one is declared",
        vec![Evidence::note(
            "looked for openapi.* and swagger.* files, and for OpenAPI generators among the dependencies",
        )],
    )
}
