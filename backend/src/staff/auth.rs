//! Staff authentication: argon2id password hashes, database-backed sessions (so several instances share them),
//! and login throttling per username and client network (database-backed, across instances): five failures
//! throttle an account from that network only, so a stranger cannot lock the owner out; a much higher cap per
//! account over all networks slows guessing spread over many addresses. Per-IP rate limits are the HTTP layer's.

use crate::clock::now;
use crate::staff::audit::{self, Actor, Entry};
use crate::store::col;
use crate::AppState;
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::Engine;
use domain::staff::AuditAction as A;
use domain::staff::{Role, StaffUser};
use domain::{AppError, ErrCode};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// Session lifetime.
pub const SESSION_SECS: i64 = 12 * 3600;
/// A session unused for this long ends (a console left open on a shared desk).
pub const SESSION_IDLE_SECS: i64 = 30 * 60;
/// Failed sign-ins per username from one network (an IPv4 address, an IPv6 /64) within [`THROTTLE_WINDOW_SECS`]
/// before further attempts from that network are refused.
pub const MAX_FAILURES: i64 = 5;
/// Failed sign-ins per username from all networks together within the window before every network is refused:
/// guessing spread over many addresses is slowed, and locking the owner out takes ten networks in 15 minutes.
pub const ACCOUNT_MAX_FAILURES: i64 = 50;
pub const THROTTLE_WINDOW_SECS: i64 = 15 * 60;
/// The session cookie's name.
/// The `__Host-` prefix makes browsers refuse the cookie unless it is `Secure`, host-only and `Path=/`; on plain
/// HTTP (loopback development) the unprefixed name is used.
pub const SESSION_COOKIE: &str = "__Host-portal_session";
pub const SESSION_COOKIE_PLAIN: &str = "portal_session";

/// The session cookie's name under this configuration.
pub fn session_cookie_name(config: &crate::config::Config) -> &'static str {
    if config.cookie_secure {
        SESSION_COOKIE
    } else {
        SESSION_COOKIE_PLAIN
    }
}

/// Hashes a password with the argon2 defaults (Argon2id, 19 MiB, t=2, p=1: the OWASP baseline), off the async
/// threads and at most two at a time.
pub async fn hash_password(state: &AppState, password: String) -> Result<String, AppError> {
    let _permit = state.hash_permits.acquire().await.map_err(AppError::internal)?;
    let argon = match state.config.password_cost {
        crate::config::PasswordCost::Owasp => Argon2::default(),
        crate::config::PasswordCost::TestsOnly => Argon2::new(
            argon2::Algorithm::Argon2id,
            argon2::Version::V0x13,
            argon2::Params::new(64, 1, 1, None).map_err(AppError::internal)?,
        ),
    };
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon.hash_password(password.as_bytes(), &salt).map(|h| h.to_string())
    })
    .await
    .map_err(AppError::internal)?
    .map_err(AppError::internal)
}

async fn verify_password(state: &AppState, hash: String, password: String) -> Result<bool, AppError> {
    let _permit = state.hash_permits.acquire().await.map_err(AppError::internal)?;
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&hash).map_err(AppError::internal)?;
        Ok(Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
    })
    .await
    .map_err(AppError::internal)?
}

/// A hash to verify against when the username does not exist, so both cases take the same time.
async fn dummy_hash(state: &AppState) -> Result<String, AppError> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    if let Some(h) = DUMMY.get() {
        return Ok(h.clone());
    }
    let h = hash_password(state, "not-a-real-password-just-timing".to_owned()).await?;
    Ok(DUMMY.get_or_init(|| h).clone())
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn new_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A successful sign-in: who, and the session token for the cookie.
#[derive(Debug)]
pub struct LoginOutcome {
    pub user: StaffUser,
    pub token: String,
}

