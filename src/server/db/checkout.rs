//! SQL for checkout sessions, their timeline and the Stripe customer of each locked email. A
//! session changes status only by a conditional `UPDATE … WHERE status = …` whose row count
//! decides who won (the return hop, Stripe's webhook and `/expire` may race).
use super::row::{self, stamped};
use super::{Keyset, Scoped, after_cursor, split_page};
use crate::model::{CheckoutCustomer, CheckoutDiscount, CheckoutSession, CheckoutStatus, CheckoutTimelineEntry, DiscountUpdates, UiMode};
use sqlx::{Any, Executor, Row, any::AnyRow};

const COLS: &str = "id, status, request_id, product_id, price_id, units, mode, customer_email, stripe_customer_id, coupon_id, discount_code, reserved, \
    success_url, cancel_url, metadata, ui_mode, discount_updates, client_secret_enc, stripe_checkout_session_id, stripe_subscription_id, \
    stripe_payment_intent_id, checkout_url, amount_subtotal, amount_discount, amount_total, currency, discount_source, discount_rule_id, expires_at, \
    completed_at, environment, created_at, updated_at";

/// A stored session: the wire object (its `clientSecret` and `publishableKey` are the service's
/// to fill) and what only the server sees.
#[derive(Debug, Clone)]
pub struct CheckoutRow {
    pub session: CheckoutSession,
    /// Stored, Stripe not answered yet: nobody but the creating call sees it.
    pub opening: bool,
    pub coupon_id: Option<String>,
    pub reserved: bool,
    pub client_secret_enc: Option<String>,
    pub expires_at_ms: i64,
}

fn session(r: &AnyRow) -> Result<CheckoutRow, sqlx::Error> {
    let status: String = r.try_get("status")?;
    let source: Option<String> = r.try_get("discount_source")?;
    let amount_discount: i64 = r.try_get("amount_discount")?;
    let discount = source.map(|source| {
        Ok::<_, sqlx::Error>(CheckoutDiscount {
            code: if source == "code" { r.try_get("discount_code")? } else { None },
            rule_id: r.try_get("discount_rule_id")?,
            source,
            amount: amount_discount,
        })
    });
    let ui: String = r.try_get("ui_mode")?;
    let du: String = r.try_get("discount_updates")?;
    let session: Result<CheckoutSession, sqlx::Error> = stamped!(r => CheckoutSession { id, checkout_url, request_id, product_id, price_id, units, mode, discount_code,
        success_url, cancel_url, stripe_checkout_session_id, stripe_subscription_id, amount_subtotal, amount_total, currency;
        status: CheckoutStatus::parse(&status).unwrap_or(CheckoutStatus::Pending),
        customer: CheckoutCustomer { email: r.try_get("customer_email")?, stripe_customer_id: r.try_get("stripe_customer_id")? },
        metadata: row::json(r, "metadata")?,
        ui_mode: UiMode::parse(&ui).unwrap_or_default(),
        discount_updates: DiscountUpdates::parse(&du).unwrap_or_default(),
        client_secret: None,
        publishable_key: None,
        amount_discount: amount_discount,
        discount: discount.transpose()?,
        expires_at: row::time(r, "expires_at")?,
        completed_at: row::time_opt(r, "completed_at")? });
    let session = session?;
    Ok(CheckoutRow {
        opening: status == "opening",
        session,
        coupon_id: r.try_get("coupon_id")?,
        reserved: r.try_get::<i64, _>("reserved")? != 0,
        client_secret_enc: r.try_get("client_secret_enc")?,
        expires_at_ms: r.try_get("expires_at")?,
    })
}

/// A session about to be opened in Stripe (status `opening`, never listed).
pub struct NewSession<'a> {
    pub id: &'a str,
    pub request_id: Option<&'a str>,
    pub product_id: &'a str,
    pub price_id: &'a str,
    pub units: i64,
    pub mode: &'a str,
    pub customer_email: Option<&'a str>,
    pub stripe_customer_id: Option<&'a str>,
    pub coupon_id: Option<&'a str>,
    pub discount_code: Option<&'a str>,
    pub success_url: &'a str,
    pub cancel_url: &'a str,
    pub metadata: &'a str,
    pub ui_mode: UiMode,
    pub discount_updates: DiscountUpdates,
    pub amount_subtotal: i64,
    pub currency: &'a str,
    pub expires_at: i64,
    pub now: i64,
}

