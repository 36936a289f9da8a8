//! 关注 (follow without an account): one Atom feed per followed subject — a business, a district, a food category,
//! a round. The entries are plain values; the server writes them as Atom. Pure: what an entry is, how a feed
//! orders and bounds its entries, and the filter of a district's feed.

use crate::i18n::T;
use crate::vocab::vocab;

pub mod sms;
pub mod webhooks;

/// The most entries a feed carries (the newest).
pub const MAX_ENTRIES: usize = 50;

/// What happened, for an entry's title and category.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EntryKind {
    /// A credit event recorded on a business's record.
    EventRecorded,
    /// A row of a business's grade history (a grade or score published).
    GradeChange,
    /// A failing sampling batch, public.
    FailingBatch,
    /// A published 消费提示 about a batch.
    ConsumerAlert,
    /// A round opens for votes.
    VotingOpens,
    /// A round's vote closes.
    VotingCloses,
    /// A round publishes its results.
    ResultsPublished,
}

impl EntryKind {
    /// Every kind, in the order the webhook page lists them.
    pub const ALL: [EntryKind; 7] = [
        EntryKind::GradeChange,
        EntryKind::EventRecorded,
        EntryKind::FailingBatch,
        EntryKind::ConsumerAlert,
        EntryKind::VotingOpens,
        EntryKind::VotingCloses,
        EntryKind::ResultsPublished,
    ];

    /// The kind whose [`slug`](EntryKind::slug) this is.
    pub fn from_slug(s: &str) -> Option<EntryKind> {
        EntryKind::ALL.into_iter().find(|k| k.slug() == s)
    }

    /// The title's leading label.
    pub fn label(self) -> T {
        match self {
            EntryKind::EventRecorded => T::FeedEventRecorded,
            EntryKind::GradeChange => T::FeedGradeChange,
            EntryKind::FailingBatch => T::FeedFailingBatch,
            EntryKind::ConsumerAlert => T::FeedConsumerAlert,
            EntryKind::VotingOpens => T::FeedVotingOpens,
            EntryKind::VotingCloses => T::FeedVotingCloses,
            EntryKind::ResultsPublished => T::FeedResultsPublished,
        }
    }

    /// The stable part of an entry's id, before the record's own id.
    pub fn slug(self) -> &'static str {
        match self {
            EntryKind::EventRecorded => "event",
            EntryKind::GradeChange => "grade",
            EntryKind::FailingBatch => "batch",
            EntryKind::ConsumerAlert => "alert",
            EntryKind::VotingOpens => "voting-opens",
            EntryKind::VotingCloses => "voting-closes",
            EntryKind::ResultsPublished => "results",
        }
    }
}

/// One entry of a feed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedEntry {
    pub kind: EntryKind,
    /// The id of the record the entry is about (event, grade history row, batch, article, round).
    pub record: i64,
    /// What the entry is about, in a line (a business's name, a food, an event's description).
    pub title: String,
    /// More detail, may be empty.
    pub detail: String,
    /// When it happened (unix seconds): the entry's `updated` and the order of the feed.
    pub at: i64,
    /// The page it links back to (a path on this site).
    pub path: String,
}

impl FeedEntry {
    /// The entry's key, unique within every feed and never changing: the kind and the record's id
    /// (`event-12`). The server makes the Atom id from it, so a reader never sees an entry twice.
    pub fn key(&self) -> String {
        format!("{}-{}", self.kind.slug(), self.record)
    }
}

/// A followed subject's feed: its title and page, and its entries newest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Feed {
    /// The subject's name (a business's name, a district, a food category, a round's title).
    pub subject: String,
    /// What kind of subject, for the feed's title.
    pub label: T,
    /// The subject's page on this site.
    pub page: String,
    /// This feed's own path (`/feeds/…`).
    pub path: String,
    pub entries: Vec<FeedEntry>,
}

