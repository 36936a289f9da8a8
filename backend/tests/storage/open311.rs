//! Open311 GeoReport v2 on both engines: partner keys issued once (hashed), revoked and audited; a partner's
//! filing through the case intake with its quota; refusals that store no case; each key sees its own requests
//! only, the public a request's status and public notes only.

use crate::common::TestDb;
use crate::fixtures::{biz, code};
use backend::cases::handle::{self, Transition};
use backend::open311::{self, partners};
use backend::staff::audit::Actor;
use domain::cases::CaseState;
use domain::open311::{PartnerInput, Post, RequestsQuery};
use domain::ErrCode;

on_both!(
    keys_are_issued_once_stored_hashed_revoked_and_audited,
    a_partners_filing_is_a_case_and_refusals_store_nothing,
    each_key_sees_its_own_requests_and_the_public_only_their_status,
    parallel_filings_on_distinct_keys_each_count_their_own_quota,
);

fn partner(name: &str) -> PartnerInput {
    PartnerInput { name: name.into(), per_min: None, per_day: None }
}

fn post(key: &str, service: &str) -> Post {
    let pairs = [
        ("api_key", key),
        ("service_code", service),
        ("attribute[business_name]", "某某烧烤店"),
        ("lat", "31.4675"),
        ("long", "104.6796"),
        ("description", "后厨老鼠出没，餐具未消毒，多次看到。"),
        ("first_name", "三"),
        ("last_name", "张"),
        ("phone", "13800001234"),
        ("email", "zhang@example.cn"),
    ];
    Post::from_pairs(pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())))
}

async fn count(db: &TestDb, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(db.store().pool()).await.unwrap()
}

