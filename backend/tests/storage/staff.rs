//! Staff accounts, sign-in and its throttling, sessions, the append-only audit log.

use crate::common::TestDb;
use backend::staff::audit::{self, Actor, Entry};
use backend::staff::{accounts as staff, auth};
use domain::staff::AuditAction as A;
use domain::staff::Role;
use domain::ErrCode;

on_both!(
    sessions_expire_and_are_swept,
    staff_usernames_are_unique,
    login_and_sessions,
    unknown_user_and_wrong_password_look_alike,
    login_is_throttled_per_username,
    a_stranger_cannot_lock_the_owner_out,
    audit_log_is_append_only,
);

async fn staff_usernames_are_unique(db: &TestDb) {
    let s = &db.state;
    let u = staff::create(s, &Actor::cli(), "Li_Ming", "a long enough password", Role::Moderator).await.unwrap();
    assert_eq!(u.username, "li_ming");
    assert_eq!(u.role, Role::Moderator);
    let err = staff::create(s, &Actor::cli(), "li_ming", "another long password", Role::Viewer).await.unwrap_err();
    assert_eq!(err.code, ErrCode::Conflict);
    assert_eq!(err.field.as_deref(), Some("username"));
    let err = staff::create(s, &Actor::cli(), "wang", "short", Role::Viewer).await.unwrap_err();
    assert_eq!((err.code, err.field.as_deref()), (ErrCode::TooShort, Some("password")));
    assert!(staff::exists(s, "LI_MING").await.unwrap());
    assert!(!staff::exists(s, "wang").await.unwrap());
}

async fn login_and_sessions(db: &TestDb) {
    let s = &db.state;
    staff::create(s, &Actor::cli(), "zhang", "correct horse battery", Role::Viewer).await.unwrap();
    let out = auth::login(s, " Zhang ", "correct horse battery", Some("192.0.2.1")).await.unwrap();
    assert_eq!(out.user.username, "zhang");
    assert!(out.token.len() >= 40);
    let me = auth::session_user(s, &out.token).await.unwrap().expect("session valid");
    assert_eq!(me.role, Role::Viewer);
    assert!(auth::session_user(s, "forged-token").await.unwrap().is_none());
    auth::logout(s, &out.token, None).await.unwrap();
    assert!(auth::session_user(s, &out.token).await.unwrap().is_none());
    let actions: Vec<String> =
        audit::recent(db.store(), 10, None).await.unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(actions[..3], ["staff.logout", "staff.login", "staff.create"]);
}

async fn unknown_user_and_wrong_password_look_alike(db: &TestDb) {
    let s = &db.state;
    staff::create(s, &Actor::cli(), "zhao", "correct horse battery", Role::Admin).await.unwrap();
    let wrong = auth::login(s, "zhao", "wrong password", None).await.unwrap_err();
    let unknown = auth::login(s, "nobody", "wrong password", None).await.unwrap_err();
    assert_eq!(wrong, unknown);
    assert_eq!(wrong.code, ErrCode::InvalidCredentials);
    let empty = auth::login(s, "zhao", "", None).await.unwrap_err();
    assert_eq!(empty.field.as_deref(), Some("password"));
    // The unknown name is not written to the audit log.
    let log = audit::recent(db.store(), 10, None).await.unwrap();
    assert!(log.iter().all(|e| !e.target.clone().unwrap_or_default().contains("nobody")));
    assert!(log.iter().any(|e| e.action == "staff.login_failed" && e.target.as_deref() == Some("staff:zhao")));
}

async fn login_is_throttled_per_username(db: &TestDb) {
    let s = &db.state;
    staff::create(s, &Actor::cli(), "qian", "correct horse battery", Role::Viewer).await.unwrap();
    for _ in 0..auth::MAX_FAILURES {
        let e = auth::login(s, "qian", "bad guess", None).await.unwrap_err();
        assert_eq!(e.code, ErrCode::InvalidCredentials);
    }
    // Even the right password is refused while throttled, and says when to retry.
    let e = auth::login(s, "qian", "correct horse battery", None).await.unwrap_err();
    assert_eq!(e.code, ErrCode::LoginThrottled);
    assert!(e.retry_after.unwrap() > 0);
    // Another username is unaffected.
    staff::create(s, &Actor::cli(), "sun", "correct horse battery", Role::Viewer).await.unwrap();
    assert!(auth::login(s, "sun", "correct horse battery", None).await.is_ok());
}

