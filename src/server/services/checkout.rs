//! Checkout sessions (API.md §10): one service behind the API, the dashboard and the workflow
//! sandbox's `integrations.offerdeck.checkoutSessions.create`. A session is stored `opening`
//! with its coupon use reserved before Stripe is asked, so that open checkouts can never
//! over-redeem a code; when Stripe refuses, the row and the reservation go again. What happens
//! afterwards (completion, expiry, the return hop, Stripe's events) is in `lifecycle`.
use crate::error::{AppError, AppResult, FieldErrors};
use crate::model::{
    CheckoutCustomerInput, CheckoutSession, CheckoutSessionCreate, CheckoutSessionDetail, CheckoutStatus, DiscountUpdates, Page, Price, Product, ProductStatus,
    UNITS_MAX, UiMode, normalize_code, plausible_email, validate_metadata, validate_return_url,
};
use crate::server::auth::{Actor, Permission};
use crate::server::db::{self, Scoped, checkout as kdb, new_id, record};
use crate::server::services::{coupons, integrations, records, settings};
use crate::server::{AppState, secrets};
use serde_json::{Value, json};

pub mod discounts;
pub mod lifecycle;

/// How long a new session stays open in Stripe (Stripe allows 30 minutes to 24 hours).
pub const OPEN_FOR_MS: i64 = 24 * 3600 * 1000;

/// Everything a new session needs, checked: what the caller sent and what the catalogue says.
struct Plan {
    product: Product,
    price: Price,
    units: i64,
    request_id: Option<String>,
    customer: Customer,
    code: Option<String>,
    success_url: String,
    cancel_url: String,
    metadata: serde_json::Map<String, Value>,
    ui_mode: UiMode,
    discount_updates: DiscountUpdates,
}

enum Customer {
    None,
    Email(String),
    Id(String),
}

fn customer(input: Option<CheckoutCustomerInput>, e: &mut FieldErrors) -> Customer {
    let Some(c) = input else { return Customer::None };
    let email = c.email.map(|m| m.trim().to_lowercase()).filter(|m| !m.is_empty());
    let id = c.id.map(|i| i.trim().to_string()).filter(|i| !i.is_empty());
    match (email, id) {
        (Some(_), Some(_)) | (None, None) => {
            e.add("customer", "must be exactly one of {\"email\": …} or {\"id\": \"cus_…\"}");
            Customer::None
        }
        (Some(m), None) if plausible_email(&m) => Customer::Email(m),
        (Some(_), None) => {
            e.add("customer.email", "must be an email address");
            Customer::None
        }
        (None, Some(i)) if i.starts_with("cus_") && i.len() <= 104 && i[4..].chars().all(|c| c.is_ascii_alphanumeric()) && i.len() > 4 => Customer::Id(i),
        (None, Some(_)) => {
            e.add("customer.id", "must be a Stripe customer id (cus_…)");
            Customer::None
        }
    }
}

/// The product's price a session sells: `price_id` when given (it must be the product's and
/// active), else the product's only active price.
async fn price_of(state: &AppState, scope: &Scoped, product: &Product, price_id: Option<&str>) -> AppResult<Price> {
    let (prices, _) = db::prices::list(&state.db.pool, scope, Some(&product.id), None, 100).await?;
    let active: Vec<Price> = prices.into_iter().filter(|p| p.status == ProductStatus::Active).collect();
    match price_id {
        Some(id) => active.into_iter().find(|p| p.id == id).ok_or_else(|| AppError::field("priceId", "is not an active price of this product")),
        None if active.len() == 1 => Ok(active.into_iter().next().unwrap_or_else(|| unreachable!())),
        None if active.is_empty() => Err(AppError::field("productId", "has no active price")),
        None => Err(AppError::field("priceId", "is required: the product has more than one active price")),
    }
}

