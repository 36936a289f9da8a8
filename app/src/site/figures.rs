//! The campaign's reported figures (entered by staff), shown on the home, statistics and staff pages.

use crate::lang::tr;
use domain::figures::{group_thousands, CampaignFigures};
use domain::{AppError, T};
use leptos::prelude::*;

/// The campaign figures (public). `None` before the database is seeded.
#[server(prefix = "/_sf", endpoint = "figures")]
pub async fn get_figures() -> Result<Option<CampaignFigures>, AppError> {
    let state = crate::ssr::state()?;
    backend::site::figures::get(&state.store).await
}

#[component]
pub fn FigureGrid(f: CampaignFigures) -> impl IntoView {
    let items = [
        (group_thousands(f.businesses), T::FigureBusinesses),
        (format!("≥ {}", f.pass_rate_text()), T::FigurePassRate),
        (group_thousands(f.batches_sampled), T::FigureBatches),
        (group_thousands(f.cases_investigated), T::FigureCases),
        (group_thousands(f.volunteers), T::FigureVolunteers),
    ];
    view! {
        <dl class="figure-grid">
            {items
                .into_iter()
                .map(|(value, label)| {
                    view! {
                        <div class="figure">
                            <dt>{tr(label)}</dt>
                            <dd>{value}</dd>
                        </div>
                    }
                })
                .collect_view()}
        </dl>
        <p class="updated">{tr(T::FiguresUpdated)} " " {domain::clock::format_date(f.updated_at)}</p>
    }
}
