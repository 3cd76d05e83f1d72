//! SQL for catalogue products, always within one tenant and environment.
use super::record::one;
use super::row::{self, impl_record, stamped};
use super::{Scoped, like_pattern};
use crate::model::{Product, ProductStatus};
use sqlx::{Any, Executor, Row, any::AnyRow};

const COLS: &str = "id, name, description, status, success_url, cancel_url, environment, created_at, updated_at";

impl_record!(Product, "products", COLS, product);

fn product(r: &AnyRow) -> Result<Product, sqlx::Error> {
    stamped!(r => Product { id, name, description, success_url, cancel_url; status: row::status(r)? })
}

/// A product's editable fields as stored.
pub struct ProductRow<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub success_url: &'a str,
    pub cancel_url: &'a str,
}

pub async fn insert<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, id: &str, p: ProductRow<'_>, now: i64) -> Result<Product, sqlx::Error> {
    let sql = format!(
        "INSERT INTO products (id, tenant_id, environment, name, description, success_url, cancel_url, status, created_at, updated_at) \
         VALUES ($3, $1, $2, $4, $5, $6, $7, 'active', $8, $8) RETURNING {COLS}"
    );
    let q = super::scoped(scope, &sql).bind(id).bind(p.name).bind(p.description).bind(p.success_url).bind(p.cancel_url).bind(now);
    one(q, ex).await?.ok_or(sqlx::Error::RowNotFound)
}

pub struct ListFilter<'a> {
    pub search: Option<&'a str>,
    pub status: Option<ProductStatus>,
    pub starting_after: Option<&'a str>,
    pub limit: i64,
}

/// Newest first. Returns one page and whether more rows follow.
pub async fn list<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, f: ListFilter<'_>) -> Result<(Vec<Product>, bool), sqlx::Error> {
    let sql = format!(
        "SELECT {COLS} FROM products WHERE tenant_id = $1 AND environment = $2 \
         AND ($3 IS NULL OR LOWER(name) LIKE $3 ESCAPE '\\') \
         AND ($4 IS NULL OR status = $4) \
         AND {after} \
         ORDER BY id DESC LIMIT $6",
        after = super::after_cursor("products", "products", 5, super::Keyset::Id, "")
    );
    let rows = super::scoped(scope, &sql)
        .bind(f.search.map(like_pattern))
        .bind(f.status.map(|s| s.as_str().to_string()))
        .bind(f.starting_after.map(str::to_string))
        .bind(f.limit + 1)
        .fetch_all(ex)
        .await?;
    Ok(super::split_page(rows.iter().map(product).collect::<Result<Vec<_>, _>>()?, f.limit))
}

/// Renames or re-describes the product and answers it; `None` when the scope has no such row.
pub async fn update<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, id: &str, p: ProductRow<'_>, now: i64) -> Result<Option<Product>, sqlx::Error> {
    let sql = format!(
        "UPDATE products SET name = $3, description = $4, success_url = $5, cancel_url = $6, updated_at = $7 \
         WHERE tenant_id = $1 AND environment = $2 AND id = $8 RETURNING {COLS}"
    );
    one(super::scoped(scope, &sql).bind(p.name).bind(p.description).bind(p.success_url).bind(p.cancel_url).bind(now).bind(id), ex).await
}

pub async fn count<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped) -> Result<i64, sqlx::Error> {
    super::scoped(scope, "SELECT COUNT(*) FROM products WHERE tenant_id = $1 AND environment = $2").fetch_one(ex).await?.try_get(0)
}
