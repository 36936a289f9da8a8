//! 一码通 on both engines: signed batches stored whole or not at all, replays, per-row refusals, keys, CSV
//! uploads, the market and stall pages, the trace of a certificate, the demo.

use crate::common::TestDb;
use crate::fixtures::{biz, code};
use backend::markets::ingest::{self, Refused, UploadKind};
use backend::markets::{self, keys};
use backend::staff::audit::Actor;
use domain::clock::{format_date, format_datetime_local};
use domain::markets::{BatchReceipt, Commitment, MarketFields, StallCode};
use domain::ErrCode;
use serde_json::json;

on_both!(
    a_signed_batch_is_stored_whole_and_a_replay_changes_nothing,
    a_bad_row_refuses_the_whole_batch_naming_row_and_field,
    keys_and_signatures_are_checked,
    csv_uploads_name_columns_and_lines_and_are_idempotent,
    market_pages_count_today_and_a_certificate_traces_to_every_stall,
    the_demo_loads_six_markets_once,
);

async fn market(db: &TestDb, name: &str) -> i64 {
    let m = MarketFields {
        name: name.into(),
        kind: "农贸市场".into(),
        district: "涪城区".into(),
        address: "临园路1号".into(),
    };
    markets::create_market(db.store(), &Actor::cli(), &m.parse().unwrap()).await.unwrap()
}

async fn operator(db: &TestDb, n: u32) -> String {
    let b = biz(n, &format!("摊主{n}"), "涪城区临园路1号", "涪城区", "销售");
    backend::credit::save_business(db.store(), &Actor::cli(), &b).await.unwrap();
    code(n)
}

fn now() -> i64 {
    backend::clock::now()
}

fn test_row(no: &str, stall: &str, result: &str) -> serde_json::Value {
    json!({"test_no": no, "stall": stall, "sample": "小白菜", "item": "有机磷和氨基甲酸酯类农药", "method": "酶抑制率法",
        "result": result, "tested_at": format_datetime_local(now() - 60), "tester": "王敏"})
}

fn cert_row(no: &str, stall: &str) -> serde_json::Value {
    let commitments = Commitment::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(";");
    json!({"cert_no": no, "stall": stall, "product": "小白菜", "quantity": "50千克", "origin": "四川省绵阳市游仙区",
        "producer": "游仙区绿源蔬菜合作社", "producer_contact": "0816-2345678", "issued_on": format_date(now()),
        "commitments": commitments, "basis": "自控自检"})
}

/// Sends `body` signed with `key` now.
async fn send(
    db: &TestDb,
    market: i64,
    key: &domain::markets::IssuedKey,
    body: &serde_json::Value,
) -> Result<BatchReceipt, Refused> {
    let bytes = serde_json::to_vec(body).unwrap();
    let sig = keys::sign(&key.secret, now(), &bytes);
    ingest::receive(&db.state, market, Some(&key.key_id), Some(&sig), &bytes).await
}

/// A market with a key and one stall; returns (market, key, stall code).
async fn ready(db: &TestDb, name: &str, n: u32) -> (i64, domain::markets::IssuedKey, String) {
    let m = market(db, name).await;
    let key = keys::issue(&db.state, &Actor::cli(), m).await.unwrap();
    let cc = operator(db, n).await;
    let r = send(
        db,
        m,
        &key,
        &json!({"batch_id": "stalls-1", "stalls": [{"number": "A-01", "credit_code": cc, "goods": "蔬菜"}]}),
    )
    .await
    .unwrap();
    assert_eq!((r.stalls_created, r.new_stalls.len()), (1, 1));
    (m, key, r.new_stalls[0].code.clone())
}

async fn count(db: &TestDb, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(db.store().pool()).await.unwrap()
}

