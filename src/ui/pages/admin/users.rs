//! The users page: every user with their memberships, membership changes, password reset and
//! deactivate/reactivate; and the new-user form (with a first membership).
use crate::model::{TenantView, UserView};
use crate::server_fns::admin::{CreateUser, ResetUserPassword, SetUserActive, SetUserMembership, list_tenants, list_users};
use crate::ui::components::{
    ButtonForm, Check, ErrorPanel, Field, FormError, FormPanel, ListTable, Loading, PageHead, Saved, SelectField, action_error, action_ok, choices, cols,
};
use leptos::prelude::*;

#[component]
pub fn UsersPage() -> impl IntoView {
    let create = ServerAction::<CreateUser>::new();
    let reset = ServerAction::<ResetUserPassword>::new();
    let active = ServerAction::<SetUserActive>::new();
    let membership = ServerAction::<SetUserMembership>::new();
    let row_errors = [action_error(reset), action_error(active), action_error(membership)];
    // Two resources, not one future calling two server functions: during a page render the
    // request context is only guaranteed until a server function's first await.
    let version = move || (create.version().get(), reset.version().get(), active.version().get(), membership.version().get());
    let users = Resource::new(version, |_| list_users());
    let tenants = Resource::new(version, |_| list_tenants());
    view! {
        <PageHead title="Users"/>
        {row_errors.map(|e| view! { <FormError error=e/> })}
        <Saved when=action_ok(reset) text="Password changed."/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let data = match (users.await, tenants.await) {
                    (Ok(u), Ok(t)) => Ok((u, t)),
                    (Err(e), _) | (_, Err(e)) => Err(e),
                };
                match data {
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                    Ok((users, tenants)) => {
                        let all = tenants.clone();
                        view! {
                            <ListTable rows=users headers=cols(&["Email", "Status", "Memberships", "Actions"]) let:u>
                                <UserRow u tenants=all.clone() reset active membership/>
                            </ListTable>
                            <NewUser create tenants/>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn NewUser(create: ServerAction<CreateUser>, tenants: Vec<TenantView>) -> impl IntoView {
    let err = action_error(create);
    view! {
        <FormPanel action=create heading="New user" submit="Create user">
            <Field id="user-email" label="Email" error=err field="email">
                <input id="user-email" name="email" type="email" autocomplete="off"/>
            </Field>
            <Field id="user-password" label="Initial password" error=err field="password">
                <input id="user-password" name="password" type="password" autocomplete="new-password"/>
            </Field>
            <Field id="user-tenant" label="Tenant" error=err field="tenant_id">
                <select id="user-tenant" name="tenant_id">
                    <option value="">"— none —"</option>
                    {tenants.iter().map(|t| view! { <option value=t.id.clone()>{t.name.clone()}</option> }).collect_view()}
                </select>
            </Field>
            <SelectField id="user-role" label="Role" name="role" error=err field="role"
                choices=choices(&[("merchant", "Merchant (everything in the tenant)"), ("marketer", "Marketer (read-only)")])/>
            <Check id="user-admin" name="is_admin" value="on" label="Platform admin" class="field field-check"/>
        </FormPanel>
    }
}

#[component]
fn UserRow(
    u: UserView,
    tenants: Vec<TenantView>,
    reset: ServerAction<ResetUserPassword>,
    active: ServerAction<SetUserActive>,
    membership: ServerAction<SetUserMembership>,
) -> impl IntoView {
    let deactivated = u.status != crate::model::UserStatus::Active;
    let verb = if deactivated { "Reactivate" } else { "Deactivate" };
    view! {
        <tr>
            <td>{u.email.clone()}{u.is_admin.then(|| view! { " " <span class="badge">"admin"</span> })}</td>
            <td>{u.status.as_str()}</td>
            <td>
                <ul class="plain">
                    {u.memberships.iter().map(|m| view! { <li>{format!("{} — {}", m.tenant_name, m.role.as_str())}</li> }).collect_view()}
                </ul>
                <MembershipForm user_id=u.id.clone() email=u.email.clone() tenants membership/>
            </td>
            <td>
                <PasswordForm user_id=u.id.clone() email=u.email.clone() reset/>
                <ButtonForm action=active hidden=vec![("user_id", u.id.clone()), ("active", deactivated.to_string())] label=verb
                    class=if deactivated { "button-small" } else { "button-small button-danger" } aria_label=format!("{verb} {}", u.email)/>
            </td>
        </tr>
    }
}

#[component]
fn MembershipForm(user_id: String, email: String, tenants: Vec<TenantView>, membership: ServerAction<SetUserMembership>) -> impl IntoView {
    let (tenant_id, role_id) = (format!("m-tenant-{user_id}"), format!("m-role-{user_id}"));
    let (tenant_label, role_label) = (format!("Tenant for {email}"), format!("Role for {email}"));
    view! {
        <ActionForm action=membership attr:class="inline-form">
            <input type="hidden" name="user_id" value=user_id/>
            <label class="visually-hidden" for=tenant_id.clone()>{tenant_label}</label>
            <select id=tenant_id name="tenant_id">
                {tenants.iter().map(|t| view! { <option value=t.id.clone()>{t.name.clone()}</option> }).collect_view()}
            </select>
            <label class="visually-hidden" for=role_id.clone()>{role_label}</label>
            <select id=role_id name="role">
                <option value="merchant">"merchant"</option>
                <option value="marketer">"marketer"</option>
                <option value="none">"remove"</option>
            </select>
            <button type="submit" class="button-small">"Set membership"</button>
        </ActionForm>
    }
}

#[component]
fn PasswordForm(user_id: String, email: String, reset: ServerAction<ResetUserPassword>) -> impl IntoView {
    let input_id = format!("pw-{user_id}");
    let label = format!("New password for {email}");
    view! {
        <ActionForm action=reset attr:class="inline-form">
            <input type="hidden" name="user_id" value=user_id/>
            <label class="visually-hidden" for=input_id.clone()>{label}</label>
            <input id=input_id name="password" type="password" autocomplete="new-password" placeholder="new password"/>
            <button type="submit" class="button-small">"Reset password"</button>
        </ActionForm>
    }
}
