//! A case as the form, the API (multipart) or staff's quick entry gives it, parsed once.

use super::{CaseCategory, CaseKind, Channel};
use crate::clock::parse_date;
use crate::credit::CreditCode;
use crate::error::{AppError, ErrCode};
use crate::picks::parse_phone;
use crate::text::TextRule;

crate::fields! {
    #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
    /// The fields of a case (`photos` are files beside them). `channel` is staff's (the public form files `web`);
    /// `idempotency_key` makes a repeated submission return the same tracking number; `website` is a honeypot.
    pub struct CaseFields {
        kind,
        credit_code,
        business_name,
        category,
        description,
        occurred_at,
        place,
        reporter_name,
        reporter_phone,
        channel,
        idempotency_key,
        website,
    }
}

/// A case, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseInput {
    pub kind: CaseKind,
    pub channel: Channel,
    pub credit_code: Option<CreditCode>,
    pub business_name: String,
    pub category: String,
    pub description: String,
    pub occurred_at: Option<i64>,
    pub place: String,
    /// `None` for an anonymous case.
    pub reporter: Option<(String, String)>,
    pub idempotency_key: Option<String>,
}

pub const DESCRIPTION: TextRule = TextRule::para(10, 5000);
/// Photos per case.
pub const MAX_PHOTOS: usize = 5;
/// Largest photo accepted, as uploaded.
pub const MAX_PHOTO_BYTES: usize = 8 * 1024 * 1024;
/// Largest picture accepted, in pixels (a decompression bomb declares far more).
pub const MAX_PHOTO_PIXELS: u64 = 40_000_000;

impl CaseFields {
    /// Validates every field; `now` bounds the date of the events. The error names the first field at fault.
    pub fn parse(&self, now: i64) -> Result<CaseInput, AppError> {
        let kind = CaseKind::parse(&self.kind).ok_or_else(|| {
            AppError::field(
                if self.kind.trim().is_empty() { ErrCode::Required } else { ErrCode::InvalidValue },
                Self::kind,
            )
        })?;
        let channel = match self.channel.trim() {
            "" => Channel::Web,
            // Partner cases come in through Open311 only, which sets the channel itself.
            c => Channel::parse(c)
                .filter(|c| *c != Channel::Partner)
                .ok_or_else(|| AppError::field(ErrCode::InvalidValue, Self::channel))?,
        };
        let credit_code = match self.credit_code.trim() {
            "" => None,
            c => Some(CreditCode::parse(c)?),
        };
        let business_name = TextRule::optional(100).check(Self::business_name, &self.business_name)?;
        if credit_code.is_none() && business_name.is_empty() {
            return Err(AppError::field(ErrCode::Required, Self::business_name));
        }
        let category = self.category.trim().to_owned();
        if CaseCategory::parse(&category).is_none() {
            return Err(AppError::field(
                if category.is_empty() { ErrCode::Required } else { ErrCode::InvalidValue },
                Self::category,
            ));
        }
        let description = DESCRIPTION.check(Self::description, &self.description)?;
        let occurred_at = match self.occurred_at.trim() {
            "" => None,
            d => {
                let t = parse_date(d).ok_or_else(|| AppError::field(ErrCode::InvalidValue, Self::occurred_at))?;
                // A date in the future, or more than two years back (beyond the limitation period), is a mistake.
                if t > now || t < now - 2 * 366 * 86_400 {
                    return Err(AppError::field(ErrCode::InvalidValue, Self::occurred_at));
                }
                Some(t)
            }
        };
        let place = TextRule::optional(200).check(Self::place, &self.place)?;
        let name = TextRule::optional(40).check(Self::reporter_name, &self.reporter_name)?;
        let phone = self.reporter_phone.trim();
        let reporter = match (name.is_empty(), phone.is_empty()) {
            (true, true) => None,
            (false, true) => return Err(AppError::field(ErrCode::Required, Self::reporter_phone)),
            (true, false) => return Err(AppError::field(ErrCode::Required, Self::reporter_name)),
            (false, false) => Some((
                name,
                parse_phone(phone).map_err(|_| AppError::field(ErrCode::InvalidValue, Self::reporter_phone))?,
            )),
        };
        let key = self.idempotency_key.trim();
        let idempotency_key = match key {
            "" => None,
            k if k.len() <= 64 && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') => {
                Some(k.to_owned())
            }
            _ => return Err(AppError::field(ErrCode::InvalidValue, Self::idempotency_key)),
        };
        Ok(CaseInput {
            kind,
            channel,
            credit_code,
            business_name,
            category,
            description,
            occurred_at,
            place,
            reporter,
            idempotency_key,
        })
    }

    pub fn is_bot(&self) -> bool {
        !self.website.trim().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case() -> CaseFields {
        CaseFields {
            kind: "举报".into(),
            business_name: "某某烧烤店".into(),
            category: "卫生状况".into(),
            description: "后厨老鼠出没，餐具未消毒，多次看到。".into(),
            occurred_at: "2026-11-20".into(),
            reporter_name: "张三".into(),
            reporter_phone: "13800001234".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_case_parses_and_each_fault_names_its_field() {
        let now = parse_date("2026-11-29").unwrap();
        let c = case().parse(now).unwrap();
        assert_eq!((c.kind, c.channel), (CaseKind::Report, Channel::Web));
        assert_eq!(c.reporter, Some(("张三".into(), "13800001234".into())));
        let anon = CaseFields { reporter_name: "".into(), reporter_phone: "".into(), ..case() }.parse(now).unwrap();
        assert_eq!(anon.reporter, None);
        let field = |f: CaseFields| f.parse(now).unwrap_err().field.unwrap();
        assert_eq!(field(CaseFields { kind: "".into(), ..case() }), "kind");
        assert_eq!(field(CaseFields { business_name: "".into(), ..case() }), "business_name");
        assert_eq!(field(CaseFields { category: "外星".into(), ..case() }), "category");
        assert_eq!(field(CaseFields { description: "x".repeat(100_000), ..case() }), "description");
        assert_eq!(field(CaseFields { occurred_at: "2026-12-25".into(), ..case() }), "occurred_at");
        assert_eq!(field(CaseFields { reporter_phone: "12345".into(), ..case() }), "reporter_phone");
        assert_eq!(field(CaseFields { reporter_phone: "".into(), ..case() }), "reporter_phone");
        assert_eq!(field(CaseFields { idempotency_key: "../../etc".into(), ..case() }), "idempotency_key");
        assert_eq!(field(CaseFields { channel: "fax".into(), ..case() }), "channel");
        assert_eq!(field(CaseFields { channel: "partner".into(), ..case() }), "channel", "Open311 sets it");
        // Markup is kept as text (escaped when shown), never refused or interpreted.
        let html = CaseFields { description: "<script>alert(1)</script> 后厨很脏很脏".into(), ..case() };
        assert!(html.parse(now).unwrap().description.contains("<script>"));
    }
}
