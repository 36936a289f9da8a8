//! 附近 over HTTP on both engines: `near` and `radius` on the registry search, errors naming the field, the
//! OpenAPI document declaring both, and the page's no-JavaScript pick of district and street giving the list
//! the API gives for that street's point.

use crate::common::*;
use backend::testing::Backend;
use domain::credit::geo::{pick_point, Near};

on_both!(near_me_api_and_page);

/// The credit codes of a page's result links, in order.
fn listed(html: &str) -> Vec<String> {
    html.split("href=\"/credit/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|c| c.len() == 18 && c.bytes().all(|b| b.is_ascii_alphanumeric()))
        .map(str::to_owned)
        .collect()
}

async fn near_me_api_and_page(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    // The demo's 300 businesses are placed by district and street: 涪城区 (the largest) around its centre.
    let at = Near { at: pick_point("涪城区", "临园路").unwrap(), radius_m: 0.0 }.param();
    let api = |qs: String| {
        let url = app.url(&format!("/api/v1/businesses?{qs}"));
        async move { client().get(url).send().await.unwrap() }
    };
    let res = api(format!("near={at}&radius=3000&per_page=100")).await;
    assert_eq!(res.status(), 200);
    let page = json(res).await;
    let items = page["items"].as_array().unwrap();
    assert!(!items.is_empty() && page["total"].as_i64().unwrap() == items.len() as i64, "{page}");
    let dists: Vec<i64> = items.iter().map(|b| b["distance_m"].as_i64().unwrap()).collect();
    assert!(dists.windows(2).all(|w| w[0] <= w[1]), "nearest first: {dists:?}");
    assert!(dists.iter().all(|d| *d <= 3000));
    // A smaller radius is a prefix of the same order.
    let small = json(api(format!("near={at}&radius=800&per_page=100")).await).await;
    let small: Vec<&str> =
        small["items"].as_array().unwrap().iter().map(|b| b["credit_code"].as_str().unwrap()).collect();
    let codes: Vec<&str> = items.iter().map(|b| b["credit_code"].as_str().unwrap()).collect();
    assert!(small.len() < codes.len() && codes.starts_with(&small), "{small:?}");
    // Plain searches carry no distance.
    let plain = json(api("q=%E7%B1%B3%E7%B2%89".into()).await).await;
    assert!(plain["items"][0].get("distance_m").is_none());

    // Bad input: 400 naming the field, in the API's error format.
    for (qs, field) in [
        ("near=91,104.68", "near"),
        ("near=31.46,180.5", "near"),
        ("near=31.46", "near"),
        ("near=abc,def", "near"),
        ("near=1e1,2", "near"),
        ("near=31.46,104.68&radius=20001", "radius"),
        ("near=31.46,104.68&radius=abc", "radius"),
        ("near=31.46,104.68&radius=0", "radius"),
        ("near=31.46,104.68&radius=", "radius"),
        ("radius=500", "radius"),
    ] {
        let res = api(qs.into()).await;
        assert_eq!(res.status(), 400, "{qs}");
        let body = json(res).await;
        assert_eq!(body["error"]["code"], "invalid_value", "{qs}");
        assert_eq!(body["error"]["field"], field, "{qs}");
    }

    // The OpenAPI document declares both parameters of the search (the fuzzer's source).
    let doc = json(client().get(app.url("/api/v1/openapi.json")).send().await.unwrap()).await;
    let params = doc["paths"]["/api/v1/businesses"]["get"]["parameters"].as_array().unwrap();
    let param = |n: &str| params.iter().find(|p| p["name"] == n).unwrap_or_else(|| panic!("{n} declared")).clone();
    assert!(param("near")["schema"]["pattern"].as_str().is_some());
    assert_eq!(param("radius")["schema"]["maximum"].as_f64(), Some(20000.0));

    // The page without JavaScript: the pick of district and street lists what the API lists for the street's
    // point (default radius, first page of 20), with distances; `near=` itself gives the same.
    let api_first: Vec<String> = json(api(format!("near={at}")).await).await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["credit_code"].as_str().unwrap().to_owned())
        .collect();
    assert!(!api_first.is_empty());
    let pick = format!("/credit?near_district={}&street={}", enc("涪城区"), enc("临园路"));
    let html = client().get(app.url(&pick)).send().await.unwrap().text().await.unwrap();
    assert_eq!(listed(&html), api_first, "the pick gives the API's list");
    assert!(html.contains("class=\"distance\""), "distances shown");
    assert!(html.contains("name=\"near_district\"") && html.contains("name=\"street\""), "the pick form");
    assert!(html.contains("id=\"near-me\"") && html.contains("data-denied="), "the button, hidden until hydrated");
    let html = client().get(app.url(&format!("/credit?near={at}"))).send().await.unwrap().text().await.unwrap();
    assert_eq!(listed(&html), api_first, "near= on the page gives the same");
    // A street the pick does not know: a message, no list.
    let html = client()
        .get(app.url(&format!("/credit?near_district={}&street={}", enc("涪城区"), enc("长安街"))))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("role=\"alert\"") && listed(&html).is_empty());
    app.stop().await;
}

fn enc(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}