async fn keys_are_issued_once_stored_hashed_revoked_and_audited(db: &TestDb) {
    let admin = Actor::cli();
    let k = partners::issue(&db.state, &admin, &partner("绵阳12345热线")).await.unwrap();
    assert!(k.api_key.starts_with("o311_") && k.api_key.len() > 40);
    let stored: String =
        sqlx::query_scalar("SELECT key_hash FROM partners").fetch_one(db.store().pool()).await.unwrap();
    assert!(!stored.contains(&k.api_key[5..]), "only a keyed hash is stored");
    let p = partners::authenticate(&db.state, &format!(" {} ", k.api_key)).await.unwrap();
    assert_eq!((p.id, p.quota), (k.partner_id, db.state.config.network_bounds.open311));
    // Its own quota overrides the default.
    let own = PartnerInput { per_min: Some(2), per_day: Some(5), ..partner("城市服务小程序") };
    let k2 = partners::issue(&db.state, &admin, &own).await.unwrap();
    assert_eq!(partners::authenticate(&db.state, &k2.api_key).await.unwrap().quota, backend::config::Bound::new(2, 5));
    // A name is one partner.
    let e = partners::issue(&db.state, &admin, &partner("绵阳12345热线")).await.unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrCode::Conflict, Some("name")));
    // Missing, unknown and revoked keys.
    assert_eq!(partners::authenticate(&db.state, "").await.unwrap_err().code, ErrCode::Required);
    assert_eq!(partners::authenticate(&db.state, "o311_nope").await.unwrap_err().code, ErrCode::Forbidden);
    partners::revoke(&db.state, &admin, k.partner_id).await.unwrap();
    partners::revoke(&db.state, &admin, k.partner_id).await.unwrap();
    assert_eq!(partners::authenticate(&db.state, &k.api_key).await.unwrap_err().code, ErrCode::Forbidden);
    assert_eq!(partners::revoke(&db.state, &admin, 999_999).await.unwrap_err().code, ErrCode::NotFound);
    let list = partners::list(db.store()).await.unwrap();
    assert_eq!(list.len(), 2);
    assert!(list.iter().any(|p| p.id == k.partner_id && p.revoked_at.is_some()));
    assert_eq!(count(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'open311.key_issued'").await, 2);
    assert_eq!(count(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'open311.key_revoked'").await, 1, "once");
}

async fn a_partners_filing_is_a_case_and_refusals_store_nothing(db: &TestDb) {
    backend::credit::save_business(db.store(), &Actor::cli(), &biz(7, "涪城老火锅", "临园路7号", "涪城区", "餐饮"))
        .await
        .unwrap();
    let quota = PartnerInput { per_min: Some(3), per_day: Some(100), ..partner("热线") };
    let k = partners::issue(&db.state, &Actor::cli(), &quota).await.unwrap();
    let filed = open311::file(&db.state, &post(&k.api_key, "complaint-hygiene")).await.unwrap();
    assert!(filed.service_request_id.starts_with("TS-"), "{filed:?}");
    let row = sqlx::query("SELECT channel, partner_id, lat, lng, kind, category, reporter_sealed, place FROM cases")
        .fetch_one(db.store().pool())
        .await
        .unwrap();
    use sqlx::Row;
    assert_eq!(row.get::<String, _>("channel"), "partner");
    assert_eq!(row.get::<i64, _>("partner_id"), k.partner_id);
    assert_eq!((row.get::<f64, _>("lat"), row.get::<f64, _>("lng")), (31.4675, 104.6796));
    assert_eq!(
        (row.get::<String, _>("kind"), row.get::<String, _>("category")),
        ("complaint".into(), "卫生状况".into())
    );
    let sealed: Vec<u8> = row.get("reporter_sealed");
    assert!(!String::from_utf8_lossy(&sealed).contains("13800001234"), "the reporter is sealed as on the web");
    // Refusals name the spec's field and store no case.
    let refused = [
        (post("", "complaint-hygiene"), ErrCode::Required, "api_key"),
        (post("o311_wrong", "complaint-hygiene"), ErrCode::Forbidden, "api_key"),
        (post(&k.api_key, "complaint-ufo"), ErrCode::InvalidValue, "service_code"),
        (
            Post { attributes: Default::default(), ..post(&k.api_key, "report-hygiene") },
            ErrCode::Required,
            "attribute[business_name]",
        ),
    ];
    for (p, code_, field) in refused {
        let e = open311::file(&db.state, &p).await.unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), (code_, Some(field)), "{p:?}");
    }
    assert_eq!(count(db, "SELECT COUNT(*) FROM cases").await, 1, "no refusal stored a case");
    // An unknown business named by credit code: the intake's own refusal.
    let mut unknown = post(&k.api_key, "report-other");
    unknown.attributes.insert("credit_code".into(), code(8));
    let e = open311::file(&db.state, &unknown).await.unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrCode::RateLimited, None), "the quota (3/min) was spent by the tries");
    assert_eq!(count(db, "SELECT COUNT(*) FROM cases").await, 1);
    // With a fresh quota: the known business by its code, then the unknown one refused.
    let k2 = partners::issue(&db.state, &Actor::cli(), &partner("小程序")).await.unwrap();
    let mut known = post(&k2.api_key, "report-other");
    known.attributes.insert("credit_code".into(), code(7));
    open311::file(&db.state, &known).await.unwrap();
    unknown.api_key = k2.api_key.clone();
    let e = open311::file(&db.state, &unknown).await.unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrCode::NotFound, Some("credit_code")));
    assert_eq!(count(db, "SELECT COUNT(*) FROM cases").await, 2);
    let name: String = sqlx::query_scalar("SELECT business_name FROM cases WHERE partner_id = $1")
        .bind(k2.partner_id)
        .fetch_one(db.store().pool())
        .await
        .unwrap();
    assert_eq!(name, "涪城老火锅", "the registry's name for a known code");
}

