//! Types shared by the server and the browser, and the validation rules that belong to them.
//! No sqlx, no axum: this module compiles to WebAssembly too.
use crate::error::{AppResult, FieldErrors};
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use utoipa::ToSchema;

/// `as_str` and `parse` for an enum whose variants have fixed names on the wire and in the
/// database: one table, so the two directions cannot drift apart.
macro_rules! wire_names {
    ($ty:ident { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $ty {
            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $name),+
                }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $($name => Some($ty::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

/// Stripe-style modes: `preview` objects never see `live` ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    #[default]
    Preview,
    Live,
}

wire_names!(Environment { Preview => "preview", Live => "live" });

impl Environment {
    /// The key infix Stripe uses for the mode: `sk_test_…` / `sk_live_…`.
    pub fn key_infix(self) -> &'static str {
        match self {
            Environment::Preview => "test",
            Environment::Live => "live",
        }
    }
}

/// A user's role inside one tenant. Platform admins are a flag on the user, not a tenant role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Merchant,
    Marketer,
}

wire_names!(Role { Merchant => "merchant", Marketer => "marketer" });

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantChoice {
    pub id: String,
    pub name: String,
    pub role: Role,
    /// IANA time zone the tenant types and reads times in.
    pub time_zone: String,
    /// How long an offer token handed out by a surface decision stays redeemable.
    pub offer_token_ttl_minutes: i64,
}

/// What the shell needs to know about the signed-in user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub user_id: String,
    pub email: String,
    pub is_admin: bool,
    pub tenants: Vec<TenantChoice>,
    pub current_tenant: Option<TenantChoice>,
    pub environment: Environment,
}

impl SessionInfo {
    pub fn can_edit(&self) -> bool {
        matches!(self.current_tenant.as_ref().map(|t| t.role), Some(Role::Merchant))
    }
}

/// One page of a list, the contract's `{"data":[…],"hasMore":false}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub data: Vec<T>,
    pub has_more: bool,
}

pub const DEFAULT_PAGE_SIZE: i64 = 50;
pub const MAX_PAGE_SIZE: i64 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ProductStatus {
    Active,
    Archived,
}

wire_names!(ProductStatus { Active => "active", Archived => "archived" });

/// A catalogue product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Product {
    /// `prod_…`
    pub id: String,
    pub name: String,
    pub description: String,
    pub status: ProductStatus,
    pub environment: Environment,
    /// RFC 3339, UTC
    pub created_at: String,
    /// RFC 3339, UTC
    pub updated_at: String,
}

/// Create body of `POST /api/v1/products` and of the dashboard form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProductCreate {
    #[cfg_attr(feature = "ssr", schema(min_length = 1, max_length = 200, pattern = "\\S"))]
    pub name: String,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_length = 2000))]
    pub description: Option<String>,
}

/// Body of `PATCH /api/v1/products/{id}`: only the given fields change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProductUpdate {
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(min_length = 1, max_length = 200, pattern = "\\S"))]
    pub name: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_length = 2000))]
    pub description: Option<String>,
}

pub const PRODUCT_NAME_MAX: usize = 200;
pub const PRODUCT_DESCRIPTION_MAX: usize = 2000;

pub fn validate_product_name(name: &str, errors: &mut FieldErrors) {
    let n = name.trim();
    if n.is_empty() {
        errors.add("name", "is required");
    } else if n.chars().count() > PRODUCT_NAME_MAX {
        errors.add("name", format!("must be at most {PRODUCT_NAME_MAX} characters"));
    }
}

pub fn validate_product_description(d: &str, errors: &mut FieldErrors) {
    if d.chars().count() > PRODUCT_DESCRIPTION_MAX {
        errors.add("description", format!("must be at most {PRODUCT_DESCRIPTION_MAX} characters"));
    }
}

impl ProductCreate {
    pub fn validate(&self) -> AppResult<()> {
        let mut e = FieldErrors::new();
        validate_product_name(&self.name, &mut e);
        if let Some(d) = &self.description {
            validate_product_description(d, &mut e);
        }
        e.into_result()
    }
}

