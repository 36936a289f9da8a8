//! 投诉公示: the decided complaints and reports against a business in the last 12 months, as counts by outcome and
//! by category. Nothing here can name a reporter: the view holds counts only.

use crate::lang::{tr, use_lang};
use domain::cases::{CaseCategory, Disclosure, Outcome};
use domain::T;
use leptos::prelude::*;

#[component]
pub fn Disclosed(d: Disclosure) -> impl IntoView {
    let lang = use_lang();
    let outcomes = Outcome::ALL.map(|o| {
        let n = match o {
            Outcome::Substantiated => d.substantiated,
            Outcome::Settled => d.settled,
            Outcome::Unsubstantiated => d.unsubstantiated,
        };
        (o, n)
    });
    view! {
        <section class="disclosure" aria-labelledby="disclosure-title" id="complaints">
            <h2 id="disclosure-title">{tr(T::DisclosureTitle)}</h2>
            <p class="hint">{tr(T::DisclosureIntro)}</p>
            {if d.total == 0 {
                view! { <p>{tr(T::DisclosureNone)}</p> }.into_any()
            } else {
                view! {
                    <dl class="facts">
                        <div><dt>{tr(T::DisclosureTotal)}</dt><dd data-testid="disclosure-total">{d.total}</dd></div>
                        {outcomes.into_iter().map(|(o, n)| view! {
                            <div><dt>{tr(o.label())}</dt><dd>{n}</dd></div>
                        }).collect_view()}
                    </dl>
                    <h3>{tr(T::DisclosureByCategory)}</h3>
                    <ul class="disclosure-categories">
                        {d.by_category.iter().map(|c| view! {
                            <li>{CaseCategory::label_of(&c.category, lang).to_owned()} " · " {c.count}</li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}
