//! Demo rounds: one finished round with its tally, integrity report and published results; one round open for
//! voting with fifteen candidates and a few thousand ballots; a few nominations awaiting moderation. Skipped
//! when any round exists (idempotent).

use crate::clock::now;
use crate::sealed::keyed_hash;
use crate::seed::rng::Rng;
use crate::staff::audit::Actor;
use crate::store::col;
use crate::AppState;
use domain::picks::{CandidateInput, RoundInput, Schedule, VoterCheck};
use domain::AppError;

const DAY: i64 = 86_400;

const FINISHED: &[(&str, &str, &str)] = &[
    ("小龙虾", "水产品", "夏季消费量大，关注重金属与兽药残留"),
    ("米粉", "粮食加工品", "绵阳人的早餐，关注添加剂"),
    ("豆芽", "蔬菜", "担心无根剂"),
    ("卤肉", "肉制品", "熟食摊点多"),
    ("火锅底料", "调味品", "关注非法添加"),
    ("鸡蛋", "蛋类", "关注兽药残留"),
    ("酸奶", "乳制品", "学生常喝"),
    ("韭菜", "蔬菜", "关注农药残留"),
    ("白酒", "酒类", "本地酒厂多"),
    ("蛋糕", "糕点", "关注防腐剂与菌落总数"),
    ("菜籽油", "食用油", "关注酸价与苯并芘"),
    ("冷饮", "饮料", "夏季关注微生物"),
];

const OPEN: &[(&str, &str, &str)] = &[
    ("腊肉香肠", "肉制品", "春节前家家都买，关注亚硝酸盐"),
    ("汤圆", "粮食加工品", "元宵节前抽检"),
    ("牛肉干", "肉制品", "游客伴手礼"),
    ("凉粉", "餐饮食品", "街头小吃"),
    ("豆腐", "豆制品", "菜市场散装豆腐"),
    ("草莓", "水果", "冬季上市，关注农药残留"),
    ("羊肉", "畜禽肉及副产品", "冬季进补，关注瘦肉精"),
    ("糖果", "糕点", "年货"),
    ("花生油", "食用油", "关注黄曲霉毒素"),
    ("鲜牛奶", "乳制品", "学生奶"),
    ("柑橘", "水果", "本地特产"),
    ("方便面", "粮食加工品", "学生宿舍常备"),
    ("火锅丸子", "肉制品", "关注淀粉与肉含量"),
    ("桶装水", "饮料", "办公室和家庭常用"),
    ("外卖盒饭", "餐饮食品", "网络订餐越来越多"),
];

/// Loads the demo rounds, with ballots in proportion to a registry of `businesses` (3,200 and 1,800 ballots for
/// the city's 44,000; a few dozen for the small registries of tests). Returns the ballots created.
pub async fn load(state: &AppState, businesses: u64) -> Result<u64, AppError> {
    let any: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM rounds").fetch_one(state.store.pool()).await?;
    if any > 0 {
        return Ok(0);
    }
    let t = now();
    let today = t - (t + 8 * 3600).rem_euclid(DAY);
    let actor = Actor::cli();
    let finished = RoundInput {
        title: "2026年第三期 你点我检".into(),
        description: "第三期共征集提名 1,200 余条，经审核确定 12 种候选食品。得票最多的 5 种已完成抽检。".into(),
        schedule: Schedule {
            nominate_from: today - 100 * DAY,
            vote_from: today - 85 * DAY,
            vote_until: today - 70 * DAY,
            publish_at: today - 30 * DAY,
        },
        max_picks: 3,
        show_live: true,
        voter_check: VoterCheck::Device,
    };
    let open = RoundInput {
        title: "2026年第四期 你点我检".into(),
        description: "年货季来了！选出你最想抽检的 3 种食品，投票截止后市场监管部门将组织抽检并公布结果。".into(),
        schedule: Schedule {
            nominate_from: today - 20 * DAY,
            vote_from: today - 5 * DAY,
            vote_until: today + 10 * DAY,
            publish_at: today + 45 * DAY,
        },
        max_picks: 3,
        show_live: true,
        voter_check: VoterCheck::Device,
    };
    let mut created = 0;
    for (n, (round, foods, voters)) in
        [(finished, FINISHED, (businesses / 24).clamp(40, 1800)), (open, OPEN, (businesses / 14).clamp(60, 3200))]
            .into_iter()
            .enumerate()
    {
        let id = super::create_round(state, &actor, &round).await?;
        let mut ids = Vec::new();
        for (food, category, reason) in foods {
            let c = CandidateInput { food: (*food).into(), category: (*category).into(), reason: (*reason).into() };
            ids.push(super::rounds::insert_candidate(&mut *state.store.pool().acquire().await?, id, &c).await?);
        }
        created += ballots(state, id, &ids, voters, round.schedule.vote_from, n as u64).await?;
    }
    Ok(created)
}

/// Inserts `voters` deterministic ballots with a popularity skew, and a few refusals for the integrity report.
async fn ballots(
    state: &AppState,
    round: i64,
    ids: &[i64],
    voters: u64,
    from: i64,
    seed: u64,
) -> Result<u64, AppError> {
    let key = state.config.secret_key.expose();
    let mut rng = Rng::new(0x00ba_1107 + seed);
    let mut tx = state.store.begin_write().await?;
    for v in 0..voters {
        let hash = keyed_hash(key, "demo-voter", &format!("{round}:{v}"));
        let n = 1 + rng.below(3) as usize;
        let mut picks: Vec<i64> = Vec::new();
        while picks.len() < n {
            // Earlier candidates are more popular: the smaller of two draws.
            let i = rng.below(ids.len() as u64).min(rng.below(ids.len() as u64)) as usize;
            if !picks.contains(&ids[i]) {
                picks.push(ids[i]);
            }
        }
        picks.sort_unstable();
        let at = from + rng.below(5 * DAY as u64) as i64;
        let revision = 1 + i64::from(rng.below(12) == 0);
        // Networks with a skew (a few campuses), devices mostly issued days before voting.
        let network = keyed_hash(key, "demo-network", &format!("{round}:{}", rng.below(400).min(rng.below(400))));
        let minted =
            at - if rng.below(20) == 0 { rng.below(3000) as i64 } else { 3600 + rng.below(20 * DAY as u64) as i64 };
        let row = sqlx::query(
            "INSERT INTO ballots (round_id, voter_hash, picks, revision, created_at, updated_at, network_hash, device_minted_at) \
             VALUES ($1, $2, $3, $4, $5, $5, $6, $7) RETURNING id",
        )
        .bind(round)
        .bind(&hash)
        .bind(picks.iter().map(i64::to_string).collect::<Vec<_>>().join(","))
        .bind(revision)
        .bind(at)
        .bind(&network)
        .bind(minted)
        .fetch_one(&mut *tx)
        .await?;
        let ballot: i64 = col(&row, "id")?;
        for p in &picks {
            sqlx::query("INSERT INTO ballot_picks (ballot_id, round_id, candidate_id) VALUES ($1, $2, $3)")
                .bind(ballot)
                .bind(round)
                .bind(p)
                .execute(&mut *tx)
                .await?;
        }
    }
    for (reason, n) in
        [("rate_limited", 37 + seed as i64 * 11), ("honeypot", 12), ("closed", 4), ("invalid", 9), ("no_voter", 21)]
    {
        sqlx::query("INSERT INTO ballot_refusals (round_id, reason, n) VALUES ($1, $2, $3)")
            .bind(round)
            .bind(reason)
            .bind(n)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(voters)
}
