//! Per-key rate limits and daily quotas.
//!
//! - **Rate**: a token bucket of `burst` tokens refilled at `rate_per_second`; every
//!   request of the key takes one token, and a request finding none is refused with 429
//!   and the seconds until the next token (`Retry-After`).
//! - **Quota**: records per UTC day — a lookup or a profile read is one record, an enrich
//!   job as many as it holds. A JSON batch that does not fit the rest of the day's quota
//!   is refused whole; a streamed job is answered line by line until the quota runs out,
//!   and its remaining lines get a `quota_exceeded` error in their place.
//!
//! The counters live in memory and are saved to the store every second and at shutdown
//! (`crate::server`), so a restart continues the day's count (a crash loses at
//! most the last second's count).

use crate::config::KeyLimits;
use std::sync::Mutex;
use std::time::Instant;

/// Seconds in a day; quota days are UTC days since the Unix epoch.
const DAY: i64 = 86_400;

/// The UTC day of a Unix time.
pub fn day_of(unix: i64) -> i64 {
    unix.div_euclid(DAY)
}

/// Seconds from `unix` to the next 00:00 UTC (at least 1).
pub fn seconds_to_midnight(unix: i64) -> u64 {
    (DAY - unix.rem_euclid(DAY)).max(1) as u64
}

/// One key's limits and what it has used of them.
pub struct Usage {
    bucket: Option<Mutex<Bucket>>,
    quota: Option<Quota>,
}

struct Bucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl Bucket {
    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
        self.last = now;
    }
}

struct Quota {
    limit: u64,
    day: Mutex<QuotaDay>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct QuotaDay {
    day: i64,
    used: u64,
    /// What the store holds for `day`.
    saved: u64,
}

impl QuotaDay {
    /// The counter for `day`, starting afresh when the day has changed.
    fn on(&mut self, day: i64) -> &mut Self {
        if self.day != day {
            *self = QuotaDay {
                day,
                used: 0,
                saved: 0,
            };
        }
        self
    }
}

/// A request the key's limits refuse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// No token: retry after this many seconds.
    Rate { retry_after: u64 },
    /// The day's quota cannot hold the request.
    Quota {
        limit: u64,
        remaining: u64,
        retry_after: u64,
    },
}

/// What the `RateLimit-*` headers say: the limit, what is left, seconds until it renews.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub limit: u64,
    pub remaining: u64,
    pub reset: u64,
}

impl Usage {
    pub fn new(limits: &KeyLimits) -> Self {
        Self {
            bucket: limits.bucket().map(|(rate, burst)| {
                Mutex::new(Bucket {
                    rate,
                    burst,
                    tokens: burst,
                    last: Instant::now(),
                })
            }),
            quota: limits.daily_quota.map(|limit| Quota {
                limit,
                day: Mutex::new(QuotaDay::default()),
            }),
        }
    }

    pub fn is_limited(&self) -> bool {
        self.bucket.is_some() || self.quota.is_some()
    }

    pub fn has_quota(&self) -> bool {
        self.quota.is_some()
    }

