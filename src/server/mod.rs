//! Everything that runs only on the server: configuration, storage, auth, domain services, the
//! JSON API and start-up. Compiled with the `ssr` feature only.
pub mod api;
pub mod auth;
pub mod cli;
pub mod client_ip;
pub mod clock;
pub mod config;
pub mod coupon_cache;
pub mod db;
pub mod ratelimit;
pub mod recorder;
pub mod secrets;
pub mod services;
pub mod snapshot;
pub mod startup;
pub mod state;
pub mod stripe;
pub mod telemetry;
pub mod tokens;
pub mod tz;
pub mod webhooks_out;
pub mod workflow;

pub use state::AppState;

use crate::error::AppError;

/// Turns an unexpected failure into the generic internal error, logging the cause exactly once
/// (the request span carries the trace id). The cause never leaves the server.
pub fn internal(context: &str, err: impl std::fmt::Display) -> AppError {
    tracing::error!(trace_id = %telemetry::current_trace_id(), "{context}: {err}");
    AppError::internal()
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        internal("database error", e)
    }
}

/// How every door answers an error (server functions, `/api/v1`, the coupon CSV download,
/// Stripe's events): the HTTP status of its code and, when rate limited, `Retry-After`.
pub fn error_status(e: &AppError) -> (http::StatusCode, Option<http::HeaderValue>) {
    let status = http::StatusCode::from_u16(e.status()).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    (status, e.retry_after.map(http::HeaderValue::from))
}

/// True when the database refused a row because of a unique constraint (both backends).
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.kind() == sqlx::error::ErrorKind::UniqueViolation)
}
