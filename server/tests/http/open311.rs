//! Open311 GeoReport v2 over HTTP, on SQLite and PostgreSQL: discovery, services and definitions; an admin
//! issues a key on the staff page (shown once); a partner files form-encoded and follows its requests; every
//! refusal is the spec's error list with its status and stores nothing; the key's quota answers 429 with
//! `Retry-After`; a concurrent burst on distinct keys; a revoked key is refused.

use crate::common::*;
use backend::testing::Backend;

on_both!(
    discovery_services_and_definitions_follow_the_spec,
    a_partner_files_and_follows_its_requests_and_refusals_are_the_specs_errors,
    a_burst_on_distinct_keys_spends_each_keys_own_quota,
);

async fn cases(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM cases").fetch_one(app.db.state.store.pool()).await.unwrap()
}

/// Issues a key as an admin through the staff page: the key is on the page once, then gone.
async fn issue(app: &TestApp, admin: &Client, name: &str, per_min: &str) -> String {
    let res = admin
        .post(app.url("/staff/partners"))
        .header(ACCEPT, "text/html")
        .form(&[("name", name), ("per_min", per_min), ("per_day", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = header(res.headers(), "location").to_owned();
    assert!(to.starts_with("/staff/partners?issued=") && !to.contains("o311_"), "{to}");
    let page = admin.get(app.url(&to)).send().await.unwrap().text().await.unwrap();
    let at = page.find("o311_").expect("the key on the page");
    let key: String = page[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    let again = admin.get(app.url(&to)).send().await.unwrap().text().await.unwrap();
    assert!(!again.contains(&key), "shown once");
    assert!(again.contains(name));
    key
}

fn filing<'a>(key: &'a str, service: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("api_key", key),
        ("service_code", service),
        ("attribute[business_name]", "某某烧烤店"),
        ("address_string", "涪城区临园路1号"),
        ("lat", "31.4675"),
        ("long", "104.6796"),
        ("description", "后厨老鼠出没，餐具未消毒，多次看到。"),
        ("first_name", "三"),
        ("last_name", "张"),
        ("phone", "13800001234"),
    ]
}

/// Posts a filing; answers the status, the headers and the JSON body.
async fn post(app: &TestApp, form: &[(&str, &str)]) -> (StatusCode, HeaderMap, Value) {
    let res = client().post(app.url("/open311/v2/requests.json")).form(form).send().await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    (status, headers, json(res).await)
}

/// The spec's error list of one entry with this code, whose description contains `says`.
fn spec_error(body: &Value, code: u16, says: &str) {
    let list = body.as_array().unwrap_or_else(|| panic!("an error list: {body}"));
    assert_eq!(list.len(), 1, "{body}");
    assert_eq!(list[0]["code"], code, "{body}");
    let d = list[0]["description"].as_str().unwrap();
    assert!(d.contains(says), "{d} should name {says}");
}

async fn discovery_services_and_definitions_follow_the_spec(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let d = json(client().get(app.url("/open311/v2/discovery.json")).send().await.unwrap()).await;
    assert_eq!(d["endpoints"][0]["specification"], "http://wiki.open311.org/GeoReport_v2");
    assert_eq!(d["endpoints"][0]["url"], app.url("/open311/v2"));
    assert!(d["endpoints"][0]["formats"].as_array().unwrap().iter().any(|f| f == "application/json"));
    let res = client().get(app.url("/open311/v2/services.json")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let services = json(res).await;
    let services = services.as_array().unwrap();
    assert_eq!(services.len(), 2 * domain::cases::CaseCategory::ALL.len());
    for s in services {
        for field in ["service_code", "service_name", "description", "keywords", "group"] {
            assert!(s[field].is_string(), "{field} in {s}");
        }
        assert_eq!((s["metadata"].as_bool(), s["type"].as_str()), (Some(true), Some("realtime")));
    }
    let code = services[0]["service_code"].as_str().unwrap();
    let def = json(client().get(app.url(&format!("/open311/v2/services/{code}.json"))).send().await.unwrap()).await;
    assert_eq!(def["service_code"], code);
    let attrs = def["attributes"].as_array().unwrap();
    let name = attrs.iter().find(|a| a["code"] == "business_name").unwrap();
    assert_eq!(
        (name["required"].as_bool(), name["variable"].as_bool(), name["datatype"].as_str()),
        (Some(true), Some(true), Some("string"))
    );
    for a in attrs {
        for field in ["order", "description", "datatype_description", "values"] {
            assert!(!a[field].is_null(), "{field} in {a}");
        }
    }
    let res = client().get(app.url("/open311/v2/services/ufo.json")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    spec_error(&json(res).await, 404, "");
    app.stop().await;
}

async fn a_partner_files_and_follows_its_requests_and_refusals_are_the_specs_errors(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    // Only admins issue keys.
    let moderator = app.client_as("demo_moderator").await;
    let res = moderator.post(app.url("/staff/partners")).form(&[("name", "越权")]).send().await.unwrap();
    assert_eq!(res.status(), 403);
    let admin = app.client_as("demo_admin").await;
    let key = issue(&app, &admin, "绵阳12345热线", "4").await;
    let before = cases(&app).await;

    // Refusals: the spec's list, its status, nothing stored.
    let (status, _, body) = post(&app, &filing("", "complaint-hygiene")[1..]).await;
    assert_eq!(status, 400);
    spec_error(&body, 400, "api_key");
    let (status, _, body) = post(&app, &filing("o311_wrong", "complaint-hygiene")).await;
    assert_eq!(status, 403);
    spec_error(&body, 403, "api_key");
    let (status, _, body) = post(&app, &filing(&key, "complaint-ufo")).await;
    assert_eq!(status, 400);
    spec_error(&body, 400, "service_code");
    let without: Vec<_> =
        filing(&key, "report-hygiene").into_iter().filter(|(k, _)| *k != "attribute[business_name]").collect();
    let (status, _, body) = post(&app, &without).await;
    assert_eq!(status, 400);
    spec_error(&body, 400, "attribute[business_name]");
    let res = client()
        .post(app.url("/open311/v2/requests.json"))
        .header(CONTENT_TYPE, "application/json")
        .body(r#"{"api_key":"x"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);
    spec_error(&json(res).await, 415, "");
    assert_eq!(cases(&app).await, before, "no refusal stored a case");

    // A filing: the spec's answer; the key's own list; the public lookup shows the status only.
    let (status, headers, body) = post(&app, &filing(&key, "complaint-hygiene")).await;
    assert_eq!(status, 200, "{body}");
    assert!(header(&headers, "cache-control").contains("no-store"));
    let id = body[0]["service_request_id"].as_str().unwrap().to_owned();
    assert!(body[0]["service_notice"].is_string() && body[0].get("account_id").is_some());
    assert_eq!(cases(&app).await, before + 1);
    let res = client().get(app.url(&format!("/open311/v2/requests.json?api_key={key}"))).send().await.unwrap();
    assert!(header(res.headers(), "cache-control").contains("no-store"));
    let mine = json(res).await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert_eq!((mine[0]["service_request_id"].as_str(), mine[0]["status"].as_str()), (Some(id.as_str()), Some("open")));
    assert_eq!(mine[0]["description"], "后厨老鼠出没，餐具未消毒，多次看到。");
    for field in ["requested_datetime", "updated_datetime", "agency_responsible", "service_name", "service_code"] {
        assert!(mine[0][field].is_string(), "{field}");
    }
    let res = client().get(app.url("/open311/v2/requests.json")).send().await.unwrap();
    assert_eq!(res.status(), 400);
    spec_error(&json(res).await, 400, "api_key");
    let res = client().get(app.url("/open311/v2/requests.json?api_key=x&status=pending")).send().await.unwrap();
    assert_eq!(res.status(), 403, "the key first");
    let res =
        client().get(app.url(&format!("/open311/v2/requests.json?api_key={key}&status=pending"))).send().await.unwrap();
    assert_eq!(res.status(), 400);
    spec_error(&json(res).await, 400, "status");
    let public = client().get(app.url(&format!("/open311/v2/requests/{id}.json"))).send().await.unwrap();
    assert_eq!(public.status(), 200);
    let text = public.text().await.unwrap();
    let one: Value = serde_json::from_str(&text).unwrap();
    assert_eq!((one[0]["status"].as_str(), one[0]["service_request_id"].as_str()), (Some("open"), Some(id.as_str())));
    for secret in ["13800001234", "张", "老鼠", "临园路", "31.4675"] {
        assert!(!text.contains(secret), "{secret} in the public view: {text}");
    }
    let res = client().get(app.url("/open311/v2/requests/TS-20000101-000000.json")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    spec_error(&json(res).await, 404, "");

    // The key's quota, 4 a minute: the two refusals past the key and the filing spent three; one more passes.
    let (status, _, _) = post(&app, &filing(&key, "report-other")).await;
    assert_eq!(status, 200);
    let (status, headers, body) = post(&app, &filing(&key, "report-other")).await;
    assert_eq!(status, 429);
    assert!(header(&headers, "retry-after").parse::<u64>().unwrap() >= 1);
    spec_error(&body, 429, "");
    assert_eq!(cases(&app).await, before + 2);

    // Revoked: refused at once.
    let partner: i64 =
        sqlx::query_scalar("SELECT id FROM partners").fetch_one(app.db.state.store.pool()).await.unwrap();
    let res = admin.post(app.url(&format!("/staff/partners/{partner}/revoke"))).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let res = client().get(app.url(&format!("/open311/v2/requests.json?api_key={key}"))).send().await.unwrap();
    assert_eq!(res.status(), 403);
    let audited: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'open311.%'")
        .fetch_one(app.db.state.store.pool())
        .await
        .unwrap();
    assert_eq!(audited, 2);
    app.stop().await;
}

async fn a_burst_on_distinct_keys_spends_each_keys_own_quota(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let admin = app.client_as("demo_admin").await;
    let mut keys = Vec::new();
    for n in 0..4 {
        keys.push(issue(&app, &admin, &format!("平台{n}"), "2").await);
    }
    let before = cases(&app).await;
    let tasks: Vec<_> = keys
        .iter()
        .flat_map(|k| std::iter::repeat_n(k.clone(), 4))
        .map(|k| {
            let url = app.url("/open311/v2/requests.json");
            tokio::spawn(async move {
                let form = filing(&k, "complaint-other");
                let res = client().post(url).form(&form).send().await.unwrap();
                let status = res.status();
                (status, json(res).await)
            })
        })
        .collect();
    let (mut ok, mut limited) = (0, 0);
    for t in tasks {
        let (status, body) = t.await.unwrap();
        match status.as_u16() {
            200 => ok += 1,
            429 => {
                spec_error(&body, 429, "");
                limited += 1;
            }
            other => panic!("{other}: {body}"),
        }
    }
    assert_eq!((ok, limited), (4 * 2, 4 * 2));
    assert_eq!(cases(&app).await, before + 8);
    app.stop().await;
}
