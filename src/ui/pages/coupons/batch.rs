//! Batches of codes: the form that generates codes from a template or imports existing ones
//! (pasted, or read from a CSV file once the page is hydrated), and a batch's page with its
//! progress (the page refreshes itself while the batch generates), rules and CSV export.
use crate::error::AppError;
use crate::model::{BatchStatus, CouponBatch, CouponType, format_amount};
use crate::server_fns::campaigns::{CreateBatch, load_batch};
use crate::server_fns::coupons::coupon_time_zone;
use crate::ui::components::{Crumbs, DetailPage, Field, FormError, action_error, path_param, query_param, short_time, urlencode};
use crate::ui::layout::can_edit;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};

pub fn batch_badge(s: BatchStatus) -> impl IntoView {
    let class = match s {
        BatchStatus::Completed => "badge badge-active",
        BatchStatus::Failed => "badge badge-archived",
        BatchStatus::Queued | BatchStatus::Running => "badge badge-warn",
    };
    view! { <span class=class data-batch-status=s.as_str()>{s.as_str()}</span> }
}

#[component]
pub fn NewBatchPage() -> impl IntoView {
    let create = ServerAction::<CreateBatch>::new();
    let err = action_error(create);
    let campaign = query_param("campaign");
    let tz = Resource::new(|| (), |_| coupon_time_zone());
    let codes = RwSignal::new(String::new());
    if !can_edit() {
        return view! {
            <Title text="New batch · offerdeck"/>
            <h1>"New batch of codes"</h1>
            <p class="muted" role="status">"Your role can read campaigns and their batches but not create batches: ask a merchant of this tenant."</p>
        }
        .into_any();
    }
    view! {
        <Title text="New batch · offerdeck"/>
        <Crumbs href="/campaigns" label="Campaigns"/>
        <h1>"New batch of codes"</h1>
        <p class="muted">"Every code of a batch shares the same rules and campaign. Generated codes are random and made in the background: none is usable until all are. Imported codes are checked row by row and stored all together or not at all."</p>
        <section class="panel">
            <ActionForm action=create attr:class="form" attr:aria-label="New batch" attr:novalidate=true>
                <FormError error=err/>
                <Field id="b-campaign" label="Campaign" error=err field="campaign">
                    <input id="b-campaign" name="campaign" maxlength="64" value=move || campaign().unwrap_or_default()/>
                </Field>
                <fieldset class="field">
                    <legend>"Codes"</legend>
                    <label><input type="radio" name="mode" value="generate" checked=true/>" Generate from a template"</label>
                    <label><input type="radio" name="mode" value="import"/>" Import existing codes"</label>
                </fieldset>
                <Field id="b-template" label="Template (each ? is a random character)" error=err field="template">
                    <input id="b-template" name="template" class="mono" placeholder="BF26-????-????"/>
                </Field>
                <Field id="b-count" label="How many (up to 100,000)" error=err field="count">
                    <input id="b-count" name="count" inputmode="numeric" placeholder="10000"/>
                </Field>
                <Field id="b-codes" label="Codes to import (CSV: the first column; a “code” header is skipped)" error=err field="codes">
                    <textarea id="b-codes" name="codes" rows="6" class="mono" prop:value=move || codes.get() on:input=move |ev| codes.set(event_target_value(&ev))></textarea>
                </Field>
                <CsvFile codes/>
                <RowErrors err/>
                <Rules err/>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let zone = tz.await.unwrap_or_else(|_| "UTC".into());
                        view! {
                            <Field id="b-starts" label=format!("Starts ({zone}, optional)") error=err field="startsAt"><input id="b-starts" name="starts" type="datetime-local"/></Field>
                            <Field id="b-expires" label=format!("Expires ({zone}, optional)") error=err field="expiresAt"><input id="b-expires" name="expires" type="datetime-local"/></Field>
                        }
                    })}
                </Suspense>
                <button type="submit" class="button-primary" disabled=move || create.pending().get()>"Create batch"</button>
            </ActionForm>
        </section>
    }
    .into_any()
}

/// A CSV file picked here fills the codes box (once hydrated; without JavaScript, paste it).
#[component]
fn CsvFile(codes: RwSignal<String>) -> impl IntoView {
    let pick = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
            let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
            let Ok(reader) = web_sys::FileReader::new() else { return };
            let r = reader.clone();
            let onload = wasm_bindgen::closure::Closure::once_into_js(move || {
                if let Some(text) = r.result().ok().and_then(|v| v.as_string()) {
                    codes.set(text);
                }
            });
            reader.set_onload(Some(onload.unchecked_ref()));
            let _ = reader.read_as_text(&file);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (&ev, codes);
    };
    view! {
        <Field id="b-file" label="…or read a CSV file into the box">
            <input id="b-file" type="file" accept=".csv,text/csv,text/plain" on:change=pick/>
        </Field>
    }
}

