//! Catalogue prices and money: currency exponents, formatting and parsing amounts typed in major
//! units, and the wire types and rules of `/api/v1/prices`.
use super::ProductStatus;
use crate::error::{AppResult, FieldErrors};
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use utoipa::ToSchema;

/// Currencies whose minor unit is the major unit (Stripe's zero-decimal list).
const ZERO_DECIMAL: &[&str] = &["bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"];

pub fn currency_exponent(currency: &str) -> u32 {
    if ZERO_DECIMAL.contains(&currency) { 0 } else { 2 }
}

fn currency_symbol(currency: &str) -> Option<&'static str> {
    Some(match currency {
        "gbp" => "£",
        "usd" => "$",
        "eur" => "€",
        "jpy" => "¥",
        "inr" => "₹",
        "krw" => "₩",
        _ => return None,
    })
}

/// `1000, "gbp"` → `£10.00`; unknown symbols fall back to the code: `1000, "chf"` → `10.00 CHF`.
pub fn format_amount(amount: i64, currency: &str) -> String {
    let exp = currency_exponent(currency);
    let neg = amount < 0;
    let abs = amount.unsigned_abs();
    let number = if exp == 0 {
        abs.to_string()
    } else {
        let div = 10u64.pow(exp);
        format!("{}.{:0width$}", abs / div, abs % div, width = exp as usize)
    };
    let sign = if neg { "-" } else { "" };
    match currency_symbol(currency) {
        Some(sym) => format!("{sign}{sym}{number}"),
        None => format!("{sign}{number} {}", currency.to_uppercase()),
    }
}

/// Parses an amount typed in major units (`10`, `10.5`, `10.50`) into minor units.
pub fn parse_major_amount(text: &str, currency: &str) -> Result<i64, String> {
    let t = text.trim().replace(',', "");
    if t.is_empty() {
        return Err("is required".into());
    }
    let exp = currency_exponent(currency) as usize;
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    if whole.is_empty() && frac.is_empty() || !whole.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
        return Err("must be a number like 10.00".into());
    }
    if frac.len() > exp {
        return Err(if exp == 0 { "takes no decimals in this currency".into() } else { format!("takes at most {exp} decimals") });
    }
    let digits = format!("{}{:0<width$}", if whole.is_empty() { "0" } else { whole }, frac, width = exp);
    digits.parse::<i64>().map_err(|_| "is too large".to_string())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum PriceInterval {
    Month,
    Year,
}

wire_names!(PriceInterval { Month => "month", Year => "year" });

resource! {
    /// A catalogue price.
    pub struct Price {
        /// `price_…` (offerdeck's id; the Stripe one is `stripePriceId`)
        pub id: String,
        pub product_id: String,
        /// ISO 4217, lower case
        pub currency: String,
        /// Minor units (pence, cents)
        pub unit_amount: i64,
        /// `null` for a one-off price
        pub interval: Option<PriceInterval>,
        pub stripe_price_id: String,
        /// The Stripe price this price charges in live once a version carrying it is deployed
        /// (entered in preview; checked against the live Stripe account on deploy)
        pub live_stripe_price_id: Option<String>,
        pub status: ProductStatus,
        /// e.g. `£10.00`
        pub display: String,
    }
}

/// Create body of `POST /api/v1/prices`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PriceCreate {
    #[cfg_attr(feature = "ssr", schema(min_length = 1, pattern = "\\S"))]
    pub product_id: String,
    #[cfg_attr(feature = "ssr", schema(pattern = "^[A-Za-z]{3}$", example = "gbp"))]
    pub currency: String,
    #[cfg_attr(feature = "ssr", schema(minimum = 0, maximum = 99_999_999))]
    pub unit_amount: i64,
    pub interval: Option<PriceInterval>,
    #[cfg_attr(feature = "ssr", schema(pattern = "^price_[A-Za-z0-9_]{1,249}$"))]
    pub stripe_price_id: String,
    /// The live Stripe price of a preview price (see `Price`)
    #[cfg_attr(feature = "ssr", schema(pattern = "^price_[A-Za-z0-9_]{1,249}$"))]
    #[serde(default)]
    pub live_stripe_price_id: Option<String>,
}

