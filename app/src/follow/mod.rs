//! 关注: the page of a followed subject (its Atom feed, and SMS alerts where a gateway is configured), the code
//! confirmation page, and the one-button unsubscribe page every SMS links to. Plain forms: no JavaScript needed.

use crate::lang::{tr, use_lang};
use crate::ui::{form_error, FieldError};
use domain::follow::paths;
use domain::follow::sms::{ConfirmFields, FollowSmsFields, Mode, Subject};
use domain::route::Facts;
use domain::{AppError, T};
use leptos::prelude::*;
use leptos_meta::{Link, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

/// The pages of this module: public, and never cached (their forms answer per person).
pub const PAGES: &[(&str, Facts)] = &[
    ("/follow/{subject}", Facts::PAGE),
    ("/follow/confirm/{token}", Facts::PAGE.credential()),
    ("/u/{token}", Facts::PAGE.credential()),
];

/// A followed subject, for its page.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Followed {
    pub name: String,
    /// The `subject` parameter, canonical.
    pub param: String,
    pub feed: String,
    pub page: String,
    /// Whether SMS alerts can be asked for here.
    pub sms: bool,
    pub per_day: i64,
}

/// A subject's name, feed and whether SMS alerts are offered (public). An unknown business or round is a 404.
#[server(prefix = "/_sf", endpoint = "follow_info")]
pub async fn follow_info(subject: String) -> Result<Followed, AppError> {
    let s = Subject::parse(&subject)?;
    let state = crate::ssr::state()?;
    let name = backend::follow::sms::name_of(&state, &s).await?;
    Ok(Followed {
        name,
        param: s.param(),
        feed: s.feed_path(),
        page: s.page(),
        sms: state.config.sms_url.is_some(),
        per_day: state.config.network_bounds.follow_sms_per_phone_per_day,
    })
}

/// The follow link of a subject's page.
pub fn follow_path(subject: &Subject) -> String {
    format!("/follow/{}", paths::encode(&subject.param()))
}

#[component]
pub fn FollowPage() -> impl IntoView {
    let params = use_params_map();
    let info = Resource::new(move || params.read().get("subject").unwrap_or_default(), follow_info);
    view! {
        <Suspense fallback=|| view! { <p>{tr(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                match info.await {
                    Ok(i) => view! { <FollowView i/> }.into_any(),
                    Err(err) => view! { <crate::ui::LoadFailed err back="/" back_label=T::NavHome/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn FollowView(i: Followed) -> impl IntoView {
    let lang = use_lang();
    let (err, field) = form_error();
    let query = use_query_map();
    let followed = move || query.read().get("followed").is_some();
    let action = format!("/follow/{}/sms", paths::encode(&i.param));
    view! {
        <Title text=format!("{} · {} · {}", tr(T::FollowTitle), i.name, tr(T::BrandName))/>
        <Link rel="alternate" type_="application/atom+xml" href=i.feed.clone() title=tr(T::FollowFeed)/>
        <section class="page follow-page">
            <h1>{tr(T::FollowTitle)} " · " <a href=i.page.clone()>{i.name.clone()}</a></h1>
            {move || followed().then(|| view! { <p class="success" role="status">{tr(T::FollowSmsDone)}</p> })}
            <p class="follow">
                <a href=i.feed.clone() type="application/atom+xml">{tr(T::FollowFeed)}</a>
                " " <small>{tr(T::FollowHint)}</small>
            </p>
            <h2>{tr(T::FollowSmsTitle)}</h2>
            {if i.sms {
                view! {
                    <p>{T::FollowSmsLead.fill(lang, &[("subject", &i.name)])}</p>
                    <form method="post" action=action class="form">
                        <label for="follow-phone">{tr(T::FollowSmsPhone)}</label>
                        <input id="follow-phone" name=FollowSmsFields::phone type="tel" inputmode="numeric" autocomplete="tel" maxlength="20" required/>
                        <FieldError name=FollowSmsFields::phone code=err field/>
                        <FieldError name="subject" code=err field/>
                        <fieldset>
                            <legend>{tr(T::FollowSmsMode)}</legend>
                            {[Mode::Immediate, Mode::Digest]
                                .into_iter()
                                .map(|m| {
                                    let id = format!("mode-{}", m.as_str());
                                    view! {
                                        <label for=id class="choice">
                                            <input id=id.clone() type="radio" name=FollowSmsFields::mode value=m.as_str() checked=m == Mode::Immediate/>
                                            " " {m.label(lang)}
                                        </label>
                                    }
                                })
                                .collect_view()}
                        </fieldset>
                        <FieldError name=FollowSmsFields::mode code=err field/>
                        <p class="hint">{T::FollowSmsCap.fill(lang, &[("n", &i.per_day.to_string())])}</p>
                        <button type="submit" class="button primary">{tr(T::FollowSmsSend)}</button>
                    </form>
                }
                    .into_any()
            } else {
                view! { <p class="hint">{tr(T::FollowSmsUnavailable)}</p> }.into_any()
            }}
        </section>
    }
}

#[component]
pub fn ConfirmPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let (err, field) = form_error();
    view! {
        <Title text=format!("{} · {}", tr(T::FollowSmsTitle), tr(T::BrandName))/>
        <section class="page follow-page">
            <h1>{tr(T::FollowSmsTitle)}</h1>
            <p role="status">{tr(T::FollowSmsCodeSent)}</p>
            <form method="post" action=move || format!("/follow/confirm/{}", token()) class="form">
                <label for="follow-code">{tr(T::FollowSmsCode)}</label>
                <input id="follow-code" name=ConfirmFields::code type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required/>
                <FieldError name=ConfirmFields::code code=err field/>
                <FieldError name=ConfirmFields::token code=err field/>
                <button type="submit" class="button primary">{tr(T::FollowSmsConfirm)}</button>
            </form>
        </section>
    }
}

/// The subscription an unsubscribe link names: its subject's name and whether it is already stopped (public: the
/// token is the credential). An altered token is a 404.
#[server(prefix = "/_sf", endpoint = "stop_info")]
pub async fn stop_info(token: String) -> Result<(String, bool), AppError> {
    let state = crate::ssr::state()?;
    backend::follow::sms::describe_stop(&state, &token).await
}

#[component]
pub fn UnsubscribePage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let info = Resource::new(token, stop_info);
    let lang = use_lang();
    view! {
        <Title text=format!("{} · {}", tr(T::UnsubscribeTitle), tr(T::BrandName))/>
        <section class="page follow-page">
            <h1>{tr(T::UnsubscribeTitle)}</h1>
            <Suspense fallback=|| view! { <p>{tr(T::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match info.await {
                        Ok((_, true)) => view! { <p class="success" role="status">{tr(T::UnsubscribeDone)}</p> }.into_any(),
                        Ok((name, false)) if query.read().get("done").is_none() => view! {
                            <p>{T::UnsubscribeLead.fill(lang, &[("subject", &name)])}</p>
                            <form method="post" action=format!("/u/{}", token()) class="form">
                                <button type="submit" class="button primary">{tr(T::UnsubscribeButton)}</button>
                            </form>
                        }
                            .into_any(),
                        Ok(_) => view! { <p class="success" role="status">{tr(T::UnsubscribeDone)}</p> }.into_any(),
                        Err(err) => view! { <crate::ui::LoadFailed err back="/" back_label=T::NavHome/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
