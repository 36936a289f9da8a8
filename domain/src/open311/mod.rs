//! Open311 GeoReport v2 (#21): the case categories as services, a partner's filing parsed into our case input,
//! what a request shows, and the spec's error list. Field names, values and shapes are the specification's
//! (wiki.open311.org/GeoReport_v2), so an existing client library works unchanged.

use crate::cases::{CaseCategory, CaseFields, CaseKind, CaseState};
use crate::error::{AppError, ErrCode};
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What `discovery.json` names as the specification.
pub const SPECIFICATION: &str = "http://wiki.open311.org/GeoReport_v2";
/// Who answers every request: named in `agency_responsible`.
pub const AGENCY: &str = "绵阳市市场监督管理局";
/// The longest span `GET requests.json` covers, and its default window back from now (the spec's 90 days).
pub const MAX_SPAN_SECS: i64 = 90 * 86_400;
/// Most requests one `GET requests.json` answers (the newest first).
pub const MAX_REQUESTS: i64 = 1000;

/// The ASCII name of a category in service codes (`complaint-expired_food`): stable, URL-safe.
pub fn slug(c: CaseCategory) -> &'static str {
    match c {
        CaseCategory::ExpiredFood => "expired_food",
        CaseCategory::Unlicensed => "unlicensed",
        CaseCategory::Hygiene => "hygiene",
        CaseCategory::IllegalAdditives => "illegal_additives",
        CaseCategory::Counterfeit => "counterfeit",
        CaseCategory::FalseAdvertising => "false_advertising",
        CaseCategory::PriceFraud => "price_fraud",
        CaseCategory::Other => "other",
    }
}

/// A service: one case kind in one category.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServiceCode {
    pub kind: CaseKind,
    pub category: CaseCategory,
}

impl ServiceCode {
    /// Every service: the complaints (投诉) in category order, then the reports (举报).
    pub fn all() -> impl Iterator<Item = ServiceCode> {
        [CaseKind::Complaint, CaseKind::Report]
            .into_iter()
            .flat_map(|kind| CaseCategory::ALL.iter().map(move |&category| ServiceCode { kind, category }))
    }

    /// `complaint-hygiene`, `report-illegal_additives`.
    pub fn code(self) -> String {
        format!("{}-{}", self.kind.as_str(), slug(self.category))
    }

    pub fn parse(s: &str) -> Option<ServiceCode> {
        ServiceCode::all().find(|c| c.code() == s.trim())
    }

    /// `投诉 · 卫生状况`.
    pub fn name(self) -> String {
        format!("{} · {}", kind_zh(self.kind), self.category.as_str())
    }

    pub fn service(self) -> Service {
        let (what, en) = match self.kind {
            CaseKind::Complaint => {
                ("消费者本人的消费纠纷，经调解处理", "Complaint (a consumer's own dispute, mediated)")
            }
            CaseKind::Report => ("违法违规线索，经调查处理，可能获得奖励", "Report (a violation clue, investigated)"),
        };
        Service {
            service_code: self.code(),
            service_name: self.name(),
            description: format!("{what}。{en}: {}.", self.category.label(Lang::En)),
            metadata: true,
            r#type: "realtime".to_owned(),
            keywords: format!("{},{},{}", kind_zh(self.kind), self.category.as_str(), self.category.label(Lang::En)),
            group: kind_zh(self.kind).to_owned(),
        }
    }

    /// The attributes a filing gives beside the standard fields: what our case intake needs.
    pub fn definition(self) -> ServiceDefinition {
        let attr = |code: &str, required: bool, order: i64, description: &str, datatype_description: &str| Attribute {
            variable: true,
            code: code.to_owned(),
            datatype: "string".to_owned(),
            required,
            datatype_description: datatype_description.to_owned(),
            order,
            description: description.to_owned(),
            values: Vec::new(),
        };
        ServiceDefinition {
            service_code: self.code(),
            attributes: vec![
                attr(
                    ATTR_BUSINESS_NAME,
                    true,
                    1,
                    "被投诉举报的经营者名称 (the business's name)",
                    "1 to 100 characters",
                ),
                attr(
                    ATTR_CREDIT_CODE,
                    false,
                    2,
                    "经营者的统一社会信用代码 (the business's unified social credit code, if known)",
                    "18 characters; must be a business in the registry",
                ),
                attr(
                    ATTR_OCCURRED_ON,
                    false,
                    3,
                    "发生日期 (the day it happened)",
                    "YYYY-MM-DD, within the last two years",
                ),
            ],
        }
    }
}