async fn plan(state: &AppState, scope: &Scoped, input: CheckoutSessionCreate) -> AppResult<Plan> {
    let mut e = FieldErrors::new();
    let units = input.units.unwrap_or(1);
    if !(1..=UNITS_MAX).contains(&units) {
        e.add("units", format!("must be between 1 and {UNITS_MAX}"));
    }
    let request_id = input.request_id.map(|r| r.trim().to_string());
    if request_id.as_deref().is_some_and(|r| r.is_empty() || r.len() > crate::model::REQUEST_ID_MAX) {
        e.add("requestId", "must be 1 to 255 characters");
    }
    let customer = customer(input.customer, &mut e);
    let metadata = input.metadata.unwrap_or_default();
    validate_metadata(&metadata, &mut e);
    let ui_mode = input.ui_mode.unwrap_or_default();
    let discount_updates = input.discount_updates.unwrap_or_default();
    if discount_updates == DiscountUpdates::ServerOnly && ui_mode != UiMode::Custom {
        e.add("discountUpdates", "server_only needs uiMode \"custom\" (Stripe lets a server update discounts only there)");
    }
    let code = input.discount_code.map(|c| normalize_code(&c)).filter(|c| !c.is_empty());
    let product_id = input.product_id.trim();
    let product = if product_id.is_empty() {
        e.add("productId", "is required");
        None
    } else {
        match record::get::<Product, _>(&state.db.pool, scope, product_id).await? {
            Some(p) if p.status == ProductStatus::Active => Some(p),
            Some(_) => {
                e.add("productId", "is archived");
                None
            }
            None => {
                e.add("productId", "no such product in this environment");
                None
            }
        }
    };
    let url = |field: &str, given: Option<String>, default: Option<&str>, e: &mut FieldErrors| {
        let url = given.map(|u| u.trim().to_string()).filter(|u| !u.is_empty()).or_else(|| default.filter(|d| !d.is_empty()).map(str::to_string));
        match url {
            Some(u) => {
                validate_return_url(field, &u, e);
                u
            }
            None => {
                e.add(field, "is required: the product has no default (set one on the product or send it here)");
                String::new()
            }
        }
    };
    let success_url = url("successUrl", input.success_url, product.as_ref().map(|p| p.success_url.as_str()), &mut e);
    let cancel_url = url("cancelUrl", input.cancel_url, product.as_ref().map(|p| p.cancel_url.as_str()), &mut e);
    let price = match &product {
        Some(p) => match price_of(state, scope, p, input.price_id.as_deref().map(str::trim).filter(|s| !s.is_empty())).await {
            Ok(price) => Some(price),
            Err(err) if err.fields.is_empty() => return Err(err),
            Err(err) => {
                err.fields.iter().for_each(|(k, v)| e.add(k, v.clone()));
                None
            }
        },
        None => None,
    };
    e.into_result()?;
    let (Some(product), Some(price)) = (product, price) else { return Err(AppError::internal()) };
    Ok(Plan { product, price, units, request_id, customer, code, success_url, cancel_url, metadata, ui_mode, discount_updates })
}

/// The Stripe customer of a locked email in this environment: the one remembered, or a new one
/// (created once: Stripe's idempotency key and the table's key make racing requests agree).
/// `details` (a sign-up cart's name and address) go into a new customer's form.
pub async fn customer_for(state: &AppState, scope: &Scoped, key: &str, email: &str, details: Option<&Value>) -> AppResult<String> {
    if let Some(id) = kdb::customer_of(&state.db.pool, scope, email).await? {
        return Ok(id);
    }
    let digest = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(format!("{}/{}/{email}", scope.tenant_id(), scope.env().as_str())));
    let mut body = json!({"email": email, "metadata": {"offerdeck_tenant": scope.tenant_id()}});
    // Another form needs another idempotency key (Stripe refuses a key reused with new fields).
    let mut door = "customer";
    if let Some(Value::Object(d)) = details {
        for (k, v) in d {
            match (body.get_mut(k), v) {
                (Some(Value::Object(mine)), Value::Object(theirs)) => mine.extend(theirs.clone()),
                _ => body[k] = v.clone(),
            }
        }
        door = "signup-customer";
    }
    let res = state
        .stripe
        .request(key, "POST", "/v1/customers", Some(&body), Some(&format!("offerdeck-{door}-{}", &digest[..32])))
        .await
        .map_err(|u| AppError::stripe(format!("{} — no Stripe customer was created", u.0)))?;
    let id = res.data.get("id").and_then(Value::as_str).filter(|_| res.ok()).map(str::to_string);
    let Some(id) = id else {
        return Err(AppError::stripe(format!("Stripe refused the customer: {}", res.error_message())));
    };
    let mut tx = state.db.begin_write().await?;
    let kept = kdb::remember_customer(&mut *tx, scope, email, &id, state.clock.now_ms()).await?;
    tx.commit().await?;
    Ok(kept)
}

