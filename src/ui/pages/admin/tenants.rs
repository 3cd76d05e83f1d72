//! The tenants page: every tenant with rename and suspend/resume, and the new-tenant form.
use crate::model::TenantView;
use crate::server_fns::admin::{CreateTenant, RenameTenant, SetTenantSuspended, list_tenants};
use crate::ui::components::{ButtonForm, Field, FormError, FormPanel, ListTable, Loaded, PageHead, action_error, cols, short_time};
use leptos::prelude::*;

#[component]
pub fn TenantsPage() -> impl IntoView {
    let create = ServerAction::<CreateTenant>::new();
    let rename = ServerAction::<RenameTenant>::new();
    let suspend = ServerAction::<SetTenantSuspended>::new();
    let err = action_error(create);
    let tenants = Resource::new(move || (create.version().get(), rename.version().get(), suspend.version().get()), |_| list_tenants());
    view! {
        <PageHead title="Tenants"/>
        <FormError error=action_error(rename)/>
        <FormError error=action_error(suspend)/>
        <Loaded data=tenants let:list>
            <ListTable rows=list headers=cols(&["Name", "Status", "Created", "Rename", ""]) let:t>
                <TenantRow t rename suspend/>
            </ListTable>
        </Loaded>
        <FormPanel action=create heading="New tenant" submit="Create tenant">
            <Field id="tenant-name" label="Tenant name" error=err field="name">
                <input id="tenant-name" name="name" aria-required="true"/>
            </Field>
        </FormPanel>
    }
}

#[component]
fn TenantRow(t: TenantView, rename: ServerAction<RenameTenant>, suspend: ServerAction<SetTenantSuspended>) -> impl IntoView {
    let suspended = t.status == crate::model::TenantStatus::Suspended;
    let verb = if suspended { "Resume" } else { "Suspend" };
    view! {
        <tr>
            <td>{t.name.clone()}</td>
            <td><span class=format!("badge badge-{}", t.status.as_str())>{t.status.as_str()}</span></td>
            <td>{short_time(&t.created_at)}</td>
            <td><RenameForm id=t.id.clone() name=t.name.clone() rename/></td>
            <td>
                <ButtonForm action=suspend hidden=vec![("id", t.id.clone()), ("suspended", (!suspended).to_string())] label=verb
                    class=if suspended { "button-small" } else { "button-small button-danger" } aria_label=format!("{verb} {}", t.name)/>
            </td>
        </tr>
    }
}

#[component]
fn RenameForm(id: String, name: String, rename: ServerAction<RenameTenant>) -> impl IntoView {
    let input_id = format!("rename-{id}");
    let label = format!("New name for {name}");
    view! {
        <ActionForm action=rename attr:class="inline-form">
            <input type="hidden" name="id" value=id/>
            <label class="visually-hidden" for=input_id.clone()>{label}</label>
            <input id=input_id name="name" value=name/>
            <button type="submit" class="button-small">"Rename"</button>
        </ActionForm>
    }
}
