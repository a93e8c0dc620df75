//! Signed webhooks on task events, delivered by a durable background worker (docs/adr/0002).
//!
//! The pieces, in the order an event travels through them:
//! - `outbox`: the row inserted in the same transaction as the task change;
//! - `url` and `ssrf`: which endpoint URLs are accepted, and which addresses may be called;
//! - `store`: endpoints, the deliveries list, and the worker's claim/finish statements;
//! - `signature`: the Standard Webhooks secret and HMAC-SHA256 signature;
//! - `worker`: the loop that claims due rows, sends them, and retries with backoff.

pub mod outbox;
pub mod settings;
pub mod signature;
pub mod ssrf;
pub mod store;
pub mod url;
pub mod worker;

pub use settings::WebhookSettings;
