//! 数据统计: live statistics counted from the data, charts as SVG with every number also as text (readable
//! without JavaScript and by screen readers), the districts' 消费环境指数 ranked, and the campaign's reported
//! achievements beside them, labelled as reported.

use crate::lang::{tr, use_lang};
use crate::site::figures::{get_figures, FigureGrid};
use crate::ui::{DataTable, Loaded, Og};
use domain::cases::{Channel, SatisfactionFigure, SatisfactionStats};
use domain::clock::format_datetime;
use domain::credit::District;
use domain::figures::group_thousands;
use domain::follow::{paths, Only};
use domain::route::Facts;
use domain::stats::{percent, DistrictStats, Stats};
use domain::{AppError, Lang, T};
use leptos::prelude::*;
use leptos_meta::{Link, Title};

/// The pages of this module: the same for everyone, counted at most once a minute per language.
pub const PAGES: &[(&str, Facts)] = &[("/stats", Facts::PAGE.cached(60))];

/// The live statistics (public).
#[server(prefix = "/_sf", endpoint = "stats")]
pub async fn get_stats() -> Result<Stats, AppError> {
    let state = crate::ssr::state()?;
    backend::stats::cached(&state).await
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_owned(), |v| format!("{v:.1}%"))
}

#[component]
pub fn StatsPage() -> impl IntoView {
    let stats = Resource::new(|| (), |_| get_stats());
    let figures = Resource::new(|| (), |_| get_figures());
    let show_stats = |s: Stats| view! { <StatsView s/> };
    let show_figures = |f: Option<domain::figures::CampaignFigures>| f.map(|f| view! { <FigureGrid f/> });
    view! {
        <Title text=format!("{} · {}", tr(T::StatsTitle), tr(T::BrandName))/>
        <Og title=tr(T::StatsTitle) description=tr(T::StatsIntro)/>
        {District::ALL
            .iter()
            .map(|d| {
                let title = format!("{} · {}", d.as_str(), tr(T::FollowFeed));
                view! { <Link rel="alternate" type_="application/atom+xml" href=paths::district(d.as_str(), None) title/> }
            })
            .collect_view()}
        <section class="page stats">
            <h1>{tr(T::StatsTitle)}</h1>
            <p class="lead">{tr(T::StatsIntro)}</p>
            <Loaded resource=stats ok=show_stats/>
            <h2>{tr(T::HomeFiguresTitle)}</h2>
            <p class="hint">{tr(T::StatsReportedNote)}</p>
            <Loaded resource=figures ok=show_figures/>
        </section>
    }
}

/// The live figures as a grid (the home page shows the first row).
#[component]
pub fn LiveFigures(s: Stats) -> impl IntoView {
    let items = [
        (group_thousands(s.businesses), T::StatsBusinesses),
        (pct(s.pass_rate()), T::StatsPassRate),
        (group_thousands(s.batches), T::StatsBatches),
        (group_thousands(s.ballots), T::StatsBallots),
        (group_thousands(s.rounds_held), T::StatsRounds),
        (group_thousands(s.cases_received), T::StatsCasesReceived),
        (group_thousands(s.cases_accepted), T::StatsCasesAccepted),
        (pct(s.on_time_rate()), T::StatsOnTime),
        (group_thousands(s.cases_substantiated), T::StatsSubstantiated),
        (format!("{} · ¥{}", group_thousands(s.rewards_paid), group_thousands(s.rewards_paid_amount)), T::StatsRewards),
    ];
    view! {
        <dl class="figure-grid live">
            {items.into_iter().map(|(v, label)| view! { <div class="figure"><dt>{tr(label)}</dt><dd>{v}</dd></div> }).collect_view()}
        </dl>
    }
}

/// The home page's strip of live figures, linking to `/stats`.
#[component]
pub fn HomeLive(s: Stats) -> impl IntoView {
    let items = [
        (group_thousands(s.businesses), T::StatsBusinesses),
        (pct(s.pass_rate()), T::StatsPassRate),
        (group_thousands(s.ballots), T::StatsBallots),
        (group_thousands(s.cases_received), T::StatsCasesReceived),
        (pct(s.on_time_rate()), T::StatsOnTime),
    ];
    view! {
        <dl class="figure-grid live">
            {items.into_iter().map(|(v, label)| view! { <div class="figure"><dt>{tr(label)}</dt><dd>{v}</dd></div> }).collect_view()}
        </dl>
        <p><a href="/stats">{tr(T::StatsMore)}</a></p>
    }
}

