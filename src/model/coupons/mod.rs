//! Coupons: wire types, redemptions, campaign counts, the coupon pages and the crxpay rules. The
//! rules run in the browser (the new-coupon form checks as the merchant types) and again on the
//! server; the form's parsing of typed text is in `form.rs`.
use crate::error::{AppResult, FieldErrors};
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use utoipa::ToSchema;

mod form;
pub use form::*;

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

resource! {
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
        /// Uses held by open checkout sessions: they count against `maxRedemptions` until the
        /// session completes (a redemption) or expires (released).
        pub reserved: i64,
        pub status: CouponStatus,
    }
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
    #[cfg_attr(feature = "ssr", schema(pattern = "^[A-Za-z]{3}$"))]
    pub currency: Option<String>,
    #[cfg_attr(feature = "ssr", schema(minimum = 1, maximum = 120))]
    pub repeat_months: Option<i64>,
    #[cfg_attr(feature = "ssr", schema(minimum = 1))]
    pub max_redemptions: Option<i64>,
    #[cfg_attr(feature = "ssr", schema(minimum = 1))]
    pub max_redemptions_per_customer: Option<i64>,
    /// RFC 3339
    #[cfg_attr(feature = "ssr", schema(format = DateTime))]
    pub starts_at: Option<String>,
    /// RFC 3339
    #[cfg_attr(feature = "ssr", schema(format = DateTime))]
    pub expires_at: Option<String>,
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
    #[cfg_attr(feature = "ssr", schema(max_length = 255))]
    pub customer_id: Option<String>,
}

/// Who recorded a coupon redemption: an API call, or an incoming Stripe event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum CouponRedemptionSource {
    Api,
    Stripe,
    /// A completed checkout session whose reservation became the redemption.
    Checkout,
    /// A finalized sign-up cart whose reservation became the redemption.
    Signup,
}

wire_names!(CouponRedemptionSource { Api => "api", Stripe => "stripe", Checkout => "checkout", Signup => "signup" });

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
    pub source: CouponRedemptionSource,
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
}