impl ProductUpdate {
    pub fn validate(&self) -> AppResult<()> {
        let mut e = FieldErrors::new();
        if let Some(n) = &self.name {
            validate_product_name(n, &mut e);
        }
        if let Some(d) = &self.description {
            validate_product_description(d, &mut e);
        }
        e.into_result()
    }
}

/// An API key as listed: the secret itself is never stored, only its keyed hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiKeyView {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub environment: Environment,
    pub last4: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

/// The API keys page: the keys of the current tenant and environment, and the keys that were
/// just created (their full text is shown exactly once), oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiKeyList {
    pub keys: Vec<ApiKeyView>,
    pub new_keys: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantView {
    pub id: String,
    pub name: String,
    pub status: String,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MembershipView {
    pub tenant_id: String,
    pub tenant_name: String,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserView {
    pub id: String,
    pub email: String,
    pub is_admin: bool,
    pub status: String,
    pub created_at: String,
    pub memberships: Vec<MembershipView>,
}

pub const PASSWORD_MIN: usize = 10;

pub fn validate_email(email: &str, errors: &mut FieldErrors) {
    let e = email.trim();
    let ok = e.len() <= 254
        && e.split_once('@').is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.'))
        && !e.chars().any(char::is_whitespace);
    if !ok {
        errors.add("email", "must be an email address like name@example.com");
    }
}

pub fn validate_password(pw: &str, field: &str, errors: &mut FieldErrors) {
    if pw.chars().count() < PASSWORD_MIN {
        errors.add(field, format!("must be at least {PASSWORD_MIN} characters"));
    } else if pw.len() > 1024 {
        errors.add(field, "must be at most 1024 bytes");
    }
}

pub fn validate_tenant_name(name: &str, errors: &mut FieldErrors) {
    let n = name.trim();
    if n.is_empty() {
        errors.add("name", "is required");
    } else if n.chars().count() > 120 {
        errors.add("name", "must be at most 120 characters");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn product_name_rules() {
        assert!(ProductCreate { name: "Premium".into(), description: None }.validate().is_ok());
        let e = ProductCreate { name: "   ".into(), description: None }.validate().unwrap_err();
        assert_eq!(e.fields.get("name").unwrap(), "is required");
        let e = ProductCreate { name: "x".repeat(201), description: None }.validate().unwrap_err();
        assert!(e.fields["name"].contains("200"));
        let e = ProductUpdate { name: None, description: Some("d".repeat(2001)) }.validate().unwrap_err();
        assert!(e.fields.contains_key("description"));
    }

    #[test]
    fn email_rules() {
        for good in ["a@b.co", "buyer@example.com"] {
            let mut e = FieldErrors::new();
            validate_email(good, &mut e);
            assert!(e.into_result().is_ok(), "{good}");
        }
        for bad in ["", "a", "a@b", "@b.com", "a b@c.com", "a@.com"] {
            let mut e = FieldErrors::new();
            validate_email(bad, &mut e);
            assert!(e.into_result().is_err(), "{bad}");
        }
    }

    #[test]
    fn environment_round_trip() {
        for e in [Environment::Preview, Environment::Live] {
            assert_eq!(Environment::parse(e.as_str()), Some(e));
        }
        assert_eq!(Environment::Preview.key_infix(), "test");
        assert_eq!(Environment::parse("test"), None);
    }
}

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

/// A catalogue price.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
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
    pub status: ProductStatus,
    pub environment: Environment,
    /// e.g. `£10.00`
    pub display: String,
    pub created_at: String,
    pub updated_at: String,
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
    #[serde(default)]
    pub interval: Option<PriceInterval>,
    #[cfg_attr(feature = "ssr", schema(pattern = "^price_[A-Za-z0-9_]{1,249}$"))]
    pub stripe_price_id: String,
}

/// Body of `PATCH /api/v1/prices/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PriceUpdate {
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(pattern = "^price_[A-Za-z0-9_]{1,249}$"))]
    pub stripe_price_id: Option<String>,
}

pub const MAX_UNIT_AMOUNT: i64 = 99_999_999;

