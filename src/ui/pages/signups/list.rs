//! The sign-up cart list: the funnel of a period (created → payment method added → finalized),
//! search by account or email, filter by state, keyset pages.
use super::state_badge;
use crate::model::{SignUpCartRow, SignUpFunnel, format_amount};
use crate::server_fns::signups::signups_page;
use crate::ui::components::{Col, Field, ListTable, Loaded, Options, PageHead, Pager, choices, page_href, query_param, short_time};
use leptos::prelude::*;

#[component]
pub fn SignUpsPage() -> impl IntoView {
    let (q, state, days, after) = (query_param("q"), query_param("state"), query_param("days"), query_param("after"));
    let data = Resource::new(move || (q(), state(), days(), after()), |(q, s, d, a)| signups_page(q, s, d, a));
    view! {
        <PageHead title="Sign-ups"
            intro="Self-service sign-up carts from your sign-up pages (the selfService API): each holds a quote priced from an offer's rates, a payment method collected with Stripe's form, and the subscription FINALIZE made."/>
        <Loaded data let:data>
            {
                let (q, state, days) = (q().unwrap_or_default(), state().unwrap_or_default(), data.funnel.days.to_string());
                let href = |after: Option<&str>| page_href("/signups", &[("q", &q), ("state", &state), ("days", &days)], after);
                let next = data.has_more.then(|| data.carts.last().map(|c| href(Some(&c.id)))).flatten();
                let first = after().is_some().then(|| href(None));
                view! {
                    <Funnel funnel=data.funnel.clone()/>
                    <form method="get" action="/signups" class="filters" role="search">
                        <Field id="su-q" label="Account or email">
                            <input id="su-q" name="q" type="search" value=q.clone()/>
                        </Field>
                        <Field id="su-state" label="State">
                            <select id="su-state" name="state">
                                <Options choices=choices(&[("", "All"), ("PENDING", "Pending"), ("FINALIZED", "Finalized"), ("CANCELED", "Canceled"), ("EXPIRED", "Expired")]) selected=state.clone()/>
                            </select>
                        </Field>
                        <Field id="su-days" label="Funnel period">
                            <select id="su-days" name="days">
                                <Options choices=choices(&[("1", "Last day"), ("7", "Last 7 days"), ("30", "Last 30 days"), ("90", "Last 90 days")]) selected=days.clone()/>
                            </select>
                        </Field>
                        <button type="submit">"Filter"</button>
                    </form>
                    <CartTable carts=data.carts/>
                    <Pager first next/>
                }
            }
        </Loaded>
    }
}

/// Share of `part` in `whole`, as "40%".
fn share(part: i64, whole: i64) -> String {
    if whole == 0 { "—".into() } else { format!("{}%", (part * 100 + whole / 2) / whole) }
}

#[component]
fn Funnel(funnel: SignUpFunnel) -> impl IntoView {
    let f = funnel;
    let period = if f.days == 1 { "the last day".to_string() } else { format!("the last {} days", f.days) };
    view! {
        <section class="panel" aria-labelledby="su-funnel">
            <h2 id="su-funnel">"Funnel"</h2>
            <p>{format!("Carts created in {period}, and how far they got.")}</p>
            <ol class="funnel">
                <li><strong>{format!("{} created", f.created)}</strong></li>
                <li><strong>{format!("{} with a payment method", f.payment_method_added)}</strong>" "{format!("({} of created)", share(f.payment_method_added, f.created))}</li>
                <li><strong>{format!("{} finalized", f.finalized)}</strong>" "{format!("({} of created)", share(f.finalized, f.created))}</li>
            </ol>
        </section>
    }
}

#[component]
fn CartTable(carts: Vec<SignUpCartRow>) -> impl IntoView {
    let headers =
        vec![Col::from("Account"), Col::from("State"), Col::from("Contact email"), Col::num("Amount"), Col::from("Payment method"), Col::from("Created")];
    view! {
        <ListTable rows=carts headers empty="No sign-up carts match." label="Sign-up carts" let:c>
            <tr>
                <td><a href=format!("/signups/{}", c.id)>{c.account_name.clone()}</a></td>
                <td>{state_badge(c.state)}</td>
                <td>{c.contact_email.clone()}</td>
                <td class="num">{format_amount(c.amount, &c.currency)}</td>
                <td>{if c.has_payment_method { "Added" } else { "—" }}</td>
                <td>{short_time(&c.created_at)}</td>
            </tr>
        </ListTable>
    }
}
