//! Coupons and outgoing webhooks: wire types and the crxpay rules. The rules run in the browser
//! (the new-coupon form checks as the merchant types) and again on the server.
use crate::error::{AppResult, FieldErrors};
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use utoipa::ToSchema;

use super::Environment;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CouponType {
    Percentage,
    Fixed,
    FirstNMonths,
}

wire_names!(CouponType { Percentage => "percentage", Fixed => "fixed", FirstNMonths => "first_n_months" });

impl CouponType {
    pub fn label(self) -> &'static str {
        match self {
            CouponType::Percentage => "Percentage off",
            CouponType::Fixed => "Fixed amount off",
            CouponType::FirstNMonths => "Free first N months",
        }
    }
}

/// Derived from the stored row and the clock: archived wins, then used up, then past expiry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum CouponStatus {
    Active,
    Expired,
    Exhausted,
    Archived,
}

wire_names!(CouponStatus { Active => "active", Expired => "expired", Exhausted => "exhausted", Archived => "archived" });

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Coupon {
    /// `cpn_…`
    pub id: String,
    /// Upper case; the code customers type (case-insensitive).
    pub code: String,
    #[serde(rename = "type")]
    pub coupon_type: CouponType,
    /// Percent (1–100), minor units (fixed) or months (first_n_months).
    pub amount: i64,
    pub currency: Option<String>,
    /// Months the discount repeats; `null` = once. Always `null` for first_n_months.
    pub repeat_months: Option<i64>,
    /// Months the discount lasts on a subscription (`null` = the first invoice only).
    pub duration_months: Option<i64>,
    pub max_redemptions: Option<i64>,
    pub max_redemptions_per_customer: Option<i64>,
    /// RFC 3339; before it the code is not yet valid.
    pub starts_at: Option<String>,
    /// RFC 3339; from it on the code is expired.
    pub expires_at: Option<String>,
    pub campaign: Option<String>,
    pub stripe_coupon_id: String,
    pub times_redeemed: i64,
    pub status: CouponStatus,
    pub environment: Environment,
    pub created_at: String,
    pub updated_at: String,
}

/// Create body of `POST /api/v1/coupons`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CouponCreate {
    #[cfg_attr(feature = "ssr", schema(pattern = "^[A-Za-z0-9_-]{1,64}$", example = "WINBACK30"))]
    pub code: String,
    #[serde(rename = "type")]
    pub coupon_type: CouponType,
    #[cfg_attr(feature = "ssr", schema(minimum = 1))]
    pub amount: i64,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(pattern = "^[A-Za-z]{3}$"))]
    pub currency: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(minimum = 1, maximum = 120))]
    pub repeat_months: Option<i64>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(minimum = 1))]
    pub max_redemptions: Option<i64>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(minimum = 1))]
    pub max_redemptions_per_customer: Option<i64>,
    /// RFC 3339
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(format = DateTime))]
    pub starts_at: Option<String>,
    /// RFC 3339
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(format = DateTime))]
    pub expires_at: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_length = 64))]
    pub campaign: Option<String>,
}

pub const COUPON_CODE_MAX: usize = 64;
pub const CAMPAIGN_MAX: usize = 64;
pub const REPEAT_MONTHS_MAX: i64 = 120;

/// Upper-cases and trims a typed code (codes are case-insensitive).
pub fn normalize_code(code: &str) -> String {
    code.trim().to_uppercase()
}

pub fn validate_code(code: &str, e: &mut FieldErrors) {
    if code.is_empty() {
        e.add("code", "is required");
    } else if code.chars().count() > COUPON_CODE_MAX {
        e.add("code", format!("must be at most {COUPON_CODE_MAX} characters"));
    } else if !code.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' || c == '-') {
        e.add("code", "may only contain letters, digits, _ and -");
    }
}

impl CouponCreate {
    /// Upper-cases the code, drops what the type ignores and checks every rule that does not
    /// need the clock. The server adds the time checks (`startsAt` before `expiresAt`, expiry in
    /// the future).
    pub fn normalized(mut self) -> AppResult<Self> {
        let e = self.normalize_into();
        e.into_result()?;
        Ok(self)
    }

