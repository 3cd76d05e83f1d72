//! SQL for sign-up carts and their history. A cart changes state only by a conditional
//! `UPDATE … WHERE state = …` whose row count decides who won: concurrent FINALIZE calls claim
//! the cart (`PENDING` → `FINALIZING`) and only the winner talks to Stripe.
use super::{Keyset, Scoped, after_cursor, split_page};
use crate::model::{BillGroup, CartState, SavedPaymentMethod, SignUpCartRow, SignUpCustomerInput, SignUpFunnel, SignUpHistoryEntry, SignUpQuote};
use sqlx::{Any, Executor, Row, any::AnyRow};

const COLS: &str = "id, state, customer, bill_group, quote, account_name, contact_email, currency, amount, amount_discount, discount_code, coupon_id, \
    reserved, stripe_customer_id, setup_intent_id, payment_method_id, payment_method_name, payment_method_brand, payment_method_last4, payment_method_added_at, \
    finalize_attempt, claimed_until, result, stripe_subscription_id, stripe_schedule_id, stripe_invoice_id, stripe_payment_intent_id, finalized_at, \
    expires_at, created_at, updated_at";

/// A stored cart as the service reads it (`FINALIZING` reads as `PENDING` with `finalizing`).
#[derive(Debug, Clone)]
pub struct CartRow {
    pub id: String,
    pub state: CartState,
    pub finalizing: bool,
    pub customer: SignUpCustomerInput,
    pub bill_group: BillGroup,
    pub quote: SignUpQuote,
    pub amount: i64,
    pub discount_code: Option<String>,
    pub coupon_id: Option<String>,
    pub reserved: bool,
    pub stripe_customer_id: Option<String>,
    pub setup_intent_id: Option<String>,
    pub payment_method: Option<SavedPaymentMethod>,
    pub finalize_attempt: i64,
    pub result: Option<String>,
    pub stripe_subscription_id: Option<String>,
    pub stripe_schedule_id: Option<String>,
    pub stripe_invoice_id: Option<String>,
    pub stripe_payment_intent_id: Option<String>,
    pub expires_at: i64,
    pub created_at: i64,
}

fn parse<T: serde::de::DeserializeOwned>(r: &AnyRow, col: &str) -> Result<T, sqlx::Error> {
    let text: String = r.try_get(col)?;
    serde_json::from_str(&text).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

fn cart(r: &AnyRow) -> Result<CartRow, sqlx::Error> {
    let state: String = r.try_get("state")?;
    let pm: Option<String> = r.try_get("payment_method_id")?;
    Ok(CartRow {
        id: r.try_get("id")?,
        state: CartState::parse(&state).unwrap_or(CartState::Pending),
        finalizing: state == "FINALIZING",
        customer: parse(r, "customer")?,
        bill_group: parse(r, "bill_group")?,
        quote: parse(r, "quote")?,
        amount: r.try_get("amount")?,
        discount_code: r.try_get("discount_code")?,
        coupon_id: r.try_get("coupon_id")?,
        reserved: r.try_get::<i64, _>("reserved")? != 0,
        stripe_customer_id: r.try_get("stripe_customer_id")?,
        setup_intent_id: r.try_get("setup_intent_id")?,
        payment_method: match pm {
            Some(id) => Some(SavedPaymentMethod {
                id,
                payment_method_name: r.try_get("payment_method_name")?,
                brand: r.try_get("payment_method_brand")?,
                last4: r.try_get("payment_method_last4")?,
            }),
            None => None,
        },
        finalize_attempt: r.try_get("finalize_attempt")?,
        result: r.try_get("result")?,
        stripe_subscription_id: r.try_get("stripe_subscription_id")?,
        stripe_schedule_id: r.try_get("stripe_schedule_id")?,
        stripe_invoice_id: r.try_get("stripe_invoice_id")?,
        stripe_payment_intent_id: r.try_get("stripe_payment_intent_id")?,
        expires_at: r.try_get("expires_at")?,
        created_at: r.try_get("created_at")?,
    })
}

/// What a cart holds of its request: the customer, bill group and priced quote, and the coupon
/// it holds a use of.
pub struct Contents<'a> {
    pub customer: &'a SignUpCustomerInput,
    pub bill_group: &'a BillGroup,
    pub quote: &'a SignUpQuote,
    pub discount_code: Option<&'a str>,
    pub coupon_id: Option<&'a str>,
    pub stripe_customer_id: Option<&'a str>,
}