/// Signs a staff member in. Wrong password and unknown username are answered identically.
pub async fn login(
    state: &AppState,
    username: &str,
    password: &str,
    ip: Option<&str>,
) -> Result<LoginOutcome, AppError> {
    let name = username.trim().to_lowercase();
    if name.is_empty() {
        return Err(AppError::field(ErrCode::Required, "username"));
    }
    if password.is_empty() {
        return Err(AppError::field(ErrCode::Required, "password"));
    }
    if name.chars().count() > 64 || password.chars().count() > 1024 {
        return Err(AppError::new(ErrCode::InvalidCredentials));
    }
    let pool = state.store.pool();
    let t = now();
    let since = t - THROTTLE_WINDOW_SECS;
    let net = ip.map(network_key).unwrap_or_default();
    // The attempt is recorded before the password is checked, and only attempts recorded before it count
    // against it: parallel guesses cannot all see "fewer than five" while argon2 runs (hardening finding 1).
    let attempt: i64 = col(
        &sqlx::query("INSERT INTO login_failures (username_key, net, at) VALUES ($1, $2, $3) RETURNING id")
            .bind(&name)
            .bind(&net)
            .bind(t)
            .fetch_one(pool)
            .await?,
        "id",
    )?;
    let row = sqlx::query(
        "SELECT COUNT(*) AS n, MIN(at) AS first, COALESCE(SUM(CASE WHEN net = $4 THEN 1 ELSE 0 END), 0) AS here, \
         MIN(CASE WHEN net = $4 THEN at END) AS first_here \
         FROM login_failures WHERE username_key = $1 AND at > $2 AND id < $3",
    )
    .bind(&name)
    .bind(since)
    .bind(attempt)
    .bind(&net)
    .fetch_one(pool)
    .await?;
    let (everywhere, here): (i64, i64) = (col(&row, "n")?, col::<i64>(&row, "here")?);
    let first = if here >= MAX_FAILURES {
        Some(col::<Option<i64>>(&row, "first_here")?)
    } else if everywhere >= ACCOUNT_MAX_FAILURES {
        Some(col::<Option<i64>>(&row, "first")?)
    } else {
        None
    };
    if let Some(first) = first {
        // A refused attempt is not a failure: it must not count towards the account's cap over all networks
        // (one network hammering on would otherwise lock the owner out everywhere).
        sqlx::query("DELETE FROM login_failures WHERE id = $1").bind(attempt).execute(pool).await?;
        let wait = first.map(|f| f + THROTTLE_WINDOW_SECS - t).unwrap_or(THROTTLE_WINDOW_SECS);
        return Err(AppError { code: ErrCode::LoginThrottled, field: None, retry_after: Some(wait.max(1) as u64) });
    }

    let found = sqlx::query("SELECT id, username, password_hash, role FROM staff WHERE username = $1 AND active = 1")
        .bind(&name)
        .fetch_optional(pool)
        .await?;
    let (user, hash) = match &found {
        Some(row) => {
            let role: String = col(row, "role")?;
            let user = StaffUser {
                id: col(row, "id")?,
                username: col(row, "username")?,
                role: Role::parse(&role).ok_or_else(|| AppError::internal(format!("bad role {role}")))?,
            };
            (Some(user), col::<String>(row, "password_hash")?)
        }
        None => (None, dummy_hash(state).await?),
    };
    let ok = verify_password(state, hash, password.to_owned()).await?;
    match (ok, user) {
        (true, Some(user)) => {
            // This network's failures are forgiven; others' still count towards the account's cap.
            sqlx::query("DELETE FROM login_failures WHERE username_key = $1 AND net = $2")
                .bind(&name)
                .bind(&net)
                .execute(pool)
                .await?;
            let token = new_token();
            sqlx::query(
                "INSERT INTO staff_sessions (token_hash, staff_id, created_at, expires_at, last_seen_at) \
                 VALUES ($1, $2, $3, $4, $3)",
            )
            .bind(token_hash(&token))
            .bind(user.id)
            .bind(t)
            .bind(t + SESSION_SECS)
            .execute(pool)
            .await?;
            audit::record(
                &mut *state.store.pool().acquire().await?,
                &Actor::staff(&user),
                Entry::new(A::StaffLogin).ip_opt(ip),
            )
            .await?;
            Ok(LoginOutcome { user, token })
        }
        (_, user) => {
            // The attempt row stays as the failure. The attempted name is recorded in the audit log only when
            // it is a real account: a password typed into the username box must not end up in the log.
            let target = user.as_ref().map(|u| format!("staff:{}", u.username));
            audit::record(
                &mut *state.store.pool().acquire().await?,
                &Actor::anonymous(),
                Entry::new(A::StaffLoginFailed).target_opt(target.as_deref()).ip_opt(ip),
            )
            .await?;
            Err(AppError::new(ErrCode::InvalidCredentials))
        }
    }
}

/// The network a sign-in comes from, as failures are counted: an IPv4 address, or an IPv6 /64 (one subscriber).
pub fn network_key(ip: &str) -> String {
    match ip.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(v4)) => v4.to_string(),
        Ok(std::net::IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Err(_) => ip.chars().take(64).collect(),
    }
}

/// Removes expired sessions and failures older than the throttle window; the server runs it on a timer.
pub async fn sweep(state: &AppState) -> Result<(), AppError> {
    let t = now();
    let pool = state.store.pool();
    sqlx::query("DELETE FROM staff_sessions WHERE expires_at < $1 OR last_seen_at < $2")
        .bind(t)
        .bind(t - SESSION_IDLE_SECS)
        .execute(pool)
        .await?;
    sqlx::query("DELETE FROM login_failures WHERE at < $1").bind(t - THROTTLE_WINDOW_SECS).execute(pool).await?;
    Ok(())
}

/// The staff member behind a session token, if the session is valid and the account active.
pub async fn session_user(state: &AppState, token: &str) -> Result<Option<StaffUser>, AppError> {
    if token.is_empty() || token.len() > 128 {
        return Ok(None);
    }
    let row = sqlx::query(
        "SELECT s.id, s.username, s.role FROM staff_sessions x JOIN staff s ON s.id = x.staff_id \
         WHERE x.token_hash = $1 AND x.expires_at > $2 AND x.last_seen_at > $3 AND s.active = 1",
    )
    .bind(token_hash(token))
    .bind(now())
    .bind(now() - SESSION_IDLE_SECS)
    .fetch_optional(state.store.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    // Keep an active session alive; written at most once a minute per session.
    sqlx::query("UPDATE staff_sessions SET last_seen_at = $1 WHERE token_hash = $2 AND last_seen_at < $3")
        .bind(now())
        .bind(token_hash(token))
        .bind(now() - 60)
        .execute(state.store.pool())
        .await?;
    let role: String = col(&row, "role")?;
    Ok(Some(StaffUser {
        id: col(&row, "id")?,
        username: col(&row, "username")?,
        role: Role::parse(&role).ok_or_else(|| AppError::internal(format!("bad role {role}")))?,
    }))
}

/// Ends a session.
pub async fn logout(state: &AppState, token: &str, ip: Option<&str>) -> Result<(), AppError> {
    if let Some(user) = session_user(state, token).await? {
        sqlx::query("DELETE FROM staff_sessions WHERE token_hash = $1")
            .bind(token_hash(token))
            .execute(state.store.pool())
            .await?;
        audit::record(
            &mut *state.store.pool().acquire().await?,
            &Actor::staff(&user),
            Entry::new(A::StaffLogout).ip_opt(ip),
        )
        .await?;
    }
    Ok(())
}
