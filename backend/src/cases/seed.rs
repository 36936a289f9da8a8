//! Demo cases: every state and channel, anonymous and named reporters, a few with photos, some overdue, a few
//! rewarded. Filed through the real intake and moved through the real state machine; only their dates are set
//! back afterwards, so the clocks have something to show. Skipped when any case exists (idempotent).

use super::handle::{reward, transition, Transition};
use crate::images::{process, sample_png};
use crate::seed::rng::Rng;
use crate::staff::audit::Actor;
use crate::store::col;
use crate::AppState;
use domain::cases::{CaseCategory, CaseFields, CaseState, RejectReason, RewardLevel, RewardStatus};
use domain::AppError;

const STORIES: &[&str] = &[
    "后厨地面油污严重，有老鼠出没，餐具没有消毒就直接使用。",
    "超市货架上的酸奶已经过期三天仍在销售，购买后才发现。",
    "这家店没有营业执照和食品经营许可证，在居民楼里加工卤菜外卖。",
    "火锅底料颜色异常鲜红，怀疑添加了非法色素，吃完后肠胃不适。",
    "网店宣传“纯手工无添加”，收到的月饼配料表里有多种防腐剂。",
    "学校门口小摊售卖三无辣条，学生大量购买。",
    "菜市场摊位销售注水肉，称重明显不对。",
    "外卖送来的盒饭有异物，联系商家拒绝退款。",
];

/// Loads the demo cases; returns how many.
pub async fn load(state: &AppState) -> Result<u64, AppError> {
    let any: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cases").fetch_one(state.store.pool()).await?;
    if any > 0 {
        return Ok(0);
    }
    let businesses: Vec<String> = sqlx::query("SELECT credit_code FROM businesses ORDER BY id LIMIT 40")
        .fetch_all(state.store.pool())
        .await?
        .iter()
        .filter_map(|r| col::<String>(r, "credit_code").ok())
        .collect();
    let staff = Actor { id: None, name: "demo_moderator".into() };
    let mut rng = Rng::new(0xca5e);
    let channels = ["web", "web", "web", "hotline", "counter", "school_box", "volunteer"];
    let t = crate::clock::now();
    let photo = process(&sample_png(64, 48, [180, 120, 60]))?;
    let mut filed = Vec::new();
    for i in 0..36u64 {
        let named = i % 3 != 0;
        let f = CaseFields {
            kind: if i % 4 == 0 { "投诉" } else { "举报" }.into(),
            credit_code: businesses.get(i as usize).cloned().unwrap_or_default(),
            business_name: "涪城区某小吃店".into(),
            category: CaseCategory::ALL[(i as usize) % CaseCategory::ALL.len()].as_str().into(),
            description: STORIES[(i as usize) % STORIES.len()].into(),
            occurred_at: domain::clock::format_date(t - (3 + rng.below(20) as i64) * 86_400),
            place: "绵阳市涪城区".into(),
            reporter_name: if named { format!("市民{}", i + 1) } else { String::new() },
            reporter_phone: if named { format!("139{:08}", 10_000_000 + i * 7919) } else { String::new() },
            channel: channels[(i as usize) % channels.len()].into(),
            ..Default::default()
        };
        let input = f.parse(t)?;
        let photos = if i % 5 == 0 { vec![photo.clone()] } else { Vec::new() };
        let actor = (input.channel != domain::cases::Channel::Web).then_some(&staff);
        let receipt = super::file(state, &input, &photos, actor).await?;
        let id: i64 = sqlx::query_scalar("SELECT id FROM cases WHERE tracking_no = $1")
            .bind(&receipt.tracking_no)
            .fetch_one(state.store.pool())
            .await?;
        filed.push((id, receipt.tracking_no, receipt.access_code, input.channel));
    }
    let step = |to: CaseState, message: &str| Transition {
        to: Some(to),
        note: "演示数据".into(),
        message: message.into(),
        // Demo phone numbers are made up: nothing goes out.
        quiet: true,
        ..Transition::default()
    };
    let store = &state.store;
    for (n, (id, ..)) in filed.iter().enumerate() {
        let path: &[CaseState] = match n % 9 {
            0 | 1 => &[],
            2 => &[CaseState::Accepted],
            3 | 4 => &[CaseState::Accepted, CaseState::Investigating],
            5 => &[CaseState::Accepted, CaseState::Investigating, CaseState::Substantiated],
            6 => &[CaseState::Accepted, CaseState::Investigating, CaseState::Unsubstantiated],
            7 => &[CaseState::Rejected],
            _ => &[CaseState::Accepted, CaseState::Substantiated, CaseState::Closed],
        };
        for to in path {
            let mut tr = step(
                *to,
                match to {
                    CaseState::Accepted => "您的举报已受理，我们将尽快核查。",
                    CaseState::Investigating => "执法人员已前往现场检查。",
                    CaseState::Substantiated => "经查，反映问题属实，已依法处理。",
                    CaseState::Unsubstantiated => "经现场核查，未发现所反映的问题。",
                    CaseState::Rejected => "经审查，不属于本部门受理范围。",
                    _ => "已办结。",
                },
            );
            if *to == CaseState::Rejected {
                tr.reject_reason = Some(RejectReason::OutOfScope);
            }
            transition(state, &staff, *id, &tr).await?;
        }
        let kind_report = n % 4 != 0;
        if kind_report && path.contains(&CaseState::Substantiated) && n % 2 == 0 {
            reward(store, &staff, *id, RewardStatus::Approved, Some(RewardLevel::Two), Some(150_000)).await?;
            reward(store, &staff, *id, RewardStatus::Notified, None, None).await?;
            if n % 4 == 2 {
                reward(store, &staff, *id, RewardStatus::Paid, None, None).await?;
            }
        }
        // Dates set back: cases filed over the last three weeks (accepted, and their last move, a quarter of that
        // ago); some, filed 26 days ago and accepted the next day, are overdue.
        let overdue = matches!(n % 9, 0 | 3) && n % 2 == 0;
        let back = if overdue { 26 * 86_400 } else { ((n as i64 * 5) % 21 + 1) * 86_400 };
        sqlx::query(
            "UPDATE cases SET created_at = created_at - $1, state_since = state_since - $2, accepted_at = accepted_at - $2, \
             decided_at = decided_at - $2 WHERE id = $3",
        )
        .bind(back)
        .bind(if overdue { 25 * 86_400 } else { back / 4 })
        .bind(id)
        .execute(store.pool())
        .await?;
        sqlx::query("UPDATE case_events SET at = at - $1 WHERE case_id = $2")
            .bind(back / 2)
            .bind(id)
            .execute(store.pool())
            .await?;
    }
    rate_some(state, &staff, &filed, &step).await?;
    Ok(filed.len() as u64)
}

