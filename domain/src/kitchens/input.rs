//! What arrives: a vendor's batch (status rows and AI flags, JSON) or a status CSV uploaded by staff, and a
//! review as staff type it. Each row parses to a typed value or to the error naming its field; a batch is
//! refused whole when any row is (nothing is half-stored).

use super::{china_day, FlagKind};
use crate::clock::{parse_date, parse_datetime_local};
use crate::credit::CreditCode;
use crate::error::{AppError, ErrCode};
use crate::text::TextRule;
use serde::{Deserialize, Serialize};

/// Rows (status and flags together) in one batch at most: a vendor's day for a few thousand kitchens.
pub const MAX_BATCH_ROWS: usize = 5_000;
/// A flag may be sent up to this long after its clock says (vendors' clocks drift).
pub const CLOCK_SKEW_SECS: i64 = 300;
/// Uptime may be reported for days this far back at most.
pub const MAX_BACKFILL_DAYS: i64 = 90;

pub const BATCH_ID: TextRule = TextRule::line(64);
pub const EVENT_ID: TextRule = TextRule::line(64);
pub const URL: TextRule = TextRule::optional(300);
pub const VENDOR_NAME: TextRule = TextRule::line(60);
pub const ACTION: TextRule = TextRule::line(200);

fn credit_code(field: &'static str, v: &str) -> Result<CreditCode, AppError> {
    if v.trim().is_empty() {
        return Err(AppError::field(ErrCode::Required, field));
    }
    CreditCode::parse(v).map_err(|e| AppError::field(e.code, field))
}

/// A yes/no value: `1`/`0`, `true`/`false`, `是`/`否`; empty is `None`.
fn flag(field: &'static str, v: &str) -> Result<Option<bool>, AppError> {
    match v.trim() {
        "" => Ok(None),
        "1" | "true" | "TRUE" | "True" | "是" | "on" => Ok(Some(true)),
        "0" | "false" | "FALSE" | "False" | "否" => Ok(Some(false)),
        _ => Err(AppError::field(ErrCode::InvalidValue, field)),
    }
}

/// An optional `https://` address without spaces.
fn url(field: &'static str, v: &str) -> Result<Option<String>, AppError> {
    let v = URL.check(field, v)?;
    if v.is_empty() {
        return Ok(None);
    }
    if !v.starts_with("https://") || v.len() <= "https://".len() || v.chars().any(char::is_whitespace) {
        return Err(AppError::field(ErrCode::InvalidValue, field));
    }
    Ok(Some(v))
}

