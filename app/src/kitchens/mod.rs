//! 阳光餐饮 on a business's page: the camera (在线/离线), the 30-day uptime, the flags staff confirmed with what
//! was done (never pending or dismissed ones), and the vendor's live view only when the business consents. Server
//! HTML, no island.

use crate::lang::{tr, use_lang};
use crate::ui::DataTable;
use domain::clock::format_date;
use domain::kitchens::{percent, FlagKind, SunshineView};
use domain::T;
use leptos::prelude::*;

/// The section, for a business in the programme.
#[component]
pub fn SunshineSection(s: SunshineView) -> impl IntoView {
    let lang = use_lang();
    let uptime = match s.uptime_permille {
        Some(p) => format!("{} · {}", percent(p), T::SunshineDays.fill(lang, &[("n", &s.days_reported.to_string())])),
        None => tr(T::SunshineNoUptime).to_owned(),
    };
    let camera = if s.camera_connected { T::SunshineOnline } else { T::SunshineOffline };
    let live = s.live_url.clone().map(|url| {
        view! {
            <p>
                <a class="button" href=url rel="noopener nofollow external" target="_blank">{tr(T::SunshineLive)}</a>
            </p>
        }
    });
    let flags = if s.flags.is_empty() {
        view! { <p class="notice">{tr(T::SunshineNoFlags)}</p> }.into_any()
    } else {
        view! {
            <DataTable headers=vec![T::FlagDetected, T::FlagKindLabel, T::FlagAction]>
                {s.flags
                    .into_iter()
                    .map(|f| view! {
                        <tr>
                            <td>{format_date(f.detected_at)}</td>
                            <td>{FlagKind::label_of(&f.kind, lang).to_owned()}</td>
                            <td>{f.action_taken}</td>
                        </tr>
                    })
                    .collect_view()}
            </DataTable>
        }
        .into_any()
    };
    view! {
        <section class="sunshine" aria-labelledby="sunshine-title">
            <h2 id="sunshine-title">{tr(T::SunshineTitle)}</h2>
            <p>{tr(T::SunshineIntro)}</p>
            <dl class="facts">
                <div><dt>{tr(T::SunshineCamera)}</dt><dd class=if s.camera_connected { "online" } else { "offline" }>{tr(camera)}</dd></div>
                <div><dt>{tr(T::SunshineUptime)}</dt><dd>{uptime}</dd></div>
                <div><dt>{tr(T::SunshineVendor)}</dt><dd>{s.vendor.clone()}</dd></div>
                <div><dt>{tr(T::SunshineJoined)}</dt><dd>{format_date(s.joined_at)}</dd></div>
            </dl>
            {live}
            <h3>{tr(T::SunshineFlags)}</h3>
            {flags}
        </section>
    }
}
