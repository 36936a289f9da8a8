//! Businesses and credit (信用): identifiers, districts, categories, and the deduction-based grade rules.

use crate::error::{AppError, ErrCode};
use serde::{Deserialize, Serialize};

/// GB 32100-2015 charset of the unified social credit code (no I, O, Z, S, V).
const CODE_CHARS: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weights of positions 1..=17: 3^(i-1) mod 31.
const CODE_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

fn code_value(c: u8) -> Option<u32> {
    CODE_CHARS.iter().position(|&x| x == c).map(|p| p as u32)
}

/// The check character for the first 17 characters of a credit code.
pub fn credit_check_char(first17: &[u8]) -> Option<char> {
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (i, &c) in first17.iter().enumerate() {
        sum += code_value(c)? * CODE_WEIGHTS[i];
    }
    let check = (31 - sum % 31) % 31;
    Some(CODE_CHARS[check as usize] as char)
}

/// A 统一社会信用代码: 18 characters, check character verified. Parsed once, shared by browser and server.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CreditCode(String);

impl CreditCode {
    /// Accepts surrounding spaces, lower case and full-width characters (as typed on phones).
    pub fn parse(s: &str) -> Result<CreditCode, AppError> {
        let bad = |code| AppError::field(code, "credit_code");
        let s: String = s.trim().chars().map(to_half_width).collect::<String>().to_ascii_uppercase();
        if s.is_empty() {
            return Err(bad(ErrCode::Required));
        }
        if s.chars().count() != 18 {
            return Err(bad(ErrCode::InvalidCreditCode));
        }
        let bytes = s.as_bytes();
        if !bytes.iter().all(|&b| code_value(b).is_some()) {
            return Err(bad(ErrCode::InvalidCreditCode));
        }
        match credit_check_char(&bytes[..17]) {
            Some(c) if c as u8 == bytes[17] => Ok(CreditCode(s)),
            _ => Err(bad(ErrCode::InvalidCreditCode)),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 6-digit administrative division code (positions 3–8).
    pub fn division(&self) -> &str {
        &self.0[2..8]
    }
}

impl std::fmt::Display for CreditCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for CreditCode {
    type Error = AppError;
    fn try_from(s: String) -> Result<Self, AppError> {
        CreditCode::parse(&s)
    }
}

impl From<CreditCode> for String {
    fn from(c: CreditCode) -> String {
        c.0
    }
}

/// Full-width ASCII (Ａ-Ｚ, ０-９, the ideographic space) to half-width.
pub fn to_half_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// A food licence number: `JY` (经营) or `SC` (生产) + 14 digits.
///
/// The last digit is a check digit; its official algorithm is not published, so we verify the shape only and
/// our generated demo numbers use ISO 7064 MOD 11-10 (see [`licence_check_digit`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LicenceNo(String);

impl LicenceNo {
    pub fn parse(s: &str) -> Result<LicenceNo, AppError> {
        let s: String = s.trim().chars().map(to_half_width).collect::<String>().to_ascii_uppercase();
        if s.is_empty() {
            return Err(AppError::field(ErrCode::Required, "licence_no"));
        }
        let ok = s.len() == 16
            && (s.starts_with("JY") || s.starts_with("SC"))
            && s[2..].bytes().all(|b| b.is_ascii_digit());
        if ok {
            Ok(LicenceNo(s))
        } else {
            Err(AppError::field(ErrCode::InvalidLicenceNo, "licence_no"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for LicenceNo {
    type Error = AppError;
    fn try_from(s: String) -> Result<Self, AppError> {
        LicenceNo::parse(&s)
    }
}

impl From<LicenceNo> for String {
    fn from(c: LicenceNo) -> String {
        c.0
    }
}

/// ISO 7064 MOD 11-10 check digit over a string of digits.
pub fn licence_check_digit(digits: &str) -> Option<char> {
    let mut p = 10u32;
    for b in digits.bytes() {
        let d = (b as char).to_digit(10)?;
        let mut s = (d + p) % 10;
        if s == 0 {
            s = 10;
        }
        p = (s * 2) % 11;
    }
    let check = (11 - p) % 10;
    char::from_digit(check, 10)
}

/// Mianyang's districts and development zones.
pub const DISTRICTS: [(&str, &str, &str); 12] = [
    // (name, English, administrative code of the county it sits in)
    ("涪城区", "Fucheng District", "510703"),
    ("游仙区", "Youxian District", "510704"),
    ("安州区", "Anzhou District", "510705"),
    ("江油市", "Jiangyou City", "510781"),
    ("三台县", "Santai County", "510722"),
    ("盐亭县", "Yanting County", "510723"),
    ("梓潼县", "Zitong County", "510725"),
    ("北川羌族自治县", "Beichuan Qiang Autonomous County", "510726"),
    ("平武县", "Pingwu County", "510727"),
    ("高新区", "Hi-Tech Zone", "510703"),
    ("经开区", "Economic Development Zone", "510703"),
    ("科技城新区", "Science City New Area", "510705"),
];

pub fn is_district(s: &str) -> bool {
    DISTRICTS.iter().any(|(n, _, _)| *n == s)
}

pub fn district_en(s: &str) -> &str {
    DISTRICTS.iter().find(|(n, _, _)| *n == s).map(|(_, e, _)| *e).unwrap_or(s)
}

/// Business categories.
pub const CATEGORIES: [(&str, &str); 5] = [
    ("生产", "Production"),
    ("销售", "Retail"),
    ("餐饮", "Catering"),
    ("网络食品", "Online food"),
    ("集中用餐单位", "Canteen"),
];

pub fn is_category(s: &str) -> bool {
    CATEGORIES.iter().any(|(n, _)| *n == s)
}

pub fn category_en(s: &str) -> &str {
    CATEGORIES.iter().find(|(n, _)| *n == s).map(|(_, e)| *e).unwrap_or(s)
}

/// Business status.
pub const STATUSES: [(&str, &str); 3] = [("在营", "Operating"), ("停业", "Suspended"), ("注销", "Deregistered")];

pub fn status_en(s: &str) -> &str {
    STATUSES.iter().find(|(n, _)| *n == s).map(|(_, e)| *e).unwrap_or(s)
}

/// A credit grade.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Grade {
    A,
    B,
    C,
    D,
}

impl Grade {
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::A => "A",
            Grade::B => "B",
            Grade::C => "C",
            Grade::D => "D",
        }
    }

    pub fn parse(s: &str) -> Option<Grade> {
        match s.trim().to_ascii_uppercase().as_str() {
            "A" => Some(Grade::A),
            "B" => Some(Grade::B),
            "C" => Some(Grade::C),
            "D" => Some(Grade::D),
            _ => None,
        }
    }

    /// 守信 / 基本守信 / 失信 / 严重失信.
    pub fn label(self) -> crate::T {
        match self {
            Grade::A => crate::T::GradeA,
            Grade::B => crate::T::GradeB,
            Grade::C => crate::T::GradeC,
            Grade::D => crate::T::GradeD,
        }
    }
}

/// Kinds of dated record events behind a score.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    InspectionFinding,
    SamplingFailure,
    Penalty,
    SubstantiatedReport,
    Commendation,
}

impl EventKind {
    pub const ALL: [EventKind; 5] = [
        EventKind::InspectionFinding,
        EventKind::SamplingFailure,
        EventKind::Penalty,
        EventKind::SubstantiatedReport,
        EventKind::Commendation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::InspectionFinding => "inspection_finding",
            EventKind::SamplingFailure => "sampling_failure",
            EventKind::Penalty => "penalty",
            EventKind::SubstantiatedReport => "substantiated_report",
            EventKind::Commendation => "commendation",
        }
    }

    pub fn parse(s: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> crate::T {
        match self {
            EventKind::InspectionFinding => crate::T::EventInspection,
            EventKind::SamplingFailure => crate::T::EventSampling,
            EventKind::Penalty => crate::T::EventPenalty,
            EventKind::SubstantiatedReport => crate::T::EventReport,
            EventKind::Commendation => crate::T::EventCommendation,
        }
    }
}

/// Severity of an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Minor,
    General,
    Major,
    /// A serious violation: forces grade D and the watch list whatever the score.
    Serious,
}

impl Severity {
    pub const ALL: [Severity; 4] = [Severity::Minor, Severity::General, Severity::Major, Severity::Serious];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Minor => "minor",
            Severity::General => "general",
            Severity::Major => "major",
            Severity::Serious => "serious",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> crate::T {
        match self {
            Severity::Minor => crate::T::SeverityMinor,
            Severity::General => crate::T::SeverityGeneral,
            Severity::Major => crate::T::SeverityMajor,
            Severity::Serious => crate::T::SeveritySerious,
        }
    }
}

/// The deduction rules. Data, not code: stored in the database and editable; [`CreditRules::default`] is the
/// table we ship.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CreditRules {
    /// Score at the start of every rating period.
    pub base: i64,
    /// Length of the (rolling) rating period in days.
    pub period_days: i64,
    /// Minimum score per grade, best first; below the last is D.
    pub thresholds: Vec<(Grade, i64)>,
    /// Points per (kind, severity). Commendations add points; everything else deducts them.
    pub points: Vec<(EventKind, Severity, i64)>,
}

impl Default for CreditRules {
    fn default() -> Self {
        use EventKind::*;
        use Severity::*;
        CreditRules {
            base: 100,
            period_days: 365,
            thresholds: vec![(Grade::A, 90), (Grade::B, 75), (Grade::C, 60)],
            points: vec![
                (InspectionFinding, Minor, 2),
                (InspectionFinding, General, 5),
                (InspectionFinding, Major, 10),
                (InspectionFinding, Serious, 40),
                (SamplingFailure, Minor, 5),
                (SamplingFailure, General, 10),
                (SamplingFailure, Major, 20),
                (SamplingFailure, Serious, 40),
                (Penalty, Minor, 5),
                (Penalty, General, 15),
                (Penalty, Major, 25),
                (Penalty, Serious, 40),
                (SubstantiatedReport, Minor, 3),
                (SubstantiatedReport, General, 8),
                (SubstantiatedReport, Major, 15),
                (SubstantiatedReport, Serious, 40),
                (Commendation, Minor, 2),
                (Commendation, General, 3),
                (Commendation, Major, 5),
                (Commendation, Serious, 5),
            ],
        }
    }
}

/// One dated event as the rules see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoredEvent {
    pub kind: EventKind,
    pub severity: Severity,
    /// Unix seconds.
    pub occurred_at: i64,
}