/// Ratings of the decided demo cases: by the reporter (web) or by phone 回访 (the other channels), mostly
/// satisfied; one web case reopened after 不满意, decided again and rated again; one reopened and still open.
async fn rate_some(
    state: &AppState,
    staff: &Actor,
    filed: &[(i64, String, String, domain::cases::Channel)],
    step: &dyn Fn(CaseState, &str) -> Transition,
) -> Result<(), AppError> {
    use domain::cases::{Channel, Rating, Satisfaction as S};
    let levels = [S::VerySatisfied, S::Satisfied, S::Satisfied, S::Basic, S::VerySatisfied, S::Dissatisfied];
    let mut reopened = 0;
    for (n, (id, no, code, channel)) in filed.iter().enumerate() {
        let st: String =
            sqlx::query_scalar("SELECT state FROM cases WHERE id = $1").bind(id).fetch_one(state.store.pool()).await?;
        if !domain::cases::is_decided(CaseState::parse(&st).unwrap_or(CaseState::Submitted)) || n % 7 == 6 {
            continue; // some decided cases are left unrated
        }
        let level = levels[n % levels.len()];
        let reopen = *channel == Channel::Web && level == S::Dissatisfied && reopened < 2;
        let comment = if reopen { "商家仍在销售同类问题食品，希望再次核查。" } else { "" };
        let rating = Rating { level, comment: comment.into(), reopen };
        if *channel == Channel::Web {
            super::satisfaction::rate_checked(state, no, code, &rating).await?;
        } else {
            let fields =
                domain::cases::RatingFields { level: level.as_str().into(), comment: comment.into(), reopen: false };
            super::satisfaction::record_callback(state, staff, *id, &fields).await?;
        }
        if reopen {
            reopened += 1;
            // The first reopened case is decided again and rated again; the second waits in the queue.
            if reopened == 1 {
                transition(
                    state,
                    staff,
                    *id,
                    &step(CaseState::Substantiated, "复查后确认问题属实，已责令整改并立案。"),
                )
                .await?;
                let again =
                    Rating { level: S::Satisfied, comment: "复查及时，问题已解决。".into(), reopen: false };
                super::satisfaction::rate_checked(state, no, code, &again).await?;
            }
        }
    }
    Ok(())
}