/// Body of `PATCH /api/v1/prices/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PriceUpdate {
    #[cfg_attr(feature = "ssr", schema(pattern = "^price_[A-Za-z0-9_]{1,249}$"))]
    pub stripe_price_id: Option<String>,
    /// An empty string forgets it.
    #[cfg_attr(feature = "ssr", schema(pattern = "^(price_[A-Za-z0-9_]{1,249})?$"))]
    pub live_stripe_price_id: Option<String>,
}

pub const MAX_UNIT_AMOUNT: i64 = 99_999_999;

pub fn validate_stripe_price_id(id: &str, e: &mut FieldErrors) {
    validate_stripe_price_field(id, "stripePriceId", e);
}

/// `field` must hold a Stripe price id (`price_…`).
pub fn validate_stripe_price_field(id: &str, field: &str, e: &mut FieldErrors) {
    let id = id.trim();
    if !id.starts_with("price_") || id.len() < 7 || id.len() > 255 || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        e.add(field, "must be a Stripe price id like price_1Nxyz…");
    }
}

impl PriceCreate {
    /// Normalises (lower-case currency, trimmed ids) and validates.
    pub fn normalized(mut self) -> AppResult<Self> {
        self.currency = self.currency.trim().to_lowercase();
        self.product_id = self.product_id.trim().to_string();
        self.stripe_price_id = self.stripe_price_id.trim().to_string();
        self.live_stripe_price_id = self.live_stripe_price_id.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        let mut e = FieldErrors::new();
        if self.product_id.is_empty() {
            e.add("productId", "is required");
        }
        if self.currency.len() != 3 || !self.currency.bytes().all(|b| b.is_ascii_lowercase()) {
            e.add("currency", "must be a three-letter ISO 4217 code like gbp");
        }
        if !(0..=MAX_UNIT_AMOUNT).contains(&self.unit_amount) {
            e.add("unitAmount", format!("must be between 0 and {MAX_UNIT_AMOUNT} minor units"));
        }
        validate_stripe_price_id(&self.stripe_price_id, &mut e);
        if let Some(live) = &self.live_stripe_price_id {
            validate_stripe_price_field(live, "liveStripePriceId", &mut e);
        }
        e.into_result()?;
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_amounts() {
        assert_eq!(format_amount(1000, "gbp"), "£10.00");
        assert_eq!(format_amount(1999, "usd"), "$19.99");
        assert_eq!(format_amount(5, "eur"), "€0.05");
        assert_eq!(format_amount(500, "jpy"), "¥500");
        assert_eq!(format_amount(1234, "chf"), "12.34 CHF");
    }

    #[test]
    fn parses_major_units() {
        assert_eq!(parse_major_amount("10", "gbp"), Ok(1000));
        assert_eq!(parse_major_amount("10.5", "gbp"), Ok(1050));
        assert_eq!(parse_major_amount("0.99", "usd"), Ok(99));
        assert_eq!(parse_major_amount("1,000.00", "usd"), Ok(100000));
        assert_eq!(parse_major_amount("500", "jpy"), Ok(500));
        assert!(parse_major_amount("5.5", "jpy").is_err());
        assert!(parse_major_amount("10.999", "gbp").is_err());
        assert!(parse_major_amount("-3", "gbp").is_err());
        assert!(parse_major_amount("ten", "gbp").is_err());
        assert!(parse_major_amount("", "gbp").is_err());
    }

    #[test]
    fn price_rules() {
        let ok = PriceCreate {
            product_id: "prod_1".into(),
            currency: " GBP ".into(),
            unit_amount: 1000,
            interval: None,
            stripe_price_id: "price_123".into(),
            live_stripe_price_id: None,
        };
        assert_eq!(ok.normalized().unwrap().currency, "gbp");
        let bad = PriceCreate {
            product_id: "".into(),
            currency: "pounds".into(),
            unit_amount: -1,
            interval: None,
            stripe_price_id: "prod_x".into(),
            live_stripe_price_id: Some("x".into()),
        };
        let e = bad.normalized().unwrap_err();
        for f in ["productId", "currency", "unitAmount", "stripePriceId", "liveStripePriceId"] {
            assert!(e.fields.contains_key(f), "{f}: {e:?}");
        }
    }
}
