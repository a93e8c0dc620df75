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
            "flask-apispec",
            "flask-restx",
            "flask-restplus",
            "flasgger",
            "drf-yasg",
            "spectree",
            "flask-openapi3",
            "apiflask",
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
            "swagger-ui-express",
            "fastify-swagger",
            "express-jsdoc-swagger",
            "@asteasolutions/zod-to-openapi",
            "hono-openapi",
            "@elysiajs/swagger",
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
            "github.com/deepmap/oapi-codegen",
            "github.com/swaggo/gin-swagger",
            "github.com/swaggo/http-swagger",
            "github.com/swaggo/echo-swagger",
            "github.com/swaggo/fiber-swagger",
            "github.com/go-swagger/go-swagger",
        ],
    ),
    (
        Language::Java,
        &[
            "springdoc-openapi-starter-webmvc-ui",
            "springdoc-openapi-starter-webmvc-api",
            "springdoc-openapi-ui",
            "springfox-boot-starter",
            "springdoc-openapi-starter-webflux-ui",
            "springdoc-openapi-starter-webflux-api",
            "springdoc-openapi-webmvc-core",
            "springfox-swagger2",
            "quarkus-smallrye-openapi",
            "micronaut-openapi",
        ],
    ),
    (
        Language::Rust,
        &[
            "utoipa",
            "aide",
            "poem-openapi",
            "okapi",
            "paperclip",
            "rocket_okapi",
            "apistos",
        ],
    ),
];

/// GraphQL servers.
const GRAPHQL: &[(Language, &[&str])] = &[
    (
        Language::Python,
        &[
            "graphene",
            "graphene-django",
            "strawberry-graphql",
            "ariadne",
            "tartiflette",
        ],
    ),
    (
        Language::TypeScript,
        &[
            "apollo-server",
            "@apollo/server",
            "apollo-server-express",
            "graphql-yoga",
            "@nestjs/graphql",
            "type-graphql",
            "mercurius",
            "express-graphql",
            "graphql-http",
            "@pothos/core",
        ],
    ),
    (
        Language::Go,
        &[
            "github.com/99designs/gqlgen",
            "github.com/graphql-go/graphql",
            "github.com/graph-gophers/graphql-go",
        ],
    ),
    (
        Language::Java,
        &[
            "spring-boot-starter-graphql",
            "graphql-java",
            "graphql-spring-boot-starter",
            "dgs-framework",
            "graphql-dgs-spring-boot-starter",
        ],
    ),
    (Language::Rust, &["async-graphql", "juniper"]),
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
    // A GraphQL API's contract is its schema, not an OpenAPI document.
    let java_graphql = || {
        project.languages.dependency_where(Language::Java, |n| {
            n.contains("graphql") && !n.contains("client") && !n.contains("test")
        })
    };
    if let Some(d) = project
        .languages
        .declares_any(GRAPHQL)
        .or_else(java_graphql)
    {
        if let Some(schema) = project.first_named(|n| {
            n.ends_with(".graphql") || n.ends_with(".gql") || n.ends_with(".graphqls")
        }) {
            return Outcome::pass(
                format!("{schema} is the GraphQL API's contract"),
                vec![Evidence::file(schema, "GraphQL schema")],
            );
        }
        return Outcome::not_applicable(
            format!("a GraphQL API ({}): OpenAPI describes REST APIs", d.name),
            vec![Evidence::at(
                &d.file,
                d.line,
                format!("declares {}", d.name),
            )],
        );
    }
    Outcome::fail(
        "no OpenAPI document is tracked and no library that generates one is declared",
        vec![Evidence::note(
            "looked for openapi.* and swagger.* files, and for OpenAPI generators among the dependencies",
        )],
    )
}