pub async fn insert<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, s: NewSession<'_>) -> Result<(), sqlx::Error> {
    let sql = "INSERT INTO checkout_sessions (id, tenant_id, environment, status, request_id, product_id, price_id, units, mode, customer_email, \
         stripe_customer_id, coupon_id, discount_code, reserved, success_url, cancel_url, metadata, ui_mode, discount_updates, amount_subtotal, \
         amount_discount, amount_total, currency, discount_source, expires_at, created_at, updated_at) \
         VALUES ($3, $1, $2, 'opening', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, 0, $19, $20, $21, $22, $23, $23)";
    super::scoped(scope, sql)
        .bind(s.id)
        .bind(s.request_id.map(str::to_string))
        .bind(s.product_id)
        .bind(s.price_id)
        .bind(s.units)
        .bind(s.mode)
        .bind(s.customer_email.map(str::to_string))
        .bind(s.stripe_customer_id.map(str::to_string))
        .bind(s.coupon_id.map(str::to_string))
        .bind(s.discount_code.map(str::to_string))
        .bind(i64::from(s.coupon_id.is_some()))
        .bind(s.success_url)
        .bind(s.cancel_url)
        .bind(s.metadata)
        .bind(s.ui_mode.as_str())
        .bind(s.discount_updates.as_str())
        .bind(s.amount_subtotal)
        .bind(s.currency)
        .bind(s.coupon_id.map(|_| "code".to_string()))
        .bind(s.expires_at)
        .bind(s.now)
        .execute(ex)
        .await
        .map(|_| ())
}

/// What Stripe answered for a session (at creation, on a re-read or in an event).
#[derive(Debug, Clone, Default)]
pub struct StripeFacts {
    pub stripe_checkout_session_id: Option<String>,
    pub checkout_url: Option<String>,
    pub client_secret_enc: Option<String>,
    pub stripe_subscription_id: Option<String>,
    pub stripe_payment_intent_id: Option<String>,
    pub stripe_customer_id: Option<String>,
    pub amount_subtotal: Option<i64>,
    pub amount_discount: Option<i64>,
    pub amount_total: Option<i64>,
}

/// `opening` → `pending` with Stripe's ids and amounts; `None` when the session is not opening.
pub async fn opened<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    scope: &Scoped,
    id: &str,
    f: &StripeFacts,
    now: i64,
) -> Result<Option<CheckoutRow>, sqlx::Error> {
    let sql = format!(
        "UPDATE checkout_sessions SET status = 'pending', stripe_checkout_session_id = $3, checkout_url = $4, client_secret_enc = $5, \
         amount_subtotal = COALESCE($6, amount_subtotal), amount_discount = COALESCE($7, amount_discount), amount_total = COALESCE($8, amount_total), \
         stripe_customer_id = COALESCE(stripe_customer_id, $9), updated_at = $10 \
         WHERE tenant_id = $1 AND environment = $2 AND id = $11 AND status = 'opening' RETURNING {COLS}"
    );
    let q = super::scoped(scope, &sql)
        .bind(f.stripe_checkout_session_id.clone())
        .bind(f.checkout_url.clone())
        .bind(f.client_secret_enc.clone())
        .bind(f.amount_subtotal)
        .bind(f.amount_discount)
        .bind(f.amount_total)
        .bind(f.stripe_customer_id.clone())
        .bind(now)
        .bind(id);
    q.fetch_optional(ex).await?.map(|r| session(&r)).transpose()
}

/// `pending` → `completed` with the ids and amounts Stripe reported; `None` when another call
/// completed (or expired) it first.
pub async fn complete<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    scope: &Scoped,
    id: &str,
    f: &StripeFacts,
    now: i64,
) -> Result<Option<CheckoutRow>, sqlx::Error> {
    let sql = format!(
        "UPDATE checkout_sessions SET status = 'completed', completed_at = $3, updated_at = $3, \
         stripe_subscription_id = COALESCE($4, stripe_subscription_id), stripe_payment_intent_id = COALESCE($5, stripe_payment_intent_id), \
         stripe_customer_id = COALESCE($6, stripe_customer_id), amount_subtotal = COALESCE($7, amount_subtotal), \
         amount_discount = COALESCE($8, amount_discount), amount_total = COALESCE($9, amount_total) \
         WHERE tenant_id = $1 AND environment = $2 AND id = $10 AND status = 'pending' RETURNING {COLS}"
    );
    let q = super::scoped(scope, &sql)
        .bind(now)
        .bind(f.stripe_subscription_id.clone())
        .bind(f.stripe_payment_intent_id.clone())
        .bind(f.stripe_customer_id.clone())
        .bind(f.amount_subtotal)
        .bind(f.amount_discount)
        .bind(f.amount_total)
        .bind(id);
    q.fetch_optional(ex).await?.map(|r| session(&r)).transpose()
}