/// Entries of several queries as one feed's: newest first (ties by key, so the order never flickers), the same
/// record once, at most [`MAX_ENTRIES`].
pub fn newest_first(mut entries: Vec<FeedEntry>) -> Vec<FeedEntry> {
    entries.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| b.key().cmp(&a.key())));
    entries.dedup_by(|a, b| a.key() == b.key());
    entries.truncate(MAX_ENTRIES);
    entries
}

vocab! {
    /// What a district's feed may be narrowed to (`?only=`).
    pub enum Only {
        GradeDrops = "grade_drops" / "降级" => "Grade drops";
        FailingBatches = "failing_batches" / "不合格批次" => "Failing batches";
    }
}

/// The feeds' paths, shared by the pages that announce them and the routes that serve them.
pub mod paths {
    pub fn business(credit_code: &str) -> String {
        format!("/feeds/businesses/{credit_code}")
    }
    /// Components are percent-encoded (district and category names are Chinese).
    pub fn district(district: &str, only: Option<super::Only>) -> String {
        match only {
            Some(o) => format!("/feeds/districts/{}?only={}", encode(district), o.as_str()),
            None => format!("/feeds/districts/{}", encode(district)),
        }
    }
    pub fn food(category: &str) -> String {
        format!("/feeds/food/{}", encode(category))
    }
    pub fn round(id: i64) -> String {
        format!("/feeds/rounds/{id}")
    }

    /// Percent-encodes a path segment (everything but unreserved ASCII).
    pub fn encode(s: &str) -> String {
        let mut out = String::with_capacity(s.len() * 3);
        for b in s.bytes() {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                out.push(char::from(b));
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(kind: EntryKind, record: i64, at: i64) -> FeedEntry {
        FeedEntry { kind, record, title: String::new(), detail: String::new(), at, path: "/".into() }
    }

    #[test]
    fn keys_are_stable_and_distinct_across_kinds() {
        assert_eq!(e(EntryKind::EventRecorded, 12, 5).key(), "event-12");
        assert_eq!(e(EntryKind::EventRecorded, 12, 99).key(), "event-12", "the time is not part of the key");
        assert_ne!(e(EntryKind::GradeChange, 12, 5).key(), e(EntryKind::EventRecorded, 12, 5).key());
        assert_ne!(e(EntryKind::VotingOpens, 3, 5).key(), e(EntryKind::VotingCloses, 3, 5).key());
    }

    #[test]
    fn newest_first_orders_dedups_and_bounds() {
        let mut v: Vec<FeedEntry> = (0..60).map(|i| e(EntryKind::FailingBatch, i, i * 10)).collect();
        v.push(e(EntryKind::GradeChange, 1, 590));
        v.push(e(EntryKind::FailingBatch, 59, 590));
        let out = newest_first(v);
        assert_eq!(out.len(), MAX_ENTRIES);
        assert_eq!(out[0].key(), "grade-1", "same time: ordered by key, descending");
        assert_eq!(out[1].key(), "batch-59");
        assert_eq!(out.iter().filter(|x| x.key() == "batch-59").count(), 1, "a record once");
        assert!(out.windows(2).all(|w| w[0].at >= w[1].at));
        assert_eq!(out.last().map(|x| x.record), Some(11), "the oldest are dropped");
    }

    #[test]
    fn only_parses_its_two_values() {
        assert_eq!(Only::parse("grade_drops"), Some(Only::GradeDrops));
        assert_eq!(Only::parse("failing_batches"), Some(Only::FailingBatches));
        assert_eq!(Only::parse("all"), None);
    }

    #[test]
    fn paths_encode_chinese_segments() {
        assert_eq!(paths::district("涪城区", None), "/feeds/districts/%E6%B6%AA%E5%9F%8E%E5%8C%BA");
        assert_eq!(paths::district("a b", Some(Only::GradeDrops)), "/feeds/districts/a%20b?only=grade_drops");
        assert_eq!(paths::round(7), "/feeds/rounds/7");
    }
}
