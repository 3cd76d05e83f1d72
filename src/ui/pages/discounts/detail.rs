//! A discount rule's page: what it gives, its code (workflow rules), "try it" — a subtotal and a
//! customer in, the discount and the rule that gave it out, over all active rules — and delete.
use super::summary;
use crate::model::{DiscountRule, format_amount};
use crate::server_fns::discounts::{DeleteDiscountRule, TryDiscountRules, load_discount_rule};
use crate::ui::components::{ButtonForm, DangerPanel, DetailPage, Field, FormError, action_error, path_param, short_time};
use crate::ui::layout::can_edit;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn DiscountRulePage() -> impl IntoView {
    let id = path_param("id");
    let rule = Resource::new(id, load_discount_rule);
    let editable = can_edit();
    view! {
        <DetailPage back="/discounts/rules" back_label="Discount rules" data=rule error_title="Discount rule" let:r>
            <RuleView rule=r editable/>
        </DetailPage>
    }
}

#[component]
fn RuleView(rule: DiscountRule, editable: bool) -> impl IntoView {
    let remove = ServerAction::<DeleteDiscountRule>::new();
    let r = rule;
    view! {
        <Title text=format!("{} · offerdeck", r.name)/>
        <h1>{r.name.clone()}</h1>
        <dl class="facts">
            <dt>"Type"</dt><dd>{r.rule_type.as_str()}</dd>
            <dt>"Discount"</dt><dd>{summary(&r)}</dd>
            <dt>"Currency"</dt><dd>{r.currency.clone().unwrap_or_else(|| "any".into())}</dd>
            <dt>"Priority"</dt><dd>{r.priority}</dd>
            <dt>"Active"</dt><dd>{if r.active { "yes" } else { "no" }}</dd>
            <dt>"Created"</dt><dd>{short_time(&r.created_at)}</dd>
        </dl>
        {r.code.clone().map(|c| view! { <section class="panel"><h2>"Code"</h2><pre class="mono">{c}</pre></section> })}
        <TryIt currency=r.currency.clone().unwrap_or_else(|| "gbp".into())/>
        {editable.then(|| view! {
            <DangerPanel heading="Delete" error=action_error(remove) text="Deleting the rule stops it applying to sessions that recompute from now on; discounts already applied stay.">
                <ButtonForm action=remove hidden=vec![("id", r.id.clone())] label="Delete rule" class="button-danger"/>
            </DangerPanel>
        })}
    }
}

/// Subtotal and customer in, the discount of all active rules out.
#[component]
fn TryIt(currency: String) -> impl IntoView {
    let trial = ServerAction::<TryDiscountRules>::new();
    let err = action_error(trial);
    let cur = currency.clone();
    view! {
        <section class="panel" aria-labelledby="try-it">
            <h2 id="try-it">"Try it"</h2>
            <p class="muted">"All active rules, as a checkout session's recompute would apply them."</p>
            <ActionForm action=trial attr:class="form" attr:aria-label="Try the rules">
                <FormError error=err/>
                <Field id="try-subtotal" label="Subtotal" error=err field="subtotal">
                    <input id="try-subtotal" name="subtotal" inputmode="decimal" placeholder="100.00"/>
                </Field>
                <Field id="try-currency" label="Currency" error=err field="currency">
                    <input id="try-currency" name="currency" value=currency.clone() maxlength="3"/>
                </Field>
                <Field id="try-customer" label="Stripe customer (optional, for loyalty)" error=err field="customerId">
                    <input id="try-customer" name="customer" placeholder="cus_…"/>
                </Field>
                <button type="submit" class="button-primary">"Try"</button>
            </ActionForm>
            {move || trial.value().get().and_then(|r| r.ok()).map(|t| {
                let line = match &t.discount {
                    Some(d) => format!("{} off, from the rule “{}”", format_amount(d.amount_off, &cur), d.name),
                    None => "No rule matches: no discount.".to_string(),
                };
                view! {
                    <p class="form-ok" role="status" data-testid="trial-result">{line}</p>
                    {t.problems.into_iter().map(|p| view! { <p class="form-error">{p}</p> }).collect_view()}
                }
            })}
        </section>
    }
}
