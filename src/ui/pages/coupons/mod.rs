//! Discounts → Coupons (`server_fns::coupons`): the list with status badges, `used / max`,
//! filters by status and campaign, search, counts per campaign and the CSV export (`list`); the
//! new-coupon form that checks the crxpay rules as the merchant types, with the same Rust
//! function the server runs (`new`); a coupon's page with its redemptions, a per-day count and
//! archive (`detail`). The labels all three show are here.
mod batch;
mod detail;
mod list;
mod new;

pub use batch::{BatchPage, NewBatchPage, batch_badge};
pub use detail::CouponPage;
pub use list::CouponsPage;
pub use new::NewCouponPage;

use crate::model::{Coupon, CouponStatus, CouponType, format_amount};
use leptos::prelude::*;

fn status_badge(s: CouponStatus) -> impl IntoView {
    let class = match s {
        CouponStatus::Active => "badge badge-active",
        CouponStatus::Archived => "badge badge-archived",
        CouponStatus::Expired | CouponStatus::Exhausted => "badge badge-warn",
    };
    view! { <span class=class>{s.as_str()}</span> }
}

/// "30 % off", "£5.00 off", "3 months free".
fn amount_label(c: &Coupon) -> String {
    match c.coupon_type {
        CouponType::Percentage => format!("{} % off", c.amount),
        CouponType::Fixed => format!("{} off", format_amount(c.amount, c.currency.as_deref().unwrap_or("usd"))),
        CouponType::FirstNMonths => format!("{} month{} free", c.amount, if c.amount == 1 { "" } else { "s" }),
    }
}

fn repeat_label(c: &Coupon) -> String {
    match (c.coupon_type, c.repeat_months) {
        (CouponType::FirstNMonths, _) => "—".into(),
        (_, None) => "once".into(),
        (_, Some(n)) => format!("{n} month{}", if n == 1 { "" } else { "s" }),
    }
}

fn used_label(c: &Coupon) -> String {
    match c.max_redemptions {
        Some(m) => format!("{} / {m}", c.times_redeemed),
        None => format!("{} / ∞", c.times_redeemed),
    }
}
