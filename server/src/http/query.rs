//! Query strings as typed structs: a handler declares its parameters by name (`#[derive(Deserialize,
//! IntoParams)]`, so the OpenAPI document is made from the same declaration) and takes them with [`Query`],
//! whose refusals are our 400 naming the parameter. Numbers are [`Num`]: present means a number, so `page=` is
//! refused as the registry search always refused it. Unknown parameters are ignored, as they always were.

use axum::extract::FromRequestParts;
use domain::{AppError, ErrCode};
use http::request::Parts;
use serde::de::{self, DeserializeOwned, Deserializer, Visitor};
use serde::Deserialize;

/// A typed query string; refusals name the parameter (`invalid_value`, or `required` when one is missing).
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        parse(parts.uri.query().unwrap_or("")).map(Query)
    }
}

/// Parses a query string into `T`.
pub fn parse<T: DeserializeOwned>(query: &str) -> Result<T, AppError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        // The parameter at fault: the path serde reached, or the name a struct-level error quotes
        // ("missing field `x`", "duplicate field `x`").
        let field = Some(path).filter(|p| !p.is_empty() && p != ".").or_else(|| quoted(&inner));
        match field {
            Some(f) if inner.starts_with("missing field") => AppError::field(ErrCode::Required, &f),
            Some(f) => AppError::field(ErrCode::InvalidValue, &f),
            None => AppError::new(ErrCode::InvalidValue),
        }
    })
}

fn quoted(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let end = start + message[start..].find('`')?;
    Some(message[start..end].to_owned())
}

/// An integer parameter (surrounding spaces allowed). Present but empty or not a number is refused naming the
/// parameter; ranges are the domain parser's to check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Num(pub i64);

impl Num {
    /// As the domain's parsers take it: the raw text of a parameter that is present.
    pub fn raw(n: Option<Num>) -> Option<String> {
        n.map(|Num(n)| n.to_string())
    }
}

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Num, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Num;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an integer")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Num, E> {
                s.trim().parse::<i64>().map(Num).map_err(|_| E::invalid_value(de::Unexpected::Str(s), &self))
            }
        }
        d.deserialize_str(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Debug)]
    struct Q {
        q: Option<String>,
        page: Option<Num>,
        per_page: Option<Num>,
    }

    fn field(query: &str) -> Option<String> {
        parse::<Q>(query).unwrap_err().field
    }

    #[test]
    fn typed_queries_name_the_parameter_at_fault() {
        let q: Q = parse("q=%E7%B1%B3%E7%B2%89&page=%202%20&other=1").unwrap();
        assert_eq!((q.q.as_deref(), q.page, q.per_page), (Some("米粉"), Some(Num(2)), None));
        assert_eq!(field("page=").as_deref(), Some("page"));
        assert_eq!(field("page=1&per_page=").as_deref(), Some("per_page"));
        assert_eq!(field("per_page=x").as_deref(), Some("per_page"));
        assert_eq!(field("q=a&q=b").as_deref(), Some("q"));
        assert_eq!(parse::<Q>("page=").unwrap_err().code, ErrCode::InvalidValue);
        let q: Q = parse("").unwrap();
        assert_eq!((q.q, q.page), (None, None));
    }
}
