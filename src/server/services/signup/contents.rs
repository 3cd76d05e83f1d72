//! What a sign-up request leaves a cart with: its customer (trimmed, the email lower-cased),
//! bill group (the request's, else the cart's, else the tenant's defaults), quote (priced from
//! the catalogue, a stored one re-read when the request leaves it out) and coupon.
use super::{quote, suffix, today};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::model::{
    BillGroup, SIGNUP_TEXT_MAX, SignUpCustomerInput, SignUpItemInput, SignUpOfferingInput, SignUpQuote, SignUpQuoteInput, SignUpRequest, normalize_code,
    plausible_email,
};
use crate::server::AppState;
use crate::server::db::{self, Scoped, coupons as cdb, signup as sdb};

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
pub(super) fn input_of(q: &SignUpQuote) -> SignUpQuoteInput {
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

/// The customer, quote and coupon a request leaves the cart with, priced and checked.
pub(super) struct Contents {
    pub(super) customer: SignUpCustomerInput,
    pub(super) bill_group: BillGroup,
    pub(super) quote: SignUpQuote,
    pub(super) lines: Vec<(String, i64)>,
    pub(super) code: Option<String>,
    pub(super) coupon: Option<cdb::CouponRow>,
}

impl Contents {
    /// What the cart stores of it, with the coupon whose use it holds and its Stripe customer.
    pub(super) fn stored<'a>(&'a self, coupon_id: Option<&'a str>, stripe_customer_id: Option<&'a str>) -> sdb::Contents<'a> {
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

pub(super) async fn contents(state: &AppState, scope: &Scoped, id: &str, req: &SignUpRequest, had: Option<&sdb::CartRow>) -> AppResult<Contents> {
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
