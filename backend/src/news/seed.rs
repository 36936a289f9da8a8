//! Demo articles: published ones over the past weeks (one with a cover), one scheduled for next week and one
//! draft, so the scheduling rule shows. Skipped when any article exists (idempotent).

use crate::clock::now;
use crate::images::sample_png;
use crate::staff::audit::Actor;
use crate::store::col;
use crate::AppState;
use domain::news::{ArticleInput, NewsTag};
use domain::AppError;

const DAY: i64 = 86_400;

/// (days from now, published, title, summary, tags, body)
const ARTICLES: &[(i64, bool, &str, &str, &str, &str)] = &[
    (-1, true, "第十二期“你点我检”投票开始", "市民可在本站为最想抽检的食品投票，得票最高的五种食品将由市场监管部门抽检。", "你点我检",
     "## 怎么参加\n\n1. 打开 **你点我检** 栏目，选择正在投票的一期；\n2. 勾选最多三种想抽检的食品；\n3. 提交即可。投票截止前可以修改。\n\n> 每位市民每期一票，结果与抽检报告将在本站公布。"),
    (-4, true, "11月食品安全监督抽检结果公告", "本月共抽检食品 1,204 批次，合格 1,199 批次，不合格 5 批次，已依法处置。", "抽检公告",
     "本月全市共抽检 **1,204** 批次食品，合格率 **99.6%**。\n\n| 类别 | 批次 | 不合格 |\n|---|---|---|\n| 蔬菜 | 312 | 2 |\n| 肉制品 | 188 | 1 |\n| 水产品 | 140 | 2 |\n\n不合格产品均已下架，相关经营者已立案调查。详见 [抽检结果](/results)。"),
    (-9, true, "有奖举报：兑现奖励 12.6 万元", "今年以来共有 86 件举报查证属实，举报人领取奖励 12.6 万元。", "举报奖励",
     "依据《市场监管领域重大违法行为举报奖励暂行办法》，查证属实的举报可获奖励，**匿名举报同样可以领取**。\n\n- 举报时保存好受理编号和查询码；\n- 奖励结果可在 [进度查询](/track) 中查看。"),
    (-15, true, "科普：冬季火锅食材怎么选", "冻品看标签、肉类看颜色、底料看配料表，三招吃得放心。", "科普",
     "### 冻品\n看生产日期和冷链标识，反复解冻的不要买。\n\n### 肉类\n颜色鲜红、有弹性；发暗、发黏的不要买。\n\n### 底料\n配料表中不应出现罂粟壳等非法添加物。发现问题请 [举报](/report)。"),
    (-30, true, "“食安绵阳”吉祥物绵绵正式亮相", "以绵阳特产为原型的吉祥物“绵绵”，将陪伴市民参与食品安全共治。", "你点我检,科普",
     "吉祥物 **绵绵** 手持放大镜，寓意“人人都是食品安全监督员”。\n\n![绵绵](/mascot.svg)"),
    (7, true, "元旦节前食品安全专项检查安排", "节前将对商超、农贸市场和网红餐饮开展专项检查。", "抽检公告",
     "本文为定时发布的公告，发布时间前不会出现在网站上。"),
    (0, false, "（草稿）2027 年第一期你点我检候选食品", "草稿，尚未发布。", "你点我检", "候选食品名单整理中。"),
];

/// Loads the demo articles; returns how many were created.
pub async fn load(state: &AppState) -> Result<u64, AppError> {
    let store = &state.store;
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM news_articles").fetch_one(store.pool()).await?;
    if existing > 0 {
        return Ok(0);
    }
    let actor = Actor { id: None, name: "demo".to_owned() };
    let t = now();
    let mut created = 0;
    for (i, (days, published, title, summary, tags, body)) in ARTICLES.iter().enumerate() {
        let input = ArticleInput {
            title: (*title).to_owned(),
            summary: (*summary).to_owned(),
            body: (*body).to_owned(),
            tags: tags.split(',').map(str::to_owned).collect(),
            published: *published,
            publish_at: published.then_some(t + days * DAY),
            cover_alt: if i == 1 { "抽检人员在农贸市场取样".to_owned() } else { String::new() },
            remove_cover: false,
            batch_id: None,
        };
        let cover = if i == 1 {
            Some(
                super::prepare_cover(
                    &std::sync::Arc::new(crate::images::DecodeBudget::for_machine()),
                    sample_png(640, 360, [10, 124, 74]),
                )
                .await?,
            )
        } else {
            None
        };
        super::save(store, &actor, None, &input, cover, None).await?;
        created += 1;
    }
    // A 消费提示 about the first failing batch, on the home page for 30 days.
    let failing: Option<(i64, String, String)> = sqlx::query(
        "SELECT s.id, s.food, s.business_name FROM sampling_batches s WHERE s.passed = 0 ORDER BY s.id LIMIT 1",
    )
    .fetch_optional(store.pool())
    .await?
    .map(|r| Ok::<_, AppError>((col(&r, "id")?, col(&r, "food")?, col(&r, "business_name")?)))
    .transpose()?;
    if let Some((batch, food, business)) = failing {
        let input = ArticleInput {
            title: format!("消费提示：{business}销售的{food}抽检不合格"),
            summary: format!("该批次{food}已下架，请已购买的市民停止食用，可凭购物凭证退货。"),
            body: format!(
                "市场监管部门抽检发现，{business}销售的 **{food}** 不合格。\n\n- 涉事产品已下架；\n- 已购买的市民请停止食用，\
                 凭购物凭证退货；\n- 发现仍在销售的，请 [举报](/report)。\n\n核查处置进展见 [抽检结果](/results?verdict=fail)。"
            ),
            tags: vec![NewsTag::ConsumerAlert.as_str().to_owned()],
            published: true,
            publish_at: Some(t - 2 * DAY),
            cover_alt: String::new(),
            remove_cover: false,
            batch_id: Some(batch),
        };
        super::save(store, &actor, None, &input, None, None).await?;
        created += 1;
    }
    Ok(created)
}
