//! Test data every module builds from: valid credit codes, businesses, events.

use domain::credit::{credit_check_char, BusinessFields, BusinessInput, EventFields, EventInput};

/// A valid credit code in Mianyang with a chosen serial.
pub fn code(n: u32) -> String {
    let body = format!("91510703MA{n:07}");
    format!("{body}{}", credit_check_char(body.as_bytes()).unwrap())
}

/// A business with the credit code [`code`]`(n)`.
pub fn biz(n: u32, name: &str, address: &str, district: &str, category: &str) -> BusinessInput {
    BusinessFields {
        credit_code: code(n),
        name: name.into(),
        address: address.into(),
        district: district.into(),
        category: category.into(),
        ..Default::default()
    }
    .parse()
    .unwrap()
}

/// A credit event of the business `code`, at `at`.
pub fn event(code: &str, kind: &str, severity: &str, at: i64) -> EventInput {
    EventFields {
        credit_code: code.into(),
        kind: kind.into(),
        severity: severity.into(),
        occurred_at: domain::clock::format_date(at),
        source: "抽检通告".into(),
        description: "测试事项".into(),
    }
    .parse()
    .unwrap()
}

/// Lets every pending downgrade's objection window pass (as if 15 working days went by with no objection) and
/// publishes them, as the server's sweep does.
pub async fn windows_pass(store: &backend::Store) {
    sqlx::query("UPDATE businesses SET pending_until = 0 WHERE pending_grade IS NOT NULL")
        .execute(store.pool())
        .await
        .unwrap();
    backend::credit::objections::publish_due(store, backend::clock::now()).await.unwrap();
}
