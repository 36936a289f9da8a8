//! Staff write news: every article with its state (draft, scheduled, published), a form for a new one, and
//! one article's edit page. Markdown in, sanitised HTML out (on the public pages); every save is audited.

use crate::lang::{tr, use_lang};
use crate::ui::{form_error, DataTable, FieldError, Loaded};
use domain::clock::{format_datetime, format_datetime_local};
use domain::news::{ArticleFields as F, ArticleState, NewsTag, StaffArticle};
use domain::{AppError, T};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// Every article, drafts included (moderators).
#[server(prefix = "/_sf", endpoint = "staff_news")]
pub async fn staff_news() -> Result<Vec<StaffArticle>, AppError> {
    crate::ssr::require(domain::staff::Role::Moderator).await?;
    let state = crate::ssr::state()?;
    backend::news::list_staff(&state.store).await
}

/// One article for editing (moderators).
#[server(prefix = "/_sf", endpoint = "staff_article")]
pub async fn get_staff_article(id: String) -> Result<StaffArticle, AppError> {
    crate::ssr::require(domain::staff::Role::Moderator).await?;
    let id = id.parse::<i64>().map_err(|_| AppError::not_found())?;
    let state = crate::ssr::state()?;
    backend::news::get_staff(&state.store, id).await?.ok_or_else(AppError::not_found)
}

#[component]
fn StateBadge(state: ArticleState) -> impl IntoView {
    let class = match state {
        ArticleState::Draft => "phase phase-upcoming",
        ArticleState::Scheduled => "phase phase-sampling",
        ArticleState::Published => "phase",
    };
    view! { <span class=class>{tr(state.label())}</span> }
}

/// The article form, empty or filled.
#[component]
fn ArticleForm(action: String, a: Option<StaffArticle>) -> impl IntoView {
    let lang = use_lang();
    let (err, field) = form_error();
    // A new 消费提示 opened from a batch's page (`?batch=`) names the batch and carries the tag.
    let from_batch = if a.is_none() {
        use_query_map().read_untracked().get("batch").filter(|b| b.parse::<i64>().is_ok())
    } else {
        None
    };
    let alert = from_batch.is_some();
    let batch = a.as_ref().and_then(|a| a.batch_id).map(|b| b.to_string()).or(from_batch).unwrap_or_default();
    let has = |t: &str| {
        a.as_ref().is_some_and(|a| a.tags.iter().any(|x| x == t)) || (alert && t == NewsTag::ConsumerAlert.as_str())
    };
    let publishing = a.as_ref().is_some_and(|a| a.state != ArticleState::Draft);
    let when = a.as_ref().and_then(|a| a.publish_at).map(format_datetime_local).unwrap_or_default();
    let has_cover = a.as_ref().is_some_and(|a| a.has_cover);
    let text = |f: fn(&StaffArticle) -> &String| a.as_ref().map(|a| f(a).clone()).unwrap_or_default();
    view! {
        <form method="post" action=action enctype="multipart/form-data" class="form wide">
            <label for="news-title">{tr(T::NewsTitle)}</label>
            <input id="news-title" name=F::title value=text(|a| &a.title) maxlength="80" required/>
            <FieldError name=F::title code=err field/>
            <label for="news-summary">{tr(T::NewsSummary)}</label>
            <input id="news-summary" name=F::summary value=text(|a| &a.summary) maxlength="200"/>
            <FieldError name=F::summary code=err field/>
            <label for="news-body">{tr(T::NewsBody)} " (" {tr(T::NewsMarkdownHint)} ")"</label>
            <textarea id="news-body" name=F::body rows="14" required>{text(|a| &a.body)}</textarea>
            <FieldError name=F::body code=err field/>
            <fieldset>
                <legend>{tr(T::NewsTags)}</legend>
                {NewsTag::ALL
                    .iter()
                    .map(|t| view! {
                        <label class="inline"><input type="checkbox" name=F::tags value=t.as_str() checked=has(t.as_str())/>{t.label(lang)}</label>
                    })
                    .collect_view()}
            </fieldset>
            <FieldError name=F::tags code=err field/>
            <label for="news-batch_id">{tr(T::NewsBatchId)}</label>
            <input id="news-batch_id" name=F::batch_id value=batch inputmode="numeric" maxlength="20"/>
            <FieldError name=F::batch_id code=err field/>
            <fieldset>
                <legend>{tr(T::NewsStatus)}</legend>
                <label class="inline"><input type="radio" name=F::status value="draft" checked=!publishing/>{tr(T::NewsStateDraft)}</label>
                <label class="inline"><input type="radio" name=F::status value="publish" checked=publishing/>{tr(T::NewsPublish)}</label>
            </fieldset>
            <FieldError name=F::status code=err field/>
            <label for="news-publish_at">{tr(T::NewsPublishAt)}</label>
            <input id="news-publish_at" name=F::publish_at type="datetime-local" value=when/>
            <p class="hint">{tr(T::NewsPublishAtHint)}</p>
            <FieldError name=F::publish_at code=err field/>
            <label for="news-cover">{tr(T::NewsCover)}</label>
            <input id="news-cover" name="cover" type="file" accept="image/jpeg,image/png,image/webp"/>
            <FieldError name="cover" code=err field/>
            {has_cover.then(|| view! {
                <label class="inline"><input type="checkbox" name=F::remove_cover value="1"/>{tr(T::NewsRemoveCover)}</label>
            })}
            <label for="news-cover_alt">{tr(T::NewsCoverAlt)}</label>
            <input id="news-cover_alt" name=F::cover_alt value=text(|a| &a.cover_alt) maxlength="120"/>
            <FieldError name=F::cover_alt code=err field/>
            <button type="submit" class="button primary">{tr(T::NewsSave)}</button>
        </form>
    }
}

