//! Sign-up carts (API.md §12, MonetizeNow's self-service sign-up): one state machine behind
//! `POST /api/selfService/signup`, `PATCH …/{sessionId}` and `GET`. A cart is `PENDING` until one
//! FINALIZE wins the conditional claim and creates the subscription in Stripe (`FINALIZED`; a
//! decline gives the claim back), or it is cancelled or expires after seven days (its coupon
//! use released). `ESTIMATE` prices without saving anything and is the only action a
//! publishable key may send. Every action on a saved cart is kept in its history. Pricing is in
//! `quote`, the Stripe steps in `payment`, the dashboard's reads in `pages`.
use crate::error::{AppError, AppResult};
use crate::model::{
    CART_OPEN_FOR_MS, CartState, PaymentMethodInit, SignUpAction, SignUpCustomer, SignUpCustomerInput, SignUpPerformed, SignUpRequest, SignUpResponse,
    StripePaymentMethodInit,
};
use crate::server::AppState;
use crate::server::auth::{Actor, Permission};
use crate::server::db::{self, Scoped, new_id, signup as sdb};
use crate::server::services::{checkout, coupons, integrations};
use serde_json::{Value, json};
use sqlx::AnyConnection;

mod contents;
mod finalize;
pub mod pages;
pub mod payment;
pub mod quote;

use contents::{contents, input_of};
use finalize::{finalize, first_result};

/// An error, with the cart it concerns when one was saved (the seed's `sessionId`).
#[derive(Debug)]
pub struct Failure {
    pub session_id: Option<String>,
    pub error: AppError,
}

impl From<AppError> for Failure {
    fn from(error: AppError) -> Self {
        Failure { session_id: None, error }
    }
}

impl From<sqlx::Error> for Failure {
    fn from(e: sqlx::Error) -> Self {
        AppError::from(e).into()
    }
}

pub type Outcome = Result<SignUpResponse, Failure>;

fn of(id: &str) -> impl Fn(AppError) -> Failure + '_ {
    move |error| Failure { session_id: Some(id.to_string()), error }
}

fn suffix(id: &str) -> &str {
    id.split_once('_').map_or(id, |(_, s)| s)
}

/// Today in the tenant's time zone, `YYYY-MM-DD`.
async fn today(state: &AppState, scope: &Scoped) -> AppResult<(String, String)> {
    let tz = db::platform::tenants::time_zone(&state.db.pool, scope.tenant_id()).await?;
    let local = crate::server::tz::ms_to_local(state.clock.now_ms(), &tz);
    Ok((local.get(..10).unwrap_or("1970-01-01").to_string(), tz))
}

/// The answer for a stored cart.
fn view(cart: &sdb::CartRow, action: SignUpPerformed) -> SignUpResponse {
    let c = &cart.customer;
    SignUpResponse {
        session_id: Some(cart.id.clone()),
        error: false,
        action,
        state: Some(cart.state),
        customer: Some(SignUpCustomer {
            account_id: cart.stripe_customer_id.clone(),
            account_name: c.account_name.clone(),
            contact_id: cart.stripe_customer_id.clone(),
            contact_name: c.name.clone(),
            contact_email: c.email.clone(),
            name: c.name.clone(),
            email: c.email.clone(),
            custom_id: c.custom_id.clone(),
            billing_address: c.billing_address.clone(),
        }),
        bill_group: Some(cart.bill_group.clone()),
        quote: Some(cart.quote.clone()),
        invoice: None,
        payment: None,
        contract: None,
        payment_method_init: None,
        payment_method: cart.payment_method.clone(),
        expires_at: (cart.state == CartState::Pending).then(|| db::ms_to_rfc3339(cart.expires_at)),
    }
}

