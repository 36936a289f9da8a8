//! 食安志愿者: the corps' page with its leaderboard (`/volunteers`), the sign-up form and its receipt (shown
//! once), the phone's confirmation, signing in, the three-tap report (`/volunteers/report?business=…` or
//! `?stall=…`: tap a problem, then 确认提交) and a volunteer's own page. Server-rendered forms that post to the
//! server's routes: everything works with JavaScript off. Pages that read the volunteer's cookie are declared
//! `credential` (answered `private, no-store`).

use crate::lang::{tr, use_lang};
use crate::ui::{encode, form_error, DataTable, FieldError, Loaded};
use domain::cases::CaseState;
use domain::credit::District;
use domain::route::Facts;
use domain::volunteers::{
    Group, Issue, JoinFields as J, Joined, LeaderRow, Leaderboard, Me, QuickReportFields as Q, ReportTarget,
    SignInFields as S, VerifyFields as V, VolunteerState, POINTS_PER_SUBSTANTIATED,
};
use domain::{AppError, T};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The pages of this module and what each needs.
pub const PAGES: &[(&str, Facts)] = &[
    ("/volunteers", Facts::PAGE.cached(10)),
    ("/volunteers/join", Facts::PAGE),
    ("/volunteers/joined/{id}", Facts::PAGE.credential()),
    ("/volunteers/verify", Facts::PAGE),
    ("/volunteers/login", Facts::PAGE),
    ("/volunteers/report", Facts::PAGE.credential()),
    ("/volunteers/me", Facts::PAGE.credential()),
];

/// The leaderboard (public).
#[server(prefix = "/_sf", endpoint = "volunteer_board")]
pub async fn volunteer_board() -> Result<Leaderboard, AppError> {
    backend::volunteers::leaderboard(&crate::ssr::state()?.store).await
}

/// A sign-up's receipt, shown once (read and removed).
#[server(prefix = "/_sf", endpoint = "volunteer_joined")]
pub async fn volunteer_joined(id: String) -> Result<Option<Joined>, AppError> {
    if id.is_empty() || id.len() > 64 {
        return Ok(None);
    }
    backend::cases::drafts::take(&crate::ssr::state()?, "volunteer-joined", &id).await
}

/// The signed-in volunteer, from the request's cookie.
#[server(prefix = "/_sf", endpoint = "volunteer_me")]
pub async fn volunteer_me() -> Result<Option<Me>, AppError> {
    let state = crate::ssr::state()?;
    let token = leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|p| crate::ssr::cookie(&p.headers, backend::volunteers::COOKIE));
    backend::volunteers::current(&state, token.as_deref()).await
}

/// The business a report page is about, and the signed-in volunteer.
#[server(prefix = "/_sf", endpoint = "volunteer_report_page")]
pub async fn volunteer_report_page(business: String, stall: String) -> Result<(ReportTarget, Option<Me>), AppError> {
    let fields = domain::volunteers::QuickReportFields { business, stall, ..Default::default() };
    let target = fields.target()?;
    let state = crate::ssr::state()?;
    let found = backend::volunteers::target(&state.store, &target).await?;
    Ok((found, volunteer_me().await?))
}

/// `/volunteers`: what the corps is, how to join, the leaderboard.
#[component]
pub fn VolunteersPage() -> impl IntoView {
    let board = Resource::new(|| (), |_| volunteer_board());
    let show = |b: Leaderboard| view! { <Board b/> };
    let intro = T::VolunteersIntro.fill(use_lang(), &[("points", &POINTS_PER_SUBSTANTIATED.to_string())]);
    view! {
        <Title text=format!("{} · {}", tr(T::VolunteersTitle), tr(T::BrandName))/>
        <section class="page volunteers">
            <h1>{tr(T::VolunteersTitle)}</h1>
            <p>{intro}</p>
            <h2>{tr(T::VolunteersHowTitle)}</h2>
            <p>{tr(T::VolunteersHow)}</p>
            <p>
                <a class="button primary" href="/volunteers/join">{tr(T::VolunteersJoinLink)}</a>
                " "
                <a class="button" href="/volunteers/login">{tr(T::VolunteersLoginLink)}</a>
                " "
                <a href="/volunteers/me">{tr(T::VolunteersMeLink)}</a>
            </p>
            <Loaded resource=board ok=show/>
        </section>
    }
}

