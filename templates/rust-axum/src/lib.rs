//! The library half of the service: everything but process start-up lives here, so the
//! integration tests in `tests/` drive the very router that `main.rs` serves.

pub mod auth;
pub mod clock;
pub mod config;
pub mod db;
pub mod error;
pub mod extract;
pub mod hashing;
pub mod http;
pub mod metrics;
pub mod openapi;
pub mod rate_limit;
pub mod repo;
pub mod routes;
pub mod state;
pub mod telemetry;

pub use config::Config;
pub use routes::router;
pub use state::AppState;
