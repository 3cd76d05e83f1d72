//! FINALIZE of a sign-up cart: one call claims the cart (`PENDING` → `FINALIZING`) and creates
//! the contract in Stripe; a concurrent call waits for it and answers the same result; a decline
//! gives the claim back. What Stripe created is recorded in one transaction with the coupon's
//! redemption and the webhooks.
use super::{input_of, payment, quote, today, view};
use crate::error::{AppError, AppResult, ErrorCode, FieldErrors};
use crate::model::{CartState, CouponRedemptionSource, IdOnly, QuoteStatus, SignUpPerformed, SignUpResponse};
use crate::server::AppState;
use crate::server::db::{self, Scoped, coupons as cdb, signup as sdb};
use crate::server::services::{coupons, integrations, webhooks};
use serde_json::json;

/// How long one FINALIZE holds the cart while it talks to Stripe; a claim older than this was
/// left by a node that stopped, and the next FINALIZE takes it over (with the same Stripe
/// idempotency key, so Stripe answers with the subscription it may have created).
const CLAIM_MS: i64 = 60_000;
/// How long a FINALIZE waits for a concurrent one before answering 409.
const WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// A finalized cart's first answer.
pub(super) fn first_result(cart: &sdb::CartRow) -> AppResult<SignUpResponse> {
    let text = cart.result.as_deref().ok_or_else(AppError::internal)?;
    serde_json::from_str(text).map_err(|_| AppError::internal())
}

/// FINALIZE: one call claims the cart and creates the contract in Stripe; a concurrent one
/// waits for it and answers the same result.
pub(super) async fn finalize(
    state: &AppState,
    scope: &Scoped,
    cart: sdb::CartRow,
    lines: &[(String, i64)],
    action: SignUpPerformed,
) -> AppResult<SignUpResponse> {
    let subtotal: i64 = cart.quote.offerings.iter().map(|o| o.amount).sum();
    if cart.bill_group.collect_invoice_balance_automatically && subtotal > 0 && cart.payment_method.is_none() {
        return Err(AppError::field(
            "paymentMethod",
            "is required: this cart is charged automatically — complete Stripe's form with the SetupIntent of INIT_PAYMENT_METHOD, then send its id as paymentToken",
        ));
    }
    let key = integrations::secret_key(state, scope).await?;
    let (cart, customer) = super::with_customer(state, scope, &key, cart).await?;
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
    crate::server::db::analytics::cart_finalized(&mut tx, scope, &row.id, now).await?;
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