async fn each_key_sees_its_own_requests_and_the_public_only_their_status(db: &TestDb) {
    let a = partners::issue(&db.state, &Actor::cli(), &partner("甲")).await.unwrap();
    let b = partners::issue(&db.state, &Actor::cli(), &partner("乙")).await.unwrap();
    let a1 = open311::file(&db.state, &post(&a.api_key, "complaint-hygiene")).await.unwrap().service_request_id;
    let a2 = open311::file(&db.state, &post(&a.api_key, "report-illegal_additives")).await.unwrap().service_request_id;
    let b1 = open311::file(&db.state, &post(&b.api_key, "complaint-other")).await.unwrap().service_request_id;
    let web = backend::cases::file(
        &db.state,
        &domain::cases::CaseFields {
            kind: "投诉".into(),
            business_name: "网页投诉的店".into(),
            category: "其他".into(),
            description: "在网页上提交的投诉，不是合作平台的。".into(),
            ..Default::default()
        }
        .parse(backend::clock::now())
        .unwrap(),
        &[],
        None,
    )
    .await
    .unwrap();
    let q = |key: &str| RequestsQuery { api_key: key.into(), ..Default::default() };
    let mine = open311::requests(&db.state, &q(&a.api_key)).await.unwrap();
    let ids: Vec<&str> = mine.iter().map(|r| r.service_request_id.as_str()).collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&a1.as_str()) && ids.contains(&a2.as_str()));
    let complaint = mine.iter().find(|r| r.service_request_id == a1).unwrap();
    assert_eq!(complaint.description.as_deref(), Some("后厨老鼠出没，餐具未消毒，多次看到。"));
    assert_eq!((complaint.status.as_str(), complaint.lat), ("open", Some(31.4675)));
    assert!(complaint.expected_datetime.is_some(), "the acceptance deadline while its clock runs");
    let report = mine.iter().find(|r| r.service_request_id == a2).unwrap();
    assert_eq!(report.description, None, "never a 举报's description");
    // Filters: by ids (another's id finds nothing), by code, by status.
    let by_ids = RequestsQuery { service_request_id: format!("{a1},{b1}"), ..q(&a.api_key) };
    assert_eq!(open311::requests(&db.state, &by_ids).await.unwrap().len(), 1);
    let by_code = RequestsQuery { service_code: "report-illegal_additives".into(), ..q(&a.api_key) };
    assert_eq!(open311::requests(&db.state, &by_code).await.unwrap()[0].service_request_id, a2);
    let closed = RequestsQuery { status: "closed".into(), ..q(&a.api_key) };
    assert!(open311::requests(&db.state, &closed).await.unwrap().is_empty());
    assert_eq!(open311::requests(&db.state, &q("")).await.unwrap_err().code, ErrCode::Required);
    // One request: its owner sees it whole, another key not at all, the public its status and public notes.
    let id: i64 = sqlx::query_scalar("SELECT id FROM cases WHERE tracking_no = $1")
        .bind(&a1)
        .fetch_one(db.store().pool())
        .await
        .unwrap();
    let go = Transition {
        to: Some(CaseState::Rejected),
        reject_reason: Some(domain::cases::RejectReason::OutOfScope),
        note: "内部备注：不要外传".into(),
        message: "不属于本局管辖，请向区市场监管所反映。".into(),
        quiet: true,
        ..Default::default()
    };
    handle::transition(&db.state, &Actor::cli(), id, &go).await.unwrap();
    let own = open311::request(&db.state, &a.api_key, &a1).await.unwrap();
    assert_eq!(
        (own[0].status.as_str(), own[0].status_notes.as_deref()),
        ("closed", Some("不属于本局管辖，请向区市场监管所反映。"))
    );
    assert_eq!(own[0].expected_datetime, None, "no clock runs on a rejected case");
    assert_eq!(open311::request(&db.state, &b.api_key, &a1).await.unwrap_err().code, ErrCode::NotFound);
    let public = open311::request(&db.state, "", &a1).await.unwrap();
    assert_eq!((public[0].description.as_deref(), public[0].address.as_deref(), public[0].lat), (None, None, None));
    assert_eq!(public[0].status_notes, own[0].status_notes);
    let shown = serde_json::to_string(&public).unwrap();
    for secret in ["13800001234", "张", "内部备注", "zhang@"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    // A web case is no Open311 request; nor is an unknown id.
    assert_eq!(open311::request(&db.state, "", &web.tracking_no).await.unwrap_err().code, ErrCode::NotFound);
    assert_eq!(open311::request(&db.state, "", "TS-20000101-000000").await.unwrap_err().code, ErrCode::NotFound);
}

async fn parallel_filings_on_distinct_keys_each_count_their_own_quota(db: &TestDb) {
    let mut keys = Vec::new();
    for n in 0..4 {
        let p = PartnerInput { per_min: Some(3), per_day: Some(10), ..partner(&format!("平台{n}")) };
        keys.push(partners::issue(&db.state, &Actor::cli(), &p).await.unwrap().api_key);
    }
    // Five filings per key at once: three of each key pass, whatever the interleaving.
    let tasks: Vec<_> = keys
        .iter()
        .flat_map(|k| (0..5).map(move |_| k.clone()))
        .map(|k| {
            let state = db.state.clone();
            tokio::spawn(async move { open311::file(&state, &post(&k, "complaint-other")).await.map_err(|e| e.code) })
        })
        .collect();
    let mut refused = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => {}
            Err(ErrCode::RateLimited) => refused += 1,
            Err(other) => panic!("{other:?}"),
        }
    }
    assert_eq!(refused, 4 * 2);
    assert_eq!(count(db, "SELECT COUNT(*) FROM cases").await, 4 * 3);
    assert_eq!(count(db, "SELECT COUNT(DISTINCT partner_id) FROM cases").await, 4);
}
