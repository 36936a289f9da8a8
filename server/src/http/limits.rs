//! Rate limits per client IP: one governor quota per [`Limit`] group, chosen by each route's facts. IPv6 clients are keyed
//! by their /64 (one subscriber usually owns a whole /64). Refusals are 429 with `Retry-After` (whole seconds,
//! at least 1) and `RateLimit-*` headers; admitted requests carry `RateLimit-Limit` / `RateLimit-Remaining`.

use axum::response::{IntoResponse, Response};
use backend::config::RateLimits;
use domain::route::Limit;
use domain::AppError;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use http::HeaderValue;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

type Keyed = RateLimiter<IpAddr, DefaultKeyedStateStore<IpAddr>, DefaultClock, StateInformationMiddleware>;

/// One quota per limit group of [`Limit`].
pub struct Limiters {
    page: Keyed,
    api: Keyed,
    download: Keyed,
    write: Keyed,
    vote: Keyed,
    login: Keyed,
    limits: RateLimits,
}

fn keyed(per_min: u32) -> Keyed {
    let n = NonZeroU32::new(per_min).unwrap_or(NonZeroU32::MIN);
    RateLimiter::keyed(Quota::per_minute(n)).with_middleware::<StateInformationMiddleware>()
}

impl Limiters {
    pub fn new(limits: RateLimits) -> Limiters {
        Limiters {
            page: keyed(limits.page_per_min),
            api: keyed(limits.api_per_min),
            download: keyed(limits.download_per_min),
            write: keyed(limits.write_per_min),
            vote: keyed(limits.vote_per_min),
            login: keyed(limits.login_per_min),
            limits,
        }
    }

    /// The quotas a request of this group spends (a sign-in attempt also spends the write quota).
    fn quotas(&self, g: Limit) -> &'static [Limit] {
        match g {
            Limit::Unlimited => &[],
            Limit::Page => &[Limit::Page],
            Limit::Api => &[Limit::Api],
            Limit::Download => &[Limit::Download],
            Limit::Write => &[Limit::Write],
            Limit::Vote => &[Limit::Vote],
            Limit::Login => &[Limit::Login, Limit::Write],
        }
    }

    fn get(&self, g: Limit) -> (&Keyed, u32) {
        match g {
            Limit::Page | Limit::Unlimited => (&self.page, self.limits.page_per_min),
            Limit::Api => (&self.api, self.limits.api_per_min),
            Limit::Download => (&self.download, self.limits.download_per_min),
            Limit::Write => (&self.write, self.limits.write_per_min),
            Limit::Vote => (&self.vote, self.limits.vote_per_min),
            Limit::Login => (&self.login, self.limits.login_per_min),
        }
    }

    fn all(&self) -> [&Keyed; 6] {
        [&self.page, &self.api, &self.download, &self.write, &self.vote, &self.login]
    }

    /// Drops keys whose state has fully replenished, and gives the memory back.
    pub fn cleanup(&self) {
        for l in self.all() {
            l.retain_recent();
            l.shrink_to_fit();
        }
    }

    /// Number of tracked keys (for tests and metrics).
    pub fn tracked_keys(&self) -> usize {
        self.all().iter().map(|l| l.len()).sum()
    }

    /// Checks one request against one quota; `Ok(remaining)` or `Err(wait)`.
    pub fn check(&self, g: Limit, key: &IpAddr) -> Result<u32, Duration> {
        let (limiter, _) = self.get(g);
        match limiter.check_key(key) {
            Ok(snapshot) => Ok(snapshot.remaining_burst_capacity()),
            Err(not_until) => Err(not_until.wait_time_from(DefaultClock::default().now())),
        }
    }

    /// Admits a request of group `g` from `ip`: `Ok(Some((limit, remaining)))` for the headers, or the 429.
    #[expect(clippy::result_large_err, reason = "a refusal is the finished 429 response, built only when refusing")]
    pub fn admit(&self, g: Limit, ip: Option<IpAddr>) -> Result<Option<(u32, u32)>, Response> {
        let k = key(ip.unwrap_or(IpAddr::from([127, 0, 0, 1])));
        let mut first = None;
        for &q in self.quotas(g) {
            let (_, limit) = self.get(q);
            match self.check(q, &k) {
                Ok(remaining) => {
                    first.get_or_insert((limit, remaining));
                }
                Err(wait) => {
                    let secs = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
                    let mut res = AppError::rate_limited(secs).into_response();
                    let h = res.headers_mut();
                    h.insert("ratelimit-limit", HeaderValue::from(limit));
                    h.insert("ratelimit-remaining", HeaderValue::from(0));
                    h.insert("ratelimit-reset", HeaderValue::from(secs));
                    return Err(res);
                }
            }
        }
        Ok(first)
    }
}

/// Without a periodic clean-up the keyed map grows by ~72 B per distinct client, forever.
pub fn spawn_cleanup(limiters: Arc<Limiters>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            limiters.cleanup();
        }
    });
}

/// The key of a client: the address, or its /64 for IPv6.
pub fn key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(bits.into())
        }
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_keyed_by_slash_64() {
        let a = key("2001:db8:1:2:aaaa::1".parse().unwrap());
        let b = key("2001:db8:1:2:bbbb::9".parse().unwrap());
        let c = key("2001:db8:1:3::1".parse().unwrap());
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(key("192.0.2.1".parse().unwrap()), "192.0.2.1".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn quota_refuses_after_the_burst_and_cleanup_forgets() {
        let l = Limiters::new(RateLimits {
            page_per_min: 3,
            api_per_min: 1,
            download_per_min: 1,
            write_per_min: 1,
            vote_per_min: 1,
            login_per_min: 1,
        });
        let ip: IpAddr = "198.51.100.1".parse().unwrap();
        assert_eq!(l.check(Limit::Page, &ip), Ok(2));
        assert_eq!(l.check(Limit::Page, &ip), Ok(1));
        assert_eq!(l.check(Limit::Page, &ip), Ok(0));
        let wait = l.check(Limit::Page, &ip).unwrap_err();
        assert!(wait > Duration::from_secs(10) && wait <= Duration::from_secs(20), "{wait:?}");
        // Other groups and other clients are independent.
        assert!(l.check(Limit::Api, &ip).is_ok());
        assert!(l.check(Limit::Page, &"198.51.100.2".parse().unwrap()).is_ok());
        assert_eq!(l.tracked_keys(), 3);
        // Clean-up forgets only clients whose quota has refilled: these three are still counted.
        l.cleanup();
        assert_eq!(l.tracked_keys(), 3);
        assert!(l.check(Limit::Page, &ip).is_err(), "a cleaned-up limiter still refuses");
    }

    #[test]
    fn a_sign_in_spends_the_login_and_the_write_quota() {
        let l = Limiters::new(RateLimits {
            page_per_min: 9,
            api_per_min: 9,
            download_per_min: 9,
            write_per_min: 2,
            vote_per_min: 9,
            login_per_min: 9,
        });
        let ip: IpAddr = "198.51.100.1".parse().unwrap();
        assert!(l.admit(Limit::Login, Some(ip)).is_ok());
        assert!(l.admit(Limit::Login, Some(ip)).is_ok());
        let refused = l.admit(Limit::Write, Some(ip)).unwrap_err();
        assert_eq!(refused.status(), http::StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(refused.headers()["retry-after"], "30");
        assert_eq!(l.admit(Limit::Unlimited, Some(ip)).unwrap(), None);
    }
}