async fn a_signed_batch_is_stored_whole_and_a_replay_changes_nothing(db: &TestDb) {
    let (m, key, stall) = ready(db, "临园路农贸市场", 1).await;
    let body = json!({"batch_id": "2026-12-07-1",
        "rapid_tests": [test_row("T1", &stall, "合格"), test_row("T2", &stall, "不合格")],
        "certificates": [cert_row("HG-1", &stall)]});
    let r = send(db, m, &key, &body).await.unwrap();
    assert_eq!((r.tests_added, r.certificates_added, r.replayed), (2, 1, false));
    assert_eq!(r.flagged, std::slice::from_ref(&stall));

    let again = send(db, m, &key, &body).await.unwrap();
    assert!(again.replayed, "the same batch id and bytes answer the first receipt");
    assert_eq!(again.tests_added, 2);
    assert_eq!(count(db, "rapid_tests").await, 2);

    let other = json!({"batch_id": "2026-12-07-1", "rapid_tests": [test_row("T3", &stall, "合格")]});
    match send(db, m, &key, &other).await {
        Err(Refused::Error(e)) => {
            assert_eq!((e.code, e.field.as_deref()), (ErrCode::IdempotencyConflict, Some("batch_id")))
        }
        r => panic!("{r:?}"),
    }
    // The same rows under another batch id: counted unchanged, nothing written twice.
    let same_rows = json!({"batch_id": "2026-12-07-2", "rapid_tests": [test_row("T1", &stall, "合格")]});
    assert_eq!(send(db, m, &key, &same_rows).await.unwrap().tests_unchanged, 1);

    let page = markets::stall_detail(db.store(), &StallCode::parse(&stall).unwrap()).await.unwrap();
    assert_eq!(page.today.len(), 2);
    assert!(page.stall.flagged_at.is_some(), "a failing test flags the stall");
    assert_eq!(page.certificates.len(), 1);
    assert_eq!(page.certificates[0].commitments.len(), 3);
    assert_eq!(page.stall.operator, "摊主1");
}

async fn a_bad_row_refuses_the_whole_batch_naming_row_and_field(db: &TestDb) {
    let (m, key, stall) = ready(db, "沈家坝农贸市场", 2).await;
    let (m2, _key2, other_stall) = ready(db, "磨家农贸市场", 3).await;
    assert_ne!(m, m2);
    let mut future = cert_row("HG-2", &stall);
    future["issued_on"] = json!(format_date(now() + 2 * 86_400));
    let mut missing = cert_row("HG-3", &stall);
    missing["producer"] = json!("");
    let body = json!({"batch_id": "bad-1",
        "rapid_tests": [test_row("T1", &stall, "合格"), test_row("T2", &other_stall, "合格")],
        "certificates": [cert_row("HG-1", &stall), future, missing]});
    let Err(Refused::Rows(rows)) = send(db, m, &key, &body).await else { panic!("refused") };
    let at: Vec<(&str, u64, &str)> = rows.iter().map(|e| (e.section.as_str(), e.row, e.field.as_str())).collect();
    assert_eq!(at, [("certificates", 1, "issued_on"), ("certificates", 2, "producer")]);

    // Only the database knows the other market's stall: refused after the rows parse, rolled back.
    let body = json!({"batch_id": "bad-2", "rapid_tests": [test_row("T1", &stall, "合格"), test_row("T2", &other_stall, "合格")]});
    let Err(Refused::Rows(rows)) = send(db, m, &key, &body).await else { panic!("refused") };
    assert_eq!(
        (rows[0].section.as_str(), rows[0].row, rows[0].field.as_str(), rows[0].code),
        ("rapid_tests", 1, "stall", ErrCode::NotFound)
    );
    assert_eq!(count(db, "rapid_tests").await, 0, "nothing of a refused batch is stored");
    assert_eq!(count(db, "certificates").await, 0);

    // A recorded result is never rewritten by sending its number again with other content.
    send(db, m, &key, &json!({"batch_id": "ok-1", "rapid_tests": [test_row("T1", &stall, "合格")]})).await.unwrap();
    let Err(Refused::Rows(rows)) =
        send(db, m, &key, &json!({"batch_id": "ok-2", "rapid_tests": [test_row("T1", &stall, "不合格")]})).await
    else {
        panic!("refused")
    };
    assert_eq!((rows[0].field.as_str(), rows[0].code), ("test_no", ErrCode::Conflict));
    // A batch that was refused may be sent again, corrected, under the same id.
    send(db, m, &key, &json!({"batch_id": "bad-2", "rapid_tests": [test_row("T9", &stall, "合格")]})).await.unwrap();
}

