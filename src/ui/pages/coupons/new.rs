//! The new-coupon form. As the merchant types, each field is checked with the crxpay rules
//! (`CouponForm::parse`, the function the server runs too); a field shows what the rules say
//! once it was edited, otherwise what the server said about the last submission.
use crate::error::AppError;
use crate::model::{CouponForm, CouponType};
use crate::server_fns::coupons::{CreateCoupon, coupon_time_zone};
use crate::ui::components::{Crumbs, Field, FormError, action_error};
use crate::ui::layout::can_edit;
use leptos::prelude::*;
use leptos_meta::Title;
use std::collections::{BTreeMap, BTreeSet};

/// The checked fields, in the order of `LiveForm::values`; the names are the rules' error keys.
const FIELDS: [&str; 8] = ["code", "type", "amount", "currency", "repeatMonths", "maxRedemptions", "maxRedemptionsPerCustomer", "campaign"];

/// What the form knows while the merchant types: the values, which fields were edited since
/// the last submission, what the rules say about the values, and the server's last answer.
#[derive(Clone, Copy)]
struct LiveForm {
    values: [RwSignal<String>; 8],
    touched: RwSignal<BTreeSet<&'static str>>,
    live: Memo<BTreeMap<String, String>>,
    server: Signal<Option<AppError>>,
}

