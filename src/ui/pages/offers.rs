//! Offers → Offers: list and create; an offer's page with edit, archive and the exact `offer`
//! object a workflow receives. Validity windows are typed in the tenant's time zone.
use crate::error::AppError;
use crate::model::{Offer, OfferDetail, OfferFormData, ProductStatus, SessionInfo};
use crate::server_fns::offers::*;
use crate::ui::components::{ErrorPanel, FieldError, FormError, Loading, action_error, action_ok};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

fn can_edit() -> bool {
    use_context::<SessionInfo>().is_some_and(|i| i.can_edit())
}

#[component]
pub fn OffersPage() -> impl IntoView {
    let create = ServerAction::<CreateOffer>::new();
    let err = action_error(create);
    let offers = Resource::new(|| (), |_| list_offers());
    let form = Resource::new(|| (), |_| load_offer_form());
    let editable = can_edit();
    view! {
        <Title text="Offers · offerdeck"/>
        <h1>"Offers"</h1>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match offers.await {
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="empty">"No offers yet."</p> }.into_any(),
                    Ok(list) => view! { <OfferTable offers=list/> }.into_any(),
                }
            })}
        </Suspense>
        {editable.then(|| view! {
            <section class="panel">
                <h2>"New offer"</h2>
                <Suspense fallback=Loading>
                    {move || Suspend::new(async move {
                        match form.await {
                            Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                            Ok(data) => view! {
                                <ActionForm action=create attr:class="form" attr:aria-label="New offer">
                                    <OfferFields err=err data=data offer=None from=String::new() until=String::new()/>
                                    <button type="submit" class="button-primary">"Create offer"</button>
                                </ActionForm>
                            }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
        })}
    }
}

#[component]
fn OfferTable(offers: Vec<Offer>) -> impl IntoView {
    view! {
        <table class="table">
            <thead><tr><th scope="col">"Name"</th><th scope="col">"Title"</th><th scope="col">"Price"</th><th scope="col">"Audience"</th><th scope="col">"Status"</th></tr></thead>
            <tbody>
                {offers.into_iter().map(|o| view! {
                    <tr>
                        <td><a href=format!("/offers/{}", o.id)>{o.name.clone()}</a></td>
                        <td>{o.presentation.title.clone()}</td>
                        <td>{o.presentation.price.clone().unwrap_or_default()}</td>
                        <td>{o.audience.as_str()}</td>
                        <td><span class=format!("badge badge-{}", o.status.as_str())>{o.status.as_str()}</span></td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// The offer form's fields, shared by create and edit.
#[component]
fn OfferFields(err: Signal<Option<AppError>>, data: OfferFormData, offer: Option<Offer>, from: String, until: String) -> impl IntoView {
    let o = offer.clone();
    let chosen: Vec<String> = o.as_ref().map(|o| o.price_ids.clone()).unwrap_or_default();
    let method_id = o.as_ref().map(|o| o.redemption_method_id.clone()).unwrap_or_default();
    let audience = o.as_ref().map(|o| o.audience.as_str()).unwrap_or("all");
    let instructions = o
        .as_ref()
        .map(|o| {
            if o.instructions.as_object().is_some_and(|m| m.is_empty()) {
                String::new()
            } else {
                serde_json::to_string_pretty(&o.instructions).unwrap_or_default()
            }
        })
        .unwrap_or_default();
    let tz = data.time_zone.clone();
    view! {
        <FormError error=err/>
        <div class="field">
            <label for="o-name">"Name"</label>
            <input id="o-name" name="name" value=o.as_ref().map(|o| o.name.clone()).unwrap_or_default()/>
            <FieldError error=err field="name"/>
        </div>
        <div class="field">
            <label for="o-method">"Redemption method"</label>
            <select id="o-method" name="method_id">
                {data.methods.iter().map(|(id, name)| view! { <option value=id.clone() selected=*id == method_id>{name.clone()}</option> }).collect_view()}
            </select>
            <FieldError error=err field="redemptionMethodId"/>
        </div>
        <fieldset class="field">
            <legend>"Prices"</legend>
            {data.prices.iter().enumerate().map(|(i, p)| {
                let input_id = format!("o-price-{i}");
                view! {
                    <div class="field-check">
                        <input type="checkbox" id=input_id.clone() name=format!("price_ids[{i}]") value=p.id.clone() checked=chosen.contains(&p.id)/>
                        <label for=input_id>{p.label.clone()}</label>
                    </div>
                }
            }).collect_view()}
            <FieldError error=err field="priceIds"/>
        </fieldset>
        <div class="field">
            <label for="o-title">"Title"</label>
            <input id="o-title" name="title" value=o.as_ref().map(|o| o.presentation.title.clone()).unwrap_or_default()/>
            <FieldError error=err field="presentation.title"/>
        </div>
        <div class="field">
            <label for="o-price-label">"Price label"</label>
            <input id="o-price-label" name="price_label" placeholder="formatted from the first price" value=o.as_ref().and_then(|o| o.presentation.price.clone()).unwrap_or_default()/>
        </div>
        <div class="field">
            <label for="o-description">"Description"</label>
            <textarea id="o-description" name="description" rows="2" inner_html=crate::model::escape_html(&o.as_ref().and_then(|o| o.presentation.description.clone()).unwrap_or_default())></textarea>
        </div>
        <div class="field">
            <label for="o-instructions">"Instructions (JSON object merged over the Checkout parameters)"</label>
            <textarea id="o-instructions" name="instructions" rows="4" class="code-editor" spellcheck="false" placeholder="{\"allow_promotion_codes\": true}" inner_html=crate::model::escape_html(&instructions)></textarea>
            <FieldError error=err field="instructions"/>
        </div>
        <div class="field">
            <label for="o-from">{format!("Valid from ({tz})")}</label>
            <input id="o-from" name="valid_from" type="datetime-local" value=from/>
            <FieldError error=err field="validFrom"/>
        </div>
        <div class="field">
            <label for="o-until">{format!("Valid until ({tz})")}</label>
            <input id="o-until" name="valid_until" type="datetime-local" value=until/>
            <FieldError error=err field="validUntil"/>
        </div>
        <div class="field">
            <label for="o-audience">"Audience"</label>
            <select id="o-audience" name="audience">
                {[("all", "Everyone"), ("anonymous", "Anonymous visitors"), ("authenticated", "Signed-in users")].into_iter().map(|(v, l)| view! {
                    <option value=v selected=v == audience>{l}</option>
                }).collect_view()}
            </select>
        </div>
    }
}

#[component]
pub fn OfferPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let update = ServerAction::<UpdateOffer>::new();
    let archive = ServerAction::<SetOfferArchived>::new();
    let detail = Resource::new(move || (id(), update.version().get(), archive.version().get()), |(id, _, _)| get_offer(id));
    // Made here, not inside the panel: see `prices::PriceData` (resources first created inside
    // another resource's Suspend hydrate with different markup than the server rendered).
    let query = use_query_map();
    let days = move || query.read().get("days").and_then(|d| d.parse::<i64>().ok()).unwrap_or(30);
    let stats = Resource::new(move || (id(), days()), |(id, d)| crate::server_fns::experiences::load_offer_stats(id, d));
    provide_context(OfferStats { days: Signal::derive(days), stats });
    view! {
        <p class="crumbs"><a href="/offers">"← Offers"</a></p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match detail.await {
                    Err(e) => view! { <Title text="Offer · offerdeck"/><ErrorPanel error=e/> }.into_any(),
                    Ok(d) => view! { <OfferView detail=d update archive/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn OfferView(detail: OfferDetail, update: ServerAction<UpdateOffer>, archive: ServerAction<SetOfferArchived>) -> impl IntoView {
    let editable = can_edit();
    let err = action_error(update);
    let saved = action_ok(update);
    let o = detail.offer.clone();
    let archived = o.status == ProductStatus::Archived;
    let (id1, id2) = (o.id.clone(), o.id.clone());
    view! {
        <Title text=format!("{} · offerdeck", o.name)/>
        <h1>{o.name.clone()}" "<span class=format!("badge badge-{}", o.status.as_str())>{o.status.as_str()}</span></h1>
        <OfferStatsPanel id=o.id.clone()/>
        <section class="panel">
            <h2>"What a workflow receives"</h2>
            <p class="muted">"The offer object handed to the redemption method's workflow (the token is minted when a surface presents the offer)."</p>
            <pre class="code-output" aria-label="Workflow offer object">{detail.workflow_object.clone()}</pre>
        </section>
        {editable.then(|| view! {
            <section class="panel">
                <h2>"Edit"</h2>
                <ActionForm action=update attr:class="form" attr:aria-label="Edit offer">
                    <input type="hidden" name="id" value=id1/>
                    {move || saved.get().then(|| view! { <p class="form-ok" role="status">"Saved."</p> })}
                    <OfferFields err=err data=detail.form.clone() offer=Some(o.clone()) from=detail.valid_from_local.clone() until=detail.valid_until_local.clone()/>
                    <button type="submit" class="button-primary">"Save offer"</button>
                </ActionForm>
                <ActionForm action=archive attr:class="inline-form">
                    <input type="hidden" name="id" value=id2/>
                    <input type="hidden" name="archived" value=if archived { "false" } else { "true" }/>
                    <button type="submit" class=if archived { "button" } else { "button-danger" }>{if archived { "Restore offer" } else { "Archive offer" }}</button>
                </ActionForm>
            </section>
        })}
    }
}

#[derive(Clone, Copy)]
struct OfferStats {
    days: Signal<i64>,
    stats: Resource<Result<crate::model::OfferStats, AppError>>,
}

/// Impressions, redemptions and conversion over a period chosen with a plain GET form.
#[component]
fn OfferStatsPanel(id: String) -> impl IntoView {
    let OfferStats { days, stats } = expect_context::<OfferStats>();
    let days = move || days.get();
    view! {
        <section class="panel" aria-label="Performance">
            <h2>"Performance"</h2>
            <form method="get" action=format!("/offers/{id}") class="inline-form">
                <label for="stats-days">"Period"</label>
                <select id="stats-days" name="days">
                    {[(1, "Last 24 hours"), (7, "Last 7 days"), (30, "Last 30 days"), (90, "Last 90 days")].into_iter().map(|(d, l)| view! {
                        <option value=d.to_string() selected=move || days() == d>{l}</option>
                    }).collect_view()}
                </select>
                <button type="submit" class="button-small">"Show"</button>
            </form>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match stats.await {
                        Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                        Ok(s) => view! {
                            <dl class="facts stats">
                                <dt>"Impressions"</dt><dd data-stat="impressions">{s.impressions}</dd>
                                <dt>"Redemptions"</dt><dd data-stat="redemptions">{s.redemptions}</dd>
                                <dt>"Conversion"</dt><dd data-stat="conversion">{format!("{:.1} %", s.conversion * 100.0)}</dd>
                                <dt>"Redeeming identities"</dt><dd data-stat="redeemers">{s.redeemers}</dd>
                            </dl>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
