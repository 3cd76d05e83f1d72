//! The overview: where you are (tenant, environment, role), what is in the catalogue, and the
//! tenant's settings (time zone, offer token lifetime, sign-up billing defaults) for those who
//! may change them.
use crate::error::AppError;
use crate::model::{SessionInfo, TenantChoice};
use crate::server_fns::products::count_products;
use crate::server_fns::settings::{SetSignupDefaults, SetTimeZone, SetTokenTtl};
use crate::ui::components::{FieldError, FormError, Loading, PageHead, Saved, action_error, action_ok};
use crate::ui::layout::can_edit;
use leptos::prelude::*;

#[component]
pub fn HomePage() -> impl IntoView {
    let info = use_context::<SessionInfo>();
    let has_tenant = info.as_ref().is_some_and(|i| i.current_tenant.is_some());
    let count = Resource::new(|| (), move |_| async move { if has_tenant { count_products().await.ok() } else { None } });
    view! {
        <PageHead title="Overview"/>
        {match info.as_ref().and_then(|i| i.current_tenant.clone().map(|t| (t, i.environment.as_str().to_string()))) {
            Some((tenant, env)) => view! {
                <dl class="facts">
                    <dt>"Tenant"</dt><dd>{tenant.name.clone()}</dd>
                    <dt>"Environment"</dt><dd>{env}</dd>
                    <dt>"Your role"</dt><dd>{tenant.role.as_str().to_string()}</dd>
                    <dt>"Time zone"</dt><dd>{tenant.time_zone.clone()}</dd>
                    <dt>"Products"</dt>
                    <dd>
                        <Suspense fallback=Loading>
                            {move || Suspend::new(async move {
                                match count.await {
                                    Some(n) => view! { <a href="/catalogue/products">{format!("{n} in this environment")}</a> }.into_any(),
                                    None => view! { <span>"—"</span> }.into_any(),
                                }
                            })}
                        </Suspense>
                    </dd>
                </dl>
                {can_edit().then(|| view! { <TenantSettings tenant/> })}
                <section class="panel">
                    <h2>"Build against the API"</h2>
                    <p>"Every object here is also reachable through the JSON API with a secret key of this environment. "
                       <a href="/api/docs">"Read the API reference"</a>"."</p>
                </section>
            }.into_any(),
            None => view! {
                <section class="panel">
                    <p>"You are not a member of any active tenant yet."</p>
                    {info.as_ref().is_some_and(|i| i.is_admin).then(|| view! {
                        <p><a href="/admin/tenants">"Create a tenant"</a>" or "<a href="/admin/users">"add yourself to one"</a>"."</p>
                    })}
                </section>
            }.into_any(),
        }}
    }
}

#[component]
fn TenantSettings(tenant: TenantChoice) -> impl IntoView {
    let tz = ServerAction::<SetTimeZone>::new();
    let ttl = ServerAction::<SetTokenTtl>::new();
    let billing = ServerAction::<SetSignupDefaults>::new();
    view! {
        <SettingPanel heading="Tenant time zone" intro="Times you type in the dashboard, such as offer validity windows, are in this zone."
            error=action_error(tz) field="time_zone" ok=action_ok(tz)>
            <ActionForm action=tz attr:class="inline-form" attr:aria-label="Tenant time zone">
                <label for="time-zone">"Time zone"</label>
                <input id="time-zone" name="time_zone" value=tenant.time_zone.clone() placeholder="Europe/London"/>
                <button type="submit" class="button-small">"Save time zone"</button>
            </ActionForm>
        </SettingPanel>
        <SettingPanel heading="Offer tokens" intro="A token handed out by a surface decision can be redeemed for this long (both environments)."
            error=action_error(ttl) field="minutes" ok=action_ok(ttl)>
            <ActionForm action=ttl attr:class="inline-form" attr:aria-label="Offer token lifetime">
                <label for="token-ttl">"Token lifetime (minutes)"</label>
                <input id="token-ttl" name="minutes" type="number" min="1" max="10080" value=tenant.offer_token_ttl_minutes.to_string()/>
                <button type="submit" class="button-small">"Save lifetime"</button>
            </ActionForm>
        </SettingPanel>
        <SettingPanel heading="Sign-up billing" intro="What a sign-up cart's bill group is when its request leaves it out (both environments)."
            error=action_error(billing) field="days_until_due" ok=action_ok(billing)>
            <ActionForm action=billing attr:class="inline-form" attr:aria-label="Sign-up billing defaults">
                <label><input type="checkbox" name="auto_email_invoice" checked=tenant.signup_auto_email_invoice/>" Email invoices"</label>
                <label><input type="checkbox" name="collect_automatically" checked=tenant.signup_collect_automatically/>" Charge the payment method automatically"</label>
                <label for="days-due">"Invoices due in (days)"</label>
                <input id="days-due" name="days_until_due" type="number" min="1" max="365" value=tenant.signup_days_until_due.to_string()/>
                <button type="submit" class="button-small">"Save billing"</button>
            </ActionForm>
        </SettingPanel>
    }
}

/// One tenant setting: its one-line form (the children), then the outcome of the last save.
#[component]
fn SettingPanel(
    heading: &'static str,
    intro: &'static str,
    error: Signal<Option<AppError>>,
    field: &'static str,
    ok: Signal<bool>,
    children: Children,
) -> impl IntoView {
    view! {
        <section class="panel">
            <h2>{heading}</h2>
            <p class="muted">{intro}</p>
            {children()}
            <FormError error/>
            <FieldError error field/>
            <Saved when=ok/>
        </section>
    }
}