    /// As [`normalized`](Self::normalized), returning the field errors (the form shows them live).
    pub fn normalize_into(&mut self) -> FieldErrors {
        let mut e = FieldErrors::new();
        self.code = normalize_code(&self.code);
        validate_code(&self.code, &mut e);
        self.currency = self.currency.as_deref().map(|c| c.trim().to_lowercase()).filter(|c| !c.is_empty());
        match self.coupon_type {
            CouponType::Percentage => {
                if !(1..=100).contains(&self.amount) {
                    e.add("amount", "must be between 1 and 100 for a percentage coupon");
                }
                if self.currency.is_some() {
                    e.add("currency", "is only used by fixed-amount coupons");
                }
            }
            CouponType::Fixed => {
                if self.amount < 1 {
                    e.add("amount", "must be at least 1 (in minor units, e.g. cents) for a fixed coupon");
                }
                match self.currency.as_deref() {
                    None => e.add("currency", "is required for a fixed coupon"),
                    Some(c) if c.len() != 3 || !c.chars().all(|ch| ch.is_ascii_lowercase()) => {
                        e.add("currency", "must be a three-letter ISO 4217 code such as gbp")
                    }
                    Some(_) => {}
                }
            }
            CouponType::FirstNMonths => {
                if !(1..=36).contains(&self.amount) {
                    e.add("amount", "must be between 1 and 36 months for a free-months coupon");
                }
                if self.currency.is_some() {
                    e.add("currency", "is only used by fixed-amount coupons");
                }
                // The months are the amount: a repeat period does not apply.
                self.repeat_months = None;
            }
        }
        if let Some(m) = self.repeat_months
            && !(1..=REPEAT_MONTHS_MAX).contains(&m)
        {
            e.add("repeatMonths", format!("must be between 1 and {REPEAT_MONTHS_MAX} months, or blank for once"));
        }
        if let Some(m) = self.max_redemptions
            && m < 1
        {
            e.add("maxRedemptions", "must be at least 1 when given");
        }
        if let Some(m) = self.max_redemptions_per_customer {
            if m < 1 {
                e.add("maxRedemptionsPerCustomer", "must be at least 1 when given");
            } else if self.max_redemptions.is_some_and(|t| t >= 1 && m > t) {
                e.add("maxRedemptionsPerCustomer", "cannot be more than the overall maximum");
            }
        }
        self.campaign = self.campaign.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(str::to_string);
        if self.campaign.as_deref().is_some_and(|c| c.chars().count() > CAMPAIGN_MAX) {
            e.add("campaign", format!("must be at most {CAMPAIGN_MAX} characters"));
        }
        self.starts_at = self.starts_at.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        self.expires_at = self.expires_at.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        e
    }

    /// Months the discount lasts: the amount for free months, else the repeat period.
    pub fn duration_months(&self) -> Option<i64> {
        duration_months(self.coupon_type, self.amount, self.repeat_months)
    }
}

pub fn duration_months(t: CouponType, amount: i64, repeat_months: Option<i64>) -> Option<i64> {
    match t {
        CouponType::FirstNMonths => Some(amount),
        _ => repeat_months,
    }
}

/// The new-coupon form as typed (all text). `amount` is in major units for a fixed coupon
/// (`5.00`), percent or months otherwise; blank optional numbers mean "none".
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CouponForm {
    pub code: String,
    pub coupon_type: String,
    pub amount: String,
    pub currency: String,
    pub repeat_months: String,
    pub max_redemptions: String,
    pub max_per_customer: String,
    pub campaign: String,
}

