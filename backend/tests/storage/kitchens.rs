//! 阳光餐饮 on both engines: signed batches stored whole or not at all, replays and unsigned batches refused,
//! per-row refusals naming row and field, the review (confirm → public, with a credit event; dismiss → nothing
//! public), the sunshine filter in every search path, CSV uploads, the demo.

use crate::common::TestDb;
use crate::fixtures::{biz, code};
use backend::kitchens::ingest::{self, Refused};
use backend::kitchens::{self, keys};
use backend::staff::audit::Actor;
use domain::clock::{format_date, format_datetime_local};
use domain::credit::{CreditCode, SearchQuery};
use domain::kitchens::{Confirmation, KitchenReceipt, VendorKey};
use domain::ErrCode;
use serde_json::json;

on_both!(
    a_signed_batch_joins_kitchens_and_a_replay_changes_nothing,
    unsigned_stale_and_foreign_batches_are_refused,
    a_bad_row_refuses_the_whole_batch_naming_row_and_field,
    only_confirmed_flags_are_public_and_a_confirmation_can_record_a_credit_event,
    the_sunshine_filter_holds_in_every_search,
    status_csv_names_columns_and_lines_and_is_idempotent,
    the_demo_loads_once,
);

fn now() -> i64 {
    backend::clock::now()
}

async fn business(db: &TestDb, n: u32, name: &str) -> String {
    let b = biz(n, name, "涪城区临园路1号", "涪城区", "餐饮");
    backend::credit::save_business(db.store(), &Actor::cli(), &b).await.unwrap();
    code(n)
}

async fn vendor(db: &TestDb, name: &str) -> (i64, VendorKey) {
    let id = kitchens::create_vendor(db.store(), &Actor::cli(), name).await.unwrap();
    (id, keys::issue(&db.state, &Actor::cli(), id).await.unwrap())
}

fn status(cc: &str, days_ago: i64, uptime: &str) -> serde_json::Value {
    json!({"credit_code": cc, "day": format_date(now() - days_ago * 86_400), "uptime": uptime,
        "camera_connected": "1", "live_url": "https://live.example.invalid/k/1", "live_consent": "1"})
}

fn flag(id: &str, cc: &str, kind: &str) -> serde_json::Value {
    json!({"event_id": id, "credit_code": cc, "kind": kind, "detected_at": format_datetime_local(now() - 3600)})
}

async fn send(db: &TestDb, key: &VendorKey, body: &serde_json::Value) -> Result<KitchenReceipt, Refused> {
    let bytes = serde_json::to_vec(body).unwrap();
    let sig = keys::sign(&key.secret, now(), &bytes);
    ingest::receive(&db.state, Some(&key.key_id), Some(&sig), &bytes).await
}

async fn count(db: &TestDb, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(db.store().pool()).await.unwrap()
}

async fn detail(db: &TestDb, cc: &str) -> domain::credit::BusinessDetail {
    backend::credit::detail(&db.state, &CreditCode::parse(cc).unwrap()).await.unwrap().unwrap()
}

fn rows(r: Result<KitchenReceipt, Refused>) -> Vec<(String, u64, String, ErrCode)> {
    match r {
        Err(Refused::Rows(rows)) => rows.into_iter().map(|e| (e.section, e.row, e.field, e.code)).collect(),
        r => panic!("{r:?}"),
    }
}

