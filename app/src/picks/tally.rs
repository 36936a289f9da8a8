//! The tally as a horizontal SVG bar chart: readable without JavaScript, every number written as text in the
//! chart and again in a table for screen readers and copying.

use crate::lang::tr;
use domain::picks::CandidateView;
use domain::T;
use leptos::prelude::*;

const ROW: i64 = 34;
const LABEL: i64 = 150;
const BAR: i64 = 360;

#[component]
pub fn Tally(candidates: Vec<CandidateView>, ballots: i64) -> impl IntoView {
    let max = candidates.iter().filter_map(|c| c.votes).max().unwrap_or(0).max(1);
    let height = ROW * candidates.len() as i64 + 8;
    let rows = candidates.clone();
    view! {
        <section id="tally" aria-labelledby="tally-title">
            <h2 id="tally-title">{tr(T::TallyTitle)}</h2>
            <p class="count">{tr(T::RoundBallots)} ": " <strong>{ballots}</strong></p>
            <svg
                class="tally-chart"
                viewBox=format!("0 0 {} {height}", LABEL + BAR + 70)
                role="img"
                aria-labelledby="tally-chart-title"
                preserveAspectRatio="xMinYMin meet"
            >
                <title id="tally-chart-title">{tr(T::TallyChartLabel)}</title>
                {rows
                    .into_iter()
                    .enumerate()
                    .map(|(i, c)| {
                        let votes = c.votes.unwrap_or(0);
                        let y = 4 + ROW * i as i64;
                        let w = (BAR * votes / max).max(2);
                        view! {
                            <g>
                                <text x=LABEL - 8 y=y + 21 text-anchor="end" class="tally-label">{c.food}</text>
                                <rect x=LABEL y=y + 4 width=w height=ROW - 10 rx="3" class=if i < 3 { "tally-bar top" } else { "tally-bar" }></rect>
                                <text x=LABEL + w + 6 y=y + 21 class="tally-value">{votes}</text>
                            </g>
                        }
                    })
                    .collect_view()}
            </svg>
            <details class="tally-table">
                <summary>{tr(T::TallyTable)}</summary>
                <table class="table">
                    <thead><tr><th scope="col">{tr(T::ResultFood)}</th><th scope="col">{tr(T::RoundVotes)}</th></tr></thead>
                    <tbody>
                        {candidates
                            .into_iter()
                            .map(|c| view! { <tr><td>{c.food}</td><td>{c.votes.unwrap_or(0)}</td></tr> })
                            .collect_view()}
                    </tbody>
                </table>
            </details>
        </section>
    }
}
