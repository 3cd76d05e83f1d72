//! The `<option>`s of a select, the current value selected.
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
