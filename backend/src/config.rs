//! Typed configuration, loaded once at start (the `server` binary parses env vars and flags into it).

use anyhow::{bail, Context};
use ipnet::IpNet;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A value that must never reach a log: `Debug` and `Display` print `[redacted]`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    pub fn new(v: T) -> Self {
        Secret(v)
    }
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Requests per minute per client for each route group. Bursts of the whole minute's quota are allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimits {
    /// HTML pages and static assets.
    pub page_per_min: u32,
    /// `GET /api/v1/…`.
    pub api_per_min: u32,
    /// Every unsafe method (POST, PUT, PATCH, DELETE).
    pub write_per_min: u32,
    /// 你点我检 ballots and SMS code requests, per client IP.
    pub vote_per_min: u32,
    /// Bulk downloads of the whole registry, per client IP.
    pub download_per_min: u32,
    /// Staff sign-in attempts, per client IP (per-username throttling is separate and database-backed).
    pub login_per_min: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            page_per_min: 600,
            api_per_min: 300,
            download_per_min: 10,
            write_per_min: 60,
            vote_per_min: 600,
            login_per_min: 10,
        }
    }
}

/// A bound per network (IPv4 /24, IPv6 /64) on one kind of public write: at most `per_min` in a clock minute
/// and `per_day` in a China calendar day, counted in the database so every instance shares it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bound {
    pub per_min: i64,
    pub per_day: i64,
}

impl Bound {
    pub const fn new(per_min: i64, per_day: i64) -> Bound {
        Bound { per_min, per_day }
    }

    /// Parses `"10/min,200/day"` (either order, spaces allowed); `name` is the variable, for the error.
    pub fn parse(name: &str, s: &str) -> anyhow::Result<Bound> {
        let (mut per_min, mut per_day) = (None, None);
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (n, unit) = part.split_once('/').with_context(|| format!("{name}: `{part}` is not N/min or N/day"))?;
            let n: i64 = n
                .trim()
                .parse()
                .ok()
                .filter(|n| *n > 0)
                .with_context(|| format!("{name}: `{part}` needs a positive count"))?;
            match unit.trim() {
                "min" => per_min = Some(n),
                "day" => per_day = Some(n),
                other => bail!("{name}: unknown unit `{other}` (use min or day)"),
            }
        }
        match (per_min, per_day) {
            (Some(per_min), Some(per_day)) if per_min <= per_day => Ok(Bound { per_min, per_day }),
            (Some(_), Some(_)) => bail!("{name}: the minute's bound exceeds the day's"),
            _ => bail!("{name}: give both, e.g. `10/min,200/day`"),
        }
    }
}

impl fmt::Display for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/min,{}/day", self.per_min, self.per_day)
    }
}

/// The per-network bounds of every public write (`PORTAL_BOUND_*`). Campuses and mobile carriers put many
/// people behind one network, so they are generous per person and tight for one client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NetworkBounds {
    /// 投诉/举报 filed (each up to five photos).
    pub cases: Bound,
    /// Failed no-JavaScript report posts kept as sealed drafts.
    pub drafts: Bound,
    /// 你点我检 nominations.
    pub nominations: Bound,
    /// Businesses' replies to their record.
    pub replies: Bound,
    /// Satisfaction ratings of decided cases (tries with a wrong access code count too).
    pub ratings: Bound,
    /// Businesses' objections, credit repairs, re-inspection requests and waivers.
    pub objections: Bound,
    /// 你点我检 ballots.
    pub ballots: Bound,
    /// Cases an Open311 partner key may file (per key, not per network): the default of every key, which a
    /// partner's own quota overrides (`PORTAL_OPEN311_QUOTA`).
    pub open311: Bound,
    /// SMS one-time codes requested.
    pub sms: Bound,
    /// 关注 by SMS: subscriptions asked for (each sends a code), and, each counted on its own, confirmations tried
    /// and unsubscribes.
    pub follows: Bound,
    /// 食安志愿者 sign-ups, and, each counted on its own, phone confirmations and sign-ins.
    pub volunteers: Bound,
    /// Megabytes of evidence photos stored per network per day.
    pub photo_mb_per_day: i64,
    /// New 你点我检 device identities issued per network per round per hour.
    pub new_devices_per_hour: i64,
    /// SMS messages (codes and notices) the whole city may send per China calendar day.
    pub sms_daily_budget: i64,
    /// SMS codes one phone number may receive per day.
    pub sms_per_phone_per_day: i64,
    /// 关注 alerts one phone may receive per day as they happen; the rest go into the evening's digest.
    pub follow_sms_per_phone_per_day: i64,
}

