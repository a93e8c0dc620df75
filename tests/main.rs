//! folio's one integration-test binary: CLI, names, `new`, snapshots, and the e2e harness
//! (ignored by default; `scripts/e2e` runs it).

mod batch;
mod check;
mod check_classes;
mod check_formats;
mod check_hostile;
mod cli;
mod e2e;
mod names;
mod new;
mod packs;
mod reliability;
mod reliability_batch;
mod reliability_inputs;
mod reliability_signals;
mod reliability_unicode;
mod snapshots;
mod support;
mod templates;
mod update;
