//! Types shared by the server and the browser, and the validation rules that belong to them.
//! No sqlx, no axum: this module compiles to WebAssembly too. One file per area, named as in
//! `server/services/` and `server/db/`; everything is re-exported here, so `crate::model::X`
//! names any of them.
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

/// A tenant-owned object as both doors answer it: camelCase on the wire and in the OpenAPI
/// document, ending with the stamps every such object has — its environment and when it was
/// created and last changed (RFC 3339), the columns `db::row::stamped!` reads.
macro_rules! resource {
    ($(#[$m:meta])* pub struct $name:ident { $($(#[$fm:meta])* pub $field:ident: $ty:ty),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            $($(#[$fm])* pub $field: $ty,)*
            pub environment: $crate::model::Environment,
            /// RFC 3339, UTC
            pub created_at: String,
            /// RFC 3339, UTC
            pub updated_at: String,
        }
    };
}

// Declared after `wire_names!` and `resource!` so the macros are in scope in them.
mod analytics;
mod api_keys;
mod checkout;
mod coupons;
mod discounts;
mod events;
mod experiences;
mod html;
mod integrations;
mod methods;
mod names;
mod offers;
mod prices;
mod products;
mod rates;
mod schemas;
mod signup;
mod surfaces;
mod tenants;
mod users;
mod versions;
mod webhooks;

pub use analytics::*;
pub use api_keys::*;
pub use checkout::*;
pub use coupons::*;
pub use discounts::*;
pub use events::*;
pub use experiences::*;
pub use html::*;
pub use integrations::*;
pub use methods::*;
pub use names::*;
pub use offers::*;
pub use prices::*;
pub use products::*;
pub use rates::*;
pub use schemas::*;
pub use signup::*;
pub use surfaces::*;
pub use tenants::*;
pub use users::*;
pub use versions::*;
pub use webhooks::*;

// The one list type of both doors: server functions and `/api/v1` (the OpenAPI document names
// each use `<T>Page`).
/// One page of a list: `data`, and whether more follow (`hasMore`); the next page starts after
/// the last item of `data`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub data: Vec<T>,
    pub has_more: bool,
}

pub const DEFAULT_PAGE_SIZE: i64 = 50;
pub const MAX_PAGE_SIZE: i64 = 100;
