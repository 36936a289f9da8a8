//! Route facts: what a route needs, declared next to the route by the module that owns it. The HTTP layer
//! reads these and nothing else — it holds no table of paths.

use crate::staff::Role;

/// Which per-client quota a request spends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Limit {
    /// Not limited (health checks polled by load balancers).
    Unlimited,
    /// Reading pages and assets.
    Page,
    /// Reading the JSON API.
    Api,
    /// Bulk downloads of the whole registry: heavy, so a small quota of their own.
    Download,
    /// Anything that writes.
    Write,
    /// 你点我检 ballots and their SMS codes: campuses and carriers put thousands of voters behind one address,
    /// so a larger per-address quota of its own (each voter has a small quota too).
    Vote,
    /// Staff sign-in attempts (also spend the write quota).
    Login,
}

/// Whom an answer is for, which decides whether anything but the asking browser may keep it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Authority {
    /// The same for everyone who asks for this URL: cacheable as `cache_secs` and the ETag say.
    Public,
    /// Depends on a credential the request carries (an access code, a cookie, a capability id in the URL):
    /// answered `Cache-Control: private, no-store`, never kept in the page cache.
    Credential,
    /// Built from the request's `Host` (absolute URLs, QR codes): cacheable only when `PORTAL_PUBLIC_URL` fixes
    /// the origin, else answered `private` and never kept in the page cache.
    Host,
}

/// The facts of one route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Facts {
    /// The least staff role allowed; `None` for public routes.
    pub role: Option<Role>,
    /// Seconds an anonymous `GET` without a query string may be answered from the in-memory cache (capped by
    /// `PORTAL_PAGE_CACHE_SECS`); 0 = never.
    pub cache_secs: u32,
    pub limit: Limit,
    /// Largest request body in bytes; `None` = the configured default (`PORTAL_MAX_BODY_BYTES`).
    pub body_limit: Option<usize>,
    /// JSON reads answered with an `ETag` and `304 Not Modified`.
    pub etag: bool,
    /// Whether the answer depends on a credential or on the `Host`.
    pub authority: Authority,
}

impl Facts {
    /// A public page.
    pub const PAGE: Facts = Facts {
        role: None,
        cache_secs: 0,
        limit: Limit::Page,
        body_limit: None,
        etag: false,
        authority: Authority::Public,
    };
    /// A public JSON read.
    pub const API: Facts = Facts {
        role: None,
        cache_secs: 0,
        limit: Limit::Api,
        body_limit: None,
        etag: true,
        authority: Authority::Public,
    };
    /// A public write (form post or JSON).
    pub const WRITE: Facts = Facts {
        role: None,
        cache_secs: 0,
        limit: Limit::Write,
        body_limit: None,
        etag: false,
        authority: Authority::Public,
    };
    /// Health checks.
    pub const HEALTH: Facts = Facts {
        role: None,
        cache_secs: 0,
        limit: Limit::Unlimited,
        body_limit: None,
        etag: false,
        authority: Authority::Public,
    };

    /// A staff page or read, for `role` and above. Staff answers are never cached, anywhere.
    pub const fn staff(role: Role) -> Facts {
        Facts { role: Some(role), ..Facts::PAGE }
    }

    /// A staff write, for `role` and above.
    pub const fn staff_write(role: Role) -> Facts {
        Facts { role: Some(role), ..Facts::WRITE }
    }

    /// The same, cacheable for anonymous visitors for `secs` seconds.
    pub const fn cached(self, secs: u32) -> Facts {
        Facts { cache_secs: secs, ..self }
    }

    pub const fn limit(self, limit: Limit) -> Facts {
        Facts { limit, ..self }
    }

    pub const fn body_limit(self, bytes: usize) -> Facts {
        Facts { body_limit: Some(bytes), ..self }
    }

    /// The answer depends on a credential: never stored by anyone but the asking browser's memory.
    pub const fn credential(self) -> Facts {
        Facts { authority: Authority::Credential, cache_secs: 0, ..self }
    }

    /// The answer is built from the request's `Host`.
    pub const fn host_bound(self) -> Facts {
        Facts { authority: Authority::Host, ..self }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_routes_are_never_cacheable_by_default() {
        let f = Facts::staff(Role::Admin);
        assert_eq!((f.role, f.cache_secs, f.limit), (Some(Role::Admin), 0, Limit::Page));
        assert_eq!(Facts::staff_write(Role::Moderator).limit, Limit::Write);
        assert_eq!(Facts::PAGE.cached(5).cache_secs, 5);
        assert_eq!(Facts::WRITE.body_limit(7).body_limit, Some(7));
    }
}
