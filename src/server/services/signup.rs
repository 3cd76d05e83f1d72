//! Sign-up carts (API.md §12, MonetizeNow's self-service sign-up): one state machine behind
//! `POST /api/selfService/signup`, `PATCH …/{sessionId}` and `GET`. A cart is `PENDING` until one
//! FINALIZE wins the conditional claim and creates the subscription in Stripe (`FINALIZED`; a
//! decline gives the claim back), or it is cancelled or expires after seven days (its coupon
//! use released). `ESTIMATE` prices without saving anything and is the only action a
//! publishable key may send. Every action on a saved cart is kept in its history. Pricing is in
//! `quote`, the Stripe steps in `payment`, the dashboard's reads in `pages`.
use crate::error::{AppError, AppResult, ErrorCode, FieldErrors};
use crate::model::{
    BillGroup, CART_OPEN_FOR_MS, CartState, CouponRedemptionSource, IdOnly, PaymentMethodInit, QuoteStatus, SIGNUP_TEXT_MAX, SignUpAction, SignUpCustomer,
    SignUpCustomerInput, SignUpItemInput, SignUpOfferingInput, SignUpPerformed, SignUpQuote, SignUpQuoteInput, SignUpRequest, SignUpResponse,
    StripePaymentMethodInit, normalize_code, plausible_email,
};
use crate::server::AppState;
use crate::server::auth::{Actor, Permission};
use crate::server::db::{self, Scoped, coupons as cdb, new_id, signup as sdb};
use crate::server::services::{checkout, coupons, integrations, webhooks};
use serde_json::{Value, json};
use sqlx::AnyConnection;

pub mod pages;
pub mod payment;
pub mod quote;

/// How long one FINALIZE holds the cart while it talks to Stripe; a claim older than this was
/// left by a node that stopped, and the next FINALIZE takes it over (with the same Stripe
/// idempotency key, so Stripe answers with the subscription it may have created).
const CLAIM_MS: i64 = 60_000;
/// How long a FINALIZE waits for a concurrent one before answering 409.
const WAIT: std::time::Duration = std::time::Duration::from_secs(30);

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

/// The request's customer, trimmed, its email lower-cased; problems go to `e`.
fn customer_of(input: &SignUpCustomerInput, e: &mut FieldErrors) -> SignUpCustomerInput {
    let mut c = input.clone();
    let text = |field: &str, v: &mut String, e: &mut FieldErrors| {
        *v = v.trim().to_string();
        if v.is_empty() {
            e.add(field, "is required");
        } else if v.chars().count() > SIGNUP_TEXT_MAX {
            e.add(field, format!("must be at most {SIGNUP_TEXT_MAX} characters"));
        }
    };
    text("customer.accountName", &mut c.account_name, e);
    text("customer.name", &mut c.name, e);
    c.email = c.email.trim().to_lowercase();
    if !plausible_email(&c.email) {
        e.add("customer.email", "must be an email address");
    }
    c.custom_id = c.custom_id.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    if c.custom_id.as_deref().is_some_and(|s| s.chars().count() > 255) {
        e.add("customer.customId", "must be at most 255 characters");
    }
    if let Some(a) = &mut c.billing_address {
        for (k, v) in [("line1", &mut a.line1), ("line2", &mut a.line2), ("city", &mut a.city), ("state", &mut a.state), ("postalCode", &mut a.postal_code)] {
            *v = v.take().map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
            if v.as_deref().is_some_and(|s| s.chars().count() > SIGNUP_TEXT_MAX) {
                e.add(&format!("customer.billingAddress.{k}"), format!("must be at most {SIGNUP_TEXT_MAX} characters"));
            }
        }
        a.country = a.country.take().map(|s| s.trim().to_uppercase()).filter(|s| !s.is_empty());
        if a.country.as_deref().is_some_and(|s| s.len() != 2 || !s.chars().all(|c| c.is_ascii_alphabetic())) {
            e.add("customer.billingAddress.country", "must be a two-letter country code such as US or GB");
        }
    }
    c
}