crate::fields! {
    /// A kitchen's status for one China day: the business (credit code), the day (`2026-12-07`), the cameras'
    /// uptime that day in percent (`99.5`), whether the camera is connected now (`1`/`0`), and optionally the
    /// vendor's live view and whether the business consents to its being shown (`1`/`0`). The first status of a
    /// business brings it into the programme.
    #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
    pub struct StatusFields {
        credit_code,
        day,
        uptime,
        camera_connected,
        live_url,
        live_consent,
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusInput {
    pub credit_code: CreditCode,
    /// Midnight (China time) of the day.
    pub day: i64,
    pub permille: i64,
    pub camera_connected: bool,
    pub live_url: Option<String>,
    pub live_consent: bool,
}

/// Percent with at most one decimal, 0–100, as permille.
fn uptime(field: &'static str, v: &str) -> Result<i64, AppError> {
    let v = v.trim().trim_end_matches('%');
    if v.is_empty() {
        return Err(AppError::field(ErrCode::Required, field));
    }
    let bad = || AppError::field(ErrCode::InvalidValue, field);
    let (whole, frac) = v.split_once('.').unwrap_or((v, "0"));
    if whole.is_empty()
        || whole.len() > 3
        || frac.len() != 1
        || !(whole.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()))
    {
        return Err(bad());
    }
    let permille = whole.parse::<i64>().map_err(|_| bad())? * 10 + frac.parse::<i64>().map_err(|_| bad())?;
    if permille > 1000 {
        return Err(bad());
    }
    Ok(permille)
}

impl StatusFields {
    /// Parses the row; a day after today (`now`'s China day) or more than 90 days back is refused naming `day`.
    pub fn parse(&self, now: i64) -> Result<StatusInput, AppError> {
        let today = china_day(now);
        let day = match self.day.trim() {
            "" => return Err(AppError::field(ErrCode::Required, Self::day)),
            s => parse_date(s)
                .filter(|d| *d <= today && *d >= today - MAX_BACKFILL_DAYS * 86_400)
                .ok_or_else(|| AppError::field(ErrCode::InvalidValue, Self::day))?,
        };
        Ok(StatusInput {
            credit_code: credit_code(Self::credit_code, &self.credit_code)?,
            day,
            permille: uptime(Self::uptime, &self.uptime)?,
            camera_connected: flag(Self::camera_connected, &self.camera_connected)?
                .ok_or_else(|| AppError::field(ErrCode::Required, Self::camera_connected))?,
            live_url: url(Self::live_url, &self.live_url)?,
            live_consent: flag(Self::live_consent, &self.live_consent)?.unwrap_or(false),
        })
    }
}

crate::fields! {
    /// One event a vendor's AI flagged: the vendor's own id for it (`event_id`, unique for the vendor: sending it
    /// again is a no-op), the business (credit code, in the programme with this vendor), the kind (`未戴帽`,
    /// `未戴口罩`, `鼠患`, `吸烟`, `其他`, or `no_hat`, `no_mask`, `rodent`, `smoking`, `other`), when
    /// (`2026-12-07T08:30`, China time) and optionally the address of its snapshot.
    #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
    pub struct FlagFields {
        event_id,
        credit_code,
        kind,
        detected_at,
        snapshot_url,
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlagInput {
    pub event_id: String,
    pub credit_code: CreditCode,
    pub kind: FlagKind,
    pub detected_at: i64,
    pub snapshot_url: Option<String>,
}

impl FlagFields {
    /// Parses the row; a flag dated after `now` (beyond the clock skew) is refused naming `detected_at`.
    pub fn parse(&self, now: i64) -> Result<FlagInput, AppError> {
        let detected_at = match self.detected_at.trim() {
            "" => return Err(AppError::field(ErrCode::Required, Self::detected_at)),
            s => parse_datetime_local(s)
                .filter(|t| *t <= now + CLOCK_SKEW_SECS)
                .ok_or_else(|| AppError::field(ErrCode::InvalidValue, Self::detected_at))?,
        };
        let kind = match self.kind.trim() {
            "" => return Err(AppError::field(ErrCode::Required, Self::kind)),
            s => FlagKind::parse_sent(s).ok_or_else(|| AppError::field(ErrCode::InvalidValue, Self::kind))?,
        };
        Ok(FlagInput {
            event_id: EVENT_ID.check(Self::event_id, &self.event_id)?,
            credit_code: credit_code(Self::credit_code, &self.credit_code)?,
            kind,
            detected_at,
            snapshot_url: url(Self::snapshot_url, &self.snapshot_url)?,
        })
    }
}

/// A batch as a vendor sends it (`POST /api/v1/kitchens/batches`): its own id (a retry with the same id and the
/// same bytes is answered as the first time and changes nothing), status rows and flags. Status rows are
/// applied first, so a batch may bring a kitchen into the programme together with its first flags.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct KitchenBatch {
    pub batch_id: String,
    #[serde(default)]
    pub status: Vec<StatusFields>,
    #[serde(default)]
    pub flags: Vec<FlagFields>,
}

/// A batch, parsed: each row with its index in its list (from 0), for errors found against the database.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KitchenBatchInput {
    pub batch_id: String,
    pub status: Vec<(usize, StatusInput)>,
    pub flags: Vec<(usize, FlagInput)>,
}

/// One refused row: the list (`status`, `flags`; `batch` for the batch itself), the row's index in it (from 0;
/// for a CSV upload the file's line), the field and the error's code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct KitchenRowError {
    pub section: String,
    pub row: u64,
    pub field: String,
    /// The error's code (`required`, `invalid_value`, `not_found`, `conflict`…), as in the error body.
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub code: ErrCode,
    pub message: String,
}

impl KitchenRowError {
    pub fn new(section: &str, row: u64, e: &AppError) -> KitchenRowError {
        KitchenRowError {
            section: section.to_owned(),
            row,
            field: e.field.clone().unwrap_or_default(),
            code: e.code,
            message: e.message(crate::Lang::Zh).to_owned(),
        }
    }
}

impl KitchenBatch {
    /// Every row parsed, or every refused row (all of them, not only the first).
    pub fn parse(&self, now: i64) -> Result<KitchenBatchInput, Vec<KitchenRowError>> {
        let mut errors = Vec::new();
        let batch_id = match BATCH_ID.check("batch_id", &self.batch_id) {
            Ok(id) => id,
            Err(e) => {
                errors.push(KitchenRowError::new("batch", 0, &e));
                String::new()
            }
        };
        let rows = self.status.len() + self.flags.len();
        if rows == 0 || rows > MAX_BATCH_ROWS {
            let code = if rows == 0 { ErrCode::Required } else { ErrCode::TooMany };
            errors.push(KitchenRowError::new("batch", 0, &AppError::field(code, "status")));
            return Err(errors);
        }
        let mut out = KitchenBatchInput { batch_id, ..KitchenBatchInput::default() };
        for (i, f) in self.status.iter().enumerate() {
            match f.parse(now) {
                Ok(s) => out.status.push((i, s)),
                Err(e) => errors.push(KitchenRowError::new("status", i as u64, &e)),
            }
        }
        for (i, f) in self.flags.iter().enumerate() {
            match f.parse(now) {
                Ok(s) => out.flags.push((i, s)),
                Err(e) => errors.push(KitchenRowError::new("flags", i as u64, &e)),
            }
        }
        let mut seen = std::collections::HashSet::new();
        for (i, s) in &out.status {
            if !seen.insert((s.credit_code.as_str().to_owned(), s.day)) {
                errors.push(KitchenRowError::new("status", *i as u64, &AppError::field(ErrCode::Conflict, "day")));
            }
        }
        let mut seen = std::collections::HashSet::new();
        for (i, f) in &out.flags {
            if !seen.insert(f.event_id.clone()) {
                errors.push(KitchenRowError::new("flags", *i as u64, &AppError::field(ErrCode::Conflict, "event_id")));
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(errors)
        }
    }
}

crate::fields! {
    /// A staff review of a flag: what was done (required to confirm) and whether to record a credit event.
    pub struct ReviewFields {
        action_taken,
        credit_event,
    }
}

/// A confirmation, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Confirmation {
    pub action_taken: String,
    pub credit_event: bool,
}

