//! 你点我检: the rounds list, a round's page (ballot, nominations, tally, integrity report, results), and the
//! ballot picker island.

/// The ballot picker island: counts picks and holds the ballot to its limit.
pub mod picker;
/// One round's page.
pub mod round;
/// The list of rounds.
pub mod rounds;
/// The tally as an SVG bar chart with the numbers as text.
pub mod tally;

use crate::lang::tr;
use domain::clock::format_date;
use domain::picks::{Phase, Schedule};
use domain::route::Facts;
use leptos::prelude::*;

/// The pages of this module and what each needs. Neither is cached: counts move, and a voter must see their
/// own ballot at once. A round's page shows the visitor's own ballot and nominations (by their voter cookie) and
/// issues that cookie: it depends on a credential.
pub const PAGES: &[(&str, Facts)] = &[("/picks", Facts::PAGE), ("/picks/{id}", Facts::PAGE.credential())];

/// The phase as a coloured label.
#[component]
pub fn PhaseBadge(phase: Phase) -> impl IntoView {
    view! { <span class=format!("phase phase-{}", phase.as_str())>{tr(phase.label())}</span> }
}

/// `2026-12-01 – 2026-12-14` for a span whose end is exclusive.
pub(crate) fn span(from: i64, until_exclusive: i64) -> String {
    format!("{} – {}", format_date(from), format_date(until_exclusive - 1))
}

/// The dates of a round as a definition list.
#[component]
pub fn ScheduleFacts(schedule: Schedule) -> impl IntoView {
    use domain::T;
    let nominate =
        (schedule.nominate_from < schedule.vote_from).then(|| span(schedule.nominate_from, schedule.vote_from));
    view! {
        {nominate.map(|n| view! { <div><dt>{tr(T::RoundNominate)}</dt><dd>{n}</dd></div> })}
        <div><dt>{tr(T::RoundVote)}</dt><dd>{span(schedule.vote_from, schedule.vote_until)}</dd></div>
        <div><dt>{tr(T::RoundPublish)}</dt><dd>{format_date(schedule.publish_at)}</dd></div>
    }
}
