//! Search: bigram tokens for the index, query normalisation, and the validated search query.

use super::{BusinessCategory, District, Grade};
use crate::error::{AppError, ErrCode};
use crate::text::to_half_width;
use serde::{Deserialize, Serialize};

/// Text prepared for the bigram index: lower-cased, half-width, letters and digits only, split into overlapping
/// two-character tokens separated by spaces (`绵阳米粉` → `绵阳 阳米 米粉`). Both engines index these tokens
/// (SQLite FTS5 unicode61, PostgreSQL `simple` tsvector), and a query becomes the phrase of its own bigrams, so
/// any substring of two or more characters is found through the index.
pub fn bigrams(text: &str) -> Vec<String> {
    let chars: Vec<char> =
        text.chars().map(to_half_width).flat_map(char::to_lowercase).filter(|c| c.is_alphanumeric()).collect();
    chars.windows(2).map(|w| w.iter().collect()).collect()
}

/// Index tokens for the district and category filters (`qxd3`, `qxc1`): folded into the same full-text query as
/// the text, so a filtered search of a common term intersects posting lists instead of scanning matches. No query
/// can produce them (queries become two-character tokens).
pub fn filter_tokens(district: Option<&str>, category: Option<&str>) -> Vec<String> {
    let mut t = Vec::new();
    if let Some(i) = district.and_then(|d| District::ALL.iter().position(|x| x.as_str() == d)) {
        t.push(format!("qxd{i}"));
    }
    if let Some(i) = category.and_then(|c| BusinessCategory::ALL.iter().position(|x| x.as_str() == c)) {
        t.push(format!("qxc{i}"));
    }
    t
}

/// Everything the search index holds for a business: bigrams of name and address, and the filter tokens.
pub fn search_tokens(name: &str, address: &str, district: &str, category: &str) -> String {
    let mut t = bigrams(name);
    t.extend(bigrams(address));
    t.extend(filter_tokens(Some(district), Some(category)));
    t.join(" ")
}

/// Normalises a search query: trimmed, half-width, at most 50 characters. `None` when fewer than 2 searchable
/// characters remain.
pub fn normalise_query(q: &str) -> Option<String> {
    let q: String = q.trim().chars().map(to_half_width).take(50).collect();
    let searchable = q.chars().filter(|c| c.is_alphanumeric()).count();
    (searchable >= 2).then_some(q)
}

/// Largest page size; larger requests are refused with a message naming `per_page`.
pub const MAX_PER_PAGE: i64 = 100;
pub const DEFAULT_PER_PAGE: i64 = 20;

/// A registry search, validated.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchQuery {
    pub q: Option<String>,
    pub district: Option<String>,
    pub grade: Option<Grade>,
    pub category: Option<String>,
    pub watch_list: Option<bool>,
    /// 阳光餐饮: only businesses in (or out of) the transparent-kitchen programme.
    #[serde(default)]
    pub sunshine: Option<bool>,
    pub page: i64,
    pub per_page: i64,
}