impl LiveForm {
    fn new(create: ServerAction<CreateCoupon>) -> Self {
        let values: [RwSignal<String>; 8] = std::array::from_fn(|_| RwSignal::new(String::new()));
        values[1].set("percentage".into());
        let touched = RwSignal::new(BTreeSet::<&'static str>::new());
        let live = Memo::new(move |_| {
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
        LiveForm { values, touched, live, server: action_error(create) }
    }

    fn is_touched(self, field: &str) -> bool {
        self.touched.with(|t| t.contains(field))
    }

    /// The handler that records field `i` as typed.
    fn input(self, i: usize) -> impl Fn(leptos::ev::Event) + Copy {
        move |ev| {
            self.values[i].set(event_target_value(&ev));
            self.touched.update(|t| {
                t.insert(FIELDS[i]);
            });
        }
    }

    /// `aria-invalid` of field `i`: by the rules once edited, else by the server's answer.
    fn invalid(self, i: usize) -> impl Fn() -> String + Copy {
        move || {
            let f = FIELDS[i];
            let bad = if self.is_touched(f) { self.live.with(|l| l.contains_key(f)) } else { self.server.get().is_some_and(|e| e.fields.contains_key(f)) };
            bad.to_string()
        }
    }
}

/// The error under field `field` (see the module comment for which one).
#[component]
fn LiveError(form: LiveForm, field: &'static str) -> impl IntoView {
    let label = match field {
        "code" => "Code",
        "type" => "Type",
        "amount" => "Amount",
        "currency" => "Currency",
        "repeatMonths" => "Repeat for",
        "maxRedemptions" => "Max redemptions",
        "maxRedemptionsPerCustomer" => "Max per customer",
        "campaign" => "Campaign",
        _ => field,
    };
    move || {
        let msg = if form.is_touched(field) { form.live.with(|l| l.get(field).cloned()) } else { form.server.get().and_then(|e| e.fields.get(field).cloned()) };
        msg.map(|m| view! { <p class="field-error" id=format!("{field}-error") role="alert">{format!("{label} {m}")}</p> })
    }
}

#[component]
pub fn NewCouponPage() -> impl IntoView {
    let create = ServerAction::<CreateCoupon>::new();
    let tz = Resource::new(|| (), |_| coupon_time_zone());
    let form = LiveForm::new(create);
    if !can_edit() {
        return view! { <Title text="New coupon · offerdeck"/><p class="muted">"Your role can read coupons but not create them."</p> }.into_any();
    }
    view! {
        <Title text="New coupon · offerdeck"/>
        <Crumbs href="/coupons" label="Coupons"/>
        <h1>"New coupon"</h1>
        <section class="panel">
            <ActionForm action=create attr:class="form" attr:aria-label="New coupon" attr:novalidate=true>
                <FormError error=form.server/>
                <CouponFields form/>
                <Schedule tz err=form.server/>
                <Field id="cp-campaign" label="Campaign tag">
                    <input id="cp-campaign" name="campaign" placeholder="e.g. winback" aria-invalid=form.invalid(7) on:input=form.input(7)/>
                    <LiveError form field="campaign"/>
                </Field>
                <button type="submit" class="button-primary" disabled=move || create.pending().get()>"Create coupon"</button>
            </ActionForm>
        </section>
    }
    .into_any()
}

/// Code, type, amount, currency, repeats and limits, each checked as typed.
#[component]
fn CouponFields(form: LiveForm) -> impl IntoView {
    let amount_hint = move || match form.values[1].get().as_str() {
        "fixed" => "Amount off, in the currency's major unit (e.g. 5.00)",
        "first_n_months" => "Free months (1–36)",
        _ => "Percent off (1–100)",
    };
    let (input, invalid) = (move |i| form.input(i), move |i| form.invalid(i));
    view! {
        <Field id="cp-code" label="Code">
            <input id="cp-code" name="code" autocomplete="off" class="mono" aria-describedby="cp-code-hint" aria-invalid=invalid(0) on:input=input(0)/>
            <p class="hint" id="cp-code-hint">"Letters, digits, _ or -. Typed in any case; stored in upper case."</p>
            <LiveError form field="code"/>
        </Field>
        <Field id="cp-type" label="Type">
            <select id="cp-type" name="coupon_type" on:change=input(1)>
                {[CouponType::Percentage, CouponType::Fixed, CouponType::FirstNMonths].into_iter().map(|t| view! {
                    <option value=t.as_str()>{t.label()}</option>
                }).collect_view()}
            </select>
            <LiveError form field="type"/>
        </Field>
        <Field id="cp-amount" label="Amount">
            <input id="cp-amount" name="amount" inputmode="decimal" aria-describedby="cp-amount-hint" aria-invalid=invalid(2) on:input=input(2)/>
            <p class="hint" id="cp-amount-hint">{amount_hint}</p>
            <LiveError form field="amount"/>
        </Field>
        <Field id="cp-currency" label="Currency (fixed amounts only)">
            <input id="cp-currency" name="currency" maxlength="3" placeholder="gbp" aria-invalid=invalid(3) on:input=input(3)/>
            <LiveError form field="currency"/>
        </Field>
        <Field id="cp-repeat" label="Repeat for (months)">
            <input id="cp-repeat" name="repeat_months" inputmode="numeric" aria-describedby="cp-repeat-hint" aria-invalid=invalid(4) on:input=input(4)/>
            <p class="hint" id="cp-repeat-hint">"Blank means once. Ignored for free months."</p>
            <LiveError form field="repeatMonths"/>
        </Field>
        <Field id="cp-max" label="Max redemptions">
            <input id="cp-max" name="max_redemptions" inputmode="numeric" placeholder="no limit" aria-invalid=invalid(5) on:input=input(5)/>
            <LiveError form field="maxRedemptions"/>
        </Field>
        <Field id="cp-max-customer" label="Max per customer">
            <input id="cp-max-customer" name="max_per_customer" inputmode="numeric" placeholder="no limit" aria-invalid=invalid(6) on:input=input(6)/>
            <LiveError form field="maxRedemptionsPerCustomer"/>
        </Field>
    }
}

/// Start and expiry, typed in the tenant's time zone (loaded by the page).
#[component]
fn Schedule(tz: Resource<Result<String, AppError>>, err: Signal<Option<AppError>>) -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let zone = tz.await.unwrap_or_else(|_| "UTC".into());
                view! {
                    <Field id="cp-starts" label=format!("Starts ({zone}, optional)") error=err field="startsAt">
                        <input id="cp-starts" name="starts" type="datetime-local"/>
                    </Field>
                    <Field id="cp-expires" label=format!("Expires ({zone}, optional)") error=err field="expiresAt">
                        <input id="cp-expires" name="expires" type="datetime-local"/>
                    </Field>
                }
            })}
        </Suspense>
    }
}
