//! Districts, categories and statuses of the registry, with their English names.

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
