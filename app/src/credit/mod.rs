//! 信用查询: registry search (with the type-ahead island), a business's public page, and its right to reply.

/// The public page of one business.
pub mod business;
/// Objections, credit repair and re-inspection requests on a business's page.
pub mod objections;
/// Published replies and the reply form.
pub mod reply;
/// The search page and the type-ahead island.
pub mod search;

use crate::lang::tr;
use domain::credit::Grade;
use domain::route::Facts;
use leptos::prelude::*;

/// The pages of this module and what each needs (read by the server; every page route must be listed).
pub const PAGES: &[(&str, Facts)] = &[
    ("/credit", Facts::PAGE),
    // The popular shops' QR codes are scanned again and again: a few seconds of cache absorb bursts.
    ("/credit/{code}", Facts::PAGE.cached(5)),
];

/// A grade with its meaning (守信 …), or 待检查 for a business never inspected.
#[component]
pub fn GradeBadge(grade: Grade, #[prop(optional)] large: bool, #[prop(optional)] awaiting: bool) -> impl IntoView {
    if awaiting {
        let label = tr(domain::T::AwaitingInspection);
        let class = format!("grade grade-pending{}", if large { " large" } else { "" });
        return view! {
            <span class=class title=label>
                <b>"—"</b>
                <small>{label}</small>
            </span>
        }
        .into_any();
    }
    let label = tr(grade.label());
    let class = format!("grade grade-{}{}", grade.as_str().to_lowercase(), if large { " large" } else { "" });
    view! {
        <span class=class title=label>
            <b>{grade.as_str()}</b>
            <small>{label}</small>
        </span>
    }
    .into_any()
}
