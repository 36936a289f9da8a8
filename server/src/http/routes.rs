//! Routes with their facts. A module builds its routes here, each with the [`Facts`] it needs; the one
//! middleware [`enforce`] then applies them per route: rate limit, body limit, staff session and role, the
//! anonymous cache, ETags, `no-store` for staff answers. No table of paths exists anywhere else, and a route
//! cannot be added without facts.

use super::extract::Admitted;
use super::reply::BackTemplate;
use super::Shared;
use axum::extract::{Request, State};
use axum::handler::Handler;
use axum::middleware::{from_fn_with_state, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::MethodRouter;
use axum::Router;
use domain::route::Facts;
use domain::staff::StaffUser;
use domain::{AppError, ErrCode};
use http::{header, HeaderValue, Method};

/// One route as declared: for tests (the authorisation matrix) and for the record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub facts: Facts,
}

/// Rewrites an error answer into the error format of a standard a module implements (Open311's error list).
/// It runs outside the route's facts, so the rate limit's and the body limit's refusals take that shape too; the
/// answer it rewrites carries [`OwnErrorBody`], and the last layer then leaves its body as it is.
pub type Reshape = fn(Response) -> Response;

/// Marks an error answer whose body is already in its route's own format (see [`Reshape`]).
#[derive(Clone, Copy, Debug)]
pub struct OwnErrorBody;

/// A module's routes under construction.
#[derive(Default)]
pub struct Routes {
    /// Each route, its handler, and for a form the page a browser goes back to with an error.
    entries: Vec<(Route, MethodRouter<Shared>, BackTemplate)>,
    /// The error format of these routes, when not ours.
    reshape: Vec<(&'static str, Reshape)>,
}

impl Routes {
    pub fn new() -> Routes {
        Routes::default()
    }

    /// A `GET` (and `HEAD`) route.
    pub fn get<H, T>(self, path: &'static str, facts: Facts, handler: H) -> Routes
    where
        H: Handler<T, Shared>,
        T: 'static,
    {
        self.add(Method::GET, path, facts, axum::routing::get(handler))
    }

    /// A `POST` route.
    pub fn post<H, T>(self, path: &'static str, facts: Facts, handler: H) -> Routes
    where
        H: Handler<T, Shared>,
        T: 'static,
    {
        self.add(Method::POST, path, facts, axum::routing::post(handler))
    }

    /// A `POST` of a form: on failure a browser is sent back to `back` (the route's path parameters in braces are
    /// filled in) with `?error=code&field=name`; a program gets the status and JSON error. See [`super::reply`].
    pub fn form<H, T>(mut self, path: &'static str, facts: Facts, back: &'static str, handler: H) -> Routes
    where
        H: Handler<T, Shared>,
        T: 'static,
    {
        self.entries.push((Route { method: Method::POST, path, facts }, axum::routing::post(handler), Some(back)));
        self
    }

    /// Any method (fallbacks such as unknown API paths).
    pub fn any<H, T>(self, path: &'static str, facts: Facts, handler: H) -> Routes
    where
        H: Handler<T, Shared>,
        T: 'static,
    {
        self.add(Method::OPTIONS, path, facts, axum::routing::any(handler))
    }

    pub fn add(mut self, method: Method, path: &'static str, facts: Facts, route: MethodRouter<Shared>) -> Routes {
        self.entries.push((Route { method, path, facts }, route, None));
        self
    }

    pub fn merge(mut self, other: Routes) -> Routes {
        self.entries.extend(other.entries);
        self.reshape.extend(other.reshape);
        self
    }

    /// Every route declared so far answers its errors as `reshape` writes them.
    pub fn reshape_errors(mut self, reshape: Reshape) -> Routes {
        let paths: Vec<&'static str> = self.entries.iter().map(|(r, _, _)| r.path).collect();
        self.reshape.extend(paths.into_iter().map(|p| (p, reshape)));
        self
    }

    /// What is declared.
    pub fn table(&self) -> Vec<Route> {
        self.entries.iter().map(|(r, _, _)| r.clone()).collect()
    }

    /// The axum router, each route wrapped in [`enforce`] with its facts, its handler in
    /// [`answer_browsers`](super::reply::answer_browsers) with its page to go back to.
    pub fn into_router(self, shared: &Shared) -> Router<Shared> {
        let mut router = Router::new();
        for (r, mr, back) in self.entries {
            let mr = mr.layer(from_fn_with_state(back, super::reply::answer_browsers));
            let mut mr = layered(mr, shared, r.facts);
            if let Some((_, f)) = self.reshape.iter().find(|(p, _)| *p == r.path).copied() {
                mr = mr.layer(axum::middleware::map_response(move |res: Response| async move { f(res) }));
            }
            router = router.route(r.path, mr);
        }
        router
    }
}

/// A method router behind its facts.
pub fn layered(mr: MethodRouter<Shared>, shared: &Shared, facts: Facts) -> MethodRouter<Shared> {
    let limit = facts.body_limit.unwrap_or(shared.app.config.max_body_bytes);
    mr.layer(axum::extract::DefaultBodyLimit::max(limit)).layer(from_fn_with_state((shared.clone(), facts), enforce))
}

/// Applies a route's facts, in this order: rate limit (before anything costs a database query), body limit,
/// staff session and role, then the anonymous cache and ETags around the handler.
pub async fn enforce(State((shared, facts)): State<(Shared, Facts)>, req: Request, next: Next) -> Response {
    let ip = req.extensions().get::<super::client_ip::ClientIp>().map(|c| c.0);
    let quota = match shared.limiters.admit(facts.limit, ip) {
        Ok(q) => q,
        Err(refused) => return refused,
    };
    let req = match super::body_limit(&shared, &facts, req) {
        Ok(r) => r,
        Err(refused) => return refused,
    };
    let (req, staff) = match facts.role {
        None => (req, false),
        Some(role) => match staff_gate(&shared, role, req).await {
            Ok(req) => (req, true),
            Err(refused) => return refused,
        },
    };
    let mut res = super::cache::serve(&shared, &facts, req, next).await;
    if staff {
        // Staff answers may show contacts and identities: never stored by a browser or a proxy.
        res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    } else if let Some(value) = super::cache::private_cache_control(&shared, &facts) {
        res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    }
    if let Some((limit, remaining)) = quota {
        let h = res.headers_mut();
        h.insert("ratelimit-limit", HeaderValue::from(limit));
        h.insert("ratelimit-remaining", HeaderValue::from(remaining));
    }
    res
}

/// Every staff route needs a session and at least `role`, the role of its facts. The page request itself is
/// checked because server functions called while rendering run in-process, past the HTTP middleware. The user is
/// left in the extensions with the role checked (`Admitted`, read by the `Staff` extractor).
async fn staff_gate(shared: &Shared, role: domain::staff::Role, mut req: Request) -> Result<Request, Response> {
    let name = backend::staff::auth::session_cookie_name(&shared.app.config);
    let user: Option<StaffUser> = match app::ssr::cookie(req.headers(), name) {
        Some(token) => backend::staff::auth::session_user(&shared.app, &token).await.map_err(|e| e.into_response())?,
        None => None,
    };
    let Some(user) = user else {
        return Err(if req.method() == Method::GET || req.method() == Method::HEAD {
            Redirect::to(app::staff::SIGN_IN).into_response()
        } else {
            AppError::new(ErrCode::Unauthorized).into_response()
        });
    };
    user.role.require(role).map_err(|e| e.into_response())?;
    req.extensions_mut().insert(Admitted { user, role });
    Ok(req)
}