fn json(v: &impl serde::Serialize) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

pub async fn insert<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    scope: &Scoped,
    id: &str,
    c: &Contents<'_>,
    expires_at: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    let sql = "INSERT INTO signup_carts (id, tenant_id, environment, state, customer, bill_group, quote, account_name, contact_email, currency, amount, \
         amount_discount, discount_code, coupon_id, reserved, stripe_customer_id, expires_at, created_at, updated_at) \
         VALUES ($3, $1, $2, 'PENDING', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17)";
    bind_contents(super::scoped(scope, sql).bind(id), c).bind(expires_at).bind(now).execute(ex).await.map(|_| ())
}

/// Binds a cart's contents as `$4`…`$15` of both statements (after its id, `$3`).
fn bind_contents<'q>(
    q: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    c: &Contents<'_>,
) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
    q.bind(json(c.customer))
        .bind(json(c.bill_group))
        .bind(json(c.quote))
        .bind(c.customer.account_name.clone())
        .bind(c.customer.email.clone())
        .bind(c.quote.currency.clone())
        .bind(c.quote.amount)
        .bind(c.quote.discount.as_ref().map_or(0, |d| d.amount))
        .bind(c.discount_code.map(str::to_string))
        .bind(c.coupon_id.map(str::to_string))
        .bind(i64::from(c.coupon_id.is_some()))
        .bind(c.stripe_customer_id.map(str::to_string))
}

/// Replaces a pending cart's contents; `None` when it is no longer pending (or is finalizing).
pub async fn replace<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, id: &str, c: &Contents<'_>, now: i64) -> Result<Option<CartRow>, sqlx::Error> {
    let sql = format!(
        "UPDATE signup_carts SET customer = $4, bill_group = $5, quote = $6, account_name = $7, contact_email = $8, currency = $9, amount = $10, \
         amount_discount = $11, discount_code = $12, coupon_id = $13, reserved = $14, stripe_customer_id = COALESCE(stripe_customer_id, $15), updated_at = $16 \
         WHERE tenant_id = $1 AND environment = $2 AND id = $3 AND state = 'PENDING' RETURNING {COLS}"
    );
    let q = bind_contents(super::scoped(scope, &sql).bind(id), c).bind(now);
    q.fetch_optional(ex).await?.map(|r| cart(&r)).transpose()
}

/// Sets one Stripe fact of a pending cart: its customer, SetupIntent, or default payment method.
pub enum Fact<'a> {
    Customer(&'a str),
    SetupIntent(&'a str),
    PaymentMethod { id: &'a str, name: Option<&'a str>, brand: Option<&'a str>, last4: Option<&'a str> },
}

pub async fn set<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, id: &str, fact: Fact<'_>, now: i64) -> Result<Option<CartRow>, sqlx::Error> {
    let (set, a, rest) = match fact {
        Fact::Customer(c) => ("stripe_customer_id = $4", c, [None, None, None]),
        Fact::SetupIntent(s) => ("setup_intent_id = $4", s, [None, None, None]),
        Fact::PaymentMethod { id, name, brand, last4 } => (
            "payment_method_id = $4, payment_method_name = $5, payment_method_brand = $6, payment_method_last4 = $7, \
             payment_method_added_at = COALESCE(payment_method_added_at, $3)",
            id,
            [name, brand, last4],
        ),
    };
    let sql =
        format!("UPDATE signup_carts SET {set}, updated_at = $3 WHERE tenant_id = $1 AND environment = $2 AND id = $8 AND state = 'PENDING' RETURNING {COLS}");
    let [b, c, d] = rest.map(|v| v.map(str::to_string));
    let q = super::scoped(scope, &sql).bind(now).bind(a).bind(b).bind(c).bind(d).bind(id);
    q.fetch_optional(ex).await?.map(|r| cart(&r)).transpose()
}

/// Claims a pending cart for one FINALIZE (or takes over a claim that lapsed: a node that died
/// mid-call); `None` when another call holds it or it is no longer pending.
pub async fn claim<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, id: &str, until: i64, now: i64) -> Result<Option<CartRow>, sqlx::Error> {
    let sql = format!(
        "UPDATE signup_carts SET state = 'FINALIZING', claimed_until = $3, updated_at = $4 WHERE tenant_id = $1 AND environment = $2 AND id = $5 \
         AND (state = 'PENDING' OR (state = 'FINALIZING' AND claimed_until < $4)) RETURNING {COLS}"
    );
    super::scoped(scope, &sql).bind(until).bind(now).bind(id).fetch_optional(ex).await?.map(|r| cart(&r)).transpose()
}

