//! Coupons: the list with status badges, `used / max`, filters by status and campaign, search,
//! counts per campaign and the CSV export; the new-coupon form that checks the crxpay rules as
//! the merchant types (the same Rust function the server runs); a coupon's page with its
//! redemptions, a per-day count and archive.
use crate::model::{Coupon, CouponForm, CouponRedemptionSource, CouponStatus, CouponType, SessionInfo, format_amount};
use crate::server_fns::coupons::{ArchiveCoupon, CreateCoupon, coupon_time_zone, coupons_page, load_coupon};
use crate::ui::components::{ErrorPanel, FieldError, FormError, Loading, action_error, short_time, urlencode};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use std::collections::{BTreeMap, BTreeSet};

fn can_edit() -> bool {
    use_context::<SessionInfo>().is_some_and(|i| i.can_edit())
}

pub fn status_badge(s: CouponStatus) -> impl IntoView {
    let class = match s {
        CouponStatus::Active => "badge badge-active",
        CouponStatus::Archived => "badge badge-archived",
        CouponStatus::Expired | CouponStatus::Exhausted => "badge badge-warn",
    };
    view! { <span class=class>{s.as_str()}</span> }
}

/// "30 % off", "£5.00 off", "3 months free".
pub fn amount_label(c: &Coupon) -> String {
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

#[component]
pub fn CouponsPage() -> impl IntoView {
    let query = use_query_map();
    let q = move || query.read().get("q");
    let status = move || query.read().get("status");
    let campaign = move || query.read().get("campaign");
    let after = move || query.read().get("after");
    let data = Resource::new(move || (q(), status(), campaign(), after()), |(q, s, c, a)| coupons_page(q, s, c, a));
    let editable = can_edit();
    view! {
        <Title text="Coupons · offerdeck"/>
        <div class="page-head">
            <h1>"Coupons"</h1>
            {editable.then(|| view! { <a class="button button-primary" href="/coupons/new">"New coupon"</a> })}
        </div>
        <p class="muted">"Codes customers type at checkout. Each coupon is mirrored to your Stripe account when it is created; limits and expiry are enforced here as well."</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                    Ok(d) => {
                        let (q, status, campaign, after) = (q(), status(), campaign(), after());
                        let (hq, hs, hc) = (q.clone(), status.clone(), campaign.clone());
                        let href = move |after: Option<&str>| {
                            let mut parts = Vec::new();
                            for (k, v) in [("q", &hq), ("status", &hs), ("campaign", &hc)] {
                                if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                                    parts.push(format!("{k}={}", urlencode(v)));
                                }
                            }
                            if let Some(a) = after {
                                parts.push(format!("after={}", urlencode(a)));
                            }
                            if parts.is_empty() { "/coupons".to_string() } else { format!("/coupons?{}", parts.join("&")) }
                        };
                        let next = d.has_more.then(|| d.coupons.last().map(|c| href(Some(&c.id)))).flatten();
                        let first = after.is_some().then(|| href(None));
                        let campaigns = d.campaigns.clone();
                        let chosen = campaign.clone().unwrap_or_default();
                        let st = status.clone().unwrap_or_default();
                        view! {
                            <form method="get" action="/coupons" class="filters" role="search">
                                <div class="field">
                                    <label for="c-q">"Search code or campaign"</label>
                                    <input id="c-q" name="q" type="search" value=q.clone().unwrap_or_default()/>
                                </div>
                                <div class="field">
                                    <label for="c-status">"Status"</label>
                                    <select id="c-status" name="status">
                                        {["", "active", "expired", "exhausted", "archived"].into_iter().map(|s| view! {
                                            <option value=s selected=st == s>{if s.is_empty() { "All" } else { s }}</option>
                                        }).collect_view()}
                                    </select>
                                </div>
                                <div class="field">
                                    <label for="c-campaign">"Campaign"</label>
                                    <select id="c-campaign" name="campaign">
                                        <option value="" selected=chosen.is_empty()>"All"</option>
                                        {campaigns.iter().filter_map(|c| c.campaign.clone()).map(|c| {
                                            let sel = c == chosen;
                                            view! { <option value=c.clone() selected=sel>{c.clone()}</option> }
                                        }).collect_view()}
                                    </select>
                                </div>
                                <button type="submit">"Filter"</button>
                            </form>
                            {if d.coupons.is_empty() {
                                view! { <p class="empty">"No coupons match."</p> }.into_any()
                            } else {
                                view! { <CouponTable coupons=d.coupons.clone() expiry=d.expiry_local.clone() tz=d.time_zone.clone()/> }.into_any()
                            }}
                            <nav class="pager" aria-label="Pages">
                                {first.map(|h| view! { <a href=h>"First page"</a> })}
                                {next.map(|h| view! { <a href=h rel="next">"Next page"</a> })}
                            </nav>
                            <section class="panel" aria-labelledby="by-campaign">
                                <h2 id="by-campaign">"Redemptions by campaign"</h2>
                                {if campaigns.is_empty() {
                                    view! { <p class="empty">"No coupons yet."</p> }.into_any()
                                } else {
                                    view! {
                                        <table class="table" aria-label="Redemptions by campaign">
                                            <thead><tr><th scope="col">"Campaign"</th><th scope="col" class="num">"Coupons"</th><th scope="col" class="num">"Redemptions"</th></tr></thead>
                                            <tbody>
                                                {campaigns.into_iter().map(|c| {
                                                    let name = c.campaign.clone().unwrap_or_else(|| "(no campaign)".into());
                                                    view! { <tr><td>{name}</td><td class="num">{c.coupons}</td><td class="num">{c.redemptions}</td></tr> }
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    }.into_any()
                                }}
                                <p><a href="/coupons/export.csv" download="coupons.csv" rel="external">"Download all codes with their counts (CSV)"</a></p>
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn CouponTable(coupons: Vec<Coupon>, expiry: BTreeMap<String, String>, tz: String) -> impl IntoView {
    view! {
        <table class="table" aria-label="Coupons">
            <thead><tr>
                <th scope="col">"Code"</th><th scope="col">"Type"</th><th scope="col">"Amount"</th><th scope="col">"Repeats"</th>
                <th scope="col" class="num">"Redemptions"</th><th scope="col">{format!("Expires ({tz})")}</th><th scope="col">"Status"</th><th scope="col">"Campaign"</th>
            </tr></thead>
            <tbody>
                {coupons.into_iter().map(|c| {
                    let exp = expiry.get(&c.id).cloned().unwrap_or_else(|| "never".into());
                    view! {
                        <tr>
                            <td><a href=format!("/coupons/{}", c.code)><code>{c.code.clone()}</code></a></td>
                            <td>{c.coupon_type.label()}</td>
                            <td>{amount_label(&c)}</td>
                            <td>{repeat_label(&c)}</td>
                            <td class="num">{used_label(&c)}</td>
                            <td>{exp}</td>
                            <td>{status_badge(c.status)}</td>
                            <td>{c.campaign.clone().unwrap_or_default()}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

const FIELDS: [&str; 8] = ["code", "type", "amount", "currency", "repeatMonths", "maxRedemptions", "maxRedemptionsPerCustomer", "campaign"];

/// The error under a field: what the rules say about the value as typed, once the field was
/// touched; otherwise what the server said about the last submission.
#[component]
fn LiveError(
    field: &'static str,
    live: Memo<BTreeMap<String, String>>,
    touched: RwSignal<BTreeSet<&'static str>>,
    server: Signal<Option<crate::error::AppError>>,
) -> impl IntoView {
    let label = match field {
        "code" => "Code",
        "type" => "Type",
        "amount" => "Amount",
        "currency" => "Currency",
        "repeatMonths" => "Repeat for",
        "maxRedemptions" => "Max redemptions",
        "maxRedemptionsPerCustomer" => "Max per customer",
        "campaign" => "Campaign",
        "startsAt" => "Starts",
        "expiresAt" => "Expires",
        _ => field,
    };
    move || {
        let msg =
            if touched.with(|t| t.contains(field)) { live.with(|l| l.get(field).cloned()) } else { server.get().and_then(|e| e.fields.get(field).cloned()) };
        msg.map(|m| view! { <p class="field-error" id=format!("{field}-error") role="alert">{format!("{label} {m}")}</p> })
    }
}

#[component]
pub fn NewCouponPage() -> impl IntoView {
    let create = ServerAction::<CreateCoupon>::new();
    let err = action_error(create);
    let tz = Resource::new(|| (), |_| coupon_time_zone());
    let values: [RwSignal<String>; 8] = std::array::from_fn(|_| RwSignal::new(String::new()));
    values[1].set("percentage".into());
    let touched = RwSignal::new(BTreeSet::<&'static str>::new());
    let live: Memo<BTreeMap<String, String>> = Memo::new(move |_| {
        let v = |i: usize| values[i].get();
        let form = CouponForm {
            code: v(0),
            coupon_type: v(1),
            amount: v(2),
            currency: v(3),
            repeat_months: v(4),
            max_redemptions: v(5),
            max_per_customer: v(6),
            campaign: v(7),
        };
        form.parse().err().map(|e| e.iter().map(|(k, v)| (k.clone(), v.clone())).collect()).unwrap_or_default()
    });
    // After a submission the server's answer is what the fields show until they are edited.
    Effect::new(move |_| {
        create.version().get();
        touched.set(BTreeSet::new());
    });
    let input = move |i: usize| {
        move |ev: leptos::ev::Event| {
            values[i].set(event_target_value(&ev));
            touched.update(|t| {
                t.insert(FIELDS[i]);
            });
        }
    };
    let invalid = move |i: usize| {
        move || {
            let f = FIELDS[i];
            let live_bad = touched.with(|t| t.contains(f)) && live.with(|l| l.contains_key(f));
            let server_bad = !touched.with(|t| t.contains(f)) && err.get().is_some_and(|e| e.fields.contains_key(f));
            (live_bad || server_bad).to_string()
        }
    };
    let amount_hint = move || match values[1].get().as_str() {
        "fixed" => "Amount off, in the currency's major unit (e.g. 5.00)",
        "first_n_months" => "Free months (1–36)",
        _ => "Percent off (1–100)",
    };
    if !can_edit() {
        return view! { <Title text="New coupon · offerdeck"/><p class="muted">"Your role can read coupons but not create them."</p> }.into_any();
    }
    view! {
        <Title text="New coupon · offerdeck"/>
        <p class="crumbs"><a href="/coupons">"← Coupons"</a></p>
        <h1>"New coupon"</h1>
        <section class="panel">
            <ActionForm action=create attr:class="form" attr:aria-label="New coupon" attr:novalidate=true>
                <FormError error=err/>
                <div class="field">
                    <label for="cp-code">"Code"</label>
                    <input id="cp-code" name="code" autocomplete="off" class="mono" aria-describedby="cp-code-hint" aria-invalid=invalid(0) on:input=input(0)/>
                    <p class="hint" id="cp-code-hint">"Letters, digits, _ or -. Typed in any case; stored in upper case."</p>
                    <LiveError field="code" live touched server=err/>
                </div>
                <div class="field">
                    <label for="cp-type">"Type"</label>
                    <select id="cp-type" name="coupon_type" on:change=input(1)>
                        {[CouponType::Percentage, CouponType::Fixed, CouponType::FirstNMonths].into_iter().map(|t| view! {
                            <option value=t.as_str()>{t.label()}</option>
                        }).collect_view()}
                    </select>
                    <LiveError field="type" live touched server=err/>
                </div>
                <div class="field">
                    <label for="cp-amount">"Amount"</label>
                    <input id="cp-amount" name="amount" inputmode="decimal" aria-describedby="cp-amount-hint" aria-invalid=invalid(2) on:input=input(2)/>
                    <p class="hint" id="cp-amount-hint">{amount_hint}</p>
                    <LiveError field="amount" live touched server=err/>
                </div>
                <div class="field">
                    <label for="cp-currency">"Currency (fixed amounts only)"</label>
                    <input id="cp-currency" name="currency" maxlength="3" placeholder="gbp" aria-invalid=invalid(3) on:input=input(3)/>
                    <LiveError field="currency" live touched server=err/>
                </div>
                <div class="field">
                    <label for="cp-repeat">"Repeat for (months)"</label>
                    <input id="cp-repeat" name="repeat_months" inputmode="numeric" aria-describedby="cp-repeat-hint" aria-invalid=invalid(4) on:input=input(4)/>
                    <p class="hint" id="cp-repeat-hint">"Blank means once. Ignored for free months."</p>
                    <LiveError field="repeatMonths" live touched server=err/>
                </div>
                <div class="field">
                    <label for="cp-max">"Max redemptions"</label>
                    <input id="cp-max" name="max_redemptions" inputmode="numeric" placeholder="no limit" aria-invalid=invalid(5) on:input=input(5)/>
                    <LiveError field="maxRedemptions" live touched server=err/>
                </div>
                <div class="field">
                    <label for="cp-max-customer">"Max per customer"</label>
                    <input id="cp-max-customer" name="max_per_customer" inputmode="numeric" placeholder="no limit" aria-invalid=invalid(6) on:input=input(6)/>
                    <LiveError field="maxRedemptionsPerCustomer" live touched server=err/>
                </div>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let zone = tz.await.unwrap_or_else(|_| "UTC".into());
                        view! {
                            <div class="field">
                                <label for="cp-starts">{format!("Starts ({zone}, optional)")}</label>
                                <input id="cp-starts" name="starts" type="datetime-local"/>
                                <FieldError error=err field="startsAt"/>
                            </div>
                            <div class="field">
                                <label for="cp-expires">{format!("Expires ({zone}, optional)")}</label>
                                <input id="cp-expires" name="expires" type="datetime-local"/>
                                <FieldError error=err field="expiresAt"/>
                            </div>
                        }
                    })}
                </Suspense>
                <div class="field">
                    <label for="cp-campaign">"Campaign tag"</label>
                    <input id="cp-campaign" name="campaign" placeholder="e.g. winback" aria-invalid=invalid(7) on:input=input(7)/>
                    <LiveError field="campaign" live touched server=err/>
                </div>
                <button type="submit" class="button-primary" disabled=move || create.pending().get()>"Create coupon"</button>
            </ActionForm>
        </section>
    }
    .into_any()
}

#[component]
pub fn CouponPage() -> impl IntoView {
    let params = use_params_map();
    let code = move || params.read().get("code").unwrap_or_default();
    let archive = ServerAction::<ArchiveCoupon>::new();
    let archive_err = action_error(archive);
    let detail = Resource::new(move || (code(), archive.version().get()), |(c, _)| load_coupon(c));
    let editable = can_edit();
    view! {
        <p class="crumbs"><a href="/coupons">"← Coupons"</a></p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match detail.await {
                    Err(e) => view! { <Title text="Coupon · offerdeck"/><ErrorPanel error=e/> }.into_any(),
                    Ok(d) => {
                        let c = d.coupon.clone();
                        let max_day = d.per_day.iter().map(|p| p.count).max().unwrap_or(1).max(1);
                        let archived = c.status == CouponStatus::Archived;
                        view! {
                            <Title text=format!("{} · offerdeck", c.code)/>
                            <h1><code>{c.code.clone()}</code>" "{status_badge(c.status)}</h1>
                            <dl class="facts">
                                <dt>"Discount"</dt><dd>{amount_label(&c)}</dd>
                                <dt>"Repeats"</dt><dd>{repeat_label(&c)}</dd>
                                <dt>"Redemptions"</dt><dd>{used_label(&c)}</dd>
                                <dt>"Per customer"</dt><dd>{c.max_redemptions_per_customer.map(|m| m.to_string()).unwrap_or_else(|| "no limit".into())}</dd>
                                <dt>"Starts"</dt><dd>{if d.starts_local.is_empty() { "at once".to_string() } else { format!("{} ({})", d.starts_local, d.time_zone) }}</dd>
                                <dt>"Expires"</dt><dd>{if d.expires_local.is_empty() { "never".to_string() } else { format!("{} ({})", d.expires_local, d.time_zone) }}</dd>
                                <dt>"Campaign"</dt><dd>{c.campaign.clone().unwrap_or_else(|| "—".into())}</dd>
                                <dt>"Stripe coupon"</dt><dd><code>{c.stripe_coupon_id.clone()}</code></dd>
                                <dt>"Created"</dt><dd>{short_time(&c.created_at)}</dd>
                            </dl>
                            <section class="panel" aria-labelledby="per-day">
                                <h2 id="per-day">"Redemptions per day (last 30 days, "{d.time_zone.clone()}")"</h2>
                                {if d.per_day.is_empty() {
                                    view! { <p class="empty">"No redemptions in the last 30 days."</p> }.into_any()
                                } else {
                                    view! {
                                        <table class="table bars" aria-label="Redemptions per day">
                                            <thead><tr><th scope="col">"Day"</th><th scope="col" class="num">"Redemptions"</th><th scope="col"><span class="visually-hidden">"Bar"</span></th></tr></thead>
                                            <tbody>
                                                {d.per_day.iter().map(|p| view! {
                                                    <tr>
                                                        <td>{p.day.clone()}</td>
                                                        <td class="num">{p.count}</td>
                                                        <td><span class="bar" style=format!("width: {}%", p.count * 100 / max_day)></span></td>
                                                    </tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    }.into_any()
                                }}
                            </section>
                            <section class="panel" aria-labelledby="redemptions">
                                <h2 id="redemptions">"Redemptions"</h2>
                                {if d.redemptions.is_empty() {
                                    view! { <p class="empty">"Not redeemed yet."</p> }.into_any()
                                } else {
                                    view! {
                                        <table class="table" aria-label="Redemptions">
                                            <thead><tr><th scope="col">"Subscription"</th><th scope="col">"Customer"</th><th scope="col">"Source"</th><th scope="col">"Time"</th></tr></thead>
                                            <tbody>
                                                {d.redemptions.iter().map(|r| view! {
                                                    <tr>
                                                        <td><code>{r.subscription_id.clone()}</code></td>
                                                        <td>{r.customer_id.clone().unwrap_or_else(|| "—".into())}</td>
                                                        <td>{if r.source == CouponRedemptionSource::Stripe { "Stripe event" } else { "API" }}</td>
                                                        <td>{short_time(&r.created_at)}</td>
                                                    </tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    }.into_any()
                                }}
                            </section>
                            {(editable && !archived).then(|| view! {
                                <section class="panel">
                                    <h2>"Archive"</h2>
                                    <p>"Archiving stops new redemptions here and deletes the coupon in Stripe. Discounts already applied stay; the history stays too."</p>
                                    <FormError error=archive_err/>
                                    <ActionForm action=archive attr:class="inline-form">
                                        <input type="hidden" name="code" value=c.code.clone()/>
                                        <button type="submit" class="button-danger">"Archive coupon"</button>
                                    </ActionForm>
                                </section>
                            })}
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}
