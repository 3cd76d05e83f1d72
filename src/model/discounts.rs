//! Discount rules (API.md §11): the wire types of `/api/v1/discount-rules`, the rules of a rule
//! that need no database, the arithmetic of `cart_value` tiers, and what the discount endpoints
//! of a checkout session answer.
use crate::error::FieldErrors;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DiscountRuleType {
    /// The highest tier whose `minSubtotal` the session's subtotal reaches.
    CartValue,
    /// Customers with at least `minCompletedCheckouts` completed checkouts here.
    Loyalty,
    /// TypeScript in the workflow sandbox (no I/O).
    Workflow,
}

wire_names!(DiscountRuleType { CartValue => "cart_value", Loyalty => "loyalty", Workflow => "workflow" });

/// One `cart_value` tier: from `minSubtotal` (minor units) on, `percentOff` (capped at
/// `maxAmountOff`) or `amountOff`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DiscountTier {
    #[cfg_attr(feature = "ssr", schema(minimum = 0))]
    pub min_subtotal: i64,
    #[cfg_attr(feature = "ssr", schema(minimum = 1, maximum = 100))]
    pub percent_off: Option<i64>,
    #[cfg_attr(feature = "ssr", schema(minimum = 1))]
    pub amount_off: Option<i64>,
    #[cfg_attr(feature = "ssr", schema(minimum = 1))]
    pub max_amount_off: Option<i64>,
}

resource! {
    /// A discount rule: computes a session's discount on the server.
    pub struct DiscountRule {
        /// `drl_…`
        pub id: String,
        pub name: String,
        #[serde(rename = "type")]
        pub rule_type: DiscountRuleType,
        /// Sessions in this currency only (`null`: any; required for amounts).
        pub currency: Option<String>,
        pub tiers: Vec<DiscountTier>,
        pub min_completed_checkouts: Option<i64>,
        pub percent_off: Option<i64>,
        pub amount_off: Option<i64>,
        /// The workflow rule's TypeScript.
        pub code: Option<String>,
        /// Higher first: the matching rule with the highest priority wins (ties: the larger discount).
        pub priority: i64,
        pub valid_from: Option<String>,
        pub valid_until: Option<String>,
        pub active: bool,
    }
}

/// Body of `POST /api/v1/discount-rules` and of `PATCH` (which replaces the rule).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DiscountRuleInput {
    #[cfg_attr(feature = "ssr", schema(min_length = 1, max_length = 100, pattern = "\\S"))]
    pub name: String,
    #[serde(rename = "type")]
    pub rule_type: DiscountRuleType,
    #[cfg_attr(feature = "ssr", schema(pattern = "^[A-Za-z]{3}$"))]
    pub currency: Option<String>,
    #[cfg_attr(feature = "ssr", schema(max_items = 20))]
    pub tiers: Option<Vec<DiscountTier>>,
    #[cfg_attr(feature = "ssr", schema(minimum = 1))]
    pub min_completed_checkouts: Option<i64>,
    #[cfg_attr(feature = "ssr", schema(minimum = 1, maximum = 100))]
    pub percent_off: Option<i64>,
    #[cfg_attr(feature = "ssr", schema(minimum = 1))]
    pub amount_off: Option<i64>,
    /// `export default async ({session, customer}) => ({amountOff}|{percentOff}|null)`.
    #[cfg_attr(feature = "ssr", schema(max_length = 20000))]
    pub code: Option<String>,
    #[cfg_attr(feature = "ssr", schema(minimum = -1000, maximum = 1000))]
    pub priority: Option<i64>,
    /// RFC 3339
    #[cfg_attr(feature = "ssr", schema(format = DateTime))]
    pub valid_from: Option<String>,
    /// RFC 3339
    #[cfg_attr(feature = "ssr", schema(format = DateTime))]
    pub valid_until: Option<String>,
    pub active: Option<bool>,
}

/// Body of `POST /api/v1/discount-rules/evaluate` (the rule page's "try it").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DiscountTrial {
    /// Minor units.
    #[cfg_attr(feature = "ssr", schema(minimum = 0, maximum = 100000000000i64))]
    #[serde(deserialize_with = "integral")]
    pub subtotal: i64,
    #[cfg_attr(feature = "ssr", schema(pattern = "^[A-Za-z]{3}$"))]
    pub currency: String,
    /// A Stripe customer (`cus_…`): its completed checkouts count for loyalty rules.
    #[cfg_attr(feature = "ssr", schema(max_length = 255))]
    pub customer_id: Option<String>,
}

/// The discount the rules give, and which rule gave it (`null` when none matches).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RuleDiscount {
    pub rule_id: String,
    pub name: String,
    /// Minor units off the subtotal.
    pub amount_off: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DiscountTrialResult {
    pub discount: Option<RuleDiscount>,
    /// Rules that could not be evaluated (a workflow that threw), with the reason.
    pub problems: Vec<String>,
}

/// Minor units off `subtotal` for `percent` (rounded half up), capped by `cap` and the subtotal.
pub fn percent_of(subtotal: i64, percent: i64, cap: Option<i64>) -> i64 {
    let off = (i128::from(subtotal) * i128::from(percent) + 50) / 100;
    let off = i64::try_from(off).unwrap_or(i64::MAX);
    off.min(cap.unwrap_or(i64::MAX)).min(subtotal).max(0)
}

