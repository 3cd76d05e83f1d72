//! The panel that creates something ("New product", "Add an endpoint"): a heading, the form
//! named after it, the form-level error, the fields (the children) and the submit button.
use crate::ui::components::{FormAction, FormError, action_error};
use leptos::prelude::*;

/// `label` names the form for screen readers when it should differ from `heading`; with
/// `disable_while_pending` the button is disabled while the action runs.
#[component]
pub fn FormPanel<S: FormAction>(
    action: ServerAction<S>,
    heading: &'static str,
    #[prop(optional)] label: Option<&'static str>,
    submit: &'static str,
    #[prop(optional)] disable_while_pending: bool,
    children: Children,
) -> impl IntoView {
    let error = action_error(action);
    view! {
        <section class="panel">
            <h2>{heading}</h2>
            <ActionForm action attr:class="form" attr:aria-label=label.unwrap_or(heading)>
                <FormError error/>
                {children()}
                <button type="submit" class="button-primary" disabled=move || disable_while_pending && action.pending().get()>{submit}</button>
            </ActionForm>
        </section>
    }
}
