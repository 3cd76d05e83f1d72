//! A sign-up cart's quote priced from the catalogue (API.md §12): each offering is an offer and
//! one of its self-service rates; each of the rate's products is an item (quantity 1 unless the
//! request says otherwise); the amounts are unit amount × quantity per item, summed per offering
//! and in total, less the coupon of `discountCode`.
use crate::error::{AppError, AppResult, FieldErrors};
use crate::model::{
    CouponType, Price, ProductStatus, QuoteDiscount, QuoteItem, QuoteOffering, QuoteStatus, Rate, SIGNUP_OFFERINGS_MAX, SignUpQuote, SignUpQuoteInput,
    UNITS_MAX, percent_of,
};
use crate::server::AppState;
use crate::server::db::{Scoped, coupons::CouponRow, record};
use crate::server::services::coupons;
use std::collections::HashSet;

/// A priced quote and what Stripe needs of it: `(Stripe price id, quantity)` per item.
pub struct Priced {
    pub quote: SignUpQuote,
    pub lines: Vec<(String, i64)>,
}

/// `YYYY-MM-DD`, or today (UTC) when absent.
fn start_date(given: Option<&str>, today: &str, e: &mut FieldErrors) -> String {
    let Some(d) = given.map(str::trim).filter(|d| !d.is_empty()) else { return today.to_string() };
    match d.parse::<jiff::civil::Date>() {
        Ok(date) if d.len() == 10 => {
            let max = today.parse::<jiff::civil::Date>().ok().and_then(|t| t.checked_add(jiff::Span::new().years(2)).ok());
            if max.is_some_and(|m| date > m) {
                e.add("quote.startDate", "must be at most two years ahead");
            }
            date.to_string()
        }
        _ => {
            e.add("quote.startDate", "must be a date like 2026-12-01");
            String::new()
        }
    }
}

/// The rate `rate_id` of offer `offer_id`, checked for sale on a sign-up page.
async fn rate_of(state: &AppState, scope: &Scoped, offer_id: &str, rate_id: &str, at: &str, e: &mut FieldErrors) -> AppResult<Option<Rate>> {
    let offer = {
        let mut conn = state.db.pool.acquire().await?;
        crate::server::db::offers::get(&mut conn, scope, offer_id).await?
    };
    match offer {
        Some(o) if o.status == ProductStatus::Active => {}
        Some(_) => {
            e.add(&format!("{at}.offeringId"), "is archived");
            return Ok(None);
        }
        None => {
            e.add(&format!("{at}.offeringId"), "no such offer in this environment");
            return Ok(None);
        }
    }
    let rate = record::get::<Rate, _>(&state.db.pool, scope, rate_id).await?.filter(|r| r.offer_id == offer_id);
    let problem = match &rate {
        None => "is not a rate of this offer",
        Some(r) if r.status != ProductStatus::Active => "is archived",
        Some(r) if !r.self_service => "is not offered for self-service sign-up",
        Some(r) if r.interval.is_none() => "has one-off prices: a sign-up cart sells subscriptions",
        Some(_) => return Ok(rate),
    };
    e.add(&format!("{at}.rateId"), problem);
    Ok(None)
}

