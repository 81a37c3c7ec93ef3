//! The read pool: lookups, searches and profile reads run on a fixed set of threads, one
//! per core by default, instead of tokio's blocking pool.
//!
//! Why: a read is a few hundred microseconds of CPU. Through `spawn_blocking`, each
//! request in flight got a thread of its own, so 32 connections on two cores meant 32
//! threads time-slicing the cores, evicting each other's caches and waking the scheduler;
//! queued on as many threads as cores, reads run one after another to the end. Measured
//! at 1M profiles with the bench's lookup mix (wrk, alternating two daemons on copies of
//! one data dir, five pairs each): +8–20% lookups/s at 8 connections and +9–27% at 32,
//! the p99 at 8 connections 3.4–3.9 ms against 5.5–15.7 ms (README, "The read pool").
//! Writes keep `spawn_blocking`: they wait on the write lock and on fsync, which would
//! idle a core.

use super::ApiError;
use crate::error::{Error, Result};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// A fixed pool of threads for read work, fed first come, first served.
pub struct ReadPool {
    jobs: crossbeam_channel::Sender<Job>,
}

type Job = Box<dyn FnOnce() + Send>;

impl ReadPool {
    /// A pool of `threads` threads (`read_threads`, validated positive by the config).
    /// The threads end when the pool is dropped. An idle thread sleeps on the queue
    /// instead of spinning for work as rayon's do: at one connection, rayon's read
    /// threads spent 371–406 µs of CPU per lookup against 307–346 µs for these, CPU that
    /// two cores share with the threads that read requests and write answers.
    pub fn new(threads: usize) -> Result<Self> {
        let (jobs, queue) = crossbeam_channel::unbounded::<Job>();
        for i in 0..threads {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("read-{i}"))
                .spawn(move || {
                    for job in queue {
                        job();
                    }
                })
                .map_err(|e| Error::Internal(format!("cannot start the read pool: {e}")))?;
        }
        Ok(Self { jobs })
    }

    /// Runs `work` on the pool and waits for it without blocking the runtime. A panic in
    /// `work` is answered as an internal error, and the pool's thread lives on.
    pub async fn run<T, F>(&self, work: F) -> std::result::Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce() -> Result<T> + Send + 'static,
    {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            // The receiver is gone only when the request was dropped (client gone,
            // timeout): nobody is left to answer.
            let _ = answer.send(catch_unwind(AssertUnwindSafe(work)));
        });
        if self.jobs.send(job).is_err() {
            return Err(ApiError(Error::Internal(
                "the read pool has stopped".into(),
            )));
        }
        match answered.await {
            Ok(Ok(result)) => result.map_err(ApiError),
            Ok(Err(_)) => {
                tracing::error!("a read panicked on the read pool");
                Err(ApiError(Error::Internal("read task panicked".into())))
            }
            Err(_) => Err(ApiError(Error::Internal("read task dropped".into()))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_read_returns_its_result_and_its_error() {
        let pool = ReadPool::new(1).unwrap();
        assert_eq!(pool.run(|| Ok(41 + 1)).await.unwrap(), 42);
        let failed = pool
            .run(|| -> Result<()> { Err(Error::NotFound("profile")) })
            .await
            .unwrap_err();
        assert!(matches!(failed.0, Error::NotFound("profile")));
    }

    /// Regression: a panic that escapes a pool thread ends it (under rayon it aborted
    /// the process); a panicking read must be one request's internal error, and the pool
    /// must go on serving.
    #[tokio::test]
    async fn a_panicking_read_is_an_internal_error_and_the_pool_keeps_serving() {
        let pool = ReadPool::new(1).unwrap();
        let failed = pool
            .run(|| -> Result<()> { panic!("a bug in a read") })
            .await
            .unwrap_err();
        assert!(matches!(failed.0, Error::Internal(_)));
        assert_eq!(
            pool.run(|| Ok("still serving")).await.unwrap(),
            "still serving"
        );
    }

    #[tokio::test]
    async fn reads_beyond_the_threads_queue_and_all_finish() {
        let pool = ReadPool::new(2).unwrap();
        let reads = (0..64u64).map(|i| pool.run(move || Ok(i * 2)));
        let answers = futures_util::future::join_all(reads).await;
        let total: u64 = answers.into_iter().map(|a| a.unwrap()).sum();
        assert_eq!(total, (0..64u64).map(|i| i * 2).sum::<u64>());
    }
}
