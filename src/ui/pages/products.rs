//! Catalogue → Products: list with search, status filter and pagination; create; a product's
//! page with edit and archive/restore.
use crate::model::{Product, ProductStatus, SessionInfo};
use crate::server_fns::products::{CreateProduct, SetProductArchived, UpdateProduct, get_product, list_products};
use crate::ui::components::{ErrorPanel, FieldError, FormError, Loading, action_error, action_ok, short_time, urlencode};
use crate::ui::pages::prices::{PriceData, ProductPrices};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

fn can_edit() -> bool {
    use_context::<SessionInfo>().is_some_and(|i| i.can_edit())
}

fn status_badge(s: ProductStatus) -> impl IntoView {
    view! { <span class=format!("badge badge-{}", s.as_str())>{s.as_str()}</span> }
}

fn page_href(q: &Option<String>, status: &Option<String>, after: Option<&str>) -> String {
    let mut parts = Vec::new();
    if let Some(q) = q.as_deref().filter(|q| !q.is_empty()) {
        parts.push(format!("q={}", urlencode(q)));
    }
    if let Some(s) = status.as_deref().filter(|s| !s.is_empty()) {
        parts.push(format!("status={}", urlencode(s)));
    }
    if let Some(a) = after {
        parts.push(format!("after={}", urlencode(a)));
    }
    if parts.is_empty() { "/catalogue/products".into() } else { format!("/catalogue/products?{}", parts.join("&")) }
}

