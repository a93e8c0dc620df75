//! Authentication rules: passwords are hashed and tokens issued with maintained libraries, not
//! home-made crypto. Judged from the dependencies the manifests declare.

use crate::check::lang::Language;
use crate::check::project::Project;
use crate::check::rule::{Evidence, Outcome};

const HASHERS: &[(Language, &[&str])] = &[
    (
        Language::Python,
        &[
            "argon2-cffi",
            "passlib",
            "bcrypt",
            "pwdlib",
            "scrypt",
            "django",
        ],
    ),
    (
        Language::TypeScript,
        &[
            "argon2",
            "bcrypt",
            "bcryptjs",
            "@node-rs/argon2",
            "@node-rs/bcrypt",
            "hash-wasm",
        ],
    ),
    (
        Language::Go,
        &[
            "golang.org/x/crypto",
            "github.com/alexedwards/argon2id",
            "github.com/matthewhartstonge/argon2",
        ],
    ),
    (
        Language::Java,
        &[
            "spring-security-crypto",
            "spring-boot-starter-security",
            "bcprov-jdk18on",
            "password4j",
            "argon2-jvm",
            "jbcrypt",
        ],
    ),
    (
        Language::Rust,
        &["argon2", "bcrypt", "scrypt", "password-hash", "rust-argon2"],
    ),
];

const TOKENS: &[(Language, &[&str])] = &[
    (
        Language::Python,
        &[
            "pyjwt",
            "python-jose",
            "authlib",
            "jwcrypto",
            "joserfc",
            "fastapi-users",
            "djangorestframework-simplejwt",
            "flask-jwt-extended",
        ],
    ),
    (
        Language::TypeScript,
        &[
            "jsonwebtoken",
            "jose",
            "@fastify/jwt",
            "passport-jwt",
            "fast-jwt",
            "@nestjs/jwt",
            "hono",
        ],
    ),
    (
        Language::Go,
        &[
            "github.com/golang-jwt/jwt",
            "github.com/lestrrat-go/jwx",
            "github.com/go-jose/go-jose",
            "gopkg.in/square/go-jose.v2",
            "github.com/o1egl/paseto",
        ],
    ),
    (
        Language::Java,
        &[
            "spring-boot-starter-oauth2-resource-server",
            // Its Spring Boot 4 name.
            "spring-boot-starter-security-oauth2-resource-server",
            "spring-security-oauth2-jose",
            "jjwt-api",
            "jjwt",
            "java-jwt",
            "nimbus-jose-jwt",
        ],
    ),
    (
        Language::Rust,
        &[
            "jsonwebtoken",
            "jwt-simple",
            "josekit",
            "biscuit-auth",
            "pasetors",
            "jwt",
        ],
    ),
];

fn declared(project: &Project, table: &[(Language, &[&str])], what: &str) -> Outcome {
    if let Some(skip) = super::unjudged(project) {
        return skip;
    }
    if let Some(pass) = super::declared_dependency(project, table, "is declared") {
        return pass;
    }
    let manifests: Vec<Evidence> = project
        .languages
        .manifests
        .values()
        .filter_map(|m| m.first())
        .map(|m| {
            Evidence::file(
                m.clone(),
                format!("no {what} library among the dependencies"),
            )
        })
        .collect();
    Outcome::fail(format!("no {what} library is declared"), manifests)
}

pub fn password_hashing(project: &Project) -> Outcome {
    declared(project, HASHERS, "password-hashing")
}

pub fn tokens(project: &Project) -> Outcome {
    declared(project, TOKENS, "token (JWT)")
}
