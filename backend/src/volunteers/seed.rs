//! The demo corps: `(businesses / 88).clamp(20, 500)` volunteers (500 for the 44,000-business demo) spread over
//! the groups and districts, most approved, some pending, a few rejected or suspended; phones made up and sealed
//! like every phone; and three reports for every five volunteers, filed by approved volunteers through the
//! cases intake over the past six weeks, with outcomes (about a third substantiated). Prints nothing personal.
//! Skipped when any volunteer exists (idempotent).

use super::{phone_hash, place, secret_hash, sign_in_code};
use crate::cases::handle::{transition, Transition};
use crate::cases::intake;
use crate::clock::now;
use crate::sealed;
use crate::seed::rng::Rng;
use crate::staff::audit::Actor;
use crate::store::{col, Change};
use crate::AppState;
use domain::cases::{CaseInput, CaseKind, CaseState, Channel};
use domain::credit::{CreditCode, District};
use domain::volunteers::{Group, Issue, VolunteerState};
use domain::AppError;

/// How many volunteers the demo has for a registry of `businesses`.
pub fn size(businesses: u64) -> u64 {
    (businesses / 88).clamp(20, 500)
}

const NOTES: [&str; 5] = ["", "货架上有过期酸奶", "后厨门口垃圾未清理", "", "操作人员未戴帽子"];

/// Loads the demo corps; returns the volunteers created (0 when there already are some).
pub async fn load(state: &AppState, businesses: u64) -> Result<u64, AppError> {
    let store = &state.store;
    let any: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM volunteers").fetch_one(store.pool()).await?;
    if any > 0 {
        return Ok(0);
    }
    let targets: Vec<String> = sqlx::query("SELECT credit_code FROM businesses ORDER BY id LIMIT 400")
        .fetch_all(store.pool())
        .await?
        .iter()
        .map(|r| col(r, "credit_code"))
        .collect::<Result<_, _>>()?;
    let key = state.config.secret_key.expose();
    let n = size(businesses);
    let mut rng = Rng::new(0x5a11);
    let t = now();
    let moderator = Actor { id: None, name: "demo_moderator".into() };
    let mut approved = Vec::new();
    {
        let mut tx = store.begin_write().await?;
        for i in 0..n {
            let number = format!("ZY{:08}", 10_000_000 + i * 7_919);
            let phone = format!("137{:08}", 20_000_000 + i * 104_729 % 70_000_000);
            // The six groups are the campaign's; a few come from elsewhere.
            let group = if i % 25 == 24 { Group::Other } else { Group::ALL[(i % 6) as usize] };
            let district = *rng.pick(District::ALL);
            let st = match i % 20 {
                0 | 7 => VolunteerState::Pending,
                13 => VolunteerState::Rejected,
                19 if i % 40 == 19 => VolunteerState::Suspended,
                _ => VolunteerState::Approved,
            };
            let created = t - (7 + rng.below(60) as i64) * 86_400;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO volunteers (number, grp, district, phone_hash, phone_sealed, secret_hash, state, \
                 verified_at, attempts, created_at, decided_by, decided_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $8, $9, $10) RETURNING id",
            )
            .bind(&number)
            .bind(group.as_str())
            .bind(district.as_str())
            .bind(phone_hash(key, &phone))
            .bind(sealed::seal(key, "volunteer-phone", &place(&number), phone.as_bytes())?)
            .bind(secret_hash(key, &number, &sign_in_code()))
            .bind(st.as_str())
            .bind(created)
            .bind(if st == VolunteerState::Pending { "" } else { "demo_moderator" })
            .bind(if st == VolunteerState::Pending { created } else { created + 86_400 })
            .fetch_one(&mut *tx)
            .await?;
            if st == VolunteerState::Approved {
                approved.push(id);
            }
        }
        // Pending sign-ups have no decision yet (NULL written in the SQL: typeless binds fail on PostgreSQL).
        sqlx::query("UPDATE volunteers SET decided_by = NULL, decided_at = NULL WHERE state = $1")
            .bind(VolunteerState::Pending.as_str())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    if targets.is_empty() || approved.is_empty() {
        store.announce(Change::Volunteers);
        return Ok(n);
    }
    let reports = n * 3 / 5;
    for i in 0..reports {
        let volunteer = *rng.pick(&approved);
        let issue = Issue::ALL[(i % Issue::ALL.len() as u64) as usize];
        let note = NOTES[(i % NOTES.len() as u64) as usize];
        let code = rng.pick(&targets).clone();
        let c = CaseInput {
            kind: CaseKind::Report,
            channel: Channel::Volunteer,
            credit_code: Some(CreditCode::parse(&code)?),
            business_name: String::new(),
            category: issue.category().as_str().to_owned(),
            description: if note.is_empty() {
                format!("【志愿者快报】{}", issue.as_str())
            } else {
                format!("【志愿者快报】{}：{note}", issue.as_str())
            },
            occurred_at: Some(t),
            place: String::new(),
            reporter: None,
            idempotency_key: None,
        };
        let receipt = intake::file_for_volunteer(state, &c, volunteer).await?;
        let id: i64 = sqlx::query_scalar("SELECT id FROM cases WHERE tracking_no = $1")
            .bind(&receipt.tracking_no)
            .fetch_one(store.pool())
            .await?;
        let path: &[CaseState] = match i % 6 {
            0 | 3 => &[CaseState::Accepted, CaseState::Investigating, CaseState::Substantiated],
            1 => &[CaseState::Accepted, CaseState::Investigating, CaseState::Unsubstantiated],
            2 => &[CaseState::Accepted],
            4 => &[],
            _ => &[CaseState::Accepted, CaseState::Substantiated, CaseState::Closed],
        };
        for to in path {
            let tr = Transition {
                to: Some(*to),
                note: "演示数据".into(),
                message: match to {
                    CaseState::Substantiated => "经查，反映问题属实，已依法处理。感谢志愿者！",
                    CaseState::Unsubstantiated => "经现场核查，未发现所反映的问题。",
                    _ => "已处理。",
                }
                .into(),
                quiet: true,
                ..Transition::default()
            };
            transition(state, &moderator, id, &tr).await?;
        }
        // Spread over the past six weeks.
        let back = (1 + rng.below(42) as i64) * 86_400;
        sqlx::query(
            "UPDATE cases SET created_at = created_at - $1, occurred_at = occurred_at - $1, \
             state_since = state_since - $2, accepted_at = accepted_at - $2, decided_at = decided_at - $2 WHERE id = $3",
        )
        .bind(back)
        .bind(back / 2)
        .bind(id)
        .execute(store.pool())
        .await?;
        sqlx::query("UPDATE case_events SET at = at - $1 WHERE case_id = $2")
            .bind(back / 2)
            .bind(id)
            .execute(store.pool())
            .await?;
    }
    store.announce(Change::Volunteers);
    store.announce(Change::Cases);
    Ok(n)
}
