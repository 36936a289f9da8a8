//! 关注 by SMS: what a subscription follows, how often it is told, the words that stop it, and the wording of its
//! messages. Pure; the service owns confirmation, caps, sealing and sending.

use super::{paths, Only};
use crate::credit::{CreditCode, District};
use crate::error::{AppError, ErrCode};
use crate::i18n::{Lang, T};
use crate::picks::FoodCategory;
use crate::vocab::vocab;

/// Subscriptions one phone may hold at once (confirmed or waiting for their code).
pub const MAX_PER_PHONE: i64 = 20;
/// The hour (China time) after which the day's digests go out.
pub const DIGEST_HOUR: i64 = 20;
/// Titles a digest names before "…and n more".
pub const DIGEST_TITLES: usize = 3;
/// Confirmation codes: ten minutes, five attempts, a new one at most once a minute.
pub const CODE_TTL_SECS: i64 = 600;
pub const MAX_ATTEMPTS: i64 = 5;
pub const RESEND_SECS: i64 = 60;

/// What a subscription (or a feed) follows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    Business(CreditCode),
    /// A district, optionally only its grade drops or only its failing batches.
    District(District, Option<Only>),
    Food(FoodCategory),
    Round(i64),
}

impl Subject {
    /// Parses the `subject` parameter: `business:<credit code>`, `district:<name>[:grade_drops|failing_batches]`,
    /// `food:<category>`, `round:<id>`. Refusals name `subject`.
    pub fn parse(s: &str) -> Result<Subject, AppError> {
        let bad = || AppError::field(ErrCode::InvalidValue, "subject");
        let s = s.trim();
        if s.is_empty() {
            return Err(AppError::field(ErrCode::Required, "subject"));
        }
        let (kind, rest) = s.split_once(':').ok_or_else(bad)?;
        match kind {
            "business" => CreditCode::parse(rest).map(Subject::Business).map_err(|_| bad()),
            "district" => {
                let (name, only) = match rest.split_once(':') {
                    Some((n, o)) => (n, Some(Only::parse(o).ok_or_else(bad)?)),
                    None => (rest, None),
                };
                Ok(Subject::District(District::parse(name).ok_or_else(bad)?, only))
            }
            "food" => FoodCategory::parse(rest).map(Subject::Food).ok_or_else(bad),
            "round" => rest.parse::<i64>().ok().filter(|id| *id > 0).map(Subject::Round).ok_or_else(bad),
            _ => Err(bad()),
        }
    }

    /// The stored kind: `business`, `district`, `food` or `round`.
    pub fn kind(&self) -> &'static str {
        match self {
            Subject::Business(_) => "business",
            Subject::District(..) => "district",
            Subject::Food(_) => "food",
            Subject::Round(_) => "round",
        }
    }

    /// The stored subject within its kind: the credit code, the district's or category's name, the round's id.
    pub fn value(&self) -> String {
        match self {
            Subject::Business(c) => c.as_str().to_owned(),
            Subject::District(d, _) => d.as_str().to_owned(),
            Subject::Food(f) => f.as_str().to_owned(),
            Subject::Round(id) => id.to_string(),
        }
    }

    /// The district filter as stored (`''` for none).
    pub fn only(&self) -> &'static str {
        match self {
            Subject::District(_, Some(o)) => o.as_str(),
            _ => "",
        }
    }

    /// The `subject` parameter that gives this subject back.
    pub fn param(&self) -> String {
        match self.only() {
            "" => format!("{}:{}", self.kind(), self.value()),
            o => format!("{}:{}:{o}", self.kind(), self.value()),
        }
    }

    /// The subject's Atom feed.
    pub fn feed_path(&self) -> String {
        match self {
            Subject::Business(c) => paths::business(c.as_str()),
            Subject::District(d, only) => paths::district(d.as_str(), *only),
            Subject::Food(f) => paths::food(f.as_str()),
            Subject::Round(id) => paths::round(*id),
        }
    }

    /// The page a message links to for the subject as a whole (a digest).
    pub fn page(&self) -> String {
        match self {
            Subject::Business(c) => format!("/credit/{}", c.as_str()),
            Subject::District(d, _) => format!("/stats#district-{}", paths::encode(d.as_str())),
            Subject::Food(_) => "/results".to_owned(),
            Subject::Round(id) => format!("/picks/{id}"),
        }
    }

    /// Rebuilds a subject from its stored kind, value and filter.
    pub fn from_stored(kind: &str, value: &str, only: &str) -> Option<Subject> {
        let param = if only.is_empty() { format!("{kind}:{value}") } else { format!("{kind}:{value}:{only}") };
        Subject::parse(&param).ok()
    }
}

vocab! {
    /// How often a subscription is told.
    pub enum Mode {
        Immediate = "immediate" / "有动态即发短信" => "A text for each update";
        Digest = "digest" / "每晚汇总一条" => "One evening digest";
    }
}

/// Whether an SMS reply stops every subscription of the phone that sent it: 退订, TD, T, N, STOP, UNSUBSCRIBE
/// (any case, surrounding spaces and punctuation ignored), as Chinese carriers and senders use them.
pub fn is_stop_word(text: &str) -> bool {
    let t: String = text
        .chars()
        .map(crate::text::to_half_width)
        .filter(|c| !c.is_whitespace() && !c.is_ascii_punctuation() && !matches!(c, '。' | '！' | '，'))
        .collect::<String>()
        .to_ascii_uppercase();
    matches!(t.as_str(), "退订" | "TD" | "T" | "N" | "STOP" | "UNSUBSCRIBE" | "取消" | "取消关注")
}

