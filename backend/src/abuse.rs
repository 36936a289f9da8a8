//! Abuse bounds shared by every instance: fixed-window counters in the database (`abuse_counters`), so a
//! bound per network, per phone or for the whole city holds however many server instances answer. One atomic
//! upsert per spend — `INSERT … ON CONFLICT DO UPDATE SET count = count + n WHERE count + n <= limit
//! RETURNING` — so parallel requests cannot all pass a count they each read (both engines). The per-IP governor
//! quotas in the HTTP layer stay: they are free (in memory) and stop floods before any query; these bound what a
//! network may *store* or *cost* per minute and per day.
//!
//! Windows are aligned to China time, so a "day" is a calendar day in Mianyang.

use crate::clock::now;
use crate::config::Bound;
use crate::store::Store;
use domain::AppError;
use std::net::IpAddr;

const CST_OFFSET: i64 = 8 * 3600;
pub const MINUTE: i64 = 60;
pub const HOUR: i64 = 3600;
pub const DAY: i64 = 86_400;

/// The start of the window of `window_secs` that holds `t`.
pub fn window_start(t: i64, window_secs: i64) -> i64 {
    (t + CST_OFFSET).div_euclid(window_secs) * window_secs - CST_OFFSET
}

/// The network a client address belongs to, as the bounds count it: IPv4 /24, IPv6 /64 (one subscriber or one
/// campus segment; mobile carriers and campuses share these, so the defaults are generous).
pub fn network_key(ip: IpAddr) -> String {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    };
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            format!("{}.{}.{}.0/24", o[0], o[1], o[2])
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

/// Spends one unit of `scope` for `key` in the current window of `window_secs`; refused (429 with
/// `Retry-After` = the seconds until the window ends) once `limit` units are spent.
pub async fn spend(store: &Store, scope: &str, key: &str, window_secs: i64, limit: i64) -> Result<(), AppError> {
    spend_amount(store, scope, key, window_secs, limit, 1).await
}

/// Spends `amount` units (bytes, say) at once; refused when they do not all fit.
pub async fn spend_amount(
    store: &Store,
    scope: &str,
    key: &str,
    window_secs: i64,
    limit: i64,
    amount: i64,
) -> Result<(), AppError> {
    let t = now();
    let start = window_start(t, window_secs);
    let retry = (start + window_secs - t).max(1) as u64;
    if amount > limit {
        return Err(AppError::rate_limited(retry));
    }
    let row: Option<i64> = sqlx::query_scalar(
        "INSERT INTO abuse_counters (scope, key, window_secs, window_start, count) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (scope, key, window_secs, window_start) DO UPDATE SET count = abuse_counters.count + $5 \
         WHERE abuse_counters.count + $5 <= $6 RETURNING count",
    )
    .bind(scope)
    .bind(key)
    .bind(window_secs)
    .bind(start)
    .bind(amount)
    .bind(limit)
    .fetch_optional(store.pool())
    .await?;
    match row {
        Some(_) => Ok(()),
        None => Err(AppError::rate_limited(retry)),
    }
}

/// Units spent so far in the current window.
pub async fn used(store: &Store, scope: &str, key: &str, window_secs: i64) -> Result<i64, AppError> {
    let start = window_start(now(), window_secs);
    let n: Option<i64> = sqlx::query_scalar(
        "SELECT count FROM abuse_counters WHERE scope = $1 AND key = $2 AND window_secs = $3 AND window_start = $4",
    )
    .bind(scope)
    .bind(key)
    .bind(window_secs)
    .bind(start)
    .fetch_optional(store.pool())
    .await?;
    Ok(n.unwrap_or(0))
}

/// Spends one unit of a per-network [`Bound`]: the minute's window, then the day's. `network` is `None` for
/// writes that come from no network (the CLI, staff typing in a hotline call): no bound applies.
pub async fn spend_bound(store: &Store, scope: &str, network: Option<&str>, bound: Bound) -> Result<(), AppError> {
    let Some(net) = network else { return Ok(()) };
    spend(store, scope, net, MINUTE, bound.per_min).await?;
    spend(store, scope, net, DAY, bound.per_day).await
}

