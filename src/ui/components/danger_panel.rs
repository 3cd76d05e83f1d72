//! The panel at the foot of a detail page that deletes or archives what the page shows: a
//! heading, what it does, the last attempt's error and the button form (the children).
use crate::error::AppError;
use crate::ui::components::FormError;
use leptos::prelude::*;

#[component]
pub fn DangerPanel(
    #[prop(into)] heading: String,
    #[prop(optional)] text: Option<&'static str>,
    #[prop(into)] error: Signal<Option<AppError>>,
    children: Children,
) -> impl IntoView {
    view! {
        <section class="panel">
            <h2>{heading}</h2>
            {text.map(|t| view! { <p>{t}</p> })}
            <FormError error/>
            {children()}
        </section>
    }
}