async fn keys_and_signatures_are_checked(db: &TestDb) {
    let (m, key, stall) = ready(db, "塘汛农贸市场", 4).await;
    let (m2, key2, _) = ready(db, "花荄农贸市场", 5).await;
    let body =
        serde_json::to_vec(&json!({"batch_id": "s-1", "rapid_tests": [test_row("T1", &stall, "合格")]})).unwrap();
    let refused = |r: Result<BatchReceipt, Refused>| match r {
        Err(Refused::Error(e)) => (e.code, e.field.unwrap_or_default()),
        r => panic!("{r:?}"),
    };
    let t = now();
    let good = keys::sign(&key.secret, t, &body);
    let st = &db.state;
    assert_eq!(
        refused(ingest::receive(st, m, None, Some(&good), &body).await),
        (ErrCode::Unauthorized, "x-market-key".into())
    );
    assert_eq!(
        refused(ingest::receive(st, m, Some(&key.key_id), None, &body).await),
        (ErrCode::Unauthorized, "x-market-signature".into())
    );
    let stale = keys::sign(&key.secret, t - 600, &body);
    assert_eq!(refused(ingest::receive(st, m, Some(&key.key_id), Some(&stale), &body).await).1, "x-market-signature");
    let wrong = keys::sign(&key2.secret, t, &body);
    assert_eq!(refused(ingest::receive(st, m, Some(&key.key_id), Some(&wrong), &body).await).1, "x-market-signature");
    let theirs = keys::sign(&key2.secret, t, &body);
    assert_eq!(
        refused(ingest::receive(st, m, Some(&key2.key_id), Some(&theirs), &body).await),
        (ErrCode::Forbidden, "x-market-key".into())
    );
    assert!(m2 != m);
    keys::revoke(db.store(), &Actor::cli(), m, &key.key_id).await.unwrap();
    assert_eq!(refused(ingest::receive(st, m, Some(&key.key_id), Some(&good), &body).await).0, ErrCode::Unauthorized);
    assert_eq!(count(db, "rapid_tests").await, 0);
    let audited: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action IN ('markets.key_issued', 'markets.key_revoked')",
    )
    .fetch_one(db.store().pool())
    .await
    .unwrap();
    assert_eq!(audited, 3);
}

async fn csv_uploads_name_columns_and_lines_and_are_idempotent(db: &TestDb) {
    let (m, _key, stall) = ready(db, "园艺山生鲜超市", 6).await;
    let actor = Actor::cli();
    let (_, out) =
        ingest::upload(&db.state, &actor, m, UploadKind::RapidTests, b"test_no,stall,sample\nT1,X,Y\n").await.unwrap();
    let errors = out.unwrap_err();
    assert!(errors.iter().any(|e| e.row == 1 && e.field == "method"), "{errors:?}");

    let t = format_datetime_local(now() - 60);
    let csv = format!(
        "test_no,stall,sample,item,method,result,tested_at,tester\n\
         T1,{stall},小白菜,有机磷和氨基甲酸酯类农药,酶抑制率法,合格,{t},王敏\n\
         T2,{stall},韭菜,有机磷和氨基甲酸酯类农药,酶抑制率法,阳性,{t},王敏\n"
    );
    let (id, out) = ingest::upload(&db.state, &actor, m, UploadKind::RapidTests, csv.as_bytes()).await.unwrap();
    let errors = out.unwrap_err();
    assert_eq!((errors[0].row, errors[0].field.as_str()), (3, "result"), "the file's line");
    assert_eq!(count(db, "rapid_tests").await, 0);
    let shown = ingest::upload_view(db.store(), m, id).await.unwrap();
    assert!(!shown.accepted && shown.errors.len() == 1);

    let csv = csv.replace("阳性", "不合格");
    let (_, out) = ingest::upload(&db.state, &actor, m, UploadKind::RapidTests, csv.as_bytes()).await.unwrap();
    assert_eq!(out.unwrap().tests_added, 2);
    let (_, out) = ingest::upload(&db.state, &actor, m, UploadKind::RapidTests, csv.as_bytes()).await.unwrap();
    assert!(out.unwrap().replayed, "the same file again changes nothing");
    assert_eq!(count(db, "rapid_tests").await, 2);
    assert_eq!(
        markets::staff_detail(db.store(), m).await.unwrap().uploads.len(),
        4,
        "every upload is kept, refused or not"
    );
}

