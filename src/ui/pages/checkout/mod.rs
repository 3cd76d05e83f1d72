//! Checkout sessions: the list (`list.rs`) and one session's page with its Stripe ids,
//! metadata, discount applications and timeline (`detail.rs`). Marketers read; merchants may
//! expire an open session.
mod detail;
mod list;

pub use detail::CheckoutSessionPage;
pub use list::CheckoutSessionsPage;

use crate::model::{CheckoutSession, CheckoutStatus, format_amount};
use leptos::prelude::*;

fn status_badge(s: CheckoutStatus) -> impl IntoView {
    let class = match s {
        CheckoutStatus::Pending => "badge badge-warn",
        CheckoutStatus::Completed => "badge badge-active",
        CheckoutStatus::Expired => "badge badge-archived",
    };
    view! { <span class=class>{s.as_str()}</span> }
}

fn money(amount: i64, s: &CheckoutSession) -> String {
    format_amount(amount, &s.currency)
}

/// "10.00 off (code SPRING10)", "—" without a discount.
fn discount_label(s: &CheckoutSession) -> String {
    match &s.discount {
        None => "—".into(),
        Some(d) => {
            let by = match (&d.code, &d.rule_id) {
                (Some(c), _) => format!("code {c}"),
                (_, Some(r)) => format!("rule {r}"),
                _ => d.source.clone(),
            };
            format!("{} off ({by})", money(s.amount_discount, s))
        }
    }
}
