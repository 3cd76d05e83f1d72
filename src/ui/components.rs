//! Form pieces shared by every page: field errors under inputs, a form-level error, and the
//! panel shown when a page's data cannot be loaded.
use crate::error::{AppError, ErrorCode};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// The error of an action's last run, if it failed (also after a no-JavaScript redirect).
pub fn action_error<S>(a: ServerAction<S>) -> Signal<Option<AppError>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    Signal::derive(move || a.value().with(|v| v.as_ref().and_then(|r| r.as_ref().err().cloned())))
}

/// True once the action's last run succeeded.
pub fn action_ok<S>(a: ServerAction<S>) -> Signal<bool>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    Signal::derive(move || a.value().with(|v| matches!(v, Some(Ok(_)))))
}

#[component]
pub fn FieldError(#[prop(into)] error: Signal<Option<AppError>>, field: &'static str) -> impl IntoView {
    move || {
        error.get().and_then(|e| e.fields.get(field).cloned()).map(|m| {
            view! { <p class="field-error" id=format!("{field}-error")>{format!("{} {}", label_of(field), m)}</p> }
        })
    }
}

fn label_of(field: &str) -> String {
    let mut s = field.replace('_', " ");
    if let Some(first) = s.get(0..1) {
        let up = first.to_uppercase();
        s.replace_range(0..1, &up);
    }
    s
}

/// The form-level message: the error itself, or a pointer to the fields when they carry it.
#[component]
pub fn FormError(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error.get().map(|e| {
            let text = if e.fields.is_empty() { e.message.clone() } else { "Please correct the fields marked below.".to_string() };
            view! { <div class="form-error" role="alert">{text}</div> }
        })
    }
}

/// Shown when a page's data cannot be loaded.
#[component]
pub fn ErrorPanel(error: AppError) -> impl IntoView {
    let title = match error.code {
        ErrorCode::NotFound => "Not found",
        ErrorCode::Forbidden => "Not allowed",
        ErrorCode::Unauthenticated => "Signed out",
        _ => "Something went wrong",
    };
    view! {
        <div class="panel panel-error" role="alert">
            <h2>{title}</h2>
            <p>{error.message.clone()}</p>
        </div>
    }
}

#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="loading" aria-busy="true">"Loading…"</p> }
}

/// "2026-11-24T10:00:00Z" → "2026-11-24 10:00 UTC".
pub fn short_time(rfc3339: &str) -> String {
    if rfc3339.len() >= 16 { format!("{} {} UTC", &rfc3339[..10], &rfc3339[11..16]) } else { rfc3339.to_string() }
}

/// Percent-encodes a query-string value (unreserved characters stay as they are).
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
