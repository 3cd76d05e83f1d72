//! Discount rules on the dashboard, through `services::discounts` like
//! `/api/v1/discount-rules`: the list and the new-rule form, a rule's page with "try it", and
//! deleting a rule. Amounts are typed in major units of the rule's currency.
use crate::error::AppError;
use crate::model::{DiscountRule, DiscountTrialResult};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{server::services::discounts, server_fns::ctx};

/// The new-rule form as posted, all text; `rule_type` picks which fields count (see
/// `services::discounts::create_from_form`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DiscountRuleForm {
    pub name: String,
    pub rule_type: String,
    #[serde(default)]
    pub currency: String,
    #[serde(default)]
    pub min_subtotal: String,
    #[serde(default)]
    pub percent_off: String,
    #[serde(default)]
    pub amount_off: String,
    #[serde(default)]
    pub max_amount_off: String,
    #[serde(default)]
    pub min_completed_checkouts: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub priority: String,
}

#[server(prefix = "/sfn", endpoint = "discounts/list")]
pub async fn discount_rules() -> Result<Vec<DiscountRule>, AppError> {
    ctx::run(|s, a| async move { discounts::all(&s, &a).await }).await
}

/// Creates the rule, then on to its page.
#[server(prefix = "/sfn", endpoint = "discounts/create")]
pub async fn create_discount_rule(#[server(flatten)] form: DiscountRuleForm) -> Result<DiscountRule, AppError> {
    let created = ctx::run(|s, a| async move { discounts::create_from_form(&s, &a, form).await }).await;
    ctx::redirect_on_ok(created, |r| format!("/discounts/rules/{}", r.id))
}

#[server(prefix = "/sfn", endpoint = "discounts/get")]
pub async fn load_discount_rule(id: String) -> Result<DiscountRule, AppError> {
    ctx::run(|s, a| async move { discounts::get(&s, &a, &id).await }).await
}

#[server(prefix = "/sfn", endpoint = "discounts/delete")]
pub async fn delete_discount_rule(id: String) -> Result<(), AppError> {
    ctx::redirect_on_ok(ctx::run(|s, a| async move { discounts::delete(&s, &a, &id).await }).await, |_| "/discounts/rules".into())
}

/// "Try it": what the active rules give a subtotal (major units) and a customer; nothing
/// before a subtotal is typed (the page's GET form carries them in its query).
#[server(prefix = "/sfn", endpoint = "discounts/try")]
pub async fn try_discount_rules(subtotal: String, currency: String, #[server(default)] customer: String) -> Result<Option<DiscountTrialResult>, AppError> {
    if subtotal.trim().is_empty() {
        return Ok(None);
    }
    ctx::run(|s, a| async move { discounts::trial_from_form(&s, &a, &subtotal, &currency, &customer).await.map(Some) }).await
}