/// The outcome of the rules for one business at one moment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    pub score: i64,
    pub grade: Grade,
    pub watch_list: bool,
}

impl CreditRules {
    /// Signed points of an event: negative for deductions, positive for commendations.
    pub fn points_for(&self, kind: EventKind, severity: Severity) -> i64 {
        let p = self.points.iter().find(|(k, s, _)| *k == kind && *s == severity).map(|(_, _, p)| *p).unwrap_or(0);
        if kind == EventKind::Commendation {
            p
        } else {
            -p
        }
    }

    pub fn grade_for(&self, score: i64) -> Grade {
        self.thresholds.iter().find(|(_, min)| score >= *min).map(|(g, _)| *g).unwrap_or(Grade::D)
    }

    /// Scores the events of the rating period ending at `now`: base plus the signed points, within 0..=base; a
    /// serious violation in the period forces D and the watch list.
    pub fn assess(&self, events: &[ScoredEvent], now: i64) -> Assessment {
        let since = now - self.period_days * 86_400;
        let in_period = events.iter().filter(|e| e.occurred_at > since && e.occurred_at <= now);
        let mut score = self.base;
        let mut serious = false;
        for e in in_period {
            score += self.points_for(e.kind, e.severity);
            serious |= e.severity == Severity::Serious && e.kind != EventKind::Commendation;
        }
        let score = score.clamp(0, self.base);
        if serious {
            Assessment { score, grade: Grade::D, watch_list: true }
        } else {
            let grade = self.grade_for(score);
            Assessment { score, grade, watch_list: grade == Grade::D }
        }
    }
}

