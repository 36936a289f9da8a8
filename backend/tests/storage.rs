//! Storage tests: every case runs against SQLite and against the real PostgreSQL.

use backend::audit::{self, Actor};
use backend::testing::{Backend, TestDb};
use backend::{auth, figures, seed, staff};
use domain::staff::Role;
use domain::ErrCode;

macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                use super::*;
                #[tokio::test]
                async fn sqlite() {
                    let db = TestDb::new(Backend::Sqlite).await;
                    super::$name(&db).await;
                    db.cleanup().await;
                }
                #[tokio::test]
                async fn postgres() {
                    let db = TestDb::new(Backend::Postgres).await;
                    super::$name(&db).await;
                    db.cleanup().await;
                }
            }
        )*
    };
}

on_both!(
    migrations_are_idempotent,
    staff_usernames_are_unique,
    login_and_sessions,
    unknown_user_and_wrong_password_look_alike,
    login_is_throttled_per_username,
    audit_log_is_append_only,
    figures_and_demo_seed,
);

async fn migrations_are_idempotent(db: &TestDb) {
    db.store().migrate().await.expect("second migrate is a no-op");
    db.store().ping().await.expect("ping");
}

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
    let actions: Vec<String> = audit::recent(db.store(), 10, None).await.unwrap().into_iter().map(|e| e.action).collect();
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

async fn audit_log_is_append_only(db: &TestDb) {
    audit::record(db.store(), &Actor::cli(), "test.action", Some("x"), None, None).await.unwrap();
    let upd = sqlx::query("UPDATE audit_log SET action = 'tampered'").execute(db.store().pool()).await;
    assert!(upd.is_err(), "UPDATE must be refused");
    let del = sqlx::query("DELETE FROM audit_log").execute(db.store().pool()).await;
    assert!(del.is_err(), "DELETE must be refused");
    let log = audit::recent(db.store(), 10, None).await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].action, "test.action");
}

async fn figures_and_demo_seed(db: &TestDb) {
    let s = &db.state;
    assert!(figures::get(db.store()).await.unwrap().is_none());
    let r1 = seed::demo(s).await.unwrap();
    assert_eq!(r1.accounts_created, 3);
    let f = figures::get(db.store()).await.unwrap().unwrap();
    assert_eq!(f.businesses, 43_993);
    assert_eq!(f.pass_rate_text(), "99.7%");
    // Staff change a figure; seeding again keeps the change and creates nothing.
    let changed = domain::figures::CampaignFigures { volunteers: 5_100, ..f.clone() };
    figures::update(db.store(), &Actor::cli(), &changed, None).await.unwrap();
    let r2 = seed::demo(s).await.unwrap();
    assert_eq!(r2.accounts_created, 0);
    assert_eq!(figures::get(db.store()).await.unwrap().unwrap().volunteers, 5_100);
    // Invalid figures are refused whole.
    let bad = domain::figures::CampaignFigures { pass_rate_bp: 20_000, ..f };
    let e = figures::update(db.store(), &Actor::cli(), &bad, None).await.unwrap_err();
    assert_eq!(e.field.as_deref(), Some("pass_rate"));
    assert_eq!(figures::get(db.store()).await.unwrap().unwrap().pass_rate_bp, 9_970);
    // The demo accounts can sign in.
    assert!(auth::login(s, "demo_admin", seed::DEMO_PASSWORD, None).await.is_ok());
}
