//! Coupons (crxpay model, API.md §5): create with Stripe mirroring, list with counts, archive,
//! validate (publishable keys too), redeem with limits the database enforces, and the CSV export
//! (`export`). Incoming Stripe events redeem through [`redeem_in`], the same function as the API.
//! The dashboard's text form goes through [`create_from_form`] (times in the tenant's time zone).
use crate::error::{AppError, AppResult, ErrorCode, FieldErrors};
use crate::model::{
    CampaignCount, Coupon, CouponCreate, CouponForm, CouponRedemption, CouponRedemptionSource, CouponStatus, CouponType, CouponValidation, Page, normalize_code,
};
use crate::server::AppState;
use crate::server::auth::{Actor, Permission};
use crate::server::db::{self, Scoped, audit, coupons as cdb, new_id};
use crate::server::services::{integrations, settings, webhooks};
use crate::server_fns::coupons::NewCouponForm;
use serde_json::{Value, json};
use sqlx::AnyConnection;

mod export;
mod pages;
mod reservations;
pub use reservations::*;
#[cfg(test)]
mod tests;

pub use export::{export_csv, safe_cell};
pub use pages::{dashboard_page, detail, per_day};

pub fn invalid_or_expired() -> AppError {
    AppError::new(ErrorCode::InvalidOrExpired, "this code is not valid: it is unknown, archived, expired, not yet valid or used up")
}

/// The form body of Stripe's `POST /v1/coupons` for a coupon (`id` = the code).
pub fn stripe_coupon_body(c: &CouponCreate, coupon_id: &str, expires_at_ms: Option<i64>) -> Value {
    let mut b = json!({ "id": c.code, "name": c.code.chars().take(40).collect::<String>() });
    match c.coupon_type {
        CouponType::Percentage => b["percent_off"] = json!(c.amount),
        CouponType::Fixed => {
            b["amount_off"] = json!(c.amount);
            b["currency"] = json!(c.currency);
        }
        CouponType::FirstNMonths => b["percent_off"] = json!(100),
    }
    match c.duration_months() {
        Some(n) => {
            b["duration"] = json!("repeating");
            b["duration_in_months"] = json!(n);
        }
        None => b["duration"] = json!("once"),
    }
    if let Some(m) = c.max_redemptions {
        b["max_redemptions"] = json!(m);
    }
    if let Some(ms) = expires_at_ms {
        b["redeem_by"] = json!(ms / 1000);
    }
    let mut meta = json!({ "offerdeck_coupon_id": coupon_id });
    if let Some(camp) = &c.campaign {
        meta["campaign"] = json!(camp);
    }
    b["metadata"] = meta;
    b
}

fn time_field(e: &mut FieldErrors, field: &str, v: Option<&str>) -> Option<i64> {
    let t = v?;
    match db::rfc3339_to_ms(t) {
        Some(ms) => Some(ms),
        None => {
            e.add(field, "must be an RFC 3339 time such as 2026-12-31T23:59:00Z");
            None
        }
    }
}

/// The start and expiry of a new coupon in unix ms: RFC 3339, the expiry in the future and
/// after the start.
pub(crate) fn window(input: &CouponCreate, now: i64) -> AppResult<(Option<i64>, Option<i64>)> {
    let mut e = FieldErrors::new();
    let starts = time_field(&mut e, "startsAt", input.starts_at.as_deref());
    let expires = time_field(&mut e, "expiresAt", input.expires_at.as_deref());
    if expires.is_some_and(|x| x <= now) {
        e.add("expiresAt", "must be in the future");
    }
    if let (Some(s), Some(x)) = (starts, expires)
        && s >= x
    {
        e.add("startsAt", "must be before the expiry");
    }
    e.into_result()?;
    Ok((starts, expires))
}

/// Creates the coupon's Stripe mirror (idempotent on our id) and returns its Stripe id.
async fn mirror(state: &AppState, key: &str, input: &CouponCreate, id: &str, expires: Option<i64>) -> AppResult<String> {
    post_stripe_coupon(state, key, &stripe_coupon_body(input, id, expires), id, "the coupon was not created", "the coupon").await
}