#[component]
fn Board(b: Leaderboard) -> impl IntoView {
    let lang = use_lang();
    let table = move |rows: Vec<LeaderRow>, first: T, label: fn(&str, domain::Lang) -> &str| {
        view! {
            <DataTable headers=vec![first, T::VolunteersColCount, T::VolunteersColReports, T::VolunteersColSubstantiated, T::VolunteersColPoints]>
                {rows
                    .into_iter()
                    .map(|r| view! {
                        <tr>
                            <td>{label(&r.key, lang).to_owned()}</td>
                            <td>{r.volunteers}</td>
                            <td>{r.reports}</td>
                            <td>{r.substantiated}</td>
                            <td>{r.points}</td>
                        </tr>
                    })
                    .collect_view()}
            </DataTable>
        }
    };
    view! {
        <h2>{tr(T::VolunteersByGroup)}</h2>
        {table(b.by_group, T::VolunteersColGroup, Group::label_of)}
        <h2>{tr(T::VolunteersByDistrict)}</h2>
        {table(b.by_district, T::District, District::label_of)}
        <p class="hint">{tr(T::VolunteersBoardNote)}</p>
    }
}

/// `/volunteers/join`: the sign-up form.
#[component]
pub fn JoinPage() -> impl IntoView {
    let lang = use_lang();
    let (code, field) = form_error();
    view! {
        <Title text=format!("{} · {}", tr(T::VolunteerJoinTitle), tr(T::BrandName))/>
        <section class="page">
            <h1>{tr(T::VolunteerJoinTitle)}</h1>
            <p>{tr(T::VolunteersHow)}</p>
            <form method="post" action="/volunteers/join" class="form" aria-label=tr(T::VolunteerJoinTitle)>
                <label for="group">{tr(T::VolunteerGroup)}</label>
                <select id="group" name=J::group required>
                    {Group::ALL.iter().map(|g| view! { <option value=g.as_str()>{g.label(lang)}</option> }).collect_view()}
                </select>
                <FieldError name=J::group code field/>
                <label for="district">{tr(T::District)}</label>
                <select id="district" name=J::district required>
                    {District::ALL.iter().map(|d| view! { <option value=d.as_str()>{d.label(lang)}</option> }).collect_view()}
                </select>
                <FieldError name=J::district code field/>
                <label for="phone">{tr(T::VolunteerPhone)}</label>
                <input id="phone" name=J::phone type="tel" inputmode="tel" autocomplete="tel" maxlength="20" required/>
                <FieldError name=J::phone code field/>
                <label class="check" for="consent">
                    <input id="consent" name=J::consent type="checkbox" value="on" required/>
                    " " {tr(T::VolunteerConsent)}
                </label>
                <FieldError name=J::consent code field/>
                <div class="honeypot" aria-hidden="true">
                    <label for="website">"website"</label>
                    <input id="website" name=J::website type="text" tabindex="-1" autocomplete="off"/>
                </div>
                <button type="submit" class="button primary">{tr(T::VolunteerJoinSubmit)}</button>
            </form>
        </section>
    }
}

/// `/volunteers/joined/{id}`: the receipt, shown once, and the phone's confirmation where a code was sent.
#[component]
pub fn JoinedPage() -> impl IntoView {
    let params = use_params_map();
    let receipt = Resource::new(move || params.read().get("id").unwrap_or_default(), volunteer_joined);
    let show = |j: Option<Joined>| match j {
        Some(j) => view! { <JoinedView j/> }.into_any(),
        None => view! { <p class="notice">{tr(T::VolunteerJoinedGone)}</p> }.into_any(),
    };
    view! {
        <Title text=format!("{} · {}", tr(T::VolunteerJoinedTitle), tr(T::BrandName))/>
        <section class="page">
            <h1>{tr(T::VolunteerJoinedTitle)}</h1>
            <Loaded resource=receipt ok=show/>
        </section>
    }
}

#[component]
fn JoinedView(j: Joined) -> impl IntoView {
    let verify = j.sms_sent.then(|| view! { <VerifyForm number=j.number.clone()/> });
    view! {
        <div class="notice" role="status">
            <p><strong>{tr(T::VolunteerJoinedKeep)}</strong></p>
            <dl class="facts compact">
                <div><dt>{tr(T::VolunteerNumber)}</dt><dd><code>{j.number.clone()}</code></dd></div>
                <div><dt>{tr(T::VolunteerSignInCode)}</dt><dd><code>{j.sign_in_code.clone()}</code></dd></div>
            </dl>
            <p>{tr(T::VolunteerJoinedPending)}</p>
        </div>
        {verify}
        <p><a href="/volunteers/login">{tr(T::VolunteersLoginLink)}</a></p>
    }
}