/// The form body of Stripe's `POST /v1/checkout/sessions` (API.md §10 lists every field).
pub fn stripe_body(state: &AppState, id: &str, p: &StripePlan<'_>) -> Value {
    let subscription = p.price.interval.is_some();
    let ours = json!({"offerdeck_checkout_session": id});
    let mut b = json!({
        "mode": if subscription { "subscription" } else { "payment" },
        "line_items": [{"price": p.price.stripe_price_id, "quantity": p.units}],
        "client_reference_id": id,
        "metadata": ours,
        "expires_at": p.expires_at / 1000,
    });
    b[if subscription { "subscription_data" } else { "payment_intent_data" }] = json!({"metadata": ours});
    if let Some(c) = p.customer {
        b["customer"] = json!(c);
    }
    if let Some(c) = p.stripe_coupon {
        b["discounts"] = json!([{"coupon": c}]);
    }
    let back = format!("{}/checkout/return/{id}", state.config.public_url.trim_end_matches('/'));
    match p.ui_mode {
        UiMode::Hosted => {
            b["success_url"] = json!(back);
            b["cancel_url"] = json!(p.cancel_url);
        }
        UiMode::Custom => {
            b["ui_mode"] = json!("custom");
            b["return_url"] = json!(back);
            if p.discount_updates == DiscountUpdates::ServerOnly {
                b["permissions"] = json!({"update_discounts": "server_only"});
            }
        }
    }
    b
}

/// What [`stripe_body`] is made of.
pub struct StripePlan<'a> {
    pub price: &'a Price,
    pub units: i64,
    pub customer: Option<&'a str>,
    pub stripe_coupon: Option<&'a str>,
    pub cancel_url: &'a str,
    pub ui_mode: UiMode,
    pub discount_updates: DiscountUpdates,
    pub expires_at: i64,
}

/// `POST /api/v1/checkout-sessions`.
pub async fn create(state: &AppState, actor: &Actor, input: CheckoutSessionCreate) -> AppResult<CheckoutSession> {
    let scope = actor.authorize(Permission::TenantWrite)?;
    create_in(state, scope, &actor.label(), input).await
}

/// [`create`] for a caller that holds the scope already (the workflow sandbox); `by` names it
/// in the timeline.
pub async fn create_in(state: &AppState, scope: &Scoped, by: &str, input: CheckoutSessionCreate) -> AppResult<CheckoutSession> {
    let plan = plan(state, scope, input).await?;
    let key = integrations::secret_key(state, scope).await?;
    let (email, customer) = match &plan.customer {
        Customer::None => (None, None),
        Customer::Email(m) => (Some(m.clone()), Some(customer_for(state, scope, &key, m, None).await?)),
        Customer::Id(i) => (None, Some(i.clone())),
    };
    let id = new_id("cs");
    let now = state.clock.now_ms();
    let expires_at = now + OPEN_FOR_MS;
    let metadata = Value::Object(plan.metadata.clone()).to_string();
    let mut tx = state.db.begin_write().await?;
    let coupon = match &plan.code {
        Some(code) => match coupons::reserve(&mut tx, scope, code, customer.as_deref(), now).await {
            Ok(c) => Some((c.coupon.id, c.coupon.stripe_coupon_id)),
            Err(err) => {
                tx.rollback().await?;
                return Err(err);
            }
        },
        None => None,
    };
    let new = kdb::NewSession {
        id: &id,
        request_id: plan.request_id.as_deref(),
        product_id: &plan.product.id,
        price_id: &plan.price.id,
        units: plan.units,
        mode: if plan.price.interval.is_some() { "subscription" } else { "payment" },
        customer_email: email.as_deref(),
        stripe_customer_id: customer.as_deref(),
        coupon_id: coupon.as_ref().map(|c| c.0.as_str()),
        discount_code: plan.code.as_deref(),
        success_url: &plan.success_url,
        cancel_url: &plan.cancel_url,
        metadata: &metadata,
        ui_mode: plan.ui_mode,
        discount_updates: plan.discount_updates,
        amount_subtotal: plan.price.unit_amount.saturating_mul(plan.units),
        currency: &plan.price.currency,
        expires_at,
        now,
    };
    kdb::insert(&mut *tx, scope, new).await?;
    kdb::note(&mut *tx, scope, &id, "created", &format!("created by {by}"), now).await?;
    tx.commit().await?;
    let sp = StripePlan {
        price: &plan.price,
        units: plan.units,
        customer: customer.as_deref(),
        stripe_coupon: coupon.as_ref().map(|c| c.1.as_str()),
        cancel_url: &plan.cancel_url,
        ui_mode: plan.ui_mode,
        discount_updates: plan.discount_updates,
        expires_at,
    };
    let row = open_in_stripe(state, scope, &key, &id, &sp).await?;
    view(state, scope, row).await
}

