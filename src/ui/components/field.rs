//! Form fields and what the server said about them: a labelled field with its error under the
//! control, a checkbox row, and the error of a field named at run time (repeated rows).
use crate::error::AppError;
use leptos::prelude::*;

/// The server's message about `field` from the last submission, under its input.
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

/// A field error for a field named at run time (rows of a repeated group).
#[component]
pub fn RowError(#[prop(into)] error: Signal<Option<AppError>>, field: String, label: String) -> impl IntoView {
    move || error.get().and_then(|e| e.fields.get(&field).cloned()).map(|m| view! { <p class="field-error">{format!("{label} {m}")}</p> })
}

/// `<div class="field">`: the label for `id`, the control (the children; it carries `id`), any
/// hint, and the server's message about `field` when `error` has one.
#[component]
pub fn Field(
    #[prop(into)] id: String,
    #[prop(into)] label: String,
    #[prop(optional, into)] error: Option<Signal<Option<AppError>>>,
    #[prop(optional)] field: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            {children()}
            {error.zip(field).map(|(error, field)| view! { <FieldError error field/> })}
        </div>
    }
}

/// A checkbox followed by its label.
#[component]
pub fn Check(
    #[prop(into)] id: String,
    #[prop(into)] name: String,
    #[prop(into)] value: String,
    #[prop(optional)] checked: bool,
    #[prop(into)] label: String,
    #[prop(default = "field-check")] class: &'static str,
) -> impl IntoView {
    view! {
        <div class=class>
            <input type="checkbox" id=id.clone() name=name value=value checked=checked/>
            <label for=id>{label}</label>
        </div>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn labels_read_like_words() {
        assert_eq!(super::label_of("tenant_id"), "Tenant id");
    }
}
