//! What bounds a workflow run (the operator's [`Limits`] and the fixed caps on what a run
//! hands back), what a run may call out to ([`Host`]), and what it answers.
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Limits {
    pub memory_bytes: usize,
    /// CPU time of the script itself (`OFFERDECK_WORKFLOW_CPU_MS`).
    pub cpu: Duration,
    /// From the start of the run, waiting on Stripe included (`OFFERDECK_WORKFLOW_WALL_MS`).
    pub wall: Duration,
    /// Runs at a time in this process (`OFFERDECK_WORKFLOW_CONCURRENCY`).
    pub max_concurrent: usize,
    /// Runs of one tenant at a time, within `max_concurrent` and at most it
    /// (`OFFERDECK_WORKFLOW_TENANT_CONCURRENCY`): one tenant cannot take every slot.
    pub tenant_concurrent: usize,
    /// How long a run waits for a slot before it is refused with 429 `rate_limited`
    /// (`OFFERDECK_WORKFLOW_QUEUE_MS`).
    pub queue_wait: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            memory_bytes: 32 << 20,
            cpu: Duration::from_millis(100),
            wall: Duration::from_secs(10),
            max_concurrent: 16,
            tenant_concurrent: 4,
            queue_wait: Duration::from_millis(2000),
        }
    }
}

/// Integration calls (`integrations.stripe.request`) one run may make; the next one throws.
pub const MAX_INTEGRATION_CALLS: usize = 50;
/// A request the workflow hands to an integration, as JSON.
pub const MAX_REQUEST_BYTES: usize = 256 << 10;
/// An integration's answer handed back to the workflow, as JSON (the Stripe client already stops
/// reading a response at `stripe::MAX_RESPONSE_BYTES`).
pub const MAX_ANSWER_BYTES: usize = 2 << 20;
/// The workflow's result as JSON, `properties` included.
pub const MAX_RESULT_BYTES: usize = 64 << 10;
/// `message` of a result.
pub const MAX_MESSAGE_CHARS: usize = 2_000;
/// `url` of a result.
pub const MAX_URL_CHARS: usize = 8_192;
/// Log lines kept per run, characters per line, and bytes in all; past them one last line says
/// that the logs were truncated.
pub const MAX_LOG_LINES: usize = 200;
pub const MAX_LOG_LINE: usize = 2_000;
pub const MAX_LOG_BYTES: usize = 64 << 10;
pub const LOGS_TRUNCATED: &str = "… logs truncated";
/// The message of an error the workflow threw, as reported and stored.
pub const MAX_FAILURE_CHARS: usize = 2_000;
/// What the sandbox may call out to. `stripe_request` gets `{method, path, body}` and answers
/// `{ok, status, data}`; the secret key stays on the host side.
pub trait Host: Send + Sync + 'static {
    fn stripe_request(&self, request: serde_json::Value) -> Pin<Box<dyn Future<Output = serde_json::Value> + Send>>;
    /// offerdeck's own services (`integrations.offerdeck.…`): `op` such as
    /// `checkoutSessions.create`, answered with the object or `{"error": {code, message, fields}}`.
    /// None by default (a host without them answers an error).
    fn offerdeck_request(&self, op: String, input: serde_json::Value) -> Pin<Box<dyn Future<Output = serde_json::Value> + Send>> {
        let _ = input;
        Box::pin(async move { serde_json::json!({"error": {"code": "not_found", "message": format!("{op} is not available here")}}) })
    }
}

/// A workflow's answer, checked: `{success, statusCode?, action?: "navigate", url?, properties?, message?}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowResult {
    pub success: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_code: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub properties: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Why a run failed; `line` is in the code as typed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkflowFailure {
    pub message: String,
    pub line: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunOutcome {
    pub result: Result<WorkflowResult, WorkflowFailure>,
    pub logs: Vec<String>,
    pub duration_ms: f64,
}

/// No slot for the run within `Limits::queue_wait`: answered 429 `rate_limited` with
/// `Retry-After`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy {
    /// The tenant's share was taken (else the whole process's).
    pub tenant: bool,
}

impl std::fmt::Display for Busy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.tenant {
            f.write_str("too many workflows of this account are running at once; retry in a moment")
        } else {
            f.write_str("too many workflows are running at once; retry in a moment")
        }
    }
}

impl From<Busy> for crate::error::AppError {
    fn from(b: Busy) -> Self {
        crate::error::AppError::retry_after(b.to_string(), 1)
    }
}