async fn a_signed_batch_joins_kitchens_and_a_replay_changes_nothing(db: &TestDb) {
    let cc = business(db, 1, "老街凉粉").await;
    let (_, key) = vendor(db, "明厨亮灶云平台").await;
    assert!(detail(db, &cc).await.sunshine.is_none(), "not in the programme yet");
    let body = json!({"batch_id": "b1", "status": [status(&cc, 1, "99.0"), status(&cc, 0, "98.0")],
        "flags": [flag("E1", &cc, "no_hat")]});
    let r = send(db, &key, &body).await.unwrap();
    assert_eq!((r.kitchens_joined, r.status_rows, r.flags_added, r.replayed), (1, 2, 1, false));
    let again = send(db, &key, &body).await.unwrap();
    assert!(again.replayed);
    assert_eq!((count(db, "kitchen_uptime").await, count(db, "kitchen_flags").await), (2, 1));
    let other = json!({"batch_id": "b1", "status": [status(&cc, 0, "50.0")]});
    match send(db, &key, &other).await {
        Err(Refused::Error(e)) => {
            assert_eq!((e.code, e.field.as_deref()), (ErrCode::IdempotencyConflict, Some("batch_id")))
        }
        r => panic!("{r:?}"),
    }
    // A day sent again replaces that day; a flag sent again with the same content is unchanged.
    let resend = json!({"batch_id": "b2", "status": [status(&cc, 0, "100")], "flags": [flag("E1", &cc, "未戴帽")]});
    let r = send(db, &key, &resend).await.unwrap();
    assert_eq!((r.kitchens_joined, r.flags_unchanged), (0, 1));
    let s = detail(db, &cc).await.sunshine.unwrap();
    assert_eq!((s.uptime_permille, s.days_reported, s.camera_connected), (Some(995), 2, true));
    assert_eq!(s.live_url.as_deref(), Some("https://live.example.invalid/k/1"));
    assert!(s.flags.is_empty(), "an unreviewed flag changes nothing public");
    assert!(detail(db, &cc).await.summary.sunshine);
    // Without consent the live view is not shown.
    let no = json!({"batch_id": "b3", "status": [{"credit_code": cc, "day": format_date(now()), "uptime": "100",
        "camera_connected": "0", "live_url": "https://live.example.invalid/k/1", "live_consent": "0"}]});
    send(db, &key, &no).await.unwrap();
    let s = detail(db, &cc).await.sunshine.unwrap();
    assert_eq!((s.live_url, s.camera_connected), (None, false));
}

async fn unsigned_stale_and_foreign_batches_are_refused(db: &TestDb) {
    let cc = business(db, 1, "老街凉粉").await;
    let (_, key) = vendor(db, "明厨亮灶云平台").await;
    let bytes = serde_json::to_vec(&json!({"batch_id": "b1", "status": [status(&cc, 0, "99")]})).unwrap();
    let field = |r: Result<KitchenReceipt, Refused>| match r {
        Err(Refused::Error(e)) => (e.code, e.field.unwrap_or_default()),
        r => panic!("{r:?}"),
    };
    let r = ingest::receive(&db.state, None, None, &bytes).await;
    assert_eq!(field(r), (ErrCode::Unauthorized, keys::KEY_HEADER.to_owned()));
    let r = ingest::receive(&db.state, Some(&key.key_id), None, &bytes).await;
    assert_eq!(field(r), (ErrCode::Unauthorized, keys::SIGNATURE_HEADER.to_owned()));
    let stale = keys::sign(&key.secret, now() - 3600, &bytes);
    let r = ingest::receive(&db.state, Some(&key.key_id), Some(&stale), &bytes).await;
    assert_eq!(field(r), (ErrCode::Unauthorized, keys::SIGNATURE_HEADER.to_owned()), "a replay after five minutes");
    let wrong = keys::sign("not-the-secret", now(), &bytes);
    let r = ingest::receive(&db.state, Some(&key.key_id), Some(&wrong), &bytes).await;
    assert_eq!(field(r), (ErrCode::Unauthorized, keys::SIGNATURE_HEADER.to_owned()));
    assert_eq!(count(db, "kitchens").await, 0, "nothing stored");
    // Another vendor cannot report a kitchen the first watches, nor flag it.
    send(db, &key, &json!({"batch_id": "b1", "status": [status(&cc, 0, "99")]})).await.unwrap();
    let (_, other) = vendor(db, "阳光厨房平台").await;
    let r = send(db, &other, &json!({"batch_id": "x", "status": [status(&cc, 0, "10")]})).await;
    assert_eq!(rows(r), [("status".to_owned(), 0, "credit_code".to_owned(), ErrCode::Conflict)]);
    let r = send(db, &other, &json!({"batch_id": "y", "flags": [flag("F1", &cc, "rodent")]})).await;
    assert_eq!(rows(r), [("flags".to_owned(), 0, "credit_code".to_owned(), ErrCode::NotFound)]);
}

