//! Database rules: the schema evolves through migrations that are committed.

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
    if project.has("schema.prisma") || project.has("prisma/schema.prisma") {
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
