//! Sign-up carts (API.md §12, MonetizeNow's self-service sign-up API): the wire types of
//! `/api/selfService/signup` with the seed's field names — `SignUpRequest`, `SignUpResponse` and
//! the error's `sessionId` / `error` — and the dashboard's sign-up pages.
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use utoipa::ToSchema;

/// What a request asks for (the seed's table of actions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SignUpAction {
    CreateAndFinalize,
    CreateWithPaymentMethod,
    CreateInPending,
    InitPaymentMethod,
    Update,
    Finalize,
    Cancel,
    Estimate,
}

wire_names!(SignUpAction {
    CreateAndFinalize => "CREATE_AND_FINALIZE",
    CreateWithPaymentMethod => "CREATE_WITH_PAYMENT_METHOD",
    CreateInPending => "CREATE_IN_PENDING",
    InitPaymentMethod => "INIT_PAYMENT_METHOD",
    Update => "UPDATE",
    Finalize => "FINALIZE",
    Cancel => "CANCEL",
    Estimate => "ESTIMATE",
});

impl SignUpAction {
    /// The actions that start a cart (`POST`); the others continue one (`PATCH`), but for
    /// `ESTIMATE`, which is both.
    pub fn creates(self) -> bool {
        matches!(self, Self::CreateAndFinalize | Self::CreateWithPaymentMethod | Self::CreateInPending | Self::Estimate)
    }
}

/// What was done, as the answer's `action` says it: the seed's six, plus `UPDATE` (changes
/// without a payment method), `INIT_PAYMENT_METHOD`, `CANCEL` and `GET` (a read).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SignUpPerformed {
    CreateAndFinalize,
    CreateWithPaymentMethod,
    CreateInPending,
    AddPaymentMethod,
    Finalize,
    Estimate,
    Update,
    InitPaymentMethod,
    Cancel,
    Get,
}

/// The cart's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CartState {
    Pending,
    Finalized,
    Canceled,
    Expired,
}

wire_names!(CartState { Pending => "PENDING", Finalized => "FINALIZED", Canceled => "CANCELED", Expired => "EXPIRED" });

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BillingAddress {
    #[cfg_attr(feature = "ssr", schema(max_length = 200))]
    pub line1: Option<String>,
    #[cfg_attr(feature = "ssr", schema(max_length = 200))]
    pub line2: Option<String>,
    #[cfg_attr(feature = "ssr", schema(max_length = 200))]
    pub city: Option<String>,
    #[cfg_attr(feature = "ssr", schema(max_length = 200))]
    pub state: Option<String>,
    #[cfg_attr(feature = "ssr", schema(max_length = 200))]
    pub postal_code: Option<String>,
    /// Two-letter country code.
    #[cfg_attr(feature = "ssr", schema(max_length = 2))]
    pub country: Option<String>,
}

/// The request's `customer`: required by every action that creates a quote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignUpCustomerInput {
    /// Company name.
    #[cfg_attr(feature = "ssr", schema(min_length = 1, max_length = 200))]
    pub account_name: String,
    #[cfg_attr(feature = "ssr", schema(max_length = 255))]
    pub custom_id: Option<String>,
    /// The person's name.
    #[cfg_attr(feature = "ssr", schema(min_length = 1, max_length = 200))]
    pub name: String,
    #[cfg_attr(feature = "ssr", schema(format = Email, max_length = 254))]
    pub email: String,
    pub billing_address: Option<BillingAddress>,
}

