//! The checkout session list: search by request id or email, filter by status, keyset pages.
use super::{discount_label, money, status_badge};
use crate::model::CheckoutSession;
use crate::server_fns::checkout::checkout_page;
use crate::ui::components::{Col, Field, ListTable, Loaded, Options, PageHead, Pager, choices, page_href, query_param, short_time};
use leptos::prelude::*;

#[component]
pub fn CheckoutSessionsPage() -> impl IntoView {
    let (q, status, after) = (query_param("q"), query_param("status"), query_param("after"));
    let data = Resource::new(move || (q(), status(), after()), |(q, s, a)| checkout_page(q, s, a));
    view! {
        <PageHead title="Checkout sessions"
            intro="One session per payment or sign-up, opened on Stripe Checkout through the API or a redemption workflow. A limited coupon holds one use while its session is open."/>
        <Loaded data let:page>
            {
                let (q, status) = (q().unwrap_or_default(), status().unwrap_or_default());
                let href = |after: Option<&str>| page_href("/checkout-sessions", &[("q", &q), ("status", &status)], after);
                let next = page.has_more.then(|| page.data.last().map(|s| href(Some(&s.id)))).flatten();
                let first = after().is_some().then(|| href(None));
                view! {
                    <form method="get" action="/checkout-sessions" class="filters" role="search">
                        <Field id="cs-q" label="Request id or email">
                            <input id="cs-q" name="q" type="search" value=q.clone()/>
                        </Field>
                        <Field id="cs-status" label="Status">
                            <select id="cs-status" name="status">
                                <Options choices=choices(&[("", "All"), ("pending", "pending"), ("completed", "completed"), ("expired", "expired")]) selected=status.clone()/>
                            </select>
                        </Field>
                        <button type="submit">"Filter"</button>
                    </form>
                    <SessionTable sessions=page.data/>
                    <Pager first next/>
                }
            }
        </Loaded>
    }
}

#[component]
fn SessionTable(sessions: Vec<CheckoutSession>) -> impl IntoView {
    let headers = vec![
        Col::from("Session"),
        Col::from("Status"),
        Col::from("Request id"),
        Col::from("Customer"),
        Col::num("Amount"),
        Col::from("Discount"),
        Col::from("Created"),
    ];
    view! {
        <ListTable rows=sessions headers empty="No checkout sessions match." label="Checkout sessions" let:s>
            <tr>
                <td><a href=format!("/checkout-sessions/{}", s.id)><code>{s.id.clone()}</code></a></td>
                <td>{status_badge(s.status)}</td>
                <td>{s.request_id.clone().unwrap_or_else(|| "—".into())}</td>
                <td>{s.customer.email.clone().or(s.customer.stripe_customer_id.clone()).unwrap_or_else(|| "—".into())}</td>
                <td class="num">{money(s.amount_total, &s)}</td>
                <td>{discount_label(&s)}</td>
                <td>{short_time(&s.created_at)}</td>
            </tr>
        </ListTable>
    }
}
