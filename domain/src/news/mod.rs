//! 新闻动态: articles staff write in Markdown, drafted, scheduled or published, with a cover and tags. The
//! public sees an article only once it is published and its time has come (a scheduled article never leaks).

use crate::clock::parse_datetime_local;
use crate::error::{AppError, ErrCode};
use crate::text::TextRule;
use crate::vocab::vocab;
use serde::{Deserialize, Serialize};

vocab! {
    /// The tags an article may carry.
    pub enum NewsTag {
        SamplingNotice = "抽检公告" => "Sampling notices";
        YouPick = "你点我检" => "You pick, we test";
        ReportRewards = "举报奖励" => "Report rewards";
        FoodSafetyTips = "科普" => "Food-safety tips";
        /// 消费提示: a consumer alert about a failing batch, on the home page while current.
        ConsumerAlert = "消费提示" => "Consumer alerts";
    }
}

/// An article in a list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ArticleSummary {
    pub id: i64,
    pub title: String,
    pub summary: String,
    pub tags: Vec<String>,
    /// Unix seconds.
    pub published_at: i64,
    pub has_cover: bool,
    /// Text for the cover image (empty when there is none).
    pub cover_alt: String,
    /// The sampling batch a 消费提示 is about.
    pub batch_id: Option<i64>,
}

/// A published article, its Markdown rendered and sanitised on the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Article {
    #[serde(flatten)]
    pub summary: ArticleSummary,
    /// Safe HTML: no script, frame, style, event handler or `javascript:` link survives.
    pub body_html: String,
    pub updated_at: i64,
}

/// Where an article stands for staff.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArticleState {
    Draft,
    Scheduled,
    Published,
}

impl ArticleState {
    /// The state of a stored article at `now`.
    pub fn at(published: bool, publish_at: Option<i64>, now: i64) -> ArticleState {
        match (published, publish_at) {
            (false, _) | (true, None) => ArticleState::Draft,
            (true, Some(t)) if t > now => ArticleState::Scheduled,
            (true, Some(_)) => ArticleState::Published,
        }
    }

    pub fn label(self) -> crate::T {
        match self {
            ArticleState::Draft => crate::T::NewsStateDraft,
            ArticleState::Scheduled => crate::T::NewsStateScheduled,
            ArticleState::Published => crate::T::NewsStatePublished,
        }
    }
}

/// An article as staff edit it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffArticle {
    pub id: i64,
    pub title: String,
    pub summary: String,
    /// The Markdown source.
    pub body: String,
    pub tags: Vec<String>,
    pub state: ArticleState,
    /// Unix seconds (`None` for a draft never scheduled).
    pub publish_at: Option<i64>,
    pub has_cover: bool,
    pub cover_alt: String,
    pub updated_at: i64,
    pub updated_by: String,
    /// The sampling batch a 消费提示 is about.
    pub batch_id: Option<i64>,
}

crate::fields! {
    /// The staff form (multipart, with the cover image as the file field `cover`). `tags` holds the chosen
    /// tags joined by commas (the form's checkboxes are gathered by the handler); `status` is `draft` or
    /// `publish`; `publish_at` a local time `2026-12-01T09:00` (UTC+8; empty = now when publishing).
    pub struct ArticleFields {
        title,
        summary,
        body,
        tags,
        status,
        publish_at,
        cover_alt,
        remove_cover,
        batch_id,
    }
}

/// A validated article.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArticleInput {
    pub title: String,
    pub summary: String,
    pub body: String,
    pub tags: Vec<String>,
    pub published: bool,
    pub publish_at: Option<i64>,
    pub cover_alt: String,
    pub remove_cover: bool,
    /// The sampling batch the article is about (a 消费提示).
    pub batch_id: Option<i64>,
}

/// Days a 消费提示 stays on the home page after its publication.
pub const ALERT_DAYS: i64 = 30;

/// Longest Markdown body (characters).
pub const MAX_BODY_CHARS: usize = 50_000;
/// Largest cover image.
pub const MAX_COVER_BYTES: usize = 4 * 1024 * 1024;
/// Articles per public page.
pub const PER_PAGE: i64 = 10;

