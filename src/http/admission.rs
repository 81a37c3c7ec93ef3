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
//! waits exceed the bound, and those requests are shed.
//!
//! Which waiter a freed slot goes to (adaptive LIFO, as in Facebook's "Fail at Scale"):
//! the oldest while the oldest has waited less than one average service time — a short
//! queue, taken in order — and the newest once it has waited longer, as in a burst or an
//! overload. First come, first served in an overload admits only requests that have
//! already waited almost the whole bound, so every admitted request carries that wait;
//! serving the newest admits requests that waited little and lets the old ones run out
//! their bound and be shed, as they would have been anyway.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::sync::oneshot;
// tokio's clock, so that tests can run the waits on paused time.
use tokio::time::Instant;

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

/// The slots, the requests waiting for one, and the moving average of how long a request
/// takes.
#[derive(Clone)]
pub struct Admission {
    shared: Arc<Shared>,
}

struct Shared {
    state: Mutex<SlotState>,
    service_micros: AtomicU64,
}

struct SlotState {
    free: usize,
    /// Oldest first.
    waiting: VecDeque<Waiter>,
}

/// A waiting request: when it began to wait, and where its slot is sent.
struct Waiter {
    since: Instant,
    slot: oneshot::Sender<Slot>,
}

/// A slot held: dropping it hands it to a waiting request or frees it.
pub struct Slot {
    shared: Option<Arc<Shared>>,
}

impl Admission {
    /// `max_in_flight` slots, the wait starting from a guess of one millisecond.
    pub fn new(max_in_flight: usize) -> Self {
        Self {
            shared: Arc::new(Shared {
                state: Mutex::new(SlotState {
                    free: max_in_flight,
                    waiting: VecDeque::new(),
                }),
                service_micros: AtomicU64::new(INITIAL_SERVICE.as_micros() as u64),
            }),
        }
    }

    /// A slot, at once or within [`Admission::wait`]; `None` means shed the request.
    pub async fn admit(&self) -> Option<Slot> {
        let handed = {
            let mut state = self.shared.lock();
            if state.free > 0 {
                state.free -= 1;
                return Some(Slot {
                    shared: Some(self.shared.clone()),
                });
            }
            // Waiters that gave up are dropped from the front as new ones come, so an
            // overload that serves the newest does not pile them up.
            state.drop_given_up();
            let (slot, handed) = oneshot::channel();
            state.waiting.push_back(Waiter {
                since: Instant::now(),
                slot,
            });
            handed
        };
        // A slot sent just as the wait runs out is dropped with the receiver, and
        // dropping it hands it on: none is lost.
        tokio::time::timeout(self.wait(), handed).await.ok()?.ok()
    }

    /// Notes how long a request held its slot.
    pub fn served(&self, took: Duration) {
        let took = took.as_micros().min(u128::from(u64::MAX)) as u64;
        let _ = self.shared.service_micros.fetch_update(
            Ordering::Relaxed,
            Ordering::Relaxed,
            |average| Some(average - average / SMOOTHING + took / SMOOTHING),
        );
    }

    /// How long a request that finds every slot taken waits for one at most.
    pub fn wait(&self) -> Duration {
        self.shared.wait()
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, SlotState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The moving average of how long a request holds its slot.
    fn service(&self) -> Duration {
        Duration::from_micros(self.service_micros.load(Ordering::Relaxed))
    }

    fn wait(&self) -> Duration {
        (self.service() * WAIT_IN_SERVICE_TIMES).min(MAX_WAIT)
    }
}

impl SlotState {
    /// Drops the waiters at the front that are no longer waiting (shed, or gone).
    fn drop_given_up(&mut self) {
        while self.waiting.front().is_some_and(|w| w.slot.is_closed()) {
            self.waiting.pop_front();
        }
    }

    /// The waiter a freed slot goes to: the oldest, unless it has waited longer than
    /// `young` (one average service time), then the newest.
    fn next_waiter(&mut self, young: Duration) -> Option<Waiter> {
        self.drop_given_up();
        let oldest_waited = self.waiting.front()?.since.elapsed();
        if oldest_waited > young {
            self.waiting.pop_back()
        } else {
            self.waiting.pop_front()
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let Some(shared) = self.shared.take() else {
            return;
        };
        let young = shared.service();
        loop {
            // Freed under the same lock that found no waiter: a request that begins to
            // wait meanwhile would miss the slot.
            let waiter = {
                let mut state = shared.lock();
                match state.next_waiter(young) {
                    Some(waiter) => waiter,
                    None => {
                        state.free += 1;
                        return;
                    }
                }
            };
            match waiter.slot.send(Slot {
                shared: Some(shared.clone()),
            }) {
                Ok(()) => return,
                // That waiter gave up: the slot comes back, for the next one.
                Err(mut unsent) => unsent.shared = None,
            }
        }
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

    #[tokio::test(start_paused = true)]
    async fn a_freed_slot_goes_to_the_oldest_waiter_until_it_has_waited_one_service_time() {
        let admission = Admission::new(1);
        for _ in 0..100 {
            admission.served(Duration::from_micros(2_500));
        }
        // A service time is about 2.5 ms, the bound about 10 ms.
        let waiter = |admission: &Admission| {
            let admission = admission.clone();
            tokio::spawn(async move { admission.admit().await })
        };
        let held = admission.admit().await.expect("a free slot");
        let first = waiter(&admission);
        tokio::time::sleep(Duration::from_millis(1)).await;
        let second = waiter(&admission);
        tokio::time::sleep(Duration::from_millis(1)).await;
        // The oldest has waited 2 ms, less than a service time: served in order.
        drop(held);
        let held = first.await.expect("task").expect("the oldest waiter");
        tokio::time::sleep(Duration::from_millis(5)).await;
        let third = waiter(&admission);
        tokio::time::sleep(Duration::from_millis(1)).await;
        // The oldest has waited 7 ms: the newest is served, the oldest runs out its wait.
        drop(held);
        let held = third.await.expect("task").expect("the newest waiter");
        assert!(second.await.expect("task").is_none(), "the oldest is shed");
        drop(held);
        assert_eq!(admission.shared.lock().free, 1);
    }

    /// Regression guard for the hand-over: waiters giving up while slots are sent to them
    /// must not lose a slot.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_slot_is_lost_when_waiters_give_up_as_slots_are_handed_over() {
        const SLOTS: usize = 3;
        let admission = Admission::new(SLOTS);
        for _ in 0..100 {
            admission.served(Duration::from_micros(50));
        }
        let requests: Vec<_> = (0..400u64)
            .map(|i| {
                let admission = admission.clone();
                tokio::spawn(async move {
                    if let Some(slot) = admission.admit().await {
                        tokio::time::sleep(Duration::from_micros(50 + i % 7 * 40)).await;
                        drop(slot);
                    }
                })
            })
            .collect();
        for request in requests {
            request.await.expect("task");
        }
        assert_eq!(admission.shared.lock().free, SLOTS);
        let all: Vec<_> =
            futures_util::future::join_all((0..SLOTS).map(|_| admission.admit())).await;
        assert!(all.iter().all(Option::is_some));
    }
}
