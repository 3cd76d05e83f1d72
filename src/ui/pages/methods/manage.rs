//! A method's Manage tab: name, slug and Checkout URLs, what a Stripe Checkout method still
//! needs, and archive/restore.
use super::SettingsFields;
use crate::model::{MethodSchema, ProductStatus, RedemptionMethod};
use crate::server_fns::methods::{SetMethodArchived, UpdateMethod};
use crate::ui::components::{ArchiveButton, Field, FormError, Saved, action_error, action_ok};
use crate::ui::layout::can_edit;
use leptos::prelude::*;

/// "…until you set its success URL, cancel URL." when a Stripe Checkout method lacks URLs.
fn missing_urls_notice(method: &RedemptionMethod) -> Option<impl IntoView + use<>> {
    if method.schema != MethodSchema::StripeCheckout {
        return None;
    }
    let missing: Vec<&'static str> = method
        .settings
        .missing_checkout_urls()
        .into_iter()
        .map(|f| match f {
            "successUrl" => "success URL",
            "cancelUrl" => "cancel URL",
            _ => "sign-up URL",
        })
        .collect();
    (!missing.is_empty()).then(|| {
        view! {
            <p class="notice" role="note">
                {format!("Redemptions of this method answer 409 with a clear message until you set its {}.", missing.join(", "))}
            </p>
        }
    })
}

#[component]
pub fn ManageTab(method: RedemptionMethod, update: ServerAction<UpdateMethod>, archive: ServerAction<SetMethodArchived>) -> impl IntoView {
    let editable = can_edit();
    let err = action_error(update);
    let archived = method.status == ProductStatus::Archived;
    let (id, name, slug, settings) = (method.id.clone(), method.name.clone(), method.slug.clone(), method.settings.clone());
    view! {
        <section class="panel">
            <h2>"Manage"</h2>
            {missing_urls_notice(&method)}
            <dl class="facts">
                <dt>"ID"</dt><dd><code>{method.id.clone()}</code></dd>
                <dt>"Redemption schema"</dt><dd><code>{method.redemption_schema.clone()}</code></dd>
            </dl>
            <ActionForm action=update attr:class="form" attr:aria-label="Manage method">
                <input type="hidden" name="id" value=id.clone()/>
                <FormError error=err/>
                <Saved when=action_ok(update)/>
                <Field id="mm-name" label="Name" error=err field="name">
                    <input id="mm-name" name="name" value=name/>
                </Field>
                <Field id="mm-slug" label="Slug" error=err field="slug">
                    <input id="mm-slug" name="slug" value=slug/>
                </Field>
                <SettingsFields err prefix="mm" settings=Some(settings)/>
                {editable.then(|| view! { <button type="submit" class="button-primary">"Save settings"</button> })}
            </ActionForm>
            {editable.then(|| view! { <ArchiveButton action=archive id=method.id.clone() archived noun="method"/> })}
        </section>
    }
}