impl ArticleFields {
    /// Checks the form at `now` (Unix seconds).
    pub fn parse(&self, now: i64) -> Result<ArticleInput, AppError> {
        let title = TextRule::line(80).check(Self::title, &self.title)?;
        let summary = TextRule::optional(200).check(Self::summary, &self.summary)?;
        let body = TextRule::para(1, MAX_BODY_CHARS).check(Self::body, &self.body)?;
        let mut tags: Vec<String> = Vec::new();
        for t in self.tags.split([',', '，']).map(str::trim).filter(|t| !t.is_empty()) {
            if NewsTag::parse(t).is_none() {
                return Err(AppError::field(ErrCode::InvalidValue, Self::tags));
            }
            if !tags.iter().any(|x| x == t) {
                tags.push(t.to_owned());
            }
        }
        let published = match self.status.trim() {
            "" | "draft" => false,
            "publish" => true,
            _ => return Err(AppError::field(ErrCode::InvalidValue, Self::status)),
        };
        let publish_at = match self.publish_at.trim() {
            "" => published.then_some(now),
            s => Some(parse_datetime_local(s).ok_or_else(|| AppError::field(ErrCode::InvalidValue, Self::publish_at))?),
        };
        let cover_alt = TextRule::optional(120).check(Self::cover_alt, &self.cover_alt)?;
        let remove_cover = matches!(self.remove_cover.trim(), "1" | "on" | "true");
        let batch_id = match self.batch_id.trim() {
            "" => None,
            b => Some(
                b.trim_start_matches('#')
                    .parse::<i64>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| AppError::field(ErrCode::InvalidValue, Self::batch_id))?,
            ),
        };
        Ok(ArticleInput { title, summary, body, tags, published, publish_at, cover_alt, remove_cover, batch_id })
    }
}

/// The public list's query: `tag` (a [`NewsTag`], empty = all) and `page` (1–1000). Refusals name the field.
pub fn list_query(tag: Option<&str>, page: Option<&str>) -> Result<(Option<String>, i64), AppError> {
    let tag = match tag.map(str::trim) {
        None | Some("") => None,
        Some(t) if NewsTag::parse(t).is_some() => Some(t.to_owned()),
        Some(_) => return Err(AppError::field(ErrCode::InvalidValue, "tag")),
    };
    let page = match page.map(str::trim) {
        None | Some("") => 1,
        Some(p) => p
            .parse::<i64>()
            .ok()
            .filter(|p| (1..=1000).contains(p))
            .ok_or_else(|| AppError::field(ErrCode::InvalidValue, "page"))?,
    };
    Ok((tag, page))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> ArticleFields {
        ArticleFields {
            title: "春节食品抽检结果公告".into(),
            body: "本次共抽检 **120** 批次。".into(),
            tags: "抽检公告，科普,抽检公告".into(),
            status: "publish".into(),
            ..Default::default()
        }
    }

    #[test]
    fn parses_an_article() {
        let a = fields().parse(1_000).unwrap();
        assert_eq!(a.tags, ["抽检公告", "科普"], "deduplicated, both commas");
        assert!(a.published);
        assert_eq!(a.publish_at, Some(1_000), "publishing without a time means now");
        let draft = ArticleFields { status: "draft".into(), ..fields() }.parse(1_000).unwrap();
        assert_eq!(draft.publish_at, None);
        let later = ArticleFields { publish_at: "2026-12-01T09:30".into(), ..fields() }.parse(1_000).unwrap();
        assert_eq!(later.publish_at, parse_datetime_local("2026-12-01T09:30"));
    }

    #[test]
    fn refuses_bad_fields_by_name() {
        let field = |f: ArticleFields| f.parse(0).unwrap_err().field.unwrap();
        assert_eq!(field(ArticleFields { title: String::new(), ..fields() }), "title");
        assert_eq!(field(ArticleFields { title: "x".repeat(81), ..fields() }), "title");
        assert_eq!(field(ArticleFields { body: "x".repeat(MAX_BODY_CHARS + 1), ..fields() }), "body");
        assert_eq!(field(ArticleFields { tags: "八卦".into(), ..fields() }), "tags");
        assert_eq!(field(ArticleFields { status: "live".into(), ..fields() }), "status");
        assert_eq!(field(ArticleFields { publish_at: "tomorrow".into(), ..fields() }), "publish_at");
        assert_eq!(field(ArticleFields { batch_id: "x1".into(), ..fields() }), "batch_id");
        assert_eq!(field(ArticleFields { batch_id: "-3".into(), ..fields() }), "batch_id");
        let alert = ArticleFields { tags: "消费提示".into(), batch_id: "#12".into(), ..fields() }.parse(0).unwrap();
        assert_eq!((alert.tags, alert.batch_id), (vec!["消费提示".to_owned()], Some(12)));
    }

    #[test]
    fn states_follow_the_clock() {
        assert_eq!(ArticleState::at(false, Some(5), 10), ArticleState::Draft);
        assert_eq!(ArticleState::at(true, Some(11), 10), ArticleState::Scheduled);
        assert_eq!(ArticleState::at(true, Some(10), 10), ArticleState::Published);
        assert_eq!(NewsTag::label_of("科普", crate::Lang::En), "Food-safety tips");
        assert_eq!(list_query(Some("科普"), Some("2")).unwrap(), (Some("科普".to_owned()), 2));
        assert_eq!(list_query(None, None).unwrap(), (None, 1));
        assert_eq!(list_query(Some("八卦"), None).unwrap_err().field.as_deref(), Some("tag"));
        assert_eq!(list_query(None, Some("0")).unwrap_err().field.as_deref(), Some("page"));
    }
}