#[component]
pub fn StaffNewsPage() -> impl IntoView {
    let list = Resource::new(|| (), |_| staff_news());
    let show = |items: Vec<StaffArticle>| {
        view! {
            <DataTable headers=vec![T::NewsTitle, T::NewsStatus, T::NewsPublishAt, T::NewsUpdated]>
                {items
                    .into_iter()
                    .map(|a| view! {
                        <tr>
                            <td><a href=format!("/staff/news/{}", a.id)>{a.title}</a></td>
                            <td><StateBadge state=a.state/></td>
                            <td>{a.publish_at.map(format_datetime).unwrap_or_default()}</td>
                            <td>{format_datetime(a.updated_at)} " · " {a.updated_by}</td>
                        </tr>
                    })
                    .collect_view()}
            </DataTable>
        }
    };
    view! {
        <Title text=format!("{} · {}", tr(T::StaffNewsTitle), tr(T::BrandName))/>
        <section class="page">
            <h1>{tr(T::StaffNewsTitle)}</h1>
            <Loaded resource=list ok=show/>
            <h2 id="new-article">{tr(T::NewsNew)}</h2>
            <ArticleForm action="/staff/news".to_owned() a=None/>
        </section>
    }
}

#[component]
pub fn StaffArticlePage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let article = Resource::new(move || params.read().get("id").unwrap_or_default(), get_staff_article);
    let saved = move || query.read().get("saved").is_some();
    let show = move |a: StaffArticle| {
        let public = (a.state == ArticleState::Published).then(|| format!("/news/{}", a.id));
        view! {
            <h1>{a.title.clone()} " " <StateBadge state=a.state/></h1>
            {public.map(|href| view! { <p><a href=href>{tr(T::NewsView)}</a></p> })}
            <ArticleForm action=format!("/staff/news/{}", a.id) a=Some(a)/>
        }
    };
    view! {
        <Title text=format!("{} · {}", tr(T::StaffNewsTitle), tr(T::BrandName))/>
        <section class="page">
            <p><a href="/staff/news">{tr(T::StaffNewsTitle)}</a></p>
            {move || saved().then(|| view! { <p class="success" role="status">{tr(T::NewsSaved)}</p> })}
            <Loaded resource=article ok=show/>
        </section>
    }
}
