//! A page's data panel: "Loading…" while its resource loads, the error panel when loading
//! fails, the page's own view once the data is there; and the detail page built on it. The resource is made by the page itself
//! (at page level: one made inside another resource's `Suspend` hydrates with other markup).
use crate::error::{AppError, ErrorCode};
use crate::ui::components::Crumbs;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="loading" aria-busy="true">"Loading…"</p> }
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

/// What `Loaded` and `DetailPage` render the data with (their `let:` children).
pub trait LoadedView<T>: Fn(T) -> Self::View + Clone + Send + Sync + 'static {
    type View: IntoView + 'static;
}

impl<T, F, V> LoadedView<T> for F
where
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    type View = V;
}

/// Waits for `data` and renders `children(value)` (`let:value`); on an error, the error panel.
/// A detail page names what it shows in `error_title` (the tab reads "Coupon · offerdeck" when
/// the coupon cannot be loaded); `not_found_hint` is said under a not-found error.
#[component]
pub fn Loaded<T: Clone + Send + Sync + 'static, F: LoadedView<T>>(
    data: Resource<Result<T, AppError>>,
    #[prop(optional)] error_title: Option<&'static str>,
    #[prop(optional)] not_found_hint: Option<&'static str>,
    children: F,
) -> impl IntoView {
    loaded(data, error_title, not_found_hint, children)
}

/// A detail page: the breadcrumb back to its list (`back`, `back_label`), then its data as
/// `Loaded` shows it.
#[component]
pub fn DetailPage<T: Clone + Send + Sync + 'static, F: LoadedView<T>>(
    back: &'static str,
    back_label: &'static str,
    data: Resource<Result<T, AppError>>,
    error_title: &'static str,
    #[prop(optional)] not_found_hint: Option<&'static str>,
    children: F,
) -> impl IntoView {
    view! {
        <Crumbs href=back label=back_label/>
        {loaded(data, Some(error_title), not_found_hint, children)}
    }
}

fn loaded<T: Clone + Send + Sync + 'static, F: LoadedView<T>>(
    data: Resource<Result<T, AppError>>,
    error_title: Option<&'static str>,
    not_found_hint: Option<&'static str>,
    children: F,
) -> impl IntoView {
    view! {
        <Suspense fallback=Loading>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    match data.await {
                        Err(e) => {
                            let hint = (e.code == ErrorCode::NotFound).then_some(not_found_hint).flatten();
                            view! {
                                {error_title.map(|t| view! { <Title text=format!("{t} · offerdeck")/> })}
                                <ErrorPanel error=e/>
                                {hint.map(|h| view! { <p class="muted">{h}</p> })}
                            }
                            .into_any()
                        }
                        Ok(d) => children(d).into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
