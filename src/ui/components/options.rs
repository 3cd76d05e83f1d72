//! The `<option>`s of a select, the current value selected, and a labelled select of fixed
//! choices.
use crate::error::AppError;
use crate::ui::components::FieldError;
use leptos::prelude::*;

/// (value, label) pairs from string literals.
pub fn choices(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(v, l)| (v.to_string(), l.to_string())).collect()
}

/// One `<option>` per (value, label); the one whose value is `selected` is selected.
#[component]
pub fn Options(choices: Vec<(String, String)>, #[prop(into)] selected: Signal<String>) -> impl IntoView {
    choices
        .into_iter()
        .map(|(value, label)| {
            let v = value.clone();
            view! { <option value=value selected=move || selected.with(|s| *s == v)>{label}</option> }
        })
        .collect_view()
}

/// `<div class="field">` with a label and a `<select name=name>` of `choices` (the one whose
/// value is `selected` selected, else the first), and the server's message about `field` when
/// `error` has one.
#[component]
pub fn SelectField(
    #[prop(into)] id: String,
    #[prop(into)] label: String,
    name: &'static str,
    choices: Vec<(String, String)>,
    #[prop(optional, into)] selected: Option<Signal<String>>,
    #[prop(optional, into)] error: Option<Signal<Option<AppError>>>,
    #[prop(optional)] field: Option<&'static str>,
) -> impl IntoView {
    let selected = selected.unwrap_or_else(|| Signal::derive(String::new));
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select id=id name=name><Options choices selected/></select>
            {error.zip(field).map(|(error, field)| view! { <FieldError error field/> })}
        </div>
    }
}
