//! Images for a business: the QR code of its page, and an embeddable credit badge for the shop's own site.

use crate::http::extract::Code;
use crate::http::Shared;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use domain::credit::Grade;
use domain::AppError;
use http::header::{self, HeaderMap, HeaderValue};

pub(crate) fn svg(body: String) -> Response {
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/svg+xml"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    // Other sites may show the badge.
    h.insert("cross-origin-resource-policy", HeaderValue::from_static("cross-origin"));
    res
}

/// This site's address for `path`: from `PORTAL_PUBLIC_URL` when set, else from the request's `Host` (reduced to
/// host characters). Routes using it declare `Facts::host_bound`, so without the configured origin their
/// answers are never cached for everyone (another `Host` would poison them).
pub(crate) fn absolute_url(shared: &Shared, headers: &HeaderMap, path: &str) -> String {
    if let Some(origin) = &shared.app.config.public_url {
        return format!("{origin}{path}");
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("127.0.0.1");
    let host: String =
        host.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | ':' | '-' | '[' | ']')).collect();
    let scheme = if shared.app.config.cookie_secure { "https" } else { "http" };
    format!("{scheme}://{host}{path}")
}

/// A QR code of `url` as SVG.
pub(crate) fn qr_svg(url: &str, size: u32) -> Result<Response, AppError> {
    let qr = qrcode::QrCode::new(url.as_bytes()).map_err(AppError::internal)?;
    Ok(svg(qr.render::<qrcode::render::svg::Color<'_>>().min_dimensions(size, size).quiet_zone(true).build()))
}

/// `/credit/{code}/qr.svg`: scanned at the shop, opens the business's page.
pub async fn qr(State(shared): State<Shared>, headers: HeaderMap, Code(code): Code) -> Result<Response, AppError> {
    qr_svg(&absolute_url(&shared, &headers, &format!("/credit/{code}")), 160)
}

/// `/credit/{code}/badge.svg`: the current grade, for a shop's own website.
pub async fn badge(State(shared): State<Shared>, Code(code): Code) -> Result<Response, AppError> {
    let detail = backend::credit::detail(&shared.app, &code).await?.ok_or_else(AppError::not_found)?;
    let grade = detail.summary.grade;
    let color = match grade {
        _ if detail.summary.awaiting_inspection => "#5f6b7a",
        Grade::A => "#0a7c4a",
        Grade::B => "#1f63a0",
        Grade::C => "#a8530a",
        Grade::D => "#b42318",
    };
    // A business never inspected has no grade to show: 待检查.
    let (g, label) = if detail.summary.awaiting_inspection {
        ("—", domain::T::AwaitingInspection.get(domain::Lang::Zh))
    } else {
        (grade.as_str(), grade.label().get(domain::Lang::Zh))
    };
    Ok(svg(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"220\" height=\"40\" viewBox=\"0 0 220 40\" role=\"img\" \
         aria-label=\"食安绵阳 信用等级 {g} {label}\"><rect width=\"220\" height=\"40\" rx=\"6\" fill=\"#fff\" \
         stroke=\"{color}\" stroke-width=\"2\"/><rect x=\"0\" y=\"0\" width=\"120\" height=\"40\" rx=\"6\" \
         fill=\"{color}\"/><text x=\"60\" y=\"26\" font-size=\"15\" fill=\"#fff\" text-anchor=\"middle\" \
         font-family=\"sans-serif\">食安绵阳·信用</text><text x=\"170\" y=\"27\" font-size=\"17\" font-weight=\"bold\" \
         fill=\"{color}\" text-anchor=\"middle\" font-family=\"sans-serif\">{g} {label}</text></svg>"
    )))
}
