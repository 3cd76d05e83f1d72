//! One campaign's page. The period and the comparison are a plain GET form, so the page reads
//! and works without JavaScript; charts are SVG with their numbers below.
use super::campaign_lines;
use crate::model::{CampaignPageData, CampaignReport, CouponBatch, Funnel, format_amount};
use crate::server_fns::campaigns::campaign_page;
use crate::ui::components::{Col, DetailPage, Field, ListTable, Options, SeriesChart, funnel_svg, path_param, query_param, short_time, urlencode};
use crate::ui::layout::can_edit;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn CampaignPage() -> impl IntoView {
    let name = path_param("name");
    let q = |k: &'static str| query_param(k);
    let (from, to, bucket, compare, cfrom, cto) = (q("from"), q("to"), q("bucket"), q("compare"), q("compareFrom"), q("compareTo"));
    let data =
        Resource::new(move || (name(), from(), to(), bucket(), compare(), cfrom(), cto()), |(n, f, t, b, c, cf, ct)| campaign_page(n, f, t, b, c, cf, ct));
    view! {
        <DetailPage back="/campaigns" back_label="Campaigns" data error_title="Campaign" not_found_hint="No coupon or offer carries this campaign tag." let:d>
            <CampaignView data=d/>
        </DetailPage>
    }
}

fn href(r: &CampaignReport, extra: &str) -> String {
    format!("/campaigns/{}/series.csv?from={}&to={}&bucket={}{extra}", urlencode(&r.campaign), r.period.from, r.period.to, r.period.bucket.as_str())
}

#[component]
fn CampaignView(data: CampaignPageData) -> impl IntoView {
    let r = data.report.clone();
    let enc = urlencode(&r.campaign);
    let labels: Vec<String> = r.series.iter().map(|p| p.start.clone()).collect();
    let by = if r.period.bucket == crate::model::Bucket::Week { "week" } else { "day" };
    let title = format!("{} per {by}, {} to {} ({})", r.campaign, r.period.from, r.period.to, r.period.time_zone);
    let csv = href(&r, "");
    let compare_name = data.compare.as_ref().filter(|c| c.campaign != r.campaign).map(|c| c.campaign.clone()).unwrap_or_default();
    let compare_from = data.compare.as_ref().filter(|c| c.campaign == r.campaign).map(|c| c.period.from.clone()).unwrap_or_default();
    let compare_to = data.compare.as_ref().filter(|c| c.campaign == r.campaign).map(|c| c.period.to.clone()).unwrap_or_default();
    let (p_from, p_to, p_bucket) = (r.period.from.clone(), r.period.to.clone(), r.period.bucket.as_str().to_string());
    let mut others = vec![(String::new(), "—".to_string())];
    others.extend(data.campaigns.iter().filter(|c| **c != r.campaign).map(|c| (c.clone(), c.clone())));
    view! {
        <Title text=format!("{} · Campaigns · offerdeck", r.campaign)/>
        <h1>{r.campaign.clone()}</h1>
        <p class="muted">{format!("{} coupons and {} offers carry this tag. Days are in {}.", r.coupons, r.offers, r.period.time_zone)}</p>
        <form method="get" action=format!("/campaigns/{enc}") class="filters" aria-label="Period and comparison">
            <Field id="cp-from" label="From"><input id="cp-from" name="from" type="date" value=p_from/></Field>
            <Field id="cp-to" label="To"><input id="cp-to" name="to" type="date" value=p_to/></Field>
            <Field id="cp-bucket" label="By">
                <select id="cp-bucket" name="bucket"><Options choices=vec![("day".into(), "Day".into()), ("week".into(), "Week".into())] selected=p_bucket/></select>
            </Field>
            <Field id="cp-compare" label="Compare with campaign">
                <select id="cp-compare" name="compare"><Options choices=others selected=compare_name/></select>
            </Field>
            <Field id="cp-cfrom" label="…or with the period from"><input id="cp-cfrom" name="compareFrom" type="date" value=compare_from/></Field>
            <Field id="cp-cto" label="to"><input id="cp-cto" name="compareTo" type="date" value=compare_to/></Field>
            <button type="submit">"Show"</button>
        </form>
        {match data.compare.clone() {
            Some(c) => view! { <Comparison a=r.clone() b=c/> }.into_any(),
            None => view! { <FunnelPanel report=r.clone() id="funnel"/> }.into_any(),
        }}
        <section class="panel" aria-labelledby="over-time">
            <h2 id="over-time">"Over time"</h2>
            <SeriesChart id="campaign-series" title labels lines=campaign_lines(&r.series) csv_href=csv/>
        </section>
        <TopCodes report=r.clone()/>
        <Batches batches=data.batches campaign=r.campaign.clone()/>
    }
}

