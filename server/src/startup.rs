//! Builds the app from a config and a bound listener (so tests run the real app on port 0), and serves it with
//! TCP_NODELAY, a header-read timeout and graceful shutdown.

use crate::http::routes::{layered, Route, Routes};
use crate::http::{self, Shared};
use anyhow::Context;
use axum::extract::ConnectInfo;
use axum::Router;
use backend::config::Config;
use backend::{AppState, Store};
use domain::route::Facts;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use leptos::prelude::*;
use leptos_axum::generate_route_list;
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
    let shared = Shared::new(state.clone(), crate::site::docs::document(&modules().table()));
    http::limits::spawn_cleanup(shared.limiters.clone());
    shared.spawn_invalidation();
    // Sealed values stored before they were bound to their row are re-sealed bound, once.
    for (what, done) in [
        ("cases", backend::cases::intake::reseal_legacy(&state).await),
        ("outbox", backend::outbox::reseal_legacy(&state).await),
        ("drafts", backend::cases::drafts::drop_legacy(&state.store).await),
    ] {
        match done {
            Ok(0) => {}
            Ok(n) => tracing::info!(what, n, "re-sealed values bound to their rows"),
            Err(e) => tracing::warn!(what, error = %e.message(domain::Lang::En), "re-sealing failed"),
        }
    }
    match backend::credit::replies::seal_legacy_contacts(&state).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(sealed = n, "sealed the contacts of replies stored before sealing"),
        Err(e) => tracing::warn!(error = %e.message(domain::Lang::En), "sealing reply contacts failed"),
    }
    spawn_sweeps(state.clone());
    spawn_due_results(state.clone());
    spawn_follow(state.clone());
    // The registry search index is built now rather than by the first search (0.5 s for 44,000 businesses);
    // searches that come before it is ready wait for it.
    let (store, index) = (state.store.clone(), state.credit.index().clone());
    tokio::spawn(async move {
        if let Err(e) = index.refresh(&store).await {
            tracing::warn!(error = %e.message(domain::Lang::En), "building the search index failed");
        }
    });
    backend::outbox::spawn_worker(state.clone(), Duration::from_secs(1));
    let router = router(shared.clone())?;
    Ok(Running { listener, router, state, shared })
}

/// Every ten minutes: expired sessions and old sign-in failures are removed, and the grades of businesses whose
/// events crossed the rating period's edge are re-derived (from a day back at start, so a restart misses none).
fn spawn_sweeps(state: AppState) {
    tokio::spawn(async move {
        // The first round ten minutes after start, not during it: start-up stays fast and quiet.
        let period = Duration::from_secs(600);
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        let mut since = backend::clock::now() - 86_400;
        loop {
            tick.tick().await;
            state.voters.sweep();
            if let Err(e) = backend::cases::drafts::sweep(&state.store).await {
                tracing::warn!(error = %e.message(domain::Lang::En), "draft sweep failed");
            }
            if let Err(e) = backend::staff::auth::sweep(&state).await {
                tracing::warn!(error = %e.message(domain::Lang::En), "session sweep failed");
            }
            if let Err(e) = backend::abuse::sweep(&state.store).await {
                tracing::warn!(error = %e.message(domain::Lang::En), "abuse counter sweep failed");
            }
            let now = backend::clock::now();
            match backend::credit::refresh_aged(&state.store, since, now).await {
                Ok(_) => since = now,
                Err(e) => tracing::warn!(error = %e.message(domain::Lang::En), "grade refresh failed"),
            }
            // Pending downgrades whose objection window closed with no objection open.
            if let Err(e) = backend::credit::objections::publish_due(&state.store, now).await {
                tracing::warn!(error = %e.message(domain::Lang::En), "publishing pending grades failed");
            }
        }
    });
}

/// Every minute (and once at start): the credit events of failing round batches whose round's results came due
/// (`backend::sampling::record_due_failures`), so a grade moves with the round's publication, within a minute.
fn spawn_due_results(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            if let Err(e) = backend::sampling::record_due_failures(&state.store).await {
                tracing::warn!(error = %e.message(domain::Lang::En), "recording due sampling failures failed");
            }
        }
    });
}

/// 关注: every two seconds the due happenings are fanned out (to the outbox and the digests); every minute the
/// evening's digests are queued once it is past the digest hour, and never-confirmed subscriptions are swept.
fn spawn_follow(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(2));
        let mut round = 0u64;
        loop {
            tick.tick().await;
            let now = backend::clock::now();
            if let Err(e) = backend::follow::dispatch::dispatch_due(&state.store, now).await {
                tracing::warn!(error = %e.message(domain::Lang::En), "dispatching follow happenings failed");
            }
            round += 1;
            if round % 30 == 1 {
                if let Err(e) = backend::follow::sms::queue_digests(&state.store, now).await {
                    tracing::warn!(error = %e.message(domain::Lang::En), "queueing digests failed");
                }
                if let Err(e) = backend::follow::sms::sweep(&state.store, now).await {
                    tracing::warn!(error = %e.message(domain::Lang::En), "sweeping subscriptions failed");
                }
                if let Err(e) = backend::volunteers::sweep(&state.store, now).await {
                    tracing::warn!(error = %e.message(domain::Lang::En), "sweeping unconfirmed sign-ups failed");
                }
            }
        }
    });
}

