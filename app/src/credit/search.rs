//! The registry search: a plain GET form (works without JavaScript) with type-ahead suggestions as the one
//! island of the page.

use super::GradeBadge;
use crate::lang::{tr, use_lang};
use domain::credit::geo::{Near, STREETS};
use domain::credit::{BusinessCategory, BusinessSummary, District, Grade, Page};
use domain::{AppError, T};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Searches the registry (public). Parameters as typed in the form; validated on the server.
#[server(prefix = "/_sf", endpoint = "search_businesses")]
pub async fn search_businesses(
    q: Option<String>,
    district: Option<String>,
    grade: Option<String>,
    category: Option<String>,
    sunshine: Option<String>,
    page: Option<String>,
    nearby: NearParams,
) -> Result<Page<BusinessSummary>, AppError> {
    let near = near_query(nearby)?;
    let query = domain::credit::SearchQuery::parse(
        q.as_deref(),
        district.as_deref(),
        grade.as_deref(),
        category.as_deref(),
        None,
        page.as_deref(),
        None,
    )?
    .with_sunshine(sunshine.as_deref())?;
    let state = crate::ssr::state()?;
    backend::credit::lookup(&state, &query, near.as_ref()).await
}

/// The page's parameters of 附近, as typed (validated by [`near_query`]).
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct NearParams {
    pub near: Option<String>,
    pub radius: Option<String>,
    pub near_district: Option<String>,
    pub street: Option<String>,
}

/// The near query of the page: `near=lat,lng` (the 附近 button) or, without JavaScript, the pick of a district
/// and a street, which stands for the street's point written as `near` would carry it, so the list is the one
/// `GET /api/v1/businesses?near=…` gives. `radius` as in the API.
pub fn near_query(p: NearParams) -> Result<Option<Near>, AppError> {
    let NearParams { near, radius, near_district, street } = p;
    let given = |s: &Option<String>| s.as_deref().is_some_and(|s| !s.trim().is_empty());
    if given(&near_district) || given(&street) {
        let point = domain::credit::geo::pick_point(
            near_district.as_deref().unwrap_or_default(),
            street.as_deref().unwrap_or_default(),
        )
        .map_err(|e| match e.field.as_deref() {
            Some("district") => AppError::field(e.code, "near_district"),
            _ => e,
        })?;
        let at = Near { at: point, radius_m: 0.0 }.param();
        return Near::parse(Some(&at), radius.as_deref().filter(|r| !r.is_empty()));
    }
    Near::parse(near.as_deref(), radius.as_deref().filter(|r| !r.is_empty()))
}

