//! The discount rules and the new-rule form (one tier for cart-value rules; the API takes more).
use super::summary;
use crate::server_fns::discounts::{CreateDiscountRule, discount_rules};
use crate::ui::components::{Col, Field, FormPanel, ListTable, Loaded, PageHead, SelectField, action_error, choices, short_time};
use crate::ui::layout::can_edit;
use leptos::prelude::*;

#[component]
pub fn DiscountRulesPage() -> impl IntoView {
    let create = ServerAction::<CreateDiscountRule>::new();
    let rules = Resource::new(move || create.version().get(), |_| discount_rules());
    view! {
        <PageHead title="Discount rules"
            intro="Discounts computed on the server for custom checkout pages (discountUpdates \"server_only\"): the matching rule with the highest priority applies when a page asks to recompute."/>
        <Loaded data=rules let:rules>
            <ListTable rows=rules headers=vec![Col::from("Rule"), Col::from("Type"), Col::from("Discount"), Col::num("Priority"), Col::from("Active"), Col::from("Created")] empty="No discount rules yet." label="Discount rules" let:r>
                <tr>
                    <td><a href=format!("/discounts/rules/{}", r.id)>{r.name.clone()}</a></td>
                    <td>{r.rule_type.as_str()}</td>
                    <td>{summary(&r)}</td>
                    <td class="num">{r.priority}</td>
                    <td>{if r.active { "yes" } else { "no" }}</td>
                    <td>{short_time(&r.created_at)}</td>
                </tr>
            </ListTable>
        </Loaded>
        {can_edit().then(|| view! { <NewRule create/> })}
    }
}

#[component]
fn NewRule(create: ServerAction<CreateDiscountRule>) -> impl IntoView {
    let err = action_error(create);
    let types = choices(&[("cart_value", "Cart value"), ("loyalty", "Loyalty"), ("workflow", "Workflow (TypeScript)")]);
    view! {
        <FormPanel action=create heading="New rule" submit="Create rule" disable_while_pending=true>
            <Field id="dr-name" label="Name" error=err field="name">
                <input id="dr-name" name="name"/>
            </Field>
            <SelectField id="dr-type" label="Type" name="rule_type" choices=types error=err field="rule_type"/>
            <Field id="dr-currency" label="Currency (needed for amounts)" error=err field="currency">
                <input id="dr-currency" name="currency" value="gbp" maxlength="3"/>
            </Field>
            <Field id="dr-min" label="Cart value: from a subtotal of" error=err field="min_subtotal">
                <input id="dr-min" name="min_subtotal" inputmode="decimal" placeholder="100.00"/>
            </Field>
            <Field id="dr-pct" label="Percent off" error=err field="percent_off">
                <input id="dr-pct" name="percent_off" inputmode="numeric" placeholder="10"/>
            </Field>
            <Field id="dr-amt" label="Or an amount off" error=err field="amount_off">
                <input id="dr-amt" name="amount_off" inputmode="decimal"/>
            </Field>
            <Field id="dr-cap" label="Cart value: at most" error=err field="max_amount_off">
                <input id="dr-cap" name="max_amount_off" inputmode="decimal" placeholder="20.00"/>
            </Field>
            <Field id="dr-loyal" label="Loyalty: completed checkouts at least" error=err field="min_completed_checkouts">
                <input id="dr-loyal" name="min_completed_checkouts" inputmode="numeric"/>
            </Field>
            <Field id="dr-code" label="Workflow: export default async ({ session, customer }) => ({ percentOff } | { amountOff } | null)" error=err field="code">
                <textarea id="dr-code" name="code" rows="5" class="mono"></textarea>
            </Field>
            <Field id="dr-priority" label="Priority (higher wins)" error=err field="priority">
                <input id="dr-priority" name="priority" inputmode="numeric" value="0"/>
            </Field>
        </FormPanel>
    }
}
