//! Discount rules: the list with the new-rule form (`list.rs`) and a rule's page with "try it"
//! (`detail.rs`). `recompute-discounts` of a checkout session applies the best matching rule.
mod detail;
mod list;

pub use detail::DiscountRulePage;
pub use list::DiscountRulesPage;

use crate::model::{DiscountRule, DiscountRuleType, format_amount};

/// "10% over 100.00 (at most 20.00)", "loyal after 2 checkouts: 15%", "workflow".
fn summary(r: &DiscountRule) -> String {
    let cur = r.currency.as_deref().unwrap_or("gbp");
    let off = |p: Option<i64>, a: Option<i64>| match (p, a) {
        (Some(p), _) => format!("{p}%"),
        (None, Some(a)) => format_amount(a, cur),
        _ => "—".into(),
    };
    match r.rule_type {
        DiscountRuleType::CartValue => r
            .tiers
            .iter()
            .map(|t| {
                let cap = t.max_amount_off.map(|m| format!(" (at most {})", format_amount(m, cur))).unwrap_or_default();
                format!("{} off from {}{cap}", off(t.percent_off, t.amount_off), format_amount(t.min_subtotal, cur))
            })
            .collect::<Vec<_>>()
            .join("; "),
        DiscountRuleType::Loyalty => format!("{} off after {} completed checkouts", off(r.percent_off, r.amount_off), r.min_completed_checkouts.unwrap_or(0)),
        DiscountRuleType::Workflow => "computed by its TypeScript".into(),
    }
}
