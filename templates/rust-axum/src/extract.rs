//! Extractors that turn axum's rejections into the contract's problem responses:
//! malformed JSON is 400, well-formed JSON of the wrong shape 422, a bad page 422,
//! and a path id that is not a positive integer 404.

use std::collections::HashMap;

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::{ApiError, FieldError};

/// `axum::Json`, with rejections as problem+json, for bodies that must be a JSON object.
///
/// Every request body of this API is an object. serde's derived structs would also accept a
/// JSON array, filling the fields by position (`[]` would be an empty PATCH), so the body is
/// read as an object first and only then turned into `T`.
pub struct Json<T>(pub T);

impl<S, T> FromRequest<S> for Json<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Json(object) = axum::Json::<Map<String, Value>>::from_request(req, state)
            .await
            .map_err(json_rejection)?;
        serde_json::from_value(Value::Object(object))
            .map(Self)
            // serde's message names the field and the expected type, never internals.
            .map_err(|err| ApiError::validation(vec![FieldError::new("body", err.to_string())]))
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::JsonSyntaxError(_) => {
            ApiError::bad_request("The request body is not valid JSON.")
        }
        JsonRejection::JsonDataError(err) => {
            // serde's message names the field and the expected type, never internals.
            ApiError::validation(vec![FieldError::new("body", err.body_text())])
        }
        JsonRejection::MissingJsonContentType(_) => {
            ApiError::from_status(axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE)
        }
        other => ApiError::from_status(other.status()),
    }
}

/// `?limit=&offset=` for list endpoints: limit 1..=100 (default 20), offset 0..=2^31-1
/// (default 0). Anything else, huge numbers (`9223372036854775808`, `1e400`) included, is 422.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pagination {
    pub limit: i64,
    pub offset: i64,
}

pub const DEFAULT_LIMIT: i64 = 20;
pub const MAX_LIMIT: i64 = 100;
/// The contract's bound (openapi.yaml): far beyond any real list, and exact in every language.
pub const MAX_OFFSET: i64 = 2_147_483_647;

impl Pagination {
    pub fn parse(query: &HashMap<String, String>) -> Result<Self, ApiError> {
        let mut errors = Vec::new();
        let limit = match query.get("limit").map(|v| v.parse::<i64>()) {
            None => DEFAULT_LIMIT,
            Some(Ok(n)) if (1..=MAX_LIMIT).contains(&n) => n,
            Some(_) => {
                errors.push(FieldError::new(
                    "limit",
                    format!("must be an integer from 1 to {MAX_LIMIT}"),
                ));
                DEFAULT_LIMIT
            }
        };
        let offset = match query.get("offset").map(|v| v.parse::<i64>()) {
            None => 0,
            Some(Ok(n)) if (0..=MAX_OFFSET).contains(&n) => n,
            Some(_) => {
                errors.push(FieldError::new(
                    "offset",
                    format!("must be an integer from 0 to {MAX_OFFSET}"),
                ));
                0
            }
        };
        if errors.is_empty() {
            Ok(Self { limit, offset })
        } else {
            Err(ApiError::validation(errors))
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Pagination {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Query(query) = Query::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|_| {
                ApiError::validation(vec![FieldError::new(
                    "query",
                    "is not a valid query string",
                )])
            })?;
        Self::parse(&query)
    }
}

/// The `{id}` of a resource path. Anything but a positive integer is a 404, exactly like an
/// id that does not exist, so clients learn nothing from the difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Id(pub i64);

impl Id {
    pub fn parse(raw: &str) -> Option<Self> {
        // Digits only: rejects "+5", " 5", "5.0", "-1".
        if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        raw.parse::<i64>().ok().filter(|id| *id > 0).map(Self)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::not_found())?;
        Self::parse(&raw).ok_or_else(ApiError::not_found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn pagination_defaults_and_bounds() {
        assert_eq!(
            Pagination::parse(&query(&[])).unwrap(),
            Pagination {
                limit: 20,
                offset: 0
            }
        );
        assert_eq!(
            Pagination::parse(&query(&[("limit", "100"), ("offset", "5")])).unwrap(),
            Pagination {
                limit: 100,
                offset: 5
            }
        );
        for bad in [
            ("limit", "0"),
            ("limit", "101"),
            ("limit", "abc"),
            ("offset", "-1"),
            ("offset", "1.5"),
            ("offset", "2147483648"),
            ("offset", "9223372036854775808"),
            ("limit", "1e400"),
        ] {
            assert!(
                Pagination::parse(&query(&[bad])).is_err(),
                "{bad:?} should be rejected"
            );
        }
    }

    #[test]
    fn ids_are_positive_integers_only() {
        assert_eq!(Id::parse("42"), Some(Id(42)));
        for bad in ["0", "-1", "+1", "abc", "1.0", "", "99999999999999999999"] {
            assert_eq!(Id::parse(bad), None, "{bad:?}");
        }
    }
}
