//! A product's page: its facts, its prices (`pages::prices`), edit and archive/restore; read-only
//! roles see the description instead of the forms.
use super::status_badge;
use crate::model::{Product, ProductStatus};
use crate::server_fns::products::{SetProductArchived, UpdateProduct, get_product};
use crate::ui::components::{ArchiveButton, DangerPanel, DetailPage, Field, FormError, Saved, action_error, action_ok, path_param, short_time};
use crate::ui::layout::can_edit;
use crate::ui::pages::prices::{PriceData, ProductPrices};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ProductPage() -> impl IntoView {
    let id = path_param("id");
    let update = ServerAction::<UpdateProduct>::new();
    let archive = ServerAction::<SetProductArchived>::new();
    let product = Resource::new(move || (id(), update.version().get(), archive.version().get()), |(id, _, _)| get_product(id));
    let prices = PriceData::new(id);
    let editable = can_edit();
    view! {
        <DetailPage back="/catalogue/products" back_label="Products" data=product error_title="Product"
            not_found_hint="Products belong to one environment: this one may exist in the other (preview or live)." let:p>
            <ProductDetail product=p editable update archive prices/>
        </DetailPage>
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
    let archived = product.status == ProductStatus::Archived;
    let description = product.description.clone();
    view! {
        <Title text=format!("{} · offerdeck", product.name)/>
        <h1>{product.name.clone()}" "{status_badge(product.status)}</h1>
        <dl class="facts">
            <dt>"ID"</dt><dd><code>{product.id.clone()}</code></dd>
            <dt>"Environment"</dt><dd>{product.environment.as_str()}</dd>
            <dt>"Created"</dt><dd>{short_time(&product.created_at)}</dd>
            <dt>"Updated"</dt><dd>{short_time(&product.updated_at)}</dd>
            <dt>"Success URL"</dt><dd>{url_or_dash(&product.success_url)}</dd>
            <dt>"Cancel URL"</dt><dd>{url_or_dash(&product.cancel_url)}</dd>
        </dl>
        <ProductPrices product_id=product.id.clone() editable=editable && !archived data=prices/>
        {if editable {
            view! {
                <EditProduct product=product.clone() update/>
                <DangerPanel heading=if archived { "Restore" } else { "Archive" } text=if archived {
                    "Archived products stay in the history but cannot be offered. Restore it to use it again."
                } else {
                    "Archiving keeps the product and its history but stops it from being offered."
                } error=action_error(archive)>
                    <ArchiveButton action=archive id=product.id.clone() archived noun="product"/>
                </DangerPanel>
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

#[component]
fn EditProduct(product: Product, update: ServerAction<UpdateProduct>) -> impl IntoView {
    let err = action_error(update);
    view! {
        <section class="panel">
            <h2>"Edit"</h2>
            <ActionForm action=update attr:class="form" attr:aria-label="Edit product">
                <FormError error=err/>
                <Saved when=action_ok(update)/>
                <input type="hidden" name="id" value=product.id.clone()/>
                <Field id="edit-name" label="Name" error=err field="name">
                    <input id="edit-name" name="name" value=product.name.clone() aria-required="true" maxlength="400"/>
                </Field>
                <Field id="edit-description" label="Description" error=err field="description">
                    <textarea id="edit-description" name="description" rows="3" inner_html=crate::model::escape_html(&product.description)></textarea>
                </Field>
                <Field id="edit-success-url" label="Default success URL (checkout sessions return buyers here)" error=err field="successUrl">
                    <input id="edit-success-url" name="success_url" type="url" value=product.success_url.clone() placeholder="https://example.com/thanks"/>
                </Field>
                <Field id="edit-cancel-url" label="Default cancel URL" error=err field="cancelUrl">
                    <input id="edit-cancel-url" name="cancel_url" type="url" value=product.cancel_url.clone() placeholder="https://example.com/pricing"/>
                </Field>
                <button type="submit" class="button-primary" disabled=move || update.pending().get()>"Save changes"</button>
            </ActionForm>
        </section>
    }
}

/// A return URL as text (never a link: it is the merchant's input), or a dash when unset.
fn url_or_dash(u: &str) -> String {
    if u.is_empty() { "—".to_string() } else { u.to_string() }
}
