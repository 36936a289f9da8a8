//! Generated demo registry: ~44,000 businesses across Mianyang's districts with valid credit codes and licence
//! numbers, plausible names and addresses, record events and the grades those events give. Deterministic: the
//! same seed always yields the same data.

use crate::clock::now;
use crate::Store;
use domain::credit::{credit_check_char, licence_check_digit, CreditRules, District, EventKind, ScoredEvent, Severity};
use domain::AppError;

use crate::seed::rng::Rng;

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马",
    "罗", "梁", "宋", "郑", "谢", "唐", "蒋", "邓", "冯",
];
const PLACES: &[&str] = &[
    "绵州",
    "涪江",
    "富乐",
    "越王楼",
    "子云",
    "仙海",
    "李白故里",
    "窦团山",
    "九皇山",
    "翠云廊",
    "文昌",
    "嫘祖",
    "太白",
    "芙蓉",
    "科学城",
    "三江",
    "南河",
    "临园",
    "园艺",
    "火炬",
];
/// The streets of addresses, each with its point in every district (`domain::credit::geo`).
use domain::credit::geo::STREETS;

/// (name suffix, category, licence kind digit: 1 sales, 2 catering, 3 canteen, 0 production, weight)
const KINDS: &[(&str, &str, u8, u64)] = &[
    ("绵阳米粉", "餐饮", 2, 14),
    ("米粉店", "餐饮", 2, 6),
    ("火锅", "餐饮", 2, 8),
    ("串串香", "餐饮", 2, 5),
    ("烧烤", "餐饮", 2, 5),
    ("面馆", "餐饮", 2, 6),
    ("中餐馆", "餐饮", 2, 6),
    ("小吃店", "餐饮", 2, 5),
    ("饭店", "餐饮", 2, 4),
    ("超市", "销售", 1, 8),
    ("便利店", "销售", 1, 7),
    ("副食店", "销售", 1, 5),
    ("粮油店", "销售", 1, 3),
    ("生鲜店", "销售", 1, 3),
    ("食品网店", "网络食品", 1, 3),
    ("外卖厨房", "网络食品", 2, 2),
    ("学校食堂", "集中用餐单位", 3, 3),
    ("幼儿园食堂", "集中用餐单位", 3, 1),
    ("单位食堂", "集中用餐单位", 3, 2),
    ("白酒厂", "生产", 0, 2),
    ("食品厂", "生产", 0, 2),
    ("豆制品厂", "生产", 0, 1),
    ("腊肉加工坊", "生产", 0, 1),
];

const SOURCES: &[(EventKind, &str)] = &[
    (EventKind::InspectionFinding, "日常监督检查记录"),
    (EventKind::SamplingFailure, "食品安全监督抽检信息通告"),
    (EventKind::Penalty, "行政处罚决定书"),
    (EventKind::SubstantiatedReport, "投诉举报核查结果"),
    (EventKind::Commendation, "食品安全示范单位表彰"),
];

const DESCRIPTIONS: &[(EventKind, &[&str])] = &[
    (
        EventKind::InspectionFinding,
        &["后厨卫生不达标，已责令整改", "从业人员健康证过期", "进货查验记录不全", "冷藏设施温度不符合要求"],
    ),
    (
        EventKind::SamplingFailure,
        &["米粉检出脱氢乙酸钠超标", "白酒酒精度不符合标签明示值", "蔬菜农药残留超标", "餐具大肠菌群不合格"],
    ),
    (
        EventKind::Penalty,
        &["经营超过保质期食品，罚款并没收违法所得", "未取得许可从事食品经营，罚款", "使用不合格原料，罚款"],
    ),
    (EventKind::SubstantiatedReport, &["群众举报后厨卫生问题，经查属实", "举报销售过期食品，经查属实"]),
    (EventKind::Commendation, &["获评食品安全示范店", "量化分级连续三年优秀"]),
];

/// One generated business with its events.
pub struct GenBusiness {
    pub credit_code: String,
    pub licence_no: String,
    pub name: String,
    pub address: String,
    pub district: &'static str,
    pub category: &'static str,
    pub dynamic_grade: Option<&'static str>,
    pub last_inspected_at: Option<i64>,
    pub events: Vec<(ScoredEvent, &'static str, &'static str)>,
    /// Where it is (WGS-84 degrees): near its street's point in its district.
    pub lat: f64,
    pub lng: f64,
}