/// The cart `id`; a pending one past its expiry expires now (its coupon use released).
async fn load(state: &AppState, scope: &Scoped, id: &str) -> AppResult<sdb::CartRow> {
    let cart = sdb::get(&state.db.pool, scope, id).await?.ok_or_else(|| AppError::not_found("sign-up session"))?;
    if cart.state == CartState::Pending && !cart.finalizing && cart.expires_at < state.clock.now_ms() {
        end(state, scope, &cart, CartState::Expired).await?;
        return sdb::get(&state.db.pool, scope, id).await?.ok_or_else(AppError::internal);
    }
    Ok(cart)
}

/// Gives back the coupon use a cart holds.
async fn release(conn: &mut AnyConnection, scope: &Scoped, cart: &sdb::CartRow, now: i64) -> AppResult<()> {
    if let (Some(coupon_id), true) = (&cart.coupon_id, cart.reserved)
        && sdb::drop_reservation(&mut *conn, scope, &cart.id, now).await?
    {
        coupons::release_reservation(conn, scope, coupon_id, cart.stripe_customer_id.as_deref(), now).await?;
    }
    Ok(())
}

/// `PENDING` → `CANCELED` or `EXPIRED`, the coupon use released; `false` when it was not pending.
async fn end(state: &AppState, scope: &Scoped, cart: &sdb::CartRow, to: CartState) -> AppResult<bool> {
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let Some(row) = sdb::end(&mut *tx, scope, &cart.id, to, now).await? else {
        tx.rollback().await?;
        return Ok(false);
    };
    release(&mut tx, scope, &row, now).await?;
    tx.commit().await?;
    Ok(true)
}

/// Expires pending carts past their seven days (housekeeping); how many.
pub async fn sweep_overdue(state: &AppState, limit: i64) -> AppResult<usize> {
    let due = db::worker::signup::overdue(&state.db.pool, state.clock.now_ms(), limit).await?;
    let mut n = 0;
    for (scope, id) in due {
        if let Some(cart) = sdb::get(&state.db.pool, &scope, &id).await?
            && end(state, &scope, &cart, CartState::Expired).await?
        {
            n += 1;
        }
    }
    Ok(n)
}

/// `POST /api/selfService/signup`.
pub async fn create(state: &AppState, actor: &Actor, req: SignUpRequest) -> Outcome {
    if !req.action.creates() {
        let a = req.action.as_str();
        return Err(AppError::field("action", format!("{a} continues a cart: send it with PATCH /api/selfService/signup/{{sessionId}}")).into());
    }
    if req.action == SignUpAction::Estimate {
        return estimate(state, actor, None, &req).await;
    }
    let scope = actor.authorize(Permission::TenantWrite)?;
    if req.payment_method.is_some() {
        return Err(
            AppError::field("paymentMethod", "comes after the cart: send it with UPDATE or FINALIZE once Stripe's form completed the SetupIntent").into()
        );
    }
    let id = new_id("cart");
    let c = contents(state, scope, &id, &req, None).await?;
    let subtotal: i64 = c.quote.offerings.iter().map(|o| o.amount).sum();
    if req.action == SignUpAction::CreateAndFinalize && c.bill_group.collect_invoice_balance_automatically && subtotal > 0 {
        return Err(AppError::field(
            "action",
            "CREATE_AND_FINALIZE is for carts that need no payment information: this one is charged automatically; use CREATE_WITH_PAYMENT_METHOD",
        )
        .into());
    }
    // The Stripe customer comes first when the cart will need it (and under a per-customer
    // coupon limit, which counts uses per Stripe customer).
    let per_customer = c.coupon.as_ref().is_some_and(|r| r.coupon.max_redemptions_per_customer.is_some());
    let customer = if per_customer || req.action != SignUpAction::CreateInPending {
        let key = integrations::secret_key(state, scope).await?;
        Some(checkout::customer_for(state, scope, &key, &c.customer.email, Some(&payment::details(&c.customer))).await?)
    } else {
        None
    };
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let coupon_id = match &c.code {
        Some(code) => match coupons::reserve(&mut tx, scope, code, customer.as_deref(), now).await {
            Ok(row) => Some(row.coupon.id),
            Err(e) => {
                tx.rollback().await?;
                return Err(e.into());
            }
        },
        None => None,
    };
    sdb::insert(&mut *tx, scope, &id, &c.stored(coupon_id.as_deref(), customer.as_deref()), now + CART_OPEN_FOR_MS, now).await?;
    tx.commit().await?;
    let cart = load(state, scope, &id).await.map_err(of(&id))?;
    let answer = match req.action {
        SignUpAction::CreateWithPaymentMethod => init_payment_method(state, scope, cart, SignUpPerformed::CreateWithPaymentMethod).await,
        SignUpAction::CreateAndFinalize => finalize(state, scope, cart, &c.lines, SignUpPerformed::CreateAndFinalize).await,
        _ => Ok(view(&cart, SignUpPerformed::CreateInPending)),
    };
    answer.map_err(of(&id))
}