/// `pending` (or `opening`, for a session Stripe never opened) → `expired`; `None` when it was
/// no longer open.
pub async fn expire<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, id: &str, now: i64) -> Result<Option<CheckoutRow>, sqlx::Error> {
    let sql = format!(
        "UPDATE checkout_sessions SET status = 'expired', updated_at = $3 \
         WHERE tenant_id = $1 AND environment = $2 AND id = $4 AND status IN ('pending', 'opening') RETURNING {COLS}"
    );
    super::scoped(scope, &sql).bind(now).bind(id).fetch_optional(ex).await?.map(|r| session(&r)).transpose()
}

/// Removes a session Stripe refused to open (it never existed for anyone).
pub async fn delete_opening<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, id: &str) -> Result<bool, sqlx::Error> {
    let sql = "DELETE FROM checkout_sessions WHERE tenant_id = $1 AND environment = $2 AND id = $3 AND status = 'opening'";
    Ok(super::scoped(scope, sql).bind(id).execute(ex).await?.rows_affected() == 1)
}

/// Marks that the session no longer holds a use of its coupon; `false` when it held none.
pub async fn drop_reservation<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, id: &str, now: i64) -> Result<bool, sqlx::Error> {
    let sql = "UPDATE checkout_sessions SET reserved = 0, updated_at = $3 WHERE tenant_id = $1 AND environment = $2 AND id = $4 AND reserved = 1";
    Ok(super::scoped(scope, sql).bind(now).bind(id).execute(ex).await?.rows_affected() == 1)
}

/// A session's discount and amounts after an update in Stripe (API.md §11); `coupon_id` and
/// `reserved` describe the coupon the session now holds a use of, if any.
pub struct DiscountChange<'a> {
    pub source: Option<&'a str>,
    pub code: Option<&'a str>,
    pub rule_id: Option<&'a str>,
    pub coupon_id: Option<&'a str>,
    pub amount_subtotal: i64,
    pub amount_discount: i64,
    pub amount_total: i64,
}

pub async fn set_discount<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    scope: &Scoped,
    id: &str,
    d: DiscountChange<'_>,
    now: i64,
) -> Result<Option<CheckoutRow>, sqlx::Error> {
    let sql = format!(
        "UPDATE checkout_sessions SET discount_source = $3, discount_code = $4, discount_rule_id = $5, coupon_id = $6, reserved = $7, \
         amount_subtotal = $8, amount_discount = $9, amount_total = $10, updated_at = $11 \
         WHERE tenant_id = $1 AND environment = $2 AND id = $12 AND status = 'pending' RETURNING {COLS}"
    );
    let q = super::scoped(scope, &sql)
        .bind(d.source.map(str::to_string))
        .bind(d.code.map(str::to_string))
        .bind(d.rule_id.map(str::to_string))
        .bind(d.coupon_id.map(str::to_string))
        .bind(i64::from(d.coupon_id.is_some()))
        .bind(d.amount_subtotal)
        .bind(d.amount_discount)
        .bind(d.amount_total)
        .bind(now)
        .bind(id);
    q.fetch_optional(ex).await?.map(|r| session(&r)).transpose()
}

/// The session `id` of the scope (an `opening` one too: the service decides).
pub async fn get<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, id: &str) -> Result<Option<CheckoutRow>, sqlx::Error> {
    let sql = format!("SELECT {COLS} FROM checkout_sessions WHERE tenant_id = $1 AND environment = $2 AND id = $3");
    super::scoped(scope, &sql).bind(id).fetch_optional(ex).await?.map(|r| session(&r)).transpose()
}

/// The session that opened the Stripe subscription `subscription_id`.
pub async fn by_subscription<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, subscription_id: &str) -> Result<Option<CheckoutRow>, sqlx::Error> {
    let sql = format!("SELECT {COLS} FROM checkout_sessions WHERE tenant_id = $1 AND environment = $2 AND stripe_subscription_id = $3 ORDER BY id LIMIT 1");
    super::scoped(scope, &sql).bind(subscription_id).fetch_optional(ex).await?.map(|r| session(&r)).transpose()
}

