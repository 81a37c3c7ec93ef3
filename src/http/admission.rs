//! Admission: at most `max_in_flight` requests are served at once (a streamed answer
//! until its body ends). A request that finds every slot taken waits for one at most
//! [`WAIT_IN_SERVICE_TIMES`] average service times (a moving average), then is shed (503).
//!
//! Why this shape: the latency of an admitted request grows with how many are served at
//! once (two cores serving sixteen lookups take eight times as long over each), so the
//! limit is small — two per core by default. Shedding the moment the slots are full
//! would shed requests that merely arrive together at a daemon far from its capacity
//! (page views arrive at random: a few at once are common at half load); a short wait
//! lets them in. A queue that keeps growing (more offered than can be served) makes the
//! waits exceed the bound, and those requests are shed: an admitted request waits a few
//! service times at most. Slots are handed out first come, first served (tokio's
//! semaphore is fair).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The wait before the first request has been timed.
const INITIAL_SERVICE: Duration = Duration::from_millis(1);
/// A request never waits longer than this for a slot, whatever the average (a run of
/// large batch requests should not make lookups queue for long).
const MAX_WAIT: Duration = Duration::from_millis(50);
/// How many average service times a request waits for a slot at most: far from the
/// capacity a wait that long is rare, so little is shed; in an overload it bounds what
/// queueing adds to an admitted request.
const WAIT_IN_SERVICE_TIMES: u32 = 4;
/// The moving average weighs each new request 1/16.
const SMOOTHING: u64 = 16;

/// The slots and the moving average of how long a request takes.
pub struct Admission {
    slots: Arc<Semaphore>,
    service_micros: AtomicU64,
}

impl Admission {
    /// `max_in_flight` slots, the wait starting from a guess of one millisecond.
    pub fn new(max_in_flight: usize) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(max_in_flight)),
            service_micros: AtomicU64::new(INITIAL_SERVICE.as_micros() as u64),
        }
    }

    /// A slot, at once or within [`Admission::wait`]; `None` means shed the request.
    pub async fn admit(&self) -> Option<OwnedSemaphorePermit> {
        if let Ok(slot) = self.slots.clone().try_acquire_owned() {
            return Some(slot);
        }
        tokio::time::timeout(self.wait(), self.slots.clone().acquire_owned())
            .await
            .ok()?
            .ok()
    }

    /// Notes how long a request held its slot.
    pub fn served(&self, took: Duration) {
        let took = took.as_micros().min(u128::from(u64::MAX)) as u64;
        let _ = self
            .service_micros
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |average| {
                Some(average - average / SMOOTHING + took / SMOOTHING)
            });
    }

    /// How long a request that finds every slot taken waits for one at most.
    pub fn wait(&self) -> Duration {
        (Duration::from_micros(self.service_micros.load(Ordering::Relaxed)) * WAIT_IN_SERVICE_TIMES)
            .min(MAX_WAIT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_follows_the_service_time_up_to_its_bound() {
        let admission = Admission::new(4);
        assert_eq!(admission.wait(), INITIAL_SERVICE * WAIT_IN_SERVICE_TIMES);
        for _ in 0..200 {
            admission.served(Duration::from_millis(3));
        }
        let wait = admission.wait();
        assert!(
            wait > Duration::from_micros(11_900) && wait <= Duration::from_millis(12),
            "{wait:?}"
        );
        for _ in 0..200 {
            admission.served(Duration::from_secs(2));
        }
        assert_eq!(admission.wait(), MAX_WAIT);
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_waits_for_a_slot_freed_in_time_and_is_shed_otherwise() {
        let admission = Arc::new(Admission::new(1));
        for _ in 0..100 {
            admission.served(Duration::from_micros(2_500));
        }
        let held = admission.admit().await.expect("a free slot");
        // Freed within the wait (about 10 ms): the waiting request gets it.
        let waiting = tokio::spawn({
            let admission = admission.clone();
            async move { admission.admit().await.is_some() }
        });
        tokio::time::sleep(Duration::from_millis(5)).await;
        drop(held);
        assert!(
            waiting.await.expect("task"),
            "admitted once the slot was freed"
        );
        // Held past the wait: shed.
        let _held = admission.admit().await.expect("a free slot");
        let started = tokio::time::Instant::now();
        assert!(admission.admit().await.is_none(), "shed");
        assert!(
            started.elapsed() >= Duration::from_millis(9),
            "waited first"
        );
    }
}
