use super::Shared;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};

/// The client's IP address, as the rest of the stack sees it (defined in `app::ssr` so pages can read it from
/// the request's extensions too).
pub use app::ssr::ClientIp;

/// Resolves the client's IP. The left-most `X-Forwarded-For` entry is whatever the client typed, so we walk the
/// list from the right, skipping our own trusted proxies, and take the first address they did not add.
pub fn resolve(peer: IpAddr, forwarded_for: Option<&str>, trusted: &[IpNet]) -> IpAddr {
    let peer = canonical(peer);
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let Some(xff) = forwarded_for else { return peer };
    // From the right: our proxies' hops are skipped; the first address they did not add is the client. An
    // unreadable hop ends the walk (nothing left of it can be trusted), and a chain of only our own proxies means
    // the request came from one of them: the socket peer (never the client-written left-most entry).
    for hop in xff.split(',').rev() {
        match hop.trim().parse::<IpAddr>().map(canonical) {
            Ok(ip) if is_trusted(&ip) => continue,
            Ok(ip) => return ip,
            Err(_) => return peer,
        }
    }
    peer
}

/// IPv4-mapped IPv6 addresses (`::ffff:1.2.3.4`) are the IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

pub async fn client_ip(State(shared): State<Shared>, mut req: Request, next: Next) -> Response {
    let peer =
        req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()).unwrap_or(IpAddr::from([127, 0, 0, 1]));
    // Every X-Forwarded-For line, in order: a proxy may append its own line rather than extend the first.
    let lines: Vec<&str> = req.headers().get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
    let xff = (!lines.is_empty()).then(|| lines.join(","));
    let ip = resolve(peer, xff.as_deref(), &shared.app.config.trusted_proxies);
    req.extensions_mut().insert(ClientIp(ip));
    next.run(req).await
}

/// The network a client is in, as staff see it next to what it submitted: IPv4 /24, IPv6 /48.
pub fn network(ip: IpAddr) -> String {
    match canonical(ip) {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            format!("{}.{}.{}.0/24", o[0], o[1], o[2])
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}::/48", s[0], s[1], s[2])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_for_only_from_trusted_proxies() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        // An untrusted peer cannot claim another address.
        assert_eq!(resolve(ip("203.0.113.9"), Some("1.2.3.4"), &trusted), ip("203.0.113.9"));
        // Behind our proxy: the right-most untrusted hop, not the client-controlled left-most one.
        assert_eq!(resolve(ip("10.0.0.2"), Some("6.6.6.6, 198.51.100.7, 10.0.0.5"), &trusted), ip("198.51.100.7"));
        assert_eq!(resolve(ip("10.0.0.2"), None, &trusted), ip("10.0.0.2"));
        assert_eq!(resolve(ip("10.0.0.2"), Some("garbage"), &trusted), ip("10.0.0.2"));
        // Every hop ours: the peer, not the client-written left-most address.
        assert_eq!(resolve(ip("10.0.0.2"), Some("10.9.9.9, 10.0.0.5"), &trusted), ip("10.0.0.2"));
        // An unreadable hop stops the walk.
        assert_eq!(resolve(ip("10.0.0.2"), Some("6.6.6.6, junk, 10.0.0.5"), &trusted), ip("10.0.0.2"));
        assert_eq!(resolve(ip("::ffff:192.0.2.1"), None, &[]), ip("192.0.2.1"));
    }

    #[test]
    fn networks_as_staff_see_them() {
        assert_eq!(network(ip("203.0.113.77")), "203.0.113.0/24");
        assert_eq!(network(ip("::ffff:203.0.113.77")), "203.0.113.0/24");
        assert_eq!(network(ip("2001:db8:abcd:12::1")), "2001:db8:abcd::/48");
    }
}
