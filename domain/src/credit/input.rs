//! What staff, businesses and imports submit, parsed once for forms, server functions, REST and CSV alike.

use super::{
    BusinessCategory, BusinessStatus, CreditCode, District, DynamicGrade, EventKind, LicenceNo, ReplyKind, Severity,
};
use crate::clock::parse_date;
use crate::error::{AppError, ErrCode};
use crate::text::TextRule;

crate::fields! {
    /// A business record as the staff form, the API or a CSV row gives it.
    pub struct BusinessFields {
        credit_code,
        licence_no,
        name,
        address,
        district,
        category,
        status,
        dynamic_grade,
        last_inspected,
    }
}

/// A business record, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BusinessInput {
    pub credit_code: CreditCode,
    pub licence_no: Option<LicenceNo>,
    pub name: String,
    pub address: String,
    pub district: String,
    pub category: String,
    pub status: String,
    pub dynamic_grade: Option<DynamicGrade>,
    pub last_inspected_at: Option<i64>,
}

pub const NAME: TextRule = TextRule::line(100);
pub const ADDRESS: TextRule = TextRule::line(200);

impl BusinessFields {
    /// Validates every field; the error names the first field at fault.
    pub fn parse(&self) -> Result<BusinessInput, AppError> {
        let credit_code = CreditCode::parse(&self.credit_code)?;
        let licence_no = match self.licence_no.trim() {
            "" => None,
            l => Some(LicenceNo::parse(l)?),
        };
        let name = NAME.check(Self::name, &self.name)?;
        let address = ADDRESS.check(Self::address, &self.address)?;
        let district = self.district.trim().to_owned();
        if District::parse(&district).is_none() {
            return Err(AppError::field(ErrCode::InvalidValue, Self::district));
        }
        let category = self.category.trim().to_owned();
        if BusinessCategory::parse(&category).is_none() {
            return Err(AppError::field(ErrCode::InvalidValue, Self::category));
        }
        let status = match self.status.trim() {
            "" => BusinessStatus::Operating.as_str().to_owned(),
            s => BusinessStatus::parse(s)
                .ok_or_else(|| AppError::field(ErrCode::InvalidValue, Self::status))?
                .as_str()
                .to_owned(),
        };
        let dynamic_grade = match self.dynamic_grade.trim() {
            "" => None,
            d => Some(
                DynamicGrade::parse(d).ok_or_else(|| AppError::field(ErrCode::InvalidValue, Self::dynamic_grade))?,
            ),
        };
        let last_inspected_at = match self.last_inspected.trim() {
            "" => None,
            d => Some(parse_date(d).ok_or_else(|| AppError::field(ErrCode::InvalidValue, Self::last_inspected))?),
        };
        Ok(BusinessInput {
            credit_code,
            licence_no,
            name,
            address,
            district,
            category,
            status,
            dynamic_grade,
            last_inspected_at,
        })
    }
}

impl BusinessInput {
    /// Everything the search index holds for this business.
    pub fn search_tokens(&self) -> String {
        super::search_tokens(&self.name, &self.address, &self.district, &self.category)
    }
}

crate::fields! {
    /// A record event as staff enter it.
    pub struct EventFields {
        credit_code,
        kind,
        severity,
        occurred_at,
        source,
        description,
    }
}

/// A record event, validated (the business is looked up separately).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventInput {
    pub credit_code: CreditCode,
    pub kind: EventKind,
    pub severity: Severity,
    pub occurred_at: i64,
    pub source: String,
    pub description: String,
}

impl EventFields {
    pub fn parse(&self) -> Result<EventInput, AppError> {
        let invalid = |f: &str| AppError::field(ErrCode::InvalidValue, f);
        Ok(EventInput {
            credit_code: CreditCode::parse(&self.credit_code)?,
            kind: EventKind::parse(self.kind.trim()).ok_or_else(|| invalid(Self::kind))?,
            severity: Severity::parse(self.severity.trim()).ok_or_else(|| invalid(Self::severity))?,
            occurred_at: parse_date(&self.occurred_at).ok_or_else(|| invalid(Self::occurred_at))?,
            source: TextRule::line(200).check(Self::source, &self.source)?,
            description: TextRule::para(1, 2000).check(Self::description, &self.description)?,
        })
    }
}