impl CouponForm {
    /// Parses and checks the form: the same rules as the API, on typed text. `expires_at` and
    /// `starts_at` are filled by the server (they need the tenant's time zone).
    pub fn parse(&self) -> Result<CouponCreate, FieldErrors> {
        let mut e = FieldErrors::new();
        let coupon_type = CouponType::parse(self.coupon_type.trim());
        if coupon_type.is_none() {
            e.add("type", "must be percentage, fixed or first_n_months");
        }
        let t = coupon_type.unwrap_or(CouponType::Percentage);
        let currency = self.currency.trim().to_lowercase();
        let amount = match (t, self.amount.trim()) {
            (_, "") => {
                e.add("amount", "is required");
                None
            }
            (CouponType::Fixed, text) => match super::parse_major_amount(text, if currency.is_empty() { "usd" } else { &currency }) {
                Ok(v) => Some(v),
                Err(m) => {
                    e.add("amount", m);
                    None
                }
            },
            (_, text) => match text.parse::<i64>() {
                Ok(v) => Some(v),
                Err(_) => {
                    e.add("amount", "must be a whole number");
                    None
                }
            },
        };
        let mut opt = |field: &str, text: &str| -> Option<i64> {
            let t = text.trim();
            if t.is_empty() {
                return None;
            }
            match t.parse::<i64>() {
                Ok(v) => Some(v),
                Err(_) => {
                    e.add(field, "must be a whole number, or blank");
                    Some(0)
                }
            }
        };
        let repeat_months = opt("repeatMonths", &self.repeat_months);
        let max_redemptions = opt("maxRedemptions", &self.max_redemptions);
        let max_per_customer = opt("maxRedemptionsPerCustomer", &self.max_per_customer);
        let mut input = CouponCreate {
            code: self.code.clone(),
            coupon_type: t,
            amount: amount.unwrap_or(1),
            currency: (t == CouponType::Fixed || !currency.is_empty()).then_some(currency),
            repeat_months,
            max_redemptions,
            max_redemptions_per_customer: max_per_customer,
            starts_at: None,
            expires_at: None,
            campaign: Some(self.campaign.clone()),
        };
        let rules = input.normalize_into();
        // A field that did not parse keeps its parse message rather than a rule about a placeholder.
        for field in ["code", "amount", "currency", "repeatMonths", "maxRedemptions", "maxRedemptionsPerCustomer", "campaign"] {
            if let Some(m) = rules.get(field) {
                e.add(field, m.clone());
            }
        }
        if e.is_empty() { Ok(input) } else { Err(e) }
    }
}

/// `POST /api/v1/coupons/validate` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CouponValidation {
    pub code: String,
    #[serde(rename = "type")]
    pub coupon_type: CouponType,
    pub amount: i64,
    pub currency: Option<String>,
    pub duration_months: Option<i64>,
    pub expires_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CouponCodeInput {
    #[cfg_attr(feature = "ssr", schema(pattern = "^[A-Za-z0-9_-]{1,64}$"))]
    pub code: String,
}

/// Body of `POST /api/v1/coupons/{code}/redemptions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CouponRedemptionInput {
    #[cfg_attr(feature = "ssr", schema(min_length = 1, max_length = 255, pattern = "\\S"))]
    pub subscription_id: String,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_length = 255))]
    pub customer_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CouponRedemption {
    /// `cred_…`
    pub id: String,
    pub coupon_id: String,
    pub code: String,
    pub subscription_id: String,
    pub customer_id: Option<String>,
    /// `api` or `stripe` (an incoming Stripe event).
    pub source: String,
    pub stripe_event_id: Option<String>,
    pub created_at: String,
}

/// Redemptions of the coupons of one campaign (coupons without a campaign count under `null`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CampaignCount {
    pub campaign: Option<String>,
    pub coupons: i64,
    pub redemptions: i64,
}

/// The coupons page: one page of coupons plus the counts per campaign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CouponsData {
    pub coupons: Vec<Coupon>,
    pub has_more: bool,
    pub campaigns: Vec<CampaignCount>,
    pub time_zone: String,
    /// Coupon id → expiry as a local time in the tenant's zone (`2026-12-31 23:59`).
    pub expiry_local: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayCount {
    /// `2026-11-25` in the tenant's time zone.
    pub day: String,
    pub count: i64,
}

/// A coupon's page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CouponDetail {
    pub coupon: Coupon,
    pub redemptions: Vec<CouponRedemption>,
    pub per_day: Vec<DayCount>,
    pub time_zone: String,
    /// Start and expiry in the tenant's zone, empty when not set.
    pub starts_local: String,
    pub expires_local: String,
}

