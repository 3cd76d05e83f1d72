//! A product's prices, shown on the product page: list, add, archive/restore.
use crate::model::{Price, ProductStatus};
use crate::server_fns::prices::{CreatePrice, SetPriceArchived, list_product_prices};
use crate::ui::components::{ErrorPanel, FieldError, FormError, Loading, action_error};
use leptos::prelude::*;

/// The price actions and the price list of one product. Made by the page itself, before its
/// own data loads: a resource first created inside another resource's `Suspend` hydrates with
/// different markup than the server rendered (the hydration panic on product pages).
#[derive(Clone, Copy)]
pub struct PriceData {
    pub create: ServerAction<CreatePrice>,
    pub archive: ServerAction<SetPriceArchived>,
    pub prices: Resource<Result<Vec<Price>, crate::error::AppError>>,
}

impl PriceData {
    pub fn new(product_id: impl Fn() -> String + Send + Sync + 'static) -> Self {
        let create = ServerAction::<CreatePrice>::new();
        let archive = ServerAction::<SetPriceArchived>::new();
        let prices = Resource::new(move || (product_id(), create.version().get(), archive.version().get()), |(pid, _, _)| list_product_prices(pid));
        PriceData { create, archive, prices }
    }
}

#[component]
pub fn ProductPrices(product_id: String, editable: bool, data: PriceData) -> impl IntoView {
    let PriceData { create, archive, prices } = data;
    let err = action_error(create);
    let archive_err = action_error(archive);
    view! {
        <section class="panel">
            <h2>"Prices"</h2>
            <FormError error=archive_err/>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match prices.await {
                        Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                        Ok(list) if list.is_empty() => view! { <p class="empty">"No prices yet."</p> }.into_any(),
                        Ok(list) => view! { <PriceTable prices=list editable archive/> }.into_any(),
                    }
                })}
            </Suspense>
            {editable.then(|| view! {
                <h3>"Add a price"</h3>
                <ActionForm action=create attr:class="form" attr:aria-label="Add a price">
                    <FormError error=err/>
                    <input type="hidden" name="product_id" value=product_id.clone()/>
                    <div class="field">
                        <label for="price-currency">"Currency"</label>
                        <input id="price-currency" name="currency" value="gbp" maxlength="3" size="4"/>
                        <FieldError error=err field="currency"/>
                    </div>
                    <div class="field">
                        <label for="price-amount">"Amount"</label>
                        <input id="price-amount" name="amount" inputmode="decimal" placeholder="10.00"/>
                        <FieldError error=err field="amount"/>
                    </div>
                    <div class="field">
                        <label for="price-interval">"Billing"</label>
                        <select id="price-interval" name="interval">
                            <option value="">"One-off"</option>
                            <option value="month">"Monthly"</option>
                            <option value="year">"Yearly"</option>
                        </select>
                        <FieldError error=err field="interval"/>
                    </div>
                    <div class="field">
                        <label for="price-stripe">"Stripe price id"</label>
                        <input id="price-stripe" name="stripe_price_id" placeholder="price_…"/>
                        <FieldError error=err field="stripePriceId"/>
                    </div>
                    <button type="submit" class="button-primary">"Add price"</button>
                </ActionForm>
            })}
        </section>
    }
}

#[component]
fn PriceTable(prices: Vec<Price>, editable: bool, archive: ServerAction<SetPriceArchived>) -> impl IntoView {
    view! {
        <table class="table">
            <thead><tr><th scope="col">"Amount"</th><th scope="col">"Billing"</th><th scope="col">"Stripe price"</th><th scope="col">"Status"</th><th></th></tr></thead>
            <tbody>
                {prices.into_iter().map(|p| {
                    let archived = p.status == ProductStatus::Archived;
                    let label = format!("{} {}", if archived { "Restore" } else { "Archive" }, p.display);
                    let id = p.id.clone();
                    view! {
                        <tr>
                            <td>{p.display.clone()}</td>
                            <td>{p.interval.map(|i| if i.as_str() == "month" { "monthly" } else { "yearly" }).unwrap_or("one-off")}</td>
                            <td><code>{p.stripe_price_id.clone()}</code></td>
                            <td><span class=format!("badge badge-{}", p.status.as_str())>{p.status.as_str()}</span></td>
                            <td>{editable.then(|| view! {
                                <ActionForm action=archive attr:class="inline-form">
                                    <input type="hidden" name="id" value=id/>
                                    <input type="hidden" name="archived" value=if archived { "false" } else { "true" }/>
                                    <button type="submit" class="button-small" aria-label=label>{if archived { "Restore" } else { "Archive" }}</button>
                                </ActionForm>
                            })}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
