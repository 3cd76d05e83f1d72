//! A discount rule's page: what it gives, its code (workflow rules), "try it" — a subtotal and a
//! customer in, the discount and the rule that gave it out, over all active rules — and delete.
use super::summary;
use crate::model::{DiscountRule, format_amount};
use crate::server_fns::discounts::{DeleteDiscountRule, load_discount_rule, try_discount_rules};
use crate::ui::components::{ButtonForm, DangerPanel, DetailPage, Field, Loaded, action_error, path_param, query_param, short_time};
use crate::ui::layout::can_edit;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn DiscountRulePage() -> impl IntoView {
    let id = path_param("id");
    let rule = Resource::new(id, load_discount_rule);
    let (sub, cur, who) = (query_param("subtotal"), query_param("currency"), query_param("customer"));
    let trial =
        Resource::new(move || (sub(), cur(), who()), |(s, c, w)| try_discount_rules(s.unwrap_or_default(), c.unwrap_or_default(), w.unwrap_or_default()));
    provide_context(Trial(trial));
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

/// Subtotal and customer in (a GET form: the query carries them, with or without JavaScript),
/// the discount of all active rules out.
#[component]
fn TryIt(currency: String) -> impl IntoView {
    let trial = expect_context::<Trial>().0;
    let (sub, cur, who) = (query_param("subtotal"), query_param("currency"), query_param("customer"));
    let shown_currency = cur().filter(|c| !c.is_empty()).unwrap_or(currency);
    let money = shown_currency.clone();
    view! {
        <section class="panel" aria-labelledby="try-it">
            <h2 id="try-it">"Try it"</h2>
            <p class="muted">"All active rules, as a checkout session's recompute would apply them."</p>
            <form method="get" class="form" aria-label="Try the rules">
                <Field id="try-subtotal" label="Subtotal">
                    <input id="try-subtotal" name="subtotal" inputmode="decimal" placeholder="100.00" value=sub().unwrap_or_default()/>
                </Field>
                <Field id="try-currency" label="Currency">
                    <input id="try-currency" name="currency" value=shown_currency.clone() maxlength="3"/>
                </Field>
                <Field id="try-customer" label="Stripe customer (optional, for loyalty)">
                    <input id="try-customer" name="customer" placeholder="cus_…" value=who().unwrap_or_default()/>
                </Field>
                <button type="submit" class="button-primary">"Try"</button>
            </form>
            <Loaded data=trial let:t>
                {t.map(|t| {
                    let line = match &t.discount {
                        Some(d) => format!("{} off, from the rule “{}”", format_amount(d.amount_off, &money.to_lowercase()), d.name),
                        None => "No rule matches: no discount.".to_string(),
                    };
                    view! {
                        <p class="form-ok" role="status" data-testid="trial-result">{line}</p>
                        {t.problems.into_iter().map(|p| view! { <p class="form-error">{p}</p> }).collect_view()}
                    }
                })}
            </Loaded>
        </section>
    }
}

/// The page's "try it" resource (made with the page: see `OfferStats`).
#[derive(Clone, Copy)]
struct Trial(Resource<Result<Option<crate::model::DiscountTrialResult>, crate::error::AppError>>);
