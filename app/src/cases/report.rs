//! The report form: a multipart post that works without JavaScript. After a failure the page fills in what
//! was typed (from a sealed draft whose id is all the URL carries) and shows the message next to the field.
//! Opened from a business page (`?credit_code=`), it names the business and its open cases (the duplicate hint).

use crate::lang::{tr, use_lang};
use crate::ui::{form_error, FieldError};
use domain::cases::{CaseCategory, CaseFields as F, CaseReceipt};
use domain::{AppError, T};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

/// What the form starts with: a failed attempt's fields, the business named in the link, its open cases, and
/// a fresh idempotency key.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormStart {
    pub fields: F,
    pub business: Option<(String, i64)>,
    pub key: String,
}

/// The report form's starting values (public).
#[server(prefix = "/_sf", endpoint = "report_defaults")]
pub async fn report_defaults(draft: String, credit_code: String) -> Result<FormStart, AppError> {
    let state = crate::ssr::state()?;
    let mut fields: F = backend::cases::drafts::load(&state, "report-draft", &draft).await?.unwrap_or_default();
    if fields.credit_code.is_empty() {
        fields.credit_code = credit_code;
    }
    let business = match domain::credit::CreditCode::parse(&fields.credit_code) {
        Ok(code) => match backend::credit::detail(&state, &code).await? {
            Some(d) => Some((d.summary.name, backend::cases::handle::open_against(&state.store, &code).await?)),
            None => None,
        },
        Err(_) => None,
    };
    // A repeated submission of the same form (a double click, a reload) files one case.
    let key = if fields.idempotency_key.is_empty() {
        backend::cases::drafts::random_id()
    } else {
        fields.idempotency_key.clone()
    };
    Ok(FormStart { fields, business, key })
}

#[component]
pub fn ReportPage() -> impl IntoView {
    let query = use_query_map();
    let start = Resource::new(
        move || (query.read().get("draft").unwrap_or_default(), query.read().get("credit_code").unwrap_or_default()),
        |(d, c)| report_defaults(d, c),
    );
    let show = |s: FormStart| view! { <ReportForm s/> };
    view! {
        <Title text=format!("{} · {}", tr(T::ReportTitle), tr(T::BrandName))/>
        <crate::ui::Og title=tr(T::ReportTitle) description=tr(T::ReportIntro)/>
        <section class="page">
            <h1>{tr(T::ReportTitle)}</h1>
            <p class="lead">{tr(T::ReportIntro)}</p>
            <crate::ui::Loaded resource=start ok=show/>
        </section>
    }
}