/// 量化分级 dynamic grade for catering businesses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DynamicGrade {
    Excellent,
    Good,
    Fair,
}

impl DynamicGrade {
    pub fn as_str(self) -> &'static str {
        match self {
            DynamicGrade::Excellent => "excellent",
            DynamicGrade::Good => "good",
            DynamicGrade::Fair => "fair",
        }
    }
    pub fn parse(s: &str) -> Option<DynamicGrade> {
        match s {
            "excellent" | "优秀" => Some(DynamicGrade::Excellent),
            "good" | "良好" => Some(DynamicGrade::Good),
            "fair" | "一般" => Some(DynamicGrade::Fair),
            _ => None,
        }
    }
    pub fn label(self) -> crate::T {
        match self {
            DynamicGrade::Excellent => crate::T::DynExcellent,
            DynamicGrade::Good => crate::T::DynGood,
            DynamicGrade::Fair => crate::T::DynFair,
        }
    }
}

/// Text prepared for the bigram index: lower-cased, half-width, letters and digits only, split into overlapping
/// two-character tokens separated by spaces (`绵阳米粉` → `绵阳 阳米 米粉`). Both engines index these tokens
/// (SQLite FTS5 unicode61, PostgreSQL `simple` tsvector), and a query becomes the phrase of its own bigrams, so
/// any substring of two or more characters is found through the index.
pub fn bigrams(text: &str) -> Vec<String> {
    let chars: Vec<char> = text
        .chars()
        .map(to_half_width)
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
        .collect();
    chars.windows(2).map(|w| w.iter().collect()).collect()
}