fn kind_zh(kind: CaseKind) -> &'static str {
    match kind {
        CaseKind::Complaint => "投诉",
        CaseKind::Report => "举报",
    }
}

pub const ATTR_BUSINESS_NAME: &str = "business_name";
pub const ATTR_CREDIT_CODE: &str = "credit_code";
pub const ATTR_OCCURRED_ON: &str = "occurred_on";

/// One entry of `services.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    pub service_code: String,
    pub service_name: String,
    pub description: String,
    pub metadata: bool,
    pub r#type: String,
    pub keywords: String,
    pub group: String,
}

/// `services/{service_code}.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceDefinition {
    pub service_code: String,
    pub attributes: Vec<Attribute>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attribute {
    pub variable: bool,
    pub code: String,
    pub datatype: String,
    pub required: bool,
    pub datatype_description: String,
    pub order: i64,
    pub description: String,
    pub values: Vec<AttributeValue>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeValue {
    pub key: String,
    pub name: String,
}

/// `discovery.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discovery {
    pub changeset: String,
    pub contact: String,
    pub key_service: String,
    pub endpoints: Vec<Endpoint>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoint {
    pub specification: String,
    pub url: String,
    pub changeset: String,
    pub r#type: String,
    pub formats: Vec<String>,
}

/// When this interface last changed (discovery's `changeset`).
pub const CHANGESET: &str = "2026-12-07T00:00:00Z";

impl Discovery {
    /// The one production endpoint at `url` (`https://…/open311/v2`).
    pub fn at(url: String) -> Discovery {
        Discovery {
            changeset: CHANGESET.to_owned(),
            contact: "绵阳市市场监督管理局 12315".to_owned(),
            key_service: "API keys are issued per partner by the bureau's administrators.".to_owned(),
            endpoints: vec![Endpoint {
                specification: SPECIFICATION.to_owned(),
                url,
                changeset: CHANGESET.to_owned(),
                r#type: "production".to_owned(),
                formats: vec!["application/json".to_owned()],
            }],
        }
    }
}

/// The answer to a filing (an array of one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filed {
    pub service_request_id: String,
    pub service_notice: String,
    pub account_id: Option<String>,
}

/// A request as `requests.json` and `requests/{id}.json` show it. The reporter is never here; a 举报's
/// description never; what the public (no key) sees is only its status and public notes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServiceRequest {
    pub service_request_id: String,
    /// `open` or `closed`.
    pub status: String,
    pub status_notes: Option<String>,
    pub service_name: String,
    pub service_code: String,
    pub description: Option<String>,
    pub agency_responsible: String,
    pub service_notice: Option<String>,
    pub requested_datetime: String,
    pub updated_datetime: String,
    pub expected_datetime: Option<String>,
    pub address: Option<String>,
    pub address_id: Option<String>,
    pub zipcode: Option<String>,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub media_url: Option<String>,
}

/// A stored case, as the request views are made from.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseRow {
    pub tracking_no: String,
    pub kind: CaseKind,
    pub category: String,
    pub state: CaseState,
    pub description: String,
    pub place: String,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub filed_at: i64,
    pub updated_at: i64,
    /// The last message to the reporter (never staff's internal note).
    pub public_note: Option<String>,
    /// The statutory deadline of the current stage, while a clock runs (`expected_datetime`).
    pub expected_at: Option<i64>,
}

/// Open or closed, as the spec counts: a case is open while a statutory clock runs.
pub fn status_of(state: CaseState) -> &'static str {
    if state.is_open() {
        "open"
    } else {
        "closed"
    }
}

