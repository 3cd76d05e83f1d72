//! A coupon's page: its terms, redemptions per day (last 30 days, in the tenant's zone), every
//! redemption, and archive.
use super::{amount_label, repeat_label, status_badge, used_label};
use crate::model::{CouponDetail, CouponStatus};
use crate::server_fns::coupons::{ArchiveCoupon, load_coupon};
use crate::ui::components::{ButtonForm, Col, DangerPanel, DetailPage, ListTable, action_error, cols, path_param, short_time};
use crate::ui::layout::can_edit;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn CouponPage() -> impl IntoView {
    let code = path_param("code");
    let archive = ServerAction::<ArchiveCoupon>::new();
    let detail = Resource::new(move || (code(), archive.version().get()), |(c, _)| load_coupon(c));
    let editable = can_edit();
    view! {
        <DetailPage back="/coupons" back_label="Coupons" data=detail error_title="Coupon" let:d>
            <CouponView detail=d editable archive/>
        </DetailPage>
    }
}

#[component]
fn CouponView(detail: CouponDetail, editable: bool, archive: ServerAction<ArchiveCoupon>) -> impl IntoView {
    let d = detail;
    let c = d.coupon.clone();
    let archived = c.status == CouponStatus::Archived;
    let local = |t: &str, none: &str| if t.is_empty() { none.to_string() } else { format!("{t} ({})", d.time_zone) };
    view! {
        <Title text=format!("{} · offerdeck", c.code)/>
        <h1><code>{c.code.clone()}</code>" "{status_badge(c.status)}</h1>
        <dl class="facts">
            <dt>"Discount"</dt><dd>{amount_label(&c)}</dd>
            <dt>"Repeats"</dt><dd>{repeat_label(&c)}</dd>
            <dt>"Redemptions"</dt><dd>{used_label(&c)}</dd>
            <dt>"Per customer"</dt><dd>{c.max_redemptions_per_customer.map(|m| m.to_string()).unwrap_or_else(|| "no limit".into())}</dd>
            <dt>"Starts"</dt><dd>{local(&d.starts_local, "at once")}</dd>
            <dt>"Expires"</dt><dd>{local(&d.expires_local, "never")}</dd>
            <dt>"Campaign"</dt><dd>{c.campaign.clone().unwrap_or_else(|| "—".into())}</dd>
            <dt>"Stripe coupon"</dt><dd><code>{c.stripe_coupon_id.clone()}</code></dd>
            <dt>"Created"</dt><dd>{short_time(&c.created_at)}</dd>
        </dl>
        <PerDay detail=d.clone()/>
        <section class="panel" aria-labelledby="redemptions">
            <h2 id="redemptions">"Redemptions"</h2>
            <ListTable rows=d.redemptions.clone() headers=cols(&["Subscription", "Customer", "Source", "Time"]) empty="Not redeemed yet." label="Redemptions" let:r>
                <tr>
                    <td><code>{r.subscription_id.clone()}</code></td>
                    <td>{r.customer_id.clone().unwrap_or_else(|| "—".into())}</td>
                    <td>{match r.source {
                        crate::model::CouponRedemptionSource::Stripe => "Stripe event",
                        crate::model::CouponRedemptionSource::Checkout => "Checkout session",
                        crate::model::CouponRedemptionSource::Signup => "Sign-up cart",
                        crate::model::CouponRedemptionSource::Api => "API",
                    }}</td>
                    <td>{short_time(&r.created_at)}</td>
                </tr>
            </ListTable>
        </section>
        {(editable && !archived).then(|| view! {
            <DangerPanel heading="Archive" error=action_error(archive)
                text="Archiving stops new redemptions here and deletes the coupon in Stripe. Discounts already applied stay; the history stays too.">
                <ButtonForm action=archive hidden=vec![("code", c.code.clone())] label="Archive coupon" class="button-danger"/>
            </DangerPanel>
        })}
    }
}

/// Redemptions per day as a table with bars.
#[component]
fn PerDay(detail: CouponDetail) -> impl IntoView {
    let max_day = detail.per_day.iter().map(|p| p.count).max().unwrap_or(1).max(1);
    let headers = vec![Col::from("Day"), Col::num("Redemptions"), Col::hidden("Bar")];
    view! {
        <section class="panel" aria-labelledby="per-day">
            <h2 id="per-day">"Redemptions per day (last 30 days, "{detail.time_zone.clone()}")"</h2>
            <ListTable rows=detail.per_day headers empty="No redemptions in the last 30 days." label="Redemptions per day" class="table bars" let:p>
                <tr>
                    <td>{p.day.clone()}</td>
                    <td class="num">{p.count}</td>
                    <td><span class="bar" style=format!("width: {}%", p.count * 100 / max_day)></span></td>
                </tr>
            </ListTable>
        </section>
    }
}
