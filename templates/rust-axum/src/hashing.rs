//! A bounded pool for password hashing.
//!
//! argon2id costs ~19 MiB of memory and tens of milliseconds of CPU per call. Run unbounded on
//! tokio's blocking pool (up to 512 threads), a burst of logins would exhaust memory, so at
//! most `HASH_CONCURRENCY` hashes run at once. A request waits up to
//! `HASH_QUEUE_TIMEOUT_SECONDS` for a slot, then gets 503 with `Retry-After: 1`.
//!
//! The permit moves into the blocking task: if the client disconnects, the hash still finishes
//! before its slot is given back, so the bound holds for the threads, not only the requests.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::auth::{DUMMY_HASH, hash_password, verify_password};
use crate::error::ApiError;

#[derive(Clone)]
pub struct HashPool {
    slots: Arc<Semaphore>,
    queue_timeout: Duration,
}

impl HashPool {
    /// `concurrency` is raised to 1 if 0 (`Config` never passes 0).
    pub fn new(concurrency: usize, queue_timeout: Duration) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(concurrency.max(1))),
            queue_timeout,
        }
    }

    /// Waits for a free slot, at most the queue timeout. Public so that tests can hold one.
    pub async fn acquire(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        match tokio::time::timeout(self.queue_timeout, self.slots.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            // The semaphore is never closed; treat it like a full queue all the same.
            Ok(Err(_)) | Err(_) => {
                tracing::warn!("no password-hashing slot became free in time");
                Err(ApiError::busy())
            }
        }
    }

    /// argon2id hash of `password`, on a blocking thread, inside a slot.
    pub async fn hash(&self, password: String) -> Result<String, ApiError> {
        self.run(move || hash_password(&password)).await?
    }

    /// Whether `password` matches the PHC string `stored`, on a blocking thread, inside a slot.
    /// `None` (an unknown email) verifies against `DUMMY_HASH`, so it costs the same time.
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool, ApiError> {
        self.run(move || verify_password(&password, stored.as_deref().unwrap_or(&DUMMY_HASH)))
            .await
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let permit = self.acquire().await?;
        tokio::task::spawn_blocking(move || {
            let result = work();
            drop(permit);
            result
        })
        .await
        .map_err(ApiError::internal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_pool_answers_busy_after_the_timeout() {
        let pool = HashPool::new(1, Duration::from_millis(50));
        let held = pool.acquire().await.unwrap();
        let err = pool.hash("password".into()).await.unwrap_err();
        assert_eq!(err.status, axum::http::StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(err.retry_after, Some(1));
        drop(held);
        let hash = pool.hash("password".into()).await.unwrap();
        assert!(pool.verify("password".into(), Some(hash)).await.unwrap());
        assert!(!pool.verify("password".into(), None).await.unwrap());
    }

    #[tokio::test]
    async fn never_more_than_the_concurrency_at_once() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let pool = HashPool::new(2, Duration::from_secs(30));
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let (pool, running, peak) = (pool.clone(), running.clone(), peak.clone());
                tokio::spawn(async move {
                    pool.run(move || {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        peak.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(20));
                        running.fetch_sub(1, Ordering::SeqCst);
                    })
                    .await
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        assert_eq!(peak.load(Ordering::SeqCst), 2);
    }
}
