//! Catalogue products: the wire types of `/api/v1/products` and the dashboard form, their
//! rules, and `ProductStatus` (the active/archived status prices, methods and offers share).
use crate::error::{AppResult, FieldErrors};
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ProductStatus {
    Active,
    Archived,
}

wire_names!(ProductStatus { Active => "active", Archived => "archived" });

resource! {
    /// A catalogue product.
    pub struct Product {
        /// `prod_…`
        pub id: String,
        pub name: String,
        pub description: String,
        pub status: ProductStatus,
        /// Where a checkout session of this product returns the buyer after paying, unless the
        /// session names its own `successUrl`; empty for none.
        pub success_url: String,
        /// Where a checkout session returns the buyer who cancels, unless the session names its
        /// own; empty for none.
        pub cancel_url: String,
    }
}

/// Create body of `POST /api/v1/products` and of the dashboard form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProductCreate {
    #[cfg_attr(feature = "ssr", schema(min_length = 1, max_length = 200, pattern = "\\S"))]
    pub name: String,
    #[cfg_attr(feature = "ssr", schema(max_length = 2000))]
    pub description: Option<String>,
    /// The default return URL after paying (http or https, at most 2000 bytes); empty or absent
    /// for none.
    #[cfg_attr(feature = "ssr", schema(max_length = 500, pattern = "^(https?://\\S{2,})?$"))]
    pub success_url: Option<String>,
    /// The default return URL after cancelling; empty or absent for none.
    #[cfg_attr(feature = "ssr", schema(max_length = 500, pattern = "^(https?://\\S{2,})?$"))]
    pub cancel_url: Option<String>,
}

/// Body of `PATCH /api/v1/products/{id}`: only the given fields change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProductUpdate {
    #[cfg_attr(feature = "ssr", schema(min_length = 1, max_length = 200, pattern = "\\S"))]
    pub name: Option<String>,
    #[cfg_attr(feature = "ssr", schema(max_length = 2000))]
    pub description: Option<String>,
    /// `""` clears it.
    #[cfg_attr(feature = "ssr", schema(max_length = 500, pattern = "^(https?://\\S{2,})?$"))]
    pub success_url: Option<String>,
    /// `""` clears it.
    #[cfg_attr(feature = "ssr", schema(max_length = 500, pattern = "^(https?://\\S{2,})?$"))]
    pub cancel_url: Option<String>,
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

/// A return URL as products and redemption methods take it: empty, or http(s) without white
/// space, at most 2000 bytes.
pub fn validate_return_url(field: &str, url: &str, errors: &mut FieldErrors) {
    let u = url.trim();
    let ok = u.is_empty() || ((u.starts_with("https://") || u.starts_with("http://")) && u.len() > 8 && u.len() <= 2000 && !u.contains(char::is_whitespace));
    if !ok {
        errors.add(field, "must be an http(s) URL of at most 2000 bytes");
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
        validate_return_url("successUrl", self.success_url.as_deref().unwrap_or(""), &mut e);
        validate_return_url("cancelUrl", self.cancel_url.as_deref().unwrap_or(""), &mut e);
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
        validate_return_url("successUrl", self.success_url.as_deref().unwrap_or(""), &mut e);
        validate_return_url("cancelUrl", self.cancel_url.as_deref().unwrap_or(""), &mut e);
        e.into_result()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn product_name_rules() {
        assert!(ProductCreate { name: "Premium".into(), ..Default::default() }.validate().is_ok());
        let e = ProductCreate { name: "   ".into(), ..Default::default() }.validate().unwrap_err();
        assert_eq!(e.fields.get("name").unwrap(), "is required");
        let e = ProductCreate { name: "x".repeat(201), ..Default::default() }.validate().unwrap_err();
        assert!(e.fields["name"].contains("200"));
        let e = ProductUpdate { description: Some("d".repeat(2001)), ..Default::default() }.validate().unwrap_err();
        assert!(e.fields.contains_key("description"));
    }

    #[test]
    fn return_urls_are_http_or_empty() {
        let with = |success: &str, cancel: &str| ProductCreate {
            name: "Pro".into(),
            success_url: Some(success.into()),
            cancel_url: Some(cancel.into()),
            ..Default::default()
        };
        assert!(with("", "").validate().is_ok());
        assert!(with("https://example.com/thanks", "http://localhost:8080/pricing").validate().is_ok());
        let e = with("javascript:alert(1)", "https://example.com/a b").validate().unwrap_err();
        assert!(e.fields.contains_key("successUrl") && e.fields.contains_key("cancelUrl"), "{e:?}");
        let long = format!("https://example.com/{}", "a".repeat(2000));
        assert!(with(&long, "").validate().unwrap_err().fields.contains_key("successUrl"));
    }
}
