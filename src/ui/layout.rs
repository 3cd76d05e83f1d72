//! The signed-in shell: navigation, tenant switcher, the preview/live switch (always visible,
//! and live looks different), and sign-out. Signed-out visitors are sent to /login. The shell
//! provides the session to every page (`can_edit` reads it).
use crate::app::SessionActions;
use crate::error::ErrorCode;
use crate::model::is_versioned_path;
use crate::model::{Environment, SessionInfo};
use crate::server_fns::auth::{Logout, get_session_info};
use crate::ui::components::{ButtonForm, ErrorPanel, Loading};
use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect};
use leptos_router::hooks::use_location;

/// True when the signed-in user may change things on the current page (the shell provides
/// the session to every page): a merchant, except on live's configuration pages once live runs
/// a deployed version (those objects change only by deploys).
pub fn can_edit() -> bool {
    use_context::<SessionInfo>().is_some_and(|i| i.can_edit() && !(i.config_locked() && is_versioned_path(&use_location().pathname.get_untracked())))
}

/// The sidebar's sections below "Overview": heading, then (path, label) links.
const NAV: [(&str, &[(&str, &str)]); 7] = [
    ("Catalogue", &[("/catalogue/products", "Products")]),
    ("Offers", &[("/offers", "Offers"), ("/offers/redemption-methods", "Redemption methods")]),
    ("Presentation", &[("/experiences", "Experiences"), ("/experiences/schemas", "Presentation schemas"), ("/surfaces", "Surfaces")]),
    ("Discounts", &[("/coupons", "Coupons"), ("/campaigns", "Campaigns"), ("/discounts/rules", "Discount rules")]),
    ("Checkout", &[("/checkout-sessions", "Checkout sessions"), ("/signups", "Sign-ups")]),
    ("Activity", &[("/events", "Events")]),
    ("Release", &[("/versions", "Versions")]),
];
const SETTINGS_NAV: (&str, &[(&str, &str)]) =
    ("Settings", &[("/settings/api-keys", "API keys"), ("/settings/integrations/stripe", "Stripe"), ("/settings/webhooks", "Webhooks")]);
const PLATFORM_NAV: (&str, &[(&str, &str)]) = ("Platform", &[("/admin/tenants", "Tenants"), ("/admin/users", "Users")]);

fn nav_section((heading, links): (&'static str, &'static [(&'static str, &'static str)])) -> impl IntoView {
    view! {
        <p class="nav-heading">{heading}</p>
        {links.iter().map(|(href, label)| view! { <a href=*href>{*label}</a> }).collect_view()}
    }
}

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
    let locked = info.config_locked();
    let live_version = info.live_version.clone();
    let location = use_location();
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
                        {live_version.clone().filter(|_| live).map(|v| view! {
                            <a class="env-version" href="/versions" title=format!("Live runs version {} “{}”", v.number, v.name)>{format!("v{}", v.number)}</a>
                        })}
                        <ButtonForm action=actions.switch_env hidden=vec![("environment", other_env.as_str().to_string())]
                            label=if live { "Switch to preview" } else { "Switch to live" } class="button-small"/>
                    </div>
                })}
                <div class="user">
                    <span class="user-email">{info.email.clone()}</span>
                    <ButtonForm action=logout label="Sign out" class="button-small"/>
                </div>
            </header>
            <div class="body">
                <nav class="sidenav" aria-label="Main">
                    <a href="/">"Overview"</a>
                    {has_tenant.then(|| NAV.map(nav_section))}
                    {(has_tenant && can_edit).then(|| nav_section(SETTINGS_NAV))}
                    {info.is_admin.then(|| nav_section(PLATFORM_NAV))}
                    <p class="nav-heading">"Developers"</p>
                    <a href="/api/docs" rel="external">"API reference"</a>
                </nav>
                <main class="content">
                    {move || (locked && is_versioned_path(&location.pathname.get())).then(|| view! {
                        <div class="locked-banner" role="note">
                            "Live runs version " {live_version.as_ref().map(|v| v.number).unwrap_or_default()}
                            ": this configuration is read-only here. Change it in preview, then deploy it from "
                            <a href="/versions">"Versions"</a> "."
                        </div>
                    })}
                    <Outlet/>
                </main>
            </div>
        </div>
    }
}
