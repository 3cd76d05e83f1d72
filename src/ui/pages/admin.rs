//! Platform administration: tenants (create, rename, suspend/resume) and users (create with a
//! membership, reset password, deactivate, change memberships).
use crate::model::{TenantStatus, TenantView, UserStatus, UserView};
use crate::server_fns::admin::*;
use crate::ui::components::{ErrorPanel, FieldError, FormError, Loading, action_error, short_time};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn TenantsPage() -> impl IntoView {
    let create = ServerAction::<CreateTenant>::new();
    let rename = ServerAction::<RenameTenant>::new();
    let suspend = ServerAction::<SetTenantSuspended>::new();
    let err = action_error(create);
    let rename_err = action_error(rename);
    let suspend_err = action_error(suspend);
    let tenants = Resource::new(move || (create.version().get(), rename.version().get(), suspend.version().get()), |_| list_tenants());
    view! {
        <Title text="Tenants · offerdeck"/>
        <h1>"Tenants"</h1>
        <FormError error=rename_err/>
        <FormError error=suspend_err/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match tenants.await {
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                    Ok(list) => view! { <TenantTable tenants=list rename suspend/> }.into_any(),
                }
            })}
        </Suspense>
        <section class="panel">
            <h2>"New tenant"</h2>
            <ActionForm action=create attr:class="form" attr:aria-label="New tenant">
                <FormError error=err/>
                <div class="field">
                    <label for="tenant-name">"Tenant name"</label>
                    <input id="tenant-name" name="name" aria-required="true"/>
                    <FieldError error=err field="name"/>
                </div>
                <button type="submit" class="button-primary">"Create tenant"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn TenantTable(tenants: Vec<TenantView>, rename: ServerAction<RenameTenant>, suspend: ServerAction<SetTenantSuspended>) -> impl IntoView {
    view! {
        <table class="table">
            <thead><tr><th scope="col">"Name"</th><th scope="col">"Status"</th><th scope="col">"Created"</th><th scope="col">"Rename"</th><th></th></tr></thead>
            <tbody>
                {tenants.into_iter().map(|t| {
                    let suspended = t.status == TenantStatus::Suspended;
                    let rename_id = format!("rename-{}", t.id);
                    let rename_label = format!("New name for {}", t.name);
                    let suspend_label = format!("{} {}", if suspended { "Resume" } else { "Suspend" }, t.name);
                    let badge = format!("badge badge-{}", t.status.as_str());
                    let (id1, id2, name1, name2, status) = (t.id.clone(), t.id.clone(), t.name.clone(), t.name.clone(), t.status.as_str());
                    view! {
                        <tr>
                            <td>{name1}</td>
                            <td><span class=badge>{status}</span></td>
                            <td>{short_time(&t.created_at)}</td>
                            <td>
                                <ActionForm action=rename attr:class="inline-form">
                                    <input type="hidden" name="id" value=id1/>
                                    <label class="visually-hidden" for=rename_id.clone()>{rename_label}</label>
                                    <input id=rename_id name="name" value=name2/>
                                    <button type="submit" class="button-small">"Rename"</button>
                                </ActionForm>
                            </td>
                            <td>
                                <ActionForm action=suspend attr:class="inline-form">
                                    <input type="hidden" name="id" value=id2/>
                                    <input type="hidden" name="suspended" value=if suspended { "false" } else { "true" }/>
                                    <button type="submit" class=if suspended { "button-small" } else { "button-small button-danger" }
                                        aria-label=suspend_label>
                                        {if suspended { "Resume" } else { "Suspend" }}
                                    </button>
                                </ActionForm>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let create = ServerAction::<CreateUser>::new();
    let reset = ServerAction::<ResetUserPassword>::new();
    let active = ServerAction::<SetUserActive>::new();
    let membership = ServerAction::<SetUserMembership>::new();
    let err = action_error(create);
    let row_errors = [action_error(reset), action_error(active), action_error(membership)];
    // Two resources, not one future calling two server functions: during a page render the
    // request context is only guaranteed until a server function's first await.
    let version = move || (create.version().get(), reset.version().get(), active.version().get(), membership.version().get());
    let users = Resource::new(version, |_| list_users());
    let tenants = Resource::new(version, |_| list_tenants());
    let reset_ok = Signal::derive(move || reset.value().with(|v| matches!(v, Some(Ok(_)))));
    view! {
        <Title text="Users · offerdeck"/>
        <h1>"Users"</h1>
        {row_errors.map(|e| view! { <FormError error=e/> })}
        {move || reset_ok.get().then(|| view! { <p class="form-ok" role="status">"Password changed."</p> })}
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let data = match (users.await, tenants.await) {
                    (Ok(u), Ok(t)) => Ok((u, t)),
                    (Err(e), _) | (_, Err(e)) => Err(e),
                };
                match data {
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                    Ok((users, tenants)) => view! {
                        <UserTable users tenants=tenants.clone() reset active membership/>
                        <section class="panel">
                            <h2>"New user"</h2>
                            <ActionForm action=create attr:class="form" attr:aria-label="New user">
                                <FormError error=err/>
                                <div class="field">
                                    <label for="user-email">"Email"</label>
                                    <input id="user-email" name="email" type="email" autocomplete="off"/>
                                    <FieldError error=err field="email"/>
                                </div>
                                <div class="field">
                                    <label for="user-password">"Initial password"</label>
                                    <input id="user-password" name="password" type="password" autocomplete="new-password"/>
                                    <FieldError error=err field="password"/>
                                </div>
                                <div class="field">
                                    <label for="user-tenant">"Tenant"</label>
                                    <select id="user-tenant" name="tenant_id">
                                        <option value="">"— none —"</option>
                                        {tenants.iter().map(|t| view! { <option value=t.id.clone()>{t.name.clone()}</option> }).collect_view()}
                                    </select>
                                    <FieldError error=err field="tenant_id"/>
                                </div>
                                <div class="field">
                                    <label for="user-role">"Role"</label>
                                    <select id="user-role" name="role">
                                        <option value="merchant">"Merchant (everything in the tenant)"</option>
                                        <option value="marketer">"Marketer (read-only)"</option>
                                    </select>
                                    <FieldError error=err field="role"/>
                                </div>
                                <div class="field field-check">
                                    <input id="user-admin" name="is_admin" type="checkbox" value="on"/>
                                    <label for="user-admin">"Platform admin"</label>
                                </div>
                                <button type="submit" class="button-primary">"Create user"</button>
                            </ActionForm>
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn UserTable(
    users: Vec<UserView>,
    tenants: Vec<TenantView>,
    reset: ServerAction<ResetUserPassword>,
    active: ServerAction<SetUserActive>,
    membership: ServerAction<SetUserMembership>,
) -> impl IntoView {
    view! {
        <table class="table">
            <thead><tr><th scope="col">"Email"</th><th scope="col">"Status"</th><th scope="col">"Memberships"</th><th scope="col">"Actions"</th></tr></thead>
            <tbody>
                {users.into_iter().map(|u| {
                    let deactivated = u.status != UserStatus::Active;
                    let tenants = tenants.clone();
                    let (uid1, uid2, uid3) = (u.id.clone(), u.id.clone(), u.id.clone());
                    let m_tenant = format!("m-tenant-{}", u.id);
                    let m_role = format!("m-role-{}", u.id);
                    let pw_id = format!("pw-{}", u.id);
                    let pw_label = format!("New password for {}", u.email);
                    let active_label = format!("{} {}", if deactivated { "Reactivate" } else { "Deactivate" }, u.email);
                    let email = u.email.clone();
                    let (email_l1, email_l2) = (u.email.clone(), u.email.clone());
                    let is_admin = u.is_admin;
                    let status = u.status.as_str();
                    let memberships = u.memberships.clone();
                    view! {
                        <tr>
                            <td>{email}{is_admin.then(|| view! { " " <span class="badge">"admin"</span> })}</td>
                            <td>{status}</td>
                            <td>
                                <ul class="plain">
                                    {memberships.iter().map(|m| view! { <li>{format!("{} — {}", m.tenant_name, m.role.as_str())}</li> }).collect_view()}
                                </ul>
                                <ActionForm action=membership attr:class="inline-form">
                                    <input type="hidden" name="user_id" value=uid1/>
                                    <label class="visually-hidden" for=m_tenant.clone()>{format!("Tenant for {}", email_l1)}</label>
                                    <select id=m_tenant name="tenant_id">
                                        {tenants.iter().map(|t| view! { <option value=t.id.clone()>{t.name.clone()}</option> }).collect_view()}
                                    </select>
                                    <label class="visually-hidden" for=m_role.clone()>{format!("Role for {}", email_l2)}</label>
                                    <select id=m_role name="role">
                                        <option value="merchant">"merchant"</option>
                                        <option value="marketer">"marketer"</option>
                                        <option value="none">"remove"</option>
                                    </select>
                                    <button type="submit" class="button-small">"Set membership"</button>
                                </ActionForm>
                            </td>
                            <td>
                                <ActionForm action=reset attr:class="inline-form">
                                    <input type="hidden" name="user_id" value=uid2/>
                                    <label class="visually-hidden" for=pw_id.clone()>{pw_label}</label>
                                    <input id=pw_id name="password" type="password" autocomplete="new-password" placeholder="new password"/>
                                    <button type="submit" class="button-small">"Reset password"</button>
                                </ActionForm>
                                <ActionForm action=active attr:class="inline-form">
                                    <input type="hidden" name="user_id" value=uid3/>
                                    <input type="hidden" name="active" value=if deactivated { "true" } else { "false" }/>
                                    <button type="submit" class=if deactivated { "button-small" } else { "button-small button-danger" }
                                        aria-label=active_label>
                                        {if deactivated { "Reactivate" } else { "Deactivate" }}
                                    </button>
                                </ActionForm>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
