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
}
