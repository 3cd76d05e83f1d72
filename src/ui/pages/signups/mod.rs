//! Sign-ups: the list of sign-up carts with the funnel of a period (`list.rs`) and one cart's
//! page with its quote, payment method, Stripe ids and the history of its actions
//! (`detail.rs`). Merchants and marketers read them; carts change only through the API.
mod detail;
mod list;

pub use detail::SignUpPage;
pub use list::SignUpsPage;

use crate::model::CartState;
use leptos::prelude::*;

fn state_badge(s: CartState) -> impl IntoView {
    let (class, label) = match s {
        CartState::Pending => ("badge badge-warn", "Pending"),
        CartState::Finalized => ("badge badge-active", "Finalized"),
        CartState::Canceled => ("badge badge-archived", "Canceled"),
        CartState::Expired => ("badge badge-archived", "Expired"),
    };
    view! { <span class=class>{label}</span> }
}