/// Prices `input` (and the coupon, when `coupon` is given); every field error at once.
pub async fn price(state: &AppState, scope: &Scoped, input: &SignUpQuoteInput, coupon: Option<&CouponRow>, today: &str) -> AppResult<Priced> {
    let mut e = FieldErrors::new();
    let start = start_date(input.start_date.as_deref(), today, &mut e);
    let custom_id = input.custom_id.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(str::to_string);
    if custom_id.as_deref().is_some_and(|c| c.chars().count() > 255) {
        e.add("quote.customId", "must be at most 255 characters");
    }
    if input.offerings.is_empty() || input.offerings.len() > SIGNUP_OFFERINGS_MAX {
        e.add("quote.offerings", format!("must hold 1 to {SIGNUP_OFFERINGS_MAX} offerings"));
        e.into_result()?;
        return Err(AppError::internal());
    }
    let mut offerings = Vec::new();
    let mut lines = Vec::new();
    let mut kind: Option<(String, Option<crate::model::PriceInterval>)> = None;
    for (i, o) in input.offerings.iter().enumerate() {
        let at = format!("quote.offerings[{i}]");
        let Some(rate) = rate_of(state, scope, o.offering_id.trim(), o.rate_id.trim(), &at, &mut e).await? else { continue };
        match &kind {
            None => kind = Some((rate.currency.clone(), rate.interval)),
            Some((c, iv)) if *c != rate.currency || *iv != rate.interval => {
                e.add(
                    &format!("{at}.rateId"),
                    format!("must be of the same currency and interval as the first offering ({c}, {})", iv.map_or("one-off", |v| v.as_str())),
                );
                continue;
            }
            Some(_) => {}
        }
        let mut seen = HashSet::new();
        for (j, item) in o.items.iter().enumerate() {
            let field = format!("{at}.items[{j}]");
            if !rate.product_ids.contains(&item.product_id) {
                e.add(&format!("{field}.productId"), "is not a product of this rate");
            } else if !seen.insert(item.product_id.clone()) {
                e.add(&format!("{field}.productId"), "is listed twice");
            }
            if !(1..=UNITS_MAX).contains(&item.quantity) {
                e.add(&format!("{field}.quantity"), format!("must be between 1 and {UNITS_MAX}"));
            }
        }
        let mut items = Vec::new();
        for (product_id, price_id) in rate.product_ids.iter().zip(&rate.price_ids) {
            let Some(price) = record::get::<Price, _>(&state.db.pool, scope, price_id).await? else {
                e.add(&format!("{at}.rateId"), "names a price that no longer exists");
                continue;
            };
            let quantity = o.items.iter().find(|it| it.product_id == *product_id).map_or(1, |it| it.quantity);
            let amount = price.unit_amount.saturating_mul(quantity);
            lines.push((price.stripe_price_id.clone(), quantity));
            items.push(QuoteItem {
                product_id: product_id.clone(),
                price_id: price.id.clone(),
                quantity,
                unit_amount: price.unit_amount,
                amount_without_tax: amount,
                amount,
            });
        }
        let total = items.iter().fold(0i64, |a, it| a.saturating_add(it.amount));
        offerings.push(QuoteOffering { offering_id: o.offering_id.trim().into(), rate_id: rate.id.clone(), amount_without_tax: total, amount: total, items });
    }
    e.into_result()?;
    let (currency, interval) = kind.ok_or_else(AppError::internal)?;
    let subtotal = offerings.iter().fold(0i64, |a, o| a.saturating_add(o.amount));
    let discount = match coupon {
        Some(c) => Some(QuoteDiscount { code: c.coupon.code.clone(), amount: discount_of(c, subtotal, &currency)? }),
        None => None,
    };
    let amount = subtotal - discount.as_ref().map_or(0, |d| d.amount);
    let quote = SignUpQuote {
        id: None,
        amount_without_tax: amount,
        amount,
        currency,
        interval: interval.map(|i| i.as_str().to_string()),
        start_date: start,
        custom_id,
        status: QuoteStatus::Draft,
        offerings,
        discount,
    };
    Ok(Priced { quote, lines })
}

/// What the coupon takes off the first invoice's `subtotal`.
fn discount_of(c: &CouponRow, subtotal: i64, currency: &str) -> AppResult<i64> {
    let c = &c.coupon;
    Ok(match c.coupon_type {
        CouponType::Percentage => percent_of(subtotal, c.amount, None),
        CouponType::FirstNMonths => subtotal,
        CouponType::Fixed if c.currency.as_deref().is_some_and(|cur| !cur.eq_ignore_ascii_case(currency)) => {
            return Err(AppError::field("discountCode", format!("is a discount in {}; this cart is in {currency}", c.currency.clone().unwrap_or_default())));
        }
        CouponType::Fixed => c.amount.min(subtotal),
    })
}

/// The coupon of `code` if a customer may use it now (what `POST /coupons/validate` says).
pub async fn usable_coupon(state: &AppState, scope: &Scoped, code: &str) -> AppResult<CouponRow> {
    let now = state.clock.now_ms();
    let row = crate::server::db::coupons::get_by_code(&state.db.pool, scope, code, now).await?;
    row.filter(|r| coupons::redeemable(r, now)).ok_or_else(coupons::invalid_or_expired)
}
