//! Database rules: the schema evolves through migrations that are committed.

use crate::check::lang::Language;
use crate::check::project::{Project, file_name};
use crate::check::rule::{Evidence, Outcome};

/// Folders the usual migration tools keep their files in.
const MIGRATION_DIRS: &[&str] = &[
    "migrations",
    "migration",
    "migrate",
    "alembic",
    "changelog",
    "changelogs",
];

/// Relational databases and ORMs: a project declaring none of them has no schema to migrate.
const SQL: &[(Language, &[&str])] = &[
    (
        Language::Python,
        &[
            "sqlalchemy",
            "sqlmodel",
            "django",
            "psycopg",
            "psycopg2",
            "psycopg2-binary",
            "asyncpg",
            "aiosqlite",
            "pymysql",
            "mysqlclient",
            "peewee",
            "tortoise-orm",
            "alembic",
            "flask-sqlalchemy",
            "flask-migrate",
            "databases",
            "piccolo",
            "pony",
            "records",
            "sqlite-utils",
            "yoyo-migrations",
        ],
    ),
    (
        Language::TypeScript,
        &[
            "pg",
            "mysql",
            "mysql2",
            "sqlite3",
            "better-sqlite3",
            "knex",
            "kysely",
            "prisma",
            "@prisma/client",
            "typeorm",
            "sequelize",
            "drizzle-orm",
            "@mikro-orm/core",
            "objection",
            "postgres",
            "@neondatabase/serverless",
            "@libsql/client",
            "bookshelf",
            "pg-promise",
            "slonik",
        ],
    ),
    (
        Language::Go,
        &[
            "gorm.io/gorm",
            "github.com/jinzhu/gorm",
            "github.com/jackc/pgx",
            "github.com/lib/pq",
            "github.com/go-sql-driver/mysql",
            "github.com/mattn/go-sqlite3",
            "modernc.org/sqlite",
            "github.com/jmoiron/sqlx",
            "entgo.io/ent",
            "github.com/uptrace/bun",
            "github.com/pressly/goose",
            "github.com/golang-migrate/migrate",
            "github.com/Masterminds/squirrel",
            "github.com/go-pg/pg",
            "xorm.io/xorm",
            "github.com/volatiletech/sqlboiler",
        ],
    ),
    (
        Language::Java,
        &[
            "spring-boot-starter-data-jpa",
            "spring-boot-starter-jdbc",
            "spring-boot-starter-data-jdbc",
            "hibernate-core",
            "h2",
            "postgresql",
            "mysql-connector-j",
            "mysql-connector-java",
            "sqlite-jdbc",
            "flyway-core",
            "liquibase-core",
            "mybatis",
            "mybatis-spring-boot-starter",
            "jooq",
            "spring-boot-starter-data-r2dbc",
            "quarkus-hibernate-orm",
            "exposed-core",
            "mariadb-java-client",
        ],
    ),
    (
        Language::Rust,
        &[
            "sqlx",
            "diesel",
            "sea-orm",
            "rusqlite",
            "tokio-postgres",
            "postgres",
            "mysql",
            "mysql_async",
            "sqlite",
            "refinery",
            "deadpool-postgres",
            "bb8-postgres",
            "libsql",
        ],
    ),
];

/// Document stores, whose schemas live in the code rather than in migrations.
const DOCUMENT: &[(Language, &[&str])] = &[
    (
        Language::Python,
        &[
            "pymongo",
            "motor",
            "mongoengine",
            "beanie",
            "odmantic",
            "redis",
        ],
    ),
    (
        Language::TypeScript,
        &[
            "mongoose",
            "mongodb",
            "@typegoose/typegoose",
            "redis",
            "ioredis",
            "@aws-sdk/client-dynamodb",
            "firebase-admin",
        ],
    ),
    (
        Language::Go,
        &["go.mongodb.org/mongo-driver", "github.com/redis/go-redis"],
    ),
    (
        Language::Java,
        &["spring-boot-starter-data-mongodb", "mongodb-driver-sync"],
    ),
    (Language::Rust, &["mongodb", "redis"]),
];

pub fn migrations(project: &Project) -> Outcome {
    let found: Vec<&str> = project
        .paths()
        .filter(|p| {
            let mut dirs = p.split('/').rev().skip(1);
            let name = file_name(p);
            dirs.any(|d| MIGRATION_DIRS.contains(&d))
                && name != "__init__.py"
                && !name.starts_with('.')
                && !name.eq_ignore_ascii_case("readme.md")
        })
        .collect();
    if let Some(first) = found
        .iter()
        .find(|p| !p.ends_with("env.py") && !p.ends_with(".mako"))
        .or(found.first())
    {
        return Outcome::pass(
            format!(
                "{} migration file{}",
                found.len(),
                if found.len() == 1 { "" } else { "s" }
            ),
            vec![Evidence::file(*first, "migration")],
        );
    }
    // Migrations kept in code (a `migrations.ts` list for Kysely, `migrations.go` with embedded
    // SQL) or as loose versioned SQL files (Flyway's V1__init.sql, golang-migrate's *.up.sql).
    let in_code = project.paths().find(|p| {
        let name = file_name(p);
        let stem = name.split('.').next().unwrap_or(name);
        matches!(stem, "migrations" | "migration")
            || name.ends_with(".up.sql")
            || (name.starts_with('V') && name.contains("__") && name.ends_with(".sql"))
    });
    if let Some(path) = in_code {
        return Outcome::pass(
            format!("migrations in {path}"),
            vec![Evidence::file(path, "migrations")],
        );
    }
    let sql = project.languages.declares_any(SQL);
    let prisma = project.has("schema.prisma") || project.has("prisma/schema.prisma");
    if sql.is_none() && !prisma && !project.languages.is_empty() {
        return match project.languages.declares_any(DOCUMENT) {
            Some(d) => Outcome::not_applicable(
                format!(
                    "a document database ({}): no relational schema to migrate",
                    d.name
                ),
                vec![Evidence::at(
                    &d.file,
                    d.line,
                    format!("declares {}", d.name),
                )],
            ),
            None => Outcome::not_applicable(
                "the service declares no database or ORM, so it has no schema to migrate",
                vec![Evidence::note(
                    "looked for SQL drivers and ORMs among the dependencies",
                )],
            ),
        };
    }
    if prisma {
        return Outcome::fail(
            "a Prisma schema without committed migrations",
            vec![Evidence::file(
                "prisma/schema.prisma",
                "run `prisma migrate dev` and commit prisma/migrations",
            )],
        );
    }
    Outcome::fail(
        "no migration files are tracked",
        vec![Evidence::note(
            "looked for files under migrations/, migration/, alembic/, db/changelog/, ...",
        )],
    )
}