pub fn validate_stripe_price_id(id: &str, e: &mut FieldErrors) {
    let id = id.trim();
    if !id.starts_with("price_") || id.len() < 7 || id.len() > 255 || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        e.add("stripePriceId", "must be a Stripe price id like price_1Nxyz…");
    }
}

impl PriceCreate {
    /// Normalises (lower-case currency, trimmed ids) and validates.
    pub fn normalized(mut self) -> AppResult<Self> {
        self.currency = self.currency.trim().to_lowercase();
        self.product_id = self.product_id.trim().to_string();
        self.stripe_price_id = self.stripe_price_id.trim().to_string();
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
        e.into_result()?;
        Ok(self)
    }
}

#[cfg(test)]
mod money_tests {
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
        let ok = PriceCreate { product_id: "prod_1".into(), currency: " GBP ".into(), unit_amount: 1000, interval: None, stripe_price_id: "price_123".into() };
        assert_eq!(ok.normalized().unwrap().currency, "gbp");
        let bad = PriceCreate { product_id: "".into(), currency: "pounds".into(), unit_amount: -1, interval: None, stripe_price_id: "prod_x".into() };
        let e = bad.normalized().unwrap_err();
        for f in ["productId", "currency", "unitAmount", "stripePriceId"] {
            assert!(e.fields.contains_key(f), "{f}: {e:?}");
        }
    }
}

/// The Stripe integration of one environment, as shown: the key masked, never in full.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct StripeIntegration {
    /// Used in the incoming webhook URL `/webhooks/stripe/{id}`.
    pub id: String,
    pub environment: Environment,
    /// e.g. `sk_test_…4242`
    pub secret_key: String,
    pub webhook_secret_set: bool,
    pub updated_at: String,
}

/// Body of `PUT /api/v1/integrations/stripe`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StripeIntegrationInput {
    #[cfg_attr(feature = "ssr", schema(pattern = "^(sk|rk)_(test|live)_[A-Za-z0-9_]{12,247}$"))]
    pub secret_key: String,
    /// `whsec_…`; omitted or empty keeps the stored one.
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(pattern = "^(whsec_[!-~]{4,249})?$"))]
    pub webhook_secret: Option<String>,
}

/// What "Test connection" found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct StripeAccount {
    pub id: String,
    pub email: Option<String>,
    pub business_name: Option<String>,
    pub country: Option<String>,
}

/// A Stripe secret or restricted key must match the environment: test keys in preview, live keys in live.
pub fn validate_stripe_secret_key(key: &str, env: Environment, e: &mut FieldErrors) {
    let key = key.trim();
    let (test, live) = (["sk_test_", "rk_test_"], ["sk_live_", "rk_live_"]);
    let is_test = test.iter().any(|p| key.starts_with(p));
    let is_live = live.iter().any(|p| key.starts_with(p));
    if key.is_empty() {
        e.add("secretKey", "is required");
    } else if !is_test && !is_live {
        e.add("secretKey", "must be a Stripe secret key (sk_test_… or sk_live_…)");
    } else if env == Environment::Preview && is_live {
        e.add("secretKey", "is a live key; the preview environment takes a test key (sk_test_…)");
    } else if env == Environment::Live && is_test {
        e.add("secretKey", "is a test key; the live environment takes a live key (sk_live_…)");
    } else if key.len() < 20 || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        e.add("secretKey", "does not look like a Stripe key");
    }
}

pub fn validate_webhook_secret(secret: &str, e: &mut FieldErrors) {
    let s = secret.trim();
    if !s.starts_with("whsec_") || s.len() < 10 || s.len() > 255 || s.contains(char::is_whitespace) {
        e.add("webhookSecret", "must be a Stripe webhook signing secret (whsec_…)");
    }
}

#[cfg(test)]
mod stripe_key_tests {
    use super::*;
    #[test]
    fn keys_match_their_environment() {
        let check = |k: &str, env| {
            let mut e = FieldErrors::new();
            validate_stripe_secret_key(k, env, &mut e);
            e.into_result().err().map(|e| e.fields["secretKey"].clone())
        };
        assert_eq!(check("sk_test_51Habcdefghijklmnop", Environment::Preview), None);
        assert_eq!(check("sk_live_51Habcdefghijklmnop", Environment::Live), None);
        assert!(check("sk_live_51Habcdefghijklmnop", Environment::Preview).unwrap().contains("live key"));
        assert!(check("sk_test_51Habcdefghijklmnop", Environment::Live).unwrap().contains("test key"));
        assert!(check("pk_test_51Habcdefghijklmnop", Environment::Preview).is_some());
        assert!(check("", Environment::Preview).is_some());
    }
}