impl SearchQuery {
    /// Validates raw parameters (as typed in a form or an API query string). Empty strings mean "any".
    pub fn parse(
        q: Option<&str>,
        district: Option<&str>,
        grade: Option<&str>,
        category: Option<&str>,
        watch_list: Option<&str>,
        page: Option<&str>,
        per_page: Option<&str>,
    ) -> Result<SearchQuery, AppError> {
        let nonempty = |s: Option<&str>| s.map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
        let q = match nonempty(q) {
            None => None,
            Some(raw) => {
                if raw.chars().count() > 100 {
                    return Err(AppError::field(ErrCode::TooLong, "q"));
                }
                Some(normalise_query(&raw).ok_or_else(|| AppError::field(ErrCode::TooShort, "q"))?)
            }
        };
        let district = nonempty(district);
        if district.as_deref().is_some_and(|d| District::parse(d).is_none()) {
            return Err(AppError::field(ErrCode::InvalidValue, "district"));
        }
        let category = nonempty(category);
        if category.as_deref().is_some_and(|c| BusinessCategory::parse(c).is_none()) {
            return Err(AppError::field(ErrCode::InvalidValue, "category"));
        }
        let grade = match nonempty(grade) {
            None => None,
            Some(g) => Some(Grade::parse(&g).ok_or_else(|| AppError::field(ErrCode::InvalidValue, "grade"))?),
        };
        // Text fields of the search form may be sent empty ("any"); the numbers and flags are never in the form,
        // so an empty one is a mistake worth naming.
        let present = |s: Option<&str>, field: &str| match s.map(str::trim) {
            Some("") => Err(AppError::field(ErrCode::InvalidValue, field)),
            other => Ok(other.map(str::to_owned)),
        };
        let watch_list = match present(watch_list, "watch_list")?.as_deref() {
            None => None,
            Some("true" | "1" | "on") => Some(true),
            Some("false" | "0") => Some(false),
            Some(_) => return Err(AppError::field(ErrCode::InvalidValue, "watch_list")),
        };
        let int = |s: Option<String>, field: &str, default: i64| -> Result<i64, AppError> {
            match s {
                None => Ok(default),
                Some(v) => v.parse::<i64>().map_err(|_| AppError::field(ErrCode::InvalidValue, field)),
            }
        };
        let page = int(present(page, "page")?, "page", 1)?;
        if !(1..=10_000).contains(&page) {
            return Err(AppError::field(ErrCode::InvalidValue, "page"));
        }
        let per_page = int(present(per_page, "per_page")?, "per_page", DEFAULT_PER_PAGE)?;
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            return Err(AppError::field(ErrCode::PerPageTooLarge, "per_page"));
        }
        Ok(SearchQuery { q, district, grade, category, watch_list, sunshine: None, page, per_page })
    }

    /// Adds the 阳光餐饮 filter, parsed like `watch_list` (`1`/`true`/`on`, `0`/`false`; sent empty it is named).
    pub fn with_sunshine(mut self, sunshine: Option<&str>) -> Result<SearchQuery, AppError> {
        self.sunshine = match sunshine.map(str::trim) {
            None => None,
            Some("true" | "1" | "on") => Some(true),
            Some("false" | "0") => Some(false),
            Some(_) => return Err(AppError::field(ErrCode::InvalidValue, "sunshine")),
        };
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_tokens_keep_the_positions_the_index_stores() {
        assert_eq!(filter_tokens(Some("涪城区"), Some("生产")), ["qxd0", "qxc0"]);
        assert_eq!(filter_tokens(Some("科技城新区"), Some("集中用餐单位")), ["qxd11", "qxc4"]);
        assert!(filter_tokens(Some("北京市"), Some("餐饮服务")).is_empty(), "unknown values have no token");
    }

    #[test]
    fn bigram_tokens_and_queries() {
        assert_eq!(bigrams("绵阳米粉"), vec!["绵阳", "阳米", "米粉"]);
        assert_eq!(bigrams("KFC 肯德基"), vec!["kf", "fc", "c肯", "肯德", "德基"]);
        assert_eq!(bigrams("Ａ１"), vec!["a1"]);
        assert!(bigrams("米").is_empty());
        assert_eq!(normalise_query("  米粉 "), Some("米粉".to_owned()));
        assert_eq!(normalise_query("米"), None);
        assert_eq!(normalise_query("%_'"), None);
        assert_eq!(normalise_query(&"粉".repeat(200)).unwrap().chars().count(), 50);
    }

    proptest::proptest! {
        #[test]
        fn search_parameters_never_panic_and_stay_bounded(
            q in "\\PC{0,120}",
            district in "\\PC{0,10}",
            page in "\\PC{0,8}",
            per_page in "\\PC{0,8}",
        ) {
            if let Ok(parsed) = SearchQuery::parse(Some(&q), Some(&district), None, None, None, Some(&page), Some(&per_page)) {
                let q = parsed.q.unwrap_or_default();
                proptest::prop_assert!(q.chars().count() <= 50);
                proptest::prop_assert!((1..=MAX_PER_PAGE).contains(&parsed.per_page));
                proptest::prop_assert!(parsed.page >= 1);
            }
        }

        #[test]
        fn bigrams_are_two_searchable_characters(text in "\\PC{0,60}") {
            for t in bigrams(&text) {
                proptest::prop_assert_eq!(t.chars().count(), 2);
                proptest::prop_assert!(t.chars().all(char::is_alphanumeric));
            }
        }
    }
}