async fn a_bad_row_refuses_the_whole_batch_naming_row_and_field(db: &TestDb) {
    let cc = business(db, 1, "老街凉粉").await;
    let (_, key) = vendor(db, "明厨亮灶云平台").await;
    let unknown = code(99);
    let body = json!({"batch_id": "b1",
        "status": [status(&cc, 0, "99"), status(&unknown, 0, "99"), status(&cc, 1, "101")],
        "flags": [flag("E1", &cc, "no_hat"), flag("E2", &unknown, "smoking")]});
    // Parsing errors first: the uptime of row 2.
    assert_eq!(
        rows(send(db, &key, &body).await),
        [("status".to_owned(), 2, "uptime".to_owned(), ErrCode::InvalidValue)]
    );
    let body = json!({"batch_id": "b1", "status": [status(&cc, 0, "99"), status(&unknown, 0, "99")],
        "flags": [flag("E1", &cc, "no_hat"), flag("E2", &unknown, "smoking")]});
    assert_eq!(
        rows(send(db, &key, &body).await),
        [
            ("flags".to_owned(), 1, "credit_code".to_owned(), ErrCode::NotFound),
            ("status".to_owned(), 1, "credit_code".to_owned(), ErrCode::NotFound),
        ]
    );
    for table in ["kitchens", "kitchen_uptime", "kitchen_flags", "kitchen_batches"] {
        assert_eq!(count(db, table).await, 0, "{table}: nothing half-stored");
    }
    assert!(!detail(db, &cc).await.summary.sunshine);
    // An event id reused with other content is refused naming it.
    send(db, &key, &json!({"batch_id": "ok", "status": [status(&cc, 0, "99")], "flags": [flag("E1", &cc, "no_hat")]}))
        .await
        .unwrap();
    let r = send(db, &key, &json!({"batch_id": "ok2", "flags": [flag("E1", &cc, "rodent")]})).await;
    assert_eq!(rows(r), [("flags".to_owned(), 0, "event_id".to_owned(), ErrCode::Conflict)]);
}

async fn flag_id(db: &TestDb, event: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM kitchen_flags WHERE event_id = $1")
        .bind(event)
        .fetch_one(db.store().pool())
        .await
        .unwrap()
}

async fn only_confirmed_flags_are_public_and_a_confirmation_can_record_a_credit_event(db: &TestDb) {
    let cc = business(db, 1, "老街凉粉").await;
    let (_, key) = vendor(db, "明厨亮灶云平台").await;
    let body = json!({"batch_id": "b1", "status": [status(&cc, 0, "99")],
        "flags": [flag("E1", &cc, "rodent"), flag("E2", &cc, "smoking"), flag("E3", &cc, "no_mask")]});
    send(db, &key, &body).await.unwrap();
    let before = detail(db, &cc).await;
    let store = db.store();
    let actor = Actor::cli();
    kitchens::dismiss(store, &actor, flag_id(db, "E2").await).await.unwrap();
    assert!(detail(db, &cc).await.sunshine.unwrap().flags.is_empty(), "a dismissed flag is never public");
    let c =
        Confirmation { action_taken: "已开展消杀并加装防鼠设施，复查合格".into(), credit_event: true };
    kitchens::confirm(store, &actor, flag_id(db, "E1").await, &c).await.unwrap();
    let after = detail(db, &cc).await;
    let s = after.sunshine.clone().unwrap();
    assert_eq!(s.flags.len(), 1);
    assert_eq!((s.flags[0].kind.as_str(), s.flags[0].action_taken.as_str()), ("鼠患", c.action_taken.as_str()));
    assert_eq!(after.events.len(), before.events.len() + 1, "the credit event is recorded");
    assert!(after.events[0].source.starts_with("阳光餐饮"));
    let linked: Option<i64> = sqlx::query_scalar("SELECT credit_event_id FROM kitchen_flags WHERE event_id = 'E1'")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(linked, Some(after.events[0].id));
    // Reviewed once only; a confirmation without a credit event records none.
    let e = kitchens::confirm(store, &actor, flag_id(db, "E1").await, &c).await.unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrCode::Conflict, Some("status")));
    let plain = Confirmation { action_taken: "已责令整改，复查合格".into(), credit_event: false };
    kitchens::confirm(store, &actor, flag_id(db, "E3").await, &plain).await.unwrap();
    let last = detail(db, &cc).await;
    assert_eq!((last.sunshine.unwrap().flags.len(), last.events.len()), (2, after.events.len()));
    let audited: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'kitchens.flag_%'")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(audited, 3);
}