// ---------------------------------------------------------------------------------------------
// Redemption methods and workflows

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub enum MethodSchema {
    #[serde(rename = "stripe-checkout")]
    StripeCheckout,
    #[serde(rename = "custom")]
    Custom,
}

wire_names!(MethodSchema { StripeCheckout => "stripe-checkout", Custom => "custom" });

impl MethodSchema {
    /// The `redemptionSchema` a presented offer carries.
    pub fn redemption_schema(self) -> &'static str {
        match self {
            MethodSchema::StripeCheckout => "mos:stripe-checkout-instructions",
            MethodSchema::Custom => "custom",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            MethodSchema::StripeCheckout => "Stripe Checkout",
            MethodSchema::Custom => "Custom",
        }
    }
}

/// The merchant's URLs, handed to the workflow as `settings` (not literals in the code).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MethodSettings {
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_length = 2000, pattern = "^(https?://\\S{2,})?$"))]
    pub success_url: String,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_length = 2000, pattern = "^(https?://\\S{2,})?$"))]
    pub cancel_url: String,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_length = 2000, pattern = "^(https?://\\S{2,})?$"))]
    pub signup_url: String,
}

fn valid_url(u: &str) -> bool {
    (u.starts_with("https://") || u.starts_with("http://")) && u.len() <= 2000 && !u.contains(char::is_whitespace) && u.len() > 8
}

impl MethodSettings {
    /// Every URL is optional when saved (the seed's recipe creates a method with a name and a
    /// schema only); the default Stripe Checkout workflow says which one is missing when it runs.
    pub fn validate(&self, _schema: MethodSchema, e: &mut FieldErrors) {
        for (field, value) in [("successUrl", &self.success_url), ("cancelUrl", &self.cancel_url), ("signupUrl", &self.signup_url)] {
            if !value.is_empty() && !valid_url(value) {
                e.add(field, "must be an http(s) URL");
            }
        }
    }

    /// The URLs a Stripe Checkout method still needs (camelCase names), for the Manage tab.
    pub fn missing_checkout_urls(&self) -> Vec<&'static str> {
        [("successUrl", &self.success_url), ("cancelUrl", &self.cancel_url), ("signupUrl", &self.signup_url)]
            .into_iter()
            .filter(|(_, v)| v.is_empty())
            .map(|(k, _)| k)
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RedemptionMethod {
    /// `rm_…`
    pub id: String,
    pub name: String,
    pub slug: String,
    pub schema: MethodSchema,
    /// e.g. `mos:stripe-checkout-instructions`
    pub redemption_schema: String,
    pub settings: MethodSettings,
    pub status: ProductStatus,
    /// The workflow version the method runs.
    pub current_version: Option<i64>,
    pub environment: Environment,
    pub created_at: String,
    pub updated_at: String,
}

/// Create body of `POST /api/v1/redemption-methods`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RedemptionMethodCreate {
    #[cfg_attr(feature = "ssr", schema(min_length = 1, max_length = 120, pattern = "[A-Za-z0-9]"))]
    pub name: String,
    /// Derived from the name when omitted.
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(pattern = "^([a-z0-9][a-z0-9-]{0,63})?$"))]
    pub slug: Option<String>,
    pub schema: MethodSchema,
    /// TypeScript or JavaScript; the schema's default workflow when omitted.
    #[serde(default)]
    pub workflow: Option<String>,
    #[serde(default)]
    pub settings: Option<MethodSettings>,
}

/// Body of `PATCH /api/v1/redemption-methods/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RedemptionMethodUpdate {
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(min_length = 1, max_length = 120, pattern = "\\S"))]
    pub name: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(pattern = "^[a-z0-9][a-z0-9-]{0,63}$"))]
    pub slug: Option<String>,
    #[serde(default)]
    pub settings: Option<MethodSettings>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct WorkflowVersion {
    pub id: String,
    pub version: i64,
    pub source: String,
    pub created_by: String,
    pub created_at: String,
}

