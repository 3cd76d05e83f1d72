//! The HTML shell and the route table; pages live in `ui::pages`.
use crate::server_fns::auth::{SwitchEnvironment, SwitchTenant};
use crate::ui::layout::Shell;
use crate::ui::pages::{
    admin, api_keys, campaigns, checkout, coupons, discounts, events, experiences, home::HomePage, integrations, login::LoginPage, methods, offers, products,
    signups, surfaces, versions, webhooks,
};
use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{SsrMode, path};

/// The dashboard's Content-Security-Policy: scripts only from this server or inline with this
/// response's nonce (the hydration script), WebAssembly compilation allowed, no plugins, no
/// framing, forms and fetches only to this origin. Styles may be inline: the code editor
/// (CodeMirror) injects its theme as style elements. Experience pages are the exception for
/// scripts: their live preview is a `srcdoc` iframe (sandboxed, `allow-scripts` only, so an
/// opaque origin), and such a document inherits this policy; the merchant's own inline scripts
/// must run there, so those pages allow inline scripts instead of requiring the nonce.
#[cfg(feature = "ssr")]
fn content_security_policy() {
    let Some(opts) = use_context::<leptos_axum::ResponseOptions>() else { return };
    let previews = use_context::<http::request::Parts>().is_some_and(|p| p.uri.path().starts_with("/experiences"));
    let scripts = match leptos::nonce::use_nonce() {
        Some(_) if previews => "'self' 'unsafe-inline' 'wasm-unsafe-eval'".to_string(),
        Some(nonce) => format!("'self' 'nonce-{nonce}' 'wasm-unsafe-eval'"),
        None => return,
    };
    let policy = format!(
        "default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; connect-src 'self'; \
         font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(v) = http::HeaderValue::from_str(&policy) {
        opts.insert_header(http::header::CONTENT_SECURITY_POLICY, v);
    }
}

pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    content_security_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <HydrationScripts options/>
                // The code editor's loader: it fetches CodeMirror (bundled from npm at build
                // time) only on pages with a code textarea, which it enhances after hydration;
                // without JavaScript nothing changes.
                <script src="/pkg/editor.js" defer></script>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Actions that change the session's tenant or environment; every page re-reads its data
/// when one of them completes.
#[derive(Clone, Copy)]
pub struct SessionActions {
    pub switch_env: ServerAction<SwitchEnvironment>,
    pub switch_tenant: ServerAction<SwitchTenant>,
}

impl SessionActions {
    pub fn version(&self) -> usize {
        self.switch_env.version().get() + self.switch_tenant.version().get()
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_context(SessionActions { switch_env: ServerAction::new(), switch_tenant: ServerAction::new() });
    // Marks the page once it is interactive (end-to-end tests wait for it instead of sleeping).
    #[cfg(feature = "hydrate")]
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    view! {
        <Stylesheet id="offerdeck" href="/pkg/offerdeck.css"/>
        <Title text="offerdeck"/>
        <Router>
            <Routes fallback=|| view! { <main class="centered"><h1>"Page not found"</h1><p><a href="/">"Back to the dashboard"</a></p></main> }>
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                <ParentRoute path=path!("") view=Shell ssr=SsrMode::Async>
                    <Route path=path!("") view=HomePage ssr=SsrMode::Async/>
                    <Route path=path!("/catalogue/products") view=products::ProductsPage ssr=SsrMode::Async/>
                    <Route path=path!("/catalogue/products/:id") view=products::ProductPage ssr=SsrMode::Async/>
                    <Route path=path!("/offers") view=offers::OffersPage ssr=SsrMode::Async/>
                    <Route path=path!("/offers/redemption-methods") view=methods::MethodsPage ssr=SsrMode::Async/>
                    <Route path=path!("/offers/redemption-methods/:id") view=methods::MethodPage ssr=SsrMode::Async/>
                    <Route path=path!("/offers/:id") view=offers::OfferPage ssr=SsrMode::Async/>
                    <Route path=path!("/experiences") view=experiences::ExperiencesPage ssr=SsrMode::Async/>
                    <Route path=path!("/experiences/schemas") view=experiences::SchemasPage ssr=SsrMode::Async/>
                    <Route path=path!("/experiences/schemas/:id") view=experiences::SchemaPage ssr=SsrMode::Async/>
                    <Route path=path!("/experiences/:id") view=experiences::ExperiencePage ssr=SsrMode::Async/>
                    <Route path=path!("/surfaces") view=surfaces::SurfacesPage ssr=SsrMode::Async/>
                    <Route path=path!("/surfaces/:id") view=surfaces::SurfacePage ssr=SsrMode::Async/>
                    <Route path=path!("/coupons") view=coupons::CouponsPage ssr=SsrMode::Async/>
                    <Route path=path!("/coupons/new") view=coupons::NewCouponPage ssr=SsrMode::Async/>
                    <Route path=path!("/coupons/batches/new") view=coupons::NewBatchPage ssr=SsrMode::Async/>
                    <Route path=path!("/coupons/batches/:id") view=coupons::BatchPage ssr=SsrMode::Async/>
                    <Route path=path!("/campaigns") view=campaigns::CampaignsPage ssr=SsrMode::Async/>
                    <Route path=path!("/campaigns/:name") view=campaigns::CampaignPage ssr=SsrMode::Async/>
                    <Route path=path!("/coupons/:code") view=coupons::CouponPage ssr=SsrMode::Async/>
                    <Route path=path!("/discounts/rules") view=discounts::DiscountRulesPage ssr=SsrMode::Async/>
                    <Route path=path!("/discounts/rules/:id") view=discounts::DiscountRulePage ssr=SsrMode::Async/>
                    <Route path=path!("/checkout-sessions") view=checkout::CheckoutSessionsPage ssr=SsrMode::Async/>
                    <Route path=path!("/checkout-sessions/:id") view=checkout::CheckoutSessionPage ssr=SsrMode::Async/>
                    <Route path=path!("/signups") view=signups::SignUpsPage ssr=SsrMode::Async/>
                    <Route path=path!("/signups/:id") view=signups::SignUpPage ssr=SsrMode::Async/>
                    <Route path=path!("/settings/webhooks") view=webhooks::WebhooksPage ssr=SsrMode::Async/>
                    <Route path=path!("/settings/webhooks/:id") view=webhooks::WebhookEndpointPage ssr=SsrMode::Async/>
                    <Route path=path!("/events") view=events::EventsPage ssr=SsrMode::Async/>
                    <Route path=path!("/events/:id") view=events::EventPage ssr=SsrMode::Async/>
                    <Route path=path!("/settings/api-keys") view=api_keys::ApiKeysPage ssr=SsrMode::Async/>
                    <Route path=path!("/settings/integrations/stripe") view=integrations::StripeIntegrationPage ssr=SsrMode::Async/>
                    <Route path=path!("/versions") view=versions::VersionsPage ssr=SsrMode::Async/>
                    <Route path=path!("/versions/:id") view=versions::VersionPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/tenants") view=admin::TenantsPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/users") view=admin::UsersPage ssr=SsrMode::Async/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