/// Index tokens for the district and category filters (`qxd3`, `qxc1`): folded into the same full-text query as
/// the text, so a filtered search of a common term intersects posting lists instead of scanning matches. No query
/// can produce them (queries become two-character tokens).
pub fn filter_tokens(district: Option<&str>, category: Option<&str>) -> Vec<String> {
    let mut t = Vec::new();
    if let Some(i) = district.and_then(|d| DISTRICTS.iter().position(|(n, _, _)| *n == d)) {
        t.push(format!("qxd{i}"));
    }
    if let Some(i) = category.and_then(|c| CATEGORIES.iter().position(|(n, _)| *n == c)) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn with_check(first17: &str) -> String {
        format!("{first17}{}", credit_check_char(first17.as_bytes()).unwrap())
    }

    #[test]
    fn credit_code_check_digit() {
        // Published examples.
        assert!(CreditCode::parse("91350100M000100Y43").is_ok());
        assert!(CreditCode::parse("91110000600037341L").is_ok());
        // Computed ones for Mianyang.
        for body in ["91510703MA6XXXXX0", "92510781L12345678", "93510726MA00000AB"] {
            let code = with_check(body);
            let parsed = CreditCode::parse(&code).unwrap();
            assert_eq!(parsed.as_str(), code);
            assert_eq!(parsed.division(), &body[2..8]);
        }
        let good = with_check("91510703MA6XXXXX0");
        // Lower case, spaces and full width are accepted.
        let full_width: String =
            good.to_lowercase().chars().map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap()).collect();
        assert_eq!(CreditCode::parse(&format!("  {full_width} ")).unwrap().as_str(), good);
    }

    #[test]
    fn credit_code_rejections_name_the_field() {
        let good = with_check("91510703MA6XXXXX0");
        let mut wrong_check = good.clone();
        let last = wrong_check.pop().unwrap();
        wrong_check.push(if last == '0' { '1' } else { '0' });
        for bad in [&good[..17], &format!("{good}1"), &wrong_check, "91510703MA6XXXXXI0", "9151070３MA6XXXXX%"] {
            let e = CreditCode::parse(bad).unwrap_err();
            assert_eq!(e.code, ErrCode::InvalidCreditCode, "{bad}");
            assert_eq!(e.field.as_deref(), Some("credit_code"));
        }
        assert_eq!(CreditCode::parse(" ").unwrap_err().code, ErrCode::Required);
        assert!(CreditCode::parse("'; DROP TABLE businesses;--").is_err());
    }

    #[test]
    fn licence_numbers() {
        assert_eq!(LicenceNo::parse("jy25107030000019").unwrap().as_str(), "JY25107030000019");
        assert!(LicenceNo::parse("SC12345678901234").is_ok());
        for bad in ["JY2510703000001", "XX25107030000019", "JY2510703000001A", "JY251070300000199"] {
            assert_eq!(LicenceNo::parse(bad).unwrap_err().code, ErrCode::InvalidLicenceNo, "{bad}");
        }
        // ISO 7064 MOD 11-10 reference value.
        assert_eq!(licence_check_digit("0794"), Some('5'));
        assert_eq!(licence_check_digit("1a"), None);
    }

    fn ev(kind: EventKind, severity: Severity, days_ago: i64) -> ScoredEvent {
        ScoredEvent { kind, severity, occurred_at: 1_800_000_000 - days_ago * 86_400 }
    }

    #[test]
    fn grades_by_deduction() {
        let r = CreditRules::default();
        let now = 1_800_000_000;
        assert_eq!(r.assess(&[], now), Assessment { score: 100, grade: Grade::A, watch_list: false });
        let b = r.assess(&[ev(EventKind::Penalty, Severity::General, 10)], now);
        assert_eq!((b.score, b.grade), (85, Grade::B));
        let c = r.assess(&[ev(EventKind::Penalty, Severity::Major, 10), ev(EventKind::SamplingFailure, Severity::General, 5)], now);
        assert_eq!((c.score, c.grade), (65, Grade::C));
        // Boundaries: 90 is A, 89 is B, 75 is B, 60 is C, 59 is D.
        assert_eq!(r.grade_for(90), Grade::A);
        assert_eq!(r.grade_for(89), Grade::B);
        assert_eq!(r.grade_for(75), Grade::B);
        assert_eq!(r.grade_for(60), Grade::C);
        assert_eq!(r.grade_for(59), Grade::D);
        // Old events fall out of the period; commendations add but never above the base.
        let old = r.assess(&[ev(EventKind::Penalty, Severity::Major, 400)], now);
        assert_eq!(old.score, 100);
        let comm = r.assess(&[ev(EventKind::Penalty, Severity::Minor, 3), ev(EventKind::Commendation, Severity::Major, 2)], now);
        assert_eq!(comm.score, 100);
        // Scores never go below 0 and low scores are on the watch list.
        let many: Vec<_> = (0..10).map(|d| ev(EventKind::Penalty, Severity::Major, d)).collect();
        assert_eq!(r.assess(&many, now), Assessment { score: 0, grade: Grade::D, watch_list: true });
    }

    #[test]
    fn serious_violation_forces_d_and_watch_list() {
        let r = CreditRules::default();
        let a = r.assess(&[ev(EventKind::InspectionFinding, Severity::Serious, 1)], 1_800_000_000);
        assert_eq!(a.grade, Grade::D);
        assert!(a.watch_list);
        assert_eq!(a.score, 60, "score still shown");
    }

    #[test]
    fn thresholds_are_data() {
        let strict = CreditRules { thresholds: vec![(Grade::A, 95), (Grade::B, 80), (Grade::C, 70)], ..Default::default() };
        assert_eq!(strict.grade_for(92), Grade::B);
        let json = serde_json::to_string(&strict).unwrap();
        assert_eq!(serde_json::from_str::<CreditRules>(&json).unwrap(), strict);
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
}