const CODE_CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Generates business number `i` of the demo registry.
pub fn generate(i: u64, now: i64) -> GenBusiness {
    let mut r = Rng::new(0x5EED_0000 ^ i.wrapping_mul(0x9E37_79B9));
    let d = District::ALL[weighted_district(&mut r)];
    let (district, admin) = (d.as_str(), d.admin_code());
    let total_weight: u64 = KINDS.iter().map(|k| k.3).sum();
    let mut w = r.below(total_weight);
    let kind = KINDS.iter().find(|k| {
        if w < k.3 {
            true
        } else {
            w -= k.3;
            false
        }
    });
    let (suffix, category, lic_kind, _) = *kind.unwrap_or(&KINDS[0]);
    let owner = format!("{}{}", r.pick(SURNAMES), r.pick(&["记", "氏", "家", "大姐", "师傅", "哥"]));
    let place = r.pick(PLACES);
    let street = r.pick(STREETS);
    let name = match r.below(4) {
        0 => format!("{owner}{suffix}"),
        1 => format!("{place}{suffix}"),
        2 => format!("{district_short}{owner}{suffix}", district_short = &district[..district.len().min(6)]),
        _ => format!("{place}{owner}{suffix}（{street}店）"),
    };
    let address = format!("四川省绵阳市{district}{street}{}号", 1 + r.below(480));
    // Placed within 400 m of its street's point in its district, from a generator of its own so that adding
    // coordinates changed nothing else of the demo registry.
    let street_no = domain::credit::geo::street_index(street).unwrap_or(0);
    let mut place_r = Rng::new(0x6E0_0000 ^ i.wrapping_mul(0x9E37_79B9));
    let (dist, angle) = (400.0 * (place_r.below(10_001) as f64 / 10_000.0).sqrt(), place_r.below(3600) as f64 / 10.0);
    let at = domain::credit::geo::street_point(d, street_no)
        .offset(dist * angle.to_radians().cos(), dist * angle.to_radians().sin());
    // Entity type: 2 (个体) for small shops and eateries, 1 (enterprise) otherwise.
    let entity = if matches!(category, "餐饮" | "销售") && r.below(3) > 0 { '2' } else { '1' };
    let mut body = format!("9{entity}{admin}");
    for _ in 0..9 {
        body.push(CODE_CHARS[r.below(CODE_CHARS.len() as u64) as usize] as char);
    }
    // The serial makes codes unique whatever the random part says.
    body.replace_range(11..17, &format!("{:06}", i % 1_000_000).replace('0', "A")[..6]);
    let credit_code = format!("{body}{}", credit_check_char(body.as_bytes()).unwrap_or('0'));
    let licence_no = if lic_kind == 0 {
        let digits = format!("1{admin}{:06}", i % 1_000_000);
        format!("SC{digits}{}", licence_check_digit(&digits).unwrap_or('0'))
    } else {
        let digits = format!("{lic_kind}{admin}{:06}", i % 1_000_000);
        format!("JY{digits}{}", licence_check_digit(&digits).unwrap_or('0'))
    };
    // Record events: most businesses have a clean record.
    let mut events = Vec::new();
    let roll = r.below(1000);
    let n_events = if roll < 700 {
        0
    } else if roll < 900 {
        1
    } else if roll < 975 {
        2
    } else {
        3
    };
    for _ in 0..n_events {
        let k = match r.below(100) {
            0..=44 => EventKind::InspectionFinding,
            45..=64 => EventKind::SamplingFailure,
            65..=79 => EventKind::Penalty,
            80..=89 => EventKind::SubstantiatedReport,
            _ => EventKind::Commendation,
        };
        let sev = match r.below(1000) {
            0..=499 => Severity::Minor,
            500..=849 => Severity::General,
            850..=992 => Severity::Major,
            _ => Severity::Serious,
        };
        let days_ago = r.below(700) as i64;
        let source = SOURCES.iter().find(|(kk, _)| *kk == k).map(|(_, s)| *s).unwrap_or("");
        let descs = DESCRIPTIONS.iter().find(|(kk, _)| *kk == k).map(|(_, d)| *d).unwrap_or(&[""]);
        events.push((
            ScoredEvent { kind: k, severity: sev, occurred_at: now - days_ago * 86_400 - 3600 },
            source,
            *r.pick(descs),
        ));
    }
    // Inspection dates are days (midnight in UTC+8), as staff enter them and as the CSV carries them, so an
    // exported registry imports back unchanged.
    let today = (now + 8 * 3600).div_euclid(86_400) * 86_400 - 8 * 3600;
    let last_inspected_at = (r.below(10) < 9).then(|| today - (r.below(540) as i64 + 1) * 86_400);
    let dynamic_grade = (category == "餐饮").then(|| *r.pick(&["excellent", "good", "good", "good", "fair"]));
    GenBusiness {
        credit_code,
        licence_no,
        name,
        address,
        district,
        category,
        dynamic_grade,
        last_inspected_at,
        events,
        lat: at.lat,
        lng: at.lng,
    }
}

