//! The redemption method list and the new-method form.
use super::SettingsFields;
use crate::server_fns::methods::{CreateMethod, list_methods};
use crate::ui::components::{Field, FieldError, FormPanel, ListTable, Loaded, PageHead, SelectField, action_error, choices, cols};
use crate::ui::layout::can_edit;
use leptos::prelude::*;

#[component]
pub fn MethodsPage() -> impl IntoView {
    let create = ServerAction::<CreateMethod>::new();
    let err = action_error(create);
    let methods = Resource::new(|| (), |_| list_methods());
    view! {
        <PageHead title="Redemption methods"
            intro="A redemption method's workflow decides what happens when an offer is redeemed, e.g. creating a Stripe Checkout session."/>
        <Loaded data=methods let:list>
            <ListTable rows=list headers=cols(&["Name", "Schema", "Workflow", "Status"]) empty="No redemption methods yet." let:m>
                <tr>
                    <td><a href=format!("/offers/redemption-methods/{}", m.id)>{m.name.clone()}</a></td>
                    <td>{m.schema.label()}</td>
                    <td>{m.current_version.map(|v| format!("v{v}")).unwrap_or_default()}</td>
                    <td><span class=format!("badge badge-{}", m.status.as_str())>{m.status.as_str()}</span></td>
                </tr>
            </ListTable>
        </Loaded>
        {can_edit().then(|| view! {
            <FormPanel action=create heading="New redemption method" submit="Create method">
                <Field id="m-name" label="Name">
                    <input id="m-name" name="name" aria-required="true"/>
                    <FieldError error=err field="name"/>
                    <FieldError error=err field="slug"/>
                </Field>
                <SelectField id="m-schema" label="Schema" name="schema" choices=choices(&[("stripe-checkout", "Stripe Checkout"), ("custom", "Custom")])/>
                <SettingsFields err prefix="m" settings=None/>
            </FormPanel>
        })}
    }
}
