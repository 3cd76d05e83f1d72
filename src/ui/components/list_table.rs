//! A list as a table: its column headers, one row per item (the children, `let:item`), and the
//! sentence shown instead when there are no items.
use leptos::prelude::*;

/// A column header: plain, numeric (right-aligned), for screen readers only, or blank.
pub struct Col {
    label: String,
    kind: ColKind,
}

#[derive(Clone, Copy, PartialEq)]
enum ColKind {
    Text,
    Num,
    Hidden,
}

impl Col {
    pub fn num(label: impl Into<String>) -> Self {
        Col { label: label.into(), kind: ColKind::Num }
    }

    /// Read by screen readers, not shown (a column of bars).
    pub fn hidden(label: impl Into<String>) -> Self {
        Col { label: label.into(), kind: ColKind::Hidden }
    }

    /// The header cell; an empty label is a blank `<th>` (a column of row buttons).
    pub(super) fn th(self) -> AnyView {
        match self.kind {
            _ if self.label.is_empty() => view! { <th></th> }.into_any(),
            ColKind::Text => view! { <th scope="col">{self.label}</th> }.into_any(),
            ColKind::Num => view! { <th scope="col" class="num">{self.label}</th> }.into_any(),
            ColKind::Hidden => view! { <th scope="col"><span class="visually-hidden">{self.label}</span></th> }.into_any(),
        }
    }
}

impl From<&str> for Col {
    fn from(label: &str) -> Self {
        Col { label: label.to_string(), kind: ColKind::Text }
    }
}

impl From<String> for Col {
    fn from(label: String) -> Self {
        Col { label, kind: ColKind::Text }
    }
}

/// Plain headers from their labels ("" for a blank one).
pub fn cols(labels: &[&str]) -> Vec<Col> {
    labels.iter().map(|l| Col::from(*l)).collect()
}

/// `<table class="table">` (or `class`) named `label`, or `<p class="empty">` with `empty` when
/// there are no rows and `empty` is given. Rows are type-erased (`AnyView`): a row's view type
/// nested in the page's is deep enough to overflow the compiler's layout query depth.
#[component]
pub fn ListTable<T, F, V>(
    rows: Vec<T>,
    headers: Vec<Col>,
    #[prop(optional)] empty: Option<&'static str>,
    #[prop(optional)] label: Option<&'static str>,
    #[prop(default = "table")] class: &'static str,
    children: F,
) -> impl IntoView
where
    F: Fn(T) -> V + 'static,
    V: IntoView + 'static,
{
    if let (true, Some(empty)) = (rows.is_empty(), empty) {
        return view! { <p class="empty">{empty}</p> }.into_any();
    }
    view! {
        <table class=class aria-label=label>
            <thead><tr>{headers.into_iter().map(Col::th).collect_view()}</tr></thead>
            <tbody>{rows.into_iter().map(|row| children(row).into_any()).collect_view()}</tbody>
        </table>
    }
    .into_any()
}
