//! The moderation queue of business replies and credit-repair requests (moderators). Contacts are shown here
//! only; the page is never stored by browsers or proxies.

use crate::lang::tr;
use crate::ui::Loaded;
use domain::clock::format_datetime;
use domain::credit::ReplyView;
use domain::{AppError, T};
use leptos::prelude::*;
use leptos_meta::Title;

/// Pending replies and repair requests (moderators).
#[server(prefix = "/_sf", endpoint = "pending_replies")]
pub async fn pending_replies() -> Result<Vec<ReplyView>, AppError> {
    let user = crate::ssr::require(domain::staff::Role::Moderator).await?;
    let state = crate::ssr::state()?;
    let queue = backend::credit::replies::pending(&state, 100).await?;
    if !queue.is_empty() {
        // The contacts were opened for this moderator: on the record.
        let actor = backend::staff::audit::Actor::staff(&user);
        use backend::staff::audit::{record, Entry};
        let entry = Entry::new(domain::staff::AuditAction::ReplyContactsViewed).target("replies:queue");
        record(&mut *state.store.pool().acquire().await?, &actor, entry).await?;
    }
    Ok(queue)
}

#[component]
pub fn StaffRepliesPage() -> impl IntoView {
    let queue = Resource::new(|| (), |_| pending_replies());
    let show = |items: Vec<ReplyView>| {
        if items.is_empty() {
            return view! { <p class="notice">{tr(T::QueueEmpty)}</p> }.into_any();
        }
        view! {
                                <ul class="queue">
                                    {items
                                        .into_iter()
                                        .map(|r| {
                                            let kind = tr(r.kind.label());
                                            let origin = r.origin.clone().unwrap_or(domain::credit::ReplyOrigin { ip_prefix: None, contact_submissions: 0, contact_businesses: 0 });
                                            view! {
                                                <li class="queue-item">
                                                    <p>
                                                        <a href=format!("/credit/{}", r.credit_code)>{r.business_name.clone()}</a>
                                                        " · " {kind} " · " {format_datetime(r.created_at)}
                                                    </p>
                                                    <blockquote>{r.body.clone()}</blockquote>
                                                    <p class="hint">{tr(T::ReplyContact)} ": " {r.contact.clone().unwrap_or_default()}</p>
                                                    <p class="hint">
                                                        {tr(T::ReplyOrigin)} ": " {origin.ip_prefix.unwrap_or_else(|| "—".into())} " · "
                                                        {tr(T::ReplyContactHistory)} ": " {origin.contact_submissions} " · "
                                                        {tr(T::ReplyContactBusinesses)} ": " {origin.contact_businesses}
                                                    </p>
                                                    <form method="post" action=format!("/staff/replies/{}/decide", r.id) class="form">
                                                        <label for=format!("note-{}", r.id)>{tr(T::DecisionNote)}</label>
                                                        <input id=format!("note-{}", r.id) name="note" type="text" maxlength="500"/>
                                                        <div class="actions-row">
                                                            <button type="submit" name="decision" value="approve" class="button primary">{tr(T::Approve)}</button>
                                                            <button type="submit" name="decision" value="reject" class="button">{tr(T::Reject)}</button>
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
        <Title text=format!("{} · {}", tr(T::StaffRepliesTitle), tr(T::BrandName))/>
        <section class="page">
            <h1>{tr(T::StaffRepliesTitle)}</h1>
            <Loaded resource=queue ok=show/>
        </section>
    }
}
