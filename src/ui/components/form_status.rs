//! What a form says about its last submission: the form-level error, the "Saved." line, and
//! the signals they read from a server action (also after a no-JavaScript redirect).
use crate::error::AppError;
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

/// "Saved." (or `text`) as a status line while `when` holds.
#[component]
pub fn Saved(#[prop(into)] when: Signal<bool>, #[prop(default = "Saved.")] text: &'static str) -> impl IntoView {
    move || when.get().then(|| view! { <p class="form-ok" role="status">{text}</p> })
}