/// Gives a claim back: the cart is pending again.
/// `declined`: Stripe answered with a refusal, so the next attempt gets new Stripe idempotency
/// keys; otherwise (Stripe unreachable) it retries with the same keys, so that a subscription
/// Stripe did create is found again, not created twice.
pub async fn unclaim<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, id: &str, declined: bool, now: i64) -> Result<bool, sqlx::Error> {
    let sql = "UPDATE signup_carts SET state = 'PENDING', claimed_until = NULL, finalize_attempt = finalize_attempt + $3, updated_at = $4 \
         WHERE tenant_id = $1 AND environment = $2 AND id = $5 AND state = 'FINALIZING'";
    Ok(super::scoped(scope, sql).bind(i64::from(declined)).bind(now).bind(id).execute(ex).await?.rows_affected() == 1)
}

/// What Stripe answered to the winning FINALIZE.
#[derive(Debug, Default)]
pub struct Finalized {
    pub result: String,
    pub subscription_id: Option<String>,
    pub schedule_id: Option<String>,
    pub invoice_id: Option<String>,
    pub payment_intent_id: Option<String>,
    pub quote: String,
}

pub async fn finalize<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, id: &str, f: &Finalized, now: i64) -> Result<Option<CartRow>, sqlx::Error> {
    let sql = format!(
        "UPDATE signup_carts SET state = 'FINALIZED', claimed_until = NULL, result = $3, stripe_subscription_id = $4, stripe_schedule_id = $5, \
         stripe_invoice_id = $6, stripe_payment_intent_id = $7, quote = $8, finalized_at = $9, updated_at = $9 \
         WHERE tenant_id = $1 AND environment = $2 AND id = $10 AND state = 'FINALIZING' RETURNING {COLS}"
    );
    let q = super::scoped(scope, &sql)
        .bind(f.result.clone())
        .bind(f.subscription_id.clone())
        .bind(f.schedule_id.clone())
        .bind(f.invoice_id.clone())
        .bind(f.payment_intent_id.clone())
        .bind(f.quote.clone())
        .bind(now)
        .bind(id);
    q.fetch_optional(ex).await?.map(|r| cart(&r)).transpose()
}

/// `PENDING` → `CANCELED` or `EXPIRED`; `None` when it was not pending.
pub async fn end<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, id: &str, to: CartState, now: i64) -> Result<Option<CartRow>, sqlx::Error> {
    let sql = format!(
        "UPDATE signup_carts SET state = $3, updated_at = $4 WHERE tenant_id = $1 AND environment = $2 AND id = $5 AND state = 'PENDING' RETURNING {COLS}"
    );
    super::scoped(scope, &sql).bind(to.as_str()).bind(now).bind(id).fetch_optional(ex).await?.map(|r| cart(&r)).transpose()
}

/// Marks that the cart no longer holds a use of its coupon; `false` when it held none.
pub async fn drop_reservation<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, id: &str, now: i64) -> Result<bool, sqlx::Error> {
    let sql = "UPDATE signup_carts SET reserved = 0, updated_at = $3 WHERE tenant_id = $1 AND environment = $2 AND id = $4 AND reserved = 1";
    Ok(super::scoped(scope, sql).bind(now).bind(id).execute(ex).await?.rows_affected() == 1)
}

pub async fn get<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, id: &str) -> Result<Option<CartRow>, sqlx::Error> {
    let sql = format!("SELECT {COLS} FROM signup_carts WHERE tenant_id = $1 AND environment = $2 AND id = $3");
    super::scoped(scope, &sql).bind(id).fetch_optional(ex).await?.map(|r| cart(&r)).transpose()
}

pub struct ListFilter<'a> {
    pub state: Option<CartState>,
    /// Case-insensitive substring of the account name or the contact email.
    pub search: Option<&'a str>,
    pub starting_after: Option<&'a str>,
    pub limit: i64,
}