fn steps(f: &Funnel) -> [(&'static str, i64); 4] {
    [("Offers presented", f.presented), ("Offers redeemed", f.redeemed), ("Checkouts completed", f.completed), ("Coupons redeemed", f.coupons)]
}

#[component]
fn FunnelPanel(report: CampaignReport, id: &'static str) -> impl IntoView {
    let r = report;
    let svg = funnel_svg(id, &format!("Funnel of {} from {} to {}", r.campaign, r.period.from, r.period.to), &steps(&r.funnel));
    view! {
        <section class="panel" aria-labelledby=format!("{id}-h")>
            <h2 id=format!("{id}-h")>{format!("{} · {} to {}", r.campaign, r.period.from, r.period.to)}</h2>
            <div class="chart-box" inner_html=svg></div>
            <table class="table" aria-label=format!("Funnel of {}", r.campaign)>
                <thead><tr><th scope="col">"Step"</th><th scope="col" class="num">"Count"</th></tr></thead>
                <tbody>
                    {steps(&r.funnel).into_iter().map(|(l, v)| view! { <tr><th scope="row">{l}</th><td class="num" data-step=l>{v}</td></tr> }).collect_view()}
                    <tr><th scope="row">"…of which sign-ups"</th><td class="num">{r.funnel.signups}</td></tr>
                </tbody>
            </table>
            <Money report=r.clone()/>
            <p class="chart-csv"><a href=href(&r, "") download rel="external">"Download as CSV (per bucket, with the totals)"</a></p>
        </section>
    }
}

#[component]
fn Money(report: CampaignReport) -> impl IntoView {
    let rows = report.revenue;
    view! {
        <ListTable rows headers=vec![Col::from("Currency"), Col::num("Revenue"), Col::num("Discount given")] empty="No completed checkouts with this campaign's codes in the period." label="Revenue and discount" let:m>
            <tr>
                <td>{m.currency.to_uppercase()}</td>
                <td class="num">{format_amount(m.revenue, &m.currency)}</td>
                <td class="num">{format_amount(m.discount, &m.currency)}</td>
            </tr>
        </ListTable>
    }
}

/// Two reports side by side, then each step's change.
#[component]
fn Comparison(a: CampaignReport, b: CampaignReport) -> impl IntoView {
    let change = |x: i64, y: i64| if x == 0 { "—".to_string() } else { format!("{:+.1} %", (y - x) as f64 * 100.0 / x as f64) };
    let name = |r: &CampaignReport| format!("{} · {} to {}", r.campaign, r.period.from, r.period.to);
    let rows: Vec<(&str, i64, i64)> = steps(&a.funnel).iter().zip(steps(&b.funnel)).map(|((l, x), (_, y))| (*l, *x, y)).collect();
    view! {
        <div class="compare-grid">
            <FunnelPanel report=a.clone() id="funnel-a"/>
            <FunnelPanel report=b.clone() id="funnel-b"/>
        </div>
        <section class="panel" aria-labelledby="cmp-h">
            <h2 id="cmp-h">"Comparison"</h2>
            <table class="table" aria-label="Comparison">
                <thead><tr><th scope="col">"Step"</th><th scope="col" class="num">{name(&a)}</th><th scope="col" class="num">{name(&b)}</th><th scope="col" class="num">"Change"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|(l, x, y)| view! {
                        <tr><th scope="row">{l}</th><td class="num">{x}</td><td class="num">{y}</td><td class="num">{change(x, y)}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

#[component]
fn TopCodes(report: CampaignReport) -> impl IntoView {
    let rows = report.top_codes;
    view! {
        <section class="panel" aria-labelledby="top-codes">
            <h2 id="top-codes">"Top codes"</h2>
            <ListTable rows headers=vec![Col::from("Code"), Col::num("Redemptions")] empty="No code of this campaign has been redeemed yet." label="Top codes" let:c>
                <tr><td><a href=format!("/coupons/{}", c.code)><code>{c.code.clone()}</code></a></td><td class="num">{c.redemptions}</td></tr>
            </ListTable>
        </section>
    }
}

#[component]
fn Batches(batches: Vec<CouponBatch>, campaign: String) -> impl IntoView {
    let headers = vec![Col::from("Batch"), Col::from("Kind"), Col::from("Status"), Col::num("Codes"), Col::from("Created"), Col::from("Export")];
    view! {
        <section class="panel" aria-labelledby="batches-h">
            <h2 id="batches-h">"Batches of codes"</h2>
            {can_edit().then(|| view! { <p><a class="button" href=format!("/coupons/batches/new?campaign={}", urlencode(&campaign))>"Generate or import codes"</a></p> })}
            <ListTable rows=batches headers empty="No batches in this campaign." label="Batches" let:b>
                <tr>
                    <td><a href=format!("/coupons/batches/{}", b.id)><code>{b.id.clone()}</code></a></td>
                    <td>{b.kind.as_str()}</td>
                    <td>{super::super::coupons::batch_badge(b.status)}</td>
                    <td class="num">{format!("{} of {}", b.generated, b.requested)}</td>
                    <td>{short_time(&b.created_at)}</td>
                    <td><a href=format!("/coupons/batches/{}/export.csv", b.id) download rel="external">"CSV"</a></td>
                </tr>
            </ListTable>
        </section>
    }
}