/// `POST /v1/coupons` with `body`, idempotent on our object's id; Stripe's coupon id. When
/// Stripe cannot be reached the error ends with `not_done`; a refusal names `what`.
pub(crate) async fn post_stripe_coupon(state: &AppState, key: &str, body: &Value, our_id: &str, not_done: &str, what: &str) -> AppResult<String> {
    let res = state
        .stripe
        .request(key, "POST", "/v1/coupons", Some(body), Some(&format!("offerdeck-{our_id}")))
        .await
        .map_err(|u| AppError::stripe(format!("{} — {not_done}", u.0)))?;
    if !res.ok() {
        return Err(AppError::stripe(format!("Stripe refused {what}: {}", res.error_message())));
    }
    Ok(res.data.get("id").and_then(Value::as_str).or(body["id"].as_str()).unwrap_or(our_id).to_string())
}

pub async fn create(state: &AppState, actor: &Actor, input: CouponCreate) -> AppResult<Coupon> {
    let scope = actor.authorize(Permission::TenantWrite)?;
    let input = input.normalized()?;
    let now = state.clock.now_ms();
    let (starts, expires) = window(&input, now)?;
    if cdb::get_by_code(&state.db.pool, scope, &input.code, now).await?.is_some() {
        return Err(duplicate(&input.code));
    }
    let key = integrations::secret_key(state, scope).await?;
    let id = new_id("cpn");
    // Stripe first: when it refuses or cannot be reached nothing is stored here.
    let stripe_id = mirror(state, &key, &input, &id, expires).await?;
    let stored = async {
        let mut tx = state.db.begin_write().await?;
        cdb::insert(
            &mut *tx,
            scope,
            cdb::NewCoupon {
                id: &id,
                code: &input.code,
                coupon_type: input.coupon_type,
                amount: input.amount,
                currency: input.currency.as_deref(),
                repeat_months: input.repeat_months,
                max_redemptions: input.max_redemptions,
                max_per_customer: input.max_redemptions_per_customer,
                starts_at: starts,
                expires_at: expires,
                campaign: input.campaign.as_deref(),
                stripe_coupon_id: &stripe_id,
                now,
            },
        )
        .await?;
        audit::record(&mut *tx, audit::Entry::of(scope, &actor.label(), "coupon.created", "coupon", &id).details(input.code.clone()), state.clock.now_ms())
            .await?;
        let c = cdb::get_by_code(&mut *tx, scope, &input.code, now).await?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(c)
    }
    .await;
    match stored {
        Ok(Some(c)) => Ok(c.coupon),
        Ok(None) => Err(AppError::internal()),
        // Another request stored the same code first: the Stripe coupon (same id) is theirs.
        Err(err) if crate::server::is_unique_violation(&err) => Err(duplicate(&input.code)),
        Err(err) => {
            // Stored nothing: take the mirror back out of Stripe so the two stay in step.
            let _ = state.stripe.request(&key, "DELETE", &format!("/v1/coupons/{}", stripe_id), None, None).await;
            Err(err.into())
        }
    }
}

/// Creates a coupon from the dashboard's form: the typed rules of [`CouponForm::parse`] and the
/// start and expiry as local times in the tenant's time zone, every problem reported at once.
pub async fn create_from_form(state: &AppState, actor: &Actor, f: NewCouponForm) -> AppResult<Coupon> {
    actor.require(Permission::TenantWrite)?;
    let tz = settings::time_zone(state, actor).await?;
    let mut errors = FieldErrors::new();
    let starts_at = crate::server::tz::local_field(&mut errors, "startsAt", &f.starts, &tz);
    let expires_at = crate::server::tz::local_field(&mut errors, "expiresAt", &f.expires, &tz);
    let form = CouponForm {
        code: f.code,
        coupon_type: f.coupon_type,
        amount: f.amount,
        currency: f.currency,
        repeat_months: f.repeat_months,
        max_redemptions: f.max_redemptions,
        max_per_customer: f.max_per_customer,
        campaign: f.campaign,
    };
    let parsed = form.parse().map_err(|e| errors.merge(e)).ok();
    errors.into_result()?;
    let mut input = parsed.ok_or_else(AppError::internal)?;
    input.starts_at = starts_at;
    input.expires_at = expires_at;
    create(state, actor, input).await
}