impl CaseRow {
    /// What the partner that filed it sees (`own`), or anyone else (the status and public notes only).
    pub fn view(&self, own: bool) -> ServiceRequest {
        let code = CaseCategory::parse(&self.category).map(|category| ServiceCode { kind: self.kind, category });
        let own_complaint = own && self.kind == CaseKind::Complaint;
        ServiceRequest {
            service_request_id: self.tracking_no.clone(),
            status: status_of(self.state).to_owned(),
            status_notes: self.public_note.clone(),
            service_name: code.map_or_else(|| self.category.clone(), ServiceCode::name),
            service_code: code.map_or_else(String::new, ServiceCode::code),
            // A 举报's description is never shown: it may say who could have known.
            description: own_complaint.then(|| self.description.clone()),
            agency_responsible: AGENCY.to_owned(),
            service_notice: None,
            requested_datetime: w3c(self.filed_at),
            updated_datetime: w3c(self.updated_at),
            expected_datetime: self.expected_at.map(w3c),
            address: (own && !self.place.is_empty()).then(|| self.place.clone()),
            address_id: None,
            zipcode: None,
            lat: if own { self.lat } else { None },
            long: if own { self.lng } else { None },
            media_url: None,
        }
    }
}

/// `2026-12-07T09:30:00+08:00`: W3C datetime in China time.
pub fn w3c(unix_secs: i64) -> String {
    let local = crate::clock::format_datetime(unix_secs).replace(' ', "T");
    let secs = unix_secs.rem_euclid(60);
    format!("{local}:{secs:02}+08:00")
}

/// A W3C datetime (`2026-12-07T09:30:00Z`, `…+08:00`, fractions allowed) or a bare date (midnight China time).
pub fn parse_w3c(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.len() == 10 {
        return crate::clock::parse_date(s);
    }
    let (date, rest) = s.split_once('T')?;
    let (time, offset) = if let Some(t) = rest.strip_suffix('Z').or_else(|| rest.strip_suffix('z')) {
        (t, 0)
    } else {
        let at = rest.rfind(['+', '-'])?;
        let (t, off) = rest.split_at(at);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let (h, m) = off[1..].split_once(':').unwrap_or((&off[1..off.len().min(3)], &off[off.len().min(3)..]));
        let (h, m): (i64, i64) = (h.parse().ok()?, if m.is_empty() { 0 } else { m.parse().ok()? });
        if h > 14 || m > 59 {
            return None;
        }
        (t, sign * (h * 3600 + m * 60))
    };
    let time = time.split_once('.').map_or(time, |(t, _)| t);
    // parse_datetime_local reads China time: shift to the offset given.
    let local = crate::clock::parse_datetime_local(&format!("{date}T{time}"))?;
    Some(local + 8 * 3600 - offset)
}

/// A filing, parsed: its service, our case fields (parsed next by [`CaseFields::parse`]) and its coordinates.
#[derive(Clone, Debug, PartialEq)]
pub struct Filing {
    pub service: ServiceCode,
    pub fields: CaseFields,
    pub at: Option<(f64, f64)>,
}

/// A filing as posted (`application/x-www-form-urlencoded`), keys as the spec names them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Post {
    pub api_key: String,
    pub service_code: String,
    pub lat: String,
    pub long: String,
    pub address_string: String,
    pub address_id: String,
    pub attributes: BTreeMap<String, String>,
    pub description: String,
    pub email: String,
    pub phone: String,
    pub first_name: String,
    pub last_name: String,
    pub media_url: String,
}