/// A URL-safe slug: lower-case letters, digits and dashes.
pub fn slugify(s: &str) -> String {
    let mut out = String::new();
    for c in s.trim().to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').chars().take(64).collect()
}

pub fn validate_slug(slug: &str, e: &mut FieldErrors) {
    if slug.is_empty() || slug.len() > 64 || !slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') || slug.starts_with('-') {
        e.add("slug", "must be 1–64 lower-case letters, digits and dashes");
    }
}

pub const DEFAULT_STRIPE_CHECKOUT_WORKFLOW: &str = r#"// The Stripe Checkout schema's default workflow.
// `offer.redemption.instructions` holds the Checkout Session parameters built from the offer
// (mode, line_items from its prices, plus the offer's own instructions). `settings` holds this
// method's URLs, edited on its Manage tab.
type Input = {
  offer: { id: string; token: string; redemption: { instructions: Record<string, unknown> } };
  identity: { type: "anonymous" | "authenticated"; identifier: string };
  integrations: { stripe: { request(req: { method: string; path: string; body?: unknown }): Promise<{ ok: boolean; status: number; data: any }> } };
  settings: { successUrl: string; cancelUrl: string; signupUrl: string };
};

// A method's URLs are set on its Manage tab; until they are, redeeming answers which one is missing.
function missing(name: string) {
  return {
    success: false,
    statusCode: 409,
    message: `This redemption method has no ${name} yet: set it on the method's Manage tab (Offers → Redemption methods → Manage).`,
  };
}

export default async function ({ offer, identity, integrations, settings }: Input) {
  if (identity.type === "anonymous") {
    if (!settings.signupUrl) return missing("sign-up URL");
    // Sign up first; the same token can be redeemed once the user is known.
    const join = settings.signupUrl.includes("?") ? "&" : "?";
    return {
      success: false,
      statusCode: 401,
      action: "navigate",
      url: `${settings.signupUrl}${join}offerToken=${encodeURIComponent(offer.token)}`,
    };
  }

  if (!settings.successUrl) return missing("success URL");
  if (!settings.cancelUrl) return missing("cancel URL");

  const session = await integrations.stripe.request({
    method: "POST",
    path: "/v1/checkout/sessions",
    body: {
      success_url: settings.successUrl,
      cancel_url: settings.cancelUrl,
      client_reference_id: identity.identifier,
      ...offer.redemption.instructions,
    },
  });

  if (!session.ok || !session.data?.url) {
    console.log("Stripe refused the Checkout Session:", session.status, session.data?.error?.message);
    return {
      success: false,
      statusCode: 502,
      message: session.data?.error?.message ?? "Failed to create checkout session",
    };
  }
  return { success: true, action: "navigate", url: session.data.url };
}
"#;

pub const DEFAULT_CUSTOM_WORKFLOW: &str = r#"// A custom redemption workflow. Return { success, statusCode?, action?: "navigate", url?, properties?, message? }.
export default async function ({ offer, identity }: { offer: { id: string }; identity: { type: string; identifier: string } }) {
  console.log("redeeming", offer.id, "for", identity.identifier);
  return { success: true, message: "Redeemed" };
}
"#;

