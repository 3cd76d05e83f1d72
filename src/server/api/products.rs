//! `/api/v1/products`: the reference resource; every handler is a call into `services::products`.
use super::{ApiActor, ApiJson, ApiQuery, ApiResult, ErrorBody};
use crate::model::{Page, Product, ProductCreate, ProductUpdate};
use crate::server::AppState;
use crate::server::services::products::{self, ListParams};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};

pub fn routes() -> Router<AppState> {
    Router::new().route("/products", get(list).post(create)).route("/products/{id}", get(read).patch(update).delete(archive))
}

list_query! {
    pub struct ListQuery {
        cursor: "The `id` of the last product of the previous page (newest first). An id that names no product of this environment gives an empty page.",
        /// Case-insensitive substring of the name.
        pub q: Option<String>,
        /// `active`, `archived` or `all` (default).
        #[param(schema_with = super::status_filter_product)]
        pub status: Option<String>,
    }
}

/// Products, newest first.
#[utoipa::path(get, path = "/api/v1/products", operation_id = "listProducts", tag = "products", params(ListQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Page<Product>), (status = 400, body = ErrorBody, description = "`validation_failed`: `limit` outside 1–100, an unknown `status` or query parameter")))]
pub async fn list(State(state): State<AppState>, ApiActor(actor): ApiActor, ApiQuery(q): ApiQuery<ListQuery>) -> ApiResult<Json<Page<Product>>> {
    let page = products::list(&state, &actor, ListParams { limit: q.limit, starting_after: q.starting_after, search: q.q, status: q.status }).await?;
    Ok(Json(page))
}

#[utoipa::path(post, path = "/api/v1/products", operation_id = "createProduct", tag = "products", request_body = ProductCreate,
    security(("bearer" = [])),
    responses((status = 201, body = Product), (status = 400, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<ProductCreate>,
) -> ApiResult<(StatusCode, Json<Product>)> {
    Ok((StatusCode::CREATED, Json(products::create(&state, &actor, input).await?)))
}

#[utoipa::path(get, path = "/api/v1/products/{id}", operation_id = "getProduct", tag = "products", params(("id" = String, Path, description = "`prod_…`")),
    security(("bearer" = [])),
    responses((status = 200, body = Product), (status = 404, body = ErrorBody)))]
pub async fn read(State(state): State<AppState>, ApiActor(actor): ApiActor, Path(id): Path<String>) -> ApiResult<Json<Product>> {
    Ok(Json(products::get(&state, &actor, &id).await?))
}

/// Changes the given fields only.
#[utoipa::path(patch, path = "/api/v1/products/{id}", operation_id = "updateProduct", tag = "products", params(("id" = String, Path, description = "`prod_…`")), request_body = ProductUpdate,
    security(("bearer" = [])),
    responses((status = 200, body = Product), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ProductUpdate>,
) -> ApiResult<Json<Product>> {
    Ok(Json(products::update(&state, &actor, &id, input).await?))
}

/// Archives the product: `DELETE` does not delete it (prices and offers keep their history); it
/// answers the product with `status: archived`. Archiving twice is not an error.
#[utoipa::path(delete, path = "/api/v1/products/{id}", operation_id = "archiveProduct", tag = "products", params(("id" = String, Path, description = "`prod_…`")),
    security(("bearer" = [])),
    responses((status = 200, body = Product, description = "The archived product"), (status = 404, body = ErrorBody)))]
pub async fn archive(State(state): State<AppState>, ApiActor(actor): ApiActor, Path(id): Path<String>) -> ApiResult<Json<Product>> {
    Ok(Json(products::set_archived(&state, &actor, &id, true).await?))
}
