//! Partner webhooks (admins): the receivers with their delivery counts and the form to register one; a receiver's
//! page with its signing secret (each view audited), its switch, and its delivery log.

use crate::lang::tr;
use crate::ui::{form_error, FieldError, Loaded};
use domain::clock::format_datetime;
use domain::follow::webhooks::{DeliveryView, ReceiverView, WebhookFields};
use domain::follow::EntryKind;
use domain::{AppError, T};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[server(prefix = "/_sf", endpoint = "webhook_receivers")]
pub async fn webhook_receivers() -> Result<Vec<ReceiverView>, AppError> {
    crate::ssr::require(domain::staff::Role::Admin).await?;
    let state = crate::ssr::state()?;
    backend::follow::webhooks::list(&state.store).await
}

/// A receiver, its secret and its log (admins; opening the secret is on the record).
#[server(prefix = "/_sf", endpoint = "webhook_log")]
pub async fn webhook_log(id: i64) -> Result<(ReceiverView, String, Vec<DeliveryView>), AppError> {
    let user = crate::ssr::require(domain::staff::Role::Admin).await?;
    let state = crate::ssr::state()?;
    let (r, log) = backend::follow::webhooks::log(&state.store, id).await?;
    let actor = backend::staff::audit::Actor::staff(&user);
    let secret = backend::follow::webhooks::secret(&state, &actor, id).await?;
    Ok((r, secret, log))
}

fn kinds(r: &ReceiverView) -> String {
    r.events.iter().filter_map(|e| EntryKind::from_slug(e)).map(|k| tr(k.label())).collect::<Vec<_>>().join("、")
}

#[component]
pub fn StaffWebhooksPage() -> impl IntoView {
    let list = Resource::new(|| (), |_| webhook_receivers());
    let (err, field) = form_error();
    let show = move |items: Vec<ReceiverView>| {
        view! {
            <table class="data">
                <thead><tr>
                    <th>{tr(T::WebhookName)}</th><th>{tr(T::WebhookUrl)}</th><th>{tr(T::WebhookEvents)}</th>
                    <th>{tr(T::WebhookWaiting)}</th><th>{tr(T::WebhookDelivered)}</th>
                </tr></thead>
                <tbody>
                    {items
                        .into_iter()
                        .map(|r| {
                            let events = kinds(&r);
                            view! {
                                <tr class:inactive=!r.active>
                                    <td><a href=format!("/staff/webhooks/{}", r.id)>{r.name.clone()}</a></td>
                                    <td><code>{r.url.clone()}</code></td>
                                    <td>{events}</td>
                                    <td>{r.waiting}</td>
                                    <td>{r.delivered}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        }
    };
    view! {
        <Title text=format!("{} · {}", tr(T::WebhooksTitle), tr(T::BrandName))/>
        <section class="page">
            <h1>{tr(T::WebhooksTitle)}</h1>
            <p class="hint">{tr(T::WebhooksLead)}</p>
            <Loaded resource=list ok=show/>
            <h2>{tr(T::WebhookRegister)}</h2>
            <form method="post" action="/staff/webhooks" class="form">
                <label for="wh-name">{tr(T::WebhookName)}</label>
                <input id="wh-name" name=WebhookFields::name type="text" minlength="2" maxlength="100" required/>
                <FieldError name=WebhookFields::name code=err field/>
                <label for="wh-url">{tr(T::WebhookUrl)}</label>
                <input id="wh-url" name=WebhookFields::url type="url" maxlength="500" required/>
                <FieldError name=WebhookFields::url code=err field/>
                <fieldset>
                    <legend>{tr(T::WebhookEvents)}</legend>
                    {EntryKind::ALL
                        .into_iter()
                        .map(|k| {
                            let id = format!("wh-{}", k.slug());
                            view! {
                                <label for=id class="choice">
                                    <input id=id.clone() type="checkbox" name=WebhookFields::events value=k.slug()/>
                                    " " {tr(k.label())}
                                </label>
                            }
                        })
                        .collect_view()}
                </fieldset>
                <FieldError name=WebhookFields::events code=err field/>
                <button type="submit" class="button primary">{tr(T::WebhookRegister)}</button>
            </form>
        </section>
    }
}

#[component]
pub fn StaffWebhookPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i64>().ok()).unwrap_or_default();
    let log = Resource::new(id, webhook_log);
    let show = move |(r, secret, deliveries): (ReceiverView, String, Vec<DeliveryView>)| {
        let events = kinds(&r);
        let (next, label) = if r.active { ("0", T::WebhookDisable) } else { ("1", T::WebhookEnable) };
        view! {
            <h1>{tr(T::WebhooksTitle)} " · " {r.name.clone()}</h1>
            <p><code>{r.url.clone()}</code> " · " {events}</p>
            <details>
                <summary>{tr(T::WebhookSecret)}</summary>
                <p><code class="secret">{secret}</code></p>
                <p class="hint">{tr(T::WebhookSecretHint)}</p>
            </details>
            <form method="post" action=format!("/staff/webhooks/{}/active", r.id) class="form">
                <input type="hidden" name="active" value=next/>
                <button type="submit" class="button">{tr(label)}</button>
            </form>
            <h2>{tr(T::WebhookLog)}</h2>
            <table class="data">
                <thead><tr>
                    <th>"#"</th><th>{tr(T::WebhookSubject)}</th><th>{tr(T::WebhookQueued)}</th>
                    <th>{tr(T::WebhookDelivered)}</th><th>{tr(T::WebhookAttempts)}</th>
                </tr></thead>
                <tbody>
                    {deliveries
                        .into_iter()
                        .map(|d| {
                            let attempts = d
                                .attempts
                                .iter()
                                .map(|a| {
                                    let outcome = a.status.map(|s| s.to_string()).or_else(|| a.error.clone()).unwrap_or_default();
                                    format!("{} {} ({} ms)", format_datetime(a.at), outcome, a.millis)
                                })
                                .collect::<Vec<_>>()
                                .join("；");
                            view! {
                                <tr class:waiting=d.delivered_at.is_none()>
                                    <td>{d.event.clone()}</td>
                                    <td>{d.subject.clone()}</td>
                                    <td>{format_datetime(d.created_at)}</td>
                                    <td>{d.delivered_at.map(format_datetime).unwrap_or_else(|| tr(T::WebhookPending).to_owned())}</td>
                                    <td>{attempts}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            <p><a href="/staff/webhooks">"← " {tr(T::WebhooksTitle)}</a></p>
        }
    };
    view! {
        <Title text=format!("{} · {}", tr(T::WebhooksTitle), tr(T::BrandName))/>
        <section class="page">
            <Loaded resource=log ok=show/>
        </section>
    }
}
