//! The one error type of offerdeck. It crosses the wire to the browser (server functions) and is
//! turned into the contract's error body under `/api/v1`. Internal detail never goes into it:
//! the server logs the cause once, with the trace id, and sends only a generic message.
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    ValidationFailed,
    Unauthenticated,
    Forbidden,
    NotFound,
    Conflict,
    IdempotencyKeyReused,
    RateLimited,
    /// Stripe refused the call or could not be reached (502).
    StripeError,
    /// A coupon that is archived, expired, not yet valid or used up (404).
    InvalidOrExpired,
    /// A tampered, expired or foreign offer token (400).
    InvalidOfferToken,
    /// An offer token minted for another user (403).
    TokenIdentityMismatch,
    /// A workflow threw, timed out or ran out of memory (531).
    WorkflowError,
    /// Stripe declined the payment of a sign-up cart's first invoice (402).
    PaymentFailed,
    Internal,
}

impl ErrorCode {
    pub fn status(self) -> u16 {
        match self {
            ErrorCode::ValidationFailed => 400,
            ErrorCode::Unauthenticated => 401,
            ErrorCode::Forbidden => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::Conflict | ErrorCode::IdempotencyKeyReused => 409,
            ErrorCode::RateLimited => 429,
            ErrorCode::StripeError => 502,
            ErrorCode::InvalidOrExpired => 404,
            ErrorCode::InvalidOfferToken => 400,
            ErrorCode::TokenIdentityMismatch => 403,
            ErrorCode::WorkflowError => 531,
            ErrorCode::PaymentFailed => 402,
            ErrorCode::Internal => 500,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::ValidationFailed => "validation_failed",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Conflict => "conflict",
            ErrorCode::IdempotencyKeyReused => "idempotency_key_reused",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::StripeError => "stripe_error",
            ErrorCode::InvalidOrExpired => "invalid_or_expired",
            ErrorCode::InvalidOfferToken => "invalid_offer_token",
            ErrorCode::TokenIdentityMismatch => "token_identity_mismatch",
            ErrorCode::WorkflowError => "workflow_error",
            ErrorCode::PaymentFailed => "payment_failed",
            ErrorCode::Internal => "internal",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
    /// Field name → what is wrong with it; shown under the input in forms.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
    /// Problems at positions in submitted code (workflow saves).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<CodeError>,
    /// Seconds the caller should wait before retrying (`Retry-After` on 429 and 503 answers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

/// A problem in submitted code; line and column are 1-based, in the code as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CodeError {
    pub line: u32,
    pub column: u32,
    pub message: String,
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), fields: BTreeMap::new(), errors: Vec::new(), retry_after: None }
    }
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::ValidationFailed, message)
    }
    /// One field error; the message names the field so that API clients see it without `fields`.
    pub fn field(field: &str, problem: impl Into<String>) -> Self {
        let problem = problem.into();
        let mut e = Self::validation(format!("{field} {problem}"));
        e.fields.insert(field.to_string(), problem);
        e
    }
    pub fn unauthenticated() -> Self {
        Self::new(ErrorCode::Unauthenticated, "authentication required")
    }
    pub fn forbidden() -> Self {
        Self::new(ErrorCode::Forbidden, "your role does not allow this action")
    }
    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("no such {what}"))
    }
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Conflict, message)
    }
    pub fn stripe(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::StripeError, message)
    }
    pub fn rate_limited(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::RateLimited, message)
    }
    /// 429 `rate_limited` with a `Retry-After` of `seconds`.
    pub fn retry_after(message: impl Into<String>, seconds: u64) -> Self {
        Self { retry_after: Some(seconds.max(1)), ..Self::rate_limited(message) }
    }
    /// Generic internal error with no detail; server code uses `server::internal(err)`, which logs.
    pub fn internal() -> Self {
        Self::new(ErrorCode::Internal, "something went wrong on our side; the trace id is in the server log")
    }
    pub fn status(&self) -> u16 {
        self.code.status()
    }
    pub fn field_error(&self, field: &str) -> Option<String> {
        self.fields.get(field).cloned()
    }
}

/// Collects field errors and turns them into one validation error.
#[derive(Default, Debug)]
pub struct FieldErrors(BTreeMap<String, String>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn add(&mut self, field: &str, problem: impl Into<String>) {
        self.0.entry(field.to_string()).or_insert_with(|| problem.into());
    }
    pub fn get(&self, field: &str) -> Option<&String> {
        self.0.get(field)
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Adds `other`'s problems (a field already reported keeps its first problem).
    pub fn merge(&mut self, other: FieldErrors) {
        for (k, v) in other.0 {
            self.0.entry(k).or_insert(v);
        }
    }
    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.0.iter()
    }
    pub fn into_result(self) -> AppResult<()> {
        if self.0.is_empty() {
            return Ok(());
        }
        let message = self.0.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join("; ");
        Err(AppError { code: ErrorCode::ValidationFailed, message, fields: self.0, errors: Vec::new(), retry_after: None })
    }
}

impl leptos::server_fn::error::FromServerFnError for AppError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        use leptos::server_fn::error::ServerFnErrorErr as E;
        match value {
            // A form field that does not parse (a missing or mistyped argument).
            E::Args(m) | E::Deserialization(m) => AppError::validation(format!("invalid form input: {m}")),
            E::Request(_) => AppError::new(ErrorCode::Internal, "the server could not be reached; check your connection"),
            _ => AppError::internal(),
        }
    }
}
