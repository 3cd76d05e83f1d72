//! The signed-in shell: navigation, tenant switcher, the preview/live switch (always visible,
//! and live looks different), and sign-out. Signed-out visitors are sent to /login.
use crate::app::SessionActions;
use crate::error::ErrorCode;
use crate::model::{Environment, SessionInfo};
use crate::server_fns::auth::{Logout, get_session_info};
use crate::ui::components::{ErrorPanel, Loading};
use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect};

#[component]
pub fn Shell() -> impl IntoView {
    let actions = expect_context::<SessionActions>();
    let info = Resource::new(move || actions.version(), |_| get_session_info());
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match info.await {
                    Ok(Some(info)) => {
                        provide_context(info.clone());
                        view! { <Frame info=info/> }.into_any()
                    }
                    Ok(None) => view! { <Redirect path="/login"/> }.into_any(),
                    Err(e) if e.code == ErrorCode::Unauthenticated => view! { <Redirect path="/login"/> }.into_any(),
                    Err(e) => view! { <main class="centered"><ErrorPanel error=e/></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Frame(info: SessionInfo) -> impl IntoView {
    let actions = expect_context::<SessionActions>();
    let logout = ServerAction::<Logout>::new();
    let live = info.environment == Environment::Live;
    let has_tenant = info.current_tenant.is_some();
    let can_edit = info.can_edit();
    let tenant_name = info.current_tenant.as_ref().map(|t| t.name.clone()).unwrap_or_else(|| "No tenant".into());
    let role = info.current_tenant.as_ref().map(|t| t.role.as_str()).unwrap_or("");
    let tenants = info.tenants.clone();
    let current_id = info.current_tenant.as_ref().map(|t| t.id.clone()).unwrap_or_default();
    let other_env = if live { Environment::Preview } else { Environment::Live };
    view! {
        <div class=if live { "frame env-live" } else { "frame env-preview" }>
            {live.then(|| view! {
                <div class="live-banner" role="status">"Live mode: changes here affect real customers and real payments."</div>
            })}
            <header class="topbar">
                <a class="brand" href="/">"offerdeck"</a>
                <div class="tenant">
                    <span class="tenant-name">{tenant_name}</span>
                    {(!role.is_empty()).then(|| view! { <span class="role-badge">{role.to_string()}</span> })}
                    {(tenants.len() > 1).then(|| view! {
                        <ActionForm action=actions.switch_tenant attr:class="inline-form">
                            <label class="visually-hidden" for="tenant-switch">"Tenant"</label>
                            <select id="tenant-switch" name="tenant_id">
                                {tenants.iter().map(|t| view! {
                                    <option value=t.id.clone() selected=t.id == current_id>{t.name.clone()}</option>
                                }).collect_view()}
                            </select>
                            <button type="submit" class="button-small">"Switch tenant"</button>
                        </ActionForm>
                    })}
                </div>
                {has_tenant.then(|| view! {
                    <div class="env-switch">
                        <span class=if live { "env-badge env-badge-live" } else { "env-badge env-badge-preview" }>
                            {if live { "Live" } else { "Preview" }}
                        </span>
                        <ActionForm action=actions.switch_env attr:class="inline-form">
                            <input type="hidden" name="environment" value=other_env.as_str()/>
                            <button type="submit" class="button-small">
                                {if live { "Switch to preview" } else { "Switch to live" }}
                            </button>
                        </ActionForm>
                    </div>
                })}
                <div class="user">
                    <span class="user-email">{info.email.clone()}</span>
                    <ActionForm action=logout attr:class="inline-form">
                        <button type="submit" class="button-small">"Sign out"</button>
                    </ActionForm>
                </div>
            </header>
            <div class="body">
                <nav class="sidenav" aria-label="Main">
                    <a href="/">"Overview"</a>
                    {has_tenant.then(|| view! {
                        <p class="nav-heading">"Catalogue"</p>
                        <a href="/catalogue/products">"Products"</a>
                        <p class="nav-heading">"Offers"</p>
                        <a href="/offers">"Offers"</a>
                        <a href="/offers/redemption-methods">"Redemption methods"</a>
                        <p class="nav-heading">"Presentation"</p>
                        <a href="/experiences">"Experiences"</a>
                        <a href="/experiences/schemas">"Presentation schemas"</a>
                        <a href="/surfaces">"Surfaces"</a>
                        <p class="nav-heading">"Discounts"</p>
                        <a href="/coupons">"Coupons"</a>
                        <p class="nav-heading">"Activity"</p>
                        <a href="/events">"Events"</a>
                    })}
                    {(has_tenant && can_edit).then(|| view! {
                        <p class="nav-heading">"Settings"</p>
                        <a href="/settings/api-keys">"API keys"</a>
                        <a href="/settings/integrations/stripe">"Stripe"</a>
                        <a href="/settings/webhooks">"Webhooks"</a>
                    })}
                    {info.is_admin.then(|| view! {
                        <p class="nav-heading">"Platform"</p>
                        <a href="/admin/tenants">"Tenants"</a>
                        <a href="/admin/users">"Users"</a>
                    })}
                    <p class="nav-heading">"Developers"</p>
                    <a href="/api/docs" rel="external">"API reference"</a>
                </nav>
                <main class="content">
                    <Outlet/>
                </main>
            </div>
        </div>
    }
}