impl MethodSchema {
    pub fn default_workflow(self) -> &'static str {
        match self {
            MethodSchema::StripeCheckout => DEFAULT_STRIPE_CHECKOUT_WORKFLOW,
            MethodSchema::Custom => DEFAULT_CUSTOM_WORKFLOW,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Offers and identities

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Audience {
    #[default]
    All,
    Anonymous,
    Authenticated,
}

wire_names!(Audience { All => "all", Anonymous => "anonymous", Authenticated => "authenticated" });

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OfferPresentation {
    #[cfg_attr(feature = "ssr", schema(min_length = 1, max_length = 200, pattern = "\\S"))]
    pub title: String,
    /// Price label; by default formatted from the first price (e.g. `£10.00`).
    #[serde(default)]
    pub price: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Offer {
    /// `off_…`
    pub id: String,
    pub name: String,
    pub redemption_method_id: String,
    pub price_ids: Vec<String>,
    pub presentation: OfferPresentation,
    /// Merged over the generated Checkout Session parameters.
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub instructions: serde_json::Value,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
    pub audience: Audience,
    pub status: ProductStatus,
    pub environment: Environment,
    pub created_at: String,
    pub updated_at: String,
}

/// Create body of `POST /api/v1/offers`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OfferCreate {
    #[cfg_attr(feature = "ssr", schema(min_length = 1, max_length = 200, pattern = "\\S"))]
    pub name: String,
    #[cfg_attr(feature = "ssr", schema(min_length = 1))]
    pub redemption_method_id: String,
    #[cfg_attr(feature = "ssr", schema(min_items = 1, max_items = 20))]
    pub price_ids: Vec<String>,
    pub presentation: OfferPresentation,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Object>))]
    pub instructions: Option<serde_json::Value>,
    /// RFC 3339
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(format = DateTime))]
    pub valid_from: Option<String>,
    /// RFC 3339
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(format = DateTime))]
    pub valid_until: Option<String>,
    #[serde(default)]
    pub audience: Option<Audience>,
}

/// Body of `PATCH /api/v1/offers/{id}`; `validFrom`/`validUntil` set to `""` clear them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OfferUpdate {
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(min_length = 1, max_length = 200, pattern = "\\S"))]
    pub name: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(min_length = 1))]
    pub redemption_method_id: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(min_items = 1, max_items = 20))]
    pub price_ids: Option<Vec<String>>,
    #[serde(default)]
    pub presentation: Option<OfferPresentation>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Object>))]
    pub instructions: Option<serde_json::Value>,
    #[serde(default)]
    pub valid_from: Option<String>,
    #[serde(default)]
    pub valid_until: Option<String>,
    #[serde(default)]
    pub audience: Option<Audience>,
}

/// The contract's `identity`: exactly one of the three.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IdentityInput {
    #[serde(default)]
    pub user_identifier: Option<String>,
    #[serde(default)]
    pub anonymous_identifier: Option<String>,
    #[serde(default)]
    pub create_anonymous_identifier: Option<bool>,
}

/// An identity as the workflow sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Identity {
    /// `anonymous` or `authenticated`
    #[serde(rename = "type")]
    pub kind: String,
    pub identifier: String,
}

impl IdentityInput {
    /// `mint` makes a fresh anonymous identifier for `createAnonymousIdentifier`.
    pub fn resolve(&self, mint: impl FnOnce() -> String) -> AppResult<Identity> {
        let given = [self.user_identifier.is_some(), self.anonymous_identifier.is_some(), self.create_anonymous_identifier.is_some()];
        if given.iter().filter(|g| **g).count() != 1 {
            return Err(crate::error::AppError::field("identity", "must have exactly one of userIdentifier, anonymousIdentifier or createAnonymousIdentifier"));
        }
        let clean = |s: &str, field: &str| -> AppResult<String> {
            let s = s.trim();
            if s.is_empty() || s.len() > 255 {
                return Err(crate::error::AppError::field(field, "must be 1 to 255 characters"));
            }
            Ok(s.to_string())
        };
        if let Some(u) = &self.user_identifier {
            return Ok(Identity { kind: "authenticated".into(), identifier: clean(u, "identity.userIdentifier")? });
        }
        if let Some(a) = &self.anonymous_identifier {
            return Ok(Identity { kind: "anonymous".into(), identifier: clean(a, "identity.anonymousIdentifier")? });
        }
        if self.create_anonymous_identifier == Some(true) {
            return Ok(Identity { kind: "anonymous".into(), identifier: mint() });
        }
        Err(crate::error::AppError::field("identity.createAnonymousIdentifier", "must be true"))
    }
}

/// A redemption method's page: the method, its workflow history and the offers to test with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MethodDetail {
    pub method: RedemptionMethod,
    pub versions: Vec<WorkflowVersion>,
    pub offers: Vec<(String, String)>,
    /// The last test run, shown once (how a test run reaches the page without JavaScript).
    pub last_test: Option<TestRunView>,
}