crate::fields! {
    #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
    /// Follows a subject by SMS: a code is sent to the phone, and the subscription starts once it is confirmed.
    pub struct FollowSmsFields {
        /// `business:<credit code>`, `district:<name>[:grade_drops|failing_batches]`, `food:<category>` or
        /// `round:<id>`.
        #[cfg_attr(feature = "ssr", schema(required = true, max_length = 80))]
        subject,
        /// A mainland mobile number (11 digits).
        #[cfg_attr(feature = "ssr", schema(required = true, max_length = 20))]
        phone,
        /// `immediate` (a text per update, at most the day's cap) or `digest` (one text in the evening).
        #[cfg_attr(feature = "ssr", schema(pattern = "^(immediate|digest)?$"))]
        mode,
    }
}

impl FollowSmsFields {
    /// `(subject, phone, mode)`; the mode defaults to immediate.
    pub fn parse(&self) -> Result<(Subject, String, Mode), AppError> {
        let subject = Subject::parse(&self.subject)?;
        let phone = crate::text::parse_phone(&self.phone)?;
        let mode = match self.mode.trim() {
            "" => Mode::Immediate,
            m => Mode::parse(m).ok_or_else(|| AppError::field(ErrCode::InvalidValue, Self::mode))?,
        };
        Ok((subject, phone, mode))
    }
}

crate::fields! {
    #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
    /// Confirms a subscription with the code sent to the phone.
    pub struct ConfirmFields {
        /// The `confirm` token the subscription request answered.
        #[cfg_attr(feature = "ssr", schema(required = true, max_length = 64))]
        token,
        /// The six-digit code.
        #[cfg_attr(feature = "ssr", schema(required = true, max_length = 6))]
        code,
    }
}

impl ConfirmFields {
    pub fn parse(&self) -> Result<(String, String), AppError> {
        let token = self.token.trim();
        if token.is_empty() || token.len() > 64 {
            return Err(AppError::field(ErrCode::InvalidValue, Self::token));
        }
        let code: String = self.code.chars().map(crate::text::to_half_width).filter(|c| !c.is_whitespace()).collect();
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AppError::field(ErrCode::InvalidCode, Self::code));
        }
        Ok((token.to_owned(), code))
    }
}

/// An immediate notice: the update's title, its link, and how to stop.
pub fn notice(lang: Lang, title: &str, link: &str, stop: &str) -> String {
    T::SmsFollowNotice.fill(lang, &[("title", title), ("link", link), ("stop", stop)])
}

/// The evening digest: how many updates, the first few titles, the subject's page, and how to stop.
pub fn digest(lang: Lang, subject: &str, titles: &[String], link: &str, stop: &str) -> String {
    let mut named = titles.iter().take(DIGEST_TITLES).cloned().collect::<Vec<_>>().join("；");
    if titles.len() > DIGEST_TITLES {
        named.push_str(&T::SmsDigestMore.fill(lang, &[("n", &(titles.len() - DIGEST_TITLES).to_string())]));
    }
    T::SmsFollowDigest.fill(
        lang,
        &[("subject", subject), ("n", &titles.len().to_string()), ("titles", &named), ("link", link), ("stop", stop)],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_round_trip_through_their_parameter() {
        for s in [
            "business:91510703MA62480012",
            "district:涪城区",
            "district:游仙区:grade_drops",
            "district:江油市:failing_batches",
            "food:食用油",
            "round:7",
        ] {
            let subject = Subject::parse(s).unwrap_or_else(|e| panic!("{s}: {e:?}"));
            assert_eq!(subject.param(), s);
            assert_eq!(Subject::from_stored(subject.kind(), &subject.value(), subject.only()), Some(subject));
        }
    }

    #[test]
    fn bad_subjects_name_the_field() {
        for s in [
            "",
            "business",
            "business:123",
            "district:月球区",
            "district:涪城区:all",
            "food:石头",
            "round:0",
            "round:x",
            "shop:1",
        ] {
            let e = Subject::parse(s).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("subject"), "{s}");
        }
    }

    #[test]
    fn stop_words_are_recognised_in_any_case() {
        for w in ["TD", "td", " 退订 ", "Ｔ Ｄ", "stop!", "T", "取消关注。"] {
            assert!(is_stop_word(w), "{w}");
        }
        for w in ["", "hello", "TD please", "退订了吗"] {
            assert!(!is_stop_word(w), "{w}");
        }
    }

    #[test]
    fn the_digest_names_the_first_titles_and_counts_the_rest() {
        let titles: Vec<String> = (1..=5).map(|i| format!("t{i}")).collect();
        let m = digest(Lang::Zh, "涪城区", &titles, "L", "S");
        assert!(m.contains("t1；t2；t3"), "{m}");
        assert!(!m.contains("t4"), "{m}");
        assert!(m.contains('5') && m.contains('2'), "{m}");
        let m = digest(Lang::En, "x", &titles[..1], "L", "S");
        assert!(m.contains("t1") && !m.contains("more"), "{m}");
    }

    #[test]
    fn fields_parse_with_a_default_mode() {
        let f = FollowSmsFields { subject: "round:3".into(), phone: "138 0000 0000".into(), mode: String::new() };
        assert_eq!(f.parse().unwrap(), (Subject::Round(3), "13800000000".into(), Mode::Immediate));
        let f = FollowSmsFields { mode: "weekly".into(), ..f };
        assert_eq!(f.parse().unwrap_err().field.as_deref(), Some("mode"));
        let c = ConfirmFields { token: "1-abc".into(), code: "12a456".into() };
        assert_eq!(c.parse().unwrap_err().field.as_deref(), Some("code"));
    }
}