async fn market_pages_count_today_and_a_certificate_traces_to_every_stall(db: &TestDb) {
    let (m, key, a) = ready(db, "临园路农贸市场", 7).await;
    let cc = operator(db, 8).await;
    let r = send(
        db,
        m,
        &key,
        &json!({"batch_id": "s2", "stalls": [{"number": "A-02", "credit_code": cc, "goods": "水产"}]}),
    )
    .await
    .unwrap();
    let b = r.new_stalls[0].code.clone();
    let body = json!({"batch_id": "d1",
        "rapid_tests": [test_row("T1", &a, "合格"), test_row("T2", &a, "合格"), test_row("T3", &b, "不合格")],
        "certificates": [cert_row("HG-9", &a), cert_row("HG-9", &b)]});
    send(db, m, &key, &body).await.unwrap();
    let d = markets::detail(db.store(), m).await.unwrap();
    assert_eq!((d.market.tests_today, d.market.passed_today, d.market.flagged_stalls), (3, 2, 1));
    assert_eq!(d.stalls.len(), 2);
    assert_eq!(d.grades.iter().map(|g| g.stalls).sum::<i64>(), 2);
    assert_eq!(d.failing.len(), 1);
    assert_eq!(d.failing[0].stall, b);
    assert!(d.failing[0].case_no.is_none());
    let list = markets::list(db.store()).await.unwrap();
    assert_eq!(list.len(), 1);
    let trace = markets::trace(db.store(), "HG-9").await.unwrap();
    assert_eq!(trace.producer, "游仙区绿源蔬菜合作社");
    let mut codes: Vec<&str> = trace.stalls.iter().map(|s| s.code.as_str()).collect();
    codes.sort();
    let mut want = vec![a.as_str(), b.as_str()];
    want.sort();
    assert_eq!(codes, want);
    assert_eq!(markets::trace(db.store(), "HG-none").await.unwrap_err().code, ErrCode::NotFound);
    assert_eq!(markets::detail(db.store(), 999).await.unwrap_err().code, ErrCode::NotFound);
}

async fn the_demo_loads_six_markets_once(db: &TestDb) {
    backend::credit::seed::load(db.store(), 0, 120).await.unwrap();
    let tests = markets::seed::load(&db.state).await.unwrap();
    assert_eq!(tests, 6 * 50 * 7 * 2);
    assert_eq!(markets::seed::load(&db.state).await.unwrap(), 0, "idempotent");
    let list = markets::list(db.store()).await.unwrap();
    assert_eq!(list.len(), 6);
    assert_eq!(list.iter().map(|m| m.stalls).sum::<i64>(), 300);
    assert!(list[0].flagged_stalls >= 1);
    let failing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM rapid_tests WHERE result = '不合格'")
        .fetch_one(db.store().pool())
        .await
        .unwrap();
    assert!((5..=80).contains(&failing), "about 1 % of {tests}: {failing}");
}