/// `ESTIMATE`: the quote a request would give (a saved cart's, with the request's changes),
/// saving nothing. A publishable key gets the quote only.
async fn estimate(state: &AppState, actor: &Actor, id: Option<&str>, req: &SignUpRequest) -> Outcome {
    let scope = actor.authorize(Permission::Runtime)?;
    let had = match id {
        Some(id) => Some(load(state, scope, id).await?),
        None => None,
    };
    let mut req = req.clone();
    if had.is_none() && req.customer.is_none() {
        // Pricing needs no customer: an anonymous visitor may ask.
        req.customer =
            Some(SignUpCustomerInput { account_name: "-".into(), name: "-".into(), email: "estimate@offerdeck.invalid".into(), ..Default::default() });
    }
    let key = id.unwrap_or("cart_estimate");
    let c = contents(state, scope, key, &req, had.as_ref()).await.map_err(|e| Failure { session_id: id.map(str::to_string), error: e })?;
    let mut quote = c.quote;
    quote.id = had.as_ref().map(|h| format!("quote_{}", suffix(&h.id)));
    let secret = !actor.is_publishable();
    let mut answer = match &had {
        Some(h) => view(h, SignUpPerformed::Estimate),
        None => SignUpResponse {
            session_id: None,
            error: false,
            action: SignUpPerformed::Estimate,
            state: None,
            customer: None,
            bill_group: None,
            quote: None,
            invoice: None,
            payment: None,
            contract: None,
            payment_method_init: None,
            payment_method: None,
            expires_at: None,
        },
    };
    answer.quote = Some(quote);
    if !secret {
        answer.customer = None;
        answer.payment_method = None;
        answer.bill_group = None;
    }
    Ok(answer)
}

/// `PATCH /api/selfService/signup/{sessionId}`.
pub async fn update(state: &AppState, actor: &Actor, id: &str, req: SignUpRequest) -> Outcome {
    if req.action.creates() && req.action != SignUpAction::Estimate {
        return Err(of(id)(AppError::field("action", format!("{} starts a cart: send it with POST /api/selfService/signup", req.action.as_str()))));
    }
    if req.action == SignUpAction::Estimate {
        return estimate(state, actor, Some(id), &req).await;
    }
    let scope = actor.authorize(Permission::TenantWrite)?;
    let cart = load(state, scope, id).await?;
    if req.action == SignUpAction::Finalize && cart.state == CartState::Finalized {
        return first_result(&cart).map_err(of(id));
    }
    if cart.state != CartState::Pending {
        let state = cart.state.as_str();
        return Err(of(id)(AppError::conflict(format!("this cart is {state}: {} needs a PENDING cart", req.action.as_str()))));
    }
    if cart.finalizing && req.action != SignUpAction::Finalize {
        return Err(of(id)(AppError::conflict("this cart is being finalized")));
    }
    if req.payment_method.is_some() && !matches!(req.action, SignUpAction::Update | SignUpAction::Finalize) {
        return Err(of(id)(AppError::field("paymentMethod", "is taken by UPDATE and FINALIZE")));
    }
    if req.action == SignUpAction::Cancel {
        if !end(state, scope, &cart, CartState::Canceled).await.map_err(of(id))? {
            return Err(of(id)(AppError::conflict("this cart is no longer PENDING")));
        }
        let cart = load(state, scope, id).await.map_err(of(id))?;
        return Ok(view(&cart, SignUpPerformed::Cancel));
    }
    continue_cart(state, scope, cart, &req).await.map_err(of(id))
}