impl Post {
    /// From the form's pairs: `attribute[code]=value` into `attributes`; unknown keys (`jurisdiction_id`,
    /// `device_id`, `account_id`) are ignored, as the spec lets a server do.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Post {
        let mut p = Post::default();
        for (k, v) in pairs {
            if let Some(code) = k.strip_prefix("attribute[").and_then(|r| r.strip_suffix(']')) {
                p.attributes.insert(code.to_owned(), v);
                continue;
            }
            let slot = match k.as_str() {
                "api_key" => &mut p.api_key,
                "service_code" => &mut p.service_code,
                "lat" => &mut p.lat,
                "long" => &mut p.long,
                "address_string" => &mut p.address_string,
                "address_id" => &mut p.address_id,
                "description" => &mut p.description,
                "email" => &mut p.email,
                "phone" => &mut p.phone,
                "first_name" => &mut p.first_name,
                "last_name" => &mut p.last_name,
                "media_url" => &mut p.media_url,
                _ => continue,
            };
            *slot = v;
        }
        p
    }

    fn attribute(&self, code: &str) -> &str {
        self.attributes.get(code).map_or("", |v| v.trim())
    }

    /// The service and our case fields, the place given, and its coordinates. The error names the spec's field
    /// (`service_code`, `attribute[business_name]`, `lat`, …). The case fields are then parsed by the one case
    /// parser ([`CaseFields::parse`]), whose field names [`open311_field`] translates.
    pub fn parse(&self) -> Result<Filing, AppError> {
        let code = match self.service_code.trim() {
            "" => return Err(AppError::field(ErrCode::Required, "service_code")),
            c => ServiceCode::parse(c).ok_or_else(|| AppError::field(ErrCode::InvalidValue, "service_code"))?,
        };
        let defined = code.definition();
        for a in defined.attributes.iter().filter(|a| a.required) {
            if self.attribute(&a.code).is_empty() {
                return Err(AppError::field(ErrCode::Required, &format!("attribute[{}]", a.code)));
            }
        }
        let coords = match (self.lat.trim(), self.long.trim()) {
            ("", "") => None,
            (lat, long) => {
                let lat: f64 = lat
                    .parse()
                    .ok()
                    .filter(|v: &f64| v.is_finite() && (-90.0..=90.0).contains(v))
                    .ok_or_else(|| AppError::field(ErrCode::InvalidValue, "lat"))?;
                let long: f64 = long
                    .parse()
                    .ok()
                    .filter(|v: &f64| v.is_finite() && (-180.0..=180.0).contains(v))
                    .ok_or_else(|| AppError::field(ErrCode::InvalidValue, "long"))?;
                Some((lat, long))
            }
        };
        let address = self.address_string.trim();
        if coords.is_none() && address.is_empty() && self.address_id.trim().is_empty() {
            return Err(AppError::field(ErrCode::Required, "lat/long, address_string or address_id"));
        }
        let place = match (address.is_empty(), coords) {
            (false, _) => address.to_owned(),
            (true, Some((lat, long))) => format!("{lat:.6},{long:.6}"),
            (true, None) => self.address_id.trim().to_owned(),
        };
        // Family name first, as names are written here.
        let name = format!("{}{}", self.last_name.trim(), self.first_name.trim());
        let fields = CaseFields {
            kind: code.kind.as_str().to_owned(),
            credit_code: self.attribute(ATTR_CREDIT_CODE).to_owned(),
            business_name: self.attribute(ATTR_BUSINESS_NAME).to_owned(),
            category: code.category.as_str().to_owned(),
            description: self.description.clone(),
            occurred_at: self.attribute(ATTR_OCCURRED_ON).to_owned(),
            place,
            reporter_name: name,
            reporter_phone: self.phone.trim().to_owned(),
            ..Default::default()
        };
        Ok(Filing { service: code, fields, at: coords })
    }
}

/// The spec's name of a field our case parser or intake names.
pub fn open311_field(field: &str) -> String {
    match field {
        "business_name" | "credit_code" => format!("attribute[{field}]"),
        "occurred_at" => format!("attribute[{ATTR_OCCURRED_ON}]"),
        "place" => "address_string".to_owned(),
        "reporter_name" => "first_name/last_name".to_owned(),
        "reporter_phone" => "phone".to_owned(),
        other => other.to_owned(),
    }
}

/// One entry of the spec's error list: `[{"code":400,"description":"…"}]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorItem {
    pub code: u16,
    pub description: String,
}

/// The status and the spec's error entry for one of our errors: the field in the spec's name, the message in
/// English. A field that names something missing elsewhere (an unknown `credit_code`) is the request's fault:
/// 400, as the spec answers a filing it cannot take.
pub fn refusal(e: &AppError) -> ErrorItem {
    let message = e.message(Lang::En);
    let status = match (e.code, e.field.as_deref()) {
        (ErrCode::NotFound, Some(_)) => 400,
        _ => e.status(),
    };
    let description = match e.field.as_deref() {
        Some(f) if e.code == ErrCode::Required => format!("{} missing", open311_field(f)),
        Some(f) => format!("{}: {message}", open311_field(f)),
        None => message.to_owned(),
    };
    ErrorItem { code: status, description }
}

/// `GET requests.json`'s filters, as given.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct RequestsQuery {
    pub api_key: String,
    pub service_request_id: String,
    pub service_code: String,
    pub start_date: String,
    pub end_date: String,
    pub status: String,
    pub jurisdiction_id: String,
}

/// The filters, parsed: ids (which override every other filter), or codes, a window and statuses.
#[derive(Clone, Debug, PartialEq)]
pub enum RequestsFilter {
    Ids(Vec<String>),
    Search { codes: Vec<ServiceCode>, from: i64, until: i64, open: Option<bool> },
}

