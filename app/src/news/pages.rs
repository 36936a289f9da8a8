//! The news list (a GET filter by tag that works without JavaScript, pages of ten) and one article, its body
//! the sanitised HTML the server rendered from Markdown.

use crate::lang::{tr, use_lang};
use crate::ui::{encode, Loaded, Og};
use domain::clock::format_date;
use domain::news::{Article, ArticleSummary, NewsTag};
use domain::{AppError, Lang, Page, T};
use leptos::prelude::*;
use leptos_meta::{Link, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

/// Published articles (public).
#[server(prefix = "/_sf", endpoint = "news_list")]
pub async fn news_list(tag: Option<String>, page: Option<String>) -> Result<Page<ArticleSummary>, AppError> {
    let (tag, page) = domain::news::list_query(tag.as_deref(), page.as_deref())?;
    let state = crate::ssr::state()?;
    backend::news::list_public(&state.store, tag.as_deref(), page, domain::news::PER_PAGE, backend::clock::now()).await
}

/// One published article (public); drafts and scheduled articles are "not found" until their time.
#[server(prefix = "/_sf", endpoint = "news_article")]
pub async fn news_article(id: String) -> Result<Article, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
    let state = crate::ssr::state()?;
    backend::news::get_public(&state.store, id, backend::clock::now()).await?.ok_or_else(AppError::not_found)
}

#[component]
pub fn NewsPage() -> impl IntoView {
    let query = use_query_map();
    let lang = use_lang();
    let get = move |k: &str| query.read().get(k).unwrap_or_default();
    let list = Resource::new(move || (get("tag"), get("page")), |(tag, page)| news_list(Some(tag), Some(page)));
    let current = get("tag");
    let show = |page: Page<ArticleSummary>| view! { <NewsList page/> };
    view! {
        <Title text=format!("{} · {}", tr(T::NavNews), tr(T::BrandName))/>
        <Og title=tr(T::NavNews) description=tr(T::NewsIntro)/>
        <Link rel="alternate" type_="application/atom+xml" href="/news/feed.xml" title=tr(T::NewsFeed)/>
        <section class="page">
            <h1>{tr(T::NavNews)}</h1>
            <p class="lead">{tr(T::NewsIntro)} " " <a href="/news/feed.xml">{tr(T::NewsFeed)}</a></p>
            <nav class="tags" aria-label=tr(T::NewsTags)>
                <a href="/news" aria-current=current.is_empty().then_some("page")>{tr(T::Any)}</a>
                {NewsTag::ALL
                    .iter()
                    .map(|t| {
                        let on = current == t.as_str();
                        view! {
                            <a href=format!("/news?tag={}", encode(t.as_str())) aria-current=on.then_some("page")>{t.label(lang)}</a>
                        }
                    })
                    .collect_view()}
            </nav>
            <Loaded resource=list ok=show/>
        </section>
    }
}

#[component]
fn NewsList(page: Page<ArticleSummary>) -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let pages = page.pages();
    let current = page.page;
    let link = move |p: i64| format!("/news?tag={}&page={p}", encode(&query.read().get("tag").unwrap_or_default()));
    let (prev, next) = ((current > 1).then(|| link(current - 1)), (current < pages).then(|| link(current + 1)));
    view! {
        {page.items.is_empty().then(|| view! { <p class="notice">{tr(T::NewsNone)}</p> })}
        <ul class="articles">
            {page.items.into_iter().map(|a| view! { <li><ArticleCard a lang/></li> }).collect_view()}
        </ul>
        <crate::ui::Pager current pages prev next/>
    }
}

/// An article in a list (the home page shows the latest three).
#[component]
pub fn ArticleCard(a: ArticleSummary, lang: Lang, #[prop(optional)] nested: bool) -> impl IntoView {
    let link = view! { <a href=format!("/news/{}", a.id)>{a.title}</a> };
    view! {
        <article class="article-card">
            {if nested { view! { <h3>{link}</h3> }.into_any() } else { view! { <h2>{link}</h2> }.into_any() }}
            <p class="meta">
                <time datetime=format_date(a.published_at)>{format_date(a.published_at)}</time>
                {a.tags.iter().map(|t| view! { " " <span class="tag">{NewsTag::label_of(t, lang).to_owned()}</span> }).collect_view()}
            </p>
            {(!a.summary.is_empty()).then(|| view! { <p>{a.summary}</p> })}
        </article>
    }
}

#[component]
pub fn ArticlePage() -> impl IntoView {
    let params = use_params_map();
    let article = Resource::new(move || params.read().get("id").unwrap_or_default(), news_article);
    view! {
        <Suspense fallback=|| view! { <p>{tr(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                match article.await {
                    Ok(a) => view! { <ArticleView a/> }.into_any(),
                    Err(err) => view! { <crate::ui::LoadFailed err back="/news" back_label=T::NavNews/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ArticleView(a: Article) -> impl IntoView {
    let lang = use_lang();
    let s = a.summary;
    let cover = s.has_cover.then(|| format!("/news/{}/cover.jpg", s.id));
    view! {
        <Title text=format!("{} · {}", s.title, tr(T::BrandName))/>
        <Og title=s.title.clone() description=s.summary.clone() image=cover.clone().unwrap_or_default() kind="article"/>
        <article class="page article">
            <p class="crumbs"><a href="/news">{tr(T::NavNews)}</a></p>
            <h1>{s.title.clone()}</h1>
            <p class="meta">
                <time datetime=format_date(s.published_at)>{format_date(s.published_at)}</time>
                {s.tags.iter().map(|t| view! { " " <a class="tag" href=format!("/news?tag={}", encode(t))>{NewsTag::label_of(t, lang).to_owned()}</a> }).collect_view()}
            </p>
            {cover.map(|src| view! { <img class="cover" src=src alt=s.cover_alt.clone() width="640" height="360"/> })}
            {(!s.summary.is_empty()).then(|| view! { <p class="lead">{s.summary.clone()}</p> })}
            // Sanitised on the server (backend::news::markdown): no script, frame, style or javascript: link.
            <div class="prose" inner_html=a.body_html></div>
        </article>
    }
}