fn duplicate(code: &str) -> AppError {
    let mut e = AppError::conflict(format!("a coupon with the code {code} already exists in this environment"));
    e.fields.insert("code".into(), format!("{code} is already used by another coupon (archived codes stay taken)"));
    e
}

#[derive(Debug, Default, Clone)]
pub struct ListParams {
    pub limit: Option<i64>,
    pub starting_after: Option<String>,
    pub search: Option<String>,
    pub status: Option<String>,
    pub campaign: Option<String>,
}

pub async fn list(state: &AppState, actor: &Actor, p: ListParams) -> AppResult<Page<Coupon>> {
    let scope = actor.authorize(Permission::TenantRead)?;
    let limit = super::records::page_limit(p.limit)?;
    let status = match p.status.as_deref().filter(|s| !s.is_empty() && *s != "all") {
        None => None,
        Some(s) => Some(CouponStatus::parse(s).ok_or_else(|| AppError::field("status", "must be active, expired, exhausted, archived or all"))?),
    };
    let search = p.search.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let after = p.starting_after.as_deref().filter(|s| !s.is_empty());
    let campaign = p.campaign.as_deref().map(str::trim);
    let (data, has_more) =
        cdb::list(&state.db.pool, scope, cdb::ListFilter { search, status, campaign, starting_after: after, limit }, state.clock.now_ms()).await?;
    Ok(Page { data, has_more })
}

pub async fn campaigns(state: &AppState, actor: &Actor) -> AppResult<Vec<CampaignCount>> {
    let scope = actor.authorize(Permission::TenantRead)?;
    Ok(cdb::campaign_counts(&state.db.pool, scope).await?)
}

/// One page of [`campaigns`] (`/api/v1/coupons/campaigns`); the cursor is a campaign tag.
pub async fn page_campaigns(state: &AppState, actor: &Actor, starting_after: Option<&str>, limit: Option<i64>) -> AppResult<Page<CampaignCount>> {
    let scope = actor.authorize(Permission::TenantRead)?;
    let limit = super::records::page_limit(limit)?;
    let (data, has_more) = cdb::page_campaign_counts(&state.db.pool, scope, super::records::cursor(starting_after), limit).await?;
    Ok(Page { data, has_more })
}

/// One page of a coupon's redemptions, newest first (`/api/v1/coupons/{code}/redemptions`).
pub async fn page_redemptions(
    state: &AppState,
    actor: &Actor,
    code: &str,
    starting_after: Option<&str>,
    limit: Option<i64>,
) -> AppResult<Page<CouponRedemption>> {
    let limit = super::records::page_limit(limit)?;
    let coupon = get(state, actor, code).await?;
    let (data, has_more) =
        cdb::page_redemptions(&state.db.pool, actor.authorize(Permission::TenantRead)?, &coupon.id, super::records::cursor(starting_after), limit).await?;
    Ok(Page { data, has_more })
}

pub async fn get(state: &AppState, actor: &Actor, code: &str) -> AppResult<Coupon> {
    let scope = actor.authorize(Permission::TenantRead)?;
    cdb::get_by_code(&state.db.pool, scope, &normalize_code(code), state.clock.now_ms()).await?.map(|c| c.coupon).ok_or_else(|| AppError::not_found("coupon"))
}