/// Districts weighted roughly by population (涪城 and 游仙 largest).
fn weighted_district(r: &mut Rng) -> usize {
    const W: [u64; 12] = [22, 12, 7, 13, 12, 5, 5, 4, 3, 7, 5, 5];
    let mut x = r.below(W.iter().sum());
    for (i, w) in W.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    0
}

/// Inserts businesses `from..to` of the demo registry (skipping any already there), in batches.
pub async fn load(store: &Store, from: u64, to: u64) -> Result<u64, AppError> {
    let rules = CreditRules::default();
    let t = now();
    let mut inserted = 0;
    const BATCH: u64 = 400;
    let mut start = from;
    while start < to {
        let end = (start + BATCH).min(to);
        let gen: Vec<GenBusiness> = (start..end).map(|i| generate(i, t)).collect();
        let mut tx = store.begin_write().await?;
        let mut sql = String::from(
            "INSERT INTO businesses (credit_code, licence_no, name, address, district, category, status, score, \
             grade, watch_list, dynamic_grade, last_inspected_at, search_tokens, created_at, updated_at, rating_date, lat, lng) \
             VALUES ",
        );
        let cols = 18;
        for (j, _) in gen.iter().enumerate() {
            if j > 0 {
                sql.push(',');
            }
            let b = j * cols;
            sql.push('(');
            sql.push_str(&(1..=cols).map(|c| format!("${}", b + c)).collect::<Vec<_>>().join(","));
            sql.push(')');
        }
        sql.push_str(" ON CONFLICT (credit_code) DO NOTHING");
        let mut q = sqlx::query(&sql);
        let mut assessed = Vec::new();
        for g in &gen {
            let a = rules.assess(&g.events.iter().map(|(e, _, _)| e.clone()).collect::<Vec<_>>(), t);
            let tokens = domain::credit::search_tokens(&g.name, &g.address, g.district, g.category);
            q = q
                .bind(g.credit_code.clone())
                .bind(g.licence_no.clone())
                .bind(g.name.clone())
                .bind(g.address.clone())
                .bind(g.district)
                .bind(g.category)
                .bind("在营")
                .bind(a.score)
                .bind(a.grade.as_str())
                .bind(i64::from(a.watch_list))
                .bind(g.dynamic_grade)
                .bind(g.last_inspected_at)
                .bind(tokens)
                .bind(t)
                .bind(t)
                // The grade took effect with the last event that moved it (or when the business was registered).
                .bind(g.events.iter().map(|(e, _, _)| e.occurred_at).max().unwrap_or(t))
                .bind(g.lat)
                .bind(g.lng);
            assessed.push(a);
        }
        let done = q.execute(&mut *tx).await?.rows_affected();
        inserted += done;
        if done > 0 {
            // Events and grade history for the businesses with a record.
            for (g, a) in gen.iter().zip(&assessed) {
                if g.events.is_empty() {
                    continue;
                }
                let row = sqlx::query("SELECT id FROM businesses WHERE credit_code = $1")
                    .bind(g.credit_code.clone())
                    .fetch_one(&mut *tx)
                    .await?;
                let id: i64 = crate::store::col(&row, "id")?;
                let mut sorted = g.events.clone();
                sorted.sort_by_key(|(e, _, _)| e.occurred_at);
                let mut so_far = Vec::new();
                for (e, source, desc) in &sorted {
                    sqlx::query(
                        "INSERT INTO credit_events (business_id, kind, severity, occurred_at, source, description, \
                         created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, 'demo')",
                    )
                    .bind(id)
                    .bind(e.kind.as_str())
                    .bind(e.severity.as_str())
                    .bind(e.occurred_at)
                    .bind(*source)
                    .bind(*desc)
                    // Published when it happened: old demo events are past their objection window.
                    .bind(e.occurred_at.min(t))
                    .execute(&mut *tx)
                    .await?;
                    so_far.push(e.clone());
                    let step = rules.assess(&so_far, e.occurred_at);
                    sqlx::query(
                        "INSERT INTO grade_history (business_id, at, score, grade, watch_list, reason) \
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(id)
                    .bind(e.occurred_at)
                    .bind(step.score)
                    .bind(step.grade.as_str())
                    .bind(i64::from(step.watch_list))
                    .bind(format!("{}:{}", e.kind.as_str(), e.severity.as_str()))
                    .execute(&mut *tx)
                    .await?;
                }
                let _ = a;
            }
        }
        tx.commit().await?;
        start = end;
    }
    store.dialect().analyze(store.pool(), "businesses").await?;
    Ok(inserted)
}

/// The demo's objections and credit repair, on the first suitable businesses of the registry (grade A, licensed,
/// inspected): a pending downgrade (新评级待公布), an objection upheld (its event annulled, the grade restored), an
/// objection rejected (the lower grade published), and a credit repair of an old event, upheld. Idempotent: does
/// nothing once any request exists. Businesses never inspected (待检查) come with the registry itself. Returns
/// how many requests it filed.
pub async fn objections(state: &crate::AppState) -> Result<u64, AppError> {
    use crate::staff::audit::Actor;
    use crate::store::col;
    use domain::credit::{CreditCode, EventInput, LicenceNo, ObjectionInput, ObjectionKind};
    let store = &state.store;
    let any = sqlx::query("SELECT COUNT(*) AS n FROM objections").fetch_one(store.pool()).await?;
    if col::<i64>(&any, "n")? > 0 {
        return Ok(0);
    }
    let rows = sqlx::query(
        "SELECT credit_code, licence_no FROM businesses WHERE grade = 'A' AND score = 100 AND licence_no IS NOT NULL \
         AND last_inspected_at IS NOT NULL AND pending_grade IS NULL ORDER BY id LIMIT 3",
    )
    .fetch_all(store.pool())
    .await?;
    let picked = rows
        .iter()
        .map(|r| {
            let code = CreditCode::parse(&col::<String>(r, "credit_code")?)?;
            let licence = LicenceNo::parse(&col::<String>(r, "licence_no")?)?;
            Ok((code, licence))
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let [pending, upheld, rejected] = picked.as_slice() else { return Ok(0) };
    let actor = Actor { name: "demo".into(), ..Actor::cli() };
    let t = now();
    let penalty = |code: &CreditCode, what: &str| EventInput {
        credit_code: code.clone(),
        kind: EventKind::Penalty,
        severity: Severity::General,
        occurred_at: t - 86_400,
        source: "绵阳市市场监督管理局".into(),
        description: what.into(),
    };
    // A downgrade waiting for its objection window.
    super::add_event(store, &actor, &penalty(&pending.0, "未按规定公示食品经营许可证（演示数据）")).await?;
    let mut filed = 0;
    for ((code, licence), upheld_it) in [(upheld, true), (rejected, false)] {
        super::add_event(store, &actor, &penalty(code, "从业人员未持有效健康证明（演示数据）")).await?;
        let event = last_event(store, code).await?;
        let objection = ObjectionInput {
            kind: ObjectionKind::Objection,
            event_id: Some(event),
            licence_no: licence.clone(),
            statement: "检查当日相关人员健康证明已在有效期内，现场未能及时出示，现补交证明材料。（演示数据）".into(),
            contact: "演示联系人 13800000000".into(),
            proof: None,
        };
        let f = super::objections::file(state, code, &objection, None).await?;
        let reasons = if upheld_it {
            "经核查，补交的健康证明在检查日有效，原记录撤销。（演示数据）"
        } else {
            "补交材料的有效期晚于检查日，原记录维持。（演示数据）"
        };
        super::objections::decide(store, &actor, f.id, upheld_it, reasons).await?;
        filed += 1;
    }
    // A credit repair of an old, minor or general event of a licensed business, upheld.
    let old = sqlx::query(
        "SELECT b.credit_code, b.licence_no, e.id FROM credit_events e JOIN businesses b ON b.id = e.business_id \
         WHERE e.severity IN ('minor', 'general') AND e.created_at < $1 AND e.annulled_at IS NULL \
         AND b.licence_no IS NOT NULL ORDER BY e.id LIMIT 1",
    )
    .bind(t - 200 * 86_400)
    .fetch_optional(store.pool())
    .await?;
    if let Some(r) = old {
        let code = CreditCode::parse(&col::<String>(&r, "credit_code")?)?;
        let repair = ObjectionInput {
            kind: ObjectionKind::Repair,
            event_id: Some(col(&r, "id")?),
            licence_no: LicenceNo::parse(&col::<String>(&r, "licence_no")?)?,
            statement: "已按要求完成整改并参加信用修复培训，申请信用修复。（演示数据）".into(),
            contact: "演示联系人 13900000000".into(),
            proof: None,
        };
        let f = super::objections::file(state, &code, &repair, None).await?;
        let reasons = "整改到位，最短公示期已满，准予信用修复。（演示数据）";
        super::objections::decide(store, &actor, f.id, true, reasons).await?;
        filed += 1;
    }
    Ok(filed)
}

/// The newest event of a business.
async fn last_event(store: &Store, code: &domain::credit::CreditCode) -> Result<i64, AppError> {
    let row = sqlx::query(
        "SELECT e.id FROM credit_events e JOIN businesses b ON b.id = e.business_id WHERE b.credit_code = $1 \
         ORDER BY e.id DESC LIMIT 1",
    )
    .bind(code.as_str())
    .fetch_one(store.pool())
    .await?;
    crate::store::col(&row, "id")
}