#[component]
pub fn ProductsPage() -> impl IntoView {
    let query = use_query_map();
    let q = move || query.read().get("q");
    let status = move || query.read().get("status");
    let after = move || query.read().get("after");
    let products = Resource::new(move || (q(), status(), after()), |(q, s, a)| list_products(q, s, a));
    let editable = can_edit();
    view! {
        <Title text="Products · offerdeck"/>
        <h1>"Products"</h1>
        <form method="get" action="/catalogue/products" class="filters" role="search">
            <div class="field">
                <label for="q">"Search by name"</label>
                <input id="q" name="q" type="search" value=q/>
            </div>
            <div class="field">
                <label for="status">"Status"</label>
                <select id="status" name="status">
                    <option value="" selected=move || status().unwrap_or_default().is_empty()>"All"</option>
                    <option value="active" selected=move || status().as_deref() == Some("active")>"Active"</option>
                    <option value="archived" selected=move || status().as_deref() == Some("archived")>"Archived"</option>
                </select>
            </div>
            <button type="submit">"Filter"</button>
        </form>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match products.await {
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                    Ok(page) => {
                        let (q, status, after) = (q(), status(), after());
                        let next = page.has_more.then(|| page.data.last().map(|p| page_href(&q, &status, Some(&p.id)))).flatten();
                        let first = after.is_some().then(|| page_href(&q, &status, None));
                        view! {
                            {if page.data.is_empty() {
                                view! { <p class="empty">"No products match."</p> }.into_any()
                            } else {
                                view! { <ProductTable products=page.data/> }.into_any()
                            }}
                            <nav class="pager" aria-label="Pages">
                                {first.map(|h| view! { <a href=h>"First page"</a> })}
                                {next.map(|h| view! { <a href=h rel="next">"Next page"</a> })}
                            </nav>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
        {editable.then(|| view! { <CreateProductForm/> })}
    }
}

#[component]
fn ProductTable(products: Vec<Product>) -> impl IntoView {
    view! {
        <table class="table">
            <thead><tr><th scope="col">"Name"</th><th scope="col">"Status"</th><th scope="col">"Created"</th></tr></thead>
            <tbody>
                {products.into_iter().map(|p| view! {
                    <tr>
                        <td><a href=format!("/catalogue/products/{}", p.id)>{p.name.clone()}</a></td>
                        <td>{status_badge(p.status)}</td>
                        <td>{short_time(&p.created_at)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn CreateProductForm() -> impl IntoView {
    let create = ServerAction::<CreateProduct>::new();
    let err = action_error(create);
    view! {
        <section class="panel">
            <h2>"New product"</h2>
            <ActionForm action=create attr:class="form" attr:aria-label="New product">
                <FormError error=err/>
                <div class="field">
                    <label for="new-name">"Name"</label>
                    <input id="new-name" name="name" aria-required="true" maxlength="400"
                        aria-invalid=move || err.get().is_some_and(|e| e.fields.contains_key("name")).to_string()/>
                    <FieldError error=err field="name"/>
                </div>
                <div class="field">
                    <label for="new-description">"Description"</label>
                    <textarea id="new-description" name="description" rows="3"></textarea>
                    <FieldError error=err field="description"/>
                </div>
                <button type="submit" class="button-primary" disabled=move || create.pending().get()>"Create product"</button>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn ProductPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let update = ServerAction::<UpdateProduct>::new();
    let archive = ServerAction::<SetProductArchived>::new();
    let product = Resource::new(move || (id(), update.version().get(), archive.version().get()), |(id, _, _)| get_product(id));
    let prices = PriceData::new(id);
    let editable = can_edit();
    view! {
        <p class="crumbs"><a href="/catalogue/products">"← Products"</a></p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match product.await {
                    Err(e) => {
                        let other_env = (e.code == crate::error::ErrorCode::NotFound).then(|| view! {
                            <p class="muted">"Products belong to one environment: this one may exist in the other (preview or live)."</p>
                        });
                        view! { <Title text="Product · offerdeck"/><ErrorPanel error=e/>{other_env} }.into_any()
                    }
                    Ok(p) => view! { <ProductDetail product=p editable update archive prices/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ProductDetail(
    product: Product,
    editable: bool,
    update: ServerAction<UpdateProduct>,
    archive: ServerAction<SetProductArchived>,
    prices: PriceData,
) -> impl IntoView {
    let err = action_error(update);
    let saved = action_ok(update);
    let archive_err = action_error(archive);
    let archived = product.status == ProductStatus::Archived;
    let (id1, id2) = (product.id.clone(), product.id.clone());
    let (name, description) = (product.name.clone(), product.description.clone());
    let price_product_id = product.id.clone();
    view! {
        <Title text=format!("{} · offerdeck", product.name)/>
        <h1>{product.name.clone()}" "{status_badge(product.status)}</h1>
        <dl class="facts">
            <dt>"ID"</dt><dd><code>{product.id.clone()}</code></dd>
            <dt>"Environment"</dt><dd>{product.environment.as_str()}</dd>
            <dt>"Created"</dt><dd>{short_time(&product.created_at)}</dd>
            <dt>"Updated"</dt><dd>{short_time(&product.updated_at)}</dd>
        </dl>
        <ProductPrices product_id=price_product_id editable=editable && !archived data=prices/>
        {if editable {
            view! {
                <section class="panel">
                    <h2>"Edit"</h2>
                    <ActionForm action=update attr:class="form" attr:aria-label="Edit product">
                        <FormError error=err/>
                        {move || saved.get().then(|| view! { <p class="form-ok" role="status">"Saved."</p> })}
                        <input type="hidden" name="id" value=id1/>
                        <div class="field">
                            <label for="edit-name">"Name"</label>
                            <input id="edit-name" name="name" value=name aria-required="true" maxlength="400"/>
                            <FieldError error=err field="name"/>
                        </div>
                        <div class="field">
                            <label for="edit-description">"Description"</label>
                            <textarea id="edit-description" name="description" rows="3" inner_html=crate::model::escape_html(&description)></textarea>
                            <FieldError error=err field="description"/>
                        </div>
                        <button type="submit" class="button-primary" disabled=move || update.pending().get()>"Save changes"</button>
                    </ActionForm>
                </section>
                <section class="panel">
                    <h2>{if archived { "Restore" } else { "Archive" }}</h2>
                    <p>{if archived {
                        "Archived products stay in the history but cannot be offered. Restore it to use it again."
                    } else {
                        "Archiving keeps the product and its history but stops it from being offered."
                    }}</p>
                    <FormError error=archive_err/>
                    <ActionForm action=archive attr:class="inline-form">
                        <input type="hidden" name="id" value=id2/>
                        <input type="hidden" name="archived" value=if archived { "false" } else { "true" }/>
                        <button type="submit" class=if archived { "button" } else { "button-danger" }>
                            {if archived { "Restore product" } else { "Archive product" }}
                        </button>
                    </ActionForm>
                </section>
            }.into_any()
        } else {
            view! {
                <section class="panel">
                    <h2>"Description"</h2>
                    <p>{if description.is_empty() { "—".to_string() } else { description.clone() }}</p>
                    <p class="muted">"Your role can read the catalogue but not change it."</p>
                </section>
            }.into_any()
        }}
    }
}