crate::fields! {
    #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
    /// A business's reply or credit-repair request, from its public page or `POST /api/v1/businesses/{code}/replies`.
    pub struct ReplyFields {
        /// `reply` (published after review). `repair` is still accepted from existing clients, but a credit repair
        /// with its window and a decision is filed at `POST /api/v1/businesses/{credit_code}/objections`.
        #[cfg_attr(feature = "ssr", schema(required = true, pattern = "^(reply|repair)$"))]
        kind,
        /// 10–2000 characters.
        #[cfg_attr(feature = "ssr", schema(required = true, min_length = 10, max_length = 2000))]
        body,
        /// Contact name and phone, 5–100 characters; staff only, never published.
        #[cfg_attr(feature = "ssr", schema(required = true, min_length = 5, max_length = 100))]
        contact,
    }
}

/// A reply, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplyInput {
    pub kind: ReplyKind,
    pub body: String,
    pub contact: String,
}

pub const REPLY_BODY: TextRule = TextRule::para(10, 2000);
pub const REPLY_CONTACT: TextRule = TextRule { min: 5, max: 100, multiline: false };

impl ReplyFields {
    pub fn parse(&self) -> Result<ReplyInput, AppError> {
        Ok(ReplyInput {
            kind: ReplyKind::parse(&self.kind).ok_or_else(|| AppError::field(ErrCode::InvalidValue, Self::kind))?,
            body: REPLY_BODY.check(Self::body, &self.body)?,
            contact: REPLY_CONTACT.check(Self::contact, &self.contact)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn business() -> BusinessFields {
        BusinessFields {
            credit_code: "91350100M000100Y43".into(),
            name: "老王米粉".into(),
            address: "涪城区临园路1号".into(),
            district: "涪城区".into(),
            category: "餐饮".into(),
            ..Default::default()
        }
    }

    #[test]
    fn business_fields_parse_and_errors_name_the_field() {
        let b = business().parse().unwrap();
        assert_eq!((b.status.as_str(), b.licence_no, b.dynamic_grade), ("在营", None, None));
        type Breaks = fn(&mut BusinessFields);
        let cases: [(Breaks, &str, ErrCode); 7] = [
            (|f| f.credit_code = "123".into(), "credit_code", ErrCode::InvalidCreditCode),
            (|f| f.licence_no = "JY1".into(), "licence_no", ErrCode::InvalidLicenceNo),
            (|f| f.name = " ".into(), "name", ErrCode::Required),
            (|f| f.name = "王\u{202E}米粉".into(), "name", ErrCode::InvalidValue),
            (|f| f.district = "成都".into(), "district", ErrCode::InvalidValue),
            (|f| f.dynamic_grade = "great".into(), "dynamic_grade", ErrCode::InvalidValue),
            (|f| f.last_inspected = "2026-02-30".into(), "last_inspected", ErrCode::InvalidValue),
        ];
        for (break_it, field, code) in cases {
            let mut f = business();
            break_it(&mut f);
            let e = f.parse().unwrap_err();
            assert_eq!((e.field.as_deref(), e.code), (Some(field), code));
        }
        assert_eq!(BusinessFields::credit_code, "credit_code");
        assert_eq!(BusinessFields::FIELDS.len(), 9);
    }

    #[test]
    fn replies_and_events_parse_once() {
        let r = ReplyFields {
            kind: "repair".into(),
            body: "我们已经整改完毕，请复查。".into(),
            contact: "王先生 13800000000".into(),
        };
        assert_eq!(r.parse().unwrap().kind, ReplyKind::Repair);
        let bad = ReplyFields { kind: "praise".into(), ..r.clone() };
        assert_eq!(bad.parse().unwrap_err().field.as_deref(), Some("kind"));
        let short = ReplyFields { body: "太短".into(), ..r };
        assert_eq!(short.parse().unwrap_err().code, ErrCode::TooShort);
        let e = EventFields {
            credit_code: "91350100M000100Y43".into(),
            kind: "penalty".into(),
            severity: "major".into(),
            occurred_at: "2026-11-01".into(),
            source: "市场监管局".into(),
            description: "超范围经营".into(),
        };
        assert_eq!(e.parse().unwrap().kind, EventKind::Penalty);
        let e = EventFields { severity: "huge".into(), ..e };
        assert_eq!(e.parse().unwrap_err().field.as_deref(), Some("severity"));
    }
}