#[component]
fn VerifyForm(number: String) -> impl IntoView {
    let (code, field) = form_error();
    view! {
        <p role="status">{tr(T::VolunteerVerifyLead)}</p>
        <form method="post" action="/volunteers/verify" class="form" aria-label=tr(T::VolunteerVerifySubmit)>
            <label for="verify-number">{tr(T::VolunteerNumber)}</label>
            <input id="verify-number" name=V::number type="text" maxlength="16" value=number required/>
            <FieldError name=V::number code field/>
            <label for="verify-code">{tr(T::VolunteerSmsCode)}</label>
            <input id="verify-code" name=V::code type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required/>
            <FieldError name=V::code code field/>
            <button type="submit" class="button primary">{tr(T::VolunteerVerifySubmit)}</button>
        </form>
    }
}

/// `/volunteers/verify`: the confirmation form on its own (after a wrong code), or its success.
#[component]
pub fn VerifyPage() -> impl IntoView {
    let query = use_query_map();
    let done = move || query.read().get("done").is_some();
    let number = move || query.read().get("number").unwrap_or_default();
    view! {
        <Title text=format!("{} · {}", tr(T::VolunteerVerifySubmit), tr(T::BrandName))/>
        <section class="page">
            <h1>{tr(T::VolunteerVerifySubmit)}</h1>
            {move || if done() {
                view! {
                    <p class="notice" role="status">{tr(T::VolunteerVerified)}</p>
                    <p><a href="/volunteers/login">{tr(T::VolunteersLoginLink)}</a></p>
                }
                .into_any()
            } else {
                view! { <VerifyForm number=number()/> }.into_any()
            }}
        </section>
    }
}

/// `/volunteers/login`: the number and the sign-in code.
#[component]
pub fn LoginPage() -> impl IntoView {
    let (code, field) = form_error();
    view! {
        <Title text=format!("{} · {}", tr(T::VolunteerLoginTitle), tr(T::BrandName))/>
        <section class="page">
            <h1>{tr(T::VolunteerLoginTitle)}</h1>
            <form method="post" action="/volunteers/login" class="form" aria-label=tr(T::VolunteerLoginTitle)>
                <label for="number">{tr(T::VolunteerNumber)}</label>
                <input id="number" name=S::number type="text" maxlength="16" autocomplete="username" required/>
                <FieldError name=S::number code field/>
                <label for="code">{tr(T::VolunteerSignInCode)}</label>
                <input id="code" name=S::code type="password" maxlength="16" autocomplete="current-password" required/>
                <FieldError name=S::code code field/>
                <button type="submit" class="button primary">{tr(T::VolunteerLoginSubmit)}</button>
            </form>
            <p><a href="/volunteers/join">{tr(T::VolunteersJoinLink)}</a></p>
        </section>
    }
}

/// Why a visitor cannot report (yet): not signed in, or not approved.
#[component]
fn CannotReport(me: Option<Me>) -> impl IntoView {
    let lang = use_lang();
    match me {
        None => view! {
            <p class="notice" role="status">{tr(T::VolunteerNeedSignIn)}</p>
            <p>
                <a class="button primary" href="/volunteers/login">{tr(T::VolunteersLoginLink)}</a>
                " "
                <a class="button" href="/volunteers/join">{tr(T::VolunteersJoinLink)}</a>
            </p>
        }
        .into_any(),
        Some(m) => {
            let state = VolunteerState::label_of(&m.state, lang).to_owned();
            view! { <p class="notice" role="status">{T::VolunteerNotApproved.fill(lang, &[("state", &state)])}</p> }
                .into_any()
        }
    }
}

/// `/volunteers/report?business=…` (or `?stall=…`): tap 1 shows the problems as big buttons; tap 2 (a link
/// adding `kind`) shows the confirmation; tap 3 posts it.
#[component]
pub fn ReportPage() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new(
        move || {
            let q = query.read();
            (q.get("business").unwrap_or_default(), q.get("stall").unwrap_or_default())
        },
        |(b, s)| volunteer_report_page(b, s),
    );
    let show = |(target, me): (ReportTarget, Option<Me>)| view! { <ReportSteps target me/> };
    view! {
        <Title text=format!("{} · {}", tr(T::VolunteerReportTitle), tr(T::BrandName))/>
        <section class="page volunteer-report">
            <h1>{tr(T::VolunteerReportTitle)}</h1>
            <Loaded resource=data ok=show/>
        </section>
    }
}

