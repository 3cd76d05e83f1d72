//! One checkout session: what it sells, its customer, Stripe ids and amounts, its metadata,
//! every discount applied to it and the timeline of what happened (events and webhooks).
use super::{discount_label, money, status_badge};
use crate::model::{CheckoutSessionDetail, CheckoutStatus};
use crate::server_fns::checkout::{ExpireCheckoutSession, load_checkout_session};
use crate::ui::components::{ButtonForm, DangerPanel, DetailPage, ListTable, action_error, cols, path_param, short_time};
use crate::ui::layout::can_edit;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn CheckoutSessionPage() -> impl IntoView {
    let id = path_param("id");
    let expire = ServerAction::<ExpireCheckoutSession>::new();
    let detail = Resource::new(move || (id(), expire.version().get()), |(id, _)| load_checkout_session(id));
    let editable = can_edit();
    view! {
        <DetailPage back="/checkout-sessions" back_label="Checkout sessions" data=detail error_title="Checkout session" let:d>
            <SessionView detail=d editable expire/>
        </DetailPage>
    }
}

fn or_dash(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "—".into())
}

#[component]
fn SessionView(detail: CheckoutSessionDetail, editable: bool, expire: ServerAction<ExpireCheckoutSession>) -> impl IntoView {
    let s = detail.session.clone();
    let metadata: Vec<(String, String)> =
        s.metadata.iter().map(|(k, v)| (k.clone(), v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()))).collect();
    let open = s.status == CheckoutStatus::Pending;
    let currency = s.currency.clone();
    let amount = move |v: i64| crate::model::format_amount(v, &currency);
    view! {
        <Title text=format!("{} · offerdeck", s.id)/>
        <h1><code>{s.id.clone()}</code>" "{status_badge(s.status)}</h1>
        <dl class="facts">
            <dt>"Product"</dt><dd><a href=format!("/catalogue/products/{}", s.product_id)>{detail.product_name.clone()}</a>{format!(" · {} × {}", detail.price_display, s.units)}</dd>
            <dt>"Request id"</dt><dd>{or_dash(&s.request_id)}</dd>
            <dt>"Customer"</dt><dd>{or_dash(&s.customer.email)}" "<code>{or_dash(&s.customer.stripe_customer_id)}</code></dd>
            <dt>"Subtotal"</dt><dd>{money(s.amount_subtotal, &s)}</dd>
            <dt>"Discount"</dt><dd>{discount_label(&s)}</dd>
            <dt>"Total"</dt><dd>{money(s.amount_total, &s)}</dd>
            <dt>"Mode"</dt><dd>{format!("{} · {} page", s.mode, s.ui_mode.as_str())}</dd>
            <dt>"Stripe session"</dt><dd><code>{or_dash(&s.stripe_checkout_session_id)}</code></dd>
            <dt>"Stripe subscription"</dt><dd><code>{or_dash(&s.stripe_subscription_id)}</code></dd>
            <dt>"Success URL"</dt><dd>{s.success_url.clone()}</dd>
            <dt>"Cancel URL"</dt><dd>{s.cancel_url.clone()}</dd>
            <dt>"Created"</dt><dd>{short_time(&s.created_at)}</dd>
            <dt>"Expires"</dt><dd>{short_time(&s.expires_at)}</dd>
            <dt>"Completed"</dt><dd>{s.completed_at.as_deref().map(short_time).unwrap_or_else(|| "—".into())}</dd>
        </dl>
        <section class="panel" aria-labelledby="cs-metadata">
            <h2 id="cs-metadata">"Metadata"</h2>
            <ListTable rows=metadata headers=cols(&["Key", "Value"]) empty="No metadata." label="Metadata" let:m>
                <tr><td><code>{m.0.clone()}</code></td><td>{m.1.clone()}</td></tr>
            </ListTable>
        </section>
        <section class="panel" aria-labelledby="cs-discounts">
            <h2 id="cs-discounts">"Discount applications"</h2>
            <ListTable rows=detail.discounts.clone() headers=cols(&["Source", "Rule or code", "Total before", "Total after", "Time"]) empty="No discount was changed on the server." label="Discount applications" let:a>
                <tr>
                    <td>{a.source.clone()}</td>
                    <td>{a.code.clone().or(a.rule_id.clone()).unwrap_or_else(|| "—".into())}</td>
                    <td class="num">{amount(a.amount_before)}</td>
                    <td class="num">{amount(a.amount_after)}</td>
                    <td>{short_time(&a.created_at)}</td>
                </tr>
            </ListTable>
        </section>
        <section class="panel" aria-labelledby="cs-timeline">
            <h2 id="cs-timeline">"Timeline"</h2>
            <ol class="timeline">
                {detail.timeline.iter().map(|e| view! {
                    <li><span class="muted">{short_time(&e.created_at)}</span>" "<strong>{e.kind.clone()}</strong>" "{e.detail.clone()}</li>
                }).collect_view()}
            </ol>
        </section>
        {(editable && open).then(|| view! {
            <DangerPanel heading="Expire" error=action_error(expire)
                text="Expiring closes the session in Stripe too; the buyer can no longer pay, and a coupon it holds is released.">
                <ButtonForm action=expire hidden=vec![("id", s.id.clone())] label="Expire session" class="button-danger"/>
            </DangerPanel>
        })}
    }
}
