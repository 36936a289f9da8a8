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
        RateLimits { page_per_min: 600, api_per_min: 300, download_per_min: 10, write_per_min: 60, vote_per_min: 600, login_per_min: 10 }
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
    pub rate_limits: RateLimits,
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
            rate_limits: RateLimits::default(),
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

/// Which database a URL selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DbKind {
    Sqlite,
    Postgres,
}

impl DbKind {
    pub fn from_url(url: &str) -> anyhow::Result<DbKind> {
        if url.starts_with("sqlite:") {
            Ok(DbKind::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(DbKind::Postgres)
        } else {
            bail!("DATABASE_URL must start with sqlite:// or postgres:// (got `{}`)", redact_url(url))
        }
    }
}

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