#[component]
fn ReportForm(s: FormStart) -> impl IntoView {
    let lang = use_lang();
    let (err, field) = form_error();
    let f = s.fields;
    let kind = if f.kind.is_empty() { "举报".to_owned() } else { f.kind.clone() };
    let text = move |name: &'static str, label: T, value: String, kind: &'static str, max: &'static str| {
        view! {
            <label for=format!("report-{name}")>{tr(label)}</label>
            <input id=format!("report-{name}") name=name type=kind value=value maxlength=max
                aria-invalid=move || (field.get().as_deref() == Some(name)).then_some("true")
                aria-describedby=format!("{name}-error")/>
            <FieldError name code=err field/>
        }
    };
    view! {
        {s.business.clone().map(|(name, open)| view! {
            <p class="notice">
                <strong>{name}</strong> " · " {tr(T::ReportOpenCases)} ": " <strong>{open}</strong>
            </p>
        })}
        <form id="report-form" method="post" action="/report" enctype="multipart/form-data" class="form report">
            <fieldset>
                <legend>{tr(T::ReportKind)}</legend>
                <label class="inline">
                    <input type="radio" name=F::kind value="举报" checked=kind == "举报"/>
                    {tr(T::CaseKindReport)} <small class="hint">{tr(T::ReportKindReportHint)}</small>
                </label>
                <label class="inline">
                    <input type="radio" name=F::kind value="投诉" checked=kind == "投诉"/>
                    {tr(T::CaseKindComplaint)} <small class="hint">{tr(T::ReportKindComplaintHint)}</small>
                </label>
            </fieldset>
            <FieldError name=F::kind code=err field/>
            {text(F::business_name, T::ReportBusinessName, f.business_name.clone(), "text", "100")}
            {text(F::credit_code, T::ReportBusinessCode, f.credit_code.clone(), "text", "18")}
            <label for="report-category">{tr(T::ReportCategory)}</label>
            <select id="report-category" name=F::category required>
                {CaseCategory::ALL
                    .iter()
                    .map(|c| view! { <option value=c.as_str() selected=f.category == c.as_str()>{c.label(lang)}</option> })
                    .collect_view()}
            </select>
            <FieldError name=F::category code=err field/>
            <label for="report-description">{tr(T::ReportDescription)}</label>
            <textarea id="report-description" name=F::description rows="6" minlength="10" maxlength="5000" required
                aria-describedby="description-error">{f.description.clone()}</textarea>
            <FieldError name=F::description code=err field/>
            {text(F::occurred_at, T::ReportOccurred, f.occurred_at.clone(), "date", "10")}
            {text(F::place, T::ReportPlace, f.place.clone(), "text", "200")}
            <label for="report-photos">{tr(T::ReportPhotos)}</label>
            <input id="report-photos" name="photos" type="file" multiple accept="image/jpeg,image/png,image/webp"
                data-max-files="5" data-max-bytes="8388608" data-chosen=tr(T::PhotosChosen) data-too-many=tr(T::PhotosTooMany)
                data-too-big=tr(T::PhotosTooBig) aria-describedby="photos-error photo-status"/>
            <FieldError name="photos" code=err field/>
            <p id="photo-status" class="hint" aria-live="polite"></p>
            <ul id="photo-previews" class="photo-previews"></ul>
            <super::preview::PhotoPreview/>
            <fieldset>
                <legend>{tr(T::ReportReporter)}</legend>
                {text(F::reporter_name, T::ReportName, f.reporter_name.clone(), "text", "40")}
                {text(F::reporter_phone, T::ReportPhone, f.reporter_phone.clone(), "tel", "20")}
                <p class="hint">{tr(T::ReportPrivacy)}</p>
            </fieldset>
            <input type="hidden" name=F::idempotency_key value=s.key/>
            <div class="hp" aria-hidden="true">
                <label for="report-website">"Website"</label>
                <input id="report-website" name=F::website type="text" tabindex="-1" autocomplete="off"/>
            </div>
            <button type="submit" class="button primary">{tr(T::ReportSubmit)}</button>
        </form>
    }
}

/// The receipt waiting under `id`, shown once (public; it expires after a quarter of an hour): a second look at
/// the link — the history, a shared screen — finds nothing.
#[server(prefix = "/_sf", endpoint = "report_receipt")]
pub async fn report_receipt(id: String) -> Result<Option<CaseReceipt>, AppError> {
    let state = crate::ssr::state()?;
    backend::cases::drafts::take(&state, "receipt", &id).await
}

#[component]
pub fn ReceiptPage() -> impl IntoView {
    let params = use_params_map();
    let receipt = Resource::new(move || params.read().get("id").unwrap_or_default(), report_receipt);
    let show = |r: Option<CaseReceipt>| match r {
        Some(r) => view! {
            <div class="receipt" role="status">
                <dl class="facts">
                    <div><dt>{tr(T::ReceiptNumber)}</dt><dd class="big"><code>{r.tracking_no}</code></dd></div>
                    <div><dt>{tr(T::ReceiptCode)}</dt><dd class="big"><code>{r.access_code}</code></dd></div>
                </dl>
                <p class="notice">{tr(T::ReceiptKeep)}</p>
                <p><a class="button" href="/track">{tr(T::TrackTitle)}</a></p>
            </div>
        }
        .into_any(),
        None => view! { <p class="notice">{tr(T::ReceiptGone)}</p> }.into_any(),
    };
    view! {
        <Title text=format!("{} · {}", tr(T::ReceiptTitle), tr(T::BrandName))/>
        // The receipt holds a secret: no referrer to other sites, not indexed.
        <Meta name="robots" content="noindex"/>
        <section class="page narrow">
            <h1>{tr(T::ReceiptTitle)}</h1>
            <crate::ui::Loaded resource=receipt ok=show/>
        </section>
    }
}