/// Newest first; one page and whether more follow.
pub async fn list<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, f: ListFilter<'_>) -> Result<(Vec<SignUpCartRow>, bool), sqlx::Error> {
    let sql = format!(
        "SELECT id, state, account_name, contact_email, amount, currency, payment_method_id, created_at FROM signup_carts \
         WHERE tenant_id = $1 AND environment = $2 AND ($3 IS NULL OR state = $3 OR ($3 = 'PENDING' AND state = 'FINALIZING')) \
         AND ($4 IS NULL OR LOWER(account_name) LIKE $4 ESCAPE '\\' OR LOWER(contact_email) LIKE $4 ESCAPE '\\') AND {after} ORDER BY id DESC LIMIT $6",
        after = after_cursor("signup_carts", "signup_carts", 5, Keyset::Id, "")
    );
    let rows = super::scoped(scope, &sql)
        .bind(f.state.map(|s| s.as_str().to_string()))
        .bind(f.search.map(super::like_pattern))
        .bind(f.starting_after.map(str::to_string))
        .bind(f.limit + 1)
        .fetch_all(ex)
        .await?;
    let carts = rows
        .iter()
        .map(|r| {
            let state: String = r.try_get("state")?;
            Ok(SignUpCartRow {
                id: r.try_get("id")?,
                state: CartState::parse(&state).unwrap_or(CartState::Pending),
                account_name: r.try_get("account_name")?,
                contact_email: r.try_get("contact_email")?,
                amount: r.try_get("amount")?,
                currency: r.try_get("currency")?,
                has_payment_method: r.try_get::<Option<String>, _>("payment_method_id")?.is_some(),
                created_at: super::row::time(r, "created_at")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(split_page(carts, f.limit))
}

/// Carts created since `from`: how many, how many got a payment method, how many were finalized.
pub async fn funnel<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, from: i64) -> Result<SignUpFunnel, sqlx::Error> {
    let sql = "SELECT COUNT(*), COALESCE(SUM(CASE WHEN payment_method_added_at IS NOT NULL THEN 1 ELSE 0 END), 0), \
         COALESCE(SUM(CASE WHEN state = 'FINALIZED' THEN 1 ELSE 0 END), 0) FROM signup_carts WHERE tenant_id = $1 AND environment = $2 AND created_at >= $3";
    let r = super::scoped(scope, sql).bind(from).fetch_one(ex).await?;
    Ok(SignUpFunnel { days: 0, created: r.try_get(0)?, payment_method_added: r.try_get(1)?, finalized: r.try_get(2)? })
}

/// One action on a cart, for its history: what was asked and answered (JSON).
pub struct Note<'a> {
    pub action: &'a str,
    pub status_code: u16,
    pub request: &'a str,
    pub response: &'a str,
}

/// Records one action on the cart with its answer.
pub async fn note<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, cart_id: &str, n: &Note<'_>, now: i64) -> Result<(), sqlx::Error> {
    let sql = "INSERT INTO signup_cart_history (id, cart_id, tenant_id, environment, action, status_code, request, response, created_at) \
         SELECT $3, c.id, c.tenant_id, c.environment, $5, $6, $7, $8, $9 FROM signup_carts c WHERE c.tenant_id = $1 AND c.environment = $2 AND c.id = $4";
    let cut = |s: &str| s.chars().take(16_000).collect::<String>();
    super::scoped(scope, sql)
        .bind(super::new_id("cah"))
        .bind(cart_id)
        .bind(n.action)
        .bind(i64::from(n.status_code))
        .bind(cut(n.request))
        .bind(cut(n.response))
        .bind(now)
        .execute(ex)
        .await
        .map(|_| ())
}

/// The cart's actions, oldest first (at most `limit`).
pub async fn history<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, cart_id: &str, limit: i64) -> Result<Vec<SignUpHistoryEntry>, sqlx::Error> {
    let sql = "SELECT action, status_code, request, response, created_at FROM signup_cart_history \
         WHERE tenant_id = $1 AND environment = $2 AND cart_id = $3 ORDER BY created_at, id LIMIT $4";
    let rows = super::scoped(scope, sql).bind(cart_id).bind(limit).fetch_all(ex).await?;
    rows.iter()
        .map(|r| {
            Ok(SignUpHistoryEntry {
                action: r.try_get("action")?,
                status_code: r.try_get("status_code")?,
                request: r.try_get("request")?,
                response: r.try_get("response")?,
                created_at: super::row::time(r, "created_at")?,
            })
        })
        .collect()
}
