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
        let bytes = Bytes::from_request(req, state).await.map_err(|e| ApiError(AppError::validation(format!("could not read the request body: {e}"))))?;
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

/// What a text field holding U+0000 is told: PostgreSQL cannot store the character, so the API
/// refuses it on both databases alike.
pub const NUL_PROBLEM: &str = "must not contain the NUL character (U+0000)";

/// Whether JSON text holds an escaped U+0000 (`\u0000`; a raw NUL is not valid JSON anyway):
/// a `\` that starts an escape (an odd run of backslashes) followed by `u0000`.
fn has_escaped_nul(bytes: &[u8]) -> bool {
    let mut run = 0usize;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\\' {
            run += 1;
            continue;
        }
        if run % 2 == 1 && b == b'u' && bytes.get(i + 1..i + 5) == Some(b"0000") {
            return true;
        }
        run = 0;
    }
    false
}

/// The path (`identity.userIdentifier`, `slots[2].key`) of the first string or key holding U+0000.
fn nul_path(v: &serde_json::Value, at: &str) -> Option<String> {
    let join = |k: &str| if at.is_empty() { k.to_string() } else { format!("{at}.{k}") };
    match v {
        serde_json::Value::String(s) => s.contains('\0').then(|| if at.is_empty() { "body".to_string() } else { at.to_string() }),
        serde_json::Value::Array(a) => a.iter().enumerate().find_map(|(i, x)| nul_path(x, &format!("{at}[{i}]"))),
        serde_json::Value::Object(o) => {
            o.iter().find_map(|(k, x)| if k.contains('\0') { Some(join(&k.replace('\0', "\\u0000"))) } else { nul_path(x, &join(k)) })
        }
        _ => None,
    }
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(AppError::validation("request body must be a JSON object"));
    }
    if has_escaped_nul(bytes)
        && let Some(path) = serde_json::from_slice::<serde_json::Value>(bytes).ok().and_then(|v| nul_path(&v, ""))
    {
        return Err(AppError::field(&path, NUL_PROBLEM));
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
        if let Some((k, _)) = form_urlencoded::parse(q.as_bytes()).find(|(k, v)| k.contains('\0') || v.contains('\0')) {
            return Err(ApiError(AppError::field(&k.replace('\0', "\\u0000"), NUL_PROBLEM)));
        }
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

    #[test]
    fn nul_characters_are_refused_by_name() {
        let e = parse_json::<ProductCreate>(br#"{"name":"a\u0000b"}"#).unwrap_err();
        assert_eq!(e.fields.get("name").map(String::as_str), Some(NUL_PROBLEM), "{e:?}");
        let e = parse_json::<crate::model::SurfaceInput>(br#"{"name":"x","slug":"s","slots":[{"key":"k","facet":"web"},{"key":"\u0000","facet":"web"}]}"#)
            .unwrap_err();
        assert!(e.fields.contains_key("slots[1].key"), "{e:?}");
        // An escaped backslash followed by the text u0000 is not a NUL.
        let ok = parse_json::<ProductCreate>(br#"{"name":"a\\u0000b"}"#).unwrap();
        assert_eq!(ok.name, "a\\u0000b");
    }
}