/// UPDATE, INIT_PAYMENT_METHOD and FINALIZE of a pending cart: the request's changes first,
/// then its payment method, then the action.
async fn continue_cart(state: &AppState, scope: &Scoped, cart: sdb::CartRow, req: &SignUpRequest) -> AppResult<SignUpResponse> {
    let changes = req.customer.is_some() || req.quote.is_some() || req.bill_group.is_some() || req.discount_code.is_some();
    let (mut cart, lines) = if changes { change(state, scope, cart, req).await? } else { (cart, Vec::new()) };
    if let Some(pm) = &req.payment_method {
        cart = add_payment_method(state, scope, cart, &pm.payment_token, pm.payment_method_name.as_deref()).await?;
    }
    match req.action {
        SignUpAction::InitPaymentMethod => init_payment_method(state, scope, cart, SignUpPerformed::InitPaymentMethod).await,
        SignUpAction::Finalize => finalize(state, scope, cart, &lines, SignUpPerformed::Finalize).await,
        _ if req.payment_method.is_some() => Ok(view(&cart, SignUpPerformed::AddPaymentMethod)),
        _ => Ok(view(&cart, SignUpPerformed::Update)),
    }
}

/// Applies a request's changes to a pending cart (re-priced; a new code reserved and the old
/// one released in the same transaction); the cart and its Stripe lines.
async fn change(state: &AppState, scope: &Scoped, mut cart: sdb::CartRow, req: &SignUpRequest) -> AppResult<(sdb::CartRow, Vec<(String, i64)>)> {
    let c = contents(state, scope, &cart.id, req, Some(&cart)).await?;
    let per_customer = c.coupon.as_ref().is_some_and(|r| r.coupon.max_redemptions_per_customer.is_some());
    if per_customer && cart.stripe_customer_id.is_none() {
        let key = integrations::secret_key(state, scope).await?;
        let customer = payment::customer(state, scope, &key, &cart).await?;
        cart = set(state, scope, &cart.id, sdb::Fact::Customer(&customer)).await?;
    }
    let now = state.clock.now_ms();
    let same = c.code == cart.discount_code;
    let mut tx = state.db.begin_write().await?;
    let coupon_id = match (&c.code, same) {
        (_, true) => cart.coupon_id.clone(),
        (Some(code), false) => match coupons::reserve(&mut tx, scope, code, cart.stripe_customer_id.as_deref(), now).await {
            Ok(row) => Some(row.coupon.id),
            Err(e) => {
                tx.rollback().await?;
                return Err(e);
            }
        },
        (None, false) => None,
    };
    if !same {
        release(&mut tx, scope, &cart, now).await?;
    }
    let Some(row) = sdb::replace(&mut *tx, scope, &cart.id, &c.stored(coupon_id.as_deref(), None), now).await? else {
        tx.rollback().await?;
        return Err(AppError::conflict("this cart changed state meanwhile"));
    };
    tx.commit().await?;
    Ok((row, c.lines))
}

async fn set(state: &AppState, scope: &Scoped, id: &str, fact: sdb::Fact<'_>) -> AppResult<sdb::CartRow> {
    let mut tx = state.db.begin_write().await?;
    let row = sdb::set(&mut *tx, scope, id, fact, state.clock.now_ms()).await?;
    tx.commit().await?;
    row.ok_or_else(|| AppError::conflict("this cart is no longer PENDING"))
}

/// The cart's Stripe customer, created (or found for its email) and remembered when missing.
async fn with_customer(state: &AppState, scope: &Scoped, key: &str, cart: sdb::CartRow) -> AppResult<(sdb::CartRow, String)> {
    if let Some(c) = cart.stripe_customer_id.clone() {
        return Ok((cart, c));
    }
    let customer = payment::customer(state, scope, key, &cart).await?;
    let cart = set(state, scope, &cart.id, sdb::Fact::Customer(&customer)).await?;
    Ok((cart, customer))
}

