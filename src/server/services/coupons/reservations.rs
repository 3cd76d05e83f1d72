//! Uses of a coupon held while a checkout session is open or a sign-up cart is pending: taken
//! by the same conditional update as a redemption (so held uses count against the limits),
//! then turned into the redemption or given back.
use super::invalid_or_expired;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::model::{Coupon, CouponRedemption, CouponRedemptionSource, CouponStatus};
use crate::server::db::{self, Scoped, coupons as cdb, new_id};
use sqlx::AnyConnection;

/// True when a customer may use the coupon now: active, started, and not all its uses taken or
/// held (open checkout sessions and pending sign-up carts hold theirs).
pub fn redeemable(row: &cdb::CouponRow, now: i64) -> bool {
    let held = row.coupon.max_redemptions.is_some_and(|m| row.coupon.times_redeemed + row.coupon.reserved >= m);
    row.coupon.status == CouponStatus::Active && row.starts_at_ms.is_none_or(|s| s <= now) && !held
}

/// Holds one use of `code` (and one of `customer`'s, under a per-customer limit) inside the
/// caller's transaction: the coupon's row as it now stands.
pub async fn reserve(conn: &mut AnyConnection, scope: &Scoped, code: &str, customer: Option<&str>, now: i64) -> AppResult<cdb::CouponRow> {
    let Some(row) = cdb::reserve(&mut *conn, scope, code, now).await? else {
        return Err(invalid_or_expired());
    };
    if let Some(max) = row.coupon.max_redemptions_per_customer {
        let Some(customer) = customer else {
            return Err(AppError::field("customer", "is required: this coupon has a per-customer limit"));
        };
        if !cdb::take_customer_use(&mut *conn, scope, &row.coupon.id, customer, max).await? {
            return Err(AppError::new(ErrorCode::InvalidOrExpired, format!("this customer has already used the code {max} time(s), the most allowed")));
        }
    }
    Ok(row)
}

/// A use of a coupon held by a checkout session or a sign-up cart, becoming its redemption.
pub struct ReservedUse<'a> {
    pub coupon_id: &'a str,
    /// The subscription (or, without one, the session or cart) the redemption is counted for.
    pub subscription_id: &'a str,
    pub customer_id: Option<&'a str>,
    pub source: CouponRedemptionSource,
    pub stripe_event_id: Option<&'a str>,
    pub now: i64,
}

/// Turns a held use into the redemption, inside the caller's transaction: the coupon and the
/// redemption, or `None` when that subscription had redeemed the coupon already (the caller
/// then releases the use with [`release_reservation`]).
pub async fn redeem_reservation(conn: &mut AnyConnection, scope: &Scoped, u: ReservedUse<'_>) -> AppResult<Option<(Coupon, CouponRedemption)>> {
    let id = new_id("cred");
    let new = cdb::NewRedemption {
        id: &id,
        coupon_id: u.coupon_id,
        subscription_id: u.subscription_id,
        customer_id: u.customer_id,
        source: u.source,
        stripe_event_id: u.stripe_event_id,
        now: u.now,
    };
    if !cdb::insert_redemption(&mut *conn, scope, new).await? {
        return Ok(None);
    }
    cdb::end_reservation(&mut *conn, scope, u.coupon_id, true, u.now).await?;
    let coupon = cdb::get_by_id(&mut *conn, scope, u.coupon_id, u.now).await?.ok_or_else(AppError::internal)?.coupon;
    let redemption = CouponRedemption {
        id,
        coupon_id: coupon.id.clone(),
        code: coupon.code.clone(),
        subscription_id: u.subscription_id.to_string(),
        customer_id: u.customer_id.map(str::to_string),
        source: u.source,
        stripe_event_id: u.stripe_event_id.map(str::to_string),
        created_at: db::ms_to_rfc3339(u.now),
    };
    Ok(Some((coupon, redemption)))
}

/// Gives a held use back: the coupon's, and the customer's under a per-customer limit.
pub async fn release_reservation(conn: &mut AnyConnection, scope: &Scoped, coupon_id: &str, customer_id: Option<&str>, now: i64) -> AppResult<()> {
    cdb::end_reservation(&mut *conn, scope, coupon_id, false, now).await?;
    if let Some(customer) = customer_id {
        cdb::give_back_customer_use(&mut *conn, scope, coupon_id, customer).await?;
    }
    Ok(())
}
