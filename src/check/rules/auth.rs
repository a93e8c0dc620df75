//! Authentication rules: passwords are hashed and tokens issued with maintained libraries, not
//! home-made crypto. Judged from the dependencies the manifests declare.

use crate::check::lang::Language;
use crate::check::project::Project;
use crate::check::rule::{Evidence, Outcome};
use crate::check::scan::HitKind;

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
            "flask-bcrypt",
            "flask-security",
            "flask-security-too",
            "werkzeug",
            "fastapi-users",
            "djangorestframework",
            "django-allauth",
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
            "bcrypt-nodejs",
            "scrypt-kdf",
            "@adonisjs/hash",
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
            "spring-security-core",
            "spring-security-config",
            "quarkus-elytron-security-common",
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
            "flask-jwt",
            "djangorestframework-jwt",
            "drf-jwt",
            "fastapi-jwt-auth",
            "itsdangerous",
            "flask-httpauth",
            "django-rest-knox",
            // Server-side sessions are the other maintained way to keep a user signed in.
            "flask-login",
            "django",
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
            "express-jwt",
            "koa-jwt",
            "jwt-simple",
            "@auth/core",
            "next-auth",
            "better-auth",
            "lucia",
            "@fastify/session",
            "@fastify/secure-session",
            "express-session",
            "cookie-session",
            "koa-session",
            "iron-session",
            "passport",
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
            "github.com/dgrijalva/jwt-go",
            "github.com/form3tech-oss/jwt-go",
            "github.com/appleboy/gin-jwt",
            "github.com/gbrlsnchs/jwt",
            "github.com/cristalhq/jwt",
            "github.com/kataras/jwt",
            "github.com/gofiber/jwt",
            "github.com/auth0/go-jwt-middleware",
            "github.com/gorilla/sessions",
            "github.com/gin-contrib/sessions",
            "github.com/alexedwards/scs",
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
            "jjwt-impl",
            "spring-security-oauth2-jose",
            "spring-boot-starter-oauth2-client",
            "smallrye-jwt",
            "spring-boot-starter-security",
            "spring-session-core",
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
            "tower-sessions",
            "axum-login",
            "actix-session",
        ],
    ),
];

fn declared(
    project: &Project,
    table: &[(Language, &[&str])],
    built_in: HitKind,
    what: &str,
) -> Outcome {
    if let Some(skip) = super::unjudged(project) {
        return skip;
    }
    if let Some(pass) = super::declared_dependency(project, table, "is declared") {
        return pass;
    }
    if let Some(hit) = project.scan.of(built_in).find(|h| !h.fixture) {
        return Outcome::pass(
            format!("the framework's own {what} is used"),
            vec![Evidence::at(&hit.path, hit.line, hit.note.clone())],
        );
    }
    // A service nobody logs in to (a public read-only API, a worker) needs neither.
    if !project.scan.of(HitKind::UserAccounts).any(|h| !h.fixture) {
        return Outcome::not_applicable(
            "the service has no user accounts (no password or login handling in the source)",
            vec![Evidence::note(
                "looked for password, login, signup and authenticate in the application code",
            )],
        );
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
    Outcome::fail(
        format!("no {what} library is declared, and the service handles user accounts"),
        manifests,
    )
}

pub fn password_hashing(project: &Project) -> Outcome {
    declared(
        project,
        HASHERS,
        HitKind::FrameworkHashing,
        "password-hashing",
    )
}

pub fn tokens(project: &Project) -> Outcome {
    declared(project, TOKENS, HitKind::FrameworkTokens, "token (JWT)")
}