/// The routes of every module: one line each.
pub fn modules() -> Routes {
    Routes::new()
        .merge(crate::site::routes())
        .merge(crate::staff::routes())
        .merge(crate::credit::routes())
        .merge(crate::picks::routes())
        .merge(crate::markets::routes())
        .merge(crate::volunteers::routes())
        .merge(crate::kitchens::routes())
        .merge(crate::sampling::routes())
        .merge(crate::cases::routes())
        .merge(crate::news::routes())
        .merge(crate::follow::routes())
        .merge(crate::stats::routes())
        .merge(crate::open311::routes())
}

/// Every route with its facts: the modules' routes, then the pages the Leptos router declares (with the facts
/// their `app` module lists). A page route without facts, or facts for a page that does not exist, is an error.
pub fn route_table() -> anyhow::Result<Vec<Route>> {
    let mut table = modules().table();
    for (path, facts) in page_facts()? {
        table.push(Route { method: ::http::Method::GET, path, facts });
    }
    Ok(table)
}

fn page_facts() -> anyhow::Result<Vec<(&'static str, Facts)>> {
    let declared: Vec<(&'static str, Facts)> = app::page_facts().collect();
    let listed = generate_route_list(app::App);
    let mut out = Vec::new();
    for listing in &listed {
        let path = listing.path();
        let (p, f) = declared
            .iter()
            .find(|(p, _)| *p == path)
            .with_context(|| format!("the page route {path} declares no facts: add it to its module's PAGES"))?;
        out.push((*p, *f));
    }
    for (p, _) in &declared {
        if !listed.iter().any(|l| l.path() == *p) {
            anyhow::bail!("PAGES lists {p}, which is no page route");
        }
    }
    Ok(out)
}

/// All routes, behind the middleware stack.
pub fn router(shared: Shared) -> anyhow::Result<Router> {
    let ctx = {
        let state = shared.app.clone();
        let catalog = std::sync::Arc::new(crate::site::docs::catalog(&shared.api_document));
        let marker = shared.marker.clone();
        move || {
            provide_context(state.clone());
            provide_context(catalog.clone());
            // Pages are rendered with a marker nonce; `http::headers` replaces each script it marks by its hash.
            provide_context(leptos::nonce::Nonce::from_value(marker.to_string()));
        }
    };
    let shell = {
        let options = shared.leptos.clone();
        move || app::shell(options.clone())
    };
    let mut router = modules().into_router(&shared);
    // Pages, each behind its declared facts.
    for (path, facts) in page_facts()? {
        let ctx = ctx.clone();
        let render = leptos_axum::render_app_async_with_context(
            move || {
                provide_context(leptos_router::Method::Get);
                ctx();
            },
            shell.clone(),
        );
        router = router.route(path, layered(axum::routing::get(render), &shared, facts));
    }
    // Server functions: public endpoints that authorise themselves; reads and writes get those quotas.
    for (path, method) in leptos::server_fn::axum::server_fn_paths() {
        let ctx = ctx.clone();
        let handler = move |req: axum::extract::Request| async move {
            leptos_axum::handle_server_fns_with_context(ctx, req).await
        };
        let (mr, facts) = if method == ::http::Method::GET {
            (axum::routing::get(handler), Facts::PAGE)
        } else {
            (axum::routing::post(handler), Facts::WRITE)
        };
        router = router.route(path, layered(mr, &shared, facts));
    }
    // Static files, and the 404 page for everything else.
    let fallback = axum::routing::any(leptos_axum::file_and_error_handler_with_context::<Shared, _>(ctx, app::shell));
    let router = router.fallback_service(layered(fallback, &shared, Facts::PAGE).with_state(shared.clone()));
    Ok(http::stack(router, &shared).with_state(shared))
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
        // HTTP/2: dead or silent peers are pinged and dropped; one connection cannot open unbounded streams.
        builder
            .http2()
            .timer(TokioTimer::new())
            .keep_alive_interval(Some(Duration::from_secs(20)))
            .keep_alive_timeout(Duration::from_secs(10))
            .max_concurrent_streams(64);
        let connections = Connections::default();
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
                    // Slowloris: at most MAX_PER_IP open connections per client address and MAX_TOTAL in all;
                    // beyond that a new connection is closed at once.
                    let Some(slot) = connections.admit(peer.ip()) else {
                        drop(stream);
                        continue;
                    };
                    // Without TCP_NODELAY streamed pages stall on Nagle's algorithm (DESIGN.md §7).
                    let _ = stream.set_nodelay(true);
                    let router = router.clone();
                    let activity = Activity::default();
                    let seen = activity.clone();
                    let svc = hyper::service::service_fn(move |mut req: ::http::Request<hyper::body::Incoming>| {
                        req.extensions_mut().insert(ConnectInfo(peer));
                        let done = seen.start();
                        let answer = router.clone().oneshot(req.map(axum::body::Body::new));
                        async move {
                            let res = answer.await;
                            drop(done);
                            res
                        }
                    });
                    let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), svc);
                    let conn = graceful.watch(conn.into_owned());
                    tokio::spawn(async move {
                        // Over either protocol: a connection with no request for FIRST_REQUEST (slowloris, an HTTP/2
                        // peer that never sends headers) or idle for IDLE between requests is closed.
                        tokio::select! {
                            _ = conn => {}
                            _ = activity.expired() => {}
                        }
                        drop(slot);
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

/// Open connections per client address (IPv6 per /64) and in all.
#[derive(Clone, Default)]
struct Connections(std::sync::Arc<std::sync::Mutex<(usize, std::collections::HashMap<std::net::IpAddr, usize>)>>);

/// Open connections one client address may hold.
pub const MAX_PER_IP: usize = 128;
/// Open connections in all.
pub const MAX_TOTAL: usize = 8_192;

impl Connections {
    fn admit(&self, ip: std::net::IpAddr) -> Option<ConnectionSlot> {
        let key = http::limits::key(ip);
        let mut g = self.0.lock().ok()?;
        let (total, per_ip) = &mut *g;
        let n = per_ip.entry(key).or_insert(0);
        if *n >= MAX_PER_IP || *total >= MAX_TOTAL {
            return None;
        }
        *n += 1;
        *total += 1;
        Some(ConnectionSlot { owner: self.clone(), key })
    }
}

struct ConnectionSlot {
    owner: Connections,
    key: std::net::IpAddr,
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        if let Ok(mut g) = self.owner.0.lock() {
            let (total, per_ip) = &mut *g;
            *total = total.saturating_sub(1);
            if let Some(n) = per_ip.get_mut(&self.key) {
                *n -= 1;
                if *n == 0 {
                    per_ip.remove(&self.key);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn connections_are_capped_per_client_and_released() {
        let c = super::Connections::default();
        let ip: std::net::IpAddr = "198.51.100.7".parse().unwrap_or(std::net::IpAddr::from([0, 0, 0, 0]));
        let slots: Vec<_> = (0..super::MAX_PER_IP).map(|_| c.admit(ip)).collect();
        assert!(slots.iter().all(Option::is_some));
        assert!(c.admit(ip).is_none(), "one client cannot hold more");
        assert!(c.admit("198.51.100.8".parse().unwrap_or(ip)).is_some(), "others still can");
        drop(slots);
        assert!(c.admit(ip).is_some(), "closing frees the slots");
    }
}

/// Time a new connection has to send its first request (headers included), over HTTP/1 or HTTP/2.
pub const FIRST_REQUEST: Duration = Duration::from_secs(10);
/// Time a connection may stay open with nothing in flight (keep-alive).
pub const IDLE: Duration = Duration::from_secs(60);

/// Requests in flight on one connection and when it last did anything.
#[derive(Clone, Default)]
struct Activity(std::sync::Arc<std::sync::Mutex<(usize, Option<std::time::Instant>)>>);

/// Ends one request's activity when dropped (also when its future is dropped).
struct InFlight(Activity);

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Ok(mut g) = (self.0).0.lock() {
            g.0 = g.0.saturating_sub(1);
            g.1 = Some(std::time::Instant::now());
        }
    }
}

impl Activity {
    fn start(&self) -> InFlight {
        if let Ok(mut g) = self.0.lock() {
            g.0 += 1;
            g.1 = Some(std::time::Instant::now());
        }
        InFlight(self.clone())
    }

    /// Resolves when the connection has had nothing in flight for too long.
    async fn expired(&self) {
        let opened = std::time::Instant::now();
        loop {
            tokio::time::sleep(Duration::from_millis(500)).await;
            let Ok(g) = self.0.lock() else { return };
            let (in_flight, last) = *g;
            let quiet = match last {
                None => opened.elapsed() >= FIRST_REQUEST,
                Some(t) => in_flight == 0 && t.elapsed() >= IDLE,
            };
            if quiet {
                return;
            }
        }
    }
}
