//! The head of a list page: the browser tab's title, the `h1` and a one-line introduction.
use leptos::prelude::*;
use leptos_meta::Title;

/// "`title` · offerdeck" in the tab, `title` as the heading, `intro` under it.
#[component]
pub fn PageHead(title: &'static str, #[prop(optional, into)] intro: Option<String>) -> impl IntoView {
    view! {
        <Title text=format!("{title} · offerdeck")/>
        <h1>{title}</h1>
        {intro.map(|t| view! { <p class="muted">{t}</p> })}
    }
}