pub struct ListFilter<'a> {
    pub request_id: Option<&'a str>,
    pub status: Option<CheckoutStatus>,
    /// Case-insensitive substring of the request id or the customer's email (the dashboard).
    pub search: Option<&'a str>,
    pub starting_after: Option<&'a str>,
    pub limit: i64,
}

/// Newest first, `opening` ones left out; one page and whether more follow.
pub async fn list<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, f: ListFilter<'_>) -> Result<(Vec<CheckoutRow>, bool), sqlx::Error> {
    let sql = format!(
        "SELECT {COLS} FROM checkout_sessions WHERE tenant_id = $1 AND environment = $2 AND status <> 'opening' \
         AND ($3 IS NULL OR request_id = $3) AND ($4 IS NULL OR status = $4) \
         AND ($5 IS NULL OR LOWER(COALESCE(request_id, '')) LIKE $5 ESCAPE '\\' OR LOWER(COALESCE(customer_email, '')) LIKE $5 ESCAPE '\\') \
         AND {after} ORDER BY id DESC LIMIT $7",
        after = after_cursor("checkout_sessions", "checkout_sessions", 6, Keyset::Id, "")
    );
    let rows = super::scoped(scope, &sql)
        .bind(f.request_id.map(str::to_string))
        .bind(f.status.map(|s| s.as_str().to_string()))
        .bind(f.search.map(super::like_pattern))
        .bind(f.starting_after.map(str::to_string))
        .bind(f.limit + 1)
        .fetch_all(ex)
        .await?;
    Ok(split_page(rows.iter().map(session).collect::<Result<Vec<_>, _>>()?, f.limit))
}

/// Completed sessions of a Stripe customer (the loyalty rule of API.md §11).
pub async fn completed_count<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, stripe_customer_id: &str) -> Result<i64, sqlx::Error> {
    let sql = "SELECT COUNT(*) FROM checkout_sessions WHERE tenant_id = $1 AND environment = $2 AND stripe_customer_id = $3 AND status = 'completed'";
    super::scoped(scope, sql).bind(stripe_customer_id).fetch_one(ex).await?.try_get(0)
}

/// Adds an entry to the session's timeline.
pub async fn note<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, session_id: &str, kind: &str, detail: &str, now: i64) -> Result<(), sqlx::Error> {
    let sql = "INSERT INTO checkout_session_timeline (id, checkout_session_id, tenant_id, environment, kind, detail, created_at) \
         SELECT $3, s.id, s.tenant_id, s.environment, $5, $6, $7 FROM checkout_sessions s WHERE s.tenant_id = $1 AND s.environment = $2 AND s.id = $4";
    let detail: String = detail.chars().take(2000).collect();
    super::scoped(scope, sql).bind(super::new_id("cst")).bind(session_id).bind(kind).bind(detail).bind(now).execute(ex).await.map(|_| ())
}

/// The session's timeline, oldest first (at most `limit` entries).
pub async fn timeline<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    scope: &Scoped,
    session_id: &str,
    limit: i64,
) -> Result<Vec<CheckoutTimelineEntry>, sqlx::Error> {
    let sql = "SELECT kind, detail, created_at FROM checkout_session_timeline WHERE tenant_id = $1 AND environment = $2 AND checkout_session_id = $3 \
         ORDER BY created_at, id LIMIT $4";
    let rows = super::scoped(scope, sql).bind(session_id).bind(limit).fetch_all(ex).await?;
    rows.iter().map(|r| Ok(CheckoutTimelineEntry { kind: r.try_get("kind")?, detail: r.try_get("detail")?, created_at: row::time(r, "created_at")? })).collect()
}

/// The Stripe customer of a locked email in the scope.
pub async fn customer_of<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, email: &str) -> Result<Option<String>, sqlx::Error> {
    let sql = "SELECT stripe_customer_id FROM stripe_customers WHERE tenant_id = $1 AND environment = $2 AND email = $3";
    super::scoped(scope, sql).bind(email).fetch_optional(ex).await?.map(|r| r.try_get(0)).transpose()
}

/// Remembers the Stripe customer of an email; the first one stored wins, and is answered.
pub async fn remember_customer<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    scope: &Scoped,
    email: &str,
    stripe_id: &str,
    now: i64,
) -> Result<String, sqlx::Error> {
    let sql = "INSERT INTO stripe_customers (tenant_id, environment, email, stripe_customer_id, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (tenant_id, environment, email) DO UPDATE SET email = excluded.email RETURNING stripe_customer_id";
    super::scoped(scope, sql).bind(email).bind(stripe_id).bind(now).fetch_one(ex).await?.try_get(0)
}