impl ReviewFields {
    pub fn parse(&self) -> Result<Confirmation, AppError> {
        Ok(Confirmation {
            action_taken: ACTION.check(Self::action_taken, &self.action_taken)?,
            credit_event: flag(Self::credit_event, &self.credit_event)?.unwrap_or(false),
        })
    }
}

crate::fields! {
    /// A vendor as staff add it.
    pub struct VendorFields {
        name,
    }
}

impl VendorFields {
    pub fn parse(&self) -> Result<String, AppError> {
        VENDOR_NAME.check(Self::name, &self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> i64 {
        parse_date("2026-12-07").unwrap() + 10 * 3600
    }

    const CODE: &str = "91510703MA6XXXXXX0";

    fn status() -> StatusFields {
        StatusFields {
            credit_code: valid_code(),
            day: "2026-12-06".into(),
            uptime: "99.5".into(),
            camera_connected: "1".into(),
            live_url: "https://live.example.invalid/k/1".into(),
            live_consent: "1".into(),
        }
    }

    fn valid_code() -> String {
        // Any code with a valid check character.
        let base = &CODE[..17];
        for c in "0123456789ABCDEFGHJKLMNPQRTUWXY".chars() {
            let s = format!("{base}{c}");
            if CreditCode::parse(&s).is_ok() {
                return s;
            }
        }
        unreachable!()
    }

    fn flag_row() -> FlagFields {
        FlagFields {
            event_id: "E1".into(),
            credit_code: valid_code(),
            kind: "no_hat".into(),
            detected_at: "2026-12-07T08:30".into(),
            snapshot_url: String::new(),
        }
    }

    #[test]
    fn rows_parse_and_name_the_field_at_fault() {
        let s = status().parse(now()).unwrap();
        assert_eq!((s.permille, s.camera_connected, s.live_consent), (995, true, true));
        let field = |r: Result<StatusInput, AppError>| r.unwrap_err().field.unwrap();
        assert_eq!(field(StatusFields { uptime: "100.5".into(), ..status() }.parse(now())), "uptime");
        assert_eq!(field(StatusFields { uptime: "9x".into(), ..status() }.parse(now())), "uptime");
        assert_eq!(field(StatusFields { day: "2026-12-08".into(), ..status() }.parse(now())), "day");
        assert_eq!(field(StatusFields { camera_connected: "".into(), ..status() }.parse(now())), "camera_connected");
        assert_eq!(field(StatusFields { live_url: "http://x".into(), ..status() }.parse(now())), "live_url");
        assert_eq!(field(StatusFields { credit_code: "x".into(), ..status() }.parse(now())), "credit_code");
        assert_eq!(StatusFields { uptime: "100".into(), ..status() }.parse(now()).unwrap().permille, 1000);

        let f = flag_row().parse(now()).unwrap();
        assert_eq!(f.kind, FlagKind::NoHat);
        let field = |r: Result<FlagInput, AppError>| r.unwrap_err().field.unwrap();
        assert_eq!(field(FlagFields { kind: "hat".into(), ..flag_row() }.parse(now())), "kind");
        assert_eq!(
            field(FlagFields { detected_at: "2026-12-08T08:30".into(), ..flag_row() }.parse(now())),
            "detected_at"
        );
        assert_eq!(field(FlagFields { event_id: "".into(), ..flag_row() }.parse(now())), "event_id");
    }

    #[test]
    fn a_batch_reports_every_bad_row_and_duplicates() {
        let body = KitchenBatch {
            batch_id: "b1".into(),
            status: vec![status(), StatusFields { uptime: "".into(), ..status() }],
            flags: vec![flag_row(), flag_row()],
        };
        let errors = body.parse(now()).unwrap_err();
        let at: Vec<(&str, u64, &str)> = errors.iter().map(|e| (e.section.as_str(), e.row, e.field.as_str())).collect();
        assert_eq!(at, [("status", 1, "uptime"), ("flags", 1, "event_id")]);
        assert!(KitchenBatch { batch_id: "x".into(), ..KitchenBatch::default() }.parse(now()).is_err());
        let r = ReviewFields { action_taken: "已责令整改".into(), credit_event: "on".into() }.parse().unwrap();
        assert!(r.credit_event);
        assert_eq!(ReviewFields::default().parse().unwrap_err().field.as_deref(), Some("action_taken"));
    }
}
