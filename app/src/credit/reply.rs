//! A business's published replies (its own words), and the form to submit a reply or a credit-repair request.

use crate::lang::tr;
use crate::ui::{form_error, FieldError};
use domain::clock::format_date;
use domain::credit::{ReplyFields, ReplyKind};
use domain::T;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The business's published replies, and the form to submit one (moderated before publication).
#[component]
pub fn Replies(code: String, replies: Vec<domain::credit::ReplyView>) -> impl IntoView {
    let (err, field) = form_error();
    let query = use_query_map();
    let replied = move || query.read().get("replied").is_some();
    view! {
        <section id="reply" aria-labelledby="reply-title">
            <h2 id="reply-title">{tr(T::RepliesTitle)}</h2>
            {if replies.is_empty() {
                view! { <p class="hint">{tr(T::NoReplies)}</p> }.into_any()
            } else {
                view! {
                    <ul class="replies">
                        {replies
                            .into_iter()
                            .map(|r| {
                                view! {
                                    <li>
                                        <blockquote>
                                            <p class="own-words">{tr(T::OwnWords)}</p>
                                            <p>{r.body}</p>
                                            <footer>{format_date(r.created_at)}</footer>
                                        </blockquote>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
            {move || replied().then(|| view! { <p class="success" role="status">{tr(T::ReplyReceived)}</p> })}
            <details class="reply-form" open=move || field.get().is_some()>
                <summary>{tr(T::ReplyOpen)}</summary>
                <form method="post" action=format!("/credit/{code}/reply") class="form">
                    // Disputes go to objections (with their statutory windows); replies are general statements.
                    <input type="hidden" name=ReplyFields::kind value=ReplyKind::Reply.as_str()/>
                    <p class="hint"><a href="#objections">{tr(T::ReplyDisputeHint)}</a></p>
                    <label for="reply-body">{tr(T::ReplyBody)}</label>
                    <textarea id="reply-body" name=ReplyFields::body rows="5" minlength="10" maxlength="2000" required></textarea>
                    <FieldError name=ReplyFields::body code=err field/>
                    <label for="reply-contact">{tr(T::ReplyContact)}</label>
                    <input id="reply-contact" name=ReplyFields::contact type="text" maxlength="100" required/>
                    <FieldError name=ReplyFields::contact code=err field/>
                    <p class="hint">{tr(T::ReplyPrivacy)}</p>
                    <button type="submit" class="button primary">{tr(T::ReplySubmit)}</button>
                </form>
            </details>
        </section>
    }
}