/// Units of bounds reserved from the database ahead of use by this instance, for the hot paths (ballots arrive
/// by the thousand a second): one upsert per chunk of units instead of one per request. What an instance holds
/// unused is counted as spent, so the bound still holds across instances; a network may be refused early in a
/// window by what the instances hold unused (a few chunks at most).
#[derive(Debug, Default)]
pub struct Leases {
    left: std::sync::Mutex<std::collections::HashMap<(String, String, i64, i64), i64>>,
}

impl Leases {
    fn take(&self, k: &(String, String, i64, i64)) -> bool {
        let mut left = self.left.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match left.get_mut(k) {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        }
    }

    /// Units held unused, in all.
    pub fn held(&self) -> i64 {
        self.left.lock().unwrap_or_else(std::sync::PoisonError::into_inner).values().sum()
    }

    fn add(&self, k: (String, String, i64, i64), n: i64, t: i64) {
        let mut left = self.left.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if left.len() > 4_096 {
            left.retain(|(_, _, secs, start), _| start + secs > t);
        }
        *left.entry(k).or_insert(0) += n;
    }
}

/// [`spend`] through this instance's [`Leases`]: a unit from what it reserved, else a chunk of units reserved at
/// once (a twentieth of the limit, at most 32), else the last single units.
pub async fn spend_leased(
    store: &Store,
    leases: &Leases,
    scope: &str,
    key: &str,
    window_secs: i64,
    limit: i64,
) -> Result<(), AppError> {
    let t = now();
    let k = (scope.to_owned(), key.to_owned(), window_secs, window_start(t, window_secs));
    if leases.take(&k) {
        return Ok(());
    }
    let chunk = (limit / 20).clamp(1, 32);
    if chunk > 1 && spend_amount(store, scope, key, window_secs, limit, chunk).await.is_ok() {
        leases.add(k, chunk - 1, t);
        return Ok(());
    }
    // Another request of this instance may have reserved a chunk meanwhile.
    if leases.take(&k) {
        return Ok(());
    }
    match spend_amount(store, scope, key, window_secs, limit, 1).await {
        Ok(()) => Ok(()),
        Err(_) if leases.take(&k) => Ok(()),
        Err(e) => Err(e),
    }
}

/// [`spend_bound`] through this instance's [`Leases`].
pub async fn spend_bound_leased(
    store: &Store,
    leases: &Leases,
    scope: &str,
    network: Option<&str>,
    bound: Bound,
) -> Result<(), AppError> {
    let Some(net) = network else { return Ok(()) };
    spend_leased(store, leases, scope, net, MINUTE, bound.per_min).await?;
    spend_leased(store, leases, scope, net, DAY, bound.per_day).await
}

/// Drops windows that ended more than a day ago.
pub async fn sweep(store: &Store) -> Result<u64, AppError> {
    let done = sqlx::query("DELETE FROM abuse_counters WHERE window_start < $1")
        .bind(now() - 2 * DAY)
        .execute(store.pool())
        .await?;
    Ok(done.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_follow_china_time_and_networks_group_neighbours() {
        // 2026-12-07 00:00 in UTC+8 is 2026-12-06 16:00 UTC.
        let midnight = domain::clock::parse_date("2026-12-07").unwrap();
        assert_eq!(window_start(midnight + 5, DAY), midnight);
        assert_eq!(window_start(midnight - 5, DAY), midnight - DAY);
        assert_eq!(window_start(midnight + 61, MINUTE), midnight + 60);
        let k = |s: &str| network_key(s.parse().unwrap());
        assert_eq!(k("198.51.100.7"), "198.51.100.0/24");
        assert_eq!(k("198.51.100.7"), k("198.51.100.250"));
        assert_ne!(k("198.51.100.7"), k("198.51.101.7"));
        assert_eq!(k("2001:db8:1:2:aaaa::1"), k("2001:db8:1:2:bbbb::9"));
        assert_ne!(k("2001:db8:1:2::1"), k("2001:db8:1:3::1"));
        assert_eq!(k("::ffff:198.51.100.9"), "198.51.100.0/24");
    }
}
