//! The coupon list: search and filters (a GET form), the table, keyset pages, redemptions per
//! campaign and the CSV export link.
use super::{amount_label, repeat_label, status_badge, used_label};
use crate::model::{CampaignCount, Coupon, CouponsData};
use crate::server_fns::coupons::coupons_page;
use crate::ui::components::{Col, Field, ListTable, Loaded, Options, Pager, choices, page_href, query_param, urlencode};
use crate::ui::layout::can_edit;
use leptos::prelude::*;
use leptos_meta::Title;
use std::collections::BTreeMap;

/// The list's filters as they are in the URL: search, status, campaign.
#[derive(Clone, Default)]
struct Filters {
    q: String,
    status: String,
    campaign: String,
}

impl Filters {
    fn href(&self, after: Option<&str>) -> String {
        page_href("/coupons", &[("q", &self.q), ("status", &self.status), ("campaign", &self.campaign)], after)
    }
}

#[component]
pub fn CouponsPage() -> impl IntoView {
    let (q, status, campaign, after) = (query_param("q"), query_param("status"), query_param("campaign"), query_param("after"));
    let data = Resource::new(move || (q(), status(), campaign(), after()), |(q, s, c, a)| coupons_page(q, s, c, a));
    let series = Resource::new(|| (), |_| crate::server_fns::campaigns::coupons_series());
    view! {
        <Title text="Coupons · offerdeck"/>
        <div class="page-head">
            <h1>"Coupons"</h1>
            {can_edit().then(|| view! { <span><a class="button" href="/coupons/batches/new">"New batch"</a>" "<a class="button button-primary" href="/coupons/new">"New coupon"</a></span> })}
        </div>
        <p class="muted">"Codes customers type at checkout. Each coupon is mirrored to your Stripe account when it is created; limits and expiry are enforced here as well."</p>
        <Loaded data=series let:r>
            <crate::ui::pages::campaigns::SmallChart id="coupons-series" title="Coupon redemptions per day, last 30 days".to_string() report=r csv_href="/coupons/series.csv".to_string() coupons=true/>
        </Loaded>
        <Loaded data let:d>
            {
                let filters = Filters { q: q().unwrap_or_default(), status: status().unwrap_or_default(), campaign: campaign().unwrap_or_default() };
                let next = d.has_more.then(|| d.coupons.last().map(|c| filters.href(Some(&c.id)))).flatten();
                let first = after().is_some().then(|| filters.href(None));
                view! { <CouponList data=d filters first next/> }
            }
        </Loaded>
    }
}

#[component]
fn CouponList(data: CouponsData, filters: Filters, first: Option<String>, next: Option<String>) -> impl IntoView {
    let campaigns: Vec<(String, String)> = data.campaigns.iter().filter_map(|c| c.campaign.clone()).map(|c| (c.clone(), c)).collect();
    let mut campaign_choices = vec![(String::new(), "All".to_string())];
    campaign_choices.extend(campaigns);
    let statuses = choices(&[("", "All"), ("active", "active"), ("expired", "expired"), ("exhausted", "exhausted"), ("archived", "archived")]);
    view! {
        <form method="get" action="/coupons" class="filters" role="search">
            <Field id="c-q" label="Search code or campaign">
                <input id="c-q" name="q" type="search" value=filters.q.clone()/>
            </Field>
            <Field id="c-status" label="Status">
                <select id="c-status" name="status"><Options choices=statuses selected=filters.status.clone()/></select>
            </Field>
            <Field id="c-campaign" label="Campaign">
                <select id="c-campaign" name="campaign"><Options choices=campaign_choices selected=filters.campaign.clone()/></select>
            </Field>
            <button type="submit">"Filter"</button>
        </form>
        <CouponTable coupons=data.coupons expiry=data.expiry_local tz=data.time_zone/>
        <Pager first next/>
        <CampaignCounts campaigns=data.campaigns/>
    }
}

#[component]
fn CouponTable(coupons: Vec<Coupon>, expiry: BTreeMap<String, String>, tz: String) -> impl IntoView {
    let headers = vec![
        Col::from("Code"),
        Col::from("Type"),
        Col::from("Amount"),
        Col::from("Repeats"),
        Col::num("Redemptions"),
        Col::from(format!("Expires ({tz})")),
        Col::from("Status"),
        Col::from("Campaign"),
    ];
    view! {
        <ListTable rows=coupons headers empty="No coupons match." label="Coupons" let:c>
            <tr>
                <td><a href=format!("/coupons/{}", c.code)><code>{c.code.clone()}</code></a></td>
                <td>{c.coupon_type.label()}</td>
                <td>{amount_label(&c)}</td>
                <td>{repeat_label(&c)}</td>
                <td class="num">{used_label(&c)}</td>
                <td>{expiry.get(&c.id).cloned().unwrap_or_else(|| "never".into())}</td>
                <td>{status_badge(c.status)}</td>
                <td>{c.campaign.clone().map(|n| { let href = format!("/campaigns/{}", urlencode(&n)); view! { <a href=href>{n}</a> } })}</td>
            </tr>
        </ListTable>
    }
}

#[component]
fn CampaignCounts(campaigns: Vec<CampaignCount>) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="by-campaign">
            <h2 id="by-campaign">"Redemptions by campaign"</h2>
            <ListTable rows=campaigns headers=vec![Col::from("Campaign"), Col::num("Coupons"), Col::num("Redemptions")] empty="No coupons yet." label="Redemptions by campaign" let:c>
                <tr>
                    <td>{match c.campaign.clone() {
                        Some(n) => { let href = format!("/campaigns/{}", urlencode(&n)); view! { <a href=href>{n}</a> }.into_any() }
                        None => "(no campaign)".into_any(),
                    }}</td>
                    <td class="num">{c.coupons}</td>
                    <td class="num">{c.redemptions}</td>
                </tr>
            </ListTable>
            <p><a href="/coupons/export.csv" download="coupons.csv" rel="external">"Download all codes with their counts (CSV)"</a></p>
        </section>
    }
}