/// Five wrong passwords from one address throttle that address for the account, not the owner at their own; an
/// attacker spreading guesses over many addresses meets the account's cap over all of them.
async fn a_stranger_cannot_lock_the_owner_out(db: &TestDb) {
    let s = &db.state;
    staff::create(s, &Actor::cli(), "lishi", "correct horse battery", Role::Admin).await.unwrap();
    let attacker = Some("203.0.113.9");
    for i in 0..auth::MAX_FAILURES * 3 {
        let e = auth::login(s, "lishi", "bad guess", attacker).await.unwrap_err();
        let expected = if i < auth::MAX_FAILURES { ErrCode::InvalidCredentials } else { ErrCode::LoginThrottled };
        assert_eq!(e.code, expected, "attempt {i}");
    }
    // The attacker's address is refused even the right password; the owner at their own address gets in.
    assert_eq!(
        auth::login(s, "lishi", "correct horse battery", attacker).await.unwrap_err().code,
        ErrCode::LoginThrottled
    );
    assert!(auth::login(s, "lishi", "correct horse battery", Some("198.51.100.7")).await.is_ok());
    // One IPv6 subscriber (/64) is one network, however many addresses it uses.
    for i in 0..auth::MAX_FAILURES {
        auth::login(s, "lishi", "bad guess", Some(&format!("2001:db8:1:2::{i:x}"))).await.unwrap_err();
    }
    let e = auth::login(s, "lishi", "correct horse battery", Some("2001:db8:1:2:ffff::1")).await.unwrap_err();
    assert_eq!(e.code, ErrCode::LoginThrottled);
    // Spread over many addresses, guesses meet the account's cap (the refused ones above do not count towards it).
    let mut refused = None;
    for i in 0..auth::ACCOUNT_MAX_FAILURES {
        let e =
            auth::login(s, "lishi", "bad guess", Some(&format!("10.1.{}.{}", i / 100, i % 100 + 1))).await.unwrap_err();
        if e.code == ErrCode::LoginThrottled {
            refused = Some(i);
            break;
        }
    }
    let failures_before = auth::MAX_FAILURES * 2;
    assert_eq!(
        refused,
        Some(auth::ACCOUNT_MAX_FAILURES - failures_before),
        "the cap counts failures from every network"
    );
    let e = auth::login(s, "lishi", "correct horse battery", Some("192.0.2.200")).await.unwrap_err();
    assert_eq!(e.code, ErrCode::LoginThrottled);
    assert!(e.retry_after.unwrap() > 0);
}

async fn audit_log_is_append_only(db: &TestDb) {
    audit::record(
        &mut db.store().pool().acquire().await.unwrap(),
        &Actor::cli(),
        Entry::new(A::FiguresUpdate).target("x"),
    )
    .await
    .unwrap();
    // Refused by the triggers themselves (a broken statement would fail too, so the message is checked).
    let refused = |r: Result<sqlx::any::AnyQueryResult, sqlx::Error>| match r {
        Err(e) => e.to_string().contains("audit_log is append-only"),
        Ok(_) => false,
    };
    let upd = sqlx::query("UPDATE audit_log SET action = 'tampered'").execute(db.store().pool()).await;
    assert!(refused(upd), "UPDATE must be refused by the trigger");
    let del = sqlx::query("DELETE FROM audit_log").execute(db.store().pool()).await;
    assert!(refused(del), "DELETE must be refused by the trigger");
    if db.store().dialect() == backend::dialect::DbKind::Postgres {
        // Row triggers do not see TRUNCATE, and the table's owner is not bound by privileges.
        let t = sqlx::query("TRUNCATE audit_log").execute(db.store().pool()).await;
        assert!(refused(t), "TRUNCATE must be refused by the statement trigger");
    }
    let log = audit::recent(db.store(), 10, None).await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].action, "figures.update");
}

/// Time: a session ends at its expiry or after 30 idle minutes, and the sweep removes it.
async fn sessions_expire_and_are_swept(db: &TestDb) {
    let s = &db.state;
    staff::create(s, &Actor::cli(), "zhou", "correct horse battery", Role::Viewer).await.unwrap();
    let a = auth::login(s, "zhou", "correct horse battery", None).await.unwrap();
    let b = auth::login(s, "zhou", "correct horse battery", None).await.unwrap();
    assert!(auth::session_user(s, &a.token).await.unwrap().is_some());
    let pool = db.store().pool();
    let t = backend::clock::now();
    // One expired, one idle too long.
    sqlx::query(
        "UPDATE staff_sessions SET expires_at = $1 WHERE token_hash = (SELECT MIN(token_hash) FROM staff_sessions)",
    )
    .bind(t - 1)
    .execute(pool)
    .await
    .unwrap();
    sqlx::query("UPDATE staff_sessions SET last_seen_at = $1 WHERE expires_at > $2")
        .bind(t - auth::SESSION_IDLE_SECS - 1)
        .bind(t)
        .execute(pool)
        .await
        .unwrap();
    assert!(auth::session_user(s, &a.token).await.unwrap().is_none());
    assert!(auth::session_user(s, &b.token).await.unwrap().is_none());
    auth::sweep(s).await.unwrap();
    let left: i64 = backend::store::col(
        &sqlx::query("SELECT COUNT(*) AS n FROM staff_sessions").fetch_one(pool).await.unwrap(),
        "n",
    )
    .unwrap();
    assert_eq!(left, 0, "the sweep removes both");
}
