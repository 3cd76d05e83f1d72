//! Settings → Integrations → Stripe (`server_fns::integrations`): the environment's secret key
//! and webhook signing secret (stored encrypted, shown masked) and a connection test.
use crate::model::{Environment, SessionInfo};
use crate::server_fns::integrations::{RemoveStripeIntegration, SaveStripeIntegration, TestStripeIntegration, get_stripe_integration};
use crate::ui::components::{ButtonForm, Field, FormError, FormPanel, Loaded, PageHead, action_error, short_time};
use leptos::prelude::*;

#[component]
pub fn StripeIntegrationPage() -> impl IntoView {
    let save = ServerAction::<SaveStripeIntegration>::new();
    let remove = ServerAction::<RemoveStripeIntegration>::new();
    let test = ServerAction::<TestStripeIntegration>::new();
    let err = action_error(save);
    let remove_err = action_error(remove);
    let test_err = action_error(test);
    let current = Resource::new(move || (save.version().get(), remove.version().get()), |_| get_stripe_integration());
    let env = use_context::<SessionInfo>().map(|i| i.environment).unwrap_or_default();
    let placeholder = if env == Environment::Live { "sk_live_…" } else { "sk_test_…" };
    view! {
        <PageHead title="Stripe"
            intro=format!("The Stripe account of the {} environment. Keys are encrypted at rest and never shown again in full.", env.as_str())/>
        <FormError error=remove_err/>
        <Loaded data=current let:current>
            {match current {
                None => view! { <p class="empty">"Not connected yet."</p> }.into_any(),
                Some(i) => view! {
                    <dl class="facts">
                        <dt>"Secret key"</dt><dd><code>{i.secret_key}</code></dd>
                        <dt>"Webhook signing secret"</dt><dd>{if i.webhook_secret_set { "set" } else { "not set" }}</dd>
                        <dt>"Publishable key"</dt><dd>{match i.publishable_key { Some(k) => view! { <code>{k}</code> }.into_any(), None => view! { "not set" }.into_any() }}</dd>
                        <dt>"Webhook URL"</dt><dd><code>{format!("/webhooks/stripe/{}", i.id)}</code></dd>
                        <dt>"Updated"</dt><dd>{short_time(&i.updated_at)}</dd>
                    </dl>
                    <div class="button-row">
                        <ButtonForm action=test label="Test connection"/>
                        <ButtonForm action=remove label="Disconnect" class="button-danger"/>
                    </div>
                }.into_any(),
            }}
        </Loaded>
        <FormError error=test_err/>
        {move || test.value().get().and_then(|r| r.ok()).map(|a| view! {
            <p class="form-ok" role="status">{format!(
                "Connected to Stripe account {}{}",
                a.id,
                a.business_name.or(a.email).map(|n| format!(" ({n})")).unwrap_or_default()
            )}</p>
        })}
        <FormPanel action=save heading="Connect" label="Connect Stripe" submit="Save">
            <Field id="stripe-secret" label="Secret key" error=err field="secretKey">
                <input id="stripe-secret" name="secret_key" type="password" autocomplete="off" placeholder=placeholder/>
            </Field>
            <Field id="stripe-webhook" label="Webhook signing secret (optional)" error=err field="webhookSecret">
                <input id="stripe-webhook" name="webhook_secret" type="password" autocomplete="off" placeholder="whsec_…"/>
            </Field>
            <Field id="stripe-publishable" label="Publishable key (optional, for custom checkout pages)" error=err field="publishableKey">
                <input id="stripe-publishable" name="publishable_key" type="text" autocomplete="off" placeholder=if env == Environment::Live { "pk_live_…" } else { "pk_test_…" }/>
            </Field>
        </FormPanel>
    }
}
