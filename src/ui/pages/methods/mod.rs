//! Offers → Redemption methods (`server_fns::methods`): the list and the create form (`list`);
//! a method's page (`detail`) with a Workflow tab (code editor, save errors at their line, test
//! run, history with diffs and restore: `workflow`) and a Manage tab (`manage`). The URL fields
//! both forms share are `SettingsFields`.
mod detail;
mod list;
mod manage;
mod workflow;

pub use detail::MethodPage;
pub use list::MethodsPage;

use crate::error::AppError;
use crate::model::MethodSettings;
use crate::ui::components::Field;
use leptos::prelude::*;

/// The Checkout URLs of a method: empty with examples when creating (`settings` None), the
/// current values when managing. Input ids are `{prefix}-success` and so on.
#[component]
fn SettingsFields(err: Signal<Option<AppError>>, prefix: &'static str, settings: Option<MethodSettings>) -> impl IntoView {
    let urls = [
        ("success", "Success URL", "success_url", "successUrl", "https://shop.example/thanks"),
        ("cancel", "Cancel URL", "cancel_url", "cancelUrl", "https://shop.example/pricing"),
        ("signup", "Sign-up URL", "signup_url", "signupUrl", "https://shop.example/join"),
    ];
    urls.map(|(key, label, name, field, example)| {
        let id = format!("{prefix}-{key}");
        let value = settings.as_ref().map(|s| match key {
            "success" => s.success_url.clone(),
            "cancel" => s.cancel_url.clone(),
            _ => s.signup_url.clone(),
        });
        let placeholder = settings.is_none().then_some(example);
        view! {
            <Field id=id.clone() label error=err field>
                <input id=id name=name type="url" placeholder=placeholder value=value/>
            </Field>
        }
    })
}
