//! The new-coupon form as typed: text in, a checked `CouponCreate` (or field errors) out, with the
//! same rules as the API; it runs in the browser as the merchant types.
use super::{CouponCreate, CouponType};
use crate::error::FieldErrors;
use serde::{Deserialize, Serialize};

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
            (CouponType::Fixed, text) => match crate::model::parse_major_amount(text, if currency.is_empty() { "usd" } else { &currency }) {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
