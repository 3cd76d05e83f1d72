//! Prices (`server_fns::prices`) have no page of their own: this is the prices panel of a
//! product's page (list, add, archive/restore) and the data it loads.
use crate::model::{Environment, Price, ProductStatus, SessionInfo};
use crate::server_fns::prices::{CreatePrice, SetLivePrice, SetPriceArchived, list_product_prices};
use crate::ui::components::{ButtonForm, Field, FormError, ListTable, Loaded, SelectField, action_error, choices, cols};
use leptos::prelude::*;

/// The price actions and the price list of one product. Made by the page itself, before its
/// own data loads: a resource first created inside another resource's `Suspend` hydrates with
/// different markup than the server rendered (the hydration panic on product pages).
#[derive(Clone, Copy)]
pub struct PriceData {
    pub create: ServerAction<CreatePrice>,
    pub archive: ServerAction<SetPriceArchived>,
    pub live: ServerAction<SetLivePrice>,
    pub prices: Resource<Result<Vec<Price>, crate::error::AppError>>,
}

impl PriceData {
    pub fn new(product_id: impl Fn() -> String + Send + Sync + 'static) -> Self {
        let create = ServerAction::<CreatePrice>::new();
        let archive = ServerAction::<SetPriceArchived>::new();
        let live = ServerAction::<SetLivePrice>::new();
        let prices =
            Resource::new(move || (product_id(), create.version().get(), archive.version().get(), live.version().get()), |(pid, ..)| list_product_prices(pid));
        PriceData { create, archive, live, prices }
    }
}

#[component]
pub fn ProductPrices(product_id: String, editable: bool, data: PriceData) -> impl IntoView {
    let PriceData { create, archive, live, prices } = data;
    let preview = use_context::<SessionInfo>().is_none_or(|i| i.environment == Environment::Preview);
    view! {
        <section class="panel">
            <h2>"Prices"</h2>
            <FormError error=action_error(archive)/>
            {move || action_error(live).get().map(|e| view! { <div class="form-error" role="alert">{e.message}</div> })}
            <Loaded data=prices let:list>
                <ListTable rows=list headers=cols(&["Amount", "Billing", "Stripe price", "Live Stripe price", "Status", ""]) empty="No prices yet." let:p>
                    <PriceRow p editable archive live preview/>
                </ListTable>
            </Loaded>
            {editable.then(|| view! { <AddPrice product_id=product_id.clone() create preview/> })}
        </section>
    }
}

#[component]
fn PriceRow(p: Price, editable: bool, archive: ServerAction<SetPriceArchived>, live: ServerAction<SetLivePrice>, preview: bool) -> impl IntoView {
    let archived = p.status == ProductStatus::Archived;
    let verb = if archived { "Restore" } else { "Archive" };
    let hidden = vec![("id", p.id.clone()), ("archived", (!archived).to_string())];
    view! {
        <tr>
            <td>{p.display.clone()}</td>
            <td>{p.interval.map(|i| if i.as_str() == "month" { "monthly" } else { "yearly" }).unwrap_or("one-off")}</td>
            <td><code>{p.stripe_price_id.clone()}</code></td>
            <td>{if editable && preview {
                let label = format!("Live Stripe price of {}", p.display);
                let form_label = format!("Set the live Stripe price of {}", p.display);
                view! {
                    <ActionForm action=live attr:class="inline-form" attr:aria-label=form_label>
                        <input type="hidden" name="id" value=p.id.clone()/>
                        <input name="live_stripe_price_id" aria-label=label value=p.live_stripe_price_id.clone().unwrap_or_default() placeholder="price_… (live)" size="18"/>
                        <button type="submit" class="button-small">"Save"</button>
                    </ActionForm>
                }.into_any()
            } else {
                view! { <code>{p.live_stripe_price_id.clone().unwrap_or_else(|| "—".into())}</code> }.into_any()
            }}</td>
            <td><span class=format!("badge badge-{}", p.status.as_str())>{p.status.as_str()}</span></td>
            <td>{editable.then(|| view! {
                <ButtonForm action=archive hidden label=verb class="button-small" aria_label=format!("{verb} {}", p.display)/>
            })}</td>
        </tr>
    }
}

#[component]
fn AddPrice(product_id: String, create: ServerAction<CreatePrice>, preview: bool) -> impl IntoView {
    let err = action_error(create);
    view! {
        <h3>"Add a price"</h3>
        <ActionForm action=create attr:class="form" attr:aria-label="Add a price">
            <FormError error=err/>
            <input type="hidden" name="product_id" value=product_id/>
            <Field id="price-currency" label="Currency" error=err field="currency">
                <input id="price-currency" name="currency" value="gbp" maxlength="3" size="4"/>
            </Field>
            <Field id="price-amount" label="Amount" error=err field="amount">
                <input id="price-amount" name="amount" inputmode="decimal" placeholder="10.00"/>
            </Field>
            <SelectField id="price-interval" label="Billing" name="interval" error=err field="interval"
                choices=choices(&[("", "One-off"), ("month", "Monthly"), ("year", "Yearly")])/>
            <Field id="price-stripe" label="Stripe price id" error=err field="stripePriceId">
                <input id="price-stripe" name="stripe_price_id" placeholder="price_…"/>
            </Field>
            {preview.then(|| view! {
                <Field id="price-live-stripe" label="Live price id (for deploys; optional)" error=err field="live_stripe_price_id">
                    <input id="price-live-stripe" name="live_stripe_price_id" placeholder="price_…"/>
                </Field>
            })}
            <button type="submit" class="button-primary">"Add price"</button>
        </ActionForm>
    }
}
