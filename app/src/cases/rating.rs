//! 满意度评价: the rating form (the reporter's on the track page, staff's phone 回访 on the case page) and the
//! ratings given. Plain form posts: they work without JavaScript.

use crate::lang::{tr, use_lang};
use crate::ui::{form_error, FieldError};
use domain::cases::{RatingView, Satisfaction, MAX_RATING_COMMENT};
use domain::clock::format_datetime;
use domain::T;
use leptos::prelude::*;

/// The four levels, a comment (the reason, to reopen) and, while the case was never reopened, the request to
/// handle it again. Posts to `action`.
#[component]
pub fn RatingForm(action: String, can_reopen: bool, submit: T) -> impl IntoView {
    let lang = use_lang();
    let (err, field) = form_error();
    view! {
        <form method="post" action=action class="form rating-form">
            <fieldset>
                <legend>{tr(T::RateLevel)}</legend>
                {Satisfaction::ALL.iter().map(|l| {
                    let id = format!("rate-{}", l.as_str());
                    let input_id = id.clone();
                    view! {
                        <label for=id class="choice">
                            <input type="radio" id=input_id name="level" value=l.as_str() required/>
                            " " {l.label(lang)}
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            <FieldError name="level" code=err field/>
            <label for="rate-comment">{tr(T::RateComment)}</label>
            <textarea id="rate-comment" name="comment" rows="3" maxlength=MAX_RATING_COMMENT.to_string()></textarea>
            <FieldError name="comment" code=err field/>
            {can_reopen.then(|| view! {
                <label for="rate-reopen" class="choice">
                    <input type="checkbox" id="rate-reopen" name="reopen" value="on"/>
                    " " {tr(T::RateReopen)}
                </label>
                <FieldError name="reopen" code=err field/>
            })}
            <button type="submit" class="button primary">{tr(submit)}</button>
        </form>
    }
}

/// The ratings given, each with its round and whether it came by phone or reopened the case.
#[component]
pub fn Ratings(list: Vec<RatingView>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <ul class="ratings">
            {list.into_iter().map(|r| view! {
                <li>
                    <strong class=format!("rating rating-{}", r.level.as_str())>{r.level.label(lang)}</strong>
                    " · " {T::RateRound.fill(lang, &[("n", &r.round.to_string())])}
                    " · " <time>{format_datetime(r.rated_at)}</time>
                    {r.by_phone.then(|| view! { " · " {tr(T::RateByPhone)} })}
                    {r.reopened.then(|| view! { " · " <em>{tr(T::TimelineReopened)}</em> })}
                    {(!r.comment.is_empty()).then(|| view! { <p>{r.comment.clone()}</p> })}
                </li>
            }).collect_view()}
        </ul>
    }
}
