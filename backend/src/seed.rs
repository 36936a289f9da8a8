//! The demo data set (DESIGN.md section 6): deterministic, idempotent, labelled as demo data on every page.

use crate::staff::audit::Actor;
use crate::clock::now;
use crate::site::figures;
use crate::staff::accounts as staff;
use crate::AppState;
use domain::figures::CampaignFigures;
use domain::staff::Role;
use domain::AppError;

/// The demo staff accounts' shared password. Only `server seed --demo` creates these accounts.
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
}

/// Size of the generated registry in `server seed --demo` (the city has about 44,000 licensed businesses).
pub const DEMO_BUSINESSES: u64 = 44_000;

/// Loads the demo data. Running it twice changes nothing the second time.
pub async fn demo(state: &AppState) -> Result<SeedReport, AppError> {
    demo_with(state, DEMO_BUSINESSES).await
}

/// The demo data with a registry of `businesses` generated businesses (tests use a small one).
pub async fn demo_with(state: &AppState, businesses: u64) -> Result<SeedReport, AppError> {
    let mut report = SeedReport {
        businesses_created: crate::credit::seed::load(&state.store, 0, businesses).await?,
        ..SeedReport::default()
    };
    figures::upsert(&state.store, &CampaignFigures { updated_at: now(), ..demo_figures() }, false).await?;
    for (name, role) in DEMO_ACCOUNTS {
        if !staff::exists(state, name).await? {
            staff::create(state, &Actor::cli(), name, DEMO_PASSWORD, role).await?;
            report.accounts_created += 1;
        }
    }
    Ok(report)
}
