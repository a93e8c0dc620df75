//! Sliding-window rate limiting, used twice: failed logins per email, and auth requests per
//! client IP.
//!
//! `try_acquire` checks and records an attempt in one step under one lock, *before* the slow
//! work: 30 parallel guesses cannot all pass a check that runs ahead of any recorded failure.
//! Memory stays bounded under a spray of distinct keys: every `SWEEP_INTERVAL` the map drops
//! the keys whose attempts have all left the window, so it holds at most the keys seen in the
//! last window plus one interval.
//!
//! `WindowLimiter` is in memory, per process: right for SQLite, which has one process. On
//! PostgreSQL, `Limiter::Shared` keeps the attempts in the database (`shared_limit`), so that
//! every replica behind a load balancer sees the same attempts.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// Failed logins allowed per email and window.
pub const MAX_LOGIN_FAILURES: usize = 10;
pub const WINDOW: Duration = Duration::from_secs(60);

/// How often expired keys are swept out of the map.
pub const SWEEP_INTERVAL: Duration = Duration::from_secs(10);

pub struct WindowLimiter {
    max: usize,
    window: Duration,
    state: Mutex<State>,
}

struct State {
    attempts: HashMap<String, VecDeque<Instant>>,
    next_sweep: Instant,
}

impl WindowLimiter {
    /// At most `max` attempts per key in any `window`. `max == 0` disables the limit.
    pub fn new(max: usize, window: Duration) -> Self {
        Self {
            max,
            window,
            state: Mutex::new(State {
                attempts: HashMap::new(),
                next_sweep: Instant::now() + SWEEP_INTERVAL,
            }),
        }
    }

    /// Records an attempt for `key` if it is under the limit; otherwise `Err(seconds)` until a
    /// slot frees up (at least 1), and nothing is recorded.
    pub fn try_acquire(&self, key: &str) -> Result<(), u64> {
        self.try_acquire_at(key, Instant::now())
    }

    /// Takes back one attempt of `key`, for a request that ended before it could be judged
    /// (e.g. no hashing slot was free): it should not count as a failure.
    pub fn release(&self, key: &str) {
        let mut state = self.lock();
        if let Some(times) = state.attempts.get_mut(key) {
            times.pop_back();
            if times.is_empty() {
                state.attempts.remove(key);
            }
        }
    }

    /// Forgets every attempt of `key` (a successful login forgives the earlier failures).
    pub fn reset(&self, key: &str) {
        self.lock().attempts.remove(key);
    }

    /// How many keys are tracked right now.
    pub fn tracked_keys(&self) -> usize {
        self.lock().attempts.len()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the map inconsistent: keep going.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn try_acquire_at(&self, key: &str, now: Instant) -> Result<(), u64> {
        if self.max == 0 {
            return Ok(());
        }
        let window = self.window;
        let mut state = self.lock();
        if now >= state.next_sweep {
            state.attempts.retain(|_, times| {
                prune(times, now, window);
                !times.is_empty()
            });
            state.next_sweep = now + SWEEP_INTERVAL;
        }
        let times = state.attempts.entry(key.to_owned()).or_default();
        prune(times, now, window);
        if times.len() < self.max {
            times.push_back(now);
            return Ok(());
        }
        let oldest = times.front().copied().unwrap_or(now);
        let wait = window.saturating_sub(now.duration_since(oldest));
        // Round up so that a client waiting exactly Retry-After seconds is let through.
        Err((wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1))
    }
}

fn prune(times: &mut VecDeque<Instant>, now: Instant, window: Duration) {
    while times
        .front()
        .is_some_and(|t| now.duration_since(*t) >= window)
    {
        times.pop_front();
    }
}

/// The limiter the app uses: in memory (SQLite, one process) or in PostgreSQL (replicas).
pub enum Limiter {
    Memory(WindowLimiter),
    Shared(crate::shared_limit::SharedLimiter),
}

impl Limiter {
    /// Records an attempt for `key` if it is under the limit; otherwise `Ok(Err(seconds))`.
    pub async fn try_acquire(&self, key: &str) -> Result<Result<(), u64>, sqlx::Error> {
        match self {
            Self::Memory(limiter) => Ok(limiter.try_acquire(key)),
            Self::Shared(limiter) => limiter.try_acquire(key).await,
        }
    }

    pub async fn release(&self, key: &str) -> Result<(), sqlx::Error> {
        match self {
            Self::Memory(limiter) => {
                limiter.release(key);
                Ok(())
            }
            Self::Shared(limiter) => limiter.release(key).await,
        }
    }

    pub async fn reset(&self, key: &str) -> Result<(), sqlx::Error> {
        match self {
            Self::Memory(limiter) => {
                limiter.reset(key);
                Ok(())
            }
            Self::Shared(limiter) => limiter.reset(key).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_after_the_limit_until_the_window_passes() {
        let limiter = WindowLimiter::new(MAX_LOGIN_FAILURES, WINDOW);
        let start = Instant::now();
        for i in 0..MAX_LOGIN_FAILURES {
            assert!(
                limiter.try_acquire_at("a@example.com", start).is_ok(),
                "attempt {i}"
            );
        }
        let retry = limiter
            .try_acquire_at("a@example.com", start + Duration::from_millis(500))
            .unwrap_err();
        assert_eq!(retry, 60);
        assert!(
            limiter.try_acquire_at("b@example.com", start).is_ok(),
            "other keys are unaffected"
        );
        assert!(
            limiter
                .try_acquire_at("a@example.com", start + WINDOW)
                .is_ok()
        );
    }

    #[test]
    fn reset_and_release_give_attempts_back() {
        let limiter = WindowLimiter::new(2, WINDOW);
        limiter.try_acquire("a").unwrap();
        limiter.try_acquire("a").unwrap();
        assert!(limiter.try_acquire("a").is_err());
        limiter.release("a");
        assert!(limiter.try_acquire("a").is_ok());
        limiter.reset("a");
        assert_eq!(limiter.tracked_keys(), 0);
        assert!(limiter.try_acquire("a").is_ok());
    }

    #[test]
    fn zero_disables_the_limit() {
        let limiter = WindowLimiter::new(0, WINDOW);
        for _ in 0..1_000 {
            assert!(limiter.try_acquire("a").is_ok());
        }
        assert_eq!(limiter.tracked_keys(), 0);
    }

    #[test]
    fn memory_stays_bounded_under_many_distinct_keys() {
        let limiter = WindowLimiter::new(MAX_LOGIN_FAILURES, WINDOW);
        let start = Instant::now();
        for i in 0..50_000 {
            limiter
                .try_acquire_at(&format!("spray-{i}@example.com"), start)
                .unwrap();
        }
        assert_eq!(limiter.tracked_keys(), 50_000);
        // Once the window has passed, the next sweep drops every expired key.
        let later = start + WINDOW + SWEEP_INTERVAL;
        limiter.try_acquire_at("new@example.com", later).unwrap();
        assert_eq!(limiter.tracked_keys(), 1);
    }
}