#[component]
fn ReportSteps(target: ReportTarget, me: Option<Me>) -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let (code, field) = form_error();
    let stall_code = query.read_untracked().get("stall").unwrap_or_default();
    let kind = query.read_untracked().get("kind").and_then(|k| Issue::parse(&k));
    let heading = match &target.stall {
        Some(s) => format!("{} · {}", target.name, s),
        None => target.name.clone(),
    };
    let base = if stall_code.is_empty() {
        format!("/volunteers/report?business={}", encode(&target.credit_code))
    } else {
        format!("/volunteers/report?stall={}", encode(&stall_code))
    };
    let ready = me.as_ref().is_some_and(Me::approved);
    let body = if !ready {
        view! { <CannotReport me/> }.into_any()
    } else if let Some(k) = kind {
        let (business, stall) = if stall_code.is_empty() {
            (target.credit_code.clone(), String::new())
        } else {
            (String::new(), stall_code)
        };
        view! {
            <p><strong>{tr(T::VolunteerReportConfirm)}</strong></p>
            <p class="big-choice">{k.label(lang)}</p>
            <form method="post" action="/volunteers/report" class="form" aria-label=tr(T::VolunteerReportSubmit)>
                <input type="hidden" name=Q::business value=business/>
                <input type="hidden" name=Q::stall value=stall/>
                <input type="hidden" name=Q::kind value=k.as_str()/>
                <label for="note">{tr(T::VolunteerReportNote)}</label>
                <input id="note" name=Q::note type="text" maxlength="200"/>
                <FieldError name=Q::note code field/>
                <FieldError name=Q::kind code field/>
                <FieldError name="volunteer" code field/>
                <button type="submit" class="button primary big">{tr(T::VolunteerReportSubmit)}</button>
            </form>
            <p><a href=base>{tr(T::VolunteerReportBack)}</a></p>
        }
        .into_any()
    } else {
        view! {
            <p>{tr(T::VolunteerReportPick)}</p>
            <FieldError name="volunteer" code field/>
            <ul class="plain big-choices">
                {Issue::ALL
                    .iter()
                    .map(|i| {
                        let href = format!("{base}&kind={}", encode(i.as_str()));
                        view! { <li><a class="button big" href=href>{i.label(lang)}</a></li> }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <p class="lead">
            <a href=format!("/credit/{}", target.credit_code)>{heading}</a>
        </p>
        {body}
    }
}

/// `/volunteers/me`: the signed-in volunteer's reports and points (and the case just filed).
#[component]
pub fn MePage() -> impl IntoView {
    let me = Resource::new(|| (), |_| volunteer_me());
    let show = |m: Option<Me>| match m {
        Some(m) => view! { <MeView m/> }.into_any(),
        None => view! { <CannotReport me=None/> }.into_any(),
    };
    view! {
        <Title text=format!("{} · {}", tr(T::VolunteerMeTitle), tr(T::BrandName))/>
        <section class="page">
            <h1>{tr(T::VolunteerMeTitle)}</h1>
            <Loaded resource=me ok=show/>
        </section>
    }
}

#[component]
fn MeView(m: Me) -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let filed =
        query.read_untracked().get("filed").filter(|n| n.len() <= 32 && m.reports.iter().any(|r| &r.tracking_no == n));
    let filed = filed.map(|no| {
        view! { <p class="notice" role="status">{T::VolunteerReportFiled.fill(lang, &[("no", &no)])}</p> }
    });
    let reports = if m.reports.is_empty() {
        view! { <p>{tr(T::VolunteerNoReports)}</p> }.into_any()
    } else {
        view! {
            <DataTable headers=vec![T::VolunteerCaseNo, T::VolunteerReportedAt, T::Category, T::VolunteerCaseState]>
                {m.reports
                    .iter()
                    .map(|r| {
                        let st = CaseState::parse(&r.state).map(|s| tr(s.label()).to_owned()).unwrap_or_else(|| r.state.clone());
                        view! {
                            <tr>
                                <td><code>{r.tracking_no.clone()}</code></td>
                                <td>{domain::clock::format_date(r.created_at)}</td>
                                <td>{r.business_name.clone()} " · " {r.category.clone()}</td>
                                <td>{st}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </DataTable>
        }
        .into_any()
    };
    view! {
        {filed}
        <dl class="facts compact">
            <div><dt>{tr(T::VolunteerNumber)}</dt><dd><code>{m.number.clone()}</code></dd></div>
            <div><dt>{tr(T::VolunteerGroup)}</dt><dd>{Group::label_of(&m.group, lang).to_owned()}</dd></div>
            <div><dt>{tr(T::District)}</dt><dd>{District::label_of(&m.district, lang).to_owned()}</dd></div>
            <div><dt>{tr(T::VolunteerStateLabel)}</dt><dd>{VolunteerState::label_of(&m.state, lang).to_owned()}</dd></div>
            <div><dt>{tr(T::VolunteerPoints)}</dt><dd><strong>{m.points}</strong></dd></div>
        </dl>
        {reports}
        <form method="post" action="/volunteers/logout" class="inline">
            <button type="submit" class="button">{tr(T::VolunteerLogout)}</button>
        </form>
    }
}