    /// Takes one request token, or says how long until there is one.
    pub fn take_token(&self, now: Instant) -> Result<(), Refusal> {
        let Some(bucket) = &self.bucket else {
            return Ok(());
        };
        let mut bucket = bucket.lock().expect("bucket lock is not poisoned");
        bucket.refill(now);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - bucket.tokens) / bucket.rate;
            Err(Refusal::Rate {
                retry_after: (wait.ceil() as u64).max(1),
            })
        }
    }

    /// Counts `records` against today's quota, all or nothing.
    pub fn charge(&self, records: u64, unix: i64) -> Result<(), Refusal> {
        let Some(quota) = &self.quota else {
            return Ok(());
        };
        let mut state = quota.day.lock().expect("quota lock is not poisoned");
        let today = state.on(day_of(unix));
        let remaining = quota.limit.saturating_sub(today.used);
        if records > remaining {
            return Err(Refusal::Quota {
                limit: quota.limit,
                remaining,
                retry_after: seconds_to_midnight(unix),
            });
        }
        today.used += records;
        Ok(())
    }

    /// Counts as many of `records` as today's quota holds; returns how many.
    pub fn charge_up_to(&self, records: u64, unix: i64) -> u64 {
        let Some(quota) = &self.quota else {
            return records;
        };
        let mut state = quota.day.lock().expect("quota lock is not poisoned");
        let today = state.on(day_of(unix));
        let granted = records.min(quota.limit.saturating_sub(today.used));
        today.used += granted;
        granted
    }

    /// Refuses when today's quota has no record left (charges nothing).
    pub fn check_quota(&self, unix: i64) -> Result<(), Refusal> {
        let Some(quota) = &self.quota else {
            return Ok(());
        };
        let mut state = quota.day.lock().expect("quota lock is not poisoned");
        if state.on(day_of(unix)).used < quota.limit {
            Ok(())
        } else {
            Err(Refusal::Quota {
                limit: quota.limit,
                remaining: 0,
                retry_after: seconds_to_midnight(unix),
            })
        }
    }

    /// The limit nearest to running out, for the `RateLimit-*` headers.
    pub fn window(&self, now: Instant, unix: i64) -> Option<Window> {
        let rate = self.bucket.as_ref().map(|bucket| {
            let mut bucket = bucket.lock().expect("bucket lock is not poisoned");
            bucket.refill(now);
            Window {
                limit: bucket.burst as u64,
                remaining: bucket.tokens.floor() as u64,
                reset: ((bucket.burst - bucket.tokens) / bucket.rate).ceil() as u64,
            }
        });
        let quota = self.quota.as_ref().map(|quota| {
            let mut state = quota.day.lock().expect("quota lock is not poisoned");
            let today = state.on(day_of(unix));
            Window {
                limit: quota.limit,
                remaining: quota.limit.saturating_sub(today.used),
                reset: seconds_to_midnight(unix),
            }
        });
        match (rate, quota) {
            (Some(r), Some(q)) => {
                // Compare remaining / limit without floats: r.rem * q.lim vs q.rem * r.lim.
                let rate_share = u128::from(r.remaining) * u128::from(q.limit.max(1));
                let quota_share = u128::from(q.remaining) * u128::from(r.limit.max(1));
                Some(if quota_share < rate_share { q } else { r })
            }
            (r, q) => r.or(q),
        }
    }

    /// Today's count when the store does not hold it yet: `(day, used)`.
    pub fn unsaved(&self) -> Option<(i64, u64)> {
        let quota = self.quota.as_ref()?;
        let state = quota.day.lock().expect("quota lock is not poisoned");
        (state.used != state.saved).then_some((state.day, state.used))
    }

    /// Notes that the store holds `used` for `day`.
    pub fn mark_saved(&self, day: i64, used: u64) {
        if let Some(quota) = &self.quota {
            let mut state = quota.day.lock().expect("quota lock is not poisoned");
            if state.day == day {
                state.saved = state.saved.max(used);
            }
        }
    }

    /// Continues a day's count read from the store (at start).
    pub fn restore(&self, day: i64, used: u64) {
        if let Some(quota) = &self.quota {
            let mut state = quota.day.lock().expect("quota lock is not poisoned");
            let today = state.on(day);
            today.used = today.used.max(used);
            today.saved = used;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_bucket_allows_its_burst_then_one_token_per_interval() {
        let usage = Usage::new(&KeyLimits {
            rate_per_second: Some(2.0),
            burst: Some(3),
            daily_quota: None,
        });
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(usage.take_token(start), Ok(()));
        }
        assert_eq!(
            usage.take_token(start),
            Err(Refusal::Rate { retry_after: 1 })
        );
        assert_eq!(
            usage.window(start, 0),
            Some(Window {
                limit: 3,
                remaining: 0,
                reset: 2
            })
        );
        // Half a second later one token is back.
        let later = start + Duration::from_millis(500);
        assert_eq!(usage.take_token(later), Ok(()));
        assert!(usage.take_token(later).is_err());
    }

    #[test]
    fn the_quota_counts_records_per_utc_day_and_refuses_what_does_not_fit() {
        let usage = Usage::new(&KeyLimits {
            daily_quota: Some(10),
            ..KeyLimits::default()
        });
        let noon = 20_000 * DAY + DAY / 2;
        assert_eq!(usage.charge(7, noon), Ok(()));
        assert_eq!(
            usage.charge(4, noon),
            Err(Refusal::Quota {
                limit: 10,
                remaining: 3,
                retry_after: (DAY / 2) as u64
            })
        );
        assert_eq!(usage.charge_up_to(5, noon), 3);
        assert_eq!(usage.charge_up_to(5, noon), 0);
        assert_eq!(usage.unsaved(), Some((20_000, 10)));
        usage.mark_saved(20_000, 10);
        assert_eq!(usage.unsaved(), None);
        // The next day starts at zero.
        assert_eq!(usage.charge(10, noon + DAY), Ok(()));
        // A restart continues the day's count.
        let restarted = Usage::new(&KeyLimits {
            daily_quota: Some(10),
            ..KeyLimits::default()
        });
        restarted.restore(20_000, 9);
        assert_eq!(restarted.charge_up_to(5, noon), 1);
    }

    #[test]
    fn the_headers_describe_the_limit_nearest_to_running_out() {
        let usage = Usage::new(&KeyLimits {
            rate_per_second: Some(10.0),
            burst: Some(10),
            daily_quota: Some(100),
        });
        let now = Instant::now();
        let noon = DAY / 2;
        assert_eq!(usage.window(now, noon).map(|w| w.limit), Some(10));
        usage.charge(95, noon).expect("fits");
        let window = usage.window(now, noon).expect("limited");
        assert_eq!((window.limit, window.remaining), (100, 5));
        assert_eq!(seconds_to_midnight(DAY - 1), 1);
        assert_eq!(day_of(-1), -1);
    }
}