impl RequestsQuery {
    pub fn parse(&self, now: i64) -> Result<RequestsFilter, AppError> {
        let list = |s: &str| s.split(',').map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned).collect();
        let ids: Vec<String> = list(&self.service_request_id);
        if !ids.is_empty() {
            if ids.len() > 100 || ids.iter().any(|i| i.len() > 40) {
                return Err(AppError::field(ErrCode::InvalidValue, "service_request_id"));
            }
            return Ok(RequestsFilter::Ids(ids));
        }
        let codes = list(&self.service_code)
            .iter()
            .map(|c: &String| {
                ServiceCode::parse(c).ok_or_else(|| AppError::field(ErrCode::InvalidValue, "service_code"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let date = |s: &str, name: &str| match s.trim() {
            "" => Ok(None),
            d => parse_w3c(d).map(Some).ok_or_else(|| AppError::field(ErrCode::InvalidValue, name)),
        };
        let (from, until) = match (date(&self.start_date, "start_date")?, date(&self.end_date, "end_date")?) {
            (Some(f), Some(u)) => (f, u),
            (Some(f), None) => (f, (f + MAX_SPAN_SECS).min(now)),
            (None, Some(u)) => (u - MAX_SPAN_SECS, u),
            (None, None) => (now - MAX_SPAN_SECS, now),
        };
        if until < from || until - from > MAX_SPAN_SECS {
            return Err(AppError::field(ErrCode::InvalidValue, "end_date"));
        }
        let statuses: Vec<String> = list(&self.status);
        let open = match (statuses.iter().any(|s| s == "open"), statuses.iter().any(|s| s == "closed")) {
            _ if statuses.iter().any(|s| s != "open" && s != "closed") => {
                return Err(AppError::field(ErrCode::InvalidValue, "status"))
            }
            (true, false) => Some(true),
            (false, true) => Some(false),
            _ => None,
        };
        Ok(RequestsFilter::Search { codes, from, until, open })
    }
}

/// The file name of a `{id}.json` path segment: the id, when the format is JSON.
pub fn json_name(file: &str) -> Option<&str> {
    file.strip_suffix(".json").filter(|id| !id.is_empty())
}

crate::fields! {
    /// An admin issuing a partner's key (`/staff/partners`): its name, and its own quota or none (the default).
    pub struct PartnerFields {
        name,
        per_min,
        per_day,
    }
}

/// A partner to issue a key for, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartnerInput {
    pub name: String,
    /// Cases per minute and per day; `None`: the configured default.
    pub per_min: Option<i64>,
    pub per_day: Option<i64>,
}

impl PartnerFields {
    pub fn parse(&self) -> Result<PartnerInput, AppError> {
        let name = crate::text::TextRule::line(60).check(Self::name, &self.name)?;
        let count = |v: &str, field: &str| match v.trim() {
            "" => Ok(None),
            n => n
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=1_000_000).contains(n))
                .map(Some)
                .ok_or_else(|| AppError::field(ErrCode::InvalidValue, field)),
        };
        let (per_min, per_day) = (count(&self.per_min, Self::per_min)?, count(&self.per_day, Self::per_day)?);
        if let (Some(m), Some(d)) = (per_min, per_day) {
            if m > d {
                return Err(AppError::field(ErrCode::InvalidValue, Self::per_min));
            }
        }
        Ok(PartnerInput { name, per_min, per_day })
    }
}

/// A partner as admins see it (never its key: only a keyed hash is stored).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerView {
    pub id: i64,
    pub name: String,
    pub per_min: Option<i64>,
    pub per_day: Option<i64>,
    pub created_at: i64,
    pub created_by: String,
    pub revoked_at: Option<i64>,
    /// Cases it filed.
    pub cases: i64,
}

