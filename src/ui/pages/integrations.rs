//! Settings → Integrations → Stripe: the environment's secret key and webhook signing secret
//! (stored encrypted, shown masked) and a connection test against Stripe.
use crate::model::{Environment, SessionInfo};
use crate::server_fns::integrations::{RemoveStripeIntegration, SaveStripeIntegration, TestStripeIntegration, get_stripe_integration};
use crate::ui::components::{ErrorPanel, FieldError, FormError, Loading, action_error, short_time};
use leptos::prelude::*;
use leptos_meta::Title;

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
        <Title text="Stripe · offerdeck"/>
        <h1>"Stripe"</h1>
        <p class="muted">{format!(
            "The Stripe account of the {} environment. Keys are encrypted at rest and never shown again in full.",
            env.as_str()
        )}</p>
        <FormError error=remove_err/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match current.await {
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                    Ok(None) => view! { <p class="empty">"Not connected yet."</p> }.into_any(),
                    Ok(Some(i)) => view! {
                        <dl class="facts">
                            <dt>"Secret key"</dt><dd><code>{i.secret_key}</code></dd>
                            <dt>"Webhook signing secret"</dt><dd>{if i.webhook_secret_set { "set" } else { "not set" }}</dd>
                            <dt>"Webhook URL"</dt><dd><code>{format!("/webhooks/stripe/{}", i.id)}</code></dd>
                            <dt>"Updated"</dt><dd>{short_time(&i.updated_at)}</dd>
                        </dl>
                        <div class="button-row">
                            <ActionForm action=test attr:class="inline-form">
                                <button type="submit">"Test connection"</button>
                            </ActionForm>
                            <ActionForm action=remove attr:class="inline-form">
                                <button type="submit" class="button-danger">"Disconnect"</button>
                            </ActionForm>
                        </div>
                    }.into_any(),
                }
            })}
        </Suspense>
        <FormError error=test_err/>
        {move || test.value().get().and_then(|r| r.ok()).map(|a| view! {
            <p class="form-ok" role="status">{format!(
                "Connected to Stripe account {}{}",
                a.id,
                a.business_name.or(a.email).map(|n| format!(" ({n})")).unwrap_or_default()
            )}</p>
        })}
        <section class="panel">
            <h2>"Connect"</h2>
            <ActionForm action=save attr:class="form" attr:aria-label="Connect Stripe">
                <FormError error=err/>
                <div class="field">
                    <label for="stripe-secret">"Secret key"</label>
                    <input id="stripe-secret" name="secret_key" type="password" autocomplete="off" placeholder=placeholder/>
                    <FieldError error=err field="secretKey"/>
                </div>
                <div class="field">
                    <label for="stripe-webhook">"Webhook signing secret (optional)"</label>
                    <input id="stripe-webhook" name="webhook_secret" type="password" autocomplete="off" placeholder="whsec_…"/>
                    <FieldError error=err field="webhookSecret"/>
                </div>
                <button type="submit" class="button-primary">"Save"</button>
            </ActionForm>
        </section>
    }
}
