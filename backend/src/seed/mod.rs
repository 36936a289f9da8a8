//! The demo data set (DESIGN.md section 6): deterministic, idempotent, labelled as demo data on every page.

/// The deterministic random numbers every module's demo data is drawn from.
pub mod rng;

use crate::clock::now;
use crate::site::figures;
use crate::staff::accounts as staff;
use crate::staff::audit::Actor;
use crate::AppState;
use domain::figures::CampaignFigures;
use domain::staff::Role;
use domain::AppError;

/// The demo staff password the tests use (they pass it to [`demo_with`]). `server seed --demo` uses
/// `PORTAL_DEMO_PASSWORD` when set, else a fresh random password printed once: a published password must never
/// open a real console.
pub const DEMO_PASSWORD: &str = "mianyang-demo-2026";
pub const DEMO_ACCOUNTS: [(&str, Role); 3] =
    [("demo_admin", Role::Admin), ("demo_moderator", Role::Moderator), ("demo_viewer", Role::Viewer)];

/// The campaign's published figures.
pub fn demo_figures() -> CampaignFigures {
    CampaignFigures {
        businesses: 43_993,
        pass_rate_bp: 9_970,
        batches_sampled: 49_895,
        cases_investigated: 2_945,
        volunteers: 5_000,
        updated_at: 0,
    }
}

#[derive(Debug, Default)]
pub struct SeedReport {
    pub accounts_created: usize,
    pub businesses_created: u64,
    pub ballots_created: u64,
    pub results_created: u64,
    pub cases_created: u64,
    pub objections_created: u64,
    pub articles_created: u64,
    pub rapid_tests_created: u64,
    pub volunteers_created: u64,
    pub kitchens_created: u64,
}

/// Size of the generated registry in `server seed --demo` (the city has about 44,000 licensed businesses).
pub const DEMO_BUSINESSES: u64 = 44_000;

/// Loads the demo data; the demo accounts get `password`. Running it twice changes no data the second time
/// (the demo accounts' password is set again).
pub async fn demo(state: &AppState, password: &str) -> Result<SeedReport, AppError> {
    demo_with(state, DEMO_BUSINESSES, password).await
}

/// The demo data with a registry of `businesses` generated businesses (tests use a small one).
pub async fn demo_with(state: &AppState, businesses: u64, password: &str) -> Result<SeedReport, AppError> {
    let mut report = SeedReport {
        businesses_created: crate::credit::seed::load(&state.store, 0, businesses).await?,
        ..SeedReport::default()
    };
    figures::upsert(&state.store, &CampaignFigures { updated_at: now(), ..demo_figures() }, false).await?;
    report.ballots_created = crate::picks::seed::load(state, businesses).await?;
    report.results_created = crate::sampling::seed::load(state, businesses).await?;
    report.cases_created = crate::cases::seed::load(state).await?;
    report.objections_created = crate::credit::seed::objections(state).await?;
    report.articles_created = crate::news::seed::load(state).await?;
    report.rapid_tests_created =
        crate::markets::seed::load_sized(state, crate::markets::seed::stalls_for(businesses)).await?;
    report.volunteers_created = crate::volunteers::seed::load(state, businesses).await?;
    report.kitchens_created = crate::kitchens::seed::load(state, businesses).await?;
    for (name, role) in DEMO_ACCOUNTS {
        if staff::exists(state, name).await? {
            staff::set_password(state, &Actor::cli(), name, password).await?;
        } else {
            staff::create(state, &Actor::cli(), name, password, role).await?;
            report.accounts_created += 1;
        }
    }
    Ok(report)
}

/// Whether any demo account exists (the server refuses to serve them on a public address unless told to).
pub async fn has_demo_accounts(state: &AppState) -> Result<bool, AppError> {
    for (name, _) in DEMO_ACCOUNTS {
        if staff::exists(state, name).await? {
            return Ok(true);
        }
    }
    Ok(false)
}
