//! Offers and identities: the wire types of `/api/v1/offers`, the identity a surface decision or
//! redemption names, and what the offer pages and form show.
use super::ProductStatus;
use crate::error::AppResult;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use utoipa::ToSchema;

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
    pub price: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

resource! {
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
        /// The campaign the offer counts under (presentations and redemptions), if any.
        pub campaign: Option<String>,
        pub status: ProductStatus,
    }
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
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Object>))]
    pub instructions: Option<serde_json::Value>,
    /// RFC 3339
    #[cfg_attr(feature = "ssr", schema(format = DateTime))]
    pub valid_from: Option<String>,
    /// RFC 3339
    #[cfg_attr(feature = "ssr", schema(format = DateTime))]
    pub valid_until: Option<String>,
    pub audience: Option<Audience>,
    /// Campaign tag (64 characters at most), as on coupons: the campaign page counts the offer's
    /// presentations and redemptions.
    #[cfg_attr(feature = "ssr", schema(max_length = 64))]
    pub campaign: Option<String>,
}

/// Body of `PATCH /api/v1/offers/{id}`; `validFrom`/`validUntil` set to `""` clear them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OfferUpdate {
    #[cfg_attr(feature = "ssr", schema(min_length = 1, max_length = 200, pattern = "\\S"))]
    pub name: Option<String>,
    #[cfg_attr(feature = "ssr", schema(min_length = 1))]
    pub redemption_method_id: Option<String>,
    #[cfg_attr(feature = "ssr", schema(min_items = 1, max_items = 20))]
    pub price_ids: Option<Vec<String>>,
    pub presentation: Option<OfferPresentation>,
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Object>))]
    pub instructions: Option<serde_json::Value>,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
    pub audience: Option<Audience>,
    /// `""` clears it.
    #[cfg_attr(feature = "ssr", schema(max_length = 64))]
    pub campaign: Option<String>,
}

/// The contract's `identity`: exactly one of the three.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IdentityInput {
    pub user_identifier: Option<String>,
    pub anonymous_identifier: Option<String>,
    pub create_anonymous_identifier: Option<bool>,
}

/// Whether the merchant named the user (`authenticated`, a secret key's `userIdentifier`) or the
/// visitor is known only by an `anon_…` identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum IdentityKind {
    Anonymous,
    Authenticated,
}

wire_names!(IdentityKind { Anonymous => "anonymous", Authenticated => "authenticated" });

/// An identity as the workflow sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Identity {
    #[serde(rename = "type")]
    pub kind: IdentityKind,
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
            return Ok(Identity { kind: IdentityKind::Authenticated, identifier: clean(u, "identity.userIdentifier")? });
        }
        if let Some(a) = &self.anonymous_identifier {
            return Ok(Identity { kind: IdentityKind::Anonymous, identifier: clean(a, "identity.anonymousIdentifier")? });
        }
        if self.create_anonymous_identifier == Some(true) {
            return Ok(Identity { kind: IdentityKind::Anonymous, identifier: mint() });
        }
        Err(crate::error::AppError::field("identity.createAnonymousIdentifier", "must be true"))
    }
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
