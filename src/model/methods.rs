//! Redemption methods and their workflows: schemas, settings, workflow versions, the default
//! workflows (TypeScript files in `workflows/`), the method page and the version diff.
use super::ProductStatus;
use crate::error::FieldErrors;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub enum MethodSchema {
    #[serde(rename = "stripe-checkout")]
    StripeCheckout,
    #[serde(rename = "custom")]
    Custom,
}

wire_names!(MethodSchema { StripeCheckout => "stripe-checkout", Custom => "custom" });

impl MethodSchema {
    /// The `redemptionSchema` a presented offer carries.
    pub fn redemption_schema(self) -> &'static str {
        match self {
            MethodSchema::StripeCheckout => "mos:stripe-checkout-instructions",
            MethodSchema::Custom => "custom",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            MethodSchema::StripeCheckout => "Stripe Checkout",
            MethodSchema::Custom => "Custom",
        }
    }
}

/// The merchant's URLs, handed to the workflow as `settings` (not literals in the code).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MethodSettings {
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_length = 2000, pattern = "^(https?://\\S{2,})?$"))]
    pub success_url: String,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_length = 2000, pattern = "^(https?://\\S{2,})?$"))]
    pub cancel_url: String,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_length = 2000, pattern = "^(https?://\\S{2,})?$"))]
    pub signup_url: String,
}

fn valid_url(u: &str) -> bool {
    (u.starts_with("https://") || u.starts_with("http://")) && u.len() <= 2000 && !u.contains(char::is_whitespace) && u.len() > 8
}

impl MethodSettings {
    /// Every URL is optional when saved (the seed's recipe creates a method with a name and a
    /// schema only); the default Stripe Checkout workflow says which one is missing when it runs.
    pub fn validate(&self, _schema: MethodSchema, e: &mut FieldErrors) {
        for (field, value) in [("successUrl", &self.success_url), ("cancelUrl", &self.cancel_url), ("signupUrl", &self.signup_url)] {
            if !value.is_empty() && !valid_url(value) {
                e.add(field, "must be an http(s) URL");
            }
        }
    }

    /// The URLs a Stripe Checkout method still needs (camelCase names), for the Manage tab.
    pub fn missing_checkout_urls(&self) -> Vec<&'static str> {
        [("successUrl", &self.success_url), ("cancelUrl", &self.cancel_url), ("signupUrl", &self.signup_url)]
            .into_iter()
            .filter(|(_, v)| v.is_empty())
            .map(|(k, _)| k)
            .collect()
    }
}

resource! {
    pub struct RedemptionMethod {
        /// `rm_…`
        pub id: String,
        pub name: String,
        pub slug: String,
        pub schema: MethodSchema,
        /// e.g. `mos:stripe-checkout-instructions`
        pub redemption_schema: String,
        pub settings: MethodSettings,
        pub status: ProductStatus,
        /// The workflow version the method runs.
        pub current_version: Option<i64>,
    }
}

/// Create body of `POST /api/v1/redemption-methods`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RedemptionMethodCreate {
    #[cfg_attr(feature = "ssr", schema(min_length = 1, max_length = 120, pattern = "[A-Za-z0-9]"))]
    pub name: String,
    /// Derived from the name when omitted.
    #[cfg_attr(feature = "ssr", schema(pattern = "^([a-z0-9][a-z0-9-]{0,63})?$"))]
    pub slug: Option<String>,
    pub schema: MethodSchema,
    /// TypeScript or JavaScript; the schema's default workflow when omitted.
    pub workflow: Option<String>,
    pub settings: Option<MethodSettings>,
}

/// Body of `PATCH /api/v1/redemption-methods/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RedemptionMethodUpdate {
    #[cfg_attr(feature = "ssr", schema(min_length = 1, max_length = 120, pattern = "\\S"))]
    pub name: Option<String>,
    #[cfg_attr(feature = "ssr", schema(pattern = "^[a-z0-9][a-z0-9-]{0,63}$"))]
    pub slug: Option<String>,
    pub settings: Option<MethodSettings>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct WorkflowVersion {
    pub id: String,
    pub version: i64,
    pub source: String,
    pub created_by: String,
    pub created_at: String,
}

/// The Stripe Checkout schema's default workflow.
pub const DEFAULT_STRIPE_CHECKOUT_WORKFLOW: &str = include_str!("workflows/stripe_checkout.ts");

/// The custom schema's default workflow.
pub const DEFAULT_CUSTOM_WORKFLOW: &str = include_str!("workflows/custom.ts");

impl MethodSchema {
    pub fn default_workflow(self) -> &'static str {
        match self {
            MethodSchema::StripeCheckout => DEFAULT_STRIPE_CHECKOUT_WORKFLOW,
            MethodSchema::Custom => DEFAULT_CUSTOM_WORKFLOW,
        }
    }
}

/// A redemption method's page: the method, its workflow history and the offers to test with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MethodDetail {
    pub method: RedemptionMethod,
    pub versions: Vec<WorkflowVersion>,
    pub offers: Vec<(String, String)>,
    /// The last test run, shown once (how a test run reaches the page without JavaScript).
    pub last_test: Option<TestRunView>,
}

/// What the dashboard's test-run panel shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestRunView {
    pub ok: bool,
    /// Pretty JSON of the result, or the error message.
    pub output: String,
    pub error_line: Option<u32>,
    pub logs: Vec<String>,
    pub duration_ms: f64,
}

/// A line diff (`' '` same, `'-'` removed, `'+'` added) by longest common subsequence; used
/// to show what a workflow version changed.
pub fn line_diff(old: &str, new: &str) -> Vec<(char, String)> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    if a.len() * b.len() > 4_000_000 {
        return a.iter().map(|l| ('-', l.to_string())).chain(b.iter().map(|l| ('+', l.to_string()))).collect();
    }
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            out.push((' ', a[i].to_string()));
            i += 1;
            j += 1;
        } else if lcs[i + 1][j] >= lcs[i][j + 1] {
            out.push(('-', a[i].to_string()));
            i += 1;
        } else {
            out.push(('+', b[j].to_string()));
            j += 1;
        }
    }
    out.extend(a[i..].iter().map(|l| ('-', l.to_string())));
    out.extend(b[j..].iter().map(|l| ('+', l.to_string())));
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn diffs_lines() {
        let d = super::line_diff("a\nb\nc\n", "a\nx\nc\nd\n");
        assert_eq!(d, vec![(' ', "a".into()), ('-', "b".into()), ('+', "x".into()), (' ', "c".into()), ('+', "d".into())]);
    }
}
