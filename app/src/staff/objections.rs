//! Objections, credit repairs and re-inspection requests to decide (moderators), the nearest deadline first.
//! Statements and contacts are shown here only; opening them is on the record.

use crate::lang::{tr, use_lang};
use crate::ui::Loaded;
use domain::clock::{format_date, format_datetime};
use domain::credit::{DecisionFields, ObjectionKind, ObjectionState, ObjectionView};
use domain::{AppError, T};
use leptos::prelude::*;
use leptos_meta::Title;

/// The open requests (moderators).
#[server(prefix = "/_sf", endpoint = "open_objections")]
pub async fn open_objections() -> Result<Vec<ObjectionView>, AppError> {
    let user = crate::ssr::require(domain::staff::Role::Moderator).await?;
    let state = crate::ssr::state()?;
    let queue = backend::credit::objections::queue(&state, 100).await?;
    if !queue.is_empty() {
        let actor = backend::staff::audit::Actor::staff(&user);
        use backend::staff::audit::{record, Entry};
        let entry = Entry::new(domain::staff::AuditAction::ObjectionContactsViewed).target("objections:queue");
        record(&mut *state.store.pool().acquire().await?, &actor, entry).await?;
    }
    Ok(queue)
}

#[component]
pub fn StaffObjectionsPage() -> impl IntoView {
    let lang = use_lang();
    let queue = Resource::new(|| (), |_| open_objections());
    let show = move |items: Vec<ObjectionView>| {
        if items.is_empty() {
            return view! { <p class="notice">{tr(T::QueueEmpty)}</p> }.into_any();
        }
        view! {
            <ul class="queue">
                {items
                    .into_iter()
                    .map(|o| {
                        let kind = ObjectionKind::label_of(&o.kind, lang).to_owned();
                        let overdue = o.overdue;
                        view! {
                            <li class="queue-item" class:overdue=overdue>
                                <p>
                                    <a href=format!("/credit/{}#objections", o.credit_code)>{o.business_name.clone()}</a>
                                    " · " {kind}
                                    {o.event_id.map(|id| view! { " · " {tr(T::EventIdLabel)} " " {id} })}
                                    " · " {format_datetime(o.filed_at)}
                                </p>
                                <p class="hint">
                                    {tr(T::ObjectionDue)} ": " {format_date(o.due_at)}
                                    {overdue.then(|| view! { " · " <strong>{tr(T::ObjectionOverdue)}</strong> })}
                                </p>
                                <blockquote>{o.statement.clone().unwrap_or_default()}</blockquote>
                                <p class="hint">{tr(T::ReplyContact)} ": " {o.contact.clone().unwrap_or_default()}</p>
                                <form method="post" action=format!("/staff/objections/{}/decide", o.id) class="form">
                                    <label for=format!("reasons-{}", o.id)>{tr(T::DecisionReasons)}</label>
                                    <textarea id=format!("reasons-{}", o.id) name=DecisionFields::reasons rows="3" minlength="2" maxlength="1000" required></textarea>
                                    <div class="actions-row">
                                        <button type="submit" name=DecisionFields::decision value=ObjectionState::Upheld.as_str() class="button primary">
                                            {ObjectionState::Upheld.label(lang)}
                                        </button>
                                        <button type="submit" name=DecisionFields::decision value=ObjectionState::Rejected.as_str() class="button">
                                            {ObjectionState::Rejected.label(lang)}
                                        </button>
                                    </div>
                                </form>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
            .into_any()
    };
    view! {
        <Title text=format!("{} · {}", tr(T::StaffObjectionsTitle), tr(T::BrandName))/>
        <section class="page">
            <h1>{tr(T::StaffObjectionsTitle)}</h1>
            <Loaded resource=queue ok=show/>
        </section>
    }
}
