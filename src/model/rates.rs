//! Rates of an offer (API.md §12): the wire types of `/api/v1/offers/{id}/rates`. A rate is a
//! name and a set of the offer's prices, one per product, all of one currency and interval; a
//! sign-up cart names one as `rateId`.
use super::{PriceInterval, ProductStatus};
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use utoipa::ToSchema;

resource! {
    pub struct Rate {
        /// `rate_…`
        pub id: String,
        /// `off_…`
        pub offer_id: String,
        pub name: String,
        pub currency: String,
        /// `null` for one-off prices.
        pub interval: Option<PriceInterval>,
        /// The rate's prices, one per product.
        pub price_ids: Vec<String>,
        /// The product of each price, in the same order.
        pub product_ids: Vec<String>,
        /// Offered on self-service sign-up pages.
        pub self_service: bool,
        pub status: ProductStatus,
    }
}

/// Body of `POST /api/v1/offers/{id}/rates`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RateCreate {
    #[cfg_attr(feature = "ssr", schema(min_length = 1, max_length = 100, pattern = "\\S"))]
    pub name: String,
    /// Prices of the offer, one per product, of one currency and interval.
    #[cfg_attr(feature = "ssr", schema(min_items = 1, max_items = 20))]
    pub price_ids: Vec<String>,
    /// Default `true`.
    pub self_service: Option<bool>,
}

/// Body of `PATCH /api/v1/offers/{id}/rates/{rateId}`: only the given fields change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RateUpdate {
    #[cfg_attr(feature = "ssr", schema(min_length = 1, max_length = 100, pattern = "\\S"))]
    pub name: Option<String>,
    #[cfg_attr(feature = "ssr", schema(min_items = 1, max_items = 20))]
    pub price_ids: Option<Vec<String>>,
    pub self_service: Option<bool>,
    /// `active` or `archived`.
    pub status: Option<ProductStatus>,
}

pub const RATE_NAME_MAX: usize = 100;
pub const RATE_PRICES_MAX: usize = 20;
