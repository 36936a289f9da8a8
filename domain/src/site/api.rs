//! The public API as the `/api` page shows it: a plain summary of the OpenAPI document the API serves
//! (built once by the server from that document), with the published quotas.

use serde::{Deserialize, Serialize};

/// One parameter of an operation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiParam {
    pub name: String,
    /// `path`, `query` or `header`.
    pub location: String,
    pub required: bool,
    pub description: String,
}

/// One operation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiOperation {
    pub method: String,
    pub path: String,
    pub tag: String,
    pub summary: String,
    pub params: Vec<ApiParam>,
    pub statuses: Vec<String>,
}

impl ApiOperation {
    /// An example request: path parameters filled with sample values, required query parameters shown.
    pub fn example(&self) -> String {
        let mut path = self.path.clone();
        for p in self.params.iter().filter(|p| p.location == "path") {
            let sample = match p.name.as_str() {
                "code" | "credit_code" => "91510703MA6XXXXXXX",
                "tracking_no" => "JB-20261129-000001",
                _ => "1",
            };
            path = path.replace(&format!("{{{}}}", p.name), sample);
        }
        let query: Vec<String> = self
            .params
            .iter()
            .filter(|p| p.location == "query" && (p.required || matches!(p.name.as_str(), "q" | "page" | "tag")))
            .map(|p| {
                // Every byte percent-encoded: enough for the Chinese samples.
                let encode = |s: &str| s.bytes().map(|b| format!("%{b:02X}")).collect::<String>();
                let v = match p.name.as_str() {
                    "q" => encode("火锅"),
                    "tag" => encode(crate::news::NewsTag::FoodSafetyTips.as_str()),
                    _ => "1".to_owned(),
                };
                format!("{}={v}", p.name)
            })
            .collect();
        let url = if query.is_empty() { path } else { format!("{path}?{}", query.join("&")) };
        let mut cmd = String::from("curl -s");
        if self.method != "GET" {
            cmd.push_str(&format!(" -X {}", self.method));
        }
        for h in self.params.iter().filter(|p| p.location == "header") {
            cmd.push_str(&format!(" -H '{}: …'", h.name));
        }
        format!("{cmd} 'https://<host>{url}'")
    }
}

/// Requests per minute per client, and the bounds per network on public writes, as configured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quotas {
    pub api: u32,
    pub download: u32,
    pub write: u32,
    pub vote: u32,
    /// (per minute, per day) per network (IPv4 /24, IPv6 /64), shared by every instance.
    pub net_cases: (i64, i64),
    pub net_drafts: (i64, i64),
    pub net_nominations: (i64, i64),
    pub net_replies: (i64, i64),
    pub net_ballots: (i64, i64),
    pub net_sms: (i64, i64),
    pub photo_mb_per_day: i64,
    pub new_devices_per_hour: i64,
    pub sms_per_phone_per_day: i64,
    pub sms_daily_budget: i64,
}

/// Everything the `/api` page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiCatalog {
    pub title: String,
    pub version: String,
    pub operations: Vec<ApiOperation>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_fill_path_parameters() {
        let op = ApiOperation {
            method: "GET".into(),
            path: "/api/v1/complaints/{tracking_no}".into(),
            tag: "cases".into(),
            summary: String::new(),
            params: vec![
                ApiParam {
                    name: "tracking_no".into(),
                    location: "path".into(),
                    required: true,
                    description: String::new(),
                },
                ApiParam {
                    name: "X-Access-Code".into(),
                    location: "header".into(),
                    required: true,
                    description: String::new(),
                },
            ],
            statuses: vec![],
        };
        assert_eq!(op.example(), "curl -s -H 'X-Access-Code: …' 'https://<host>/api/v1/complaints/JB-20261129-000001'");
    }

    #[test]
    fn examples_encode_their_chinese_samples() {
        let query = |name: &str| ApiParam {
            name: name.into(),
            location: "query".into(),
            required: false,
            description: String::new(),
        };
        let op = ApiOperation {
            method: "GET".into(),
            path: "/api/v1/news".into(),
            tag: "news".into(),
            summary: String::new(),
            params: vec![query("q"), query("tag")],
            statuses: vec![],
        };
        assert_eq!(op.example(), "curl -s 'https://<host>/api/v1/news?q=%E7%81%AB%E9%94%85&tag=%E7%A7%91%E6%99%AE'");
    }
}