/// The discount of the highest tier `subtotal` reaches, if any.
pub fn tier_discount(tiers: &[DiscountTier], subtotal: i64) -> Option<i64> {
    let tier = tiers.iter().filter(|t| subtotal >= t.min_subtotal).max_by_key(|t| t.min_subtotal)?;
    match (tier.percent_off, tier.amount_off) {
        (Some(p), _) => Some(percent_of(subtotal, p, tier.max_amount_off)),
        (None, Some(a)) => Some(a.min(subtotal)),
        (None, None) => None,
    }
    .filter(|off| *off > 0)
}

pub const RULE_NAME_MAX: usize = 100;
pub const MAX_TIERS: usize = 20;

/// The rules of a rule that need no database (the workflow's code compiles on the server).
pub fn validate_rule(i: &DiscountRuleInput, e: &mut FieldErrors) {
    let name = i.name.trim();
    if name.is_empty() || name.chars().count() > RULE_NAME_MAX {
        e.add("name", format!("must be 1 to {RULE_NAME_MAX} characters"));
    }
    let one_amount = |e: &mut FieldErrors, p: Option<i64>, a: Option<i64>, field: &str| match (p, a) {
        (Some(_), Some(_)) => e.add(field, "give percentOff or amountOff, not both"),
        (None, None) => e.add(field, "needs percentOff or amountOff"),
        (Some(p), None) if !(1..=100).contains(&p) => e.add(field, "percentOff must be between 1 and 100"),
        (None, Some(a)) if a < 1 => e.add(field, "amountOff must be at least 1 (minor units)"),
        _ => {}
    };
    let amounts = i.amount_off.is_some() || i.tiers.as_ref().is_some_and(|t| t.iter().any(|t| t.amount_off.is_some() || t.max_amount_off.is_some()));
    if amounts && i.currency.is_none() {
        e.add("currency", "is required with amounts (amountOff, maxAmountOff)");
    }
    match i.rule_type {
        DiscountRuleType::CartValue => {
            let tiers = i.tiers.as_deref().unwrap_or_default();
            if tiers.is_empty() || tiers.len() > MAX_TIERS {
                e.add("tiers", format!("a cart_value rule needs 1 to {MAX_TIERS} tiers"));
            }
            for t in tiers {
                one_amount(e, t.percent_off, t.amount_off, "tiers");
                if t.min_subtotal < 0 || t.max_amount_off.is_some_and(|m| m < 1) {
                    e.add("tiers", "minSubtotal must be at least 0 and maxAmountOff at least 1");
                }
            }
            let mut mins: Vec<i64> = tiers.iter().map(|t| t.min_subtotal).collect();
            mins.sort_unstable();
            if mins.windows(2).any(|w| w[0] == w[1]) {
                e.add("tiers", "two tiers start at the same minSubtotal");
            }
        }
        DiscountRuleType::Loyalty => {
            if i.min_completed_checkouts.is_none_or(|n| n < 1) {
                e.add("minCompletedCheckouts", "a loyalty rule needs at least 1");
            }
            one_amount(e, i.percent_off, i.amount_off, "percentOff");
        }
        DiscountRuleType::Workflow => {
            if i.code.as_deref().is_none_or(|c| c.trim().is_empty()) {
                e.add("code", "a workflow rule needs its TypeScript");
            }
        }
    }
    if i.priority.is_some_and(|p| !(-1000..=1000).contains(&p)) {
        e.add("priority", "must be between -1000 and 1000");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seeds_rule_ten_percent_over_100_at_most_20() {
        let tiers = [DiscountTier { min_subtotal: 10_000, percent_off: Some(10), amount_off: None, max_amount_off: Some(2_000) }];
        assert_eq!(tier_discount(&tiers, 9_999), None);
        assert_eq!(tier_discount(&tiers, 10_000), Some(1_000));
        assert_eq!(tier_discount(&tiers, 100_000), Some(2_000));
        assert_eq!(percent_of(995, 10, None), 100, "rounded half up");
        assert_eq!(percent_of(i64::MAX, 100, None), i64::MAX, "no overflow");
    }
}

/// One discount applied to (or removed from) a checkout session: amounts before and after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DiscountApplication {
    /// `code`, `rule` or `removed`.
    pub source: String,
    pub rule_id: Option<String>,
    pub code: Option<String>,
    pub amount_before: i64,
    pub amount_after: i64,
    /// RFC 3339, UTC
    pub created_at: String,
}

/// What `apply-discount-code`, `recompute-discounts` and `remove-discount` answer (the seed's
/// client code reads `type` and `value`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DiscountOutcome {
    /// Always `object`.
    #[serde(rename = "type")]
    pub kind: String,
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub value: serde_json::Value,
    pub checkout_session: super::CheckoutSession,
}

/// Body of the discount endpoints: the session's `clientSecret` (required with a publishable
/// key) and, for `apply-discount-code`, the code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DiscountRequest {
    #[cfg_attr(feature = "ssr", schema(max_length = 500))]
    pub client_secret: Option<String>,
    #[cfg_attr(feature = "ssr", schema(max_length = 64))]
    pub code: Option<String>,
}

/// An integer that JSON may also spell `128.0` (JSON Schema's `integer` allows it).
fn integral<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    struct V;
    impl serde::de::Visitor<'_> for V {
        type Value = i64;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a whole number")
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<i64, E> {
            Ok(v)
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<i64, E> {
            i64::try_from(v).map_err(|_| E::custom("is too large"))
        }
        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<i64, E> {
            if v.fract() == 0.0 && v.abs() < 9.0e15 { Ok(v as i64) } else { Err(E::custom("must be a whole number")) }
        }
    }
    d.deserialize_any(V)
}
