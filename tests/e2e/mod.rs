//! The end-to-end harness: every stack's generated project, checked for real.
//!
//! For each stack × database (from `folio list --format json`, so no per-stack code), it runs the
//! project's own `setup` and `test` commands, starts it with `run` and checks the API contract of
//! DESIGN.md section 4 and docs/contract.md over HTTP, and runs third-party validators (actionlint,
//! check-jsonschema, promtool, hadolint, docker-compose, openapi-spec-validator, shellcheck, ...)
//! on the generated files; then schemathesis against the served OpenAPI document, and probes
//! that start the server in production without a strong secret or with a low per-IP limit. It
//! collects every failure, names the stack, the request and the response, and ends with a
//! summary table of phase timings.
//!
//! The slow tests are `#[ignore]`d so a plain `cargo test` stays fast; `scripts/e2e` runs them.
//! The fast tests of the harness's own pieces (HTTP client, JWT forging, metrics parsing, the
//! suite against fake servers) run with every `cargo test`.
//!
//! Environment (all optional): `FOLIO_E2E_STACKS`, `FOLIO_E2E_DBS`, `FOLIO_E2E_PHASES`,
//! `FOLIO_E2E_REQUIRE_ALL`, `FOLIO_E2E_KEEP`, `FOLIO_E2E_PG_URL`, `FOLIO_E2E_START_TIMEOUT`,
//! `FOLIO_E2E_STEP_TIMEOUT`, `FOLIO_E2E_ST_MAX_EXAMPLES`, `FOLIO_E2E_ST_SEED`,
//! `FOLIO_VALIDATORS_DIR`; see `runner::Settings` and `schemathesis`.

mod breakage;
mod contract;
mod http;
mod jwt;
mod metrics;
mod postgres;
mod process;
mod project;
mod receiver;
mod report;
mod rfc3339;
mod runner;
mod schemathesis;
mod startup;
mod summary;
mod update;
mod validators;

#[test]
#[ignore = "slow: real toolchains, PostgreSQL and validators; run scripts/e2e"]
fn stacks() {
    runner::run_all();
}
