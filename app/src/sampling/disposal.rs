//! 核查处置 as the public sees it: a failing batch's steps as a timeline (done, late, due, overdue, with their
//! deadlines) and the one-line summary of some batches ("3 批抽检，1 批不合格，已下架 200 千克，已立案").

use crate::lang::{tr, use_lang};
use domain::clock::format_date;
use domain::sampling::{BatchesSummary, Disposal, DisposalRecord, DisposalStep, SamplingBatch, StepStatus};
use domain::T;
use leptos::prelude::*;

/// The timeline of one failing batch. Steps that are not needed are left out.
#[component]
pub fn DisposalTimeline(id: i64, d: Disposal) -> impl IntoView {
    let lang = use_lang();
    // Not a landmark nor a heading: a card on a list of many, whose headings would break the page's outline.
    let title = format!("disposal-{id}");
    view! {
        <div class="disposal">
            <p class="disposal-title" id=title>
                <strong>{tr(T::DisposalTitle)}</strong>
                {d.overdue.then(|| view! { " " <span class="flag overdue">{tr(T::DisposalSummaryOverdue)}</span> })}
            </p>
            <ol class="timeline">
                {d.steps
                    .into_iter()
                    .filter(|e| e.status != StepStatus::NotNeeded)
                    .map(|e| {
                        let class = format!("step {}", e.status.as_str());
                        view! {
                            <li class=class>
                                <strong>{e.kind.label(lang)}</strong>
                                " "
                                <span class="status">{tr(e.status.label())}</span>
                                {e.step.as_ref().map(|s| view! { " " <time>{format_date(s.done_at)}</time> })}
                                {e.deadline.map(|t| view! { <small>" · " {tr(T::DisposalDeadline)} " " {format_date(t)}</small> })}
                                {e.step.map(|s| view! { <StepDetails s/> })}
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
            {(!d.alerts.is_empty()).then(|| view! {
                <p class="alerts">
                    {d.alerts.into_iter().map(|a| view! { <a class="tag alert" href=format!("/news/{a}")>{tr(T::DisposalAlert)}</a> " " }).collect_view()}
                </p>
            })}
        </div>
    }
}

/// What a recorded step says: quantities, the retest's result, the decision, the public note.
#[component]
fn StepDetails(s: DisposalRecord) -> impl IntoView {
    let lang = use_lang();
    let unit = s.unit.map(|u| u.label(lang)).unwrap_or_default();
    let mut facts: Vec<String> = Vec::new();
    if let Some(q) = s.removed {
        facts.push(format!("{} {q} {unit}", tr(T::DisposalRemoved)));
    }
    if let Some(q) = s.recalled {
        facts.push(format!("{} {q} {unit}", tr(T::DisposalRecalled)));
    }
    if let Some(r) = s.retest_result {
        facts.push(r.label(lang).to_owned());
    }
    if s.kind == DisposalStep::Penalty {
        if let Some(no) = &s.decision_no {
            facts.push(format!("{}：{no}", tr(T::DisposalDecisionNo)));
        }
        if let Some(m) = &s.measures {
            facts.push(format!("{}：{m}", tr(T::DisposalMeasures)));
        }
    }
    view! {
        {(!facts.is_empty()).then(|| view! { <br/><span class="step-facts">{facts.join(" · ")}</span> })}
        {(!s.note.is_empty()).then(|| view! { <br/><span class="step-note pre">{s.note.clone()}</span> })}
    }
}

/// The one-line summary of some batches.
#[component]
pub fn SummaryLine(batches: Vec<SamplingBatch>) -> impl IntoView {
    let lang = use_lang();
    view! { <p class="disposal-summary">{BatchesSummary::of(&batches).text(lang)}</p> }
}