/// What the dashboard's test-run panel shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestRunView {
    pub ok: bool,
    /// Pretty JSON of the result, or the error message.
    pub output: String,
    pub error_line: Option<u32>,
    pub logs: Vec<String>,
    pub duration_ms: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriceOption {
    pub id: String,
    pub label: String,
}

/// Choices for the offer form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OfferFormData {
    pub methods: Vec<(String, String)>,
    pub prices: Vec<PriceOption>,
    pub time_zone: String,
}

/// An offer's page: the offer, its window in the tenant's zone and the object a workflow receives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OfferDetail {
    pub offer: Offer,
    pub valid_from_local: String,
    pub valid_until_local: String,
    pub workflow_object: String,
    pub form: OfferFormData,
}

/// A line diff (`' '` same, `'-'` removed, `'+'` added) by longest common subsequence; used
/// to show what a workflow version changed.
pub fn line_diff(old: &str, new: &str) -> Vec<(char, String)> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    if a.len() * b.len() > 4_000_000 {
        return a.iter().map(|l| ('-', l.to_string())).chain(b.iter().map(|l| ('+', l.to_string()))).collect();
    }
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            out.push((' ', a[i].to_string()));
            i += 1;
            j += 1;
        } else if lcs[i + 1][j] >= lcs[i][j + 1] {
            out.push(('-', a[i].to_string()));
            i += 1;
        } else {
            out.push(('+', b[j].to_string()));
            j += 1;
        }
    }
    out.extend(a[i..].iter().map(|l| ('-', l.to_string())));
    out.extend(b[j..].iter().map(|l| ('+', l.to_string())));
    out
}

#[cfg(test)]
mod diff_tests {
    #[test]
    fn diffs_lines() {
        let d = super::line_diff("a\nb\nc\n", "a\nx\nc\nd\n");
        assert_eq!(d, vec![(' ', "a".into()), ('-', "b".into()), ('+', "x".into()), (' ', "c".into()), ('+', "d".into())]);
    }
}

// ---------------------------------------------------------------------------------------------
// Presentation schemas, experiences, surfaces and decisions

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    String,
    Number,
    Boolean,
    Text,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SchemaField {
    #[cfg_attr(feature = "ssr", schema(pattern = "^[A-Za-z0-9_-]{1,64}$"))]
    pub key: String,
    #[serde(rename = "type")]
    pub field_type: FieldType,
    #[cfg_attr(feature = "ssr", schema(min_length = 1, pattern = "\\S"))]
    pub label: String,
    #[serde(default)]
    pub required: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PresentationSchema {
    /// `psch_…`
    pub id: String,
    pub name: String,
    pub fields: Vec<SchemaField>,
    pub offer_slots: Vec<String>,
    pub environment: Environment,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PresentationSchemaInput {
    #[cfg_attr(feature = "ssr", schema(min_length = 1, pattern = "\\S"))]
    pub name: String,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_items = 100))]
    pub fields: Vec<SchemaField>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_items = 20))]
    pub offer_slots: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ExperienceKind {
    Html,
    App,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Experience {
    /// `exp_…`
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ExperienceKind,
    pub html: Option<String>,
    pub schema_id: Option<String>,
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub content: serde_json::Value,
    /// Offer slot → offer ids, highest priority first.
    pub offers: std::collections::BTreeMap<String, Vec<String>>,
    pub environment: Environment,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExperienceInput {
    #[cfg_attr(feature = "ssr", schema(min_length = 1, pattern = "\\S"))]
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ExperienceKind,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_length = 50_000))]
    pub html: Option<String>,
    #[serde(default)]
    pub schema_id: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Object>))]
    pub content: Option<serde_json::Value>,
    #[serde(default)]
    pub offers: Option<std::collections::BTreeMap<String, Vec<String>>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Facet {
    Web,
    Json,
    Text,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SurfaceSlot {
    #[cfg_attr(feature = "ssr", schema(pattern = "^[A-Za-z0-9_-]{1,64}$"))]
    pub key: String,
    pub facet: Facet,
    #[serde(default)]
    pub experience_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Surface {
    /// `srf_…`
    pub id: String,
    pub name: String,
    pub slug: String,
    pub slots: Vec<SurfaceSlot>,
    pub environment: Environment,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SurfaceInput {
    #[cfg_attr(feature = "ssr", schema(min_length = 1, pattern = "\\S"))]
    pub name: String,
    #[cfg_attr(feature = "ssr", schema(pattern = "^[a-z0-9][a-z0-9-]{0,63}$"))]
    pub slug: String,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_items = 50))]
    pub slots: Vec<SurfaceSlot>,
}