impl Default for NetworkBounds {
    fn default() -> Self {
        NetworkBounds {
            cases: Bound::new(10, 100),
            drafts: Bound::new(20, 200),
            nominations: Bound::new(20, 200),
            replies: Bound::new(5, 10),
            ratings: Bound::new(10, 100),
            objections: Bound::new(5, 10),
            ballots: Bound::new(600, 20_000),
            open311: Bound::new(30, 1000),
            sms: Bound::new(10, 100),
            photo_mb_per_day: 500,
            new_devices_per_hour: 100,
            sms_daily_budget: 20_000,
            sms_per_phone_per_day: 5,
            follows: Bound::new(10, 50),
            volunteers: Bound::new(5, 20),
            follow_sms_per_phone_per_day: 5,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Config {
    /// `sqlite://…` or `postgres://…` (may hold a password).
    pub database_url: Secret<String>,
    pub site_addr: SocketAddr,
    /// Where the SQLite file, the generated secret key and uploads live.
    pub data_dir: PathBuf,
    /// Signs cookies, keys the encryption of personal data and the HMACs of voter identities.
    pub secret_key: Secret<Vec<u8>>,
    /// Peers whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpNet>,
    pub webhook_url: Option<String>,
    pub webhook_secret: Option<Secret<String>>,
    pub sms_url: Option<String>,
    /// The secret the SMS gateway signs replies with (`POST /api/v1/sms/inbound`); unset, replies are not taken.
    pub sms_inbound_secret: Option<Secret<String>>,
    /// The portal's public origin (`https://…`, no trailing slash) for QR codes, feeds and links in messages.
    /// Unset, absolute URLs follow the request's `Host` and such answers are never publicly cached.
    pub public_url: Option<String>,
    pub rate_limits: RateLimits,
    /// Per-network bounds on public writes, per minute and per day, shared by all instances.
    pub network_bounds: NetworkBounds,
    /// Deadlines of 核查处置 (`PORTAL_DISPOSAL_*_DAYS`; defaults from the national sampling rules).
    pub disposal: domain::sampling::DisposalLimits,
    /// How long anonymous pages that everyone sees alike are served from memory.
    pub page_cache_ttl: Duration,
    /// Mark cookies `Secure` (set when served over TLS).
    pub cookie_secure: bool,
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
    /// Where the built site (`pkg/`, CSS, assets) is served from.
    pub site_root: PathBuf,
    /// Cost of new password hashes: the OWASP baseline, or a cheap one only tests set (hashes carry their own
    /// parameters, so verification works either way).
    pub password_cost: PasswordCost,
}

/// Argon2id parameters for new hashes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordCost {
    /// Argon2id, 19 MiB, t=2, p=1.
    Owasp,
    /// 64 KiB, t=1: for test databases only, never reachable from the command line.
    TestsOnly,
}

impl Config {
    /// A configuration for tests and tools: the given database, sane defaults, a fixed key.
    pub fn for_tests(database_url: &str, data_dir: &Path) -> Config {
        Config {
            database_url: Secret::new(database_url.to_owned()),
            site_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: data_dir.to_owned(),
            secret_key: Secret::new(b"test-key-test-key-test-key-test-key".to_vec()),
            trusted_proxies: Vec::new(),
            webhook_url: None,
            webhook_secret: None,
            sms_url: None,
            sms_inbound_secret: None,
            public_url: None,
            rate_limits: RateLimits::default(),
            network_bounds: NetworkBounds::default(),
            disposal: domain::sampling::DisposalLimits::default(),
            page_cache_ttl: Duration::from_secs(5),
            cookie_secure: false,
            max_body_bytes: 1024 * 1024,
            request_timeout: Duration::from_secs(15),
            site_root: PathBuf::from("target/site"),
            password_cost: PasswordCost::TestsOnly,
        }
    }
}

/// Parses `PORTAL_TRUSTED_PROXIES`: comma- or space-separated CIDRs or bare addresses.
pub fn parse_trusted_proxies(s: &str) -> anyhow::Result<Vec<IpNet>> {
    s.split([',', ' '])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.parse::<IpNet>()
                .or_else(|_| p.parse::<std::net::IpAddr>().map(IpNet::from))
                .with_context(|| format!("PORTAL_TRUSTED_PROXIES: `{p}` is not a CIDR or an IP address"))
        })
        .collect()
}