// ----- outgoing webhooks -----

/// Every event type an endpoint can subscribe to (API.md §8).
pub const WEBHOOK_EVENT_TYPES: &[&str] =
    &["offer.redeemed", "coupon.redeemed", "checkout.completed", "subscription.created", "subscription.cancelled", "signup.finalized"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct WebhookEndpoint {
    /// `whe_…`
    pub id: String,
    pub url: String,
    pub description: String,
    pub events: Vec<String>,
    /// `enabled` or `disabled`.
    pub status: String,
    pub environment: Environment,
    /// Only in the answer to the create call: `whsec_…`, shown once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WebhookEndpointInput {
    #[cfg_attr(feature = "ssr", schema(max_length = 2000, pattern = "^https?://[A-Za-z0-9.-]+(:[0-9]{1,4})?(/[!-~]*)?$"))]
    pub url: String,
    pub events: Vec<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_length = 200))]
    pub description: Option<String>,
}

/// `PATCH /api/v1/webhook-endpoints/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WebhookEndpointUpdate {
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_length = 2000, pattern = "^https?://[A-Za-z0-9.-]+(:[0-9]{1,4})?(/[!-~]*)?$"))]
    pub url: Option<String>,
    #[serde(default)]
    pub events: Option<Vec<String>>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_length = 200))]
    pub description: Option<String>,
    /// `enabled` or `disabled`.
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(pattern = "^(enabled|disabled)$"))]
    pub status: Option<String>,
}

/// Checks a webhook URL: http(s) with a host; live endpoints need https.
pub fn validate_webhook_url(url: &str, env: Environment, e: &mut FieldErrors) {
    let u = url.trim();
    let rest = u.strip_prefix("https://").or_else(|| u.strip_prefix("http://"));
    match rest {
        None => e.add("url", "must start with https:// (or http:// in preview)"),
        Some(r) if r.is_empty() || r.starts_with('/') || r.contains(char::is_whitespace) => e.add("url", "must name a host"),
        Some(_) if u.len() > 2000 => e.add("url", "must be at most 2000 characters"),
        Some(_) if env == Environment::Live && !u.starts_with("https://") => e.add("url", "must use https:// in live mode"),
        Some(_) => {}
    }
}

pub fn validate_webhook_events(events: &[String], e: &mut FieldErrors) {
    if events.is_empty() {
        e.add("events", "choose at least one event type");
    } else if let Some(bad) = events.iter().find(|t| !WEBHOOK_EVENT_TYPES.contains(&t.as_str())) {
        e.add("events", format!("has an unknown type {bad}: use {}", WEBHOOK_EVENT_TYPES.join(", ")));
    }
}

/// One delivery of one message to one endpoint, with its latest outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct WebhookDelivery {
    /// `whd_…`
    pub id: String,
    /// The message id (`evt_…`), also the `webhook-id` header.
    pub event_id: String,
    pub event_type: String,
    pub endpoint_id: String,
    /// `pending`, `delivered` or `failed` (gave up after 24 h).
    pub status: String,
    pub attempts: i64,
    pub last_status_code: Option<i64>,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<String>,
    pub delivered_at: Option<String>,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct WebhookAttempt {
    pub attempted_at: String,
    pub status_code: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
    pub response_excerpt: Option<String>,
}

/// Settings → Webhooks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhooksData {
    pub endpoints: Vec<WebhookEndpoint>,
    /// The secrets of the endpoints just created, shown once, oldest first.
    pub new_secrets: Vec<String>,
}