/// Archives the coupon here and deletes it in Stripe (Stripe coupons cannot be disabled; a
/// deleted coupon takes no new redemptions and leaves existing discounts alone).
pub async fn archive(state: &AppState, actor: &Actor, code: &str) -> AppResult<Coupon> {
    let scope = actor.authorize(Permission::TenantWrite)?;
    let now = state.clock.now_ms();
    let code = normalize_code(code);
    let current = cdb::get_by_code(&state.db.pool, scope, &code, now).await?.ok_or_else(|| AppError::not_found("coupon"))?;
    if current.coupon.status == CouponStatus::Archived {
        return Ok(current.coupon);
    }
    // Without a Stripe integration any more (removed since), the coupon is archived here only;
    // a batch's codes share one Stripe coupon, which stays for the batch's other codes.
    if current.batch_id.is_none() && db::integrations::get(&state.db.pool, scope).await?.is_some() {
        let key = integrations::secret_key(state, scope).await?;
        let res = state
            .stripe
            .request(&key, "DELETE", &format!("/v1/coupons/{}", current.coupon.stripe_coupon_id), None, None)
            .await
            .map_err(|u| AppError::stripe(format!("{} — the coupon was not archived", u.0)))?;
        let already_gone = res.status == 404;
        if !res.ok() && !already_gone {
            return Err(AppError::stripe(format!("Stripe refused to delete the coupon: {}", res.error_message())));
        }
    }
    let mut tx = state.db.begin_write().await?;
    cdb::archive(&mut *tx, scope, &current.coupon.id, now).await?;
    audit::record(
        &mut *tx,
        audit::Entry::of(scope, &actor.label(), "coupon.archived", "coupon", &current.coupon.id).details(code.clone()),
        state.clock.now_ms(),
    )
    .await?;
    let c = cdb::get_by_code(&mut *tx, scope, &code, now).await?.ok_or_else(AppError::internal)?;
    tx.commit().await?;
    state.coupon_checks.forget(scope, &code);
    Ok(c.coupon)
}

/// `POST /api/v1/coupons/validate`: what a paywall shows before applying a code.
pub async fn validate(state: &AppState, actor: &Actor, code: &str) -> AppResult<CouponValidation> {
    let scope = actor.authorize(Permission::Runtime)?;
    let code = normalize_code(code);
    if code.is_empty() {
        return Err(AppError::field("code", "is required"));
    }
    let now = state.clock.now_ms();
    let ttl = state.config.coupon_check_cache_ms;
    let row = match state.coupon_checks.get(scope, &code, now, ttl) {
        Some(row) => row,
        None => {
            let generation = state.coupon_checks.generation();
            let Some(row) = cdb::get_by_code(&state.db.pool, scope, &code, now).await? else {
                return Err(invalid_or_expired());
            };
            let row = std::sync::Arc::new(row);
            if ttl > 0 {
                state.coupon_checks.put(scope, &code, row.clone(), now, ttl, generation);
            }
            row
        }
    };
    // A remembered row's status was worked out when it was read: the expiry is checked again.
    if !redeemable(&row, now) || row.expires_at_ms.is_some_and(|e| e <= now) {
        return Err(invalid_or_expired());
    }
    let c = &row.coupon;
    Ok(CouponValidation {
        code: c.code.clone(),
        coupon_type: c.coupon_type,
        amount: c.amount,
        currency: c.currency.clone(),
        duration_months: c.duration_months,
        expires_at: c.expires_at.clone(),
    })
}

pub enum Redeemed {
    /// A first redemption: counted, and `coupon.redeemed` queued in the same transaction.
    Created(CouponRedemption),
    /// This (coupon, subscription) was redeemed before; the caller must roll back.
    Existing(CouponRedemption),
}

pub struct RedeemArgs<'a> {
    pub code: &'a str,
    pub subscription_id: &'a str,
    pub customer_id: Option<&'a str>,
    pub source: CouponRedemptionSource,
    pub stripe_event_id: Option<&'a str>,
    pub now: i64,
}