/// A business as lists and search results show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BusinessSummary {
    pub credit_code: String,
    pub licence_no: Option<String>,
    pub name: String,
    pub address: String,
    pub district: String,
    pub category: String,
    /// 在营 / 停业 / 注销.
    pub status: String,
    pub score: i64,
    /// A / B / C / D.
    pub grade: String,
    pub watch_list: bool,
    /// 量化分级 for catering: excellent / good / fair.
    pub dynamic_grade: Option<String>,
    /// Unix seconds.
    pub last_inspected_at: Option<i64>,
}

/// One dated event behind a score, with its signed points under the current rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CreditEventView {
    pub kind: String,
    pub severity: String,
    pub points: i64,
    pub occurred_at: i64,
    pub source: String,
    pub description: String,
    /// Whether it counts in the current rating period.
    pub in_period: bool,
}

/// One entry of the grade history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct GradePoint {
    pub at: i64,
    pub score: i64,
    pub grade: String,
    pub watch_list: bool,
    pub reason: String,
}

/// Everything the public page of a business shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BusinessDetail {
    #[serde(flatten)]
    pub summary: BusinessSummary,
    pub events: Vec<CreditEventView>,
    pub history: Vec<GradePoint>,
    /// The business's own published replies.
    #[serde(default)]
    pub replies: Vec<ReplyView>,
}

/// A page of results: the list shape outside clients rely on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    /// True when `total` is a lower bound (very common search terms are counted up to a limit).
    #[serde(default)]
    pub total_is_lower_bound: bool,
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
        if district.as_deref().is_some_and(|d| !is_district(d)) {
            return Err(AppError::field(ErrCode::InvalidValue, "district"));
        }
        let category = nonempty(category);
        if category.as_deref().is_some_and(|c| !is_category(c)) {
            return Err(AppError::field(ErrCode::InvalidValue, "category"));
        }
        let grade = match nonempty(grade) {
            None => None,
            Some(g) => Some(Grade::parse(&g).ok_or_else(|| AppError::field(ErrCode::InvalidValue, "grade"))?),
        };
        let watch_list = match nonempty(watch_list).as_deref() {
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
        let page = int(nonempty(page), "page", 1)?;
        if !(1..=10_000).contains(&page) {
            return Err(AppError::field(ErrCode::InvalidValue, "page"));
        }
        let per_page = int(nonempty(per_page), "per_page", DEFAULT_PER_PAGE)?;
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            return Err(AppError::field(ErrCode::PerPageTooLarge, "per_page"));
        }
        Ok(SearchQuery { q, district, grade, category, watch_list, page, per_page })
    }
}

/// A business's reply or repair request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReplyView {
    pub id: i64,
    pub credit_code: String,
    pub business_name: String,
    /// `reply` or `repair`.
    pub kind: String,
    pub body: String,
    /// Staff only.
    pub contact: Option<String>,
    pub status: String,
    pub created_at: i64,
}
