//! The registry search: a plain GET form (works without JavaScript) with type-ahead suggestions as the one
//! island of the page.

use super::{category_label, district_label, GradeBadge};
use crate::lang::{tr, use_lang};
use domain::credit::{BusinessSummary, Grade, Page, CATEGORIES, DISTRICTS};
use domain::{AppError, Lang, T};
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
    page: Option<String>,
) -> Result<Page<BusinessSummary>, AppError> {
    let query = domain::credit::SearchQuery::parse(
        q.as_deref(),
        district.as_deref(),
        grade.as_deref(),
        category.as_deref(),
        None,
        page.as_deref(),
        None,
    )?;
    let state = crate::ssr::state()?;
    backend::credit::search(&state.store, &query).await
}

/// Type-ahead suggestions (public, read-only, so a GET that counts against the page quota): up to 6 names.
#[server(prefix = "/_sf", endpoint = "suggest_businesses", input = leptos::server_fn::codec::GetUrl)]
pub async fn suggest_businesses(q: String) -> Result<Vec<BusinessSummary>, AppError> {
    let Some(q) = domain::credit::normalise_query(&q) else { return Ok(Vec::new()) };
    let query = domain::credit::SearchQuery { q: Some(q), page: 1, per_page: 6, ..Default::default() };
    let state = crate::ssr::state()?;
    Ok(backend::credit::search(&state.store, &query).await?.items)
}

#[component]
pub fn CreditSearchPage() -> impl IntoView {
    let query = use_query_map();
    let lang = use_lang();
    let get = move |k: &str| query.read().get(k).unwrap_or_default();
    let results = Resource::new(
        move || (get("q"), get("district"), get("grade"), get("category"), get("page")),
        |(q, district, grade, category, page)| async move {
            if q.is_empty() && district.is_empty() && grade.is_empty() && category.is_empty() {
                return Ok(None);
            }
            search_businesses(Some(q), Some(district), Some(grade), Some(category), (!page.is_empty()).then_some(page)).await.map(Some)
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
        <section class="page">
            <h1>{tr(T::NavCredit)}</h1>
            <p class="lead">{tr(T::CreditIntro)}</p>
            <form class="search-form" method="get" action="/credit" role="search">
                <label for="q">{tr(T::CreditSearchLabel)}</label>
                <TypeAhead
                    q=get("q")
                    texts=TypeAheadTexts {
                        placeholder: tr(T::CreditSearchPlaceholder).to_owned(),
                        search: tr(T::Search).to_owned(),
                        suggestions: tr(T::Suggestions).to_owned(),
                    }
                />
                <div class="filters">
                    {filter("district", T::District, DISTRICTS.iter().map(|(d, _, _)| (*d, district_label(d, lang))).collect())}
                    {filter(
                        "grade",
                        T::Grade,
                        [Grade::A, Grade::B, Grade::C, Grade::D]
                            .into_iter()
                            .map(|g| (g.as_str(), format!("{} · {}", g.as_str(), tr(g.label()))))
                            .collect(),
                    )}
                    {filter("category", T::Category, CATEGORIES.iter().map(|(c, _)| (*c, category_label(c, lang))).collect())}
                </div>
            </form>
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

#[component]
fn Results(page: Page<BusinessSummary>) -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let total = page.total;
    let more = page.total_is_lower_bound;
    let pages = page.pages();
    let link = move |p: i64| {
        let q = query.read();
        let enc = |k: &str| q.get(k).map(|v| encode(&v)).unwrap_or_default();
        format!(
            "/credit?q={}&district={}&grade={}&category={}&page={p}",
            enc("q"),
            enc("district"),
            enc("grade"),
            enc("category")
        )
    };
    let current = page.page;
    view! {
        <p class="count" role="status">
            {match lang {
                Lang::Zh => format!("共找到 {}{} 家", total, if more { "+" } else { "" }),
                Lang::En => format!("{}{} businesses found", total, if more { "+" } else { "" }),
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
                                <GradeBadge grade=b.grade/>
                                <span class="result-text">
                                    <strong>{b.name.clone()}</strong>
                                    <small>
                                        {district_label(&b.district, lang)} " · " {category_label(&b.category, lang)}
                                        {b.watch_list.then(|| view! { " · " <em class="watch">{tr(T::WatchList)}</em> })}
                                    </small>
                                    <small class="addr">{b.address.clone()}</small>
                                </span>
                            </a>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
        {(pages > 1)
            .then(|| {
                view! {
                    <nav class="pager" aria-label=tr(T::Pages)>
                        {(current > 1).then(|| view! { <a href=link(current - 1) rel="prev">{tr(T::PrevPage)}</a> })}
                        <span>{format!("{current} / {pages}")}</span>
                        {(current < pages).then(|| view! { <a href=link(current + 1) rel="next">{tr(T::NextPage)}</a> })}
                    </nav>
                }
            })}
    }
}

/// Percent-encodes a query value.
fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}


/// The texts the type-ahead island shows (islands do not see the page's context, and passing the three strings
/// keeps the whole text table out of the WASM).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct TypeAheadTexts {
    pub placeholder: String,
    pub search: String,
    pub suggestions: String,
}

/// The search box with suggestions as you type: the page's only WASM. Server-rendered it is a plain input, so
/// the form works without JavaScript; hydrated, it lists up to six businesses after two characters. Kept small on
/// purpose: a signal and a fetch, no suspense machinery.
#[island]
pub fn TypeAhead(q: String, texts: TypeAheadTexts) -> impl IntoView {
    let items = RwSignal::new(Vec::<BusinessSummary>::new());
    let latest = StoredValue::new(0u64);
    Effect::new(move |_| {
        // A marker for tests and styles: this island runs.
        #[cfg(feature = "hydrate")]
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-hydrated", "true");
        }
    });
    let on_input = move |ev: leptos::ev::Event| {
        let typed = event_target_value(&ev);
        let n = latest.get_value() + 1;
        latest.set_value(n);
        if domain::credit::normalise_query(&typed).is_none() {
            items.set(Vec::new());
            return;
        }
        leptos::task::spawn_local(async move {
            let found = suggest_businesses(typed).await.unwrap_or_default();
            // Only the answer to the latest keystroke is shown.
            if latest.get_value() == n {
                items.set(found);
            }
        });
    };
    view! {
        <div class="search-row">
            <input
                id="q"
                name="q"
                type="search"
                maxlength="100"
                placeholder=texts.placeholder
                value=q
                autocomplete="off"
                aria-controls="suggestions"
                on:input=on_input
            />
            <button type="submit" class="button primary">{texts.search}</button>
        </div>
        <ul id="suggestions" class="suggestions" aria-label=texts.suggestions hidden=move || items.read().is_empty()>
            {move || {
                items
                    .get()
                    .into_iter()
                    .map(|b| {
                        view! {
                            <li>
                                <a href=format!("/credit/{}", b.credit_code)>
                                    <span class=format!("dot grade-{}", b.grade.as_str().to_lowercase())>{b.grade.as_str()}</span>
                                    {b.name}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()
            }}
        </ul>
    }
}