/// CREATE_WITH_PAYMENT_METHOD / INIT_PAYMENT_METHOD: the customer and a SetupIntent, answered
/// as the seed's `paymentMethodInit.stripe`.
async fn init_payment_method(state: &AppState, scope: &Scoped, cart: sdb::CartRow, action: SignUpPerformed) -> AppResult<SignUpResponse> {
    let key = integrations::secret_key(state, scope).await?;
    let (cart, customer) = with_customer(state, scope, &key, cart).await?;
    let (seti, client_secret) = payment::setup_intent(state, &key, &cart, &customer).await?;
    let cart = if cart.setup_intent_id.as_deref() == Some(seti.as_str()) { cart } else { set(state, scope, &cart.id, sdb::Fact::SetupIntent(&seti)).await? };
    let mut answer = view(&cart, action);
    let public_key = integrations::publishable_key(state, scope).await?;
    answer.payment_method_init =
        Some(PaymentMethodInit { stripe: StripePaymentMethodInit { customer_id: customer, setup_intent_id: seti, client_secret, public_key } });
    Ok(answer)
}

/// UPDATE's (and FINALIZE's) `paymentMethod`: the SetupIntent checked with Stripe, its payment
/// method made the customer's default and kept on the cart.
async fn add_payment_method(state: &AppState, scope: &Scoped, cart: sdb::CartRow, token: &str, name: Option<&str>) -> AppResult<sdb::CartRow> {
    let Some(customer) = cart.stripe_customer_id.clone() else {
        return Err(AppError::field("paymentMethod.paymentToken", "this cart has no Stripe customer yet: send INIT_PAYMENT_METHOD first"));
    };
    let key = integrations::secret_key(state, scope).await?;
    let pm = payment::adopt(state, &key, &customer, token).await?;
    let name = name.map(str::trim).filter(|n| !n.is_empty()).map(|n| n.chars().take(100).collect::<String>());
    let fact = sdb::Fact::PaymentMethod { id: &pm.id, name: name.as_deref().or(pm.brand.as_deref()), brand: pm.brand.as_deref(), last4: pm.last4.as_deref() };
    set(state, scope, &cart.id, fact).await
}

/// `GET /api/selfService/signup/{sessionId}`: a finalized cart answers its FINALIZE result.
pub async fn get(state: &AppState, actor: &Actor, id: &str) -> Outcome {
    let scope = actor.authorize(Permission::TenantRead)?;
    let cart = load(state, scope, id).await?;
    if cart.state == CartState::Finalized {
        let mut first = first_result(&cart)?;
        first.action = SignUpPerformed::Get;
        return Ok(first);
    }
    Ok(view(&cart, SignUpPerformed::Get))
}

/// The history entry of an action on a saved cart: the request as sent, and the answer with
/// the SetupIntent's client secret left out.
pub async fn record(state: &AppState, actor: &Actor, session_id: &str, req: Option<&SignUpRequest>, status: u16, answer: &Value) {
    let Ok(scope) = actor.authorize(Permission::Runtime) else { return };
    let mut answer = answer.clone();
    if let Some(s) = answer.pointer_mut("/paymentMethodInit/stripe/clientSecret") {
        *s = json!("(shown once)");
    }
    let action = req.map_or("GET", |r| r.action.as_str());
    let request = req.map(|r| serde_json::to_string(r).unwrap_or_default()).unwrap_or_default();
    let note = sdb::Note { action, status_code: status, request: &request, response: &answer.to_string() };
    let write = async {
        let mut tx = state.db.begin_write().await?;
        sdb::note(&mut *tx, scope, session_id, &note, state.clock.now_ms()).await?;
        tx.commit().await
    };
    if let Err(e) = write.await {
        tracing::warn!(cart = %session_id, "could not record the sign-up action: {e}");
    }
}
