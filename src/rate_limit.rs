//! A per-client limit for public endpoints: each address gets `per_minute` requests, refilled
//! continuously (governor's GCRA, keyed by address). Kept in memory per instance; when many
//! addresses have been seen, those back at a full allowance are forgotten.

use governor::clock::{Clock, DefaultClock};
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter as Gcra};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

/// Above this many remembered addresses, forget the idle ones before the next check.
const SWEEP_ABOVE: usize = 10_000;

pub struct RateLimiter<C: Clock = DefaultClock> {
    limiter: Gcra<IpAddr, DefaultKeyedStateStore<IpAddr>, C, NoOpMiddleware<C::Instant>>,
    clock: C,
}

impl<C: Clock> std::fmt::Debug for RateLimiter<C> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("RateLimiter")
            .field("clients", &self.limiter.len())
            .finish_non_exhaustive()
    }
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> Self {
        Self::with_clock(per_minute, DefaultClock::default())
    }
}

impl<C: Clock + Clone> RateLimiter<C> {
    pub fn with_clock(per_minute: u32, clock: C) -> Self {
        let quota = Quota::per_minute(NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN));
        Self {
            limiter: Gcra::new(quota, DefaultKeyedStateStore::default(), clock.clone()),
            clock,
        }
    }

    /// Takes one request from `client`'s allowance; `Err` with the wait until the next one.
    pub fn check(&self, client: IpAddr) -> Result<(), Duration> {
        if self.limiter.len() > SWEEP_ABOVE {
            self.limiter.retain_recent();
        }
        self.limiter
            .check_key(&client)
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use governor::clock::FakeRelativeClock;

    #[test]
    fn a_client_gets_its_allowance_then_waits_while_others_are_unaffected() {
        let clock = FakeRelativeClock::default();
        let limiter = RateLimiter::with_clock(3, clock.clone());
        let a: IpAddr = [10, 0, 0, 1].into();
        let b: IpAddr = [10, 0, 0, 2].into();
        for _ in 0..3 {
            assert!(limiter.check(a).is_ok());
        }
        let wait = limiter.check(a).unwrap_err();
        assert!(
            wait > Duration::from_secs(19) && wait <= Duration::from_secs(20),
            "{wait:?}"
        );
        assert!(limiter.check(b).is_ok());
        clock.advance(Duration::from_secs(20));
        assert!(limiter.check(a).is_ok());
    }
}