async fn the_sunshine_filter_holds_in_every_search(db: &TestDb) {
    let a = business(db, 1, "阳光凉粉店").await;
    let _b = business(db, 2, "阳光凉面店").await;
    let (_, key) = vendor(db, "明厨亮灶云平台").await;
    let q = |s: Option<&str>| {
        SearchQuery::parse(Some("阳光"), None, None, None, None, None, None).unwrap().with_sunshine(s).unwrap()
    };
    let codes = |p: domain::credit::Page<domain::credit::BusinessSummary>| {
        p.items.into_iter().map(|b| b.credit_code).collect::<Vec<_>>()
    };
    // The index is built before the business joins: joining must reach it.
    assert_eq!(backend::credit::search(&db.state, &q(Some("1"))).await.unwrap().total, 0);
    send(db, &key, &json!({"batch_id": "b1", "status": [status(&a, 0, "99")]})).await.unwrap();
    assert_eq!(codes(backend::credit::search(&db.state, &q(Some("1"))).await.unwrap()), std::slice::from_ref(&a));
    assert_eq!(codes(backend::credit::search_sql(db.store(), &q(Some("1"))).await.unwrap()), std::slice::from_ref(&a));
    assert_eq!(backend::credit::search(&db.state, &q(Some("0"))).await.unwrap().total, 1);
    assert_eq!(backend::credit::search(&db.state, &q(None)).await.unwrap().total, 2);
    // Filter-only browsing (SQL) and 附近 (index and SQL).
    let browse =
        SearchQuery::parse(None, None, None, None, None, None, None).unwrap().with_sunshine(Some("1")).unwrap();
    assert_eq!(codes(backend::credit::search(&db.state, &browse).await.unwrap()), std::slice::from_ref(&a));
    for n in [1, 2] {
        let at = domain::credit::geo::Point { lat: 31.46, lng: 104.68 };
        assert!(backend::credit::locate(db.store(), &code(n), Some(at)).await.unwrap());
    }
    let near = domain::credit::geo::Near::parse(Some("31.46,104.68"), Some("1000")).unwrap().unwrap();
    let mem = backend::credit::lookup(&db.state, &browse, Some(&near)).await.unwrap();
    let sql = backend::credit::near_sql(db.store(), &browse, &near).await.unwrap();
    assert_eq!(codes(mem), std::slice::from_ref(&a));
    assert_eq!(codes(sql), [a]);
    assert_eq!(SearchQuery::default().with_sunshine(Some("yes")).unwrap_err().field.as_deref(), Some("sunshine"));
}

async fn status_csv_names_columns_and_lines_and_is_idempotent(db: &TestDb) {
    let cc = business(db, 1, "老街凉粉").await;
    let (v, _) = vendor(db, "明厨亮灶云平台").await;
    let actor = Actor::cli();
    let wrong = "credit_code,day,uptime,camera\n".to_owned();
    let (_, out) = ingest::upload(&db.state, &actor, v, wrong.as_bytes()).await.unwrap();
    let fields: Vec<String> = out.unwrap_err().into_iter().map(|e| e.field).collect();
    assert_eq!(fields, ["camera_connected", "camera"]);
    let day = format_date(now());
    let bad = format!("credit_code,day,uptime,camera_connected\n{cc},{day},99.5,1\n{},{day},99,1\n", code(50));
    let (_, out) = ingest::upload(&db.state, &actor, v, bad.as_bytes()).await.unwrap();
    let e = out.unwrap_err();
    assert_eq!((e[0].row, e[0].field.as_str()), (3, "credit_code"), "the file's line");
    assert_eq!(count(db, "kitchens").await, 0);
    let good = format!("\u{feff}credit_code,day,uptime,camera_connected,live_consent\n{cc},{day},99.5,1,0\n");
    let (_, out) = ingest::upload(&db.state, &actor, v, good.as_bytes()).await.unwrap();
    assert_eq!(out.unwrap().kitchens_joined, 1);
    let (_, out) = ingest::upload(&db.state, &actor, v, good.as_bytes()).await.unwrap();
    assert!(out.unwrap().replayed, "the same file again changes nothing");
    let page = kitchens::staff_view(db.store()).await.unwrap();
    assert_eq!((page.total, page.uploads.len(), page.kitchens[0].uptime_permille), (1, 4, Some(995)));
}

async fn the_demo_loads_once(db: &TestDb) {
    backend::credit::seed::load(db.store(), 0, 300).await.unwrap();
    let joined = kitchens::seed::load(&db.state, 300).await.unwrap();
    assert_eq!(joined, kitchens::seed::kitchens_for(300));
    assert_eq!(kitchens::seed::load(&db.state, 300).await.unwrap(), 0, "idempotent");
    assert_eq!(kitchens::seed::kitchens_for(44_000), 400);
    let page = kitchens::staff_view(db.store()).await.unwrap();
    assert_eq!(page.vendors.len(), 2);
    assert!(page.kitchens.iter().all(|k| k.uptime_permille.is_some()));
    let reviewed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM kitchen_flags WHERE status <> '待审核'")
        .fetch_one(db.store().pool())
        .await
        .unwrap();
    assert!(reviewed > 0 || count(db, "kitchen_flags").await <= 3, "flags reviewed");
    let in_search: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM businesses WHERE sunshine = 1")
        .fetch_one(db.store().pool())
        .await
        .unwrap();
    assert_eq!(in_search as u64, joined);
}