/// The import's per-row report: each bad row with what is wrong.
#[component]
fn RowErrors(err: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        let e = err.get()?;
        let mut rows: Vec<(usize, String)> = e
            .fields
            .iter()
            .filter_map(|(k, v)| k.strip_prefix("codes[").and_then(|r| r.strip_suffix(']')).and_then(|n| n.parse::<usize>().ok()).map(|n| (n + 1, v.clone())))
            .collect();
        if rows.is_empty() {
            return None;
        }
        rows.sort();
        Some(view! {
            <div class="panel panel-error" role="alert" aria-label="Rows that cannot be imported">
                <p>{format!("{} row(s) cannot be imported; nothing was imported.", rows.len())}</p>
                <table class="table"><thead><tr><th scope="col">"Row"</th><th scope="col">"Problem"</th></tr></thead>
                    <tbody>{rows.into_iter().map(|(n, m)| view! { <tr><td class="num">{n}</td><td>{m}</td></tr> }).collect_view()}</tbody>
                </table>
            </div>
        })
    }
}

#[component]
fn Rules(err: Signal<Option<AppError>>) -> impl IntoView {
    view! {
        <Field id="b-type" label="Type" error=err field="type">
            <select id="b-type" name="coupon_type">
                {[CouponType::Percentage, CouponType::Fixed, CouponType::FirstNMonths].into_iter().map(|t| view! { <option value=t.as_str()>{t.label()}</option> }).collect_view()}
            </select>
        </Field>
        <Field id="b-amount" label="Amount (percent, major units for fixed, or free months)" error=err field="amount">
            <input id="b-amount" name="amount" inputmode="decimal"/>
        </Field>
        <Field id="b-currency" label="Currency (fixed amounts only)" error=err field="currency"><input id="b-currency" name="currency" maxlength="3" placeholder="gbp"/></Field>
        <Field id="b-repeat" label="Repeat for (months; blank: once)" error=err field="repeatMonths"><input id="b-repeat" name="repeat_months" inputmode="numeric"/></Field>
        <Field id="b-max" label="Max redemptions per code" error=err field="maxRedemptions"><input id="b-max" name="max_redemptions" inputmode="numeric" placeholder="no limit"/></Field>
        <Field id="b-max-customer" label="Max per customer" error=err field="maxRedemptionsPerCustomer"><input id="b-max-customer" name="max_per_customer" inputmode="numeric" placeholder="no limit"/></Field>
    }
}

#[component]
pub fn BatchPage() -> impl IntoView {
    let id = path_param("id");
    let data = Resource::new(id, load_batch);
    view! {
        <DetailPage back="/campaigns" back_label="Campaigns" data error_title="Batch" let:b>
            <BatchView batch=b/>
        </DetailPage>
    }
}

#[component]
fn BatchView(batch: CouponBatch) -> impl IntoView {
    let b = batch;
    let busy = matches!(b.status, BatchStatus::Queued | BatchStatus::Running);
    let r = b.rules.clone();
    let amount = match r.coupon_type {
        CouponType::Percentage => format!("{} % off", r.amount),
        CouponType::Fixed => format!("{} off", format_amount(r.amount, r.currency.as_deref().unwrap_or("usd"))),
        CouponType::FirstNMonths => format!("{} months free", r.amount),
    };
    view! {
        <Title text=format!("{} · offerdeck", b.id)/>
        {busy.then(|| view! { <Meta http_equiv="refresh" content="2"/> })}
        <h1>"Batch "<code>{b.id.clone()}</code>" "{batch_badge(b.status)}</h1>
        <section class="panel" aria-label="Progress">
            <p role="status" data-progress=format!("{}/{}", b.generated, b.requested)>{format!("{} of {} codes {}", b.generated, b.requested, if busy { "made so far (none usable until all are)" } else { "made" })}</p>
            <progress max=b.requested.to_string() value=b.generated.to_string()>{format!("{} of {}", b.generated, b.requested)}</progress>
            {b.error.clone().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
        </section>
        <dl class="facts">
            <dt>"Campaign"</dt><dd><a href=format!("/campaigns/{}", urlencode(&b.campaign))>{b.campaign.clone()}</a></dd>
            <dt>"Kind"</dt><dd>{b.kind.as_str()}</dd>
            <dt>"Template"</dt><dd><code>{b.template.clone().unwrap_or_else(|| "—".into())}</code></dd>
            <dt>"Discount"</dt><dd>{amount}</dd>
            <dt>"Per code"</dt><dd>{r.max_redemptions.map(|m| format!("{m} redemption(s)")).unwrap_or_else(|| "no limit".into())}</dd>
            <dt>"Expires"</dt><dd>{r.expires_at.as_deref().map(short_time).unwrap_or_else(|| "never".into())}</dd>
            <dt>"Stripe coupon"</dt><dd><code>{b.stripe_coupon_id.clone().unwrap_or_default()}</code></dd>
            <dt>"Created"</dt><dd>{format!("{} by {}", short_time(&b.created_at), b.created_by)}</dd>
        </dl>
        <p><a class="button" href=format!("/coupons/batches/{}/export.csv", b.id) download rel="external">"Download every code (CSV)"</a></p>
    }
}