pub use crate::dialect::DbKind;

/// A database URL safe to print: the password, if any, replaced.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}://{user}:***@{}", &url[..s], &url[at + 1..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// The secret key: `PORTAL_SECRET_KEY` when set (at least 32 characters), else a key generated once into
/// `DATA_DIR/secret.key`. Returns the key and whether it was generated (the caller warns).
pub fn resolve_secret_key(env_value: Option<&str>, data_dir: &Path) -> anyhow::Result<(Vec<u8>, bool)> {
    if let Some(v) = env_value.filter(|v| !v.is_empty()) {
        if v.len() < 32 {
            bail!("PORTAL_SECRET_KEY must be at least 32 characters long");
        }
        return Ok((v.as_bytes().to_vec(), false));
    }
    let path = data_dir.join("secret.key");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim();
        if existing.len() >= 32 {
            return Ok((existing.as_bytes().to_vec(), false));
        }
        bail!("{}: the stored secret key is too short; delete it or set PORTAL_SECRET_KEY", path.display());
    }
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("PORTAL_DATA_DIR: cannot create {}", data_dir.display()))?;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let key = hex::encode(bytes);
    // Readable by the server's user only: it keys the encryption of personal data.
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(&path)
        .with_context(|| format!("PORTAL_DATA_DIR: cannot write {} (is the folder read-only?)", path.display()))?;
    std::io::Write::write_all(&mut file, key.as_bytes())
        .with_context(|| format!("PORTAL_DATA_DIR: cannot write {}", path.display()))?;
    Ok((key.into_bytes(), true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trusted_proxies_parse() {
        let v = parse_trusted_proxies("10.0.0.0/8, 127.0.0.1 ::1").unwrap();
        assert_eq!(v.len(), 3);
        assert!(v[0].contains(&"10.1.2.3".parse::<std::net::IpAddr>().unwrap()));
        assert_eq!(v[1].prefix_len(), 32);
        assert!(parse_trusted_proxies("").unwrap().is_empty());
        let err = parse_trusted_proxies("10.0.0.0/99").unwrap_err().to_string();
        assert!(err.contains("PORTAL_TRUSTED_PROXIES"), "{err}");
    }

    #[test]
    fn bounds_parse_and_refuse_nonsense() {
        assert_eq!(Bound::parse("X", "10/min,200/day").unwrap(), Bound::new(10, 200));
        assert_eq!(Bound::parse("X", " 200/day , 3/min ").unwrap(), Bound::new(3, 200));
        assert_eq!(Bound::parse("X", &Bound::new(4, 9).to_string()).unwrap(), Bound::new(4, 9));
        for bad in ["", "10/min", "0/min,5/day", "10/hour,5/day", "x/min,1/day", "50/min,5/day"] {
            let err = Bound::parse("PORTAL_BOUND_CASES", bad).unwrap_err().to_string();
            assert!(err.contains("PORTAL_BOUND_CASES"), "{bad}: {err}");
        }
    }

    #[test]
    fn db_kind_and_redaction() {
        assert_eq!(DbKind::from_url("sqlite://data/portal.db").unwrap(), DbKind::Sqlite);
        assert_eq!(DbKind::from_url("postgres://u@h/db").unwrap(), DbKind::Postgres);
        let err = DbKind::from_url("mysql://root:hunter2@h/db").unwrap_err().to_string();
        assert!(err.contains("DATABASE_URL"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
        assert_eq!(redact_url("postgres://u:pw@h:5432/db"), "postgres://u:***@h:5432/db");
        assert_eq!(format!("{:?}", Secret::new("pw")), "[redacted]");
    }

    #[test]
    fn secret_key_generated_once_and_validated() {
        let dir = std::env::temp_dir().join(format!("portal-key-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let (k1, generated) = resolve_secret_key(None, &dir).unwrap();
        assert!(generated);
        let (k2, generated) = resolve_secret_key(None, &dir).unwrap();
        assert!(!generated);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("secret.key")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "the key file is private");
        }
        assert_eq!(k1, k2);
        assert!(resolve_secret_key(Some("short"), &dir).is_err());
        let (k3, _) = resolve_secret_key(Some(&"k".repeat(40)), &dir).unwrap();
        assert_eq!(k3.len(), 40);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
