//! Rate limits per client IP, declared in one place: one governor quota per route group. IPv6 clients are keyed
//! by their /64 (one subscriber usually owns a whole /64). Refusals are 429 with `Retry-After` (whole seconds,
//! at least 1) and `RateLimit-*` headers; admitted requests carry `RateLimit-Limit` / `RateLimit-Remaining`.

use super::client_ip::ClientIp;
use super::Shared;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use backend::config::RateLimits;
use domain::AppError;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use http::{HeaderValue, Method};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

type Keyed = RateLimiter<IpAddr, DefaultKeyedStateStore<IpAddr>, DefaultClock, StateInformationMiddleware>;

/// Route groups with their own quota.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    Page,
    Api,
    Write,
    Login,
}

pub struct Limiters {
    page: Keyed,
    api: Keyed,
    write: Keyed,
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
            write: keyed(limits.write_per_min),
            login: keyed(limits.login_per_min),
            limits,
        }
    }

    fn get(&self, g: Group) -> (&Keyed, u32) {
        match g {
            Group::Page => (&self.page, self.limits.page_per_min),
            Group::Api => (&self.api, self.limits.api_per_min),
            Group::Write => (&self.write, self.limits.write_per_min),
            Group::Login => (&self.login, self.limits.login_per_min),
        }
    }

    /// Drops keys whose state has fully replenished, and gives the memory back.
    pub fn cleanup(&self) {
        for l in [&self.page, &self.api, &self.write, &self.login] {
            l.retain_recent();
            l.shrink_to_fit();
        }
    }

    /// Number of tracked keys (for tests and metrics).
    pub fn tracked_keys(&self) -> usize {
        [&self.page, &self.api, &self.write, &self.login].iter().map(|l| l.len()).sum()
    }

    /// Checks one request; `Ok(remaining)` or `Err(wait)`.
    pub fn check(&self, g: Group, key: &IpAddr) -> Result<u32, Duration> {
        let (limiter, _) = self.get(g);
        match limiter.check_key(key) {
            Ok(snapshot) => Ok(snapshot.remaining_burst_capacity()),
            Err(not_until) => Err(not_until.wait_time_from(DefaultClock::default().now())),
        }
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

/// Which groups a request counts against. Health checks are not limited (load balancers poll them).
pub fn groups(method: &Method, path: &str) -> &'static [Group] {
    if path == "/healthz" || path == "/readyz" {
        return &[];
    }
    let unsafe_method = !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method {
        if path == "/staff/login" {
            &[Group::Login, Group::Write]
        } else {
            &[Group::Write]
        }
    } else if path.starts_with("/api/") {
        &[Group::Api]
    } else {
        &[Group::Page]
    }
}

pub async fn rate_limit(State(shared): State<Shared>, req: Request, next: Next) -> Response {
    let ip = req.extensions().get::<ClientIp>().map(|c| c.0).unwrap_or(IpAddr::from([127, 0, 0, 1]));
    let k = key(ip);
    let mut headers = None;
    for &g in groups(req.method(), req.uri().path()) {
        let (_, limit) = shared.limiters.get(g);
        match shared.limiters.check(g, &k) {
            Ok(remaining) => {
                if headers.is_none() {
                    headers = Some((limit, remaining));
                }
            }
            Err(wait) => {
                let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                let mut res = AppError::rate_limited(secs).into_response();
                let h = res.headers_mut();
                h.insert("ratelimit-limit", HeaderValue::from(limit));
                h.insert("ratelimit-remaining", HeaderValue::from(0));
                h.insert("ratelimit-reset", HeaderValue::from(secs.max(1)));
                return res;
            }
        }
    }
    let mut res = next.run(req).await;
    if let Some((limit, remaining)) = headers {
        let h = res.headers_mut();
        h.insert("ratelimit-limit", HeaderValue::from(limit));
        h.insert("ratelimit-remaining", HeaderValue::from(remaining));
    }
    res
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
        let l = Limiters::new(RateLimits { page_per_min: 3, api_per_min: 1, write_per_min: 1, login_per_min: 1 });
        let ip: IpAddr = "198.51.100.1".parse().unwrap();
        assert_eq!(l.check(Group::Page, &ip), Ok(2));
        assert_eq!(l.check(Group::Page, &ip), Ok(1));
        assert_eq!(l.check(Group::Page, &ip), Ok(0));
        let wait = l.check(Group::Page, &ip).unwrap_err();
        assert!(wait > Duration::from_secs(10) && wait <= Duration::from_secs(20), "{wait:?}");
        // Other groups and other clients are independent.
        assert!(l.check(Group::Api, &ip).is_ok());
        assert!(l.check(Group::Page, &"198.51.100.2".parse().unwrap()).is_ok());
        assert_eq!(l.tracked_keys(), 3);
    }

    #[test]
    fn groups_by_route() {
        assert_eq!(groups(&Method::POST, "/staff/login"), &[Group::Login, Group::Write]);
        assert_eq!(groups(&Method::GET, "/api/v1/figures"), &[Group::Api]);
        assert_eq!(groups(&Method::GET, "/credit"), &[Group::Page]);
        assert_eq!(groups(&Method::DELETE, "/api/v1/x"), &[Group::Write]);
        assert!(groups(&Method::GET, "/healthz").is_empty());
    }
}