/// Opens the stored session `id` in Stripe and records what Stripe answered; when Stripe
/// refuses or cannot be reached, the session and its reservation go again (502).
async fn open_in_stripe(state: &AppState, scope: &Scoped, key: &str, id: &str, sp: &StripePlan<'_>) -> AppResult<kdb::CheckoutRow> {
    let body = stripe_body(state, id, sp);
    let version = if sp.discount_updates == DiscountUpdates::ServerOnly {
        crate::server::stripe::CHECKOUT_SERVER_UPDATE_VERSION
    } else {
        crate::server::stripe::DEFAULT_VERSION
    };
    let answer = state.stripe.request_as(key, "POST", "/v1/checkout/sessions", Some(&body), Some(&format!("offerdeck-{id}")), version).await;
    let res = match answer {
        Ok(res) if res.ok() => res,
        failed => {
            let message = match failed {
                Ok(res) => format!("Stripe refused the checkout session: {}", res.error_message()),
                Err(u) => format!("{} — no checkout session was created", u.0),
            };
            lifecycle::abandon(state, scope, id, &message).await?;
            return Err(AppError::stripe(message));
        }
    };
    let facts = lifecycle::facts(state, scope, id, &res.data);
    let mut tx = state.db.begin_write().await?;
    let row = kdb::opened(&mut *tx, scope, id, &facts, state.clock.now_ms()).await?.ok_or_else(AppError::internal)?;
    tx.commit().await?;
    Ok(row)
}

/// The wire object of a stored session: the client secret decrypted (custom mode) and the
/// integration's publishable key beside it.
pub async fn view(state: &AppState, scope: &Scoped, row: kdb::CheckoutRow) -> AppResult<CheckoutSession> {
    let mut s = row.session;
    if s.ui_mode == UiMode::Custom {
        s.client_secret =
            row.client_secret_enc.as_deref().and_then(|enc| secrets::decrypt(&state.config.secret_key, &lifecycle::secret_context(scope, &s.id), enc));
        s.publishable_key = integrations::publishable_key(state, scope).await?;
    }
    Ok(s)
}

/// The session `id` of the caller's environment (an `opening` one is not there yet).
async fn row_of(state: &AppState, scope: &Scoped, id: &str) -> AppResult<kdb::CheckoutRow> {
    match kdb::get(&state.db.pool, scope, id).await? {
        Some(r) if !r.opening => Ok(r),
        _ => Err(AppError::not_found("checkout session")),
    }
}

pub async fn get(state: &AppState, actor: &Actor, id: &str) -> AppResult<CheckoutSession> {
    let scope = actor.authorize(Permission::TenantRead)?;
    let row = row_of(state, scope, id).await?;
    view(state, scope, row).await
}

#[derive(Debug, Default, Clone)]
pub struct ListParams {
    pub limit: Option<i64>,
    pub starting_after: Option<String>,
    pub request_id: Option<String>,
    pub status: Option<String>,
    pub search: Option<String>,
}

/// Newest first; `requestId` exact, `status` one of the three, `search` (the dashboard) a
/// substring of the request id or the email.
pub async fn list(state: &AppState, actor: &Actor, p: ListParams) -> AppResult<Page<CheckoutSession>> {
    let scope = actor.authorize(Permission::TenantRead)?;
    let limit = records::page_limit(p.limit)?;
    let status = match p.status.as_deref().map(str::trim).filter(|s| !s.is_empty() && *s != "all") {
        None => None,
        Some(s) => Some(CheckoutStatus::parse(s).ok_or_else(|| AppError::field("status", "must be pending, completed, expired or all"))?),
    };
    let f = kdb::ListFilter {
        request_id: p.request_id.as_deref().filter(|r| !r.is_empty()),
        status,
        search: p.search.as_deref().map(str::trim).filter(|s| !s.is_empty()),
        starting_after: records::cursor(p.starting_after.as_deref()),
        limit,
    };
    let (rows, has_more) = kdb::list(&state.db.pool, scope, f).await?;
    // Lists never carry client secrets: one session's page does.
    let data = rows.into_iter().map(|r| r.session).collect();
    Ok(Page { data, has_more })
}

/// The dashboard's page of one session: the session, its timeline, what it sells.
pub async fn detail(state: &AppState, actor: &Actor, id: &str) -> AppResult<CheckoutSessionDetail> {
    let scope = actor.authorize(Permission::TenantRead)?;
    let mut session = row_of(state, scope, id).await?.session;
    let timeline = kdb::timeline(&state.db.pool, scope, id, 500).await?;
    let discounts = db::discounts::applications(&state.db.pool, scope, id).await?;
    let product_name = record::get::<Product, _>(&state.db.pool, scope, &session.product_id).await?.map(|p| p.name).unwrap_or_default();
    let price_display = record::get::<Price, _>(&state.db.pool, scope, &session.price_id).await?.map(|p| p.display).unwrap_or_default();
    let time_zone = settings::time_zone(state, actor).await?;
    session.client_secret = None;
    Ok(CheckoutSessionDetail { session, timeline, discounts, product_name, price_display, time_zone })
}