/// One endpoint's page: the endpoint and its delivery log (newest first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookEndpointDetail {
    pub endpoint: WebhookEndpoint,
    pub deliveries: Vec<WebhookDelivery>,
    /// Attempts of the deliveries shown, by delivery id.
    pub attempts: Vec<(String, Vec<WebhookAttempt>)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(t: CouponType, amount: i64) -> CouponCreate {
        CouponCreate {
            code: "winback30".into(),
            coupon_type: t,
            amount,
            currency: None,
            repeat_months: None,
            max_redemptions: None,
            max_redemptions_per_customer: None,
            starts_at: None,
            expires_at: None,
            campaign: None,
        }
    }

    fn field(c: CouponCreate, f: &str) -> Option<String> {
        c.normalized().err().and_then(|e| e.fields.get(f).cloned())
    }

    #[test]
    fn crxpay_rules_good_and_bad() {
        let ok = base(CouponType::Percentage, 30).normalized().unwrap();
        assert_eq!(ok.code, "WINBACK30", "upper-cased");
        assert_eq!(field(base(CouponType::Percentage, 0), "amount").unwrap(), "must be between 1 and 100 for a percentage coupon");
        assert!(field(base(CouponType::Percentage, 101), "amount").is_some());
        assert!(base(CouponType::Percentage, 100).normalized().is_ok());
        let mut c = base(CouponType::Percentage, 10);
        c.code = "BAD CODE!".into();
        assert_eq!(field(c, "code").unwrap(), "may only contain letters, digits, _ and -");
        let mut c = base(CouponType::Percentage, 10);
        c.code = "launch_2026-a".into();
        assert_eq!(c.normalized().unwrap().code, "LAUNCH_2026-A");
        // fixed: amount ≥ 1 and a currency
        assert_eq!(field(base(CouponType::Fixed, 500), "currency").unwrap(), "is required for a fixed coupon");
        let mut c = base(CouponType::Fixed, 0);
        c.currency = Some("GBP".into());
        assert!(field(c.clone(), "amount").is_some());
        c.amount = 1;
        assert_eq!(c.normalized().unwrap().currency.as_deref(), Some("gbp"));
        // free months 1–36; repeat ignored
        assert!(field(base(CouponType::FirstNMonths, 37), "amount").is_some());
        let mut c = base(CouponType::FirstNMonths, 3);
        c.repeat_months = Some(12);
        let n = c.normalized().unwrap();
        assert_eq!((n.repeat_months, n.duration_months()), (None, Some(3)));
        // repeat and limits
        let mut c = base(CouponType::Percentage, 30);
        c.repeat_months = Some(0);
        assert!(field(c, "repeatMonths").is_some());
        let mut c = base(CouponType::Percentage, 30);
        c.max_redemptions = Some(0);
        assert!(field(c, "maxRedemptions").is_some());
        let mut c = base(CouponType::Percentage, 30);
        c.max_redemptions = Some(5);
        c.max_redemptions_per_customer = Some(6);
        assert!(field(c, "maxRedemptionsPerCustomer").is_some());
    }

    #[test]
    fn form_parses_major_units_and_reports_typos() {
        let f = CouponForm {
            code: "save5".into(),
            coupon_type: "fixed".into(),
            amount: "5.00".into(),
            currency: "gbp".into(),
            max_redemptions: "10".into(),
            ..Default::default()
        };
        let c = f.parse().unwrap();
        assert_eq!((c.code.as_str(), c.amount, c.max_redemptions), ("SAVE5", 500, Some(10)));
        let bad = CouponForm { code: "x".into(), coupon_type: "percentage".into(), amount: "ten".into(), max_redemptions: "many".into(), ..Default::default() };
        let e = bad.parse().unwrap_err();
        assert_eq!(e.get("amount").map(String::as_str), Some("must be a whole number"));
        assert_eq!(e.get("maxRedemptions").map(String::as_str), Some("must be a whole number, or blank"));
    }

    #[test]
    fn webhook_urls_and_events() {
        let mut e = FieldErrors::new();
        validate_webhook_url("http://127.0.0.1:9000/hook", Environment::Preview, &mut e);
        assert!(e.is_empty());
        validate_webhook_url("http://example.com/hook", Environment::Live, &mut e);
        assert!(e.get("url").is_some());
        let mut e = FieldErrors::new();
        validate_webhook_events(&["coupon.redeemed".into(), "nope".into()], &mut e);
        assert!(e.get("events").unwrap().contains("nope"));
    }
}