pub fn validate_key(key: &str, field: &str, e: &mut FieldErrors) {
    if key.is_empty() || key.len() > 64 || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        e.add(field, "must be 1–64 letters, digits, dashes or underscores");
    }
}

/// Something that happened: a surface decision or an offer redemption.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// `evt_…`
    pub id: String,
    /// `surface.decision` or `offer.redemption`
    #[serde(rename = "type")]
    pub event_type: String,
    /// `presented`, `empty`, `succeeded`, `declined` or `failed`
    pub status: String,
    pub offer_id: Option<String>,
    pub method_id: Option<String>,
    pub workflow_version: Option<i64>,
    pub identity_kind: Option<String>,
    pub identity: Option<String>,
    pub duration_ms: Option<i64>,
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub request: serde_json::Value,
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub response: serde_json::Value,
    pub logs: Vec<String>,
    pub created_at: String,
}

/// An offer's funnel over a period: how often surfaces presented it and how often a
/// presentation was redeemed successfully.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct OfferStats {
    pub offer_id: String,
    /// RFC 3339, inclusive.
    pub from: String,
    /// RFC 3339, exclusive.
    pub to: String,
    pub impressions: i64,
    pub redemptions: i64,
    /// Distinct identities with a successful redemption.
    pub redeemers: i64,
    /// `redemptions / impressions` (0 when there were no impressions).
    pub conversion: f64,
}

pub fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// The placeholders an HTML experience may use; each is filled HTML-escaped.
pub const OFFER_PLACEHOLDERS: [&str; 5] = ["title", "price", "description", "token", "id"];

/// Fills `{{offer.title}}`, `{{offer.price}}`, `{{offer.description}}`, `{{offer.token}}` and
/// `{{offer.id}}` of an HTML experience with the presented offer's values, HTML-escaped (empty
/// when no offer is presented). Shared by surface decisions and the dashboard's live preview.
pub fn fill_offer_placeholders(html: &str, offer: Option<&serde_json::Value>) -> String {
    let get = |k: &str| -> String {
        offer
            .and_then(|o| match k {
                "title" | "price" | "description" => o["presentation"][k].as_str(),
                _ => o[k].as_str(),
            })
            .map(escape_html)
            .unwrap_or_default()
    };
    let mut out = html.to_string();
    for k in OFFER_PLACEHOLDERS {
        out = out.replace(&format!("{{{{offer.{k}}}}}"), &get(k));
    }
    out
}

/// The experiences page: the list plus the choices of the "new experience" form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExperiencesData {
    pub experiences: Vec<Experience>,
    /// `(id, name)` of the environment's presentation schemas.
    pub schemas: Vec<(String, String)>,
}

/// One experience (or a new one) with what its editor needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExperienceDetail {
    /// `None` for the "new experience" form.
    pub experience: Option<Experience>,
    pub kind: ExperienceKind,
    pub schema: Option<PresentationSchema>,
    /// Every offer of the environment: `(id, name, presentation as JSON)`.
    pub offers: Vec<(String, String, serde_json::Value)>,
    /// The offer slots the editor shows: the schema's, or `primary` (plus any in use) for HTML.
    pub slots: Vec<String>,
}

/// The surfaces page and a surface's page: the experiences slots may link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurfacesData {
    pub surfaces: Vec<Surface>,
    pub experiences: Vec<(String, String)>,
}

/// One page of the events list with the filter choices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventsData {
    pub events: Vec<Event>,
    pub has_more: bool,
    pub offers: Vec<(String, String)>,
    pub time_zone: String,
}

// Declared after `wire_names!` so the macro is in scope there.
mod coupons;
pub use coupons::*;
