//! Failed-login throttling: at most `MAX_FAILURES` failures per email in a sliding window.
//!
//! In memory, per process: enough for one instance. Behind a load balancer, move the counters
//! to a shared store (Redis, the database) so that every instance sees the same failures.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const MAX_FAILURES: usize = 10;
pub const WINDOW: Duration = Duration::from_secs(60);

/// Beyond this many tracked emails, stale entries are swept so memory stays bounded.
const SWEEP_THRESHOLD: usize = 10_000;

#[derive(Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl LoginLimiter {
    /// `Err(seconds)` when `email` is locked out, with how long until a slot frees up.
    pub fn check(&self, email: &str) -> Result<(), u64> {
        self.check_at(email, Instant::now())
    }

    pub fn record_failure(&self, email: &str) {
        self.record_failure_at(email, Instant::now());
    }

    /// A successful login forgives the earlier failures.
    pub fn reset(&self, email: &str) {
        self.lock().remove(email);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, VecDeque<Instant>>> {
        // A panic while holding the lock cannot leave the map inconsistent: keep going.
        self.failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn check_at(&self, email: &str, now: Instant) -> Result<(), u64> {
        let mut map = self.lock();
        let Some(times) = map.get_mut(email) else {
            return Ok(());
        };
        prune(times, now);
        if times.len() < MAX_FAILURES {
            return Ok(());
        }
        let oldest = times.front().copied().unwrap_or(now);
        let wait = WINDOW.saturating_sub(now.duration_since(oldest));
        // Round up so that a client waiting exactly Retry-After seconds is let through.
        Err(wait.as_secs() + u64::from(wait.subsec_nanos() > 0))
    }

    fn record_failure_at(&self, email: &str, now: Instant) {
        let mut map = self.lock();
        if map.len() >= SWEEP_THRESHOLD {
            map.retain(|_, times| {
                prune(times, now);
                !times.is_empty()
            });
        }
        let times = map.entry(email.to_owned()).or_default();
        prune(times, now);
        times.push_back(now);
    }
}

fn prune(times: &mut VecDeque<Instant>, now: Instant) {
    while times
        .front()
        .is_some_and(|t| now.duration_since(*t) >= WINDOW)
    {
        times.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_ten_failures_and_unlocks_after_the_window() {
        let limiter = LoginLimiter::default();
        let start = Instant::now();
        for i in 0..MAX_FAILURES {
            assert!(
                limiter.check_at("a@example.com", start).is_ok(),
                "attempt {i}"
            );
            limiter.record_failure_at("a@example.com", start);
        }
        let retry = limiter
            .check_at("a@example.com", start + Duration::from_millis(500))
            .unwrap_err();
        assert_eq!(retry, 60);
        assert!(
            limiter.check_at("b@example.com", start).is_ok(),
            "other emails are unaffected"
        );
        assert!(limiter.check_at("a@example.com", start + WINDOW).is_ok());
    }

    #[test]
    fn success_resets_the_count() {
        let limiter = LoginLimiter::default();
        for _ in 0..MAX_FAILURES {
            limiter.record_failure("a@example.com");
        }
        assert!(limiter.check("a@example.com").is_err());
        limiter.reset("a@example.com");
        assert!(limiter.check("a@example.com").is_ok());
    }
}
