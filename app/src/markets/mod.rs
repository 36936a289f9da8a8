//! 一码通: the markets list, a market's page, a stall's page (`/m/{code}`, what its QR code opens) and a
//! certificate's trace. Server-rendered, no island: a phone on a market's network opens a stall in one request.

/// Every market, and one market's page.
pub mod market;
/// A stall's page and a certificate's trace.
pub mod stall;

use domain::markets::{RapidTestView, TestMethod, TestResult};
use domain::route::Facts;
use domain::T;
use leptos::prelude::*;

/// The pages of this module and what each needs. None depends on a credential or the `Host` (the QR code's
/// image is its own route), so each is cached for everyone for a few seconds: a queue of shoppers scanning the
/// same stall costs one render; a new batch clears the cache at once on this instance (`Change::Markets`).
pub const PAGES: &[(&str, Facts)] = &[
    ("/markets", Facts::PAGE.cached(10)),
    ("/markets/{id}", Facts::PAGE.cached(10)),
    ("/m/{code}", Facts::PAGE.cached(10)),
    ("/trace/{cert_no}", Facts::PAGE.cached(10)),
];

/// A rapid test's result as a coloured label.
#[component]
pub fn ResultBadge(result: String) -> impl IntoView {
    let lang = crate::lang::use_lang();
    let fail = result == TestResult::Fail.as_str();
    let label = TestResult::label_of(&result, lang).to_owned();
    view! { <span class=if fail { "result result-fail" } else { "result result-pass" }>{label}</span> }
}

/// Rapid tests as a table (with the stall's number when `with_stall`).
#[component]
pub fn TestsTable(tests: Vec<RapidTestView>, #[prop(optional)] with_stall: bool) -> impl IntoView {
    let lang = crate::lang::use_lang();
    let mut headers =
        vec![T::TestTime, T::TestSample, T::TestItem, T::TestMethodLabel, T::TestResultLabel, T::TestTester];
    if with_stall {
        headers.insert(0, T::StallNumber);
    }
    view! {
        <crate::ui::DataTable headers>
            {tests
                .into_iter()
                .map(|t| {
                    let method = TestMethod::label_of(&t.method, lang).to_owned();
                    view! {
                        <tr>
                            {with_stall.then(|| view! { <td><a href=format!("/m/{}", t.stall)>{t.stall_number.clone()}</a></td> })}
                            <td>{domain::clock::format_datetime(t.tested_at)}</td>
                            <td>{t.sample.clone()}</td>
                            <td>{t.item.clone()}</td>
                            <td>{method}</td>
                            <td><ResultBadge result=t.result.clone()/></td>
                            <td>{t.tester}</td>
                        </tr>
                    }
                })
                .collect_view()}
        </crate::ui::DataTable>
    }
}

/// "今日快检 n 批次 · 合格 m".
pub fn today_line(n: i64, m: i64) -> String {
    T::MarketTodayTests.fill(crate::lang::use_lang(), &[("n", &n.to_string()), ("m", &m.to_string())])
}