#[component]
pub fn CreditSearchPage() -> impl IntoView {
    let query = use_query_map();
    let lang = use_lang();
    let get = move |k: &str| query.read().get(k).unwrap_or_default();
    let results = Resource::new(
        move || {
            (
                (get("q"), get("district"), get("grade"), get("category"), get("page")),
                (get("near"), get("radius"), get("near_district"), get("street"), get("sunshine")),
            )
        },
        |((q, district, grade, category, page), (near, radius, near_district, street, sunshine))| async move {
            let nearby = [&near, &radius, &near_district, &street].iter().any(|s| !s.is_empty());
            if !nearby
                && q.is_empty()
                && district.is_empty()
                && grade.is_empty()
                && category.is_empty()
                && sunshine.is_empty()
            {
                return Ok(None);
            }
            let opt = |s: String| (!s.is_empty()).then_some(s);
            search_businesses(
                Some(q),
                Some(district),
                Some(grade),
                Some(category),
                opt(sunshine),
                opt(page),
                NearParams {
                    near: opt(near),
                    radius: opt(radius),
                    near_district: opt(near_district),
                    street: opt(street),
                },
            )
            .await
            .map(Some)
        },
    );
    // One filter of the form: "any" first, the current choice selected.
    let filter = move |name: &'static str, label: T, options: Vec<(&'static str, String)>| {
        let current = get(name);
        view! {
            <label>
                {tr(label)}
                <select name=name>
                    <option value="">{tr(T::Any)}</option>
                    {options
                        .into_iter()
                        .map(|(value, text)| view! { <option value=value selected=current == value>{text}</option> })
                        .collect_view()}
                </select>
            </label>
        }
    };
    view! {
        <Title text=format!("{} · {}", tr(T::NavCredit), tr(T::BrandName))/>
        <crate::ui::Og title=tr(T::NavCredit) description=tr(T::CreditIntro)/>
        <section class="page">
            <h1>{tr(T::NavCredit)}</h1>
            <p class="lead">{tr(T::CreditIntro)}</p>
            <form class="search-form" method="get" action="/credit" role="search">
                <label for="q">{tr(T::CreditSearchLabel)}</label>
                <div class="search-row">
                    <input
                        id="q"
                        name="q"
                        type="search"
                        maxlength="100"
                        placeholder=tr(T::CreditSearchPlaceholder)
                        value=get("q")
                        autocomplete="off"
                        aria-controls="suggestions"
                    />
                    <button type="submit" class="button primary">{tr(T::Search)}</button>
                </div>
                <ul id="suggestions" class="suggestions" aria-label=tr(T::Suggestions) hidden></ul>
                <TypeAhead/>
                <div class="filters">
                    {filter("district", T::District, District::ALL.iter().map(|d| (d.as_str(), d.label(lang).to_owned())).collect())}
                    {filter(
                        "grade",
                        T::Grade,
                        [Grade::A, Grade::B, Grade::C, Grade::D]
                            .into_iter()
                            .map(|g| (g.as_str(), format!("{} · {}", g.as_str(), tr(g.label()))))
                            .collect(),
                    )}
                    {filter("category", T::Category, BusinessCategory::ALL.iter().map(|c| (c.as_str(), c.label(lang).to_owned())).collect())}
                    <label class="check">
                        <input type="checkbox" name="sunshine" value="1" checked=!get("sunshine").is_empty()/>
                        " " {tr(T::SunshineFilter)}
                    </label>
                </div>
            </form>
            <NearPick/>
            <Suspense fallback=|| view! { <p>{tr(T::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match results.await {
                        Ok(None) => view! { <p class="hint">{tr(T::CreditHint)}</p> }.into_any(),
                        Ok(Some(page)) => view! { <Results page/> }.into_any(),
                        Err(e) => {
                            view! {
                                <p class="error" role="alert">
                                    {e.message(lang)}
                                </p>
                            }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}

/// 附近: the button (shown by its island once hydrated: it needs the browser's location) and, for everyone, the
/// pick of a district and a street, a plain GET form.
#[component]
fn NearPick() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let get = move |k: &str| query.read().get(k).unwrap_or_default();
    let (district, street) = (get("near_district"), get("street"));
    view! {
        <div class="near">
            <button
                type="button"
                class="button"
                id="near-me"
                data-locating=tr(T::NearMeLocating)
                data-denied=tr(T::NearMeDenied)
                hidden
            >
                {tr(T::NearMe)}
            </button>
            // Hidden until it has something to say (the result count is the page's status).
            <p id="near-status" class="hint" aria-live="polite" hidden></p>
            <NearMe/>
            <form class="near-form" method="get" action="/credit">
                <fieldset>
                    <legend>{tr(T::NearPickLegend)}</legend>
                    <label>
                        {tr(T::District)}
                        <select name="near_district" required>
                            {District::ALL
                                .iter()
                                .map(|d| {
                                    view! {
                                        <option value=d.as_str() selected=district == d.as_str()>
                                            {d.label(lang)}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    </label>
                    <label>
                        {tr(T::Street)}
                        <select name="street" required>
                            {STREETS
                                .iter()
                                .map(|s| view! { <option value=*s selected=street == *s>{*s}</option> })
                                .collect_view()}
                        </select>
                    </label>
                    <button type="submit" class="button">{tr(T::NearShow)}</button>
                </fieldset>
            </form>
        </div>
    }
}

#[component]
fn Results(page: Page<BusinessSummary>) -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let total = page.total;
    let more = page.total_is_lower_bound;
    let pages = page.pages();
    let link = move |p: i64| {
        let q = query.read();
        let enc = |k: &str| q.get(k).map(|v| crate::ui::encode(&v)).unwrap_or_default();
        let mut link = format!(
            "/credit?q={}&district={}&grade={}&category={}&page={p}",
            enc("q"),
            enc("district"),
            enc("grade"),
            enc("category")
        );
        // The near query goes on (an empty parameter of these would be refused or mean nothing).
        for k in ["near", "radius", "near_district", "street", "sunshine"] {
            let v = enc(k);
            if !v.is_empty() {
                link.push_str(&format!("&{k}={v}"));
            }
        }
        link
    };
    let radius = {
        let q = query.read();
        let near = ["near", "near_district", "street"].iter().any(|k| q.get(k).is_some_and(|v| !v.is_empty()));
        near.then(|| {
            q.get("radius")
                .filter(|r| !r.is_empty())
                .unwrap_or_else(|| (domain::credit::geo::DEFAULT_RADIUS_M as i64).to_string())
        })
    };
    let current = page.page;
    let (prev, next) = ((current > 1).then(|| link(current - 1)), (current < pages).then(|| link(current + 1)));
    view! {
        <p class="count" role="status">
            {match &radius {
                Some(r) => T::NearFound.fill(lang, &[("n", &format!("{total}{}", if more { "+" } else { "" })), ("r", r)]),
                None => T::CreditFound.fill(lang, &[("n", &format!("{total}{}", if more { "+" } else { "" }))]),
            }}
        </p>
        {page.items.is_empty().then(|| view! { <p class="notice">{tr(T::CreditNoResults)}</p> })}
        <ul class="results">
            {page
                .items
                .into_iter()
                .map(|b| {
                    let href = format!("/credit/{}", b.credit_code);
                    view! {
                        <li>
                            <a href=href>
                                <GradeBadge grade=b.grade awaiting=b.awaiting_inspection/>
                                <span class="result-text">
                                    <strong>{b.name.clone()}</strong>
                                    <small>
                                        {District::label_of(&b.district, lang).to_owned()} " · " {BusinessCategory::label_of(&b.category, lang).to_owned()}
                                        {b.watch_list.then(|| view! { " · " <em class="watch">{tr(T::WatchList)}</em> })}
                                        {b.sunshine.then(|| view! { " · " <em class="sunshine">{tr(T::Sunshine)}</em> })}
                                        {b.new_rating_pending.then(|| view! { " · " <em class="pending">{tr(T::NewRatingPending)}</em> })}
                                    </small>
                                    <small class="addr">
                                        {b.address.clone()}
                                        {b.distance_m.map(|m| view! { " · " <span class="distance">{T::NearDistance.fill(lang, &[("m", &m.to_string())])}</span> })}
                                    </small>
                                </span>
                            </a>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
        <crate::ui::Pager current pages prev next/>
    }
}

/// Type-ahead: the page's only WASM, and a small one. Server-rendered it is nothing at all (the search box and
/// the empty list above are plain HTML, so the form works without JavaScript). Hydrated, it listens to the box
/// and fills the list from `GET /credit/suggest?q=` — lines of `code\tgrade\tname` — with DOM text nodes (never
/// HTML), showing only the answer to the latest keystroke. It has no props and calls no server function, so
/// neither serde_json nor the server-function client is in the WASM.
#[island]
pub fn TypeAhead() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| hydrated::attach());
}

#[cfg(feature = "hydrate")]
mod hydrated {
    use std::cell::Cell;
    use std::rc::Rc;
    use wasm_bindgen::{closure::Closure, JsCast};

    pub fn attach() {
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
        if let Some(root) = doc.document_element() {
            // A marker for tests and styles: this island runs.
            let _ = root.set_attribute("data-hydrated", "true");
        }
        let (Some(input), Some(list)) = (doc.get_element_by_id("q"), doc.get_element_by_id("suggestions")) else {
            return;
        };
        let Ok(input) = input.dyn_into::<web_sys::HtmlInputElement>() else { return };
        let latest = Rc::new(Cell::new(0u32));
        let box_ = input.clone();
        let on_input = Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
            let n = latest.get().wrapping_add(1);
            latest.set(n);
            let q = box_.value();
            let (latest, list) = (latest.clone(), list.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let lines = if domain::credit::normalise_query(&q).is_some() { fetch(&q).await } else { String::new() };
                if latest.get() == n {
                    show(&list, &lines);
                }
            });
        });
        let _ = input.add_event_listener_with_callback("input", on_input.as_ref().unchecked_ref());
        on_input.forget();
    }

    async fn fetch(q: &str) -> String {
        let Some(window) = web_sys::window() else { return String::new() };
        let url = format!("/credit/suggest?q={}", String::from(js_sys::encode_uri_component(q)));
        let Ok(res) = wasm_bindgen_futures::JsFuture::from(window.fetch_with_str(&url)).await else {
            return String::new();
        };
        let Ok(res) = res.dyn_into::<web_sys::Response>() else { return String::new() };
        if !res.ok() {
            return String::new();
        }
        let Ok(text) = res.text() else { return String::new() };
        wasm_bindgen_futures::JsFuture::from(text).await.ok().and_then(|t| t.as_string()).unwrap_or_default()
    }

    fn show(list: &web_sys::Element, lines: &str) {
        let Some(doc) = list.owner_document() else { return };
        list.set_text_content(None);
        let mut any = false;
        for line in lines.lines() {
            let mut parts = line.splitn(3, '\t');
            let (Some(code), Some(grade), Some(name)) = (parts.next(), parts.next(), parts.next()) else { continue };
            let (Ok(li), Ok(a), Ok(dot)) =
                (doc.create_element("li"), doc.create_element("a"), doc.create_element("span"))
            else {
                return;
            };
            let _ = a.set_attribute("href", &format!("/credit/{code}"));
            let _ = dot.set_attribute("class", &format!("dot grade-{}", grade.to_lowercase()));
            dot.set_text_content(Some(grade));
            let _ = a.append_child(&dot);
            let _ = a.append_child(&doc.create_text_node(name));
            let _ = li.append_child(&a);
            let _ = list.append_child(&li);
            any = true;
        }
        if let Ok(list) = list.clone().dyn_into::<web_sys::HtmlElement>() {
            list.set_hidden(!any);
        }
    }
}

/// 附近: the button's island. Server-rendered it is nothing (the button above is `hidden`, so without JavaScript
/// only the district and street pick shows). Hydrated, it shows the button; a click asks the browser for its
/// location and goes to `/credit?near=lat,lng`, which the server renders like any search. Refused or unavailable,
/// the status line says so (texts from the button's `data-` attributes, so no strings are in the WASM).
#[island]
pub fn NearMe() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| near_me::attach());
}

#[cfg(feature = "hydrate")]
mod near_me {
    use js_sys::{Function, Reflect};
    use wasm_bindgen::{closure::Closure, JsCast, JsValue};

    pub fn attach() {
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
        let (Some(button), Some(status)) = (doc.get_element_by_id("near-me"), doc.get_element_by_id("near-status"))
        else {
            return;
        };
        let (Ok(button), Ok(status)) =
            (button.dyn_into::<web_sys::HtmlElement>(), status.dyn_into::<web_sys::HtmlElement>())
        else {
            return;
        };
        // Only where the browser can tell where it is.
        let Some(geo) = geolocation() else { return };
        button.set_hidden(false);
        let text = |name: &str| button.get_attribute(name).unwrap_or_default();
        let (locating, denied) = (text("data-locating"), text("data-denied"));
        let on_click = Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
            status.set_text_content(Some(&locating));
            status.set_hidden(false);
            let found = Closure::once_into_js(move |pos: JsValue| {
                let coord = |k: &str| {
                    Reflect::get(&pos, &"coords".into())
                        .and_then(|c| Reflect::get(&c, &k.into()))
                        .ok()
                        .and_then(|v| v.as_f64())
                };
                if let (Some(lat), Some(lng), Some(w)) = (coord("latitude"), coord("longitude"), web_sys::window()) {
                    let href = format!("/credit?near={lat:.6},{lng:.6}");
                    let _ = Reflect::set(&w.location_object(), &"href".into(), &href.into());
                }
            });
            let status = status.clone();
            let denied = denied.clone();
            let failed = Closure::once_into_js(move |_: JsValue| status.set_text_content(Some(&denied)));
            if let Ok(f) = Reflect::get(&geo, &"getCurrentPosition".into()).and_then(|f| f.dyn_into::<Function>()) {
                let _ = f.call2(&geo, &found, &failed);
            }
        });
        let _ = button.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref());
        on_click.forget();
    }

    /// `navigator.geolocation`, if the browser has one.
    fn geolocation() -> Option<JsValue> {
        let w = web_sys::window()?;
        let nav = Reflect::get(&w, &"navigator".into()).ok()?;
        Reflect::get(&nav, &"geolocation".into()).ok().filter(|g| !g.is_undefined() && !g.is_null())
    }

    trait LocationObject {
        fn location_object(&self) -> JsValue;
    }

    impl LocationObject for web_sys::Window {
        /// `window.location` without web-sys's `Location` feature.
        fn location_object(&self) -> JsValue {
            Reflect::get(self, &"location".into()).unwrap_or(JsValue::UNDEFINED)
        }
    }
}
