//! A repeated group of a form (a schema's fields, a surface's slots) edited as table rows:
//! inputs named `group[i]`, each labelled for screen readers, errors under the cell.
use crate::error::AppError;
use crate::ui::components::{Col, Options, RowError};
use leptos::prelude::*;

/// `<fieldset>` with `legend` around a compact table; the children are its rows.
#[component]
pub fn GroupTable(legend: &'static str, headers: Vec<Col>, children: Children) -> impl IntoView {
    view! {
        <fieldset class="field">
            <legend>{legend}</legend>
            <table class="table table-compact">
                <thead><tr>{headers.into_iter().map(Col::th).collect_view()}</tr></thead>
                <tbody>{children()}</tbody>
            </table>
        </fieldset>
    }
}

/// A cell with a text input and the error of `field`; `label` names both.
#[component]
pub fn RowInput(name: String, label: String, value: String, #[prop(into)] error: Signal<Option<AppError>>, field: String) -> impl IntoView {
    view! {
        <td>
            <input name=name aria-label=label.clone() value=value/>
            <RowError error field label/>
        </td>
    }
}

/// A cell with a select, and the error of `field` when one is named.
#[component]
pub fn RowSelect(
    name: String,
    label: String,
    choices: Vec<(String, String)>,
    #[prop(into)] selected: String,
    #[prop(optional, into)] error: Option<Signal<Option<AppError>>>,
    #[prop(optional)] field: Option<String>,
) -> impl IntoView {
    let row_error = error.zip(field).map(|(error, field)| view! { <RowError error field label=label.clone()/> });
    view! {
        <td>
            <select name=name aria-label=label.clone()>
                <Options choices selected/>
            </select>
            {row_error}
        </td>
    }
}
