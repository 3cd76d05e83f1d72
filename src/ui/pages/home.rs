//! The overview: where you are (tenant, environment, role) and what is in the catalogue.
use crate::model::SessionInfo;
use crate::server_fns::offers::{SetTimeZone, SetTokenTtl};
use crate::server_fns::products::count_products;
use crate::ui::components::{FieldError, FormError, Loading, action_error, action_ok};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    let info = use_context::<SessionInfo>();
    let has_tenant = info.as_ref().is_some_and(|i| i.current_tenant.is_some());
    let count = Resource::new(|| (), move |_| async move { if has_tenant { count_products().await.ok() } else { None } });
    let tz_action = ServerAction::<SetTimeZone>::new();
    let tz_err = action_error(tz_action);
    let tz_ok = action_ok(tz_action);
    let ttl_action = ServerAction::<SetTokenTtl>::new();
    let ttl_err = action_error(ttl_action);
    let ttl_ok = action_ok(ttl_action);
    let ttl = info.as_ref().and_then(|i| i.current_tenant.as_ref().map(|t| t.offer_token_ttl_minutes)).unwrap_or(30);
    let editable = info.as_ref().is_some_and(|i| i.can_edit());
    let tz = info.as_ref().and_then(|i| i.current_tenant.as_ref().map(|t| t.time_zone.clone())).unwrap_or_else(|| "UTC".into());
    let (tenant, role, env) = info
        .as_ref()
        .and_then(|i| i.current_tenant.as_ref().map(|t| (t.name.clone(), t.role.as_str().to_string(), i.environment.as_str().to_string())))
        .unwrap_or_default();
    view! {
        <Title text="Overview · offerdeck"/>
        <h1>"Overview"</h1>
        {if has_tenant {
            view! {
                <dl class="facts">
                    <dt>"Tenant"</dt><dd>{tenant}</dd>
                    <dt>"Environment"</dt><dd>{env}</dd>
                    <dt>"Your role"</dt><dd>{role}</dd>
                    <dt>"Time zone"</dt><dd>{tz.clone()}</dd>
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
                {editable.then(|| view! {
                    <section class="panel">
                        <h2>"Tenant time zone"</h2>
                        <p class="muted">"Times you type in the dashboard, such as offer validity windows, are in this zone."</p>
                        <ActionForm action=tz_action attr:class="inline-form" attr:aria-label="Tenant time zone">
                            <label for="time-zone">"Time zone"</label>
                            <input id="time-zone" name="time_zone" value=tz.clone() placeholder="Europe/London"/>
                            <button type="submit" class="button-small">"Save time zone"</button>
                        </ActionForm>
                        <FormError error=tz_err/>
                        <FieldError error=tz_err field="time_zone"/>
                        {move || tz_ok.get().then(|| view! { <p class="form-ok" role="status">"Saved."</p> })}
                    </section>
                    <section class="panel">
                        <h2>"Offer tokens"</h2>
                        <p class="muted">"A token handed out by a surface decision can be redeemed for this long (both environments)."</p>
                        <ActionForm action=ttl_action attr:class="inline-form" attr:aria-label="Offer token lifetime">
                            <label for="token-ttl">"Token lifetime (minutes)"</label>
                            <input id="token-ttl" name="minutes" type="number" min="1" max="10080" value=ttl.to_string()/>
                            <button type="submit" class="button-small">"Save lifetime"</button>
                        </ActionForm>
                        <FormError error=ttl_err/>
                        <FieldError error=ttl_err field="minutes"/>
                        {move || ttl_ok.get().then(|| view! { <p class="form-ok" role="status">"Saved."</p> })}
                    </section>
                })}
                <section class="panel">
                    <h2>"Build against the API"</h2>
                    <p>"Every object here is also reachable through the JSON API with a secret key of this environment. "
                       <a href="/api/docs">"Read the API reference"</a>"."</p>
                </section>
            }.into_any()
        } else {
            view! {
                <section class="panel">
                    <p>"You are not a member of any active tenant yet."</p>
                    {info.as_ref().is_some_and(|i| i.is_admin).then(|| view! {
                        <p><a href="/admin/tenants">"Create a tenant"</a>" or "<a href="/admin/users">"add yourself to one"</a>"."</p>
                    })}
                </section>
            }.into_any()
        }}
    }
}