#[component]
fn StatsView(s: Stats) -> impl IntoView {
    let lang = use_lang();
    let at = format_datetime(s.computed_at);
    let grades = s.grades;
    let districts = s.districts.clone();
    let satisfaction = s.satisfaction.clone();
    let v = s.volunteers;
    view! {
        <LiveFigures s/>
        <p class="updated">{tr(T::StatsComputedAt)} " " {at}</p>
        <h2 id="grades-title">{tr(T::StatsGrades)}</h2>
        <GradeChart grades/>
        <h2 id="index-title">{tr(T::StatsIndexTitle)}</h2>
        <p class="hint">{tr(T::StatsIndexFormula)}</p>
        <DistrictMap districts=districts.clone() lang/>
        <DataTable headers=vec![T::StatsRank, T::District, T::StatsIndex, T::StatsBusinesses, T::StatsShareA, T::StatsPassRate, T::StatsSubstantiated, T::FollowFeed]>
            {districts
                .into_iter()
                .enumerate()
                .map(|(i, d)| {
                    let a_share = pct(percent(d.grades[0], d.businesses));
                    let feed = |only| paths::district(&d.district, only);
                    let follow = view! {
                        <a href=feed(None) type="application/atom+xml">{tr(T::FollowAll)}</a>
                        " · "
                        <a href=feed(Some(Only::GradeDrops)) type="application/atom+xml">{tr(T::FollowGradeDrops)}</a>
                        " · "
                        <a href=feed(Some(Only::FailingBatches)) type="application/atom+xml">{tr(T::FollowFailingBatches)}</a>
                        " · "
                        <a href=format!("/follow/district:{}", paths::encode(&d.district))>{tr(T::FollowSmsLink)}</a>
                    };
                    view! {
                        <tr id=format!("district-{}", d.district)>
                            <td>{d.index.map(|_| (i + 1).to_string()).unwrap_or_else(|| "—".to_owned())}</td>
                            <th scope="row">{District::label_of(&d.district, lang).to_owned()}</th>
                            <td><strong>{d.index.map_or_else(|| "—".to_owned(), |v| format!("{v:.1}"))}</strong></td>
                            <td>{group_thousands(d.businesses)}</td>
                            <td>{a_share}</td>
                            <td>{pct(percent(d.batches_passed, d.batches))} " (" {group_thousands(d.batches)} ")"</td>
                            <td>{group_thousands(d.substantiated_cases)}</td>
                            <td>{follow}</td>
                        </tr>
                    }
                })
                .collect_view()}
        </DataTable>
        <Satisfaction s=satisfaction lang/>
        <h2 id="volunteers">{tr(T::StatsVolunteersTitle)}</h2>
        <dl class="figure-grid live volunteers">
            <div class="figure"><dt>{tr(T::StatsVolunteers)}</dt><dd>{group_thousands(v.volunteers)}</dd></div>
            <div class="figure"><dt>{tr(T::StatsVolunteerReports)}</dt><dd>{group_thousands(v.reports)}</dd></div>
            <div class="figure"><dt>{tr(T::StatsVolunteerShare)}</dt><dd>{pct(percent(v.substantiated, v.reports))}</dd></div>
        </dl>
        <p><a href="/volunteers">{tr(T::VolunteersTitle)}</a></p>
    }
}

/// 群众满意度: the rate with its count, overall, by channel and by district, and the share of cases reopened.
#[component]
fn Satisfaction(s: SatisfactionStats, lang: Lang) -> impl IntoView {
    let rate = |f: &SatisfactionFigure| format!("{} ({})", pct(f.rate), group_thousands(f.ratings));
    let channels: Vec<_> = s.by_channel.iter().filter(|f| f.ratings > 0).cloned().collect();
    let districts: Vec<_> = s.by_district.iter().filter(|f| f.ratings > 0).cloned().collect();
    view! {
        <h2 id="satisfaction">{tr(T::StatsSatisfactionTitle)}</h2>
        <p class="hint">{tr(T::StatsSatisfactionNote)}</p>
        <dl class="figure-grid live satisfaction">
            <div class="figure"><dt>{tr(T::StatsSatisfactionRate)}</dt><dd data-testid="satisfaction-rate">{pct(s.overall.rate)}</dd></div>
            <div class="figure"><dt>{tr(T::StatsRatings)}</dt><dd data-testid="satisfaction-count">{group_thousands(s.overall.ratings)}</dd></div>
            <div class="figure"><dt>{tr(T::StatsReopenedShare)}</dt><dd>{pct(s.reopened_share)} " (" {group_thousands(s.reopened_cases)} "/" {group_thousands(s.decided_cases)} ")"</dd></div>
        </dl>
        <h3>{tr(T::StatsByChannel)}</h3>
        <DataTable headers=vec![T::StatsGroup, T::StatsSatisfactionRate]>
            {channels.into_iter().map(|f| view! {
                <tr><th scope="row">{Channel::parse(&f.group).map_or(f.group.clone(), |c| tr(c.label()).to_owned())}</th><td>{rate(&f)}</td></tr>
            }).collect_view()}
        </DataTable>
        <h3>{tr(T::StatsByDistrict)}</h3>
        <DataTable headers=vec![T::StatsGroup, T::StatsSatisfactionRate]>
            {districts.into_iter().map(|f| view! {
                <tr><th scope="row">{District::label_of(&f.group, lang).to_owned()}</th><td>{rate(&f)}</td></tr>
            }).collect_view()}
        </DataTable>
    }
}