/// The cart's bill group: what the request says, else what the cart had, else the tenant's defaults.
async fn bill_group(state: &AppState, scope: &Scoped, id: &str, req: &SignUpRequest, had: Option<&BillGroup>) -> AppResult<BillGroup> {
    let d = db::platform::tenants::signup_defaults(&state.db.pool, scope.tenant_id()).await?;
    let given = req.bill_group.clone().unwrap_or_default();
    Ok(BillGroup {
        id: format!("bg_{}", suffix(id)),
        auto_email_invoice: given.auto_email_invoice.or(had.map(|h| h.auto_email_invoice)).unwrap_or(d.auto_email_invoice),
        collect_invoice_balance_automatically: given
            .collect_invoice_balance_automatically
            .or(had.map(|h| h.collect_invoice_balance_automatically))
            .unwrap_or(d.collect_automatically),
    })
}

/// The request a stored quote was priced from (a PATCH that leaves `quote` out keeps it).
fn input_of(q: &SignUpQuote) -> SignUpQuoteInput {
    SignUpQuoteInput {
        start_date: Some(q.start_date.clone()),
        custom_id: q.custom_id.clone(),
        offerings: q
            .offerings
            .iter()
            .map(|o| SignUpOfferingInput {
                offering_id: o.offering_id.clone(),
                rate_id: o.rate_id.clone(),
                items: o.items.iter().map(|i| SignUpItemInput { product_id: i.product_id.clone(), quantity: i.quantity }).collect(),
            })
            .collect(),
    }
}

/// `discountCode` of the request: `None` = unchanged, `Some(None)` = removed.
fn code_of(req: &SignUpRequest) -> Option<Option<String>> {
    req.discount_code.as_deref().map(|c| Some(normalize_code(c)).filter(|c| !c.is_empty()))
}

/// The coupon a quote is priced with: the one the cart holds already (its use is held, so it
/// need not be free), or a new code a customer may use now.
async fn coupon_for(state: &AppState, scope: &Scoped, code: Option<&str>, held: Option<&str>) -> AppResult<Option<cdb::CouponRow>> {
    match code {
        None => Ok(None),
        Some(c) if Some(c) == held => Ok(cdb::get_by_code(&state.db.pool, scope, c, state.clock.now_ms()).await?),
        Some(c) => quote::usable_coupon(state, scope, c).await.map(Some),
    }
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

/// Holds one use of `code` for a cart (and one of the customer's, under a per-customer limit).
async fn reserve(conn: &mut AnyConnection, scope: &Scoped, code: &str, customer: Option<&str>, now: i64) -> AppResult<String> {
    let Some(row) = cdb::reserve(&mut *conn, scope, code, now).await? else { return Err(coupons::invalid_or_expired()) };
    if let Some(max) = row.coupon.max_redemptions_per_customer {
        let customer = customer.ok_or_else(AppError::internal)?;
        if !cdb::take_customer_use(&mut *conn, scope, &row.coupon.id, customer, max).await? {
            return Err(AppError::new(ErrorCode::InvalidOrExpired, format!("this customer has already used the code {max} time(s), the most allowed")));
        }
    }
    Ok(row.coupon.id)
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

/// The customer, quote and coupon a request leaves the cart with, priced and checked.
struct Contents {
    customer: SignUpCustomerInput,
    bill_group: BillGroup,
    quote: SignUpQuote,
    lines: Vec<(String, i64)>,
    code: Option<String>,
    coupon: Option<cdb::CouponRow>,
}

impl Contents {
    /// What the cart stores of it, with the coupon whose use it holds and its Stripe customer.
    fn stored<'a>(&'a self, coupon_id: Option<&'a str>, stripe_customer_id: Option<&'a str>) -> sdb::Contents<'a> {
        sdb::Contents {
            customer: &self.customer,
            bill_group: &self.bill_group,
            quote: &self.quote,
            discount_code: self.code.as_deref(),
            coupon_id,
            stripe_customer_id,
        }
    }
}

