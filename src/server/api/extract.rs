//! Extractors whose rejections use the contract's error body: a JSON body that names the
//! offending field, query strings, and the authenticated actor.
use super::ApiError;
use crate::error::{AppError, ErrorCode};
use crate::server::auth::Actor;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

pub struct ApiActor(pub Actor);

impl<S: Send + Sync> FromRequestParts<S> for ApiActor {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        // Taken, not cloned: a handler extracts its actor once.
        parts.extensions.remove::<Actor>().map(ApiActor).ok_or_else(|| ApiError(AppError::unauthenticated()))
    }
}

/// JSON body. Malformed JSON, a wrong type, a missing or an unknown field all give 400
/// `validation_failed`, with the field named in `fields`.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError(AppError::validation(format!("could not read the request body: {e}"))))?;
        parse_json(&bytes).map(ApiJson).map_err(ApiError)
    }
}

fn strip_position(msg: &str) -> String {
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

fn backticked(msg: &str, prefix: &str) -> Option<String> {
    let rest = msg.strip_prefix(prefix)?;
    let rest = rest.strip_prefix('`')?;
    Some(rest[..rest.find('`')?].to_string())
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(AppError::validation("request body must be a JSON object"));
    }
    // Fast path: a body that parses needs no path tracking; the tracked parse runs only to name
    // the offending field of one that does not.
    if let Ok(v) = serde_json::from_slice::<T>(bytes) {
        return Ok(v);
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, T>(de) {
        Ok(v) => Ok(v),
        Err(err) => {
            let path = err.path().to_string();
            let inner = err.into_inner();
            if inner.is_syntax() || inner.is_eof() {
                return Err(AppError::validation(format!("request body is not valid JSON: {inner}")));
            }
            let msg = strip_position(&inner.to_string());
            let parent = if path == "." { String::new() } else { format!("{path}.") };
            let (field, problem) = if let Some(f) = backticked(&msg, "missing field ") {
                (format!("{parent}{f}"), "is required".to_string())
            } else if let Some(f) = backticked(&msg, "unknown field ") {
                // serde_path_to_error already counts the unknown key in the path.
                (if path == "." { f } else { path }, "is not a known field".to_string())
            } else if path == "." {
                return Err(AppError::validation(format!("request body: {msg}")));
            } else {
                (path, msg)
            };
            Err(AppError::field(&field, problem))
        }
    }
}

/// Query string, with the same error body as JSON bodies.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(q.as_bytes()));
        serde_path_to_error::deserialize(de).map(ApiQuery).map_err(|err| {
            let path = err.path().to_string();
            let msg = err.into_inner().to_string();
            if path == "." {
                match backticked(&msg, "unknown field ") {
                    Some(f) => ApiError(AppError::field(&f, "is not a known query parameter")),
                    None => ApiError(AppError::new(ErrorCode::ValidationFailed, format!("query string: {msg}"))),
                }
            } else {
                ApiError(AppError::field(&path, msg))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ProductCreate;

    #[test]
    fn json_errors_name_the_field() {
        let e = parse_json::<ProductCreate>(br#"{"name": 5}"#).unwrap_err();
        assert_eq!(e.code, ErrorCode::ValidationFailed);
        assert!(e.fields.contains_key("name"), "{e:?}");
        let e = parse_json::<ProductCreate>(br#"{}"#).unwrap_err();
        assert_eq!(e.fields.get("name").map(String::as_str), Some("is required"));
        let e = parse_json::<ProductCreate>(br#"{"name":"a","colour":"red"}"#).unwrap_err();
        assert!(e.fields.contains_key("colour"), "{e:?}");
        let e = parse_json::<ProductCreate>(br#"{"name":"#).unwrap_err();
        assert!(e.fields.is_empty() && e.message.contains("not valid JSON"));
    }
}
