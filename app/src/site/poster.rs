//! The campaign poster: the logo, the slogan, what residents can do, and a QR code to the portal, laid out to
//! print on one A4 sheet (the print stylesheet drops the site's frame).

use crate::lang::tr;
use crate::ui::Og;
use domain::T;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn PosterPage() -> impl IntoView {
    view! {
        <Title text=format!("{} · {}", tr(T::PosterTitle), tr(T::BrandName))/>
        <Og title=tr(T::PosterSlogan) description=tr(T::HomeIntro)/>
        <section class="poster">
            <header class="poster-head">
                <img src="/logo.svg" width="96" height="96" alt=tr(T::LogoAlt)/>
                <div>
                    <p class="poster-brand">{tr(T::BrandName)}</p>
                    <p class="poster-owner">{tr(T::BrandOwner)}</p>
                </div>
            </header>
            <h1 class="poster-slogan">{tr(T::PosterSlogan)}</h1>
            <div class="poster-body">
                <img class="poster-mascot" src="/mascot.svg" width="220" height="220" alt=tr(T::MascotAlt)/>
                <ul class="poster-actions">
                    <li><strong>{tr(T::NavPicks)}</strong> {tr(T::ActionPicks)}</li>
                    <li><strong>{tr(T::NavReport)}</strong> {tr(T::ActionReport)}</li>
                    <li><strong>{tr(T::NavCredit)}</strong> {tr(T::ActionCredit)}</li>
                    <li><strong>{tr(T::FooterHotline)}</strong></li>
                </ul>
            </div>
            <figure class="poster-qr">
                <img src="/poster/qr.svg" width="200" height="200" alt=tr(T::PosterQrAlt)/>
                <figcaption>{tr(T::PosterScan)}</figcaption>
            </figure>
            <p class="no-print"><a class="button" href="/">{tr(T::BackHome)}</a> " " {tr(T::PosterPrintHint)}</p>
        </section>
    }
}
