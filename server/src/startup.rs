//! Builds the app from a config and a bound listener (so tests run the real app on port 0), and serves it with
//! TCP_NODELAY, a header-read timeout and graceful shutdown.

use crate::http::{self, Shared};
use crate::{api, badges, forms, forms_credit};
use axum::extract::ConnectInfo;
use axum::routing::{get, post};
use axum::Router;
use backend::config::Config;
use backend::{AppState, Store};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// A built, not yet serving, portal.
pub struct Running {
    listener: TcpListener,
    router: Router,
    pub state: AppState,
    pub shared: Shared,
}

/// Connects and migrates the database, then assembles the routes and middleware.
pub async fn build(config: Config, listener: TcpListener) -> anyhow::Result<Running> {
    let store = Store::connect(config.database_url.expose()).await?;
    store.migrate().await?;
    let state = AppState::new(store, config);
    let shared = Shared::new(state.clone());
    http::limits::spawn_cleanup(shared.limiters.clone());
    let router = router(shared.clone());
    Ok(Running { listener, router, state, shared })
}

pub(crate) fn make_leptos_options(config: &Config) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("portal")
        .site_root(config.site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(config.site_addr)
        .build()
}

/// All routes, behind the middleware stack.
pub fn router(shared: Shared) -> Router {
    let routes = generate_route_list(app::App);
    let ctx = {
        let state = shared.app.clone();
        move || {
            provide_context(state.clone());
            // Pages are rendered with a marker nonce; `http::headers` swaps in a fresh one per response.
            provide_context(leptos::nonce::Nonce::from_value(http::headers::NONCE_MARKER));
        }
    };
    let shell = {
        let options = shared.leptos.clone();
        move || app::shell(options.clone())
    };
    let pages = Router::new()
        .route("/lang", post(forms::set_lang))
        .route("/staff/login", post(forms::login))
        .route("/staff/logout", post(forms::logout))
        .route("/staff/figures", post(forms::update_figures))
        .route("/credit/{code}/reply", post(forms_credit::submit_reply))
        .route("/staff/businesses", post(forms_credit::save_business))
        .route("/staff/events", post(forms_credit::add_event))
        .route(
            "/staff/businesses/import",
            post(forms_credit::import_upload).layer(axum::extract::DefaultBodyLimit::max(http::IMPORT_MAX_BYTES)),
        )
        .route("/staff/replies/{id}/decide", post(forms_credit::decide_reply))
        .route("/credit/{code}/qr.svg", get(badges::qr))
        .route("/credit/{code}/badge.svg", get(badges::badge))
        .leptos_routes_with_context(&shared, routes, ctx.clone(), shell)
        .fallback(leptos_axum::file_and_error_handler_with_context::<Shared, _>(ctx, app::shell))
        .layer(axum::middleware::from_fn_with_state(shared.clone(), http::cache::page_cache))
        .layer(axum::middleware::from_fn_with_state(shared.clone(), http::staff_gate::staff_gate));

    let router = Router::new()
        .route("/healthz", get(api::health::healthz))
        .route("/readyz", get(api::health::readyz))
        .nest("/api/v1", api::router())
        .merge(pages);
    http::stack(router, &shared).with_state(shared)
}

impl Running {
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// Serves until `shutdown` resolves, then lets open requests finish (at most 10 s).
    pub async fn serve(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let Running { listener, router, state, .. } = self;
        let graceful = hyper_util::server::graceful::GracefulShutdown::new();
        let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
        // axum::serve sets no header-read timeout: slow clients could hold connections open forever.
        builder.http1().timer(TokioTimer::new()).header_read_timeout(Duration::from_secs(10));
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let (stream, peer) = match accepted {
                        Ok(x) => x,
                        Err(e) => {
                            tracing::warn!(error = %e, "accept failed");
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            continue;
                        }
                    };
                    // Without TCP_NODELAY streamed pages stall on Nagle's algorithm (DESIGN.md §7).
                    let _ = stream.set_nodelay(true);
                    let router = router.clone();
                    let svc = hyper::service::service_fn(move |mut req: ::http::Request<hyper::body::Incoming>| {
                        req.extensions_mut().insert(ConnectInfo(peer));
                        router.clone().oneshot(req.map(axum::body::Body::new))
                    });
                    let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), svc);
                    let conn = graceful.watch(conn.into_owned());
                    tokio::spawn(async move {
                        let _ = conn.await;
                    });
                }
                _ = &mut shutdown => break,
            }
        }
        drop(listener);
        tokio::select! {
            _ = graceful.shutdown() => {},
            _ = tokio::time::sleep(Duration::from_secs(10)) => tracing::warn!("open connections did not finish in 10 s"),
        }
        state.store.close().await;
        Ok(())
    }
}