/// Billing options; what is left out comes from the tenant's defaults (Overview).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BillGroupInput {
    pub auto_email_invoice: Option<bool>,
    /// `true`: Stripe charges the default payment method; `false`: Stripe sends the invoice.
    pub collect_invoice_balance_automatically: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignUpItemInput {
    /// `prod_…`, one of the rate's products.
    #[cfg_attr(feature = "ssr", schema(min_length = 1, max_length = 64))]
    pub product_id: String,
    #[cfg_attr(feature = "ssr", schema(minimum = 1, maximum = 1000))]
    pub quantity: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignUpOfferingInput {
    /// `off_…`
    #[cfg_attr(feature = "ssr", schema(min_length = 1, max_length = 64))]
    pub offering_id: String,
    /// `rate_…` of that offer.
    #[cfg_attr(feature = "ssr", schema(min_length = 1, max_length = 64))]
    pub rate_id: String,
    /// Quantities; a product of the rate left out gets quantity 1.
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_items = 20))]
    pub items: Vec<SignUpItemInput>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignUpQuoteInput {
    /// `YYYY-MM-DD`; today or earlier starts now, a later date makes a subscription schedule.
    #[cfg_attr(feature = "ssr", schema(format = Date))]
    pub start_date: Option<String>,
    #[cfg_attr(feature = "ssr", schema(max_length = 255))]
    pub custom_id: Option<String>,
    #[cfg_attr(feature = "ssr", schema(min_items = 1, max_items = 10))]
    pub offerings: Vec<SignUpOfferingInput>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PaymentMethodInput {
    #[cfg_attr(feature = "ssr", schema(max_length = 100))]
    pub payment_method_name: Option<String>,
    /// The Stripe SetupIntent (`seti_…`) the customer completed with Stripe's form.
    #[cfg_attr(feature = "ssr", schema(min_length = 1, max_length = 255))]
    pub payment_token: String,
}

/// `SignUpRequest` of the seed, plus `discountCode`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignUpRequest {
    pub action: SignUpAction,
    pub customer: Option<SignUpCustomerInput>,
    pub bill_group: Option<BillGroupInput>,
    /// Replaces the cart's quote when given.
    pub quote: Option<SignUpQuoteInput>,
    pub payment_method: Option<PaymentMethodInput>,
    /// A coupon code (offerdeck's extension): priced into the quote; a saved cart holds one use
    /// of it until it is finalized (the redemption), cancelled or expires. `""` removes it.
    #[cfg_attr(feature = "ssr", schema(max_length = 64))]
    pub discount_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SignUpCustomer {
    /// The Stripe customer (`cus_…`) once there is one: offerdeck's account and its contact.
    pub account_id: Option<String>,
    pub account_name: String,
    pub contact_id: Option<String>,
    pub contact_name: String,
    pub contact_email: String,
    pub name: String,
    pub email: String,
    pub custom_id: Option<String>,
    pub billing_address: Option<BillingAddress>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct QuoteItem {
    pub product_id: String,
    /// The rate's price of the product.
    pub price_id: String,
    pub quantity: i64,
    pub unit_amount: i64,
    pub amount_without_tax: i64,
    pub amount: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct QuoteOffering {
    pub offering_id: String,
    pub rate_id: String,
    pub amount_without_tax: i64,
    pub amount: i64,
    pub items: Vec<QuoteItem>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum QuoteStatus {
    Draft,
    Processed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct QuoteDiscount {
    pub code: String,
    pub amount: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SignUpQuote {
    /// `null` for an `ESTIMATE` that saved nothing.
    pub id: Option<String>,
    /// Σ unit amount × quantity, less the coupon (minor units).
    pub amount_without_tax: i64,
    /// Equals `amountWithoutTax` (no tax engine is configured).
    pub amount: i64,
    pub currency: String,
    /// `"month"`, `"year"`, … of the rates.
    pub interval: Option<String>,
    pub start_date: String,
    pub custom_id: Option<String>,
    pub status: QuoteStatus,
    pub offerings: Vec<QuoteOffering>,
    pub discount: Option<QuoteDiscount>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct IdOnly {
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SignUpInvoice {
    /// Stripe's invoice id (`in_…`).
    pub id: String,
    pub amount_without_tax: i64,
    pub amount: i64,
    pub status: Option<String>,
    pub items: Vec<IdOnly>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SignUpPayment {
    /// Stripe's PaymentIntent id (`pi_…`).
    pub id: String,
    pub amount: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct BillGroup {
    /// `bg_…`
    pub id: String,
    pub auto_email_invoice: bool,
    pub collect_invoice_balance_automatically: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct StripePaymentMethodInit {
    pub customer_id: String,
    pub setup_intent_id: String,
    /// The SetupIntent's client secret, read from Stripe for this answer (never stored).
    pub client_secret: String,
    /// The integration's publishable key, for Stripe.js.
    pub public_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PaymentMethodInit {
    pub stripe: StripePaymentMethodInit,
}

/// The customer's default payment method, as Stripe described it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SavedPaymentMethod {
    /// `pm_…`
    pub id: String,
    pub payment_method_name: Option<String>,
    pub brand: Option<String>,
    pub last4: Option<String>,
}

/// `SignUpResponse` of the seed, plus the cart's `state`, `paymentMethod` and `expiresAt`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SignUpResponse {
    /// `cart_…`; `null` for an `ESTIMATE` that saved nothing.
    pub session_id: Option<String>,
    /// Always `false` (errors carry `true`).
    pub error: bool,
    pub action: SignUpPerformed,
    /// `null` for an `ESTIMATE` that saved nothing.
    pub state: Option<CartState>,
    pub customer: Option<SignUpCustomer>,
    pub bill_group: Option<BillGroup>,
    pub quote: Option<SignUpQuote>,
    pub invoice: Option<SignUpInvoice>,
    pub payment: Option<SignUpPayment>,
    /// The Stripe subscription (`sub_…`) or, for a later start, subscription schedule (`sub_sched_…`).
    pub contract: Option<IdOnly>,
    pub payment_method_init: Option<PaymentMethodInit>,
    pub payment_method: Option<SavedPaymentMethod>,
    /// RFC 3339: a pending cart expires then.
    pub expires_at: Option<String>,
}

/// A row of the dashboard's Sign-ups list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignUpCartRow {
    pub id: String,
    pub state: CartState,
    pub account_name: String,
    pub contact_email: String,
    pub amount: i64,
    pub currency: String,
    pub has_payment_method: bool,
    pub created_at: String,
}

/// One action on a cart: what was asked and answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignUpHistoryEntry {
    pub action: String,
    pub status_code: i64,
    pub request: String,
    pub response: String,
    pub created_at: String,
}

/// Carts created in a period, how many got a payment method, how many were finalized.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct SignUpFunnel {
    pub days: i64,
    pub created: i64,
    pub payment_method_added: i64,
    pub finalized: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignUpsData {
    pub carts: Vec<SignUpCartRow>,
    pub has_more: bool,
    pub funnel: SignUpFunnel,
    pub time_zone: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignUpCartDetail {
    pub cart: SignUpResponse,
    pub created_at: String,
    pub stripe_subscription_id: Option<String>,
    pub stripe_schedule_id: Option<String>,
    pub stripe_invoice_id: Option<String>,
    pub stripe_payment_intent_id: Option<String>,
    pub setup_intent_id: Option<String>,
    pub history: Vec<SignUpHistoryEntry>,
    /// Product id → name, for the quote's items.
    pub product_names: Vec<(String, String)>,
    pub time_zone: String,
}

pub const SIGNUP_OFFERINGS_MAX: usize = 10;
pub const SIGNUP_TEXT_MAX: usize = 200;
/// Pending carts expire this long after they were created.
pub const CART_OPEN_FOR_MS: i64 = 7 * 24 * 3600 * 1000;
