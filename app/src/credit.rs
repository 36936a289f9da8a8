//! 信用查询: search the registry, and the public page of one business.

use crate::lang::{tr, use_lang};
use domain::clock::format_date;
use domain::credit::{
    category_en, district_en, status_en, BusinessDetail, BusinessSummary, DynamicGrade, EventKind, Grade, GradePoint,
    Page, Severity, CATEGORIES, DISTRICTS,
};
use domain::{AppError, Lang, T};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

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

/// The public record of one business (public).
#[server(prefix = "/_sf", endpoint = "business_detail")]
pub async fn get_business(credit_code: String) -> Result<BusinessDetail, AppError> {
    let code = domain::credit::CreditCode::parse(&credit_code)?;
    let state = crate::ssr::state()?;
    backend::credit::detail(&state.store, &code).await?.ok_or_else(AppError::not_found)
}

fn district_label(d: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => d.to_owned(),
        Lang::En => district_en(d).to_owned(),
    }
}

fn category_label(c: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => c.to_owned(),
        Lang::En => category_en(c).to_owned(),
    }
}

#[component]
pub fn GradeBadge(grade: String, #[prop(optional)] large: bool) -> impl IntoView {
    let g = Grade::parse(&grade);
    let label = g.map(|g| tr(g.label())).unwrap_or("");
    let class = format!("grade grade-{}{}", grade.to_lowercase(), if large { " large" } else { "" });
    view! {
        <span class=class title=label>
            <b>{grade}</b>
            <small>{label}</small>
        </span>
    }
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
            search_businesses(Some(q), Some(district), Some(grade), Some(category), Some(page)).await.map(Some)
        },
    );
    let selected = move |k: &'static str, v: &'static str| get(k) == v;
    // Type-ahead, only once hydrated: without JavaScript the plain form is all there is.
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    let (typed, set_typed) = signal(String::new());
    let suggestions = Resource::new(
        move || typed.get(),
        |q| async move {
            if domain::credit::normalise_query(&q).is_none() {
                return Ok(Vec::new());
            }
            suggest_businesses(q).await
        },
    );
    view! {
        <Title text=format!("{} · {}", tr(T::NavCredit), tr(T::BrandName))/>
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
                        value=move || get("q")
                        autocomplete="off"
                        aria-controls="suggestions"
                        on:input=move |ev| set_typed.set(event_target_value(&ev))
                    />
                    <button type="submit" class="button primary">{tr(T::Search)}</button>
                </div>
                <Show when=move || hydrated.get()>
                    <Transition>
                        {move || Suspend::new(async move {
                            let items = suggestions.await.unwrap_or_default();
                            view! {
                                <ul id="suggestions" class="suggestions" aria-label=tr(T::Suggestions)>
                                    {items
                                        .into_iter()
                                        .map(|b| {
                                            view! {
                                                <li>
                                                    <a href=format!("/credit/{}", b.credit_code)>
                                                        <span class=format!("dot grade-{}", b.grade.to_lowercase())>{b.grade.clone()}</span>
                                                        {b.name.clone()}
                                                    </a>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                        })}
                    </Transition>
                </Show>
                <div class="filters">
                    <label>
                        {tr(T::District)}
                        <select name="district">
                            <option value="">{tr(T::Any)}</option>
                            {DISTRICTS
                                .iter()
                                .map(|(d, _, _)| {
                                    view! {
                                        <option value=*d selected=move || selected("district", d)>
                                            {district_label(d, lang)}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    </label>
                    <label>
                        {tr(T::Grade)}
                        <select name="grade">
                            <option value="">{tr(T::Any)}</option>
                            {["A", "B", "C", "D"]
                                .into_iter()
                                .map(|g| {
                                    let label = Grade::parse(g).map(|x| tr(x.label())).unwrap_or("");
                                    view! {
                                        <option value=g selected=move || selected("grade", g)>
                                            {format!("{g} · {label}")}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    </label>
                    <label>
                        {tr(T::Category)}
                        <select name="category">
                            <option value="">{tr(T::Any)}</option>
                            {CATEGORIES
                                .iter()
                                .map(|(c, _)| {
                                    view! {
                                        <option value=*c selected=move || selected("category", c)>
                                            {category_label(c, lang)}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    </label>
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
    let pages = ((total + page.per_page - 1) / page.per_page).max(1);
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
                                <GradeBadge grade=b.grade.clone()/>
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

#[component]
pub fn BusinessPage() -> impl IntoView {
    let params = use_params_map();
    let lang = use_lang();
    let detail = Resource::new(move || params.read().get("code").unwrap_or_default(), get_business);
    view! {
        <Suspense fallback=|| view! { <p>{tr(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) => view! { <BusinessView d/> }.into_any(),
                    Err(e) => {
                        #[cfg(feature = "ssr")]
                        if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
                            res.set_status(
                                http::StatusCode::from_u16(e.status()).unwrap_or(http::StatusCode::NOT_FOUND),
                            );
                        }
                        view! {
                            <Title text=tr(T::NotFoundTitle)/>
                            <section class="page">
                                <h1>{tr(T::NotFoundTitle)}</h1>
                                <p class="error" role="alert">{e.message(lang)}</p>
                                <p><a href="/credit">{tr(T::NavCredit)}</a></p>
                            </section>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn BusinessView(d: BusinessDetail) -> impl IntoView {
    let lang = use_lang();
    let b = d.summary;
    let code = b.credit_code.clone();
    let dynamic = b.dynamic_grade.as_deref().and_then(DynamicGrade::parse);
    let status = match lang {
        Lang::Zh => b.status.clone(),
        Lang::En => status_en(&b.status).to_owned(),
    };
    view! {
        <Title text=format!("{} · {}", b.name, tr(T::NavCredit))/>
        <article class="page business">
            <header class="business-head">
                <GradeBadge grade=b.grade.clone() large=true/>
                <div>
                    <h1>{b.name.clone()}</h1>
                    <p class="score">
                        {tr(T::CreditScore)} ": " <strong>{b.score}</strong> " / 100"
                    </p>
                    {b.watch_list.then(|| view! { <p class="watch-banner" role="note">{tr(T::WatchListNote)}</p> })}
                </div>
            </header>
            <dl class="facts">
                <div><dt>{tr(T::CreditCodeLabel)}</dt><dd><code>{code.clone()}</code></dd></div>
                <div><dt>{tr(T::LicenceLabel)}</dt><dd><code>{b.licence_no.clone().unwrap_or_else(|| "—".into())}</code></dd></div>
                <div><dt>{tr(T::District)}</dt><dd>{district_label(&b.district, lang)}</dd></div>
                <div><dt>{tr(T::Category)}</dt><dd>{category_label(&b.category, lang)}</dd></div>
                <div><dt>{tr(T::Address)}</dt><dd>{b.address.clone()}</dd></div>
                <div><dt>{tr(T::Status)}</dt><dd>{status}</dd></div>
                <div><dt>{tr(T::LastInspected)}</dt><dd>{b.last_inspected_at.map(format_date).unwrap_or_else(|| "—".into())}</dd></div>
                {dynamic.map(|g| view! { <div><dt>{tr(T::DynamicGrade)}</dt><dd>{tr(g.label())}</dd></div> })}
            </dl>
            <section aria-labelledby="events-title">
                <h2 id="events-title">{tr(T::CreditEvents)}</h2>
                {if d.events.is_empty() {
                    view! { <p class="notice">{tr(T::NoEvents)}</p> }.into_any()
                } else {
                    view! {
                        <div class="table-wrap">
                            <table class="table">
                                <thead>
                                    <tr>
                                        <th scope="col">{tr(T::EventDate)}</th>
                                        <th scope="col">{tr(T::EventKindLabel)}</th>
                                        <th scope="col">{tr(T::EventPoints)}</th>
                                        <th scope="col">{tr(T::EventSource)}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {d.events
                                        .into_iter()
                                        .map(|e| {
                                            let kind = EventKind::parse(&e.kind).map(|k| tr(k.label())).unwrap_or("");
                                            let sev = Severity::parse(&e.severity).map(|s| tr(s.label())).unwrap_or("");
                                            let points = if e.points > 0 { format!("+{}", e.points) } else { e.points.to_string() };
                                            view! {
                                                <tr class:expired=!e.in_period>
                                                    <td>{format_date(e.occurred_at)}</td>
                                                    <td>{match lang { Lang::Zh => format!("{kind}（{sev}）"), Lang::En => format!("{kind} ({sev})") }}<br/><small>{e.description}</small></td>
                                                    <td>{points}{(!e.in_period).then(|| view! { <br/><small>{tr(T::OutOfPeriod)}</small> })}</td>
                                                    <td>{e.source}</td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }
                        .into_any()
                }}
            </section>
            <section aria-labelledby="history-title">
                <h2 id="history-title">{tr(T::GradeHistory)}</h2>
                <HistoryChart points=d.history/>
            </section>
            <Replies code=code.clone() replies=d.replies/>
            <section class="share" aria-labelledby="share-title">
                <h2 id="share-title">{tr(T::ShareTitle)}</h2>
                <img src=format!("/credit/{code}/qr.svg") width="160" height="160" alt=tr(T::QrAlt)/>
                <p>{tr(T::BadgeHelp)}</p>
                <img src=format!("/credit/{code}/badge.svg") width="220" height="40" alt=tr(T::BadgeAlt)/>
                <pre class="embed"><code>{format!("<a href=\"/credit/{code}\"><img src=\"/credit/{code}/badge.svg\" alt=\"食安绵阳信用等级\"></a>")}</code></pre>
            </section>
        </article>
    }
}

/// The score over time as a small SVG chart (no script needed).
#[component]
fn HistoryChart(points: Vec<GradePoint>) -> impl IntoView {
    if points.is_empty() {
        return view! { <p class="notice">{tr(T::NoHistory)}</p> }.into_any();
    }
    let (w, h, pad) = (320.0_f64, 120.0_f64, 10.0_f64);
    let first = points.first().map(|p| p.at).unwrap_or(0);
    let last = points.last().map(|p| p.at).unwrap_or(0).max(first + 1);
    let x = |at: i64| pad + (at - first) as f64 / (last - first) as f64 * (w - 2.0 * pad);
    let y = |score: i64| pad + (100 - score.clamp(0, 100)) as f64 / 100.0 * (h - 2.0 * pad);
    let line = points.iter().map(|p| format!("{:.1},{:.1}", x(p.at), y(p.score))).collect::<Vec<_>>().join(" ");
    let summary = points
        .iter()
        .map(|p| format!("{} {} {}", format_date(p.at), p.grade, p.score))
        .collect::<Vec<_>>()
        .join("; ");
    view! {
        <svg class="chart" viewBox=format!("0 0 {w} {h}") role="img" aria-label=format!("{}: {summary}", tr(T::GradeHistory))>
            <line x1=pad y1=y(90) x2=w - pad y2=y(90) class="th"/>
            <line x1=pad y1=y(75) x2=w - pad y2=y(75) class="th"/>
            <line x1=pad y1=y(60) x2=w - pad y2=y(60) class="th"/>
            <polyline points=line fill="none" stroke="#0a7c4a" stroke-width="2"/>
            {points
                .iter()
                .map(|p| view! { <circle cx=x(p.at) cy=y(p.score) r="3" fill="#f28c28"/> })
                .collect_view()}
        </svg>
        <ol class="history">
            {points
                .into_iter()
                .rev()
                .map(|p| view! { <li>{format!("{} · {} · {}", format_date(p.at), p.grade, p.score)}</li> })
                .collect_view()}
        </ol>
    }
        .into_any()
}

/// The business's published replies, and the form to submit one (moderated before publication).
#[component]
fn Replies(code: String, replies: Vec<domain::credit::ReplyView>) -> impl IntoView {
    let (err, field) = crate::staff::form_error();
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
                    <fieldset>
                        <legend>{tr(T::ReplyKind)}</legend>
                        <label class="inline">
                            <input type="radio" name="kind" value="reply" checked/>
                            {tr(T::ReplyKindReply)}
                        </label>
                        <label class="inline">
                            <input type="radio" name="kind" value="repair"/>
                            {tr(T::ReplyKindRepair)}
                        </label>
                    </fieldset>
                    <label for="reply-body">{tr(T::ReplyBody)}</label>
                    <textarea id="reply-body" name="body" rows="5" minlength="10" maxlength="2000" required></textarea>
                    <crate::staff::FieldError name="body" code=err field/>
                    <label for="reply-contact">{tr(T::ReplyContact)}</label>
                    <input id="reply-contact" name="contact" type="text" maxlength="100" required/>
                    <crate::staff::FieldError name="contact" code=err field/>
                    <p class="hint">{tr(T::ReplyPrivacy)}</p>
                    <button type="submit" class="button primary">{tr(T::ReplySubmit)}</button>
                </form>
            </details>
        </section>
    }
}
