//! Reading model types out of rows: [`stamped!`] builds a struct whose plain fields read the
//! column of the same name and that ends with the stamps every scoped row has (`environment`,
//! `created_at`, `updated_at`); [`impl_record!`] declares the [`Record`](super::record::Record) of a
//! table; the functions read the columns that need a conversion (instants, JSON, statuses).
//! sqlx's `FromRow` derive was the alternative: the model types also compile to WebAssembly
//! without sqlx, and most of their fields need a conversion from the column.
use crate::model::ProductStatus;
use serde::de::DeserializeOwned;
use sqlx::Row;
use sqlx::any::AnyRow;

/// `Ok(T { plain: column "plain", …, other: expr, …, environment, created_at, updated_at })`.
macro_rules! stamped {
    ($r:ident => $ty:ident { $($col:ident),* $(; $($field:ident: $e:expr),* )? $(,)? }) => {
        Ok($ty {
            $($col: sqlx::Row::try_get($r, stringify!($col))?,)*
            $($($field: $e,)*)?
            environment: $crate::server::db::env_of(&sqlx::Row::try_get::<String, _>($r, "environment")?),
            created_at: $crate::server::db::row::time($r, "created_at")?,
            updated_at: $crate::server::db::row::time($r, "updated_at")?,
        })
    };
}

/// `impl Record for $ty`: its table, the columns `$map` reads, and `$map`.
macro_rules! impl_record {
    ($ty:ty, $table:literal, $cols:expr, $map:path) => {
        impl $crate::server::db::record::Record for $ty {
            const TABLE: &'static str = $table;
            const COLS: &'static str = $cols;
            fn from_row(r: &sqlx::any::AnyRow) -> Result<Self, sqlx::Error> {
                $map(r)
            }
        }
    };
}

pub(crate) use {impl_record, stamped};

/// An instant column (unix ms) as RFC 3339.
pub fn time(r: &AnyRow, col: &str) -> Result<String, sqlx::Error> {
    Ok(super::ms_to_rfc3339(r.try_get(col)?))
}

/// A nullable instant column as RFC 3339.
pub fn time_opt(r: &AnyRow, col: &str) -> Result<Option<String>, sqlx::Error> {
    Ok(r.try_get::<Option<i64>, _>(col)?.map(super::ms_to_rfc3339))
}

/// A JSON text column; the type's default when it does not parse (rows written by this code
/// always do).
pub fn json<T: DeserializeOwned + Default>(r: &AnyRow, col: &str) -> Result<T, sqlx::Error> {
    Ok(serde_json::from_str(&r.try_get::<String, _>(col)?).unwrap_or_default())
}

/// The `status` column of an archivable row (an unknown value reads as archived).
pub fn status(r: &AnyRow) -> Result<ProductStatus, sqlx::Error> {
    Ok(ProductStatus::parse(&r.try_get::<String, _>("status")?).unwrap_or(ProductStatus::Archived))
}
