//! One sign-up cart: its customer, quote (per offering and item), payment method, Stripe ids,
//! and the history of its actions with each request and answer.
use super::state_badge;
use crate::model::{SignUpCartDetail, format_amount};
use crate::server_fns::signups::load_signup;
use crate::ui::components::{DetailPage, ListTable, cols, path_param, short_time};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SignUpPage() -> impl IntoView {
    let id = path_param("id");
    let detail = Resource::new(id, load_signup);
    view! {
        <DetailPage back="/signups" back_label="Sign-ups" data=detail error_title="Sign-up cart" let:d>
            <CartView detail=d/>
        </DetailPage>
    }
}

fn or_dash(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "—".into())
}

#[component]
fn CartView(detail: SignUpCartDetail) -> impl IntoView {
    let c = detail.cart.clone();
    let customer = c.customer.clone();
    let quote = c.quote.clone();
    let currency = quote.as_ref().map(|q| q.currency.clone()).unwrap_or_default();
    let names = detail.product_names.clone();
    let name_of = move |id: &str| names.iter().find(|(p, _)| p == id).map(|(_, n)| n.clone()).unwrap_or_else(|| id.to_string());
    let lines: Vec<(String, String, i64, String)> = quote
        .iter()
        .flat_map(|q| q.offerings.iter())
        .flat_map(|o| o.items.iter().map(move |i| (o.rate_id.clone(), i.product_id.clone(), i.quantity, i.amount)))
        .map(|(rate, product, qty, amount)| (rate, name_of(&product), qty, format_amount(amount, &currency)))
        .collect();
    let money = {
        let currency = quote.as_ref().map(|q| q.currency.clone()).unwrap_or_default();
        move |v: i64| format_amount(v, &currency)
    };
    let pm = c.payment_method.clone();
    let address = customer
        .as_ref()
        .and_then(|c| c.billing_address.clone())
        .map(|a| [a.line1, a.line2, a.city, a.state, a.postal_code, a.country].into_iter().flatten().collect::<Vec<_>>().join(", "));
    let account = customer.as_ref().map(|c| c.account_name.clone()).unwrap_or_default();
    view! {
        <Title text=format!("{account} · Sign-ups · offerdeck")/>
        <h1>{account.clone()}" "{c.state.map(state_badge)}</h1>
        <dl class="facts">
            <dt>"Cart"</dt><dd><code>{or_dash(&c.session_id)}</code></dd>
            <dt>"Contact"</dt><dd>{customer.as_ref().map(|c| format!("{} <{}>", c.contact_name, c.contact_email)).unwrap_or_default()}</dd>
            <dt>"Billing address"</dt><dd>{address.unwrap_or_else(|| "—".into())}</dd>
            <dt>"Stripe customer"</dt><dd><code>{or_dash(&customer.as_ref().and_then(|c| c.account_id.clone()))}</code></dd>
            <dt>"Payment method"</dt><dd>{match pm {
                Some(p) => format!("{} •••• {} ({})", p.brand.unwrap_or_else(|| "card".into()), p.last4.unwrap_or_default(), p.id),
                None => "—".into(),
            }}</dd>
            <dt>"SetupIntent"</dt><dd><code>{or_dash(&detail.setup_intent_id)}</code></dd>
            <dt>"Collection"</dt><dd>{c.bill_group.as_ref().map(|b| if b.collect_invoice_balance_automatically { "charged automatically" } else { "invoice sent" }).unwrap_or("—")}</dd>
            <dt>"Contract"</dt><dd><code>{c.contract.as_ref().map(|k| k.id.clone()).unwrap_or_else(|| "—".into())}</code></dd>
            <dt>"Stripe subscription"</dt><dd><code>{or_dash(&detail.stripe_subscription_id)}</code></dd>
            <dt>"Stripe schedule"</dt><dd><code>{or_dash(&detail.stripe_schedule_id)}</code></dd>
            <dt>"Invoice"</dt><dd><code>{or_dash(&detail.stripe_invoice_id)}</code>{c.invoice.as_ref().map(|i| format!(" · {}", money(i.amount)))}</dd>
            <dt>"Payment"</dt><dd><code>{or_dash(&detail.stripe_payment_intent_id)}</code></dd>
            <dt>"Created"</dt><dd>{short_time(&detail.created_at)}</dd>
            <dt>"Expires"</dt><dd>{c.expires_at.as_deref().map(short_time).unwrap_or_else(|| "—".into())}</dd>
        </dl>
        <section class="panel" aria-labelledby="su-quote">
            <h2 id="su-quote">"Quote"</h2>
            <p>{quote.as_ref().map(|q| {
                let discount = q.discount.as_ref().map(|d| format!(" after {} off (code {})", money(d.amount), d.code)).unwrap_or_default();
                format!("{} {}{discount}, starting {} · {:?}", money(q.amount), q.interval.clone().map(|i| format!("per {i}")).unwrap_or_default(), q.start_date, q.status)
            })}</p>
            <ListTable rows=lines headers=cols(&["Rate", "Product", "Quantity", "Amount"]) empty="No items." label="Quote items" let:l>
                <tr><td><code>{l.0.clone()}</code></td><td>{l.1.clone()}</td><td>{l.2}</td><td>{l.3.clone()}</td></tr>
            </ListTable>
        </section>
        <section class="panel" aria-labelledby="su-history">
            <h2 id="su-history">"History"</h2>
            <ListTable rows=detail.history.clone() headers=cols(&["Time", "Action", "Status", "Request", "Answer"]) empty="No actions yet." label="History" let:h>
                <tr>
                    <td>{short_time(&h.created_at)}</td>
                    <td><code>{h.action.clone()}</code></td>
                    <td>{h.status_code}</td>
                    <td><details><summary>"Request"</summary><pre>{pretty(&h.request)}</pre></details></td>
                    <td><details><summary>{answer_summary(&h.response)}</summary><pre>{pretty(&h.response)}</pre></details></td>
                </tr>
            </ListTable>
        </section>
    }
}

/// The answer's `action` (or error code), shown before the answer is opened.
fn answer_summary(text: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
    v.get("action").or_else(|| v.get("code")).and_then(|a| a.as_str()).unwrap_or("Answer").to_string()
}

fn pretty(text: &str) -> String {
    serde_json::from_str::<serde_json::Value>(text).ok().and_then(|v| serde_json::to_string_pretty(&v).ok()).unwrap_or_else(|| text.to_string())
}