/// A key just issued, shown once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedKey {
    pub partner_id: i64,
    pub name: String,
    pub api_key: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(pairs: &[(&str, &str)]) -> Post {
        Post::from_pairs(pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())))
    }

    #[test]
    fn every_kind_and_category_is_a_service_whose_code_parses_back() {
        let all: Vec<_> = ServiceCode::all().collect();
        assert_eq!(all.len(), 2 * CaseCategory::ALL.len());
        for c in &all {
            assert_eq!(ServiceCode::parse(&c.code()), Some(*c));
            assert!(c.code().bytes().all(|b| b.is_ascii_lowercase() || b == b'_' || b == b'-'), "{}", c.code());
            let s = c.service();
            assert!(s.metadata && s.r#type == "realtime");
            assert!(c.definition().attributes.iter().any(|a| a.required && a.code == ATTR_BUSINESS_NAME));
        }
        assert_eq!(ServiceCode::parse("report-hygiene").unwrap().kind, CaseKind::Report);
        assert_eq!(ServiceCode::parse("report-外星"), None);
    }

    #[test]
    fn a_filing_maps_to_the_case_fields_and_each_fault_names_the_specs_field() {
        let ok = post(&[
            ("api_key", "k"),
            ("service_code", "complaint-hygiene"),
            ("attribute[business_name]", "某某烧烤店"),
            ("attribute[occurred_on]", "2026-11-20"),
            ("lat", "31.46"),
            ("long", "104.68"),
            ("description", "后厨老鼠出没，餐具未消毒。"),
            ("first_name", "三"),
            ("last_name", "张"),
            ("phone", "13800001234"),
            ("jurisdiction_id", "mianyang"),
        ]);
        let Filing { service: code, fields: f, at } = ok.parse().unwrap();
        assert_eq!((code.kind, code.category), (CaseKind::Complaint, CaseCategory::Hygiene));
        assert_eq!((f.kind.as_str(), f.category.as_str(), f.reporter_name.as_str()), ("complaint", "卫生状况", "张三"));
        assert_eq!((f.place.as_str(), at), ("31.460000,104.680000", Some((31.46, 104.68))));
        assert_eq!(f.occurred_at, "2026-11-20");
        let field = |p: Post| p.parse().unwrap_err().field.unwrap();
        let without = |key: &str| {
            let mut p = ok.clone();
            p.attributes.remove(key);
            match key {
                "service_code" => p.service_code.clear(),
                "location" => {
                    p.lat.clear();
                    p.long.clear();
                }
                _ => {}
            }
            p
        };
        assert_eq!(field(without("business_name")), "attribute[business_name]");
        assert_eq!(field(without("service_code")), "service_code");
        assert_eq!(field(without("location")), "lat/long, address_string or address_id");
        assert_eq!(field(Post { service_code: "complaint-ufo".into(), ..ok.clone() }), "service_code");
        assert_eq!(field(Post { lat: "91".into(), ..ok.clone() }), "lat");
        assert_eq!(field(Post { long: "east".into(), ..ok.clone() }), "long");
        let addressed =
            Post { lat: String::new(), long: String::new(), address_string: "涪城区临园路1号".into(), ..ok };
        assert_eq!(addressed.parse().unwrap().fields.place, "涪城区临园路1号");
    }

    #[test]
    fn refusals_are_the_specs_error_entries_with_its_field_names() {
        let e = refusal(&AppError::field(ErrCode::Required, "attribute[business_name]"));
        assert_eq!(e, ErrorItem { code: 400, description: "attribute[business_name] missing".into() });
        assert_eq!(refusal(&AppError::field(ErrCode::NotFound, "credit_code")).code, 400);
        assert!(refusal(&AppError::field(ErrCode::NotFound, "credit_code"))
            .description
            .starts_with("attribute[credit_code]"));
        assert_eq!(
            refusal(&AppError::field(ErrCode::InvalidValue, "reporter_phone")).description.split(':').next(),
            Some("phone")
        );
        assert_eq!(refusal(&AppError::new(ErrCode::Forbidden)).code, 403);
        assert_eq!(refusal(&AppError::rate_limited(3)).code, 429);
        assert_eq!(refusal(&AppError::not_found()).code, 404);
    }

    #[test]
    fn what_a_request_shows_depends_on_who_asks_and_on_the_kind() {
        let row = CaseRow {
            tracking_no: "JB-20261207-000001".into(),
            kind: CaseKind::Report,
            category: "非法添加".into(),
            state: CaseState::Investigating,
            description: "仓库里有工业用盐。".into(),
            place: "涪城区".into(),
            lat: Some(31.4),
            lng: Some(104.7),
            filed_at: 1_796_000_000,
            updated_at: 1_796_000_600,
            public_note: Some("已受理".into()),
            expected_at: Some(1_797_000_000),
        };
        let own = row.view(true);
        assert_eq!((own.status.as_str(), own.service_code.as_str()), ("open", "report-illegal_additives"));
        assert_eq!(own.description, None, "a 举报's description is never shown");
        assert_eq!((own.address.as_deref(), own.lat), (Some("涪城区"), Some(31.4)));
        let public = row.view(false);
        assert_eq!((public.address, public.lat, public.description), (None, None, None));
        assert_eq!(public.status_notes.as_deref(), Some("已受理"));
        assert_eq!(public.expected_datetime, Some(w3c(1_797_000_000)), "the statutory deadline is public");
        let complaint = CaseRow { kind: CaseKind::Complaint, state: CaseState::Closed, ..row };
        assert_eq!(complaint.view(true).description.as_deref(), Some("仓库里有工业用盐。"));
        assert_eq!(complaint.view(false).description, None);
        assert_eq!(complaint.view(true).status, "closed");
    }

    #[test]
    fn partner_fields_parse_and_name_their_faults() {
        let f = PartnerFields { name: "绵阳12345热线".into(), per_min: "".into(), per_day: "500".into() };
        assert_eq!(
            f.parse().unwrap(),
            PartnerInput { name: "绵阳12345热线".into(), per_min: None, per_day: Some(500) }
        );
        let field = |f: PartnerFields| f.parse().unwrap_err().field.unwrap();
        assert_eq!(field(PartnerFields { name: "".into(), ..f.clone() }), "name");
        assert_eq!(field(PartnerFields { per_min: "0".into(), ..f.clone() }), "per_min");
        assert_eq!(field(PartnerFields { per_min: "900".into(), ..f.clone() }), "per_min", "more a minute than a day");
        assert_eq!(field(PartnerFields { per_day: "lots".into(), ..f }), "per_day");
    }

    #[test]
    fn w3c_datetimes_round_trip_in_china_time() {
        let t = 1_796_000_123;
        assert_eq!(parse_w3c(&w3c(t)), Some(t));
        assert!(w3c(t).ends_with("+08:00"));
        assert_eq!(parse_w3c("2026-12-07T01:30:00Z"), parse_w3c("2026-12-07T09:30:00+08:00"));
        assert_eq!(parse_w3c("2026-12-07T01:30:00.250Z"), parse_w3c("2026-12-07T01:30:00Z"));
        assert_eq!(parse_w3c("2026-12-07"), crate::clock::parse_date("2026-12-07"));
        for bad in ["", "yesterday", "2026-13-01T00:00:00Z", "2026-12-07T25:00:00Z", "2026-12-07T01:00:00+99:00"] {
            assert_eq!(parse_w3c(bad), None, "{bad}");
        }
    }

    #[test]
    fn request_filters_parse_with_the_specs_defaults_and_limits() {
        let now = parse_w3c("2026-12-07T12:00:00+08:00").unwrap();
        let q = |f: fn(&mut RequestsQuery)| {
            let mut q = RequestsQuery::default();
            f(&mut q);
            q.parse(now)
        };
        assert_eq!(
            q(|_| {}).unwrap(),
            RequestsFilter::Search { codes: vec![], from: now - MAX_SPAN_SECS, until: now, open: None }
        );
        assert_eq!(
            q(|q| q.service_request_id = "TS-1, TS-2".into()).unwrap(),
            RequestsFilter::Ids(vec!["TS-1".into(), "TS-2".into()])
        );
        let RequestsFilter::Search { codes, open, .. } =
            q(|q| (q.service_code, q.status) = ("complaint-other,report-other".into(), "closed".into())).unwrap()
        else {
            panic!("a search")
        };
        assert_eq!((codes.len(), open), (2, Some(false)));
        let field = |r: Result<RequestsFilter, AppError>| r.unwrap_err().field.unwrap();
        assert_eq!(field(q(|q| q.status = "pending".into())), "status");
        assert_eq!(field(q(|q| q.service_code = "ufo".into())), "service_code");
        assert_eq!(field(q(|q| q.start_date = "soon".into())), "start_date");
        assert_eq!(
            field(q(|q| (q.start_date, q.end_date) = ("2026-01-01".into(), "2026-12-01".into()))),
            "end_date",
            "more than 90 days"
        );
    }
}