async fn contents(state: &AppState, scope: &Scoped, id: &str, req: &SignUpRequest, had: Option<&sdb::CartRow>) -> AppResult<Contents> {
    let mut e = FieldErrors::new();
    let customer = match (&req.customer, had) {
        (Some(c), _) => customer_of(c, &mut e),
        (None, Some(h)) => h.customer.clone(),
        (None, None) => {
            e.add("customer", "is required");
            SignUpCustomerInput::default()
        }
    };
    if let Some(h) = had.filter(|h| h.stripe_customer_id.is_some() && h.customer.email != customer.email) {
        e.add("customer.email", format!("cannot change once the Stripe customer exists (it is {})", h.customer.email));
    }
    let input = match (&req.quote, had) {
        (Some(q), _) => Some(q.clone()),
        (None, Some(h)) => Some(input_of(&h.quote)),
        (None, None) => {
            e.add("quote", "is required");
            None
        }
    };
    e.into_result()?;
    let held = had.and_then(|h| h.discount_code.clone());
    let code = code_of(req).unwrap_or_else(|| held.clone());
    let coupon = coupon_for(state, scope, code.as_deref(), held.as_deref()).await?;
    let (today, _) = today(state, scope).await?;
    let input = input.ok_or_else(AppError::internal)?;
    let mut priced = quote::price(state, scope, &input, coupon.as_ref(), &today).await?;
    priced.quote.id = Some(format!("quote_{}", suffix(id)));
    let bill_group = bill_group(state, scope, id, req, had.map(|h| &h.bill_group)).await?;
    Ok(Contents { customer, bill_group, quote: priced.quote, lines: priced.lines, code, coupon })
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
        Some(code) => match reserve(&mut tx, scope, code, customer.as_deref(), now).await {
            Ok(id) => Some(id),
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
        (Some(code), false) => match reserve(&mut tx, scope, code, cart.stripe_customer_id.as_deref(), now).await {
            Ok(id) => Some(id),
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

/// A finalized cart's first answer.
fn first_result(cart: &sdb::CartRow) -> AppResult<SignUpResponse> {
    let text = cart.result.as_deref().ok_or_else(AppError::internal)?;
    serde_json::from_str(text).map_err(|_| AppError::internal())
}

/// FINALIZE: one call claims the cart and creates the contract in Stripe; a concurrent one
/// waits for it and answers the same result.
async fn finalize(state: &AppState, scope: &Scoped, cart: sdb::CartRow, lines: &[(String, i64)], action: SignUpPerformed) -> AppResult<SignUpResponse> {
    let subtotal: i64 = cart.quote.offerings.iter().map(|o| o.amount).sum();
    if cart.bill_group.collect_invoice_balance_automatically && subtotal > 0 && cart.payment_method.is_none() {
        return Err(AppError::field(
            "paymentMethod",
            "is required: this cart is charged automatically — complete Stripe's form with the SetupIntent of INIT_PAYMENT_METHOD, then send its id as paymentToken",
        ));
    }
    let key = integrations::secret_key(state, scope).await?;
    let (cart, customer) = with_customer(state, scope, &key, cart).await?;
    let lines = if lines.is_empty() { quote::price(state, scope, &input_of(&cart.quote), None, &cart.quote.start_date).await?.lines } else { lines.to_vec() };
    let started = std::time::Instant::now();
    let mut pause = std::time::Duration::from_millis(5);
    loop {
        let now = state.clock.now_ms();
        let mut tx = state.db.begin_write().await?;
        let claimed = sdb::claim(&mut *tx, scope, &cart.id, now + CLAIM_MS, now).await?;
        tx.commit().await?;
        if let Some(claimed) = claimed {
            return run_finalize(state, scope, &key, claimed, &customer, &lines, action).await;
        }
        let now_cart = sdb::get(&state.db.pool, scope, &cart.id).await?.ok_or_else(AppError::internal)?;
        match now_cart.state {
            CartState::Finalized => return first_result(&now_cart),
            CartState::Pending => {}
            other => return Err(AppError::conflict(format!("this cart is {}", other.as_str()))),
        }
        if started.elapsed() > WAIT {
            return Err(AppError::conflict("another FINALIZE of this cart is still running; retry in a moment"));
        }
        // Waiting for the concurrent FINALIZE (it holds the cart for one Stripe call).
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(std::time::Duration::from_millis(100));
    }
}

async fn run_finalize(
    state: &AppState,
    scope: &Scoped,
    key: &str,
    cart: sdb::CartRow,
    customer: &str,
    lines: &[(String, i64)],
    action: SignUpPerformed,
) -> AppResult<SignUpResponse> {
    let now = state.clock.now_ms();
    let stripe_coupon = match &cart.coupon_id {
        Some(id) => cdb::get_by_id(&state.db.pool, scope, id, now).await?.map(|r| r.coupon.stripe_coupon_id),
        None => None,
    };
    let (today, tz) = today(state, scope).await?;
    let mut e = FieldErrors::new();
    let start_at = payment::later_start(&cart.quote.start_date, &today, &tz, &mut e);
    let days = db::platform::tenants::signup_defaults(&state.db.pool, scope.tenant_id()).await?.days_until_due;
    let plan = payment::Plan { cart: &cart, customer, lines, stripe_coupon: stripe_coupon.as_deref(), days_until_due: days, start_at };
    let answer = match e.into_result() {
        Ok(()) => payment::create_contract(state, key, &plan).await,
        Err(err) => Err(err),
    };
    let id = cart.id.clone();
    let give_back = |declined: bool| async move {
        let mut tx = state.db.begin_write().await?;
        sdb::unclaim(&mut *tx, scope, &id, declined, state.clock.now_ms()).await?;
        tx.commit().await?;
        Ok::<_, AppError>(())
    };
    let contract = match answer {
        Ok(payment::Answer::Created(c)) => c,
        Ok(payment::Answer::Declined(m)) => {
            give_back(true).await?;
            return Err(AppError::new(ErrorCode::PaymentFailed, format!("Stripe declined the payment: {m}")));
        }
        Ok(payment::Answer::Refused(m)) => {
            give_back(true).await?;
            return Err(AppError::stripe(format!("Stripe refused the subscription: {m}")));
        }
        Err(err) => {
            give_back(false).await?;
            return Err(err);
        }
    };
    settle(state, scope, &cart, contract, action).await
}

/// Records the contract Stripe created: the cart FINALIZED with its answer, the coupon's use
/// redeemed, `signup.finalized` and `subscription.created` queued — one transaction.
async fn settle(state: &AppState, scope: &Scoped, cart: &sdb::CartRow, c: payment::Contract, action: SignUpPerformed) -> AppResult<SignUpResponse> {
    let now = state.clock.now_ms();
    let mut done = cart.clone();
    done.state = CartState::Finalized;
    done.quote.status = QuoteStatus::Processed;
    let mut answer = view(&done, action);
    answer.invoice = c.invoice.clone();
    answer.payment = c.payment.clone();
    let contract_id = c.schedule_id.clone().or(c.subscription_id.clone()).ok_or_else(|| AppError::stripe("Stripe's answer named no subscription"))?;
    answer.contract = Some(IdOnly { id: contract_id.clone() });
    let f = sdb::Finalized {
        result: serde_json::to_string(&answer).unwrap_or_default(),
        subscription_id: c.subscription_id.clone(),
        schedule_id: c.schedule_id.clone(),
        invoice_id: c.invoice.as_ref().map(|i| i.id.clone()),
        payment_intent_id: c.payment.as_ref().map(|p| p.id.clone()),
        quote: serde_json::to_string(&done.quote).unwrap_or_default(),
    };
    let mut tx = state.db.begin_write().await?;
    let Some(row) = sdb::finalize(&mut *tx, scope, &cart.id, &f, now).await? else {
        tx.rollback().await?;
        return Err(AppError::conflict("this cart was finalized by another call"));
    };
    if let (Some(coupon_id), true) = (&row.coupon_id, row.reserved) {
        let used = coupons::ReservedUse {
            coupon_id,
            subscription_id: &contract_id,
            customer_id: row.stripe_customer_id.as_deref(),
            source: CouponRedemptionSource::Signup,
            stripe_event_id: None,
            now,
        };
        sdb::drop_reservation(&mut *tx, scope, &row.id, now).await?;
        match coupons::redeem_reservation(&mut tx, scope, used).await? {
            Some((coupon, redemption)) => {
                let mut data = coupons::redeemed_event(scope, &coupon, &redemption);
                data["signupSessionId"] = json!(row.id);
                webhooks::emit(&mut tx, scope, "coupon.redeemed", data, now).await?;
            }
            None => coupons::release_reservation(&mut tx, scope, coupon_id, row.stripe_customer_id.as_deref(), now).await?,
        }
    }
    let mut data = serde_json::to_value(&answer).unwrap_or_default();
    data["mode"] = json!(scope.env().as_str());
    webhooks::emit(&mut tx, scope, "signup.finalized", data, now).await?;
    if let Some(sub) = &c.subscription_id {
        let data = json!({
            "mode": scope.env().as_str(),
            "stripeEventId": null,
            "processorSubscriptionId": sub,
            "processorCustomerId": row.stripe_customer_id,
            "couponCode": row.discount_code,
            "status": if answer.payment.is_some() || answer.quote.as_ref().is_some_and(|q| q.amount == 0) { "active" } else { "incomplete" },
            "signupSessionId": row.id,
        });
        webhooks::emit(&mut tx, scope, "subscription.created", data, now).await?;
    }
    tx.commit().await?;
    state.webhooks.kick();
    Ok(answer)
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
