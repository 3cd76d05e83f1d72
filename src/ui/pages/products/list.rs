//! The product list (search by name, status filter, keyset pages) and the new-product form.
use super::status_badge;
use crate::server_fns::products::{CreateProduct, list_products};
use crate::ui::components::{Field, FormPanel, ListTable, Loaded, Options, PageHead, Pager, action_error, choices, cols, page_href, query_param, short_time};
use crate::ui::layout::can_edit;
use leptos::prelude::*;

fn href(q: &Option<String>, status: &Option<String>, after: Option<&str>) -> String {
    let filters = [("q", q.as_deref().unwrap_or_default()), ("status", status.as_deref().unwrap_or_default())];
    page_href("/catalogue/products", &filters, after)
}

#[component]
pub fn ProductsPage() -> impl IntoView {
    let (q, status, after) = (query_param("q"), query_param("status"), query_param("after"));
    let products = Resource::new(move || (q(), status(), after()), |(q, s, a)| list_products(q, s, a));
    let editable = can_edit();
    view! {
        <PageHead title="Products"/>
        <form method="get" action="/catalogue/products" class="filters" role="search">
            <Field id="q" label="Search by name">
                <input id="q" name="q" type="search" value=q/>
            </Field>
            <Field id="status" label="Status">
                <select id="status" name="status">
                    <Options choices=choices(&[("", "All"), ("active", "Active"), ("archived", "Archived")]) selected=Signal::derive(move || status().unwrap_or_default())/>
                </select>
            </Field>
            <button type="submit">"Filter"</button>
        </form>
        <Loaded data=products let:page>
            {
                let (q, status, after) = (q(), status(), after());
                let next = page.has_more.then(|| page.data.last().map(|p| href(&q, &status, Some(&p.id)))).flatten();
                let first = after.is_some().then(|| href(&q, &status, None));
                view! {
                    <ListTable rows=page.data headers=cols(&["Name", "Status", "Created"]) empty="No products match." let:p>
                        <tr>
                            <td><a href=format!("/catalogue/products/{}", p.id)>{p.name.clone()}</a></td>
                            <td>{status_badge(p.status)}</td>
                            <td>{short_time(&p.created_at)}</td>
                        </tr>
                    </ListTable>
                    <Pager first next/>
                }
            }
        </Loaded>
        {editable.then(|| view! { <CreateProductForm/> })}
    }
}

#[component]
fn CreateProductForm() -> impl IntoView {
    let create = ServerAction::<CreateProduct>::new();
    let err = action_error(create);
    view! {
        <FormPanel action=create heading="New product" submit="Create product" disable_while_pending=true>
            <Field id="new-name" label="Name" error=err field="name">
                <input id="new-name" name="name" aria-required="true" maxlength="400"
                    aria-invalid=move || err.get().is_some_and(|e| e.fields.contains_key("name")).to_string()/>
            </Field>
            <Field id="new-description" label="Description" error=err field="description">
                <textarea id="new-description" name="description" rows="3"></textarea>
            </Field>
            <Field id="new-success-url" label="Default success URL (optional)" error=err field="successUrl">
                <input id="new-success-url" name="success_url" type="url" placeholder="https://example.com/thanks"/>
            </Field>
            <Field id="new-cancel-url" label="Default cancel URL (optional)" error=err field="cancelUrl">
                <input id="new-cancel-url" name="cancel_url" type="url" placeholder="https://example.com/pricing"/>
            </Field>
        </FormPanel>
    }
}
