//! Extractors for what handlers would otherwise repeat: the staff member a route's facts admitted, and the ids
//! in a path, each taken one way.

use axum::extract::{FromRequestParts, RawPathParams};
use domain::credit::CreditCode;
use domain::staff::{Role, StaffUser};
use domain::vocab::Vocab;
use domain::{AppError, ErrCode};
use http::request::Parts;

/// What the route layer leaves in a staff request's extensions: the session's user, and the role the route's
/// facts declare, which the user was checked against.
#[derive(Clone, Debug)]
pub struct Admitted {
    pub user: StaffUser,
    pub role: Role,
}

/// The signed-in staff member of a staff route, admitted by the route layer (`routes::enforce`) against the role
/// its facts declare. Handlers name no role: the facts are the only place one is written. On a route whose facts
/// declare no role there is nobody to admit, and the extractor refuses (a mistake in the route's declaration,
/// logged as one).
pub struct Staff(pub StaffUser);

impl<S: Send + Sync> FromRequestParts<S> for Staff {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        let admitted = parts
            .extensions
            .get::<Admitted>()
            .ok_or_else(|| AppError::internal("`Staff` taken on a route whose facts declare no role"))?;
        // Already checked by the route layer; checked again here because it costs nothing.
        admitted.user.role.require(admitted.role)?;
        Ok(Staff(admitted.user.clone()))
    }
}

/// A record's id as typed in a path: a positive integer, else 404 (an id that cannot exist names nothing).
pub fn id(segment: &str) -> Result<i64, AppError> {
    segment.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(AppError::not_found)
}

/// The value of the path parameter `name` (percent-decoded), if the route has one.
async fn param<S: Send + Sync>(parts: &mut Parts, state: &S, name: &str) -> Option<String> {
    let params = RawPathParams::from_request_parts(parts, state).await.ok()?;
    params.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_owned())
}

/// The route's `{id}`, parsed by [`id`]: the one way a path id is taken.
pub struct Id(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let raw = param(parts, state, "id")
            .await
            .ok_or_else(|| AppError::internal("`Id` taken on a route without `{id}`"))?;
        id(&raw).map(Id)
    }
}

/// The route's credit code (`{credit_code}` or `{code}`): an invalid one is a 400 naming it, not a 404.
pub struct Code(pub CreditCode);

impl<S: Send + Sync> FromRequestParts<S> for Code {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let raw = match param(parts, state, "credit_code").await {
            Some(c) => c,
            None => param(parts, state, "code")
                .await
                .ok_or_else(|| AppError::internal("`Code` taken on a route without a code"))?,
        };
        CreditCode::parse(&raw).map(Code)
    }
}

/// The route's one vocabulary parameter (`{district}`, `{category}`), percent-decoded and parsed: a value that is
/// not in the vocabulary names nothing, so it is a 404 naming the parameter.
pub struct Term<V>(pub V);

impl<S: Send + Sync, V: Vocab + Send> FromRequestParts<S> for Term<V> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let params = RawPathParams::from_request_parts(parts, state).await.map_err(|_| AppError::not_found())?;
        let (name, value) =
            params.iter().last().ok_or_else(|| AppError::internal("`Term` taken on a route without a parameter"))?;
        V::parse(value).map(Term).ok_or_else(|| AppError::field(ErrCode::NotFound, name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn staff(admitted: Option<Admitted>) -> Result<StaffUser, AppError> {
        let (mut parts, ()) = http::Request::new(()).into_parts();
        if let Some(a) = admitted {
            parts.extensions.insert(a);
        }
        Staff::from_request_parts(&mut parts, &()).await.map(|Staff(u)| u)
    }

    #[tokio::test]
    async fn staff_is_who_the_route_layer_admitted_at_the_facts_role() {
        let user = |role| StaffUser { id: 1, username: "m".into(), role };
        let ok = staff(Some(Admitted { user: user(Role::Moderator), role: Role::Moderator })).await;
        assert_eq!(ok.map(|u| u.role), Ok(Role::Moderator));
        let lower = staff(Some(Admitted { user: user(Role::Viewer), role: Role::Moderator })).await;
        assert_eq!(lower.unwrap_err().code, domain::ErrCode::Forbidden);
        assert_eq!(staff(None).await.unwrap_err().code, domain::ErrCode::Internal, "a route declared without a role");
    }

    #[test]
    fn ids_are_positive_integers_or_nothing() {
        assert_eq!(super::id("12"), Ok(12));
        for bad in ["0", "-3", "1.5", "", "x", "99999999999999999999"] {
            assert_eq!(super::id(bad).unwrap_err().code, domain::ErrCode::NotFound, "{bad}");
        }
    }
}
