//! The offer page's Rates: each rate's prices, currency and interval, and the form that adds
//! one (sign-up carts name a rate as `rateId`).
use crate::model::{PriceOption, Rate};
use crate::server_fns::offers::CreateOfferRate;
use crate::ui::components::{Check, Field, FieldError, FormError, ListTable, Loaded, action_error, cols};
use crate::ui::layout::can_edit;
use leptos::prelude::*;

/// Made by the page (see `OfferStats`): the rates resource and the create action.
#[derive(Clone, Copy)]
pub struct OfferRates {
    pub rates: Resource<Result<Vec<Rate>, crate::error::AppError>>,
    pub create: ServerAction<CreateOfferRate>,
}

#[component]
pub fn RatesPanel(offer_id: String, prices: Vec<PriceOption>) -> impl IntoView {
    let OfferRates { rates, create } = expect_context::<OfferRates>();
    let err = action_error(create);
    let labels = StoredValue::new(prices.clone());
    view! {
        <section class="panel" aria-labelledby="rates">
            <h2 id="rates">"Rates"</h2>
            <p class="muted">"A rate is a set of this offer's prices — one per product, one currency and interval — that a sign-up cart names as rateId."</p>
            <Loaded data=rates let:list>
                <ListTable rows=list headers=cols(&["Rate", "Prices", "Currency", "Interval", "Self-service", "Status"]) empty="No rates yet." label="Rates" let:r>
                    <tr>
                        <td>{r.name.clone()}<br/><code class="muted">{r.id.clone()}</code></td>
                        <td>{r.price_ids.iter().map(|p| labels.with_value(|l| label_of(l, p))).collect::<Vec<_>>().join(", ")}</td>
                        <td>{r.currency.to_uppercase()}</td>
                        <td>{r.interval.map(|i| i.as_str()).unwrap_or("one-off")}</td>
                        <td>{if r.self_service { "yes" } else { "no" }}</td>
                        <td>{r.status.as_str()}</td>
                    </tr>
                </ListTable>
            </Loaded>
            {can_edit().then(|| view! {
                <ActionForm action=create attr:class="form" attr:aria-label="Add a rate">
                    <FormError error=err/>
                    <input type="hidden" name="offer_id" value=offer_id.clone()/>
                    <Field id="rate-name" label="Rate name" error=err field="name">
                        <input id="rate-name" name="name"/>
                    </Field>
                    <fieldset class="field">
                        <legend>"Prices of the rate"</legend>
                        {prices.iter().enumerate().map(|(i, p)| view! {
                            <Check id=format!("rate-price-{i}") name=format!("price_ids[{i}]") value=p.id.clone() checked=false label=p.label.clone()/>
                        }).collect_view()}
                        <FieldError error=err field="priceIds"/>
                    </fieldset>
                    <Check id="rate-self" name="self_service".to_string() value="true".to_string() checked=true label="Offered on self-service sign-up".to_string()/>
                    <button type="submit" class="button-primary">"Add rate"</button>
                </ActionForm>
            })}
        </section>
    }
}

fn label_of(prices: &[PriceOption], id: &str) -> String {
    prices.iter().find(|p| p.id == id).map(|p| p.label.clone()).unwrap_or_else(|| id.to_string())
}