/// Businesses by grade: a bar per grade, the count and share written beside it.
#[component]
fn GradeChart(grades: [i64; 4]) -> impl IntoView {
    let total: i64 = grades.iter().sum();
    let max = grades.iter().copied().max().unwrap_or(0).max(1);
    let labels = [
        ("A", T::GradeA, "grade-a"),
        ("B", T::GradeB, "grade-b"),
        ("C", T::GradeC, "grade-c"),
        ("D", T::GradeD, "grade-d"),
    ];
    // One row per grade: its label, then the bar with the count and share after it (fits 360 px in both languages).
    let row_h = 48;
    view! {
        <svg class="chart-svg" viewBox=format!("0 0 360 {}", row_h * 4 + 4) role="img" aria-labelledby="grades-title">
            {labels
                .into_iter()
                .zip(grades)
                .enumerate()
                .map(|(i, ((letter, label, class), n))| {
                    let y = 2 + i as i64 * row_h;
                    let w = n * 220 / max;
                    let text = format!("{} · {}", group_thousands(n), pct(percent(n, total)));
                    view! {
                        <g>
                            <text x="0" y=y + 15 class="chart-label">{format!("{letter} {}", tr(label))}</text>
                            <rect x="0" y=y + 21 width=w.max(2) height="20" rx="3" class=format!("bar {class}")/>
                            <text x=w.max(2) + 6 y=y + 36 class="chart-value">{text}</text>
                        </g>
                    }
                })
                .collect_view()}
        </svg>
    }
}

/// Where each district sits on a 4 × 4 grid, roughly as on the map (north up).
fn tile(district: District) -> (i64, i64) {
    match district {
        District::Pingwu => (0, 0),
        District::Jiangyou => (1, 0),
        District::Zitong => (2, 0),
        District::Beichuan => (0, 1),
        District::Anzhou => (1, 1),
        District::Youxian => (2, 1),
        District::Yanting => (3, 1),
        District::ScienceCity => (0, 2),
        District::Fucheng => (1, 2),
        District::EconomicZone => (2, 2),
        District::Santai => (3, 2),
        District::HiTechZone => (1, 3),
    }
}

/// The name that fits on a tile: 北川 without its long suffix, the English name's first word.
fn short(district: District, lang: Lang) -> &'static str {
    let label = district.label(lang);
    match lang {
        Lang::Zh => label.trim_end_matches("羌族自治县"),
        Lang::En => label.split(' ').next().unwrap_or(label),
    }
}

/// The districts as tiles placed like the map, shaded by their index, the index written on each.
#[component]
fn DistrictMap(districts: Vec<DistrictStats>, lang: Lang) -> impl IntoView {
    let (w, h) = (84, 62);
    view! {
        <svg class="chart-svg map" viewBox=format!("0 0 {} {}", 4 * w + 4, 4 * h + 4) role="img" aria-labelledby="index-title">
            {districts
                .into_iter()
                .filter_map(|d| {
                    // A district the vocabulary does not know has no place on the map (it stays in the table).
                    let district = District::parse(&d.district)?;
                    let (col, row) = tile(district);
                    let shade = match d.index {
                        Some(v) if v >= 95.0 => "idx-1",
                        Some(v) if v >= 90.0 => "idx-2",
                        Some(v) if v >= 85.0 => "idx-3",
                        Some(_) => "idx-4",
                        None => "idx-none",
                    };
                    let (x, y) = (2 + col * w, 2 + row * h);
                    Some(view! {
                        <g>
                            <rect x=x y=y width=w - 4 height=h - 4 rx="6" class=format!("tile {shade}")/>
                            <text x=x + (w - 4) / 2 y=y + 24 class="tile-name">{short(district, lang)}</text>
                            <text x=x + (w - 4) / 2 y=y + 46 class="tile-value">
                                {d.index.map_or_else(|| "—".to_owned(), |v| format!("{v:.1}"))}
                            </text>
                        </g>
                    })
                })
                .collect_view()}
        </svg>
    }
}