/// The one redemption function, inside the caller's transaction. Its first statement is the
/// conditional update of the coupon row (so SQLite takes its write lock before reading);
/// after `Existing` or an error the caller rolls back, which also returns the uses taken.
pub async fn redeem_in(conn: &mut AnyConnection, scope: &Scoped, a: RedeemArgs<'_>) -> AppResult<Redeemed> {
    // Every statement after this one runs while the coupon row is locked (PostgreSQL) or the
    // database is (SQLite): the fewer, the more redemptions per second under contention.
    let Some(row) = cdb::take_use(&mut *conn, scope, a.code, a.now).await? else {
        return match cdb::redemption_of(&mut *conn, scope, a.code, a.subscription_id).await? {
            Some(r) => Ok(Redeemed::Existing(r)),
            None => Err(invalid_or_expired()),
        };
    };
    let coupon = row.coupon;
    if let Some(max) = coupon.max_redemptions_per_customer {
        let Some(customer) = a.customer_id else {
            return Err(AppError::field("customerId", "is required: this coupon has a per-customer limit"));
        };
        if !cdb::take_customer_use(&mut *conn, scope, &coupon.id, customer, max).await? {
            return match cdb::redemption_of(&mut *conn, scope, a.code, a.subscription_id).await? {
                Some(r) => Ok(Redeemed::Existing(r)),
                None => Err(AppError::new(ErrorCode::InvalidOrExpired, format!("this customer has already used the code {max} time(s), the most allowed"))),
            };
        }
    }
    let id = new_id("cred");
    let fresh = cdb::insert_redemption(
        &mut *conn,
        scope,
        cdb::NewRedemption {
            id: &id,
            coupon_id: &coupon.id,
            subscription_id: a.subscription_id,
            customer_id: a.customer_id,
            source: a.source,
            stripe_event_id: a.stripe_event_id,
            now: a.now,
        },
    )
    .await?;
    if !fresh {
        let r = cdb::redemption_of(&mut *conn, scope, a.code, a.subscription_id).await?.ok_or_else(AppError::internal)?;
        return Ok(Redeemed::Existing(r));
    }
    let redemption = CouponRedemption {
        id,
        coupon_id: coupon.id.clone(),
        code: coupon.code.clone(),
        subscription_id: a.subscription_id.to_string(),
        customer_id: a.customer_id.map(str::to_string),
        source: a.source,
        stripe_event_id: a.stripe_event_id.map(str::to_string),
        created_at: db::ms_to_rfc3339(a.now),
    };
    webhooks::emit(&mut *conn, scope, "coupon.redeemed", redeemed_event(scope, &coupon, &redemption), a.now).await?;
    Ok(Redeemed::Created(redemption))
}

/// The `data` of a `coupon.redeemed` event.
pub fn redeemed_event(scope: &Scoped, coupon: &Coupon, redemption: &CouponRedemption) -> Value {
    json!({
        "mode": scope.env().as_str(),
        "code": coupon.code,
        "type": coupon.coupon_type.as_str(),
        "amount": coupon.amount,
        "currency": coupon.currency,
        "durationMonths": coupon.duration_months,
        "campaign": coupon.campaign,
        "couponId": coupon.id,
        "redemptionId": redemption.id,
        "processorSubscriptionId": redemption.subscription_id,
        "processorCustomerId": redemption.customer_id,
        "source": redemption.source,
    })
}

fn check_ref(e: &mut FieldErrors, field: &str, v: &str) {
    if v.trim().is_empty() {
        e.add(field, "is required");
    } else if v.len() > 255 {
        e.add(field, "must be at most 255 characters");
    }
}

/// `POST /api/v1/coupons/{code}/redemptions`: `(true, r)` for a first redemption (201),
/// `(false, r)` for a repeat of the same subscription (200, nothing counted).
pub async fn redeem(state: &AppState, actor: &Actor, code: &str, subscription_id: &str, customer_id: Option<&str>) -> AppResult<(bool, CouponRedemption)> {
    let scope = actor.authorize(Permission::TenantWrite)?;
    let mut e = FieldErrors::new();
    check_ref(&mut e, "subscriptionId", subscription_id);
    let customer_id = customer_id.map(str::trim).filter(|c| !c.is_empty());
    if let Some(c) = customer_id {
        check_ref(&mut e, "customerId", c);
    }
    e.into_result()?;
    let code = normalize_code(code);
    let mut tx = state.db.begin_write().await?;
    let args = RedeemArgs {
        code: &code,
        subscription_id: subscription_id.trim(),
        customer_id,
        source: CouponRedemptionSource::Api,
        stripe_event_id: None,
        now: state.clock.now_ms(),
    };
    match redeem_in(&mut tx, scope, args).await {
        Ok(Redeemed::Created(r)) => {
            tx.commit().await?;
            state.coupon_checks.forget(scope, &code);
            state.webhooks.kick();
            Ok((true, r))
        }
        Ok(Redeemed::Existing(r)) => {
            tx.rollback().await?;
            Ok((false, r))
        }
        Err(err) => {
            tx.rollback().await?;
            Err(err)
        }
    }
}
